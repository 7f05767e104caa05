//! User accounts and role assignments (SPEC §1–2).

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::org::OrgConflict;
use castellan_domain::org::User;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Target;
use castellan_domain::values::{
    Email, UserStatus, Username, check_password_policy, clean_optional, clean_text,
};
use castellan_domain::{
    Action, DepartmentId, DepartmentPath, DomainError, FieldErrorKind, FieldErrors, Grant, Lang,
    Resource, Role, Timestamp, UserId,
};
use castellan_store::Conn;
use castellan_store::org::users::{self as store, Profile, UserFilter};
use castellan_store::{org::departments, org::tokens};

/// A role assignment as submitted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantInput {
    /// Role code.
    pub role: String,
    /// Department the role is limited to.
    pub department_id: Option<i64>,
}

/// A new user as submitted.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    /// Login name.
    pub username: String,
    /// Name shown to others.
    pub display_name: String,
    /// E-mail.
    pub email: Option<String>,
    /// Department.
    pub department_id: Option<i64>,
    /// Job title.
    pub position: Option<String>,
    /// Initial password.
    pub password: String,
    /// Roles.
    pub roles: Vec<GrantInput>,
    /// Preferred language code.
    pub language: Option<String>,
}

/// A partial change to a user; `None` leaves a field, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// Name shown to others.
    pub display_name: Option<String>,
    /// E-mail.
    pub email: Option<Option<String>>,
    /// Department.
    pub department_id: Option<Option<i64>>,
    /// Job title.
    pub position: Option<Option<String>>,
    /// `active` or `disabled`.
    pub status: Option<String>,
    /// Preferred language (`en`, `zh-CN`).
    pub language: Option<Option<String>>,
    /// The complete new list of roles.
    pub roles: Option<Vec<GrantInput>>,
}

async fn path_of(conn: &mut Conn, dept: Option<DepartmentId>) -> Result<Option<DepartmentPath>> {
    Ok(match dept {
        None => None,
        Some(id) => departments::get(conn, id).await?.map(|d| d.path),
    })
}

fn target(path: Option<&DepartmentPath>) -> Target<'_> {
    path.map_or(Target::Global, Target::Department)
}

fn parse_language(raw: Option<&str>) -> std::result::Result<Option<Lang>, FieldErrorKind> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(code) => Lang::parse(code)
            .map(Some)
            .ok_or_else(|| FieldErrorKind::UnknownValue {
                allowed: Lang::ALL.iter().map(|l| l.code()).collect(),
            }),
    }
}

/// Checks the submitted grants: known roles, existing departments, no duplicates.
async fn parse_grants(
    conn: &mut Conn,
    input: &[GrantInput],
    errors: &mut FieldErrors,
) -> Result<Vec<Grant>> {
    let mut grants = Vec::with_capacity(input.len());
    for (i, g) in input.iter().enumerate() {
        let role = errors.check(&format!("roles[{i}].role"), g.role.trim().parse::<Role>());
        let department = match g.department_id {
            None => Some(None),
            Some(id) => {
                if departments::get(conn, DepartmentId(id)).await?.is_some() {
                    Some(Some(DepartmentId(id)))
                } else {
                    errors.add(
                        format!("roles[{i}].department_id"),
                        FieldErrorKind::NoSuchRecord,
                    );
                    None
                }
            }
        };
        if let (Some(role), Some(department_id)) = (role, department) {
            let grant = Grant {
                role,
                department_id,
            };
            if grants.contains(&grant) {
                errors.add(format!("roles[{i}]"), FieldErrorKind::Duplicate);
            } else {
                grants.push(grant);
            }
        }
    }
    grants.sort();
    Ok(grants)
}

/// The caller may grant or withdraw exactly these grants: each needs `assign_roles` over the
/// grant's own scope, so a department-limited administrator cannot hand out
/// organization-wide roles.
async fn authorize_grant_changes(
    conn: &mut Conn,
    ctx: &Ctx,
    before: &[Grant],
    after: &[Grant],
) -> Result<()> {
    let changed = before
        .iter()
        .filter(|g| !after.contains(g))
        .chain(after.iter().filter(|g| !before.contains(g)));
    for grant in changed {
        let path = path_of(conn, grant.department_id).await?;
        ctx.principal
            .authorize(Resource::User, Action::AssignRoles, target(path.as_ref()))?;
    }
    Ok(())
}

/// The user's home department path and the path of each of their grants' departments
/// (`None` for organization-wide), as [`castellan_domain::Principal::authorize_on_user`] needs them.
async fn scopes_of(
    conn: &mut Conn,
    user: &User,
) -> Result<(Option<DepartmentPath>, Vec<Option<DepartmentPath>>)> {
    let home = path_of(conn, user.department_id).await?;
    let mut grants = Vec::with_capacity(user.roles.len());
    for grant in &user.roles {
        grants.push(path_of(conn, grant.department_id).await?);
    }
    Ok((home, grants))
}

/// The one check before any change to a user account (SPEC §1): `user:update` over the
/// user's home department and over the scope of every grant they hold.
async fn authorize_on(conn: &mut Conn, ctx: &Ctx, user: &User) -> Result<()> {
    let (home, grants) = scopes_of(conn, user).await?;
    let scopes: Vec<Target<'_>> = grants.iter().map(|p| target(p.as_ref())).collect();
    ctx.principal
        .authorize_on_user(Action::Update, target(home.as_ref()), &scopes)?;
    Ok(())
}

/// Whether the caller may change this user at all (edit, disable, roles, password): for
/// showing or hiding the actions on the user's page.
pub async fn may_change(app: &App, ctx: &Ctx, user: &User) -> Result<bool> {
    let mut conn = app.db().read().await?;
    Ok(match authorize_on(&mut conn, ctx, user).await {
        Ok(()) => true,
        Err(crate::Error::Domain(DomainError::Forbidden { .. })) => false,
        Err(e) => return Err(e),
    })
}

fn is_global_admin(user_status: UserStatus, grants: &[Grant]) -> bool {
    user_status == UserStatus::Active
        && grants
            .iter()
            .any(|g| g.role == Role::Admin && g.department_id.is_none())
}

/// Creates a user (administrators; department-limited ones inside their subtree).
pub async fn create(app: &App, ctx: &Ctx, input: &NewUserInput) -> Result<User> {
    let mut errors = FieldErrors::new();
    let username = errors.check("username", Username::parse(&input.username));
    let display_name = errors.check("display_name", clean_text(&input.display_name, 1, 100));
    let email = match input
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => Some(None),
        Some(e) => errors
            .check("email", Email::parse(e))
            .map(|e| Some(e.as_str().to_owned())),
    };
    let position = errors.check("position", clean_optional(input.position.as_deref(), 100));
    let language = errors.check("language", parse_language(input.language.as_deref()));
    errors.check(
        "password",
        check_password_policy(&input.password, &input.username),
    );
    let (department, grants) = {
        let mut conn = app.db().read().await?;
        let department = match input.department_id {
            None => None,
            Some(id) => {
                let d = departments::get(&mut conn, DepartmentId(id)).await?;
                if d.is_none() {
                    errors.add("department_id", FieldErrorKind::NoSuchRecord);
                }
                d
            }
        };
        let grants = parse_grants(&mut conn, &input.roles, &mut errors).await?;
        if let Some(name) = &username
            && store::username_taken(&mut conn, name.as_str(), None).await?
        {
            errors.add("username", FieldErrorKind::Taken);
        }
        (department, grants)
    };
    let department_path = department.as_ref().map(|d| d.path.clone());
    ctx.principal.authorize(
        Resource::User,
        Action::Create,
        target(department_path.as_ref()),
    )?;
    {
        let mut conn = app.db().read().await?;
        authorize_grant_changes(&mut conn, ctx, &[], &grants).await?;
    }
    errors.into_result()?;
    let (Some(username), Some(display_name), Some(email), Some(position), Some(language)) =
        (username, display_name, email, position, language)
    else {
        return Err(DomainError::BadRequest("invalid user".into()).into());
    };
    // Hash before taking the write lock: Argon2 is deliberately slow.
    let hash = app.hasher().hash(&input.password).await?;
    let mut tx = app.db().begin().await?;
    let profile = Profile {
        display_name,
        email,
        department_id: department.map(|d| d.id),
        position,
        status: UserStatus::Active,
        language,
    };
    let user = store::insert(
        &mut tx,
        username.as_str(),
        &profile,
        &hash,
        &grants,
        Timestamp::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::org::audit::OrgRecord::User,
            user.id,
        )
        .after(&user),
    )
    .await?;
    tx.commit().await?;
    Ok(user)
}

/// Changes a user if `version` is current. Disabling ends every session and token at once.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: UserId,
    patch: &UserPatch,
    version: i64,
) -> Result<User> {
    let mut tx = app.db().begin().await?;
    let current = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("user"))?;
    authorize_on(&mut tx, ctx, &current).await?;
    if current.version != version {
        return Err(DomainError::StaleVersion {
            current: current.version,
        }
        .into());
    }

    let mut errors = FieldErrors::new();
    let display_name = match &patch.display_name {
        None => Some(current.display_name.clone()),
        Some(n) => errors.check("display_name", clean_text(n, 1, 100)),
    };
    let email = match &patch.email {
        None => Some(current.email.clone()),
        Some(e) => match e.as_deref().map(str::trim).filter(|e| !e.is_empty()) {
            None => Some(None),
            Some(e) => errors
                .check("email", Email::parse(e))
                .map(|e| Some(e.as_str().to_owned())),
        },
    };
    let position = match &patch.position {
        None => Some(current.position.clone()),
        Some(p) => errors.check("position", clean_optional(p.as_deref(), 100)),
    };
    let status = match &patch.status {
        None => Some(current.status),
        Some(s) => errors.check("status", UserStatus::from_code(s.trim())),
    };
    let language = match &patch.language {
        None => Some(current.language),
        Some(l) => errors.check("language", parse_language(l.as_deref())),
    };
    let new_department = match patch.department_id {
        None => Some(current.department_id),
        Some(None) => Some(None),
        Some(Some(d)) => {
            if departments::get(&mut tx, DepartmentId(d)).await?.is_some() {
                Some(Some(DepartmentId(d)))
            } else {
                errors.add("department_id", FieldErrorKind::NoSuchRecord);
                None
            }
        }
    };
    let grants = match &patch.roles {
        None => current.roles.clone(),
        Some(input) => parse_grants(&mut tx, input, &mut errors).await?,
    };
    errors.into_result()?;
    let (
        Some(display_name),
        Some(email),
        Some(position),
        Some(status),
        Some(language),
        Some(department_id),
    ) = (
        display_name,
        email,
        position,
        status,
        language,
        new_department,
    )
    else {
        return Err(DomainError::BadRequest("invalid user".into()).into());
    };

    if department_id != current.department_id {
        let new_path = path_of(&mut tx, department_id).await?;
        ctx.principal
            .authorize(Resource::User, Action::Update, target(new_path.as_ref()))?;
    }
    if grants != current.roles {
        authorize_grant_changes(&mut tx, ctx, &current.roles, &grants).await?;
    }
    let was_admin = is_global_admin(current.status, &current.roles);
    let stays_admin = is_global_admin(status, &grants);
    if ctx.principal.user_id == id
        && (status == UserStatus::Disabled || (was_admin && !stays_admin))
    {
        return Err(OrgConflict::SelfLockout.into());
    }
    if was_admin && !stays_admin && store::count_global_admins(&mut tx, Some(id)).await? == 0 {
        return Err(OrgConflict::LastAdministrator.into());
    }

    let now = Timestamp::now();
    let profile = Profile {
        display_name,
        email,
        department_id,
        position,
        status,
        language,
    };
    store::update_profile(&mut tx, id, &profile, version, now)
        .await?
        .ok_or(DomainError::StaleVersion {
            current: current.version,
        })?;
    if grants != current.roles {
        store::replace_grants(&mut tx, id, &grants, now).await?;
    }
    if status == UserStatus::Disabled && current.status != UserStatus::Disabled {
        tokens::revoke_all_of(&mut tx, id, None, now).await?;
    }
    let updated = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("user"))?;
    // Seed 003: access follows a job change or a disabling within one working day.
    let access_change = if updated.status == UserStatus::Disabled
        && current.status != UserStatus::Disabled
    {
        Some(castellan_domain::request::Origin::Disabled)
    } else if updated.status == UserStatus::Active
        && (updated.department_id != current.department_id || updated.position != current.position)
    {
        Some(castellan_domain::request::Origin::JobChange)
    } else {
        None
    };
    if let Some(origin) = access_change {
        crate::request::requests::open_access_change(
            app,
            &mut tx,
            &ctx.actor(),
            &current,
            &updated,
            origin,
        )
        .await?;
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::org::audit::OrgRecord::User,
            id,
        )
        .before(&current)
        .after(&updated),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Sets a new password for another user (administrators). Ends all of that user's sessions
/// and tokens, except the caller's own credential when they reset their own password.
pub async fn set_password(app: &App, ctx: &Ctx, id: UserId, password: &str) -> Result<()> {
    let user = {
        let mut conn = app.db().read().await?;
        let user = store::get(&mut conn, id)
            .await?
            .ok_or(DomainError::not_found("user"))?;
        authorize_on(&mut conn, ctx, &user).await?;
        user
    };
    check_password_policy(password, &user.username)
        .map_err(|kind| FieldErrors::single("password", kind))?;
    let hash = app.hasher().hash(password).await?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    // Check again under the write lock: the user's grants may have changed while hashing.
    let user = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("user"))?;
    authorize_on(&mut tx, ctx, &user).await?;
    store::set_password(&mut tx, id, &hash, now).await?;
    let keep = if ctx.principal.user_id == id {
        ctx.token_id
    } else {
        None
    };
    let ended = tokens::revoke_all_of(&mut tx, id, keep, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::org::audit::OrgAction::PasswordReset,
            castellan_domain::org::audit::OrgRecord::User,
            id,
        )
        .after(&serde_json::json!({ "credentials_revoked": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One user (visible to the roles that may read users, within their scope).
pub async fn get(app: &App, ctx: &Ctx, id: UserId) -> Result<User> {
    let mut conn = app.db().read().await?;
    let user = store::get(&mut conn, id)
        .await?
        .ok_or(DomainError::not_found("user"))?;
    if ctx.principal.user_id != id {
        let path = path_of(&mut conn, user.department_id).await?;
        ctx.principal
            .authorize(Resource::User, Action::Read, target(path.as_ref()))?;
    }
    Ok(user)
}

/// List parameters as submitted.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Search text.
    pub q: Option<String>,
    /// Department (its subtree).
    pub department_id: Option<i64>,
    /// Role code.
    pub role: Option<String>,
    /// Status code.
    pub status: Option<String>,
    /// Sort.
    pub sort: Option<String>,
    /// Page position.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of users the caller may see.
pub async fn list(app: &App, ctx: &Ctx, query: &ListQuery) -> Result<Page<User>> {
    let scope = ctx.principal.read_scope(Resource::User, Action::Read)?;
    let mut errors = FieldErrors::new();
    let sort = errors.check("sort", Sort::parse(query.sort.as_deref(), store::SORTS));
    let limit = errors.check("limit", parse_limit(query.limit));
    let role = match query
        .role
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(r) => errors.check("role", r.parse::<Role>()),
    };
    let status = match query
        .status
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => errors.check("status", UserStatus::from_code(s)),
    };
    let mut conn = app.db().read().await?;
    let department = match query.department_id {
        None => None,
        Some(id) => {
            let path = path_of(&mut conn, Some(DepartmentId(id))).await?;
            if path.is_none() {
                errors.add("department_id", FieldErrorKind::NoSuchRecord);
            }
            path
        }
    };
    errors.into_result()?;
    let (Some(sort), Some(limit)) = (sort, limit) else {
        return Err(DomainError::BadRequest("invalid list parameters".into()).into());
    };
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let filter = UserFilter {
        q: query.q.clone(),
        department,
        role,
        status,
    };
    let (items, next) =
        store::list(&mut conn, &filter, &scope, sort, cursor.as_ref(), limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// The change history of a user (latest 100 entries).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: UserId,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    audit::history_of(
        app,
        castellan_domain::org::audit::OrgRecord::User,
        &id.to_string(),
    )
    .await
}

/// The people picker: active colleagues whose username, name or name's pinyin (whole or
/// initials: 陈静 → "cj") contains `q`, within the caller's scope, at most `limit`.
pub async fn search_people(
    app: &App,
    ctx: &Ctx,
    q: &str,
    limit: u32,
) -> Result<Vec<castellan_store::org::users::PersonMatch>> {
    let scope = ctx.principal.read_scope(Resource::People, Action::Read)?;
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let mut conn = app.db().read().await?;
    let paths = match scope {
        castellan_domain::Scope::All => None,
        castellan_domain::Scope::Departments(ids) => Some(
            castellan_store::org::departments::get_many(&mut conn, &ids)
                .await?
                .into_iter()
                .map(|d| d.path.to_db())
                .collect::<Vec<_>>(),
        ),
    };
    let q: String = q.chars().take(64).collect();
    Ok(
        castellan_store::org::users::search_people(&mut conn, &q, paths.as_deref(), limit.min(50))
            .await?,
    )
}

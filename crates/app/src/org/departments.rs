//! The department tree (SPEC §2): create, read, update, move, delete.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::AssetConflict;
use castellan_domain::error::KernelConflict;
use castellan_domain::org::Department;
use castellan_domain::org::OrgConflict;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Target;
use castellan_domain::values::{clean_text, parse_department_code};
use castellan_domain::{
    Action, DepartmentId, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp,
};
use castellan_store::Conn;
use castellan_store::org::departments::{
    self as store, DepartmentChanges, DepartmentFilter, NewDepartment,
};

/// Fields of a department as submitted.
#[derive(Debug, Clone, Default)]
pub struct DepartmentInput {
    /// Name.
    pub name: String,
    /// Optional code (blank = none).
    pub code: Option<String>,
    /// Parent department id.
    pub parent_id: Option<i64>,
}

/// A partial change: `None` leaves a field as it is; `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct DepartmentPatch {
    /// New name.
    pub name: Option<String>,
    /// New code.
    pub code: Option<Option<String>>,
    /// New parent.
    pub parent_id: Option<Option<i64>>,
    /// New head (a user id).
    pub head_id: Option<Option<i64>>,
}

struct Valid {
    name: String,
    code: Option<String>,
}

/// Checks name and code, recording problems in `errors`.
fn validate(name: &str, code: Option<&str>, errors: &mut FieldErrors) -> Option<Valid> {
    let name = errors.check("name", clean_text(name, 1, 100));
    let code = match code.map(str::trim).filter(|c| !c.is_empty()) {
        None => Some(None),
        Some(c) => errors.check("code", parse_department_code(c)).map(Some),
    };
    Some(Valid {
        name: name?,
        code: code?,
    })
}

/// Loads the parent, recording a missing one in `errors`.
async fn load_parent(
    conn: &mut Conn,
    parent_id: Option<i64>,
    errors: &mut FieldErrors,
) -> Result<Option<Department>> {
    let Some(id) = parent_id else {
        return Ok(None);
    };
    let parent = store::get(conn, DepartmentId(id)).await?;
    if parent.is_none() {
        errors.add("parent_id", FieldErrorKind::NoSuchRecord);
    }
    Ok(parent)
}

fn target(parent: Option<&Department>) -> Target<'_> {
    parent.map_or(Target::Global, |p| Target::Department(&p.path))
}

async fn check_unique(
    conn: &mut Conn,
    valid: &Valid,
    parent: Option<&Department>,
    except: Option<DepartmentId>,
) -> Result<()> {
    let mut errors = FieldErrors::new();
    if store::sibling_named(conn, parent.map(|p| p.id), &valid.name, except)
        .await?
        .is_some()
    {
        errors.add("name", FieldErrorKind::Taken);
    }
    if let Some(code) = &valid.code
        && let Some(other) = store::find_by_code(conn, code).await?
        && Some(other.id) != except
    {
        errors.add("code", FieldErrorKind::Taken);
    }
    Ok(errors.into_result()?)
}

/// Creates a department (admins; a department-limited admin only inside their subtree).
pub async fn create(app: &App, ctx: &Ctx, input: &DepartmentInput) -> Result<Department> {
    ctx.principal
        .read_scope(Resource::Department, Action::Create)?;
    let mut errors = FieldErrors::new();
    let valid = validate(&input.name, input.code.as_deref(), &mut errors);
    let mut tx = app.db().begin().await?;
    let parent = load_parent(&mut tx, input.parent_id, &mut errors).await?;
    if input.parent_id.is_none() || parent.is_some() {
        ctx.principal.authorize(
            Resource::Department,
            Action::Create,
            target(parent.as_ref()),
        )?;
    }
    errors.into_result()?;
    let Some(valid) = valid else {
        return Err(DomainError::BadRequest("invalid department".into()).into());
    };
    check_unique(&mut tx, &valid, parent.as_ref(), None).await?;
    let department = store::insert(
        &mut tx,
        &NewDepartment {
            name: &valid.name,
            code: valid.code.as_deref(),
            parent: parent.as_ref(),
        },
        Timestamp::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::org::audit::OrgRecord::Department,
            department.id,
        )
        .after(&department),
    )
    .await?;
    tx.commit().await?;
    Ok(department)
}

/// Changes a department if `version` is current; a new parent moves the whole subtree.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: DepartmentId,
    patch: &DepartmentPatch,
    version: i64,
) -> Result<Department> {
    let mut tx = app.db().begin().await?;
    let current = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("department"))?;
    ctx.principal.authorize(
        Resource::Department,
        Action::Update,
        Target::Department(&current.path),
    )?;
    if current.version != version {
        return Err(DomainError::StaleVersion {
            current: current.version,
        }
        .into());
    }
    let name = patch.name.clone().unwrap_or_else(|| current.name.clone());
    let code = patch.code.clone().unwrap_or_else(|| current.code.clone());
    let mut errors = FieldErrors::new();
    let valid = validate(&name, code.as_deref(), &mut errors);
    let parent_id = patch.parent_id.unwrap_or(current.parent_id.map(|p| p.0));
    let parent = load_parent(&mut tx, parent_id, &mut errors).await?;
    let head_id = match patch.head_id {
        None => current.head_id,
        Some(None) => None,
        Some(Some(h)) => {
            let head =
                castellan_store::org::users::get(&mut tx, castellan_domain::UserId(h)).await?;
            match head {
                Some(u) if u.status == castellan_domain::values::UserStatus::Active => Some(u.id),
                _ => {
                    errors.add("head_id", castellan_domain::FieldErrorKind::NoSuchRecord);
                    None
                }
            }
        }
    };
    errors.into_result()?;
    let Some(valid) = valid else {
        return Err(DomainError::BadRequest("invalid department".into()).into());
    };
    if let Some(p) = &parent
        && p.path.is_within(current.id)
    {
        return Err(OrgConflict::DepartmentCycle.into());
    }
    if parent.as_ref().map(|p| p.id) != current.parent_id {
        // Moving needs the right to create in the new place as well.
        ctx.principal.authorize(
            Resource::Department,
            Action::Update,
            target(parent.as_ref()),
        )?;
    }
    check_unique(&mut tx, &valid, parent.as_ref(), Some(current.id)).await?;
    let updated = store::update(
        &mut tx,
        &current,
        &DepartmentChanges {
            name: &valid.name,
            code: valid.code.as_deref(),
            parent: parent.as_ref(),
            head_id,
        },
        version,
        Timestamp::now(),
    )
    .await?
    .ok_or(DomainError::StaleVersion {
        current: current.version,
    })?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::org::audit::OrgRecord::Department,
            id,
        )
        .before(&current)
        .after(&updated),
    )
    .await?;
    tx.commit().await?;
    Ok(updated)
}

/// Deletes an empty department (no sub-departments, members or role limits).
pub async fn delete(app: &App, ctx: &Ctx, id: DepartmentId, version: Option<i64>) -> Result<()> {
    let mut tx = app.db().begin().await?;
    let current = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("department"))?;
    ctx.principal.authorize(
        Resource::Department,
        Action::Delete,
        Target::Department(&current.path),
    )?;
    if let Some(v) = version
        && v != current.version
    {
        return Err(DomainError::StaleVersion {
            current: current.version,
        }
        .into());
    }
    let (children, members, scopes) = store::dependents(&mut tx, id).await?;
    if children > 0 {
        return Err(OrgConflict::DepartmentHasChildren.into());
    }
    if members > 0 {
        return Err(OrgConflict::DepartmentHasMembers.into());
    }
    if scopes > 0 {
        return Err(OrgConflict::DepartmentScopesRoles.into());
    }
    if castellan_store::asset::assets::count_in_department(&mut tx, id).await? > 0 {
        return Err(AssetConflict::DepartmentHasAssets.into());
    }
    if store::risk_references(&mut tx, id).await? > 0 {
        return Err(KernelConflict::InUse.into());
    }
    store::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Delete,
            castellan_domain::org::audit::OrgRecord::Department,
            id,
        )
        .before(&current),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// One department.
pub async fn get(app: &App, ctx: &Ctx, id: DepartmentId) -> Result<Department> {
    ctx.principal
        .read_scope(Resource::Department, Action::Read)?;
    let mut conn = app.db().read().await?;
    Ok(store::get(&mut conn, id)
        .await?
        .ok_or(DomainError::not_found("department"))?)
}

/// List parameters as submitted.
#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    /// Filters.
    pub filter: DepartmentFilter,
    /// `name`, `-name`, `code`, `created_at`, …
    pub sort: Option<String>,
    /// Page position.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// One page of departments. The organization chart is visible to every role.
pub async fn list(app: &App, ctx: &Ctx, query: &ListQuery) -> Result<Page<Department>> {
    ctx.principal
        .read_scope(Resource::Department, Action::Read)?;
    let mut errors = FieldErrors::new();
    let sort = errors.check("sort", Sort::parse(query.sort.as_deref(), store::SORTS));
    let limit = errors.check("limit", parse_limit(query.limit));
    errors.into_result()?;
    let (Some(sort), Some(limit)) = (sort, limit) else {
        return Err(DomainError::BadRequest("invalid list parameters".into()).into());
    };
    let cursor = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let (items, next) = store::list(&mut conn, &query.filter, sort, cursor.as_ref(), limit).await?;
    Ok(Page {
        items,
        next_cursor: next.map(|c| c.encode()),
    })
}

/// The largest tree the UI shows at once.
pub const TREE_CAP: u32 = 10_000;

/// The whole tree (for the tree view and department pickers).
pub async fn tree(app: &App, ctx: &Ctx) -> Result<Vec<Department>> {
    ctx.principal
        .read_scope(Resource::Department, Action::Read)?;
    let mut conn = app.db().read().await?;
    Ok(store::all(&mut conn, TREE_CAP).await?)
}

/// Orders departments depth-first (children after their parent, siblings by name), for
/// indented pickers and tree views. Departments whose parent is not in the list (a capped
/// tree) are placed among the roots.
pub fn depth_first(departments: &[Department]) -> Vec<&Department> {
    use std::collections::{HashMap, HashSet};
    let ids: HashSet<DepartmentId> = departments.iter().map(|d| d.id).collect();
    let mut children: HashMap<Option<DepartmentId>, Vec<&Department>> = HashMap::new();
    for d in departments {
        let parent = d.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(d);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id)));
    }
    let mut out = Vec::with_capacity(departments.len());
    let mut seen = HashSet::new();
    // An explicit stack: no recursion depth to worry about, and a corrupt cycle is cut.
    let mut stack: Vec<&Department> = children
        .get(&None)
        .map(|r| r.iter().rev().copied().collect())
        .unwrap_or_default();
    while let Some(d) = stack.pop() {
        if !seen.insert(d.id) {
            continue;
        }
        out.push(d);
        if let Some(kids) = children.get(&Some(d.id)) {
            stack.extend(kids.iter().rev().copied());
        }
    }
    out
}

/// The change history of a department (latest 100 entries).
pub async fn history(
    app: &App,
    ctx: &Ctx,
    id: DepartmentId,
) -> Result<Vec<castellan_domain::audit::AuditEntry>> {
    get(app, ctx, id).await?;
    audit::history_of(
        app,
        castellan_domain::org::audit::OrgRecord::Department,
        &id.to_string(),
    )
    .await
}

/// Direct members per department (for the tree view).
pub async fn member_counts(
    app: &App,
    ctx: &Ctx,
) -> Result<std::collections::HashMap<DepartmentId, i64>> {
    ctx.principal
        .read_scope(Resource::Department, Action::Read)?;
    let mut conn = app.db().read().await?;
    Ok(store::member_counts(&mut conn).await?)
}

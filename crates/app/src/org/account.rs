//! Self-service for every signed-in user: own profile, language, password and personal API
//! tokens.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx, secret};
use castellan_domain::org::OrgConflict;
use castellan_domain::org::{TokenInfo, TokenKind, User};
use castellan_domain::permission::Target;
use castellan_domain::values::{Email, check_password_policy, clean_text};
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Lang, Resource, Timestamp, TokenId,
};
use castellan_store::{org::tokens, org::users};
use time::Duration;

/// The caller's own account.
pub async fn me(app: &App, ctx: &Ctx) -> Result<User> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(users::get(&mut conn, ctx.principal.user_id)
        .await?
        .ok_or(DomainError::Unauthenticated)?)
}

/// Changes to one's own profile. Department, roles and status are the administrators'.
#[derive(Debug, Clone, Default)]
pub struct ProfilePatch {
    /// Name shown to others.
    pub display_name: Option<String>,
    /// E-mail (`Some(None)` clears it).
    pub email: Option<Option<String>>,
    /// Language (`Some(None)` follows the browser).
    pub language: Option<Option<String>>,
}

/// Updates the caller's own profile if `version` is current (`None`: no version check, for the
/// language switch).
pub async fn update_profile(
    app: &App,
    ctx: &Ctx,
    patch: &ProfilePatch,
    version: Option<i64>,
) -> Result<User> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let id = ctx.principal.user_id;
    let current = users::get(&mut tx, id)
        .await?
        .ok_or(DomainError::Unauthenticated)?;
    if let Some(v) = version
        && v != current.version
    {
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
    let language = match &patch.language {
        None => Some(current.language),
        Some(None) => Some(None),
        Some(Some(code)) => match code.trim() {
            "" => Some(None),
            c => errors.check(
                "language",
                Lang::parse(c)
                    .map(Some)
                    .ok_or(FieldErrorKind::UnknownValue {
                        allowed: Lang::ALL.iter().map(|l| l.code()).collect(),
                    }),
            ),
        },
    };
    errors.into_result()?;
    let (Some(display_name), Some(email), Some(language)) = (display_name, email, language) else {
        return Err(DomainError::BadRequest("invalid profile".into()).into());
    };
    let profile = users::Profile {
        display_name,
        email,
        department_id: current.department_id,
        position: current.position.clone(),
        status: current.status,
        language,
    };
    let updated = users::update_profile(&mut tx, id, &profile, current.version, Timestamp::now())
        .await?
        .ok_or(DomainError::StaleVersion {
            current: current.version,
        })?;
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

/// Changes the caller's own password after checking the current one. Every other session
/// and token of the caller ends; the one in use stays.
pub async fn change_password(
    app: &App,
    ctx: &Ctx,
    current_password: &str,
    new_password: &str,
) -> Result<()> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Update, Target::Global)?;
    let id = ctx.principal.user_id;
    let stored = {
        let mut conn = app.db().read().await?;
        users::password_hash(&mut conn, id)
            .await?
            .ok_or(DomainError::Unauthenticated)?
    };
    let mut errors = FieldErrors::new();
    if !app.hasher().verify(current_password, &stored).await? {
        errors.add("current_password", FieldErrorKind::WrongPassword);
    }
    errors.check(
        "new_password",
        check_password_policy(new_password, &ctx.principal.username),
    );
    errors.into_result()?;
    let hash = app.hasher().hash(new_password).await?;
    let now = Timestamp::now();
    let mut tx = app.db().begin().await?;
    users::set_password(&mut tx, id, &hash, now).await?;
    let ended = tokens::revoke_all_of(&mut tx, id, ctx.token_id, now).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::org::audit::OrgAction::PasswordChange,
            castellan_domain::org::audit::OrgRecord::User,
            id,
        )
        .after(&serde_json::json!({ "credentials_revoked": ended })),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's personal API tokens (including revoked and expired ones, for the record).
pub async fn tokens(app: &App, ctx: &Ctx) -> Result<Vec<TokenInfo>> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(tokens::list_of(&mut conn, ctx.principal.user_id, TokenKind::Personal, 200).await?)
}

/// Longest lifetime of a personal token.
pub const MAX_TOKEN_DAYS: i64 = 730;

/// Creates a personal API token. The secret is returned once and only its hash is kept.
pub async fn create_token(
    app: &App,
    ctx: &Ctx,
    name: &str,
    expires_in_days: Option<i64>,
) -> Result<(TokenInfo, String)> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Update, Target::Global)?;
    let mut errors = FieldErrors::new();
    let name = errors.check("name", clean_text(name, 1, 80));
    if let Some(days) = expires_in_days
        && !(1..=MAX_TOKEN_DAYS).contains(&days)
    {
        errors.add(
            "expires_in_days",
            FieldErrorKind::OutOfRange {
                min: 1,
                max: MAX_TOKEN_DAYS,
            },
        );
    }
    errors.into_result()?;
    let Some(name) = name else {
        return Err(FieldErrors::single("name", FieldErrorKind::Required).into());
    };
    let now = Timestamp::now();
    let secret_value = secret::new_token();
    let mut tx = app.db().begin().await?;
    let token = tokens::insert(
        &mut tx,
        &tokens::NewToken {
            user_id: ctx.principal.user_id,
            kind: TokenKind::Personal,
            name: Some(&name),
            token_hash: &secret::token_hash(&secret_value),
            prefix: &secret::token_prefix(&secret_value),
            csrf_token: None,
            expires_at: expires_in_days.map(|d| now.plus(Duration::days(d))),
            client_ip: ctx.meta.client_ip.as_deref(),
            user_agent: ctx.meta.user_agent.as_deref(),
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Create,
            castellan_domain::org::audit::OrgRecord::ApiToken,
            token.id,
        )
        .after(&token),
    )
    .await?;
    tx.commit().await?;
    Ok((token, secret_value))
}

/// Revokes one of the caller's personal tokens.
pub async fn revoke_token(app: &App, ctx: &Ctx, id: TokenId) -> Result<TokenInfo> {
    ctx.principal
        .authorize(Resource::OwnAccount, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    let token = tokens::get(&mut tx, id)
        .await?
        .filter(|t| t.user_id == ctx.principal.user_id && t.kind == TokenKind::Personal)
        .ok_or(DomainError::not_found("api_token"))?;
    let now = Timestamp::now();
    if !tokens::revoke(&mut tx, id, now).await? {
        return Err(OrgConflict::AlreadyRevoked.into());
    }
    let revoked = tokens::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("api_token"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::org::audit::OrgAction::Revoke,
            castellan_domain::org::audit::OrgRecord::ApiToken,
            id,
        )
        .before(&token)
        .after(&revoked),
    )
    .await?;
    tx.commit().await?;
    Ok(revoked)
}

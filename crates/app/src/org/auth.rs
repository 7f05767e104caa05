//! Signing in and out, and turning a presented credential into a caller.
//!
//! Passwords are checked with Argon2id only at sign-in; every later request presents a
//! random 256-bit credential that is looked up by its SHA-256 in one query. Failed sign-ins
//! are counted per account and per client address in the database, so the limits hold
//! across instances.

use crate::audit::{self, Actor, Event};
use crate::error::{Error, Result};
use crate::{App, Ctx, RequestMeta, secret};
use castellan_domain::org::{TokenInfo, TokenKind, User};
use castellan_domain::values::{UserStatus, Username};
use castellan_domain::{DomainError, Lang, Principal, Timestamp, UserId};
use castellan_store::org::throttle::{self, ThrottleState};
use castellan_store::{org::tokens, org::users};
use time::Duration;

/// A credential just issued. `secret` is shown once and never stored.
#[derive(Debug, Clone)]
pub struct Issued {
    /// The secret to hand to the client.
    pub secret: String,
    /// Its public facts.
    pub token: TokenInfo,
    /// The CSRF token of a browser session.
    pub csrf_token: Option<String>,
    /// The signed-in user.
    pub user: User,
}

/// A sign-in attempt.
#[derive(Debug, Clone)]
pub struct LoginAttempt<'a> {
    /// Submitted username.
    pub username: &'a str,
    /// Submitted password.
    pub password: &'a str,
    /// Browser session (cookie) or bearer token.
    pub kind: TokenKind,
    /// Request facts.
    pub meta: &'a RequestMeta,
}

fn account_key(username: &str) -> String {
    format!("user:{}", username.trim().to_lowercase())
}

fn address_key(ip: &str) -> String {
    format!("ip:{ip}")
}

/// Signs in: checks throttling, the password and the account, then issues a credential.
pub async fn login(app: &App, attempt: &LoginAttempt<'_>) -> Result<Issued> {
    let settings = app.settings();
    let now = Timestamp::now();
    let keys: Vec<(String, i64)> = {
        let mut k = vec![(
            account_key(attempt.username),
            settings.login_account_failures,
        )];
        if let Some(ip) = &attempt.meta.client_ip {
            k.push((address_key(ip), settings.login_address_failures));
        }
        k
    };
    {
        let mut conn = app.db().read().await?;
        for (key, _) in &keys {
            if let Some(state) = throttle::get(&mut conn, key).await?
                && let Some(until) = state.locked_until
                && until > now
            {
                return Err(DomainError::Throttled {
                    retry_after_secs: now.seconds_until(&until).max(1),
                }
                .into());
            }
        }
    }
    let username = Username::parse(attempt.username).ok();
    let found = match &username {
        Some(name) => {
            let mut conn = app.db().read().await?;
            users::get_with_hash(&mut conn, name.as_str()).await?
        }
        None => None,
    };
    let stored_hash = found
        .as_ref()
        .map_or(app.inner.dummy_hash.as_str(), |(_, h)| h.as_str());
    let password_ok = app.hasher().verify(attempt.password, stored_hash).await?;
    let mut user = match found {
        Some((user, _)) if password_ok && user.status == UserStatus::Active => user,
        other => {
            record_failure(app, attempt, other.map(|(u, _)| u.id), &keys, now).await?;
            return Err(DomainError::InvalidCredentials.into());
        }
    };

    let (lifetime, csrf) = match attempt.kind {
        TokenKind::Session => (
            Duration::hours(settings.session_lifetime_hours),
            Some(secret::random_b64(32)),
        ),
        _ => (Duration::hours(settings.login_token_hours), None),
    };
    let secret_value = secret::new_token();
    let hash = secret::token_hash(&secret_value);
    let prefix = secret::token_prefix(&secret_value);
    let mut tx = app.db().begin().await?;
    throttle::clear(&mut tx, &account_key(attempt.username)).await?;
    let token = tokens::insert(
        &mut tx,
        &tokens::NewToken {
            user_id: user.id,
            kind: attempt.kind,
            name: None,
            token_hash: &hash,
            prefix: &prefix,
            csrf_token: csrf.as_deref(),
            expires_at: Some(now.plus(lifetime)),
            client_ip: attempt.meta.client_ip.as_deref(),
            user_agent: attempt.meta.user_agent.as_deref(),
        },
        now,
    )
    .await?;
    users::record_login(&mut tx, user.id, now).await?;
    user.last_login_at = Some(now);
    let actor = Actor {
        id: Some(user.id),
        name: &user.username,
        meta: attempt.meta,
    };
    audit::record(
        &mut tx,
        &actor,
        Event::new(
            castellan_domain::org::audit::OrgAction::Login,
            castellan_domain::org::audit::OrgRecord::Session,
            token.id,
        )
        .after(&serde_json::json!({
            "kind": attempt.kind.code(),
            "expires_at": token.expires_at,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(Issued {
        secret: secret_value,
        token,
        csrf_token: csrf,
        user,
    })
}

async fn record_failure(
    app: &App,
    attempt: &LoginAttempt<'_>,
    user_id: Option<UserId>,
    keys: &[(String, i64)],
    now: Timestamp,
) -> Result<()> {
    let settings = app.settings();
    let window = Duration::minutes(settings.login_window_minutes);
    let lockout = Duration::minutes(settings.login_lockout_minutes);
    let mut tx = app.db().begin().await?;
    for (key, limit) in keys {
        let previous = throttle::get(&mut tx, key).await?;
        let mut state = match previous {
            Some(s) if s.window_start.plus(window) > now => s,
            _ => ThrottleState {
                failures: 0,
                window_start: now,
                locked_until: None,
            },
        };
        state.failures += 1;
        if state.failures >= *limit {
            state.locked_until = Some(now.plus(lockout));
            // A new window starts once the lock is over.
            state.failures = 0;
            state.window_start = now.plus(lockout);
            tracing::warn!(key = %key, "sign-in locked after repeated failures");
        }
        throttle::put(&mut tx, key, &state).await?;
    }
    // The attempted name is recorded (cut short), never the password.
    let attempted: String = attempt.username.trim().chars().take(64).collect();
    let actor = Actor {
        id: user_id,
        name: &attempted,
        meta: attempt.meta,
    };
    audit::record(
        &mut tx,
        &actor,
        Event {
            action: castellan_domain::org::audit::OrgAction::LoginFailed.code(),
            entity_type: castellan_domain::org::audit::OrgRecord::Session.code(),
            entity_id: None,
            before: None,
            after: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A caller recognised from a credential.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// Who.
    pub principal: Principal,
    /// The credential.
    pub token: TokenInfo,
    /// The session's CSRF token (browser sessions only).
    pub csrf_token: Option<String>,
    /// The user's language setting.
    pub language: Option<Lang>,
}

impl Authenticated {
    /// The service context for this caller.
    pub fn ctx(&self, meta: RequestMeta) -> Ctx {
        Ctx {
            principal: self.principal.clone(),
            token_id: Some(self.token.id),
            meta,
            system: false,
        }
    }

    /// Checks a submitted CSRF token against the session's, in constant time.
    pub fn csrf_matches(&self, submitted: &str) -> bool {
        self.csrf_token
            .as_deref()
            .is_some_and(|expected| secret::secrets_equal(expected, submitted))
    }
}

/// Which kind of credential a request may present.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presented {
    /// A session cookie.
    Cookie,
    /// An `Authorization: Bearer` header (login or personal token).
    Bearer,
}

/// Recognises a credential. Revoked, expired, idle, mismatched or disabled-user credentials
/// are all just "unauthenticated".
pub async fn authenticate(
    app: &App,
    secret_value: &str,
    presented: Presented,
) -> Result<Authenticated> {
    let unauthenticated = || Error::Domain(DomainError::Unauthenticated);
    if !secret_value.starts_with(secret::TOKEN_PREFIX) || secret_value.len() > 128 {
        return Err(unauthenticated());
    }
    let hash = secret::token_hash(secret_value);
    let credential = {
        let mut conn = app.db().read().await?;
        tokens::find_by_hash(&mut conn, &hash).await?
    }
    .ok_or_else(unauthenticated)?;
    let now = Timestamp::now();
    let token = &credential.token;
    let kind_ok = match presented {
        Presented::Cookie => token.kind == TokenKind::Session,
        Presented::Bearer => token.kind != TokenKind::Session,
    };
    let expired = token.expires_at.is_some_and(|t| t <= now);
    let idle = token.kind == TokenKind::Session && {
        let last = token.last_used_at.unwrap_or(token.created_at);
        last.plus(Duration::minutes(app.settings().session_idle_minutes)) <= now
    };
    if !kind_ok
        || expired
        || idle
        || token.revoked_at.is_some()
        || credential.user_status != UserStatus::Active
    {
        return Err(unauthenticated());
    }
    // Record use at most once a minute, so reads stay reads.
    let stale = token
        .last_used_at
        .is_none_or(|t| t.plus(Duration::minutes(1)) <= now);
    if stale {
        let mut tx = app.db().begin().await?;
        tokens::touch(&mut tx, token.id, now).await?;
        tx.commit().await?;
    }
    Ok(Authenticated {
        principal: Principal {
            user_id: token.user_id,
            username: credential.username.clone(),
            display_name: credential.display_name.clone(),
            grants: credential.grants.clone(),
        },
        token: credential.token.clone(),
        csrf_token: credential.csrf_token.clone(),
        language: credential.language,
    })
}

/// Signs out: revokes the credential the caller used.
pub async fn logout(app: &App, ctx: &Ctx) -> Result<()> {
    let Some(token_id) = ctx.token_id else {
        return Ok(());
    };
    let mut tx = app.db().begin().await?;
    if tokens::revoke(&mut tx, token_id, Timestamp::now()).await? {
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::new(
                castellan_domain::org::audit::OrgAction::Logout,
                castellan_domain::org::audit::OrgRecord::Session,
                token_id,
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Deletes long-dead sessions and bearer tokens (run periodically; safe on every instance).
pub async fn purge_expired(app: &App) -> Result<u64> {
    let cutoff = Timestamp::now().plus(Duration::days(-30));
    let mut tx = app.db().begin().await?;
    let n = tokens::purge(&mut tx, cutoff).await?;
    tx.commit().await?;
    Ok(n)
}

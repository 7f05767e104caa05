//! Credentials: browser sessions, bearer tokens and personal API tokens. Only SHA-256 hashes
//! of the secrets are stored; a lookup is one indexed query, never a password hash.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{corrupt, ts, ts_opt};
use crate::sql::Sql;
use castellan_domain::org::{TokenInfo, TokenKind};
use castellan_domain::values::UserStatus;
use castellan_domain::{DepartmentId, Grant, Lang, Role, Timestamp, TokenId, UserId};

const COLUMNS: &str =
    "id, user_id, kind, name, prefix, created_at, expires_at, last_used_at, revoked_at";

fn from_row(mut row: Row) -> Result<TokenInfo, DbError> {
    let kind: String = row.take("kind")?;
    Ok(TokenInfo {
        id: TokenId(row.take("id")?),
        user_id: UserId(row.take("user_id")?),
        kind: TokenKind::from_code(&kind).ok_or_else(|| corrupt("token kind", &kind))?,
        name: row.take("name")?,
        prefix: row.take("prefix")?,
        created_at: ts(&mut row, "created_at")?,
        expires_at: ts_opt(&mut row, "expires_at")?,
        last_used_at: ts_opt(&mut row, "last_used_at")?,
        revoked_at: ts_opt(&mut row, "revoked_at")?,
    })
}

/// A credential to store.
#[derive(Debug, Clone)]
pub struct NewToken<'a> {
    /// Owner.
    pub user_id: UserId,
    /// Kind.
    pub kind: TokenKind,
    /// Name of a personal token.
    pub name: Option<&'a str>,
    /// SHA-256 (hex) of the secret.
    pub token_hash: &'a str,
    /// First characters of the secret.
    pub prefix: &'a str,
    /// CSRF token of a browser session.
    pub csrf_token: Option<&'a str>,
    /// Expiry.
    pub expires_at: Option<Timestamp>,
    /// Client address at creation.
    pub client_ip: Option<&'a str>,
    /// Client software at creation.
    pub user_agent: Option<&'a str>,
}

/// Stores a credential.
pub async fn insert(
    conn: &mut Conn,
    new: &NewToken<'_>,
    now: Timestamp,
) -> Result<TokenInfo, DbError> {
    let mut q = Sql::new(
        "INSERT INTO auth_tokens (user_id, kind, name, token_hash, prefix, csrf_token, created_at, expires_at, client_ip, user_agent) VALUES (",
    );
    q.bind(new.user_id.0)
        .push(", ")
        .bind(new.kind.code())
        .push(", ")
        .bind(new.name.map(str::to_owned))
        .push(", ")
        .bind(new.token_hash.to_owned())
        .push(", ")
        .bind(new.prefix.to_owned())
        .push(", ")
        .bind(new.csrf_token.map(str::to_owned))
        .push(", ")
        .bind(now.to_db())
        .push(", ")
        .bind(new.expires_at.map(|t| t.to_db()))
        .push(", ")
        .bind(new.client_ip.map(str::to_owned))
        .push(", ")
        .bind(
            new.user_agent
                .map(|s| s.chars().take(200).collect::<String>()),
        )
        .push(&format!(") RETURNING {COLUMNS}"));
    let row = q.fetch_optional(conn).await?.ok_or(DbError::RowNotFound)?;
    from_row(row)
}

/// What authenticating a request needs, in one query.
#[derive(Debug, Clone)]
pub struct Credential {
    /// The token.
    pub token: TokenInfo,
    /// CSRF token (browser sessions).
    pub csrf_token: Option<String>,
    /// Owner's status.
    pub user_status: UserStatus,
    /// Owner's username.
    pub username: String,
    /// Owner's display name.
    pub display_name: String,
    /// Owner's language.
    pub language: Option<Lang>,
    /// Owner's grants.
    pub grants: Vec<Grant>,
}

/// Looks a credential up by the hash of its secret, with its owner and the owner's roles.
pub async fn find_by_hash(
    conn: &mut Conn,
    token_hash: &str,
) -> Result<Option<Credential>, DbError> {
    let mut q = Sql::new(
        "SELECT t.id, t.user_id, t.kind, t.name, t.prefix, t.created_at, t.expires_at, t.last_used_at, t.revoked_at, t.csrf_token, u.status, u.username, u.display_name, u.language, r.role, r.department_id FROM auth_tokens t JOIN users u ON u.id = t.user_id LEFT JOIN user_roles r ON r.user_id = t.user_id WHERE t.token_hash = ",
    );
    q.bind(token_hash.to_owned());
    let mut rows = q.fetch_all(conn).await?;
    let mut grants = Vec::new();
    for row in &rows {
        if let Some(role) = row.try_get::<Option<String>, _>("role")? {
            grants.push(Grant {
                role: Role::from_code(&role).ok_or_else(|| corrupt("role", &role))?,
                department_id: row
                    .try_get::<Option<i64>, _>("department_id")?
                    .map(DepartmentId),
            });
        }
    }
    grants.sort();
    if rows.is_empty() {
        return Ok(None);
    }
    let mut first = rows.swap_remove(0);
    let status: String = first.take("status")?;
    let language: Option<String> = first.take("language")?;
    let csrf_token = first.take("csrf_token")?;
    let username = first.take("username")?;
    let display_name = first.take("display_name")?;
    Ok(Some(Credential {
        token: from_row(first)?,
        csrf_token,
        user_status: UserStatus::from_code(&status).map_err(|_| corrupt("user status", &status))?,
        username,
        display_name,
        language: language.as_deref().and_then(Lang::parse),
        grants,
    }))
}

/// Records use of a credential (callers do this at most once a minute per token).
pub async fn touch(conn: &mut Conn, id: TokenId, now: Timestamp) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE auth_tokens SET last_used_at = ");
    q.bind(now.to_db()).push(" WHERE id = ").bind(id.0);
    q.execute(conn).await.map(|_| ())
}

/// One credential.
pub async fn get(conn: &mut Conn, id: TokenId) -> Result<Option<TokenInfo>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM auth_tokens WHERE id = "));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Revokes one credential; false when it was already revoked.
pub async fn revoke(conn: &mut Conn, id: TokenId, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE auth_tokens SET revoked_at = ");
    q.bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND revoked_at IS NULL");
    Ok(q.execute(conn).await? > 0)
}

/// Revokes every live credential of a user except `keep`; returns how many.
pub async fn revoke_all_of(
    conn: &mut Conn,
    user: UserId,
    keep: Option<TokenId>,
    now: Timestamp,
) -> Result<u64, DbError> {
    let mut q = Sql::new("UPDATE auth_tokens SET revoked_at = ");
    q.bind(now.to_db())
        .push(" WHERE user_id = ")
        .bind(user.0)
        .push(" AND revoked_at IS NULL");
    if let Some(k) = keep {
        q.push(" AND id <> ").bind(k.0);
    }
    q.execute(conn).await
}

/// A user's credentials of one kind, newest first (revoked ones included for the record).
pub async fn list_of(
    conn: &mut Conn,
    user: UserId,
    kind: TokenKind,
    limit: u32,
) -> Result<Vec<TokenInfo>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM auth_tokens WHERE user_id = "
    ));
    q.bind(user.0)
        .push(" AND kind = ")
        .bind(kind.code())
        .push(" ORDER BY id DESC LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Deletes sessions and bearer tokens that expired or were revoked before `before`.
/// Personal tokens are kept for the record.
pub async fn purge(conn: &mut Conn, before: Timestamp) -> Result<u64, DbError> {
    let b = before.to_db();
    let mut q = Sql::new("DELETE FROM auth_tokens WHERE kind <> 'personal' AND (expires_at < ");
    q.bind(b.clone())
        .push(" OR revoked_at < ")
        .bind(b)
        .push(")");
    q.execute(conn).await
}

//! User accounts and their role grants.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{corrupt, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::org::User;
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::values::UserStatus;
use castellan_domain::{DepartmentId, DepartmentPath, Grant, Lang, Role, Scope, Timestamp, UserId};

const COLUMNS: &str = "id, username, display_name, email, department_id, position, status, language, last_login_at, version, created_at, updated_at";

/// The user's grants folded into one column (`role:department,…`), so that a page of users
/// costs one query. `string_agg` exists in both engines.
const GRANTS: &str = "(SELECT string_agg(r.role || ':' || COALESCE(CAST(r.department_id AS TEXT), ''), ',') FROM user_roles r WHERE r.user_id = users.id) AS grants";

fn from_row(mut row: Row) -> Result<User, DbError> {
    let status: String = row.take("status")?;
    let language: Option<String> = row.take("language")?;
    let grants: Option<String> = row.take("grants")?;
    Ok(User {
        id: UserId(row.take("id")?),
        username: row.take("username")?,
        display_name: row.take("display_name")?,
        email: row.take("email")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        position: row.take("position")?,
        status: UserStatus::from_code(&status).map_err(|_| corrupt("user status", &status))?,
        roles: parse_grants(grants.as_deref().unwrap_or(""))?,
        language: language.as_deref().and_then(Lang::parse),
        last_login_at: ts_opt(&mut row, "last_login_at")?,
        version: row.take("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// Reads the folded grants column back, sorted.
fn parse_grants(text: &str) -> Result<Vec<Grant>, DbError> {
    let mut grants = Vec::new();
    for item in text.split(',').filter(|s| !s.is_empty()) {
        let (role, department) = item.split_once(':').ok_or_else(|| corrupt("grant", item))?;
        let role = Role::from_code(role).ok_or_else(|| corrupt("role", role))?;
        let department_id = match department {
            "" => None,
            d => Some(DepartmentId(d.parse().map_err(|_| corrupt("grant", item))?)),
        };
        grants.push(Grant {
            role,
            department_id,
        });
    }
    grants.sort();
    Ok(grants)
}

/// One user with roles.
pub async fn get(conn: &mut Conn, id: UserId) -> Result<Option<User>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS}, {GRANTS} FROM users WHERE id = "
    ));
    q.bind(id.0);
    let Some(row) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    from_row(row).map(Some)
}

/// A user by (normalized) username.
pub async fn find_by_username(conn: &mut Conn, username: &str) -> Result<Option<User>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS}, {GRANTS} FROM users WHERE username = "
    ));
    q.bind(username.to_owned());
    let Some(row) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    from_row(row).map(Some)
}

/// A user by (normalized) username, with the stored password hash, for sign-in.
pub async fn get_with_hash(
    conn: &mut Conn,
    username: &str,
) -> Result<Option<(User, String)>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS}, {GRANTS}, password_hash FROM users WHERE username = "
    ));
    q.bind(username.to_owned());
    let Some(mut row) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let hash: String = row.take("password_hash")?;
    Ok(Some((from_row(row)?, hash)))
}

/// The stored password hash of a user.
pub async fn password_hash(conn: &mut Conn, id: UserId) -> Result<Option<String>, DbError> {
    let mut q = Sql::new("SELECT password_hash FROM users WHERE id = ");
    q.bind(id.0);
    q.fetch_optional(conn)
        .await?
        .map(|r| r.try_get(0))
        .transpose()
}

/// The id of the user with this username, other than `except`.
pub async fn username_taken(
    conn: &mut Conn,
    username: &str,
    except: Option<UserId>,
) -> Result<bool, DbError> {
    let mut q = Sql::new("SELECT id FROM users WHERE username = ");
    q.bind(username.to_owned());
    if let Some(e) = except {
        q.push(" AND id <> ").bind(e.0);
    }
    Ok(q.fetch_optional(conn).await?.is_some())
}

/// The profile fields of a user (everything an edit form changes).
#[derive(Debug, Clone)]
pub struct Profile {
    /// Name shown to others.
    pub display_name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Job title.
    pub position: Option<String>,
    /// Account status.
    pub status: UserStatus,
    /// Preferred language.
    pub language: Option<Lang>,
}

/// Inserts a user with its grants.
pub async fn insert(
    conn: &mut Conn,
    username: &str,
    profile: &Profile,
    password_hash: &str,
    grants: &[Grant],
    now: Timestamp,
) -> Result<User, DbError> {
    let now_s = now.to_db();
    let mut q = Sql::new(
        "INSERT INTO users (username, display_name, email, department_id, position, status, password_hash, language, version, created_at, updated_at) VALUES (",
    );
    q.bind(username.to_owned())
        .push(", ")
        .bind(profile.display_name.clone())
        .push(", ")
        .bind(profile.email.clone())
        .push(", ")
        .bind(profile.department_id.map(|d| d.0))
        .push(", ")
        .bind(profile.position.clone())
        .push(", ")
        .bind(profile.status.code())
        .push(", ")
        .bind(password_hash.to_owned())
        .push(", ")
        .bind(profile.language.map(|l| l.code()))
        .push(", 1, ")
        .bind(now_s.clone())
        .push(", ")
        .bind(now_s)
        .push(") RETURNING id");
    let row = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    let id = UserId(row.try_get(0)?);
    replace_grants(conn, id, grants, now).await?;
    set_search_key(conn, id, username, &profile.display_name).await?;
    get(conn, id).await?.ok_or(DbError::RowNotFound)
}

async fn set_search_key(
    conn: &mut Conn,
    id: UserId,
    username: &str,
    display_name: &str,
) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE users SET search_key = ");
    q.bind(castellan_domain::org::person_search_key(
        username,
        display_name,
    ))
    .push(" WHERE id = ")
    .bind(id.0);
    q.execute(conn).await?;
    Ok(())
}

/// Computes every user's search key (migration 7).
pub(crate) async fn refresh_all_search_keys(conn: &mut Conn) -> Result<(), DbError> {
    let rows = Sql::new("SELECT id, username, display_name FROM users ORDER BY id")
        .fetch_all(conn)
        .await?;
    for row in rows {
        let (id, username, name): (i64, String, String) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        set_search_key(conn, UserId(id), &username, &name).await?;
    }
    Ok(())
}

/// A person as the people picker offers them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonMatch {
    /// Id.
    pub id: UserId,
    /// Login name.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Their department's name.
    pub department: Option<String>,
}

/// Active users whose search key contains `q` (lower-cased), by display name; limited to
/// the subtrees of `paths` when given.
pub async fn search_people(
    conn: &mut Conn,
    q: &str,
    paths: Option<&[String]>,
    limit: u32,
) -> Result<Vec<PersonMatch>, DbError> {
    let mut sql = Sql::new(
        "SELECT u.id, u.username, u.display_name, d.name AS department FROM users u LEFT JOIN departments d ON d.id = u.department_id WHERE u.status = 'active' AND u.search_key LIKE ",
    );
    sql.bind(crate::sql::contains_pattern(&q.to_lowercase()))
        .push(" ESCAPE '\\'");
    if let Some(paths) = paths {
        sql.push(" AND (1 = 0");
        for p in paths {
            sql.push(" OR d.path LIKE ").bind(format!("{p}%"));
        }
        sql.push(")");
    }
    sql.push(" ORDER BY u.display_name, u.id LIMIT ")
        .bind(i64::from(limit));
    sql.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(PersonMatch {
                id: UserId(row.try_get("id")?),
                username: row.take("username")?,
                display_name: row.take("display_name")?,
                department: row.take("department")?,
            })
        })
        .collect()
}

/// Updates the profile if the version still matches; `None` when it does not.
pub async fn update_profile(
    conn: &mut Conn,
    id: UserId,
    profile: &Profile,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<User>, DbError> {
    let mut q = Sql::new("UPDATE users SET display_name = ");
    q.bind(profile.display_name.clone())
        .push(", email = ")
        .bind(profile.email.clone())
        .push(", department_id = ")
        .bind(profile.department_id.map(|d| d.0))
        .push(", position = ")
        .bind(profile.position.clone())
        .push(", status = ")
        .bind(profile.status.code())
        .push(", language = ")
        .bind(profile.language.map(|l| l.code()))
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version);
    if q.execute(&mut *conn).await? == 0 {
        return Ok(None);
    }
    let user = get(conn, id).await?;
    if let Some(u) = &user {
        set_search_key(conn, id, &u.username, &u.display_name).await?;
    }
    Ok(user)
}

/// Replaces every grant of a user and bumps the user's version.
pub async fn replace_grants(
    conn: &mut Conn,
    id: UserId,
    grants: &[Grant],
    now: Timestamp,
) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM user_roles WHERE user_id = ");
    q.bind(id.0);
    q.execute(&mut *conn).await?;
    if !grants.is_empty() {
        let mut q =
            Sql::new("INSERT INTO user_roles (user_id, role, department_id, created_at) VALUES ");
        for (i, g) in grants.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(id.0)
                .push(", ")
                .bind(g.role.code())
                .push(", ")
                .bind(g.department_id.map(|d| d.0))
                .push(", ")
                .bind(now.to_db())
                .push(")");
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Bumps the version of a user whose grants changed (after [`replace_grants`]).
pub async fn bump_version(
    conn: &mut Conn,
    id: UserId,
    expected_version: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE users SET version = version + 1, updated_at = ");
    q.bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version);
    Ok(q.execute(conn).await? > 0)
}

/// Stores a new password hash and bumps the version.
pub async fn set_password(
    conn: &mut Conn,
    id: UserId,
    hash: &str,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE users SET password_hash = ");
    q.bind(hash.to_owned())
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0);
    Ok(q.execute(conn).await? > 0)
}

/// Records a successful sign-in.
pub async fn record_login(conn: &mut Conn, id: UserId, now: Timestamp) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE users SET last_login_at = ");
    q.bind(now.to_db()).push(" WHERE id = ").bind(id.0);
    q.execute(conn).await.map(|_| ())
}

/// Active users holding `admin` without a department limit, other than `except`.
pub async fn count_global_admins(conn: &mut Conn, except: Option<UserId>) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "SELECT COUNT(DISTINCT u.id) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'admin' AND r.department_id IS NULL AND u.status = 'active'",
    );
    if let Some(e) = except {
        q.push(" AND u.id <> ").bind(e.0);
    }
    let row = q.fetch_optional(conn).await?.ok_or(DbError::RowNotFound)?;
    row.try_get(0)
}

/// Number of users.
pub async fn count(conn: &mut Conn) -> Result<i64, DbError> {
    let row = Sql::new("SELECT COUNT(*) FROM users")
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    row.try_get(0)
}

/// Filters for the user list.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Search in username, display name, e-mail and position.
    pub q: Option<String>,
    /// Only members of this department's subtree.
    pub department: Option<DepartmentPath>,
    /// Only holders of this role.
    pub role: Option<Role>,
    /// Only this status.
    pub status: Option<UserStatus>,
}

/// Sort fields of the user list.
pub const SORTS: &[&str] = &["username", "display_name", "created_at", "last_login_at"];

/// One page of users, limited to what `scope` may see.
pub async fn list(
    conn: &mut Conn,
    filter: &UserFilter,
    scope: &Scope,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<User>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS}, {GRANTS} FROM users WHERE 1 = 1"
    ));
    if let Some(text) = filter.q.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = contains_pattern(text);
        q.push(" AND (username LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(display_name) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(email, '')) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(position, '')) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(path) = &filter.department {
        q.push(" AND department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{}%", path.to_db()))
            .push(")");
    }
    if let Scope::Departments(ids) = scope {
        // Members of the departments the caller's grants are limited to, and their subtrees.
        q.push(" AND department_id IN (SELECT d.id FROM departments d JOIN departments s ON d.path LIKE s.path || '%' WHERE s.id IN (").bind_list(ids.iter().map(|d| d.0)).push("))");
    }
    if let Some(role) = filter.role {
        q.push(" AND id IN (SELECT user_id FROM user_roles WHERE role = ")
            .bind(role.code())
            .push(")");
    }
    if let Some(status) = filter.status {
        q.push(" AND status = ").bind(status.code());
    }
    let column = match sort.field {
        "display_name" => "display_name",
        "created_at" => "created_at",
        "last_login_at" => "COALESCE(last_login_at, '')",
        _ => "username",
    };
    crate::paging::keyset(&mut q, column, crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let rows = q.fetch_all(&mut *conn).await?;
    let mut items: Vec<User> = rows.into_iter().map(from_row).collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |u| {
        let key = match sort.field {
            "display_name" => u.display_name.clone(),
            "created_at" => u.created_at.to_db(),
            "last_login_at" => u.last_login_at.map(|t| t.to_db()).unwrap_or_default(),
            _ => u.username.clone(),
        };
        vec![KeyValue::Text(key), KeyValue::Int(u.id.0)]
    });
    Ok((items, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_grants_are_read_back_sorted() {
        let grants = parse_grants("staff:,auditor:7,admin:").unwrap();
        assert_eq!(
            grants,
            vec![
                Grant {
                    role: Role::Admin,
                    department_id: None
                },
                Grant {
                    role: Role::Auditor,
                    department_id: Some(DepartmentId(7))
                },
                Grant {
                    role: Role::Staff,
                    department_id: None
                },
            ]
        );
        assert!(parse_grants("").unwrap().is_empty());
    }

    #[test]
    fn corrupt_folded_grants_are_an_error() {
        assert!(parse_grants("emperor:").is_err());
        assert!(parse_grants("staff").is_err());
        assert!(parse_grants("staff:x").is_err());
    }
}

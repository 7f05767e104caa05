//! The department tree.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{corrupt, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::org::Department;
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{DepartmentId, DepartmentPath, Timestamp};

const COLUMNS: &str = "id, name, code, parent_id, head_id, path, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Department, DbError> {
    let path: String = row.take("path")?;
    Ok(Department {
        id: DepartmentId(row.take("id")?),
        name: row.take("name")?,
        code: row.take("code")?,
        parent_id: row
            .try_get::<Option<i64>, _>("parent_id")?
            .map(DepartmentId),
        head_id: row
            .try_get::<Option<i64>, _>("head_id")?
            .map(castellan_domain::UserId),
        path: DepartmentPath::from_db(&path).ok_or_else(|| corrupt("department path", &path))?,
        version: row.take("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// One department.
pub async fn get(conn: &mut Conn, id: DepartmentId) -> Result<Option<Department>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM departments WHERE id = "));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Several departments by id (missing ids are left out).
pub async fn get_many(conn: &mut Conn, ids: &[DepartmentId]) -> Result<Vec<Department>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM departments WHERE id IN ("));
    q.bind_list(ids.iter().map(|d| d.0)).push(")");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// The department with this code, if any.
pub async fn find_by_code(conn: &mut Conn, code: &str) -> Result<Option<Department>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM departments WHERE code = "));
    q.bind(code.to_owned());
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// The id of a sibling named `name` under `parent`, other than `except`.
pub async fn sibling_named(
    conn: &mut Conn,
    parent: Option<DepartmentId>,
    name: &str,
    except: Option<DepartmentId>,
) -> Result<Option<DepartmentId>, DbError> {
    let mut q = Sql::new("SELECT id FROM departments WHERE COALESCE(parent_id, 0) = ");
    q.bind(parent.map_or(0, |p| p.0))
        .push(" AND name = ")
        .bind(name.to_owned());
    if let Some(e) = except {
        q.push(" AND id <> ").bind(e.0);
    }
    Ok(q.fetch_optional(conn)
        .await?
        .map(|r| r.try_get::<i64, _>(0))
        .transpose()?
        .map(DepartmentId))
}

/// Fields of a new department.
#[derive(Debug, Clone)]
pub struct NewDepartment<'a> {
    /// Name.
    pub name: &'a str,
    /// Optional code.
    pub code: Option<&'a str>,
    /// Parent, already loaded (its path is extended).
    pub parent: Option<&'a Department>,
}

/// Inserts a department and sets its path.
pub async fn insert(
    conn: &mut Conn,
    new: &NewDepartment<'_>,
    now: Timestamp,
) -> Result<Department, DbError> {
    let now_s = now.to_db();
    let mut q = Sql::new(
        "INSERT INTO departments (name, code, parent_id, path, version, created_at, updated_at) VALUES (",
    );
    q.bind(new.name.to_owned())
        .push(", ")
        .bind(new.code.map(str::to_owned))
        .push(", ")
        .bind(new.parent.map(|p| p.id.0))
        .push(", '/', 1, ")
        .bind(now_s.clone())
        .push(", ")
        .bind(now_s)
        .push(") RETURNING id");
    let row = q
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    let id = DepartmentId(row.try_get(0)?);
    let mut path = new.parent.map(|p| p.path.clone()).unwrap_or_default();
    path.0.push(id);
    let mut q = Sql::new("UPDATE departments SET path = ");
    q.bind(path.to_db()).push(" WHERE id = ").bind(id.0);
    q.execute(&mut *conn).await?;
    get(conn, id).await?.ok_or(DbError::RowNotFound)
}

/// Changed fields of a department.
#[derive(Debug, Clone)]
pub struct DepartmentChanges<'a> {
    /// New name.
    pub name: &'a str,
    /// New code.
    pub code: Option<&'a str>,
    /// New parent, already loaded and checked not to be inside this department.
    pub parent: Option<&'a Department>,
    /// New head, already checked to be an active user.
    pub head_id: Option<castellan_domain::UserId>,
}

/// Updates a department if its version is still `expected_version`; moves its subtree when
/// the parent changes. Returns `None` when the version did not match.
pub async fn update(
    conn: &mut Conn,
    current: &Department,
    changes: &DepartmentChanges<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<Department>, DbError> {
    let mut new_path = changes.parent.map(|p| p.path.clone()).unwrap_or_default();
    new_path.0.push(current.id);
    let mut q = Sql::new("UPDATE departments SET name = ");
    q.bind(changes.name.to_owned())
        .push(", code = ")
        .bind(changes.code.map(str::to_owned))
        .push(", parent_id = ")
        .bind(changes.parent.map(|p| p.id.0))
        .push(", head_id = ")
        .bind(changes.head_id.map(|u| u.0))
        .push(", path = ")
        .bind(new_path.to_db())
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(current.id.0)
        .push(" AND version = ")
        .bind(expected_version);
    if q.execute(&mut *conn).await? == 0 {
        return Ok(None);
    }
    let old_prefix = current.path.to_db();
    let new_prefix = new_path.to_db();
    if old_prefix != new_prefix {
        // Re-root every descendant: replace the old path prefix with the new one.
        let mut q = Sql::new("UPDATE departments SET path = ");
        q.bind(new_prefix)
            .push(" || SUBSTR(path, CAST(")
            .bind(old_prefix.len() as i64 + 1)
            .push(" AS INTEGER)) WHERE path LIKE ")
            .bind(format!("{old_prefix}%"))
            .push(" AND id <> ")
            .bind(current.id.0);
        q.execute(&mut *conn).await?;
    }
    get(conn, current.id).await
}

/// Deletes a department (the caller has checked it is empty).
pub async fn delete(conn: &mut Conn, id: DepartmentId) -> Result<bool, DbError> {
    let mut q = Sql::new("DELETE FROM departments WHERE id = ");
    q.bind(id.0);
    Ok(q.execute(conn).await? > 0)
}

/// What still depends on a department: (sub-departments, members, role scopes).
pub async fn dependents(conn: &mut Conn, id: DepartmentId) -> Result<(i64, i64, i64), DbError> {
    let mut q = Sql::new("SELECT (SELECT COUNT(*) FROM departments WHERE parent_id = ");
    q.bind(id.0)
        .push("), (SELECT COUNT(*) FROM users WHERE department_id = ")
        .bind(id.0)
        .push("), (SELECT COUNT(*) FROM user_roles WHERE department_id = ")
        .bind(id.0)
        .push(")");
    let row = q.fetch_optional(conn).await?.ok_or(DbError::RowNotFound)?;
    Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?))
}

/// How many risk-assessment records name a department (assessment scopes, responsible
/// departments of treatment items): such a department is kept.
pub async fn risk_references(conn: &mut Conn, id: DepartmentId) -> Result<i64, DbError> {
    let mut q =
        Sql::new("SELECT (SELECT COUNT(*) FROM assessment_departments WHERE department_id = ");
    q.bind(id.0)
        .push(") + (SELECT COUNT(*) FROM treatment_items WHERE department_id = ")
        .bind(id.0)
        .push(")");
    q.fetch_one(conn).await?.try_get(0)
}

/// Filters for the department list.
#[derive(Debug, Clone, Default)]
pub struct DepartmentFilter {
    /// Search in name and code.
    pub q: Option<String>,
    /// Only direct children of this department.
    pub parent_id: Option<DepartmentId>,
    /// Only root departments.
    pub roots_only: bool,
    /// Only this department's subtree (by its stored path).
    pub within: Option<DepartmentPath>,
}

/// Sort fields of the department list.
pub const SORTS: &[&str] = &["name", "code", "created_at"];

/// One page of departments, keyset-paged on (sort key, id).
pub async fn list(
    conn: &mut Conn,
    filter: &DepartmentFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Department>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM departments WHERE 1 = 1"));
    if let Some(text) = filter.q.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = contains_pattern(text);
        q.push(" AND (LOWER(name) LIKE ")
            .bind(p.clone())
            .push(" ESCAPE '\\' OR LOWER(COALESCE(code, '')) LIKE ")
            .bind(p)
            .push(" ESCAPE '\\')");
    }
    if let Some(parent) = filter.parent_id {
        q.push(" AND parent_id = ").bind(parent.0);
    }
    if filter.roots_only {
        q.push(" AND parent_id IS NULL");
    }
    if let Some(path) = &filter.within {
        q.push(" AND path LIKE ").bind(format!("{}%", path.to_db()));
    }
    let column = match sort.field {
        "code" => "COALESCE(code, '')",
        "created_at" => "created_at",
        _ => "name",
    };
    crate::paging::keyset(&mut q, column, crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Department> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |d| {
        let key = match sort.field {
            "code" => KeyValue::Text(d.code.clone().unwrap_or_default()),
            "created_at" => KeyValue::Text(d.created_at.to_db()),
            _ => KeyValue::Text(d.name.clone()),
        };
        vec![key, KeyValue::Int(d.id.0)]
    });
    Ok((items, next))
}

/// Every department (for the tree view and pickers), up to `cap`, ordered by path.
pub async fn all(conn: &mut Conn, cap: u32) -> Result<Vec<Department>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM departments ORDER BY name, id LIMIT "
    ));
    q.bind(i64::from(cap));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Number of departments.
pub async fn count(conn: &mut Conn) -> Result<i64, DbError> {
    let row = Sql::new("SELECT COUNT(*) FROM departments")
        .fetch_optional(conn)
        .await?
        .ok_or(DbError::RowNotFound)?;
    row.try_get(0)
}

/// Direct members per department.
pub async fn member_counts(
    conn: &mut Conn,
) -> Result<std::collections::HashMap<DepartmentId, i64>, DbError> {
    let rows = Sql::new("SELECT department_id, COUNT(*) AS n FROM users WHERE department_id IS NOT NULL GROUP BY department_id")
        .fetch_all(conn)
        .await?;
    rows.iter()
        .map(|r| Ok((DepartmentId(r.try_get("department_id")?), r.try_get("n")?)))
        .collect()
}

/// The head of the department at `path` or of the nearest department above it that names
/// one other than `except` (the `department_head` approver; a head's own request goes to
/// the head above them).
pub async fn head_of(
    conn: &mut Conn,
    path: &DepartmentPath,
    except: Option<castellan_domain::UserId>,
) -> Result<Option<castellan_domain::UserId>, DbError> {
    if path.0.is_empty() {
        return Ok(None);
    }
    let mut q = Sql::new("SELECT id, head_id FROM departments WHERE id IN (");
    q.bind_list(path.0.iter().map(|d| d.0))
        .push(") AND head_id IS NOT NULL");
    let heads: Vec<(i64, i64)> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get("id")?, row.try_get("head_id")?)))
        .collect::<Result<_, DbError>>()?;
    Ok(path
        .0
        .iter()
        .rev()
        .filter_map(|d| heads.iter().find(|(id, _)| *id == d.0).map(|(_, h)| *h))
        .map(castellan_domain::UserId)
        .find(|h| Some(*h) != except))
}

/// Names a department's head (demo data and tools; the service checks the person).
pub async fn set_head(
    conn: &mut Conn,
    id: DepartmentId,
    head: Option<castellan_domain::UserId>,
) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE departments SET head_id = ");
    q.bind(head.map(|u| u.0)).push(" WHERE id = ").bind(id.0);
    q.execute(conn).await?;
    Ok(())
}

/// The departments `user` heads.
pub async fn headed_by(
    conn: &mut Conn,
    user: castellan_domain::UserId,
) -> Result<Vec<Department>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM departments WHERE head_id = "
    ));
    q.bind(user.0).push(" ORDER BY id");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

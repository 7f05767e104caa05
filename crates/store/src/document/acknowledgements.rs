//! Who a document in force is addressed to, who confirmed reading which version, and the
//! coverage per department. The audience is computed when asked: active users in an
//! addressed department's subtree, and active holders of an addressed role.

use crate::conn::{Conn, DbError};
use crate::rows::ts;
use crate::sql::Sql;
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::{Role, Timestamp};

/// A document's addressees.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressees {
    /// Departments (with everything below them).
    pub departments: Vec<DepartmentId>,
    /// Roles.
    pub roles: Vec<Role>,
}

impl Addressees {
    /// Whether the document is addressed to nobody.
    pub fn is_empty(&self) -> bool {
        self.departments.is_empty() && self.roles.is_empty()
    }
}

/// A document's addressees.
pub async fn addressees(conn: &mut Conn, document_id: i64) -> Result<Addressees, DbError> {
    let mut q =
        Sql::new("SELECT department_id, role FROM document_addressees WHERE document_id = ");
    q.bind(document_id).push(" ORDER BY department_id, role");
    let mut out = Addressees::default();
    for row in q.fetch_all(conn).await? {
        if let Some(d) = row.try_get::<Option<i64>, _>("department_id")? {
            out.departments.push(DepartmentId(d));
        }
        let role: Option<String> = row.try_get("role")?;
        if let Some(r) = role.as_deref().and_then(Role::from_code) {
            out.roles.push(r);
        }
    }
    Ok(out)
}

/// Replaces a document's addressees.
pub async fn set_addressees(
    conn: &mut Conn,
    document_id: i64,
    a: &Addressees,
    now: Timestamp,
) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM document_addressees WHERE document_id = ");
    q.bind(document_id);
    q.execute(conn).await?;
    for d in &a.departments {
        let mut q = Sql::new(
            "INSERT INTO document_addressees (document_id, department_id, role, created_at) VALUES (",
        );
        q.bind(document_id)
            .push(", ")
            .bind(d.0)
            .push(", NULL, ")
            .bind(now.to_db())
            .push(")");
        q.execute(conn).await?;
    }
    for r in &a.roles {
        let mut q = Sql::new(
            "INSERT INTO document_addressees (document_id, department_id, role, created_at) VALUES (",
        );
        q.bind(document_id)
            .push(", NULL, ")
            .bind(r.code())
            .push(", ")
            .bind(now.to_db())
            .push(")");
        q.execute(conn).await?;
    }
    Ok(())
}

/// Adds the audience of `document_id` as a CTE named `audience (id, department_id,
/// display_name)`.
fn push_audience(q: &mut Sql, document_id: i64) {
    q.push(
        "WITH targets AS (SELECT d.id FROM departments d JOIN departments a ON d.path LIKE a.path || '%' WHERE a.id IN (SELECT department_id FROM document_addressees WHERE department_id IS NOT NULL AND document_id = ",
    )
    .bind(document_id)
    .push(
        ")), audience AS (SELECT u.id, u.department_id, u.display_name FROM users u WHERE u.status = 'active' AND (u.department_id IN (SELECT id FROM targets) OR u.id IN (SELECT r.user_id FROM user_roles r WHERE r.role IN (SELECT role FROM document_addressees WHERE role IS NOT NULL AND document_id = ",
    )
    .bind(document_id)
    .push(")))) ");
}

/// Whether `user` is in the document's audience.
pub async fn is_addressed(
    conn: &mut Conn,
    document_id: i64,
    user: UserId,
) -> Result<bool, DbError> {
    let mut q = Sql::new("");
    push_audience(&mut q, document_id);
    q.push("SELECT 1 AS x FROM audience WHERE id = ")
        .bind(user.0);
    Ok(q.fetch_optional(conn).await?.is_some())
}

/// One department's line of the coverage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CoverageLine {
    /// The department (`None`: people without one).
    pub department_id: Option<DepartmentId>,
    /// People addressed.
    pub total: i64,
    /// Of them, those who confirmed `version`.
    pub acknowledged: i64,
}

/// The coverage of `version_id` of a document, per department of the people addressed.
pub async fn coverage(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
) -> Result<Vec<CoverageLine>, DbError> {
    let mut q = Sql::new("");
    push_audience(&mut q, document_id);
    q.push("SELECT a.department_id, COUNT(*) AS total, COUNT(k.user_id) AS acknowledged FROM audience a LEFT JOIN document_acknowledgements k ON k.user_id = a.id AND k.version_id = ")
        .bind(version_id)
        .push(" GROUP BY a.department_id ORDER BY a.department_id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(CoverageLine {
                department_id: row
                    .try_get::<Option<i64>, _>("department_id")?
                    .map(DepartmentId),
                total: row.try_get("total")?,
                acknowledged: row.try_get("acknowledged")?,
            })
        })
        .collect()
}

/// People addressed who have not confirmed `version_id`, by name (those of one department
/// when given; `Some(None)` for people without a department), at most `limit`.
pub async fn pending(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
    department: Option<Option<DepartmentId>>,
    limit: u32,
) -> Result<Vec<(UserId, String, Option<DepartmentId>)>, DbError> {
    let mut q = Sql::new("");
    push_audience(&mut q, document_id);
    q.push("SELECT a.id, a.display_name, a.department_id FROM audience a WHERE NOT EXISTS (SELECT 1 FROM document_acknowledgements k WHERE k.user_id = a.id AND k.version_id = ")
        .bind(version_id)
        .push(")");
    match department {
        Some(Some(d)) => {
            q.push(" AND a.department_id = ").bind(d.0);
        }
        Some(None) => {
            q.push(" AND a.department_id IS NULL");
        }
        None => {}
    }
    q.push(" ORDER BY a.display_name, a.id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok((
                UserId(row.try_get("id")?),
                row.take("display_name")?,
                row.try_get::<Option<i64>, _>("department_id")?
                    .map(DepartmentId),
            ))
        })
        .collect()
}

/// Records that `user` confirmed reading `version_id`; false when they already had.
pub async fn acknowledge(
    conn: &mut Conn,
    document_id: i64,
    version_id: i64,
    user: UserId,
    at: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new(
        "INSERT INTO document_acknowledgements (document_id, version_id, user_id, at) VALUES (",
    );
    q.bind(document_id)
        .push(", ")
        .bind(version_id)
        .push(", ")
        .bind(user.0)
        .push(", ")
        .bind(at.to_db())
        .push(") ON CONFLICT (version_id, user_id) DO NOTHING");
    Ok(q.execute(conn).await? == 1)
}

/// When `user` confirmed reading `version_id`, if they did.
pub async fn acknowledged_at(
    conn: &mut Conn,
    version_id: i64,
    user: UserId,
) -> Result<Option<Timestamp>, DbError> {
    let mut q = Sql::new("SELECT at FROM document_acknowledgements WHERE version_id = ");
    q.bind(version_id).push(" AND user_id = ").bind(user.0);
    match q.fetch_optional(conn).await? {
        Some(mut row) => Ok(Some(ts(&mut row, "at")?)),
        None => Ok(None),
    }
}

/// Documents in force addressed to a user (by their department and the departments above
/// it, and by their roles) whose version in force they have not confirmed: (document id,
/// code, title, version id, in force since), oldest first.
pub async fn to_read(
    conn: &mut Conn,
    user: UserId,
    departments: &[DepartmentId],
    roles: &[Role],
    limit: u32,
) -> Result<Vec<(i64, String, String, i64, Timestamp)>, DbError> {
    if departments.is_empty() && roles.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(
        "SELECT d.id, d.code, d.title, v.id AS version_id, v.updated_at FROM documents d JOIN document_versions v ON v.document_id = d.id AND v.status = 'effective' WHERE d.status = 'effective' AND d.id IN (SELECT document_id FROM document_addressees WHERE 1 = 0",
    );
    if !departments.is_empty() {
        q.push(" OR department_id IN (");
        for (i, d) in departments.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(d.0);
        }
        q.push(")");
    }
    if !roles.is_empty() {
        q.push(" OR role IN (");
        for (i, r) in roles.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(r.code());
        }
        q.push(")");
    }
    q.push(") AND NOT EXISTS (SELECT 1 FROM document_acknowledgements k WHERE k.version_id = v.id AND k.user_id = ")
        .bind(user.0)
        .push(") ORDER BY v.updated_at, d.id LIMIT ")
        .bind(i64::from(limit));
    let mut out = Vec::new();
    for mut row in q.fetch_all(conn).await? {
        out.push((
            row.try_get("id")?,
            row.take("code")?,
            row.take("title")?,
            row.try_get("version_id")?,
            ts(&mut row, "updated_at")?,
        ));
    }
    Ok(out)
}

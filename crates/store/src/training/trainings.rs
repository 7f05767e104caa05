//! Trainings: the record with its audience, attendance (written in bulk), completion per
//! department for a year, and a person's own trainings.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, day_opt, ts};
use crate::sql::Sql;
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::training::{Attendance, Training, TrainingStatus};
use castellan_domain::{Role, Timestamp};

const COLUMNS: &str = "id, plan_id, title, topic, planned_month, held_at, trainer, document_id, status, created_by, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Training, DbError> {
    let month: i64 = row.try_get("planned_month")?;
    Ok(Training {
        id: row.try_get("id")?,
        plan_id: row.try_get("plan_id")?,
        title: row.take("title")?,
        topic: row.take("topic")?,
        audience_department_ids: Vec::new(),
        audience_roles: Vec::new(),
        planned_month: u8::try_from(month).unwrap_or(1),
        held_at: day_opt(&mut row, "held_at")?,
        trainer: row.take("trainer")?,
        document_id: row.try_get("document_id")?,
        status: code_of(&mut row, "status", TrainingStatus::from_code)?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// Fills the audiences of `trainings` (one query).
async fn with_audience(
    conn: &mut Conn,
    mut trainings: Vec<Training>,
) -> Result<Vec<Training>, DbError> {
    if trainings.is_empty() {
        return Ok(trainings);
    }
    let mut q = Sql::new(
        "SELECT training_id, department_id, role FROM training_audience WHERE training_id IN (",
    );
    for (i, t) in trainings.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(t.id);
    }
    q.push(") ORDER BY training_id, department_id, role");
    for row in q.fetch_all(conn).await? {
        let id: i64 = row.try_get("training_id")?;
        let Some(t) = trainings.iter_mut().find(|t| t.id == id) else {
            continue;
        };
        if let Some(d) = row.try_get::<Option<i64>, _>("department_id")? {
            t.audience_department_ids.push(DepartmentId(d));
        }
        let role: Option<String> = row.try_get("role")?;
        if let Some(r) = role.as_deref().and_then(Role::from_code) {
            t.audience_roles.push(r);
        }
    }
    Ok(trainings)
}

async fn write_audience(conn: &mut Conn, t: &Training) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM training_audience WHERE training_id = ");
    q.bind(t.id);
    q.execute(conn).await?;
    for d in &t.audience_department_ids {
        let mut q =
            Sql::new("INSERT INTO training_audience (training_id, department_id, role) VALUES (");
        q.bind(t.id).push(", ").bind(d.0).push(", NULL)");
        q.execute(conn).await?;
    }
    for r in &t.audience_roles {
        let mut q =
            Sql::new("INSERT INTO training_audience (training_id, department_id, role) VALUES (");
        q.bind(t.id).push(", NULL, ").bind(r.code()).push(")");
        q.execute(conn).await?;
    }
    Ok(())
}

/// Inserts a training with its audience; returns its id.
pub async fn insert(conn: &mut Conn, t: &Training) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO trainings (plan_id, title, topic, planned_month, held_at, trainer, document_id, status, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(t.plan_id).push(", ");
    q.bind(t.title.clone()).push(", ");
    q.bind(t.topic.clone()).push(", ");
    q.bind(i64::from(t.planned_month)).push(", ");
    q.bind(t.held_at.map(|d| d.to_db())).push(", ");
    q.bind(t.trainer.clone()).push(", ");
    q.bind(t.document_id).push(", ");
    q.bind(t.status.code()).push(", ");
    q.bind(t.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(t.created_at.to_db())
        .push(", ")
        .bind(t.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    let mut with_id = t.clone();
    with_id.id = id;
    write_audience(conn, &with_id).await?;
    Ok(id)
}

/// One training with its audience.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Training>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM trainings WHERE id = "));
    q.bind(id);
    let found: Vec<Training> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    Ok(with_audience(conn, found).await?.pop())
}

/// A plan's trainings by month.
pub async fn of_plan(conn: &mut Conn, plan_id: i64) -> Result<Vec<Training>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM trainings WHERE plan_id = "));
    q.bind(plan_id).push(" ORDER BY planned_month, id");
    let found = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    with_audience(conn, found).await
}

/// Writes a training and its audience if it is still at `t.version`.
pub async fn save(conn: &mut Conn, t: &Training, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE trainings SET title = ");
    q.bind(t.title.clone());
    q.push(", topic = ").bind(t.topic.clone());
    q.push(", planned_month = ")
        .bind(i64::from(t.planned_month));
    q.push(", held_at = ").bind(t.held_at.map(|d| d.to_db()));
    q.push(", trainer = ").bind(t.trainer.clone());
    q.push(", document_id = ").bind(t.document_id);
    q.push(", status = ").bind(t.status.code());
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(t.id)
        .push(" AND version = ")
        .bind(t.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    write_audience(conn, t).await?;
    Ok(true)
}

/// Adds the audience of training `training` (an SQL expression) as a condition on users
/// `u`: nobody named means everyone.
fn push_in_audience(q: &mut Sql, training: &str) {
    q.push(&format!(
        "(NOT EXISTS (SELECT 1 FROM training_audience a WHERE a.training_id = {training}) \
         OR u.department_id IN (SELECT d.id FROM departments d JOIN departments ad ON d.path LIKE ad.path || '%' JOIN training_audience a ON a.department_id = ad.id WHERE a.training_id = {training}) \
         OR u.id IN (SELECT r.user_id FROM user_roles r JOIN training_audience a ON a.role = r.role WHERE a.training_id = {training}))"
    ));
}

/// A training's audience (active users), by name: (id, username, name, department, its
/// attendance if recorded), at most `limit`.
pub async fn audience(
    conn: &mut Conn,
    training: i64,
    limit: u32,
) -> Result<
    Vec<(
        UserId,
        String,
        String,
        Option<DepartmentId>,
        Option<Attendance>,
    )>,
    DbError,
> {
    let mut q = Sql::new(
        "SELECT u.id, u.username, u.display_name, u.department_id, ta.attended, ta.score FROM users u LEFT JOIN training_attendance ta ON ta.user_id = u.id AND ta.training_id = ",
    );
    q.bind(training).push(" WHERE u.status = 'active' AND ");
    push_in_audience(&mut q, &training.to_string());
    q.push(" ORDER BY u.display_name, u.id LIMIT ")
        .bind(i64::from(limit));
    let mut out = Vec::new();
    for mut row in q.fetch_all(conn).await? {
        let id = UserId(row.try_get("id")?);
        let attended: Option<i64> = row.try_get("attended")?;
        let score: Option<i64> = row.try_get("score")?;
        out.push((
            id,
            row.take("username")?,
            row.take("display_name")?,
            row.try_get::<Option<i64>, _>("department_id")?
                .map(DepartmentId),
            attended.map(|a| Attendance {
                user_id: id,
                attended: a != 0,
                score: score.and_then(|s| u8::try_from(s).ok()),
            }),
        ));
    }
    Ok(out)
}

/// How many people a training is for.
pub async fn audience_size(conn: &mut Conn, training: i64) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM users u WHERE u.status = 'active' AND ");
    push_in_audience(&mut q, &training.to_string());
    q.fetch_one(conn).await?.try_get("n")
}

/// A training's recorded attendance: (attended, absent).
pub async fn attendance_counts(conn: &mut Conn, training: i64) -> Result<(i64, i64), DbError> {
    let mut q = Sql::new(
        "SELECT COALESCE(SUM(CASE WHEN attended = 1 THEN 1 ELSE 0 END), 0) AS yes, COALESCE(SUM(CASE WHEN attended = 1 THEN 0 ELSE 1 END), 0) AS no FROM training_attendance WHERE training_id = ",
    );
    q.bind(training);
    let row = q.fetch_one(conn).await?;
    Ok((row.try_get("yes")?, row.try_get("no")?))
}

/// Records attendance lines (replacing a person's earlier line), in batches.
pub async fn record(
    conn: &mut Conn,
    training: i64,
    lines: &[Attendance],
    now: Timestamp,
) -> Result<(), DbError> {
    for chunk in lines.chunks(400) {
        let mut q = Sql::new("DELETE FROM training_attendance WHERE training_id = ");
        q.bind(training).push(" AND user_id IN (");
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(l.user_id.0);
        }
        q.push(")");
        q.execute(conn).await?;
        let mut q = Sql::new(
            "INSERT INTO training_attendance (training_id, user_id, attended, score, recorded_at) VALUES ",
        );
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(training)
                .push(", ")
                .bind(l.user_id.0)
                .push(", ")
                .bind(i64::from(l.attended))
                .push(", ")
                .bind(l.score.map(i64::from))
                .push(", ")
                .bind(now.to_db())
                .push(")");
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Removes every attendance line of a training.
pub async fn clear(conn: &mut Conn, training: i64) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM training_attendance WHERE training_id = ");
    q.bind(training);
    q.execute(conn).await?;
    Ok(())
}

/// Users by username (lower-cased), for the attendance file: (username, id) of those found
/// among `names`, active or not (with their status).
pub async fn users_by_name(
    conn: &mut Conn,
    names: &[String],
) -> Result<Vec<(String, UserId, bool)>, DbError> {
    let mut out = Vec::new();
    for chunk in names.chunks(500) {
        let mut q = Sql::new("SELECT id, username, status FROM users WHERE username IN (");
        for (i, n) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(n.clone());
        }
        q.push(")");
        for mut row in q.fetch_all(conn).await? {
            let status: String = row.take("status")?;
            out.push((
                row.take("username")?,
                UserId(row.try_get("id")?),
                status == "active",
            ));
        }
    }
    Ok(out)
}

/// One department's completion for a year: people expected at held trainings and those who
/// attended, counted per (training, person).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The department (`None`: people without one).
    pub department_id: Option<DepartmentId>,
    /// Attendances expected.
    pub expected: i64,
    /// Of them, attended.
    pub attended: i64,
}

/// Completion per department of the trainings held under a plan. The (training, person)
/// pairs are built as three joins — trainings for everyone, by department subtree, by role —
/// merged without duplicates, so the audience rule is evaluated once per training rather
/// than once per person.
pub async fn completion(conn: &mut Conn, plan_id: i64) -> Result<Vec<Completion>, DbError> {
    let mut q =
        Sql::new("WITH held AS (SELECT id FROM trainings WHERE status = 'held' AND plan_id = ");
    q.bind(plan_id).push(
        "), pairs AS (\
         SELECT h.id AS training_id, u.id AS user_id, u.department_id FROM held h CROSS JOIN users u \
         WHERE u.status = 'active' AND NOT EXISTS (SELECT 1 FROM training_audience a WHERE a.training_id = h.id) \
         UNION \
         SELECT a.training_id, u.id, u.department_id FROM training_audience a JOIN held h ON h.id = a.training_id \
         JOIN departments ad ON ad.id = a.department_id JOIN departments d ON d.path LIKE ad.path || '%' \
         JOIN users u ON u.department_id = d.id WHERE u.status = 'active' \
         UNION \
         SELECT a.training_id, u.id, u.department_id FROM training_audience a JOIN held h ON h.id = a.training_id \
         JOIN user_roles r ON r.role = a.role JOIN users u ON u.id = r.user_id WHERE u.status = 'active') \
         SELECT p.department_id, COUNT(*) AS expected, COUNT(CASE WHEN ta.attended = 1 THEN 1 END) AS attended \
         FROM pairs p LEFT JOIN training_attendance ta ON ta.training_id = p.training_id AND ta.user_id = p.user_id \
         GROUP BY p.department_id ORDER BY p.department_id",
    );
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            Ok(Completion {
                department_id: row
                    .try_get::<Option<i64>, _>("department_id")?
                    .map(DepartmentId),
                expected: row.try_get("expected")?,
                attended: row.try_get("attended")?,
            })
        })
        .collect()
}

/// A person's trainings under approved plans of `year` (those whose audience includes them
/// by department — theirs or one above — or role, or that are for everyone), with their
/// attendance, by month.
pub async fn of_person(
    conn: &mut Conn,
    user: UserId,
    year: i32,
) -> Result<Vec<(Training, Option<Attendance>)>, DbError> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("t.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols}, ta.attended AS my_attended, ta.score AS my_score FROM trainings t JOIN training_plans p ON p.id = t.plan_id LEFT JOIN training_attendance ta ON ta.training_id = t.id AND ta.user_id = "
    ));
    q.bind(user.0)
        .push(" WHERE p.status = 'approved' AND p.year = ")
        .bind(i64::from(year))
        .push(" AND EXISTS (SELECT 1 FROM users u WHERE u.id = ")
        .bind(user.0)
        .push(" AND ");
    push_in_audience(&mut q, "t.id");
    q.push(") ORDER BY t.planned_month, t.id");
    let mut rows = Vec::new();
    for row in q.fetch_all(conn).await? {
        let attended: Option<i64> = row.try_get("my_attended")?;
        let score: Option<i64> = row.try_get("my_score")?;
        let t = from_row(row)?;
        rows.push((
            t,
            attended.map(|a| Attendance {
                user_id: user,
                attended: a != 0,
                score: score.and_then(|s| u8::try_from(s).ok()),
            }),
        ));
    }
    let trainings = with_audience(conn, rows.iter().map(|(t, _)| t.clone()).collect()).await?;
    Ok(trainings
        .into_iter()
        .zip(rows)
        .map(|(t, (_, a))| (t, a))
        .collect())
}

/// Every attendance line of a plan's trainings, for the export: (training id, user id,
/// username, name, department, attended, score).
#[allow(clippy::type_complexity)]
pub async fn records_of_plan(
    conn: &mut Conn,
    plan_id: i64,
) -> Result<Vec<(i64, String, String, Option<DepartmentId>, bool, Option<i64>)>, DbError> {
    let mut q = Sql::new(
        "SELECT t.id AS training_id, u.username, u.display_name, u.department_id, ta.attended, ta.score FROM training_attendance ta JOIN trainings t ON t.id = ta.training_id JOIN users u ON u.id = ta.user_id WHERE t.plan_id = ",
    );
    q.bind(plan_id)
        .push(" ORDER BY t.planned_month, t.id, u.display_name, u.id");
    let mut out = Vec::new();
    for mut row in q.fetch_all(conn).await? {
        let attended: i64 = row.try_get("attended")?;
        out.push((
            row.try_get("training_id")?,
            row.take("username")?,
            row.take("display_name")?,
            row.try_get::<Option<i64>, _>("department_id")?
                .map(DepartmentId),
            attended != 0,
            row.try_get("score")?,
        ));
    }
    Ok(out)
}

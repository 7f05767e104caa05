//! Drills of DR plans with their participants and problems.

use super::day;
use crate::conn::{Conn, DbError, Row};
use crate::paging::Kind;
use crate::rows::{code_of, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::continuity::{Drill, DrillProblem, DrillResult, ProblemKind};
use castellan_domain::ids::UserId;
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{Day, Timestamp};

/// A drill with its plan's code, title and RTO.
#[derive(Debug, Clone)]
pub struct DrillLine {
    /// The drill.
    pub drill: Drill,
    /// The plan's code.
    pub plan_code: String,
    /// The plan's title.
    pub plan_title: String,
    /// The plan's RTO in hours.
    pub plan_rto_hours: i64,
}

impl DrillLine {
    /// Whether the drill missed its plan's RTO.
    pub fn missed_rto(&self) -> bool {
        castellan_domain::continuity::missed_rto(
            self.drill.result,
            self.drill.achieved_rto_hours,
            self.plan_rto_hours,
        )
    }
}

/// The drills joined with their plans, as one relation (`id` is the drill's).
const LINES: &str = "SELECT * FROM (SELECT d.id, d.code, d.dr_plan_id, d.held_at, d.scenario, d.result, d.achieved_rto_hours, d.summary, d.created_by, d.version, d.created_at, d.updated_at, p.code AS plan_code, p.title AS plan_title, p.rto_hours AS plan_rto_hours, LOWER(d.code || ' ' || d.scenario || ' ' || p.title) AS search FROM drills d JOIN dr_plans p ON p.id = d.dr_plan_id) x WHERE 1 = 1";

fn from_row(mut row: Row) -> Result<DrillLine, DbError> {
    Ok(DrillLine {
        drill: Drill {
            id: row.try_get("id")?,
            code: row.take("code")?,
            dr_plan_id: row.try_get("dr_plan_id")?,
            held_at: day(&mut row, "held_at")?,
            scenario: row.take("scenario")?,
            participant_ids: Vec::new(),
            result: code_of(&mut row, "result", DrillResult::from_code)?,
            achieved_rto_hours: row.try_get("achieved_rto_hours")?,
            summary: row.take("summary")?,
            problems: Vec::new(),
            created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
            version: row.try_get("version")?,
            created_at: ts(&mut row, "created_at")?,
            updated_at: ts(&mut row, "updated_at")?,
        },
        plan_code: row.take("plan_code")?,
        plan_title: row.take("plan_title")?,
        plan_rto_hours: row.try_get("plan_rto_hours")?,
    })
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<DrillLine>, DbError> {
    let mut items: Vec<DrillLine> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    if items.is_empty() {
        return Ok(items);
    }
    let ids: Vec<i64> = items.iter().map(|l| l.drill.id).collect();
    let mut q = Sql::new("SELECT drill_id, user_id FROM drill_participants WHERE drill_id IN (");
    q.bind_list(ids.iter().copied())
        .push(") ORDER BY drill_id, user_id");
    for row in q.fetch_all(conn).await? {
        let id: i64 = row.try_get("drill_id")?;
        let user: i64 = row.try_get("user_id")?;
        if let Some(l) = items.iter_mut().find(|l| l.drill.id == id) {
            l.drill.participant_ids.push(UserId(user));
        }
    }
    let mut q = Sql::new(
        "SELECT p.id, p.drill_id, p.kind, p.description, p.rectification_id, r.code AS rectification_code FROM drill_problems p LEFT JOIN rectifications r ON r.id = p.rectification_id WHERE p.drill_id IN (",
    );
    q.bind_list(ids).push(") ORDER BY p.drill_id, p.id");
    for mut row in q.fetch_all(conn).await? {
        let id: i64 = row.try_get("drill_id")?;
        let problem = DrillProblem {
            id: row.try_get("id")?,
            kind: code_of(&mut row, "kind", ProblemKind::from_code)?,
            description: row.take("description")?,
            rectification_id: row.try_get("rectification_id")?,
            rectification_code: row.take("rectification_code")?,
        };
        if let Some(l) = items.iter_mut().find(|l| l.drill.id == id) {
            l.drill.problems.push(problem);
        }
    }
    Ok(items)
}

async fn write_participants(conn: &mut Conn, id: i64, users: &[UserId]) -> Result<(), DbError> {
    let mut d = Sql::new("DELETE FROM drill_participants WHERE drill_id = ");
    d.bind(id);
    d.execute(conn).await?;
    for chunk in users.chunks(200) {
        let mut q = Sql::new("INSERT INTO drill_participants (drill_id, user_id) VALUES ");
        for (k, u) in chunk.iter().enumerate() {
            if k > 0 {
                q.push(", ");
            }
            q.push("(").bind(id).push(", ").bind(u.0).push(")");
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Inserts a drill with its participants (not its problems); returns its id.
pub async fn insert(conn: &mut Conn, d: &Drill) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO drills (code, dr_plan_id, held_at, scenario, result, achieved_rto_hours, summary, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(d.code.clone()).push(", ");
    q.bind(d.dr_plan_id).push(", ");
    q.bind(d.held_at.to_db()).push(", ");
    q.bind(d.scenario.clone()).push(", ");
    q.bind(d.result.code()).push(", ");
    q.bind(d.achieved_rto_hours).push(", ");
    q.bind(d.summary.clone()).push(", ");
    q.bind(d.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(d.created_at.to_db())
        .push(", ")
        .bind(d.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    write_participants(conn, id, &d.participant_ids).await?;
    Ok(id)
}

/// One drill with its plan, participants and problems.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<DrillLine>, DbError> {
    let mut q = Sql::new(LINES);
    q.push(" AND id = ").bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes a drill (and its participants) if it is still at `d.version`; false when someone
/// changed it first.
pub async fn save(conn: &mut Conn, d: &Drill, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE drills SET held_at = ");
    q.bind(d.held_at.to_db());
    q.push(", scenario = ").bind(d.scenario.clone());
    q.push(", result = ").bind(d.result.code());
    q.push(", achieved_rto_hours = ").bind(d.achieved_rto_hours);
    q.push(", summary = ").bind(d.summary.clone());
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(d.id)
        .push(" AND version = ")
        .bind(d.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    write_participants(conn, d.id, &d.participant_ids).await?;
    Ok(true)
}

/// Adds a problem to a drill; returns its id.
pub async fn add_problem(
    conn: &mut Conn,
    drill: i64,
    kind: ProblemKind,
    description: &str,
    now: Timestamp,
) -> Result<i64, DbError> {
    let mut q =
        Sql::new("INSERT INTO drill_problems (drill_id, kind, description, created_at) VALUES (");
    q.bind(drill).push(", ");
    q.bind(kind.code()).push(", ");
    q.bind(description.to_owned()).push(", ");
    q.bind(now.to_db()).push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// Names a problem's rectification task; false if it already has one.
pub async fn set_rectification(conn: &mut Conn, problem: i64, task: i64) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE drill_problems SET rectification_id = ");
    q.bind(task)
        .push(" WHERE id = ")
        .bind(problem)
        .push(" AND rectification_id IS NULL");
    Ok(q.execute(conn).await? == 1)
}

/// Filters of the drill list.
#[derive(Debug, Clone, Default)]
pub struct DrillFilter {
    /// The plan drilled.
    pub plan: Option<i64>,
    /// The result.
    pub result: Option<DrillResult>,
    /// Only those that missed their plan's RTO.
    pub missed_rto: bool,
    /// Held on or after.
    pub from: Option<Day>,
    /// Held on or before.
    pub to: Option<Day>,
    /// Words of the code, scenario or plan title.
    pub q: Option<String>,
}

fn push_filter(q: &mut Sql, f: &DrillFilter) {
    if let Some(p) = f.plan {
        q.push(" AND dr_plan_id = ").bind(p);
    }
    if let Some(r) = f.result {
        q.push(" AND result = ").bind(r.code());
    }
    if f.missed_rto {
        q.push(" AND (achieved_rto_hours > plan_rto_hours OR (achieved_rto_hours IS NULL AND result = 'failed'))");
    }
    if let Some(d) = f.from {
        q.push(" AND held_at >= ").bind(d.to_db());
    }
    if let Some(d) = f.to {
        q.push(" AND held_at <= ").bind(d.to_db());
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND search LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
}

/// The sort keys of the drill list.
pub const SORTS: &[&str] = &["held_at", "code", "result"];

/// One page of drills.
pub async fn list(
    conn: &mut Conn,
    filter: &DrillFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<DrillLine>, Option<Cursor>), DbError> {
    let column = match sort.field {
        "code" => "code",
        "result" => "result",
        _ => "held_at",
    };
    let mut q = Sql::new(LINES);
    push_filter(&mut q, filter);
    crate::paging::keyset(&mut q, column, Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |l| {
        let key = match column {
            "code" => l.drill.code.clone(),
            "result" => l.drill.result.code().to_owned(),
            _ => l.drill.held_at.to_db(),
        };
        vec![KeyValue::Text(key), KeyValue::Int(l.drill.id)]
    });
    Ok((items, next))
}

/// How many drills match the filter.
pub async fn count(conn: &mut Conn, filter: &DrillFilter) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM (");
    q.push(LINES);
    push_filter(&mut q, filter);
    q.push(") c");
    q.fetch_one(conn).await?.try_get("n")
}

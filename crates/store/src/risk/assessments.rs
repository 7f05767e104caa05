//! Risk assessments: the project record with its scope, team, checklist and phase moves.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, corrupt, day_opt, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::ids::{AssessmentId, AssetId, DepartmentId, UserId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::risk::assessment::{Area, Phase, Technique};
use castellan_domain::risk::register::{Assessment, ChecklistItem, PhaseMove};
use castellan_domain::risk::{Level, RiskMethod, RiskTables};
use castellan_domain::{Day, Timestamp};

const COLUMNS: &str = "id, name, description, method, tables_version, tables, acceptance_threshold, phase, submitted_by, planned_start, planned_end, created_by, version, created_at, updated_at";
const FIELDS: &str = "name, description, method, tables_version, tables, acceptance_threshold, planned_start, planned_end";

/// The sort keys of the assessment list.
pub const SORTS: &[&str] = &["updated_at", "name"];

fn from_row(mut row: Row) -> Result<Assessment, DbError> {
    let tables: String = row.take("tables")?;
    let threshold: i64 = row.try_get("acceptance_threshold")?;
    Ok(Assessment {
        id: AssessmentId(row.try_get("id")?),
        name: row.take("name")?,
        description: row.take("description")?,
        method: code_of(&mut row, "method", RiskMethod::from_code)?,
        tables_version: row.try_get("tables_version")?,
        tables: serde_json::from_str::<RiskTables>(&tables)
            .map_err(|_| corrupt("tables", &tables))?,
        acceptance_threshold: Level::new(threshold)
            .map_err(|_| corrupt("acceptance_threshold", &threshold.to_string()))?,
        phase: code_of(&mut row, "phase", Phase::from_code)?,
        submitted_by: row.try_get::<Option<i64>, _>("submitted_by")?.map(UserId),
        planned_start: day_opt(&mut row, "planned_start")?,
        planned_end: day_opt(&mut row, "planned_end")?,
        created_by: row.try_get::<Option<i64>, _>("created_by")?.map(UserId),
        department_ids: Vec::new(),
        asset_ids: Vec::new(),
        team: Vec::new(),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// An assessment's own fields as written (scope and team are written separately).
#[derive(Debug, Clone, Copy)]
pub struct AssessmentFields<'a> {
    /// Name.
    pub name: &'a str,
    /// Description.
    pub description: Option<&'a str>,
    /// Method.
    pub method: RiskMethod,
    /// Version of the risk tables.
    pub tables_version: i64,
    /// The tables.
    pub tables: &'a RiskTables,
    /// Acceptance threshold.
    pub acceptance_threshold: Level,
    /// Planned start.
    pub planned_start: Option<Day>,
    /// Planned end.
    pub planned_end: Option<Day>,
}

fn bind_fields(q: &mut Sql, f: &AssessmentFields<'_>) -> Result<(), DbError> {
    let tables =
        serde_json::to_string(f.tables).map_err(|e| DbError::decode("tables", e.to_string()))?;
    q.bind(f.name.to_owned())
        .push(", ")
        .bind(f.description.map(str::to_owned))
        .push(", ")
        .bind(f.method.code())
        .push(", ")
        .bind(f.tables_version)
        .push(", ")
        .bind(tables)
        .push(", ")
        .bind(i64::from(f.acceptance_threshold.get()))
        .push(", ")
        .bind(f.planned_start.map(Day::to_db))
        .push(", ")
        .bind(f.planned_end.map(Day::to_db));
    Ok(())
}

/// Creates an assessment in `preparation`, with its default checklist.
pub async fn insert(
    conn: &mut Conn,
    f: &AssessmentFields<'_>,
    created_by: Option<UserId>,
    checklist: &[(Area, Technique)],
    now: Timestamp,
) -> Result<AssessmentId, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO assessments ({FIELDS}, phase, created_by, version, created_at, updated_at) VALUES ("
    ));
    bind_fields(&mut q, f)?;
    q.push(", ")
        .bind(Phase::Preparation.code())
        .push(", ")
        .bind(created_by.map(|u| u.0))
        .push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(") RETURNING id");
    let id = AssessmentId(q.fetch_one(&mut *conn).await?.try_get(0)?);
    for (area, technique) in checklist {
        let mut q = Sql::new(
            "INSERT INTO assessment_checklist (assessment_id, area, technique, done) VALUES (",
        );
        q.bind(id.0)
            .push(", ")
            .bind(area.code())
            .push(", ")
            .bind(technique.code())
            .push(", 0)");
        q.execute(&mut *conn).await?;
    }
    Ok(id)
}

/// Rewrites the fields if the version is still `expected_version`; false when it is not.
pub async fn update(
    conn: &mut Conn,
    id: AssessmentId,
    f: &AssessmentFields<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new(&format!("UPDATE assessments SET ({FIELDS}) = ("));
    bind_fields(&mut q, f)?;
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version);
    Ok(q.execute(conn).await? > 0)
}

/// Bumps the version and the change time (a change to the checklist, risks or treatment
/// plan), so readers of the assessment see that it changed.
pub async fn touch(conn: &mut Conn, id: AssessmentId, now: Timestamp) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE assessments SET version = version + 1, updated_at = ");
    q.bind(now.to_db()).push(" WHERE id = ").bind(id.0);
    q.execute(conn).await.map(|_| ())
}

/// Moves the assessment to `to` if it is still in `from` at `expected_version`, recording
/// the move; false when someone else changed it first.
#[allow(clippy::too_many_arguments)]
pub async fn move_phase(
    conn: &mut Conn,
    id: AssessmentId,
    from: Phase,
    to: Phase,
    submitted_by: Option<UserId>,
    actor: (Option<UserId>, &str),
    comment: Option<&str>,
    now: Timestamp,
) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE assessments SET phase = ");
    q.bind(to.code())
        .push(", submitted_by = ")
        .bind(submitted_by.map(|u| u.0))
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND phase = ")
        .bind(from.code());
    if q.execute(&mut *conn).await? == 0 {
        return Ok(false);
    }
    crate::workflow::record_move(
        conn,
        castellan_domain::risk::assessment::FLOW.process,
        id.0,
        from.code(),
        to.code(),
        actor,
        comment,
        now,
    )
    .await?;
    Ok(true)
}

/// Replaces the scope and team.
pub async fn set_members(
    conn: &mut Conn,
    id: AssessmentId,
    departments: &[DepartmentId],
    assets: &[AssetId],
    team: &[UserId],
) -> Result<(), DbError> {
    let lists: [(&str, &str, Vec<i64>); 3] = [
        (
            "assessment_departments",
            "department_id",
            departments.iter().map(|d| d.0).collect(),
        ),
        (
            "assessment_assets",
            "asset_id",
            assets.iter().map(|a| a.0).collect(),
        ),
        (
            "assessment_team",
            "user_id",
            team.iter().map(|u| u.0).collect(),
        ),
    ];
    for (table, column, ids) in lists {
        let mut q = Sql::new(&format!("DELETE FROM {table} WHERE assessment_id = "));
        q.bind(id.0);
        q.execute(&mut *conn).await?;
        for chunk in ids.chunks(400) {
            let mut q = Sql::new(&format!(
                "INSERT INTO {table} (assessment_id, {column}) VALUES "
            ));
            for (i, member) in chunk.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.push("(").bind(id.0).push(", ").bind(*member).push(")");
            }
            q.execute(&mut *conn).await?;
        }
    }
    Ok(())
}

async fn ids_of(
    conn: &mut Conn,
    table: &str,
    column: &str,
    id: AssessmentId,
) -> Result<Vec<i64>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {column} FROM {table} WHERE assessment_id = "
    ));
    q.bind(id.0).push(&format!(" ORDER BY {column}"));
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| r.try_get(0))
        .collect()
}

/// One assessment with its scope and team.
pub async fn get(conn: &mut Conn, id: AssessmentId) -> Result<Option<Assessment>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assessments WHERE id = "));
    q.bind(id.0);
    let Some(row) = q.fetch_optional(&mut *conn).await? else {
        return Ok(None);
    };
    let mut a = from_row(row)?;
    a.department_ids = ids_of(conn, "assessment_departments", "department_id", id)
        .await?
        .into_iter()
        .map(DepartmentId)
        .collect();
    a.asset_ids = ids_of(conn, "assessment_assets", "asset_id", id)
        .await?
        .into_iter()
        .map(AssetId)
        .collect();
    a.team = ids_of(conn, "assessment_team", "user_id", id)
        .await?
        .into_iter()
        .map(UserId)
        .collect();
    Ok(Some(a))
}

/// The moves of an assessment, oldest first.
pub async fn moves(conn: &mut Conn, id: AssessmentId) -> Result<Vec<PhaseMove>, DbError> {
    crate::workflow::moves(conn, castellan_domain::risk::assessment::FLOW.process, id.0)
        .await?
        .into_iter()
        .map(|m| {
            let phase = |s: &str| Phase::from_code(s).map_err(|_| corrupt("to_state", s));
            Ok(PhaseMove {
                id: m.id,
                from: phase(&m.from)?,
                to: phase(&m.to)?,
                actor_id: m.actor_id,
                actor: m.actor,
                at: m.at,
                comment: m.comment,
            })
        })
        .collect()
}

/// The checklist, in area and technique order.
pub async fn checklist(conn: &mut Conn, id: AssessmentId) -> Result<Vec<ChecklistItem>, DbError> {
    let mut q = Sql::new(
        "SELECT area, technique, done, note FROM assessment_checklist WHERE assessment_id = ",
    );
    q.bind(id.0);
    let mut items = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(ChecklistItem {
                area: code_of(&mut row, "area", Area::from_code)?,
                technique: code_of(&mut row, "technique", Technique::from_code)?,
                done: row.try_get::<i64, _>("done")? != 0,
                note: row.take("note")?,
            })
        })
        .collect::<Result<Vec<_>, DbError>>()?;
    items.sort_by_key(|i| (i.area, i.technique));
    Ok(items)
}

/// Marks a checklist row done or not, with a note; adds the row when it is not planned yet.
pub async fn set_checklist_item(
    conn: &mut Conn,
    id: AssessmentId,
    item: &ChecklistItem,
) -> Result<(), DbError> {
    let mut q = Sql::new(
        "INSERT INTO assessment_checklist (assessment_id, area, technique, done, note) VALUES (",
    );
    q.bind(id.0)
        .push(", ")
        .bind(item.area.code())
        .push(", ")
        .bind(item.technique.code())
        .push(", ")
        .bind(i64::from(item.done))
        .push(", ")
        .bind(item.note.clone())
        .push(") ON CONFLICT (assessment_id, area, technique) DO UPDATE SET done = excluded.done, note = excluded.note");
    q.execute(conn).await.map(|_| ())
}

/// Which assessments a list shows.
#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    /// In this phase.
    pub phase: Option<Phase>,
    /// Substring of the name.
    pub q: Option<String>,
    /// With this user on the team.
    pub member: Option<UserId>,
}

/// One page of assessments (most recently changed first by default).
pub async fn list(
    conn: &mut Conn,
    filter: &AssessmentFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Assessment>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assessments WHERE 1 = 1"));
    if let Some(p) = filter.phase {
        q.push(" AND phase = ").bind(p.code());
    }
    if let Some(text) = filter.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND LOWER(name) LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
    if let Some(u) = filter.member {
        q.push(" AND id IN (SELECT assessment_id FROM assessment_team WHERE user_id = ")
            .bind(u.0)
            .push(")");
    }
    let by_name = sort.field == "name";
    let column = if by_name { "name" } else { "updated_at" };
    crate::paging::keyset(&mut q, column, crate::paging::Kind::Text, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Assessment> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |a| {
        let key = if by_name {
            KeyValue::Text(a.name.clone())
        } else {
            KeyValue::Text(a.updated_at.to_db())
        };
        vec![key, KeyValue::Int(a.id.0)]
    });
    Ok((items, next))
}

/// The open assessments in phases whose ratings follow the organization's tables (those
/// that have not been submitted for review yet).
pub async fn rerated_by_table_change(conn: &mut Conn) -> Result<Vec<Assessment>, DbError> {
    let phases = [
        Phase::Preparation,
        Phase::Identification,
        Phase::Analysis,
        Phase::TreatmentPlanning,
    ];
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM assessments WHERE phase IN ("
    ));
    q.bind_list(phases.iter().map(|p| p.code()))
        .push(") ORDER BY id");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Records that an assessment now uses tables `version`.
pub async fn set_tables(
    conn: &mut Conn,
    id: AssessmentId,
    version: i64,
    tables: &RiskTables,
    now: Timestamp,
) -> Result<(), DbError> {
    let text =
        serde_json::to_string(tables).map_err(|e| DbError::decode("tables", e.to_string()))?;
    let mut q = Sql::new("UPDATE assessments SET tables_version = ");
    q.bind(version)
        .push(", tables = ")
        .bind(text)
        .push(", version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0);
    q.execute(conn).await.map(|_| ())
}

/// Assessments in one of `phases` that `user` neither created, submitted nor works on (the
/// ones waiting for their decision), longest waiting first.
pub async fn waiting(
    conn: &mut Conn,
    phases: &[Phase],
    user: UserId,
    limit: u32,
) -> Result<Vec<Assessment>, DbError> {
    if phases.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM assessments WHERE phase IN ("
    ));
    q.bind_list(phases.iter().map(|p| p.code()))
        .push(") AND COALESCE(created_by, 0) <> ")
        .bind(user.0)
        .push(" AND COALESCE(submitted_by, 0) <> ")
        .bind(user.0)
        .push(" AND id NOT IN (SELECT assessment_id FROM assessment_team WHERE user_id = ")
        .bind(user.0)
        .push(") ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Assessments with risks waiting for a committee decision — keeping or accepting a risk at
/// or above the acceptance threshold, or accepting such a residual risk — that `user`
/// neither created, submitted nor works on, with how many such risks each has, longest
/// waiting first.
pub async fn committee_decisions_waiting(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<(Assessment, i64)>, DbError> {
    let mut q = Sql::new(&format!(
        // Two counts, each served by an index: kept or accepted high risks through
        // `risks_treatment (assessment_id, treatment, …)`, residual ones (only in the
        // residual phases) through `risks_residual_heat`. One count with an OR of both read
        // every risk of the assessment on PostgreSQL.
        "SELECT * FROM (SELECT {COLUMNS}, (SELECT COUNT(*) FROM risks r WHERE r.assessment_id = a.id AND r.treatment IN ('keep', 'accept') AND r.risk_level >= a.acceptance_threshold AND r.approved_by IS NULL) + (CASE WHEN a.phase IN ('residual_assessment', 'residual_review') THEN (SELECT COUNT(*) FROM risks r WHERE r.assessment_id = a.id AND r.residual_likelihood_level IS NOT NULL AND r.residual_risk_level >= a.acceptance_threshold AND r.residual_accepted_by IS NULL) ELSE 0 END) AS pending FROM assessments a WHERE a.phase IN ('treatment_planning', 'review', 'residual_assessment', 'residual_review') AND COALESCE(a.created_by, 0) <> "
    ));
    q.bind(user.0)
        .push(" AND COALESCE(a.submitted_by, 0) <> ")
        .bind(user.0)
        .push(" AND a.id NOT IN (SELECT assessment_id FROM assessment_team WHERE user_id = ")
        .bind(user.0)
        .push(")) x WHERE pending > 0 ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            let pending: i64 = row.take("pending")?;
            Ok((from_row(row)?, pending))
        })
        .collect()
}

//! Treatment-plan items (SPEC §4.3): per risk, the measures with their control, responsible
//! department and person, due date, status and progress notes; and each person's tasks
//! across assessments.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, day_opt, ts};
use crate::sql::Sql;
use castellan_domain::ids::{
    AssessmentId, ControlId, DepartmentId, RiskId, TreatmentItemId, UserId,
};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::risk::assessment::Phase;
use castellan_domain::risk::finding::TreatmentStatus;
use castellan_domain::risk::register::TreatmentItem;
use castellan_domain::{Day, Timestamp};
use std::collections::HashMap;

const COLUMNS: &str = "id, risk_id, assessment_id, measure, control_id, department_id, responsible_id, due_on, status, progress, version, created_at, updated_at";
const FIELDS: &str = "measure, control_id, department_id, responsible_id, due_on, status, progress";

/// The due date that sorts an item without one after every dated item.
const NO_DUE_DATE: &str = "9999-12-31";

/// The sort of a person's task list (soonest due first, undated last).
pub const TASK_SORT: Sort = Sort {
    field: "due_on",
    descending: false,
};

fn from_row(mut row: Row) -> Result<TreatmentItem, DbError> {
    Ok(TreatmentItem {
        id: TreatmentItemId(row.try_get("id")?),
        risk_id: RiskId(row.try_get("risk_id")?),
        assessment_id: AssessmentId(row.try_get("assessment_id")?),
        measure: row.take("measure")?,
        control_id: row.try_get::<Option<i64>, _>("control_id")?.map(ControlId),
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        responsible_id: row.try_get::<Option<i64>, _>("responsible_id")?.map(UserId),
        due_on: day_opt(&mut row, "due_on")?,
        status: code_of(&mut row, "status", TreatmentStatus::from_code)?,
        progress: row.take("progress")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// An item's changeable fields as written.
#[derive(Debug, Clone, Copy)]
pub struct ItemFields<'a> {
    /// What will be done.
    pub measure: &'a str,
    /// The control it puts in place or improves.
    pub control_id: Option<ControlId>,
    /// Responsible department.
    pub department_id: Option<DepartmentId>,
    /// Responsible person.
    pub responsible_id: Option<UserId>,
    /// Due date.
    pub due_on: Option<Day>,
    /// Status.
    pub status: TreatmentStatus,
    /// Progress notes.
    pub progress: Option<&'a str>,
}

impl<'a> ItemFields<'a> {
    /// The fields of a stored item.
    pub fn of(item: &'a TreatmentItem) -> Self {
        ItemFields {
            measure: &item.measure,
            control_id: item.control_id,
            department_id: item.department_id,
            responsible_id: item.responsible_id,
            due_on: item.due_on,
            status: item.status,
            progress: item.progress.as_deref(),
        }
    }
}

fn bind_fields(q: &mut Sql, f: &ItemFields<'_>) {
    q.bind(f.measure.to_owned())
        .push(", ")
        .bind(f.control_id.map(|c| c.0))
        .push(", ")
        .bind(f.department_id.map(|d| d.0))
        .push(", ")
        .bind(f.responsible_id.map(|u| u.0))
        .push(", ")
        .bind(f.due_on.map(Day::to_db))
        .push(", ")
        .bind(f.status.code())
        .push(", ")
        .bind(f.progress.map(str::to_owned));
}

/// Adds an item to a risk's plan.
pub async fn insert(
    conn: &mut Conn,
    assessment: AssessmentId,
    risk: RiskId,
    f: &ItemFields<'_>,
    now: Timestamp,
) -> Result<TreatmentItem, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO treatment_items (risk_id, assessment_id, {FIELDS}, version, created_at, updated_at) VALUES ("
    ));
    q.bind(risk.0).push(", ").bind(assessment.0).push(", ");
    bind_fields(&mut q, f);
    q.push(", 1, ")
        .bind(now.to_db())
        .push(", ")
        .bind(now.to_db())
        .push(&format!(") RETURNING {COLUMNS}"));
    from_row(q.fetch_one(conn).await?)
}

/// One item.
pub async fn get(conn: &mut Conn, id: TreatmentItemId) -> Result<Option<TreatmentItem>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM treatment_items WHERE id = "
    ));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Writes every changeable field of `item` if its stored version is still `item.version`;
/// returns the stored item, or `None` when the version did not match.
pub async fn save(
    conn: &mut Conn,
    item: &TreatmentItem,
    now: Timestamp,
) -> Result<Option<TreatmentItem>, DbError> {
    let mut q = Sql::new(&format!("UPDATE treatment_items SET ({FIELDS}) = ("));
    bind_fields(&mut q, &ItemFields::of(item));
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(item.id.0)
        .push(" AND version = ")
        .bind(item.version)
        .push(&format!(" RETURNING {COLUMNS}"));
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Removes an item if its version is still `expected_version`; false when it is not (or
/// the item is gone).
pub async fn delete(
    conn: &mut Conn,
    id: TreatmentItemId,
    expected_version: i64,
) -> Result<bool, DbError> {
    let mut q = Sql::new("DELETE FROM treatment_items WHERE id = ");
    q.bind(id.0).push(" AND version = ").bind(expected_version);
    Ok(q.execute(conn).await? > 0)
}

/// The whole plan of an assessment, by risk and then in the order the items were added.
pub async fn list_for_assessment(
    conn: &mut Conn,
    assessment: AssessmentId,
) -> Result<Vec<TreatmentItem>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM treatment_items WHERE assessment_id = "
    ));
    q.bind(assessment.0).push(" ORDER BY risk_id, id");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// The plan of one risk, in the order the items were added.
pub async fn list_for_risk(conn: &mut Conn, risk: RiskId) -> Result<Vec<TreatmentItem>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM treatment_items WHERE risk_id = "
    ));
    q.bind(risk.0).push(" ORDER BY id");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// One page of the items `user` is responsible for, soonest due first (undated last);
/// `open_only` keeps the planned and started ones.
pub async fn assigned_to(
    conn: &mut Conn,
    user: UserId,
    open_only: bool,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<TreatmentItem>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM treatment_items WHERE responsible_id = "
    ));
    q.bind(user.0);
    if open_only {
        q.push(" AND status IN (")
            .bind_list(
                TreatmentStatus::ALL
                    .into_iter()
                    .filter(|s| s.is_open())
                    .map(TreatmentStatus::code),
            )
            .push(")");
    }
    // Both engines compare the COALESCE as text; 9999-12-31 sorts after every real date.
    let key = format!("COALESCE(due_on, '{NO_DUE_DATE}')");
    crate::paging::keyset(&mut q, &key, crate::paging::Kind::Text, TASK_SORT, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<TreatmentItem> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, TASK_SORT, |i| {
        vec![
            KeyValue::Text(i.due_on.map_or_else(|| NO_DUE_DATE.to_owned(), Day::to_db)),
            KeyValue::Int(i.id.0),
        ]
    });
    Ok((items, next))
}

/// What a task list shows beside an item: its assessment and the risk's asset and threat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskContext {
    /// The assessment's name.
    pub assessment_name: String,
    /// The assessment's phase.
    pub assessment_phase: Phase,
    /// The risk's asset code.
    pub asset_code: String,
    /// The risk's threat code.
    pub threat_code: String,
}

/// The context of some risks, in one query.
pub async fn contexts(
    conn: &mut Conn,
    risks: &[RiskId],
) -> Result<HashMap<RiskId, RiskContext>, DbError> {
    let mut out = HashMap::new();
    if risks.is_empty() {
        return Ok(out);
    }
    let mut q = Sql::new(
        "SELECT r.id AS id, s.name AS assessment_name, s.phase AS assessment_phase, a.code AS asset_code, t.code AS threat_code FROM risks r JOIN assessments s ON s.id = r.assessment_id JOIN assets a ON a.id = r.asset_id JOIN threats t ON t.id = r.threat_id WHERE r.id IN (",
    );
    q.bind_list(risks.iter().map(|r| r.0)).push(")");
    for mut row in q.fetch_all(conn).await? {
        let id = RiskId(row.try_get("id")?);
        out.insert(
            id,
            RiskContext {
                assessment_name: row.take("assessment_name")?,
                assessment_phase: code_of(&mut row, "assessment_phase", Phase::from_code)?,
                asset_code: row.take("asset_code")?,
                threat_code: row.take("threat_code")?,
            },
        );
    }
    Ok(out)
}

//! The records rectification tasks come from. Each source area says whether the caller
//! reads a record and may open tasks from it; this is the one place that asks them, so a
//! new source (inspections, drills, audits) adds one arm here and its variant to
//! `RectificationSource`.

use crate::Ctx;
use crate::error::Result;
use castellan_domain::ids::DepartmentId;
use castellan_domain::rectification::RectificationSource;
use castellan_store::Conn;

/// A source record as the caller sees it.
#[derive(Debug, Clone)]
pub struct SourceRecord {
    /// The kind of source.
    pub source: RectificationSource,
    /// Its id.
    pub id: i64,
    /// Its readable code.
    pub code: String,
    /// Its title.
    pub title: String,
    /// Its department (the tasks' department, for readers limited to departments).
    pub department_id: Option<DepartmentId>,
    /// Whether the caller may open tasks from it (they handle it).
    pub manages: bool,
    /// Whether tasks may be opened from it in its present state.
    pub open: bool,
}

/// The source record, if the caller reads it (else 404, as for the record itself).
pub(crate) async fn find(
    conn: &mut Conn,
    ctx: &Ctx,
    source: RectificationSource,
    id: i64,
) -> Result<SourceRecord> {
    match source {
        RectificationSource::Incident => {
            let s = crate::incident::incidents::as_source(conn, ctx, id).await?;
            let open = s.open();
            Ok(SourceRecord {
                source,
                id,
                code: s.incident.code,
                title: s.incident.title,
                department_id: s.incident.department_id,
                manages: s.manages,
                open,
            })
        }
        RectificationSource::Inspection => {
            let (i, p, manages) = crate::inspection::inspections::as_source(conn, ctx, id).await?;
            Ok(SourceRecord {
                source,
                id,
                code: i.code,
                title: p.title,
                department_id: p.department_id,
                manages,
                open: i.status == castellan_domain::inspection::InspectionStatus::InProgress,
            })
        }
        RectificationSource::Drill => {
            let (code, title, department_id, manages) =
                crate::continuity::drills::as_source(conn, ctx, id).await?;
            Ok(SourceRecord {
                source,
                id,
                code,
                title,
                department_id,
                manages,
                // A drill's problems are put right whenever they are found.
                open: true,
            })
        }
    }
}

/// Whether the caller reads the source record (a refusal is "no", a failure an error).
pub(crate) async fn readable(
    conn: &mut Conn,
    ctx: &Ctx,
    source: RectificationSource,
    id: i64,
) -> Result<bool> {
    match find(conn, ctx, source, id).await {
        Ok(_) => Ok(true),
        Err(crate::Error::Domain(castellan_domain::DomainError::NotFound { .. })) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Leaves the source's trace of a new task (an incident's timeline entry).
pub(crate) async fn note_task(
    conn: &mut Conn,
    ctx: &Ctx,
    source: RectificationSource,
    id: i64,
    code: &str,
    description: &str,
    now: castellan_domain::Timestamp,
) -> Result<()> {
    match source {
        RectificationSource::Incident => {
            crate::incident::incidents::note_task(conn, ctx, id, code, description, now).await
        }
        // The finding names its task on the inspection's result line.
        RectificationSource::Inspection => Ok(()),
        // The drill's problem line names its task.
        RectificationSource::Drill => Ok(()),
    }
}

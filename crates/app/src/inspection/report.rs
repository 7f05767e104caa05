//! Everything an inspection report shows, read once: the inspection with its plan, items,
//! results, findings and their tasks, the people's and the department's names. Downloading
//! it is audited.

use super::inspections::{self, InspectionView};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::ids::UserId;
use castellan_domain::inspection::audit::{InspectionAction, InspectionRecord};
use std::collections::HashMap;

/// An inspection report's contents.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The inspection as the caller sees it.
    pub view: InspectionView,
    /// Its checklist's name (English, Chinese).
    pub checklist: (String, Option<String>),
    /// The plan's department's name.
    pub department: Option<String>,
    /// Display names of everyone it names.
    pub people: HashMap<UserId, String>,
    /// Evidence file names per item code.
    pub evidence: Vec<(String, Vec<String>)>,
}

/// The report of an inspection the caller reads, in `format` (recorded in the trail).
pub async fn inspection(app: &App, ctx: &Ctx, id: i64, format: &str) -> Result<ReportData> {
    let view = inspections::get(app, ctx, id).await?;
    let evidence = inspections::evidence(app, ctx, id)
        .await?
        .into_iter()
        .map(|(code, files)| (code, files.into_iter().map(|f| f.name).collect()))
        .collect();
    let mut ids: Vec<UserId> = view.inspection.inspector_ids.clone();
    ids.extend(view.inspection.completed_by);
    ids.extend(view.plan.approved_by);
    for t in &view.tasks {
        ids.push(t.task.responsible_id);
        ids.push(t.task.verifier_id);
    }
    for l in &view.lines {
        ids.extend(l.recorded_by);
    }
    ids.sort();
    ids.dedup();
    let people = crate::request::requests::display_names(app, &ids).await?;
    let mut conn = app.db().read().await?;
    let checklist = castellan_store::inspection::checklists::get(&mut conn, view.plan.checklist_id)
        .await?
        .map(|c| (c.name, c.name_zh))
        .unwrap_or_default();
    let department = match view.plan.department_id {
        Some(d) => castellan_store::org::departments::get(&mut conn, d)
            .await?
            .map(|d| d.name),
        None => None,
    };
    drop(conn);
    let mut tx = app.db().begin().await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(InspectionAction::Report, InspectionRecord::Inspection, id)
            .after(&serde_json::json!({"format": format})),
    )
    .await?;
    tx.commit().await?;
    Ok(ReportData {
        view,
        checklist,
        department,
        people,
        evidence,
    })
}

//! The incident list as an XLSX workbook, with the filters of the page, headers and labels in
//! the reader's language; the export is recorded in the audit trail.

use super::incidents::{IncidentQuery, deadlines, filter_for};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::incident::audit::IncidentRecord;
use castellan_domain::paging::{Cursor, Sort};
use castellan_domain::{Lang, Text, Timestamp, UserId};
use castellan_store::incident::incidents as store;
use castellan_store::org::{departments, users};
use castellan_tabular::{Cell, TableWriter};
use std::collections::HashMap;

/// The most incidents one export writes.
pub const EXPORT_CAP: u32 = 200_000;

fn opt(s: Option<&str>) -> Cell<'_> {
    s.map_or(Cell::Empty, Cell::Text)
}

/// The incidents matching `query` that the caller may read, newest report first, as an XLSX
/// workbook in `lang`. Returns how many were written and the file.
pub async fn export_xlsx(
    app: &App,
    ctx: &Ctx,
    query: &IncidentQuery,
    lang: Lang,
) -> Result<(u64, Vec<u8>)> {
    let zh = lang == Lang::ZhCn;
    let label = |t: Text| if zh { t.zh } else { t.en };
    let headers: Vec<&str> = [
        ("Code", "编号"),
        ("Title", "事件标题"),
        ("Status", "状态"),
        ("Class", "事件类别"),
        ("Level", "事件级别"),
        ("Category", "事件分类"),
        ("Reporter", "报告人"),
        ("Department", "部门"),
        ("Occurred (UTC)", "发生时间（UTC）"),
        ("Reported (UTC)", "报告时间（UTC）"),
        ("Triaged (UTC)", "研判时间（UTC）"),
        ("Triage late", "研判超时"),
        ("Committee notice late", "报告领导小组超时"),
        ("Closed (UTC)", "关闭时间（UTC）"),
        ("Root cause", "根本原因"),
        ("Lessons learned", "经验教训"),
    ]
    .iter()
    .map(|(en, z)| if zh { *z } else { *en })
    .collect();
    let mut conn = app.db().read().await?;
    let filter = filter_for(&mut conn, ctx, query).await?;
    let (d, _) = deadlines(&mut conn).await?;
    let sort = Sort::parse(Some("-reported_at"), store::SORTS)
        .map_err(|k| castellan_domain::FieldErrors::single("sort", k))?;
    let mut writer = TableWriter::xlsx(
        Vec::new(),
        if zh { "安全事件" } else { "incidents" },
        &headers,
    )
    .map_err(crate::Error::internal)?;
    let now = Timestamp::now();
    let (yes, no) = (
        label(Text {
            en: "Yes",
            zh: "是",
        }),
        label(Text {
            en: "No", zh: "否"
        }),
    );
    let mut names: HashMap<UserId, String> = HashMap::new();
    let mut depts: HashMap<castellan_domain::DepartmentId, String> = HashMap::new();
    let mut after: Option<Cursor> = None;
    let mut written = 0_u64;
    loop {
        let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), 1_000).await?;
        for i in &items {
            if let Some(u) = i.reporter_id
                && !names.contains_key(&u)
                && let Some(user) = users::get(&mut conn, u).await?
            {
                names.insert(u, user.display_name);
            }
            if let Some(dept) = i.department_id
                && !depts.contains_key(&dept)
                && let Some(found) = departments::get(&mut conn, dept).await?
            {
                depts.insert(dept, found.name);
            }
            let (occurred, reported) = (
                i.occurred_at.display_minutes(),
                i.reported_at.display_minutes(),
            );
            let triaged = i.triaged_at.map(|t| t.display_minutes());
            let closed = i.closed_at.map(|t| t.display_minutes());
            writer
                .row(&[
                    Cell::Text(&i.code),
                    Cell::Text(&i.title),
                    Cell::Text(label(i.status.label())),
                    opt(i.class.map(|c| label(c.label()))),
                    opt(i.level.map(|c| label(c.label()))),
                    opt(i.category.map(|c| label(c.label()))),
                    opt(i
                        .reporter_id
                        .and_then(|u| names.get(&u))
                        .map(String::as_str)),
                    opt(i
                        .department_id
                        .and_then(|x| depts.get(&x))
                        .map(String::as_str)),
                    Cell::Text(&occurred),
                    Cell::Text(&reported),
                    opt(triaged.as_deref()),
                    Cell::Text(if i.triage_overdue(d, now) { yes } else { no }),
                    Cell::Text(if i.notice_late(d, now) { yes } else { no }),
                    opt(closed.as_deref()),
                    opt(i.root_cause.as_deref()),
                    opt(i.lessons_learned.as_deref()),
                ])
                .map_err(crate::Error::internal)?;
            written += 1;
        }
        if written >= u64::from(EXPORT_CAP) || next.is_none() {
            break;
        }
        after = next;
    }
    let bytes = writer.finish().map_err(crate::Error::internal)?;
    drop(conn);
    let mut tx = app.db().begin().await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Export, IncidentRecord::Incident, "bulk").after(&serde_json::json!({
            "incidents": written, "format": "xlsx",
        })),
    )
    .await?;
    tx.commit().await?;
    Ok((written, bytes))
}

//! The request list as an XLSX workbook (the filtered list, or the breaches of the access
//! deadline).

use super::*;

/// Every request matching the query (for export; at most `cap`).
pub async fn export(app: &App, ctx: &Ctx, query: &RequestQuery, cap: u32) -> Result<Vec<Request>> {
    let mut conn = app.db().read().await?;
    let filter = filter_for(&mut conn, ctx, query).await?;
    let sort = Sort::parse(Some("-created_at"), store::SORTS)
        .map_err(|k| FieldErrors::single("sort", k))?;
    let (items, _) = store::list(&mut conn, &filter, Timestamp::now(), sort, None, cap).await?;
    Ok(items)
}

fn opt_cell(s: Option<&str>) -> castellan_tabular::Cell<'_> {
    s.map_or(
        castellan_tabular::Cell::Empty,
        castellan_tabular::Cell::Text,
    )
}

/// The most requests one export writes.
pub const EXPORT_CAP: u32 = 200_000;

/// The requests matching `query` that the caller may see, as an XLSX workbook with headers
/// in `lang` (the breach list is `breached: Some(true)`), newest first; the export is
/// recorded in the audit trail. Returns the number of requests and the file.
pub async fn export_xlsx(
    app: &App,
    ctx: &Ctx,
    query: &RequestQuery,
    lang: castellan_domain::Lang,
) -> Result<(u64, Vec<u8>)> {
    use castellan_tabular::{Cell, TableWriter};
    let zh = lang == castellan_domain::Lang::ZhCn;
    let headers: Vec<&str> = [
        ("Code", "编号"),
        ("Kind", "类型"),
        ("Title", "标题"),
        ("Status", "状态"),
        ("Origin", "来源"),
        ("Requester", "申请人"),
        ("Person concerned", "涉及人员"),
        ("Department", "部门"),
        ("Created (UTC)", "创建时间（UTC）"),
        ("Due (UTC)", "完成时限（UTC）"),
        ("Implemented (UTC)", "实施时间（UTC）"),
        ("Deadline", "时限"),
    ]
    .iter()
    .map(|(en, z)| if zh { *z } else { *en })
    .collect();
    let mut conn = app.db().read().await?;
    let filter = filter_for(&mut conn, ctx, query).await?;
    let sort = Sort::parse(Some("-created_at"), store::SORTS)
        .map_err(|k| FieldErrors::single("sort", k))?;
    let mut writer = TableWriter::xlsx(Vec::new(), if zh { "申请" } else { "requests" }, &headers)
        .map_err(crate::Error::internal)?;
    let now = Timestamp::now();
    let mut names: std::collections::HashMap<UserId, String> = std::collections::HashMap::new();
    let mut depts: std::collections::HashMap<castellan_domain::DepartmentId, String> =
        std::collections::HashMap::new();
    let mut after: Option<Cursor> = None;
    let mut written = 0_u64;
    loop {
        let (items, next) =
            store::list(&mut conn, &filter, now, sort, after.as_ref(), 1_000).await?;
        for r in &items {
            for u in [r.requester_id, r.subject_user_id].into_iter().flatten() {
                if !names.contains_key(&u)
                    && let Some(user) = users::get(&mut conn, u).await?
                {
                    names.insert(u, user.display_name);
                }
            }
            if let Some(d) = r.department_id
                && !depts.contains_key(&d)
                && let Some(dept) = departments::get(&mut conn, d).await?
            {
                depts.insert(d, dept.name);
            }
            let label = |t: castellan_domain::Text| if zh { t.zh } else { t.en };
            let name = |u: Option<UserId>| u.and_then(|u| names.get(&u)).map(String::as_str);
            let deadline = match (r.deadline_met, r.is_breached(now), r.due_at) {
                (Some(true), _, _) => label(castellan_domain::Text {
                    en: "Met",
                    zh: "按时完成",
                }),
                (_, true, _) => label(castellan_domain::Text {
                    en: "Breached",
                    zh: "已超时",
                }),
                (_, _, Some(_)) => label(castellan_domain::Text {
                    en: "Open",
                    zh: "未到期",
                }),
                _ => "",
            };
            let created = r.created_at.display_minutes();
            let due = r.due_at.map(|t| t.display_minutes());
            let implemented = r.implemented_at.map(|t| t.display_minutes());
            writer
                .row(&[
                    Cell::Text(&r.code),
                    Cell::Text(label(r.kind.label())),
                    Cell::Text(&r.title),
                    Cell::Text(label(r.status.label())),
                    Cell::Text(label(r.origin.label())),
                    opt_cell(name(r.requester_id)),
                    opt_cell(name(r.subject_user_id)),
                    opt_cell(
                        r.department_id
                            .and_then(|d| depts.get(&d))
                            .map(String::as_str),
                    ),
                    Cell::Text(&created),
                    opt_cell(due.as_deref()),
                    opt_cell(implemented.as_deref()),
                    if deadline.is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(deadline)
                    },
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
        Event::new(Verb::Export, RequestRecord::Request, "bulk").after(&serde_json::json!({
            "requests": written, "format": "xlsx", "breached": query.breached,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok((written, bytes))
}

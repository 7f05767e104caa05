//! The rectification task list as an XLSX workbook, with the filters of the page, headers
//! and labels in the reader's language; the export is recorded in the audit trail.

use super::tasks::{TaskQuery, filter_for, today};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::paging::{Cursor, Sort};
use castellan_domain::rectification::audit::RectificationRecord;
use castellan_domain::{Action, Lang, Resource, Target, Text, UserId};
use castellan_store::org::users;
use castellan_store::rectification::tasks as store;
use castellan_tabular::{Cell, TableWriter};
use std::collections::HashMap;

/// The most tasks one export writes.
pub const EXPORT_CAP: u32 = 200_000;

fn opt(s: Option<&str>) -> Cell<'_> {
    s.map_or(Cell::Empty, Cell::Text)
}

/// The tasks matching `query` that the caller reads, soonest due first, as an XLSX workbook
/// in `lang`. Returns how many were written and the file.
pub async fn export_xlsx(
    app: &App,
    ctx: &Ctx,
    query: &TaskQuery,
    lang: Lang,
) -> Result<(u64, Vec<u8>)> {
    ctx.principal
        .authorize(Resource::Rectification, Action::Read, Target::Global)?;
    let zh = lang == Lang::ZhCn;
    let label = |t: Text| if zh { t.zh } else { t.en };
    let headers: Vec<&str> = [
        ("Code", "编号"),
        ("What to put right", "整改内容"),
        ("Raised from", "来源"),
        ("Responsible", "责任人"),
        ("Verifier", "验证人"),
        ("Due", "完成期限"),
        ("Status", "状态"),
        ("Overdue", "已超期"),
        ("What was done", "整改情况"),
        ("Reported done (UTC)", "完成时间（UTC）"),
        ("Verified (UTC)", "验证时间（UTC）"),
    ]
    .iter()
    .map(|(en, z)| if zh { *z } else { *en })
    .collect();
    let today = today(app);
    let mut conn = app.db().read().await?;
    let filter = filter_for(&mut conn, ctx, query, today).await?;
    let sort = Sort::parse(Some("due_at"), store::SORTS)
        .map_err(|k| castellan_domain::FieldErrors::single("sort", k))?;
    let mut writer = TableWriter::xlsx(
        Vec::new(),
        if zh {
            "整改任务"
        } else {
            "rectification tasks"
        },
        &headers,
    )
    .map_err(crate::Error::internal)?;
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
    let mut after: Option<Cursor> = None;
    let mut written = 0_u64;
    loop {
        let (items, next) = store::list(&mut conn, &filter, sort, after.as_ref(), 1_000).await?;
        for t in &items {
            for u in [t.responsible_id, t.verifier_id] {
                if !names.contains_key(&u)
                    && let Some(user) = users::get(&mut conn, u).await?
                {
                    names.insert(u, user.display_name);
                }
            }
            let source = format!("{} {}", label(t.source.label()), t.source_code);
            let due = t.due_on.to_string();
            let done = t.done_at.map(|x| x.display_minutes());
            let verified = t.verified_at.map(|x| x.display_minutes());
            writer
                .row(&[
                    Cell::Text(&t.code),
                    Cell::Text(&t.description),
                    Cell::Text(&source),
                    opt(names.get(&t.responsible_id).map(String::as_str)),
                    opt(names.get(&t.verifier_id).map(String::as_str)),
                    Cell::Text(&due),
                    Cell::Text(label(t.status.label())),
                    Cell::Text(if t.overdue(today) { yes } else { no }),
                    opt(t.resolution.as_deref()),
                    opt(done.as_deref()),
                    opt(verified.as_deref()),
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
        Event::new(Verb::Export, RectificationRecord::Rectification, "bulk").after(
            &serde_json::json!({
                "rectifications": written, "format": "xlsx",
            }),
        ),
    )
    .await?;
    tx.commit().await?;
    Ok((written, bytes))
}

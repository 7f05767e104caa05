//! Exporting assets to CSV or XLSX with the same columns the import reads, streamed in
//! batches so a million assets never sit in memory as records.

use crate::asset::assets::{AssetQuery, filter_of};
use crate::asset::import::COLUMNS;
use crate::audit::{self, Event};
use crate::error::{Error, Result};
use crate::{App, Ctx};
use castellan_domain::asset::register::Asset;
use castellan_domain::{Action, DepartmentId, Lang, Resource, UserId};
use castellan_store::DbError;
use castellan_store::asset::assets as store;
use castellan_store::sql::Sql;
use castellan_tabular::{Cell, TableWriter};
use std::collections::HashMap;
use std::io::Write;

/// The file format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// UTF-8 CSV with a byte-order mark (Excel reads Chinese text correctly).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// Writes every asset the caller may see that matches `query` to `out`, and records the
/// export in the audit trail. Returns the number of assets written. Headers are the API
/// names (`Lang::En`) or the Chinese labels (`Lang::ZhCn`); both import again.
pub async fn export_assets<W: Write + Send>(
    app: &App,
    ctx: &Ctx,
    query: &AssetQuery,
    format: ExportFormat,
    headers: Lang,
    out: W,
) -> Result<(u64, W)> {
    let scope = ctx.principal.read_scope(Resource::Asset, Action::Read)?;
    let mut conn = app.db().read().await?;
    let filter = filter_of(&mut conn, query).await?;
    let departments = names(
        &mut conn,
        "SELECT id, COALESCE(code, name) FROM departments",
    )
    .await?;
    let users = names(&mut conn, "SELECT id, username FROM users").await?;
    let titles: Vec<&str> = COLUMNS
        .iter()
        .map(|(api, zh)| if headers == Lang::ZhCn { *zh } else { *api })
        .collect();
    let mut writer = match format {
        ExportFormat::Csv => TableWriter::csv(out, &titles),
        ExportFormat::Xlsx => TableWriter::xlsx(out, "assets", &titles),
    }
    .map_err(Error::internal)?;
    let total = store::for_each_batch(&mut conn, &filter, &scope, 2_000, |batch| {
        for a in &batch {
            write_row(&mut writer, a, &departments, &users)
                .map_err(|e| DbError::decode("export", e.to_string()))?;
        }
        Ok(())
    })
    .await?;
    let out = writer.finish().map_err(Error::internal)?;
    drop(conn);
    let mut tx = app.db().begin().await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Export,
            castellan_domain::asset::audit::AssetRecord::Asset,
            "bulk",
        )
        .after(&serde_json::json!({
            "assets": total,
            "format": match format { ExportFormat::Csv => "csv", ExportFormat::Xlsx => "xlsx" },
        })),
    )
    .await?;
    tx.commit().await?;
    Ok((total, out))
}

async fn names(conn: &mut castellan_store::Conn, sql: &str) -> Result<HashMap<i64, String>> {
    let mut map = HashMap::new();
    for row in Sql::new(sql).fetch_all(conn).await? {
        map.insert(row.try_get(0)?, row.try_get(1)?);
    }
    Ok(map)
}

fn text(s: Option<&str>) -> Cell<'_> {
    s.map_or(Cell::Empty, Cell::Text)
}

fn write_row<W: Write + Send>(
    w: &mut TableWriter<W>,
    a: &Asset,
    departments: &HashMap<i64, String>,
    users: &HashMap<i64, String>,
) -> std::result::Result<(), castellan_tabular::WriteError> {
    let department = a
        .department_id
        .and_then(|DepartmentId(d)| departments.get(&d))
        .map(String::as_str);
    let owner = a
        .owner_id
        .and_then(|UserId(u)| users.get(&u))
        .map(String::as_str);
    let tags = a.tags.join(";");
    w.row(&[
        Cell::Text(&a.code),
        Cell::Text(&a.name),
        Cell::Text(a.category.code()),
        text(department),
        text(owner),
        text(a.custodian.as_deref()),
        text(a.location.as_deref()),
        text(a.zone.map(|z| z.code())),
        text(a.classification.map(|c| c.code())),
        Cell::Int(i64::from(a.confidentiality.get())),
        Cell::Int(i64::from(a.integrity.get())),
        Cell::Int(i64::from(a.availability.get())),
        Cell::Text(a.status.code()),
        if tags.is_empty() {
            Cell::Empty
        } else {
            Cell::Text(&tags)
        },
        text(a.notes.as_deref()),
    ])
}

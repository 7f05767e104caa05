//! The printable version (HTML with the print stylesheet, or DOCX) — its first page holds
//! the document's information and the change history as the seeds keep it, the text
//! follows — and the comparison of two versions' texts.

use super::register::name_of;
use super::{texts, tx};
use crate::report::Format;
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::document::versions;
use castellan_document::diff::{self, LineKind};
use castellan_document::{Block, Cell, Column, Document, Table};
use castellan_domain::document::{Document as Doc, DocumentVersion};
use castellan_domain::{Day, Lang, UserId};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct PrintQuery {
    #[serde(default)]
    format: String,
}

fn day(app: &castellan_app::App, t: Option<castellan_domain::Timestamp>) -> String {
    t.map(|t| Day::of_at(t, app.settings().utc_offset()).to_string())
        .unwrap_or_default()
}

/// The printed document: information and change history on the first page, then the text.
fn layout(
    app: &castellan_app::App,
    lang: Lang,
    d: &Doc,
    v: &DocumentVersion,
    history: &[DocumentVersion],
    people: &HashMap<UserId, String>,
    department: String,
) -> Document {
    let tx = tx(lang);
    let with_day = |u: Option<UserId>, t: Option<castellan_domain::Timestamp>| {
        if u.is_none() {
            return String::new();
        }
        format!("{}\n{}", name_of(people, u), day(app, t))
    };
    let mut doc = Document::new(
        d.title.clone(),
        match lang {
            Lang::En => castellan_document::Lang::En,
            Lang::ZhCn => castellan_document::Lang::ZhCn,
        },
    );
    doc.subtitle = Some(format!(
        "{} · V{} · {}",
        d.code,
        v.number,
        v.status.label().get(lang)
    ));
    doc.blocks.push(Block::heading(1, tx.print_info));
    doc.blocks.push(Block::Facts(vec![
        (tx.code.to_owned(), d.code.clone()),
        (tx.kind.to_owned(), d.kind.label().get(lang).to_owned()),
        (tx.family.to_owned(), d.family.label().get(lang).to_owned()),
        (tx.owner.to_owned(), name_of(people, Some(d.owner_id))),
        (tx.department.to_owned(), department),
        (tx.col_version.to_owned(), format!("V{}", v.number)),
        (
            tx.effective_at.to_owned(),
            v.effective_at
                .map(|x| x.to_string())
                .unwrap_or_else(|| "—".into()),
        ),
    ]));
    doc.blocks.push(Block::Table(Table {
        caption: tx.history.to_owned(),
        columns: vec![
            Column::new(tx.col_version, 8.0),
            Column::new(tx.col_author, 16.0),
            Column::new(tx.col_reviewer, 16.0),
            Column::new(tx.col_approver, 16.0),
            Column::new(tx.col_effective, 12.0),
            Column::new(tx.col_note, 30.0),
        ],
        rows: history
            .iter()
            .map(|h| {
                vec![
                    Cell::text(format!("V{}", h.number)),
                    Cell::text(with_day(Some(h.author_id), Some(h.authored_at))),
                    Cell::text(with_day(h.reviewer_id, h.reviewed_at)),
                    Cell::text(with_day(h.approver_id, h.approved_at)),
                    Cell::text(h.effective_at.map(|x| x.to_string()).unwrap_or_default()),
                    Cell::text(h.change_note.clone()),
                ]
            })
            .collect(),
    }));
    doc.blocks.push(Block::PageBreak);
    match v.body.as_deref() {
        Some(body) => doc
            .blocks
            .extend(castellan_document::markdown::to_blocks(body)),
        None => doc.blocks.push(Block::paragraph(tx.no_text)),
    }
    doc
}

/// `GET /documents/{id}/versions/{version}/print?format=html|docx`.
pub async fn print(
    State(state): State<AppState>,
    web: Web,
    Path((id, vid)): Path<(i64, i64)>,
    Query(q): Query<PrintQuery>,
) -> Result<Response, Response> {
    let format = match q.format.as_str() {
        "" | "html" => Format::Html,
        "docx" => Format::Docx,
        _ => {
            return Err(web.error_page(
                StatusCode::NOT_FOUND,
                web.t().error_not_found,
                web.t().error_not_found,
            ));
        }
    };
    let ctx = web.ctx();
    let lang = web.lang();
    let (d, v, history) = versions::printable(&state.app, &ctx, id, vid)
        .await
        .map_err(|e| web.fail(e))?;
    let mut ids = vec![d.owner_id];
    for h in &history {
        ids.push(h.author_id);
        ids.extend(h.reviewer_id);
        ids.extend(h.approver_id);
    }
    let people = crate::ui::pages::rectification::tasks::names(&state, ids).await;
    let department = match d.department_id {
        Some(dep) => castellan_app::org::departments::tree(&state.app, &ctx)
            .await
            .ok()
            .and_then(|tree| {
                crate::ui::view::department_names(&tree)
                    .get(&dep.0)
                    .cloned()
            })
            .unwrap_or_default(),
        None => tx(lang).no_department.to_owned(),
    };
    let ascii = format!("{}-V{}", d.code, v.number);
    let utf8 = format!("{} {} V{}", d.code, d.title, v.number);
    let app = state.app.clone();
    crate::report::respond(
        move || layout(&app, lang, &d, &v, &history, &people, department),
        format,
        state.assets.report_css_path.clone(),
        &ascii,
        &utf8,
    )
    .await
    .map_err(|e| web.fail(e))
}

struct DiffRow {
    class: &'static str,
    mark: &'static str,
    old: String,
    new: String,
    text: String,
}

struct VersionOption {
    id: i64,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "documents/compare.html")]
struct ComparePage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    code: String,
    title: String,
    from: Vec<VersionOption>,
    to: Vec<VersionOption>,
    rows: Vec<DiffRow>,
    same: bool,
    enough: bool,
}

#[derive(Deserialize, Default)]
pub struct CompareQuery {
    from: Option<i64>,
    to: Option<i64>,
}

/// `GET /documents/{id}/compare?from=&to=`: the change between two versions' texts (by
/// default the two newest).
pub async fn compare(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<CompareQuery>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let view = castellan_app::document::documents::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let list = &view.versions;
    let newest = list.first().map(|v| v.id);
    let second = list.get(1).map(|v| v.id);
    let (from, to) = (q.from.or(second), q.to.or(newest));
    let options = |selected: Option<i64>| {
        list.iter()
            .map(|v| VersionOption {
                id: v.id,
                label: format!("V{} · {}", v.number, v.status.label().get(lang)),
                selected: Some(v.id) == selected,
            })
            .collect::<Vec<_>>()
    };
    let mut rows = Vec::new();
    let mut same = false;
    let enough = list.len() >= 2;
    if let (Some(a), Some(b)) = (from, to)
        && enough
    {
        let (_, va, vb) = versions::pair(&state.app, &ctx, id, a, b)
            .await
            .map_err(|e| web.fail(e))?;
        let old = va.body.unwrap_or_default();
        let new = vb.body.unwrap_or_default();
        let lines = tokio::task::spawn_blocking(move || diff::lines(&old, &new))
            .await
            .unwrap_or_default();
        same = lines.iter().all(|l| l.kind == LineKind::Folded);
        rows = lines
            .into_iter()
            .map(|l| {
                let num = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
                match l.kind {
                    LineKind::Folded => DiffRow {
                        class: "diff-fold",
                        mark: "",
                        old: String::new(),
                        new: String::new(),
                        text: tx.compare_folded.replace("{n}", &l.text),
                    },
                    kind => DiffRow {
                        class: match kind {
                            LineKind::Added => "diff-add",
                            LineKind::Removed => "diff-del",
                            _ => "diff-same",
                        },
                        mark: match kind {
                            LineKind::Added => "+",
                            LineKind::Removed => "−",
                            _ => "",
                        },
                        old: num(l.old),
                        new: num(l.new),
                        text: l.text,
                    },
                }
            })
            .collect();
    }
    Ok(render::page_response(
        StatusCode::OK,
        &ComparePage {
            page: Page::new(&web, Some(Section::Documents), None),
            tx,
            id,
            code: view.document.code.clone(),
            title: view.document.title.clone(),
            from: options(from),
            to: options(to),
            rows,
            same,
            enough,
        },
    ))
}

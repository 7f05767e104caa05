//! The inspection report: the inspection's facts, every item's result, the findings with
//! their rectification tasks, the summary and the evidence files, as a printable HTML page,
//! a workbook or a Word document, in the reader's language.

use super::{texts, tx};
use crate::report::Format;
use crate::state::AppState;
use crate::ui::session::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::inspection::report::{self, ReportData};
use castellan_document::{Block, Cell, Column, Document, Fill, Table};
use castellan_domain::inspection::ItemResult;
use castellan_domain::{Lang, UserId};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    format: String,
}

fn document(d: &ReportData, lang: Lang, tx: &texts::Messages) -> Document {
    let v = &d.view;
    let i = &v.inspection;
    let name = |u: Option<UserId>| {
        u.and_then(|u| d.people.get(&u).cloned())
            .unwrap_or_else(|| "—".into())
    };
    let mut doc = Document::new(
        format!("{} {} · {}", tx.report_title, i.code, v.plan.title),
        match lang {
            Lang::En => castellan_document::Lang::En,
            Lang::ZhCn => castellan_document::Lang::ZhCn,
        },
    );
    let checklist = match (lang, &d.checklist.1) {
        (Lang::ZhCn, Some(zh)) => zh.clone(),
        _ => d.checklist.0.clone(),
    };
    let mut facts = vec![
        (tx.code.to_owned(), i.code.clone()),
        (
            tx.plan.to_owned(),
            format!("{} {}", v.plan.code, v.plan.title),
        ),
        (
            tx.frequency.to_owned(),
            v.plan.frequency.label().get(lang).to_owned(),
        ),
        (tx.checklist.to_owned(), checklist),
        (
            tx.department.to_owned(),
            d.department
                .clone()
                .unwrap_or_else(|| tx.department_none.to_owned()),
        ),
        (tx.due_on.to_owned(), i.due_on.to_string()),
        (
            tx.performed_at.to_owned(),
            i.performed_at.map_or_else(|| "—".into(), |d| d.to_string()),
        ),
        (
            tx.inspectors.to_owned(),
            i.inspector_ids
                .iter()
                .map(|u| name(Some(*u)))
                .collect::<Vec<_>>()
                .join("、"),
        ),
        (tx.status.to_owned(), i.status.label().get(lang).to_owned()),
    ];
    if let Some(at) = i.completed_at {
        facts.push((
            tx.completed_by.to_owned(),
            format!("{} · {} UTC", name(i.completed_by), at.display_minutes()),
        ));
    }
    facts.push((
        tx.results.to_owned(),
        super::plans::tally_label(tx, &v.tally),
    ));
    if let Some(scope) = &v.plan.scope {
        facts.push((tx.scope.to_owned(), scope.clone()));
    }
    if let Some(r) = &v.plan.responsibilities {
        facts.push((tx.responsibilities.to_owned(), r.clone()));
    }
    doc.blocks.push(Block::Facts(facts));
    if let Some(s) = &i.summary {
        doc.blocks.push(Block::heading(1, tx.summary));
        doc.blocks.push(Block::paragraph(s.clone()));
    }
    // Findings first: what the reader of a report acts on.
    doc.blocks.push(Block::heading(1, tx.findings));
    let failed: Vec<_> = v
        .lines
        .iter()
        .filter(|l| l.result == Some(ItemResult::Fail))
        .collect();
    if failed.is_empty() {
        doc.blocks.push(Block::paragraph("—"));
    } else {
        doc.blocks.push(Block::Table(Table {
            caption: tx.findings.to_owned(),
            columns: vec![
                Column::new(tx.code, 10.0),
                Column::new(tx.item, 40.0),
                Column::new(tx.note, 30.0),
                Column::new(tx.task, 16.0),
                Column::new(tx.responsible, 12.0),
                Column::new(tx.task_due, 12.0),
                Column::new(tx.status, 12.0),
            ],
            rows: failed
                .iter()
                .map(|l| {
                    let task = l
                        .rectification_id
                        .and_then(|id| v.tasks.iter().find(|t| t.task.id == id));
                    vec![
                        Cell::text(l.item.code.clone()),
                        Cell::text(l.item.text_in(lang)),
                        Cell::text(l.note.clone().unwrap_or_default()),
                        Cell::text(task.map(|t| t.task.code.clone()).unwrap_or_default()),
                        Cell::text(
                            task.map(|t| name(Some(t.task.responsible_id)))
                                .unwrap_or_default(),
                        ),
                        Cell::text(task.map(|t| t.task.due_on.to_string()).unwrap_or_default()),
                        match task {
                            Some(t) => Cell::text(t.task.status.label().get(lang)),
                            None => Cell::text("—").with_fill(Fill::Warn),
                        },
                    ]
                })
                .collect(),
        }));
    }
    doc.blocks.push(Block::heading(1, tx.items));
    doc.blocks.push(Block::Table(Table {
        caption: tx.items.to_owned(),
        columns: vec![
            Column::new(tx.code, 10.0),
            Column::new(tx.area, 12.0),
            Column::new(tx.item, 48.0),
            Column::new(tx.result, 12.0),
            Column::new(tx.note, 30.0),
        ],
        rows: v
            .lines
            .iter()
            .map(|l| {
                let result = match l.result {
                    Some(r) => {
                        let c = Cell::text(r.label().get(lang));
                        match r {
                            ItemResult::Pass => c.with_fill(Fill::Level2),
                            ItemResult::Fail => c.with_fill(Fill::Level5),
                            ItemResult::Na => c.with_fill(Fill::Muted),
                        }
                    }
                    None => Cell::text(tx.not_checked).with_fill(Fill::Warn),
                };
                vec![
                    Cell::text(l.item.code.clone()),
                    Cell::text(l.item.area.label().get(lang)),
                    Cell::text(l.item.text_in(lang)),
                    result,
                    Cell::text(l.note.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }));
    if !d.evidence.is_empty() {
        doc.blocks.push(Block::heading(1, tx.evidence));
        doc.blocks.push(Block::Table(Table {
            caption: tx.evidence.to_owned(),
            columns: vec![Column::new(tx.code, 12.0), Column::new(tx.file, 60.0)],
            rows: d
                .evidence
                .iter()
                .flat_map(|(code, files)| {
                    files
                        .iter()
                        .map(move |f| vec![Cell::text(code.clone()), Cell::text(f.clone())])
                })
                .collect(),
        }));
    }
    doc
}

/// `GET /inspections/{id}/report?format=html|xlsx|docx`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Response> {
    let format = if q.format.is_empty() {
        Some(Format::Html)
    } else {
        Format::from_code(&q.format)
    };
    let format = format.ok_or_else(|| {
        web.error_page(
            StatusCode::NOT_FOUND,
            web.t().error_not_found,
            web.t().error_not_found,
        )
    })?;
    let lang = web.lang();
    let code = match format {
        Format::Html => "html",
        Format::Xlsx => "xlsx",
        Format::Docx => "docx",
    };
    let data = report::inspection(&state.app, &web.ctx(), id, code)
        .await
        .map_err(|e| web.fail(e))?;
    let ascii = format!("inspection-{}", data.view.inspection.code);
    let utf8 = format!("{}-{}", data.view.inspection.code, data.view.plan.title);
    crate::report::respond(
        move || document(&data, lang, tx(lang)),
        format,
        state.assets.report_css_path.clone(),
        &ascii,
        &utf8,
    )
    .await
    .map_err(|e| web.fail(e))
}

//! The incident report: one incident's facts, affected assets, timeline (entries and
//! moves), evidence files, root cause and lessons learned, as a printable HTML page, a
//! workbook or a Word document, in the reader's language.

use super::{texts, tx};
use crate::report::Format;
use crate::state::AppState;
use crate::ui::session::Web;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::incident::incidents::{self, AffectedAsset, IncidentView};
use castellan_document::{Block, Cell, Column, Document, Fill, Table};
use castellan_domain::incident::{IncidentLevel, IncidentStatus};
use castellan_domain::{Lang, Timestamp, UserId};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    format: String,
}

/// What the report shows, read once.
struct Data {
    view: IncidentView,
    assets: Vec<AffectedAsset>,
    /// (when, who, what, is a move).
    timeline: Vec<(Timestamp, String, String, bool)>,
    /// (name, size, sha256, who, when).
    files: Vec<(String, u64, String, String, Timestamp)>,
    names: HashMap<UserId, String>,
    department: String,
}

fn level_fill(level: IncidentLevel) -> Fill {
    match level {
        IncidentLevel::General => Fill::Level2,
        IncidentLevel::Significant => Fill::Level3,
        IncidentLevel::Major => Fill::Level4,
        IncidentLevel::Critical => Fill::Level5,
    }
}

fn col(title: &str, width: f64) -> Column {
    Column::new(title, width)
}

fn document(d: &Data, lang: Lang, tx: &texts::Messages) -> Document {
    let i = &d.view.incident;
    let when = |t: Timestamp| format!("{} UTC", t.display_minutes());
    let name = |u: Option<UserId>| {
        u.and_then(|u| d.names.get(&u).cloned())
            .unwrap_or_else(|| "—".into())
    };
    let mut doc = Document::new(
        format!("{} {} · {}", tx.report_title, i.code, i.title),
        match lang {
            Lang::En => castellan_document::Lang::En,
            Lang::ZhCn => castellan_document::Lang::ZhCn,
        },
    );
    let mut facts = vec![
        (tx.code.to_owned(), i.code.clone()),
        (tx.status.to_owned(), i.status.label().get(lang).to_owned()),
        (
            tx.class.to_owned(),
            i.class.map_or_else(
                || tx.not_triaged.to_owned(),
                |c| c.label().get(lang).to_owned(),
            ),
        ),
        (
            tx.level.to_owned(),
            i.level.map_or_else(
                || tx.not_triaged.to_owned(),
                |c| c.label().get(lang).to_owned(),
            ),
        ),
        (
            tx.category.to_owned(),
            i.category.map_or_else(
                || tx.not_triaged.to_owned(),
                |c| c.label().get(lang).to_owned(),
            ),
        ),
        (tx.reporter.to_owned(), name(i.reporter_id)),
        (tx.department.to_owned(), d.department.clone()),
        (tx.occurred_at.to_owned(), when(i.occurred_at)),
    ];
    if let Some(t) = i.detected_at {
        facts.push((tx.detected_at.to_owned(), when(t)));
    }
    facts.push((tx.reported_at.to_owned(), when(i.reported_at)));
    if let Some(l) = &i.location {
        facts.push((tx.location.to_owned(), l.clone()));
    }
    if !i.handler_ids.is_empty() {
        let team: Vec<String> = i.handler_ids.iter().map(|u| name(Some(*u))).collect();
        facts.push((tx.team.to_owned(), team.join("、")));
    }
    facts.push((
        tx.triage_due.to_owned(),
        format!(
            "{}{}",
            when(d.view.triage_due),
            if d.view.triage_overdue {
                format!(" · {}", tx.triage_overdue)
            } else {
                String::new()
            }
        ),
    ));
    if let Some(due) = d.view.notice_due {
        facts.push((
            tx.notice_due.to_owned(),
            format!(
                "{}{}",
                when(due),
                if d.view.notice_late {
                    format!(" · {}", tx.notice_late)
                } else {
                    String::new()
                }
            ),
        ));
    }
    if let Some(t) = i.committee_noted_at {
        facts.push((
            tx.noted_by_committee.to_owned(),
            format!("{} · {}", when(t), name(i.committee_noted_by)),
        ));
    }
    if let Some(t) = i.closed_at {
        facts.push((tx.closed_at.to_owned(), when(t)));
    }
    doc.blocks.push(Block::Facts(facts));
    if let Some(desc) = &i.description {
        doc.blocks.push(Block::heading(1, tx.description));
        doc.blocks.push(Block::paragraph(desc.clone()));
    }
    doc.blocks.push(Block::heading(1, tx.assets));
    if d.assets.is_empty() {
        doc.blocks.push(Block::paragraph("—"));
    } else {
        doc.blocks.push(Block::Table(Table {
            caption: tx.assets.to_owned(),
            columns: vec![
                col(tx.asset_id, 16.0),
                col(tx.asset_name, 36.0),
                Column::numeric(tx.value_level, 10.0),
            ],
            rows: d
                .assets
                .iter()
                .map(|a| {
                    let level = Cell::number(f64::from(a.value_level));
                    vec![
                        Cell::text(a.code.clone()),
                        Cell::text(a.name.clone()),
                        match Fill::level(a.value_level) {
                            Some(f) => level.with_fill(f),
                            None => level,
                        },
                    ]
                })
                .collect(),
        }));
    }
    doc.blocks.push(Block::heading(1, tx.timeline));
    doc.blocks.push(Block::Table(Table {
        caption: tx.timeline.to_owned(),
        columns: vec![
            col(tx.entry_at, 18.0),
            col(tx.file_by, 12.0),
            col(tx.entry_note, 60.0),
        ],
        rows: d
            .timeline
            .iter()
            .map(|(at, who, what, is_move)| {
                vec![
                    Cell::text(when(*at)),
                    Cell::text(who.clone()),
                    Cell::text(if *is_move {
                        format!("{}：{what}", tx.entry_kind_move)
                    } else {
                        what.clone()
                    }),
                ]
            })
            .collect(),
    }));
    if !d.files.is_empty() {
        doc.blocks.push(Block::heading(1, tx.files));
        doc.blocks.push(Block::Table(Table {
            caption: tx.files.to_owned(),
            columns: vec![
                col(tx.file_name, 28.0),
                Column::numeric(tx.file_size, 10.0),
                col("SHA-256", 40.0),
                col(tx.file_by, 12.0),
            ],
            rows: d
                .files
                .iter()
                .map(|(n, size, sha, who, _)| {
                    vec![
                        Cell::text(n.clone()),
                        Cell::number(*size as f64),
                        Cell::text(sha.clone()),
                        Cell::text(who.clone()),
                    ]
                })
                .collect(),
        }));
    }
    if let Some(level) = i.level {
        // The level's meaning, so a reader of the file knows what the grading says.
        doc.blocks.push(Block::heading(2, tx.levels_explained));
        doc.blocks.push(Block::Table(Table {
            caption: tx.levels_explained.to_owned(),
            columns: vec![col(tx.level, 16.0), col(tx.description, 70.0)],
            rows: vec![vec![
                Cell::text(level.label().get(lang)).with_fill(level_fill(level)),
                Cell::text(level.explanation().get(lang)),
            ]],
        }));
    }
    doc.blocks.push(Block::heading(1, tx.closing_heading));
    doc.blocks.push(Block::Facts(vec![
        (
            tx.root_cause.to_owned(),
            i.root_cause.clone().unwrap_or_else(|| "—".into()),
        ),
        (
            tx.lessons_learned.to_owned(),
            i.lessons_learned.clone().unwrap_or_else(|| "—".into()),
        ),
    ]));
    if i.status == IncidentStatus::Rejected {
        doc.blocks.push(Block::heading(1, tx.rejection_reason));
        doc.blocks.push(Block::paragraph(
            i.rejection_reason.clone().unwrap_or_default(),
        ));
    }
    doc
}

/// `GET /incidents/{id}/report?format=html|xlsx|docx`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Response> {
    let not_found = || {
        web.error_page(
            StatusCode::NOT_FOUND,
            web.t().error_not_found,
            web.t().error_not_found,
        )
    };
    let format = if q.format.is_empty() {
        Some(Format::Html)
    } else {
        Format::from_code(&q.format)
    };
    let format = format.ok_or_else(not_found)?;
    let ctx = web.ctx();
    let lang = web.lang();
    let app = &state.app;
    let incidents::IncidentPage {
        view,
        moves,
        timeline: entries,
        assets,
        attachments: files,
    } = incidents::page(app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let i = &view.incident;
    let mut ids: Vec<UserId> = i.handler_ids.clone();
    ids.extend(i.reporter_id);
    ids.extend(i.committee_noted_by);
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.extend(entries.iter().filter_map(|e| e.author_id));
    ids.extend(files.iter().filter_map(|f| f.created_by));
    let names = castellan_app::request::requests::display_names(app, &ids)
        .await
        .unwrap_or_default();
    let who = |u: Option<UserId>, fallback: &str| {
        u.and_then(|u| names.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let status = |code: &str| {
        IncidentStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let mut timeline: Vec<(Timestamp, String, String, bool)> = entries
        .iter()
        .map(|e| (e.at, who(e.author_id, &e.author), e.note.clone(), false))
        .collect();
    timeline.extend(moves.iter().map(|m| {
        let mut what = format!("{} → {}", status(&m.from), status(&m.to));
        if let Some(c) = &m.comment {
            what.push('\n');
            what.push_str(c);
        }
        (m.at, who(m.actor_id, &m.actor), what, true)
    }));
    timeline.sort_by_key(|(at, ..)| *at);
    let department = match i.department_id {
        Some(d) => castellan_app::org::departments::get(app, &ctx, d)
            .await
            .map(|d| d.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let files = files
        .iter()
        .map(|f| {
            (
                f.name.clone(),
                f.size,
                f.sha256.clone(),
                who(f.created_by, "—"),
                f.created_at,
            )
        })
        .collect();
    let ascii = format!("incident-{}", i.code);
    let utf8 = format!("{}-{}", i.code, i.title);
    let data = Data {
        view,
        assets,
        timeline,
        files,
        names,
        department,
    };
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

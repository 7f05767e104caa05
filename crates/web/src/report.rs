//! The three assessment reports (SPEC §4.5) laid out as one document model, rendered as
//! HTML (with a print stylesheet), XLSX or DOCX in the reader's language.

use crate::ui::i18n::{self, Messages};
use castellan_app::risk::reports::{ReportData, ReportKind};
use castellan_document::{Block, Cell, Column, Document, Fill, Table};
use castellan_domain::Lang;
use castellan_domain::risk::register::RiskRating;
use castellan_domain::risk::{Level, RiskMethod, Score};

/// The file formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A web page with a print stylesheet.
    Html,
    /// A formatted workbook.
    Xlsx,
    /// A Word document.
    Docx,
}

impl Format {
    /// Parses `html`, `xlsx`, `docx`.
    pub fn from_code(code: &str) -> Option<Format> {
        match code {
            "html" => Some(Format::Html),
            "xlsx" => Some(Format::Xlsx),
            "docx" => Some(Format::Docx),
            _ => None,
        }
    }
}

fn fill(level: Level) -> Fill {
    match level.get() {
        1 => Fill::Level1,
        2 => Fill::Level2,
        3 => Fill::Level3,
        4 => Fill::Level4,
        _ => Fill::Level5,
    }
}

fn level_cell(lang: Lang, level: Option<Level>) -> Cell {
    match level {
        Some(l) => Cell::text(format!("{} {}", l.get(), l.label().get(lang))).with_fill(fill(l)),
        None => Cell::text(String::new()),
    }
}

fn score(s: Score) -> Cell {
    Cell::number(s.as_f64())
}

fn col(title: &str, width: f64) -> Column {
    Column {
        title: title.to_owned(),
        width,
        numeric: false,
    }
}

fn num_col(title: &str, width: f64) -> Column {
    Column {
        title: title.to_owned(),
        width,
        numeric: true,
    }
}

fn text(s: impl Into<String>) -> Cell {
    Cell::text(s.into())
}

/// The rating columns of a risk: T, V, A, likelihood value/level, loss value/level, risk
/// value and level.
fn rating_cells(lang: Lang, r: Option<&RiskRating>) -> Vec<Cell> {
    match r {
        None => (0..9).map(|_| text("")).collect(),
        Some(r) => {
            let e = r.evaluation;
            vec![
                Cell::number(f64::from(r.threat_frequency.get())),
                Cell::number(f64::from(r.vulnerability_severity.get())),
                Cell::number(f64::from(r.asset_value_level.get())),
                score(e.likelihood_value),
                Cell::number(f64::from(e.likelihood_level.get())),
                score(e.loss_value),
                Cell::number(f64::from(e.loss_level.get())),
                score(e.risk_value),
                level_cell(lang, Some(e.risk_level)),
            ]
        }
    }
}

fn rating_columns(t: &Messages) -> Vec<Column> {
    vec![
        num_col("T", 4.0),
        num_col("V", 4.0),
        num_col("A", 4.0),
        num_col(t.likelihood_value, 9.0),
        num_col(t.likelihood_level, 9.0),
        num_col(t.loss_value, 9.0),
        num_col(t.loss_level, 9.0),
        num_col(t.risk_value, 9.0),
        col(t.risk_level, 11.0),
    ]
}

fn heading(level: u8, text: &str) -> Block {
    Block::Heading {
        level,
        text: text.to_owned(),
    }
}

fn heat_table(t: &Messages, lang: Lang, data: &ReportData, residual: bool, caption: &str) -> Table {
    let cells = data.heat_map(residual);
    let a = &data.assessment;
    let mut columns = vec![col(t.rp_likelihood_loss, 14.0)];
    columns.extend(
        Level::ALL
            .iter()
            .map(|l| num_col(&format!("{} {}", l.get(), l.label().get(lang)), 10.0)),
    );
    let rows = Level::ALL
        .iter()
        .rev()
        .map(|l| {
            let row = cells
                .get(usize::from(l.get()) - 1)
                .copied()
                .unwrap_or_default();
            let mut out = vec![text(format!("{} {}", l.get(), l.label().get(lang)))];
            out.extend(Level::ALL.iter().zip(row).map(|(f, n)| {
                let level = castellan_domain::risk::cell_level(a.method, &a.tables, *l, *f);
                Cell::number(n as f64).with_fill(fill(level))
            }));
            out
        })
        .collect();
    Table {
        caption: caption.to_owned(),
        columns,
        rows,
    }
}

fn overview(t: &Messages, lang: Lang, data: &ReportData) -> Block {
    let a = &data.assessment;
    let planned = Some(a.planned_period())
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "—".into());
    let scope_departments: Vec<String> = a
        .department_ids
        .iter()
        .map(|d| {
            data.department_names
                .get(&d.0)
                .cloned()
                .unwrap_or_else(|| format!("#{d}"))
        })
        .collect();
    Block::Facts(vec![
        (t.name.into(), a.name.clone()),
        (t.phase.into(), a.phase.label().get(lang).into()),
        (t.risk_method.into(), a.method.label().get(lang).into()),
        (
            t.risk_tables_version.into(),
            format!("v{}", a.tables_version),
        ),
        (
            t.acceptance_threshold.into(),
            format!(
                "{} {}",
                a.acceptance_threshold.get(),
                a.acceptance_threshold.label().get(lang)
            ),
        ),
        (t.planned_period.into(), planned),
        (
            t.team.into(),
            a.team
                .iter()
                .map(|u| data.person(*u))
                .collect::<Vec<_>>()
                .join("、"),
        ),
        (
            t.scope_departments.into(),
            if scope_departments.is_empty() {
                "—".into()
            } else {
                scope_departments.join("、")
            },
        ),
        (t.rp_assets_count.into(), data.assets.len().to_string()),
        (t.rp_risks_count.into(), data.risks.len().to_string()),
        (
            t.description.into(),
            a.description.clone().unwrap_or_else(|| "—".into()),
        ),
    ])
}

fn method_blocks(t: &Messages, lang: Lang, data: &ReportData) -> Vec<Block> {
    let a = &data.assessment;
    let tables = &a.tables;
    let explanation = match a.method {
        RiskMethod::Multiplication => t.rp_method_multiplication,
        RiskMethod::Matrix => t.rp_method_matrix,
        RiskMethod::Sqrt => t.rp_method_sqrt,
    };
    let mut blocks = vec![Block::paragraph(explanation)];
    let (l, f, r) = (
        tables.likelihood.ranges(),
        tables.loss.ranges(),
        tables.risk.ranges(),
    );
    let range = |x: (u16, u16)| text(format!("{}–{}", x.0, x.1));
    blocks.push(Block::Table(Table {
        caption: t.rp_grading_tables.into(),
        columns: vec![
            col(t.rp_level, 12.0),
            col(t.likelihood_value, 14.0),
            col(t.loss_value, 14.0),
            col(t.risk_value, 14.0),
        ],
        rows: Level::ALL
            .iter()
            .zip(l.iter().zip(f.iter().zip(r.iter())))
            .map(|(lv, (a, (b, c)))| {
                vec![level_cell(lang, Some(*lv)), range(*a), range(*b), range(*c)]
            })
            .collect(),
    }));
    if a.method == RiskMethod::Matrix {
        for (caption, m, rows_title, cols_title) in [
            (
                t.rp_likelihood_matrix,
                tables.likelihood_matrix.cells(),
                "V",
                "T",
            ),
            (t.rp_loss_matrix, tables.loss_matrix.cells(), "V", "A"),
            (t.rp_risk_matrix, tables.risk_matrix.cells(), "L", "F"),
        ] {
            let mut columns = vec![col(&format!("{rows_title} \\ {cols_title}"), 8.0)];
            columns.extend((1..=5).map(|i| num_col(&format!("{cols_title}={i}"), 8.0)));
            blocks.push(Block::Table(Table {
                caption: caption.into(),
                columns,
                rows: m
                    .iter()
                    .enumerate()
                    .map(|(i, row)| {
                        let mut cells = vec![text(format!("{rows_title}={}", i + 1))];
                        cells.extend(row.iter().map(|v| Cell::number(f64::from(*v))));
                        cells
                    })
                    .collect(),
            }));
        }
    }
    blocks
}

fn approvals(t: &Messages, lang: Lang, data: &ReportData) -> Vec<Block> {
    let mut blocks = vec![heading(1, t.rp_approvals)];
    blocks.push(Block::Table(Table {
        caption: t.workflow_timeline.into(),
        columns: vec![
            col(t.rp_step, 30.0),
            col(t.rp_by, 14.0),
            col(t.rp_at, 18.0),
            col(t.comment, 40.0),
        ],
        rows: data
            .moves
            .iter()
            .map(|m| {
                vec![
                    text(format!(
                        "{} → {}",
                        m.from.label().get(lang),
                        m.to.label().get(lang)
                    )),
                    text(
                        m.actor_id
                            .map_or_else(|| m.actor.clone(), |u| data.person(u)),
                    ),
                    text(format!("{} UTC", m.at.display_minutes())),
                    text(m.comment.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }));
    let decisions: Vec<Vec<Cell>> = data
        .risks
        .iter()
        .flat_map(|r| {
            let (asset, threat) = risk_label(lang, r);
            [
                (t.committee_approval, r.risk.approval.as_ref()),
                (t.residual_acceptance, r.risk.residual_acceptance.as_ref()),
            ]
            .into_iter()
            .filter_map(move |(what, a)| {
                a.map(|a| {
                    vec![
                        asset.clone(),
                        threat.clone(),
                        text(what),
                        text(data.person(a.by)),
                        text(format!("{} UTC", a.at.display_minutes())),
                        text(a.comment.clone().unwrap_or_default()),
                    ]
                })
            })
        })
        .collect();
    if !decisions.is_empty() {
        blocks.push(Block::Table(Table {
            caption: t.rp_committee_decisions.into(),
            columns: vec![
                col(t.asset, 22.0),
                col(t.threat, 20.0),
                col(t.rp_decision, 14.0),
                col(t.rp_by, 12.0),
                col(t.rp_at, 16.0),
                col(t.comment, 30.0),
            ],
            rows: decisions,
        }));
    }
    blocks
}

fn treatment_cell(lang: Lang, r: &castellan_app::risk::risks::RiskView) -> Cell {
    text(
        r.risk
            .treatment
            .map(|x| x.label().get(lang).to_owned())
            .unwrap_or_default(),
    )
}

fn risk_label(lang: Lang, r: &castellan_app::risk::risks::RiskView) -> (Cell, Cell) {
    (
        text(format!("{} {}", r.asset_code, r.asset_name)),
        text(format!("{} {}", r.threat_code, r.threat_name.get(lang))),
    )
}

fn decision(data: &ReportData, a: Option<&castellan_domain::risk::register::Approval>) -> Cell {
    match a {
        None => text(""),
        Some(a) => text(format!(
            "{} {}{}",
            data.person(a.by),
            a.at.display_minutes(),
            a.comment
                .as_deref()
                .map(|c| format!(" · {c}"))
                .unwrap_or_default()
        )),
    }
}

fn assessment_report(t: &Messages, lang: Lang, data: &ReportData) -> Vec<Block> {
    let mut blocks = vec![heading(1, t.rp_overview), overview(t, lang, data)];
    blocks.push(heading(1, t.rp_method));
    blocks.extend(method_blocks(t, lang, data));

    blocks.push(heading(1, t.rp_assets));
    blocks.push(Block::Table(Table {
        caption: t.rp_asset_list.into(),
        columns: vec![
            col(t.asset_code, 17.0),
            col(t.name, 24.0),
            col(t.category, 12.0),
            col(t.department, 16.0),
            num_col("C", 4.0),
            num_col("I", 4.0),
            num_col("A", 4.0),
            num_col(t.asset_value, 8.0),
            col(t.value_level, 10.0),
        ],
        rows: data
            .assets
            .iter()
            .map(|x| {
                let level = Level::new(i64::from(x.value_level.get())).ok();
                vec![
                    text(x.code.clone()),
                    text(x.name.clone()),
                    text(x.category.label().get(lang)),
                    text(
                        x.department_id
                            .and_then(|d| data.department_names.get(&d.0).cloned())
                            .unwrap_or_default(),
                    ),
                    Cell::number(f64::from(x.confidentiality.get())),
                    Cell::number(f64::from(x.integrity.get())),
                    Cell::number(f64::from(x.availability.get())),
                    Cell::number(f64::from(x.value_score.tenths()) / 10.0),
                    level_cell(lang, level),
                ]
            })
            .collect(),
    }));

    blocks.push(heading(1, t.rp_threats));
    blocks.push(Block::Table(Table {
        caption: t.rp_threat_list.into(),
        columns: vec![
            col(t.code, 9.0),
            col(t.name, 20.0),
            col(t.threat_source, 14.0),
            col(t.threat_path, 12.0),
            col(t.threat_method, 16.0),
            col(t.description, 40.0),
        ],
        rows: data
            .threats
            .iter()
            .map(|x| {
                vec![
                    text(x.code.clone()),
                    text(x.name.get(lang)),
                    text(x.source.label().get(lang)),
                    text(x.path.label().get(lang)),
                    text(x.method.label().get(lang)),
                    text(x.description.get(lang)),
                ]
            })
            .collect(),
    }));

    blocks.push(heading(1, t.rp_vulnerabilities));
    let asset_code = |id: castellan_domain::AssetId| {
        data.assets
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.code.clone())
            .unwrap_or_default()
    };
    blocks.push(Block::Table(Table {
        caption: t.rp_vulnerability_list.into(),
        columns: vec![
            col(t.asset_code, 14.0),
            col(t.rp_finding, 30.0),
            col(t.rp_severity, 10.0),
            col(t.status, 10.0),
            col(t.rp_found_by, 12.0),
            col(t.rp_reference, 16.0),
        ],
        rows: data
            .vulnerabilities
            .iter()
            .map(|v| {
                let level = Level::new(i64::from(v.severity.get())).ok();
                vec![
                    text(asset_code(v.asset_id)),
                    text(v.title.clone()),
                    level_cell(lang, level),
                    text(v.status.label().get(lang)),
                    text(v.found_by.label().get(lang)),
                    text(v.reference.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }));
    blocks.push(heading(1, t.rp_controls));
    blocks.push(Block::Table(Table {
        caption: t.rp_control_list.into(),
        columns: vec![
            col(t.name, 30.0),
            col(t.rp_control_kind, 12.0),
            col(t.rp_effectiveness, 12.0),
            col(t.asset_code, 14.0),
        ],
        rows: data
            .controls
            .iter()
            .map(|c| {
                vec![
                    text(c.name.clone()),
                    text(c.kind.label().get(lang)),
                    text(c.effectiveness.label().get(lang)),
                    text(
                        c.asset_id
                            .map(asset_code)
                            .unwrap_or_else(|| t.rp_organization_wide.into()),
                    ),
                ]
            })
            .collect(),
    }));

    blocks.push(heading(1, t.rp_register));
    blocks.push(Block::paragraph(t.register_order));
    let mut columns = vec![num_col("#", 5.0), col(t.asset, 24.0), col(t.threat, 22.0)];
    columns.extend(rating_columns(t));
    columns.push(col(t.treatment, 14.0));
    blocks.push(Block::Table(Table {
        caption: t.risk_register.into(),
        columns,
        rows: data
            .risks
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let (asset, threat) = risk_label(lang, r);
                let mut cells = vec![Cell::number((i + 1) as f64), asset, threat];
                cells.extend(rating_cells(lang, r.risk.rating.as_ref()));
                cells.push(treatment_cell(lang, r));
                cells
            })
            .collect(),
    }));
    blocks.push(heading(2, t.heat_map));
    blocks.push(Block::Table(heat_table(t, lang, data, false, t.heat_map)));
    blocks.extend(approvals(t, lang, data));
    blocks
}

fn treatment_report(t: &Messages, lang: Lang, data: &ReportData) -> Vec<Block> {
    let mut blocks = vec![heading(1, t.rp_overview), overview(t, lang, data)];
    blocks.push(heading(1, t.rp_treatment_decisions));
    blocks.push(Block::paragraph(t.threshold_rule));
    blocks.push(Block::Table(Table {
        caption: t.rp_treatment_decisions.into(),
        columns: vec![
            col(t.asset, 24.0),
            col(t.threat, 22.0),
            col(t.risk_level, 11.0),
            col(t.treatment, 16.0),
            col(t.committee_approval, 30.0),
        ],
        rows: data
            .risks
            .iter()
            .map(|r| {
                let (asset, threat) = risk_label(lang, r);
                let mut decided = decision(data, r.risk.approval.as_ref());
                if r.approval_needed {
                    decided = text(t.awaiting_committee).with_fill(Fill::Warn);
                }
                vec![
                    asset,
                    threat,
                    level_cell(lang, r.risk.level()),
                    treatment_cell(lang, r),
                    decided,
                ]
            })
            .collect(),
    }));
    blocks.push(heading(1, t.rp_plan_items));
    blocks.push(Block::Table(Table {
        caption: t.rp_plan_items.into(),
        columns: vec![
            col(t.asset_code, 14.0),
            col(t.code, 8.0),
            col(t.rp_measure, 34.0),
            col(t.department, 14.0),
            col(t.rp_responsible, 12.0),
            col(t.rp_due, 12.0),
            col(t.status, 10.0),
            col(t.rp_progress, 30.0),
        ],
        rows: data
            .plan
            .iter()
            .map(|p| {
                let i = &p.item;
                let due = text(i.due_on.map(|d| d.to_db()).unwrap_or_default());
                vec![
                    text(p.asset_code.clone()),
                    text(p.threat_code.clone()),
                    text(i.measure.clone()),
                    text(
                        i.department_id
                            .and_then(|d| data.department_names.get(&d.0).cloned())
                            .unwrap_or_default(),
                    ),
                    text(i.responsible_id.map(|u| data.person(u)).unwrap_or_default()),
                    if p.overdue {
                        Cell::text(format!(
                            "{} ({})",
                            i.due_on.map(|d| d.to_db()).unwrap_or_default(),
                            t.rp_overdue
                        ))
                        .with_fill(Fill::Warn)
                    } else {
                        due
                    },
                    text(i.status.label().get(lang)),
                    text(i.progress.clone().unwrap_or_default()),
                ]
            })
            .collect(),
    }));
    blocks.extend(approvals(t, lang, data));
    blocks
}

fn residual_report(t: &Messages, lang: Lang, data: &ReportData) -> Vec<Block> {
    let mut blocks = vec![heading(1, t.rp_overview), overview(t, lang, data)];
    blocks.push(heading(1, t.rp_residual_register));
    let mut columns = vec![
        col(t.asset, 24.0),
        col(t.threat, 22.0),
        col(t.rp_original_level, 11.0),
        col(t.treatment, 14.0),
    ];
    columns.extend(rating_columns(t));
    columns.push(col(t.residual_acceptance, 30.0));
    blocks.push(Block::Table(Table {
        caption: t.rp_residual_register.into(),
        columns,
        rows: data
            .risks
            .iter()
            .map(|r| {
                let (asset, threat) = risk_label(lang, r);
                let mut cells = vec![
                    asset,
                    threat,
                    level_cell(lang, r.risk.level()),
                    treatment_cell(lang, r),
                ];
                cells.extend(rating_cells(lang, r.risk.residual.as_ref()));
                let open = r
                    .risk
                    .residual_level()
                    .is_some_and(|l| l >= data.assessment.acceptance_threshold)
                    && r.risk.residual_acceptance.is_none();
                cells.push(if open {
                    text(t.awaiting_committee).with_fill(Fill::Warn)
                } else {
                    decision(data, r.risk.residual_acceptance.as_ref())
                });
                cells
            })
            .collect(),
    }));
    blocks.push(heading(2, t.residual_heat_map));
    blocks.push(Block::Table(heat_table(
        t,
        lang,
        data,
        true,
        t.residual_heat_map,
    )));
    blocks.extend(approvals(t, lang, data));
    blocks
}

/// Tables without rows become a "none" line: an empty grid says less than a sentence.
fn without_empty_tables(t: &Messages, blocks: Vec<Block>) -> Vec<Block> {
    blocks
        .into_iter()
        .map(|b| match b {
            Block::Table(table) if table.rows.is_empty() => {
                Block::paragraph(format!("{}: {}", table.caption, t.rp_none))
            }
            other => other,
        })
        .collect()
}

/// The report of `kind` as a document in `lang`.
pub fn document(data: &ReportData, kind: ReportKind, lang: Lang) -> Document {
    let t = i18n::messages(lang);
    let title = match kind {
        ReportKind::Assessment => t.rp_title_assessment,
        ReportKind::TreatmentPlan => t.rp_title_treatment,
        ReportKind::Residual => t.rp_title_residual,
    };
    let blocks = without_empty_tables(
        t,
        match kind {
            ReportKind::Assessment => assessment_report(t, lang, data),
            ReportKind::TreatmentPlan => treatment_report(t, lang, data),
            ReportKind::Residual => residual_report(t, lang, data),
        },
    );
    Document {
        title: format!("{} · {}", data.assessment.name, title),
        subtitle: Some(format!(
            "{} {} UTC · {}",
            t.rp_generated,
            data.generated_at.display_minutes(),
            data.assessment.phase.label().get(lang)
        )),
        lang: match lang {
            Lang::En => castellan_document::Lang::En,
            Lang::ZhCn => castellan_document::Lang::ZhCn,
        },
        blocks,
    }
}

/// Renders an assessment report in `format`.
pub async fn render(
    data: ReportData,
    kind: ReportKind,
    format: Format,
    lang: Lang,
    stylesheet: String,
) -> Result<axum::response::Response, castellan_app::Error> {
    let ascii = format!("assessment-{}-{}", data.assessment.id, kind.code());
    let utf8 = format!("{}-{}", data.assessment.name, kind.code());
    respond(
        move || document(&data, kind, lang),
        format,
        stylesheet,
        &ascii,
        &utf8,
    )
    .await
}

/// Lays out a document (built off the async threads) in `format` and answers with it: HTML
/// inline, XLSX and DOCX as a download named `ascii` for old clients and `utf8` (RFC 5987)
/// for the rest, each with the format's extension.
pub async fn respond(
    build: impl FnOnce() -> Document + Send + 'static,
    format: Format,
    stylesheet: String,
    ascii: &str,
    utf8: &str,
) -> Result<axum::response::Response, castellan_app::Error> {
    use axum::http::{HeaderValue, header};
    use axum::response::IntoResponse;
    let rendered = tokio::task::spawn_blocking(move || {
        let doc = build();
        match format {
            Format::Html => Ok(castellan_document::to_html(&doc, &stylesheet).into_bytes()),
            Format::Xlsx => castellan_document::to_xlsx(&doc),
            Format::Docx => castellan_document::to_docx(&doc),
        }
    })
    .await
    .map_err(castellan_app::Error::internal)?
    .map_err(castellan_app::Error::internal)?;
    let (content_type, extension) = match format {
        Format::Html => ("text/html; charset=utf-8", "html"),
        Format::Xlsx => (
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        Format::Docx => (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        ),
    };
    let mut response = rendered.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if format != Format::Html {
        let ascii: String = ascii
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "-._".contains(c) {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let utf8 = format!("{utf8}.{extension}");
        let encoded: String = utf8
            .bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{ascii}.{extension}\"; filename*=UTF-8''{encoded}"
        )) {
            headers.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    Ok(response)
}

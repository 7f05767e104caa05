//! The organization's risk grading tables and matrices: shown to everyone who signs in,
//! edited by those who may change settings. A change re-rates every assessment not yet
//! submitted for review.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::risk::risk_tables::{self, TablesInput};
use castellan_domain::risk::{Level, RiskTables};
use castellan_domain::{Action, Lang, Resource, Target};
use serde::Deserialize;

/// One grading table as the form shows it: a row per level.
struct Grading {
    field: &'static str,
    title: &'static str,
    rows: Vec<(u8, String, String, String)>,
}

/// One matrix as the form shows it.
struct MatrixView {
    field: &'static str,
    title: &'static str,
    rows_label: &'static str,
    columns_label: &'static str,
    cells: Vec<Vec<String>>,
}

#[derive(Template)]
#[template(path = "settings/risk_tables.html")]
struct TablesPage {
    page: Page,
    tx: &'static texts::Messages,
    version: i64,
    gradings: Vec<Grading>,
    matrices: Vec<MatrixView>,
    can_edit: bool,
    errors: FormErrors,
    error: Option<String>,
}

fn gradings(lang: Lang, t: &crate::ui::i18n::Messages, f: &TablesForm) -> Vec<Grading> {
    let level_name = |i: usize| {
        Level::ALL
            .get(i)
            .map(|l| l.label().get(lang).to_owned())
            .unwrap_or_default()
    };
    [
        ("likelihood", t.likelihood_value, &f.likelihood),
        ("loss", t.loss_value, &f.loss),
        ("risk", t.risk_value, &f.risk),
    ]
    .into_iter()
    .map(|(field, title, rows)| Grading {
        field,
        title,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, (from, to))| (i as u8 + 1, level_name(i), from.clone(), to.clone()))
            .collect(),
    })
    .collect()
}

fn matrices(t: &crate::ui::i18n::Messages, f: &TablesForm) -> Vec<MatrixView> {
    vec![
        MatrixView {
            field: "likelihood_matrix",
            title: t.rp_likelihood_matrix,
            rows_label: "V",
            columns_label: "T",
            cells: f.likelihood_matrix.clone(),
        },
        MatrixView {
            field: "loss_matrix",
            title: t.rp_loss_matrix,
            rows_label: "V",
            columns_label: "A",
            cells: f.loss_matrix.clone(),
        },
        MatrixView {
            field: "risk_matrix",
            title: t.rp_risk_matrix,
            rows_label: "L",
            columns_label: "F",
            cells: f.risk_matrix.clone(),
        },
    ]
}

/// The tables as typed (texts, so a bad entry is shown back as it was).
#[derive(Clone, Default)]
struct TablesForm {
    likelihood: Vec<(String, String)>,
    loss: Vec<(String, String)>,
    risk: Vec<(String, String)>,
    likelihood_matrix: Vec<Vec<String>>,
    loss_matrix: Vec<Vec<String>>,
    risk_matrix: Vec<Vec<String>>,
    version: i64,
}

impl TablesForm {
    fn of(tables: &RiskTables, version: i64) -> Self {
        let ranges = |r: [(u16, u16); 5]| {
            r.iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let cells = |m: [[u8; 5]; 5]| {
            m.iter()
                .map(|row| row.iter().map(u8::to_string).collect())
                .collect()
        };
        TablesForm {
            likelihood: ranges(tables.likelihood.ranges()),
            loss: ranges(tables.loss.ranges()),
            risk: ranges(tables.risk.ranges()),
            likelihood_matrix: cells(tables.likelihood_matrix.cells()),
            loss_matrix: cells(tables.loss_matrix.cells()),
            risk_matrix: cells(tables.risk_matrix.cells()),
            version,
        }
    }

    /// Reads `likelihood.3.from`, `risk_matrix.2.4` … from the posted pairs.
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = TablesForm {
            likelihood: vec![(String::new(), String::new()); 5],
            loss: vec![(String::new(), String::new()); 5],
            risk: vec![(String::new(), String::new()); 5],
            likelihood_matrix: vec![vec![String::new(); 5]; 5],
            loss_matrix: vec![vec![String::new(); 5]; 5],
            risk_matrix: vec![vec![String::new(); 5]; 5],
            version: 0,
        };
        for (k, v) in pairs {
            if k == "version" {
                f.version = v.trim().parse().unwrap_or(-1);
                continue;
            }
            let parts: Vec<&str> = k.split('.').collect();
            let (Some(name), Some(i)) = (
                parts.first(),
                parts.get(1).and_then(|i| i.parse::<usize>().ok()),
            ) else {
                continue;
            };
            let value = v.trim().to_owned();
            match (*name, parts.get(2)) {
                ("likelihood" | "loss" | "risk", Some(end)) => {
                    let table = match *name {
                        "likelihood" => &mut f.likelihood,
                        "loss" => &mut f.loss,
                        _ => &mut f.risk,
                    };
                    if let Some(row) = table.get_mut(i) {
                        if *end == "from" {
                            row.0 = value;
                        } else {
                            row.1 = value;
                        }
                    }
                }
                ("likelihood_matrix" | "loss_matrix" | "risk_matrix", Some(j)) => {
                    let matrix = match *name {
                        "likelihood_matrix" => &mut f.likelihood_matrix,
                        "loss_matrix" => &mut f.loss_matrix,
                        _ => &mut f.risk_matrix,
                    };
                    if let Some(cell) = j
                        .parse::<usize>()
                        .ok()
                        .and_then(|j| matrix.get_mut(i).and_then(|row| row.get_mut(j)))
                    {
                        *cell = value;
                    }
                }
                _ => {}
            }
        }
        f
    }

    /// The numbers; a blank or non-numeric entry becomes 0, which the checks refuse.
    fn input(&self) -> TablesInput {
        let n = |s: &String| s.parse::<i64>().unwrap_or(0);
        let ranges = |r: &Vec<(String, String)>| r.iter().map(|(a, b)| (n(a), n(b))).collect();
        let cells =
            |m: &Vec<Vec<String>>| m.iter().map(|row| row.iter().map(&n).collect()).collect();
        TablesInput {
            likelihood: ranges(&self.likelihood),
            loss: ranges(&self.loss),
            risk: ranges(&self.risk),
            likelihood_matrix: cells(&self.likelihood_matrix),
            loss_matrix: cells(&self.loss_matrix),
            risk_matrix: cells(&self.risk_matrix),
        }
    }
}

fn tables_page(
    web: &Web,
    form: &TablesForm,
    notice: Option<&str>,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let t = web.t();
    render::page_response(
        status,
        &TablesPage {
            page: Page::new(web, Some(Section::Assessments), notice),
            tx: tx(web.lang()),
            version: form.version,
            gradings: gradings(web.lang(), t, form),
            matrices: matrices(t, form),
            can_edit: web.auth.principal.is_allowed(
                Resource::Setting,
                Action::Update,
                Target::Global,
            ),
            errors,
            error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    rerated: Option<u64>,
}

/// `GET /settings/risk-tables`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<Params>,
) -> Result<Response, Response> {
    let (tables, version) = risk_tables::get(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let t = web.t();
    let notice = match (p.notice.as_deref(), p.rerated) {
        (Some("saved"), Some(n)) => {
            Some(crate::ui::i18n::fill(tx(web.lang()).tables_saved, "n", n))
        }
        _ => view::notice(t, p.notice.as_deref()).map(str::to_owned),
    };
    Ok(tables_page(
        &web,
        &TablesForm::of(&tables, version),
        notice.as_deref(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    ))
}

/// `POST /settings/risk-tables`.
pub async fn save(
    State(state): State<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let f = TablesForm::from_pairs(&data);
    match risk_tables::set(&state.app, &web.ctx(), &f.input(), f.version).await {
        Ok(changed) => Ok(Redirect::to(&format!(
            "/settings/risk-tables?notice=saved&rerated={}",
            changed.assessments
        ))
        .into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                let status = match e.domain() {
                    Some(castellan_domain::DomainError::StaleVersion { .. }) => {
                        StatusCode::PRECONDITION_FAILED
                    }
                    _ => StatusCode::UNPROCESSABLE_ENTITY,
                };
                Ok(tables_page(&web, &f, None, errors, message, status))
            }
            None => Err(web.fail(e)),
        },
    }
}

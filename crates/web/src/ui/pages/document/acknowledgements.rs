//! Acknowledgements on the pages: the reader's "I have read it", the owner's choice of
//! addressees, and the coverage page with who has not confirmed.

use super::show::{Failure, render_show};
use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::document::acknowledgements as acks;
use castellan_app::document::documents;
use castellan_domain::{DepartmentId, Lang};
use serde::Deserialize;
use std::collections::HashMap;

/// A line of the coverage table.
pub struct CoverageRow {
    pub department: String,
    pub href: String,
    pub total: i64,
    pub acknowledged: i64,
    pub rate: String,
    pub percent: i64,
}

/// "4 of 6 confirmed (67%)".
pub fn summary(lang: Lang, done: i64, total: i64) -> String {
    tx(lang)
        .coverage_summary
        .replace("{done}", &done.to_string())
        .replace("{total}", &total.to_string())
        .replace("{pct}", &percent_label(done, total))
}

fn percent(done: i64, total: i64) -> i64 {
    if total == 0 { 0 } else { done * 100 / total }
}

fn percent_label(done: i64, total: i64) -> String {
    format!("{}%", percent(done, total))
}

/// The coverage's lines with department names (largest gap first).
pub fn rows(
    lang: Lang,
    id: i64,
    c: &acks::Coverage,
    names: &HashMap<i64, String>,
) -> Vec<CoverageRow> {
    let tx = tx(lang);
    let mut lines: Vec<CoverageRow> = c
        .lines
        .iter()
        .map(|l| CoverageRow {
            department: l
                .department_id
                .and_then(|d| names.get(&d.0).cloned())
                .unwrap_or_else(|| tx.no_department_people.to_owned()),
            href: match l.department_id {
                Some(d) => format!("/documents/{id}/acknowledgements?department={}", d.0),
                None => format!("/documents/{id}/acknowledgements?department=none"),
            },
            total: l.total,
            acknowledged: l.acknowledged,
            rate: percent_label(l.acknowledged, l.total),
            percent: percent(l.acknowledged, l.total),
        })
        .collect();
    lines.sort_by_key(|r| (r.percent, std::cmp::Reverse(r.total)));
    lines
}

/// `POST /documents/{id}/acknowledge`: the reader confirms reading the version in force.
pub async fn acknowledge(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, .. } = form;
    match acks::acknowledge(&state.app, &web.ctx(), id).await {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?notice=acknowledged")).into_response()),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

async fn refused(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
) -> Result<Response, Response> {
    let status = e
        .domain()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, crate::problem::status_of);
    if status == StatusCode::NOT_FOUND || e.domain().is_none() {
        return Err(web.fail(e));
    }
    let failure = Failure {
        error: Some(view::failure_message(web.lang(), &e, |f| f.to_owned())),
        ..Failure::default()
    };
    render_show(state, web, id, None, failure, status).await
}

/// `POST /documents/{id}/addressees`: `department` and `role` repeated.
pub async fn set_addressees(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let mut departments = Vec::new();
    let mut roles = Vec::new();
    for (k, v) in data {
        match k.as_str() {
            "department" => match v.trim().parse::<i64>() {
                Ok(d) => departments.push(DepartmentId(d)),
                Err(_) => departments.push(DepartmentId(0)),
            },
            "role" => roles.push(v),
            _ => {}
        }
    }
    match acks::set_addressees(&state.app, &web.ctx(), id, &departments, &roles).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{id}?notice=saved#acknowledgements")).into_response(),
        ),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

struct PendingLine {
    name: String,
    department: String,
}

struct DeptFilter {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "documents/acknowledgements.html")]
struct CoveragePage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    code: String,
    title: String,
    version: String,
    summary: String,
    percent: i64,
    rows: Vec<CoverageRow>,
    filters: Vec<DeptFilter>,
    pending: Vec<PendingLine>,
    capped: String,
    addressed: bool,
}

#[derive(Deserialize, Default)]
pub struct CoverageParams {
    #[serde(default)]
    department: String,
}

/// `GET /documents/{id}/acknowledgements`: the coverage and who has not confirmed.
pub async fn coverage(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<CoverageParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let d = documents::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let c = acks::coverage(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let department = match p.department.trim() {
        "" => None,
        "none" => Some(None),
        s => s.parse::<i64>().ok().map(|d| Some(DepartmentId(d))),
    };
    let pending = acks::pending(&state.app, &ctx, id, department)
        .await
        .map_err(|e| web.fail(e))?;
    let names = castellan_app::org::departments::tree(&state.app, &ctx)
        .await
        .map(|tree| view::department_names(&tree))
        .unwrap_or_default();
    let dept_name = |d: Option<DepartmentId>| {
        d.and_then(|d| names.get(&d.0).cloned())
            .unwrap_or_else(|| tx.no_department_people.to_owned())
    };
    let mut filters = vec![DeptFilter {
        value: String::new(),
        label: tx.pending_all.to_owned(),
        selected: department.is_none(),
    }];
    for l in &c.lines {
        filters.push(DeptFilter {
            value: l
                .department_id
                .map_or("none".to_owned(), |d| d.0.to_string()),
            label: dept_name(l.department_id),
            selected: department == Some(l.department_id),
        });
    }
    let capped = if pending.len() as u32 >= acks::PENDING_MAX {
        tx.pending_capped
            .replace("{n}", &acks::PENDING_MAX.to_string())
    } else {
        String::new()
    };
    Ok(render::page_response(
        StatusCode::OK,
        &CoveragePage {
            page: Page::new(&web, Some(Section::Documents), None),
            tx,
            id,
            code: d.document.code.clone(),
            title: d.document.title.clone(),
            version: c
                .version
                .clone()
                .map(|v| format!("V{v}"))
                .unwrap_or_default(),
            summary: summary(lang, c.acknowledged, c.total),
            percent: percent(c.acknowledged, c.total),
            rows: rows(lang, id, &c, &names),
            filters,
            pending: pending
                .into_iter()
                .map(|(_, name, d)| PendingLine {
                    name,
                    department: dept_name(d),
                })
                .collect(),
            capped,
            addressed: !c.addressees.is_empty(),
        },
    ))
}

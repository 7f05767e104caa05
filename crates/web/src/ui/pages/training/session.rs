//! The training page: its details, marking it held or cancelled, attendance marked with
//! ticks or imported from a file (every bad line listed; nothing recorded until the file is
//! right).

use super::pages::{audience_label, dept_names, training_form, with_material};
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
use castellan_app::training::attendance::{self, LineInput, PAGE_MAX};
use castellan_app::training::trainings;
use castellan_domain::training::PlanStatus;
use serde::Deserialize;

struct PersonLine {
    user_id: i64,
    name: String,
    username: String,
    department: String,
    attended: bool,
    recorded: bool,
    score: String,
}

struct ProblemLine {
    line: u64,
    text: String,
}

#[derive(Template)]
#[template(path = "training/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    plan_id: i64,
    version: i64,
    year: i32,
    title: String,
    topic: String,
    month: String,
    audience: String,
    trainer: String,
    material: String,
    material_href: String,
    held: String,
    status: &'static str,
    status_code: &'static str,
    counts: String,
    plan_approved: bool,
    may_manage: bool,
    sees_people: bool,
    people: Vec<PersonLine>,
    capped: String,
    today: String,
    problems: Vec<ProblemLine>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowQuery {
    #[serde(default)]
    notice: Option<String>,
    #[serde(default)]
    recorded: Option<usize>,
}

/// `GET /trainings/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<ShowQuery>,
) -> Result<Response, Response> {
    let notice = q
        .recorded
        .map(|n| tx(web.lang()).import_done.replace("{n}", &n.to_string()));
    render_show(
        &state,
        &web,
        id,
        q.notice.as_deref(),
        notice,
        Vec::new(),
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render_show(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    custom_notice: Option<String>,
    problems: Vec<ProblemLine>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = trainings::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let names = dept_names(state, web).await;
    let sees_people = v.may_manage || trainings::reads_records(&ctx);
    let people = if sees_people {
        attendance::audience(&state.app, &ctx, id)
            .await
            .map_err(|e| web.fail(e))?
    } else {
        Vec::new()
    };
    let material = match v.training.document_id {
        Some(doc) => castellan_app::document::documents::get(&state.app, &ctx, doc)
            .await
            .ok()
            .map(|d| {
                (
                    format!("{} {}", d.document.code, d.document.title),
                    format!("/documents/{doc}"),
                )
            }),
        None => None,
    };
    let tr = &v.training;
    let mut page = Page::new(web, Some(Section::Training), view::notice(t, notice));
    if custom_notice.is_some() {
        page.notice = custom_notice;
    }
    Ok(render::page_response(
        status,
        &ShowPage {
            page,
            tx,
            id,
            plan_id: tr.plan_id,
            version: tr.version,
            year: v.plan.year,
            title: tr.title.clone(),
            topic: tr.topic.clone().unwrap_or_default(),
            month: tx.month_n.replace("{n}", &tr.planned_month.to_string()),
            audience: audience_label(lang, tr, &names),
            trainer: tr.trainer.clone().unwrap_or_default(),
            material: material.as_ref().map(|m| m.0.clone()).unwrap_or_default(),
            material_href: material.map(|m| m.1).unwrap_or_default(),
            held: tr.held_at.map(|d| d.to_string()).unwrap_or_default(),
            status: tr.status.label().get(lang),
            status_code: tr.status.code(),
            counts: tx
                .attended_of
                .replace("{a}", &v.attended.to_string())
                .replace("{n}", &v.audience.to_string()),
            plan_approved: v.plan.status == PlanStatus::Approved,
            may_manage: v.may_manage,
            sees_people,
            capped: if people.len() as u32 >= PAGE_MAX {
                tx.audience_capped.replace("{n}", &PAGE_MAX.to_string())
            } else {
                String::new()
            },
            people: people
                .into_iter()
                .map(|p| PersonLine {
                    user_id: p.user_id.0,
                    department: p
                        .department_id
                        .and_then(|d| names.get(&d.0).cloned())
                        .unwrap_or_else(|| tx.no_department.to_owned()),
                    attended: p.attendance.is_some_and(|a| a.attended),
                    recorded: p.attendance.is_some(),
                    score: p
                        .attendance
                        .and_then(|a| a.score)
                        .map(|s| s.to_string())
                        .unwrap_or_default(),
                    name: p.display_name,
                    username: p.username,
                })
                .collect(),
            today: castellan_app::document::documents::today(&state.app).to_string(),
            problems,
            error,
        },
    ))
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
    let msg = view::failure_message(web.lang(), &e, |f| f.to_owned());
    render_show(state, web, id, None, None, Vec::new(), Some(msg), status).await
}

/// `POST /trainings/{id}`: held, cancelled, or changed fields (the form sends them all).
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let current = trainings::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let (mut f, material, version) = training_form(&data);
    // The hold and cancel forms send only the status (and the day): the rest stays.
    if f.fields.title.is_empty() {
        let t = &current.training;
        f.fields.title = t.title.clone();
        f.fields.topic = t.topic.clone();
        f.fields.planned_month = i64::from(t.planned_month);
        f.fields.trainer = t.trainer.clone();
        f.fields.audience_roles = t
            .audience_roles
            .iter()
            .map(|r| r.code().to_owned())
            .collect();
        f.department_ids = t.audience_department_ids.clone();
        f.document_id = t.document_id;
    }
    let result = match with_material(&state, &web, f, material).await {
        Ok(f) => trainings::update(&state.app, &web.ctx(), id, &f, version.unwrap_or(0)).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/trainings/{id}?notice=saved")).into_response()),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

/// `POST /trainings/{id}/attendance`: `listed` (everyone on the page), `attended` (the
/// ticked) and `score_<id>`.
pub async fn mark(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ticked: std::collections::HashSet<i64> = data
        .iter()
        .filter(|(k, _)| k == "attended")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let score = |u: i64| {
        data.iter()
            .find(|(k, _)| *k == format!("score_{u}"))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
            .map(|v| v.parse::<i64>().unwrap_or(-1))
    };
    let lines: Vec<LineInput> = data
        .iter()
        .filter(|(k, _)| k == "listed")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .map(|u| LineInput {
            user_id: u,
            attended: ticked.contains(&u),
            score: score(u),
        })
        .collect();
    match attendance::record(&state.app, &web.ctx(), id, &lines).await {
        Ok(n) => Ok(Redirect::to(&format!("/trainings/{id}?recorded={n}")).into_response()),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

/// `POST /trainings/{id}/attendance/import`: a file from the page (the CSRF token first).
pub async fn import(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Response> {
    let t = web.t();
    let Ok(multipart) = multipart else {
        let msg = t.error_bad_request.to_owned();
        return render_show(
            &state,
            &web,
            id,
            None,
            None,
            Vec::new(),
            Some(msg),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    let received =
        crate::attachments::receive_page_file(&state.app, &headers, multipart, |token| {
            web.auth.csrf_matches(token)
        })
        .await;
    let file = match received {
        Ok(file) => file,
        Err(crate::attachments::PageUploadRefused::Csrf) => {
            let msg = t.csrf_failed.to_owned();
            return render_show(
                &state,
                &web,
                id,
                None,
                None,
                Vec::new(),
                Some(msg),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        Err(crate::attachments::PageUploadRefused::App(e)) => {
            return refused(&state, &web, id, e).await;
        }
    };
    match attendance::import_file(&state.app, &web.ctx(), id, file.path()).await {
        Ok(r) if r.problems.is_empty() => {
            Ok(Redirect::to(&format!("/trainings/{id}?recorded={}", r.recorded)).into_response())
        }
        Ok(r) => {
            let lang = web.lang();
            let msg = tx(lang)
                .import_refused
                .replace("{n}", &r.problems.len().to_string());
            let problems = r
                .problems
                .iter()
                .map(|p| ProblemLine {
                    line: p.line,
                    text: p.message(lang).to_owned(),
                })
                .collect();
            render_show(
                &state,
                &web,
                id,
                None,
                None,
                problems,
                Some(msg),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => refused(&state, &web, id, e).await,
    }
}

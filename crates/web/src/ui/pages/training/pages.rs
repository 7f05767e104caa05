//! The training home, the plan page (its trainings, its approval, the forms of its
//! managers and approver), the completion by department and the records export.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors, some, when};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::training::{plans, trainings};
use castellan_domain::training::{PlanStatus, Training, TrainingInput};
use castellan_domain::workflow::Decision;
use castellan_domain::{DepartmentId, Lang, Role};
use serde::Deserialize;
use std::collections::HashMap;

/// The audience of a training in words.
pub fn audience_label(lang: Lang, t: &Training, names: &HashMap<i64, String>) -> String {
    let mut parts: Vec<String> = t
        .audience_department_ids
        .iter()
        .map(|d| {
            names
                .get(&d.0)
                .cloned()
                .unwrap_or_else(|| format!("#{}", d.0))
        })
        .collect();
    parts.extend(
        t.audience_roles
            .iter()
            .map(|r| r.label().get(lang).to_owned()),
    );
    if parts.is_empty() {
        tx(lang).everyone.to_owned()
    } else {
        parts.join("、")
    }
}

/// Department names of the caller's view of the organization.
pub async fn dept_names(state: &AppState, web: &Web) -> HashMap<i64, String> {
    castellan_app::org::departments::tree(&state.app, &web.ctx())
        .await
        .map(|tree| view::department_names(&tree))
        .unwrap_or_default()
}

struct MineLine {
    id: i64,
    title: String,
    month: String,
    trainer: String,
    status: &'static str,
    status_code: &'static str,
    mine: &'static str,
    mine_class: &'static str,
}

struct PlanLine {
    id: i64,
    year: i32,
    title: String,
    status: &'static str,
    status_code: &'static str,
}

#[derive(Template)]
#[template(path = "training/index.html")]
struct IndexPage {
    page: Page,
    tx: &'static texts::Messages,
    mine_heading: String,
    mine: Vec<MineLine>,
    plans: Vec<PlanLine>,
    may_create: bool,
    next_year: i32,
    errors: FormErrors,
    error: Option<String>,
}

async fn index_page(
    state: &AppState,
    web: &Web,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let year = castellan_app::document::documents::today(&state.app)
        .date()
        .year();
    let mine = trainings::mine(&state.app, &ctx, year)
        .await
        .map_err(|e| web.fail(e))?;
    let list = plans::list(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(render::page_response(
        status,
        &IndexPage {
            page: Page::new(web, Some(Section::Training), None),
            tx,
            mine_heading: tx.my_trainings.replace("{year}", &year.to_string()),
            mine: mine
                .into_iter()
                .map(|(t, a)| {
                    let (mine, mine_class) = match a {
                        Some(a) if a.attended => (tx.yes, "badge-ok"),
                        Some(_) => (tx.no, "badge-warn"),
                        None => (tx.not_recorded, "badge-neutral"),
                    };
                    MineLine {
                        id: t.id,
                        month: tx.month_n.replace("{n}", &t.planned_month.to_string()),
                        trainer: t.trainer.clone().unwrap_or_default(),
                        status: t.status.label().get(lang),
                        status_code: t.status.code(),
                        title: t.title,
                        mine,
                        mine_class,
                    }
                })
                .collect(),
            plans: list
                .iter()
                .map(|p| PlanLine {
                    id: p.id,
                    year: p.year,
                    title: p.title.clone(),
                    status: p.status.label().get(lang),
                    status_code: p.status.code(),
                })
                .collect(),
            may_create: ctx.principal.may_somewhere(
                castellan_domain::Resource::Training,
                castellan_domain::Action::Create,
            ),
            next_year: list.first().map_or(year, |p| p.year + 1),
            errors,
            error,
        },
    ))
}

/// `GET /trainings`.
pub async fn index(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    index_page(&state, &web, FormErrors::none(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
}

/// `POST /training-plans`.
pub async fn create_plan(
    State(state): State<AppState>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let year = f.year.trim().parse::<i64>().unwrap_or(0);
    let desc = some(&f.description);
    match plans::create(&state.app, &web.ctx(), year, &f.title, desc.as_deref()).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/training-plans/{}?notice=created", v.plan.id)).into_response(),
        ),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                let message = message
                    .or_else(|| Some(view::failure_message(web.lang(), &e, |f| f.to_owned())));
                index_page(
                    &state,
                    &web,
                    errors,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

struct TrainingLine {
    id: i64,
    month: String,
    title: String,
    audience: String,
    trainer: String,
    held: String,
    status: &'static str,
    status_code: &'static str,
}

struct EventLine {
    at: String,
    who: String,
    text: String,
    comment: String,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "training/plan.html")]
struct PlanPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    year: i32,
    title: String,
    description: String,
    status: &'static str,
    status_code: &'static str,
    approved: String,
    steps: Vec<String>,
    events: Vec<EventLine>,
    lines: Vec<TrainingLine>,
    may_add: bool,
    may_submit: bool,
    may_approve: bool,
    may_return: bool,
    reads_records: bool,
    departments: Vec<Choice>,
    roles: Vec<Choice>,
    months: Vec<u8>,
    errors: FormErrors,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /training-plans/{id}`.
pub async fn plan(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    axum::extract::Query(q): axum::extract::Query<NoticeQuery>,
) -> Result<Response, Response> {
    plan_page(
        &state,
        &web,
        id,
        q.notice.as_deref(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn plan_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = plans::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let list = trainings::of_plan(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = plans::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let names = dept_names(state, web).await;
    let mut ids: Vec<castellan_domain::UserId> =
        v.approvals.iter().filter_map(|a| a.approver_id).collect();
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.extend(v.plan.approved_by);
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let person = |u: Option<castellan_domain::UserId>, fallback: &str| {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let status_label = |code: &str| {
        PlanStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let mut events: Vec<(castellan_domain::Timestamp, EventLine)> = v
        .approvals
        .iter()
        .map(|a| {
            (
                a.at,
                EventLine {
                    at: when(t, Some(a.at)),
                    who: person(a.approver_id, &a.approver),
                    text: match a.decision {
                        Decision::Approve => tx.approve.to_owned(),
                        Decision::Return => tx.return_submit.to_owned(),
                        d => d.code().to_owned(),
                    },
                    comment: a.comment.clone().unwrap_or_default(),
                },
            )
        })
        .collect();
    events.extend(moves.iter().map(|m| {
        (
            m.at,
            EventLine {
                at: when(t, Some(m.at)),
                who: person(m.actor_id, &m.actor),
                text: format!("{} → {}", status_label(&m.from), status_label(&m.to)),
                comment: m.comment.clone().unwrap_or_default(),
            },
        )
    }));
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    let p = &v.plan;
    let allowed = &v.allowed_transitions;
    let tree = castellan_app::org::departments::tree(&state.app, &ctx)
        .await
        .unwrap_or_default();
    let page = PlanPage {
        page: Page::new(web, Some(Section::Training), view::notice(t, notice)),
        tx,
        id,
        version: p.version,
        year: p.year,
        title: p.title.clone(),
        description: p.description.clone().unwrap_or_default(),
        status: p.status.label().get(lang),
        status_code: p.status.code(),
        approved: p
            .approved_at
            .map(|at| format!("{} · {}", person(p.approved_by, "—"), when(t, Some(at))))
            .unwrap_or_default(),
        steps: p.run.steps.iter().map(|s| s.shown_name(lang)).collect(),
        events: events.into_iter().map(|(_, e)| e).collect(),
        lines: list
            .iter()
            .map(|tr| TrainingLine {
                id: tr.id,
                month: tx.month_n.replace("{n}", &tr.planned_month.to_string()),
                title: tr.title.clone(),
                audience: audience_label(lang, tr, &names),
                trainer: tr.trainer.clone().unwrap_or_default(),
                held: tr.held_at.map(|d| d.to_string()).unwrap_or_default(),
                status: tr.status.label().get(lang),
                status_code: tr.status.code(),
            })
            .collect(),
        may_add: v.may_manage && p.status != PlanStatus::InReview,
        may_submit: allowed.contains(&PlanStatus::InReview),
        may_approve: p.status == PlanStatus::InReview && allowed.contains(&PlanStatus::Approved),
        may_return: p.status == PlanStatus::InReview && allowed.contains(&PlanStatus::Draft),
        reads_records: trainings::reads_records(&ctx),
        departments: view::dept_options(&tree, None, None)
            .into_iter()
            .map(|o| Choice {
                value: o.id.to_string(),
                label: o.label,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                value: r.code().to_owned(),
                label: r.label().get(lang).to_owned(),
            })
            .collect(),
        months: (1..=12).collect(),
        errors,
        error,
    };
    Ok(render::page_response(status, &page))
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
    let (errors, message) = match view::form_failure(web.lang(), &e) {
        Some((errors, message)) => (
            errors,
            message.or_else(|| Some(view::failure_message(web.lang(), &e, |f| f.to_owned()))),
        ),
        None => (
            FormErrors::none(),
            Some(view::failure_message(web.lang(), &e, |f| f.to_owned())),
        ),
    };
    plan_page(state, web, id, None, errors, message, status).await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /training-plans/{id}/move`.
pub async fn move_plan(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let comment = some(&f.comment);
    match plans::transition(
        &state.app,
        &web.ctx(),
        id,
        &f.to,
        comment.as_deref(),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/training-plans/{id}?notice=saved")).into_response()),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

/// A training's form: `department` and `role` repeated, the rest once.
pub fn training_form(
    data: &[(String, String)],
) -> (
    castellan_app::training::trainings::TrainingForm,
    Option<String>,
    Option<i64>,
) {
    let get = |k: &str| {
        data.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let form = castellan_app::training::trainings::TrainingForm {
        fields: TrainingInput {
            title: get("title"),
            topic: some(&get("topic")),
            planned_month: get("planned_month").parse().unwrap_or(0),
            trainer: some(&get("trainer")),
            audience_roles: data
                .iter()
                .filter(|(k, _)| k == "role")
                .map(|(_, v)| v.clone())
                .collect(),
        },
        department_ids: data
            .iter()
            .filter(|(k, _)| k == "department")
            .map(|(_, v)| DepartmentId(v.trim().parse().unwrap_or(0)))
            .collect(),
        document_id: None,
        status: some(&get("status")),
        held_at: castellan_domain::Day::parse(&get("held_at")).ok(),
    };
    (form, some(&get("material")), get("version").parse().ok())
}

/// Resolves the material's reference into a document the caller reads (refused on
/// `document_id` otherwise).
pub async fn with_material(
    state: &AppState,
    web: &Web,
    mut form: castellan_app::training::trainings::TrainingForm,
    material: Option<String>,
) -> Result<castellan_app::training::trainings::TrainingForm, castellan_app::Error> {
    if let Some(code) = material {
        match castellan_app::document::documents::by_code(&state.app, &web.ctx(), &code).await? {
            Some(d) => form.document_id = Some(d.id),
            None => {
                return Err(castellan_domain::FieldErrors::single(
                    "document_id",
                    castellan_domain::FieldErrorKind::NoSuchRecord,
                )
                .into());
            }
        }
    }
    Ok(form)
}

/// `POST /training-plans/{id}/trainings`.
pub async fn add_training(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let (f, material, _) = training_form(&data);
    let result = match with_material(&state, &web, f, material).await {
        Ok(f) => trainings::create(&state.app, &web.ctx(), id, &f).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(
            Redirect::to(&format!("/trainings/{}?notice=created", v.training.id)).into_response(),
        ),
        Err(e) => refused(&state, &web, id, e).await,
    }
}

struct CompletionRow {
    department: String,
    expected: i64,
    attended: i64,
    rate: String,
    percent: i64,
}

#[derive(Template)]
#[template(path = "training/completion.html")]
struct CompletionPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    year: i32,
    title: String,
    summary: String,
    percent: i64,
    rows: Vec<CompletionRow>,
}

fn pct(a: i64, n: i64) -> i64 {
    if n == 0 { 0 } else { a * 100 / n }
}

/// `GET /training-plans/{id}/completion`.
pub async fn completion(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let lang = web.lang();
    let tx = tx(lang);
    let (plan, lines) = trainings::completion(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let names = dept_names(&state, &web).await;
    let expected: i64 = lines.iter().map(|l| l.expected).sum();
    let attended: i64 = lines.iter().map(|l| l.attended).sum();
    let mut rows: Vec<CompletionRow> = lines
        .iter()
        .map(|l| CompletionRow {
            department: l
                .department_id
                .and_then(|d| names.get(&d.0).cloned())
                .unwrap_or_else(|| tx.no_department.to_owned()),
            expected: l.expected,
            attended: l.attended,
            rate: format!("{}%", pct(l.attended, l.expected)),
            percent: pct(l.attended, l.expected),
        })
        .collect();
    rows.sort_by_key(|r| (r.percent, std::cmp::Reverse(r.expected)));
    Ok(render::page_response(
        StatusCode::OK,
        &CompletionPage {
            page: Page::new(&web, Some(Section::Training), None),
            tx,
            id,
            year: plan.year,
            title: plan.title,
            summary: format!("{attended} / {expected} ({}%)", pct(attended, expected)),
            percent: pct(attended, expected),
            rows,
        },
    ))
}

/// `GET /training-plans/{id}/export`: the records as XLSX in the page's language.
pub async fn export(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let (plan, body) = trainings::export_xlsx(&state.app, &web.ctx(), id, web.lang())
        .await
        .map_err(|e| web.fail(e))?;
    Ok(view::xlsx_download(
        &format!("training-{}", plan.year),
        body,
    ))
}

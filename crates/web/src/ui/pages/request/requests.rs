//! Approval requests: the list with filters and total, the form to ask, and the request
//! page with its chain, decisions, history and the moves the user may make.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, href, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, FormErrors, code_options, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::request::requests::{self, RequestInput, RequestQuery};
use castellan_domain::UserId;
use castellan_domain::request::{Origin, RequestKind, RequestStatus};
use castellan_domain::workflow::Decision;
use castellan_domain::workflow::chain::Impact;
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    origin: String,
    #[serde(default)]
    deadline: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

struct Row {
    id: i64,
    code: String,
    title: String,
    kind: &'static str,
    status: &'static str,
    status_code: &'static str,
    requester: String,
    origin: &'static str,
    auto: bool,
    created: String,
    due: String,
    breached: bool,
    met: Option<bool>,
}

#[derive(Template)]
#[template(path = "requests/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ListParams,
    any_filter: bool,
    statuses: Vec<CodeOption>,
    kinds: Vec<CodeOption>,
    origins: Vec<CodeOption>,
    total_label: String,
    headers: Vec<Header>,
    rows: Vec<Row>,
    pager: Pager,
    export_href: String,
}

async fn names(state: &AppState, _web: &Web, ids: Vec<UserId>) -> HashMap<UserId, String> {
    requests::display_names(&state.app, &ids)
        .await
        .unwrap_or_default()
}

fn error_text(web: &Web, e: &castellan_app::Error) -> String {
    match e.domain() {
        Some(d) => crate::ui::i18n::domain_error(web.lang(), d),
        None => web.t().error_bad_request.to_owned(),
    }
}

/// `GET /requests`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let query = RequestQuery {
        status: some(&p.status),
        kind: some(&p.kind),
        origin: some(&p.origin),
        breached: match p.deadline.as_str() {
            "breached" => Some(true),
            "met" => Some(false),
            _ => None,
        },
        q: some(&p.q),
        sort: some(&p.sort),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..RequestQuery::default()
    };
    let (page, total) = requests::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let people = names(
        &state,
        &web,
        page.items
            .iter()
            .filter_map(|v| v.request.requester_id)
            .collect(),
    )
    .await;
    let base = [
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("kind", p.kind.as_str()),
        ("origin", p.origin.as_str()),
        ("deadline", p.deadline.as_str()),
        ("sort", p.sort.as_str()),
    ];
    let unsorted: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != "sort").collect();
    let tx_ = tx(lang);
    let headers = sort_headers(
        "/requests",
        &unsorted,
        if p.sort.is_empty() {
            "-created_at"
        } else {
            p.sort.as_str()
        },
        &[
            ("", tx_.code, false),
            ("", tx_.title, false),
            ("", tx_.kind, false),
            ("", tx_.requester, false),
            ("", tx_.status, false),
            ("created_at", tx_.created, true),
            ("due_at", tx_.due, false),
        ],
    );
    let rows = page
        .items
        .into_iter()
        .map(|v| {
            let r = v.request;
            Row {
                id: r.id,
                code: r.code,
                title: r.title,
                kind: r.kind.label().get(lang),
                status: r.status.label().get(lang),
                status_code: r.status.code(),
                requester: r
                    .requester_id
                    .and_then(|u| people.get(&u).cloned())
                    .unwrap_or_else(|| "—".into()),
                origin: r.origin.label().get(lang),
                auto: r.origin != Origin::User,
                created: when(t, Some(r.created_at)),
                due: r.due_at.map(|d| when(t, Some(d))).unwrap_or_default(),
                breached: v.breached,
                met: r.deadline_met,
            }
        })
        .collect();
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(
                &web,
                Some(Section::Requests),
                view::notice(t, p.notice.as_deref()),
            ),
            tx: tx(lang),
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            statuses: code_options(
                &RequestStatus::ALL,
                RequestStatus::code,
                RequestStatus::label,
                lang,
                &p.status,
            ),
            kinds: code_options(
                &RequestKind::ALL,
                RequestKind::code,
                RequestKind::label,
                lang,
                &p.kind,
            ),
            origins: code_options(&Origin::ALL, Origin::code, Origin::label, lang, &p.origin),
            total_label: tx(lang).total_found.replace("{n}", &total.to_string()),
            headers,
            rows,
            export_href: href("/requests/export", &base),
            pager: Pager::paged(
                "/requests",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

/// `GET /requests/export`: the filtered list (the breach list with `deadline=breached`) as
/// an XLSX workbook with headers in the page's language.
pub async fn export(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let query = RequestQuery {
        status: some(&p.status),
        kind: some(&p.kind),
        origin: some(&p.origin),
        breached: match p.deadline.as_str() {
            "breached" => Some(true),
            "met" => Some(false),
            _ => None,
        },
        q: some(&p.q),
        ..RequestQuery::default()
    };
    let (_, body) = requests::export_xlsx(&state.app, &web.ctx(), &query, web.lang())
        .await
        .map_err(|e| web.fail(e))?;
    Ok(view::xlsx_download("requests", body))
}

#[derive(Deserialize, Default, Clone)]
pub struct RequestForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    impact: String,
    #[serde(default)]
    asset_code: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    submit: String,
}

#[derive(Template)]
#[template(path = "requests/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    form: RequestForm,
    kinds: Vec<CodeOption>,
    impacts: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

fn form_page(
    web: &Web,
    form: RequestForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = web.lang();
    let kind = if form.kind.is_empty() {
        "access_grant".to_owned()
    } else {
        form.kind.clone()
    };
    let impact = if form.impact.is_empty() {
        "normal".to_owned()
    } else {
        form.impact.clone()
    };
    render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Requests), None),
            tx: tx(lang),
            kinds: code_options(
                &RequestKind::ALL,
                RequestKind::code,
                RequestKind::label,
                lang,
                &kind,
            ),
            impacts: code_options(&Impact::ALL, Impact::code, Impact::label, lang, &impact),
            form,
            errors,
            error,
        },
    )
}

/// `GET /requests/new`.
pub async fn new(web: Web) -> Response {
    form_page(
        &web,
        RequestForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
}

/// `POST /requests`: creates a draft, and submits it when asked to.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<RequestForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let input = RequestInput {
        kind: f.kind.clone(),
        title: f.title.clone(),
        description: some(&f.description),
        impact: some(&f.impact),
        asset_id: None,
        subject_user_id: None,
        asset_code: some(&f.asset_code),
        subject_username: some(&f.subject),
    };
    let created = match requests::create(&state.app, &ctx, &input).await {
        Ok(v) => v,
        Err(e) => {
            return match view::form_failure(web.lang(), &e) {
                Some((mut errors, message)) => {
                    // The person is typed by username on the form.
                    for field in ["subject_user_id", "subject_username"] {
                        if let Some(m) = errors.get(field).map(str::to_owned) {
                            errors.set("subject", &m);
                        }
                    }
                    Ok(form_page(
                        &web,
                        f,
                        errors,
                        message,
                        StatusCode::UNPROCESSABLE_ENTITY,
                    ))
                }
                None => Err(web.fail(e)),
            };
        }
    };
    let id = created.request.id;
    if f.submit == "1"
        && let Err(e) = requests::transition(&state.app, &ctx, id, "submitted", None, None).await
    {
        {
            let msg = error_text(&web, &e);
            return render_show(
                &state,
                &web,
                id,
                Some("created"),
                Some(msg),
                StatusCode::CONFLICT,
            )
            .await;
        }
    }
    Ok(Redirect::to(&format!("/requests/{id}?notice=created")).into_response())
}

struct StepLine {
    name: String,
    who: &'static str,
    state: &'static str,
    class: &'static str,
    min: u32,
}

struct DecisionLine {
    step: String,
    approver: String,
    decision: &'static str,
    decision_code: &'static str,
    comment: String,
    at: String,
}

struct MoveLine {
    from: String,
    to: String,
    actor: String,
    at: String,
    comment: String,
}

struct MoveButton {
    to: &'static str,
    label: &'static str,
    confirm: &'static str,
    primary: bool,
}

#[derive(Template)]
#[template(path = "requests/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    title: String,
    description: String,
    kind: &'static str,
    impact: &'static str,
    impact_major: bool,
    status: &'static str,
    status_code: &'static str,
    origin: &'static str,
    auto: bool,
    requester: String,
    subject: String,
    created: String,
    due: String,
    implemented: String,
    breached: bool,
    met: Option<bool>,
    chain_version: String,
    steps: Vec<StepLine>,
    decisions: Vec<DecisionLine>,
    moves: Vec<MoveLine>,
    may_decide: bool,
    buttons: Vec<MoveButton>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /requests/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, Response> {
    render_show(&state, &web, id, p.notice.as_deref(), None, StatusCode::OK).await
}

async fn render_show(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = requests::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = requests::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let approvals = &v.approvals;
    let r = &v.request;
    let mut ids: Vec<UserId> = [r.requester_id, r.subject_user_id]
        .into_iter()
        .flatten()
        .collect();
    ids.extend(approvals.iter().filter_map(|a| a.approver_id));
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    let people = names(state, web, ids).await;
    let name = |u: Option<UserId>, fallback: &str| -> String {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let status_label = |code: &str| {
        RequestStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let current = r.current_step.and_then(|c| usize::try_from(c).ok());
    let finished = matches!(
        r.status,
        RequestStatus::Approved | RequestStatus::Implemented | RequestStatus::Closed
    );
    let steps = r
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (state, class) = if Some(i) == current {
                (tx.steps_waiting, "current")
            } else if finished || current.is_some_and(|c| i < c) {
                (tx.steps_done, "done")
            } else {
                (tx.steps_next, "")
            };
            StepLine {
                name: s.shown_name(lang),
                // The approver, unless the step is named by it already.
                who: if s.name.is_empty() && s.min_approvals == 1 {
                    ""
                } else {
                    s.approver_role.label().get(lang)
                },
                state,
                class,
                min: s.min_approvals,
            }
        })
        .collect();
    let buttons = v
        .allowed_transitions
        .iter()
        // Approving, rejecting and returning are decisions, made with the decision form.
        .filter(|s| {
            let decision = matches!(s, RequestStatus::Approved | RequestStatus::Rejected)
                || (r.status == RequestStatus::Submitted && **s == RequestStatus::Draft);
            !decision
        })
        .map(|s| match s {
            RequestStatus::Submitted => MoveButton {
                to: "submitted",
                label: tx.move_submit,
                confirm: "",
                primary: true,
            },
            RequestStatus::Withdrawn => MoveButton {
                to: "withdrawn",
                label: tx.move_withdraw,
                confirm: tx.confirm_withdraw,
                primary: false,
            },
            RequestStatus::Implemented => MoveButton {
                to: "implemented",
                label: tx.move_implemented,
                confirm: "",
                primary: true,
            },
            RequestStatus::Closed => MoveButton {
                to: "closed",
                label: tx.move_closed,
                confirm: tx.confirm_close,
                primary: true,
            },
            other => MoveButton {
                to: other.code(),
                label: other.label().get(lang),
                confirm: "",
                primary: false,
            },
        })
        .collect();
    let page = ShowPage {
        page: Page::new(web, Some(Section::Requests), view::notice(t, notice)),
        tx,
        id,
        version: r.version,
        code: r.code.clone(),
        title: r.title.clone(),
        description: r.description.clone().unwrap_or_default(),
        kind: r.kind.label().get(lang),
        impact: r.impact.label().get(lang),
        impact_major: r.impact == Impact::Major,
        status: r.status.label().get(lang),
        status_code: r.status.code(),
        origin: r.origin.label().get(lang),
        auto: r.origin != Origin::User,
        requester: name(r.requester_id, "—"),
        subject: r
            .subject_user_id
            .map(|u| name(Some(u), "—"))
            .unwrap_or_default(),
        created: when(t, Some(r.created_at)),
        due: r.due_at.map(|d| when(t, Some(d))).unwrap_or_default(),
        implemented: r
            .implemented_at
            .map(|d| when(t, Some(d)))
            .unwrap_or_default(),
        breached: v.breached,
        met: r.deadline_met,
        chain_version: r.chain_version.map(|v| v.to_string()).unwrap_or_default(),
        steps,
        decisions: approvals
            .iter()
            .map(|a| DecisionLine {
                step: if a.step_name.is_empty() {
                    usize::try_from(a.step)
                        .ok()
                        .and_then(|i| r.steps.get(i))
                        .map(|s| s.shown_name(lang))
                        .unwrap_or_default()
                } else {
                    a.step_name.clone()
                },
                approver: name(a.approver_id, &a.approver),
                decision: a.decision.label().get(lang),
                decision_code: a.decision.code(),
                comment: a.comment.clone().unwrap_or_default(),
                at: when(t, Some(a.at)),
            })
            .collect(),
        moves: moves
            .iter()
            .map(|m| MoveLine {
                from: status_label(&m.from),
                to: status_label(&m.to),
                actor: name(m.actor_id, &m.actor),
                at: when(t, Some(m.at)),
                comment: m
                    .comment
                    .as_deref()
                    .map(|c| {
                        Origin::from_code(c)
                            .map(|o| o.label().get(lang).to_owned())
                            .unwrap_or_else(|_| c.to_owned())
                    })
                    .unwrap_or_default(),
            })
            .collect(),
        may_decide: !v.allowed_decisions.is_empty(),
        buttons,
        error,
    };
    Ok(render::page_response(status, &page))
}

#[derive(Deserialize)]
pub struct DecideForm {
    version: i64,
    decision: String,
    #[serde(default)]
    comment: String,
}

/// `POST /requests/{id}/decide`.
pub async fn decide(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<DecideForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let Ok(decision) = Decision::from_code(f.decision.trim()) else {
        return render_show(
            &state,
            &web,
            id,
            None,
            Some(web.t().error_invalid.into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    match requests::decide(
        &state.app,
        &ctx,
        id,
        decision,
        some(&f.comment).as_deref(),
        Some(f.version),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    version: i64,
    to: String,
    #[serde(default)]
    comment: String,
}

/// `POST /requests/{id}/move`.
pub async fn transition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    match requests::transition(
        &state.app,
        &ctx,
        id,
        &f.to,
        some(&f.comment).as_deref(),
        Some(f.version),
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/requests/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

async fn failed(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
) -> Result<Response, Response> {
    let status = e
        .domain()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, crate::problem::status_of);
    if status == StatusCode::NOT_FOUND {
        return Err(web.fail(e));
    }
    let msg = match view::form_failure(web.lang(), &e) {
        Some((errors, message)) => errors
            .first()
            .map(|(f, m)| {
                format!(
                    "{}: {m}",
                    if f == "comment" {
                        tx(web.lang()).comment
                    } else {
                        f.as_str()
                    }
                )
            })
            .or(message),
        None => None,
    }
    .unwrap_or_else(|| error_text(web, &e));
    render_show(state, web, id, None, Some(msg), status).await
}

//! Rectification tasks: the list (mine to put right, mine to verify, all I can see) and the
//! task page with its plan, its moves and the forms of whoever acts next.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, code_options, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::rectification::evidence;
use castellan_app::rectification::tasks::{self, TaskPatch, TaskQuery, TaskView};
use castellan_domain::rectification::{Rectification, RectificationStatus};
use castellan_domain::{Day, Lang, UserId};
use serde::Deserialize;
use std::collections::HashMap;

/// The page of a task's source record.
pub fn source_href(t: &Rectification) -> String {
    match t.source {
        castellan_domain::rectification::RectificationSource::Incident => {
            format!("/incidents/{}", t.source_id)
        }
        castellan_domain::rectification::RectificationSource::Inspection => {
            format!("/inspections/{}", t.source_id)
        }
        castellan_domain::rectification::RectificationSource::Drill => {
            format!("/drills/{}", t.source_id)
        }
    }
}

/// The label of a task form's field, for messages above a form (the incident page's
/// rectification form uses it too).
pub fn field_label(lang: Lang, field: &str) -> Option<&'static str> {
    let tx = tx(lang);
    Some(match field {
        "description" => tx.description,
        "responsible_id" => tx.responsible,
        "verifier_id" => tx.verifier,
        "due_at" => tx.due_on,
        "comment" => tx.done_note,
        "source" => tx.source,
        _ => return None,
    })
}

/// The message above a form for a refused task change: every refused field with its label,
/// or the refusal itself.
pub fn failure_message(web: &Web, e: &castellan_app::Error) -> String {
    let lang = web.lang();
    view::failure_message(lang, e, |f| field_label(lang, f).unwrap_or(f).to_owned())
}

/// A task as a line of a table (the list and a source's page).
pub struct TaskLine {
    /// Id.
    pub id: i64,
    /// Code.
    pub code: String,
    /// Source code.
    pub source_code: String,
    /// Source page.
    pub source_href: String,
    /// Description (first line).
    pub description: String,
    /// Responsible person's name.
    pub responsible: String,
    /// Verifier's name.
    pub verifier: String,
    /// Due day.
    pub due: String,
    /// Status label.
    pub status: &'static str,
    /// Status code.
    pub status_code: &'static str,
    /// Past due.
    pub overdue: bool,
}

/// The names of people, by id.
pub async fn names(state: &AppState, ids: Vec<UserId>) -> HashMap<UserId, String> {
    castellan_app::request::requests::display_names(&state.app, &ids)
        .await
        .unwrap_or_default()
}

/// Table lines of tasks, with the people's names.
pub async fn lines(state: &AppState, lang: Lang, views: Vec<TaskView>) -> Vec<TaskLine> {
    let ids = views
        .iter()
        .flat_map(|v| [v.task.responsible_id, v.task.verifier_id])
        .collect();
    let people = names(state, ids).await;
    let name = |u: UserId| {
        people
            .get(&u)
            .cloned()
            .unwrap_or_else(|| format!("#{}", u.0))
    };
    views
        .into_iter()
        .map(|v| {
            let t = v.task;
            TaskLine {
                id: t.id,
                source_href: source_href(&t),
                code: t.code,
                source_code: t.source_code,
                description: t.description.lines().next().unwrap_or_default().to_owned(),
                responsible: name(t.responsible_id),
                verifier: name(t.verifier_id),
                due: t.due_on.to_string(),
                status: t.status.label().get(lang),
                status_code: t.status.code(),
                overdue: v.overdue,
            }
        })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
}

struct Tab {
    href: &'static str,
    label: &'static str,
    active: bool,
}

#[derive(Template)]
#[template(path = "rectifications/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ListParams,
    tabs: Vec<Tab>,
    any_filter: bool,
    total_label: String,
    export_href: String,
    due_sort_href: String,
    due_arrow: &'static str,
    statuses: Vec<CodeOption>,
    rows: Vec<TaskLine>,
    pager: Pager,
    error: Option<String>,
}

/// The filters of the list page as a query (the page's view, search, status, overdue).
fn query_of(p: &ListParams, me: i64) -> TaskQuery {
    TaskQuery {
        status: some(&p.status),
        responsible_id: (p.view == "mine").then_some(me),
        verifier_id: (p.view == "verify").then_some(me),
        overdue: p.overdue == "1",
        q: some(&p.q),
        ..TaskQuery::default()
    }
}

/// `GET /rectifications/export`: the filtered list as an XLSX workbook in the page's language.
pub async fn export(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let query = query_of(&p, ctx.principal.user_id.0);
    let (_, body) =
        castellan_app::rectification::export::export_xlsx(&state.app, &ctx, &query, web.lang())
            .await
            .map_err(|e| web.fail(e))?;
    Ok(view::xlsx_download("rectifications", body))
}

/// `GET /rectifications`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let me = ctx.principal.user_id.0;
    let query = TaskQuery {
        sort: (p.sort == "-due_at").then(|| "-due_at".to_owned()),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..query_of(&p, me)
    };
    let (page, total, error) = match tasks::list(&state.app, &ctx, &query).await {
        Ok((page, total)) => (page, total, None),
        Err(e)
            if e.domain().is_some_and(|d| {
                matches!(
                    d,
                    castellan_domain::DomainError::Validation(_)
                        | castellan_domain::DomainError::BadRequest(_)
                )
            }) =>
        {
            (
                castellan_domain::paging::Page {
                    items: Vec::new(),
                    next_cursor: None,
                },
                0,
                Some(t.error_invalid.to_owned()),
            )
        }
        Err(e) => return Err(web.fail(e)),
    };
    let base = [
        ("view", p.view.as_str()),
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("overdue", p.overdue.as_str()),
        ("sort", p.sort.as_str()),
    ];
    let descending = p.sort == "-due_at";
    let due_sort_href = crate::ui::list::href(
        "/rectifications",
        &[
            ("view", p.view.as_str()),
            ("q", p.q.as_str()),
            ("status", p.status.as_str()),
            ("overdue", p.overdue.as_str()),
            ("sort", if descending { "" } else { "-due_at" }),
        ],
    );
    let rows = lines(&state, lang, page.items).await;
    let view_is =
        |v: &str| p.view == v || (v.is_empty() && !matches!(p.view.as_str(), "mine" | "verify"));
    let tabs = vec![
        Tab {
            href: "/rectifications",
            label: tx.view_all,
            active: view_is(""),
        },
        Tab {
            href: "/rectifications?view=mine",
            label: tx.view_mine,
            active: view_is("mine"),
        },
        Tab {
            href: "/rectifications?view=verify",
            label: tx.view_verify,
            active: view_is("verify"),
        },
    ];
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Rectifications), None),
            tx,
            tabs,
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            export_href: crate::ui::list::href(
                "/rectifications/export",
                &[
                    ("view", p.view.as_str()),
                    ("q", p.q.as_str()),
                    ("status", p.status.as_str()),
                    ("overdue", p.overdue.as_str()),
                ],
            ),
            due_sort_href,
            due_arrow: if descending { " ↓" } else { " ↑" },
            any_filter: [&p.q, &p.status, &p.overdue].iter().any(|v| !v.is_empty()),
            statuses: code_options(
                &RectificationStatus::ALL,
                RectificationStatus::code,
                RectificationStatus::label,
                lang,
                &p.status,
            ),
            rows,
            pager: Pager::paged(
                "/rectifications",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            error,
            filters: p,
        },
    ))
}

struct FileLine {
    id: i64,
    name: String,
    size: String,
    sha256: String,
    by: String,
    at: String,
}

struct MoveLine {
    at: String,
    who: String,
    text: String,
    comment: String,
}

#[derive(Template)]
#[template(path = "rectifications/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    heading: String,
    source_code: String,
    source_href: String,
    source_label: &'static str,
    description: String,
    responsible: String,
    responsible_username: String,
    verifier: String,
    verifier_username: String,
    due: String,
    status: &'static str,
    status_code: &'static str,
    overdue: bool,
    resolution: String,
    done_at: String,
    verified_at: String,
    opened: String,
    may_done: bool,
    may_verify: bool,
    may_reopen: bool,
    may_edit: bool,
    history: Vec<MoveLine>,
    files: Vec<FileLine>,
    may_attach: bool,
    attachment_limit: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /rectifications/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, Response> {
    render_show(&state, &web, id, p.notice.as_deref(), None, StatusCode::OK).await
}

pub(super) async fn render_show(
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
    let v = tasks::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = tasks::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let files = evidence::list(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let task = &v.task;
    let mut ids = vec![task.responsible_id, task.verifier_id];
    ids.extend(task.created_by);
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.extend(files.iter().filter_map(|f| f.created_by));
    let people = names(state, ids).await;
    let name = |u: Option<UserId>, fallback: &str| -> String {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let usernames = castellan_app::request::requests::usernames(
        &state.app,
        &[task.responsible_id, task.verifier_id],
    )
    .await
    .unwrap_or_default();
    let status_label = |code: &str| {
        RectificationStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let allowed = &v.allowed_transitions;
    let page = ShowPage {
        page: Page::new(web, Some(Section::Rectifications), view::notice(t, notice)),
        tx,
        id,
        version: task.version,
        code: task.code.clone(),
        source_code: task.source_code.clone(),
        source_href: source_href(task),
        source_label: task.source.label().get(lang),
        description: task.description.clone(),
        responsible: name(Some(task.responsible_id), "—"),
        responsible_username: usernames
            .get(&task.responsible_id)
            .cloned()
            .unwrap_or_default(),
        verifier: name(Some(task.verifier_id), "—"),
        verifier_username: usernames
            .get(&task.verifier_id)
            .cloned()
            .unwrap_or_default(),
        due: task.due_on.to_string(),
        status: task.status.label().get(lang),
        status_code: task.status.code(),
        overdue: v.overdue,
        resolution: task.resolution.clone().unwrap_or_default(),
        done_at: task.done_at.map(|d| when(t, Some(d))).unwrap_or_default(),
        verified_at: task
            .verified_at
            .map(|d| when(t, Some(d)))
            .unwrap_or_default(),
        opened: format!(
            "{} · {}",
            name(task.created_by, "—"),
            when(t, Some(task.created_at))
        ),
        heading: {
            let first = task.description.lines().next().unwrap_or_default();
            let mut h: String = first.chars().take(80).collect();
            if first.chars().count() > 80 {
                h.push('…');
            }
            h
        },
        may_done: allowed.contains(&RectificationStatus::Done),
        may_verify: allowed.contains(&RectificationStatus::Verified),
        may_reopen: allowed.contains(&RectificationStatus::Reopened),
        may_edit: v.may_edit,
        may_attach: !task.status.is_finished()
            && ctx.principal.may_somewhere(
                castellan_domain::Resource::Rectification,
                castellan_domain::Action::Update,
            )
            && (v.may_edit
                || task.responsible_id == ctx.principal.user_id
                || task.verifier_id == ctx.principal.user_id),
        attachment_limit: view::size_label(state.app.settings().attachment_limit_bytes),
        files: files
            .iter()
            .map(|f| FileLine {
                id: f.id,
                name: f.name.clone(),
                size: view::size_label(f.size),
                sha256: f.sha256.clone(),
                by: name(f.created_by, "—"),
                at: when(t, Some(f.created_at)),
            })
            .collect(),
        history: moves
            .iter()
            .rev()
            .map(|m| MoveLine {
                at: when(t, Some(m.at)),
                who: name(m.actor_id, &m.actor),
                text: format!("{} → {}", status_label(&m.from), status_label(&m.to)),
                comment: m.comment.clone().unwrap_or_default(),
            })
            .collect(),
        error,
    };
    Ok(render::page_response(status, &page))
}

pub(super) async fn failed(
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
    let msg = failure_message(web, &e);
    render_show(state, web, id, None, Some(msg), status).await
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /rectifications/{id}/move`: done, verified or reopened.
pub async fn transition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let comment = some(&f.comment);
    match tasks::transition(
        &state.app,
        &web.ctx(),
        id,
        &f.to,
        comment.as_deref(),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct PlanForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    verifier: String,
    #[serde(default)]
    due_on: String,
    version: i64,
}

/// A day typed in a form; a bad one is refused on `field` with the form's other errors.
pub fn form_day(raw: &str) -> Result<Option<Day>, castellan_app::Error> {
    match raw.trim() {
        "" => Ok(None),
        s => Day::parse(s)
            .map(Some)
            .map_err(|k| castellan_domain::FieldErrors::single("due_at", k).into()),
    }
}

/// `POST /rectifications/{id}`: changes the plan.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let due_on = match form_day(&f.due_on) {
        Ok(d) => d,
        Err(e) => return failed(&state, &web, id, e).await,
    };
    let patch = TaskPatch {
        description: some(&f.description),
        responsible_username: some(&f.responsible),
        verifier_username: some(&f.verifier),
        due_on,
        ..TaskPatch::default()
    };
    match tasks::update(&state.app, &web.ctx(), id, &patch, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

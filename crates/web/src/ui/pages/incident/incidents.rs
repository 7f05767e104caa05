//! Security incidents: the list with filters and total, the report form, and the incident
//! page with triage, the timeline, the record of root cause and lessons, and the moves.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::{Pager, href};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, FormErrors, code_options, some, when};
use crate::ui::view::{from_local_input, local_input};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::incident::incidents::{
    self, IncidentPage, IncidentPatch, IncidentQuery, ReportInput, TriageInput,
};
use castellan_domain::incident::{IncidentCategory, IncidentClass, IncidentLevel, IncidentStatus};
use castellan_domain::{Day, Lang, Timestamp, UserId};
use serde::Deserialize;
use std::collections::HashMap;

mod files;
mod follow_up;
mod rectification;

pub use files::{attach, download};
pub use follow_up::follow_up;
pub use rectification::open_rectification;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    class: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
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
    status: &'static str,
    status_code: &'static str,
    class: &'static str,
    level: &'static str,
    level_code: &'static str,
    category: &'static str,
    reporter: String,
    reported: String,
    overdue: bool,
    awaits_committee: bool,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ListParams,
    any_filter: bool,
    statuses: Vec<CodeOption>,
    classes: Vec<CodeOption>,
    levels: Vec<CodeOption>,
    categories: Vec<CodeOption>,
    total_label: String,
    rows: Vec<Row>,
    pager: Pager,
    export_href: String,
    error: Option<String>,
}

async fn names(state: &AppState, ids: Vec<UserId>) -> HashMap<UserId, String> {
    castellan_app::request::requests::display_names(&state.app, &ids)
        .await
        .unwrap_or_default()
}

/// A day of a filter as the start of that day (UTC); `next` for the end of a range.
fn day_start(raw: &str, next: bool) -> Option<Timestamp> {
    let day = Day::parse(raw).ok()?;
    Some(if next { day.next() } else { day }.start_at(time::UtcOffset::UTC))
}

/// The filters of the list page as a query.
fn query_of(p: &ListParams) -> IncidentQuery {
    IncidentQuery {
        status: some(&p.status),
        class: some(&p.class),
        level: some(&p.level),
        category: some(&p.category),
        from: day_start(&p.from, false),
        to: day_start(&p.to, true),
        overdue: p.overdue == "1",
        q: some(&p.q),
        ..IncidentQuery::default()
    }
}

/// `GET /incidents/export`: the filtered list as an XLSX workbook in the page's language.
pub async fn export(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let (_, body) = castellan_app::incident::export::export_xlsx(
        &state.app,
        &web.ctx(),
        &query_of(&p),
        web.lang(),
    )
    .await
    .map_err(|e| web.fail(e))?;
    Ok(view::xlsx_download("incidents", body))
}

/// `GET /incidents`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let query = IncidentQuery {
        cursor: some(&p.cursor),
        limit: Some(50),
        ..query_of(&p)
    };
    let bad_day = (!p.from.trim().is_empty() && query.from.is_none())
        || (!p.to.trim().is_empty() && query.to.is_none());
    let (page, total, error) = match incidents::list(&state.app, &ctx, &query).await {
        Ok((page, total)) if !bad_day => (page, total, None),
        Ok(_) => (
            castellan_domain::paging::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            0,
            Some(t.error_invalid.to_owned()),
        ),
        Err(e)
            if e.domain()
                .is_some_and(|d| matches!(d, castellan_domain::DomainError::Validation(_))) =>
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
    let people = names(
        &state,
        page.items
            .iter()
            .filter_map(|v| v.incident.reporter_id)
            .collect(),
    )
    .await;
    let base = [
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("class", p.class.as_str()),
        ("level", p.level.as_str()),
        ("category", p.category.as_str()),
        ("overdue", p.overdue.as_str()),
        ("from", p.from.as_str()),
        ("to", p.to.as_str()),
    ];
    let rows = page
        .items
        .into_iter()
        .map(|v| {
            let i = &v.incident;
            Row {
                id: i.id,
                code: i.code.clone(),
                title: i.title.clone(),
                status: i.status.label().get(lang),
                status_code: i.status.code(),
                class: i.class.map(|c| c.label().get(lang)).unwrap_or_default(),
                level: i.level.map(|c| c.label().get(lang)).unwrap_or_default(),
                level_code: i.level.map(|c| c.code()).unwrap_or_default(),
                category: i.category.map(|c| c.label().get(lang)).unwrap_or_default(),
                reporter: i
                    .reporter_id
                    .and_then(|u| people.get(&u).cloned())
                    .unwrap_or_else(|| "—".into()),
                reported: when(t, Some(i.reported_at)),
                overdue: (v.triage_overdue && i.status == IncidentStatus::Reported)
                    || (v.notice_late && i.awaits_committee()),
                awaits_committee: i.awaits_committee(),
            }
        })
        .collect();
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(
                &web,
                Some(Section::Incidents),
                view::notice(t, p.notice.as_deref()),
            ),
            tx,
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            statuses: code_options(
                &IncidentStatus::ALL,
                IncidentStatus::code,
                IncidentStatus::label,
                lang,
                &p.status,
            ),
            classes: code_options(
                &IncidentClass::ALL,
                IncidentClass::code,
                IncidentClass::label,
                lang,
                &p.class,
            ),
            levels: code_options(
                &IncidentLevel::ALL,
                IncidentLevel::code,
                IncidentLevel::label,
                lang,
                &p.level,
            ),
            categories: code_options(
                &IncidentCategory::ALL,
                IncidentCategory::code,
                IncidentCategory::label,
                lang,
                &p.category,
            ),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            rows,
            pager: Pager::paged(
                "/incidents",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            export_href: href("/incidents/export", &base),
            error,
            filters: p,
        },
    ))
}

#[derive(Deserialize, Default, Clone)]
pub struct ReportForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    occurred_at: String,
    #[serde(default)]
    detected_at: String,
    #[serde(default)]
    asset_codes: String,
}

#[derive(Template)]
#[template(path = "incidents/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    form: ReportForm,
    max_time: String,
    errors: FormErrors,
    error: Option<String>,
}

fn form_page(
    state: &AppState,
    web: &Web,
    form: ReportForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Incidents), None),
            tx: tx(web.lang()),
            max_time: local_input(state, Timestamp::now()),
            form,
            errors,
            error,
        },
    )
}

/// `GET /incidents/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Response {
    let form = ReportForm {
        occurred_at: local_input(&state, Timestamp::now()),
        ..ReportForm::default()
    };
    form_page(&state, &web, form, FormErrors::none(), None, StatusCode::OK)
}

/// `POST /incidents`: reports an incident.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<ReportForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let mut errors = FormErrors::none();
    let occurred = from_local_input(&state, &f.occurred_at);
    let detected = from_local_input(&state, &f.detected_at);
    let t = web.t();
    if !f.occurred_at.trim().is_empty() && occurred.is_none() {
        errors.set("occurred_at", t.error_invalid);
    }
    if !f.detected_at.trim().is_empty() && detected.is_none() {
        errors.set("detected_at", t.error_invalid);
    }
    let input = ReportInput {
        title: f.title.clone(),
        description: some(&f.description),
        location: some(&f.location),
        occurred_at: occurred,
        detected_at: detected,
        asset_ids: Vec::new(),
        asset_codes: f
            .asset_codes
            .split([',', '，', ';', '；', ' ', '\n'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    if !errors.is_empty() {
        return Ok(form_page(
            &state,
            &web,
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    match incidents::report(&state.app, &ctx, &input).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/incidents/{}?notice=created", v.incident.id)).into_response(),
        ),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => Ok(form_page(
                &state,
                &web,
                f,
                errors,
                message,
                StatusCode::UNPROCESSABLE_ENTITY,
            )),
            None => Err(web.fail(e)),
        },
    }
}

struct Explained {
    label: &'static str,
    text: &'static str,
}

struct AssetLine {
    code: String,
    name: String,
    value_level: u8,
}

struct FileLine {
    id: i64,
    name: String,
    size: String,
    sha256: String,
    by: String,
    at: String,
}

struct TimelineLine {
    at: String,
    who: String,
    text: String,
    is_move: bool,
}

struct MoveButton {
    to: &'static str,
    label: &'static str,
    confirm: &'static str,
    primary: bool,
}

#[derive(Template)]
#[template(path = "incidents/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    title: String,
    description: String,
    location: String,
    status: &'static str,
    status_code: &'static str,
    class: &'static str,
    level: &'static str,
    level_code: &'static str,
    category: &'static str,
    reporter: String,
    department: String,
    occurred: String,
    detected: String,
    reported: String,
    triage_due: String,
    triage_overdue: bool,
    notice_due: String,
    notice_late: bool,
    noted: String,
    awaits_committee: bool,
    team: String,
    assets: Vec<AssetLine>,
    level5: bool,
    root_cause: String,
    lessons_learned: String,
    rejection_reason: String,
    may_handle: bool,
    may_note: bool,
    may_triage: bool,
    may_reject: bool,
    buttons: Vec<MoveButton>,
    classes: Vec<CodeOption>,
    levels: Vec<CodeOption>,
    categories: Vec<CodeOption>,
    class_help: Vec<Explained>,
    level_help: Vec<Explained>,
    timeline: Vec<TimelineLine>,
    files: Vec<FileLine>,
    may_attach: bool,
    follow_up_assessments: Vec<(i64, String)>,
    follow_up_assets: Vec<(i64, String)>,
    rx: &'static crate::ui::pages::rectification::texts::Messages,
    rect_tasks: Vec<crate::ui::pages::rectification::tasks::TaskLine>,
    may_open_rect: bool,
    rect_min_due: String,
    attachment_limit: String,
    entry_max: String,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /incidents/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, Response> {
    render_show(&state, &web, id, p.notice.as_deref(), None, StatusCode::OK).await
}

fn button(
    tx: &'static texts::Messages,
    lang: Lang,
    from: IncidentStatus,
    to: IncidentStatus,
) -> MoveButton {
    let (label, confirm, primary) = match to {
        IncidentStatus::Investigating if from == IncidentStatus::Contained => {
            (tx.move_back, "", false)
        }
        IncidentStatus::Investigating => (tx.move_investigating, "", true),
        IncidentStatus::Contained => (tx.move_contained, "", true),
        IncidentStatus::Recovered => (tx.move_recovered, "", true),
        IncidentStatus::Closed => (tx.move_closed, tx.confirm_close, true),
        other => (other.label().get(lang), "", false),
    };
    MoveButton {
        to: to.code(),
        label,
        confirm,
        primary,
    }
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
    let IncidentPage {
        view: v,
        moves,
        timeline: entries,
        assets,
        attachments: files,
    } = incidents::page(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    // Open assessments the user may add risks to, for a follow-up risk.
    let follow_up_assessments: Vec<(i64, String)> = if assets.is_empty()
        || !ctx.principal.may_somewhere(
            castellan_domain::Resource::Assessment,
            castellan_domain::Action::Update,
        ) {
        Vec::new()
    } else {
        let q = castellan_app::risk::assessments::AssessmentQuery {
            mine: true,
            limit: Some(50),
            ..Default::default()
        };
        castellan_app::risk::assessments::list(&state.app, &ctx, &q)
            .await
            .map(|p| {
                p.items
                    .into_iter()
                    .filter(|a| {
                        a.may_edit
                            && a.assessment
                                .phase
                                .allows(castellan_domain::risk::assessment::Work::Risks)
                    })
                    .map(|a| (a.assessment.id.0, a.assessment.name))
                    .collect()
            })
            .unwrap_or_default()
    };
    let (rect_views, may_open_rect) = castellan_app::rectification::tasks::of_source(
        &state.app,
        &ctx,
        castellan_domain::rectification::RectificationSource::Incident,
        id,
    )
    .await
    .map_err(|e| web.fail(e))?;
    let rect_tasks = crate::ui::pages::rectification::tasks::lines(state, lang, rect_views).await;
    let i = &v.incident;
    let mut ids: Vec<UserId> = i.handler_ids.clone();
    ids.extend(i.reporter_id);
    ids.extend(i.committee_noted_by);
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.extend(entries.iter().filter_map(|e| e.author_id));
    ids.extend(files.iter().filter_map(|f| f.created_by));
    let people = names(state, ids).await;
    let name = |u: Option<UserId>, fallback: &str| -> String {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let status_label = |code: &str| {
        IncidentStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let mut timeline: Vec<(Timestamp, TimelineLine)> = entries
        .iter()
        .map(|e| {
            (
                e.at,
                TimelineLine {
                    at: when(t, Some(e.at)),
                    who: name(e.author_id, &e.author),
                    text: e.note.clone(),
                    is_move: false,
                },
            )
        })
        .collect();
    timeline.extend(moves.iter().map(|m| {
        let mut text = format!("{} → {}", status_label(&m.from), status_label(&m.to));
        if let Some(c) = &m.comment {
            text.push('\n');
            text.push_str(c);
        }
        (
            m.at,
            TimelineLine {
                at: when(t, Some(m.at)),
                who: name(m.actor_id, &m.actor),
                text,
                is_move: true,
            },
        )
    }));
    timeline.sort_by_key(|(at, _)| *at);
    let allowed = &v.allowed_transitions;
    let buttons = allowed
        .iter()
        .filter(|s| !matches!(s, IncidentStatus::Triaged | IncidentStatus::Rejected))
        .map(|s| button(tx, lang, i.status, *s))
        .collect();
    let department = match i.department_id {
        Some(d) => castellan_app::org::departments::get(&state.app, &ctx, d)
            .await
            .map(|d| d.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    let page = ShowPage {
        page: Page::new(web, Some(Section::Incidents), view::notice(t, notice)),
        tx,
        id,
        version: i.version,
        code: i.code.clone(),
        title: i.title.clone(),
        description: i.description.clone().unwrap_or_default(),
        location: i.location.clone().unwrap_or_default(),
        status: i.status.label().get(lang),
        status_code: i.status.code(),
        class: i.class.map(|c| c.label().get(lang)).unwrap_or_default(),
        level: i.level.map(|c| c.label().get(lang)).unwrap_or_default(),
        level_code: i.level.map(|c| c.code()).unwrap_or_default(),
        category: i.category.map(|c| c.label().get(lang)).unwrap_or_default(),
        reporter: name(i.reporter_id, "—"),
        department,
        occurred: when(t, Some(i.occurred_at)),
        detected: i.detected_at.map(|d| when(t, Some(d))).unwrap_or_default(),
        reported: when(t, Some(i.reported_at)),
        triage_due: when(t, Some(v.triage_due)),
        triage_overdue: v.triage_overdue,
        notice_due: v.notice_due.map(|d| when(t, Some(d))).unwrap_or_default(),
        notice_late: v.notice_late,
        noted: i
            .committee_noted_at
            .map(|d| format!("{} · {}", when(t, Some(d)), name(i.committee_noted_by, "—")))
            .unwrap_or_default(),
        awaits_committee: i.awaits_committee(),
        team: i
            .handler_ids
            .iter()
            .map(|u| name(Some(*u), &format!("#{}", u.0)))
            .collect::<Vec<_>>()
            .join("、"),
        level5: assets.iter().any(|a| a.value_level >= 5),
        follow_up_assets: assets
            .iter()
            .map(|a| (a.id.0, format!("{} · {}", a.code, a.name)))
            .collect(),
        follow_up_assessments,
        rx: crate::ui::pages::rectification::tx(lang),
        rect_tasks,
        may_open_rect,
        rect_min_due: Day::of_at(Timestamp::now(), state.app.settings().utc_offset()).to_string(),
        assets: assets
            .into_iter()
            .map(|a| AssetLine {
                code: a.code,
                name: a.name,
                value_level: a.value_level,
            })
            .collect(),
        root_cause: i.root_cause.clone().unwrap_or_default(),
        lessons_learned: i.lessons_learned.clone().unwrap_or_default(),
        rejection_reason: i.rejection_reason.clone().unwrap_or_default(),
        may_handle: v.may_handle,
        may_note: v.may_note,
        may_triage: allowed.contains(&IncidentStatus::Triaged),
        may_reject: allowed.contains(&IncidentStatus::Rejected),
        buttons,
        classes: code_options(
            &IncidentClass::ALL,
            IncidentClass::code,
            IncidentClass::label,
            lang,
            i.class.map(|c| c.code()).unwrap_or_default(),
        ),
        levels: code_options(
            &IncidentLevel::ALL,
            IncidentLevel::code,
            IncidentLevel::label,
            lang,
            i.level.map(|c| c.code()).unwrap_or_default(),
        ),
        categories: code_options(
            &IncidentCategory::ALL,
            IncidentCategory::code,
            IncidentCategory::label,
            lang,
            i.category.map(|c| c.code()).unwrap_or_default(),
        ),
        class_help: IncidentClass::ALL
            .iter()
            .map(|c| Explained {
                label: c.label().get(lang),
                text: c.explanation().get(lang),
            })
            .collect(),
        level_help: IncidentLevel::ALL
            .iter()
            .map(|c| Explained {
                label: c.label().get(lang),
                text: c.explanation().get(lang),
            })
            .collect(),
        timeline: timeline.into_iter().map(|(_, l)| l).collect(),
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
        may_attach: !i.status.is_finished()
            && (v.may_handle || i.reporter_id == Some(ctx.principal.user_id))
            && ctx.principal.may_somewhere(
                castellan_domain::Resource::Incident,
                castellan_domain::Action::Update,
            ),
        attachment_limit: view::size_label(state.app.settings().attachment_limit_bytes),
        entry_max: local_input(state, Timestamp::now()),
        error,
    };
    Ok(render::page_response(status, &page))
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
    let tx = tx(web.lang());
    let label = |f: &str| -> String {
        match f {
            "comment" => tx.reject_reason.into(),
            "class" => tx.class.into(),
            "level" => tx.level.into(),
            "category" => tx.category.into(),
            "handler_ids" => tx.team.into(),
            "root_cause" => tx.root_cause.into(),
            "lessons_learned" => tx.lessons_learned.into(),
            "note" => tx.entry_note.into(),
            "at" => tx.entry_at.into(),
            "title" => tx.title.into(),
            other => crate::ui::pages::rectification::tasks::field_label(web.lang(), other)
                .unwrap_or(other)
                .into(),
        }
    };
    let msg = view::failure_message(web.lang(), &e, label);
    render_show(state, web, id, None, Some(msg), status).await
}

fn saved(id: i64) -> Response {
    Redirect::to(&format!("/incidents/{id}?notice=saved")).into_response()
}

#[derive(Deserialize)]
pub struct TriageForm {
    version: i64,
    #[serde(default)]
    class: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    team: String,
}

/// `POST /incidents/{id}/triage`.
pub async fn triage(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<TriageForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = TriageInput {
        class: some(&f.class),
        level: some(&f.level),
        category: some(&f.category),
        handler_ids: Vec::new(),
        handler_usernames: f
            .team
            .split([',', '，', ';', '；', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
    };
    match incidents::transition(
        &state.app,
        &web.ctx(),
        id,
        "triaged",
        None,
        Some(&input),
        Some(f.version),
    )
    .await
    {
        Ok(_) => Ok(saved(id)),
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

/// `POST /incidents/{id}/move`.
pub async fn transition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match incidents::transition(
        &state.app,
        &web.ctx(),
        id,
        &f.to,
        some(&f.comment).as_deref(),
        None,
        Some(f.version),
    )
    .await
    {
        Ok(_) => Ok(saved(id)),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct EntryForm {
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
}

/// `POST /incidents/{id}/timeline`.
pub async fn add_entry(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<EntryForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let at = from_local_input(&state, &f.at);
    if !f.at.trim().is_empty() && at.is_none() {
        let msg = format!("{}: {}", tx(web.lang()).entry_at, web.t().error_invalid);
        return render_show(
            &state,
            &web,
            id,
            None,
            Some(msg),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match incidents::add_entry(&state.app, &web.ctx(), id, at, &f.note).await {
        Ok(_) => Ok(saved(id)),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct RecordForm {
    version: i64,
    #[serde(default)]
    root_cause: String,
    #[serde(default)]
    lessons_learned: String,
}

/// `POST /incidents/{id}`: saves the root cause and lessons learned.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<RecordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let patch = IncidentPatch {
        root_cause: Some(some(&f.root_cause)),
        lessons_learned: Some(some(&f.lessons_learned)),
        ..IncidentPatch::default()
    };
    match incidents::update(&state.app, &web.ctx(), id, &patch, f.version).await {
        Ok(_) => Ok(saved(id)),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct NoteForm {}

/// `POST /incidents/{id}/note`: a committee member notes the incident.
pub async fn note(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<NoteForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: _ } = form;
    match incidents::note(&state.app, &web.ctx(), id).await {
        Ok(_) => Ok(saved(id)),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

//! Drills on the pages: the list (achieved recovery against the plan's RTO, a missed RTO
//! marked), the form (new and change, problems found become rectification tasks), and the
//! drill page with its tasks, files and history.

use super::dr_plans::{DrillLine, drill_line};
use super::{Tab, hours, refusal, split_list, tabs, texts, tx, writes};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::pages::continuity::backup_plans::number;
use crate::ui::pages::rectification::tasks::{TaskLine, lines, names};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, FormErrors, HistoryItem, Names, code_options, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::continuity::dr_plans;
use castellan_app::continuity::drills::{self, DrillForm, DrillQuery, ProblemForm};
use castellan_domain::continuity::DrillResult;
use castellan_domain::{Day, FieldErrors, UserId};
use serde::Deserialize;

/// A choice of a select.
pub(crate) struct Choice {
    value: String,
    label: String,
    selected: bool,
}

async fn plan_choices(
    state: &AppState,
    web: &Web,
    selected: &str,
) -> Result<Vec<Choice>, Response> {
    Ok(dr_plans::choices(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?
        .into_iter()
        .map(|(id, code, title)| Choice {
            selected: id.to_string() == selected,
            value: id.to_string(),
            label: format!("{code} {title}"),
        })
        .collect())
}

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    plan: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    missed: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "continuity/drills.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    filters: ListParams,
    any_filter: bool,
    plans: Vec<Choice>,
    results: Vec<CodeOption>,
    total_label: String,
    headers: Vec<Header>,
    drills: Vec<DrillLine>,
    may_create: bool,
    pager: Pager,
}

/// `GET /drills`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let sort = if p.sort.is_empty() {
        "-held_at".to_owned()
    } else {
        p.sort.clone()
    };
    let query = DrillQuery {
        dr_plan_id: p.plan.trim().parse().ok(),
        result: some(&p.result),
        missed_rto: p.missed == "1",
        q: some(&p.q),
        sort: Some(sort.clone()),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..DrillQuery::default()
    };
    let (page, total) = drills::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let filters = [
        ("q", p.q.as_str()),
        ("plan", p.plan.as_str()),
        ("result", p.result.as_str()),
        ("missed", p.missed.as_str()),
    ];
    let mut base = filters.to_vec();
    base.push(("sort", p.sort.as_str()));
    let headers = sort_headers(
        "/drills",
        &filters,
        &sort,
        &[
            ("code", tx.code, false),
            ("held_at", tx.held_at, true),
            ("", tx.dr_plan, false),
            ("", tx.scenario, false),
            ("result", tx.result, false),
            ("", tx.rto_vs, false),
            ("", tx.problems, false),
        ],
    );
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Continuity), None),
            tx,
            tabs: tabs(lang, "drills"),
            any_filter: [&p.q, &p.plan, &p.result, &p.missed]
                .iter()
                .any(|v| !v.is_empty()),
            plans: plan_choices(&state, &web, &p.plan).await?,
            results: code_options(
                &DrillResult::ALL,
                DrillResult::code,
                DrillResult::label,
                lang,
                &p.result,
            ),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            headers,
            drills: page
                .items
                .iter()
                .map(|l| drill_line(lang, &l.line))
                .collect(),
            may_create: writes(&web),
            pager: Pager::paged(
                "/drills",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

/// The drill form's values, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct DrillFormValues {
    #[serde(default)]
    dr_plan_id: String,
    #[serde(default)]
    held_at: String,
    #[serde(default)]
    scenario: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    achieved_rto_hours: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    problems: String,
    #[serde(default)]
    problems_responsible: String,
    #[serde(default)]
    due_at: String,
    #[serde(default)]
    rto_responsible: String,
    version: Option<i64>,
}

fn day_field(field: &str, raw: &str, errors: &mut FieldErrors) -> Option<Day> {
    match raw.trim() {
        "" => None,
        s => errors.check(field, Day::parse(s)),
    }
}

impl DrillFormValues {
    fn form(&self, web: &Web) -> Result<DrillForm, castellan_app::Error> {
        let mut errors = FieldErrors::new();
        let held_at = day_field("held_at", &self.held_at, &mut errors);
        let due_at = day_field("rto_due_at", &self.due_at, &mut errors);
        errors.into_result()?;
        let problems = self
            .problems
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(|l| ProblemForm {
                description: l.to_owned(),
                responsible_id: None,
                responsible_username: some(&self.problems_responsible),
                due_at,
            })
            .collect();
        Ok(DrillForm {
            dr_plan_id: self.dr_plan_id.trim().parse().ok(),
            held_at,
            scenario: Some(self.scenario.clone()),
            participant_ids: None,
            participant_usernames: Some(split_list(&self.participants)),
            result: Some(self.result.clone()),
            achieved_rto_hours: number(&self.achieved_rto_hours),
            achieved_given: true,
            summary: Some(self.summary.clone()),
            problems,
            rto_responsible_id: None,
            rto_responsible_username: some(&self.rto_responsible),
            rto_due_at: due_at,
            lang: Some(web.lang()),
        })
    }
}

#[derive(Template)]
#[template(path = "continuity/drill_form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    action: String,
    heading: &'static str,
    submit: &'static str,
    cancel: String,
    new: bool,
    today: String,
    plans: Vec<Choice>,
    results: Vec<CodeOption>,
    v: DrillFormValues,
    errors: FormErrors,
    problem_error: Option<String>,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    id: Option<i64>,
    v: DrillFormValues,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let tx = tx(lang);
    let (action, heading, submit, cancel) = match id {
        Some(id) => (
            format!("/drills/{id}"),
            tx.edit_drill,
            tx.save,
            format!("/drills/{id}"),
        ),
        None => (
            "/drills".to_owned(),
            tx.new_drill,
            tx.create,
            "/drills".to_owned(),
        ),
    };
    // A problem line's refusal (its description or its person) is shown under the problems.
    let problem_error = errors
        .fields()
        .into_iter()
        .find(|f| f.starts_with("problems"))
        .and_then(|f| errors.get(&f).map(str::to_owned));
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Continuity), None),
            tx,
            action,
            heading,
            submit,
            cancel,
            new: id.is_none(),
            today: castellan_app::document::documents::today(&state.app).to_string(),
            plans: plan_choices(state, web, &v.dr_plan_id).await?,
            results: code_options(
                &DrillResult::ALL,
                DrillResult::code,
                DrillResult::label,
                lang,
                if v.result.is_empty() {
                    "passed"
                } else {
                    &v.result
                },
            ),
            v,
            errors,
            problem_error,
            error,
        },
    ))
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    #[serde(default)]
    plan: String,
}

/// `GET /drills/new` (`?plan=ID` from a DR plan's page).
pub async fn new_form(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<NewParams>,
) -> Result<Response, Response> {
    let v = DrillFormValues {
        dr_plan_id: q.plan,
        held_at: castellan_app::document::documents::today(&state.app).to_string(),
        result: "passed".into(),
        ..DrillFormValues::default()
    };
    form_page(
        &state,
        &web,
        None,
        v,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /drills`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<DrillFormValues>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.form(&web) {
        Ok(input) => drills::create(&state.app, &web.ctx(), &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(
            Redirect::to(&format!("/drills/{}?notice=created", v.line.drill.id)).into_response(),
        ),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            form_page(&state, &web, None, f, errors, message, status).await
        }
    }
}

/// `GET /drills/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let v = drills::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let d = &v.line.drill;
    let people = castellan_app::request::requests::usernames(&state.app, &d.participant_ids)
        .await
        .unwrap_or_default();
    let f = DrillFormValues {
        dr_plan_id: d.dr_plan_id.to_string(),
        held_at: d.held_at.to_string(),
        scenario: d.scenario.clone(),
        participants: d
            .participant_ids
            .iter()
            .filter_map(|u| people.get(u).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        result: d.result.code().into(),
        achieved_rto_hours: d
            .achieved_rto_hours
            .map(|h| h.to_string())
            .unwrap_or_default(),
        summary: d.summary.clone().unwrap_or_default(),
        version: Some(d.version),
        ..DrillFormValues::default()
    };
    form_page(
        &state,
        &web,
        Some(id),
        f,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /drills/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<DrillFormValues>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.form(&web) {
        Ok(mut input) => {
            // The plan drilled stays; the form shows it without offering a change.
            input.dr_plan_id = None;
            drills::update(&state.app, &web.ctx(), id, &input, f.version.unwrap_or(0)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/drills/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            form_page(&state, &web, Some(id), f, errors, message, status).await
        }
    }
}

struct ProblemLine {
    kind: &'static str,
    missed: bool,
    description: String,
    task: Option<(i64, String)>,
}

struct FileLine {
    id: i64,
    name: String,
    size: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "continuity/drill.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    rx: &'static crate::ui::pages::rectification::texts::Messages,
    id: i64,
    code: String,
    plan_id: i64,
    plan: String,
    held: String,
    scenario: String,
    participants: String,
    result: &'static str,
    result_badge: &'static str,
    achieved: String,
    plan_rto: String,
    missed: bool,
    summary: String,
    problems: Vec<ProblemLine>,
    tasks: Vec<TaskLine>,
    files: Vec<FileLine>,
    attachment_limit: String,
    may_edit: bool,
    error: Option<String>,
    history: Vec<HistoryItem>,
}

/// `GET /drills/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<crate::ui::view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(&state, &web, id, q.notice.as_deref(), None, StatusCode::OK).await
}

async fn show_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let t = web.t();
    let v = drills::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let files = drills::attachments(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = drills::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let d = &v.line.drill;
    let ids: Vec<UserId> = d
        .participant_ids
        .iter()
        .copied()
        .chain(files.iter().filter_map(|f| f.created_by))
        .collect();
    let people = names(state, ids).await;
    let name = |u: &UserId| people.get(u).cloned().unwrap_or_default();
    let line = drill_line(lang, &v.line);
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Continuity), view::notice(t, notice)),
            tx,
            rx: crate::ui::pages::rectification::tx(lang),
            id,
            code: d.code.clone(),
            plan_id: d.dr_plan_id,
            plan: line.plan,
            held: line.held,
            scenario: d.scenario.clone(),
            participants: d
                .participant_ids
                .iter()
                .map(name)
                .collect::<Vec<_>>()
                .join("、"),
            result: line.result,
            result_badge: line.result_badge,
            achieved: line.achieved,
            plan_rto: hours(lang, v.line.plan_rto_hours),
            missed: v.missed_rto,
            summary: d.summary.clone().unwrap_or_default(),
            problems: d
                .problems
                .iter()
                .map(|p| ProblemLine {
                    kind: p.kind.label().get(lang),
                    missed: p.kind == castellan_domain::continuity::ProblemKind::MissedRto,
                    description: p.description.clone(),
                    task: p.rectification_id.zip(p.rectification_code.clone()),
                })
                .collect(),
            tasks: lines(state, lang, v.tasks.clone()).await,
            files: files
                .iter()
                .map(|f| FileLine {
                    id: f.id,
                    name: f.name.clone(),
                    size: view::size_label(f.size),
                    by: f.created_by.as_ref().map(name).unwrap_or_default(),
                    at: when(t, Some(f.created_at)),
                })
                .collect(),
            attachment_limit: view::size_label(state.app.settings().attachment_limit_bytes),
            may_edit: v.may_edit,
            error,
            history: view::history(
                lang,
                &Names {
                    departments: &Default::default(),
                    users: &view::user_names(&state.app, &entries).await,
                },
                &entries,
            ),
        },
    ))
}

/// `POST /drills/{id}/files`: a file attached from the drill page.
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Response> {
    let t = web.t();
    let Ok(multipart) = multipart else {
        let msg = t.error_bad_request.to_owned();
        return show_page(&state, &web, id, None, Some(msg), StatusCode::BAD_REQUEST).await;
    };
    let received = crate::attachments::receive(&state.app, &headers, multipart, |fields| {
        if web.auth.csrf_matches(fields.get("csrf").unwrap_or("")) {
            Ok(())
        } else {
            Err(crate::attachments::PageUploadRefused::Csrf)
        }
    })
    .await;
    let file = match received {
        Ok((file, _)) => file,
        Err(crate::attachments::PageUploadRefused::Csrf) => {
            let msg = t.csrf_failed.to_owned();
            return show_page(&state, &web, id, None, Some(msg), StatusCode::FORBIDDEN).await;
        }
        Err(crate::attachments::PageUploadRefused::App(e)) => {
            let (_, message, status) = refusal(&web, e)?;
            return show_page(&state, &web, id, None, message, status).await;
        }
    };
    let saved = match file.content() {
        Ok(content) => {
            drills::attach(
                &state.app,
                &web.ctx(),
                id,
                file.name(),
                file.media_type(),
                content,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/drills/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (_, message, status) = refusal(&web, e)?;
            show_page(&state, &web, id, None, message, status).await
        }
    }
}

/// `GET /drills/{id}/files/{attachment}`.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, Response> {
    let (a, content) = drills::open_attachment(&state.app, &web.ctx(), id, attachment)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(crate::attachments::download(&a, content))
}

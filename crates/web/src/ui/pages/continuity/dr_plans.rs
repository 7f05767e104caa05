//! DR plans on the pages: the list, the form (new and change), and the plan page with its
//! assets, document, drills and history.

use super::{Tab, hours, refusal, split_list, tabs, texts, tx, writes};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::pages::continuity::backup_plans::number;
use crate::ui::pages::rectification::tasks::names;
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors, HistoryItem, Names, some};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::continuity::dr_plans::{self as plans, DrPlanForm, DrPlanQuery};
use castellan_domain::{Day, Lang, UserId};
use serde::Deserialize;

struct PlanLine {
    id: i64,
    code: String,
    title: String,
    assets: usize,
    rto: String,
    owner: String,
    adopted: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "continuity/dr_plans.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    filters: ListParams,
    any_filter: bool,
    total_label: String,
    headers: Vec<Header>,
    rows: Vec<PlanLine>,
    may_create: bool,
    pager: Pager,
}

/// `GET /dr-plans`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let sort = if p.sort.is_empty() {
        "code".to_owned()
    } else {
        p.sort.clone()
    };
    let query = DrPlanQuery {
        q: some(&p.q),
        sort: Some(sort.clone()),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..DrPlanQuery::default()
    };
    let (page, total) = plans::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let people = names(&state, page.items.iter().map(|p| p.owner_id).collect()).await;
    let rows = page
        .items
        .iter()
        .map(|pl| PlanLine {
            id: pl.id,
            code: pl.code.clone(),
            title: pl.title.clone(),
            assets: pl.asset_ids.len(),
            rto: hours(lang, pl.rto_hours),
            owner: people.get(&pl.owner_id).cloned().unwrap_or_default(),
            adopted: pl.adopted_at.to_string(),
        })
        .collect();
    let base = [("q", p.q.as_str()), ("sort", p.sort.as_str())];
    let headers = sort_headers(
        "/dr-plans",
        &[("q", p.q.as_str())],
        &sort,
        &[
            ("code", tx.code, false),
            ("title", tx.title, false),
            ("", tx.assets, false),
            ("rto_hours", tx.rto, false),
            ("", tx.owner, false),
            ("", tx.adopted_at, false),
        ],
    );
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Continuity), None),
            tx,
            tabs: tabs(lang, "dr"),
            any_filter: !p.q.is_empty(),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            headers,
            rows,
            may_create: writes(&web),
            pager: Pager::paged(
                "/dr-plans",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

/// The DR plan form's values, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    assets: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    rto_hours: String,
    #[serde(default)]
    adopted_at: String,
    #[serde(default)]
    description: String,
    version: Option<i64>,
}

impl PlanForm {
    fn form(&self) -> Result<DrPlanForm, castellan_app::Error> {
        let adopted_at = match self.adopted_at.trim() {
            "" => None,
            s => Some(Day::parse(s).map_err(|k| {
                castellan_app::Error::from(castellan_domain::FieldErrors::single("adopted_at", k))
            })?),
        };
        Ok(DrPlanForm {
            title: Some(self.title.clone()),
            asset_ids: None,
            asset_codes: Some(split_list(&self.assets)),
            document_id: None,
            document_code: Some(self.document.clone()),
            owner_id: None,
            owner_username: some(&self.owner),
            rto_hours: number(&self.rto_hours),
            adopted_at,
            description: Some(self.description.clone()),
        })
    }
}

#[derive(Template)]
#[template(path = "continuity/dr_plan_form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    action: String,
    heading: &'static str,
    submit: &'static str,
    cancel: String,
    today: String,
    v: PlanForm,
    errors: FormErrors,
    error: Option<String>,
}

fn form_page(
    state: &AppState,
    web: &Web,
    id: Option<i64>,
    v: PlanForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let tx = tx(web.lang());
    let (action, heading, submit, cancel) = match id {
        Some(id) => (
            format!("/dr-plans/{id}"),
            tx.edit_dr,
            tx.save,
            format!("/dr-plans/{id}"),
        ),
        None => (
            "/dr-plans".to_owned(),
            tx.new_dr,
            tx.create,
            "/dr-plans".to_owned(),
        ),
    };
    render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Continuity), None),
            tx,
            action,
            heading,
            submit,
            cancel,
            today: castellan_app::document::documents::today(&state.app).to_string(),
            v,
            errors,
            error,
        },
    )
}

/// `GET /dr-plans/new`.
pub async fn new_form(State(state): State<AppState>, web: Web) -> Response {
    let v = PlanForm {
        rto_hours: "4".into(),
        adopted_at: castellan_app::document::documents::today(&state.app).to_string(),
        ..PlanForm::default()
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
}

/// `POST /dr-plans`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.form() {
        Ok(input) => plans::create(&state.app, &web.ctx(), &input).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => {
            Ok(Redirect::to(&format!("/dr-plans/{}?notice=created", v.plan.id)).into_response())
        }
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            Ok(form_page(&state, &web, None, f, errors, message, status))
        }
    }
}

/// `GET /dr-plans/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let v = plans::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let owner = castellan_app::request::requests::usernames(&state.app, &[v.plan.owner_id])
        .await
        .unwrap_or_default();
    let f = PlanForm {
        title: v.plan.title.clone(),
        assets: v
            .assets
            .iter()
            .map(|a| a.1.clone())
            .collect::<Vec<_>>()
            .join(", "),
        document: v.document.0.clone(),
        owner: owner.get(&v.plan.owner_id).cloned().unwrap_or_default(),
        rto_hours: v.plan.rto_hours.to_string(),
        adopted_at: v.plan.adopted_at.to_string(),
        description: v.plan.description.clone().unwrap_or_default(),
        version: Some(v.plan.version),
    };
    Ok(form_page(
        &state,
        &web,
        Some(id),
        f,
        FormErrors::none(),
        None,
        StatusCode::OK,
    ))
}

/// `POST /dr-plans/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.form() {
        Ok(input) => {
            plans::update(&state.app, &web.ctx(), id, &input, f.version.unwrap_or(0)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/dr-plans/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            Ok(form_page(
                &state,
                &web,
                Some(id),
                f,
                errors,
                message,
                status,
            ))
        }
    }
}

/// A drill as a table line (the plan page and the drill list).
pub(crate) struct DrillLine {
    pub id: i64,
    pub code: String,
    pub plan_id: i64,
    pub plan: String,
    pub held: String,
    pub scenario: String,
    pub result: &'static str,
    pub result_badge: &'static str,
    pub achieved: String,
    pub plan_rto: String,
    pub missed: bool,
    pub problems: usize,
}

pub(crate) fn result_badge(code: &str) -> &'static str {
    match code {
        "passed" => "badge-ok",
        "partial" => "badge-role",
        _ => "badge-warn",
    }
}

pub(crate) fn drill_line(
    lang: Lang,
    l: &castellan_store::continuity::drills::DrillLine,
) -> DrillLine {
    let tx = tx(lang);
    DrillLine {
        id: l.drill.id,
        code: l.drill.code.clone(),
        plan_id: l.drill.dr_plan_id,
        plan: format!("{} {}", l.plan_code, l.plan_title),
        held: l.drill.held_at.to_string(),
        scenario: l.drill.scenario.clone(),
        result: l.drill.result.label().get(lang),
        result_badge: result_badge(l.drill.result.code()),
        achieved: l
            .drill
            .achieved_rto_hours
            .map_or_else(|| tx.not_completed.to_owned(), |h| hours(lang, h)),
        plan_rto: hours(lang, l.plan_rto_hours),
        missed: l.missed_rto(),
        problems: l.drill.problems.len(),
    }
}

#[derive(Template)]
#[template(path = "continuity/dr_plan.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    code: String,
    title: String,
    assets: Vec<(i64, String, String)>,
    document: String,
    document_id: i64,
    owner: String,
    rto: String,
    adopted: String,
    description: String,
    drills: Vec<DrillLine>,
    may_edit: bool,
    history: Vec<HistoryItem>,
}

/// `GET /dr-plans/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<crate::ui::view::NoticeParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let v = plans::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = plans::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let people = names(&state, vec![v.plan.owner_id]).await;
    let owner: UserId = v.plan.owner_id;
    Ok(render::page_response(
        StatusCode::OK,
        &ShowPage {
            page: Page::new(
                &web,
                Some(Section::Continuity),
                view::notice(web.t(), q.notice.as_deref()),
            ),
            tx: tx(lang),
            id,
            code: v.plan.code.clone(),
            title: v.plan.title.clone(),
            assets: v
                .assets
                .iter()
                .map(|a| (a.0.0, a.1.clone(), a.2.clone()))
                .collect(),
            document: format!("{} {}", v.document.0, v.document.1),
            document_id: v.plan.document_id,
            owner: people.get(&owner).cloned().unwrap_or_default(),
            rto: hours(lang, v.plan.rto_hours),
            adopted: v.plan.adopted_at.to_string(),
            description: v.plan.description.clone().unwrap_or_default(),
            drills: v.drills.iter().map(|l| drill_line(lang, l)).collect(),
            may_edit: v.may_edit,
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

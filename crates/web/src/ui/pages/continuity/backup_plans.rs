//! Backup plans on the pages: the list with the high-value assets that lack a plan on top,
//! the form (new and change), and the plan page with its restore tests and history.

use super::{Tab, hours, refusal, tabs, texts, tx, writes};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::pages::rectification::tasks::names;
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, FormErrors, HistoryItem, Names, code_options, some};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::continuity::backup_plans::{
    self as plans, BackupPlanForm, BackupPlanQuery, BackupPlanView, VerificationForm,
};
use castellan_domain::continuity::{BackupFrequency, VerificationResult};
use castellan_domain::{Day, Lang, UserId};
use serde::Deserialize;

/// How many uncovered assets the list page shows.
const UNCOVERED_SHOWN: i64 = 50;

struct PlanLine {
    id: i64,
    asset: String,
    level: i64,
    scope: String,
    frequency: &'static str,
    rpo: String,
    rto: String,
    owner: String,
    last_test: String,
    failed: bool,
    due: bool,
}

struct UncoveredLine {
    asset_id: i64,
    code: String,
    name: String,
    level: i64,
    owner: String,
    new_href: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    due: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "continuity/backup_plans.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    filters: ListParams,
    any_filter: bool,
    uncovered: Vec<UncoveredLine>,
    uncovered_label: String,
    uncovered_more: Option<String>,
    total_label: String,
    headers: Vec<Header>,
    rows: Vec<PlanLine>,
    may_create: bool,
    pager: Pager,
}

fn last_test(lang: Lang, v: &BackupPlanView) -> String {
    let p = &v.line.plan;
    match (p.last_verified_at, p.last_result) {
        (Some(d), Some(r)) => format!("{d} · {}", r.label().get(lang)),
        (Some(d), None) => d.to_string(),
        _ => tx(lang).never_tested.to_owned(),
    }
}

/// `GET /backup-plans`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let sort = if p.sort.is_empty() {
        "asset_code".to_owned()
    } else {
        p.sort.clone()
    };
    let query = BackupPlanQuery {
        verification_due: p.due == "1",
        q: some(&p.q),
        sort: Some(sort.clone()),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..BackupPlanQuery::default()
    };
    let (page, total) = plans::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let (uncovered, uncovered_total) =
        plans::uncovered(&state.app, &ctx, None, Some(UNCOVERED_SHOWN))
            .await
            .map_err(|e| web.fail(e))?;
    let ids: Vec<UserId> = page
        .items
        .iter()
        .map(|v| v.line.plan.owner_id)
        .chain(uncovered.items.iter().filter_map(|u| u.owner_id))
        .collect();
    let people = names(&state, ids).await;
    let name = |u: &UserId| people.get(u).cloned().unwrap_or_default();
    let rows = page
        .items
        .iter()
        .map(|v| {
            let pl = &v.line.plan;
            PlanLine {
                id: pl.id,
                asset: format!("{} {}", v.line.asset_code, v.line.asset_name),
                level: v.line.asset_level,
                scope: pl.scope.clone(),
                frequency: pl.frequency.label().get(lang),
                rpo: hours(lang, pl.rpo_hours),
                rto: hours(lang, pl.rto_hours),
                owner: name(&pl.owner_id),
                last_test: last_test(lang, v),
                failed: pl.last_result == Some(VerificationResult::Failed),
                due: v.verification_due,
            }
        })
        .collect();
    let base = [
        ("q", p.q.as_str()),
        ("due", p.due.as_str()),
        ("sort", p.sort.as_str()),
    ];
    let filter_base = [("q", p.q.as_str()), ("due", p.due.as_str())];
    let headers = sort_headers(
        "/backup-plans",
        &filter_base,
        &sort,
        &[
            ("asset_code", tx.asset, false),
            ("", tx.scope, false),
            ("", tx.frequency, false),
            ("rpo_hours", tx.rpo, false),
            ("rto_hours", tx.rto, false),
            ("", tx.owner, false),
            ("last_verified_at", tx.last_test, false),
        ],
    );
    let shown = uncovered.items.len() as i64;
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Continuity), None),
            tx,
            tabs: tabs(lang, "backups"),
            any_filter: [&p.q, &p.due].iter().any(|v| !v.is_empty()),
            uncovered: uncovered
                .items
                .iter()
                .map(|u| UncoveredLine {
                    asset_id: u.id.0,
                    code: u.code.clone(),
                    name: u.name.clone(),
                    level: u.value_level,
                    owner: u.owner_id.as_ref().map(name).unwrap_or_default(),
                    new_href: crate::ui::list::href("/backup-plans/new", &[("asset", &u.code)]),
                })
                .collect(),
            uncovered_label: tx
                .uncovered_count
                .replace("{n}", &uncovered_total.to_string()),
            uncovered_more: (uncovered_total > shown)
                .then(|| tx.uncovered_more.replace("{n}", &shown.to_string())),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            headers,
            rows,
            may_create: writes(&web),
            pager: Pager::paged(
                "/backup-plans",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

/// The backup plan form's values, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PlanForm {
    #[serde(default)]
    asset: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    retention: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    rpo_hours: String,
    #[serde(default)]
    rto_hours: String,
    #[serde(default)]
    owner: String,
    version: Option<i64>,
}

/// A number typed in a form: blank as absent, anything else that is not a whole number as
/// 0 (refused by the service on its field).
pub(crate) fn number(raw: &str) -> Option<i64> {
    let raw = raw.trim();
    (!raw.is_empty()).then(|| raw.parse().unwrap_or(0))
}

impl PlanForm {
    fn form(&self) -> BackupPlanForm {
        BackupPlanForm {
            asset_id: None,
            asset_code: some(&self.asset),
            scope: Some(self.scope.clone()),
            frequency: Some(self.frequency.clone()),
            retention: Some(self.retention.clone()),
            location: Some(self.location.clone()),
            rpo_hours: number(&self.rpo_hours),
            rto_hours: number(&self.rto_hours),
            owner_id: None,
            owner_username: some(&self.owner),
        }
    }
}

#[derive(Template)]
#[template(path = "continuity/backup_plan_form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    action: String,
    heading: &'static str,
    submit: &'static str,
    cancel: String,
    new: bool,
    v: PlanForm,
    frequencies: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

fn form_page(
    web: &Web,
    id: Option<i64>,
    v: PlanForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = web.lang();
    let tx = tx(lang);
    let (action, heading, submit, cancel) = match id {
        Some(id) => (
            format!("/backup-plans/{id}"),
            tx.edit_backup,
            tx.save,
            format!("/backup-plans/{id}"),
        ),
        None => (
            "/backup-plans".to_owned(),
            tx.new_backup,
            tx.create,
            "/backup-plans".to_owned(),
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
            new: id.is_none(),
            frequencies: code_options(
                &BackupFrequency::ALL,
                BackupFrequency::code,
                BackupFrequency::label,
                lang,
                if v.frequency.is_empty() {
                    "daily"
                } else {
                    &v.frequency
                },
            ),
            v,
            errors,
            error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    #[serde(default)]
    asset: String,
}

/// `GET /backup-plans/new` (`?asset=CODE` from the uncovered list).
pub async fn new_form(web: Web, Query(q): Query<NewParams>) -> Response {
    let v = PlanForm {
        asset: q.asset,
        frequency: "daily".into(),
        rpo_hours: "24".into(),
        rto_hours: "4".into(),
        ..PlanForm::default()
    };
    form_page(&web, None, v, FormErrors::none(), None, StatusCode::OK)
}

/// `POST /backup-plans`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match plans::create(&state.app, &web.ctx(), &f.form()).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/backup-plans/{}?notice=created", v.line.plan.id))
                .into_response(),
        ),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            Ok(form_page(&web, None, f, errors, message, status))
        }
    }
}

/// `GET /backup-plans/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let v = plans::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let p = v.line.plan;
    let owner = castellan_app::request::requests::usernames(&state.app, &[p.owner_id])
        .await
        .unwrap_or_default();
    let f = PlanForm {
        asset: v.line.asset_code,
        scope: p.scope,
        frequency: p.frequency.code().into(),
        retention: p.retention,
        location: p.location,
        rpo_hours: p.rpo_hours.to_string(),
        rto_hours: p.rto_hours.to_string(),
        owner: owner.get(&p.owner_id).cloned().unwrap_or_default(),
        version: Some(p.version),
    };
    Ok(form_page(
        &web,
        Some(id),
        f,
        FormErrors::none(),
        None,
        StatusCode::OK,
    ))
}

/// `POST /backup-plans/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let mut input = f.form();
    // The asset stays; the form shows it but does not send it back as a change.
    input.asset_code = None;
    match plans::update(&state.app, &web.ctx(), id, &input, f.version.unwrap_or(0)).await {
        Ok(_) => Ok(Redirect::to(&format!("/backup-plans/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            Ok(form_page(&web, Some(id), f, errors, message, status))
        }
    }
}

struct TestLine {
    day: String,
    result: &'static str,
    failed: bool,
    note: String,
    by: String,
}

#[derive(Template)]
#[template(path = "continuity/backup_plan.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    asset: String,
    asset_id: i64,
    level: i64,
    scope: String,
    frequency: &'static str,
    retention: String,
    location: String,
    rpo: String,
    rto: String,
    owner: String,
    last_test: String,
    due: bool,
    tests: Vec<TestLine>,
    may_edit: bool,
    results: Vec<CodeOption>,
    today: String,
    test: TestForm,
    errors: FormErrors,
    error: Option<String>,
    history: Vec<HistoryItem>,
}

/// `GET /backup-plans/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<crate::ui::view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        id,
        q.notice.as_deref(),
        TestForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    test: TestForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let v = plans::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let tests = plans::verifications(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = plans::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let ids: Vec<UserId> = tests
        .iter()
        .map(|t| t.verified_by)
        .chain([v.line.plan.owner_id])
        .collect();
    let people = names(state, ids).await;
    let name = |u: &UserId| people.get(u).cloned().unwrap_or_default();
    let today = castellan_app::document::documents::today(&state.app);
    let t = web.t();
    let p = &v.line.plan;
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Continuity), view::notice(t, notice)),
            tx,
            id,
            asset: format!("{} {}", v.line.asset_code, v.line.asset_name),
            asset_id: p.asset_id.0,
            level: v.line.asset_level,
            scope: p.scope.clone(),
            frequency: p.frequency.label().get(lang),
            retention: p.retention.clone(),
            location: p.location.clone(),
            rpo: hours(lang, p.rpo_hours),
            rto: hours(lang, p.rto_hours),
            owner: name(&p.owner_id),
            last_test: last_test(lang, &v),
            due: v.verification_due,
            tests: tests
                .iter()
                .map(|x| TestLine {
                    day: x.verified_at.to_string(),
                    result: x.result.label().get(lang),
                    failed: x.result == VerificationResult::Failed,
                    note: x.note.clone().unwrap_or_default(),
                    by: name(&x.verified_by),
                })
                .collect(),
            may_edit: v.may_edit,
            results: code_options(
                &VerificationResult::ALL,
                VerificationResult::code,
                VerificationResult::label,
                lang,
                if test.result.is_empty() {
                    "passed"
                } else {
                    &test.result
                },
            ),
            today: today.to_string(),
            test,
            errors,
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

/// The restore test form's values.
#[derive(Deserialize, Default, Clone)]
pub struct TestForm {
    #[serde(default)]
    verified_at: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    note: String,
}

/// `POST /backup-plans/{id}/tests`.
pub async fn record_test(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<TestForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let day = match f.verified_at.trim() {
        "" => None,
        s => match Day::parse(s) {
            Ok(d) => Some(d),
            Err(k) => {
                let e = castellan_app::Error::from(castellan_domain::FieldErrors::single(
                    "verified_at",
                    k,
                ));
                let (errors, message, status) = refusal(&web, e)?;
                return show_page(&state, &web, id, None, f, errors, message, status).await;
            }
        },
    };
    let input = VerificationForm {
        verified_at: day,
        result: f.result.clone(),
        note: some(&f.note),
    };
    match plans::verify(&state.app, &web.ctx(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/backup-plans/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            show_page(&state, &web, id, None, f, errors, message, status).await
        }
    }
}

//! Inspection plans on the pages: the list, the form (new and draft), the plan page with
//! its approval, revision, retirement and the scheduling of its next inspection.

use super::{Tab, refusal, tabs, texts, tx, usernames};
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{
    self, CodeOption, DecisionForms, EventLine, FormErrors, code_options, some, when,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::inspection::inspections::{self, InspectionQuery, ScheduleInput};
use castellan_app::inspection::plans::{self, PlanQuery};
use castellan_domain::inspection::{Frequency, PlanInput, PlanStatus};
use castellan_domain::workflow::Decision;
use castellan_domain::{Action, Day, DepartmentId, Resource, UserId};
use serde::Deserialize;

/// Whether the caller keeps checklists and prepares plans.
pub(crate) fn manages(web: &Web) -> bool {
    web.ctx()
        .principal
        .may_somewhere(Resource::Inspection, Action::Update)
}

pub(crate) fn plan_badge(code: &str) -> &'static str {
    match code {
        "approved" => "badge-ok",
        "in_review" => "badge-role",
        "retired" => "badge-warn",
        _ => "badge-neutral",
    }
}

struct PlanLine {
    id: i64,
    code: String,
    title: String,
    frequency: &'static str,
    next_due: String,
    overdue: bool,
    inspectors: String,
    status: &'static str,
    badge: &'static str,
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
    cursor: String,
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "inspections/plans.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    views: Vec<Tab>,
    filters: ListParams,
    any_filter: bool,
    statuses: Vec<CodeOption>,
    total_label: String,
    rows: Vec<PlanLine>,
    may_create: bool,
    pager: Pager,
}

/// `GET /inspection-plans`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let query = PlanQuery {
        status: some(&p.status),
        overdue: p.overdue == "1",
        mine: p.view == "mine",
        q: some(&p.q),
        sort: None,
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let (page, total) = plans::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let ids: Vec<UserId> = page
        .items
        .iter()
        .flat_map(|v| v.plan.inspector_ids.iter().copied())
        .collect();
    let people = crate::ui::pages::rectification::tasks::names(&state, ids).await;
    let rows = page
        .items
        .iter()
        .map(|v| {
            let p = &v.plan;
            PlanLine {
                id: p.id,
                code: p.code.clone(),
                title: p.title.clone(),
                frequency: p.frequency.label().get(lang),
                next_due: p.next_due_at.to_string(),
                overdue: v.overdue,
                inspectors: p
                    .inspector_ids
                    .iter()
                    .map(|u| people.get(u).cloned().unwrap_or_default())
                    .collect::<Vec<_>>()
                    .join("、"),
                status: p.status.label().get(lang),
                badge: plan_badge(p.status.code()),
            }
        })
        .collect();
    let base = [
        ("view", p.view.as_str()),
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("overdue", p.overdue.as_str()),
    ];
    let mine = p.view == "mine";
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Inspections), None),
            tx,
            tabs: tabs(lang, "plans", manages(&web) || reads_all(&web)),
            views: vec![
                Tab {
                    href: "/inspection-plans",
                    label: tx.view_all,
                    active: !mine,
                },
                Tab {
                    href: "/inspection-plans?view=mine",
                    label: tx.view_mine,
                    active: mine,
                },
            ],
            any_filter: [&p.q, &p.status, &p.overdue].iter().any(|v| !v.is_empty()),
            statuses: code_options(
                &PlanStatus::ALL,
                PlanStatus::code,
                PlanStatus::label,
                lang,
                &p.status,
            ),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            rows,
            may_create: manages(&web),
            pager: Pager::paged(
                "/inspection-plans",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

/// Whether the caller reads every plan and inspection.
pub(crate) fn reads_all(web: &Web) -> bool {
    web.ctx().principal.is_allowed(
        Resource::InspectionRegister,
        Action::Read,
        castellan_domain::Target::Global,
    )
}

/// The plan form's values, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct PlanForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    frequency: String,
    #[serde(default)]
    checklist_id: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    inspectors: String,
    #[serde(default)]
    responsibilities: String,
    #[serde(default)]
    next_due_at: String,
    version: Option<i64>,
}

impl PlanForm {
    fn input(&self) -> PlanInput {
        PlanInput {
            title: self.title.clone(),
            scope: some(&self.scope),
            frequency: self.frequency.clone(),
            checklist_id: self.checklist_id.trim().parse().ok(),
            department_id: self.department_id.trim().parse().ok().map(DepartmentId),
            inspector_ids: Vec::new(),
            inspector_usernames: usernames(&self.inspectors),
            responsibilities: some(&self.responsibilities),
            next_due_at: Day::parse(self.next_due_at.trim()).ok(),
        }
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "inspections/plan_form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    action: String,
    heading: String,
    submit: &'static str,
    cancel: String,
    v: PlanForm,
    frequencies: Vec<CodeOption>,
    checklists: Vec<Choice>,
    departments: Vec<Choice>,
    errors: FormErrors,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    id: Option<i64>,
    v: PlanForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let lists = castellan_app::inspection::checklists::list(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let tree = castellan_app::org::departments::tree(&state.app, &ctx)
        .await
        .unwrap_or_default();
    let (action, heading, submit, cancel) = match id {
        Some(id) => (
            format!("/inspection-plans/{id}"),
            tx.edit_plan.to_owned(),
            tx.save,
            format!("/inspection-plans/{id}"),
        ),
        None => (
            "/inspection-plans".to_owned(),
            tx.new_plan.to_owned(),
            tx.create_plan,
            "/inspection-plans".to_owned(),
        ),
    };
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Inspections), None),
            tx,
            action,
            heading,
            submit,
            cancel,
            frequencies: code_options(
                &Frequency::ALL,
                Frequency::code,
                Frequency::label,
                lang,
                if v.frequency.is_empty() {
                    "quarterly"
                } else {
                    &v.frequency
                },
            ),
            checklists: lists
                .iter()
                .map(|(c, n)| Choice {
                    value: c.id.to_string(),
                    label: format!(
                        "{} ({})",
                        c.name_in(lang),
                        tx.checklist_items.replace("{n}", &n.to_string())
                    ),
                    selected: v.checklist_id == c.id.to_string(),
                })
                .collect(),
            departments: view::dept_options(&tree, None, None)
                .into_iter()
                .map(|o| Choice {
                    selected: v.department_id == o.id.to_string(),
                    value: o.id.to_string(),
                    label: o.label,
                })
                .collect(),
            v,
            errors,
            error,
        },
    ))
}

/// `GET /inspection-plans/new`.
pub async fn new_form(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let today = castellan_app::document::documents::today(&state.app);
    let v = PlanForm {
        frequency: "quarterly".into(),
        next_due_at: today.plus_months(1).to_string(),
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
    .await
}

/// `POST /inspection-plans`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match plans::create(&state.app, &web.ctx(), &f.input()).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/inspection-plans/{}?notice=created", v.plan.id))
                .into_response(),
        ),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            form_page(&state, &web, None, f, errors, message, status).await
        }
    }
}

/// `GET /inspection-plans/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let v = plans::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let p = v.plan;
    let names = castellan_app::request::requests::usernames(&state.app, &p.inspector_ids)
        .await
        .unwrap_or_default();
    let f = PlanForm {
        title: p.title,
        scope: p.scope.unwrap_or_default(),
        frequency: p.frequency.code().into(),
        checklist_id: p.checklist_id.to_string(),
        department_id: p.department_id.map(|d| d.0.to_string()).unwrap_or_default(),
        inspectors: p
            .inspector_ids
            .iter()
            .filter_map(|u| names.get(u).cloned())
            .collect::<Vec<_>>()
            .join(", "),
        responsibilities: p.responsibilities.unwrap_or_default(),
        next_due_at: p.next_due_at.to_string(),
        version: Some(p.version),
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

/// `POST /inspection-plans/{id}`: a draft changed.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<PlanForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let version = f.version.unwrap_or(0);
    match plans::update(&state.app, &web.ctx(), id, &f.input(), version).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspection-plans/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            form_page(&state, &web, Some(id), f, errors, message, status).await
        }
    }
}

struct InspectionLine {
    id: i64,
    code: String,
    due: String,
    performed: String,
    status: &'static str,
    badge: &'static str,
    overdue: bool,
    tally: String,
}

pub(crate) fn inspection_badge(code: &str) -> &'static str {
    match code {
        "completed" => "badge-ok",
        "in_progress" => "badge-role",
        _ => "badge-neutral",
    }
}

#[derive(Template)]
#[template(path = "inspections/plan.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    title: String,
    scope: String,
    frequency: &'static str,
    checklist: String,
    checklist_id: i64,
    department: String,
    inspectors: String,
    responsibilities: String,
    next_due: String,
    overdue: bool,
    status: &'static str,
    status_code: &'static str,
    badge: &'static str,
    approved: String,
    steps: Vec<String>,
    events: Vec<EventLine>,
    decision: DecisionForms,
    may_edit: bool,
    may_submit: bool,
    may_revise: bool,
    may_retire: bool,
    may_schedule: bool,
    inspections: Vec<InspectionLine>,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NoticeQuery {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /inspection-plans/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
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
    let t = web.t();
    let tx = tx(lang);
    let v = plans::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = plans::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let (list, _) = inspections::list(
        &state.app,
        &ctx,
        &InspectionQuery {
            plan_id: Some(id),
            limit: Some(200),
            ..InspectionQuery::default()
        },
    )
    .await
    .map_err(|e| web.fail(e))?;
    let p = &v.plan;
    let mut ids: Vec<UserId> = v.approvals.iter().filter_map(|a| a.approver_id).collect();
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.extend(p.approved_by);
    ids.extend(p.inspector_ids.iter().copied());
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let person = |u: Option<UserId>| {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| "—".to_owned())
    };
    let events = view::decision_timeline(
        t,
        &v.approvals,
        &moves,
        &people,
        |d| match d {
            Decision::Approve => tx.approve.to_owned(),
            Decision::Return => tx.return_submit.to_owned(),
            d => d.code().to_owned(),
        },
        |code| {
            PlanStatus::from_code(code)
                .map(|s| s.label().get(lang).to_owned())
                .unwrap_or_else(|_| code.to_owned())
        },
    );
    let department = match p.department_id {
        Some(d) => castellan_app::org::departments::get(&state.app, &ctx, d)
            .await
            .map(|d| d.name)
            .unwrap_or_default(),
        None => tx.department_none.to_owned(),
    };
    let allowed = &v.allowed_transitions;
    let in_review = p.status == PlanStatus::InReview;
    let page = ShowPage {
        page: Page::new(web, Some(Section::Inspections), view::notice(t, notice)),
        tx,
        id,
        version: p.version,
        code: p.code.clone(),
        title: p.title.clone(),
        scope: p.scope.clone().unwrap_or_default(),
        frequency: p.frequency.label().get(lang),
        checklist: match lang {
            castellan_domain::Lang::ZhCn => v.checklist.1.clone().unwrap_or(v.checklist.0.clone()),
            castellan_domain::Lang::En => v.checklist.0.clone(),
        } + &format!(
            " ({})",
            tx.checklist_items
                .replace("{n}", &v.checklist.2.to_string())
        ),
        checklist_id: p.checklist_id,
        department,
        inspectors: p
            .inspector_ids
            .iter()
            .map(|u| person(Some(*u)))
            .collect::<Vec<_>>()
            .join("、"),
        responsibilities: p.responsibilities.clone().unwrap_or_default(),
        next_due: p.next_due_at.to_string(),
        overdue: v.overdue,
        status: p.status.label().get(lang),
        status_code: p.status.code(),
        badge: plan_badge(p.status.code()),
        approved: p
            .approved_at
            .map(|at| format!("{} · {}", person(p.approved_by), when(t, Some(at))))
            .unwrap_or_default(),
        steps: p.run.steps.iter().map(|s| s.shown_name(lang)).collect(),
        events,
        decision: DecisionForms {
            action: format!("/inspection-plans/{id}/move"),
            version: p.version,
            approve_to: (in_review && allowed.contains(&PlanStatus::Approved))
                .then_some("approved"),
            return_to: (in_review && allowed.contains(&PlanStatus::Draft)).then_some("draft"),
            heading: tx.decide_heading,
            approve: tx.approve,
            return_reason: tx.return_reason,
            return_label: tx.return_submit,
        },
        may_edit: v.may_manage && p.status == PlanStatus::Draft,
        may_submit: allowed.contains(&PlanStatus::InReview),
        may_revise: p.status == PlanStatus::Approved && allowed.contains(&PlanStatus::Draft),
        may_retire: allowed.contains(&PlanStatus::Retired),
        may_schedule: v.may_schedule,
        inspections: list
            .items
            .into_iter()
            .map(|l| InspectionLine {
                id: l.inspection.id,
                code: l.inspection.code.clone(),
                due: l.inspection.due_on.to_string(),
                performed: l
                    .inspection
                    .performed_at
                    .map(|d| d.to_string())
                    .unwrap_or_default(),
                status: l.inspection.status.label().get(lang),
                badge: inspection_badge(l.inspection.status.code()),
                overdue: l.overdue,
                tally: tally_label(tx, &l.tally),
            })
            .collect(),
        error,
    };
    Ok(render::page_response(status, &page))
}

/// "21 passed · 2 failed · …".
pub(crate) fn tally_label(tx: &texts::Messages, t: &castellan_domain::inspection::Tally) -> String {
    tx.tally
        .replace("{pass}", &t.pass.to_string())
        .replace("{fail}", &t.fail.to_string())
        .replace("{na}", &t.na.to_string())
        .replace("{open}", &t.open().to_string())
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /inspection-plans/{id}/move`.
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
        Ok(_) => Ok(Redirect::to(&format!("/inspection-plans/{id}?notice=moved")).into_response()),
        Err(e) => {
            let (_, message, status) = refusal(&web, e)?;
            show_page(&state, &web, id, None, message, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct ScheduleForm {
    #[serde(default)]
    due_on: String,
}

/// `POST /inspection-plans/{id}/schedule`.
pub async fn schedule(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<ScheduleForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = ScheduleInput {
        plan_id: id,
        due_on: Day::parse(f.due_on.trim()).ok(),
        inspector_ids: Vec::new(),
    };
    match inspections::schedule(&state.app, &web.ctx(), &input).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/inspections/{}?notice=created", v.inspection.id))
                .into_response(),
        ),
        Err(e) => {
            let (_, message, status) = refusal(&web, e)?;
            show_page(&state, &web, id, None, message, status).await
        }
    }
}

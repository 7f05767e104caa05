//! The goal pages: the year's breakdown (a tree with each goal's status and progress, and
//! the departments without a goal), the goal page (its approval, changes, progress and the
//! goals below), and their forms.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::pages::inspection::{refusal, usernames};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, DecisionForms, EventLine, FormErrors, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::goal::goals;
use castellan_domain::goal::{Goal, GoalInput, GoalLevel, GoalStatus};
use castellan_domain::workflow::Decision;
use castellan_domain::{Action, DepartmentId, Resource, Target, UserId};
use serde::Deserialize;
use std::collections::HashMap;

fn badge(s: GoalStatus) -> &'static str {
    match s {
        GoalStatus::Published => "badge-ok",
        GoalStatus::InReview => "badge-role",
        GoalStatus::Returned => "badge-warn",
        GoalStatus::Draft => "badge-neutral",
    }
}

struct Node {
    id: i64,
    depth: u8,
    level: &'static str,
    title: String,
    scope: String,
    metric: String,
    target: String,
    owner: String,
    status: &'static str,
    badge: &'static str,
    progress: u8,
}

/// The goals of a year in tree order: each goal followed by the goals below it.
fn tree_order(goals: &[Goal]) -> Vec<(&Goal, u8)> {
    fn walk<'a>(all: &'a [Goal], parent: Option<i64>, depth: u8, out: &mut Vec<(&'a Goal, u8)>) {
        for g in all.iter().filter(|g| g.parent_id == parent) {
            out.push((g, depth));
            walk(all, Some(g.id), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(goals, None, 0, &mut out);
    out
}

fn scope_of(g: &Goal, depts: &HashMap<i64, String>) -> String {
    let dept = g
        .department_id
        .and_then(|d| depts.get(&d.0).cloned())
        .unwrap_or_default();
    match &g.position {
        Some(p) => format!("{dept} · {p}"),
        None => dept,
    }
}

#[derive(Template)]
#[template(path = "goals/index.html")]
struct IndexPage {
    page: Page,
    tx: &'static texts::Messages,
    year: i32,
    years: Vec<i32>,
    nodes: Vec<Node>,
    coverage: String,
    uncovered: Vec<String>,
    may_set: bool,
    v: GoalForm,
    errors: FormErrors,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct IndexQuery {
    year: Option<i32>,
}

async fn people_names(state: &AppState, goals: &[Goal]) -> HashMap<UserId, String> {
    let ids = goals.iter().map(|g| g.owner_id).collect();
    crate::ui::pages::rectification::tasks::names(state, ids).await
}

async fn index_page(
    state: &AppState,
    web: &Web,
    year: Option<i32>,
    v: GoalForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let this_year = castellan_app::document::documents::today(&state.app)
        .date()
        .year();
    let year = year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let tree = goals::tree(&state.app, &ctx, year)
        .await
        .map_err(|e| web.fail(e))?;
    let depts = crate::ui::pages::training::pages::dept_names(state, web).await;
    let people = people_names(state, &tree.goals).await;
    let nodes = tree_order(&tree.goals)
        .into_iter()
        .map(|(g, depth)| Node {
            id: g.id,
            depth,
            level: g.level.label().get(lang),
            title: g.title.clone(),
            scope: scope_of(g, &depts),
            metric: g.metric.clone(),
            target: g.target.clone(),
            owner: people.get(&g.owner_id).cloned().unwrap_or_default(),
            status: g.status.label().get(lang),
            badge: badge(g.status),
            progress: g.progress,
        })
        .collect();
    let mut years = tree.years.clone();
    for y in [this_year - 1, this_year, this_year + 1, year] {
        if !years.contains(&y) {
            years.push(y);
        }
    }
    years.sort_unstable_by(|a, b| b.cmp(a));
    Ok(render::page_response(
        status,
        &IndexPage {
            page: Page::new(web, Some(Section::Goals), None),
            tx,
            year,
            years,
            nodes,
            coverage: tx
                .coverage_line
                .replace("{n}", &(tree.expected - tree.uncovered.len()).to_string())
                .replace("{m}", &tree.expected.to_string()),
            uncovered: tree.uncovered.into_iter().map(|(_, n)| n).collect(),
            may_set: ctx.principal.is_allowed(
                Resource::CompanyGoal,
                Action::Create,
                Target::Global,
            ),
            v,
            errors,
            error,
        },
    ))
}

/// `GET /goals?year=2027`.
pub async fn index(
    State(state): State<AppState>,
    web: Web,
    Query(q): Query<IndexQuery>,
) -> Result<Response, Response> {
    let v = GoalForm {
        year: q.year.map(|y| y.to_string()).unwrap_or_default(),
        ..GoalForm::default()
    };
    index_page(
        &state,
        &web,
        q.year,
        v,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// A goal's form as typed: a company goal on the breakdown page, a goal below on the goal
/// page (`parent_id`), changes on the goal page (`version`).
#[derive(Deserialize, Default, Clone)]
pub struct GoalForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    metric: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    owner: String,
    version: Option<i64>,
}

fn input_of(f: &GoalForm) -> GoalInput {
    GoalInput {
        year: f.year.trim().parse().unwrap_or(0),
        level: f.level.clone(),
        parent_id: f.parent_id.trim().parse().ok(),
        department_id: f.department_id.trim().parse().ok().map(DepartmentId),
        position: some(&f.position),
        title: f.title.clone(),
        metric: f.metric.clone(),
        target: f.target.clone(),
        owner_id: None,
        owner_username: usernames(&f.owner).into_iter().next(),
    }
}

/// `POST /goals`: a company goal (from the breakdown page) or a goal below (from the
/// goal page above).
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<GoalForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = input_of(&f);
    match goals::create(&state.app, &web.ctx(), &input).await {
        Ok(v) => Ok(Redirect::to(&format!("/goals/{}?notice=created", v.goal.id)).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            match input.parent_id {
                Some(parent) => {
                    show_page(&state, &web, parent, None, f, errors, message, status).await
                }
                None => {
                    let year = f.year.trim().parse().ok();
                    index_page(&state, &web, year, f, errors, message, status).await
                }
            }
        }
    }
}

struct Child {
    id: i64,
    title: String,
    scope: String,
    owner: String,
    status: &'static str,
    badge: &'static str,
    progress: u8,
}

struct Choice {
    value: String,
    label: String,
}

#[derive(Template)]
#[template(path = "goals/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    year: i32,
    level: &'static str,
    level_code: &'static str,
    title: String,
    metric: String,
    target: String,
    scope: String,
    owner: String,
    owner_username: String,
    position: String,
    status: &'static str,
    badge: &'static str,
    progress: u8,
    progress_note: String,
    published: String,
    parent: Option<(i64, String)>,
    children: Vec<Child>,
    events: Vec<EventLine>,
    decision: DecisionForms,
    may_submit: bool,
    may_edit: bool,
    may_report: bool,
    may_break_down: bool,
    child_level: &'static str,
    child_level_label: &'static str,
    departments: Vec<Choice>,
    v: GoalForm,
    errors: FormErrors,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    v: GoalForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let view_ = goals::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = goals::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let g = &view_.goal;
    let mut ids: Vec<UserId> = view_
        .approvals
        .iter()
        .filter_map(|a| a.approver_id)
        .collect();
    ids.extend(moves.iter().filter_map(|m| m.actor_id));
    ids.push(g.owner_id);
    ids.extend(g.published_by);
    ids.extend(view_.children.iter().map(|c| c.owner_id));
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let name = |u: UserId| people.get(&u).cloned().unwrap_or_default();
    let usernames = castellan_app::request::requests::usernames(&state.app, &[g.owner_id])
        .await
        .unwrap_or_default();
    let depts = crate::ui::pages::training::pages::dept_names(state, web).await;
    let events = view::decision_timeline(
        t,
        &view_.approvals,
        &moves,
        &people,
        |d| match d {
            Decision::Approve => tx.publish.to_owned(),
            Decision::Return => tx.return_submit.to_owned(),
            d => d.code().to_owned(),
        },
        |code| {
            GoalStatus::from_code(code)
                .map(|s| s.label().get(lang).to_owned())
                .unwrap_or_else(|_| code.to_owned())
        },
    );
    let allowed = &view_.allowed_transitions;
    let in_review = g.status == GoalStatus::InReview;
    let child_level = match g.level {
        GoalLevel::Company => GoalLevel::Department,
        _ => GoalLevel::Position,
    };
    let tree = castellan_app::org::departments::tree(&state.app, &ctx)
        .await
        .unwrap_or_default();
    let page = ShowPage {
        page: Page::new(web, Some(Section::Goals), view::notice(t, notice)),
        tx,
        id,
        version: g.version,
        year: g.year,
        level: g.level.label().get(lang),
        level_code: g.level.code(),
        title: g.title.clone(),
        metric: g.metric.clone(),
        target: g.target.clone(),
        scope: scope_of(g, &depts),
        owner: name(g.owner_id),
        owner_username: usernames.get(&g.owner_id).cloned().unwrap_or_default(),
        position: g.position.clone().unwrap_or_default(),
        status: g.status.label().get(lang),
        badge: badge(g.status),
        progress: g.progress,
        progress_note: g.progress_note.clone().unwrap_or_default(),
        published: g
            .published_at
            .map(|at| {
                format!(
                    "{} · {}",
                    g.published_by.map(name).unwrap_or_default(),
                    when(t, Some(at))
                )
            })
            .unwrap_or_default(),
        parent: view_.parent.as_ref().map(|p| (p.id, p.title.clone())),
        children: view_
            .children
            .iter()
            .map(|c| Child {
                id: c.id,
                title: c.title.clone(),
                scope: scope_of(c, &depts),
                owner: name(c.owner_id),
                status: c.status.label().get(lang),
                badge: badge(c.status),
                progress: c.progress,
            })
            .collect(),
        events,
        decision: DecisionForms {
            action: format!("/goals/{id}/move"),
            version: g.version,
            approve_to: (in_review && allowed.contains(&GoalStatus::Published))
                .then_some("published"),
            return_to: (in_review && allowed.contains(&GoalStatus::Returned)).then_some("returned"),
            heading: tx.decide_heading,
            approve: tx.publish,
            return_reason: tx.return_reason,
            return_label: tx.return_submit,
        },
        may_submit: allowed.contains(&GoalStatus::InReview),
        may_edit: view_.may_edit,
        may_report: view_.may_report,
        may_break_down: view_.may_break_down,
        child_level: child_level.code(),
        child_level_label: child_level.label().get(lang),
        departments: view::dept_options(&tree, None, None)
            .into_iter()
            .map(|o| Choice {
                value: o.id.to_string(),
                label: o.label,
            })
            .collect(),
        v,
        errors,
        error,
    };
    Ok(render::page_response(status, &page))
}

/// `GET /goals/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        id,
        q.notice.as_deref(),
        GoalForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /goals/{id}`: a draft or returned goal changed.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<GoalForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = input_of(&f);
    let version = f.version.unwrap_or(0);
    match goals::update(&state.app, &web.ctx(), id, &input, version).await {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            show_page(&state, &web, id, None, f, errors, message, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /goals/{id}/move`.
pub async fn move_goal(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let comment = some(&f.comment);
    match goals::transition(
        &state.app,
        &web.ctx(),
        id,
        &f.to,
        comment.as_deref(),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?notice=moved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            show_page(
                &state,
                &web,
                id,
                None,
                GoalForm::default(),
                errors,
                message,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct ProgressForm {
    #[serde(default)]
    progress: String,
    #[serde(default)]
    note: String,
    version: Option<i64>,
}

/// `POST /goals/{id}/progress`.
pub async fn progress(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<ProgressForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let note = some(&f.note);
    let value = f.progress.trim().parse().unwrap_or(-1);
    match goals::report_progress(
        &state.app,
        &web.ctx(),
        id,
        value,
        note.as_deref(),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/goals/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            show_page(
                &state,
                &web,
                id,
                None,
                GoalForm::default(),
                errors,
                message,
                status,
            )
            .await
        }
    }
}

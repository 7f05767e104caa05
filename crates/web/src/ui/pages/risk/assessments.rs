//! Risk assessment pages: the list, the plan form, the overview (phase, moves, heat map,
//! checklist, history), the risk register with its add forms, one risk with its rating,
//! treatment, residual rating and committee decisions, and the threat catalog.

use super::{texts, tx};
use crate::json::Json;
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{
    self, CodeOption, DeptOption, FormErrors, HistoryItem, Names, code_options, some,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::risk::assessments::{
    self, AssessmentInput, AssessmentPatch, AssessmentQuery, AssessmentView,
};
use castellan_app::risk::risks::{self, Decision, RiskInput, RiskPatch, RiskQuery, RiskView};
use castellan_app::{org::departments, risk::threats};
use castellan_domain::ids::{AssessmentId, RiskId};
use castellan_domain::risk::assessment::{Area, Phase, Technique, Work};
use castellan_domain::risk::finding::TreatmentStatus;
use castellan_domain::risk::register::RiskRating;
use castellan_domain::risk::threat::{ThreatMethod, ThreatPath, ThreatSource};
use castellan_domain::risk::{self as rules, Level, RiskMethod, Score, Treatment};
use castellan_domain::{Action, DomainError, Lang, Resource, Role, UserId};
use serde::Deserialize;
use std::collections::HashMap;

mod catalog;
mod register;
mod treatment;

pub use catalog::{add_threat, export_threats, threat_catalog};
pub use register::{add_candidates, add_risk, bulk, preview, register, risk, update_risk};
pub use treatment::{add_item, my_tasks, report_progress};

fn phase_class(p: Phase) -> &'static str {
    match p {
        Phase::Closed => "badge-off",
        Phase::Approved | Phase::Implementing => "badge-ok",
        Phase::Review | Phase::ResidualReview => "badge-warn",
        _ => "badge-role",
    }
}

fn level_label(lang: Lang, l: Level) -> String {
    l.label().get(lang).to_owned()
}

/// A value as the pages show it: `12`, `3.46`.
fn shown(s: Score) -> String {
    s.to_string()
}

// ---------------------------------------------------------------------------------------
// List

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    phase: String,
    #[serde(default)]
    mine: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

struct ListRow {
    id: i64,
    name: String,
    phase: String,
    phase_class: &'static str,
    method: String,
    risks: i64,
    planned: String,
    updated: String,
}

#[derive(Template)]
#[template(path = "assessments/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    q: String,
    mine: bool,
    any_filter: bool,
    phases: Vec<CodeOption>,
    rows: Vec<ListRow>,
    pager: Pager,
    can_create: bool,
}

/// `GET /assessments`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let lang = web.lang();
    let t = web.t();
    let query = AssessmentQuery {
        phase: some(&p.phase),
        q: some(&p.q),
        mine: p.mine == "1",
        sort: None,
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let page = assessments::list(&state.app, &web.ctx(), &query)
        .await
        .map_err(|e| web.fail(e))?;
    let base = [
        ("q", p.q.as_str()),
        ("phase", p.phase.as_str()),
        ("mine", p.mine.as_str()),
    ];
    Ok(render::ok(&ListPage {
        page: Page::new(
            &web,
            Some(Section::Assessments),
            view::notice(t, p.notice.as_deref()),
        ),
        tx: tx(lang),
        q: p.q.clone(),
        mine: p.mine == "1",
        any_filter: !(p.q.is_empty() && p.phase.is_empty() && p.mine.is_empty()),
        phases: Phase::ALL
            .iter()
            .map(|ph| CodeOption {
                code: ph.code(),
                label: ph.label().get(lang).to_owned(),
                selected: p.phase == ph.code(),
            })
            .collect(),
        rows: page
            .items
            .into_iter()
            .map(|v| {
                let a = &v.assessment;
                ListRow {
                    id: a.id.0,
                    name: a.name.clone(),
                    phase: a.phase.label().get(lang).to_owned(),
                    phase_class: phase_class(a.phase),
                    method: a.method.label().get(lang).to_owned(),
                    risks: v.risk_count,
                    planned: a.planned_period(),
                    updated: view::when(t, Some(a.updated_at)),
                }
            })
            .collect(),
        pager: Pager::paged(
            "/assessments",
            &base,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
        can_create: web
            .auth
            .principal
            .may_somewhere(Resource::Assessment, Action::Create),
    }))
}

// ---------------------------------------------------------------------------------------
// Plan form (new and edit)

/// The plan form as typed. Scope and team are text: asset codes and usernames separated by
/// commas, spaces or lines (pasted from a spreadsheet as often as typed).
#[derive(Default, Clone)]
struct PlanForm {
    name: String,
    description: String,
    method: String,
    acceptance_threshold: String,
    planned_start: String,
    planned_end: String,
    departments: Vec<i64>,
    assets: String,
    team: String,
    version: i64,
}

impl PlanForm {
    fn from_pairs(pairs: &[(String, String)]) -> Self {
        let mut f = PlanForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name.clone_from(v),
                "description" => f.description.clone_from(v),
                "method" => f.method.clone_from(v),
                "acceptance_threshold" => f.acceptance_threshold.clone_from(v),
                "planned_start" => f.planned_start.clone_from(v),
                "planned_end" => f.planned_end.clone_from(v),
                "departments" => {
                    if let Ok(id) = v.trim().parse() {
                        f.departments.push(id);
                    }
                }
                "assets" => f.assets.clone_from(v),
                "team" => f.team.clone_from(v),
                "version" => f.version = v.trim().parse().unwrap_or(0),
                _ => {}
            }
        }
        f
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c == '，' || c == ';' || c.is_whitespace())
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[derive(Template)]
#[template(path = "assessments/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    editing: Option<i64>,
    form: PlanForm,
    methods: Vec<CodeOption>,
    thresholds: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    errors: FormErrors,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    editing: Option<i64>,
    form: PlanForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let tree = departments::tree(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let mut departments = view::dept_options(&tree, None, None);
    for d in &mut departments {
        d.selected = form.departments.contains(&d.id);
    }
    let method = if form.method.is_empty() {
        "multiplication"
    } else {
        form.method.as_str()
    };
    let threshold = if form.acceptance_threshold.is_empty() {
        "4"
    } else {
        form.acceptance_threshold.as_str()
    };
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Assessments), None),
            tx: tx(web.lang()),
            editing,
            methods: RiskMethod::ALL
                .iter()
                .map(|m| CodeOption {
                    code: m.code(),
                    label: m.label().get(lang).to_owned(),
                    selected: method == m.code(),
                })
                .collect(),
            thresholds: view::level_options(lang, threshold),
            departments,
            form,
            errors,
            error,
        },
    ))
}

/// `GET /assessments/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    if !web
        .auth
        .principal
        .may_somewhere(Resource::Assessment, Action::Create)
    {
        return Err(web.forbidden(Resource::Assessment, Action::Create));
    }
    let form = PlanForm {
        team: web.auth.principal.username.clone(),
        ..PlanForm::default()
    };
    form_page(
        &state,
        &web,
        None,
        form,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// Resolves the scope and team typed in the form; unknown ones become field errors.
async fn resolve(
    state: &AppState,
    web: &Web,
    f: &PlanForm,
    errors: &mut FormErrors,
) -> Result<(Vec<i64>, Vec<i64>), Response> {
    let ctx = web.ctx();
    let tx = tx(web.lang());
    let codes = words(&f.assets);
    let found = assessments::assets_by_code(&state.app, &ctx, &codes)
        .await
        .map_err(|e| web.fail(e))?;
    let unknown: Vec<&str> = found
        .iter()
        .filter(|(_, id)| id.is_none())
        .map(|(c, _)| c.as_str())
        .collect();
    if !unknown.is_empty() {
        errors.set(
            "assets",
            &format!("{} {}", tx.unknown_asset_codes, unknown.join(", ")),
        );
    }
    let mut assets: Vec<i64> = found.iter().filter_map(|(_, id)| id.map(|a| a.0)).collect();
    assets.dedup();
    let mut team = Vec::new();
    let mut unknown_users = Vec::new();
    for name in words(&f.team) {
        match assessments::person_by_username(&state.app, &ctx, &name)
            .await
            .map_err(|e| web.fail(e))?
        {
            Some(p) if !team.contains(&p.id.0) => team.push(p.id.0),
            Some(_) => {}
            None => unknown_users.push(name),
        }
    }
    if !unknown_users.is_empty() {
        errors.set(
            "team",
            &format!("{} {}", tx.unknown_usernames, unknown_users.join(", ")),
        );
    }
    Ok((assets, team))
}

/// Field errors of the service under the form's own field names.
/// The plan's field errors on the form's fields; a team member refused is named
/// (`team[i]` is the i-th distinct username typed).
fn plan_errors(
    lang: Lang,
    e: &castellan_app::Error,
    team: &str,
) -> Option<(FormErrors, Option<String>)> {
    let (mut errors, message) = view::form_failure(lang, e)?;
    let mut names: Vec<String> = Vec::new();
    for w in words(team) {
        if !names.contains(&w) {
            names.push(w);
        }
    }
    for (i, name) in names.iter().enumerate() {
        let key = format!("team[{i}]");
        if let Some(m) = errors.get(&key).map(str::to_owned) {
            errors.set(&key, &format!("{name}: {m}"));
        }
    }
    let renames: Vec<(String, String)> = errors
        .fields()
        .into_iter()
        .filter_map(|k| {
            let base = k.split('[').next().unwrap_or(&k);
            let target = match base {
                "asset_ids" => "assets",
                "department_ids" => "departments",
                _ => base,
            };
            (target != k).then(|| (k.clone(), target.to_owned()))
        })
        .collect();
    for (from, to) in renames {
        if let Some(m) = errors.get(&from).map(str::to_owned) {
            errors.set(&to, &m);
        }
    }
    Some((errors, message))
}

/// `POST /assessments`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let f = PlanForm::from_pairs(&data);
    let mut errors = FormErrors::none();
    let (assets, team) = resolve(&state, &web, &f, &mut errors).await?;
    if !errors.is_empty() {
        return form_page(
            &state,
            &web,
            None,
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = AssessmentInput {
        name: f.name.clone(),
        description: some(&f.description),
        method: some(&f.method),
        acceptance_threshold: f.acceptance_threshold.trim().parse().ok(),
        planned_start: some(&f.planned_start),
        planned_end: some(&f.planned_end),
        department_ids: f.departments.clone(),
        asset_ids: assets,
        team,
    };
    match assessments::create(&state.app, &web.ctx(), &input).await {
        Ok(v) => Ok(
            Redirect::to(&format!("/assessments/{}?notice=created", v.assessment.id))
                .into_response(),
        ),
        Err(e) => match plan_errors(web.lang(), &e, &f.team) {
            Some((errors, message)) => {
                form_page(
                    &state,
                    &web,
                    None,
                    f,
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

/// `GET /assessments/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let v = assessments::get(&state.app, &ctx, AssessmentId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let a = &v.assessment;
    let people = assessments::people(&state.app, &ctx, &a.team)
        .await
        .map_err(|e| web.fail(e))?;
    let scope = assessments::asset_names(&state.app, &ctx, &a.asset_ids)
        .await
        .map_err(|e| web.fail(e))?;
    let form = PlanForm {
        name: a.name.clone(),
        description: a.description.clone().unwrap_or_default(),
        method: a.method.code().to_owned(),
        acceptance_threshold: a.acceptance_threshold.get().to_string(),
        planned_start: a.planned_start.map(|d| d.to_db()).unwrap_or_default(),
        planned_end: a.planned_end.map(|d| d.to_db()).unwrap_or_default(),
        departments: a.department_ids.iter().map(|d| d.0).collect(),
        assets: scope
            .iter()
            .map(|(_, code, _)| code.as_str())
            .collect::<Vec<_>>()
            .join("\n"),
        team: a
            .team
            .iter()
            .filter_map(|u| people.get(u).map(|p| p.username.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        version: a.version,
    };
    form_page(
        &state,
        &web,
        Some(id),
        form,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /assessments/{id}/edit`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let f = PlanForm::from_pairs(&data);
    let mut errors = FormErrors::none();
    let (assets, team) = resolve(&state, &web, &f, &mut errors).await?;
    if !errors.is_empty() {
        return form_page(
            &state,
            &web,
            Some(id),
            f,
            errors,
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let patch = AssessmentPatch {
        name: Some(f.name.clone()),
        description: Some(some(&f.description)),
        method: Some(f.method.clone()),
        acceptance_threshold: f.acceptance_threshold.trim().parse().ok(),
        planned_start: Some(some(&f.planned_start)),
        planned_end: Some(some(&f.planned_end)),
        department_ids: Some(f.departments.clone()),
        asset_ids: Some(assets),
        team: Some(team),
    };
    match assessments::update(&state.app, &web.ctx(), AssessmentId(id), &patch, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?notice=saved")).into_response()),
        Err(e) => {
            let status = match e.domain() {
                Some(DomainError::StaleVersion { .. }) => StatusCode::PRECONDITION_FAILED,
                Some(DomainError::Conflict(_)) => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            match plan_errors(web.lang(), &e, &f.team) {
                Some((errors, message)) => {
                    form_page(&state, &web, Some(id), f, errors, message, status).await
                }
                None => Err(web.fail(e)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Overview

struct Step {
    label: String,
    state: &'static str,
}

struct MoveButton {
    to: &'static str,
    label: String,
    comment_required: bool,
    primary: bool,
}

struct MoveLine {
    from: String,
    to: String,
    actor: String,
    at: String,
    comment: Option<String>,
    returned: bool,
}

struct HeatCell {
    count: u64,
    href: String,
    level: u8,
}

struct HeatRow {
    level: u8,
    label: String,
    cells: Vec<HeatCell>,
}

struct CheckRow {
    area: &'static str,
    label: String,
    cells: Vec<CheckCell>,
}

struct CheckCell {
    technique: &'static str,
    planned: bool,
    done: bool,
}

#[derive(Template)]
#[template(path = "assessments/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    a: castellan_domain::risk::register::Assessment,
    phase: String,
    phase_class: &'static str,
    method: String,
    threshold: String,
    planned: String,
    created_by: String,
    team: Vec<String>,
    departments: Vec<String>,
    scope: Vec<(i64, String, String)>,
    scope_more: String,
    reports: Vec<(&'static str, &'static str)>,
    risk_count: i64,
    steps: Vec<Step>,
    moves_allowed: Vec<MoveButton>,
    moves: Vec<MoveLine>,
    heat: Vec<HeatRow>,
    loss_labels: Vec<String>,
    residual_heat: Vec<HeatRow>,
    has_residual: bool,
    techniques: Vec<(&'static str, String)>,
    checklist: Vec<CheckRow>,
    checklist_editable: bool,
    can_edit_plan: bool,
    history: Vec<HistoryItem>,
    action_error: Option<String>,
}

/// Asset codes the overview lists before "and N more".
const SCOPE_SHOWN: usize = 16;

fn heat_rows(
    lang: Lang,
    a: &castellan_domain::risk::register::Assessment,
    cells: &[[u64; 5]; 5],
    link: bool,
) -> Vec<HeatRow> {
    // Highest likelihood on top, as risk matrices are drawn.
    Level::ALL
        .iter()
        .rev()
        .map(|l| {
            let row = cells
                .get(usize::from(l.get() - 1))
                .copied()
                .unwrap_or_default();
            HeatRow {
                level: l.get(),
                label: level_label(lang, *l),
                cells: Level::ALL
                    .iter()
                    .zip(row)
                    .map(|(f, count)| HeatCell {
                        count,
                        href: if link {
                            format!(
                                "/assessments/{}/risks?likelihood_level={}&loss_level={}",
                                a.id,
                                l.get(),
                                f.get()
                            )
                        } else {
                            String::new()
                        },
                        level: rules::cell_level(a.method, &a.tables, *l, *f).get(),
                    })
                    .collect(),
            }
        })
        .collect()
}

fn move_label(tx: &texts::Messages, lang: Lang, from: Phase, to: Phase) -> String {
    match (from, to) {
        (Phase::TreatmentPlanning, Phase::Review)
        | (Phase::ResidualAssessment, Phase::ResidualReview) => tx.submit_for_review.to_owned(),
        (Phase::Review, Phase::Approved) => tx.approve_plan.to_owned(),
        (Phase::ResidualReview, Phase::Closed) => tx.close_assessment.to_owned(),
        (Phase::Review, Phase::TreatmentPlanning)
        | (Phase::ResidualReview, Phase::ResidualAssessment) => tx.return_with_comment.to_owned(),
        _ if to < from => format!("{} {}", tx.back_to, to.label().get(lang)),
        _ => format!("{} {}", tx.move_on_to, to.label().get(lang)),
    }
}

async fn show_page(
    state: &AppState,
    web: &Web,
    id: AssessmentId,
    notice: Option<&str>,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let tx = tx(lang);
    let v = assessments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let moves = assessments::moves(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let heat = risks::heat_map(&state.app, &ctx, id, false)
        .await
        .map_err(|e| web.fail(e))?;
    let residual = risks::heat_map(&state.app, &ctx, id, true)
        .await
        .map_err(|e| web.fail(e))?;
    let checklist = assessments::checklist(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    // Moves have their own timeline; the history shows the other changes.
    let entries: Vec<_> = assessments::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?
        .into_iter()
        .filter(|e| e.action != "transition")
        .collect();
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let AssessmentView {
        assessment: a,
        allowed_transitions,
        may_edit,
        risk_count,
    } = v;
    let mut ids: Vec<UserId> = a.team.clone();
    ids.extend(a.created_by);
    let people = assessments::people(&state.app, &ctx, &ids)
        .await
        .map_err(|e| web.fail(e))?;
    let person = |u: &UserId| {
        people
            .get(u)
            .map_or_else(|| format!("#{u}"), |p| p.display_name.clone())
    };
    let scope = assessments::asset_names(&state.app, &ctx, &a.asset_ids)
        .await
        .map_err(|e| web.fail(e))?;
    let current = Phase::ALL.iter().position(|p| *p == a.phase).unwrap_or(0);
    let steps = Phase::ALL
        .iter()
        .enumerate()
        .filter(|(_, p)| !matches!(p, Phase::Approved | Phase::ResidualReview | Phase::Review))
        .map(|(i, p)| Step {
            label: p.label().get(lang).to_owned(),
            state: match i.cmp(&current) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater if *p == Phase::Closed && a.phase == Phase::Closed => {
                    "done"
                }
                std::cmp::Ordering::Greater => "todo",
            },
        })
        .collect::<Vec<_>>();
    // A phase hidden from the stepper (reviews) marks the step before it current.
    let steps = if matches!(
        a.phase,
        Phase::Review | Phase::Approved | Phase::ResidualReview
    ) {
        let mut steps = steps;
        let shown_before = Phase::ALL
            .iter()
            .take(current)
            .filter(|p| !matches!(p, Phase::Approved | Phase::ResidualReview | Phase::Review))
            .count();
        if let Some(s) = steps.get_mut(shown_before.saturating_sub(1)) {
            s.state = "current";
        }
        steps
    } else {
        steps
    };
    let moves_allowed = allowed_transitions
        .iter()
        .map(|to| {
            let m = castellan_domain::risk::assessment::MOVES
                .iter()
                .find(|m| m.from == a.phase && m.to == *to);
            MoveButton {
                to: to.code(),
                label: move_label(tx, lang, a.phase, *to),
                comment_required: m.is_some_and(|m| m.comment_required()),
                primary: *to > a.phase,
            }
        })
        .collect();
    let by_area: HashMap<(Area, Technique), bool> = checklist
        .iter()
        .map(|c| ((c.area, c.technique), c.done))
        .collect();
    let can_plan = may_edit && a.phase.allows(Work::Plan);
    let checklist_editable = may_edit && (a.phase.allows(Work::Plan) || a.phase == Phase::Analysis);
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Assessments), view::notice(t, notice)),
            tx,
            phase: a.phase.label().get(lang).to_owned(),
            phase_class: phase_class(a.phase),
            method: a.method.label().get(lang).to_owned(),
            threshold: format!(
                "{} · {}",
                a.acceptance_threshold.get(),
                level_label(lang, a.acceptance_threshold)
            ),
            planned: a.planned_period(),
            created_by: a.created_by.as_ref().map(person).unwrap_or_default(),
            team: a.team.iter().map(person).collect(),
            departments: a
                .department_ids
                .iter()
                .map(|d| names.get(&d.0).cloned().unwrap_or_else(|| format!("#{d}")))
                .collect(),
            reports: vec![
                ("assessment", t.rp_title_assessment),
                ("treatment-plan", t.rp_title_treatment),
                ("residual", t.rp_title_residual),
            ],
            scope_more: if scope.len() > SCOPE_SHOWN {
                crate::ui::i18n::fill(tx.and_n_more, "n", scope.len() - SCOPE_SHOWN)
            } else {
                String::new()
            },
            scope: scope
                .into_iter()
                .take(SCOPE_SHOWN)
                .map(|(id, code, name)| (id.0, code, name))
                .collect(),
            risk_count,
            steps,
            moves_allowed,
            moves: moves
                .into_iter()
                .map(|m| MoveLine {
                    from: m.from.label().get(lang).to_owned(),
                    to: m.to.label().get(lang).to_owned(),
                    actor: m.actor,
                    at: view::when(t, Some(m.at)),
                    returned: m.to < m.from,
                    comment: m.comment,
                })
                .collect(),
            heat: heat_rows(lang, &a, &heat, true),
            loss_labels: Level::ALL.iter().map(|l| level_label(lang, *l)).collect(),
            has_residual: residual.iter().flatten().any(|c| *c > 0),
            residual_heat: heat_rows(lang, &a, &residual, false),
            techniques: Technique::ALL
                .iter()
                .map(|x| (x.code(), x.label().get(lang).to_owned()))
                .collect(),
            checklist: Area::ALL
                .iter()
                .map(|area| CheckRow {
                    area: area.code(),
                    label: area.label().get(lang).to_owned(),
                    cells: Technique::ALL
                        .iter()
                        .map(|x| CheckCell {
                            technique: x.code(),
                            planned: by_area.contains_key(&(*area, *x)),
                            done: by_area.get(&(*area, *x)).copied().unwrap_or(false),
                        })
                        .collect(),
                })
                .collect(),
            checklist_editable,
            can_edit_plan: can_plan,
            history: view::history(
                lang,
                &Names {
                    departments: &names,
                    users: &view::user_names(&state.app, &entries).await,
                },
                &entries,
            ),
            action_error,
            a,
        },
    ))
}

/// `GET /assessments/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(n): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        AssessmentId(id),
        n.notice.as_deref(),
        StatusCode::OK,
        None,
    )
    .await
}

/// A refusal shown on the page it came from, with the status the API would give.
fn refusal_status(d: &DomainError) -> Option<StatusCode> {
    match d {
        DomainError::Validation(_) => Some(StatusCode::UNPROCESSABLE_ENTITY),
        DomainError::StaleVersion { .. } => Some(StatusCode::PRECONDITION_FAILED),
        DomainError::Conflict(_) => Some(StatusCode::CONFLICT),
        DomainError::Forbidden { .. } => Some(StatusCode::FORBIDDEN),
        _ => None,
    }
}

/// A refused action as (status, message), to show on the page it came from; `None` for
/// anything else (not found, an internal failure), which gets the error page.
fn refused(lang: Lang, e: &castellan_app::Error) -> Option<(StatusCode, String)> {
    e.domain()
        .and_then(|d| refusal_status(d).map(|status| (status, refusal_message(lang, d))))
}

/// The message of a refused action: the field message of a single field error (a missing
/// comment says so), or the error's one line.
fn refusal_message(lang: Lang, d: &DomainError) -> String {
    if let DomainError::Validation(fields) = d
        && let Some(first) = fields.iter().next()
    {
        let t = crate::ui::i18n::messages(lang);
        let label = match first.field.as_str() {
            "comment" => t.comment,
            "threat_frequency" | "residual_threat_frequency" => t.threat_frequency,
            "vulnerability_severity" | "residual_vulnerability_severity" => {
                t.vulnerability_severity
            }
            "treatment" => t.treatment,
            "asset_id" | "asset_ids" => t.asset,
            "threat_id" | "threat_ids" => t.threat,
            _ => t.error_invalid,
        };
        return format!(
            "{label}: {}",
            crate::ui::i18n::field_error(lang, &first.kind)
        );
    }
    crate::ui::i18n::domain_error(lang, d)
}

#[derive(Deserialize)]
pub struct MoveForm {
    to: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    version: Option<i64>,
}

/// `POST /assessments/{id}/transitions`.
pub async fn transition(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match assessments::transition(
        &state.app,
        &web.ctx(),
        AssessmentId(id),
        &f.to,
        Some(f.comment.as_str()),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}?notice=moved")).into_response()),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            show_page(&state, &web, AssessmentId(id), None, status, Some(message)).await
        }
    }
}

#[derive(Deserialize)]
pub struct CheckForm {
    area: String,
    technique: String,
    #[serde(default)]
    done: String,
}

/// `POST /assessments/{id}/checklist`.
pub async fn check(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<CheckForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match assessments::set_checklist_item(
        &state.app,
        &web.ctx(),
        AssessmentId(id),
        &f.area,
        &f.technique,
        f.done == "1",
        None,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/assessments/{id}#checklist")).into_response()),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            show_page(&state, &web, AssessmentId(id), None, status, Some(message)).await
        }
    }
}

// ---------------------------------------------------------------------------------------
// Register

#[derive(Deserialize, Default)]
pub struct ReportQuery {
    #[serde(default)]
    format: String,
}

/// `GET /assessments/{id}/reports/{kind}?format=html|xlsx|docx`: a report in the page's
/// language.
pub async fn report(
    State(state): State<AppState>,
    web: Web,
    Path((id, kind)): Path<(i64, String)>,
    Query(q): Query<ReportQuery>,
) -> Result<Response, Response> {
    let not_found = || {
        web.error_page(
            StatusCode::NOT_FOUND,
            web.t().error_not_found,
            web.t().error_not_found,
        )
    };
    let kind = castellan_app::risk::reports::ReportKind::from_code(&kind).ok_or_else(not_found)?;
    let format = if q.format.is_empty() {
        Some(crate::report::Format::Html)
    } else {
        crate::report::Format::from_code(&q.format)
    };
    let format = format.ok_or_else(not_found)?;
    let data = castellan_app::risk::reports::data(&state.app, &web.ctx(), AssessmentId(id))
        .await
        .map_err(|e| web.fail(e))?;
    crate::report::render(
        data,
        kind,
        format,
        web.lang(),
        state.assets.report_css_path.clone(),
    )
    .await
    .map_err(|e| web.fail(e))
}

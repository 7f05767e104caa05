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

#[derive(Deserialize, Default, Clone)]
pub struct RiskParams {
    #[serde(default)]
    level: String,
    #[serde(default)]
    likelihood_level: String,
    #[serde(default)]
    loss_level: String,
    #[serde(default)]
    treatment: String,
    #[serde(default)]
    unrated: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
    /// How many risks a bulk change changed.
    #[serde(default)]
    bulk_done: Option<usize>,
}

impl RiskParams {
    fn pairs(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("level", &self.level),
            ("likelihood_level", &self.likelihood_level),
            ("loss_level", &self.loss_level),
            ("treatment", &self.treatment),
            ("unrated", &self.unrated),
        ]
    }
}

struct RiskRow {
    id: i64,
    asset_code: String,
    asset_name: String,
    threat: String,
    tva: String,
    likelihood: String,
    loss: String,
    value: String,
    level: u8,
    level_label: String,
    treatment: String,
    approval_needed: bool,
    value_changed: bool,
}

fn rating_cells(
    lang: Lang,
    r: Option<&RiskRating>,
) -> (String, String, String, String, u8, String) {
    match r {
        None => (
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            0,
            String::new(),
        ),
        Some(r) => {
            let e = r.evaluation;
            (
                format!(
                    "T{} V{} A{}",
                    r.threat_frequency.get(),
                    r.vulnerability_severity.get(),
                    r.asset_value_level.get()
                ),
                format!(
                    "{} / {}",
                    shown(e.likelihood_value),
                    e.likelihood_level.get()
                ),
                format!("{} / {}", shown(e.loss_value), e.loss_level.get()),
                shown(e.risk_value),
                e.risk_level.get(),
                level_label(lang, e.risk_level),
            )
        }
    }
}

fn risk_row(lang: Lang, v: &RiskView) -> RiskRow {
    let (tva, likelihood, loss, value, level, label) = rating_cells(lang, v.risk.rating.as_ref());
    RiskRow {
        id: v.risk.id.0,
        asset_code: v.asset_code.clone(),
        asset_name: v.asset_name.clone(),
        threat: format!("{} {}", v.threat_code, v.threat_name.get(lang)),
        tva,
        likelihood,
        loss,
        value,
        level,
        level_label: label,
        treatment: v
            .risk
            .treatment
            .map(|t| t.label().get(lang).to_owned())
            .unwrap_or_default(),
        approval_needed: v.approval_needed,
        value_changed: v
            .risk
            .rating
            .is_some_and(|r| r.asset_value_level.get() != v.asset_value_level_now),
    }
}

#[derive(Template)]
#[template(path = "assessments/risks.html")]
struct RisksPage {
    page: Page,
    tx: &'static texts::Messages,
    a: castellan_domain::risk::register::Assessment,
    phase: String,
    rows: Vec<RiskRow>,
    pager: Pager,
    filters: RiskParams,
    any_filter: bool,
    levels: Vec<CodeOption>,
    treatments: Vec<CodeOption>,
    threats: Vec<(i64, String)>,
    scope_codes: String,
    can_add: bool,
    /// Treatment options can be set for several risks at once.
    can_bulk_treatment: bool,
    /// Residual ratings can be given to several risks at once.
    can_bulk_residual: bool,
    action_error: Option<String>,
}

async fn risks_page(
    state: &AppState,
    web: &Web,
    id: AssessmentId,
    p: RiskParams,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = assessments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let num = |s: &str| s.trim().parse::<i64>().ok();
    let query = RiskQuery {
        level: num(&p.level),
        likelihood_level: num(&p.likelihood_level),
        loss_level: num(&p.loss_level),
        treatment: some(&p.treatment),
        unrated: match p.unrated.as_str() {
            "1" => Some(true),
            "0" => Some(false),
            _ => None,
        },
        cursor: some(&p.cursor),
        limit: Some(50),
        ..RiskQuery::default()
    };
    let page = risks::list(&state.app, &ctx, id, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let can_add = v.may_edit && v.assessment.phase.allows(Work::Risks);
    let threats = if can_add {
        threats::all(&state.app, &ctx, true)
            .await
            .map_err(|e| web.fail(e))?
            .into_iter()
            .map(|x| (x.id.0, format!("{} {}", x.code, x.name.get(lang))))
            .collect()
    } else {
        Vec::new()
    };
    let scope = assessments::asset_names(&state.app, &ctx, &v.assessment.asset_ids)
        .await
        .map_err(|e| web.fail(e))?;
    let bulk_notice = p
        .bulk_done
        .map(|n| tx.bulk_done.replace("{n}", &n.to_string()));
    let path = format!("/assessments/{}/risks", id);
    let base = p.pairs();
    Ok(render::page_response(
        status,
        &RisksPage {
            page: Page::new(
                web,
                Some(Section::Assessments),
                bulk_notice
                    .as_deref()
                    .or(view::notice(t, p.notice.as_deref())),
            ),
            tx,
            phase: v.assessment.phase.label().get(lang).to_owned(),
            rows: page.items.iter().map(|r| risk_row(lang, r)).collect(),
            pager: Pager::paged(
                &path,
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            levels: view::level_options(lang, &p.level),
            treatments: Treatment::ALL
                .iter()
                .map(|x| CodeOption {
                    code: x.code(),
                    label: x.label().get(lang).to_owned(),
                    selected: p.treatment == x.code(),
                })
                .collect(),
            threats,
            scope_codes: scope
                .iter()
                .map(|(_, c, _)| c.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            can_add,
            can_bulk_treatment: v.may_edit && v.assessment.phase.allows(Work::Treatment),
            can_bulk_residual: v.may_edit && v.assessment.phase.allows(Work::Residual),
            action_error,
            filters: p,
            a: v.assessment,
        },
    ))
}

/// `POST /assessments/{id}/risks/bulk`: the selected risks (`risk`) get the same treatment
/// option (`bulk=treatment`, `treatment`) or residual rating (`bulk=residual`,
/// `residual_threat_frequency`, `residual_vulnerability_severity`), all or none.
pub async fn bulk(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let get = |k: &str| {
        data.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let ids: Vec<i64> = data
        .iter()
        .filter(|(n, _)| n == "risk")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let num = |k: &str| get(k).parse::<i64>().unwrap_or(0);
    let patch = match get("bulk").as_str() {
        "treatment" => RiskPatch {
            treatment: Some(Some(get("treatment")).filter(|t| !t.is_empty())),
            ..RiskPatch::default()
        },
        _ => RiskPatch {
            residual_threat_frequency: Some(num("residual_threat_frequency")),
            residual_vulnerability_severity: Some(num("residual_vulnerability_severity")),
            ..RiskPatch::default()
        },
    };
    let t = web.t();
    let tx = tx(web.lang());
    match risks::bulk_update(&state.app, &web.ctx(), AssessmentId(id), &ids, &patch).await {
        Ok(n) => {
            Ok(Redirect::to(&format!("/assessments/{id}/risks?bulk_done={n}")).into_response())
        }
        Err(e) => {
            let message = match e.domain() {
                Some(castellan_domain::DomainError::Validation(f)) => {
                    if f.get("risk_ids").is_some() {
                        tx.bulk_none_selected.to_owned()
                    } else {
                        f.iter()
                            .next()
                            .map(|x| {
                                format!(
                                    "{}: {}",
                                    match x.field.as_str() {
                                        "treatment" => t.treatment,
                                        "residual_threat_frequency" => t.residual_threat_frequency,
                                        "residual_vulnerability_severity" => {
                                            t.residual_vulnerability_severity
                                        }
                                        other => other,
                                    },
                                    crate::ui::i18n::field_error(web.lang(), &x.kind)
                                )
                            })
                            .unwrap_or_default()
                    }
                }
                Some(d @ castellan_domain::DomainError::Conflict(_)) => {
                    crate::ui::i18n::domain_error(web.lang(), d)
                }
                _ => return Err(web.fail(e)),
            };
            risks_page(
                &state,
                &web,
                AssessmentId(id),
                RiskParams::default(),
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await
        }
    }
}

/// `GET /assessments/{id}/risks`.
pub async fn register(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<RiskParams>,
) -> Result<Response, Response> {
    risks_page(&state, &web, AssessmentId(id), p, StatusCode::OK, None).await
}

async fn refused_on_register(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
) -> Result<Response, Response> {
    let Some((status, message)) = refused(web.lang(), &e) else {
        return Err(web.fail(e));
    };
    risks_page(
        state,
        web,
        AssessmentId(id),
        RiskParams::default(),
        status,
        Some(message),
    )
    .await
}

#[derive(Deserialize)]
pub struct AddRiskForm {
    #[serde(default)]
    asset: String,
    #[serde(default)]
    threat_id: String,
    #[serde(default)]
    threat_frequency: String,
    #[serde(default)]
    vulnerability_severity: String,
    #[serde(default)]
    description: String,
}

/// `POST /assessments/{id}/risks`: one risk, by asset code.
pub async fn add_risk(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<AddRiskForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let code = f.asset.trim().to_owned();
    let found = assessments::assets_by_code(&state.app, &ctx, std::slice::from_ref(&code))
        .await
        .map_err(|e| web.fail(e))?;
    let asset_id = found.first().and_then(|(_, id)| *id).map_or(0, |a| a.0);
    let input = RiskInput {
        asset_id,
        threat_id: f.threat_id.trim().parse().unwrap_or(0),
        vulnerability_id: None,
        description: some(&f.description),
        threat_frequency: f.threat_frequency.trim().parse().ok(),
        vulnerability_severity: f.vulnerability_severity.trim().parse().ok(),
    };
    match risks::create(&state.app, &ctx, AssessmentId(id), &input).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/assessments/{id}/risks/{}?notice=created",
            r.risk.id
        ))
        .into_response()),
        Err(e) => refused_on_register(&state, &web, id, e).await,
    }
}

/// `POST /assessments/{id}/candidates`: unrated risks for asset codes × chosen threats.
pub async fn add_candidates(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let mut codes = Vec::new();
    let mut threat_ids = Vec::new();
    for (k, v) in &data {
        match k.as_str() {
            "assets" => codes.extend(words(v)),
            "threats" => threat_ids.extend(v.trim().parse::<i64>().ok()),
            _ => {}
        }
    }
    let found = assessments::assets_by_code(&state.app, &ctx, &codes)
        .await
        .map_err(|e| web.fail(e))?;
    let unknown: Vec<&str> = found
        .iter()
        .filter(|(_, id)| id.is_none())
        .map(|(c, _)| c.as_str())
        .collect();
    if !unknown.is_empty() {
        let message = format!(
            "{} {}",
            tx(web.lang()).unknown_asset_codes,
            unknown.join(", ")
        );
        return risks_page(
            &state,
            &web,
            AssessmentId(id),
            RiskParams::default(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(message),
        )
        .await;
    }
    let asset_ids: Vec<i64> = found.iter().filter_map(|(_, a)| a.map(|a| a.0)).collect();
    match risks::create_candidates(&state.app, &ctx, AssessmentId(id), &asset_ids, &threat_ids)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/assessments/{id}/risks?notice=created")).into_response())
        }
        Err(e) => refused_on_register(&state, &web, id, e).await,
    }
}

// ---------------------------------------------------------------------------------------
// One risk

#[derive(Template)]
#[template(path = "assessments/risk.html")]
struct RiskPage {
    page: Page,
    tx: &'static texts::Messages,
    a: castellan_domain::risk::register::Assessment,
    r: RiskRow,
    risk_version: i64,
    description: Option<String>,
    rating: Option<RatingView>,
    residual: Option<RatingView>,
    asset_id: i64,
    asset_value_now: u8,
    t_value: String,
    v_value: String,
    rt_value: String,
    rv_value: String,
    residual_prefilled: bool,
    treatments: Vec<CodeOption>,
    approval: Option<String>,
    residual_acceptance: Option<String>,
    may_rate: bool,
    may_treat: bool,
    may_residual: bool,
    may_approve: bool,
    may_accept_residual: bool,
    residual_needs_acceptance: bool,
    items: Vec<ItemRow>,
    statuses: Vec<CodeOption>,
    may_plan_items: bool,
    history: Vec<HistoryItem>,
    action_error: Option<String>,
}

/// A treatment-plan item as the risk page and the task list show it.
struct ItemRow {
    version: i64,
    measure: String,
    responsible: String,
    due: String,
    overdue: bool,
    status: String,
    status_code: &'static str,
    progress: Option<String>,
    may_report: bool,
    context: String,
    href: String,
    action: String,
}

fn status_options(lang: Lang, selected: &str) -> Vec<CodeOption> {
    TreatmentStatus::ALL
        .iter()
        .map(|s| CodeOption {
            code: s.code(),
            label: s.label().get(lang).to_owned(),
            selected: s.code() == selected,
        })
        .collect()
}

struct RatingView {
    tva: String,
    likelihood: String,
    loss: String,
    value: String,
    level: u8,
    level_label: String,
}

fn rating_view(lang: Lang, r: Option<&RiskRating>) -> Option<RatingView> {
    let r = r?;
    let (tva, likelihood, loss, value, level, level_label) = rating_cells(lang, Some(r));
    Some(RatingView {
        tva,
        likelihood,
        loss,
        value,
        level,
        level_label,
    })
}

async fn risk_page(
    state: &AppState,
    web: &Web,
    id: AssessmentId,
    risk_id: RiskId,
    notice: Option<&str>,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let v = assessments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let r = risks::get(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = risks::history(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let mut ids = Vec::new();
    ids.extend(r.risk.approval.as_ref().map(|x| x.by));
    ids.extend(r.risk.residual_acceptance.as_ref().map(|x| x.by));
    let people = assessments::people(&state.app, &ctx, &ids)
        .await
        .map_err(|e| web.fail(e))?;
    let decision = |x: &castellan_domain::risk::register::Approval| {
        let who = people
            .get(&x.by)
            .map_or_else(|| format!("#{}", x.by), |p| p.display_name.clone());
        let mut s = format!("{who} · {}", view::when(t, Some(x.at)));
        if let Some(c) = &x.comment {
            s.push_str(" · ");
            s.push_str(c);
        }
        s
    };
    let a = v.assessment;
    let phase = a.phase;
    let is_committee = web
        .auth
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::Committee && g.department_id.is_none());
    let me = web.auth.principal.user_id;
    let independent =
        !a.team.contains(&me) && a.created_by != Some(me) && a.submitted_by != Some(me);
    let threshold = a.acceptance_threshold;
    let residual_needs_acceptance = r.risk.residual_level().is_some_and(|l| l >= threshold)
        && r.risk.residual_acceptance.is_none();
    let plan = castellan_app::risk::treatment::list_for_risk(&state.app, &ctx, id, risk_id)
        .await
        .map_err(|e| web.fail(e))?;
    let responsible: Vec<UserId> = plan.iter().filter_map(|p| p.item.responsible_id).collect();
    let owners = assessments::people(&state.app, &ctx, &responsible)
        .await
        .map_err(|e| web.fail(e))?;
    let progress_phase = phase.allows(Work::Progress);
    let items = plan
        .into_iter()
        .map(|p| item_row(lang, &owners, p, progress_phase && v.may_edit, me))
        .collect();
    let row = risk_row(lang, &r);
    let rt = r.risk.residual;
    let rating = r.risk.rating;
    let empties = |x: Option<u8>| x.map(|n| n.to_string()).unwrap_or_default();
    Ok(render::page_response(
        status,
        &RiskPage {
            page: Page::new(web, Some(Section::Assessments), view::notice(t, notice)),
            tx: tx(web.lang()),
            risk_version: r.risk.version,
            description: r.risk.description.clone(),
            rating: rating_view(lang, rating.as_ref()),
            residual: rating_view(lang, rt.as_ref()),
            asset_id: r.risk.asset_id.0,
            asset_value_now: r.asset_value_level_now,
            t_value: empties(rating.map(|x| x.threat_frequency.get())),
            v_value: empties(rating.map(|x| x.vulnerability_severity.get())),
            // Before the first residual rating, the form starts from the original one: the
            // assessor changes what the treatment changed.
            rt_value: empties(rt.or(rating).map(|x| x.threat_frequency.get())),
            rv_value: empties(rt.or(rating).map(|x| x.vulnerability_severity.get())),
            residual_prefilled: rt.is_none() && rating.is_some(),
            treatments: Treatment::ALL
                .iter()
                .map(|x| CodeOption {
                    code: x.code(),
                    label: x.label().get(lang).to_owned(),
                    selected: r.risk.treatment == Some(*x),
                })
                .collect(),
            approval: r.risk.approval.as_ref().map(decision),
            residual_acceptance: r.risk.residual_acceptance.as_ref().map(decision),
            may_rate: v.may_edit && phase.allows(Work::Risks),
            may_treat: v.may_edit && phase.allows(Work::Treatment),
            may_residual: v.may_edit && phase.allows(Work::Residual) && rating.is_some(),
            may_approve: is_committee
                && independent
                && phase.allows(Work::Acceptance)
                && r.approval_needed,
            may_accept_residual: is_committee
                && independent
                && phase.allows(Work::Acceptance)
                && residual_needs_acceptance,
            residual_needs_acceptance,
            items,
            statuses: status_options(lang, ""),
            may_plan_items: v.may_edit && phase.allows(Work::Treatment),
            history: view::history(
                lang,
                &Names {
                    departments: &HashMap::new(),
                    users: &view::user_names(&state.app, &entries).await,
                },
                &entries,
            ),
            action_error,
            r: row,
            a,
        },
    ))
}

/// `GET /assessments/{id}/risks/{risk_id}`.
pub async fn risk(
    State(state): State<AppState>,
    web: Web,
    Path((id, risk_id)): Path<(i64, i64)>,
    Query(n): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    risk_page(
        &state,
        &web,
        AssessmentId(id),
        RiskId(risk_id),
        n.notice.as_deref(),
        StatusCode::OK,
        None,
    )
    .await
}

#[derive(Deserialize)]
pub struct RiskForm {
    /// Which part of the risk the form changes.
    part: String,
    version: i64,
    #[serde(default)]
    threat_frequency: String,
    #[serde(default)]
    vulnerability_severity: String,
    #[serde(default)]
    treatment: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    refresh: String,
    #[serde(default)]
    comment: String,
}

fn number(s: &str) -> Option<i64> {
    // A blank or non-numeric rating is sent as 0, which the service refuses as out of range.
    Some(s.trim().parse().unwrap_or(0))
}

/// `POST /assessments/{id}/risks/{risk_id}`: rating, treatment, residual rating or a
/// committee decision, by `part`.
pub async fn update_risk(
    State(state): State<AppState>,
    Path((id, risk_id)): Path<(i64, i64)>,
    form: CsrfForm<RiskForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let (aid, rid) = (AssessmentId(id), RiskId(risk_id));
    let result = match f.part.as_str() {
        "rating" => {
            let patch = RiskPatch {
                threat_frequency: number(&f.threat_frequency),
                vulnerability_severity: number(&f.vulnerability_severity),
                refresh_asset_value: f.refresh == "1",
                description: Some(some(&f.description)),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "treatment" => {
            let patch = RiskPatch {
                treatment: Some(some(&f.treatment)),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "residual" => {
            let patch = RiskPatch {
                residual_threat_frequency: number(&f.threat_frequency),
                residual_vulnerability_severity: number(&f.vulnerability_severity),
                ..RiskPatch::default()
            };
            risks::update(&state.app, &ctx, aid, rid, &patch, f.version).await
        }
        "approval" | "residual_acceptance" => {
            let decision = if f.part == "approval" {
                Decision::Treatment
            } else {
                Decision::Residual
            };
            risks::decide(
                &state.app,
                &ctx,
                aid,
                rid,
                decision,
                Some(f.comment.as_str()),
                f.version,
            )
            .await
        }
        _ => Err(DomainError::BadRequest("unknown form".into()).into()),
    };
    match result {
        Ok(_) => Ok(
            Redirect::to(&format!("/assessments/{id}/risks/{risk_id}?notice=saved"))
                .into_response(),
        ),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            risk_page(&state, &web, aid, rid, None, status, Some(message)).await
        }
    }
}

fn item_row(
    lang: Lang,
    owners: &HashMap<UserId, castellan_app::asset::assets::OwnerRef>,
    p: castellan_app::risk::treatment::TreatmentView,
    team_reports: bool,
    me: UserId,
) -> ItemRow {
    let i = p.item;
    let mine = i.responsible_id == Some(me);
    let reporting_phase = p.assessment_phase.allows(Work::Progress);
    ItemRow {
        version: i.version,
        measure: i.measure,
        responsible: i
            .responsible_id
            .map(|u| {
                owners
                    .get(&u)
                    .map_or_else(|| format!("#{u}"), |o| o.display_name.clone())
            })
            .unwrap_or_default(),
        due: i.due_on.map(|d| d.to_db()).unwrap_or_default(),
        overdue: p.overdue,
        status: i.status.label().get(lang).to_owned(),
        status_code: i.status.code(),
        progress: i.progress,
        may_report: reporting_phase && (team_reports || mine),
        context: format!(
            "{} · {} · {}",
            p.assessment_name, p.asset_code, p.threat_code
        ),
        href: format!("/assessments/{}/risks/{}", i.assessment_id, i.risk_id),
        action: format!("/assessments/{}/items/{}", i.assessment_id, i.id),
    }
}

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    measure: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /assessments/{id}/risks/{risk_id}/items`: a treatment measure for the risk.
pub async fn add_item(
    State(state): State<AppState>,
    Path((id, risk_id)): Path<(i64, i64)>,
    form: CsrfForm<ItemForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let (aid, rid) = (AssessmentId(id), RiskId(risk_id));
    let responsible = match some(&f.responsible) {
        None => None,
        Some(name) => match assessments::person_by_username(&state.app, &ctx, &name)
            .await
            .map_err(|e| web.fail(e))?
        {
            Some(p) => Some(p.id.0),
            None => {
                let message = format!("{} {name}", tx(web.lang()).unknown_usernames);
                return risk_page(
                    &state,
                    &web,
                    aid,
                    rid,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(message),
                )
                .await;
            }
        },
    };
    let input = castellan_app::risk::treatment::TreatmentInput {
        measure: f.measure,
        responsible_id: responsible,
        due_on: some(&f.due_on),
        ..castellan_app::risk::treatment::TreatmentInput::default()
    };
    match castellan_app::risk::treatment::create(&state.app, &ctx, aid, rid, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/assessments/{id}/risks/{risk_id}?notice=saved"))
                .into_response(),
        ),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            risk_page(&state, &web, aid, rid, None, status, Some(message)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ProgressForm {
    version: i64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    back: String,
}

/// `POST /assessments/{id}/items/{item_id}`: status and progress of a treatment measure,
/// by the team or the person responsible.
pub async fn report_progress(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(i64, i64)>,
    form: CsrfForm<ProgressForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let patch = castellan_app::risk::treatment::TreatmentPatch {
        status: some(&f.status),
        progress: Some(some(&f.progress)),
        ..castellan_app::risk::treatment::TreatmentPatch::default()
    };
    let back = crate::ui::session::local_path(&f.back);
    match castellan_app::risk::treatment::update(
        &state.app,
        &web.ctx(),
        AssessmentId(id),
        castellan_domain::ids::TreatmentItemId(item_id),
        &patch,
        f.version,
    )
    .await
    {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{sep}notice=saved")).into_response())
        }
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            Err(web.error_page(status, web.t().error_invalid, &message))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TaskParams {
    #[serde(default)]
    all: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "assessments/tasks.html")]
struct TasksPage {
    page: Page,
    tx: &'static texts::Messages,
    all: bool,
    items: Vec<ItemRow>,
    statuses: Vec<CodeOption>,
    pager: Pager,
}

/// `GET /tasks`: the treatment measures the user is responsible for, across assessments.
pub async fn my_tasks(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<TaskParams>,
) -> Result<Response, Response> {
    let lang = web.lang();
    let ctx = web.ctx();
    let query = castellan_app::risk::treatment::TaskQuery {
        open: p.all != "1",
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let page = castellan_app::risk::treatment::mine(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let me = web.auth.principal.user_id;
    let mut owners = HashMap::new();
    owners.insert(
        me,
        castellan_app::asset::assets::OwnerRef {
            id: me,
            username: web.auth.principal.username.clone(),
            display_name: web.auth.principal.display_name.clone(),
        },
    );
    let base = [("all", p.all.as_str())];
    Ok(render::ok(&TasksPage {
        page: Page::new(
            &web,
            Some(Section::Tasks),
            view::notice(web.t(), p.notice.as_deref()),
        ),
        tx: tx(lang),
        all: p.all == "1",
        items: page
            .items
            .into_iter()
            .map(|v| item_row(lang, &owners, v, false, me))
            .collect(),
        statuses: status_options(lang, ""),
        pager: Pager::paged(
            "/tasks",
            &base,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
    }))
}

#[derive(Deserialize)]
pub struct PreviewParams {
    t: i64,
    v: i64,
    a: i64,
}

/// `GET /assessments/{id}/preview?t=&v=&a=`: the live preview of the rating form, as JSON,
/// computed with the assessment's method and tables.
pub async fn preview(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<PreviewParams>,
) -> Response {
    match risks::preview(&state.app, &web.ctx(), AssessmentId(id), p.t, p.v, p.a).await {
        Ok(e) => Json(serde_json::json!({
            "likelihood": format!("{} / {}", shown(e.likelihood_value), e.likelihood_level.get()),
            "loss": format!("{} / {}", shown(e.loss_value), e.loss_level.get()),
            "value": shown(e.risk_value),
            "level": e.risk_level.get(),
            "label": level_label(web.lang(), e.risk_level),
        }))
        .into_response(),
        Err(_) => StatusCode::UNPROCESSABLE_ENTITY.into_response(),
    }
}

// ---------------------------------------------------------------------------------------
// Threat catalog

#[derive(Deserialize, Default)]
pub struct ThreatParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    method: String,
}

struct ThreatRow {
    code: String,
    name: String,
    description: String,
    source: String,
    path: String,
    method: String,
    active: bool,
    builtin: bool,
}

#[derive(Template)]
#[template(path = "threats/list.html")]
struct ThreatsPage {
    page: Page,
    tx: &'static texts::Messages,
    q: String,
    any_filter: bool,
    sources: Vec<CodeOption>,
    paths: Vec<CodeOption>,
    methods: Vec<CodeOption>,
    rows: Vec<ThreatRow>,
    can_add: bool,
    form: ThreatForm,
    form_sources: Vec<CodeOption>,
    form_paths: Vec<CodeOption>,
    form_methods: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

/// The custom-threat form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ThreatForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    name_en: String,
    #[serde(default)]
    name_zh: String,
    #[serde(default)]
    description_en: String,
    #[serde(default)]
    description_zh: String,
}

/// `GET /threats`: the whole catalog (a few hundred entries at most), filtered.
pub async fn threat_catalog(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ThreatParams>,
) -> Result<Response, Response> {
    threats_page(
        &state,
        &web,
        p,
        ThreatForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn threats_page(
    state: &AppState,
    web: &Web,
    p: ThreatParams,
    form: ThreatForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let all = threats::all(&state.app, &web.ctx(), false)
        .await
        .map_err(|e| web.fail(e))?;
    let q = p.q.trim().to_lowercase();
    let rows = all
        .into_iter()
        .filter(|x| p.source.is_empty() || x.source.code() == p.source)
        .filter(|x| p.path.is_empty() || x.path.code() == p.path)
        .filter(|x| p.method.is_empty() || x.method.code() == p.method)
        .filter(|x| {
            q.is_empty()
                || x.code.to_lowercase().contains(&q)
                || x.name.en.to_lowercase().contains(&q)
                || x.name.zh.contains(&q)
                || x.description.get(lang).to_lowercase().contains(&q)
        })
        .map(|x| ThreatRow {
            code: x.code.clone(),
            name: x.name.get(lang).to_owned(),
            description: x.description.get(lang).to_owned(),
            source: x.source.label().get(lang).to_owned(),
            path: x.path.label().get(lang).to_owned(),
            method: x.method.label().get(lang).to_owned(),
            active: x.active,
            builtin: x.builtin,
        })
        .collect();
    Ok(render::page_response(
        status,
        &ThreatsPage {
            page: Page::new(web, Some(Section::Threats), None),
            tx: tx(web.lang()),
            any_filter: !(p.q.is_empty()
                && p.source.is_empty()
                && p.path.is_empty()
                && p.method.is_empty()),
            sources: code_options(
                &ThreatSource::ALL,
                ThreatSource::code,
                ThreatSource::label,
                lang,
                &p.source,
            ),
            paths: code_options(
                &ThreatPath::ALL,
                ThreatPath::code,
                ThreatPath::label,
                lang,
                &p.path,
            ),
            methods: code_options(
                &ThreatMethod::ALL,
                ThreatMethod::code,
                ThreatMethod::label,
                lang,
                &p.method,
            ),
            q: p.q,
            rows,
            can_add: web.auth.principal.is_allowed(
                Resource::Threat,
                Action::Create,
                castellan_domain::Target::Global,
            ),
            form_sources: code_options(
                &ThreatSource::ALL,
                ThreatSource::code,
                ThreatSource::label,
                lang,
                &form.source,
            ),
            form_paths: code_options(
                &ThreatPath::ALL,
                ThreatPath::code,
                ThreatPath::label,
                lang,
                &form.path,
            ),
            form_methods: code_options(
                &ThreatMethod::ALL,
                ThreatMethod::code,
                ThreatMethod::label,
                lang,
                &form.method,
            ),
            form,
            errors,
            error,
        },
    ))
}

/// `POST /threats`: a threat of the organization's own.
pub async fn add_threat(
    State(state): State<AppState>,
    form: CsrfForm<ThreatForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = castellan_app::risk::threats::ThreatInput {
        code: f.code.clone(),
        source: f.source.clone(),
        path: f.path.clone(),
        method: f.method.clone(),
        name_en: f.name_en.clone(),
        name_zh: f.name_zh.clone(),
        description_en: f.description_en.clone(),
        description_zh: f.description_zh.clone(),
        active: Some(true),
    };
    match threats::create(&state.app, &web.ctx(), &input).await {
        Ok(t) => Ok(Redirect::to(&format!(
            "/threats?q={}",
            crate::ui::session::urlencode(&t.code)
        ))
        .into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                threats_page(
                    &state,
                    &web,
                    ThreatParams::default(),
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

#[derive(Deserialize, Default)]
pub struct ExportParams {
    #[serde(default)]
    format: String,
}

/// `GET /threats/export?format=csv|yaml`: the catalog as a file.
pub async fn export_threats(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ExportParams>,
) -> Result<Response, Response> {
    use axum::http::{HeaderValue, header};
    use castellan_app::risk::threat_transfer::{self, CatalogFormat};
    let format = CatalogFormat::from_code(if p.format.is_empty() {
        "csv"
    } else {
        &p.format
    })
    .ok_or_else(|| {
        web.error_page(
            StatusCode::NOT_FOUND,
            web.t().error_not_found,
            web.t().error_not_found,
        )
    })?;
    let bytes = threat_transfer::export(&state.app, &web.ctx(), format)
        .await
        .map_err(|e| web.fail(e))?;
    let (content_type, name) = match format {
        CatalogFormat::Csv => ("text/csv; charset=utf-8", "threats.csv"),
        CatalogFormat::Yaml => ("application/yaml", "threats.yaml"),
    };
    let mut r = bytes.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        r.headers_mut().insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(r)
}
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

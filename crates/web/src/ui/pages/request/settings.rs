//! Approval chains and the working-day calendar: read by everyone, edited by the
//! administrator and the security officer (chains) or the administrator (calendar).

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::workflow::{self, ChainInput, DayInput};
use castellan_domain::permission::Target;
use castellan_domain::workflow::calendar::DayKind;
use castellan_domain::workflow::chain::{MAX_STEPS, StepInput, StepRole, StepScope};
use castellan_domain::{Action, Lang, Resource, Role, Timestamp};
use serde::Deserialize;

struct StepView {
    name: String,
    who: String,
    scope: String,
    min: u32,
}

struct ChainView {
    id: i64,
    name: String,
    applies_to: String,
    impact: String,
    major: bool,
    version: i64,
    steps: Vec<StepView>,
}

#[derive(Template)]
#[template(path = "requests/chains.html")]
struct ChainsPage {
    page: Page,
    tx: &'static texts::Messages,
    chains: Vec<ChainView>,
    can_edit: bool,
}

fn subject_label(code: &str, lang: Lang) -> String {
    workflow::chain_subjects()
        .find(|(c, _)| *c == code)
        .map(|(_, t)| t.get(lang).to_owned())
        .unwrap_or_else(|| code.to_owned())
}

/// `GET /settings/approval-chains`.
pub async fn chains(
    State(state): State<AppState>,
    web: Web,
    Query(n): Query<NoticeParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let mut rows = workflow::chains(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    // By kind of item, the normal chain before the major one (Impact orders Normal first).
    rows.sort_by(|a, b| {
        a.applies_to
            .cmp(&b.applies_to)
            .then(a.impact.cmp(&b.impact))
    });
    let chains = rows
        .into_iter()
        .map(|c| ChainView {
            id: c.id,
            name: castellan_domain::workflow::chain::shown_chain_name(
                &c.name,
                &subject_label(&c.applies_to, lang),
                c.impact,
                lang,
            ),
            applies_to: subject_label(&c.applies_to, lang),
            impact: c.impact.label().get(lang).to_owned(),
            major: c.impact == castellan_domain::workflow::chain::Impact::Major,
            version: c.version,
            steps: c
                .steps
                .iter()
                .map(|s| StepView {
                    name: s.shown_name(lang),
                    // The approver, unless the step is named by it already.
                    who: if s.name.is_empty() {
                        String::new()
                    } else {
                        s.approver_role.label().get(lang).to_owned()
                    },
                    // Whose grant counts matters for roles, not for the department head.
                    scope: if s.approver_role == StepRole::DepartmentHead {
                        String::new()
                    } else {
                        s.scope.label().get(lang).to_owned()
                    },
                    min: s.min_approvals,
                })
                .collect(),
        })
        .collect();
    Ok(render::ok(&ChainsPage {
        page: Page::new(
            &web,
            Some(Section::ApprovalChains),
            view::notice(web.t(), n.notice.as_deref()),
        ),
        tx: tx(lang),
        chains,
        can_edit: web.auth.principal.is_allowed(
            Resource::ApprovalChain,
            Action::Update,
            Target::Global,
        ),
    }))
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    #[serde(default)]
    notice: Option<String>,
}

/// An option of a select.
pub struct Opt {
    code: String,
    label: String,
    selected: bool,
}

struct StepRow {
    index: usize,
    name: String,
    roles: Vec<Opt>,
    scopes: Vec<Opt>,
    min: String,
}

#[derive(Template)]
#[template(path = "requests/chain_form.html")]
struct ChainForm {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    name: String,
    applies_to: String,
    impact: String,
    rows: Vec<StepRow>,
    errors: FormErrors,
    error: Option<String>,
}

fn role_options(lang: Lang, selected: &str) -> Vec<Opt> {
    std::iter::once(StepRole::DepartmentHead)
        .chain(Role::ALL.iter().copied().map(StepRole::Role))
        .map(|r| Opt {
            code: r.code().to_owned(),
            label: r.label().get(lang).to_owned(),
            selected: r.code() == selected,
        })
        .collect()
}

fn scope_options(lang: Lang, selected: &str) -> Vec<Opt> {
    StepScope::ALL
        .iter()
        .map(|s| Opt {
            code: s.code().to_owned(),
            label: s.label().get(lang).to_owned(),
            selected: s.code() == selected,
        })
        .collect()
}

fn step_rows(lang: Lang, steps: &[StepInput]) -> Vec<StepRow> {
    let blank = StepInput {
        name: String::new(),
        approver_role: "security_admin".into(),
        scope: "any".into(),
        min_approvals: 1,
    };
    let mut all: Vec<StepInput> = steps.to_vec();
    while all.len() < (steps.len() + 2).min(MAX_STEPS) {
        all.push(blank.clone());
    }
    all.iter()
        .enumerate()
        .map(|(index, s)| StepRow {
            index,
            name: s.name.clone(),
            roles: role_options(lang, &s.approver_role),
            scopes: scope_options(lang, &s.scope),
            min: s.min_approvals.to_string(),
        })
        .collect()
}

/// `GET /settings/approval-chains/{id}/edit`.
pub async fn edit_chain(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    if !web
        .auth
        .principal
        .is_allowed(Resource::ApprovalChain, Action::Update, Target::Global)
    {
        return Err(web.forbidden(Resource::ApprovalChain, Action::Update));
    }
    let c = workflow::chain(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let lang = web.lang();
    let steps: Vec<StepInput> = c
        .steps
        .iter()
        .map(|s| StepInput {
            name: s.shown_name(lang),
            approver_role: s.approver_role.code().to_owned(),
            scope: s.scope.code().to_owned(),
            min_approvals: i64::from(s.min_approvals),
        })
        .collect();
    Ok(render::ok(&ChainForm {
        page: Page::new(&web, Some(Section::ApprovalChains), None),
        tx: tx(lang),
        id,
        version: c.version,
        code: c.code,
        name: castellan_domain::workflow::chain::shown_chain_name(
            &c.name,
            &subject_label(&c.applies_to, lang),
            c.impact,
            lang,
        ),
        applies_to: subject_label(&c.applies_to, lang),
        impact: c.impact.label().get(lang).to_owned(),
        rows: step_rows(lang, &steps),
        errors: FormErrors::none(),
        error: None,
    }))
}

/// `POST /settings/approval-chains/{id}`: the form posts `name`, `version` and per row
/// `step_name`, `step_role`, `step_scope`, `step_min` (rows with an empty name are dropped).
pub async fn save_chain(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let lang = web.lang();
    let current = workflow::chain(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let get = |k: &str| {
        data.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let all = |k: &str| {
        data.iter()
            .filter(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .collect::<Vec<_>>()
    };
    let (names, roles, scopes, mins) = (
        all("step_name"),
        all("step_role"),
        all("step_scope"),
        all("step_min"),
    );
    let mut posted: Vec<StepInput> = Vec::new();
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            continue;
        }
        posted.push(StepInput {
            name: name.clone(),
            approver_role: roles.get(i).cloned().unwrap_or_default(),
            scope: scopes.get(i).cloned().unwrap_or_default(),
            min_approvals: mins.get(i).and_then(|m| m.trim().parse().ok()).unwrap_or(0),
        });
    }
    let input = ChainInput {
        code: current.code.clone(),
        name: get("name"),
        applies_to: current.applies_to.clone(),
        impact: current.impact.code().to_owned(),
        steps: posted.clone(),
    };
    let version = get("version").trim().parse().unwrap_or(0);
    match workflow::update_chain(&state.app, &ctx, id, &input, version).await {
        Ok(_) => Ok(Redirect::to("/settings/approval-chains?notice=saved").into_response()),
        Err(e) => match view::form_failure(lang, &e) {
            Some((errors, message)) => {
                let message = message.or_else(|| {
                    errors
                        .first()
                        .filter(|(f, _)| f.starts_with("steps"))
                        .map(|(_, m)| format!("{}: {m}", tx(lang).chain_steps))
                });
                Ok(render::page_response(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &ChainForm {
                        page: Page::new(&web, Some(Section::ApprovalChains), None),
                        tx: tx(lang),
                        id,
                        version: current.version,
                        code: current.code,
                        name: get("name"),
                        applies_to: subject_label(&current.applies_to, lang),
                        impact: current.impact.label().get(lang).to_owned(),
                        rows: step_rows(lang, &posted),
                        errors,
                        error: message,
                    },
                ))
            }
            None => Err(web.fail(e)),
        },
    }
}

struct DayRow {
    day: String,
    weekday: &'static str,
    kind: String,
    holiday: bool,
    name: String,
}

#[derive(Template)]
#[template(path = "requests/calendar.html")]
struct CalendarPage {
    page: Page,
    tx: &'static texts::Messages,
    year: i32,
    prev: i32,
    next: i32,
    days: Vec<DayRow>,
    kinds: Vec<Opt>,
    can_edit: bool,
    form_day: String,
    form_name: String,
    errors: FormErrors,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct YearParams {
    #[serde(default)]
    year: Option<i32>,
    #[serde(default)]
    notice: Option<String>,
}

fn weekday(lang: Lang, d: castellan_domain::Day) -> &'static str {
    use time::Weekday::*;
    let (en, zh) = match d.date().weekday() {
        Monday => ("Mon", "周一"),
        Tuesday => ("Tue", "周二"),
        Wednesday => ("Wed", "周三"),
        Thursday => ("Thu", "周四"),
        Friday => ("Fri", "周五"),
        Saturday => ("Sat", "周六"),
        Sunday => ("Sun", "周日"),
    };
    match lang {
        Lang::En => en,
        Lang::ZhCn => zh,
    }
}

#[allow(clippy::too_many_arguments)]
async fn calendar_page(
    state: &AppState,
    web: &Web,
    year: i32,
    notice: Option<&str>,
    form: (&str, &str, &str),
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let days = workflow::calendar_year(&state.app, &web.ctx(), year)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(render::page_response(
        status,
        &CalendarPage {
            page: Page::new(web, Some(Section::Calendar), view::notice(web.t(), notice)),
            tx: tx(lang),
            year,
            prev: year - 1,
            next: year + 1,
            days: days
                .into_iter()
                .map(|d| DayRow {
                    day: d.day.to_db(),
                    weekday: weekday(lang, d.day),
                    kind: d.kind.label().get(lang).to_owned(),
                    holiday: d.kind == DayKind::Holiday,
                    name: d.name,
                })
                .collect(),
            kinds: DayKind::ALL
                .iter()
                .map(|k| Opt {
                    code: k.code().to_owned(),
                    label: k.label().get(lang).to_owned(),
                    selected: k.code() == form.1,
                })
                .collect(),
            can_edit: web.auth.principal.is_allowed(
                Resource::Calendar,
                Action::Update,
                Target::Global,
            ),
            form_day: form.0.to_owned(),
            form_name: form.2.to_owned(),
            errors,
            error,
        },
    ))
}

/// `GET /settings/calendar?year=`.
pub async fn calendar(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<YearParams>,
) -> Result<Response, Response> {
    let year = p.year.unwrap_or_else(|| Timestamp::now().datetime().year());
    calendar_page(
        &state,
        &web,
        year,
        p.notice.as_deref(),
        ("", "holiday", ""),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct DayForm {
    #[serde(default)]
    day: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    name: String,
}

/// `POST /settings/calendar`: enters one day.
pub async fn add_day(
    State(state): State<AppState>,
    form: CsrfForm<DayForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = [DayInput {
        day: f.day.clone(),
        kind: f.kind.clone(),
        name: f.name.clone(),
    }];
    let year = f
        .day
        .get(0..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or_else(|| Timestamp::now().datetime().year());
    match workflow::add_days(&state.app, &web.ctx(), &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/settings/calendar?year={year}&notice=saved")).into_response(),
        ),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                // Field names come back as days[0].day: show them on the form's fields.
                let mut shown = FormErrors::none();
                for f in ["day", "kind", "name"] {
                    if let Some(m) = errors.get(&format!("days[0].{f}")) {
                        shown.set(f, m);
                    }
                }
                calendar_page(
                    &state,
                    &web,
                    year,
                    None,
                    (&f.day, &f.kind, &f.name),
                    shown,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct RemoveForm {
    #[serde(default)]
    day: String,
}

/// `POST /settings/calendar/remove`.
pub async fn remove_day(
    State(state): State<AppState>,
    form: CsrfForm<RemoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let year = data
        .day
        .get(0..4)
        .and_then(|y| y.parse().ok())
        .unwrap_or(2026);
    workflow::remove_day(&state.app, &web.ctx(), &data.day)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(Redirect::to(&format!("/settings/calendar?year={year}&notice=deleted")).into_response())
}

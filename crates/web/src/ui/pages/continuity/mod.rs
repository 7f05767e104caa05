//! The continuity area's pages: backup plans (with the high-value assets that lack one at
//! the top), DR plans, and drills (achieved recovery against the plan's RTO, problems that
//! became rectification tasks, files).

pub mod backup_plans;
pub mod dr_plans;
pub mod drills;
pub mod texts;

use crate::state::AppState;
use crate::ui::page::{NavEntry, NavHeading, Section};
use crate::ui::session::Web;
use crate::ui::view::{self, FormErrors};
use axum::Router;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use castellan_domain::{Action, Lang, Resource};

/// The area's texts in `lang`.
pub fn tx(lang: Lang) -> &'static texts::Messages {
    match lang {
        Lang::En => &texts::EN,
        Lang::ZhCn => &texts::ZH,
    }
}

/// The area's navigation entries.
pub const NAV: &[NavEntry] = &[NavEntry {
    heading: NavHeading::Governance,
    order: 9,
    href: "/backup-plans",
    label: |t| t.nav_continuity,
    section: Section::Continuity,
    needs: Some((Resource::Continuity, Action::Read)),
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route(
            "/backup-plans",
            get(backup_plans::list).post(backup_plans::create),
        )
        .route("/backup-plans/new", get(backup_plans::new_form))
        .route(
            "/backup-plans/{id}",
            get(backup_plans::show).post(backup_plans::update),
        )
        .route("/backup-plans/{id}/edit", get(backup_plans::edit_form))
        .route("/backup-plans/{id}/tests", post(backup_plans::record_test))
        .route("/dr-plans", get(dr_plans::list).post(dr_plans::create))
        .route("/dr-plans/new", get(dr_plans::new_form))
        .route("/dr-plans/{id}", get(dr_plans::show).post(dr_plans::update))
        .route("/dr-plans/{id}/edit", get(dr_plans::edit_form))
        .route("/drills", get(drills::list).post(drills::create))
        .route("/drills/new", get(drills::new_form))
        .route("/drills/{id}", get(drills::show).post(drills::update))
        .route("/drills/{id}/edit", get(drills::edit_form))
        .route(
            "/drills/{id}/files",
            post(drills::upload).layer(crate::attachments::upload_limit()),
        )
        .route("/drills/{id}/files/{attachment}", get(drills::download))
}

/// A tab on top of the area's lists.
pub(crate) struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub(crate) fn tabs(lang: Lang, active: &str) -> Vec<Tab> {
    let tx = tx(lang);
    [
        ("/backup-plans", tx.tab_backups, "backups"),
        ("/dr-plans", tx.tab_dr_plans, "dr"),
        ("/drills", tx.tab_drills, "drills"),
    ]
    .into_iter()
    .map(|(href, label, key)| Tab {
        href,
        label,
        active: key == active,
    })
    .collect()
}

/// Whether the caller keeps plans and drills.
pub(crate) fn writes(web: &Web) -> bool {
    web.ctx()
        .principal
        .may_somewhere(Resource::Continuity, Action::Update)
}

/// The label of a form field (the list fields `asset_ids[1]`, `problems[0].…` by their
/// list's label), for the message above a refused form.
pub(crate) fn field_label(lang: Lang, field: &str) -> String {
    let tx = tx(lang);
    let base = field.split(['[', '.']).next().unwrap_or(field);
    let sub = field.rsplit('.').next().unwrap_or(field);
    match (base, sub) {
        ("problems", "due_at") => tx.due_at,
        ("problems", "responsible_id") => tx.problems_responsible,
        ("problems", _) => tx.problems,
        ("asset_id" | "asset_ids", _) => tx.assets,
        ("document_id", _) => tx.document,
        ("owner_id", _) => tx.owner,
        ("participant_ids", _) => tx.participants,
        ("rto_responsible_id", _) => tx.rto_responsible,
        ("rto_due_at", _) => tx.due_at,
        ("dr_plan_id", _) => tx.dr_plan,
        ("held_at", _) => tx.held_at,
        ("scenario", _) => tx.scenario,
        ("result", _) => tx.result,
        ("achieved_rto_hours", _) => tx.achieved_rto,
        ("rpo_hours", _) => tx.rpo,
        ("rto_hours", _) => tx.rto,
        ("scope", _) => tx.scope,
        ("frequency", _) => tx.frequency,
        ("retention", _) => tx.retention,
        ("location", _) => tx.location,
        ("title", _) => tx.title,
        ("adopted_at", _) => tx.adopted_at,
        ("verified_at", _) => tx.tested_on,
        ("note", _) => tx.note,
        ("summary", _) => tx.summary,
        ("description", _) => tx.description,
        _ => return field.to_owned(),
    }
    .to_owned()
}

/// How a refused form is answered: the field errors, the message above the form (every
/// refused field as "label: reason"), and the status; a 404 or a failure is the error page.
#[allow(clippy::result_large_err)]
pub(crate) fn refusal(
    web: &Web,
    e: castellan_app::Error,
) -> Result<(FormErrors, Option<String>, StatusCode), Response> {
    let status = e
        .domain()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, crate::problem::status_of);
    if status == StatusCode::NOT_FOUND || e.domain().is_none() {
        return Err(web.fail(e));
    }
    let lang = web.lang();
    let message = view::failure_message(lang, &e, |f| field_label(lang, f));
    let errors = view::form_failure(lang, &e)
        .map(|(errors, _)| errors)
        .unwrap_or_else(FormErrors::none);
    Ok((errors, Some(message), status))
}

/// Hours as shown (`4 h`, `4 小时`).
pub(crate) fn hours(lang: Lang, n: i64) -> String {
    tx(lang).hours.replace("{n}", &n.to_string())
}

/// A comma-separated list from a form, blanks left out.
pub(crate) fn split_list(raw: &str) -> Vec<String> {
    raw.split([',', '，', ';', '；', ' ', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A backup plan as the asset's page lists it.
pub struct AssetBackup {
    /// The plan.
    pub id: i64,
    /// What is backed up.
    pub scope: String,
    /// RPO and RTO as shown.
    pub objectives: String,
    /// The last restore test as shown.
    pub last_test: String,
    /// Whether its restore waits for a test.
    pub due: bool,
}

/// The continuity block of an asset's page: its backup plans, or the invitation to plan
/// one for a high-value asset without any.
pub struct AssetBackups {
    /// The area's texts.
    pub tx: &'static texts::Messages,
    /// Its plans.
    pub plans: Vec<AssetBackup>,
    /// Whether to offer a new plan (a keeper looking at a high-value asset without one).
    pub new_href: Option<String>,
    /// The uncovered warning, for a high-value asset without a plan.
    pub uncovered: bool,
}

/// The continuity block of the asset `id` (code `code`, value level `level`), for callers
/// who read the area (`None` for the others).
pub async fn asset_backups(
    state: &AppState,
    web: &Web,
    id: i64,
    code: &str,
    level: i64,
) -> Result<Option<AssetBackups>, Response> {
    let ctx = web.ctx();
    if !ctx
        .principal
        .may_somewhere(Resource::Continuity, Action::Read)
    {
        return Ok(None);
    }
    let lang = web.lang();
    let tx = tx(lang);
    let query = castellan_app::continuity::backup_plans::BackupPlanQuery {
        asset_id: Some(id),
        limit: Some(20),
        ..Default::default()
    };
    let (page, _) = castellan_app::continuity::backup_plans::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let plans: Vec<AssetBackup> = page
        .items
        .iter()
        .map(|v| {
            let p = &v.line.plan;
            AssetBackup {
                id: p.id,
                scope: p.scope.clone(),
                objectives: format!(
                    "RPO {} · RTO {}",
                    hours(lang, p.rpo_hours),
                    hours(lang, p.rto_hours)
                ),
                last_test: match (p.last_verified_at, p.last_result) {
                    (Some(d), Some(r)) => format!("{d} · {}", r.label().get(lang)),
                    _ => tx.never_tested.to_owned(),
                },
                due: v.verification_due,
            }
        })
        .collect();
    let uncovered = plans.is_empty() && level >= castellan_domain::continuity::COVERED_LEVEL;
    Ok(Some(AssetBackups {
        tx,
        new_href: (plans.is_empty() && writes(web))
            .then(|| crate::ui::list::href("/backup-plans/new", &[("asset", code)])),
        uncovered,
        plans,
    }))
}

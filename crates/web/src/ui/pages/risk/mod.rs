//! The risk area's pages: assessments with their workflow, register, risks and reports,
//! the threat catalog, vulnerabilities and controls, the grading tables, one's own
//! treatment tasks.

pub mod assessments;
pub mod findings;
pub mod risk_settings;
pub mod texts;

use crate::state::AppState;
use crate::ui::page::{NavEntry, NavHeading, Section};
use axum::Router;
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
pub const NAV: &[NavEntry] = &[
    NavEntry {
        heading: NavHeading::Overview,
        order: 10,
        href: "/tasks",
        label: |t| t.nav_tasks,
        section: Section::Tasks,
        needs: None,
    },
    NavEntry {
        heading: NavHeading::Assets,
        order: 20,
        href: "/assessments",
        label: |t| t.nav_assessments,
        section: Section::Assessments,
        needs: Some((Resource::Assessment, Action::Read)),
    },
    NavEntry {
        heading: NavHeading::Assets,
        order: 30,
        href: "/vulnerabilities",
        label: |t| t.nav_vulnerabilities,
        section: Section::Findings,
        needs: Some((Resource::Vulnerability, Action::Read)),
    },
    NavEntry {
        heading: NavHeading::Assets,
        order: 40,
        href: "/threats",
        label: |t| t.nav_threats,
        section: Section::Threats,
        needs: Some((Resource::Threat, Action::Read)),
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route(
            "/assessments",
            get(assessments::list).post(assessments::create),
        )
        .route("/assessments/new", get(assessments::new))
        .route("/assessments/{id}", get(assessments::show))
        .route(
            "/assessments/{id}/edit",
            get(assessments::edit).post(assessments::update),
        )
        .route(
            "/assessments/{id}/transitions",
            post(assessments::transition),
        )
        .route("/assessments/{id}/checklist", post(assessments::check))
        .route(
            "/assessments/{id}/risks",
            get(assessments::register).post(assessments::add_risk),
        )
        .route("/assessments/{id}/risks/bulk", post(assessments::bulk))
        .route(
            "/assessments/{id}/candidates",
            post(assessments::add_candidates),
        )
        .route(
            "/assessments/{id}/risks/{risk_id}",
            get(assessments::risk).post(assessments::update_risk),
        )
        .route("/assessments/{id}/preview", get(assessments::preview))
        .route("/assessments/{id}/reports/{kind}", get(assessments::report))
        .route(
            "/assessments/{id}/risks/{risk_id}/items",
            post(assessments::add_item),
        )
        .route(
            "/assessments/{id}/items/{item_id}",
            post(assessments::report_progress),
        )
        .route(
            "/threats",
            get(assessments::threat_catalog).post(assessments::add_threat),
        )
        .route("/threats/export", get(assessments::export_threats))
        .route("/tasks", get(assessments::my_tasks))
        .route(
            "/settings/risk-tables",
            get(risk_settings::show).post(risk_settings::save),
        )
        .route(
            "/vulnerabilities",
            get(findings::list).post(findings::create),
        )
        .route("/vulnerabilities/status", post(findings::set_status))
        .route(
            "/controls",
            get(findings::controls).post(findings::create_control),
        )
}

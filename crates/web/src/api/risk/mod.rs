//! The risk area's API: grading tables and the method preview, the threat catalog and its
//! files, vulnerabilities and controls, assessments with their workflow, risks, treatment.

pub mod assessments;
pub mod catalog;
pub mod threat_transfer;
pub mod treatment;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(catalog::get_tables, catalog::set_tables))
        .routes(routes!(catalog::evaluate))
        .routes(routes!(catalog::list_threats, catalog::create_threat))
        .routes(routes!(threat_transfer::export))
        .routes(routes!(threat_transfer::import))
        .routes(routes!(catalog::get_threat, catalog::update_threat))
        .routes(routes!(
            catalog::list_vulnerabilities,
            catalog::create_vulnerability
        ))
        .routes(routes!(
            catalog::get_vulnerability,
            catalog::update_vulnerability
        ))
        .routes(routes!(catalog::list_controls, catalog::create_control))
        .routes(routes!(catalog::get_control, catalog::update_control))
        .routes(routes!(assessments::list, assessments::create))
        .routes(routes!(assessments::get, assessments::update))
        .routes(routes!(assessments::moves, assessments::transition))
        .routes(routes!(assessments::checklist, assessments::set_checklist))
        .routes(routes!(assessments::list_risks, assessments::create_risk))
        .routes(routes!(assessments::create_candidates))
        .routes(routes!(
            assessments::get_risk,
            assessments::update_risk,
            assessments::delete_risk
        ))
        .routes(routes!(assessments::approve_risk))
        .routes(routes!(assessments::accept_residual))
        .routes(routes!(assessments::heat_map))
        .routes(routes!(assessments::report))
        .routes(routes!(treatment::list_for_risk, treatment::create))
        .routes(routes!(treatment::update, treatment::delete))
        .routes(routes!(treatment::whole_plan))
        .routes(routes!(treatment::my_tasks))
}

//! The REST API (SPEC §10.2). Every operation is registered through `routes!`, so the
//! router and the OpenAPI document are built from the same list and cannot drift.

pub mod assessments;
pub mod asset_types;
pub mod assets;
pub mod audit_log;
pub mod auth;
pub mod catalog;
pub mod departments;
pub mod errors;
pub mod headers;
pub mod health;
pub mod me;
pub mod risk_types;
pub mod roles;
pub mod threat_transfer;
pub mod treatment;
pub mod types;
pub mod users;

use crate::state::AppState;
use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Castellan API",
        description = "Information security management: organization, assets, risk assessment and more. Errors are application/problem+json (RFC 9457); lists use cursor paging; updates need If-Match with the version read. Each operation names the permission it needs in x-permission (resource:action, or public).",
        license(name = "AGPL-3.0-only")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::problem::Problem)),
    tags(
        (name = "auth", description = "Sign-in for API clients"),
        (name = "me", description = "The caller's own account and API tokens"),
        (name = "departments", description = "The department tree"),
        (name = "users", description = "User accounts and role assignments"),
        (name = "assets", description = "The asset register and its lifecycle"),
        (name = "risk", description = "Risk assessment: threats, vulnerabilities, controls, assessments, risks"),
        (name = "settings", description = "Organization-wide settings"),
        (name = "roles", description = "Roles and the permission table"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "operations", description = "Health, readiness, metrics")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from POST /api/v1/auth/login or a personal API token",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every API route with its OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi))
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(me::get, me::update))
        .routes(routes!(me::change_password))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(departments::list, departments::create))
        .routes(routes!(
            departments::get,
            departments::update,
            departments::delete
        ))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::set_password))
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::get, assets::update))
        .routes(routes!(assets::events, assets::record_event))
        .routes(routes!(assets::get_valuation, assets::set_valuation))
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
        .routes(routes!(roles::list))
        .routes(routes!(audit_log::list))
        .routes(routes!(audit_log::verify))
        .routes(routes!(treatment::list_for_risk, treatment::create))
        .routes(routes!(treatment::update, treatment::delete))
        .routes(routes!(treatment::whole_plan))
        .routes(routes!(treatment::my_tasks))
}

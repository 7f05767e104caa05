//! The REST API (SPEC §10.2). Every operation is registered through `routes!`, so the
//! router and the OpenAPI document are built from the same list and cannot drift.

// The kernel: shared shapes and responses, operations, the permission table, the audit log.
pub mod audit_log;
pub mod errors;
pub mod headers;
pub mod health;
pub mod roles;
pub mod types;

// The areas, one folder each.
pub mod asset;
pub mod continuity;
pub mod document;
pub mod goal;
pub mod incident;
pub mod inspection;
pub mod org;
pub mod rectification;
pub mod request;
pub mod risk;
pub mod training;

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
        (name = "incidents", description = "Security incidents: reports, triage, timeline, counts"),
        (name = "documents", description = "Controlled documents: the register, versions with their change history, approval and publication, scheduled reviews"),
        (name = "training", description = "Security training: the year's plan on the approval engine, trainings, attendance, completion"),
        (name = "rectifications", description = "Rectification tasks opened from incidents (and later inspections, drills, audits)"),
        (name = "continuity", description = "Continuity: backup plans and restore tests, disaster-recovery plans, drills whose problems open rectification tasks"),
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

/// Every API route with its OpenAPI description: the kernel's, then each area's.
pub fn router() -> OpenApiRouter<AppState> {
    let kernel = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi))
        .routes(routes!(roles::list))
        .routes(routes!(audit_log::list))
        .routes(routes!(audit_log::verify));
    [
        org::routes,
        asset::routes,
        risk::routes,
        request::routes,
        incident::routes,
        rectification::routes,
        document::routes,
        training::routes,
        inspection::routes,
        goal::routes,
        continuity::routes,
    ]
    .into_iter()
    .fold(kernel, |router, area| area(router))
}

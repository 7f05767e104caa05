//! The continuity area's API (SPEC §6.7): backup plans with their restore tests and the
//! high-value assets without one, DR plans, and drills with their problems' tasks and files.

pub mod backup_plans;
pub mod dr_plans;
pub mod drills;
pub mod types;

use crate::state::AppState;
use castellan_domain::{Day, DomainError, FieldErrors};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(backup_plans::list, backup_plans::create))
        .routes(routes!(backup_plans::uncovered))
        .routes(routes!(backup_plans::get, backup_plans::update))
        .routes(routes!(backup_plans::verifications, backup_plans::verify))
        .routes(routes!(dr_plans::list, dr_plans::create))
        .routes(routes!(dr_plans::get, dr_plans::update))
        .routes(routes!(drills::list, drills::create))
        .routes(routes!(drills::get, drills::update))
        .routes(
            routes!(drills::attach, drills::attachments).layer(crate::attachments::upload_limit()),
        )
        .routes(routes!(drills::download))
}

/// A day field (`YYYY-MM-DD`), blank as absent; a bad one refused on `field`.
pub(super) fn day(field: &str, raw: Option<&str>) -> Result<Option<Day>, DomainError> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Day::parse(s).map_err(|k| FieldErrors::single(field, k)))
        .transpose()
}

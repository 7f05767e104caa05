//! The rectification area's API (SPEC §6.3): tasks opened from a source record, carried out
//! by their responsible person and verified or reopened by their verifier.

pub mod tasks;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(tasks::list, tasks::open))
        .routes(routes!(tasks::get, tasks::update))
        .routes(routes!(tasks::moves, tasks::transition))
        .routes(
            routes!(tasks::attach, tasks::attachments).layer(crate::attachments::upload_limit()),
        )
        .routes(routes!(tasks::download))
}

//! The incident area's API (SPEC §5): reporting, triage and handling on the workflow
//! engine, the timeline, the committee's notice, counts, and the deadlines.

pub mod incidents;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(incidents::list, incidents::report))
        .routes(routes!(incidents::counts))
        .routes(routes!(incidents::get, incidents::update))
        .routes(routes!(incidents::moves, incidents::transition))
        .routes(routes!(incidents::timeline, incidents::add_entry))
        .routes(routes!(incidents::note))
        .routes(
            routes!(incidents::attach, incidents::attachments)
                .layer(crate::attachments::upload_limit()),
        )
        .routes(routes!(incidents::download))
        .routes(routes!(incidents::follow_up))
        .routes(routes!(incidents::deadlines, incidents::set_deadlines))
}

//! The goal area's API (SPEC §6.5): goals from the company to positions, their approval and
//! progress, the year's tree with its coverage.

pub mod goals;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(goals::list, goals::create))
        .routes(routes!(goals::tree))
        .routes(routes!(goals::get, goals::update))
        .routes(routes!(goals::moves, goals::transition))
        .routes(routes!(goals::progress))
}

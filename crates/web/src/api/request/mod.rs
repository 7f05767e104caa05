//! The request area's API (SPEC §6.0, §6.1): approval requests with their decisions and
//! moves, approval chains, the working-day calendar, and "waiting for me".

pub mod chains;
pub mod requests;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(requests::list, requests::create))
        .routes(routes!(requests::get, requests::update))
        .routes(routes!(requests::moves, requests::transition))
        .routes(routes!(requests::approvals, requests::decide))
        .routes(routes!(requests::waiting_for_me))
        .routes(routes!(chains::list, chains::create))
        .routes(routes!(chains::get, chains::update))
        .routes(routes!(chains::calendar, chains::add_days))
        .routes(routes!(chains::remove_day))
}

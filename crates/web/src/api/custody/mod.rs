//! The custody area's API (SPEC §6.6): who holds the administrative password of each key
//! system, the handovers and the password changes after them, and the warnings. No
//! operation takes or returns a password.

pub mod records;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(records::list, records::create))
        .routes(routes!(records::warnings))
        .routes(routes!(records::get, records::update))
        .routes(routes!(records::handovers, records::hand_over))
        .routes(routes!(records::enter_change))
}

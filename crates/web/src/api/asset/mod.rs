//! The asset area's API: the register, its lifecycle events and the valuation method.

pub mod assets;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(assets::list, assets::create))
        .routes(routes!(assets::get, assets::update))
        .routes(routes!(assets::events, assets::record_event))
        .routes(routes!(assets::get_valuation, assets::set_valuation))
}

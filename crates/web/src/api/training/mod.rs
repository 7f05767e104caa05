//! The training area's API (SPEC §6.4): the year's plans on the workflow engine, their
//! trainings, attendance (lines or a file), completion, exports and one's own trainings.

pub mod api;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(api::list_plans, api::create_plan))
        .routes(routes!(api::get_plan, api::update_plan))
        .routes(routes!(api::plan_moves, api::move_plan))
        .routes(routes!(api::completion))
        .routes(routes!(api::export))
        .routes(routes!(api::list_trainings, api::create_training))
        .routes(routes!(api::get_training, api::update_training))
        .routes(routes!(api::attendance, api::record_attendance))
        .routes(routes!(api::import_attendance).layer(crate::attachments::upload_limit()))
        .routes(routes!(api::my_trainings))
}

//! The inspection area's API (SPEC §6.3): checklists, plans on the workflow engine,
//! inspections with their results, findings (rectification tasks) and evidence files.

pub mod checklists;
pub mod inspections;
pub mod plans;
pub mod types;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(checklists::list, checklists::create))
        .routes(routes!(checklists::get, checklists::update))
        .routes(routes!(plans::list, plans::create))
        .routes(routes!(plans::get, plans::update))
        .routes(routes!(plans::moves, plans::transition))
        .routes(routes!(inspections::list, inspections::schedule))
        .routes(routes!(inspections::get))
        .routes(routes!(inspections::record_results))
        .routes(routes!(inspections::open_finding))
        .routes(routes!(inspections::moves, inspections::transition))
        .routes(routes!(inspections::attach).layer(crate::attachments::upload_limit()))
        .routes(routes!(inspections::attachments))
        .routes(routes!(inspections::download))
}

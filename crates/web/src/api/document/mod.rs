//! The document area's API (SPEC §6.2): the register, versions with their change history on
//! the workflow engine, files of versions and scheduled reviews.

pub mod acknowledgements;
pub mod documents;
pub mod types;
pub mod versions;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::router::UtoipaMethodRouterExt;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(documents::list, documents::create))
        .routes(routes!(documents::get, documents::update))
        .routes(routes!(documents::review))
        .routes(routes!(documents::starter_set, documents::import_starter))
        .routes(routes!(
            acknowledgements::addressees,
            acknowledgements::set_addressees
        ))
        .routes(routes!(
            acknowledgements::coverage,
            acknowledgements::acknowledge
        ))
        .routes(routes!(acknowledgements::pending))
        .routes(routes!(versions::list, versions::create))
        .routes(routes!(versions::get, versions::update))
        .routes(routes!(versions::moves, versions::transition))
        .routes(
            routes!(versions::attach, versions::attachments)
                .layer(crate::attachments::upload_limit()),
        )
        .routes(routes!(versions::download))
}

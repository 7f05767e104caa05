//! The organization area's API: sign-in, one's own account and tokens, departments, users.

pub mod auth;
pub mod departments;
pub mod me;
pub mod users;

use crate::state::AppState;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The area's operations.
pub fn routes(router: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    router
        .routes(routes!(auth::login))
        .routes(routes!(auth::logout))
        .routes(routes!(me::get, me::update))
        .routes(routes!(me::change_password))
        .routes(routes!(me::list_tokens, me::create_token))
        .routes(routes!(me::revoke_token))
        .routes(routes!(departments::list, departments::create))
        .routes(routes!(
            departments::get,
            departments::update,
            departments::delete
        ))
        .routes(routes!(users::list, users::create))
        .routes(routes!(users::get, users::update))
        .routes(routes!(users::set_password))
}

//! The organization area's pages: sign-in and the language switch, one's own account,
//! departments and users.

pub mod account;
pub mod auth;
pub mod departments;
pub mod texts;
pub mod users;

use crate::state::AppState;
use crate::ui::page::{NavEntry, NavHeading, Section};
use axum::Router;
use axum::routing::{get, post};
use castellan_domain::{Action, Lang, Resource};

/// The area's texts in `lang`.
pub fn tx(lang: Lang) -> &'static texts::Messages {
    match lang {
        Lang::En => &texts::EN,
        Lang::ZhCn => &texts::ZH,
    }
}

/// The area's navigation entries.
pub const NAV: &[NavEntry] = &[
    NavEntry {
        heading: NavHeading::Organization,
        order: 10,
        href: "/departments",
        label: |t| t.nav_departments,
        section: Section::Departments,
        needs: Some((Resource::Department, Action::Read)),
    },
    NavEntry {
        heading: NavHeading::Organization,
        order: 20,
        href: "/users",
        label: |t| t.nav_users,
        section: Section::Users,
        needs: Some((Resource::User, Action::Read)),
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/login", get(auth::show).post(auth::submit))
        .route("/logout", post(auth::logout))
        .route("/lang", post(auth::switch))
        .route(
            "/departments",
            get(departments::list).post(departments::create),
        )
        .route("/departments/new", get(departments::new))
        .route(
            "/departments/{id}",
            get(departments::show).post(departments::update),
        )
        .route("/departments/{id}/edit", get(departments::edit))
        .route("/departments/{id}/delete", post(departments::delete))
        .route("/users", get(users::list).post(users::create))
        .route("/people", get(users::people))
        .route("/users/new", get(users::new))
        .route("/users/{id}", get(users::show).post(users::update))
        .route("/users/{id}/edit", get(users::edit))
        .route("/users/{id}/status", post(users::set_status))
        .route("/users/{id}/roles", post(users::add_role))
        .route("/users/{id}/roles/remove", post(users::remove_role))
        .route("/users/{id}/password", post(users::set_password))
        .route("/account", get(account::show))
        .route("/account/profile", post(account::profile))
        .route("/account/password", post(account::password))
        .route("/account/tokens", post(account::create_token))
        .route("/account/tokens/{id}/revoke", post(account::revoke_token))
}

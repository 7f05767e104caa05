//! The training area's pages: the training home (one's own trainings and the plans), the
//! plan page with its trainings and approval, the training page with its attendance, and
//! the completion by department.

pub mod pages;
pub mod session;
pub mod texts;

use crate::state::AppState;
use crate::ui::page::{NavEntry, NavHeading, Section};
use axum::Router;
use axum::routing::{get, post};
use castellan_domain::Lang;

/// The area's texts in `lang`.
pub fn tx(lang: Lang) -> &'static texts::Messages {
    match lang {
        Lang::En => &texts::EN,
        Lang::ZhCn => &texts::ZH,
    }
}

/// The area's navigation entries.
pub const NAV: &[NavEntry] = &[NavEntry {
    heading: NavHeading::Governance,
    order: 6,
    href: "/trainings",
    label: |t| t.nav_training,
    section: Section::Training,
    needs: None,
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/trainings", get(pages::index))
        .route("/training-plans", post(pages::create_plan))
        .route("/training-plans/{id}", get(pages::plan))
        .route("/training-plans/{id}/move", post(pages::move_plan))
        .route("/training-plans/{id}/trainings", post(pages::add_training))
        .route("/training-plans/{id}/completion", get(pages::completion))
        .route("/training-plans/{id}/export", get(pages::export))
        .route("/trainings/{id}", get(session::show).post(session::update))
        .route("/trainings/{id}/attendance", post(session::mark))
        .route(
            "/trainings/{id}/attendance/import",
            post(session::import).layer(crate::attachments::upload_limit()),
        )
}

//! The goal area's pages: the year's breakdown with its coverage, and the goal page with
//! its approval, changes, progress and breakdown.

pub mod goals;
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
    order: 8,
    href: "/goals",
    label: |t| t.nav_goals,
    section: Section::Goals,
    needs: None,
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/goals", get(goals::index).post(goals::create))
        .route("/goals/{id}", get(goals::show).post(goals::update))
        .route("/goals/{id}/move", post(goals::move_goal))
        .route("/goals/{id}/progress", post(goals::progress))
}

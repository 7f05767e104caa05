//! The custody area's pages: the register with its warnings, the record page with its
//! handovers, and the keepers' forms.

pub mod records;
pub mod register;
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
    heading: NavHeading::Assets,
    order: 60,
    href: "/custody",
    label: |t| t.nav_custody,
    section: Section::Custody,
    needs: None,
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/custody", get(register::index).post(records::create))
        .route("/custody/new", get(records::new))
        .route("/custody/{id}", get(records::show).post(records::update))
        .route("/custody/{id}/handovers", post(records::hand_over))
        .route(
            "/custody/{id}/handovers/{handover_id}/change",
            post(records::enter_change),
        )
        .route("/custody/{id}/state", post(records::set_state))
}

//! The request area's pages: "waiting for me", and approval requests with their decisions.

pub mod approvals;
pub mod requests;
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
pub const NAV: &[NavEntry] = &[
    NavEntry {
        heading: NavHeading::Overview,
        order: 5,
        href: "/approvals",
        label: |t| t.nav_approvals,
        section: Section::Approvals,
        needs: None,
    },
    NavEntry {
        heading: NavHeading::Governance,
        order: 5,
        href: "/requests",
        label: |t| t.nav_requests,
        section: Section::Requests,
        needs: None,
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/approvals", get(approvals::show))
        .route("/requests", get(requests::list).post(requests::create))
        .route("/requests/new", get(requests::new))
        .route("/requests/{id}", get(requests::show))
        .route("/requests/{id}/decide", post(requests::decide))
        .route("/requests/{id}/move", post(requests::transition))
}

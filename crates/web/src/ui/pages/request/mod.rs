//! The request area's pages: "waiting for me", and approval requests with their decisions.

pub mod approvals;
pub mod requests;
pub mod settings;
pub mod texts;

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
    NavEntry {
        heading: NavHeading::Governance,
        order: 60,
        href: "/settings/approval-chains",
        label: |t| t.nav_chains,
        section: Section::ApprovalChains,
        needs: Some((Resource::ApprovalChain, Action::Update)),
    },
    NavEntry {
        heading: NavHeading::Governance,
        order: 70,
        href: "/settings/calendar",
        label: |t| t.nav_calendar,
        section: Section::Calendar,
        needs: Some((Resource::Calendar, Action::Update)),
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/approvals", get(approvals::show))
        .route("/approvals/count", get(approvals::count))
        .route("/requests", get(requests::list).post(requests::create))
        .route("/requests/new", get(requests::new))
        .route("/requests/export", get(requests::export))
        .route("/requests/{id}", get(requests::show))
        .route("/requests/{id}/decide", post(requests::decide))
        .route("/requests/{id}/move", post(requests::transition))
        .route("/settings/approval-chains", get(settings::chains))
        .route(
            "/settings/approval-chains/{id}/edit",
            get(settings::edit_chain),
        )
        .route("/settings/approval-chains/{id}", post(settings::save_chain))
        .route(
            "/settings/calendar",
            get(settings::calendar).post(settings::add_day),
        )
        .route("/settings/calendar/remove", post(settings::remove_day))
}

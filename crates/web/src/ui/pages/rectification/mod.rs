//! The rectification area's pages: the task list (mine to put right, mine to verify, all I
//! can see) and the task page with its moves and plan. Tasks are opened from their source's
//! page (an incident's).

pub mod files;
pub mod tasks;
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
    order: 4,
    href: "/rectifications",
    label: |t| t.nav_rectifications,
    section: Section::Rectifications,
    needs: None,
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/rectifications", get(tasks::list))
        .route("/rectifications/export", get(tasks::export))
        .route("/rectifications/{id}", get(tasks::show).post(tasks::update))
        .route("/rectifications/{id}/move", post(tasks::transition))
        .route(
            "/rectifications/{id}/attachments",
            post(files::attach).layer(crate::attachments::upload_limit()),
        )
        .route(
            "/rectifications/{id}/attachments/{attachment}",
            get(files::download),
        )
}

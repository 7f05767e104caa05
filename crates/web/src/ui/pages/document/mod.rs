//! The document area's pages: the register, the document page with its change history and
//! text in force, and the version page where drafts are written, decided and published.

pub mod acknowledgements;
pub mod print;
pub mod register;
pub mod show;
pub mod texts;
pub mod version;

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
    order: 5,
    href: "/documents",
    label: |t| t.nav_documents,
    section: Section::Documents,
    needs: None,
}];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/documents", get(register::list).post(register::create))
        .route("/documents/new", get(register::new))
        .route(
            "/documents/starter-set",
            get(register::starter).post(register::import_starter),
        )
        .route("/documents/{id}", get(show::show).post(show::update))
        .route("/documents/{id}/review", post(show::review))
        .route("/documents/{id}/compare", get(print::compare))
        .route(
            "/documents/{id}/versions/{version}/print",
            get(print::print),
        )
        .route(
            "/documents/{id}/acknowledge",
            post(acknowledgements::acknowledge),
        )
        .route(
            "/documents/{id}/addressees",
            post(acknowledgements::set_addressees),
        )
        .route(
            "/documents/{id}/acknowledgements",
            get(acknowledgements::coverage),
        )
        .route("/documents/{id}/versions", post(show::create_version))
        .route(
            "/documents/{id}/versions/{version}",
            get(version::show).post(version::update),
        )
        .route(
            "/documents/{id}/versions/{version}/move",
            post(version::transition),
        )
        .route(
            "/documents/{id}/versions/{version}/attachments",
            post(version::attach).layer(crate::attachments::upload_limit()),
        )
        .route(
            "/documents/{id}/versions/{version}/attachments/{attachment}",
            get(version::download),
        )
}

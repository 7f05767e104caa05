//! The asset area's pages: the register, an asset with its lifecycle, the forms and the
//! import.

pub mod assets;
pub mod import;
pub mod texts;
pub mod valuation;

use crate::state::AppState;
use crate::ui::page::{NavEntry, NavHeading, Section};
use axum::Router;
use axum::extract::DefaultBodyLimit;
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
        heading: NavHeading::Assets,
        order: 10,
        href: "/assets",
        label: |t| t.nav_assets,
        section: Section::Assets,
        needs: Some((Resource::Asset, Action::Read)),
    },
    NavEntry {
        heading: NavHeading::Governance,
        order: 50,
        href: "/settings/valuation",
        label: |t| t.valuation_title,
        section: Section::Valuation,
        needs: Some((Resource::Setting, Action::Update)),
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/assets", get(assets::list).post(assets::create))
        .route("/assets/new", get(assets::new))
        .route(
            "/assets/import",
            get(import::show)
                .post(import::upload)
                // The import checks the size of the file itself, with its own limit.
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/assets/import/template.csv", get(import::template))
        .route("/assets/import/commit", post(import::commit))
        .route("/assets/{id}", get(assets::show).post(assets::update))
        .route("/assets/{id}/edit", get(assets::edit))
        .route("/assets/{id}/events", post(assets::record_event))
        .route(
            "/settings/valuation",
            get(valuation::show).post(valuation::update),
        )
}

//! The incident area's pages: the list, the report form, the incident page with triage,
//! timeline and moves, and the counts by month, class and level.

pub mod counts;
pub mod incidents;
pub mod report;
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
        heading: NavHeading::Governance,
        order: 3,
        href: "/incidents",
        label: |t| t.nav_incidents,
        section: Section::Incidents,
        needs: None,
    },
    NavEntry {
        heading: NavHeading::Governance,
        order: 75,
        href: "/settings/incident-deadlines",
        label: |t| t.nav_incident_deadlines,
        section: Section::IncidentDeadlines,
        needs: Some((Resource::IncidentDeadlines, Action::Update)),
    },
];

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route("/incidents/new", get(incidents::new))
        .route("/incidents/export", get(incidents::export))
        .route("/incidents/counts", get(counts::show))
        .route(
            "/incidents/{id}",
            get(incidents::show).post(incidents::update),
        )
        .route("/incidents/{id}/triage", post(incidents::triage))
        .route("/incidents/{id}/move", post(incidents::transition))
        .route("/incidents/{id}/timeline", post(incidents::add_entry))
        .route("/incidents/{id}/note", post(incidents::note))
        .route("/incidents/{id}/report", get(report::show))
        .route("/incidents/{id}/follow-up", post(incidents::follow_up))
        .route(
            "/incidents/{id}/rectifications",
            post(incidents::open_rectification),
        )
        .route(
            "/settings/incident-deadlines",
            get(settings::show).post(settings::save),
        )
        .route(
            "/incidents/{id}/attachments",
            post(incidents::attach).layer(crate::attachments::upload_limit()),
        )
        .route(
            "/incidents/{id}/attachments/{attachment}",
            get(incidents::download),
        )
}

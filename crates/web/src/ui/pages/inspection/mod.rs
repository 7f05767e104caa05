//! The inspection area's pages: inspections (the list, the inspection page where results,
//! findings, evidence and completion are recorded, the report), plans (the list, the form,
//! the plan page with its approval) and checklists.

pub mod checklists;
pub mod inspections;
pub mod plans;
pub mod report;
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
    order: 7,
    href: "/inspections",
    label: |t| t.nav_inspections,
    section: Section::Inspections,
    needs: None,
}];

/// The tabs on top of the area's lists.
pub(crate) struct Tab {
    pub href: &'static str,
    pub label: &'static str,
    pub active: bool,
}

pub(crate) fn tabs(lang: Lang, active: &str, checklists: bool) -> Vec<Tab> {
    let tx = tx(lang);
    let mut tabs = vec![
        Tab {
            href: "/inspections",
            label: tx.tab_inspections,
            active: active == "inspections",
        },
        Tab {
            href: "/inspection-plans",
            label: tx.tab_plans,
            active: active == "plans",
        },
    ];
    if checklists {
        tabs.push(Tab {
            href: "/checklists",
            label: tx.tab_checklists,
            active: active == "checklists",
        });
    }
    tabs
}

/// The area's pages.
pub fn routes(router: Router<AppState>) -> Router<AppState> {
    router
        .route("/inspections", get(inspections::list))
        .route("/inspections/{id}", get(inspections::show))
        .route("/inspections/{id}/results", post(inspections::results))
        .route("/inspections/{id}/findings", post(inspections::finding))
        .route("/inspections/{id}/move", post(inspections::move_inspection))
        .route(
            "/inspections/{id}/evidence",
            post(inspections::upload).layer(crate::attachments::upload_limit()),
        )
        .route(
            "/inspections/{id}/evidence/{attachment}",
            get(inspections::download),
        )
        .route("/inspections/{id}/report", get(report::show))
        .route("/inspection-plans", get(plans::list).post(plans::create))
        .route("/inspection-plans/new", get(plans::new_form))
        .route(
            "/inspection-plans/{id}",
            get(plans::show).post(plans::update),
        )
        .route("/inspection-plans/{id}/edit", get(plans::edit_form))
        .route("/inspection-plans/{id}/move", post(plans::move_plan))
        .route("/inspection-plans/{id}/schedule", post(plans::schedule))
        .route("/checklists", get(checklists::list).post(checklists::copy))
        .route(
            "/checklists/{id}",
            get(checklists::show).post(checklists::update),
        )
}

/// A refused change as the page shows it: the fields' messages and the message above the
/// form, with the status to answer; a 404 or a failure is the error page (the `Err` is the
/// page to answer with, as in every page handler).
#[allow(clippy::result_large_err)]
pub(crate) fn refusal(
    web: &crate::ui::session::Web,
    e: castellan_app::Error,
) -> Result<
    (
        crate::ui::view::FormErrors,
        Option<String>,
        axum::http::StatusCode,
    ),
    axum::response::Response,
> {
    use crate::ui::view;
    let status = e.domain().map_or(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        crate::problem::status_of,
    );
    if status == axum::http::StatusCode::NOT_FOUND || e.domain().is_none() {
        return Err(web.fail(e));
    }
    let lang = web.lang();
    Ok(match view::form_failure(lang, &e) {
        Some((errors, message)) => (
            errors,
            message.or_else(|| Some(view::failure_message(lang, &e, |f| f.to_owned()))),
            status,
        ),
        None => (
            view::FormErrors::none(),
            Some(view::failure_message(lang, &e, |f| f.to_owned())),
            status,
        ),
    })
}

/// People's usernames from a picker field (commas, semicolons or spaces between them).
pub(crate) fn usernames(raw: &str) -> Vec<String> {
    raw.split([',', '，', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

//! The organization's incident deadlines on a page: everyone who handles incidents sees
//! them; the administrator and the security officer change them.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::incident::incidents;
use castellan_domain::incident::Deadlines;
use castellan_domain::permission::Target;
use castellan_domain::{Action, Resource};
use serde::Deserialize;

#[derive(Template)]
#[template(path = "incidents/deadlines.html")]
struct DeadlinesPage {
    page: Page,
    tx: &'static texts::Messages,
    triage: String,
    major: String,
    critical: String,
    version: i64,
    can_update: bool,
    summary: String,
    errors: FormErrors,
    error: Option<String>,
}

/// A duration in minutes for people: `4 h`, `90 min`.
fn duration(tx: &texts::Messages, minutes: i64) -> String {
    if minutes % 60 == 0 {
        tx.hours.replace("{n}", &(minutes / 60).to_string())
    } else {
        tx.minutes.replace("{n}", &minutes.to_string())
    }
}

/// What the form shows: the saved deadlines, the fields as typed, the version read.
struct Shown {
    saved: Deadlines,
    fields: [String; 3],
    version: i64,
}

fn render_page(
    web: &Web,
    shown: Shown,
    errors: FormErrors,
    error: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> Response {
    let Shown {
        saved: d,
        fields,
        version,
    } = shown;
    let tx = tx(web.lang());
    let [triage, major, critical] = fields;
    render::page_response(
        status,
        &DeadlinesPage {
            page: Page::new(
                web,
                Some(Section::IncidentDeadlines),
                view::notice(web.t(), notice),
            ),
            tx,
            triage,
            major,
            critical,
            version,
            can_update: web.ctx().principal.is_allowed(
                Resource::IncidentDeadlines,
                Action::Update,
                Target::Global,
            ),
            summary: tx
                .deadlines_hint
                .replace("{triage}", &duration(tx, d.triage_minutes))
                .replace("{major}", &duration(tx, d.major_notice_minutes))
                .replace("{critical}", &duration(tx, d.critical_notice_minutes)),
            errors,
            error,
        },
    )
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /settings/incident-deadlines`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Query(p): axum::extract::Query<NoticeParams>,
) -> Result<Response, Response> {
    let (d, version) = incidents::get_deadlines(&state.app)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(render_page(
        &web,
        Shown {
            saved: d,
            fields: [
                d.triage_minutes.to_string(),
                d.major_notice_minutes.to_string(),
                d.critical_notice_minutes.to_string(),
            ],
            version,
        },
        FormErrors::none(),
        None,
        p.notice.as_deref(),
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub struct DeadlinesForm {
    version: i64,
    #[serde(default)]
    triage_minutes: String,
    #[serde(default)]
    major_notice_minutes: String,
    #[serde(default)]
    critical_notice_minutes: String,
}

/// `POST /settings/incident-deadlines`.
pub async fn save(
    State(state): State<AppState>,
    form: CsrfForm<DeadlinesForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let fields = [
        f.triage_minutes.clone(),
        f.major_notice_minutes.clone(),
        f.critical_notice_minutes.clone(),
    ];
    let number = |s: &str| s.trim().parse::<i64>().unwrap_or(0);
    let d = Deadlines {
        triage_minutes: number(&f.triage_minutes),
        major_notice_minutes: number(&f.major_notice_minutes),
        critical_notice_minutes: number(&f.critical_notice_minutes),
    };
    match incidents::set_deadlines(&state.app, &web.ctx(), d, f.version).await {
        Ok(_) => Ok(Redirect::to("/settings/incident-deadlines?notice=saved").into_response()),
        Err(e) => {
            let (current, version) = incidents::get_deadlines(&state.app)
                .await
                .map_err(|e| web.fail(e))?;
            match view::form_failure(web.lang(), &e) {
                Some((errors, message)) => Ok(render_page(
                    &web,
                    Shown {
                        saved: current,
                        fields,
                        version,
                    },
                    errors,
                    message,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )),
                None => Err(web.fail(e)),
            }
        }
    }
}

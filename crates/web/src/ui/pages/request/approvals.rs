//! "待我处理 / Waiting for me": every item that waits for the user's decision or action,
//! across processes, with its age; and the same list, shortened, for the home page.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use crate::ui::view::when;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::workflow::Waiting;
use castellan_domain::{Lang, Timestamp};

/// One waiting item as shown.
pub struct Line {
    /// Link to the item's page.
    pub href: String,
    /// Process label.
    pub process: &'static str,
    /// Code.
    pub code: String,
    /// Title.
    pub title: String,
    /// State label.
    pub state: &'static str,
    /// Step name (requests).
    pub step: String,
    /// What is expected.
    pub expected: &'static str,
    /// Since when.
    pub since: String,
    /// How long.
    pub age: String,
    /// Deadline.
    pub due: String,
    /// Past its deadline.
    pub overdue: bool,
}

/// "3 d", "5 h", "12 min".
pub fn age(tx: &texts::Messages, seconds: u64) -> String {
    let (text, n) = if seconds >= 86_400 {
        (tx.age_days, seconds / 86_400)
    } else if seconds >= 3_600 {
        (tx.age_hours, seconds / 3_600)
    } else {
        (tx.age_minutes, seconds / 60)
    };
    text.replace("{n}", &n.to_string())
}

/// The lines of waiting items in `lang`.
pub fn lines(web: &Web, items: Vec<Waiting>) -> Vec<Line> {
    let lang: Lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let now = Timestamp::now();
    items
        .into_iter()
        .map(|w| Line {
            href: match w.process {
                "assessment" | "assessment_risks" => format!("/assessments/{}", w.id),
                "incident" => format!("/incidents/{}", w.id),
                "rectification" => format!("/rectifications/{}", w.id),
                "document" => format!("/documents/{}", w.id),
                "training_plan" => format!("/training-plans/{}", w.id),
                "inspection_plan" => format!("/inspection-plans/{}", w.id),
                "inspection" => format!("/inspections/{}", w.id),
                "goal" => format!("/goals/{}", w.id),
                "custody" => format!("/custody/{}", w.id),
                "backup_plan" => format!("/backup-plans/{}", w.id),
                _ => format!("/requests/{}", w.id),
            },
            process: match w.process {
                "assessment" | "assessment_risks" => tx.process_assessment,
                "incident" => tx.process_incident,
                "rectification" => tx.process_rectification,
                "document" => tx.process_document,
                "training_plan" => tx.process_training_plan,
                "inspection_plan" => tx.process_inspection_plan,
                "inspection" => tx.process_inspection,
                "goal" => tx.process_goal,
                "custody" => tx.process_custody,
                "backup_plan" => tx.process_backup_plan,
                _ => tx.process_request,
            },
            code: w.code,
            title: w.title,
            state: w.state_label.get(lang),
            step: match w.pending_risks {
                Some(n) => tx.risks_await_committee.replace("{n}", &n.to_string()),
                None => w.step.map(|s| s.shown_name(lang)).unwrap_or_default(),
            },
            expected: w.expected.label().get(lang),
            age: age(tx, w.since.seconds_until(&now)),
            since: when(t, Some(w.since)),
            due: w.due_at.map(|d| when(t, Some(d))).unwrap_or_default(),
            overdue: w.overdue,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "requests/approvals.html")]
struct ApprovalsPage {
    page: Page,
    tx: &'static texts::Messages,
    rows: Vec<Line>,
}

/// `GET /approvals`.
pub async fn show(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let ctx = web.ctx();
    let items = castellan_app::workflow::waiting_for_me(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let rows = lines(&web, items);
    Ok(render::page_response(
        StatusCode::OK,
        &ApprovalsPage {
            page: Page::new(&web, Some(Section::Approvals), None),
            tx: tx(web.lang()),
            rows,
        },
    ))
}

/// `GET /approvals/count`: how many items wait for the user, and how many are overdue, for
/// the navigation badge (`{"count": 3, "overdue": 1}`).
pub async fn count(State(state): State<AppState>, web: Web) -> Response {
    use axum::response::IntoResponse;
    let items = castellan_app::workflow::waiting_for_me(&state.app, &web.ctx())
        .await
        .unwrap_or_default();
    let overdue = items.iter().filter(|w| w.overdue).count();
    let mut r =
        axum::Json(serde_json::json!({"count": items.len(), "overdue": overdue})).into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

//! The rectification form of the incident page: opens a task from the incident.

use super::*;
use castellan_app::rectification::tasks::{self as rectification, OpenInput};

#[derive(Deserialize)]
pub struct RectificationForm {
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    verifier: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /incidents/{id}/rectifications`: opens a rectification task from the incident and
/// comes back to it.
pub async fn open_rectification(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<RectificationForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let due_on = match crate::ui::pages::rectification::tasks::form_day(&f.due_on) {
        Ok(d) => d,
        Err(e) => return failed(&state, &web, id, e).await,
    };
    let input = OpenInput {
        source: castellan_domain::rectification::RectificationSource::Incident
            .code()
            .to_owned(),
        source_id: id,
        description: f.description,
        responsible_username: some(&f.responsible),
        verifier_username: some(&f.verifier),
        due_on,
        ..OpenInput::default()
    };
    match rectification::open(&state.app, &web.ctx(), &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/incidents/{id}?notice=created#rectifications")).into_response(),
        ),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

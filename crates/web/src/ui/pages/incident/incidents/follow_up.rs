//! The follow-up risk form of the incident page.

use super::*;

#[derive(Deserialize)]
pub struct FollowUpForm {
    assessment_id: i64,
    asset_id: i64,
    #[serde(default)]
    threat_code: String,
}

/// `POST /incidents/{id}/follow-up`: proposes a follow-up risk and opens it to be rated.
pub async fn follow_up(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<FollowUpForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let follow_up = incidents::FollowUp {
        assessment_id: f.assessment_id,
        asset_id: f.asset_id,
        threat_code: f.threat_code.trim().to_uppercase(),
    };
    match incidents::propose_risk(&state.app, &web.ctx(), id, &follow_up).await {
        Ok(r) => Ok(Redirect::to(&format!(
            "/assessments/{}/risks/{}?notice=created",
            f.assessment_id, r.risk.id.0
        ))
        .into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

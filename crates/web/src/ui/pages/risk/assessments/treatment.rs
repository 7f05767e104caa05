//! Treatment plans: adding a measure to a risk, its owner reporting progress, and
//! "my tasks" for everyone responsible for one.

use super::register::{ItemRow, item_row, risk_page, status_options};
use super::*;

#[derive(Deserialize)]
pub struct ItemForm {
    #[serde(default)]
    measure: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    due_on: String,
}

/// `POST /assessments/{id}/risks/{risk_id}/items`: a treatment measure for the risk.
pub async fn add_item(
    State(state): State<AppState>,
    Path((id, risk_id)): Path<(i64, i64)>,
    form: CsrfForm<ItemForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let (aid, rid) = (AssessmentId(id), RiskId(risk_id));
    let responsible = match some(&f.responsible) {
        None => None,
        Some(name) => match assessments::person_by_username(&state.app, &ctx, &name)
            .await
            .map_err(|e| web.fail(e))?
        {
            Some(p) => Some(p.id.0),
            None => {
                let message = format!("{} {name}", tx(web.lang()).unknown_usernames);
                return risk_page(
                    &state,
                    &web,
                    aid,
                    rid,
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(message),
                )
                .await;
            }
        },
    };
    let input = castellan_app::risk::treatment::TreatmentInput {
        measure: f.measure,
        responsible_id: responsible,
        due_on: some(&f.due_on),
        ..castellan_app::risk::treatment::TreatmentInput::default()
    };
    match castellan_app::risk::treatment::create(&state.app, &ctx, aid, rid, &input).await {
        Ok(_) => Ok(
            Redirect::to(&format!("/assessments/{id}/risks/{risk_id}?notice=saved"))
                .into_response(),
        ),
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            risk_page(&state, &web, aid, rid, None, status, Some(message)).await
        }
    }
}

#[derive(Deserialize)]
pub struct ProgressForm {
    version: i64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    back: String,
}

/// `POST /assessments/{id}/items/{item_id}`: status and progress of a treatment measure,
/// by the team or the person responsible.
pub async fn report_progress(
    State(state): State<AppState>,
    Path((id, item_id)): Path<(i64, i64)>,
    form: CsrfForm<ProgressForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let patch = castellan_app::risk::treatment::TreatmentPatch {
        status: some(&f.status),
        progress: Some(some(&f.progress)),
        ..castellan_app::risk::treatment::TreatmentPatch::default()
    };
    let back = crate::ui::session::local_path(&f.back);
    match castellan_app::risk::treatment::update(
        &state.app,
        &web.ctx(),
        AssessmentId(id),
        castellan_domain::ids::TreatmentItemId(item_id),
        &patch,
        f.version,
    )
    .await
    {
        Ok(_) => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Ok(Redirect::to(&format!("{back}{sep}notice=saved")).into_response())
        }
        Err(e) => {
            let Some((status, message)) = refused(web.lang(), &e) else {
                return Err(web.fail(e));
            };
            Err(web.error_page(status, web.t().error_invalid, &message))
        }
    }
}

#[derive(Deserialize, Default)]
pub struct TaskParams {
    #[serde(default)]
    all: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "assessments/tasks.html")]
struct TasksPage {
    page: Page,
    tx: &'static texts::Messages,
    all: bool,
    items: Vec<ItemRow>,
    statuses: Vec<CodeOption>,
    pager: Pager,
}

/// `GET /tasks`: the treatment measures the user is responsible for, across assessments.
pub async fn my_tasks(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<TaskParams>,
) -> Result<Response, Response> {
    let lang = web.lang();
    let ctx = web.ctx();
    let query = castellan_app::risk::treatment::TaskQuery {
        open: p.all != "1",
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let page = castellan_app::risk::treatment::mine(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let me = web.auth.principal.user_id;
    let mut owners = HashMap::new();
    owners.insert(
        me,
        castellan_app::asset::assets::OwnerRef {
            id: me,
            username: web.auth.principal.username.clone(),
            display_name: web.auth.principal.display_name.clone(),
        },
    );
    let base = [("all", p.all.as_str())];
    Ok(render::ok(&TasksPage {
        page: Page::new(
            &web,
            Some(Section::Tasks),
            view::notice(web.t(), p.notice.as_deref()),
        ),
        tx: tx(lang),
        all: p.all == "1",
        items: page
            .items
            .into_iter()
            .map(|v| item_row(lang, &owners, v, false, me))
            .collect(),
        statuses: status_options(lang, ""),
        pager: Pager::paged(
            "/tasks",
            &base,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
    }))
}

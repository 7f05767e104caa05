//! The version page: the text, the change history fields, the approval steps, files, and the
//! forms of whoever acts next — the author edits and submits the draft, the step's
//! approvers approve or return it, a publisher publishes it or retires the document.

use super::register::name_of;
use super::show::VersionForm;
use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::document::files;
use castellan_app::document::versions::{self, MoveInput};
use castellan_domain::document::VersionStatus;
use castellan_domain::workflow::Decision;
use castellan_domain::{Day, UserId};
use serde::Deserialize;

struct StepLine {
    name: String,
    state: &'static str,
    class: &'static str,
}

struct EventLine {
    at: String,
    who: String,
    text: String,
    comment: String,
}

struct FileLine {
    id: i64,
    name: String,
    size: String,
    sha256: String,
    by: String,
    at: String,
}

#[derive(Template)]
#[template(path = "documents/version.html")]
struct VersionPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    vid: i64,
    code: String,
    doc_title: String,
    heading: String,
    number: String,
    status: &'static str,
    status_code: &'static str,
    change_note: String,
    author: String,
    reviewer: String,
    approver: String,
    effective: String,
    text_html: String,
    revision: i64,
    steps: Vec<StepLine>,
    events: Vec<EventLine>,
    files: Vec<FileLine>,
    may_edit: bool,
    may_submit: bool,
    may_approve: bool,
    may_return: bool,
    may_publish: bool,
    may_retire: bool,
    today: String,
    attachment_limit: String,
    form: VersionForm,
    errors: FormErrors,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /documents/{id}/versions/{version}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path((id, vid)): Path<(i64, i64)>,
    Query(p): Query<ShowParams>,
) -> Result<Response, Response> {
    render(
        &state,
        &web,
        id,
        vid,
        p.notice.as_deref(),
        None,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn render(
    state: &AppState,
    web: &Web,
    id: i64,
    vid: i64,
    notice: Option<&str>,
    typed: Option<VersionForm>,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = versions::get(&state.app, &ctx, id, vid)
        .await
        .map_err(|e| web.fail(e))?;
    let list = files::list(&state.app, &ctx, id, vid)
        .await
        .map_err(|e| web.fail(e))?;
    let ver = &v.version;
    let mut ids: Vec<UserId> = vec![ver.author_id];
    ids.extend(ver.reviewer_id);
    ids.extend(ver.approver_id);
    ids.extend(v.approvals.iter().filter_map(|a| a.approver_id));
    ids.extend(v.moves.iter().filter_map(|m| m.actor_id));
    ids.extend(list.iter().filter_map(|f| f.created_by));
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let app = &state.app;
    let day = |ts: Option<castellan_domain::Timestamp>| {
        ts.map(|x| Day::of_at(x, app.settings().utc_offset()).to_string())
            .unwrap_or_default()
    };
    let with_day = |who: Option<UserId>, at: Option<castellan_domain::Timestamp>| match who {
        Some(_) => format!("{} · {}", name_of(&people, who), day(at)),
        None => "—".to_owned(),
    };
    let current = ver.run.step_index();
    let steps = ver
        .run
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (state, class) = match (ver.status, current) {
                (VersionStatus::InReview, Some(c)) if i == c => (tx.step_waiting, "badge-role"),
                (VersionStatus::InReview, Some(c)) if i < c => (tx.step_done, "badge-ok"),
                (VersionStatus::InReview, _) => (tx.step_next, "badge-neutral"),
                (VersionStatus::Draft, _) => (tx.step_next, "badge-neutral"),
                _ => (tx.step_done, "badge-ok"),
            };
            StepLine {
                name: s.shown_name(lang),
                state,
                class,
            }
        })
        .collect();
    let status_label = |code: &str| {
        VersionStatus::from_code(code)
            .map(|s| s.label().get(lang).to_owned())
            .unwrap_or_else(|_| code.to_owned())
    };
    let mut events: Vec<(castellan_domain::Timestamp, EventLine)> = v
        .approvals
        .iter()
        .map(|a| {
            let decision = match a.decision {
                Decision::Approve => tx.approve,
                Decision::Return => tx.return_submit,
                _ => a.decision.code(),
            };
            (
                a.at,
                EventLine {
                    at: when(t, Some(a.at)),
                    who: name_of(&people, a.approver_id),
                    text: format!(
                        "{} · {}",
                        if a.step_name.is_empty() {
                            usize::try_from(a.step)
                                .ok()
                                .and_then(|i| ver.run.steps.get(i))
                                .map(|s| s.shown_name(lang))
                                .unwrap_or_default()
                        } else {
                            a.step_name.clone()
                        },
                        decision
                    ),
                    comment: a.comment.clone().unwrap_or_default(),
                },
            )
        })
        .collect();
    events.extend(v.moves.iter().map(|m| {
        (
            m.at,
            EventLine {
                at: when(t, Some(m.at)),
                who: m
                    .actor_id
                    .map_or_else(|| m.actor.clone(), |u| name_of(&people, Some(u))),
                text: format!("{} → {}", status_label(&m.from), status_label(&m.to)),
                comment: m.comment.clone().unwrap_or_default(),
            },
        )
    }));
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    let allowed = &v.allowed_transitions;
    let form = typed.unwrap_or_else(|| VersionForm {
        version: ver.number.to_string(),
        change_note: ver.change_note.clone(),
        body: ver.body.clone().unwrap_or_default(),
        revision: Some(ver.version),
    });
    let page = VersionPage {
        page: Page::new(web, Some(Section::Documents), view::notice(t, notice)),
        tx,
        id,
        vid,
        code: v.document.code.clone(),
        doc_title: v.document.title.clone(),
        heading: tx.version_heading.replace("{v}", &ver.number.to_string()),
        number: format!("V{}", ver.number),
        status: ver.status.label().get(lang),
        status_code: ver.status.code(),
        change_note: ver.change_note.clone(),
        author: with_day(Some(ver.author_id), Some(ver.authored_at)),
        reviewer: with_day(ver.reviewer_id, ver.reviewed_at),
        approver: with_day(ver.approver_id, ver.approved_at),
        effective: ver
            .effective_at
            .map(|d| d.to_string())
            .unwrap_or_else(|| "—".into()),
        text_html: ver
            .body
            .as_deref()
            .map(castellan_document::markdown::to_html)
            .unwrap_or_default(),
        revision: ver.version,
        steps,
        events: events.into_iter().map(|(_, e)| e).collect(),
        files: list
            .iter()
            .map(|f| FileLine {
                id: f.id,
                name: f.name.clone(),
                size: view::size_label(f.size),
                sha256: f.sha256.clone(),
                by: name_of(&people, f.created_by),
                at: when(t, Some(f.created_at)),
            })
            .collect(),
        may_edit: v.may_edit,
        may_submit: allowed.contains(&VersionStatus::InReview),
        may_approve: ver.status == VersionStatus::InReview
            && allowed.contains(&VersionStatus::Approved),
        may_return: ver.status == VersionStatus::InReview
            && allowed.contains(&VersionStatus::Draft),
        may_publish: allowed.contains(&VersionStatus::Effective),
        may_retire: allowed.contains(&VersionStatus::Retired),
        today: castellan_app::document::documents::today(&state.app).to_string(),
        attachment_limit: view::size_label(state.app.settings().attachment_limit_bytes),
        form,
        errors,
        error,
    };
    Ok(render::page_response(status, &page))
}

async fn refused(
    state: &AppState,
    web: &Web,
    id: i64,
    vid: i64,
    e: castellan_app::Error,
    typed: Option<VersionForm>,
) -> Result<Response, Response> {
    let status = e
        .domain()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, crate::problem::status_of);
    if status == StatusCode::NOT_FOUND || e.domain().is_none() {
        return Err(web.fail(e));
    }
    let (errors, message) = match view::form_failure(web.lang(), &e) {
        Some((errors, message)) => (errors, message),
        None => (
            FormErrors::none(),
            Some(view::failure_message(web.lang(), &e, |f| f.to_owned())),
        ),
    };
    render(state, web, id, vid, None, typed, errors, message, status).await
}

/// `POST /documents/{id}/versions/{version}`: saves the draft.
pub async fn update(
    State(state): State<AppState>,
    Path((id, vid)): Path<(i64, i64)>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match versions::update(
        &state.app,
        &web.ctx(),
        id,
        vid,
        &f.input(),
        f.revision.unwrap_or(0),
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{id}/versions/{vid}?notice=saved")).into_response(),
        ),
        Err(e) => refused(&state, &web, id, vid, e, Some(f)).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    effective_at: String,
    revision: Option<i64>,
}

/// `POST /documents/{id}/versions/{version}/move`: submit, approve, return, publish, retire.
pub async fn transition(
    State(state): State<AppState>,
    Path((id, vid)): Path<(i64, i64)>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let effective_at = match f.effective_at.trim() {
        "" => None,
        s => match Day::parse(s) {
            Ok(d) => Some(d),
            Err(k) => {
                let e = castellan_domain::FieldErrors::single("effective_at", k).into();
                return refused(&state, &web, id, vid, e, None).await;
            }
        },
    };
    let m = MoveInput {
        to: f.to.clone(),
        comment: some(&f.comment),
        version: f.revision,
        effective_at,
    };
    match versions::transition(&state.app, &web.ctx(), id, vid, &m).await {
        Ok(v)
            if v.version.status == VersionStatus::Effective
                || v.version.status == VersionStatus::Retired =>
        {
            Ok(Redirect::to(&format!("/documents/{id}?notice=saved")).into_response())
        }
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{id}/versions/{vid}?notice=saved")).into_response(),
        ),
        Err(e) => refused(&state, &web, id, vid, e, None).await,
    }
}

/// `POST /documents/{id}/versions/{version}/attachments`: attaches a file to a draft.
pub async fn attach(
    State(state): State<AppState>,
    web: Web,
    Path((id, vid)): Path<(i64, i64)>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Response> {
    let t = web.t();
    let Ok(multipart) = multipart else {
        let msg = t.error_bad_request.to_owned();
        return render(
            &state,
            &web,
            id,
            vid,
            None,
            None,
            FormErrors::none(),
            Some(msg),
            StatusCode::BAD_REQUEST,
        )
        .await;
    };
    // A refused token stops the upload before the file is read.
    let received =
        crate::attachments::receive_page_file(&state.app, &headers, multipart, |token| {
            web.auth.csrf_matches(token)
        })
        .await;
    let file = match received {
        Ok(file) => file,
        Err(crate::attachments::PageUploadRefused::Csrf) => {
            let msg = t.csrf_failed.to_owned();
            return render(
                &state,
                &web,
                id,
                vid,
                None,
                None,
                FormErrors::none(),
                Some(msg),
                StatusCode::FORBIDDEN,
            )
            .await;
        }
        Err(crate::attachments::PageUploadRefused::App(e)) => {
            return refused(&state, &web, id, vid, e, None).await;
        }
    };
    let content = match file.content() {
        Ok(c) => c,
        Err(e) => return refused(&state, &web, id, vid, e, None).await,
    };
    match files::attach(
        &state.app,
        &web.ctx(),
        id,
        vid,
        file.name(),
        file.media_type(),
        content,
    )
    .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("/documents/{id}/versions/{vid}?notice=saved")).into_response(),
        ),
        Err(e) => refused(&state, &web, id, vid, e, None).await,
    }
}

/// `GET /documents/{id}/versions/{version}/attachments/{attachment}`.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    Path((id, vid, attachment)): Path<(i64, i64, i64)>,
) -> Result<Response, Response> {
    let (a, content) = files::open(&state.app, &web.ctx(), id, vid, attachment)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(crate::attachments::download(&a, content))
}

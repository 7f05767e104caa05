//! Evidence files on the task page: the upload (CSRF token first) and the download.

use super::tasks::{failed, render_show};
use crate::state::AppState;
use crate::ui::session::Web;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::rectification::evidence;

/// `POST /rectifications/{id}/attachments`: a file from the task page (the CSRF token comes
/// first in the form; nothing is received without it).
pub async fn attach(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Response> {
    let t = web.t();
    let Ok(multipart) = multipart else {
        let msg = t.error_bad_request.to_owned();
        return render_show(&state, &web, id, None, Some(msg), StatusCode::BAD_REQUEST).await;
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
            return render_show(&state, &web, id, None, Some(msg), StatusCode::FORBIDDEN).await;
        }
        Err(crate::attachments::PageUploadRefused::App(e)) => {
            return failed(&state, &web, id, e).await;
        }
    };
    let content = match file.content() {
        Ok(c) => c,
        Err(e) => return failed(&state, &web, id, e).await,
    };
    match evidence::attach(
        &state.app,
        &web.ctx(),
        id,
        file.name(),
        file.media_type(),
        content,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/rectifications/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

/// `GET /rectifications/{id}/attachments/{attachment}`: the file, for whoever reads the task.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, Response> {
    let (a, content) = evidence::open(&state.app, &web.ctx(), id, attachment)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(crate::attachments::download(&a, content))
}

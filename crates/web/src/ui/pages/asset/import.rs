//! The import page (SPEC §3): upload a CSV or XLSX file, see every problem row by row with
//! nothing written, then commit the checked file. The upload is streamed to a private
//! temporary file (the size limit is enforced while reading) and checked there; a file that
//! passes waits in the database for its commit (`import::stash_upload`), so any instance
//! can finish it. Temporary files are removed as soon as the request ends.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::i18n::{Messages, fill};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web, cross_site};
use crate::uploads::TempUpload;
use askama::Template;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::asset::import::{
    self, COLUMNS, FileImport, ImportOptions, REQUIRED, ReadOptions,
};
use castellan_domain::{Action, Lang, Resource};
use serde::Deserialize;

/// Rows shown from a file that passed the check.
const SAMPLE_ROWS: usize = 8;
/// Problems listed on the page (the report holds up to a thousand).
const SHOWN_PROBLEMS: usize = 200;

/// A new private temporary file for one request's upload (removed when the request ends).
fn temp_upload(state: &AppState) -> std::io::Result<TempUpload> {
    TempUpload::create(&crate::uploads::dir(state.app.settings()))
}

struct ColumnHelp {
    api: &'static str,
    zh: &'static str,
    required: bool,
}

struct Problem {
    line: String,
    column: String,
    message: String,
    detail: Option<String>,
}

struct Preview {
    file_name: String,
    size: String,
    format: &'static str,
    encoding: Option<&'static str>,
    sha256: String,
    rows: u64,
    problems: Vec<Problem>,
    problem_count: u64,
    headers: Vec<String>,
    sample: Vec<(u64, Vec<String>)>,
    token: Option<String>,
    update_existing: bool,
}

#[derive(Template)]
#[template(path = "assets/import.html")]
struct ImportPage {
    page: Page,
    tx: &'static texts::Messages,
    columns: Vec<ColumnHelp>,
    limit: String,
    preview: Option<Preview>,
    /// The upload form, unless a checked file waits for its commit.
    show_upload: bool,
    done: Option<String>,
    error: Option<String>,
}

fn column_label(lang: Lang, api: &str) -> String {
    match lang {
        Lang::ZhCn => COLUMNS
            .iter()
            .find(|(a, _)| *a == api)
            .map_or_else(|| api.to_owned(), |(_, zh)| (*zh).to_owned()),
        Lang::En => api.to_owned(),
    }
}

/// How a coded value reads in `lang`: the label with the code beside it in Chinese (either
/// may be typed), the code alone in English.
fn choice_label(lang: Lang, column: Option<&str>, code: &str) -> String {
    use castellan_domain::asset::{AssetStatus, Category, Classification, Zone};
    let label = match column {
        Some("category") => Category::from_code(code).ok().map(|v| v.label()),
        Some("zone") => Zone::from_code(code).ok().map(|v| v.label()),
        Some("classification") => Classification::from_code(code).ok().map(|v| v.label()),
        Some("status") => AssetStatus::from_code(code).ok().map(|v| v.label()),
        _ => None,
    };
    match (lang, label) {
        (Lang::ZhCn, Some(l)) => format!("{}（{code}）", l.zh),
        _ => code.to_owned(),
    }
}

/// The specifics of a problem in `lang`, from what the report names: the cell's content,
/// the allowed choices or limits, the line of the first duplicate.
fn problem_detail(lang: Lang, t: &Messages, e: &import::RowError) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(v) = &e.value {
        parts.push(fill(t.ipd_value, "value", v));
    }
    if let Some(n) = e.first_line {
        parts.push(fill(t.ipd_first_line, "n", n));
    }
    if !e.allowed.is_empty() {
        let sep = if lang == Lang::ZhCn { "、" } else { ", " };
        let list: Vec<String> = e
            .allowed
            .iter()
            .map(|a| choice_label(lang, e.column.as_deref(), a))
            .collect();
        parts.push(fill(t.ipd_allowed, "list", list.join(sep)));
    }
    if let Some(cell) = &e.cell {
        parts.push(fill(t.ipd_cell, "cell", cell));
    }
    if let Some(limit) = e.limit {
        parts.push(fill(t.ipd_limit, "n", limit));
    }
    if let Some(bytes) = e.limit_bytes {
        parts.push(fill(t.ipd_limit, "n", crate::ui::view::size_label(bytes)));
    }
    match (e.code.as_str(), e.min, e.max) {
        ("out_of_range", Some(min), Some(max)) => {
            parts.push(fill(&fill(t.ipd_range, "min", min), "max", max));
        }
        ("too_long", _, Some(max)) => parts.push(fill(t.ipd_max_chars, "n", max)),
        ("too_short", Some(min), _) => parts.push(fill(t.ipd_min_chars, "n", min)),
        _ => {}
    }
    let sep = if lang == Lang::ZhCn { "；" } else { "; " };
    (!parts.is_empty()).then(|| parts.join(sep))
}

fn problems(lang: Lang, t: &Messages, f: &FileImport) -> Vec<Problem> {
    let tx = tx(lang);
    f.report
        .errors
        .iter()
        .take(SHOWN_PROBLEMS)
        .map(|e| {
            // English: the report's own sentence names the value and what is allowed.
            // Chinese: the general explanation, then the specifics from the report's fields
            // (never the English sentence).
            let general = crate::ui::i18n::import_problem(t, &e.code);
            let (message, detail) = match (lang, general) {
                (Lang::ZhCn, Some(g)) => (g.to_owned(), problem_detail(lang, t, e)),
                _ => (e.reason.clone(), None),
            };
            Problem {
                line: if e.line == 0 {
                    tx.whole_file.to_owned()
                } else {
                    e.line.to_string()
                },
                column: e
                    .column
                    .as_deref()
                    .map(|c| column_label(lang, c))
                    .unwrap_or_default(),
                message,
                detail,
            }
        })
        .collect()
}

fn page(
    web: &Web,
    state: &AppState,
    preview: Option<Preview>,
    done: Option<String>,
    error: Option<String>,
) -> ImportPage {
    ImportPage {
        page: Page::new(web, Some(Section::Assets), None),
        tx: tx(web.lang()),
        columns: COLUMNS
            .iter()
            .map(|(api, zh)| ColumnHelp {
                api,
                zh,
                required: REQUIRED.contains(api),
            })
            .collect(),
        limit: crate::ui::view::size_label(state.app.settings().upload_limit_bytes),
        show_upload: preview.as_ref().is_none_or(|p| p.token.is_none()),
        preview,
        done,
        error,
    }
}

fn may_import(web: &Web) -> bool {
    web.auth
        .principal
        .may_somewhere(Resource::Asset, Action::Create)
}

#[derive(Deserialize, Default)]
pub struct ImportParams {
    #[serde(default)]
    done: String,
}

/// `GET /assets/import` (after a commit, `?done=CREATED,UPDATED,UNCHANGED`).
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ImportParams>,
) -> Result<Response, Response> {
    if !may_import(&web) {
        return Err(web.forbidden(Resource::Asset, Action::Create));
    }
    let tx = tx(web.lang());
    let counts: Vec<u64> = p
        .done
        .split(',')
        .map_while(|n| n.parse::<u64>().ok())
        .collect();
    let done = match counts.as_slice() {
        [c, u, rest @ ..] if rest.len() <= 1 => {
            let message = fill(&fill(tx.import_done, "created", c), "updated", u);
            Some(match rest.first() {
                Some(n) if *n > 0 => format!("{message} {}", fill(tx.import_unchanged, "n", n)),
                _ => message,
            })
        }
        _ => None,
    };
    Ok(render::ok(&page(&web, &state, None, done, None)))
}

/// `GET /assets/import/template.csv`: the header row in the page's language, UTF-8 with the
/// byte-order mark Excel needs to show Chinese.
pub async fn template(web: Web) -> Response {
    let names: Vec<String> = COLUMNS
        .iter()
        .map(|(api, _)| column_label(web.lang(), api))
        .collect();
    let body = format!("\u{feff}{}\r\n", names.join(","));
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"assets-template.csv\"",
            ),
        ],
        body,
    )
        .into_response()
}

fn refuse(web: &Web, state: &AppState, status: StatusCode, message: &str) -> Response {
    render::page_response(
        status,
        &page(web, state, None, None, Some(message.to_owned())),
    )
}

/// The file of an upload, stored; `Err` is the page to show instead.
struct Upload {
    file: TempUpload,
    file_name: String,
    size: u64,
    update_existing: bool,
}

async fn receive(
    state: &AppState,
    web: &Web,
    mut multipart: Multipart,
) -> Result<Upload, Response> {
    let t = web.t();
    let tx = tx(web.lang());
    let limit = state.app.settings().upload_limit_bytes;
    let too_large = || {
        refuse(
            web,
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            &tx.import_too_large
                .replace("{limit}", &crate::ui::view::size_label(limit)),
        )
    };
    let bad = || refuse(web, state, StatusCode::BAD_REQUEST, t.error_bad_request);
    let mut csrf_ok = false;
    let mut update_existing = false;
    let mut upload = None;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(bad()),
        };
        match field.name().unwrap_or("") {
            "csrf" => {
                // A token is short; more than that is not read into memory.
                let mut value = Vec::new();
                while let Ok(Some(bytes)) = field.chunk().await {
                    if value.len() + bytes.len() > 256 {
                        return Err(bad());
                    }
                    value.extend_from_slice(&bytes);
                }
                csrf_ok = web
                    .auth
                    .csrf_matches(std::str::from_utf8(&value).unwrap_or(""));
            }
            "update_existing" => update_existing = true,
            "file" if upload.is_none() => {
                // The token comes first in the form; nothing is stored without it.
                if !csrf_ok {
                    return Err(refuse(web, state, StatusCode::FORBIDDEN, t.csrf_failed));
                }
                // Some browsers send a whole path; the name is what people recognise.
                let file_name: String = field
                    .file_name()
                    .unwrap_or("")
                    .rsplit(['/', '\\'])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .chars()
                    .take(255)
                    .collect();
                if file_name.is_empty() {
                    return Err(refuse(
                        web,
                        state,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        tx.import_choose_file,
                    ));
                }
                let mut file = temp_upload(state).map_err(|e| {
                    tracing::error!(error = %e, "cannot store an upload");
                    refuse(
                        web,
                        state,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        t.error_internal,
                    )
                })?;
                let mut size = 0_u64;
                loop {
                    match field.chunk().await {
                        Ok(Some(bytes)) => {
                            size += bytes.len() as u64;
                            if size > limit {
                                return Err(too_large());
                            }
                            if let Err(e) = file.write_all(&bytes) {
                                tracing::error!(error = %e, "cannot store an upload");
                                return Err(refuse(
                                    web,
                                    state,
                                    StatusCode::INTERNAL_SERVER_ERROR,
                                    t.error_internal,
                                ));
                            }
                        }
                        Ok(None) => break,
                        Err(_) => return Err(bad()),
                    }
                }
                let stored = Upload {
                    file,
                    file_name,
                    size,
                    update_existing: false,
                };
                upload = Some(stored);
            }
            _ => {}
        }
    }
    if !csrf_ok {
        return Err(refuse(web, state, StatusCode::FORBIDDEN, t.csrf_failed));
    }
    match upload {
        Some(u) => Ok(Upload {
            update_existing,
            ..u
        }),
        None => Err(refuse(
            web,
            state,
            StatusCode::UNPROCESSABLE_ENTITY,
            tx.import_choose_file,
        )),
    }
}

async fn check(
    state: &AppState,
    web: &Web,
    u: &Upload,
    dry_run: bool,
) -> Result<FileImport, Response> {
    let limits = ReadOptions {
        max_bytes: state.app.settings().upload_limit_bytes,
        ..ReadOptions::default()
    };
    let options = ImportOptions {
        update_existing: u.update_existing,
        dry_run,
    };
    import::import_file(
        &state.app,
        &web.ctx(),
        u.file.path(),
        &limits,
        options,
        SAMPLE_ROWS,
        |_| {},
    )
    .await
    .map_err(|e| web.fail(e))
}

fn preview(web: &Web, u: &Upload, f: FileImport, token: Option<String>) -> Preview {
    let lang = web.lang();
    let t = web.t();
    Preview {
        file_name: u.file_name.clone(),
        size: crate::ui::view::size_label(u.size),
        format: f.format,
        encoding: f.encoding,
        sha256: f.report.sha256.clone(),
        rows: f.report.rows,
        problems: problems(lang, t, &f),
        problem_count: f.report.errors.len() as u64 + f.report.more_errors,
        headers: f.headers,
        sample: f.sample,
        token,
        update_existing: u.update_existing,
    }
}

/// `POST /assets/import`: stores the file and checks every row, writing nothing.
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, Response> {
    if !may_import(&web) {
        return Err(web.forbidden(Resource::Asset, Action::Create));
    }
    if cross_site(&headers) {
        return Err(refuse(
            &web,
            &state,
            StatusCode::FORBIDDEN,
            web.t().csrf_failed,
        ));
    }
    // Refuse an oversized upload before reading it, when the browser says how large it is.
    let limit = state.app.settings().upload_limit_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit + 64 * 1024) {
        let message = tx(web.lang())
            .import_too_large
            .replace("{limit}", &crate::ui::view::size_label(limit));
        return Err(refuse(
            &web,
            &state,
            StatusCode::PAYLOAD_TOO_LARGE,
            &message,
        ));
    }
    let u = receive(&state, &web, multipart).await?;
    let f = match check(&state, &web, &u, true).await {
        Ok(f) => f,
        Err(page) => return Err(page),
    };
    let ok = !f.report.failed();
    // A file that passed waits in the database for its commit.
    let token = if ok {
        let stashed = match std::fs::read(u.file.path()) {
            Ok(bytes) => import::stash_upload(&state.app, &web.ctx(), &u.file_name, bytes)
                .await
                .map_err(|e| web.fail(e)),
            Err(e) => {
                tracing::error!(error = %e, "cannot read back an upload");
                Err(refuse(
                    &web,
                    &state,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    web.t().error_internal,
                ))
            }
        };
        match stashed {
            Ok(token) => Some(token),
            Err(page) => return Err(page),
        }
    } else {
        None
    };
    let p = preview(&web, &u, f, token);
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render::page_response(
        status,
        &page(&web, &state, Some(p), None, None),
    ))
}

#[derive(Deserialize)]
pub struct CommitForm {
    token: String,
    #[serde(default)]
    update_existing: String,
}

/// `POST /assets/import/commit`: imports a file that passed the check, all or nothing.
pub async fn commit(
    State(state): State<AppState>,
    form: CsrfForm<CommitForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    if !may_import(&web) {
        return Err(web.forbidden(Resource::Asset, Action::Create));
    }
    let t = web.t();
    let tx = tx(web.lang());
    let gone = || refuse(&web, &state, StatusCode::GONE, tx.import_gone);
    let Some((file_name, content)) = import::take_upload(&state.app, &web.ctx(), &data.token)
        .await
        .map_err(|e| web.fail(e))?
    else {
        return Err(gone());
    };
    let written = temp_upload(&state).and_then(|mut f| f.write_all(&content).map(|()| f));
    let file = match written {
        Ok(file) => file,
        Err(e) => {
            tracing::error!(error = %e, "cannot write an upload back");
            return Err(refuse(
                &web,
                &state,
                StatusCode::INTERNAL_SERVER_ERROR,
                t.error_internal,
            ));
        }
    };
    let u = Upload {
        file,
        file_name,
        size: content.len() as u64,
        update_existing: !data.update_existing.is_empty(),
    };
    let f = match check(&state, &web, &u, false).await {
        Ok(f) => f,
        Err(page) => return Err(page),
    };
    if f.report.failed() {
        // Something changed since the check (e.g. a code was registered meanwhile).
        let p = preview(&web, &u, f, None);
        return Ok(render::page_response(
            StatusCode::UNPROCESSABLE_ENTITY,
            &page(&web, &state, Some(p), None, None),
        ));
    }
    Ok(Redirect::to(&format!(
        "/assets/import?done={},{},{}",
        f.report.created, f.report.updated, f.report.unchanged
    ))
    .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::i18n;

    #[test]
    fn limits_are_shown_as_counts_or_sizes_in_the_page_language() {
        let mut e = import::RowError::new(0, None, "limit_part_size", "unpacks to more");
        e.limit_bytes = Some(1 << 30);
        assert_eq!(
            problem_detail(Lang::ZhCn, &i18n::ZH, &e).as_deref(),
            Some("上限：1 GiB")
        );
        let mut e = import::RowError::new(2, None, "limit_cell_length", "too long");
        e.limit = Some(32_767);
        e.cell = Some("B2".into());
        assert_eq!(
            problem_detail(Lang::En, &i18n::EN, &e).as_deref(),
            Some("cell B2; limit: 32767")
        );
    }
}

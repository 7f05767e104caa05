//! Attachments over HTTP, for the areas' handlers (SPEC §6.0): receiving a multipart upload
//! for [`castellan_app::attachments::save`] and answering a download. The area's service
//! decides whether the caller may attach to or read the owner and calls the kernel; these
//! helpers only move the bytes. An area's upload route:
//!
//! ```text
//! // routes: the upload may be larger than the global body limit
//! // (`layer` from utoipa_axum::router::UtoipaMethodRouterExt).
//! .routes(routes!(incidents::attach).layer(attachments::upload_limit()))
//! // handler: receive the file, then the area's service checks that the caller may change
//! // incident `id` and saves the file with the kernel (see `receive_file`).
//! ```
//!
//! An upload is received into a private temporary file first (`uploads.rs`, bounded by the
//! attachment limit while it arrives) and only then written to the database in one short
//! transaction: a slow client must not hold SQLite's one writer, or a PostgreSQL connection,
//! for as long as it takes to send 50 MiB.

use crate::uploads::TempUpload;
use axum::body::{Body, Bytes};
use axum::extract::DefaultBodyLimit;
use axum::extract::multipart::{Field, Multipart, MultipartError};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use castellan_app::attachments::{Attachment, CHUNK_BYTES};
use castellan_app::{App, Error};
use castellan_domain::attachment::{FileName, OCTET_STREAM};
use castellan_domain::{DomainError, FieldErrorKind, FieldErrors, Timestamp};
use futures_util::{Stream, StreamExt};
use serde::Serialize;
use std::io::Read;
use utoipa::ToSchema;

/// The multipart field that carries the file.
pub const FILE_FIELD: &str = "file";

/// Room for the multipart framing and small fields around the file, in bytes: a body whose
/// declared length exceeds the limit by more is refused before it is read.
const FRAMING_BYTES: u64 = 64 * 1024;

/// The most small text fields (a CSRF token, a note) read before the file, and the size of
/// each.
const MAX_FIELDS: usize = 16;
const FIELD_BYTES: usize = 8 * 1024;

/// The layer an area puts on its upload route: lifts the global body limit
/// (`body_limit_bytes`) there, as the asset import does, because [`receive`] enforces the
/// attachment limit itself (the declared length first, then the file's bytes as they
/// arrive, never reading past the file).
pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::disable()
}

/// The small text fields sent before the file.
#[derive(Debug, Clone, Default)]
pub struct FormFields(Vec<(String, String)>);

impl FormFields {
    /// The value of the field `name`, if sent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A file received from a multipart upload, waiting in a private temporary file (removed
/// when this value is dropped) for the owning area's service to save it.
#[derive(Debug)]
pub struct ReceivedFile {
    upload: TempUpload,
    name: String,
    media_type: Option<String>,
    size: u64,
}

impl ReceivedFile {
    /// Where the received file waits (removed when this is dropped).
    pub fn path(&self) -> &std::path::Path {
        self.upload.path()
    }

    /// The file name as sent.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The content type as sent, if any (the kernel keeps only a plain `type/subtype`).
    pub fn media_type(&self) -> Option<&str> {
        self.media_type.as_deref()
    }

    /// Size in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The content, read back in chunks of the kernel's size off the async workers: the
    /// body to give [`castellan_app::attachments::save`]. Keep this value until the save
    /// is done.
    pub fn content(
        &self,
    ) -> Result<impl Stream<Item = Result<Bytes, Error>> + Send + 'static + use<>, Error> {
        let file = std::fs::File::open(self.upload.path()).map_err(Error::internal)?;
        Ok(read_chunks(file))
    }
}

/// Receives the multipart field `file` of an API upload (its file name and content type as
/// sent) into a [`ReceivedFile`]. Refused, before anything is stored: a declared length or
/// a file over `attachment_limit_bytes` (413, found as the bytes arrive), a missing `file`
/// field (422 on `file`), a file name the kernel would refuse (422 on `name`). The handler
/// then calls its area's service, which checks that the caller may change the record and
/// saves the file with the kernel:
///
/// ```text
/// let file = attachments::receive_file(&state.app, &headers, multipart).await?;
/// let saved = incidents::attach(&state.app, &ctx, id, file.name(), file.media_type(), file.content()?).await?;
/// ```
pub async fn receive_file(
    app: &App,
    headers: &HeaderMap,
    multipart: Multipart,
) -> Result<ReceivedFile, Error> {
    receive(app, headers, multipart, |_| Ok::<(), Error>(()))
        .await
        .map(|(file, _)| file)
}

/// Why a page's upload was not received.
pub enum PageUploadRefused {
    /// The form's CSRF token (its first field) did not match: nothing was read further.
    Csrf,
    /// The file was refused (too large, no file, a bad name) or could not be stored.
    App(Error),
}

impl From<Error> for PageUploadRefused {
    fn from(e: Error) -> Self {
        PageUploadRefused::App(e)
    }
}

/// Receives the file of a page's upload form, whose CSRF token comes first: `csrf_matches`
/// judges the token before the file is read.
pub async fn receive_page_file(
    app: &App,
    headers: &HeaderMap,
    multipart: Multipart,
    csrf_matches: impl FnOnce(&str) -> bool,
) -> Result<ReceivedFile, PageUploadRefused> {
    receive(app, headers, multipart, |fields| {
        if csrf_matches(fields.get("csrf").unwrap_or("")) {
            Ok(())
        } else {
            Err(PageUploadRefused::Csrf)
        }
    })
    .await
    .map(|(file, _)| file)
}

/// [`receive_file`] for forms with small text fields before the file (at most 16, each at
/// most 8 KiB): `before_file` sees them before the file is received (a page checks its CSRF
/// token there) and may refuse. Whatever follows the file is not read.
pub async fn receive<E>(
    app: &App,
    headers: &HeaderMap,
    mut multipart: Multipart,
    before_file: impl FnOnce(&FormFields) -> Result<(), E>,
) -> Result<(ReceivedFile, FormFields), E>
where
    E: From<Error>,
{
    let limit = app.settings().attachment_limit_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit.saturating_add(FRAMING_BYTES)) {
        return Err(too_large(limit).into());
    }
    let mut fields = FormFields::default();
    loop {
        let next = multipart
            .next_field()
            .await
            .map_err(|e| unreadable(app, e))?;
        let Some(mut field) = next else {
            return Err(
                Error::from(FieldErrors::single(FILE_FIELD, FieldErrorKind::Required)).into(),
            );
        };
        if field.name() == Some(FILE_FIELD) {
            before_file(&fields)?;
            let file = spool(app, field, limit).await?;
            return Ok((file, fields));
        }
        if fields.0.len() >= MAX_FIELDS {
            return Err(Error::from(DomainError::BadRequest(
                "too many form fields before the file".into(),
            ))
            .into());
        }
        let name = field.name().unwrap_or_default().to_owned();
        let mut value = Vec::new();
        while let Some(bytes) = field.chunk().await.map_err(|e| unreadable(app, e))? {
            if value.len() + bytes.len() > FIELD_BYTES {
                return Err(Error::from(DomainError::BadRequest(format!(
                    "the form field {name:?} is longer than {FIELD_BYTES} bytes"
                )))
                .into());
            }
            value.extend_from_slice(&bytes);
        }
        fields
            .0
            .push((name, String::from_utf8_lossy(&value).into_owned()));
    }
}

/// Receives the file field into a temporary file, at most `limit` bytes.
async fn spool(app: &App, mut field: Field<'_>, limit: u64) -> Result<ReceivedFile, Error> {
    let name = file_name_of(&field);
    let media_type = field.content_type().map(str::to_owned);
    // The kernel checks the name again when saving; refusing it now spares the upload.
    FileName::parse(&name).map_err(|kind| FieldErrors::single("name", kind))?;
    let dir = crate::uploads::dir(app.settings());
    let mut upload = TempUpload::create(&dir).map_err(Error::internal)?;
    let mut size = 0_u64;
    while let Some(bytes) = field.chunk().await.map_err(|e| unreadable(app, e))? {
        size = size.saturating_add(bytes.len() as u64);
        if size > limit {
            return Err(too_large(limit));
        }
        upload.write_all(&bytes).map_err(Error::internal)?;
    }
    Ok(ReceivedFile {
        upload,
        name,
        media_type,
        size,
    })
}

/// The file name of the part as sent. Browsers send UTF-8; software on Chinese Windows may
/// send the name in GBK, which the multipart parser does not read, so the raw header is
/// decoded as GB18030 (a superset of GBK) then. Empty when there is none (refused as
/// required).
fn file_name_of(field: &Field<'_>) -> String {
    if let Some(name) = field.file_name() {
        return name.to_owned();
    }
    field
        .headers()
        .get(header::CONTENT_DISPOSITION)
        .and_then(|v| legacy_file_name(v.as_bytes()))
        .unwrap_or_default()
}

/// The quoted `filename` of a Content-Disposition in GB18030, if it decodes cleanly.
fn legacy_file_name(disposition: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"filename=\"";
    let start = disposition
        .windows(KEY.len())
        .position(|w| w.eq_ignore_ascii_case(KEY))?
        + KEY.len();
    let rest = disposition.get(start..)?;
    let raw = rest.get(..rest.iter().position(|&b| b == b'"')?)?;
    let (text, _, had_errors) = encoding_rs::GB18030.decode(raw);
    (!had_errors).then(|| text.into_owned())
}

/// A received file read back in chunks of the kernel's size, off the async workers.
fn read_chunks(file: std::fs::File) -> impl Stream<Item = Result<Bytes, Error>> {
    futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let read = tokio::task::spawn_blocking(move || {
            let mut buf = Vec::with_capacity(CHUNK_BYTES);
            let n = (&mut file).take(CHUNK_BYTES as u64).read_to_end(&mut buf)?;
            Ok::<_, std::io::Error>((file, buf, n))
        })
        .await;
        match read {
            Ok(Ok((_, _, 0))) => None,
            Ok(Ok((file, buf, _))) => Some((Ok(Bytes::from(buf)), Some(file))),
            Ok(Err(e)) => Some((Err(Error::internal(e)), None)),
            Err(e) => Some((Err(Error::internal(e)), None)),
        }
    })
}

fn too_large(limit: u64) -> Error {
    DomainError::PayloadTooLarge {
        limit: usize::try_from(limit).unwrap_or(usize::MAX),
    }
    .into()
}

/// A multipart body that cannot be read: malformed (400), or over a size limit of the
/// parser (413; only when the route lacks [`upload_limit`], so the global limit applied).
fn unreadable(app: &App, e: MultipartError) -> Error {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        return DomainError::PayloadTooLarge {
            limit: app.settings().body_limit_bytes,
        }
        .into();
    }
    DomainError::BadRequest(format!(
        "the multipart body cannot be read: {}",
        e.body_text()
    ))
    .into()
}

/// The download of an attachment: its stored media type, `Content-Disposition: attachment`
/// with the name (an ASCII fallback and the exact UTF-8 name), `nosniff`, its length, and the
/// content streamed chunk by chunk from `content` (the kernel's `open`). A failure while
/// streaming is logged and cuts the response short, which the client sees against the
/// announced length.
pub fn download(
    attachment: &Attachment,
    content: impl Stream<Item = Result<Bytes, Error>> + Send + 'static,
) -> Response {
    let id = attachment.id;
    let body = Body::from_stream(content.map(move |chunk| {
        chunk.inspect_err(|e| tracing::error!(attachment = id, error = %e, "download failed"))
    }));
    let content_type = HeaderValue::from_str(&attachment.media_type)
        .unwrap_or_else(|_| HeaderValue::from_static(OCTET_STREAM));
    let disposition = HeaderValue::from_str(&content_disposition(&attachment.name))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let mut response = (StatusCode::OK, body).into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(attachment.size));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// `attachment; filename="<ASCII fallback>"; filename*=UTF-8''<percent-encoded name>`
/// (RFC 6266 with RFC 8187): browsers use the exact name, older clients the fallback, in
/// which every run of other characters (and `"`, `\`, `%`) reads `_`.
pub fn content_disposition(name: &str) -> String {
    let mut fallback = String::with_capacity(name.len());
    let mut replaced = false;
    for c in name.chars() {
        if (' '..='~').contains(&c) && !matches!(c, '"' | '\\' | '%') {
            fallback.push(c);
            replaced = false;
        } else if !replaced {
            fallback.push('_');
            replaced = true;
        }
    }
    let mut encoded = String::with_capacity(name.len() * 3);
    for b in name.bytes() {
        // RFC 8187 attr-char: sent as is; every other byte percent-encoded.
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            encoded.push(char::from(b));
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

/// An attachment as the API shows it (the same shape for every area).
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentOut {
    /// Id.
    pub id: i64,
    /// The file name.
    pub name: String,
    /// The media type (`application/octet-stream` when the uploader's was not a plain
    /// `type/subtype`).
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lower-case hex.
    pub sha256: String,
    /// Who attached it (`null`: the system).
    pub created_by: Option<i64>,
    /// When (RFC 3339).
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
}

impl From<Attachment> for AttachmentOut {
    fn from(a: Attachment) -> Self {
        AttachmentOut {
            id: a.id,
            name: a.name,
            media_type: a.media_type,
            size: a.size,
            sha256: a.sha256,
            created_by: a.created_by.map(|u| u.0),
            created_at: a.created_at,
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_chinese_name_is_offered_exactly_with_an_ascii_fallback() {
        assert_eq!(
            content_disposition("事件报告 v2.pdf"),
            "attachment; filename=\"_ v2.pdf\"; filename*=UTF-8''%E4%BA%8B%E4%BB%B6%E6%8A%A5%E5%91%8A%20v2.pdf"
        );
        assert_eq!(
            content_disposition("安全检查（第一季度）.xlsx"),
            "attachment; filename=\"_.xlsx\"; filename*=UTF-8''%E5%AE%89%E5%85%A8%E6%A3%80%E6%9F%A5%EF%BC%88%E7%AC%AC%E4%B8%80%E5%AD%A3%E5%BA%A6%EF%BC%89.xlsx"
        );
        // Quotes, backslashes and percent signs never reach the quoted fallback.
        assert_eq!(
            content_disposition("a\"b%c;d.txt"),
            "attachment; filename=\"a_b_c;d.txt\"; filename*=UTF-8''a%22b%25c%3Bd.txt"
        );
        // Always a valid header value.
        assert!(HeaderValue::from_str(&content_disposition("日志 2026.log")).is_ok());
    }

    #[test]
    fn a_gbk_file_name_in_the_raw_header_is_read() {
        let (gbk, _, _) = encoding_rs::GBK.encode("巡检记录.xlsx");
        let mut header = b"form-data; name=\"file\"; filename=\"".to_vec();
        header.extend_from_slice(&gbk);
        header.push(b'"');
        assert_eq!(legacy_file_name(&header).as_deref(), Some("巡检记录.xlsx"));
        assert_eq!(legacy_file_name(b"form-data; name=\"file\""), None);
    }
}

/// The upload form of an attachment (one file, in the field `file`), for the API document.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct AttachmentUpload {
    /// The file (at most `attachment_limit_bytes`, 50 MiB by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The attachments of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentList {
    /// Oldest first.
    pub items: Vec<AttachmentOut>,
}

//! The attachments kernel (SPEC §6.0): files saved in chunks with their SHA-256 in one
//! transaction, refused names, empty and oversized files leaving nothing behind, owners kept
//! apart, and the web helpers (multipart upload past the global body limit, the download's
//! headers). No area has attachment routes yet, so the service is called directly with a
//! test owner, and the web helpers through a small router of the test's own.

use crate::both;
use crate::harness::TestApp;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::{HeaderMap, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use castellan_app::attachments::{self, Attachment, CHUNK_BYTES, Owner};
use castellan_app::{App, Ctx, Error};
use castellan_domain::{DomainError, FieldErrorKind};
use castellan_store::Value;
use castellan_web::attachments::{self as web, AttachmentOut};
use castellan_web::problem::{ApiError, status_of};
use futures_util::{Stream, StreamExt, stream};
use http_body_util::BodyExt;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use tower::ServiceExt;

const OWNER: Owner = Owner {
    kind: "test",
    id: 1,
};
const LIMIT: u64 = 8 * 1024 * 1024;

/// `len` bytes that do not repeat in any short period (so a misplaced chunk shows).
fn content(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// The bytes as a body arriving in pieces of `piece` bytes, as a network delivers them.
fn body(bytes: &[u8], piece: usize) -> impl Stream<Item = Result<Bytes, Error>> + use<> {
    let pieces: Vec<Result<Bytes, Error>> = bytes
        .chunks(piece)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    stream::iter(pieces)
}

fn sha256(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn ctx(t: &TestApp) -> Ctx {
    t.ctx_of(&t.admin)
}

async fn save(t: &TestApp, owner: Owner, name: &str, bytes: &[u8]) -> Result<Attachment, Error> {
    attachments::save(
        &t.app,
        &ctx(t),
        owner,
        name,
        Some("application/pdf"),
        body(bytes, 64 * 1024),
        LIMIT,
    )
    .await
}

async fn read_all(app: &App, owner: Owner, id: i64) -> Vec<u8> {
    let (_, chunks) = attachments::open(app, owner, id).await.unwrap();
    let mut chunks = std::pin::pin!(chunks);
    let mut out = Vec::new();
    while let Some(chunk) = chunks.next().await {
        out.extend_from_slice(&chunk.unwrap());
    }
    out
}

fn refusal(e: Error) -> DomainError {
    match e {
        Error::Domain(d) => d,
        Error::Internal(cause) => panic!("expected a refusal, got an internal error: {cause}"),
    }
}

/// The field errors of a validation refusal.
fn refused_field(e: Error) -> (String, FieldErrorKind) {
    match refusal(e) {
        DomainError::Validation(errors) => {
            let first = errors.iter().next().expect("a field").clone();
            (first.field, first.kind)
        }
        other => panic!("expected a validation error, got {other:?}"),
    }
}

async fn stored(t: &TestApp) -> (i64, i64) {
    (
        t.count("attachments").await,
        t.count("attachment_chunks").await,
    )
}

both! {
    async fn a_3_mib_file_comes_back_byte_for_byte_from_several_chunks(b: Backend) {
        let t = TestApp::new(b).await;
        let bytes = content(3 * 1024 * 1024 + 123);
        let a = save(&t, OWNER, "现场照片.zip", &bytes).await.unwrap();
        assert_eq!(a.size, bytes.len() as u64);
        assert_eq!(a.sha256, sha256(&bytes));
        assert_eq!(a.owner, OWNER);
        assert_eq!(a.name, "现场照片.zip");
        assert_eq!(a.media_type, "application/pdf");
        assert_eq!(a.created_by, Some(t.admin.id));
        // Four chunks: three full ones and the rest.
        let chunks = t
            .scalar(
                "SELECT CAST(COUNT(*) AS TEXT) FROM attachment_chunks WHERE attachment_id = $1",
                &[Value::Int(a.id)],
            )
            .await;
        assert_eq!(chunks.as_deref(), Some("4"));
        let largest = t
            .scalar(
                "SELECT CAST(MAX(LENGTH(data)) AS TEXT) FROM attachment_chunks WHERE attachment_id = $1",
                &[Value::Int(a.id)],
            )
            .await;
        assert_eq!(largest, Some(CHUNK_BYTES.to_string()));
        let back = read_all(&t.app, OWNER, a.id).await;
        assert_eq!(back.len(), bytes.len());
        assert!(back == bytes, "the content differs");
        assert_eq!(sha256(&back), a.sha256);
        // The header as stored is the one returned.
        assert_eq!(attachments::get(&t.app, OWNER, a.id).await.unwrap(), a);
        // One audit entry with the file's facts, in the same transaction.
        let after = t
            .scalar(
                "SELECT after_data FROM audit_log WHERE entity_type = 'attachment' AND entity_id = $1",
                &[Value::Text(a.id.to_string())],
            )
            .await
            .expect("an audit entry");
        let after: serde_json::Value = serde_json::from_str(&after).unwrap();
        assert_eq!(after["sha256"], a.sha256.as_str());
        assert_eq!(after["size"], bytes.len() as u64);
        assert_eq!(after["owner_kind"], "test");
        assert_eq!(after["name"], "现场照片.zip");
        t.assert_audit_codes_declared().await;
    }

    async fn a_file_of_exactly_one_chunk_and_of_one_byte_are_kept(b: Backend) {
        let t = TestApp::new(b).await;
        for len in [1, CHUNK_BYTES, CHUNK_BYTES + 1] {
            let bytes = content(len);
            // Delivered in one piece larger than a chunk, too.
            let a = attachments::save(&t.app, &ctx(&t), OWNER, "x.bin", None, body(&bytes, 3 * 1024 * 1024), LIMIT)
                .await
                .unwrap();
            assert_eq!(a.size, len as u64);
            assert_eq!(a.sha256, sha256(&bytes));
            assert!(read_all(&t.app, OWNER, a.id).await == bytes, "length {len}");
        }
        assert_eq!(stored(&t).await, (3, 1 + 1 + 2));
    }

    async fn an_owner_lists_its_own_files_oldest_first(b: Backend) {
        let t = TestApp::new(b).await;
        let other_id = Owner { kind: "test", id: 2 };
        let other_kind = Owner { kind: "other", id: 1 };
        let first = save(&t, OWNER, "一.txt", b"one").await.unwrap();
        save(&t, other_id, "elsewhere.txt", b"elsewhere").await.unwrap();
        let second = save(&t, OWNER, "二.txt", b"two!").await.unwrap();
        save(&t, other_kind, "another kind.txt", b"kind").await.unwrap();
        let third = save(&t, OWNER, "三.txt", b"three").await.unwrap();
        let listed = attachments::list(&t.app, OWNER).await.unwrap();
        let ids: Vec<i64> = listed.iter().map(|a| a.id).collect();
        assert_eq!(ids, vec![first.id, second.id, third.id]);
        assert_eq!(listed[1], second);
        let usage = attachments::usage(&t.app, OWNER).await.unwrap();
        assert_eq!((usage.files, usage.bytes), (3, 3 + 4 + 5));
        let nobody = Owner { kind: "test", id: 99 };
        assert!(attachments::list(&t.app, nobody).await.unwrap().is_empty());
        let usage = attachments::usage(&t.app, nobody).await.unwrap();
        assert_eq!((usage.files, usage.bytes), (0, 0));
    }

    async fn another_owners_attachment_is_not_found(b: Backend) {
        let t = TestApp::new(b).await;
        let a = save(&t, OWNER, "mine.txt", b"secret").await.unwrap();
        for stranger in [Owner { kind: "test", id: 2 }, Owner { kind: "other", id: 1 }] {
            let e = attachments::get(&t.app, stranger, a.id).await.unwrap_err();
            assert_eq!(refusal(e), DomainError::not_found("attachment"));
            let Err(e) = attachments::open(&t.app, stranger, a.id).await else {
                panic!("another owner opened the file");
            };
            assert_eq!(refusal(e), DomainError::not_found("attachment"));
        }
        let e = attachments::get(&t.app, OWNER, a.id + 1000).await.unwrap_err();
        assert_eq!(refusal(e), DomainError::not_found("attachment"));
    }

    async fn an_empty_file_is_refused_and_writes_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let audit = t.count("audit_log").await;
        let e = save(&t, OWNER, "empty.txt", b"").await.unwrap_err();
        let (field, _) = refused_field(e);
        assert_eq!(field, "file");
        // Empty pieces only: still empty.
        let pieces: Vec<Result<Bytes, Error>> = vec![Ok(Bytes::new()), Ok(Bytes::new())];
        let e = attachments::save(&t.app, &ctx(&t), OWNER, "empty.txt", None, stream::iter(pieces), LIMIT)
            .await
            .unwrap_err();
        assert_eq!(refused_field(e).0, "file");
        assert_eq!(stored(&t).await, (0, 0));
        assert_eq!(t.count("audit_log").await, audit);
    }

    async fn unsafe_names_are_refused_and_write_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let too_long = "长".repeat(201);
        for name in [
            "",
            "   ",
            ".",
            "..",
            "../../etc/passwd",
            "reports/q1.pdf",
            "C:\\Users\\me\\q1.pdf",
            "..\\q1.pdf",
            "nul\0byte.txt",
            "two\nlines.txt",
            "bell\u{7}.txt",
            "invoice\u{202E}fdp.exe",
            too_long.as_str(),
        ] {
            let e = save(&t, OWNER, name, b"content").await.unwrap_err();
            let (field, kind) = refused_field(e);
            assert_eq!(field, "name", "{name:?}");
            assert!(
                matches!(
                    kind,
                    FieldErrorKind::Required | FieldErrorKind::TooLong { max: 200 } | FieldErrorKind::Invalid { .. }
                ),
                "{name:?}: {kind:?}"
            );
        }
        // 200 characters are fine.
        save(&t, OWNER, &"长".repeat(200), b"content").await.unwrap();
        assert_eq!(stored(&t).await, (1, 1));
    }

    async fn a_file_over_the_limit_is_refused_while_streaming_and_leaves_no_rows(b: Backend) {
        let t = TestApp::new(b).await;
        let audit = t.count("audit_log").await;
        let limit = 2 * 1024 * 1024 + 10;
        let bytes = content(3 * 1024 * 1024);
        // Two full chunks are written before the limit is passed; they go with the rest.
        let e = attachments::save(&t.app, &ctx(&t), OWNER, "big.bin", None, body(&bytes, 64 * 1024), limit)
            .await
            .unwrap_err();
        let refused = refusal(e);
        assert!(matches!(refused, DomainError::PayloadTooLarge { limit: l } if l as u64 == limit), "{refused:?}");
        assert_eq!(status_of(&refused), StatusCode::PAYLOAD_TOO_LARGE);
        // A first piece already over the limit is refused before the transaction.
        let e = attachments::save(&t.app, &ctx(&t), OWNER, "big.bin", None, body(&bytes, 3 * 1024 * 1024), limit)
            .await
            .unwrap_err();
        assert!(matches!(refusal(e), DomainError::PayloadTooLarge { .. }));
        assert_eq!(stored(&t).await, (0, 0));
        assert_eq!(t.count("audit_log").await, audit);
        // Exactly the limit is accepted.
        let exact = content(usize::try_from(limit).unwrap());
        let a = attachments::save(&t.app, &ctx(&t), OWNER, "exact.bin", None, body(&exact, 64 * 1024), limit)
            .await
            .unwrap();
        assert_eq!(a.size, limit);
        assert_eq!(stored(&t).await, (1, 3));
    }

    async fn a_body_that_fails_midway_leaves_no_rows(b: Backend) {
        let t = TestApp::new(b).await;
        let mut pieces: Vec<Result<Bytes, Error>> = content(CHUNK_BYTES * 2 + 5)
            .chunks(CHUNK_BYTES / 2)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        pieces.push(Err(DomainError::BadRequest("the client went away".into()).into()));
        let e = attachments::save(&t.app, &ctx(&t), OWNER, "cut.bin", None, stream::iter(pieces), LIMIT)
            .await
            .unwrap_err();
        assert!(matches!(refusal(e), DomainError::BadRequest(_)));
        assert_eq!(stored(&t).await, (0, 0));
    }

    async fn chinese_and_other_names_are_kept_as_sent(b: Backend) {
        let t = TestApp::new(b).await;
        let names = [
            "安全事件报告（初稿）.docx",
            "巡检记录 2026 第一季度.xlsx",
            "應急演練紀錄.pdf",
            "𠀀𠀁 生僻字.png",
            "Ünïcødé résumé – final.txt",
            ".env.example",
        ];
        for name in names {
            let a = save(&t, OWNER, name, name.as_bytes()).await.unwrap();
            assert_eq!(attachments::get(&t.app, OWNER, a.id).await.unwrap().name, name);
        }
        // Surrounding spaces are dropped.
        let a = save(&t, OWNER, "  日志.txt  ", b"log").await.unwrap();
        assert_eq!(a.name, "日志.txt");
        let listed: Vec<String> = attachments::list(&t.app, OWNER)
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.name)
            .collect();
        assert_eq!(&listed[..names.len()], &names[..]);
    }

    async fn only_plain_media_types_are_kept(b: Backend) {
        let t = TestApp::new(b).await;
        for (declared, kept) in [
            (Some("application/pdf"), "application/pdf"),
            (Some(" IMAGE/PNG "), "image/png"),
            (Some("text/plain; charset=gbk"), "application/octet-stream"),
            (Some("text/html\r\nX-Injected: 1"), "application/octet-stream"),
            (Some("pdf"), "application/octet-stream"),
            (Some("图片/png"), "application/octet-stream"),
            (None, "application/octet-stream"),
        ] {
            let a = attachments::save(&t.app, &ctx(&t), OWNER, "f.bin", declared, body(b"x", 1), LIMIT)
                .await
                .unwrap();
            assert_eq!(a.media_type, kept, "{declared:?}");
            assert_eq!(attachments::get(&t.app, OWNER, a.id).await.unwrap().media_type, kept);
        }
    }

    async fn the_web_helpers_receive_a_multipart_upload_past_the_body_limit_and_serve_it(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.attachment_limit_bytes = 2 * 1024 * 1024).await;
        let router = test_router(&t);
        // 1.5 MiB: over the global body limit (1 MiB), under the attachment limit.
        let bytes = content(1536 * 1024);
        let r = send(&router, upload_request(&[("note", "scene-1"), ("file", "")], "事件报告 v2.pdf", "application/pdf", &bytes)).await;
        assert_eq!(r.0, StatusCode::CREATED, "{}", String::from_utf8_lossy(&r.2));
        assert_eq!(r.1["x-note"], "scene-1");
        let out: serde_json::Value = serde_json::from_slice(&r.2).unwrap();
        assert_eq!(out["name"], "事件报告 v2.pdf");
        assert_eq!(out["size"], bytes.len() as u64);
        assert_eq!(out["sha256"], sha256(&bytes));
        assert_eq!(out["media_type"], "application/pdf");
        assert_eq!(out["created_by"], t.admin.id.0);
        // The file in transit is gone.
        let uploads = t.data_dir.join("uploads");
        assert_eq!(std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0), 0);

        let id = out["id"].as_i64().unwrap();
        let (status, headers, body) = send(&router, Request::get(format!("/t/1/attachments/{id}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(headers[header::CONTENT_TYPE], "application/pdf");
        assert_eq!(
            headers[header::CONTENT_DISPOSITION],
            "attachment; filename=\"_ v2.pdf\"; filename*=UTF-8''%E4%BA%8B%E4%BB%B6%E6%8A%A5%E5%91%8A%20v2.pdf"
        );
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::CONTENT_LENGTH], bytes.len().to_string().as_str());
        assert!(body == bytes, "the download differs");
        // Another owner's id: a problem document, 404.
        let (status, headers, _) = send(&router, Request::get(format!("/t/2/attachments/{id}")).body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
    }

    async fn the_web_helpers_refuse_with_problem_documents_and_store_nothing(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.attachment_limit_bytes = 1024 * 1024).await;
        let router = test_router(&t);
        // No `file` field: 422 on `file`.
        let (status, headers, body) = send(&router, upload_request(&[("note", "x")], "", "", b"")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{}", String::from_utf8_lossy(&body));
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(doc["errors"]["file"].is_string(), "{doc}");
        // The handler's check of the fields before the file refuses it.
        let (status, _, _) = send(&router, upload_request(&[("refuse", "1"), ("file", "")], "ok.txt", "text/plain", b"x")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A path as the name: 422 on `name`, before the file is received.
        let (status, _, body) = send(&router, upload_request(&[("file", "")], "../secret.txt", "text/plain", b"x")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(doc["errors"]["name"].is_string(), "{doc}");
        // An empty file: 422 on `file`.
        let (status, _, body) = send(&router, upload_request(&[("file", "")], "empty.txt", "text/plain", b"")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        let doc: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert!(doc["errors"]["file"].is_string(), "{doc}");
        // Over the attachment limit, found while receiving (no declared length): 413.
        let big = content(1024 * 1024 + 1);
        let mut request = upload_request(&[("file", "")], "big.bin", "application/octet-stream", &big);
        request.headers_mut().remove(header::CONTENT_LENGTH);
        let (status, headers, body) = send(&router, request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{}", String::from_utf8_lossy(&body));
        assert_eq!(headers[header::CONTENT_TYPE], "application/problem+json");
        // Declared far over the limit: 413 before reading.
        let request = upload_request(&[("file", "")], "big.bin", "application/octet-stream", &content(1024 * 1024 + 128 * 1024));
        let (status, _, _) = send(&router, request).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(stored(&t).await, (0, 0));
        let uploads = t.data_dir.join("uploads");
        assert_eq!(std::fs::read_dir(&uploads).map(|d| d.count()).unwrap_or(0), 0);
    }
}

/// A router like an area's: the upload route lifts the global body limit with the kernel's
/// layer; the caller is the administrator.
fn test_router(t: &TestApp) -> axum::Router {
    let state = Arc::new((t.app.clone(), ctx(t)));
    axum::Router::new()
        .route(
            "/t/{id}/attachments",
            post(attach).layer(web::upload_limit()),
        )
        .route("/t/{id}/attachments/{attachment}", get(fetch))
        .layer(DefaultBodyLimit::max(t.app.settings().body_limit_bytes))
        .with_state(state)
}

type TestState = Arc<(App, Ctx)>;

/// An area's upload handler: receive the file (a form field `refuse` refuses it before it
/// is received, as a page's CSRF check would), then "the service" saves it with the kernel.
async fn attach(
    State(s): State<TestState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, ApiError> {
    let (app, ctx) = (&s.0, &s.1);
    let (file, fields) = web::receive(app, &headers, multipart, |fields| {
        match fields.get("refuse") {
            Some(_) => Err(ApiError::from(DomainError::BadRequest(
                "refused before the file".into(),
            ))),
            None => Ok(()),
        }
    })
    .await?;
    let owner = Owner { kind: "test", id };
    let limit = app.settings().attachment_limit_bytes;
    let a = attachments::save(
        app,
        ctx,
        owner,
        file.name(),
        file.media_type(),
        file.content()?,
        limit,
    )
    .await?;
    assert_eq!(file.size(), a.size);
    let note = fields.get("note").unwrap_or_default().to_owned();
    Ok((
        StatusCode::CREATED,
        [("x-note", note)],
        axum::Json(AttachmentOut::from(a)),
    )
        .into_response())
}

async fn fetch(
    State(s): State<TestState>,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, ApiError> {
    let (a, content) = attachments::open(&s.0, Owner { kind: "test", id }, attachment).await?;
    Ok(web::download(&a, content))
}

/// A multipart upload to owner 1: the text fields in order, the one named `file` carrying
/// the file (left out when `file_name` is empty and no field is named `file`).
fn upload_request(
    fields: &[(&str, &str)],
    file_name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Request<Body> {
    const BOUNDARY: &str = "castellan-test-boundary-7d1f";
    let mut out = Vec::new();
    for (name, value) in fields {
        out.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        if *name == "file" {
            out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
                )
                .as_bytes(),
            );
            out.extend_from_slice(bytes);
        } else {
            out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}")
                    .as_bytes(),
            );
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    Request::post("/t/1/attachments")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .header(header::CONTENT_LENGTH, out.len())
        .body(Body::from(out))
        .unwrap()
}

async fn send(router: &axum::Router, request: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, headers, body)
}

//! Every list refuses a cursor it did not make with a 400 problem about the cursor (a web page
//! with a readable message), never a 500: cursors of the right sort with keys of every wrong
//! shape and type, garbage tokens, and the one key type that does fit.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{page, sign_in};
use axum::http::StatusCode;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

fn token_of(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// Cursors for sort `sort` whose keys are wrong in shape or type, whatever the list.
fn hostile(sort: &str, arity: usize) -> Vec<String> {
    let mut keys: Vec<Value> = vec![
        json!([null, null]),
        json!([null]),
        json!([]),
        json!(["x", "y"]),
        json!([1.5, 1]),
        json!([[1], 1]),
        json!([{"a": 1}, 1]),
        json!([true, 1]),
        json!(["x", 1, 2]),
        json!([1, 2, 3]),
        json!(["\u{0}", 1]),
        json!([format!("{}", "长".repeat(5000)), 1]),
        json!(["x", "9223372036854775808"]),
        json!(["x", 1e300]),
    ];
    if arity == 1 {
        keys.extend([json!(["7"]), json!([null]), json!([1, 2]), json!([-1.0])]);
    }
    let mut tokens: Vec<String> = keys
        .into_iter()
        .map(|k| token_of(&json!({"s": sort, "k": k})))
        .collect();
    tokens.extend([
        token_of(&json!({"s": sort})),
        token_of(&json!({"k": [1, 1]})),
        token_of(&json!(null)),
        URL_SAFE_NO_PAD.encode([0xff, 0xfe, 0x00, 0x7b]),
        "not base64 at all!".into(),
        "=".repeat(300),
    ]);
    tokens
}

/// The API lists: path, the sorts they accept (the first is the default), cursor arity.
fn lists(assessment: i64) -> Vec<(String, Vec<&'static str>, usize)> {
    vec![
        (
            "/api/v1/users".into(),
            vec!["username", "display_name", "created_at", "last_login_at"],
            2,
        ),
        (
            "/api/v1/departments".into(),
            vec!["name", "code", "created_at"],
            2,
        ),
        (
            "/api/v1/assets".into(),
            vec!["code", "name", "value_score", "updated_at"],
            2,
        ),
        ("/api/v1/threats".into(), vec!["code", "updated_at"], 2),
        (
            "/api/v1/vulnerabilities".into(),
            vec!["severity", "created_at"],
            2,
        ),
        ("/api/v1/controls".into(), vec!["name"], 2),
        ("/api/v1/assessments".into(), vec!["updated_at", "name"], 2),
        (
            format!("/api/v1/assessments/{assessment}/risks"),
            vec!["-risk"],
            2,
        ),
        ("/api/v1/me/treatment-tasks".into(), vec!["due_on"], 2),
        (
            "/api/v1/backup-plans".into(),
            vec!["asset_code", "rpo_hours", "rto_hours", "last_verified_at"],
            2,
        ),
        ("/api/v1/backup-plans/uncovered".into(), vec!["code"], 2),
        (
            "/api/v1/dr-plans".into(),
            vec!["code", "title", "rto_hours"],
            2,
        ),
        (
            "/api/v1/drills".into(),
            vec!["-held_at", "held_at", "code", "result"],
            2,
        ),
        ("/api/v1/audit-log".into(), vec!["-seq"], 1),
    ]
}

fn sep(path: &str) -> char {
    if path.contains('?') { '&' } else { '?' }
}

both! {
    async fn every_list_refuses_a_cursor_it_did_not_make(b: Backend) {
        let t = TestApp::new(b).await;
        castellan_app::demo::generate(&t.app, 120).await.unwrap();
        let officer = t.user_by_name_pub("chen.jing").await;
        let token = t.token_for(&officer).await;
        let assessments = t.get("/api/v1/assessments").token(&token).send().await.json();
        let assessment = assessments["items"][0]["id"].as_i64().expect("a demo assessment");
        let mut checked = 0;
        for (path, sorts, arity) in lists(assessment) {
            // The admin reads the audit log; everything else is the security officer's.
            let caller = if path.contains("audit") { t.token_admin().to_owned() } else { token.clone() };
            for sort in &sorts {
                let (field, desc) = match sort.strip_prefix('-') { Some(f) => (f, true), None => (*sort, false) };
                let mut codes = vec![(*sort).to_owned()];
                if !desc && sorts.len() > 1 {
                    codes.push(format!("-{field}"));
                }
                for code in codes {
                    let base = if sorts.len() > 1 { format!("{path}?sort={code}") } else { path.clone() };
                    for cursor in hostile(&code, arity) {
                        let url = format!("{base}{}cursor={}", sep(&base), crate::harness::pct_public(&cursor));
                        let r = t.get(&url).token(&caller).send().await;
                        let shown = URL_SAFE_NO_PAD.decode(&cursor).map(|b| String::from_utf8_lossy(&b).chars().take(80).collect::<String>()).unwrap_or_default();
                        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{base} with cursor {shown}");
                        let doc = r.problem(StatusCode::BAD_REQUEST);
                        assert!(doc["detail"].as_str().unwrap().contains("cursor"), "{url}: {doc}");
                        checked += 1;
                    }
                    // Of an integer key and a text key, exactly the type of the sort's column
                    // is taken (and answers a page).
                    if arity == 2 {
                        let mut ok = 0;
                        for k in [json!([5, 1]), json!(["m", 1])] {
                            let c = token_of(&json!({"s": code, "k": k}));
                            let url = format!("{base}{}cursor={}", sep(&base), crate::harness::pct_public(&c));
                            let r = t.get(&url).token(&caller).send().await;
                            match r.status {
                                StatusCode::OK => ok += 1,
                                StatusCode::BAD_REQUEST => {}
                                other => panic!("{url}: {other} {}", r.text()),
                            }
                        }
                        assert_eq!(ok, 1, "{base}: one key type must fit");
                    } else {
                        let c = token_of(&json!({"s": code, "k": [5]}));
                        let url = format!("{base}{}cursor={}", sep(&base), crate::harness::pct_public(&c));
                        assert_eq!(t.get(&url).token(&caller).send().await.status, StatusCode::OK, "{url}");
                    }
                }
            }
        }
        assert!(checked > 400, "{checked}");

        // The web pages show the list with a readable message instead of failing.
        let cookie = sign_in(&t, "chen.jing", castellan_app::demo::DEMO_PASSWORD, "en").await;
        let admin_cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "en").await;
        let pages = [
            "/users".to_owned(), "/departments".into(), "/assets".into(), "/threats".into(),
            "/vulnerabilities".into(), "/controls".into(), "/assessments".into(),
            format!("/assessments/{assessment}/risks"), "/tasks".into(), "/audit".into(),
        ];
        for path in pages {
            let who = if path == "/audit" { &admin_cookie } else { &cookie };
            for cursor in hostile("code", 2).into_iter().chain(hostile("name", 2)).take(24) {
                let url = format!("{path}?cursor={}", crate::harness::pct_public(&cursor));
                let r = page(&t, who, &url).await;
                assert!(
                    r.status == StatusCode::OK || r.status == StatusCode::BAD_REQUEST,
                    "{url}: {}",
                    r.status
                );
                assert!(r.text().contains("<html"), "{url}: not a page");
            }
        }
    }
}

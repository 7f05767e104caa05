//! Storage: migrations, schema versions, concurrency, several instances on one database.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use axum::http::StatusCode;
use castellan_app::{App, Settings};
use serde_json::json;

both! {
    async fn migrations_are_idempotent_and_a_newer_schema_is_refused(b: Backend) {
        let t = TestApp::new(b).await;
        let report = castellan_store::migrate::run(t.app.db()).await.unwrap();
        assert!(report.applied.is_empty());
        assert_eq!(report.current, castellan_store::migrate::latest_version());
        t.raw_sql("INSERT INTO castellan_schema (version, name, checksum, applied_at) VALUES (999, 'from the future', 'x', '2030-01-01T00:00:00.000000Z')").await;
        let settings = Settings { database_url: t.database_url.clone(), ..Settings::default() };
        let err = App::open(settings).await.unwrap_err().to_string();
        assert!(err.contains("version 999") && err.contains("newer"), "{err}");
    }

    async fn a_second_instance_shares_sessions_and_sees_disabling_at_once(b: Backend) {
        let t = TestApp::new(b).await;
        // Another instance on the same database (as behind a load balancer).
        let settings = Settings { database_url: t.database_url.clone(), ..Settings::default() };
        let other = App::open(settings).await.unwrap();
        let other_router = castellan_web::router(other.clone());
        let login = t.post("/api/v1/auth/login").json(&json!({"username": "admin", "password": ADMIN_PASSWORD})).send().await.json();
        let token = login["token"].as_str().unwrap();
        use tower::ServiceExt;
        let call = |tok: String| {
            let r = other_router.clone();
            async move {
                let req = axum::http::Request::get("/api/v1/me").header("authorization", format!("Bearer {tok}")).body(axum::body::Body::empty()).unwrap();
                r.oneshot(req).await.unwrap().status()
            }
        };
        assert_eq!(call(token.to_owned()).await, StatusCode::OK);
        let (u, utoken) = t.user_with("shared", &[("staff", None)]).await;
        assert_eq!(call(utoken.clone()).await, StatusCode::OK);
        t.patch(&format!("/api/v1/users/{}", u.id)).token(&t.admin_token).if_match(u.version).json(&json!({"status": "disabled"})).send().await;
        assert_eq!(call(utoken).await, StatusCode::UNAUTHORIZED);
        other.db().close().await;
    }

    async fn concurrent_writers_keep_one_unbroken_chain(b: Backend) {
        let t = TestApp::new(b).await;
        let mut handles = Vec::new();
        for i in 0..24 {
            let router = t.router.clone();
            let token = t.admin_token.clone();
            handles.push(tokio::spawn(async move {
                use tower::ServiceExt;
                let req = axum::http::Request::post("/api/v1/departments")
                    .header("authorization", format!("Bearer {token}"))
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(json!({"name": format!("Parallel {i}")}).to_string()))
                    .unwrap();
                router.oneshot(req).await.unwrap().status()
            }));
        }
        for h in handles {
            assert_eq!(h.await.unwrap(), StatusCode::CREATED);
        }
        assert_eq!(t.count("departments").await, 24);
        let v = castellan_app::audit::verify(&t.app).await.unwrap();
        assert!(v.error.is_none(), "{:?}", v.error);
        assert_eq!(v.checked, t.count("audit_log").await);
    }

    async fn sign_in_throttling_lives_in_the_database(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.login_account_failures = 2).await;
        for _ in 0..2 {
            t.post("/api/v1/auth/login").json(&json!({"username": "admin", "password": "nope nope nope"})).send().await;
        }
        // A fresh instance (no shared memory) still refuses.
        let settings = Settings { database_url: t.database_url.clone(), login_account_failures: 2, ..Settings::default() };
        let other = App::open(settings).await.unwrap();
        let attempt = castellan_app::org::auth::LoginAttempt {
            username: "admin", password: ADMIN_PASSWORD,
            kind: castellan_domain::org::TokenKind::Login, meta: &castellan_app::RequestMeta::default(),
        };
        let err = castellan_app::org::auth::login(&other, &attempt).await.unwrap_err();
        assert!(matches!(err.domain(), Some(castellan_domain::DomainError::Throttled { .. })), "{err:?}");
        other.db().close().await;
    }
}

#[tokio::test]
async fn bad_database_urls_and_paths_have_clear_messages() {
    let open = |url: &str| {
        let settings = Settings {
            database_url: url.into(),
            ..Settings::default()
        };
        async move { App::open(settings).await.unwrap_err().to_string() }
    };
    let e = open("mysql://localhost/x").await;
    assert!(
        e.contains("unsupported database URL") && e.contains("sqlite://"),
        "{e}"
    );
    let e = open("sqlite:///nonexistent-dir-xyz/c.db").await;
    assert!(
        e.contains("nonexistent-dir-xyz") && e.contains("not usable"),
        "{e}"
    );
    let e = open("sqlite::memory:").await;
    assert!(e.contains("in-memory"), "{e}");
    let e = open("postgres://nobody:secret-pw@127.0.0.1:1/none").await;
    assert!(
        e.contains("cannot open the database") && !e.contains("secret-pw"),
        "{e}"
    );
}

//! Bad input gets a clear problem document, never a 5xx, and changes nothing.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn malformed_bodies_are_refused_without_side_effects(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.body_limit_bytes = 4096).await;
        let a = t.token_admin();
        let d = t.department("Stable", None).await;
        let tables = ["departments", "users", "user_roles", "audit_log"];
        let mut before = Vec::new();
        for table in tables {
            before.push(t.count(table).await);
        }
        let cases: Vec<(&str, &str, &str, StatusCode)> = vec![
            ("POST", "/api/v1/departments", "{\"name\": ", StatusCode::BAD_REQUEST),
            ("POST", "/api/v1/departments", "[1,2,3]", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/departments", "{\"name\": 42}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/departments", "{\"name\": \"x\", \"parent_id\": \"one\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/departments", "{\"name\": \"x\", \"colour\": \"red\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/departments", "{\"name\": \"x\", \"parent_id\": 1e999}", StatusCode::BAD_REQUEST),
            ("POST", "/api/v1/departments", "{\"name\": \"\\u0000\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/users", "{\"username\": \"u1\", \"display_name\": \"U\", \"password\": \"long enough password\", \"roles\": [{\"role\": \"king\"}]}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/users", "{\"username\": \"u1\", \"display_name\": \"U\", \"password\": \"long enough password\", \"roles\": \"admin\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/users", "{\"username\": \"u1\", \"display_name\": \"U\", \"password\": \"long enough password\", \"status\": \"active\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("PATCH", "/api/v1/users/1", "{\"status\": \"sleeping\"}", StatusCode::UNPROCESSABLE_ENTITY),
            ("PATCH", "/api/v1/users/1", "{\"status\": null}", StatusCode::UNPROCESSABLE_ENTITY),
            ("POST", "/api/v1/auth/login", "{\"username\": [], \"password\": {}}", StatusCode::UNPROCESSABLE_ENTITY),
        ];
        for (method, path, body, expected) in cases {
            let mut req = t.req(method.parse().unwrap(), path).token(a).raw("application/json", body.to_owned());
            if method == "PATCH" {
                req = req.if_match(1);
            }
            let r = req.send().await;
            r.problem(expected);
        }
        // Not JSON at all, and a body over the limit.
        t.post("/api/v1/departments").token(a).raw("text/plain", "name=x").send().await.problem(StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(10_000));
        t.post("/api/v1/departments").token(a).raw("application/json", huge).send().await.problem(StatusCode::PAYLOAD_TOO_LARGE);
        // Bad path, query, header values.
        t.get("/api/v1/departments/abc").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/departments/99999999999999999999").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/departments?limit=lots").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/departments?limit=100000").token(a).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.get("/api/v1/departments?cursor=%%%").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/departments?roots=maybe").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/audit-log?cursor=eyJzIjoibmFtZSJ9").token(a).send().await.problem(StatusCode::BAD_REQUEST);
        t.patch(&format!("/api/v1/departments/{d}")).token(a).header("if-match", "\"-3\"").json(&json!({"name": "x"})).send().await.problem(StatusCode::BAD_REQUEST);
        for (i, table) in tables.iter().enumerate() {
            assert_eq!(t.count(table).await, before[i], "{table} changed");
        }
    }

    async fn unknown_routes_and_methods_are_problems_too(b: Backend) {
        let t = TestApp::new(b).await;
        t.get("/api/v1/nothing-here").send().await.problem(StatusCode::NOT_FOUND);
        t.get("/api/v2/users").send().await.problem(StatusCode::NOT_FOUND);
        let r = t.req("PUT".parse().unwrap(), "/api/v1/departments").token(t.token_admin()).send().await;
        r.problem(StatusCode::METHOD_NOT_ALLOWED);
        assert!(r.header("allow").is_some());
        // Pages answer with a page, not JSON.
        let page = t.get("/no/such/page").header("accept-language", "zh-CN").send().await;
        assert_eq!(page.status, StatusCode::NOT_FOUND);
        assert!(page.text().contains("未找到"), "{}", page.text());
    }

    async fn operations_endpoints(b: Backend) {
        let t = TestApp::new(b).await;
        assert_eq!(t.get("/healthz").send().await.json()["status"], "ok");
        assert_eq!(t.get("/readyz").send().await.json()["status"], "ok");
        t.get("/api/v1/me").token(t.token_admin()).send().await;
        let m = t.get("/metrics").send().await;
        assert!(m.header("content-type").unwrap().starts_with("text/plain"));
        let text = m.text();
        assert!(text.contains("castellan_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("castellan_http_request_duration_seconds_bucket{route=\"/api/v1/me\",le=\"+Inf\"} 1"));
        assert!(text.contains("castellan_db_connections{state=\"open\"}"));
        let spec = t.get("/api/v1/openapi.json").send().await.json();
        assert_eq!(spec["openapi"], "3.1.0");
        assert!(spec["components"]["schemas"]["Problem"].is_object());
        assert!(spec["components"]["securitySchemes"]["bearer"].is_object());
        // Every response carries the security headers.
        let r = t.get("/healthz").send().await;
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(r.header("referrer-policy"), Some("same-origin"));
        assert!(r.header("x-request-id").is_some());
    }
}

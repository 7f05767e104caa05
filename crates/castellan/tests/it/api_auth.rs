//! Sign-in, tokens, throttling, password rules, disabling.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn login_issues_a_bearer_token_stored_only_as_a_hash(b: Backend) {
        let t = TestApp::new(b).await;
        let r = t.post("/api/v1/auth/login").json(&json!({"username": "Admin", "password": ADMIN_PASSWORD})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let token = r.json()["token"].as_str().unwrap().to_owned();
        assert!(token.starts_with("cst_"));
        assert!(r.json()["user"]["last_login_at"].is_string());
        let me = t.get("/api/v1/me").token(&token).send().await;
        assert_eq!(me.json()["username"], "admin");
        assert_eq!(me.header("etag"), Some("\"1\""));
        // The database holds the SHA-256 of the token, never the token.
        let hashes: Vec<String> = t.rows("SELECT token_hash FROM auth_tokens").await.into_iter().map(|mut r| r.take::<String, _>(0).unwrap()).collect();
        assert!(hashes.contains(&castellan_app::secret::token_hash(&token)));
        assert!(!hashes.contains(&token));
        let stored = t.scalar("SELECT password_hash FROM users WHERE username = 'admin'", &[]).await.unwrap();
        assert!(stored.starts_with("$argon2id$"), "{stored}");
    }

    async fn wrong_credentials_get_the_same_answer(b: Backend) {
        let t = TestApp::new(b).await;
        let wrong = t.post("/api/v1/auth/login").json(&json!({"username": "admin", "password": "not the password"})).send().await;
        let unknown = t.post("/api/v1/auth/login").json(&json!({"username": "nobody", "password": "not the password"})).send().await;
        let a = wrong.problem(StatusCode::UNAUTHORIZED);
        let b2 = unknown.problem(StatusCode::UNAUTHORIZED);
        assert_eq!(a["detail"], b2["detail"]);
        t.get("/api/v1/me").token("cst_forged").send().await.problem(StatusCode::UNAUTHORIZED);
        t.get("/api/v1/me").header("authorization", "Basic YWRtaW46eA==").send().await.problem(StatusCode::UNAUTHORIZED);
    }

    async fn repeated_failures_are_throttled_per_account_and_per_address(b: Backend) {
        let t = TestApp::with_settings(b, |s| {
            s.trust_forwarded_for = true;
            s.login_account_failures = 3;
            s.login_address_failures = 5;
        }).await;
        for _ in 0..3 {
            t.post("/api/v1/auth/login").header("x-forwarded-for", "10.0.0.1")
                .json(&json!({"username": "admin", "password": "wrong password!"})).send().await
                .problem(StatusCode::UNAUTHORIZED);
        }
        // The account is locked, even with the right password.
        let r = t.post("/api/v1/auth/login").header("x-forwarded-for", "10.0.0.2")
            .json(&json!({"username": "admin", "password": ADMIN_PASSWORD})).send().await;
        let p = r.problem(StatusCode::TOO_MANY_REQUESTS);
        let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
        assert!(retry > 0 && retry <= 15 * 60, "{retry}");
        assert_eq!(p["retry_after"].as_u64(), Some(retry));
        // One address guessing many accounts is throttled too.
        for i in 0..5 {
            t.post("/api/v1/auth/login").header("x-forwarded-for", "10.9.9.9")
                .json(&json!({"username": format!("guess{i}"), "password": "wrong password!"})).send().await
                .problem(StatusCode::UNAUTHORIZED);
        }
        t.post("/api/v1/auth/login").header("x-forwarded-for", "10.9.9.9")
            .json(&json!({"username": "someone-else", "password": "wrong password!"})).send().await
            .problem(StatusCode::TOO_MANY_REQUESTS);
        // Failed sign-ins are in the audit log, without the password.
        let log = t.get("/api/v1/audit-log?action=login_failed&limit=200").token(&t.admin_token).send().await;
        assert!(log.json()["items"].as_array().unwrap().len() >= 8);
        assert!(!log.text().contains("wrong password!"));
    }

    async fn logout_ends_the_token(b: Backend) {
        let t = TestApp::new(b).await;
        let token = t.post("/api/v1/auth/login").json(&json!({"username": "admin", "password": ADMIN_PASSWORD})).send().await.json()["token"].as_str().unwrap().to_owned();
        assert_eq!(t.post("/api/v1/auth/logout").token(&token).send().await.status, StatusCode::NO_CONTENT);
        t.get("/api/v1/me").token(&token).send().await.problem(StatusCode::UNAUTHORIZED);
        // Other credentials of the same user keep working.
        assert_eq!(t.get("/api/v1/me").token(&t.admin_token).send().await.status, StatusCode::OK);
    }

    async fn disabling_a_user_ends_every_credential_at_once(b: Backend) {
        let t = TestApp::new(b).await;
        let (user, token) = t.user_with("dora", &[("assessor", None)]).await;
        let login = t.post("/api/v1/auth/login").json(&json!({"username": "dora", "password": ADMIN_PASSWORD})).send().await.json()["token"].as_str().unwrap().to_owned();
        assert_eq!(t.get("/api/v1/me").token(&token).send().await.status, StatusCode::OK);
        let r = t.patch(&format!("/api/v1/users/{}", user.id)).token(&t.admin_token).if_match(user.version)
            .json(&json!({"status": "disabled"})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        t.get("/api/v1/me").token(&token).send().await.problem(StatusCode::UNAUTHORIZED);
        t.get("/api/v1/me").token(&login).send().await.problem(StatusCode::UNAUTHORIZED);
        t.post("/api/v1/auth/login").json(&json!({"username": "dora", "password": ADMIN_PASSWORD})).send().await.problem(StatusCode::UNAUTHORIZED);
        // Enabling again does not bring the old credentials back.
        let v = r.json()["version"].as_i64().unwrap();
        t.patch(&format!("/api/v1/users/{}", user.id)).token(&t.admin_token).if_match(v)
            .json(&json!({"status": "active"})).send().await;
        t.get("/api/v1/me").token(&token).send().await.problem(StatusCode::UNAUTHORIZED);
    }

    async fn personal_tokens_are_shown_once_listed_without_secret_and_revocable(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, token) = t.user_with("tess", &[("staff", None)]).await;
        let created = t.post("/api/v1/me/tokens").token(&token).json(&json!({"name": "CI pipeline", "expires_in_days": 30})).send().await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        let secret = created.json()["token"].as_str().unwrap().to_owned();
        let id = created.json()["info"]["id"].as_i64().unwrap();
        assert!(created.json()["info"]["expires_at"].is_string());
        let list = t.get("/api/v1/me/tokens").token(&token).send().await;
        assert!(!list.text().contains(&secret));
        assert!(list.json()["items"].as_array().unwrap().iter().any(|x| x["name"] == "CI pipeline"));
        assert_eq!(t.get("/api/v1/me").token(&secret).send().await.status, StatusCode::OK);
        let revoked = t.delete(&format!("/api/v1/me/tokens/{id}")).token(&token).send().await;
        assert_eq!(revoked.status, StatusCode::OK);
        assert!(revoked.json()["revoked_at"].is_string());
        t.get("/api/v1/me").token(&secret).send().await.problem(StatusCode::UNAUTHORIZED);
        t.delete(&format!("/api/v1/me/tokens/{id}")).token(&token).send().await.problem(StatusCode::CONFLICT);
        // Someone else's token is not found, not revocable.
        let admin_tokens = t.get("/api/v1/me/tokens").token(&t.admin_token).send().await.json();
        let admin_token_id = admin_tokens["items"][0]["id"].as_i64().unwrap();
        t.delete(&format!("/api/v1/me/tokens/{admin_token_id}")).token(&token).send().await.problem(StatusCode::NOT_FOUND);
        // Bad lifetimes and names.
        let p = t.post("/api/v1/me/tokens").token(&token).json(&json!({"name": "", "expires_in_days": 0})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["name"].is_string() && p["errors"]["expires_in_days"].is_string());
    }

    async fn changing_the_own_password_checks_the_old_one_and_ends_other_sessions(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, token) = t.user_with("pat", &[("staff", None)]).await;
        let other = t.post("/api/v1/auth/login").json(&json!({"username": "pat", "password": ADMIN_PASSWORD})).send().await.json()["token"].as_str().unwrap().to_owned();
        let p = t.post("/api/v1/me/password").token(&token).json(&json!({"current_password": "wrong", "new_password": "short"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["current_password"].is_string() && p["errors"]["new_password"].is_string());
        let p = t.post("/api/v1/me/password").token(&token).json(&json!({"current_password": ADMIN_PASSWORD, "new_password": "pat-is-my-password"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["new_password"].as_str().unwrap().contains("username"));
        let ok = t.post("/api/v1/me/password").token(&token).json(&json!({"current_password": ADMIN_PASSWORD, "new_password": "a much better passphrase"})).send().await;
        assert_eq!(ok.status, StatusCode::NO_CONTENT, "{}", ok.text());
        assert_eq!(t.get("/api/v1/me").token(&token).send().await.status, StatusCode::OK);
        t.get("/api/v1/me").token(&other).send().await.problem(StatusCode::UNAUTHORIZED);
        t.post("/api/v1/auth/login").json(&json!({"username": "pat", "password": ADMIN_PASSWORD})).send().await.problem(StatusCode::UNAUTHORIZED);
        assert_eq!(t.post("/api/v1/auth/login").json(&json!({"username": "pat", "password": "a much better passphrase"})).send().await.status, StatusCode::OK);
    }

    async fn own_profile_and_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (user, token) = t.user_with("lin", &[]).await;
        let r = t.patch("/api/v1/me").token(&token).if_match(user.version).json(&json!({"language": "zh-CN", "display_name": "林"})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["language"], "zh-CN");
        // Department, roles and status are not self-service.
        t.patch("/api/v1/me").token(&token).if_match(r.json()["version"].as_i64().unwrap())
            .json(&json!({"roles": [{"role": "admin"}]})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.patch("/api/v1/me").token(&token).if_match(1).json(&json!({"language": "fr"})).send().await.problem(StatusCode::PRECONDITION_FAILED);
        t.patch("/api/v1/me").token(&token).if_match(r.json()["version"].as_i64().unwrap()).json(&json!({"language": "fr"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    }
}

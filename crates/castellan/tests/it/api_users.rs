//! Users and role assignments through the API.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn create_with_roles_and_read_back(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let dept = t.department("安全部", None).await;
        let r = t.post("/api/v1/users").token(a).json(&json!({
            "username": " Wang.Wei ", "display_name": "王伟", "email": "wang.wei@example.cn",
            "department_id": dept, "position": "安全主管", "password": "a long enough passphrase",
            "roles": [{"role": "security_officer"}, {"role": "assessor", "department_id": dept}],
            "language": "zh-CN"
        })).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        let u = r.json();
        assert_eq!(u["username"], "wang.wei");
        assert!(u.get("password").is_none() && !r.text().contains("passphrase"));
        assert_eq!(r.header("location").unwrap(), format!("/api/v1/users/{}", u["id"]));
        assert_eq!(u["roles"].as_array().unwrap().len(), 2);
        let got = t.get(&format!("/api/v1/users/{}", u["id"])).token(a).send().await.json();
        assert_eq!(got, u);
        // The username is taken whatever its case.
        let p = t.post("/api/v1/users").token(a).json(&json!({"username": "WANG.WEI", "display_name": "x", "password": "a long enough passphrase"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["username"].is_string());
    }

    async fn every_bad_field_is_reported_at_once_and_nothing_is_written(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let users_before = t.count("users").await;
        let audit_before = t.count("audit_log").await;
        let p = t.post("/api/v1/users").token(a).json(&json!({
            "username": "_bad name", "display_name": "", "email": "not-an-email",
            "department_id": 424242, "password": "short",
            "roles": [{"role": "overlord"}, {"role": "auditor", "department_id": 99999}, {"role": "staff"}, {"role": "staff"}],
            "language": "klingon"
        })).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let errors = p["errors"].as_object().unwrap();
        for field in ["username", "display_name", "email", "department_id", "password", "roles[0].role", "roles[1].department_id", "roles[3]", "language"] {
            assert!(errors.contains_key(field), "{field} not reported: {errors:?}");
        }
        assert_eq!(t.count("users").await, users_before);
        assert_eq!(t.count("audit_log").await, audit_before);
    }

    async fn list_filters_sorts_and_pages(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let hq = t.department("HQ", None).await;
        let it = t.department("IT", Some(hq)).await;
        let sales = t.department("Sales", Some(hq)).await;
        for i in 0..7 {
            t.user_in(&format!("it{i}"), Some(it), &[("network_admin", None)]).await;
        }
        for i in 0..4 {
            t.user_in(&format!("sales{i}"), Some(sales), &[("staff", None)]).await;
        }
        let (quiet, _) = t.user_in("quiet", Some(sales), &[]).await;
        t.patch(&format!("/api/v1/users/{}", quiet.id)).token(a).if_match(quiet.version).json(&json!({"status": "disabled"})).send().await;
        assert_eq!(listed(&t, &format!("/api/v1/users?department_id={hq}&limit=200")).await, 12);
        assert_eq!(listed(&t, &format!("/api/v1/users?department_id={it}")).await, 7);
        assert_eq!(listed(&t, "/api/v1/users?role=network_admin").await, 7);
        assert_eq!(listed(&t, "/api/v1/users?status=disabled").await, 1);
        assert_eq!(listed(&t, "/api/v1/users?q=SALES").await, 4);
        let desc = t.get("/api/v1/users?sort=-username&limit=3").token(a).send().await.json();
        let names: Vec<&str> = desc["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert_eq!(names, vec!["sales3", "sales2", "sales1"]);
        // Walk all pages.
        let mut all = Vec::new();
        let mut url = "/api/v1/users?limit=4".to_owned();
        loop {
            let page = t.get(&url).token(a).send().await.json();
            all.extend(page["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/users?limit=4&cursor={c}"),
                None => break,
            }
        }
        let mut sorted = all.clone();
        sorted.sort();
        assert_eq!(all, sorted);
        assert_eq!(all.len(), 13);
        t.get("/api/v1/users?role=emperor").token(a).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.get("/api/v1/users?sort=password_hash").token(a).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.get("/api/v1/users?limit=0").token(a).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.get("/api/v1/users?department_id=777777").token(a).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn the_last_administrator_cannot_be_removed_and_nobody_locks_themselves_out(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let admin = t.admin.clone();
        let p = t.patch(&format!("/api/v1/users/{}", admin.id)).token(a).if_match(admin.version).json(&json!({"status": "disabled"})).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:self_lockout");
        t.patch(&format!("/api/v1/users/{}", admin.id)).token(a).if_match(admin.version).json(&json!({"roles": []})).send().await.problem(StatusCode::CONFLICT);
        // A second administrator may not remove the last other one either.
        let (second, second_token) = t.user_with("second-admin", &[("admin", None)]).await;
        let ok = t.patch(&format!("/api/v1/users/{}", admin.id)).token(&second_token).if_match(admin.version).json(&json!({"roles": [{"role": "auditor"}]})).send().await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        let p = t.patch(&format!("/api/v1/users/{}", second.id)).token(&second_token).if_match(second.version).json(&json!({"status": "disabled"})).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:self_lockout");
    }

    async fn updates_need_the_current_version(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let (u, _) = t.user_with("vera", &[]).await;
        t.patch(&format!("/api/v1/users/{}", u.id)).token(a).json(&json!({"position": "x"})).send().await.problem(StatusCode::PRECONDITION_REQUIRED);
        t.patch(&format!("/api/v1/users/{}", u.id)).token(a).header("if-match", "banana").json(&json!({"position": "x"})).send().await.problem(StatusCode::BAD_REQUEST);
        let first = t.patch(&format!("/api/v1/users/{}", u.id)).token(a).if_match(u.version).json(&json!({"position": "Analyst"})).send().await;
        assert_eq!(first.status, StatusCode::OK);
        let stale = t.patch(&format!("/api/v1/users/{}", u.id)).token(a).if_match(u.version).json(&json!({"position": "Overwritten"})).send().await;
        stale.problem(StatusCode::PRECONDITION_FAILED);
        let now = t.get(&format!("/api/v1/users/{}", u.id)).token(a).send().await.json();
        assert_eq!(now["position"], "Analyst");
        t.patch("/api/v1/users/999999").token(a).if_match(1).json(&json!({})).send().await.problem(StatusCode::NOT_FOUND);
    }

    async fn administrators_reset_passwords_which_ends_sessions(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let (u, token) = t.user_with("rosa", &[("staff", None)]).await;
        let p = t.post(&format!("/api/v1/users/{}/password", u.id)).token(a).json(&json!({"password": "rosa-password-123"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["password"].is_string());
        assert_eq!(t.post(&format!("/api/v1/users/{}/password", u.id)).token(a).json(&json!({"password": "brand new secret words"})).send().await.status, StatusCode::NO_CONTENT);
        t.get("/api/v1/me").token(&token).send().await.problem(StatusCode::UNAUTHORIZED);
        assert_eq!(t.post("/api/v1/auth/login").json(&json!({"username": "rosa", "password": "brand new secret words"})).send().await.status, StatusCode::OK);
        t.post("/api/v1/auth/login").json(&json!({"username": "rosa", "password": "wrong wrong wrong"})).send().await.problem(StatusCode::UNAUTHORIZED);
        assert!(t.assert_audit_codes_declared().await >= 4);
    }

    async fn staff_see_themselves_but_not_the_directory(b: Backend) {
        let t = TestApp::new(b).await;
        let (me, token) = t.user_with("sam", &[("staff", None)]).await;
        t.get("/api/v1/users").token(&token).send().await.problem(StatusCode::FORBIDDEN);
        t.get(&format!("/api/v1/users/{}", t.admin.id)).token(&token).send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/me").token(&token).send().await.json()["id"], me.id.0);
        let roles = t.get("/api/v1/roles").token(&token).send().await.json();
        assert_eq!(roles["items"].as_array().unwrap().len(), 11);
        let auditor = roles["items"].as_array().unwrap().iter().find(|r| r["code"] == "auditor").unwrap();
        assert!(auditor["permissions"].as_array().unwrap().iter().all(|p| p["action"] == "read" || p["resource"] == "own_account"));
        assert_eq!(auditor["name"]["zh-CN"], "审计员");
    }
}

async fn listed(t: &TestApp, url: &str) -> usize {
    t.get(url).token(t.token_admin()).send().await.json()["items"]
        .as_array()
        .unwrap()
        .len()
}

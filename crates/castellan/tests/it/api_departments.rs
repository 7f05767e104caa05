//! The department tree through the API.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn create_read_update_and_move_a_subtree(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let hq = t.department("总公司", None).await;
        let it = t.department("信息中心", Some(hq)).await;
        let sec = t.department("安全组", Some(it)).await;
        let ops = t.department("运维部", Some(hq)).await;
        let r = t.get(&format!("/api/v1/departments/{sec}")).token(a).send().await;
        assert_eq!(r.json()["path"], json!([hq, it, sec]));
        // Move 信息中心 (with its team) below 运维部.
        let moved = t.patch(&format!("/api/v1/departments/{it}")).token(a).if_match(1).json(&json!({"parent_id": ops})).send().await;
        assert_eq!(moved.status, StatusCode::OK, "{}", moved.text());
        assert_eq!(moved.json()["version"], 2);
        assert_eq!(moved.header("etag"), Some("\"2\""));
        let r = t.get(&format!("/api/v1/departments/{sec}")).token(a).send().await;
        assert_eq!(r.json()["path"], json!([hq, ops, it, sec]));
        let within = t.get(&format!("/api/v1/departments?within={ops}")).token(a).send().await.json();
        assert_eq!(within["items"].as_array().unwrap().len(), 3);
        // To the top level.
        let top = t.patch(&format!("/api/v1/departments/{it}")).token(a).if_match(2).json(&json!({"parent_id": null})).send().await;
        assert_eq!(top.json()["parent_id"], json!(null));
        let r = t.get(&format!("/api/v1/departments/{sec}")).token(a).send().await;
        assert_eq!(r.json()["path"], json!([it, sec]));
        let roots = t.get("/api/v1/departments?roots=true").token(a).send().await.json();
        assert_eq!(roots["items"].as_array().unwrap().len(), 2);
    }

    async fn names_are_unique_among_siblings_and_codes_everywhere(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let hq = t.department("HQ", None).await;
        t.department("Finance", Some(hq)).await;
        let dup = t.post("/api/v1/departments").token(a).json(&json!({"name": "Finance", "parent_id": hq})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup["errors"]["name"].is_string());
        // The same name elsewhere is fine.
        let other = t.department("Branch", None).await;
        t.department("Finance", Some(other)).await;
        let c = t.post("/api/v1/departments").token(a).json(&json!({"name": "Legal", "code": "LGL"})).send().await;
        assert_eq!(c.status, StatusCode::CREATED);
        let p = t.post("/api/v1/departments").token(a).json(&json!({"name": "Legal 2", "code": "LGL"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["code"].is_string());
        let p = t.post("/api/v1/departments").token(a).json(&json!({"name": "X", "code": "has space", "parent_id": 99999})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["code"].is_string());
        assert!(p["errors"]["parent_id"].is_string());
    }

    async fn a_department_cannot_go_below_itself(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let top = t.department("Top", None).await;
        let mid = t.department("Mid", Some(top)).await;
        let low = t.department("Low", Some(mid)).await;
        let before = t.count("audit_log").await;
        t.patch(&format!("/api/v1/departments/{top}")).token(a).if_match(1).json(&json!({"parent_id": low})).send().await.problem(StatusCode::CONFLICT);
        t.patch(&format!("/api/v1/departments/{top}")).token(a).if_match(1).json(&json!({"parent_id": top})).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(t.count("audit_log").await, before);
        let r = t.get(&format!("/api/v1/departments/{top}")).token(a).send().await.json();
        assert_eq!(r["parent_id"], json!(null));
        assert_eq!(r["version"], 1);
    }

    async fn only_empty_departments_are_deleted(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let parent = t.department("Parent", None).await;
        let child = t.department("Child", Some(parent)).await;
        t.delete(&format!("/api/v1/departments/{parent}")).token(a).send().await.problem(StatusCode::CONFLICT);
        let (member, _) = t.user_in("member", Some(child), &[]).await;
        let p = t.delete(&format!("/api/v1/departments/{child}")).token(a).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:department_has_members");
        t.patch(&format!("/api/v1/users/{}", member.id)).token(a).if_match(member.version).json(&json!({"department_id": null})).send().await;
        let (_, _) = t.user_with("scoped", &[("auditor", Some(child))]).await;
        let p = t.delete(&format!("/api/v1/departments/{child}")).token(a).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:department_scopes_roles");
        let lonely = t.department("Lonely", Some(parent)).await;
        t.delete(&format!("/api/v1/departments/{lonely}")).token(a).if_match(7).send().await.problem(StatusCode::PRECONDITION_FAILED);
        assert_eq!(t.delete(&format!("/api/v1/departments/{lonely}")).token(a).if_match(1).send().await.status, StatusCode::NO_CONTENT);
        t.get(&format!("/api/v1/departments/{lonely}")).token(a).send().await.problem(StatusCode::NOT_FOUND);
        t.delete(&format!("/api/v1/departments/{lonely}")).token(a).send().await.problem(StatusCode::NOT_FOUND);
    }

    async fn cursor_paging_visits_every_department_once_in_order(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        for i in 0..23 {
            t.department(&format!("部门{i:02}"), None).await;
        }
        for sort in ["name", "-name", "created_at", "-created_at", "code"] {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut url = format!("/api/v1/departments?limit=5&sort={sort}");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let page = t.get(&url).token(a).send().await.json();
                for item in page["items"].as_array().unwrap() {
                    seen.push(item["name"].as_str().unwrap().to_owned());
                }
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            assert_eq!(seen.len(), 23, "{sort}");
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), 23, "{sort}: duplicates");
            if sort == "name" {
                assert_eq!(seen, unique);
            }
            if sort == "-name" {
                unique.reverse();
                assert_eq!(seen, unique);
            }
        }
        // A cursor of one sort is refused by another.
        let page = t.get("/api/v1/departments?limit=5&sort=name").token(a).send().await.json();
        let c = page["next_cursor"].as_str().unwrap();
        let p = t.get(&format!("/api/v1/departments?limit=5&sort=-name&cursor={c}")).token(a).send().await.problem(StatusCode::BAD_REQUEST);
        assert!(p["detail"].as_str().unwrap().contains("cursor"));
    }

    async fn search_matches_chinese_substrings_and_codes(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        t.department("网络安全管理部", None).await;
        t.department("财务部", None).await;
        t.post("/api/v1/departments").token(a).json(&json!({"name": "Data office", "code": "DATA-01"})).send().await;
        let names = |v: serde_json::Value| -> Vec<String> { v["items"].as_array().unwrap().iter().map(|d| d["name"].as_str().unwrap().to_owned()).collect() };
        let q = |s: &str| format!("/api/v1/departments?q={}", crate::harness::pct_public(s));
        assert_eq!(names(t.get(&q("安全")).token(a).send().await.json()), vec!["网络安全管理部"]);
        assert_eq!(names(t.get(&q("data-0")).token(a).send().await.json()), vec!["Data office"]);
        assert!(names(t.get(&q("%")).token(a).send().await.json()).is_empty());
    }
}

//! The audit trail: every change recorded in its own transaction, hash-chained, verified.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Backend, TestApp};
use axum::http::StatusCode;
use serde_json::json;

async fn some_history(t: &TestApp) -> i64 {
    let a = t.token_admin();
    let d = t.department("Audit HQ", None).await;
    t.patch(&format!("/api/v1/departments/{d}"))
        .token(a)
        .if_match(1)
        .json(&json!({"name": "Audit Head Office"}))
        .send()
        .await;
    t.user_with("audited", &[("staff", None)]).await;
    t.post("/api/v1/auth/login")
        .json(&json!({"username": "audited", "password": ADMIN_PASSWORD}))
        .send()
        .await;
    d
}

both! {
    async fn changes_are_recorded_with_before_and_after(b: Backend) {
        let t = TestApp::new(b).await;
        let d = some_history(&t).await;
        let (_, auditor) = t.user_with("aud", &[("auditor", None)]).await;
        let log = t.get(&format!("/api/v1/audit-log?entity_type=department&entity_id={d}")).token(&auditor).send().await.json();
        let items = log["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["action"], "update");
        assert_eq!(items[0]["before"]["name"], "Audit HQ");
        assert_eq!(items[0]["after"]["name"], "Audit Head Office");
        assert_eq!(items[0]["actor"], "admin");
        assert_eq!(items[1]["action"], "create");
        assert!(items[1]["before"].is_null());
        // Filters by actor and time.
        let by_admin = t.get(&format!("/api/v1/audit-log?actor_id={}&limit=200", t.admin.id)).token(&auditor).send().await.json();
        assert!(by_admin["items"].as_array().unwrap().iter().all(|e| e["actor_id"] == t.admin.id.0));
        let future = t.get("/api/v1/audit-log?from=2999-01-01").token(&auditor).send().await.json();
        assert!(future["items"].as_array().unwrap().is_empty());
        let past = t.get("/api/v1/audit-log?to=2000-01-01T00:00:00Z").token(&auditor).send().await.json();
        assert!(past["items"].as_array().unwrap().is_empty());
        t.get("/api/v1/audit-log?from=yesterday").token(&auditor).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        // Staff may not read it; the auditor may not write anything.
        let (_, staff) = t.user_with("st", &[("staff", None)]).await;
        t.get("/api/v1/audit-log").token(&staff).send().await.problem(StatusCode::FORBIDDEN);
        t.post("/api/v1/departments").token(&auditor).json(&json!({"name": "nope"})).send().await.problem(StatusCode::FORBIDDEN);
    }

    async fn no_secret_ever_reaches_the_audit_log(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        let (_, token) = t.user_with("secretive", &[]).await;
        let created = t.post("/api/v1/me/tokens").token(&token).json(&json!({"name": "bot"})).send().await.json();
        let secret = created["token"].as_str().unwrap().to_owned();
        t.post("/api/v1/me/password").token(&token).json(&json!({"current_password": ADMIN_PASSWORD, "new_password": "another fine passphrase"})).send().await;
        t.post("/api/v1/auth/login").json(&json!({"username": "secretive", "password": "guessing-wrongly-123"})).send().await;
        let rows = t.rows("SELECT COALESCE(before_data, '') || COALESCE(after_data, '') || actor FROM audit_log").await;
        let all: String = rows.into_iter().map(|mut r| r.take::<String, _>(0).unwrap()).collect();
        for forbidden in [ADMIN_PASSWORD, "another fine passphrase", "guessing-wrongly-123", secret.as_str(), "$argon2", "password_hash", "token_hash"] {
            assert!(!all.contains(forbidden), "{forbidden} found in the audit log");
        }
    }

    async fn the_chain_verifies_and_the_database_refuses_edits(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        let v = castellan_app::audit::verify(&t.app).await.unwrap();
        assert!(v.error.is_none(), "{:?}", v.error);
        assert!(v.checked >= 6);
        let (_, auditor) = t.user_with("aud", &[("auditor", None)]).await;
        let api = t.get("/api/v1/audit-log/verification").token(&auditor).send().await.json();
        assert_eq!(api["intact"], true);
        // Append-only: the database itself refuses UPDATE and DELETE.
        assert!(!t.try_sql("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1").await);
        assert!(!t.try_sql("DELETE FROM audit_log WHERE seq = 1").await);
        assert!(castellan_app::audit::verify(&t.app).await.unwrap().error.is_none());
    }

    async fn an_edited_entry_is_named(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        drop_append_only_guard(&t).await;
        t.raw_sql("UPDATE audit_log SET after_data = '{\"name\":\"forged\"}' WHERE seq = 3").await;
        let v = castellan_app::audit::verify(&t.app).await.unwrap();
        let e = v.error.expect("tampering detected");
        assert_eq!(e.first_bad_seq(), 3);
        assert!(e.to_string().contains("entry 3"), "{e}");
        let (_, auditor) = t.user_with("aud2", &[("auditor", None)]).await;
        let api = t.get("/api/v1/audit-log/verification").token(&auditor).send().await.json();
        assert_eq!(api["intact"], false);
        assert_eq!(api["first_bad_seq"], 3);
    }

    async fn a_deleted_entry_is_named(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        drop_append_only_guard(&t).await;
        t.raw_sql("DELETE FROM audit_log WHERE seq = 2").await;
        let e = castellan_app::audit::verify(&t.app).await.unwrap().error.expect("detected");
        assert_eq!(e.first_bad_seq(), 2);
    }

    async fn a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        drop_append_only_guard(&t).await;
        // The attacker edits entry 2 and recomputes its own hash correctly.
        let row = t.rows("SELECT seq, at, actor_id, actor, action, entity_type, entity_id, before_data, after_data, client_ip, request_id, prev_hash FROM audit_log WHERE seq = 2").await.remove(0);
        let get = |i: usize| row.try_get::<Option<String>, _>(i).unwrap();
        let mut e = castellan_domain::audit::AuditEntry {
            seq: 2, at: get(1).unwrap(), actor_id: row.try_get(2).unwrap(), actor: "mallory".into(), action: get(4).unwrap(),
            entity_type: get(5).unwrap(), entity_id: get(6), before: get(7), after: get(8),
            client_ip: get(9), request_id: get(10), prev_hash: get(11).unwrap(), hash: String::new(),
        };
        e.hash = e.compute_hash();
        t.raw_sql(&format!("UPDATE audit_log SET actor = 'mallory', hash = '{}' WHERE seq = 2", e.hash)).await;
        let err = castellan_app::audit::verify(&t.app).await.unwrap().error.expect("detected");
        assert_eq!(err.first_bad_seq(), 3);
    }

    async fn removing_the_newest_entries_is_detected(b: Backend) {
        let t = TestApp::new(b).await;
        some_history(&t).await;
        drop_append_only_guard(&t).await;
        let last = t.count("audit_log").await;
        t.raw_sql(&format!("DELETE FROM audit_log WHERE seq >= {}", last - 1)).await;
        let e = castellan_app::audit::verify(&t.app).await.unwrap().error.expect("detected");
        assert_eq!(e.first_bad_seq(), last - 1);
    }

    async fn a_refused_change_leaves_no_entry(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.token_admin();
        let d = t.department("Only", None).await;
        let before = t.count("audit_log").await;
        t.post("/api/v1/departments").token(a).json(&json!({"name": "Only"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.patch(&format!("/api/v1/departments/{d}")).token(a).if_match(5).json(&json!({"name": "x"})).send().await.problem(StatusCode::PRECONDITION_FAILED);
        t.delete("/api/v1/departments/99999").token(a).send().await.problem(StatusCode::NOT_FOUND);
        assert_eq!(t.count("audit_log").await, before);
    }
}

/// An attacker with database access removes the append-only triggers first.
pub async fn drop_append_only_guard(t: &TestApp) {
    match t.backend {
        Backend::Sqlite => {
            t.raw_sql("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete")
                .await;
        }
        Backend::Postgres => {
            t.raw_sql("DROP TRIGGER audit_log_append_only ON audit_log")
                .await;
        }
    }
}

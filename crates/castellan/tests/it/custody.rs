//! Privileged-password custody (SPEC §6.6): a root-password handover is recorded, the
//! warning about the missing password change appears (in the security officer's "waiting
//! for me" too, and as a task for the new holder) and clears when the change date is
//! entered; handovers to the current holder or to a disabled user are refused with nothing
//! changed; every warning; stale versions; who may do what.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use castellan_domain::Timestamp;
use serde_json::{Value, json};
use time::Duration;

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn created(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn code(r: &Resp, status: StatusCode) -> String {
    r.problem(status)["type"]
        .as_str()
        .unwrap_or_default()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn days_ago(n: i64) -> String {
    Timestamp::now().plus(Duration::days(-n)).to_rfc3339()
}

fn warnings(v: &Value) -> Vec<String> {
    v["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap().to_owned())
        .collect()
}

async fn asset(t: &TestApp, token: &str, code: &str) -> i64 {
    let a = created(
        t.post("/api/v1/assets")
            .token(token)
            .json(
                &json!({"code": code, "name": format!("核心系统 {code}"), "category": "server",
                "confidentiality": 5, "integrity": 5, "availability": 4}),
            )
            .send()
            .await,
    );
    a["id"].as_i64().unwrap()
}

async fn disable(t: &TestApp, id: i64) {
    let u = ok(t
        .get(&format!("/api/v1/users/{id}"))
        .token(t.token_admin())
        .send()
        .await);
    ok(t.patch(&format!("/api/v1/users/{id}"))
        .token(t.token_admin())
        .if_match(u["version"].as_i64().unwrap())
        .json(&json!({"status": "disabled"}))
        .send()
        .await);
}

both! {
    async fn a_root_handover_waits_for_its_password_change_and_clears_when_it_is_entered(b: Backend) {
        let t = TestApp::new(b).await;
        let it = t.department("信息技术部", None).await;
        let (_, so) = t.user_in("sec.chen", Some(it), &[("security_officer", None)]).await;
        let (wang, wang_tok) = t.user_in("ops.wang", Some(it), &[("network_admin", None)]).await;
        let (li, li_tok) = t.user_in("ops.li", Some(it), &[("network_admin", None)]).await;
        let (zhao, _) = t.user_in("ops.zhao", Some(it), &[("staff", None)]).await;
        let (witness, _) = t.user_in("audit.sun", Some(it), &[("auditor", None)]).await;
        let sys = asset(&t, &so, "SRV-CORE-01").await;

        let rec = created(t.post("/api/v1/custody").token(&so).json(&json!({
            "asset_id": sys, "account": "root", "holder_id": wang.id.0, "backup_holder_id": li.id.0,
            "last_changed_at": days_ago(20), "note": "密封件存放于机房保险柜"})).send().await);
        let id = rec["id"].as_i64().unwrap();
        assert!(warnings(&rec).is_empty(), "{rec}");
        assert_eq!(rec["holder"]["username"], "ops.wang");
        assert!(rec.get("password").is_none());

        // Handovers to the current holder or to a disabled user change nothing.
        let r = t.post(&format!("/api/v1/custody/{id}/handovers")).token(&so).json(&json!({
            "to_id": wang.id.0, "witness_id": witness.id.0, "reason": "岗位调整"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["to_id"].is_string());
        disable(&t, zhao.id.0).await;
        let r = t.post(&format!("/api/v1/custody/{id}/handovers")).token(&so).json(&json!({
            "to_id": zhao.id.0, "witness_id": witness.id.0, "reason": "岗位调整"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["to_id"].is_string());
        let r = t.post(&format!("/api/v1/custody/{id}/handovers")).token(&so).json(&json!({
            "to_id": li.id.0, "witness_id": li.id.0, "reason": ""})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["witness_id"].is_string() && e["errors"]["reason"].is_string(), "{e}");
        // Only the keepers record handovers.
        let r = t.post(&format!("/api/v1/custody/{id}/handovers")).token(&wang_tok).json(&json!({
            "to_id": li.id.0, "witness_id": witness.id.0, "reason": "休假"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("custody_handovers").await, 0);
        let same = ok(t.get(&format!("/api/v1/custody/{id}")).token(&so).send().await);
        assert_eq!((same["holder"]["id"].as_i64(), same["version"].as_i64()), (Some(wang.id.0), Some(1)));

        // The root password was handed over to the backup holder eight days ago (its deadline,
        // the end of the next working day, has passed whatever the weekday), no change yet.
        let h = created(t.post(&format!("/api/v1/custody/{id}/handovers")).token(&so).if_match(1).json(&json!({
            "to_id": li.id.0, "witness_id": witness.id.0, "reason": "王工调岗，密码移交李工",
            "at": days_ago(8)})).send().await);
        assert_eq!(h["holder"]["id"].as_i64(), Some(li.id.0));
        assert!(h["backup_holder"].is_null(), "the backup holder took over: the backup place is empty");
        assert_eq!(warnings(&h), ["no_backup", "handover_unchanged"], "{h}");
        let hid = h["handovers"][0]["id"].as_i64().unwrap();
        assert_eq!(h["handovers"][0]["from_id"].as_i64(), Some(wang.id.0));

        // The security officer sees the warning waiting; the new holder, the change to make.
        let w = ok(t.get("/api/v1/me/approvals").token(&so).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "custody" && i["id"] == id
            && i["expected"] == "custody" && i["href"] == format!("/api/v1/custody/{id}")), "{w}");
        let w = ok(t.get("/api/v1/me/approvals").token(&li_tok).send().await);
        let mine = w["items"].as_array().unwrap().iter().find(|i| i["process"] == "custody").cloned().expect("the new holder's task");
        assert_eq!((mine["expected"].as_str(), mine["overdue"].as_bool()), (Some("change_password"), Some(true)));
        let listed = ok(t.get("/api/v1/custody?warning=handover_unchanged").token(&so).send().await);
        assert_eq!(listed["total"], 1);
        let counts = ok(t.get("/api/v1/custody/warnings").token(&so).send().await);
        let n = |code: &str| counts["items"].as_array().unwrap().iter().find(|i| i["warning"] == code).unwrap()["count"].as_i64().unwrap();
        assert_eq!((n("handover_unchanged"), n("no_backup"), n("change_overdue")), (1, 1, 0));

        // The old holder no longer sees the record; a change before the handover is refused.
        let path = format!("/api/v1/custody/{id}/handovers/{hid}/password-change");
        assert_eq!(t.put(&path).token(&wang_tok).json(&json!({"password_changed_at": days_ago(2)})).send().await.status, StatusCode::NOT_FOUND);
        let r = t.put(&path).token(&li_tok).json(&json!({"password_changed_at": days_ago(9)})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["password_changed_at"].is_string());
        let r = t.put(&path).token(&li_tok).json(&json!({"password_changed_at": "yesterday"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["password_changed_at"].is_string());
        // The new holder enters it: the warning clears.
        let done = ok(t.put(&path).token(&li_tok).json(&json!({"password_changed_at": days_ago(2)})).send().await);
        assert_eq!(warnings(&done), ["no_backup"], "{done}");
        assert!(done["handovers"][0]["password_changed_at"].is_string());
        assert!(done["last_changed_at"].is_string());
        let r = t.put(&path).token(&so).json(&json!({"password_changed_at": days_ago(1)})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "custody_password_already_changed");
        let w = ok(t.get("/api/v1/me/approvals").token(&li_tok).send().await);
        assert!(!w["items"].as_array().unwrap().iter().any(|i| i["process"] == "custody"), "{w}");

        // A new backup holder clears the last warning and the officer's item.
        let v = done["version"].as_i64().unwrap();
        let fixed = ok(t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(v)
            .json(&json!({"backup_holder_id": wang.id.0})).send().await);
        assert!(warnings(&fixed).is_empty(), "{fixed}");
        let w = ok(t.get("/api/v1/me/approvals").token(&so).send().await);
        assert!(!w["items"].as_array().unwrap().iter().any(|i| i["process"] == "custody"), "{w}");
        let trail = ok(t.get("/api/v1/audit-log?entity_type=custody_handover").token(t.token_admin()).send().await);
        let actions: Vec<&str> = trail["items"].as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
        assert!(actions.contains(&"custody_handover") && actions.contains(&"custody_password_changed"), "{trail}");
        t.assert_audit_codes_declared().await;
    }
}

both! {
    async fn each_warning_is_raised_by_its_cause_and_cleared_by_its_remedy(b: Backend) {
        let t = TestApp::new(b).await;
        let it = t.department("信息技术部", None).await;
        let ops = t.department("运维部", None).await;
        let (_, so) = t.user_in("sec.chen", Some(it), &[("security_officer", None)]).await;
        let (holder, _) = t.user_in("db.wang", Some(it), &[("data_admin", None)]).await;
        let (backup, _) = t.user_in("db.li", Some(it), &[("data_admin", None)]).await;
        let db = asset(&t, &so, "DB-ERP").await;

        let old = created(t.post("/api/v1/custody").token(&so).json(&json!({
            "asset_id": db, "account": "sa", "holder_id": holder.id.0, "backup_holder_id": backup.id.0,
            "last_changed_at": days_ago(100)})).send().await);
        assert_eq!(warnings(&old), ["change_overdue"]);
        assert_eq!(old["change_interval_days"], 90);
        let id = old["id"].as_i64().unwrap();
        // A routine change clears it; a change before the one recorded is refused.
        let r = t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(1).json(&json!({"last_changed_at": days_ago(120)})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["last_changed_at"].is_string());
        let c = ok(t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(1).json(&json!({"last_changed_at": days_ago(1)})).send().await);
        assert!(warnings(&c).is_empty());
        // A stale version changes nothing.
        let r = t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(1).json(&json!({"note": "x"})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);

        // The backup holder moves to another department; the holder is disabled.
        let u = ok(t.get(&format!("/api/v1/users/{}", backup.id.0)).token(t.token_admin()).send().await);
        ok(t.patch(&format!("/api/v1/users/{}", backup.id.0)).token(t.token_admin()).if_match(u["version"].as_i64().unwrap())
            .json(&json!({"department_id": ops})).send().await);
        disable(&t, holder.id.0).await;
        let now = ok(t.get(&format!("/api/v1/custody/{id}")).token(&so).send().await);
        assert_eq!(warnings(&now), ["holder_disabled", "backup_moved"], "{now}");
        let v = now["version"].as_i64().unwrap();
        let confirmed = ok(t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(v).json(&json!({"confirm_departments": true})).send().await);
        assert_eq!(warnings(&confirmed), ["holder_disabled"]);
        assert_eq!(confirmed["backup_department_id"].as_i64(), Some(ops));

        // Bad input: unknown system, same person twice, zero interval, an account held twice.
        let before = t.count("custody").await;
        let r = t.post("/api/v1/custody").token(&so).json(&json!({"asset_id": 999_999, "account": "", "holder_id": backup.id.0,
            "backup_holder_id": backup.id.0, "change_interval_days": 0})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["asset_id", "account", "backup_holder_id", "change_interval_days"] {
            assert!(e["errors"][f].is_string(), "{f}: {e}");
        }
        let r = t.post("/api/v1/custody").token(&so).json(&json!({"asset_id": db, "account": "SA", "holder_id": backup.id.0})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "custody_duplicate");
        let r = t.post("/api/v1/custody").token(&so).json(&json!({"asset_id": db, "account": "oracle", "holder_id": holder.id.0})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["holder_id"].is_string(), "a disabled holder");
        let r = t.post("/api/v1/custody").token(&so).json(&json!({"asset_id": db, "account": "x", "holder_id": backup.id.0, "password": "secret"})).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "there is no field for a password");
        assert_eq!(t.count("custody").await, before);

        // Retired: no warnings, no changes until reactivated.
        let v = confirmed["version"].as_i64().unwrap();
        let retired = ok(t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(v).json(&json!({"active": false})).send().await);
        assert!(warnings(&retired).is_empty());
        let r = t.patch(&format!("/api/v1/custody/{id}")).token(&so).if_match(v + 1).json(&json!({"note": "x"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "custody_retired");
        assert_eq!(ok(t.get("/api/v1/custody").token(&so).send().await)["total"], 0, "active records by default");
        assert_eq!(ok(t.get("/api/v1/custody?state=all").token(&so).send().await)["total"], 1);
        let r = t.get("/api/v1/custody?warning=nope&state=x&sort=holder").token(&so).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["sort"].is_string() || e["errors"]["warning"].is_string(), "{e}");
    }
}

both! {
    async fn the_register_is_read_by_its_readers_and_each_person_sees_their_own(b: Backend) {
        let t = TestApp::new(b).await;
        let it = t.department("信息技术部", None).await;
        let (_, so) = t.user_in("sec.chen", Some(it), &[("security_officer", None)]).await;
        let (_, sa) = t.user_in("sec.li", Some(it), &[("security_admin", None)]).await;
        let (_, auditor) = t.user_in("aud.sun", Some(it), &[("auditor", None)]).await;
        let (_, committee) = t.user_in("lead.zhou", Some(it), &[("committee", None)]).await;
        let (_, scoped_so) = t.user_in("sec.scoped", Some(it), &[("security_officer", Some(it))]).await;
        let (holder, holder_tok) = t.user_in("app.wang", Some(it), &[("application_admin", None)]).await;
        let (other, other_tok) = t.user_in("app.zhao", Some(it), &[("staff", None)]).await;
        let sys = asset(&t, &so, "APP-OA").await;
        let sys2 = asset(&t, &so, "APP-HR").await;
        let rec = created(t.post("/api/v1/custody").token(&sa).json(&json!({"asset_id": sys, "account": "admin", "holder_id": holder.id.0})).send().await);
        let id = rec["id"].as_i64().unwrap();
        created(t.post("/api/v1/custody").token(&so).json(&json!({"asset_id": sys2, "account": "admin", "holder_id": other.id.0})).send().await);

        // Who records: the keepers only (organization-wide).
        let body = json!({"asset_id": sys, "account": "backup", "holder_id": holder.id.0});
        for tok in [auditor.as_str(), &committee, &holder_tok, &other_tok, &scoped_so, t.token_admin()] {
            assert_eq!(t.post("/api/v1/custody").token(tok).json(&body).send().await.status, StatusCode::FORBIDDEN);
            assert_eq!(t.patch(&format!("/api/v1/custody/{id}")).token(tok).if_match(1).json(&json!({"note": "x"})).send().await.status, StatusCode::FORBIDDEN);
        }
        // Who reads: the register's readers see both; a holder sees their own; others nothing.
        for tok in [so.as_str(), &sa, &auditor, &committee, t.token_admin()] {
            assert_eq!(ok(t.get("/api/v1/custody").token(tok).send().await)["total"], 2);
            ok(t.get(&format!("/api/v1/custody/{id}")).token(tok).send().await);
        }
        let mine = ok(t.get("/api/v1/custody").token(&holder_tok).send().await);
        assert_eq!((mine["total"].as_i64(), mine["items"][0]["id"].as_i64()), (Some(1), Some(id)));
        ok(t.get(&format!("/api/v1/custody/{id}")).token(&holder_tok).send().await);
        assert_eq!(t.get(&format!("/api/v1/custody/{id}")).token(&other_tok).send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/custody/{id}/handovers")).token(&other_tok).send().await.status, StatusCode::NOT_FOUND);
        let theirs = ok(t.get(&format!("/api/v1/custody?person_id={}", holder.id.0)).token(&other_tok).send().await);
        assert_eq!(theirs["total"], 0, "another person's filter shows nothing of theirs");
        assert_eq!(t.get("/api/v1/custody").send().await.status, StatusCode::UNAUTHORIZED);

        // Paging and sorting through the cursor.
        let first = ok(t.get("/api/v1/custody?limit=1&sort=-asset").token(&so).send().await);
        assert_eq!(first["items"][0]["asset_code"], "APP-OA");
        let cursor = first["next_cursor"].as_str().unwrap();
        let second = ok(t.get(&format!("/api/v1/custody?limit=1&sort=-asset&cursor={cursor}")).token(&so).send().await);
        assert_eq!((second["items"][0]["asset_code"].as_str(), second["next_cursor"].is_null()), (Some("APP-HR"), true));
        let r = t.get(&format!("/api/v1/custody?limit=1&sort=warnings&cursor={cursor}")).token(&so).send().await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "a cursor of another sort");
    }
}

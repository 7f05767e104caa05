//! Rectification tasks (SPEC §6.3) opened from incidents: the team opens them with a
//! responsible person, a verifier and a due day; the responsible person reports them done;
//! the verifier verifies or reopens them — never the responsible person; who reads which
//! task; bad input changes nothing.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use castellan_domain::{Day, Timestamp};
use serde_json::{Value, json};

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn created(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn problem_code(r: &Resp, status: StatusCode) -> String {
    let doc = r.problem(status);
    doc["type"]
        .as_str()
        .unwrap_or_default()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned()
}

fn day(offset_days: i64) -> String {
    Day::of(Timestamp::now().plus(time::Duration::days(offset_days))).to_string()
}

fn ago(minutes: i64) -> String {
    Timestamp::now()
        .plus(time::Duration::minutes(-minutes))
        .to_rfc3339()
}

/// A reported incident, triaged by `triager` with `team`; returns its id.
async fn triaged_incident(t: &TestApp, reporter: &str, triager: &str, team: &[i64]) -> i64 {
    let i = created(
        t.post("/api/v1/incidents")
            .token(reporter)
            .json(&json!({"title": "VPN 账号被暴力破解", "occurred_at": ago(60)}))
            .send()
            .await,
    );
    let id = i["id"].as_i64().unwrap();
    ok(t.post(&format!("/api/v1/incidents/{id}/transitions"))
        .token(triager)
        .json(
            &json!({"to": "triaged", "class": "serious", "level": "significant",
            "category": "network_attack", "handler_ids": team}),
        )
        .send()
        .await);
    id
}

async fn open(t: &TestApp, token: &str, body: Value) -> Resp {
    t.post("/api/v1/rectifications")
        .token(token)
        .json(&body)
        .send()
        .await
}

async fn move_to(t: &TestApp, token: &str, id: i64, body: Value) -> Resp {
    t.post(&format!("/api/v1/rectifications/{id}/transitions"))
        .token(token)
        .json(&body)
        .send()
        .await
}

async fn waiting(t: &TestApp, token: &str) -> Vec<Value> {
    ok(t.get("/api/v1/me/approvals").token(token).send().await)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["process"] == "rectification")
        .cloned()
        .collect()
}

both! {
    async fn a_task_from_an_incident_is_done_reopened_done_again_and_verified(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, other) = t.user_with("li", &[("staff", None)]).await;
        let (_, sa) = t.user_with("sec.admin", &[("security_admin", None)]).await;
        let (net, net_tok) = t.user_with("net.eng", &[("network_admin", None)]).await;
        let (dev, dev_tok) = t.user_with("dev.sun", &[("staff", None)]).await;
        let incident = triaged_incident(&t, &reporter, &sa, &[net.id.0, dev.id.0]).await;

        // A team member opens a task; they verify it unless they name someone else.
        let task = created(open(&t, &net_tok, json!({"source": "incident", "source_id": incident,
            "description": "VPN 网关启用多因素认证", "responsible_id": dev.id.0, "due_at": day(14)})).await);
        let id = task["id"].as_i64().unwrap();
        let year = Timestamp::now().datetime().year();
        assert!(task["code"].as_str().unwrap().starts_with(&format!("RECT-{year}-")), "{task}");
        assert_eq!(task["status"], "open");
        assert_eq!(task["verifier_id"], net.id.0);
        assert_eq!(task["source_code"].as_str().unwrap()[..4], *"INC-");
        assert_eq!(task["allowed_transitions"], json!([]), "the verifier does not do the work");
        assert_eq!(task["may_edit"], true);
        // The incident's timeline keeps the trace.
        let timeline = ok(t.get(&format!("/api/v1/incidents/{incident}/timeline")).token(&sa).send().await);
        assert!(timeline["items"].as_array().unwrap().iter()
            .any(|e| e["note"].as_str().unwrap().contains(task["code"].as_str().unwrap())), "{timeline}");

        // The responsible person finds it waiting, with its due day.
        let w = waiting(&t, &dev_tok).await;
        assert_eq!(w.len(), 1);
        assert_eq!((w[0]["expected"].as_str(), w[0]["overdue"].as_bool()), (Some("rectify"), Some(false)));
        assert!(w[0]["due_at"].is_string());
        assert!(waiting(&t, &net_tok).await.is_empty(), "nothing to verify yet");
        let mine = ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&dev_tok).send().await);
        assert_eq!(mine["allowed_transitions"], json!(["done"]));
        assert_eq!(mine["may_edit"], false, "the responsible person does not change the plan");

        // Done needs what was done; the verifier cannot report it done.
        let r = move_to(&t, &dev_tok, id, json!({"to": "done"})).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["comment"].is_string());
        assert_eq!(move_to(&t, &net_tok, id, json!({"to": "done", "comment": "x"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(problem_code(&move_to(&t, &net_tok, id, json!({"to": "verified"})).await, StatusCode::CONFLICT),
            "phase_move_not_allowed");
        let v = ok(move_to(&t, &dev_tok, id, json!({"to": "done", "comment": "已为全部 VPN 账号启用 MFA。"})).await);
        assert_eq!(v["status"], "done");
        assert!(v["done_at"].is_string());
        assert_eq!(v["resolution"], "已为全部 VPN 账号启用 MFA。");
        assert!(waiting(&t, &dev_tok).await.is_empty());
        let w = waiting(&t, &net_tok).await;
        assert_eq!(w.len(), 1);
        assert_eq!(w[0]["expected"], "verify");

        // The responsible person cannot verify; a return needs its reason.
        assert_eq!(move_to(&t, &dev_tok, id, json!({"to": "verified"})).await.status, StatusCode::FORBIDDEN);
        let r = move_to(&t, &net_tok, id, json!({"to": "reopened"})).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["comment"].is_string());
        let v = ok(move_to(&t, &net_tok, id, json!({"to": "reopened", "comment": "备用网关未启用。"})).await);
        assert_eq!(v["status"], "reopened");
        assert_eq!(waiting(&t, &dev_tok).await.len(), 1, "back with the responsible person");
        ok(move_to(&t, &dev_tok, id, json!({"to": "done", "comment": "备用网关也已启用 MFA。"})).await);
        let v = ok(move_to(&t, &net_tok, id, json!({"to": "verified"})).await);
        assert_eq!(v["status"], "verified");
        assert!(v["verified_at"].is_string());
        assert_eq!(v["allowed_transitions"], json!([]));
        assert_eq!(v["may_edit"], false);
        assert!(waiting(&t, &net_tok).await.is_empty() && waiting(&t, &dev_tok).await.is_empty());

        // Verified is final: no move, no change.
        assert_eq!(problem_code(&move_to(&t, &net_tok, id, json!({"to": "reopened", "comment": "x"})).await, StatusCode::CONFLICT),
            "rectification_verified");
        let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&net_tok).if_match(v["version"].as_i64().unwrap())
            .json(&json!({"due_at": day(30)})).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "rectification_verified");

        // The moves, in order, with their comments.
        let moves = ok(t.get(&format!("/api/v1/rectifications/{id}/transitions")).token(&dev_tok).send().await);
        let path: Vec<(String, String)> = moves["items"].as_array().unwrap().iter()
            .map(|m| (m["from"].as_str().unwrap().to_owned(), m["to"].as_str().unwrap().to_owned())).collect();
        assert_eq!(path, [("open", "done"), ("done", "reopened"), ("reopened", "done"), ("done", "verified")]
            .map(|(a, b)| (a.to_owned(), b.to_owned())));
        assert_eq!(moves["items"][1]["comment"], "备用网关未启用。");

        // Who reads it: the incident's reporter and the security administrator (they read the
        // incident) do; a colleague who does not is told it does not exist.
        ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&reporter).send().await);
        ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&sa).send().await);
        assert_eq!(t.get(&format!("/api/v1/rectifications/{id}")).token(&other).send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/rectifications/{id}/transitions")).token(&other).send().await.status, StatusCode::NOT_FOUND);
        let of_incident = format!("/api/v1/rectifications?source=incident&source_id={incident}");
        assert_eq!(ok(t.get(&of_incident).token(&reporter).send().await)["total"], 1);
        assert_eq!(ok(t.get(&of_incident).token(&other).send().await)["total"], 0);
        assert_eq!(ok(t.get("/api/v1/rectifications").token(&other).send().await)["total"], 0);
        assert_eq!(ok(t.get("/api/v1/rectifications").token(&dev_tok).send().await)["total"], 1);
        let audit = t.rows("SELECT action FROM audit_log WHERE entity_type = 'rectification' ORDER BY seq").await;
        let actions: Vec<String> = audit.into_iter().map(|r| r.try_get::<String, _>("action").unwrap()).collect();
        assert_eq!(actions, ["create", "rectification_done", "rectification_reopen", "rectification_done", "rectification_verify"]);
    }

    async fn bad_tasks_and_moves_change_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, sa) = t.user_with("sec.admin", &[("security_admin", None)]).await;
        let (_, auditor) = t.user_with("audit.ma", &[("auditor", None)]).await;
        let (net, net_tok) = t.user_with("net.eng", &[("network_admin", None)]).await;
        let (dev, dev_tok) = t.user_with("dev.sun", &[("staff", None)]).await;
        let (gone, _) = t.user_with("gone", &[("staff", None)]).await;
        ok(t.patch(&format!("/api/v1/users/{}", gone.id)).token(t.token_admin())
            .if_match(gone.version).json(&json!({"status": "disabled"})).send().await);
        let incident = triaged_incident(&t, &reporter, &sa, &[net.id.0]).await;
        let tasks = t.count("rectifications").await;
        let audit = t.count("audit_log").await;
        let good = json!({"source": "incident", "source_id": incident, "description": "修补",
            "responsible_id": dev.id.0, "due_at": day(7)});
        let with = |k: &str, v: Value| { let mut b = good.clone(); b[k] = v; b };
        for (body, field) in [
            (with("description", json!("  ")), "description"),
            (with("description", json!("x".repeat(4001))), "description"),
            (with("responsible_id", Value::Null), "responsible_id"),
            (with("responsible_id", json!(987654)), "responsible_id"),
            (with("responsible_id", json!(gone.id.0)), "responsible_id"),
            (with("verifier_id", json!(dev.id.0)), "verifier_id"),
            (with("due_at", Value::Null), "due_at"),
            (with("due_at", json!(day(-1))), "due_at"),
            (with("due_at", json!("2026-02-30")), "due_at"),
            (with("due_at", json!(day(6 * 366))), "due_at"),
            (with("source", json!("inspection")), "source"),
        ] {
            let r = open(&t, &net_tok, body.clone()).await;
            let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(doc["errors"][field].is_string(), "{body}: {doc}");
        }
        let r = open(&t, &net_tok, with("when", json!("now"))).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {}", r.text());
        // A source that does not exist, or that the caller does not handle.
        assert_eq!(open(&t, &net_tok, with("source_id", json!(987654))).await.status, StatusCode::NOT_FOUND);
        assert_eq!(open(&t, &dev_tok, good.clone()).await.status, StatusCode::NOT_FOUND, "not on the team: not even readable");
        assert_eq!(open(&t, &reporter, good.clone()).await.status, StatusCode::FORBIDDEN, "the reporter reads but does not handle");
        assert_eq!(open(&t, &auditor, good.clone()).await.status, StatusCode::FORBIDDEN, "auditors write nothing");
        // An incident only reported, or rejected, opens no task.
        let fresh = created(t.post("/api/v1/incidents").token(&reporter)
            .json(&json!({"title": "可疑邮件", "occurred_at": ago(10)})).send().await)["id"].as_i64().unwrap();
        assert_eq!(problem_code(&open(&t, &sa, with("source_id", json!(fresh))).await, StatusCode::CONFLICT),
            "rectification_source_not_open");
        ok(t.post(&format!("/api/v1/incidents/{fresh}/transitions")).token(&sa)
            .json(&json!({"to": "rejected", "comment": "误报"})).send().await);
        assert_eq!(problem_code(&open(&t, &sa, with("source_id", json!(fresh))).await, StatusCode::CONFLICT),
            "rectification_source_not_open");
        assert_eq!(t.count("rectifications").await, tasks);
        assert_eq!(t.count("audit_log").await, audit + 2, "only the new incident's report and rejection");

        // A task, then bad moves and changes.
        let task = created(open(&t, &net_tok, good.clone()).await);
        let id = task["id"].as_i64().unwrap();
        let version = task["version"].as_i64().unwrap();
        let r = move_to(&t, &dev_tok, id, json!({"to": "closed"})).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["to"].is_string());
        let r = move_to(&t, &dev_tok, id, json!({"to": "done", "comment": "x".repeat(4001)})).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["comment"].is_string());
        assert_eq!(move_to(&t, &auditor, id, json!({"to": "done", "comment": "x"})).await.status, StatusCode::FORBIDDEN);
        let r = t.post(&format!("/api/v1/rectifications/{id}/transitions")).token(&dev_tok).if_match(version + 3)
            .json(&json!({"to": "done", "comment": "x"})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&net_tok).if_match(version + 3)
            .json(&json!({"due_at": day(9)})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&dev_tok).if_match(version)
            .json(&json!({"due_at": day(90)})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "the responsible person does not move their own deadline");
        for (body, field) in [
            (json!({"verifier_id": dev.id.0}), "verifier_id"),
            (json!({"responsible_id": net.id.0}), "verifier_id"),
            (json!({"due_at": day(-3)}), "due_at"),
            (json!({"description": ""}), "description"),
            (json!({"responsible_id": gone.id.0}), "responsible_id"),
        ] {
            let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&net_tok).if_match(version)
                .json(&body).send().await;
            let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(doc["errors"][field].is_string(), "{body}: {doc}");
        }
        let same = ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&net_tok).send().await);
        assert_eq!((same["version"].as_i64(), same["status"].as_str()), (Some(version), Some("open")));

        // A verifier who became the responsible person (a record from before a change) still
        // cannot verify their own work.
        ok(move_to(&t, &dev_tok, id, json!({"to": "done", "comment": "已修补"})).await);
        t.raw_sql(&format!("UPDATE rectifications SET verifier_id = {} WHERE id = {id}", dev.id.0)).await;
        let r = move_to(&t, &dev_tok, id, json!({"to": "verified"})).await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "self_approval");
        assert_eq!(ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&dev_tok).send().await)["status"], "done");
    }

    async fn the_plan_changes_until_verified_and_overdue_tasks_are_flagged(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (dev, dev_tok) = t.user_with("dev.sun", &[("staff", None)]).await;
        let (ops, ops_tok) = t.user_with("ops.zhao", &[("staff", None)]).await;
        let (auditor, auditor_tok) = t.user_with("audit.ma", &[("auditor", None)]).await;
        let incident = triaged_incident(&t, &reporter, &officer, &[dev.id.0]).await;
        // A triager (not on the team) opens it and names another verifier.
        let task = created(open(&t, &officer, json!({"source": "incident", "source_id": incident,
            "description": "核查防火墙策略", "responsible_id": dev.id.0, "verifier_id": ops.id.0,
            "due_at": day(3)})).await);
        let id = task["id"].as_i64().unwrap();
        assert_eq!(task["verifier_id"], ops.id.0);
        // The opener hands it to someone else with a later due day.
        let v = ok(t.patch(&format!("/api/v1/rectifications/{id}")).token(&officer)
            .if_match(task["version"].as_i64().unwrap())
            .json(&json!({"responsible_id": auditor.id.0, "verifier_id": dev.id.0, "due_at": day(10),
                "description": "核查并收紧防火墙策略"})).send().await);
        assert_eq!((v["responsible_id"].as_i64(), v["verifier_id"].as_i64()), (Some(auditor.id.0), Some(dev.id.0)));
        assert_eq!(v["due_at"], day(10));
        assert!(waiting(&t, &dev_tok).await.is_empty(), "dev now verifies, nothing is done yet");
        // Auditors write nothing, even their own task.
        let r = move_to(&t, &auditor_tok, id, json!({"to": "done", "comment": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let v = ok(t.patch(&format!("/api/v1/rectifications/{id}")).token(&dev_tok)
            .if_match(v["version"].as_i64().unwrap())
            .json(&json!({"responsible_id": ops.id.0})).send().await);
        assert_eq!(v["responsible_id"], ops.id.0, "the verifier may change the plan too");

        // Past its due day, the task is flagged overdue in lists, on the task and in "waiting for me".
        t.raw_sql(&format!("UPDATE rectifications SET due_on = '{}' WHERE id = {id}", day(-2))).await;
        let v = ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&ops_tok).send().await);
        assert_eq!(v["overdue"], true);
        let w = waiting(&t, &ops_tok).await;
        assert_eq!((w.len(), w[0]["overdue"].as_bool()), (1, Some(true)));
        let overdue = ok(t.get("/api/v1/rectifications?overdue=true").token(&officer).send().await);
        assert_eq!(overdue["total"], 1);
        // An unchanged past due day does not block another change; a new past one does.
        let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&officer).if_match(v["version"].as_i64().unwrap())
            .json(&json!({"description": "核查并收紧防火墙出站策略"})).send().await;
        let v = ok(r);
        let r = t.patch(&format!("/api/v1/rectifications/{id}")).token(&officer).if_match(v["version"].as_i64().unwrap())
            .json(&json!({"due_at": day(-1)})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["due_at"].is_string());
        // Done tasks are no longer overdue.
        ok(move_to(&t, &ops_tok, id, json!({"to": "done", "comment": "策略已收紧"})).await);
        assert_eq!(ok(t.get("/api/v1/rectifications?overdue=true").token(&officer).send().await)["total"], 0);
        // Filters: status, responsible, verifier, search; bad filters are refused.
        assert_eq!(ok(t.get("/api/v1/rectifications?status=done").token(&officer).send().await)["total"], 1);
        assert_eq!(ok(t.get(&format!("/api/v1/rectifications?verifier_id={}", dev.id.0)).token(&officer).send().await)["total"], 1);
        assert_eq!(ok(t.get(&format!("/api/v1/rectifications?responsible_id={}", dev.id.0)).token(&officer).send().await)["total"], 0);
        assert_eq!(ok(t.get("/api/v1/rectifications?q=%E5%87%BA%E7%AB%99").token(&officer).send().await)["total"], 1);
        for bad in ["status=nope", "source=nope", "source_id=1", "sort=title", "limit=0", "cursor=zzz"] {
            let r = t.get(&format!("/api/v1/rectifications?{bad}")).token(&officer).send().await;
            assert!(matches!(r.status, StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST), "{bad}: {}", r.text());
        }
    }

    async fn who_reads_and_acts_on_a_task(b: Backend) {
        let t = TestApp::new(b).await;
        let ops = t.department("运维中心", None).await;
        let fin = t.department("财务部", None).await;
        let (_, reporter) = t.user_in("wang", Some(ops), &[("staff", None)]).await;
        let (_, sa) = t.user_with("sec.admin", &[("security_admin", None)]).await;
        let (dev, dev_tok) = t.user_in("dev.sun", Some(ops), &[("staff", None)]).await;
        let (_, colleague) = t.user_in("li", Some(ops), &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, ops_compliance) = t.user_in("comp.ops", Some(ops), &[("compliance_admin", Some(ops))]).await;
        let (_, fin_compliance) = t.user_in("comp.fin", Some(fin), &[("compliance_admin", Some(fin))]).await;
        let (_, auditor) = t.user_with("audit.ma", &[("auditor", None)]).await;
        let (_, committee) = t.user_with("zhou", &[("committee", None)]).await;
        let incident = triaged_incident(&t, &reporter, &sa, &[dev.id.0]).await;
        let task = created(open(&t, &sa, json!({"source": "incident", "source_id": incident,
            "description": "更换泄露的口令", "responsible_id": dev.id.0, "due_at": day(5)})).await);
        let id = task["id"].as_i64().unwrap();
        // (caller, reads the task, sees it in the unfiltered list, may move it now)
        for (who, token, reads, listed, moves) in [
            ("responsible", &dev_tok, true, true, true),
            ("verifier and opener", &sa, true, true, false),
            ("incident reporter", &reporter, true, false, false),
            ("colleague in the department", &colleague, false, false, false),
            ("security officer", &officer, true, true, false),
            ("compliance admin of the department", &ops_compliance, true, true, false),
            ("compliance admin of another department", &fin_compliance, false, false, false),
            ("auditor", &auditor, true, true, false),
            ("committee member", &committee, true, true, false),
        ] {
            let r = t.get(&format!("/api/v1/rectifications/{id}")).token(token).send().await;
            assert_eq!(r.status == StatusCode::OK, reads, "{who} reads: {}", r.text());
            if !reads {
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{who}: unreadable is 404");
            }
            let list = ok(t.get("/api/v1/rectifications").token(token).send().await);
            assert_eq!(list["total"] == 1, listed, "{who} lists: {list}");
            let moved = move_to(&t, token, id, json!({"to": "done", "comment": "已更换"})).await;
            if moves {
                assert_eq!(moved.status, StatusCode::OK, "{who}: {}", moved.text());
                ok(move_to(&t, &sa, id, json!({"to": "reopened", "comment": "再查一次"})).await);
            } else {
                assert!(matches!(moved.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{who} moves: {}", moved.text());
            }
        }
        let v = ok(t.get(&format!("/api/v1/rectifications/{id}")).token(&sa).send().await);
        assert_eq!(v["status"], "reopened");
    }
}

/// A multipart body with one file in the field `file`.
fn multipart(file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "rectification-evidence-boundary-7";
    let mut out = Vec::new();
    out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), out)
}

async fn attach(t: &TestApp, token: &str, id: i64, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(name, bytes);
    t.post(&format!("/api/v1/rectifications/{id}/attachments"))
        .token(token)
        .raw(&ct, body)
        .send()
        .await
}

both! {
    async fn evidence_of_the_fix_is_attached_until_verification_and_read_by_the_tasks_readers(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.attachment_limit_bytes = 32 * 1024).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, other) = t.user_with("li", &[("staff", None)]).await;
        let (_, auditor) = t.user_with("audit.ma", &[("auditor", None)]).await;
        let (_, sa) = t.user_with("sec.admin", &[("security_admin", None)]).await;
        let (dev, dev_tok) = t.user_with("dev.sun", &[("staff", None)]).await;
        let incident = triaged_incident(&t, &reporter, &sa, &[dev.id.0]).await;
        let task = created(open(&t, &sa, json!({"source": "incident", "source_id": incident,
            "description": "终端开启宏禁用策略", "responsible_id": dev.id.0, "due_at": day(7)})).await);
        let id = task["id"].as_i64().unwrap();
        let other_task = created(open(&t, &sa, json!({"source": "incident", "source_id": incident,
            "description": "复核邮件网关规则", "responsible_id": dev.id.0, "due_at": day(7)})).await);

        // The responsible person attaches proof; it is kept with its SHA-256.
        let png = [0x89, b'P', b'N', b'G', 7, 7, 7];
        let a = created(attach(&t, &dev_tok, id, "组策略截图.png", &png).await);
        use sha2::Digest;
        assert_eq!(a["sha256"], hex::encode(sha2::Sha256::digest(png)));
        assert_eq!(a["size"], 7);
        // Outsiders and auditors attach nothing; too big, empty or badly named files are
        // refused; nothing is stored then.
        let stored = t.count("attachments").await;
        assert_eq!(attach(&t, &other, id, "x.png", &png).await.status, StatusCode::NOT_FOUND);
        assert_eq!(attach(&t, &auditor, id, "x.png", &png).await.status, StatusCode::FORBIDDEN);
        assert_eq!(attach(&t, &dev_tok, id, "big.png", &vec![1u8; 40 * 1024]).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(attach(&t, &dev_tok, id, "empty.png", &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(attach(&t, &dev_tok, id, "../etc/passwd", &png).await.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("attachments").await, stored);

        // Whoever reads the task reads its files (the incident's reporter too); an attachment
        // of another task is not found through this one.
        let list = ok(t.get(&format!("/api/v1/rectifications/{id}/attachments")).token(&reporter).send().await);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        let file_id = a["id"].as_i64().unwrap();
        let r = t.get(&format!("/api/v1/rectifications/{id}/attachments/{file_id}")).token(&sa).send().await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, png.to_vec());
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let other_id = other_task["id"].as_i64().unwrap();
        assert_eq!(t.get(&format!("/api/v1/rectifications/{other_id}/attachments/{file_id}")).token(&sa).send().await.status,
            StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/rectifications/{id}/attachments")).token(&other).send().await.status,
            StatusCode::NOT_FOUND);

        // Once verified, the task's files are kept as they are.
        ok(move_to(&t, &dev_tok, id, json!({"to": "done", "comment": "已下发组策略"})).await);
        ok(move_to(&t, &sa, id, json!({"to": "verified"})).await);
        assert_eq!(problem_code(&attach(&t, &sa, id, "late.png", &png).await, StatusCode::CONFLICT), "rectification_verified");
    }
}

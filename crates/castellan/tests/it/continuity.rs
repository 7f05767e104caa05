//! Continuity (SPEC §6.7): backup plans with RPO/RTO and restore tests, the high-value
//! assets without a plan, DR plans over assets with their document, and drills whose
//! problems — and a recovery slower than the plan's RTO — open rectification tasks; bad
//! input refused with nothing changed, stale versions refused, who may do what.

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

fn errors_of(r: Resp) -> Value {
    r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"].clone()
}

fn today(t: &TestApp) -> Day {
    Day::of_at(Timestamp::now(), t.app.settings().utc_offset())
}

fn days_ago(t: &TestApp, n: i64) -> String {
    Day::from_date(today(t).date() - time::Duration::days(n)).to_db()
}

async fn asset(t: &TestApp, token: &str, code: &str, cia: i64) -> i64 {
    created(
        t.post("/api/v1/assets")
            .token(token)
            .json(
                &json!({"code": code, "name": format!("系统 {code}"), "category": "server",
                "confidentiality": cia, "integrity": cia, "availability": cia}),
            )
            .send()
            .await,
    )["id"]
        .as_i64()
        .unwrap()
}

async fn document(t: &TestApp, token: &str) -> i64 {
    created(
        t.post("/api/v1/documents")
            .token(token)
            .json(&json!({"code": "ISMS-DRP-001", "title": "核心业务系统灾难恢复预案", "kind": "procedure",
                "family": "continuity"}))
            .send()
            .await,
    )["id"]
        .as_i64()
        .unwrap()
}

/// A multipart body with one file in the field `file`.
fn multipart(name: &str) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "drill-record-boundary";
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    b.extend_from_slice(b"\x89PNG drill record");
    b.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), b)
}

/// The continuity area's row counts, to prove a refusal changed nothing.
/// How many "test a restore" items for plan `id` wait for the holder of `token`.
async fn restore_tests_waiting(t: &TestApp, token: &str, id: i64) -> usize {
    let w = ok(t.get("/api/v1/me/approvals").token(token).send().await);
    w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| {
            i["process"] == "backup_plan"
                && i["id"] == id
                && i["expected"] == "test_restore"
                && i["href"] == format!("/api/v1/backup-plans/{id}")
        })
        .count()
}

async fn counts(t: &TestApp) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "backup_plans",
        "backup_verifications",
        "dr_plans",
        "dr_plan_assets",
        "drills",
        "drill_participants",
        "drill_problems",
        "rectifications",
        "audit_log",
    ] {
        out.push(t.count(table).await);
    }
    out
}

struct World {
    so: String,
    so_id: i64,
    ops: (i64, String),
    erp: i64,
    crm: i64,
    wiki: i64,
    doc: i64,
}

async fn world(t: &TestApp) -> World {
    let (so_user, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
    let ops = t.user_with("ops.li", &[("network_admin", None)]).await;
    let erp = asset(t, &so, "SRV-ERP", 5).await;
    let crm = asset(t, &so, "SRV-CRM", 4).await;
    let wiki = asset(t, &so, "SRV-WIKI", 1).await;
    let doc = document(t, &so).await;
    World {
        so,
        so_id: so_user.id.0,
        ops: (ops.0.id.0, ops.1),
        erp,
        crm,
        wiki,
        doc,
    }
}

both! {
    async fn backup_plans_keep_their_objectives_tests_and_show_the_uncovered_assets(b: Backend) {
        let t = TestApp::new(b).await;
        let w = world(&t).await;

        // Both high-value assets lack a plan; the low-value one is not asked for.
        let u = ok(t.get("/api/v1/backup-plans/uncovered").token(&w.so).send().await);
        let codes: Vec<&str> = u["items"].as_array().unwrap().iter().map(|i| i["code"].as_str().unwrap()).collect();
        assert_eq!(codes, ["SRV-CRM", "SRV-ERP"], "{u}");
        assert_eq!((u["total"].as_i64(), u["next_cursor"].is_null()), (Some(2), true));

        // Bad input: objectives of zero or less, an unknown asset or owner; nothing changes.
        let before = counts(&t).await;
        let good = json!({"asset_id": w.erp, "scope": "ERP 数据库全量 + 归档日志", "frequency": "daily",
            "retention": "30 天", "location": "同城灾备机房", "rpo_hours": 24, "rto_hours": 4});
        for (change, field) in [
            (json!({"rpo_hours": 0}), "rpo_hours"),
            (json!({"rto_hours": -4}), "rto_hours"),
            (json!({"rto_hours": 0, "rpo_hours": 0}), "rto_hours"),
            (json!({"asset_id": 999_999}), "asset_id"),
            (json!({"owner_id": 999_999}), "owner_id"),
            (json!({"frequency": "sometimes"}), "frequency"),
        ] {
            let mut body = good.clone();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let e = errors_of(t.post("/api/v1/backup-plans").token(&w.so).json(&body).send().await);
            assert!(e[field].is_string(), "{field}: {e}");
        }
        assert_eq!(counts(&t).await, before, "a refused plan changes nothing");

        let p = created(t.post("/api/v1/backup-plans").token(&w.so).json(&good).send().await);
        let id = p["id"].as_i64().unwrap();
        assert_eq!((p["asset_code"].as_str(), p["rpo_hours"].as_i64(), p["rto_hours"].as_i64()), (Some("SRV-ERP"), Some(24), Some(4)));
        assert_eq!((p["verification_due"].as_bool(), p["owner_id"].as_i64(), p["version"].as_i64()), (Some(true), Some(w.so_id), Some(1)));
        let u = ok(t.get("/api/v1/backup-plans/uncovered").token(&w.so).send().await);
        assert_eq!(u["items"].as_array().unwrap().iter().map(|i| i["asset_id"].as_i64().unwrap()).collect::<Vec<_>>(), [w.crm]);
        assert!(u["items"].as_array().unwrap().iter().all(|i| i["asset_id"] != w.wiki));

        // Changes need the version read: a stale one is 412 and changes nothing.
        let before = counts(&t).await;
        let r = t.patch(&format!("/api/v1/backup-plans/{id}")).token(&w.so).if_match(7).json(&json!({"rto_hours": 2})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
        let r = t.patch(&format!("/api/v1/backup-plans/{id}")).token(&w.so).if_match(1).json(&json!({"rpo_hours": 0})).send().await;
        assert!(errors_of(r)["rpo_hours"].is_string());
        assert_eq!(counts(&t).await, before);
        let p = ok(t.patch(&format!("/api/v1/backup-plans/{id}")).token(&w.so).if_match(1)
            .json(&json!({"rto_hours": 2, "owner_id": w.ops.0})).send().await);
        assert_eq!((p["rto_hours"].as_i64(), p["rpo_hours"].as_i64(), p["owner_id"].as_i64(), p["version"].as_i64()), (Some(2), Some(24), Some(w.ops.0), Some(2)));

        // A restore test: not in the future; the latest becomes the plan's last.
        let r = t.post(&format!("/api/v1/backup-plans/{id}/verifications")).token(&w.ops.1)
            .json(&json!({"verified_at": Day::from_date(today(&t).date() + time::Duration::days(1)).to_db(), "result": "passed"})).send().await;
        assert!(errors_of(r)["verified_at"].is_string());
        created(t.post(&format!("/api/v1/backup-plans/{id}/verifications")).token(&w.ops.1)
            .json(&json!({"verified_at": days_ago(&t, 200), "result": "failed", "note": "归档日志缺失"})).send().await);
        let due = ok(t.get("/api/v1/backup-plans?verification_due=true").token(&w.so).send().await);
        assert_eq!(due["total"], 1, "tested 200 days ago: due again");
        // The owner finds the restore test waiting for them; nobody else does.
        assert_eq!(restore_tests_waiting(&t, &w.ops.1, id).await, 1);
        assert_eq!(restore_tests_waiting(&t, &w.so, id).await, 0, "not the owner");
        let v = created(t.post(&format!("/api/v1/backup-plans/{id}/verifications")).token(&w.ops.1)
            .json(&json!({"verified_at": days_ago(&t, 3), "result": "passed", "note": "恢复至测试库，耗时 1.5 小时"})).send().await);
        assert_eq!((v["verified_by"].as_i64(), v["result"].as_str()), (Some(w.ops.0), Some("passed")));
        let p = ok(t.get(&format!("/api/v1/backup-plans/{id}")).token(&w.so).send().await);
        assert_eq!((p["last_verified_at"].as_str(), p["last_result"].as_str(), p["last_verified_by"].as_i64(), p["verification_due"].as_bool()),
            (Some(days_ago(&t, 3).as_str()), Some("passed"), Some(w.ops.0), Some(false)));
        let tests = ok(t.get(&format!("/api/v1/backup-plans/{id}/verifications")).token(&w.so).send().await);
        assert_eq!(tests["items"].as_array().unwrap().len(), 2);
        let due = ok(t.get("/api/v1/backup-plans?verification_due=true").token(&w.so).send().await);
        assert_eq!((due["total"].as_i64(), due["items"].as_array().unwrap().len()), (Some(0), 0));
        assert_eq!(restore_tests_waiting(&t, &w.ops.1, id).await, 0, "tested 3 days ago: nothing waits");
        let all = ok(t.get("/api/v1/backup-plans?q=erp").token(&w.so).send().await);
        assert_eq!((all["total"].as_i64(), all["next_cursor"].is_null()), (Some(1), true));

        let audit = t.rows("SELECT action FROM audit_log WHERE entity_type = 'backup_plan' ORDER BY seq").await;
        let actions: Vec<String> = audit.into_iter().map(|mut r| r.take::<String, _>(0).unwrap()).collect();
        assert_eq!(actions, ["create", "update", "backup_verified", "backup_verified"]);
        t.assert_audit_codes_declared().await;
    }

    async fn a_dr_drill_that_misses_its_rto_opens_a_rectification_task(b: Backend) {
        let t = TestApp::new(b).await;
        let w = world(&t).await;
        let (dba, _) = t.user_with("dba.wang", &[("data_admin", None)]).await;

        // DR plans: known assets and document, an RTO above zero.
        let before = counts(&t).await;
        let good = json!({"title": "ERP 与 CRM 同城切换预案", "asset_ids": [w.erp, w.crm], "document_id": w.doc,
            "owner_id": w.ops.0, "rto_hours": 4, "adopted_at": days_ago(&t, 60)});
        for (change, field) in [
            (json!({"asset_ids": [w.erp, 999_999]}), "asset_ids[1]"),
            (json!({"asset_ids": []}), "asset_ids"),
            (json!({"document_id": 999_999}), "document_id"),
            (json!({"owner_id": 999_999}), "owner_id"),
            (json!({"rto_hours": 0}), "rto_hours"),
        ] {
            let mut body = good.clone();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let e = errors_of(t.post("/api/v1/dr-plans").token(&w.so).json(&body).send().await);
            assert!(e[field].is_string(), "{field}: {e}");
        }
        assert_eq!(counts(&t).await, before);
        let plan = created(t.post("/api/v1/dr-plans").token(&w.so).json(&good).send().await);
        let pid = plan["id"].as_i64().unwrap();
        assert!(plan["code"].as_str().unwrap().starts_with("DRP-"));
        assert_eq!((plan["asset_ids"].clone(), plan["document_code"].as_str()), (json!([w.erp, w.crm]), Some("ISMS-DRP-001")));

        // Drills: not before the plan existed, known participants; nothing changes then.
        let before = counts(&t).await;
        let drill = json!({"dr_plan_id": pid, "held_at": days_ago(&t, 10), "scenario": "主数据中心断电，切换至同城灾备",
            "participant_ids": [w.ops.0, dba.id.0], "result": "partial", "achieved_rto_hours": 9,
            "problems": [{"description": "灾备库归档日志同步延迟 6 小时", "responsible_id": dba.id.0}]});
        for (change, field) in [
            (json!({"held_at": days_ago(&t, 61)}), "held_at"),
            (json!({"participant_ids": [w.ops.0, 999_999]}), "participant_ids[1]"),
            (json!({"dr_plan_id": 999_999}), "dr_plan_id"),
            (json!({"result": "so-so"}), "result"),
            (json!({"problems": [{"description": "x", "responsible_id": 999_999}]}), "problems[0].responsible_id"),
            // The recorder verifies the tasks, so cannot be the one to put a problem right:
            // the task is refused, and with it the whole drill.
            (json!({"problems": [{"description": "x", "responsible_id": w.so_id}]}), "problems[0].responsible_id"),
            (json!({"rto_responsible_id": w.so_id}), "rto_responsible_id"),
        ] {
            let mut body = drill.clone();
            for (k, v) in change.as_object().unwrap() {
                body[k] = v.clone();
            }
            let e = errors_of(t.post("/api/v1/drills").token(&w.so).json(&body).send().await);
            assert!(e[field].is_string(), "{field}: {e}");
        }
        assert_eq!(counts(&t).await, before, "a refused drill changes nothing");

        // 9 hours against the plan's 4: the missed RTO and the problem found each open a task,
        // verified by the recorder; the missed RTO's is the plan owner's to put right.
        let d = created(t.post("/api/v1/drills").token(&w.so).json(&drill).send().await);
        let did = d["id"].as_i64().unwrap();
        assert_eq!((d["missed_rto"].as_bool(), d["plan_rto_hours"].as_i64(), d["achieved_rto_hours"].as_i64()), (Some(true), Some(4), Some(9)));
        let problems = d["problems"].as_array().unwrap();
        assert_eq!(problems.iter().map(|p| p["kind"].as_str().unwrap()).collect::<Vec<_>>(), ["missed_rto", "found"]);
        assert!(problems.iter().all(|p| p["rectification_code"].as_str().is_some_and(|c| c.starts_with("RECT-"))), "{d}");
        let tasks = d["rectifications"].as_array().unwrap();
        assert_eq!(tasks.len(), 2, "{d}");
        let rto_task = tasks.iter().find(|x| x["responsible_id"] == w.ops.0).expect("the plan owner's task");
        assert_eq!((rto_task["source"].as_str(), rto_task["source_id"].as_i64(), rto_task["verifier_id"].as_i64(), rto_task["status"].as_str()),
            (Some("drill"), Some(did), Some(w.so_id), Some("open")));
        assert!(rto_task["description"].as_str().unwrap().contains("RTO"), "{rto_task}");
        let listed = ok(t.get(&format!("/api/v1/rectifications?source=drill&source_id={did}")).token(&w.so).send().await);
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
        let mine = ok(t.get("/api/v1/rectifications").token(&w.ops.1).send().await);
        assert!(mine["items"].as_array().unwrap().iter().any(|x| x["source"] == "drill" && x["source_id"] == did), "{mine}");

        // Tasks of a drill come from the drill, not from POST /rectifications.
        let before = counts(&t).await;
        let r = t.post("/api/v1/rectifications").token(&w.so).json(&json!({"source": "drill", "source_id": did,
            "description": "x", "responsible_id": w.ops.0, "due_at": days_ago(&t, -30)})).send().await;
        assert!(errors_of(r)["source"].is_string());
        assert_eq!(counts(&t).await, before);

        // A drill within the RTO opens nothing; changed to a slower recovery, it opens the
        // missed RTO's task (once); a stale version is 412.
        let ok_drill = created(t.post("/api/v1/drills").token(&w.so).json(&json!({"dr_plan_id": pid, "held_at": days_ago(&t, 5),
            "scenario": "CRM 数据库故障切换", "participant_ids": [w.ops.0], "result": "passed", "achieved_rto_hours": 3})).send().await);
        let oid = ok_drill["id"].as_i64().unwrap();
        assert_eq!((ok_drill["missed_rto"].as_bool(), ok_drill["rectifications"].as_array().unwrap().len()), (Some(false), 0));
        let before = counts(&t).await;
        let r = t.patch(&format!("/api/v1/drills/{oid}")).token(&w.so).if_match(9).json(&json!({"achieved_rto_hours": 6})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        let r = t.patch(&format!("/api/v1/drills/{oid}")).token(&w.so).if_match(1).json(&json!({"held_at": days_ago(&t, 90)})).send().await;
        assert!(errors_of(r)["held_at"].is_string());
        assert_eq!(counts(&t).await, before);
        let changed = ok(t.patch(&format!("/api/v1/drills/{oid}")).token(&w.so).if_match(1)
            .json(&json!({"achieved_rto_hours": 6, "result": "partial"})).send().await);
        assert_eq!((changed["missed_rto"].as_bool(), changed["rectifications"].as_array().unwrap().len(), changed["version"].as_i64()), (Some(true), 1, Some(2)));
        let again = ok(t.patch(&format!("/api/v1/drills/{oid}")).token(&w.so).if_match(2)
            .json(&json!({"achieved_rto_hours": 7})).send().await);
        assert_eq!(again["rectifications"].as_array().unwrap().len(), 1, "one missed-RTO task per drill");

        // The plan lists its drills; its day in force stays before its first drill.
        let p = ok(t.get(&format!("/api/v1/dr-plans/{pid}")).token(&w.so).send().await);
        assert_eq!(p["drills"].as_array().unwrap().len(), 2);
        let r = t.patch(&format!("/api/v1/dr-plans/{pid}")).token(&w.so).if_match(1).json(&json!({"adopted_at": days_ago(&t, 7)})).send().await;
        assert!(errors_of(r)["adopted_at"].is_string());
        let r = t.patch(&format!("/api/v1/dr-plans/{pid}")).token(&w.so).if_match(5).json(&json!({"rto_hours": 8})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        let p = ok(t.patch(&format!("/api/v1/dr-plans/{pid}")).token(&w.so).if_match(1).json(&json!({"rto_hours": 8, "asset_ids": [w.erp]})).send().await);
        assert_eq!((p["rto_hours"].as_i64(), p["asset_ids"].clone(), p["version"].as_i64()), (Some(8), json!([w.erp]), Some(2)));
        let missed = ok(t.get("/api/v1/drills?missed_rto=true").token(&w.so).send().await);
        assert_eq!(missed["total"], 1, "against the new 8-hour RTO only the 9-hour drill missed: {missed}");

        // Files of a drill.
        let (ct, body) = multipart("drill-record.png");
        let a = created(t.post(&format!("/api/v1/drills/{did}/attachments")).token(&w.ops.1).raw(&ct, body).send().await);
        let files = ok(t.get(&format!("/api/v1/drills/{did}/attachments")).token(&w.so).send().await);
        assert_eq!(files["items"].as_array().unwrap().len(), 1);
        let got = t.get(&format!("/api/v1/drills/{did}/attachments/{}", a["id"])).token(&w.so).send().await;
        assert_eq!(got.status, StatusCode::OK);
        let other = t.get(&format!("/api/v1/drills/{oid}/attachments/{}", a["id"])).token(&w.so).send().await;
        assert_eq!(other.status, StatusCode::NOT_FOUND);

        let codes = t.rows("SELECT action FROM audit_log WHERE entity_type = 'drill' ORDER BY seq").await;
        let codes: Vec<String> = codes.into_iter().map(|mut r| r.take::<String, _>(0).unwrap()).collect();
        assert_eq!(codes.iter().filter(|c| *c == "drill_problem").count(), 3, "{codes:?}");
        t.assert_audit_codes_declared().await;
    }

    async fn readers_read_writers_keep_staff_see_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let w = world(&t).await;
        let plan = created(t.post("/api/v1/dr-plans").token(&w.so).json(&json!({"title": "P", "asset_ids": [w.erp],
            "document_id": w.doc, "rto_hours": 4, "adopted_at": days_ago(&t, 30)})).send().await);
        let pid = plan["id"].as_i64().unwrap();
        let reads = ["/api/v1/backup-plans", "/api/v1/backup-plans/uncovered", "/api/v1/dr-plans", "/api/v1/drills",
            &format!("/api/v1/dr-plans/{pid}")];
        let readers = ["admin", "committee", "compliance_admin", "assessor", "auditor"];
        let writers = ["security_officer", "security_admin", "network_admin", "application_admin", "data_admin"];
        for (n, role) in readers.iter().chain(writers.iter()).chain(["staff"].iter()).enumerate() {
            let (_, tok) = t.user_with(&format!("u{n}.{}", role.replace('_', "")), &[(role, None)]).await;
            let reader = *role != "staff";
            let writer = writers.contains(role);
            for path in reads {
                let s = t.get(path).token(&tok).send().await.status;
                assert_eq!(s, if reader { StatusCode::OK } else { StatusCode::FORBIDDEN }, "{role} GET {path}");
            }
            let code = format!("A-{n}");
            let aid = asset(&t, &w.so, &code, 4).await;
            let r = t.post("/api/v1/backup-plans").token(&tok).json(&json!({"asset_id": aid, "scope": "s", "frequency": "weekly",
                "retention": "r", "location": "l", "rpo_hours": 1, "rto_hours": 1})).send().await;
            assert_eq!(r.status, if writer { StatusCode::CREATED } else { StatusCode::FORBIDDEN }, "{role} creates a backup plan");
            let r = t.post("/api/v1/drills").token(&tok).json(&json!({"dr_plan_id": pid, "held_at": days_ago(&t, 1),
                "scenario": "s", "result": "passed", "achieved_rto_hours": 1})).send().await;
            assert_eq!(r.status, if writer { StatusCode::CREATED } else { StatusCode::FORBIDDEN }, "{role} records a drill");
            let r = t.patch(&format!("/api/v1/dr-plans/{pid}")).token(&tok).if_match(1).json(&json!({"title": "P2"})).send().await;
            assert_ne!(r.status, if writer { StatusCode::FORBIDDEN } else { StatusCode::OK }, "{role} changes a DR plan");
        }
    }
}

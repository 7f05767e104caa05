//! The risk treatment plan through the API (SPEC §4.3): items planned by the team while the
//! treatment is planned, progress reported while it is carried out (also by the person
//! responsible, who holds no role on the assessment), overdue flags, and each person's
//! task list across assessments.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn created(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn kind(doc: &Value) -> &str {
    doc["type"].as_str().unwrap_or_default()
}

fn id(v: &Value) -> i64 {
    v["id"].as_i64().unwrap()
}

fn ids(list: &Value) -> Vec<i64> {
    list["items"].as_array().unwrap().iter().map(id).collect()
}

async fn move_to(t: &TestApp, token: &str, a: i64, to: &str) {
    ok(t.post(&format!("/api/v1/assessments/{a}/transitions"))
        .token(token)
        .json(&json!({"to": to, "comment": "next"}))
        .send()
        .await);
}

async fn threat_id(t: &TestApp, token: &str, code: &str) -> i64 {
    let list = ok(t
        .get(&format!("/api/v1/threats?q={code}"))
        .token(token)
        .send()
        .await);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == code)
        .map(id)
        .unwrap()
}

/// An assessment in identification with one rated, low risk per threat code; returns the
/// assessment id and the risk ids.
async fn assessment_with_risks(
    t: &TestApp,
    analyst: &str,
    name: &str,
    asset: i64,
    threats: &[&str],
) -> (i64, Vec<i64>) {
    let a = created(
        t.post("/api/v1/assessments")
            .token(analyst)
            .json(&json!({"name": name}))
            .send()
            .await,
    );
    let a = id(&a);
    move_to(t, analyst, a, "identification").await;
    let mut risks = Vec::new();
    for code in threats {
        let threat = threat_id(t, analyst, code).await;
        let r = created(
            t.post(&format!("/api/v1/assessments/{a}/risks"))
                .token(analyst)
                .json(&json!({"asset_id": asset, "threat_id": threat,
                    "threat_frequency": 1, "vulnerability_severity": 1}))
                .send()
                .await,
        );
        risks.push(id(&r));
    }
    (a, risks)
}

async fn add_item(t: &TestApp, token: &str, a: i64, risk: i64, body: Value) -> Resp {
    t.post(&format!(
        "/api/v1/assessments/{a}/risks/{risk}/treatment-items"
    ))
    .token(token)
    .json(&body)
    .send()
    .await
}

async fn patch_item(t: &TestApp, token: &str, a: i64, item: &Value, body: Value) -> Resp {
    t.patch(&format!(
        "/api/v1/assessments/{a}/treatment-items/{}",
        id(item)
    ))
    .token(token)
    .if_match(item["version"].as_i64().unwrap())
    .json(&body)
    .send()
    .await
}

async fn audit_count(t: &TestApp, action: &str) -> i64 {
    t.scalar(
        &format!("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity_type = 'treatment_item' AND action = '{action}'"),
        &[],
    )
    .await
    .unwrap()
    .parse()
    .unwrap()
}

async fn asset(t: &TestApp, token: &str, code: &str) -> i64 {
    id(&created(
        t.post("/api/v1/assets")
            .token(token)
            .json(
                &json!({"code": code, "name": format!("资产 {code}"), "category": "server",
                "confidentiality": 3, "integrity": 3, "availability": 3}),
            )
            .send()
            .await,
    ))
}

both! {
    async fn items_are_planned_with_the_treatment_and_checked(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, auditor) = t.user_with("audrey", &[("auditor", None)]).await;
        let (worker, staff) = t.user_with("worker", &[("staff", None)]).await;
        let it = t.department("IT 运维部", None).await;
        let srv = asset(&t, &officer, "SRV-1").await;
        let control = id(&created(t.post("/api/v1/controls").token(&officer)
            .json(&json!({"name": "补丁管理", "kind": "management"})).send().await));
        let (a, risks) = assessment_with_risks(&t, &analyst, "2026 评估", srv, &["T001", "T002"]).await;
        let (other_a, other_risks) = assessment_with_risks(&t, &analyst, "Other", srv, &["T001"]).await;
        let good = json!({"measure": "为数据库服务器安装安全补丁", "control_id": control,
            "department_id": it, "responsible_id": worker.id.0, "due_on": "2020-01-31"});

        // Items wait until the treatment is planned.
        let p = add_item(&t, &analyst, a, risks[0], good.clone()).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"), "{p}");
        assert_eq!(t.count("treatment_items").await, 0);
        move_to(&t, &analyst, a, "analysis").await;
        move_to(&t, &analyst, a, "treatment_planning").await;

        // Every bad field is named; nothing is written.
        let version_of = |x: i64| {
            let (t, analyst) = (&t, analyst.clone());
            async move {
                ok(t.get(&format!("/api/v1/assessments/{x}")).token(&analyst).send().await)["version"].as_i64().unwrap()
            }
        };
        let version_before = version_of(a).await;
        let audit_before = t.count("audit_log").await;
        let p = add_item(&t, &analyst, a, risks[0], json!({"measure": "  ", "control_id": 999999,
            "department_id": 999998, "responsible_id": 999997, "due_on": "next week", "status": "maybe"}))
            .await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["measure", "control_id", "department_id", "responsible_id", "due_on", "status"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        let p = add_item(&t, &analyst, a, risks[0], json!({"measure": "x".repeat(2001)}))
            .await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["measure"].is_string(), "{p}");
        add_item(&t, &analyst, a, risks[0], json!({"measure": "x", "owner": "me"}))
            .await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        // A risk of another assessment, or of none, is not found.
        add_item(&t, &analyst, a, other_risks[0], good.clone()).await.problem(StatusCode::NOT_FOUND);
        add_item(&t, &analyst, other_a, risks[0], good.clone()).await.problem(StatusCode::NOT_FOUND);
        add_item(&t, &analyst, a, 424242, good.clone()).await.problem(StatusCode::NOT_FOUND);
        add_item(&t, &analyst, 424242, risks[0], good.clone()).await.problem(StatusCode::NOT_FOUND);
        // Neither the responsible staff member nor a reader plans.
        add_item(&t, &staff, a, risks[0], good.clone()).await.problem(StatusCode::FORBIDDEN);
        add_item(&t, &auditor, a, risks[0], good.clone()).await.problem(StatusCode::FORBIDDEN);
        assert_eq!(t.count("treatment_items").await, 0);
        assert_eq!(t.count("audit_log").await, audit_before);

        // An open item past its due date is overdue; a finished one is not.
        let late = created(add_item(&t, &analyst, a, risks[0], good.clone()).await);
        assert_eq!(late["overdue"], true);
        assert_eq!(late["status"], "planned");
        assert_eq!((late["control_id"].as_i64(), late["department_id"].as_i64(), late["responsible_id"].as_i64()),
            (Some(control), Some(it), Some(worker.id.0)));
        assert_eq!(late["due_on"], "2020-01-31");
        assert_eq!(late["progress"], Value::Null);
        assert_eq!((late["assessment_name"].as_str(), late["assessment_phase"].as_str()), (Some("2026 评估"), Some("treatment_planning")));
        assert_eq!((late["asset_code"].as_str(), late["threat_code"].as_str()), (Some("SRV-1"), Some("T001")));
        let done = created(add_item(&t, &officer, a, risks[0], json!({"measure": "关闭不必要的端口",
            "due_on": "2020-01-01", "status": "done"})).await);
        assert_eq!(done["overdue"], false);
        let future = created(add_item(&t, &analyst, a, risks[1], json!({"measure": "部署 WAF", "due_on": "2099-06-30"})).await);
        assert_eq!(future["overdue"], false);
        assert_eq!(future["threat_code"], "T002");

        // The whole plan, by risk; a risk's own plan; readers see both.
        let plan = ok(t.get(&format!("/api/v1/assessments/{a}/treatment-plan")).token(&auditor).send().await);
        assert_eq!(ids(&plan), vec![id(&late), id(&done), id(&future)]);
        let flags: Vec<bool> = plan["items"].as_array().unwrap().iter().map(|i| i["overdue"].as_bool().unwrap()).collect();
        assert_eq!(flags, vec![true, false, false]);
        let of_risk = ok(t.get(&format!("/api/v1/assessments/{a}/risks/{}/treatment-items", risks[1])).token(&auditor).send().await);
        assert_eq!(ids(&of_risk), vec![id(&future)]);
        t.get(&format!("/api/v1/assessments/{a}/risks/{}/treatment-items", other_risks[0])).token(&auditor).send().await
            .problem(StatusCode::NOT_FOUND);
        t.get(&format!("/api/v1/assessments/{a}/treatment-plan")).token(&staff).send().await.problem(StatusCode::FORBIDDEN);

        // The plan changes while it is planned; status waits for the implementation.
        let moved = ok(patch_item(&t, &analyst, a, &late, json!({"measure": "安装 2026-01 安全补丁",
            "due_on": "2099-01-31", "control_id": null})).await);
        assert_eq!(moved["overdue"], false);
        assert_eq!(moved["control_id"], Value::Null);
        assert_eq!(moved["version"], 2);
        let p = patch_item(&t, &analyst, a, &moved, json!({"status": "in_progress"})).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"), "{p}");
        let p = patch_item(&t, &analyst, a, &moved, json!({"department_id": 999999, "measure": ""})).await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["department_id"].is_string() && p["errors"]["measure"].is_string(), "{p}");
        // A stale version is refused, for changes and deletions alike.
        patch_item(&t, &analyst, a, &late, json!({"measure": "again"})).await.problem(StatusCode::PRECONDITION_FAILED);
        t.delete(&format!("/api/v1/assessments/{a}/treatment-items/{}", id(&done))).token(&analyst).if_match(7)
            .send().await.problem(StatusCode::PRECONDITION_FAILED);
        // An item reached through another assessment is not found.
        patch_item(&t, &analyst, other_a, &moved, json!({"measure": "x"})).await.problem(StatusCode::NOT_FOUND);
        t.delete(&format!("/api/v1/assessments/{other_a}/treatment-items/{}", id(&done))).token(&analyst).if_match(1)
            .send().await.problem(StatusCode::NOT_FOUND);
        let r = t.delete(&format!("/api/v1/assessments/{a}/treatment-items/{}", id(&done))).token(&analyst).if_match(1).send().await;
        assert_eq!(r.status, StatusCode::NO_CONTENT, "{}", r.text());
        assert_eq!(t.count("treatment_items").await, 2);

        // One audit entry per change, and each bumped the assessment.
        assert_eq!(audit_count(&t, "create").await, 3);
        assert_eq!(audit_count(&t, "update").await, 1);
        assert_eq!(audit_count(&t, "delete").await, 1);
        let after = t.scalar("SELECT after_data FROM audit_log WHERE entity_type = 'treatment_item' AND action = 'update'", &[]).await.unwrap();
        assert!(after.contains("安装 2026-01 安全补丁"), "{after}");
        assert_eq!(version_of(a).await, version_before + 5);
    }

    async fn the_responsible_person_reports_progress_and_lists_their_tasks(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, auditor) = t.user_with("audrey", &[("auditor", None)]).await;
        let (worker, staff) = t.user_with("worker", &[("staff", None)]).await;
        let (colleague, colleague_token) = t.user_with("colleague", &[("staff", None)]).await;
        let (_, nobody) = t.user_with("nobody", &[]).await;
        let srv = asset(&t, &officer, "SRV-1").await;
        let (a, risks) = assessment_with_risks(&t, &analyst, "Main", srv, &["T001", "T002"]).await;
        let (b2, risks2) = assessment_with_risks(&t, &analyst, "Second", srv, &["T003"]).await;
        for x in [a, b2] {
            move_to(&t, &analyst, x, "analysis").await;
            move_to(&t, &analyst, x, "treatment_planning").await;
        }
        let mine = |measure: &str, due: Option<&str>, status: &str| json!({"measure": measure,
            "responsible_id": worker.id.0, "due_on": due, "status": status});
        let overdue = created(add_item(&t, &analyst, a, risks[0], mine("A overdue", Some("2020-03-01"), "planned")).await);
        let finished = created(add_item(&t, &analyst, a, risks[0], mine("B finished", Some("2099-01-01"), "done")).await);
        let undated = created(add_item(&t, &analyst, a, risks[1], mine("C undated", None, "planned")).await);
        let elsewhere = created(add_item(&t, &analyst, b2, risks2[0], mine("D elsewhere", Some("2050-06-01"), "planned")).await);
        let theirs = created(add_item(&t, &analyst, a, risks[1], json!({"measure": "E colleague",
            "responsible_id": colleague.id.0, "due_on": "2020-01-01"})).await);
        // Before the plan is approved, nobody reports progress.
        let p = patch_item(&t, &staff, a, &overdue, json!({"status": "in_progress"})).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"), "{p}");

        // The plan is approved and carried out.
        for r in &risks {
            let v = ok(t.get(&format!("/api/v1/assessments/{a}/risks/{r}")).token(&analyst).send().await);
            ok(t.patch(&format!("/api/v1/assessments/{a}/risks/{r}")).token(&analyst)
                .if_match(v["version"].as_i64().unwrap()).json(&json!({"treatment": "control"})).send().await);
        }
        move_to(&t, &analyst, a, "review").await;
        move_to(&t, &officer, a, "approved").await;
        move_to(&t, &analyst, a, "implementing").await;

        // The responsible staff member reports status and progress …
        let audit_before = audit_count(&t, "update").await;
        let started = ok(patch_item(&t, &staff, a, &overdue, json!({"status": "in_progress",
            "progress": "已在测试环境验证补丁\r\n下周上线"})).await);
        assert_eq!(started["status"], "in_progress");
        assert_eq!(started["progress"], "已在测试环境验证补丁\n下周上线");
        assert_eq!(started["overdue"], true, "started but still late");
        assert_eq!(started["assessment_phase"], "implementing");
        assert_eq!(audit_count(&t, "update").await, audit_before + 1);
        let actor = t.scalar("SELECT actor FROM audit_log WHERE entity_type = 'treatment_item' ORDER BY seq DESC", &[]).await;
        assert_eq!(actor.as_deref(), Some("worker"));
        // … but changes nothing else, not even together with a report.
        patch_item(&t, &staff, a, &started, json!({"measure": "Something easier"})).await.problem(StatusCode::FORBIDDEN);
        patch_item(&t, &staff, a, &started, json!({"status": "done", "due_on": "2099-01-01"})).await.problem(StatusCode::FORBIDDEN);
        patch_item(&t, &staff, a, &started, json!({"responsible_id": colleague.id.0})).await.problem(StatusCode::FORBIDDEN);
        let p = patch_item(&t, &staff, a, &started, json!({"progress": "x\u{0007}"})).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["progress"].is_string(), "{p}");
        patch_item(&t, &staff, a, &overdue, json!({"status": "done"})).await.problem(StatusCode::PRECONDITION_FAILED);
        // Nor touches what is not theirs, nor deletes, nor reads the plan.
        let r = patch_item(&t, &staff, a, &theirs, json!({"status": "done"})).await;
        assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND), "{} {}", r.status, r.text());
        t.delete(&format!("/api/v1/assessments/{a}/treatment-items/{}", id(&started))).token(&staff)
            .if_match(started["version"].as_i64().unwrap()).send().await.problem(StatusCode::FORBIDDEN);
        t.get(&format!("/api/v1/assessments/{a}/treatment-plan")).token(&staff).send().await.problem(StatusCode::FORBIDDEN);
        // A reader who is neither on the team nor responsible reports nothing.
        patch_item(&t, &auditor, a, &theirs, json!({"status": "done"})).await.problem(StatusCode::FORBIDDEN);
        // The colleague reports on their own item.
        let closed = ok(patch_item(&t, &colleague_token, a, &theirs, json!({"status": "cancelled", "progress": "由 E2 取代"})).await);
        assert_eq!(closed["overdue"], false);
        // The team reports too, but no longer re-plans or deletes.
        let noted = ok(patch_item(&t, &analyst, a, &started, json!({"progress": "复核：进度正常"})).await);
        assert_eq!(noted["status"], "in_progress");
        let p = patch_item(&t, &analyst, a, &noted, json!({"due_on": "2099-12-31"})).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"), "{p}");
        let p = t.delete(&format!("/api/v1/assessments/{a}/treatment-items/{}", id(&noted))).token(&analyst)
            .if_match(noted["version"].as_i64().unwrap()).send().await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"), "{p}");
        // In the other assessment, still being planned, status waits.
        patch_item(&t, &staff, b2, &elsewhere, json!({"status": "in_progress"})).await.problem(StatusCode::CONFLICT);

        // My tasks: only mine, across assessments, soonest due first, undated last.
        let all = ok(t.get("/api/v1/me/treatment-tasks").token(&staff).send().await);
        assert_eq!(ids(&all), vec![id(&overdue), id(&elsewhere), id(&finished), id(&undated)]);
        assert_eq!(all["next_cursor"], Value::Null);
        let first = &all["items"][0];
        assert_eq!((first["overdue"].as_bool(), first["assessment_name"].as_str(), first["asset_code"].as_str()),
            (Some(true), Some("Main"), Some("SRV-1")));
        assert_eq!(all["items"][1]["assessment_name"], "Second");
        let open = ok(t.get("/api/v1/me/treatment-tasks?open=true").token(&staff).send().await);
        assert_eq!(ids(&open), vec![id(&overdue), id(&elsewhere), id(&undated)]);
        // Page by page, the same order.
        let mut paged = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..10 {
            let url = match &cursor {
                None => "/api/v1/me/treatment-tasks?limit=1".to_owned(),
                Some(c) => format!("/api/v1/me/treatment-tasks?limit=1&cursor={c}"),
            };
            let page = ok(t.get(&url).token(&staff).send().await);
            paged.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => break,
            }
        }
        assert_eq!(paged, ids(&all));
        let page = ok(t.get("/api/v1/me/treatment-tasks?open=true&limit=2").token(&staff).send().await);
        assert_eq!(ids(&page), vec![id(&overdue), id(&elsewhere)]);
        let c = page["next_cursor"].as_str().unwrap().to_owned();
        let rest = ok(t.get(&format!("/api/v1/me/treatment-tasks?open=true&limit=2&cursor={c}")).token(&staff).send().await);
        assert_eq!(ids(&rest), vec![id(&undated)]);
        t.get("/api/v1/me/treatment-tasks?cursor=garbage").token(&staff).send().await.problem(StatusCode::BAD_REQUEST);
        t.get("/api/v1/me/treatment-tasks?limit=0").token(&staff).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let theirs_list = ok(t.get("/api/v1/me/treatment-tasks").token(&colleague_token).send().await);
        assert_eq!(ids(&theirs_list), vec![id(&theirs)]);
        let open_theirs = ok(t.get("/api/v1/me/treatment-tasks?open=true").token(&colleague_token).send().await);
        assert!(ids(&open_theirs).is_empty());
        let empty = ok(t.get("/api/v1/me/treatment-tasks").token(&nobody).send().await);
        assert!(ids(&empty).is_empty());
        t.get("/api/v1/me/treatment-tasks").send().await.problem(StatusCode::UNAUTHORIZED);
    }
}

//! Approval requests on the workflow engine (SPEC §6.0, §6.1): a chain walked step by step
//! from "waiting for me", separation of duties, returns, chain versions, the calendar, and
//! the access change opened by a job change with its one-working-day deadline.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use castellan_domain::workflow::calendar::{Calendar, DayKind};
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

async fn waiting(t: &TestApp, token: &str) -> Vec<Value> {
    ok(t.get("/api/v1/me/approvals").token(token).send().await)["items"]
        .as_array()
        .unwrap()
        .clone()
}

fn ids(items: &[Value], process: &str) -> Vec<i64> {
    items
        .iter()
        .filter(|i| i["process"] == process)
        .map(|i| i["id"].as_i64().unwrap())
        .collect()
}

async fn set_head(t: &TestApp, dept: i64, head: i64) {
    let d = ok(t
        .get(&format!("/api/v1/departments/{dept}"))
        .token(t.token_admin())
        .send()
        .await);
    ok(t.patch(&format!("/api/v1/departments/{dept}"))
        .token(t.token_admin())
        .if_match(d["version"].as_i64().unwrap())
        .json(&json!({"head_id": head}))
        .send()
        .await);
}

async fn ask(t: &TestApp, token: &str, body: Value) -> Value {
    let r = created(
        t.post("/api/v1/requests")
            .token(token)
            .json(&body)
            .send()
            .await,
    );
    assert_eq!(r["status"], "draft");
    assert!(r["code"].as_str().unwrap().starts_with("REQ-"));
    ok(t.post(&format!("/api/v1/requests/{}/transitions", r["id"]))
        .token(token)
        .json(&json!({"to": "submitted"}))
        .send()
        .await)
}

async fn decide(t: &TestApp, token: &str, id: i64, decision: &str, comment: Option<&str>) -> Resp {
    t.post(&format!("/api/v1/requests/{id}/decisions"))
        .token(token)
        .json(&json!({"decision": decision, "comment": comment}))
        .send()
        .await
}

both! {
    async fn an_access_request_is_approved_by_the_head_then_the_security_administrator(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("研发部", None).await;
        let (head, head_tok) = t.user_in("head", Some(dept), &[("staff", None)]).await;
        let (_, staff_tok) = t.user_in("zhangsan", Some(dept), &[("staff", None)]).await;
        let (_, sa_tok) = t.user_with("secadmin", &[("security_admin", None)]).await;
        let (_, other_tok) = t.user_with("outsider", &[("staff", None)]).await;
        set_head(&t, dept, head.id.0).await;

        let r = ask(&t, &staff_tok, json!({"kind": "access_grant", "title": "申请开通 OA 系统只读权限",
            "description": "新入职，需要查看公告"})).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["status"], "submitted");
        assert_eq!(r["current_step"], 0);
        assert_eq!(r["steps"].as_array().unwrap().len(), 2);
        assert_eq!(r["steps"][0]["approver_role"], "department_head");

        // Only the head sees it now; the security administrator's turn comes next.
        assert_eq!(ids(&waiting(&t, &head_tok).await, "request"), [id]);
        assert!(ids(&waiting(&t, &sa_tok).await, "request").is_empty());
        // Someone else cannot decide, nor even see it.
        decide(&t, &other_tok, id, "approve", None).await.problem(StatusCode::NOT_FOUND);
        t.get(&format!("/api/v1/requests/{id}")).token(&other_tok).send().await.problem(StatusCode::NOT_FOUND);
        // A return or rejection needs a comment.
        decide(&t, &head_tok, id, "reject", None).await.problem(StatusCode::UNPROCESSABLE_ENTITY);

        let after_head = ok(decide(&t, &head_tok, id, "approve", Some("同意")).await);
        assert_eq!(after_head["status"], "submitted");
        assert_eq!(after_head["current_step"], 1);
        // Deciding twice on the same request: the step is no longer the head's.
        decide(&t, &head_tok, id, "approve", None).await.problem(StatusCode::FORBIDDEN);
        assert!(ids(&waiting(&t, &head_tok).await, "request").is_empty());
        assert_eq!(ids(&waiting(&t, &sa_tok).await, "request"), [id]);

        let done = ok(decide(&t, &sa_tok, id, "approve", None).await);
        assert_eq!(done["status"], "approved");
        let approvals = done["approvals"].as_array().unwrap();
        assert_eq!(approvals.len(), 2);
        assert_eq!(approvals[0]["approver"], "head");
        assert_eq!(approvals[0]["comment"], "同意");
        assert_eq!(approvals[1]["approver"], "secadmin");
        // Approved requests wait for someone to carry them out, then for an independent close.
        assert!(ids(&waiting(&t, &sa_tok).await, "request").contains(&id));
        let implemented = ok(t.post(&format!("/api/v1/requests/{id}/transitions")).token(&sa_tok)
            .json(&json!({"to": "implemented"})).send().await);
        assert_eq!(implemented["status"], "implemented");
        assert_eq!(implemented["deadline_met"], Value::Null);
        // The requester may not close what they asked for.
        t.post(&format!("/api/v1/requests/{id}/transitions")).token(&staff_tok)
            .json(&json!({"to": "closed"})).send().await.problem(StatusCode::FORBIDDEN);
        let (_, officer_tok) = t.user_with("officer", &[("security_officer", None)]).await;
        let closed = ok(t.post(&format!("/api/v1/requests/{id}/transitions")).token(&officer_tok)
            .json(&json!({"to": "closed"})).send().await);
        assert_eq!(closed["status"], "closed");
        assert!(closed["allowed_transitions"].as_array().unwrap().is_empty());
        let moves = ok(t.get(&format!("/api/v1/requests/{id}/transitions")).token(&staff_tok).send().await);
        let path: Vec<&str> = moves["items"].as_array().unwrap().iter().map(|m| m["to"].as_str().unwrap()).collect();
        assert_eq!(path, ["submitted", "approved", "implemented", "closed"]);
        // Staff see their own requests only.
        let mine = ok(t.get("/api/v1/requests").token(&staff_tok).send().await);
        assert_eq!(mine["total"], 1);
        let theirs = ok(t.get("/api/v1/requests").token(&other_tok).send().await);
        assert_eq!(theirs["total"], 0);
        t.assert_audit_codes_declared().await;
    }

    async fn a_major_change_also_needs_the_committee_and_nobody_approves_their_own(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("运维部", None).await;
        let (head, head_tok) = t.user_in("ops-head", Some(dept), &[("staff", None)]).await;
        // The requester is a security administrator too: they may not approve their own step.
        let (_, req_tok) = t.user_in("ops-engineer", Some(dept), &[("security_admin", None)]).await;
        let (_, sa_tok) = t.user_with("sa2", &[("security_admin", None)]).await;
        let (_, committee_tok) = t.user_with("committee1", &[("committee", None)]).await;
        set_head(&t, dept, head.id.0).await;
        let r = ask(&t, &req_tok, json!({"kind": "change", "title": "核心交换机升级", "impact": "major"})).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["steps"].as_array().unwrap().len(), 3);
        assert_eq!(r["steps"][2]["approver_role"], "committee");
        ok(decide(&t, &head_tok, id, "approve", None).await);
        // Step 2 (security administrator): the requester holds the role but is refused.
        decide(&t, &req_tok, id, "approve", None).await.problem(StatusCode::CONFLICT);
        assert!(ids(&waiting(&t, &req_tok).await, "request").is_empty());
        let v = ok(decide(&t, &sa_tok, id, "approve", None).await);
        assert_eq!(v["status"], "submitted");
        assert_eq!(v["current_step"], 2);
        assert_eq!(ids(&waiting(&t, &committee_tok).await, "request"), [id]);
        let v = ok(decide(&t, &committee_tok, id, "approve", None).await);
        assert_eq!(v["status"], "approved");
    }

    async fn a_return_sends_the_draft_back_and_chains_edited_in_flight_keep_their_version(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff_tok) = t.user_with("li", &[("staff", None)]).await;
        let (_, sa_tok) = t.user_with("sa", &[("security_admin", None)]).await;
        let (_, officer_tok) = t.user_with("so", &[("security_officer", None)]).await;
        // No department, so no head: the head step is skipped.
        let r = ask(&t, &staff_tok, json!({"kind": "important_operation", "title": "导出客户数据"})).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["current_step"], 1);
        assert_eq!(r["chain_version"], 1);
        // The security officer edits the chain: a second security step; the request in flight
        // keeps its two steps.
        let chains = ok(t.get("/api/v1/approval-chains").token(&officer_tok).send().await);
        let chain = chains["items"].as_array().unwrap().iter()
            .find(|c| c["applies_to"] == "important_operation" && c["impact"] == "normal").unwrap().clone();
        let cid = chain["id"].as_i64().unwrap();
        // The shipped chain's steps have no names (the UI names them by approver); an edit
        // names them.
        let mut steps: Vec<Value> = chain["steps"].as_array().unwrap().iter().enumerate()
            .map(|(i, s)| { let mut s = s.clone(); s["name"] = json!(format!("第 {} 步", i + 1)); s }).collect();
        steps.push(json!({"name": "安全负责人复核", "approver_role": "security_officer", "scope": "any", "min_approvals": 1}));
        let edited = ok(t.patch(&format!("/api/v1/approval-chains/{cid}")).token(&officer_tok).if_match(1)
            .json(&json!({"code": chain["code"], "name": "重要操作审批", "applies_to": "important_operation",
                "impact": "normal", "steps": steps})).send().await);
        assert_eq!(edited["version"], 2);
        // A stale edit changes nothing.
        t.patch(&format!("/api/v1/approval-chains/{cid}")).token(&officer_tok).if_match(1)
            .json(&json!({"code": "x", "name": "x", "applies_to": "important_operation", "impact": "normal",
                "steps": steps})).send().await.problem(StatusCode::PRECONDITION_FAILED);

        decide(&t, &sa_tok, id, "return", Some("   ")).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let back = ok(decide(&t, &sa_tok, id, "return", Some("请写明导出范围")).await);
        assert_eq!(back["status"], "draft");
        assert_eq!(back["steps"].as_array().unwrap().len(), 2, "kept the version it was submitted with");
        let mine = waiting(&t, &staff_tok).await;
        assert_eq!(mine[0]["expected"], "revise");
        // A draft is its requester's: the security officer, who oversees every department,
        // neither lists nor reads it; the approver who returned it still reads it.
        assert_eq!(ok(t.get("/api/v1/requests").token(&officer_tok).send().await)["total"], 0);
        t.get(&format!("/api/v1/requests/{id}")).token(&officer_tok).send().await.problem(StatusCode::NOT_FOUND);
        ok(t.get(&format!("/api/v1/requests/{id}")).token(&sa_tok).send().await);
        // Resubmitted, it takes the chain's new version.
        let again = ok(t.post(&format!("/api/v1/requests/{id}/transitions")).token(&staff_tok)
            .json(&json!({"to": "submitted"})).send().await);
        assert_eq!(again["chain_version"], 2);
        assert_eq!(again["steps"].as_array().unwrap().len(), 3);
        assert_eq!(again["round"], 2);
        // Withdrawn by the requester; nothing moves afterwards.
        let w = ok(t.post(&format!("/api/v1/requests/{id}/transitions")).token(&staff_tok)
            .json(&json!({"to": "withdrawn"})).send().await);
        assert_eq!(w["status"], "withdrawn");
        t.post(&format!("/api/v1/requests/{id}/transitions")).token(&staff_tok)
            .json(&json!({"to": "submitted"})).send().await.problem(StatusCode::CONFLICT);
    }

    async fn chains_and_calendar_refuse_bad_input_and_change_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, officer_tok) = t.user_with("so", &[("security_officer", None)]).await;
        let (_, staff_tok) = t.user_with("st", &[("staff", None)]).await;
        let before = ok(t.get("/api/v1/approval-chains").token(&officer_tok).send().await);
        let p = t.post("/api/v1/approval-chains").token(&officer_tok)
            .json(&json!({"code": "empty", "name": "空", "applies_to": "change", "impact": "normal", "steps": []}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["steps"].is_string(), "{p}");
        let p = t.post("/api/v1/approval-chains").token(&officer_tok)
            .json(&json!({"code": "bad", "name": "坏", "applies_to": "rockets", "impact": "huge",
                "steps": [{"name": "x", "approver_role": "wizard"}]}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["applies_to", "impact", "steps[0].approver_role"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        // One chain per kind and impact.
        t.post("/api/v1/approval-chains").token(&officer_tok)
            .json(&json!({"code": "dup", "name": "重复", "applies_to": "change", "impact": "normal",
                "steps": [{"name": "x", "approver_role": "committee"}]}))
            .send().await.problem(StatusCode::CONFLICT);
        t.post("/api/v1/approval-chains").token(&staff_tok)
            .json(&json!({"code": "s", "name": "s", "applies_to": "change", "impact": "normal",
                "steps": [{"name": "x", "approver_role": "committee"}]}))
            .send().await.problem(StatusCode::FORBIDDEN);
        let after = ok(t.get("/api/v1/approval-chains").token(&officer_tok).send().await);
        assert_eq!(before, after);

        // The calendar: a day given twice is refused and nothing is entered.
        let p = t.post("/api/v1/calendar").token(t.token_admin())
            .json(&json!({"days": [{"day": "2026-10-01", "kind": "holiday", "name": "国庆节"},
                                   {"day": "2026-10-01", "kind": "workday", "name": "调休"}]}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["days[1].day"].is_string(), "{p}");
        let year = ok(t.get("/api/v1/calendar?year=2026").token(&staff_tok).send().await);
        assert!(year["days"].as_array().unwrap().is_empty());
        created(t.post("/api/v1/calendar").token(t.token_admin())
            .json(&json!({"days": [{"day": "2026-10-01", "kind": "holiday", "name": "国庆节"}]})).send().await);
        t.post("/api/v1/calendar").token(t.token_admin())
            .json(&json!({"days": [{"day": "2026-10-01", "kind": "holiday", "name": "again"}]}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.post("/api/v1/calendar").token(&staff_tok)
            .json(&json!({"days": [{"day": "2026-10-02", "kind": "holiday", "name": "x"}]}))
            .send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(ok(t.get("/api/v1/calendar?year=2026").token(&staff_tok).send().await)["days"][0]["name"], "国庆节");
        t.delete("/api/v1/calendar/2026-10-01").token(t.token_admin()).send().await;
        assert!(ok(t.get("/api/v1/calendar?year=2026").token(&staff_tok).send().await)["days"].as_array().unwrap().is_empty());
    }

    async fn a_department_move_opens_an_access_change_due_the_next_working_day(b: Backend) {
        let t = TestApp::new(b).await;
        let a = t.department("财务部", None).await;
        let bdept = t.department("审计部", None).await;
        let (user, _) = t.user_in("wangwu", Some(a), &[("staff", None)]).await;
        let (_, da_tok) = t.user_with("dataadmin", &[("data_admin", None)]).await;
        // Make tomorrow (in Beijing) a holiday so the deadline skips it.
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap();
        let today = Day::of_at(Timestamp::now(), offset);
        let holiday = today.next();
        created(t.post("/api/v1/calendar").token(t.token_admin())
            .json(&json!({"days": [{"day": holiday.to_db(), "kind": "holiday", "name": "测试假日"}]})).send().await);

        let u = ok(t.get(&format!("/api/v1/users/{}", user.id.0)).token(t.token_admin()).send().await);
        ok(t.patch(&format!("/api/v1/users/{}", user.id.0)).token(t.token_admin())
            .if_match(u["version"].as_i64().unwrap())
            .json(&json!({"department_id": bdept})).send().await);
        let list = ok(t.get(&format!("/api/v1/requests?subject_user_id={}", user.id.0)).token(t.token_admin()).send().await);
        assert_eq!(list["total"], 1);
        let r = &list["items"][0];
        assert_eq!(r["kind"], "access_modify");
        assert_eq!(r["origin"], "job_change");
        assert_eq!(r["status"], "approved");
        let created_at = Timestamp::parse(r["created_at"].as_str().unwrap()).unwrap();
        let cal = Calendar::new([(holiday, DayKind::Holiday)]).unwrap();
        let expected = cal.end_of_next_working_day(created_at, offset);
        assert_eq!(Timestamp::parse(r["due_at"].as_str().unwrap()).unwrap(), expected);
        assert!(Day::of_at(expected, offset) > holiday, "due after the holiday");
        // The data administrator is told.
        let id = r["id"].as_i64().unwrap();
        assert!(ids(&waiting(&t, &da_tok).await, "request").contains(&id));

        // Disabling opens a revocation. Made late (its deadline moved into the past), it is
        // recorded as breached when carried out, and listed with the breaches.
        let u = ok(t.get(&format!("/api/v1/users/{}", user.id.0)).token(t.token_admin()).send().await);
        ok(t.patch(&format!("/api/v1/users/{}", user.id.0)).token(t.token_admin())
            .if_match(u["version"].as_i64().unwrap())
            .json(&json!({"status": "disabled"})).send().await);
        let revoke = ok(t.get(&format!("/api/v1/requests?subject_user_id={}&kind=access_revoke", user.id.0))
            .token(t.token_admin()).send().await)["items"][0].clone();
        let rid = revoke["id"].as_i64().unwrap();
        t.raw_sql(&format!("UPDATE requests SET due_at = '2020-01-01T00:00:00.000000Z' WHERE id = {rid}")).await;
        let breached = ok(t.get("/api/v1/requests?breached=true").token(t.token_admin()).send().await);
        let listed: Vec<i64> = breached["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, [rid]);
        let late = ok(t.post(&format!("/api/v1/requests/{rid}/transitions")).token(&da_tok)
            .json(&json!({"to": "implemented"})).send().await);
        assert_eq!(late["deadline_met"], false);
        assert_eq!(late["breached"], true);
        let on_time = ok(t.post(&format!("/api/v1/requests/{id}/transitions")).token(&da_tok)
            .json(&json!({"to": "implemented"})).send().await);
        assert_eq!(on_time["deadline_met"], true);
        let met = ok(t.get("/api/v1/requests?breached=false").token(t.token_admin()).send().await);
        let listed: Vec<i64> = met["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
        assert_eq!(listed, [id]);
    }

    async fn the_head_of_the_department_above_decides_when_a_team_names_none(b: Backend) {
        let t = TestApp::new(b).await;
        let division = t.department("信息技术部", None).await;
        let team = t.department("运维组", Some(division)).await;
        let (head, head_tok) = t.user_in("it-head", Some(division), &[("staff", None)]).await;
        let (_, staff_tok) = t.user_in("ops1", Some(team), &[("staff", None)]).await;
        set_head(&t, division, head.id.0).await;
        let r = ask(&t, &staff_tok, json!({"kind": "access_grant", "title": "堡垒机账号"})).await;
        let id = r["id"].as_i64().unwrap();
        assert_eq!(r["current_step"], 0, "the step is not skipped: the division names a head");
        // The list and the single request agree on what the head may do.
        let one = ok(t.get(&format!("/api/v1/requests/{id}")).token(&head_tok).send().await);
        let list = ok(t.get("/api/v1/requests").token(&head_tok).send().await);
        assert_eq!(one["allowed_decisions"], json!(["approve", "reject", "return"]));
        // A head sees the requests of the departments below them in the list.
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["allowed_decisions"], one["allowed_decisions"]);
        let admin_list = ok(t.get("/api/v1/requests").token(t.token_admin()).send().await);
        assert_eq!(admin_list["items"][0]["allowed_decisions"], json!([]), "the administrator is not an approver");
        assert_eq!(ids(&waiting(&t, &head_tok).await, "request"), [id]);
        ok(decide(&t, &head_tok, id, "approve", None).await);
    }
}

//! Security goals (SPEC §6.5): the 2027 company goal set by the security officer and
//! published by the committee, broken down into two department goals (one returned with a
//! comment, changed and published) and a position goal approved by its department goal's
//! owner; nobody approves their own; bad parents refused with nothing changed; progress
//! and coverage.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

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

async fn move_to(t: &TestApp, token: &str, id: i64, to: &str, comment: Option<&str>) -> Resp {
    t.post(&format!("/api/v1/goals/{id}/transitions"))
        .token(token)
        .json(&json!({"to": to, "comment": comment}))
        .send()
        .await
}

both! {
    async fn the_2027_goal_is_broken_down_to_departments_and_a_position(b: Backend) {
        let t = TestApp::new(b).await;
        let root = t.department("总部", None).await;
        let it = t.department("信息技术部", Some(root)).await;
        let fin = t.department("财务部", Some(root)).await;
        let _hr = t.department("人力资源部", Some(root)).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let (_, committee) = t.user_with("lead.zhou", &[("committee", None)]).await;
        let (it_head, it_tok) = t.user_in("it.head", Some(it), &[("staff", None)]).await;
        let (fin_head, fin_tok) = t.user_in("fin.head", Some(fin), &[("staff", None)]).await;
        let (net, net_tok) = t.user_in("it.net", Some(it), &[("network_admin", None)]).await;
        let (_, staff) = t.user_in("it.wang", Some(it), &[("staff", None)]).await;

        // The company goal: only the security officer or the committee sets it.
        let body = json!({"year": 2027, "level": "company", "title": "全年不发生重大及以上信息安全事件",
            "metric": "重大及以上事件数", "target": "0"});
        assert_eq!(t.post("/api/v1/goals").token(&staff).json(&body).send().await.status, StatusCode::FORBIDDEN);
        let company = created(t.post("/api/v1/goals").token(&so).json(&body).send().await);
        let cid = company["id"].as_i64().unwrap();
        assert_eq!((company["status"].as_str(), company["allowed_transitions"].clone()), (Some("draft"), json!(["in_review"])));
        // Nothing is broken down from a draft.
        let r = t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2027, "level": "department", "parent_id": cid,
            "department_id": it, "title": "x", "metric": "x", "target": "x"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "goal_parent_not_published");
        ok(move_to(&t, &so, cid, "in_review", None).await);
        assert_eq!(move_to(&t, &so, cid, "published", None).await.status, StatusCode::FORBIDDEN, "the owner does not publish their own");
        let w = ok(t.get("/api/v1/me/approvals").token(&committee).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "goal" && i["id"] == cid && i["href"] == format!("/api/v1/goals/{cid}")), "{w}");
        let c = ok(move_to(&t, &committee, cid, "published", Some("同意")).await);
        assert_eq!(c["status"], "published");

        // Bad parents: another year, another level; nothing is created.
        let before = t.count("goals").await;
        let r = t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2028, "level": "department", "parent_id": cid,
            "department_id": it, "title": "x", "metric": "x", "target": "x"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["parent_id"].is_string());
        let r = t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2027, "level": "position", "parent_id": cid,
            "position": "网络管理员", "title": "x", "metric": "x", "target": "x"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["parent_id"].is_string());
        let r = t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2027, "level": "department", "parent_id": cid,
            "title": "", "metric": "x", "target": "x"})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["department_id"].is_string() && e["errors"]["title"].is_string(), "{e}");
        assert_eq!(t.count("goals").await, before);

        // Two department goals, drafted by the department heads.
        let itg = created(t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2027, "level": "department", "parent_id": cid,
            "department_id": it, "title": "核心系统高危漏洞 30 天内修复", "metric": "高危漏洞按期修复率", "target": "≥ 95%"})).send().await);
        let itid = itg["id"].as_i64().unwrap();
        let fing = created(t.post("/api/v1/goals").token(&fin_tok).json(&json!({"year": 2027, "level": "department", "parent_id": cid,
            "department_id": fin, "title": "财务数据零泄露", "metric": "数据泄露事件数", "target": "0"})).send().await);
        let finid = fing["id"].as_i64().unwrap();
        for id in [itid, finid] {
            let tok = if id == itid { &it_tok } else { &fin_tok };
            ok(move_to(&t, tok, id, "in_review", None).await);
        }
        // The company goal's owner (the security officer) decides; the committee does not.
        assert_eq!(move_to(&t, &committee, itid, "published", None).await.status, StatusCode::FORBIDDEN);
        let r = move_to(&t, &so, finid, "returned", None).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["comment"].is_string());
        let back = ok(move_to(&t, &so, finid, "returned", Some("请把目标量化到季度")).await);
        assert_eq!(back["status"], "returned");
        assert_eq!(back["approvals"][0]["comment"], "请把目标量化到季度");
        let w = ok(t.get("/api/v1/me/approvals").token(&fin_tok).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "goal" && i["expected"] == "revise"), "{w}");
        let changed = ok(t.patch(&format!("/api/v1/goals/{finid}")).token(&fin_tok).if_match(back["version"].as_i64().unwrap())
            .json(&json!({"title": "财务数据零泄露，每季度完成一次权限复核", "metric": "数据泄露事件数；权限复核次数", "target": "0；4 次"})).send().await);
        assert_eq!(changed["year"], 2027, "year and level stay");
        ok(move_to(&t, &fin_tok, finid, "in_review", None).await);
        assert_eq!(ok(move_to(&t, &so, finid, "published", None).await)["status"], "published");
        assert_eq!(ok(move_to(&t, &so, itid, "published", None).await)["status"], "published");
        let r = t.patch(&format!("/api/v1/goals/{itid}")).token(&it_tok).if_match(99).json(&json!({"title": "x", "metric": "x", "target": "x"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "goal_locked");

        // A position goal under IT's, drafted by the network administrator, approved by the IT head.
        let r = t.post("/api/v1/goals").token(&it_tok).json(&json!({"year": 2027, "level": "position", "parent_id": itid,
            "position": "网络管理员", "owner_id": net.id.0, "title": "x", "metric": "x", "target": "x"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "a goal below the company's is drafted by its owner");
        let pos = created(t.post("/api/v1/goals").token(&net_tok).json(&json!({"year": 2027, "level": "position", "parent_id": itid,
            "position": "网络管理员", "title": "边界防火墙策略每季度复核", "metric": "复核次数", "target": "4"})).send().await);
        let pid = pos["id"].as_i64().unwrap();
        assert_eq!(pos["department_id"], it, "a position goal is in its department goal's department");
        assert_eq!(pos["owner_id"], net.id.0);
        assert_eq!(move_to(&t, &it_tok, pid, "in_review", None).await.status, StatusCode::FORBIDDEN, "the owner submits");
        ok(move_to(&t, &net_tok, pid, "in_review", None).await);
        assert_eq!(move_to(&t, &so, pid, "published", None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(move_to(&t, &net_tok, pid, "published", None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(ok(move_to(&t, &it_tok, pid, "published", None).await)["status"], "published");
        assert_eq!(code(&move_to(&t, &it_tok, pid, "published", None).await, StatusCode::CONFLICT), "phase_move_not_allowed");
        // A company goal drafted by a committee member is published by another member only.
        let (_, other_lead) = t.user_with("lead.wu", &[("committee", None)]).await;
        let own = created(t.post("/api/v1/goals").token(&committee).json(&json!({"year": 2028, "level": "company",
            "title": "2028", "metric": "m", "target": "0"})).send().await);
        let oid = own["id"].as_i64().unwrap();
        ok(move_to(&t, &committee, oid, "in_review", None).await);
        assert_eq!(code(&move_to(&t, &committee, oid, "published", None).await, StatusCode::CONFLICT), "self_approval");
        assert_eq!(ok(move_to(&t, &other_lead, oid, "published", None).await)["status"], "published");
        let _ = (it_head, fin_head);

        // Progress and the tree.
        let r = t.put(&format!("/api/v1/goals/{itid}/progress")).token(&it_tok).json(&json!({"progress": 120})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["progress"].is_string());
        let p = ok(t.put(&format!("/api/v1/goals/{itid}/progress")).token(&it_tok).json(&json!({"progress": 60, "note": "上半年修复率 96%"})).send().await);
        assert_eq!(p["progress"], 60);
        assert_eq!(t.put(&format!("/api/v1/goals/{itid}/progress")).token(&so).json(&json!({"progress": 10})).send().await.status, StatusCode::FORBIDDEN);
        assert_eq!(code(&t.put(&format!("/api/v1/goals/{finid}/progress")).token(&fin_tok).if_match(1).json(&json!({"progress": 10})).send().await, StatusCode::PRECONDITION_FAILED), "stale_version", "a stale version changes nothing");
        let draft = created(t.post("/api/v1/goals").token(&fin_tok).json(&json!({"year": 2027, "level": "position", "parent_id": finid,
            "position": "会计", "title": "x", "metric": "x", "target": "x"})).send().await);
        assert_eq!(code(&t.put(&format!("/api/v1/goals/{}/progress", draft["id"])).token(&fin_tok).json(&json!({"progress": 10})).send().await, StatusCode::CONFLICT), "goal_not_published");
        let tree = ok(t.get("/api/v1/goals/tree?year=2027").token(&staff).send().await);
        assert_eq!(tree["goals"].as_array().unwrap().len(), 5);
        assert_eq!(tree["goals"][0]["level"], "company");
        assert_eq!(tree["expected"], 3);
        assert_eq!(tree["uncovered"], json!([{"department_id": _hr, "name": "人力资源部"}]));
        assert!(t.get("/api/v1/goals/tree?year=1800").token(&staff).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["year"].is_string());
        assert_eq!(ok(t.get("/api/v1/goals?year=2027&level=department").token(&staff).send().await)["total"], 2);
        t.assert_audit_codes_declared().await;
    }
}

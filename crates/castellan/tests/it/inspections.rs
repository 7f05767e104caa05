//! Inspections (SPEC §6.3): a quarterly plan on the shipped checklist prepared by a security
//! administrator and approved by a security officer (never by whoever prepared it),
//! performed with two failed items whose rectification tasks are done and verified, the
//! plan's next due day moved on; bad input refused with nothing changed; who reads what.

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

fn code(r: &Resp, status: StatusCode) -> String {
    r.problem(status)["type"]
        .as_str()
        .unwrap_or_default()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A day relative to today, the organization's local day (as the server counts days).
fn day(offset: i64) -> String {
    let d = Day::of_at(
        Timestamp::now(),
        castellan_app::Settings::default().utc_offset(),
    );
    Day::from_date(d.date() + time::Duration::days(offset)).to_db()
}

fn file_body(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "evidence-boundary";
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

pub(crate) async fn shipped_checklist(t: &TestApp, token: &str) -> i64 {
    let list = ok(t.get("/api/v1/checklists").token(token).send().await);
    let first = &list["items"][0];
    assert_eq!(
        (first["code"].as_str(), first["builtin"].as_bool()),
        (Some("default"), Some(true)),
        "{list}"
    );
    assert_eq!(first["item_count"], 24);
    first["id"].as_i64().unwrap()
}

both! {
    async fn a_quarterly_inspection_is_approved_performed_rectified_and_verified(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, sa) = t.user_with("sec.li", &[("security_admin", None)]).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let (insp, insp_tok) = t.user_with("insp.wang", &[("staff", None)]).await;
        let (insp2, _) = t.user_with("insp.zhao", &[("staff", None)]).await;
        let (fixer, fixer_tok) = t.user_with("net.sun", &[("network_admin", None)]).await;
        let (_, outsider) = t.user_with("outsider", &[("staff", None)]).await;
        let (_, auditor) = t.user_with("audit.he", &[("auditor", None)]).await;
        let it = t.department("信息技术部", None).await;
        let checklist = shipped_checklist(&t, &sa).await;
        assert_eq!(t.get("/api/v1/checklists").token(&outsider).send().await.status, StatusCode::FORBIDDEN);

        // Bad plans change nothing.
        let r = t.post("/api/v1/inspection-plans").token(&sa).json(&json!({"title": "", "frequency": "weekly",
            "checklist_id": 999999, "inspector_ids": [], "next_due_at": day(-1)})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["title", "frequency", "checklist_id", "inspector_ids", "next_due_at"] {
            assert!(e["errors"][f].is_string(), "{f}: {e}");
        }
        let r = t.post("/api/v1/inspection-plans").token(&sa).json(&json!({"title": "x", "frequency": "quarterly",
            "checklist_id": checklist, "inspector_ids": [999999], "next_due_at": day(5)})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["inspector_ids[0]"].is_string());
        assert_eq!(t.count("inspection_plans").await, 0);
        let r = t.post("/api/v1/inspection-plans").token(&outsider).json(&json!({"title": "x"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // The plan: quarterly, two inspectors with their duties.
        let plan = created(t.post("/api/v1/inspection-plans").token(&sa).json(&json!({
            "title": "2027 年度季度安全检查", "scope": "机房、办公网络、核心业务系统", "frequency": "quarterly",
            "checklist_id": checklist, "department_id": it, "inspector_ids": [insp.id.0, insp2.id.0],
            "responsibilities": "王：物理与网络；赵：系统、数据与管理", "next_due_at": day(10)})).send().await);
        let pid = plan["id"].as_i64().unwrap();
        assert!(plan["code"].as_str().unwrap().starts_with("IP-"), "{plan}");
        assert_eq!((plan["status"].as_str(), plan["allowed_transitions"].clone()), (Some("draft"), json!(["in_review", "retired"])));
        // Nobody inspects under a draft plan.
        let r = t.post("/api/v1/inspections").token(&sa).json(&json!({"plan_id": pid})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_plan_not_approved");

        // Submitted by the administrator; the security officer approves; the preparer cannot.
        ok(t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&sa).json(&json!({"to": "in_review"})).send().await);
        let w = ok(t.get("/api/v1/me/approvals").token(&so).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "inspection_plan" && i["id"] == pid), "{w}");
        let r = t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&sa).json(&json!({"to": "approved"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let r = t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&so).json(&json!({"to": "draft"})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["comment"].is_string(), "a return needs a comment");
        let a = ok(t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&so).json(&json!({"to": "approved"})).send().await);
        assert_eq!(a["status"], "approved");
        assert_eq!(a["approvals"].as_array().unwrap().len(), 1);
        let r = t.patch(&format!("/api/v1/inspection-plans/{pid}")).token(&sa).if_match(a["version"].as_i64().unwrap())
            .json(&json!({"title": "x", "frequency": "monthly", "checklist_id": checklist, "inspector_ids": [insp.id.0], "next_due_at": day(3)})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_plan_locked");
        // A security officer does not approve a plan they prepared.
        let own = created(t.post("/api/v1/inspection-plans").token(&so).json(&json!({"title": "机房月检", "frequency": "monthly",
            "checklist_id": checklist, "inspector_ids": [insp.id.0], "next_due_at": day(20)})).send().await);
        let oid = own["id"].as_i64().unwrap();
        ok(t.post(&format!("/api/v1/inspection-plans/{oid}/transitions")).token(&so).json(&json!({"to": "in_review"})).send().await);
        let r = t.post(&format!("/api/v1/inspection-plans/{oid}/transitions")).token(&so).json(&json!({"to": "approved"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "self_approval");

        // The inspector finds the plan due and schedules the inspection.
        let w = ok(t.get("/api/v1/me/approvals").token(&insp_tok).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "inspection_plan" && i["id"] == pid && i["expected"] == "inspect"), "{w}");
        let mine = ok(t.get("/api/v1/inspection-plans").token(&insp_tok).send().await);
        assert_eq!(mine["total"], 2, "an inspector lists the plans they inspect: {mine}");
        assert_eq!(ok(t.get("/api/v1/inspection-plans").token(&outsider).send().await)["total"], 0);
        assert_eq!(t.get(&format!("/api/v1/inspection-plans/{pid}")).token(&outsider).send().await.status, StatusCode::NOT_FOUND);
        let ins = created(t.post("/api/v1/inspections").token(&insp_tok).json(&json!({"plan_id": pid})).send().await);
        let iid = ins["id"].as_i64().unwrap();
        assert_eq!((ins["status"].as_str(), ins["due_on"].as_str()), (Some("planned"), Some(day(10).as_str())));
        assert_eq!(ins["results"].as_array().unwrap().len(), 24);
        let r = t.post("/api/v1/inspections").token(&insp_tok).json(&json!({"plan_id": pid})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_open");
        assert_eq!(t.get(&format!("/api/v1/inspections/{iid}")).token(&outsider).send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(ok(t.get(&format!("/api/v1/inspections/{iid}")).token(&auditor).send().await)["may_perform"], false);

        // A result for an item not on the checklist: refused, nothing recorded.
        let r = t.put(&format!("/api/v1/inspections/{iid}/results")).token(&insp_tok).json(&json!({"results": [
            {"item_code": "PHY-01", "result": "pass"}, {"item_code": "XYZ-99", "result": "pass"},
            {"item_code": "NET-01", "result": "maybe"}]})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["results[1].item_code"].is_string() && e["errors"]["results[2].result"].is_string(), "{e}");
        let still = ok(t.get(&format!("/api/v1/inspections/{iid}")).token(&insp_tok).send().await);
        assert_eq!(still["status"], "planned");
        assert!(still["results"].as_array().unwrap().iter().all(|l| l["result"].is_null()));
        let r = t.put(&format!("/api/v1/inspections/{iid}/results")).token(&outsider).json(&json!({"results": [{"item_code": "PHY-01", "result": "pass"}]})).send().await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);

        // Performed: everything passes but two items.
        let lines: Vec<Value> = ins["results"].as_array().unwrap().iter().map(|l| {
            let code = l["item_code"].as_str().unwrap();
            match code {
                "NET-02" => json!({"item_code": code, "result": "fail", "note": "发现 2 条全通策略"}),
                "PER-01" => json!({"item_code": code, "result": "fail", "note": "2 名离职人员账号未删除"}),
                "PHY-04" => json!({"item_code": code, "result": "na"}),
                _ => json!({"item_code": code, "result": "pass"}),
            }
        }).collect();
        let v = ok(t.put(&format!("/api/v1/inspections/{iid}/results")).token(&insp_tok).json(&json!({"results": lines})).send().await);
        assert_eq!(v["status"], "in_progress");
        assert_eq!(v["performed_at"], day(0));
        assert_eq!((v["tally"]["pass"].as_i64(), v["tally"]["fail"].as_i64(), v["tally"]["na"].as_i64(), v["tally"]["open"].as_i64()), (Some(21), Some(2), Some(1), Some(0)));
        let r = t.post(&format!("/api/v1/inspections/{iid}/transitions")).token(&insp_tok).json(&json!({"to": "completed"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_finding_without_task");

        // Findings open rectification tasks, verified by the inspector.
        let r = t.post(&format!("/api/v1/inspections/{iid}/findings")).token(&insp_tok).json(&json!({"item_code": "PHY-01", "responsible_id": fixer.id.0, "due_at": day(30)})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_not_a_finding");
        let r = t.post(&format!("/api/v1/inspections/{iid}/findings")).token(&insp_tok).json(&json!({"item_code": "NET-02", "responsible_id": insp.id.0, "due_at": day(30)})).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the inspector verifies, so someone else puts it right: {}", r.text());
        let f1 = created(t.post(&format!("/api/v1/inspections/{iid}/findings")).token(&insp_tok).json(&json!({"item_code": "NET-02", "responsible_id": fixer.id.0, "due_at": day(30)})).send().await);
        let task1 = f1["rectification"]["id"].as_i64().unwrap();
        assert_eq!((f1["rectification"]["source"].as_str(), f1["rectification"]["verifier_id"].as_i64()), (Some("inspection"), Some(insp.id.0)));
        assert!(f1["rectification"]["description"].as_str().unwrap().contains("发现 2 条全通策略"));
        let r = t.post(&format!("/api/v1/inspections/{iid}/findings")).token(&insp_tok).json(&json!({"item_code": "NET-02", "responsible_id": fixer.id.0, "due_at": day(30)})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_finding_has_task");
        let r = t.put(&format!("/api/v1/inspections/{iid}/results")).token(&insp_tok).json(&json!({"results": [{"item_code": "NET-02", "result": "pass"}]})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_result_has_task");
        let f2 = created(t.post(&format!("/api/v1/inspections/{iid}/findings")).token(&insp_tok).json(&json!({"item_code": "PER-01",
            "description": "删除离职人员账号并复核权限", "responsible_id": fixer.id.0, "due_at": day(14)})).send().await);
        let task2 = f2["rectification"]["id"].as_i64().unwrap();

        // Evidence of a finding.
        let (ct, body) = file_body("firewall.png", b"\x89PNG evidence");
        let att = created(t.post(&format!("/api/v1/inspections/{iid}/attachments?item_code=NET-02")).token(&insp_tok).raw(&ct, body.clone()).send().await);
        let r = t.post(&format!("/api/v1/inspections/{iid}/attachments?item_code=NOPE")).token(&insp_tok).raw(&ct, body).send().await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let files = ok(t.get(&format!("/api/v1/inspections/{iid}/attachments?item_code=NET-02")).token(&auditor).send().await);
        assert_eq!(files["items"].as_array().unwrap().len(), 1);
        let d = t.get(&format!("/api/v1/inspections/{iid}/attachments/{}", att["id"])).token(&auditor).send().await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.header("content-disposition").map(|h| h.starts_with("attachment")), Some(true));
        assert_eq!(t.get(&format!("/api/v1/inspections/{}/attachments/{}", iid + 1000, att["id"])).token(&auditor).send().await.status, StatusCode::NOT_FOUND);

        // Completed: the plan's next inspection is due three months after this one.
        let done = ok(t.post(&format!("/api/v1/inspections/{iid}/transitions")).token(&insp_tok)
            .json(&json!({"to": "completed", "comment": "总体良好，2 项问题已安排整改"})).send().await);
        assert_eq!((done["status"].as_str(), done["summary"].as_str()), (Some("completed"), Some("总体良好，2 项问题已安排整改")));
        let p = ok(t.get(&format!("/api/v1/inspection-plans/{pid}")).token(&sa).send().await);
        let due = Day::parse(&day(10)).unwrap();
        assert_eq!(p["next_due_at"], due.plus_months(3).to_db());
        let r = t.put(&format!("/api/v1/inspections/{iid}/results")).token(&insp_tok).json(&json!({"results": [{"item_code": "PHY-01", "result": "fail"}]})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "inspection_completed");

        // The tasks: done by the network administrator, who cannot verify them; the inspector verifies.
        for task in [task1, task2] {
            ok(t.post(&format!("/api/v1/rectifications/{task}/transitions")).token(&fixer_tok).json(&json!({"to": "done", "comment": "已整改"})).send().await);
            let r = t.post(&format!("/api/v1/rectifications/{task}/transitions")).token(&fixer_tok).json(&json!({"to": "verified"})).send().await;
            assert!(matches!(r.status, StatusCode::FORBIDDEN | StatusCode::CONFLICT), "{}", r.text());
            let w = ok(t.get("/api/v1/me/approvals").token(&insp_tok).send().await);
            assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "rectification" && i["id"] == task && i["expected"] == "verify"), "{w}");
            let v = ok(t.post(&format!("/api/v1/rectifications/{task}/transitions")).token(&insp_tok).json(&json!({"to": "verified"})).send().await);
            assert_eq!(v["status"], "verified");
        }
        let fin = ok(t.get(&format!("/api/v1/inspections/{iid}")).token(&auditor).send().await);
        assert!(fin["rectifications"].as_array().unwrap().iter().all(|r| r["status"] == "verified"), "{fin}");
        let listed = ok(t.get(&format!("/api/v1/rectifications?source=inspection&source_id={iid}")).token(&auditor).send().await);
        assert_eq!(listed["total"], 2);
        assert_eq!(ok(t.get("/api/v1/inspections?status=completed").token(&auditor).send().await)["total"], 1);
        assert_eq!(ok(t.get("/api/v1/inspections").token(&outsider).send().await)["total"], 0);
        t.assert_audit_codes_declared().await;
    }

    async fn checklists_are_copied_and_changed_but_the_shipped_one_stays(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, sa) = t.user_with("sec.li", &[("security_admin", None)]).await;
        let (_, auditor) = t.user_with("audit.he", &[("auditor", None)]).await;
        let shipped = shipped_checklist(&t, &sa).await;
        let c = ok(t.get(&format!("/api/v1/checklists/{shipped}")).token(&auditor).send().await);
        let items = c["items"].as_array().unwrap();
        assert!(items.iter().all(|i| i["text_zh"].is_string()), "the shipped checklist is in both languages");
        let r = t.patch(&format!("/api/v1/checklists/{shipped}")).token(&sa).if_match(1)
            .json(&json!({"code": "default", "name": "x", "items": [{"code": "A", "area": "data", "text": "x"}]})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "checklist_builtin");
        let copy = created(t.post("/api/v1/checklists").token(&sa).json(&json!({"code": "dc-2027", "name": "数据中心季度检查", "copy_of": shipped})).send().await);
        assert_eq!(copy["item_count"], 24);
        let id = copy["id"].as_i64().unwrap();
        let r = t.post("/api/v1/checklists").token(&sa).json(&json!({"code": "dc-2027", "name": "again", "copy_of": shipped})).send().await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["code"].is_string());
        let r = t.patch(&format!("/api/v1/checklists/{id}")).token(&sa).if_match(1).json(&json!({"code": "dc-2027", "name": "数据中心季度检查",
            "items": [{"code": "DC-1", "area": "physical", "text": "UPS 测试记录齐全"}, {"code": "dc-1", "area": "moon", "text": ""}]})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["items[1].code", "items[1].area", "items[1].text"] {
            assert!(e["errors"][f].is_string(), "{f}: {e}");
        }
        let changed = ok(t.patch(&format!("/api/v1/checklists/{id}")).token(&sa).if_match(1).json(&json!({"code": "dc-2027", "name": "数据中心季度检查",
            "items": [{"code": "DC-1", "area": "physical", "text": "UPS 测试记录齐全"}]})).send().await);
        assert_eq!(changed["items"].as_array().unwrap().len(), 1);
        let r = t.patch(&format!("/api/v1/checklists/{id}")).token(&sa).if_match(1).json(&json!({"code": "dc-2027", "name": "y",
            "items": [{"code": "DC-1", "area": "physical", "text": "x"}]})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        assert_eq!(t.post("/api/v1/checklists").token(&auditor).json(&json!({"code": "x", "name": "x", "copy_of": shipped})).send().await.status, StatusCode::FORBIDDEN);
    }
}

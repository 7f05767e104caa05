//! Security training (SPEC §6.4): the 2027 plan prepared by a compliance administrator and
//! approved by a security officer (never by whoever prepared it), a session held with
//! attendance imported from a GBK CSV (every bad line reported, nothing recorded until the
//! file is right), completion per department, everyone's own trainings, the records export.

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

/// A multipart body with one file.
fn file_body(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "attendance-boundary";
    let mut b = Vec::new();
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

/// `text` in GBK (the Chinese characters used by these tests).
fn gbk(text: &str) -> Vec<u8> {
    let (bytes, _, bad) = encoding_rs::GBK.encode(text);
    assert!(!bad);
    bytes.into_owned()
}

both! {
    async fn a_plan_is_approved_a_session_held_with_a_gbk_attendance_file_and_completion_is_right(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, ca) = t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let (_, staff_tok) = t.user_with("outsider", &[("staff", None)]).await;
        let it = t.department("信息技术部", None).await;
        let fin = t.department("财务部", None).await;
        let hr = t.department("人力资源部", None).await;
        for (name, d) in [("it.li", it), ("it.wang", it), ("it.zhang", it), ("fin.liu", fin), ("fin.chen", fin), ("hr.he", hr)] {
            t.user_in(name, Some(d), &[("staff", None)]).await;
        }
        let (_, it_li) = t.user_in("it.sun", Some(it), &[("staff", None)]).await;

        // The plan for 2027.
        let plan = created(t.post("/api/v1/training-plans").token(&ca)
            .json(&json!({"year": 2027, "title": "2027 年度信息安全培训计划", "description": "全员安全意识与专项技能培训"})).send().await);
        let pid = plan["id"].as_i64().unwrap();
        assert_eq!(plan["status"], "draft");
        let r = t.post("/api/v1/training-plans").token(&ca).json(&json!({"year": 2027, "title": "重复"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "training_plan_year_taken");
        let r = t.post("/api/v1/training-plans").token(&staff_tok).json(&json!({"year": 2028, "title": "x"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.post("/api/v1/training-plans").token(&ca).json(&json!({"year": 1999, "title": ""})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["year"].is_string() && e["errors"]["title"].is_string(), "{e}");

        // A training for IT and finance, the material a document.
        let tr = created(t.post("/api/v1/trainings").token(&ca).json(&json!({"plan_id": pid, "title": "钓鱼邮件识别与报告",
            "topic": "识别钓鱼邮件并通过 Castellan 报告", "audience_department_ids": [it, fin], "planned_month": 3,
            "trainer": "陈静"})).send().await);
        let tid = tr["id"].as_i64().unwrap();
        assert_eq!((tr["audience"].as_i64(), tr["status"].as_str()), (Some(6), Some("planned")));
        let r = t.post("/api/v1/trainings").token(&ca).json(&json!({"plan_id": pid, "title": "", "planned_month": 0,
            "audience_roles": ["wizard"], "audience_department_ids": [999999]})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["title", "planned_month", "audience_roles[0]", "audience_department_ids[0]"] {
            assert!(e["errors"][f].is_string(), "{f}: {e}");
        }

        // Attendance before approval is refused.
        let r = t.put(&format!("/api/v1/trainings/{tid}/attendance")).token(&ca).json(&json!([])).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "training_plan_not_approved");

        // Submitted by the compliance administrator, approved by the security officer.
        let s = ok(t.post(&format!("/api/v1/training-plans/{pid}/transitions")).token(&ca).json(&json!({"to": "in_review"})).send().await);
        assert_eq!(s["status"], "in_review");
        let w = ok(t.get("/api/v1/me/approvals").token(&so).send().await);
        assert!(w["items"].as_array().unwrap().iter().any(|i| i["process"] == "training_plan" && i["id"] == pid), "{w}");
        let r = t.post(&format!("/api/v1/training-plans/{pid}/transitions")).token(&ca).json(&json!({"to": "approved"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let a = ok(t.post(&format!("/api/v1/training-plans/{pid}/transitions")).token(&so).json(&json!({"to": "approved"})).send().await);
        assert_eq!(a["status"], "approved");
        // A security officer who prepared a plan does not approve it.
        let own = created(t.post("/api/v1/training-plans").token(&so).json(&json!({"year": 2028, "title": "2028 计划"})).send().await);
        let oid = own["id"].as_i64().unwrap();
        ok(t.post(&format!("/api/v1/training-plans/{oid}/transitions")).token(&so).json(&json!({"to": "in_review"})).send().await);
        let r = t.post(&format!("/api/v1/training-plans/{oid}/transitions")).token(&so).json(&json!({"to": "approved"})).send().await;
        assert_eq!(code(&r, StatusCode::CONFLICT), "self_approval");

        // Held in March 2027 (the tests run before: the day must not be in the future).
        let v = tr["version"].as_i64().unwrap();
        let held = t.patch(&format!("/api/v1/trainings/{tid}")).token(&ca).if_match(v).json(&json!({"title": "钓鱼邮件识别与报告",
            "topic": "识别钓鱼邮件并通过 Castellan 报告", "audience_department_ids": [it, fin], "planned_month": 3,
            "trainer": "陈静", "status": "held", "held_at": "2027-03-15"})).send().await;
        // 2027-03-15 is after today: refused on the field.
        assert_eq!(held.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", held.text());
        assert!(held.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["held_at"].is_string());
        // Tests move the plan to this year so the session can be held today.
        let year = castellan_domain::Day::of(castellan_domain::Timestamp::now()).date().year();
        t.raw_sql(&format!("UPDATE training_plans SET year = {year} WHERE id = {pid}")).await;
        let today = castellan_domain::Day::of(castellan_domain::Timestamp::now()).to_string();
        ok(t.patch(&format!("/api/v1/trainings/{tid}")).token(&ca).if_match(v).json(&json!({"title": "钓鱼邮件识别与报告",
            "audience_department_ids": [it, fin], "planned_month": 3, "status": "held", "held_at": today})).send().await);

        // A GBK file with every kind of bad line: all reported, nothing recorded.
        let bad = gbk("用户名,成绩\r\nit.li,95\r\nnobody.here,80\r\nit.li,70\r\nfin.liu,百分\r\n,60\r\n");
        let (ct, body) = file_body("签到表.csv", &bad);
        let r = t.post(&format!("/api/v1/trainings/{tid}/attendance/import")).token(&ca).raw(&ct, body).send().await;
        let p = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let lines: Vec<i64> = p["rows"].as_array().unwrap().iter().map(|r| r["line"].as_i64().unwrap()).collect();
        assert_eq!(lines, vec![3, 4, 5, 6], "{p}");
        assert!(p["rows"][0]["detail"].as_str().unwrap().contains("nobody.here"));
        assert!(p["rows"][1]["detail"].as_str().unwrap().contains("line 2"));
        assert_eq!(t.count("training_attendance").await, 0);

        // The right file: four of six attend (IT three of four, finance one of two), plus
        // someone outside the audience.
        let good = gbk("用户名,出勤,成绩\r\nit.li,是,95\r\nit.wang,是,88\r\nit.sun,是,\r\nfin.liu,是,90\r\nfin.chen,否,\r\nhr.he,是,\r\n");
        let (ct, body) = file_body("签到表.csv", &good);
        let r = ok(t.post(&format!("/api/v1/trainings/{tid}/attendance/import")).token(&ca).raw(&ct, body).send().await);
        assert_eq!(r["recorded"], 6);
        assert_eq!(r["encoding"], "GB18030");
        let d = ok(t.get(&format!("/api/v1/trainings/{tid}")).token(&ca).send().await);
        assert_eq!((d["audience"].as_i64(), d["attended"].as_i64(), d["absent"].as_i64()), (Some(6), Some(5), Some(1)));

        // Completion per department: IT 3/4, finance 1/2 (HR was not in the audience).
        let c = ok(t.get(&format!("/api/v1/training-plans/{pid}/completion")).token(&so).send().await);
        let line = |d: i64| c["departments"].as_array().unwrap().iter().find(|l| l["department_id"] == d).cloned();
        let itl = line(it).unwrap();
        assert_eq!((itl["expected"].as_i64(), itl["attended"].as_i64()), (Some(4), Some(3)), "{c}");
        assert_eq!(itl["rate"], 0.75);
        let fl = line(fin).unwrap();
        assert_eq!((fl["expected"].as_i64(), fl["attended"].as_i64()), (Some(2), Some(1)));
        assert!(line(hr).is_none());
        assert_eq!((c["expected"].as_i64(), c["attended"].as_i64()), (Some(6), Some(4)));
        let r = t.get(&format!("/api/v1/training-plans/{pid}/completion")).token(&staff_tok).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // Everyone sees their own trainings.
        let mine = ok(t.get(&format!("/api/v1/me/trainings?year={year}")).token(&it_li).send().await);
        assert_eq!(mine["items"].as_array().unwrap().len(), 1);
        assert_eq!((mine["items"][0]["attended"].as_bool(), mine["items"][0]["title"].as_str()), (Some(true), Some("钓鱼邮件识别与报告")));
        let theirs = ok(t.get(&format!("/api/v1/me/trainings?year={year}")).token(&staff_tok).send().await);
        assert!(theirs["items"].as_array().unwrap().is_empty());

        // The records export, recorded.
        let x = t.get(&format!("/api/v1/training-plans/{pid}/export?language=en")).token(&so).send().await;
        assert_eq!(x.status, StatusCode::OK);
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(x.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.headers()[0], "Training");
        assert_eq!(reader.count(), 6);
        // Lines through the API: duplicates and unknown people refused.
        let r = t.put(&format!("/api/v1/trainings/{tid}/attendance")).token(&ca)
            .json(&json!([{"user_id": 999999}, {"user_id": 2, "score": 101}, {"user_id": 2}])).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["lines[0].user_id", "lines[1].score", "lines[2].user_id"] {
            assert!(e["errors"][f].is_string(), "{f}: {e}");
        }
        t.assert_audit_codes_declared().await;
    }
}

//! Security incidents (SPEC §5): anyone reports, triagers triage by class, GB/T 20986 level
//! and category with a team, the team handles on a timeline and closes with root cause and
//! lessons learned, the committee notes major incidents; bad input changes nothing.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use castellan_domain::Timestamp;
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

fn ago(minutes: i64) -> String {
    Timestamp::now()
        .plus(time::Duration::minutes(-minutes))
        .to_rfc3339()
}

async fn report(t: &TestApp, token: &str, body: Value) -> Value {
    created(
        t.post("/api/v1/incidents")
            .token(token)
            .json(&body)
            .send()
            .await,
    )
}

async fn move_to(t: &TestApp, token: &str, id: i64, body: Value) -> Resp {
    t.post(&format!("/api/v1/incidents/{id}/transitions"))
        .token(token)
        .json(&body)
        .send()
        .await
}

async fn get(t: &TestApp, token: &str, id: i64) -> Value {
    ok(t.get(&format!("/api/v1/incidents/{id}"))
        .token(token)
        .send()
        .await)
}

async fn waiting(t: &TestApp, token: &str) -> Vec<Value> {
    ok(t.get("/api/v1/me/approvals").token(token).send().await)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["process"] == "incident")
        .cloned()
        .collect()
}

async fn server(t: &TestApp, token: &str, code: &str) -> i64 {
    let a = created(
        t.post("/api/v1/assets")
            .token(token)
            .json(
                &json!({"code": code, "name": format!("服务器 {code}"), "category": "server",
                "confidentiality": 5, "integrity": 5, "availability": 5}),
            )
            .send()
            .await,
    );
    a["id"].as_i64().unwrap()
}

both! {
    async fn a_reported_incident_is_triaged_handled_on_its_timeline_and_closed(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("运维中心", None).await;
        let (_, staff) = t.user_in("zhang.wei", Some(dept), &[("staff", None)]).await;
        let (_, other) = t.user_in("li.lei", Some(dept), &[("staff", None)]).await;
        let (_, sa) = t.user_with("sec.admin", &[("security_admin", None)]).await;
        let (net, net_tok) = t.user_with("net.eng", &[("network_admin", None)]).await;
        let (app, app_tok) = t.user_with("app.dev", &[("staff", None)]).await;
        let asset = server(&t, &sa, "SRV-001").await;

        let i = report(&t, &staff, json!({
            "title": "邮件服务器出现大量异常外发连接",
            "description": "监控发现 SRV-001 向境外地址持续发起连接。",
            "location": "数据中心 A",
            "occurred_at": ago(90), "detected_at": ago(60),
            "affected_asset_ids": [asset],
        })).await;
        let id = i["id"].as_i64().unwrap();
        let year = Timestamp::now().datetime().year();
        assert!(i["code"].as_str().unwrap().starts_with(&format!("INC-{year}-")), "{i}");
        assert_eq!(i["status"], "reported");
        assert_eq!(i["allowed_transitions"], json!([]), "a reporter does not triage");
        assert_eq!(i["triage_overdue"], false);

        // Staff see their own report, not a colleague's (404, not 403).
        assert_eq!(t.get(&format!("/api/v1/incidents/{id}")).token(&other).send().await.status, StatusCode::NOT_FOUND);
        let mine = ok(t.get("/api/v1/incidents").token(&other).send().await);
        assert_eq!(mine["total"], 0);
        assert_eq!(ok(t.get("/api/v1/incidents").token(&staff).send().await)["total"], 1);

        // The security administrator has it waiting for triage.
        let w = waiting(&t, &sa).await;
        assert_eq!(w.len(), 1);
        assert_eq!(w[0]["expected"], "triage");

        // A team member cannot triage; the security administrator does.
        let triage = json!({"to": "triaged", "class": "serious", "level": "significant",
            "category": "network_attack", "handler_ids": [net.id.0, app.id.0]});
        assert_eq!(move_to(&t, &net_tok, id, triage.clone()).await.status, StatusCode::NOT_FOUND,
            "before triage the team member may not even read it");
        let v = ok(move_to(&t, &sa, id, triage).await);
        assert_eq!(v["status"], "triaged");
        assert_eq!((v["class"].as_str(), v["level"].as_str(), v["category"].as_str()),
            (Some("serious"), Some("significant"), Some("network_attack")));
        assert_eq!(v["handler_ids"].as_array().unwrap().len(), 2);

        // The team handles: timeline entries, moves; the reporter may not.
        let handle = get(&t, &app_tok, id).await;
        assert_eq!(handle["may_handle"], true);
        assert_eq!(handle["allowed_transitions"], json!(["investigating"]));
        for (who, note) in [(&net_tok, "封禁外联地址，隔离 SRV-001 所在网段。"), (&app_tok, "发现 webshell，已取证。")] {
            created(t.post(&format!("/api/v1/incidents/{id}/timeline")).token(who)
                .json(&json!({"note": note})).send().await);
        }
        let r = t.post(&format!("/api/v1/incidents/{id}/timeline")).token(&staff)
            .json(&json!({"note": "我也想写"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());
        let entries = ok(t.get(&format!("/api/v1/incidents/{id}/timeline")).token(&staff).send().await);
        assert_eq!(entries["items"].as_array().unwrap().len(), 2, "the reporter reads the timeline");
        assert_eq!(move_to(&t, &staff, id, json!({"to": "investigating"})).await.status, StatusCode::FORBIDDEN);
        for to in ["investigating", "contained", "recovered"] {
            ok(move_to(&t, &net_tok, id, json!({"to": to})).await);
        }

        // Closing needs the root cause and lessons learned; then nothing changes any more.
        let r = move_to(&t, &net_tok, id, json!({"to": "closed"})).await;
        let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(doc["errors"]["root_cause"].is_string() && doc["errors"]["lessons_learned"].is_string(), "{doc}");
        assert_eq!(get(&t, &sa, id).await["status"], "recovered");
        let v = get(&t, &net_tok, id).await;
        ok(t.patch(&format!("/api/v1/incidents/{id}")).token(&net_tok)
            .if_match(v["version"].as_i64().unwrap())
            .json(&json!({"root_cause": "弱口令被爆破", "lessons_learned": "管理口启用双因素认证"}))
            .send().await);
        let v = ok(move_to(&t, &app_tok, id, json!({"to": "closed"})).await);
        assert_eq!(v["status"], "closed");
        assert!(v["closed_at"].is_string());
        let r = t.patch(&format!("/api/v1/incidents/{id}")).token(&net_tok)
            .if_match(v["version"].as_i64().unwrap())
            .json(&json!({"title": "改标题"})).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "incident_finished");
        let moves = ok(t.get(&format!("/api/v1/incidents/{id}/transitions")).token(&staff).send().await);
        assert_eq!(moves["items"].as_array().unwrap().len(), 5);

        // The counts of the year show it by class and level.
        let counts = ok(t.get("/api/v1/incidents/counts").token(&sa).send().await);
        assert_eq!(counts["total"], 1);
        assert_eq!(counts["items"][0]["class"], "serious");
        assert_eq!(counts["items"][0]["level"], "significant");
        // Staff count only what they may read.
        assert_eq!(ok(t.get("/api/v1/incidents/counts").token(&other).send().await)["total"], 0);
    }

    async fn a_major_incident_waits_for_the_committee_until_a_member_notes_it(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, committee) = t.user_with("zhou.min", &[("committee", None)]).await;
        let (handler, _) = t.user_with("handler", &[("staff", None)]).await;
        let i = report(&t, &staff, json!({"title": "勒索软件加密了财务共享盘", "occurred_at": ago(30)})).await;
        let id = i["id"].as_i64().unwrap();
        assert!(waiting(&t, &committee).await.is_empty(), "not before triage");
        let v = ok(move_to(&t, &officer, id, json!({"to": "triaged", "class": "serious",
            "level": "major", "category": "malware", "handler_ids": [handler.id.0]})).await);
        assert!(v["committee_notice_due_at"].is_string());
        let w = waiting(&t, &committee).await;
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!(w[0]["expected"], "note");
        assert_eq!(get(&t, &committee, id).await["may_note"], true);
        // Only the committee notes, once.
        let r = t.post(&format!("/api/v1/incidents/{id}/committee-notice")).token(&officer).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let v = ok(t.post(&format!("/api/v1/incidents/{id}/committee-notice")).token(&committee).send().await);
        assert!(v["committee_noted_at"].is_string());
        assert_eq!(v["committee_notice_late"], false);
        assert!(waiting(&t, &committee).await.is_empty());
        let r = t.post(&format!("/api/v1/incidents/{id}/committee-notice")).token(&committee).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "notice_not_needed");
    }

    async fn bad_reports_triages_and_moves_change_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, sa) = t.user_with("sa", &[("security_admin", None)]).await;
        let (_, auditor) = t.user_with("auditor", &[("auditor", None)]).await;
        let (disabled, _) = t.user_with("gone", &[("staff", None)]).await;
        let before = t.count("incidents").await;
        let audit = t.count("audit_log").await;
        for (body, field) in [
            (json!({"title": "", "occurred_at": ago(5)}), "title"),
            (json!({"title": "x"}), "occurred_at"),
            (json!({"title": "x", "occurred_at": ago(-120)}), "occurred_at"),
            (json!({"title": "x", "occurred_at": ago(10), "detected_at": ago(20)}), "detected_at"),
            (json!({"title": "x", "occurred_at": ago(10), "affected_asset_ids": [987654]}), "affected_asset_ids"),
            (json!({"title": "a\u{0}b", "occurred_at": ago(10)}), "title"),
        ] {
            let r = t.post("/api/v1/incidents").token(&staff).json(&body).send().await;
            let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
            let key = if field == "affected_asset_ids" { "asset_ids" } else { field };
            assert!(doc["errors"][key].is_string(), "{body}: {doc}");
        }
        let r = t.post("/api/v1/incidents").token(&staff).json(&json!({"title": "x", "when": "now"})).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused: {}", r.text());
        let r = t.post("/api/v1/incidents").token(&auditor).json(&json!({"title": "x", "occurred_at": ago(5)})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "auditors write nothing");
        assert_eq!(t.count("incidents").await, before);
        assert_eq!(t.count("audit_log").await, audit);

        let i = report(&t, &staff, json!({"title": "可疑 U 盘", "occurred_at": ago(10)})).await;
        let id = i["id"].as_i64().unwrap();
        let version = i["version"].as_i64().unwrap();
        // Levels, classes and categories outside the lists; a team that is missing,
        // repeated or disabled.
        let r = t.patch(&format!("/api/v1/users/{}", disabled.id)).token(t.token_admin())
            .if_match(disabled.version).json(&json!({"status": "disabled"})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        for (body, field) in [
            (json!({"to": "triaged", "class": "grave", "level": "major", "category": "malware", "handler_ids": [1]}), "class"),
            (json!({"to": "triaged", "class": "normal", "level": "level5", "category": "malware", "handler_ids": [1]}), "level"),
            (json!({"to": "triaged", "class": "normal", "level": "general", "category": "ufo", "handler_ids": [1]}), "category"),
            (json!({"to": "triaged", "class": "normal", "level": "general", "category": "other", "handler_ids": []}), "handler_ids"),
            (json!({"to": "triaged", "class": "normal", "level": "general", "category": "other", "handler_ids": [1, 1]}), "handler_ids"),
            (json!({"to": "triaged", "class": "normal", "level": "general", "category": "other", "handler_ids": [disabled.id.0]}), "handler_ids"),
            (json!({"to": "rejected"}), "comment"),
        ] {
            let r = move_to(&t, &sa, id, body.clone()).await;
            let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert!(doc["errors"][field].is_string(), "{body}: {doc}");
        }
        // Moves the workflow does not have, or that are not the caller's.
        assert_eq!(problem_code(&move_to(&t, &sa, id, json!({"to": "closed"})).await, StatusCode::CONFLICT), "phase_move_not_allowed");
        assert_eq!(move_to(&t, &staff, id, json!({"to": "rejected", "comment": "x"})).await.status, StatusCode::FORBIDDEN);
        assert_eq!(move_to(&t, &auditor, id, json!({"to": "rejected", "comment": "x"})).await.status, StatusCode::FORBIDDEN);
        let r = move_to(&t, &sa, id, json!({"to": "limbo"})).await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["to"].is_string());
        let after = get(&t, &sa, id).await;
        assert_eq!((after["status"].as_str(), after["version"].as_i64()), (Some("reported"), Some(version)));
        // A stale version changes nothing.
        let r = t.patch(&format!("/api/v1/incidents/{id}")).token(&staff).if_match(version + 7)
            .json(&json!({"title": "新标题"})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        // The reporter edits the report until triage; a rejection records its reason.
        ok(t.patch(&format!("/api/v1/incidents/{id}")).token(&staff).if_match(version)
            .json(&json!({"title": "可疑 U 盘插入财务电脑"})).send().await);
        let v = ok(move_to(&t, &sa, id, json!({"to": "rejected", "comment": "U 盘为员工个人物品，已查无异常。"})).await);
        assert_eq!(v["status"], "rejected");
        assert!(v["rejection_reason"].as_str().unwrap().contains("个人物品"));
        let counts = ok(t.get("/api/v1/incidents/counts").token(&sa).send().await);
        assert_eq!(counts["total"], 0, "rejected reports are not incidents");
    }

    async fn filters_overdue_and_deadlines(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (h, _) = t.user_with("handler", &[("staff", None)]).await;
        let a = report(&t, &staff, json!({"title": "钓鱼邮件", "occurred_at": ago(10)})).await;
        let b2 = report(&t, &staff, json!({"title": "机房空调故障", "occurred_at": ago(10)})).await;
        ok(move_to(&t, &officer, b2["id"].as_i64().unwrap(), json!({"to": "triaged", "class": "normal",
            "level": "general", "category": "device_failure", "handler_ids": [h.id.0]})).await);
        let list = |q: &'static str| {
            let t = &t;
            let officer = officer.clone();
            async move { ok(t.get(&format!("/api/v1/incidents?{q}")).token(&officer).send().await) }
        };
        assert_eq!(list("category=device_failure").await["total"], 1);
        assert_eq!(list("status=reported").await["total"], 1);
        assert_eq!(list("q=钓鱼").await["total"], 1);
        assert_eq!(list("level=general&class=normal").await["total"], 1);
        assert_eq!(list("overdue=true").await["total"], 0);
        let today = Timestamp::now().datetime().date();
        assert_eq!(ok(t.get(&format!("/api/v1/incidents?from={today}&to={today}")).token(&officer).send().await)["total"], 2);
        let r = t.get("/api/v1/incidents?level=level5").token(&officer).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = t.get("/api/v1/incidents?from=yesterday").token(&officer).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);

        // Deadlines: read by anyone, set by a security officer with the version read.
        let d = t.get("/api/v1/incident-deadlines").token(&staff).send().await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(d.json()["triage_minutes"], 240);
        let body = json!({"triage_minutes": 5, "major_notice_minutes": 60, "critical_notice_minutes": 30});
        assert_eq!(t.req(axum::http::Method::PUT, "/api/v1/incident-deadlines").token(&staff).if_match(0).json(&body).send().await.status, StatusCode::FORBIDDEN);
        let bad = json!({"triage_minutes": 0, "major_notice_minutes": 60, "critical_notice_minutes": 99999999});
        let r = t.req(axum::http::Method::PUT, "/api/v1/incident-deadlines").token(&officer).if_match(0).json(&bad).send().await;
        let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(doc["errors"]["triage_minutes"].is_string() && doc["errors"]["critical_notice_minutes"].is_string(), "{doc}");
        assert_eq!(t.req(axum::http::Method::PUT, "/api/v1/incident-deadlines").token(&officer).if_match(3).json(&body).send().await.status, StatusCode::PRECONDITION_FAILED);
        ok(t.req(axum::http::Method::PUT, "/api/v1/incident-deadlines").token(&officer).if_match(0).json(&body).send().await);
        // The report waiting since ten minutes ago is now past its five-minute triage
        // deadline: backdate it as a clock would.
        let id = a["id"].as_i64().unwrap();
        t.raw_sql(&format!("UPDATE incidents SET reported_at = '{}' WHERE id = {id}", Timestamp::now().plus(time::Duration::minutes(-10)).to_db())).await;
        let over = list("overdue=true").await;
        assert_eq!(over["total"], 1, "{over}");
        assert_eq!(over["items"][0]["triage_overdue"], true);
        let w = waiting(&t, &officer).await;
        assert!(w.iter().any(|i| i["id"] == id && i["overdue"] == true), "{w:?}");
    }
}

/// A multipart body with one file in the field `file`.
fn multipart(file_name: &str, content_type: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    const BOUNDARY: &str = "incident-evidence-boundary-42";
    let mut out = Vec::new();
    out.extend_from_slice(format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    out.extend_from_slice(bytes);
    out.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={BOUNDARY}"), out)
}

async fn attach(t: &TestApp, token: &str, id: i64, name: &str, bytes: &[u8]) -> Resp {
    let (ct, body) = multipart(name, "image/png", bytes);
    t.post(&format!("/api/v1/incidents/{id}/attachments"))
        .token(token)
        .raw(&ct, body)
        .send()
        .await
}

both! {
    async fn evidence_is_attached_with_its_sha256_and_read_by_those_who_read_the_incident(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.attachment_limit_bytes = 64 * 1024).await;
        let (_, staff) = t.user_with("reporter", &[("staff", None)]).await;
        let (_, other) = t.user_with("other", &[("staff", None)]).await;
        let (_, auditor) = t.user_with("auditor", &[("auditor", None)]).await;
        let (_, sa) = t.user_with("sa", &[("security_admin", None)]).await;
        let i = report(&t, &staff, json!({"title": "屏幕出现勒索提示", "occurred_at": ago(5)})).await;
        let id = i["id"].as_i64().unwrap();
        let png: Vec<u8> = (0..5000_u32).map(|n| (n % 251) as u8).collect();
        let a = created(attach(&t, &staff, id, "勒索提示截图.png", &png).await);
        use sha2::Digest;
        assert_eq!(a["sha256"], hex::encode(sha2::Sha256::digest(&png)));
        assert_eq!(a["size"], 5000);
        assert_eq!(a["name"], "勒索提示截图.png");
        let aid = a["id"].as_i64().unwrap();
        // The security administrator and the auditor read it; another member of staff does
        // not even learn the incident exists.
        for token in [&sa, &auditor, &staff] {
            let r = t.get(&format!("/api/v1/incidents/{id}/attachments/{aid}")).token(token).send().await;
            assert_eq!(r.status, StatusCode::OK);
            assert_eq!(r.body, png);
            assert!(r.header("content-disposition").unwrap().starts_with("attachment;"));
            assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        }
        assert_eq!(t.get(&format!("/api/v1/incidents/{id}/attachments/{aid}")).token(&other).send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/incidents/{id}/attachments")).token(&other).send().await.status, StatusCode::NOT_FOUND);
        let list = ok(t.get(&format!("/api/v1/incidents/{id}/attachments")).token(&sa).send().await);
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        // Refused, nothing stored: another person's incident, an auditor, too large, empty,
        // a name with a path, not multipart.
        let before = t.count("attachments").await;
        assert_eq!(attach(&t, &other, id, "x.png", b"abc").await.status, StatusCode::NOT_FOUND);
        assert_eq!(attach(&t, &auditor, id, "x.png", b"abc").await.status, StatusCode::FORBIDDEN);
        let big = vec![7_u8; 65 * 1024];
        assert_eq!(attach(&t, &staff, id, "big.bin", &big).await.status, StatusCode::PAYLOAD_TOO_LARGE);
        let r = attach(&t, &staff, id, "empty.png", b"").await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["file"].is_string());
        let r = attach(&t, &staff, id, "../../etc/passwd", b"abc").await;
        assert!(r.problem(StatusCode::UNPROCESSABLE_ENTITY)["errors"]["name"].is_string());
        let r = t.post(&format!("/api/v1/incidents/{id}/attachments")).token(&staff).json(&json!({"file": "abc"})).send().await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
        assert_eq!(t.count("attachments").await, before);
        // A rejected incident takes no more files.
        ok(move_to(&t, &sa, id, json!({"to": "rejected", "comment": "测试报告"})).await);
        assert_eq!(problem_code(&attach(&t, &staff, id, "late.png", b"abc").await, StatusCode::CONFLICT), "incident_finished");
    }
}

both! {
    async fn administrators_of_a_kind_of_asset_see_the_incidents_on_it(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, sa) = t.user_with("sa", &[("security_admin", None)]).await;
        let (_, dba) = t.user_with("dba", &[("data_admin", None)]).await;
        let (_, net) = t.user_with("net", &[("network_admin", None)]).await;
        let db = created(t.post("/api/v1/assets").token(&sa).json(&json!({"code": "DB-01", "name": "客户数据库",
            "category": "database", "confidentiality": 5, "integrity": 4, "availability": 4})).send().await);
        let on_db = report(&t, &staff, json!({"title": "数据库慢查询激增", "occurred_at": ago(5),
            "affected_asset_ids": [db["id"]]})).await;
        let other = report(&t, &staff, json!({"title": "工位电脑蓝屏", "occurred_at": ago(5)})).await;
        // The data administrator sees the incident on a database, not the other; the network
        // administrator sees neither.
        assert_eq!(t.get(&format!("/api/v1/incidents/{}", on_db["id"])).token(&dba).send().await.status, StatusCode::OK);
        assert_eq!(t.get(&format!("/api/v1/incidents/{}", other["id"])).token(&dba).send().await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.get(&format!("/api/v1/incidents/{}", on_db["id"])).token(&net).send().await.status, StatusCode::NOT_FOUND);
        let list = ok(t.get("/api/v1/incidents").token(&dba).send().await);
        assert_eq!(list["total"], 1);
        assert_eq!(list["items"][0]["id"], on_db["id"]);
        assert_eq!(ok(t.get("/api/v1/incidents").token(&net).send().await)["total"], 0);
        // Reading is not handling: the data administrator may not move it.
        let r = move_to(&t, &dba, on_db["id"].as_i64().unwrap(), json!({"to": "rejected", "comment": "x"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

both! {
    async fn an_incident_proposes_a_follow_up_risk_in_an_open_assessment(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let srv = server(&t, &officer, "SRV-77").await;
        let i = report(&t, &staff, json!({"title": "服务器被植入 webshell", "occurred_at": ago(30),
            "affected_asset_ids": [srv]})).await;
        let id = i["id"].as_i64().unwrap();
        let a = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "专项评估"})).send().await);
        let aid = a["id"].as_i64().unwrap();
        ok(t.post(&format!("/api/v1/assessments/{aid}/transitions")).token(&analyst)
            .json(&json!({"to": "identification"})).send().await);
        // Assessors do not read incidents by role: the analyst is put on its team.
        let (analyst_user, _) = (t.user_by_name_pub("analyst").await, ());
        ok(move_to(&t, &officer, id, json!({"to": "triaged", "class": "serious", "level": "significant",
            "category": "network_attack", "handler_ids": [analyst_user.id.0]})).await);
        let before = t.count("risks").await;
        // Bad input: an asset not on the incident, an unknown threat; off the assessment's
        // team; someone who may not read the incident.
        let post = |token: &str, body: Value| {
            let t = &t;
            let token = token.to_owned();
            async move { t.post(&format!("/api/v1/incidents/{id}/follow-up-risks")).token(&token).json(&body).send().await }
        };
        let r = post(&analyst, json!({"assessment_id": aid, "asset_id": srv + 1000, "threat_code": "T999"})).await;
        let doc = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(doc["errors"]["asset_id"].is_string() && doc["errors"]["threat_code"].is_string(), "{doc}");
        assert_eq!(post(&staff, json!({"assessment_id": aid, "asset_id": srv, "threat_code": "T001"})).await.status, StatusCode::FORBIDDEN);
        let (_, stranger) = t.user_with("stranger", &[("assessor", None)]).await;
        assert_eq!(post(&stranger, json!({"assessment_id": aid, "asset_id": srv, "threat_code": "T001"})).await.status, StatusCode::NOT_FOUND);
        assert_eq!(t.count("risks").await, before);
        let made = created(post(&analyst, json!({"assessment_id": aid, "asset_id": srv, "threat_code": "T001"})).await);
        assert_eq!(made["assessment_id"], aid);
        let r = ok(t.get(&format!("/api/v1/assessments/{aid}/risks/{}", made["risk_id"])).token(&analyst).send().await);
        assert!(r["description"].as_str().unwrap().starts_with(i["code"].as_str().unwrap()), "{r}");
        let tl = ok(t.get(&format!("/api/v1/incidents/{id}/timeline")).token(&staff).send().await);
        assert!(tl["items"].as_array().unwrap().iter().any(|e| e["note"].as_str().unwrap().contains(&format!("RA-{aid}"))));
    }
}

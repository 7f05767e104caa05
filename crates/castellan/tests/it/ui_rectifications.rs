//! Rectification pages in-process: a team member opens a task from the incident page, the
//! responsible person reports it done on the task page, the verifier sends it back and then
//! verifies it; bad input is shown on the page; the pages speak one language.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    version_in, visible_text,
};
use axum::http::StatusCode;
use castellan_domain::{Day, Timestamp};
use serde_json::{Value, json};

fn day(offset_days: i64) -> String {
    Day::of(Timestamp::now().plus(time::Duration::days(offset_days))).to_string()
}

/// An incident triaged with `team` (usernames' ids); returns its id.
async fn triaged(t: &TestApp, reporter: &str, triager: &str, team: &[i64]) -> i64 {
    let i: Value = t
        .post("/api/v1/incidents")
        .token(reporter)
        .json(&json!({"title": "办公网终端感染勒索软件", "occurred_at": "2026-01-05T09:30:00Z"}))
        .send()
        .await
        .json();
    let id = i["id"].as_i64().unwrap();
    let r = t
        .post(&format!("/api/v1/incidents/{id}/transitions"))
        .token(triager)
        .json(
            &json!({"to": "triaged", "class": "serious", "level": "significant",
            "category": "malware", "handler_ids": team}),
        )
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

both! {
    async fn a_task_is_opened_from_the_incident_page_done_sent_back_and_verified(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, sa) = t.user_with("zhao", &[("security_admin", None)]).await;
        let (net, _) = t.user_with("net.li", &[("network_admin", None)]).await;
        t.user_with("dev.sun", &[("staff", None)]).await;
        let id = triaged(&t, &reporter, &sa, &[net.id.0]).await;
        let at = format!("/incidents/{id}");
        let net_page = sign_in_zh(&t, "net.li").await;
        let dev_page = sign_in_zh(&t, "dev.sun").await;
        let wang_page = sign_in_zh(&t, "wang").await;

        // The page title holds the incident's code and title only (no page content leaks
        // into the window title or the breadcrumbs).
        let html = page(&t, &net_page, &at).await.text();
        let title = html.split("<title>").nth(1).unwrap().split("</title>").next().unwrap();
        assert!(title.contains("INC-") && title.contains("办公网终端感染勒索软件") && !title.contains('<'), "{title}");
        assert!(html.contains("整改任务") && html.contains("提出整改任务") && html.contains("尚无整改任务"), "{html}");
        // The reporter reads the incident but opens no task.
        let reporter_html = page(&t, &wang_page, &at).await.text();
        assert!(!reporter_html.contains("提出整改任务"));

        // Bad input is shown on the incident page and stores nothing.
        let bad = post(&t, &net_page, &format!("{at}/rectifications"), &[("description", "隔离并重装受感染终端"),
            ("responsible", "nobody.here"), ("due_on", &day(7))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("责任人"), "{}", bad.text());
        let bad = post(&t, &net_page, &format!("{at}/rectifications"), &[("description", "隔离并重装受感染终端"),
            ("responsible", "dev.sun"), ("due_on", &day(-2))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("完成期限"), "{}", bad.text());
        let bad = post(&t, &net_page, &format!("{at}/rectifications"), &[("description", "x"),
            ("responsible", "dev.sun"), ("verifier", "dev.sun"), ("due_on", &day(3))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("验证人不能是责任人本人"), "{}", bad.text());
        assert_eq!(t.count("rectifications").await, 0);
        let made = post(&t, &net_page, &format!("{at}/rectifications"), &[("description", "隔离并重装受感染终端，恢复前全盘查杀"),
            ("responsible", "dev.sun"), ("due_on", &day(7))]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
        let html = page(&t, &net_page, &at).await.text();
        assert!(html.contains("隔离并重装受感染终端") && html.contains("待整改") && html.contains("RECT-"), "{html}");
        let start = html.find("/rectifications/").unwrap();
        let task: String = html[start..].split('"').next().unwrap().to_owned();

        // The list shows it to the responsible person under "mine to put right".
        let list = page(&t, &dev_page, "/rectifications?view=mine").await.text();
        assert!(list.contains("隔离并重装受感染终端") && list.contains("共 1 条") && list.contains("我负责整改的"), "{list}");
        assert!(page(&t, &dev_page, "/approvals").await.text().contains("整改任务"));

        // The responsible person reports it done, saying what was done.
        let html = page(&t, &dev_page, &task).await.text();
        assert!(html.contains("报告整改完成") && !html.contains("验证通过</button>") && !html.contains("调整整改安排"), "{html}");
        let v = version_in(&html);
        let bad = post(&t, &dev_page, &format!("{task}/move"), &[("version", &v), ("to", "done"), ("comment", " ")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("整改情况"), "{}", bad.text());
        let done = post(&t, &dev_page, &format!("{task}/move"), &[("version", &v), ("to", "done"), ("comment", "已重装系统并完成查杀。")]).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text());

        // Proof of the fix is uploaded from the task page; without the form's token nothing
        // is stored.
        let boundary = "task-upload-boundary";
        let body = |csrf: &str| -> Vec<u8> {
            let mut b = Vec::new();
            b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes());
            b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"查杀报告.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
            b.extend_from_slice(b"%PDF-1.4 report");
            b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            b
        };
        let ct = format!("multipart/form-data; boundary={boundary}");
        let forged = t.post(&format!("{task}/attachments")).header("cookie", &dev_page).raw(&ct, body("forged")).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("attachments").await, 0);
        let csrf = csrf_of(&page(&t, &dev_page, &task).await.text());
        let up = t.post(&format!("{task}/attachments")).header("cookie", &dev_page).raw(&ct, body(&csrf)).send().await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.text());
        let html = page(&t, &net_page, &task).await.text();
        assert!(html.contains("查杀报告.pdf") && html.contains("整改证据"), "{html}");

        // The verifier (the team member who opened it) sends it back, then verifies it.
        let html = page(&t, &net_page, &task).await.text();
        assert!(html.contains("验证整改结果") && html.contains("已重装系统并完成查杀。"), "{html}");
        let v = version_in(&html);
        let back = post(&t, &net_page, &format!("{task}/move"), &[("version", &v), ("to", "reopened"), ("comment", "另一台终端未处理。")]).await;
        assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.text());
        let html = page(&t, &dev_page, &task).await.text();
        assert!(html.contains("已退回") && html.contains("另一台终端未处理。"), "{html}");
        let v = version_in(&html);
        post(&t, &dev_page, &format!("{task}/move"), &[("version", &v), ("to", "done"), ("comment", "两台终端均已处理。")]).await;
        let html = page(&t, &net_page, &task).await.text();
        let v = version_in(&html);
        let stale = post(&t, &net_page, &format!("{task}/move"), &[("version", "1"), ("to", "verified")]).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED, "a stale page is refused: {}", stale.text());
        let ok = post(&t, &net_page, &format!("{task}/move"), &[("version", &v), ("to", "verified")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let html = page(&t, &net_page, &task).await.text();
        assert!(html.contains("已验证通过：该任务已完成") && !html.contains("name=\"to\""), "{html}");
        // The history reads in labels and names.
        let text = visible_text(&html);
        assert!(text.contains("已整改待验证 → 已退回") && text.contains("dev.sun"), "{text}");

        // The list exports to XLSX with its filters, in the page's language, recorded; an
        // outsider's export holds none of it.
        let x = page(&t, &net_page, "/rectifications/export?status=verified").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.header("content-type").unwrap().contains("spreadsheetml"));
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(x.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.headers()[1], "整改内容");
        let rows: Vec<_> = reader.map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        let row = format!("{:?}", rows[0]);
        assert!(row.contains("隔离并重装受感染终端") && row.contains("已验证") && row.contains("两台终端均已处理"), "{row}");
        let none = page(&t, &net_page, "/rectifications/export?status=open").await;
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(none.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.count(), 0);
        let audit = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'export' AND entity_type = 'rectification'", &[]).await;
        assert_eq!(audit.as_deref(), Some("2"));

        // Someone who reads neither the task nor its incident is told it does not exist.
        t.user_with("other", &[("staff", None)]).await;
        let other = sign_in_zh(&t, "other").await;
        assert_eq!(page(&t, &other, &task).await.status, StatusCode::NOT_FOUND);
        assert!(!page(&t, &other, "/rectifications").await.text().contains("隔离并重装"));
        let theirs = page(&t, &other, "/rectifications/export").await;
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(theirs.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.count(), 0, "an outsider exports nothing of it");
        // Without the form's token nothing happens.
        let forged = t.post(&format!("{task}/move")).header("cookie", &net_page)
            .form(&[("csrf", "forged"), ("to", "reopened"), ("comment", "x")]).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }

    async fn the_plan_is_changed_on_the_task_page_by_its_opener(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, reporter) = t.user_with("wang", &[("staff", None)]).await;
        let (_, sa) = t.user_with("zhao", &[("security_admin", None)]).await;
        let (dev, _) = t.user_with("dev.sun", &[("staff", None)]).await;
        t.user_with("ops.li", &[("staff", None)]).await;
        let id = triaged(&t, &reporter, &sa, &[dev.id.0]).await;
        let task: Value = t.post("/api/v1/rectifications").token(&sa).json(&json!({"source": "incident",
            "source_id": id, "description": "更新终端防病毒特征库", "responsible_id": dev.id.0, "due_at": day(5)}))
            .send().await.json();
        let at = format!("/rectifications/{}", task["id"]);
        let zhao = sign_in_zh(&t, "zhao").await;
        let html = page(&t, &zhao, &at).await.text();
        assert!(html.contains("调整整改安排") && html.contains("value=\"dev.sun\""), "{html}");
        let v = version_in(&html);
        let bad = post(&t, &zhao, &at, &[("version", &v), ("description", "更新终端防病毒特征库"), ("responsible", "dev.sun"),
            ("verifier", "dev.sun"), ("due_on", &day(5))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let saved = post(&t, &zhao, &at, &[("version", &v), ("description", "更新全部终端防病毒特征库"), ("responsible", "ops.li"),
            ("verifier", "zhao"), ("due_on", &day(9))]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let html = page(&t, &zhao, &at).await.text();
        assert!(html.contains("更新全部终端防病毒特征库") && html.contains(&day(9)) && html.contains("value=\"ops.li\""), "{html}");
    }

    async fn rectification_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (sec, tok) = t.user_with("sec", &[("staff", None), ("security_admin", None)]).await;
        let (dev, _) = t.user_with("dev", &[("staff", None)]).await;
        let id = triaged(&t, &tok, &tok, &[sec.id.0]).await;
        let task: Value = t.post("/api/v1/rectifications").token(&tok).json(&json!({"source": "incident",
            "source_id": id, "description": "Patch the VPN gateway", "responsible_id": dev.id.0, "due_at": day(5)}))
            .send().await.json();
        let task_id = task["id"].as_i64().unwrap();
        for (lang, others) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "sec", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/rectifications", "/rectifications?view=mine", "/rectifications?view=verify&overdue=1",
                         "/rectifications?status=nope", &format!("/rectifications/{task_id}"), "/rectifications/999999",
                         &format!("/incidents/{id}")] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let text = visible_text(&r.text());
                for other in &others {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
    }
}

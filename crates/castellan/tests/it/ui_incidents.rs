//! Incident pages in-process: a member of staff reports in Chinese through the form, a
//! security administrator triages on the page with a team of two, the team adds timeline
//! entries, contains, recovers and closes with root cause and lessons learned; bad input is
//! shown on the page; the counts page shows the year; every page in one language only.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    version_in, visible_text,
};
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn an_incident_is_reported_triaged_handled_and_closed_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, sa_tok) = t.user_with("zhao", &[("security_admin", None)]).await;
        t.user_with("wang", &[("staff", None)]).await;
        t.user_with("net.li", &[("network_admin", None)]).await;
        t.user_with("dev.sun", &[("staff", None)]).await;
        t.post("/api/v1/assets").token(&sa_tok).json(&json!({"code": "FW-01", "name": "边界防火墙",
            "category": "security_device", "confidentiality": 5, "integrity": 5, "availability": 5})).send().await;
        let wang = sign_in_zh(&t, "wang").await;
        let zhao = sign_in_zh(&t, "zhao").await;
        let net = sign_in_zh(&t, "net.li").await;

        let form = page(&t, &wang, "/incidents/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("报告安全事件") && form.text().contains("发生时间"));
        // A report without a title, or from the future, is refused on its field.
        let bad = post(&t, &wang, "/incidents", &[("title", " "), ("occurred_at", "2026-01-05T09:30")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"));
        let bad = post(&t, &wang, "/incidents", &[("title", "x"), ("occurred_at", "2099-01-05T09:30")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("时间不能晚于现在"), "{}", bad.text());
        let bad = post(&t, &wang, "/incidents", &[("title", "x"), ("occurred_at", "2026-01-05T09:30"), ("asset_codes", "NOPE-9")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("incidents").await, 0);
        let made = post(&t, &wang, "/incidents", &[("title", "防火墙管理口出现陌生登录"), ("occurred_at", "2026-01-05T09:30"),
            ("location", "总部机房"), ("asset_codes", "FW-01"), ("description", "凌晨收到告警：管理口有来自境外的登录尝试。")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
        let at = made.header("location").unwrap().split('?').next().unwrap().to_owned();
        let html = page(&t, &wang, &at).await.text();
        assert!(html.contains("已报告") && html.contains("边界防火墙") && html.contains("涉及最高价值等级的资产"), "{html}");
        assert!(!html.contains("完成研判"), "the reporter does not triage");
        // The reporter attaches a screenshot from the page; without the form's token nothing
        // is stored.
        let boundary = "page-upload-boundary";
        let body = |csrf: &str| -> Vec<u8> {
            let mut b = Vec::new();
            b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n").as_bytes());
            b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"告警截图.png\"\r\nContent-Type: image/png\r\n\r\n").as_bytes());
            b.extend_from_slice(&[0x89, b'P', b'N', b'G', 1, 2, 3, 4]);
            b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            b
        };
        let ct = format!("multipart/form-data; boundary={boundary}");
        let forged = t.post(&format!("{at}/attachments")).header("cookie", &wang).raw(&ct, body("forged")).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("attachments").await, 0);
        let csrf = csrf_of(&page(&t, &wang, &at).await.text());
        let up = t.post(&format!("{at}/attachments")).header("cookie", &wang).raw(&ct, body(&csrf)).send().await;
        assert_eq!(up.status, StatusCode::SEE_OTHER, "{}", up.text());
        let html = page(&t, &wang, &at).await.text();
        assert!(html.contains("告警截图.png") && html.contains("证据与附件"), "{html}");
        let link_start = html.find(&format!("{at}/attachments/")).unwrap();
        let link: String = html[link_start..].split('"').next().unwrap().to_owned();
        let file = page(&t, &zhao, &link).await;
        assert_eq!(file.status, StatusCode::OK);
        assert_eq!(file.body, vec![0x89, b'P', b'N', b'G', 1, 2, 3, 4]);

        // The security administrator finds it waiting and triages on the page.
        assert!(page(&t, &zhao, "/approvals").await.text().contains("防火墙管理口出现陌生登录"));
        let html = page(&t, &zhao, &at).await.text();
        assert!(html.contains("完成研判") && html.contains("特别重大（I级）") && html.contains("类别说明"), "{html}");
        let v = version_in(&html);
        let refused = post(&t, &zhao, &format!("{at}/triage"), &[("version", &v), ("class", "serious"), ("level", "significant"),
            ("category", "network_attack"), ("team", "nobody.here")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("处置小组"), "{}", refused.text());
        let ok = post(&t, &zhao, &format!("{at}/triage"), &[("version", &v), ("class", "serious"), ("level", "significant"),
            ("category", "network_attack"), ("team", "net.li, dev.sun")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());

        // The team records and moves; closing without root cause is refused on the page.
        let html = page(&t, &net, &at).await.text();
        assert!(html.contains("严重事件") && html.contains("较大（III级）") && html.contains("Test dev.sun"), "{html}");
        let entry = post(&t, &net, &format!("{at}/timeline"), &[("note", "已封禁来源地址并修改管理口口令。"), ("at", "")]).await;
        assert_eq!(entry.status, StatusCode::SEE_OTHER);
        for to in ["investigating", "contained", "recovered"] {
            let v = version_in(&page(&t, &net, &at).await.text());
            let r = post(&t, &net, &format!("{at}/move"), &[("version", &v), ("to", to)]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{to}: {}", r.text());
        }
        let v = version_in(&page(&t, &net, &at).await.text());
        let refused = post(&t, &net, &format!("{at}/move"), &[("version", &v), ("to", "closed")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("根本原因"), "{}", refused.text());
        let saved = post(&t, &net, &at, &[("version", &v), ("root_cause", "管理口暴露在互联网"), ("lessons_learned", "管理口只允许堡垒机访问")]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER);
        let v = version_in(&page(&t, &net, &at).await.text());
        let closed = post(&t, &net, &format!("{at}/move"), &[("version", &v), ("to", "closed")]).await;
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        let html = page(&t, &wang, &at).await.text();
        assert!(html.contains("已关闭") && html.contains("管理口只允许堡垒机访问") && html.contains("已封禁来源地址"), "{html}");

        // The list and the counts show it.
        let list = page(&t, &zhao, "/incidents?level=significant").await.text();
        assert!(list.contains("共 1 条") && list.contains("防火墙管理口出现陌生登录"));
        let counts = page(&t, &zhao, "/incidents/counts?year=2026").await.text();
        assert!(counts.contains("<svg") && counts.contains("较大（III级）"), "{counts}");
        // The incident report: a printable page, a Word document and a workbook, in the
        // reader's language, with the timeline and what was learned.
        let html = page(&t, &wang, &format!("{at}/report")).await;
        assert_eq!(html.status, StatusCode::OK);
        let text = html.text();
        assert!(text.contains("安全事件报告") && text.contains("已封禁来源地址") && text.contains("管理口只允许堡垒机访问")
            && text.contains("告警截图.png") && text.contains("较大（III级）"), "{text}");
        for (format, kind) in [("docx", "wordprocessingml"), ("xlsx", "spreadsheetml")] {
            let r = page(&t, &zhao, &format!("{at}/report?format={format}")).await;
            assert_eq!(r.status, StatusCode::OK, "{format}");
            assert!(r.header("content-type").unwrap().contains(kind));
            let disposition = r.header("content-disposition").unwrap();
            assert!(disposition.starts_with("attachment; filename=\"incident-INC-") && disposition.contains(&format!(".{format}")), "{disposition}");
            assert!(r.body.starts_with(b"PK"), "{format} is a zip package");
        }
        assert_eq!(page(&t, &zhao, &format!("{at}/report?format=pdf")).await.status, StatusCode::NOT_FOUND);
        // The list exports to XLSX with its filters, in the page's language, recorded.
        let x = page(&t, &zhao, "/incidents/export?level=significant").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.header("content-type").unwrap().contains("spreadsheetml"));
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(x.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.headers()[0], "编号");
        let rows: Vec<_> = reader.map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        assert!(format!("{:?}", rows[0]).contains("管理口只允许堡垒机访问"), "{:?}", rows[0]);
        let audit = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'export' AND entity_type = 'incident'", &[]).await;
        assert_eq!(audit.as_deref(), Some("1"));
        // Another member of staff is told it does not exist.
        t.user_with("other", &[("staff", None)]).await;
        let other = sign_in_zh(&t, "other").await;
        assert_eq!(page(&t, &other, &at).await.status, StatusCode::NOT_FOUND);
        let bad_filter = page(&t, &zhao, "/incidents?level=level5").await;
        assert_eq!(bad_filter.status, StatusCode::OK);
        assert!(bad_filter.text().contains("alert-error"));
    }

    async fn incident_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, tok) = t.user_with("sec", &[("staff", None), ("security_admin", None), ("committee", None)]).await;
        let r = t.post("/api/v1/incidents").token(&tok).json(&json!({"title": "Phishing wave", "occurred_at": "2026-01-05T09:30:00Z"})).send().await.json();
        let id = r["id"].as_i64().unwrap();
        for (lang, others) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "sec", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/incidents", "/incidents/new", &format!("/incidents/{id}"), "/incidents/counts",
                         &format!("/incidents/{id}/report"), "/settings/incident-deadlines",
                         "/incidents?overdue=1&status=reported", "/incidents/999999", "/approvals"] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let text = visible_text(&r.text());
                for other in &others {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
    }

    async fn the_deadlines_are_set_on_their_page_by_the_security_officer(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("officer", &[("security_officer", None)]).await;
        t.user_with("staff", &[("staff", None)]).await;
        let officer = sign_in_zh(&t, "officer").await;
        let staff = sign_in_zh(&t, "staff").await;
        let html = page(&t, &officer, "/settings/incident-deadlines").await.text();
        assert!(html.contains("事件处置时限") && html.contains("4 小时") && html.contains("value=\"240\""), "{html}");
        let v = version_in(&html);
        let bad = post(&t, &officer, "/settings/incident-deadlines", &[("version", &v), ("triage_minutes", "0"),
            ("major_notice_minutes", "60"), ("critical_notice_minutes", "30")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"));
        let ok = post(&t, &officer, "/settings/incident-deadlines", &[("version", &v), ("triage_minutes", "120"),
            ("major_notice_minutes", "60"), ("critical_notice_minutes", "30")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        assert!(page(&t, &officer, "/settings/incident-deadlines").await.text().contains("2 小时"));
        // Staff read nothing to change and cannot post.
        let refused = post(&t, &staff, "/settings/incident-deadlines", &[("version", "1"), ("triage_minutes", "5"),
            ("major_notice_minutes", "5"), ("critical_notice_minutes", "5")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        let d = t.get("/api/v1/incident-deadlines").token(t.token_admin()).send().await.json();
        assert_eq!(d["triage_minutes"], 120);
    }

    async fn a_follow_up_risk_is_proposed_from_the_incident_page(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (analyst, atok) = t.user_with("analyst", &[("assessor", None)]).await;
        let srv = t.post("/api/v1/assets").token(&officer).json(&json!({"code": "WEB-1", "name": "门户网站",
            "category": "server", "confidentiality": 3, "integrity": 4, "availability": 4})).send().await.json();
        let i = t.post("/api/v1/incidents").token(&staff).json(&json!({"title": "门户网站被篡改",
            "occurred_at": castellan_domain::Timestamp::now().to_rfc3339(), "affected_asset_ids": [srv["id"]]})).send().await.json();
        let id = i["id"].as_i64().unwrap();
        t.post(&format!("/api/v1/incidents/{id}/transitions")).token(&officer).json(&json!({"to": "triaged",
            "class": "special", "level": "significant", "category": "information_content", "handler_ids": [analyst.id.0]})).send().await;
        let a = t.post("/api/v1/assessments").token(&atok).json(&json!({"name": "网站专项评估"})).send().await.json();
        let aid = a["id"].as_i64().unwrap();
        t.post(&format!("/api/v1/assessments/{aid}/transitions")).token(&atok).json(&json!({"to": "identification"})).send().await;
        let cookie = sign_in_zh(&t, "analyst").await;
        let html = page(&t, &cookie, &format!("/incidents/{id}")).await.text();
        assert!(html.contains("后续风险") && html.contains("网站专项评估") && html.contains("WEB-1 · 门户网站"), "{html}");
        let bad = post(&t, &cookie, &format!("/incidents/{id}/follow-up"), &[("assessment_id", &aid.to_string()),
            ("asset_id", &srv["id"].to_string()), ("threat_code", "T999")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let made = post(&t, &cookie, &format!("/incidents/{id}/follow-up"), &[("assessment_id", &aid.to_string()),
            ("asset_id", &srv["id"].to_string()), ("threat_code", "t001")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
        assert!(made.header("location").unwrap().starts_with(&format!("/assessments/{aid}/risks/")));
        // Staff without an assessment do not see the form.
        let staff_cookie = sign_in_zh(&t, "staff").await;
        assert!(!page(&t, &staff_cookie, &format!("/incidents/{id}")).await.text().contains("后续风险"));
    }
}

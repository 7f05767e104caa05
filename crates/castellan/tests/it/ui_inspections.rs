//! Inspection pages in-process: a plan created on its form (bad fields marked), submitted,
//! returned with a comment and approved on the plan page; the inspection scheduled,
//! performed on its page with two failed items, their rectification tasks opened, evidence
//! uploaded, completed; the report in three formats; the pages speak one language.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    visible_text,
};
use axum::http::StatusCode;

fn version_of(html: &str) -> String {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// A day relative to today, the organization's local day (as the server counts days).
fn day(offset: i64) -> String {
    let d = castellan_domain::Day::of_at(
        castellan_domain::Timestamp::now(),
        castellan_app::Settings::default().utc_offset(),
    );
    castellan_domain::Day::from_date(d.date() + time::Duration::days(offset)).to_string()
}

both! {
    async fn an_inspection_is_planned_performed_and_reported_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("sec.li", &[("security_admin", None)]).await;
        t.user_with("sec.chen", &[("security_officer", None)]).await;
        t.user_with("insp.wang", &[("staff", None)]).await;
        t.user_with("net.sun", &[("network_admin", None)]).await;
        let sa = sign_in_zh(&t, "sec.li").await;
        let so = sign_in_zh(&t, "sec.chen").await;
        let insp = sign_in_zh(&t, "insp.wang").await;

        let html = page(&t, &sa, "/inspection-plans/new").await.text();
        assert!(html.contains("季度安全检查") && html.contains("每季度"), "the shipped checklist and the frequencies: {html}");
        let checklist = html.split("name=\"checklist_id\"><option value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let bad = post(&t, &sa, "/inspection-plans", &[("title", ""), ("frequency", "quarterly"), ("checklist_id", &checklist),
            ("inspectors", "nobody"), ("next_due_at", &day(-3))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.text().matches("class=\"field-error\"").count(), 3, "{}", bad.text());
        assert_eq!(t.count("inspection_plans").await, 0);
        let r = post(&t, &sa, "/inspection-plans", &[("title", "季度安全检查（信息技术部）"), ("frequency", "quarterly"),
            ("checklist_id", &checklist), ("inspectors", "insp.wang"), ("responsibilities", "王：全部检查项"),
            ("next_due_at", &day(7))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let plan = r.header("location").unwrap().split('?').next().unwrap().to_owned();
        let html = page(&t, &sa, &plan).await.text();
        assert!(html.contains("提交审批") && html.contains("王：全部检查项"), "{html}");
        assert_eq!(post(&t, &sa, &format!("{plan}/move"), &[("to", "in_review"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);

        // Returned with a comment, changed, submitted again and approved.
        let html = page(&t, &so, &plan).await.text();
        assert!(html.contains("审批意见") && html.contains("退回修改"), "{html}");
        let r = post(&t, &so, &format!("{plan}/move"), &[("to", "draft"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a return needs its reason");
        assert_eq!(post(&t, &so, &format!("{plan}/move"), &[("to", "draft"), ("comment", "请补充检查范围"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);
        let html = page(&t, &sa, &plan).await.text();
        assert!(html.contains("请补充检查范围"), "the return's comment is on the page: {html}");
        let edit = page(&t, &sa, &format!("{plan}/edit")).await.text();
        let r = post(&t, &sa, &plan, &[("title", "季度安全检查（信息技术部）"), ("frequency", "quarterly"), ("checklist_id", &checklist),
            ("inspectors", "insp.wang"), ("scope", "机房、办公网络"), ("next_due_at", &day(7)), ("version", &version_of(&edit))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &sa, &plan).await.text();
        assert_eq!(post(&t, &sa, &format!("{plan}/move"), &[("to", "in_review"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);
        let html = page(&t, &so, &plan).await.text();
        assert_eq!(post(&t, &so, &format!("{plan}/move"), &[("to", "approved"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);

        // The inspector schedules and performs it.
        assert!(page(&t, &insp, "/approvals").await.text().contains("执行检查"));
        let html = page(&t, &insp, &plan).await.text();
        assert!(html.contains("安排检查"), "{html}");
        let r = post(&t, &insp, &format!("{plan}/schedule"), &[("due_on", &day(7))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let ins = r.header("location").unwrap().split('?').next().unwrap().to_owned();
        let html = page(&t, &insp, &ins).await.text();
        assert!(html.contains("物理安全") && html.contains("机房门禁有效") && html.contains("保存检查结果"), "{html}");
        let codes: Vec<String> = html.split("name=\"result:").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        assert_eq!(codes.len(), 24);
        let mut form: Vec<(String, String)> = vec![("version".into(), version_of(&html)), ("performed_at".into(), day(0))];
        for c in &codes {
            let r = if c == "NET-02" || c == "PER-01" { "fail" } else { "pass" };
            form.push((format!("result:{c}"), r.into()));
        }
        form.push(("note:NET-02".into(), "存在全通策略".into()));
        let pairs: Vec<(&str, &str)> = form.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let r = post(&t, &insp, &format!("{ins}/results"), &pairs).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // Completing before the findings have tasks is refused on the page.
        let html = page(&t, &insp, &ins).await.text();
        let r = post(&t, &insp, &format!("{ins}/move"), &[("to", "completed"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(visible_text(&r.text()).contains("请为每个问题建立整改任务"), "{}", r.text());
        for code in ["NET-02", "PER-01"] {
            let r = post(&t, &insp, &format!("{ins}/findings"), &[("item_code", code), ("responsible", "net.sun"), ("due_at", &day(30))]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        // Evidence for a finding.
        let csrf = csrf_of(&page(&t, &insp, &ins).await.text());
        let boundary = "ev";
        let body = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"item\"\r\n\r\nNET-02\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"防火墙策略.txt\"\r\nContent-Type: text/plain\r\n\r\nany any allow\r\n--{boundary}--\r\n");
        let r = t.post(&format!("{ins}/evidence")).header("cookie", &insp).raw(&format!("multipart/form-data; boundary={boundary}"), body.into_bytes()).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &insp, &ins).await.text();
        assert!(html.contains("防火墙策略.txt") && html.contains("RECT-"), "{html}");
        let r = post(&t, &insp, &format!("{ins}/move"), &[("to", "completed"), ("comment", "两项问题已安排整改"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &so, &ins).await.text();
        assert!(html.contains("已完成") && html.contains("两项问题已安排整改") && !html.contains("保存检查结果"), "{html}");

        // The report: print page, workbook and Word document.
        let r = page(&t, &so, &format!("{ins}/report")).await;
        assert_eq!(r.status, StatusCode::OK);
        let text = visible_text(&r.text());
        assert!(text.contains("安全检查报告") && text.contains("存在全通策略") && text.contains("不通过") && text.contains("防火墙策略.txt"), "{text}");
        for (format, magic) in [("xlsx", b"PK"), ("docx", b"PK")] {
            let r = page(&t, &so, &format!("{ins}/report?format={format}")).await;
            assert_eq!(r.status, StatusCode::OK, "{format}");
            assert!(r.body.starts_with(magic), "{format}");
            assert!(r.header("content-disposition").unwrap().contains(&format!(".{format}")));
        }
        let outsider = { t.user_with("outsider", &[("staff", None)]).await; sign_in_zh(&t, "outsider").await };
        assert_eq!(page(&t, &outsider, &format!("{ins}/report")).await.status, StatusCode::NOT_FOUND);
        assert_eq!(page(&t, &outsider, &ins).await.status, StatusCode::NOT_FOUND);
        let forged = t.post(&format!("{plan}/move")).header("cookie", &sa).form(&[("csrf", "forged"), ("to", "retired")]).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }

    async fn inspection_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, sa) = t.user_with("sec.li", &[("security_admin", None)]).await;
        let (insp, _) = t.user_with("insp.wang", &[("staff", None)]).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let checklist = crate::inspections::shipped_checklist(&t, &sa).await;
        let plan: serde_json::Value = t.post("/api/v1/inspection-plans").token(&sa).json(&serde_json::json!({
            "title": "Quarterly", "frequency": "quarterly", "checklist_id": checklist,
            "inspector_ids": [insp.id.0], "next_due_at": day(3)})).send().await.json();
        let pid = plan["id"].as_i64().unwrap();
        t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&sa).json(&serde_json::json!({"to": "in_review"})).send().await;
        t.post(&format!("/api/v1/inspection-plans/{pid}/transitions")).token(&so).json(&serde_json::json!({"to": "approved"})).send().await;
        let ins: serde_json::Value = t.post("/api/v1/inspections").token(&sa).json(&serde_json::json!({"plan_id": pid})).send().await.json();
        let iid = ins["id"].as_i64().unwrap();
        for (lang, other) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "sec.li", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/inspections".to_owned(), "/inspection-plans".into(), "/inspection-plans/new".into(), format!("/inspection-plans/{pid}"),
                format!("/inspections/{iid}"), "/checklists".into(), format!("/checklists/{checklist}"), format!("/inspections/{iid}/report")] {
                let r = page(&t, &cookie, &path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                let text = visible_text(&r.text());
                for o in &other {
                    assert!(!text.contains(o.as_str()), "{lang} page {path} contains {o:?}");
                }
            }
        }
    }
}

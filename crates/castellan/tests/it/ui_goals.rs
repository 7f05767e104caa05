//! Goal pages in-process: the company goal set on the breakdown page and published by the
//! committee on its page; a department goal drafted by its owner from it, returned with a
//! comment, changed and published; a position goal; progress; coverage; one language per
//! page.

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

fn location(r: &crate::harness::Resp) -> String {
    r.header("location")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

both! {
    async fn goals_are_broken_down_and_approved_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        let root = t.department("总部", None).await;
        let it = t.department("信息技术部", Some(root)).await;
        t.department("财务部", Some(root)).await;
        t.user_with("sec.chen", &[("security_officer", None)]).await;
        t.user_with("lead.zhou", &[("committee", None)]).await;
        t.user_in("it.head", Some(it), &[("staff", None)]).await;
        t.user_in("it.net", Some(it), &[("network_admin", None)]).await;
        let so = sign_in_zh(&t, "sec.chen").await;
        let lead = sign_in_zh(&t, "lead.zhou").await;
        let head = sign_in_zh(&t, "it.head").await;

        let html = page(&t, &so, "/goals?year=2027").await.text();
        assert!(html.contains("本年度尚无安全目标") && html.contains("制定公司目标") && html.contains("2 个部门中已有 0 个制定目标"), "{html}");
        let bad = post(&t, &so, "/goals", &[("year", "2027"), ("level", "company"), ("title", ""), ("metric", ""), ("target", "0")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.text().matches("class=\"field-error\"").count(), 2, "{}", bad.text());
        let r = post(&t, &so, "/goals", &[("year", "2027"), ("level", "company"), ("title", "全年不发生重大信息安全事件"),
            ("metric", "重大事件数"), ("target", "0")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let company = location(&r);
        let html = page(&t, &so, &company).await.text();
        assert!(html.contains("公司目标由安全领导小组审批发布"), "{html}");
        assert_eq!(post(&t, &so, &format!("{company}/move"), &[("to", "in_review"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);
        assert!(page(&t, &lead, "/approvals").await.text().contains("安全目标"));
        let html = page(&t, &lead, &company).await.text();
        assert!(html.contains("批准发布") && html.contains("退回修改"), "{html}");
        assert_eq!(post(&t, &lead, &format!("{company}/move"), &[("to", "published"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);

        // The IT head drafts IT's goal from the company goal's page.
        let html = page(&t, &head, &company).await.text();
        assert!(html.contains("制定我的下级目标"), "{html}");
        // A goal the IT head drafts themself is theirs to submit and the officer's to decide.
        let r = post(&t, &head, "/goals", &[("year", "2027"), ("level", "department"), ("parent_id", company.trim_start_matches("/goals/")),
            ("department_id", &it.to_string()), ("title", "核心系统补丁月度更新"), ("metric", "补丁覆盖率"), ("target", "100%")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let own = location(&r);
        let html = page(&t, &head, &own).await.text();
        post(&t, &head, &format!("{own}/move"), &[("to", "in_review"), ("version", &version_of(&html))]).await;
        let html = page(&t, &so, &own).await.text();
        assert_eq!(post(&t, &so, &format!("{own}/move"), &[("to", "returned"), ("comment", "请细化到季度"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);
        let html = page(&t, &head, &own).await.text();
        assert!(html.contains("请细化到季度") && html.contains("已退回") && html.contains("修改目标"), "{html}");
        let r = post(&t, &head, &own, &[("title", "核心系统补丁每季度全覆盖"), ("metric", "补丁覆盖率"), ("target", "每季度 100%"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &head, &own).await.text();
        post(&t, &head, &format!("{own}/move"), &[("to", "in_review"), ("version", &version_of(&html))]).await;
        let html = page(&t, &so, &own).await.text();
        assert_eq!(post(&t, &so, &format!("{own}/move"), &[("to", "published"), ("version", &version_of(&html))]).await.status, StatusCode::SEE_OTHER);

        // A position goal from it, drafted by the network administrator; progress; the breakdown page.
        let html = page(&t, &head, &own).await.text();
        assert!(html.contains("报告进展"), "{html}");
        let net = sign_in_zh(&t, "it.net").await;
        let r = post(&t, &net, "/goals", &[("year", "2027"), ("level", "position"), ("parent_id", own.trim_start_matches("/goals/")),
            ("position", ""), ("title", "网络设备补丁按季度更新"), ("metric", "更新次数"), ("target", "4")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("class=\"field-error\""), "{}", r.text());
        let r = post(&t, &net, "/goals", &[("year", "2027"), ("level", "position"), ("parent_id", own.trim_start_matches("/goals/")),
            ("position", "网络管理员"), ("title", "网络设备补丁按季度更新"), ("metric", "更新次数"), ("target", "4")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let r = post(&t, &head, &format!("{own}/progress"), &[("progress", "150"), ("version", &version_of(&page(&t, &head, &own).await.text()))]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = post(&t, &head, &format!("{own}/progress"), &[("progress", "40"), ("note", "第一季度完成"), ("version", &version_of(&page(&t, &head, &own).await.text()))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let text = visible_text(&page(&t, &head, "/goals?year=2027").await.text());
        assert!(text.contains("核心系统补丁每季度全覆盖") && text.contains("网络设备补丁按季度更新") && text.contains("40%") && text.contains("2 个部门中已有 1 个制定目标") && text.contains("财务部"), "{text}");
    }

    async fn goal_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let g: serde_json::Value = t.post("/api/v1/goals").token(&so).json(&serde_json::json!({
            "year": 2027, "level": "company", "title": "Goal", "metric": "m", "target": "0"})).send().await.json();
        let id = g["id"].as_i64().unwrap();
        for (lang, other) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "sec.chen", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/goals?year=2027".to_owned(), format!("/goals/{id}")] {
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

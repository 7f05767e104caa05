//! Risk assessment pages in-process: an assessment walked through the forms in Chinese by
//! three people, refusals shown on the page, and every page in one language only.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Resp, TestApp};
use crate::ui::{chinese_texts, csrf_of, english_texts, page, sign_in, sign_in_zh, visible_text};
use axum::http::StatusCode;
use serde_json::json;

async fn post(t: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> Resp {
    let csrf = csrf_of(&page(t, cookie, "/").await.text());
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    pairs.extend_from_slice(form);
    t.post(path)
        .header("cookie", cookie)
        .form(&pairs)
        .send()
        .await
}

fn redirected_to(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("location").unwrap().to_owned()
}

fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

both! {
    async fn an_assessment_is_walked_through_the_pages_in_chinese_by_three_people(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        t.user_with("alice", &[("assessor", None)]).await;
        t.user_with("bob", &[("security_officer", None)]).await;
        t.user_with("carol", &[("committee", None)]).await;
        for (code, cia) in [("DB-01", (5, 5, 4)), ("WEB-01", (3, 3, 3))] {
            let r = t.post("/api/v1/assets").token(&keeper).json(&json!({"code": code, "name": format!("系统 {code}"),
                "category": "server", "confidentiality": cia.0, "integrity": cia.1, "availability": cia.2})).send().await;
            assert_eq!(r.status, StatusCode::CREATED);
        }
        let alice = sign_in_zh(&t, "alice").await;
        let bob = sign_in_zh(&t, "bob").await;
        let carol = sign_in_zh(&t, "carol").await;

        // The plan form: unknown codes and usernames are reported on their fields.
        let form = page(&t, &alice, "/assessments/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("新建评估") && form.text().contains("评估小组"));
        let bad = post(&t, &alice, "/assessments", &[("name", "2026 年度风险评估"), ("team", "alice, nobody"),
            ("assets", "DB-01\nNOPE-9"), ("method", "multiplication"), ("acceptance_threshold", "4")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text();
        assert!(html.contains("以下资产编号不存在： NOPE-9") && html.contains("以下用户名不存在： nobody"), "{html}");
        assert_eq!(t.count("assessments").await, 0);
        let created = post(&t, &alice, "/assessments", &[("name", "2026 年度风险评估"), ("team", "alice"),
            ("assets", "DB-01, WEB-01"), ("method", "multiplication"), ("acceptance_threshold", "4"),
            ("planned_start", "2026-12-01"), ("planned_end", "2026-12-31")]).await;
        let overview = redirected_to(&created);
        let base = overview.split('?').next().unwrap().to_owned();
        let id: i64 = base.rsplit('/').next().unwrap().parse().unwrap();
        let html = page(&t, &alice, &base).await.text();
        assert!(html.contains("评估准备") && html.contains("风险热力图") && html.contains("评估内容与方式"), "{html}");
        assert!(html.contains("进入 风险识别"));

        // Moves through the form; the assessor adds and rates risks.
        let go = |cookie: String, to: &'static str, comment: &'static str| {
            let t = &t;
            let base = base.clone();
            async move {
                let v = version_in(&page(t, &cookie, &base).await.text());
                post(t, &cookie, &format!("{base}/transitions"), &[("to", to), ("comment", comment), ("version", &v)]).await
            }
        };
        redirected_to(&go(alice.clone(), "identification", "").await);
        let register = page(&t, &alice, &format!("{base}/risks")).await.text();
        assert!(register.contains("添加风险") && register.contains("批量生成待评价风险"));
        let threat = t.scalar("SELECT CAST(id AS TEXT) FROM threats WHERE code = 'T001'", &[]).await.unwrap();
        let other = t.scalar("SELECT CAST(id AS TEXT) FROM threats WHERE code = 'T002'", &[]).await.unwrap();
        let added = post(&t, &alice, &format!("{base}/risks"), &[("asset", "DB-01"), ("threat_id", &threat),
            ("threat_frequency", "5"), ("vulnerability_severity", "5")]).await;
        let risk_page = redirected_to(&added);
        let risk_base = risk_page.split('?').next().unwrap().to_owned();
        let r = page(&t, &alice, &risk_base).await.text();
        // DB-01 (5,5,4): A 5; T5 V5 → 25/5, 25/5 → 25 → very high.
        assert!(r.contains("T5 V5 A5") && r.contains("很高"), "{r}");
        let bulk = post(&t, &alice, &format!("{base}/candidates"), &[("assets", "DB-01\nWEB-01"), ("threats", &other)]).await;
        redirected_to(&bulk);
        let bad_bulk = post(&t, &alice, &format!("{base}/candidates"), &[("assets", "GHOST"), ("threats", &other)]).await;
        assert_eq!(bad_bulk.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad_bulk.text().contains("以下资产编号不存在： GHOST"));
        let unrated = page(&t, &alice, &format!("{base}/risks?unrated=1")).await.text();
        assert_eq!(unrated.matches("未评价</span>").count(), 2, "{unrated}");
        redirected_to(&go(alice.clone(), "analysis", "").await);
        // Rate the candidates; an out-of-range rating is refused on the page.
        let ids: Vec<String> = t.rows(&format!("SELECT CAST(id AS TEXT) AS id FROM risks WHERE assessment_id = {id} AND risk_rank = 0")).await
            .into_iter().map(|mut r| r.take::<String, _>("id").unwrap()).collect();
        let first = format!("{base}/risks/{}", ids[0]);
        let v = version_in(&page(&t, &alice, &first).await.text());
        let refused = post(&t, &alice, &first, &[("part", "rating"), ("version", &v), ("threat_frequency", "9"), ("vulnerability_severity", "2")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("威胁频率"), "{}", refused.text());
        for rid in &ids {
            let path = format!("{base}/risks/{rid}");
            let v = version_in(&page(&t, &alice, &path).await.text());
            redirected_to(&post(&t, &alice, &path, &[("part", "rating"), ("version", &v), ("threat_frequency", "1"), ("vulnerability_severity", "1")]).await);
        }
        redirected_to(&go(alice.clone(), "treatment_planning", "").await);
        // Treat every risk: the very high one is accepted, which needs the committee.
        let all: Vec<String> = t.rows(&format!("SELECT CAST(id AS TEXT) AS id FROM risks WHERE assessment_id = {id}")).await
            .into_iter().map(|mut r| r.take::<String, _>("id").unwrap()).collect();
        for rid in &all {
            let path = format!("{base}/risks/{rid}");
            let html = page(&t, &alice, &path).await.text();
            let option = if html.contains("T5 V5 A5") { "accept" } else { "control" };
            let v = version_in(&html);
            redirected_to(&post(&t, &alice, &path, &[("part", "treatment"), ("version", &v), ("treatment", option)]).await);
        }
        let blocked = go(alice.clone(), "review", "").await;
        assert_eq!(blocked.status, StatusCode::CONFLICT);
        assert!(blocked.text().contains("尚未经领导小组批准"), "{}", blocked.text());
        let carol_view = page(&t, &carol, &risk_base).await.text();
        assert!(carol_view.contains("以领导小组身份批准"));
        let v = version_in(&carol_view);
        redirected_to(&post(&t, &carol, &risk_base, &[("part", "approval"), ("version", &v), ("comment", "同意接受")]).await);
        assert!(page(&t, &alice, &risk_base).await.text().contains("同意接受"));
        redirected_to(&go(alice.clone(), "review", "请审核").await);

        // Bob must explain a return; then approves the resubmission.
        let bob_page = page(&t, &bob, &base).await.text();
        assert!(bob_page.contains("退回修改") && bob_page.contains("审核通过"), "{bob_page}");
        let no_comment = go(bob.clone(), "treatment_planning", "").await;
        assert_eq!(no_comment.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(no_comment.text().contains("意见"), "{}", no_comment.text());
        redirected_to(&go(bob.clone(), "treatment_planning", "请补充控制措施").await);
        redirected_to(&go(alice.clone(), "review", "").await);
        redirected_to(&go(bob.clone(), "approved", "同意").await);
        for to in ["implementing", "residual_assessment"] {
            redirected_to(&go(alice.clone(), to, "").await);
        }
        for rid in &all {
            let path = format!("{base}/risks/{rid}");
            let v = version_in(&page(&t, &alice, &path).await.text());
            redirected_to(&post(&t, &alice, &path, &[("part", "residual"), ("version", &v), ("threat_frequency", "1"), ("vulnerability_severity", "2")]).await);
        }
        redirected_to(&go(alice.clone(), "residual_review", "").await);
        let carol_page = page(&t, &carol, &base).await.text();
        assert!(carol_page.contains("批准并关闭"));
        redirected_to(&go(carol.clone(), "closed", "同意关闭").await);
        let closed = page(&t, &alice, &base).await.text();
        assert!(closed.contains("已关闭") && closed.contains("请补充控制措施") && !closed.contains("下一步"), "{closed}");
        // The heat map links each count to its cell of the register.
        assert!(closed.contains(&format!("{base}/risks?likelihood_level=5&#38;loss_level=5")), "{closed}");
        let cell = page(&t, &alice, &format!("{base}/risks?likelihood_level=5&loss_level=5")).await.text();
        assert!(cell.contains("DB-01") && !cell.contains("WEB-01"));
    }

    async fn risk_pages_do_not_mix_languages(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, keeper) = t.user_with("keeper2", &[("security_admin", None)]).await;
        let (_, analyst) = t.user_with("analyst2", &[("assessor", None)]).await;
        let asset = t.post("/api/v1/assets").token(&keeper).json(&json!({"code": "LX-1", "name": "Mixed", "category": "server",
            "confidentiality": 3, "integrity": 3, "availability": 3})).send().await.json()["id"].as_i64().unwrap();
        let a = t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "Lang check", "asset_ids": [asset]})).send().await.json();
        let id = a["id"].as_i64().unwrap();
        t.post(&format!("/api/v1/assessments/{id}/transitions")).token(&analyst).json(&json!({"to": "identification"})).send().await;
        let threat = t.get("/api/v1/threats?q=T003").token(&analyst).send().await.json()["items"][0]["id"].as_i64().unwrap();
        let r = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst)
            .json(&json!({"asset_id": asset, "threat_id": threat, "threat_frequency": 3, "vulnerability_severity": 4})).send().await.json();
        let rid = r["id"].as_i64().unwrap();
        for (lang, others) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "analyst2", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/assessments", "/assessments/new", &format!("/assessments/{id}"), &format!("/assessments/{id}/edit"),
                         &format!("/assessments/{id}/risks"), &format!("/assessments/{id}/risks/{rid}"), "/threats",
                         "/threats?source=environmental", "/assessments/999999"] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let text = visible_text(&r.text());
                for other in &others {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
        // Staff see no risk pages.
        t.user_with("plain", &[("staff", None)]).await;
        let cookie = sign_in(&t, "plain", ADMIN_PASSWORD, "en").await;
        assert_eq!(page(&t, &cookie, "/assessments").await.status, StatusCode::FORBIDDEN);
        assert_eq!(page(&t, &cookie, "/threats").await.status, StatusCode::FORBIDDEN);
        assert!(!page(&t, &cookie, "/").await.text().contains("/assessments"));
    }

    async fn the_rating_preview_uses_the_assessment_method(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst3", &[("assessor", None)]).await;
        let a = t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "Sqrt", "method": "sqrt"})).send().await.json();
        let id = a["id"].as_i64().unwrap();
        let cookie = sign_in(&t, "analyst3", ADMIN_PASSWORD, "en").await;
        let r = page(&t, &cookie, &format!("/assessments/{id}/preview?t=3&v=4&a=5")).await;
        assert_eq!(r.status, StatusCode::OK);
        let p = r.json();
        assert_eq!(p["likelihood"], "3.46 / 3");
        assert_eq!(p["value"], "15.47");
        assert_eq!(p["level"], 3);
        assert_eq!(page(&t, &cookie, &format!("/assessments/{id}/preview?t=0&v=4&a=5")).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

//! Risk assessment pages in-process: an assessment walked through the forms in Chinese by
//! three people, refusals shown on the page, and every page in one language only.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Resp, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    version_in, visible_text,
};
use axum::http::StatusCode;
use serde_json::json;

fn redirected_to(r: &Resp) -> String {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    r.header("location").unwrap().to_owned()
}

async fn risk_version(t: &TestApp, token: &str, a: i64, r: i64) -> i64 {
    t.get(&format!("/api/v1/assessments/{a}/risks/{r}"))
        .token(token)
        .send()
        .await
        .json()["version"]
        .as_i64()
        .unwrap()
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
            let html = page(&t, &alice, &path).await.text();
            // The residual form starts from the original rating.
            let rated = t.get(&format!("/api/v1/assessments/{id}/risks/{rid}")).token(t.token_admin()).send().await.json();
            let original_t = rated["threat_frequency"].as_i64().unwrap();
            assert!(html.contains("已按原始评价预填"), "{html}");
            let residual_form = &html[html.find("value=\"residual\"").unwrap()..];
            assert!(residual_form.contains(&format!("name=\"threat_frequency\" type=\"number\" min=\"1\" max=\"5\" value=\"{original_t}\"")), "{residual_form}");
            let v = version_in(&html);
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
        // The asset's page lists its risks with their assessment and level.
        let db = t.get("/api/v1/assets?q=DB-01").token(&keeper).send().await.json()["items"][0]["id"].as_i64().unwrap();
        let asset_page = page(&t, &alice, &format!("/assets/{db}")).await.text();
        assert!(asset_page.contains("该资产的风险") && asset_page.contains("2026 年度风险评估") && asset_page.contains(&format!("{base}/risks/")), "{asset_page}");
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
                         &format!("/assessments/{id}/risks"), &format!("/assessments/{id}/risks/{rid}"), "/threats", "/tasks", "/tasks?all=1", "/vulnerabilities", "/vulnerabilities?status=open&min_severity=3", "/controls", "/settings/risk-tables",
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

    async fn treatment_measures_are_planned_on_the_risk_page_and_reported_from_my_tasks(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, keeper) = t.user_with("keeper4", &[("security_admin", None)]).await;
        let (_, analyst) = t.user_with("analyst4", &[("assessor", None)]).await;
        let (_, officer) = t.user_with("officer4", &[("security_officer", None)]).await;
        t.user_with("worker4", &[("staff", None)]).await;
        let asset = t.post("/api/v1/assets").token(&keeper).json(&json!({"code": "TM-1", "name": "OA", "category": "software",
            "confidentiality": 3, "integrity": 3, "availability": 3})).send().await.json()["id"].as_i64().unwrap();
        let id = t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "Plan"})).send().await.json()["id"].as_i64().unwrap();
        let go = |token: String, to: &'static str| {
            let t = &t;
            async move {
                let r = t.post(&format!("/api/v1/assessments/{id}/transitions")).token(&token).json(&json!({"to": to})).send().await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
        };
        go(analyst.clone(), "identification").await;
        let threat = t.get("/api/v1/threats?q=T010").token(&analyst).send().await.json()["items"][0]["id"].as_i64().unwrap();
        let r = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst)
            .json(&json!({"asset_id": asset, "threat_id": threat, "threat_frequency": 2, "vulnerability_severity": 2})).send().await.json();
        let rid = r["id"].as_i64().unwrap();
        go(analyst.clone(), "analysis").await;
        go(analyst.clone(), "treatment_planning").await;
        let cookie = sign_in_zh(&t, "analyst4").await;
        let path = format!("/assessments/{id}/risks/{rid}");
        assert!(page(&t, &cookie, &path).await.text().contains("添加处置措施"));
        let unknown = post(&t, &cookie, &format!("{path}/items"), &[("measure", "升级补丁"), ("responsible", "ghost"), ("due_on", "2020-01-01")]).await;
        assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(unknown.text().contains("以下用户名不存在： ghost"));
        let empty = post(&t, &cookie, &format!("{path}/items"), &[("measure", " ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("treatment_items").await, 0);
        redirected_to(&post(&t, &cookie, &format!("{path}/items"), &[("measure", "升级补丁并复测"), ("responsible", "worker4"), ("due_on", "2020-01-01")]).await);
        let html = page(&t, &cookie, &path).await.text();
        assert!(html.contains("升级补丁并复测") && html.contains("已逾期") && html.contains("Test worker4"), "{html}");
        // The plan goes through review; in implementation the responsible person reports.
        let v = t.patch(&format!("/api/v1/assessments/{id}/risks/{rid}")).token(&analyst).if_match(risk_version(&t, &analyst, id, rid).await)
            .json(&json!({"treatment": "control"})).send().await;
        assert_eq!(v.status, StatusCode::OK, "{}", v.text());
        go(analyst.clone(), "review").await;
        go(officer.clone(), "approved").await;
        go(analyst.clone(), "implementing").await;
        let worker = sign_in_zh(&t, "worker4").await;
        // The home page counts the open measures, and says one is overdue.
        let home = page(&t, &worker, "/").await.text();
        assert!(home.contains("我的处置任务") && home.contains("1 已逾期") && !home.contains("进行中的风险评估"), "{home}");
        let tasks = page(&t, &worker, "/tasks").await;
        assert_eq!(tasks.status, StatusCode::OK);
        let html = tasks.text();
        assert!(html.contains("我的处置任务") && html.contains("升级补丁并复测") && html.contains("已逾期") && html.contains("报告进展"), "{html}");
        let item = t.scalar("SELECT CAST(id AS TEXT) FROM treatment_items", &[]).await.unwrap();
        let version = version_in(&html);
        let done = post(&t, &worker, &format!("/assessments/{id}/items/{item}"), &[("version", &version), ("status", "done"), ("progress", "已完成补丁升级"), ("back", "/tasks")]).await;
        assert_eq!(redirected_to(&done), "/tasks?notice=saved");
        let open = page(&t, &worker, "/tasks").await.text();
        assert!(open.contains("没有待办的处置任务"), "{open}");
        let all = page(&t, &worker, "/tasks?all=1").await.text();
        assert!(all.contains("已完成补丁升级") && !all.contains("已逾期"));
        // Someone else's item cannot be reported on.
        let cookie = sign_in_zh(&t, "keeper4").await;
        let refused = post(&t, &cookie, &format!("/assessments/{id}/items/{item}"), &[("version", "2"), ("status", "cancelled"), ("back", "/tasks")]).await;
        assert!(refused.status == StatusCode::FORBIDDEN || refused.status == StatusCode::NOT_FOUND, "{}", refused.status);
        // The reports are one click away on the overview, in the page's language.
        let overview = page(&t, &worker, &format!("/assessments/{id}")).await;
        assert_eq!(overview.status, StatusCode::FORBIDDEN, "staff do not read assessments");
        let analyst_cookie = sign_in_zh(&t, "analyst4").await;
        let report = page(&t, &analyst_cookie, &format!("/assessments/{id}/reports/treatment-plan")).await;
        assert_eq!(report.status, StatusCode::OK);
        assert!(report.text().contains("风险处置计划") && report.text().contains("已完成补丁升级"));
        let xlsx = page(&t, &analyst_cookie, &format!("/assessments/{id}/reports/residual?format=xlsx")).await;
        assert_eq!(xlsx.status, StatusCode::OK);
        assert!(xlsx.header("content-disposition").unwrap().contains(".xlsx"));
        assert_eq!(page(&t, &analyst_cookie, &format!("/assessments/{id}/reports/other")).await.status, StatusCode::NOT_FOUND);
    }

    async fn findings_and_controls_are_recorded_through_forms(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, keeper) = t.user_with("keeper5", &[("security_admin", None)]).await;
        t.user_with("auditor5", &[("auditor", None)]).await;
        t.post("/api/v1/assets").token(&keeper).json(&json!({"code": "FW-01", "name": "防火墙", "category": "security_device",
            "confidentiality": 3, "integrity": 4, "availability": 5})).send().await;
        let cookie = sign_in_zh(&t, "keeper5").await;
        let empty = page(&t, &cookie, "/vulnerabilities").await.text();
        assert!(empty.contains("尚未记录脆弱性") && empty.contains("登记脆弱性"));
        // Bad input is shown under its fields; nothing is written.
        let bad = post(&t, &cookie, "/vulnerabilities", &[("asset", "NOPE"), ("title", ""), ("severity", "9"), ("found_by", "")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = bad.text();
        assert!(html.contains("以下资产编号不存在： NOPE") && html.contains("field-error"), "{html}");
        assert_eq!(t.count("vulnerabilities").await, 0);
        redirected_to(&post(&t, &cookie, "/vulnerabilities", &[("asset", "FW-01"), ("title", "管理口对外开放"), ("severity", "4"),
            ("found_by", "scan"), ("reference", "CNVD-2026-1"), ("found_on", "2026-12-01")]).await);
        let list = page(&t, &cookie, "/vulnerabilities?min_severity=4").await.text();
        assert!(list.contains("管理口对外开放") && list.contains("FW-01") && list.contains("漏洞扫描"), "{list}");
        let id = t.scalar("SELECT CAST(id AS TEXT) FROM vulnerabilities", &[]).await.unwrap();
        redirected_to(&post(&t, &cookie, "/vulnerabilities/status", &[("id", &id), ("version", "1"), ("status", "fixed")]).await);
        assert!(page(&t, &cookie, "/vulnerabilities?status=open").await.text().contains("没有符合条件的记录"));
        // Controls: per asset or organization-wide.
        redirected_to(&post(&t, &cookie, "/controls", &[("name", "边界访问控制"), ("kind", "technical"), ("effectiveness", "effective"), ("asset", "FW-01")]).await);
        redirected_to(&post(&t, &cookie, "/controls", &[("name", "安全管理制度"), ("kind", "management"), ("effectiveness", "partially_effective")]).await);
        let bad = post(&t, &cookie, "/controls", &[("name", "x"), ("kind", ""), ("asset", "GHOST")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let controls = page(&t, &cookie, "/controls").await.text();
        assert!(controls.contains("边界访问控制") && controls.contains("全组织") && controls.contains("部分有效"), "{controls}");
        assert_eq!(t.count("controls").await, 2);
        // An auditor reads both lists without the forms.
        let auditor = sign_in_zh(&t, "auditor5").await;
        let view = page(&t, &auditor, "/vulnerabilities").await.text();
        assert!(view.contains("管理口对外开放") && !view.contains("登记脆弱性"));
        assert!(!page(&t, &auditor, "/controls").await.text().contains("登记安全措施"));
    }

    async fn the_risk_tables_are_shown_to_all_and_edited_by_the_security_officer(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("officer6", &[("security_officer", None)]).await;
        t.user_with("analyst6", &[("assessor", None)]).await;
        let analyst = sign_in_zh(&t, "analyst6").await;
        let view = page(&t, &analyst, "/settings/risk-tables").await.text();
        assert!(view.contains("风险分级标准") && view.contains("可能性矩阵") && view.contains("readonly") && !view.contains("保存分级标准"), "{view}");
        let officer = sign_in_zh(&t, "officer6").await;
        let html = page(&t, &officer, "/settings/risk-tables").await.text();
        assert!(html.contains("保存分级标准") && !html.contains("readonly"));
        // Every field of the form, as shown, with one change.
        let mut fields: Vec<(String, String)> = Vec::new();
        for part in html.split("<input class=\"cell\" name=\"").skip(1) {
            let name = part.split('"').next().unwrap().to_owned();
            let value = part.split("value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
            fields.push((name, value));
        }
        assert_eq!(fields.len(), 3 * 10 + 3 * 25);
        let set = |fields: &mut Vec<(String, String)>, name: &str, value: &str| {
            fields.iter_mut().find(|(n, _)| n == name).unwrap().1 = value.to_owned();
        };
        // A gap between levels 1 and 2 of the likelihood table is refused with its message.
        let mut bad = fields.clone();
        set(&mut bad, "likelihood.1.from", "7");
        let mut form: Vec<(&str, &str)> = vec![("version", "0")];
        form.extend(bad.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let refused = post(&t, &officer, "/settings/risk-tables", &form).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("相邻两个等级之间有值不属于任何等级"), "{}", refused.text());
        let mut good = fields.clone();
        set(&mut good, "risk.0.to", "5");
        set(&mut good, "risk.1.from", "6");
        let mut form: Vec<(&str, &str)> = vec![("version", "0")];
        form.extend(good.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        let saved = post(&t, &officer, "/settings/risk-tables", &form).await;
        assert!(redirected_to(&saved).starts_with("/settings/risk-tables?notice=saved"));
        let after = page(&t, &officer, "/settings/risk-tables?notice=saved&rerated=0").await.text();
        assert!(after.contains("v1") && after.contains("已保存，0 个评估已重新计算。"), "{after}");
        // A stale version is refused.
        let stale = post(&t, &officer, "/settings/risk-tables", &form).await;
        assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    }

    async fn analysts_add_their_own_threats_and_export_the_catalog(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("analyst7", &[("assessor", None)]).await;
        t.user_with("keeper7", &[("security_admin", None)]).await;
        let cookie = sign_in_zh(&t, "analyst7").await;
        let catalog = page(&t, &cookie, "/threats").await.text();
        assert!(catalog.contains("添加自定义威胁"));
        // The form is on the page once, not in its title or breadcrumbs.
        assert!(catalog.contains("<title>威胁库 · Castellan</title>"), "{}", &catalog[..400]);
        assert_eq!(catalog.matches("添加自定义威胁</h2>").count(), 1);
        let before = t.count("threats").await;
        let bad = post(&t, &cookie, "/threats", &[("code", "bad code"), ("source", "aliens"), ("name_zh", ""), ("name_en", "x")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().matches("field-error").count() >= 4, "{}", bad.text());
        assert_eq!(t.count("threats").await, before);
        let ok = post(&t, &cookie, "/threats", &[("code", "ORG-01"), ("source", "human_malicious"), ("path", "voice_video"),
            ("method", "social_engineering"), ("name_zh", "冒充高管电话诈骗"), ("name_en", "CEO fraud call"),
            ("description_zh", "冒充总经理要求财务紧急转账。")]).await;
        assert_eq!(redirected_to(&ok), "/threats?q=ORG-01");
        let listed = page(&t, &cookie, "/threats?q=ORG-01").await.text();
        assert!(listed.contains("冒充高管电话诈骗") && listed.contains("自定义"), "{listed}");
        let csv = page(&t, &cookie, "/threats/export?format=csv").await;
        assert_eq!(csv.status, StatusCode::OK);
        assert!(csv.body.starts_with(b"\xEF\xBB\xBF") && csv.text().contains("ORG-01,human_malicious"));
        let yaml = page(&t, &cookie, "/threats/export?format=yaml").await;
        assert!(yaml.text().contains("code: ORG-01") || yaml.text().contains("code: 'ORG-01'"), "{}", &yaml.text()[..300]);
        // Keepers read the catalog but do not add to it.
        let keeper = sign_in_zh(&t, "keeper7").await;
        assert!(!page(&t, &keeper, "/threats").await.text().contains("添加自定义威胁"));
        let refused = post(&t, &keeper, "/threats", &[("code", "X-1")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
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

    async fn a_department_limited_assessor_is_refused_from_a_team_with_the_reason(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("华东分公司", None).await;
        t.user_with("lead", &[("assessor", None)]).await;
        t.user_with("scoped", &[("assessor", Some(dept))]).await;
        let lead = sign_in_zh(&t, "lead").await;
        let r = post(&t, &lead, "/assessments", &[("name", "分公司专项评估"), ("team", "lead, scoped"),
            ("method", "multiplication"), ("acceptance_threshold", "4")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = visible_text(&r.text());
        assert!(text.contains("scoped: 请选择在全组织范围持有“风险评估人员或安全管理负责人”角色的人员"), "{text}");
        assert!(!text.contains("格式不正确"));
        assert_eq!(t.count("assessments").await, 0);
        // The API names the reason by code.
        let (_, token) = t.user_with("api-lead", &[("assessor", None)]).await;
        let scoped = t.user_by_name_pub("scoped").await;
        let p = t.post("/api/v1/assessments").token(&token)
            .json(&json!({"name": "x", "team": [scoped.id.0]})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["team[0]"].as_str().unwrap().contains("without a department limit"), "{p}");
    }

    async fn several_risks_get_a_treatment_or_residual_rating_at_once(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, keeper) = t.user_with("keeper5", &[("security_admin", None)]).await;
        let (_, analyst) = t.user_with("analyst5", &[("assessor", None)]).await;
        let mut assets = Vec::new();
        for code in ["BK-1", "BK-2", "BK-3"] {
            assets.push(t.post("/api/v1/assets").token(&keeper).json(&json!({"code": code, "name": code, "category": "server",
                "confidentiality": 3, "integrity": 3, "availability": 3})).send().await.json()["id"].as_i64().unwrap());
        }
        let new_assessment = |name: &'static str| {
            let t = &t;
            let analyst = analyst.clone();
            async move {
                let id = t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": name})).send().await.json()["id"].as_i64().unwrap();
                t.post(&format!("/api/v1/assessments/{id}/transitions")).token(&analyst).json(&json!({"to": "identification"})).send().await;
                id
            }
        };
        let id = new_assessment("批量处置").await;
        let other = new_assessment("另一评估").await;
        let threat = t.get("/api/v1/threats?q=T010").token(&analyst).send().await.json()["items"][0]["id"].as_i64().unwrap();
        let mut risks = Vec::new();
        for a in &assets {
            risks.push(t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst)
                .json(&json!({"asset_id": a, "threat_id": threat, "threat_frequency": 2, "vulnerability_severity": 3})).send().await.json()["id"].as_i64().unwrap());
        }
        let foreign = t.post(&format!("/api/v1/assessments/{other}/risks")).token(&analyst)
            .json(&json!({"asset_id": assets[0], "threat_id": threat})).send().await.json()["id"].as_i64().unwrap();
        t.post(&format!("/api/v1/assessments/{id}/transitions")).token(&analyst).json(&json!({"to": "analysis"})).send().await;
        let cookie = sign_in_zh(&t, "analyst5").await;
        let register = page(&t, &cookie, &format!("/assessments/{id}/risks")).await.text();
        assert!(register.contains("设置处置方式") && register.contains("name=\"risk\""), "{register}");
        let treatment = |rid: i64| {
            let t = &t;
            let analyst = analyst.clone();
            async move { t.get(&format!("/api/v1/assessments/{id}/risks/{rid}")).token(&analyst).send().await.json()["treatment"].clone() }
        };
        let (r0, r1, r2) = (risks[0].to_string(), risks[1].to_string(), risks[2].to_string());
        // Nothing selected: said on the page.
        let none = post(&t, &cookie, &format!("/assessments/{id}/risks/bulk"), &[("bulk", "treatment"), ("treatment", "control")]).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.text().contains("请先在列表中勾选至少一项风险"));
        // Two of three get "add controls".
        let done = post(&t, &cookie, &format!("/assessments/{id}/risks/bulk"), &[("risk", &r0), ("risk", &r1), ("bulk", "treatment"), ("treatment", "control")]).await;
        let at = redirected_to(&done);
        assert!(page(&t, &cookie, &at).await.text().contains("已更新 2 项风险"));
        assert_eq!(treatment(risks[0]).await, "control");
        assert_eq!(treatment(risks[1]).await, "control");
        assert_eq!(treatment(risks[2]).await, serde_json::Value::Null);
        // A risk of another assessment among them: nothing changes (all or none).
        let mixed = post(&t, &cookie, &format!("/assessments/{id}/risks/bulk"), &[("risk", &r2), ("risk", &foreign.to_string()), ("bulk", "treatment"), ("treatment", "avoid")]).await;
        assert_eq!(mixed.status, StatusCode::NOT_FOUND);
        assert_eq!(treatment(risks[2]).await, serde_json::Value::Null);
        // Residual ratings wait for their phase.
        let early = post(&t, &cookie, &format!("/assessments/{id}/risks/bulk"), &[("risk", &r0), ("bulk", "residual"),
            ("residual_threat_frequency", "1"), ("residual_vulnerability_severity", "1")]).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!register.contains("评价残余风险"));
    }
}

//! Continuity pages in-process, in both languages: the high-value assets without a backup
//! plan shown on top of the backup plans, a plan created through its form (bad objectives
//! refused with a message and nothing changed), a restore test, a DR plan, and a drill that
//! misses its RTO opening rectification tasks, marked on the drill list and page; sortable
//! headings; one language per page; staff see nothing of it.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, english_texts, page, post_form as post, sign_in, sign_in_zh, visible_text,
};
use axum::http::StatusCode;
use castellan_domain::{Day, Timestamp};
use serde_json::json;

fn days_ago(t: &TestApp, n: i64) -> String {
    let today = Day::of_at(Timestamp::now(), t.app.settings().utc_offset());
    Day::from_date(today.date() - time::Duration::days(n)).to_db()
}

fn location(r: &crate::harness::Resp) -> String {
    r.header("location")
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

fn one_language(lang: &str, path: &str, html: &str) {
    let others = if lang == "en" {
        chinese_texts()
    } else {
        english_texts()
    };
    let text = visible_text(html);
    for other in &others {
        assert!(
            !text.contains(other.as_str()),
            "{lang} page {path} contains {other:?}"
        );
    }
}

both! {
    async fn a_drill_that_misses_its_rto_opens_tasks_through_the_pages_in_both_languages(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        t.user_with("ops.li", &[("network_admin", None)]).await;
        t.user_with("dba.wang", &[("data_admin", None)]).await;
        let doc = t.post("/api/v1/documents").token(&so).json(&json!({"code": "ISMS-DRP-001",
            "title": "ERP 切换手册", "kind": "procedure", "family": "continuity"})).send().await;
        assert_eq!(doc.status, StatusCode::CREATED, "{}", doc.text());

        for (lang, words) in [
            ("zh-CN", ["尚无备份计划的重要资产", "超出 RTO", "9 小时", "4 小时", "演练日期早于预案生效日期"]),
            ("en", ["High-value assets without a backup plan", "RTO missed", "9 h", "4 h", "drill lies before its DR plan came into force"]),
        ] {
            let code = format!("SRV-{}", lang.to_uppercase());
            let r = t.post("/api/v1/assets").token(&so).json(&json!({"code": code, "name": format!("核心系统 {lang}"),
                "category": "server", "confidentiality": 5, "integrity": 5, "availability": 5})).send().await;
            assert_eq!(r.status, StatusCode::CREATED);
            let asset_page = format!("/assets/{}", r.json()["id"]);
            let cookie = if lang == "en" {
                sign_in(&t, "sec.chen", ADMIN_PASSWORD, "en").await
            } else {
                sign_in_zh(&t, "sec.chen").await
            };
            if lang == "en" {
                let csrf = crate::ui::csrf_of(&page(&t, &cookie, "/").await.text());
                t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", "en"), ("next", "/")]).send().await;
            }

            // The uncovered high-value asset is on top of the backup plans, with its link.
            let html = page(&t, &cookie, "/backup-plans").await.text();
            assert!(html.contains(words[0]) && html.contains(&code), "{html}");
            assert!(html.contains(&format!("/backup-plans/new?asset={code}")), "{html}");
            one_language(lang, "/backup-plans", &html);
            let form = page(&t, &cookie, &format!("/backup-plans/new?asset={code}")).await.text();
            assert!(form.contains(&format!("value=\"{code}\"")) && form.contains("data-people=\"one\""));
            one_language(lang, "/backup-plans/new", &form);
            // The asset's page says it lacks a plan and offers one.
            let html = page(&t, &cookie, &asset_page).await.text();
            assert!(html.contains(&format!("/backup-plans/new?asset={code}")), "{html}");

            // An RTO of zero is refused under its field and nothing is stored.
            let before = t.count("backup_plans").await;
            let fields = [("asset", code.as_str()), ("scope", "数据库"), ("frequency", "daily"), ("retention", "30 天"),
                ("location", "同城灾备"), ("rpo_hours", "24"), ("owner", "")];
            let mut bad = fields.to_vec();
            bad.push(("rto_hours", "0"));
            let r = post(&t, &cookie, "/backup-plans", &bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(r.text().matches("class=\"field-error\"").count(), 1, "{}", r.text());
            one_language(lang, "refused backup plan", &r.text());
            assert_eq!(t.count("backup_plans").await, before);
            let mut good = fields.to_vec();
            good.push(("rto_hours", "4"));
            let r = post(&t, &cookie, "/backup-plans", &good).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            let plan = location(&r);
            let html = page(&t, &cookie, &asset_page).await.text();
            assert!(html.contains(&format!("href=\"{plan}\"")) && !html.contains("/backup-plans/new?asset="), "the asset links its plan: {html}");
            one_language(lang, &asset_page, &html);
            let r = post(&t, &cookie, &format!("{plan}/tests"), &[("verified_at", &days_ago(&t, 2)), ("result", "passed"), ("note", "restore ok")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            let html = page(&t, &cookie, &plan).await.text();
            assert!(html.contains(&days_ago(&t, 2)) && html.contains("restore ok"), "{html}");
            one_language(lang, &plan, &html);
            let html = page(&t, &cookie, "/backup-plans").await.text();
            assert!(!html.contains(&format!("/backup-plans/new?asset={code}")), "covered now");
            assert!(html.contains("href=\"/backup-plans?sort=-asset_code\"") && html.contains("href=\"/backup-plans?sort=rto_hours\""), "sortable headings: {html}");

            // A DR plan over the asset, in force for two months.
            let r = post(&t, &cookie, "/dr-plans", &[("title", &format!("核心系统切换预案 {lang}")), ("assets", &code),
                ("document", "ISMS-DRP-001"), ("owner", "ops.li"), ("rto_hours", "4"), ("adopted_at", &days_ago(&t, 60)), ("description", "")]).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            let dr = location(&r);
            let dr_id = dr.trim_start_matches("/dr-plans/").to_owned();
            let html = page(&t, &cookie, &dr).await.text();
            assert!(html.contains("ISMS-DRP-001") && html.contains(&code));
            one_language(lang, &dr, &html);

            // A drill before the plan existed is refused, nothing stored.
            let before = (t.count("drills").await, t.count("rectifications").await);
            let drill = |held: String| vec![("dr_plan_id", dr_id.clone()), ("held_at", held), ("scenario", "主机房断电".to_owned()),
                ("participants", "ops.li, dba.wang".to_owned()), ("result", "partial".to_owned()), ("achieved_rto_hours", "9".to_owned()),
                ("summary", String::new()), ("problems", "灾备库日志同步延迟".to_owned()), ("problems_responsible", "dba.wang".to_owned()),
                ("due_at", String::new()), ("rto_responsible", String::new())];
            let early = drill(days_ago(&t, 61));
            let pairs: Vec<(&str, &str)> = early.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = post(&t, &cookie, "/drills", &pairs).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.text().contains(words[4]), "{}", r.text());
            assert_eq!((t.count("drills").await, t.count("rectifications").await), before);

            // Nine hours against four: the drill opens the missed RTO's task and the problem's.
            let ok = drill(days_ago(&t, 3));
            let pairs: Vec<(&str, &str)> = ok.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = post(&t, &cookie, "/drills", &pairs).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
            let d = location(&r);
            assert_eq!(t.count("rectifications").await, before.1 + 2);
            let html = page(&t, &cookie, &d).await.text();
            assert!(html.contains(words[1]) && html.contains(words[2]) && html.contains(words[3]), "{html}");
            assert_eq!(html.matches("href=\"/rectifications/").count(), 4, "each problem and each task line links its task: {html}");
            one_language(lang, &d, &html);
            let html = page(&t, &cookie, "/drills").await.text();
            assert!(html.contains("class=\"row-warn\"") && html.contains(words[1]), "{html}");
            assert!(html.contains("href=\"/drills?sort=held_at\""), "sortable headings: {html}");
            one_language(lang, "/drills", &html);
            let html = page(&t, &cookie, "/drills?missed=1").await.text();
            assert!(html.contains(&d), "{html}");
            for path in ["/dr-plans", "/drills/new", &format!("{d}/edit"), &format!("{plan}/edit"), &format!("{dr}/edit")] {
                let r = page(&t, &cookie, path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                one_language(lang, path, &r.text());
            }
        }
        t.assert_audit_codes_declared().await;
    }

    async fn staff_see_no_continuity_pages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("plain.staff", &[("staff", None)]).await;
        t.user_with("an.auditor", &[("auditor", None)]).await;
        let staff = sign_in(&t, "plain.staff", ADMIN_PASSWORD, "en").await;
        let home = page(&t, &staff, "/").await.text();
        assert!(!home.contains("href=\"/backup-plans\""));
        for path in ["/backup-plans", "/dr-plans", "/drills"] {
            assert_eq!(page(&t, &staff, path).await.status, StatusCode::FORBIDDEN, "{path}");
        }
        let auditor = sign_in(&t, "an.auditor", ADMIN_PASSWORD, "en").await;
        assert!(page(&t, &auditor, "/").await.text().contains("href=\"/backup-plans\""));
        let html = page(&t, &auditor, "/backup-plans").await.text();
        assert!(!html.contains("href=\"/backup-plans/new\""), "readers are not offered the form");
        let r = post(&t, &auditor, "/backup-plans", &[("asset", "X"), ("rpo_hours", "1"), ("rto_hours", "1")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }
}

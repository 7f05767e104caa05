//! Custody pages in-process: a record made through the form (bad input answered under its
//! fields), a root-password handover recorded on the record page, the warning about the
//! missing password change shown on the register, the record page and "waiting for me",
//! and cleared when the new holder enters the change date; the promise that no password is
//! asked for; one language per page.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    visible_text,
};
use axum::http::StatusCode;
use castellan_domain::Timestamp;
use serde_json::json;

fn version_of(html: &str) -> String {
    html.split("name=\"version\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned()
}

/// A `datetime-local` value `days` ago in the organization's time (UTC+8 by default).
fn local_days_ago(days: i64) -> String {
    let t = Timestamp::now().plus(time::Duration::days(-days) + time::Duration::hours(8));
    t.to_db()[..16].to_owned()
}

async fn key_system(t: &TestApp, token: &str) -> i64 {
    let a: serde_json::Value = t
        .post("/api/v1/assets")
        .token(token)
        .json(
            &json!({"code": "SRV-CORE-01", "name": "核心业务服务器", "category": "server",
            "confidentiality": 5, "integrity": 5, "availability": 5}),
        )
        .send()
        .await
        .json();
    a["id"].as_i64().unwrap()
}

both! {
    async fn a_root_handover_is_recorded_and_its_warning_clears_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        let it = t.department("信息技术部", None).await;
        let (_, so_tok) = t.user_in("sec.chen", Some(it), &[("security_officer", None)]).await;
        t.user_in("ops.wang", Some(it), &[("network_admin", None)]).await;
        t.user_in("ops.li", Some(it), &[("network_admin", None)]).await;
        t.user_in("audit.sun", Some(it), &[("auditor", None)]).await;
        key_system(&t, &so_tok).await;
        let so = sign_in_zh(&t, "sec.chen").await;

        let html = page(&t, &so, "/custody").await.text();
        assert!(html.contains("本系统不索取、也不保存任何密码") && html.contains("新建保管记录") && html.contains("暂无保管记录"), "{html}");
        let form = page(&t, &so, "/custody/new").await.text();
        assert!(form.contains("SRV-CORE-01 — 核心业务服务器") && !form.contains("type=\"password\""), "{form}");
        // Bad input: an unknown system, no account, the same person twice.
        let bad = post(&t, &so, "/custody", &[("system", "NOPE-1"), ("account", ""), ("holder", "ops.wang"), ("backup", "ops.wang"), ("interval", "90")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.text().matches("class=\"field-error\"").count(), 2, "{}", bad.text());
        let bad = post(&t, &so, "/custody", &[("system", "SRV-CORE-01"), ("account", "root"), ("holder", "ops.wang"), ("backup", "ops.wang"), ("interval", "abc")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("请输入整数"), "{}", bad.text());
        assert_eq!(t.count("custody").await, 0);
        let r = post(&t, &so, "/custody", &[("system", "SRV-CORE-01 — 核心业务服务器"), ("account", "root"), ("holder", "ops.wang"),
            ("backup", "ops.li"), ("last_changed", &local_days_ago(30)), ("interval", "90"), ("note", "密封件存放于机房保险柜")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let rec = r.header("location").unwrap().split('?').next().unwrap().to_owned();

        // A handover to the current holder is refused under its field, nothing changes.
        let html = page(&t, &so, &rec).await.text();
        let bad = post(&t, &so, &format!("{rec}/handovers"), &[("to", "ops.wang"), ("witness", "audit.sun"), ("reason", "调岗"),
            ("at", &local_days_ago(8)), ("version", &version_of(&html))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("已是当前保管人"), "{}", bad.text());
        assert_eq!(t.count("custody_handovers").await, 0);
        // The handover to the backup holder, eight days ago, without a change.
        let r = post(&t, &so, &format!("{rec}/handovers"), &[("to", "ops.li"), ("witness", "audit.sun"), ("reason", "王工调岗，密码移交李工"),
            ("at", &local_days_ago(8)), ("changed_at", ""), ("new_backup", "ops.wang"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let text = visible_text(&page(&t, &so, &rec).await.text());
        assert!(text.contains("交接后未及时更换密码") && text.contains("新保管人应立即更换密码") && text.contains("尚未更换"), "{text}");
        let text = visible_text(&page(&t, &so, "/custody").await.text());
        assert!(text.contains("SRV-CORE-01") && text.contains("交接后未及时更换密码"), "{text}");
        let text = visible_text(&page(&t, &so, "/approvals").await.text());
        assert!(text.contains("特权密码保管") && text.contains("处理保管预警"), "{text}");

        // The new holder sees the change to make and enters it.
        let li = sign_in_zh(&t, "ops.li").await;
        let text = visible_text(&page(&t, &li, "/approvals").await.text());
        assert!(text.contains("更换密码"), "{text}");
        let html = page(&t, &li, &rec).await.text();
        assert!(html.contains("登记密码更换") && !html.contains("登记交接"), "{html}");
        let action = html.split("action=\"").find(|s| s.contains("/change\"")).unwrap().split('"').next().unwrap().to_owned();
        let bad = post(&t, &li, &action, &[("changed_at", &local_days_ago(9)), ("version", &version_of(&html[html.find("/change\"").unwrap()..]))]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("早于交接时间"), "{}", bad.text());
        let r = post(&t, &li, &action, &[("changed_at", &local_days_ago(7)), ("version", &version_of(&html[html.find("/change\"").unwrap()..]))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let text = visible_text(&page(&t, &so, &rec).await.text());
        assert!(!text.contains("交接后未及时更换密码") && !text.contains("需要处理的问题"), "{text}");
        assert!(text.contains("登记密码更换") || text.contains("密码交接"), "the history shows the handover and the change: {text}");
        let text = visible_text(&page(&t, &so, "/approvals").await.text());
        assert!(!text.contains("处理保管预警"), "{text}");

        // Retiring asks first and stops the warnings.
        let html = page(&t, &so, &rec).await.text();
        assert!(html.contains("data-confirm=\"确定停用该保管记录"), "{html}");
        let r = post(&t, &so, &format!("{rec}/state"), &[("active", "0"), ("version", &version_of(&html))]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let text = visible_text(&page(&t, &so, "/custody?state=retired").await.text());
        assert!(text.contains("已停用") && text.contains("共 1 条记录"), "{text}");
    }

    async fn custody_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (wang, so) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let (li, _) = t.user_with("ops.li", &[("network_admin", None)]).await;
        let asset = key_system(&t, &so).await;
        let c: serde_json::Value = t.post("/api/v1/custody").token(&so).json(&json!({
            "asset_id": asset, "account": "root", "holder_id": li.id.0})).send().await.json();
        let id = c["id"].as_i64().unwrap();
        let _ = wang;
        for (lang, other) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "sec.chen", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/custody".to_owned(), "/custody/new".to_owned(), format!("/custody/{id}"), "/custody?warning=no_backup".to_owned()] {
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

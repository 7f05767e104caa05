//! Request pages in-process: a request asked for in Chinese through the form, decided by
//! the department head and the security administrator from "waiting for me", a return
//! without a comment refused on the page, names instead of ids, and every page in one
//! language only.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    version_in, visible_text,
};
use axum::http::StatusCode;
use serde_json::json;

both! {
    async fn a_request_is_asked_and_decided_through_the_pages_in_chinese(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("市场部", None).await;
        let (head, _) = t.user_in("chen", Some(dept), &[("staff", None)]).await;
        t.user_in("liu", Some(dept), &[("staff", None)]).await;
        t.user_with("zhao", &[("security_admin", None)]).await;
        let d = t.get(&format!("/api/v1/departments/{dept}")).token(t.token_admin()).send().await.json();
        t.patch(&format!("/api/v1/departments/{dept}")).token(t.token_admin()).if_match(d["version"].as_i64().unwrap())
            .json(&json!({"head_id": head.id.0})).send().await;
        let liu = sign_in_zh(&t, "liu").await;
        let chen = sign_in_zh(&t, "chen").await;
        let zhao = sign_in_zh(&t, "zhao").await;

        let form = page(&t, &liu, "/requests/new").await;
        assert_eq!(form.status, StatusCode::OK);
        assert!(form.text().contains("新建申请") && form.text().contains("创建并提交"));
        // A missing title is reported on the field, and nothing is created.
        let bad = post(&t, &liu, "/requests", &[("kind", "access_grant"), ("title", " "), ("impact", "normal"), ("submit", "1")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"));
        assert_eq!(t.count("requests").await, 0);
        let created = post(&t, &liu, "/requests", &[("kind", "access_grant"), ("title", "申请 CRM 系统查询权限"),
            ("description", "负责客户回访"), ("impact", "normal"), ("submit", "1")]).await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.text());
        let at = created.header("location").unwrap().split('?').next().unwrap().to_owned();

        // The head finds it waiting, with the requester's name, and decides on the page.
        let waiting = page(&t, &chen, "/approvals").await.text();
        assert!(waiting.contains("申请 CRM 系统查询权限") && waiting.contains("审批"), "{waiting}");
        let count = page(&t, &chen, "/approvals/count").await;
        assert_eq!(count.json()["count"], 1);
        assert_eq!(page(&t, &liu, "/approvals/count").await.json()["count"], 0);
        let home = page(&t, &chen, "/").await.text();
        assert!(home.contains("待我处理") && home.contains("申请 CRM 系统查询权限"));
        let html = page(&t, &chen, &at).await.text();
        assert!(html.contains("Test liu") && html.contains("部门负责人") && html.contains("同意"), "{html}");
        let v = version_in(&html);
        // Returning without a comment is refused on the page, in Chinese.
        let refused = post(&t, &chen, &format!("{at}/decide"), &[("version", &v), ("decision", "return"), ("comment", "")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().contains("意见说明"), "{}", refused.text());
        let ok = post(&t, &chen, &format!("{at}/decide"), &[("version", &v), ("decision", "approve"), ("comment", "同意开通")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert!(!page(&t, &chen, "/approvals").await.text().contains("申请 CRM 系统查询权限"));

        // The security administrator completes it; the decisions show names and comments.
        let html = page(&t, &zhao, &at).await.text();
        let v = version_in(&html);
        let ok = post(&t, &zhao, &format!("{at}/decide"), &[("version", &v), ("decision", "approve"), ("comment", "")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        let html = page(&t, &liu, &at).await.text();
        assert!(html.contains("已批准") && html.contains("Test chen") && html.contains("同意开通") && html.contains("Test zhao"), "{html}");
        // The requester's list shows it with its total.
        let list = page(&t, &liu, "/requests").await.text();
        assert!(list.contains("共 1 条") && list.contains("申请 CRM 系统查询权限"));
        // An unknown asset ID is refused on its field; a known one is linked.
        let bad = post(&t, &liu, "/requests", &[("kind", "change"), ("title", "换网卡"), ("impact", "normal"),
            ("asset_code", "NOPE-1"), ("submit", "0")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"));
        assert_eq!(t.count("requests").await, 1);
        // The list exports to XLSX with the page's filters, recorded in the audit log.
        let x = page(&t, &liu, "/requests/export?deadline=").await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.header("content-type").unwrap().contains("spreadsheetml"));
        assert!(x.header("content-disposition").unwrap().starts_with("attachment"));
        let reader = castellan_tabular::TableReader::from_reader(std::io::Cursor::new(x.body.clone()),
            castellan_tabular::Format::Xlsx, &castellan_tabular::ReadOptions::default()).unwrap();
        assert_eq!(reader.headers()[0], "编号");
        let rows: Vec<_> = reader.map(|r| r.unwrap()).collect();
        assert_eq!(rows.len(), 1);
        assert!(format!("{:?}", rows[0]).contains("申请 CRM 系统查询权限"), "{:?}", rows[0]);
        let audit = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'export' AND entity_type = 'request'", &[]).await;
        assert_eq!(audit.as_deref(), Some("1"));
        // Someone else is told it does not exist.
        t.user_with("other", &[("staff", None)]).await;
        let other = sign_in_zh(&t, "other").await;
        assert_eq!(page(&t, &other, &at).await.status, StatusCode::NOT_FOUND);
        // An access request for a colleague names them by username; an unknown one is refused
        // on the field.
        let bad = post(&t, &liu, "/requests", &[("kind", "access_grant"), ("title", "为新同事开通邮箱"),
            ("impact", "normal"), ("subject", "nobody"), ("submit", "0")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"));
        let made = post(&t, &liu, "/requests", &[("kind", "access_grant"), ("title", "为新同事开通邮箱"),
            ("impact", "normal"), ("subject", "chen"), ("submit", "0")]).await;
        let at2 = made.header("location").unwrap().split('?').next().unwrap().to_owned();
        let id2 = at2.rsplit('/').next().unwrap();
        let liu_tok = t.token_for(&t.user_by_name_pub("liu").await).await;
        let r = t.get(&format!("/api/v1/requests/{id2}")).token(&liu_tok).send().await.json();
        assert_eq!(r["subject_user_id"], head.id.0);
    }

    async fn request_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, tok) = t.user_with("reqr", &[("staff", None), ("security_admin", None), ("security_officer", None)]).await;
        let r = t.post("/api/v1/requests").token(&tok).json(&json!({"kind": "change", "title": "Firewall rule"})).send().await.json();
        let id = r["id"].as_i64().unwrap();
        for (lang, others) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "reqr", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/", "/approvals", "/requests", "/requests/new", &format!("/requests/{id}"),
                         "/requests?deadline=breached&status=approved", "/requests/999999",
                         "/settings/approval-chains", "/settings/approval-chains/1/edit", "/settings/calendar",
                         "/settings/calendar?year=2027", "/settings/valuation"] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let text = visible_text(&r.text());
                for other in &others {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
    }

    async fn the_department_head_is_chosen_on_the_form_and_histories_show_names(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("法务部", None).await;
        let (head, _) = t.user_in("sun", Some(dept), &[("staff", None)]).await;
        let admin = sign_in_zh(&t, "admin").await;
        let form = page(&t, &admin, &format!("/departments/{dept}/edit")).await.text();
        assert!(form.contains("部门负责人") && form.contains("Test sun (sun)"), "{form}");
        let v = version_in(&form);
        let saved = post(&t, &admin, &format!("/departments/{dept}"), &[("name", "法务部"), ("code", ""),
            ("parent_id", ""), ("head_id", &head.id.0.to_string()), ("version", &v)]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let d = t.get(&format!("/api/v1/departments/{dept}")).token(t.token_admin()).send().await.json();
        assert_eq!(d["head_id"], head.id.0);
        let html = page(&t, &admin, &format!("/departments/{dept}")).await.text();
        let text = visible_text(&html);
        assert!(text.contains("部门负责人") && text.contains("Test sun"), "{text}");
        assert!(!text.contains(&format!("#{}", head.id.0)), "the history names the head: {text}");
        // An unknown head is refused on the field and changes nothing.
        let v = version_in(&page(&t, &admin, &format!("/departments/{dept}/edit")).await.text());
        let bad = post(&t, &admin, &format!("/departments/{dept}"), &[("name", "法务部"), ("code", ""),
            ("parent_id", ""), ("head_id", "999999"), ("version", &v)]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let d2 = t.get(&format!("/api/v1/departments/{dept}")).token(t.token_admin()).send().await.json();
        assert_eq!(d2["version"], d["version"]);
    }

    async fn chains_and_the_calendar_are_edited_on_their_pages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("so", &[("security_officer", None)]).await;
        t.user_with("plain", &[("staff", None)]).await;
        let so = sign_in_zh(&t, "so").await;
        let admin = sign_in_zh(&t, "admin").await;
        let plain = sign_in_zh(&t, "plain").await;
        let list = page(&t, &so, "/settings/approval-chains").await.text();
        assert!(list.contains("部门负责人") && list.contains("安全管理员") && list.contains("信息安全领导小组"), "{list}");
        let chains = t.get("/api/v1/approval-chains").token(t.token_admin()).send().await.json();
        let chain = chains["items"].as_array().unwrap().iter().find(|c| c["code"] == "change_normal").unwrap().clone();
        let cid = chain["id"].as_i64().unwrap();
        assert_eq!(page(&t, &plain, &format!("/settings/approval-chains/{cid}/edit")).await.status, StatusCode::FORBIDDEN);
        let form = page(&t, &so, &format!("/settings/approval-chains/{cid}/edit")).await.text();
        let v = version_in(&form);
        // Every step removed: refused with a message, nothing changed.
        let bad = post(&t, &so, &format!("/settings/approval-chains/{cid}"), &[("name", "变更"), ("version", &v),
            ("step_name", ""), ("step_role", "department_head"), ("step_scope", "any"), ("step_min", "1")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("审批环节"), "{}", bad.text());
        assert_eq!(t.get(&format!("/api/v1/approval-chains/{cid}")).token(t.token_admin()).send().await.json()["version"], 1);
        let ok = post(&t, &so, &format!("/settings/approval-chains/{cid}"), &[("name", "一般变更"), ("version", &v),
            ("step_name", "网络管理员审核"), ("step_role", "network_admin"), ("step_scope", "requester_department"), ("step_min", "1"),
            ("step_name", "安全管理员审批"), ("step_role", "security_admin"), ("step_scope", "any"), ("step_min", "2"),
            ("step_name", ""), ("step_role", "committee"), ("step_scope", "any"), ("step_min", "1")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let saved = t.get(&format!("/api/v1/approval-chains/{cid}")).token(t.token_admin()).send().await.json();
        assert_eq!(saved["version"], 2);
        assert_eq!(saved["steps"].as_array().unwrap().len(), 2);
        assert_eq!(saved["steps"][0]["scope"], "requester_department");
        assert_eq!(saved["steps"][1]["min_approvals"], 2);

        // The calendar: the administrator enters and removes days; a day entered twice is
        // refused on the field; others only read.
        let cal = page(&t, &admin, "/settings/calendar?year=2026").await.text();
        assert!(cal.contains("本年度尚未录入日期"));
        let add = post(&t, &admin, "/settings/calendar", &[("day", "2026-10-01"), ("kind", "holiday"), ("name", "国庆节")]).await;
        assert_eq!(add.status, StatusCode::SEE_OTHER);
        let again = post(&t, &admin, "/settings/calendar", &[("day", "2026-10-01"), ("kind", "workday"), ("name", "重复")]).await;
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().contains("field-error"));
        let cal = page(&t, &admin, "/settings/calendar?year=2026").await.text();
        assert!(cal.contains("国庆节") && cal.contains("周四") && cal.contains("法定节假日"), "{cal}");
        let read = page(&t, &plain, "/settings/calendar?year=2026").await.text();
        assert!(read.contains("国庆节") && !read.contains("录入日期"));
        assert_eq!(post(&t, &plain, "/settings/calendar", &[("day", "2026-10-02"), ("kind", "holiday"), ("name", "x")]).await.status, StatusCode::FORBIDDEN);
        let rm = post(&t, &admin, "/settings/calendar/remove", &[("day", "2026-10-01")]).await;
        assert_eq!(rm.status, StatusCode::SEE_OTHER);
        assert!(page(&t, &admin, "/settings/calendar?year=2026").await.text().contains("本年度尚未录入日期"));
    }

    async fn a_fresh_install_shows_the_next_steps_and_the_valuation_method_is_set_on_a_page(b: Backend) {
        let t = TestApp::new(b).await;
        let admin = sign_in_zh(&t, "admin").await;
        let home = page(&t, &admin, "/").await.text();
        for step in ["建立部门结构", "指定安全管理负责人", "选择资产赋值方法", "导入资产台账"] {
            assert!(home.contains(step), "{step}: {home}");
        }
        assert!(!home.contains("<li class=\"done\"><a href=\"/settings/valuation\""));
        let form = page(&t, &admin, "/settings/valuation").await.text();
        assert!(form.contains("资产赋值方法") && form.contains("加权平均") && form.contains("保存并重新计算"), "{form}");
        // Weights out of range: the message on the page, nothing saved.
        let bad = post(&t, &admin, "/settings/valuation", &[("method", "weighted_mean"), ("weight_c", "0"),
            ("weight_i", "1"), ("weight_a", "1"), ("version", "0")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("field-error"), "{}", bad.text());
        let v = t.get("/api/v1/settings/asset-valuation").token(t.token_admin()).send().await;
        assert_eq!(v.header("etag"), Some("\"0\""));
        let ok = post(&t, &admin, "/settings/valuation", &[("method", "max"), ("weight_c", "1"),
            ("weight_i", "1"), ("weight_a", "1"), ("version", "0")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let done = page(&t, &admin, ok.header("location").unwrap()).await.text();
        assert!(done.contains("已保存；0 项资产的价值发生变化") && done.contains("取最高值"), "{done}");
        let v = t.get("/api/v1/settings/asset-valuation").token(t.token_admin()).send().await.json();
        assert_eq!(v["method"], "max");
        let home = page(&t, &admin, "/").await.text();
        assert!(home.contains("<li class=\"done\"><a href=\"/settings/valuation\""), "{home}");
        // Staff read it and cannot change it.
        t.user_with("reader", &[("staff", None)]).await;
        let reader = sign_in_zh(&t, "reader").await;
        let html = page(&t, &reader, "/settings/valuation").await.text();
        assert!(html.contains("取最高值") && !html.contains("保存并重新计算"));
        let refused = post(&t, &reader, "/settings/valuation", &[("method", "gbt20984"), ("version", "1")]).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
    }

    async fn the_people_picker_finds_colleagues_by_pinyin_initials_within_scope(b: Backend) {
        let t = TestApp::new(b).await;
        let east = t.department("华东分公司", None).await;
        let west = t.department("西南分公司", None).await;
        let input = |u: &str, name: &str, d: i64| castellan_app::org::users::NewUserInput {
            username: u.into(),
            display_name: name.into(),
            department_id: Some(d),
            password: crate::harness::ADMIN_PASSWORD.into(),
            roles: vec![castellan_app::org::users::GrantInput { role: "staff".into(), department_id: None }],
            ..Default::default()
        };
        let sys = castellan_app::Ctx::system(castellan_app::RequestMeta::default());
        castellan_app::org::users::create(&t.app, &sys, &input("chen.jing", "陈静", east)).await.unwrap();
        castellan_app::org::users::create(&t.app, &sys, &input("cao.jun", "曹军", west)).await.unwrap();
        t.user_with("officer", &[("security_officer", None)]).await;
        t.user_with("east-assessor", &[("assessor", Some(east))]).await;
        t.user_with("plain", &[("staff", None)]).await;
        let officer = sign_in_zh(&t, "officer").await;
        let names = |v: serde_json::Value| -> Vec<String> {
            v.as_array().unwrap().iter().map(|p| p["username"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(names(page(&t, &officer, "/people?q=cj").await.json()), ["cao.jun", "chen.jing"]);
        assert_eq!(names(page(&t, &officer, "/people?q=陈").await.json()), ["chen.jing"]);
        assert_eq!(names(page(&t, &officer, "/people?q=chenjing").await.json()), ["chen.jing"]);
        assert_eq!(names(page(&t, &officer, "/people?q=CAO.J").await.json()), ["cao.jun"]);
        assert_eq!(page(&t, &officer, "/people?q=cj").await.json()[1]["label"], "陈静 · 华东分公司");
        assert!(names(page(&t, &officer, "/people?q=%25").await.json()).is_empty(), "wildcards are searched literally");
        // A department-limited assessor finds only their subtree; staff find nobody.
        let scoped = sign_in_zh(&t, "east-assessor").await;
        assert_eq!(names(page(&t, &scoped, "/people?q=cj").await.json()), ["chen.jing"]);
        let plain = sign_in_zh(&t, "plain").await;
        assert!(names(page(&t, &plain, "/people?q=cj").await.json()).is_empty());
        // A renamed user is found by the new name.
        let u = t.user_by_name_pub("cao.jun").await;
        let cur = t.get(&format!("/api/v1/users/{}", u.id.0)).token(t.token_admin()).send().await.json();
        t.patch(&format!("/api/v1/users/{}", u.id.0)).token(t.token_admin()).if_match(cur["version"].as_i64().unwrap())
            .json(&json!({"display_name": "高峰"})).send().await;
        assert_eq!(names(page(&t, &officer, "/people?q=gf").await.json()), ["cao.jun"]);
        // The forms that name people offer the picker.
        assert!(page(&t, &officer, "/assessments/new").await.text().contains("data-people=\"multi\""));
    }

    async fn lists_page_forward_and_back(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, tok) = t.user_with("many", &[("staff", None)]).await;
        for i in 0..120 {
            t.post("/api/v1/requests").token(&tok).json(&json!({"kind": "change", "title": format!("变更 {i:03}")})).send().await;
        }
        let cookie = sign_in_zh(&t, "many").await;
        let unescape = |h: &str| h.replace("&#38;", "&").replace("&amp;", "&");
        let link = |html: &str, rel: &str| -> Option<String> {
            let marker = format!("rel=\"{rel}\"");
            let at = html.find(&marker)?;
            let start = html[..at].rfind("href=\"")? + 6;
            Some(unescape(html[start..].split('"').next()?))
        };
        let first = page(&t, &cookie, "/requests").await.text();
        assert!(first.contains("变更 119") && link(&first, "prev").is_none());
        let second = page(&t, &cookie, &link(&first, "next").unwrap()).await.text();
        assert!(second.contains("变更 069") && !second.contains("变更 119"), "{second}");
        let third = page(&t, &cookie, &link(&second, "next").unwrap()).await.text();
        assert!(third.contains("变更 000") && link(&third, "next").is_none());
        let back = page(&t, &cookie, &link(&third, "prev").unwrap()).await.text();
        assert!(back.contains("变更 069") && !back.contains("变更 000"), "back to the second page");
        let start = page(&t, &cookie, &link(&back, "prev").unwrap()).await.text();
        assert!(start.contains("变更 119") && link(&start, "prev").is_none());
        // The creation column sorts both ways; oldest first starts at the first request.
        assert!(start.contains("sort=created_at"), "the heading offers the other order");
        let oldest = page(&t, &cookie, "/requests?sort=created_at").await.text();
        assert!(oldest.contains("变更 000") && !oldest.contains("变更 119"));
        assert!(oldest.contains("sort=-created_at"));
    }
}

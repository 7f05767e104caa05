//! Training pages in-process: a plan created on the training page, a training added,
//! submitted and approved on the plan page, held, attendance imported from a GBK file (bad
//! lines listed on the page, nothing recorded) and ticked, completion and "my trainings";
//! the pages speak one language.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    visible_text,
};
use axum::http::StatusCode;

fn upload(csrf: &str, name: &str, content: &[u8]) -> (String, Vec<u8>) {
    let boundary = "training-upload";
    let mut b = Vec::new();
    b.extend_from_slice(
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n")
            .as_bytes(),
    );
    b.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
    b.extend_from_slice(content);
    b.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), b)
}

both! {
    async fn a_plan_is_approved_and_a_session_recorded_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        t.user_with("sec.chen", &[("security_officer", None)]).await;
        let it = t.department("信息技术部", None).await;
        let hr = t.department("人力资源部", None).await;
        t.user_in("it.li", Some(it), &[("staff", None)]).await;
        t.user_in("it.wang", Some(it), &[("staff", None)]).await;
        t.user_in("hr.he", Some(hr), &[("staff", None)]).await;
        let ca = sign_in_zh(&t, "comp.zhao").await;
        let so = sign_in_zh(&t, "sec.chen").await;
        let li = sign_in_zh(&t, "it.li").await;
        let year = castellan_domain::Day::of(castellan_domain::Timestamp::now()).date().year();

        let html = page(&t, &ca, "/trainings").await.text();
        assert!(html.contains("尚无培训计划") && html.contains("新建计划"), "{html}");
        let bad = post(&t, &ca, "/training-plans", &[("year", "1990"), ("title", "")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(bad.text().matches("class=\"field-error\"").count(), 2, "{}", bad.text());
        let r = post(&t, &ca, "/training-plans", &[("year", &year.to_string()), ("title", "年度安全培训计划")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let plan = r.header("location").unwrap().split('?').next().unwrap().to_owned();
        let r = post(&t, &ca, &format!("{plan}/trainings"), &[("title", "钓鱼邮件识别"), ("planned_month", "1"),
            ("trainer", "陈静"), ("department", &it.to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let training = r.header("location").unwrap().split('?').next().unwrap().to_owned();
        let html = page(&t, &ca, &plan).await.text();
        assert!(html.contains("钓鱼邮件识别") && html.contains("信息技术部") && html.contains("提交审批"), "{html}");
        let v = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        assert_eq!(post(&t, &ca, &format!("{plan}/move"), &[("to", "in_review"), ("version", &v)]).await.status, StatusCode::SEE_OTHER);

        // The security officer approves it from the plan page.
        assert!(page(&t, &so, "/approvals").await.text().contains("培训计划"));
        let html = page(&t, &so, &plan).await.text();
        assert!(html.contains("审批意见") && html.contains("退回修改"), "{html}");
        let v = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        assert_eq!(post(&t, &so, &format!("{plan}/move"), &[("to", "approved"), ("version", &v)]).await.status, StatusCode::SEE_OTHER);

        // Held today; a file with a bad line is refused on the page, nothing recorded.
        let html = page(&t, &ca, &training).await.text();
        assert!(html.contains("标记为已举办"), "{html}");
        let v = html.split("name=\"version\" value=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let today = castellan_domain::Day::of(castellan_domain::Timestamp::now()).to_string();
        let r = post(&t, &ca, &training, &[("status", "held"), ("held_at", &today), ("version", &v)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let csrf = csrf_of(&page(&t, &ca, &training).await.text());
        let (bad_csv, _, _) = encoding_rs::GBK.encode("用户名\r\nit.li\r\n无此人\r\n");
        let (ct, body) = upload(&csrf, "签到.csv", &bad_csv);
        let r = t.post(&format!("{training}/attendance/import")).header("cookie", &ca).raw(&ct, body).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = visible_text(&r.text());
        assert!(text.contains("未登记任何数据：文件中有 1 处问题") && text.contains("不存在用户名为 无此人 的用户"), "{text}");
        assert_eq!(t.count("training_attendance").await, 0);
        let (good, _, _) = encoding_rs::GBK.encode("用户名,成绩\r\nit.li,92\r\n");
        let (ct, body) = upload(&csrf, "签到.csv", &good);
        let r = t.post(&format!("{training}/attendance/import")).header("cookie", &ca).raw(&ct, body).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &ca, r.header("location").unwrap()).await.text();
        assert!(html.contains("已登记 1 行") && html.contains("1 / 2"), "{html}");

        // Ticking on the page: both IT members attended.
        let ids: Vec<String> = html.split("name=\"listed\" value=\"").skip(1).map(|s| s.split('"').next().unwrap().to_owned()).collect();
        assert_eq!(ids.len(), 2);
        let mut form: Vec<(&str, &str)> = Vec::new();
        for id in &ids {
            form.push(("listed", id));
            form.push(("attended", id));
        }
        let r = post(&t, &ca, &format!("{training}/attendance"), &form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        let html = page(&t, &so, &format!("{plan}/completion")).await.text();
        let text = visible_text(&html);
        assert!(text.contains("信息技术部") && text.contains("2 / 2 (100%)"), "{text}");
        assert_eq!(page(&t, &li, &format!("{plan}/completion")).await.status, StatusCode::FORBIDDEN);
        let mine = page(&t, &li, "/trainings").await.text();
        assert!(mine.contains("钓鱼邮件识别") && mine.contains("已出勤"), "{mine}");
        let he = sign_in_zh(&t, "hr.he").await;
        assert!(page(&t, &he, "/trainings").await.text().contains("本年度暂无需要您参加的培训"));
        // Without the form's token nothing happens.
        let forged = t.post(&format!("{plan}/move")).header("cookie", &so).form(&[("csrf", "forged"), ("to", "draft")]).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }

    async fn training_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, ca) = t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        let plan: serde_json::Value = t.post("/api/v1/training-plans").token(&ca)
            .json(&serde_json::json!({"year": 2030, "title": "Plan"})).send().await.json();
        let pid = plan["id"].as_i64().unwrap();
        let tr: serde_json::Value = t.post("/api/v1/trainings").token(&ca)
            .json(&serde_json::json!({"plan_id": pid, "title": "Phishing", "planned_month": 2})).send().await.json();
        let tid = tr["id"].as_i64().unwrap();
        for (lang, other) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "comp.zhao", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/trainings", &format!("/training-plans/{pid}"), &format!("/training-plans/{pid}/completion"), &format!("/trainings/{tid}")] {
                let r = page(&t, &cookie, path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                let text = visible_text(&r.text());
                for o in &other {
                    assert!(!text.contains(o.as_str()), "{lang} page {path} contains {o:?}");
                }
            }
        }
    }
}

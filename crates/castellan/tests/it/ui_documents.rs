//! Document pages in-process: a compliance administrator imports the network security
//! policy from the starter set, completes its draft, submits it; the security officer and the
//! committee approve it on the version page; it is published and the document page shows the
//! seeds' change history; staff read only what is in force; Markdown is rendered inert; bad
//! input is shown on the page; the pages speak one language.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{
    chinese_texts, csrf_of, english_texts, page, post_form as post, sign_in, sign_in_zh,
    visible_text,
};
use axum::http::StatusCode;

fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} field"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// The first link to a version of `doc` on a page.
fn version_link(html: &str, doc: &str) -> String {
    let marker = format!("{doc}/versions/");
    let start = html.find(&marker).expect("a version link");
    html[start..].split('"').next().unwrap().to_owned()
}

both! {
    async fn a_policy_from_the_starter_set_is_approved_and_published_through_the_pages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        t.user_with("sec.chen", &[("security_officer", None)]).await;
        t.user_with("cm.zhou", &[("committee", None)]).await;
        t.user_with("staff.sun", &[("staff", None)]).await;
        let ca = sign_in_zh(&t, "comp.zhao").await;
        let so = sign_in_zh(&t, "sec.chen").await;
        let cm = sign_in(&t, "cm.zhou", ADMIN_PASSWORD, "en").await;
        let staff = sign_in_zh(&t, "staff.sun").await;

        // The empty register points to the skeletons.
        let html = page(&t, &ca, "/documents").await.text();
        assert!(html.contains("文件台账为空") && html.contains("/documents/starter-set"), "{html}");
        let html = page(&t, &ca, "/documents/starter-set").await.text();
        assert!(html.contains("网络安全管理制度") && html.contains("ISMS-POL-02"), "{html}");
        assert_eq!(page(&t, &staff, "/documents/starter-set").await.status, StatusCode::FORBIDDEN);
        let none = post(&t, &ca, "/documents/starter-set", &[]).await;
        assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(none.text().contains("请至少选择一个模板"));
        let r = post(&t, &ca, "/documents/starter-set", &[("code", "ISMS-POL-02")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &ca, "/documents?view=mine&imported=1").await.text();
        assert!(html.contains("已导入 1 份文件草稿") && html.contains("网络安全管理制度") && html.contains("草稿"), "{html}");
        // Importing it twice is refused and changes nothing.
        let again = post(&t, &ca, "/documents/starter-set", &[("code", "ISMS-POL-02")]).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.text());
        assert_eq!(t.count("documents").await, 1);

        let doc: String = html
            .split("href=\"")
            .filter_map(|s| s.split('"').next())
            .find(|h| h.strip_prefix("/documents/").is_some_and(|n| n.parse::<i64>().is_ok()))
            .expect("a document link")
            .to_owned();
        let html = page(&t, &ca, &doc).await.text();
        assert!(html.contains("修订记录") && html.contains("编写人/日期") && html.contains("V1.0"), "{html}");
        let draft = version_link(&html, &doc);

        // The draft is completed; raw HTML and a javascript: link stay inert.
        let v = page(&t, &ca, &draft).await.text();
        assert!(v.contains("编辑草稿") && v.contains("提交审核") && v.contains("# 目的"), "{v}");
        let revision = field(&v, "revision");
        let bad = post(&t, &ca, &draft, &[("revision", &revision), ("version", "1.0"), ("change_note", " "), ("body", "x")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("修订说明"), "{}", bad.text());
        let body = "# 目的\n\n<script>alert(1)</script>\n\n[点我](javascript:alert(1)) · [制度库](https://example.org/isms)";
        let saved = post(&t, &ca, &draft, &[("revision", &revision), ("version", "1.0"), ("change_note", "首次发布"), ("body", body)]).await;
        assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.text());
        let v = page(&t, &ca, &draft).await.text();
        assert!(!v.contains("<script>alert") && v.contains("&lt;script&gt;"), "raw HTML is shown as text");
        assert!(!v.contains("href=\"javascript:") && v.contains("href=\"https://example.org/isms\""), "{v}");
        let revision = field(&v, "revision");
        let r = post(&t, &ca, &format!("{draft}/move"), &[("revision", &revision), ("to", "in_review")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // Staff see nothing of it yet.
        assert_eq!(page(&t, &staff, &doc).await.status, StatusCode::NOT_FOUND);
        assert!(!page(&t, &staff, "/documents").await.text().contains("网络安全管理制度"));

        // The security officer reviews it from "waiting for me".
        let waiting = page(&t, &so, "/approvals").await.text();
        assert!(waiting.contains("网络安全管理制度") && waiting.contains("ISMS-POL-02 V1.0"), "{waiting}");
        let v = page(&t, &so, &draft).await.text();
        assert!(v.contains("该版本等待您审批") && v.contains("退回修改"), "{v}");
        let revision = field(&v, "revision");
        let r = post(&t, &so, &format!("{draft}/move"), &[("revision", &revision), ("to", "approved")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        // A stale page is refused.
        let stale = post(&t, &so, &format!("{draft}/move"), &[("revision", &revision), ("to", "approved")]).await;
        assert!(stale.status == StatusCode::PRECONDITION_FAILED || stale.status == StatusCode::CONFLICT, "{}", stale.status);

        // The committee approves it, in English.
        let v = page(&t, &cm, &draft).await.text();
        assert!(v.contains("Your decision") && v.contains("Return for changes"), "{v}");
        let revision = field(&v, "revision");
        let r = post(&t, &cm, &format!("{draft}/move"), &[("revision", &revision), ("to", "approved"), ("comment", "Approved at the December meeting.")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The owner publishes it; a day ahead is refused on the page.
        let v = page(&t, &ca, &draft).await.text();
        assert!(v.contains("发布生效"), "{v}");
        let revision = field(&v, "revision");
        let bad = post(&t, &ca, &format!("{draft}/move"), &[("revision", &revision), ("to", "effective"), ("effective_at", "2999-01-01")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = post(&t, &ca, &format!("{draft}/move"), &[("revision", &revision), ("to", "effective")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());

        // The history names the author, reviewer and approver with their dates.
        let html = page(&t, &staff, &doc).await.text();
        let text = visible_text(&html);
        for needle in ["现行有效", "V1.0", "comp.zhao", "sec.chen", "cm.zhou", "首次发布", "现行文本", "下次复审"] {
            assert!(text.contains(needle), "{needle} in {text}");
        }
        assert!(!html.contains("编写新版本"), "staff draft nothing");
        // The owner starts version 1.1 from the text in force; 1.0 again is refused.
        let html = page(&t, &ca, &doc).await.text();
        assert!(html.contains("编写新版本") && html.contains("placeholder=\"1.1\""), "{html}");
        let bad = post(&t, &ca, &format!("{doc}/versions"), &[("version", "1.0"), ("change_note", "补充无线网络要求"), ("body", "x")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.text().contains("版本号必须高于最新版本"), "{}", bad.text());
        let made = post(&t, &ca, &format!("{doc}/versions"), &[("version", ""), ("change_note", "补充无线网络要求"), ("body", "# 目的\n\n新增无线网络。")]).await;
        assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.text());
        assert!(made.header("location").unwrap().contains("/versions/"));
        let html = page(&t, &ca, &doc).await.text();
        assert!(html.contains("V1.1") && html.contains("草稿") && !html.contains("id=\"new-version\""), "{html}");

        // The two versions compare line by line; the printed form carries the history first.
        let cmp = page(&t, &ca, &format!("{doc}/compare")).await.text();
        assert!(cmp.contains("版本比较") && cmp.contains("diff-add") && cmp.contains("新增无线网络。") && cmp.contains("diff-del"), "{cmp}");
        let printed = page(&t, &staff, &format!("{draft}/print")).await;
        assert_eq!(printed.status, StatusCode::OK);
        let html = printed.text();
        let history_at = html.find("修订记录").expect("the history");
        let text_at = html.find("page-break").expect("a page break before the text");
        assert!(history_at < text_at && html.contains("sec.chen") && html.contains("cm.zhou"), "{html}");
        assert!(!html.contains("<script>alert"), "{html}");
        let word = page(&t, &staff, &format!("{draft}/print?format=docx")).await;
        assert_eq!(word.status, StatusCode::OK);
        assert!(word.header("content-type").unwrap().contains("wordprocessingml"));
        assert!(word.body.starts_with(b"PK"));
        assert!(word.header("content-disposition").unwrap().contains("ISMS-POL-02-V1.0.docx"));
        assert_eq!(page(&t, &staff, &format!("{draft}/print?format=pdf")).await.status, StatusCode::NOT_FOUND);
        // Staff never print a draft.
        let v11 = made.header("location").unwrap().split('?').next().unwrap().to_owned();
        assert_eq!(page(&t, &staff, &format!("{v11}/print")).await.status, StatusCode::NOT_FOUND);

        // Without the form's token nothing happens.
        let forged = t.post(&format!("{draft}/move")).header("cookie", &ca)
            .form(&[("csrf", "forged"), ("to", "retired")]).send().await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
    }

    async fn document_pages_speak_one_language(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, ca_tok) = t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        let d: serde_json::Value = t.post("/api/v1/documents/starter-set").token(&ca_tok)
            .json(&serde_json::json!({"codes": ["ISMS-PR-01"], "language": "en"})).send().await.json();
        let id = d["items"][0]["id"].as_i64().unwrap();
        let detail: serde_json::Value = t.get(&format!("/api/v1/documents/{id}")).token(&ca_tok).send().await.json();
        let vid = detail["versions"][0]["id"].as_i64().unwrap();
        for (lang, other_lang_texts) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "comp.zhao", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/documents", "/documents/new", "/documents/starter-set", "/documents?view=review",
                         &format!("/documents/{id}"), &format!("/documents/{id}/versions/{vid}"), "/documents/999999"] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let mut text = visible_text(&r.text());
                // The document's own title and text are the organization's, in the language
                // they were written in.
                for own in ["Document control procedure", "Drafted from the Castellan starter set"] {
                    text = text.replace(own, "");
                }
                if lang == "zh-CN" && path.contains("/versions/") {
                    continue;
                }
                for other in &other_lang_texts {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
    }

    async fn a_new_document_form_shows_every_refused_field(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        let ca = sign_in_zh(&t, "comp.zhao").await;
        let html = page(&t, &ca, "/documents/new").await.text();
        assert!(html.contains("新建文件") && html.contains("复审周期"), "{html}");
        let bad = post(&t, &ca, "/documents", &[("code", "bad code!"), ("title", ""), ("kind", "policy"), ("family", "network"),
            ("owner", "nobody.here"), ("review_interval_months", "99")]).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        let text = bad.text();
        assert!(text.contains("field-error") && text.contains("bad code!"), "{text}");
        assert_eq!(text.matches("class=\"field-error\"").count(), 4, "{text}");
        assert_eq!(t.count("documents").await, 0);
        let ok = post(&t, &ca, "/documents", &[("code", "ISMS-SP-001"), ("title", "服务器安全基线配置规范"), ("kind", "specification"),
            ("family", "system"), ("owner", ""), ("review_interval_months", "24")]).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.text());
        let html = page(&t, &ca, ok.header("location").unwrap()).await.text();
        assert!(html.contains("服务器安全基线配置规范") && html.contains("尚无版本") && html.contains("24"), "{html}");
    }
}

both! {
    async fn staff_confirm_reading_on_the_document_page_and_the_owner_sees_who_has_not(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, ca_tok) = t.user_with("comp.zhao", &[("compliance_admin", None)]).await;
        let (_, so_tok) = t.user_with("sec.chen", &[("security_officer", None)]).await;
        let it = t.department("信息技术部", None).await;
        let hr = t.department("人力资源部", None).await;
        t.user_in("it.li", Some(it), &[("staff", None)]).await;
        t.user_in("it.wang", Some(it), &[("staff", None)]).await;
        t.user_in("hr.zhang", Some(hr), &[("staff", None)]).await;
        // A procedure in force (the security officer approves procedures alone).
        let d: serde_json::Value = t.post("/api/v1/documents/starter-set").token(&ca_tok)
            .json(&serde_json::json!({"codes": ["ISMS-PR-02"]})).send().await.json();
        let id = d["items"][0]["id"].as_i64().unwrap();
        let doc: serde_json::Value = t.get(&format!("/api/v1/documents/{id}")).token(&ca_tok).send().await.json();
        let vid = doc["versions"][0]["id"].as_i64().unwrap();
        for (tok, to) in [(&ca_tok, "in_review"), (&so_tok, "approved"), (&ca_tok, "effective")] {
            let r = t.post(&format!("/api/v1/documents/{id}/versions/{vid}/transitions")).token(tok)
                .json(&serde_json::json!({"to": to})).send().await;
            assert_eq!(r.status, StatusCode::OK, "{to}: {}", r.text());
        }
        // The owner addresses it to IT on the page.
        let ca = sign_in_zh(&t, "comp.zhao").await;
        let html = page(&t, &ca, &format!("/documents/{id}")).await.text();
        assert!(html.contains("阅读确认情况") && html.contains("尚未指定发送范围") && html.contains("调整发送范围"), "{html}");
        let r = post(&t, &ca, &format!("/documents/{id}/addressees"), &[("department", &it.to_string())]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &ca, &format!("/documents/{id}")).await.text();
        assert!(html.contains("已确认 0 / 2 人（0%）"), "{html}");

        // An IT member sees the request and confirms; HR sees no button.
        let li = sign_in_zh(&t, "it.li").await;
        let html = page(&t, &li, &format!("/documents/{id}")).await.text();
        assert!(html.contains("我已阅读") && !html.contains("阅读确认情况"), "{html}");
        assert!(page(&t, &li, "/approvals").await.text().contains("阅读确认"));
        let r = post(&t, &li, &format!("/documents/{id}/acknowledge"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let html = page(&t, &li, &format!("/documents/{id}?notice=acknowledged")).await.text();
        assert!(html.contains("已记录您的阅读确认") && html.contains("您已于") && !html.contains("我已阅读</button>"), "{html}");
        let zhang = sign_in_zh(&t, "hr.zhang").await;
        let html = page(&t, &zhang, &format!("/documents/{id}")).await.text();
        assert!(!html.contains("我已阅读"), "{html}");
        let r = post(&t, &zhang, &format!("/documents/{id}/acknowledge"), &[]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("该文件未发送给您"), "{}", r.text());
        assert_eq!(page(&t, &zhang, &format!("/documents/{id}/acknowledgements")).await.status, StatusCode::FORBIDDEN);

        // The owner sees who has not.
        let html = page(&t, &ca, &format!("/documents/{id}/acknowledgements")).await.text();
        let text = visible_text(&html);
        assert!(text.contains("已确认 1 / 2 人（50%）") && text.contains("Test it.wang") && !text.contains("Test it.li"), "{text}");
        let html = page(&t, &ca, &format!("/documents/{id}/acknowledgements?department={hr}")).await.text();
        assert!(html.contains("发送范围内人员均已确认"), "{html}");

        // Reviews falling due are counted on the home page of those who read the register.
        let home = visible_text(&page(&t, &ca, "/").await.text());
        assert!(home.contains("30 天内需复审的文件") && !home.contains("已逾期"), "{home}");
        t.raw_sql(&format!("UPDATE documents SET next_review_at = '2020-01-01' WHERE id = {id}")).await;
        let home = page(&t, &ca, "/").await.text();
        assert!(home.contains("href=\"/documents?view=review\"") && home.contains("1 已逾期"), "{home}");
        assert!(!page(&t, &li, "/").await.text().contains("30 天内需复审的文件"), "staff see no register counts");
    }
}

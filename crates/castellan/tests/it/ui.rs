//! The web UI in-process: sign-in with CSRF, forms, validation, languages, escaping.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Resp, TestApp};
use axum::http::StatusCode;

fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

fn cookie_of(r: &Resp, name: &str) -> Option<String> {
    r.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let (pair, _) = c.split_once(';').unwrap_or((c, ""));
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
}

/// Signs in through the form and returns (session cookie, CSRF token of the next page).
async fn sign_in(t: &TestApp, username: &str, password: &str, lang: &str) -> String {
    let page = t.get("/login").header("accept-language", lang).send().await;
    let pre = cookie_of(&page, "castellan_pre").expect("pre-session cookie");
    let csrf = csrf_of(&page.text());
    let r = t
        .post("/login")
        .header("cookie", &format!("castellan_pre={pre}"))
        .header("accept-language", lang)
        .form(&[
            ("csrf", &csrf),
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let set = r
        .headers
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    format!(
        "castellan_session={}",
        cookie_of(&r, "castellan_session").unwrap()
    )
}

async fn page(t: &TestApp, cookie: &str, path: &str) -> Resp {
    t.get(path).header("cookie", cookie).send().await
}

/// A form post from a Chinese browser.
async fn post_zh(t: &TestApp, cookie: &str, path: &str, form: &[(&str, &str)]) -> Resp {
    t.post(path)
        .header("cookie", cookie)
        .header("accept-language", "zh-CN,zh;q=0.9")
        .form(form)
        .send()
        .await
}

both! {
    async fn sign_in_page_follows_the_browser_language(b: Backend) {
        let t = TestApp::new(b).await;
        let zh = t.get("/login").header("accept-language", "zh-CN,zh;q=0.9,en;q=0.8").send().await;
        assert_eq!(zh.status, StatusCode::OK);
        let html = zh.text();
        assert!(html.contains("<html lang=\"zh-CN\">") && html.contains("登录") && html.contains("用户名"));
        let en = t.get("/login").header("accept-language", "en-US").send().await.text();
        assert!(en.contains("<html lang=\"en\">") && en.contains("Sign in"));
        // Protected pages send visitors to sign in, remembering where they were going.
        let r = t.get("/users?role=auditor").send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/login?next=%2Fusers%3Frole%3Dauditor"));
    }

    async fn sign_in_needs_the_csrf_token_and_never_redirects_elsewhere(b: Backend) {
        let t = TestApp::new(b).await;
        let r = t.post("/login").form(&[("username", "admin"), ("password", ADMIN_PASSWORD)]).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(cookie_of(&r, "castellan_session").is_none());
        let page = t.get("/login").send().await;
        let pre = cookie_of(&page, "castellan_pre").unwrap();
        let csrf = csrf_of(&page.text());
        let wrong = t.post("/login").header("cookie", &format!("castellan_pre={pre}"))
            .form(&[("csrf", &csrf), ("username", "admin"), ("password", "wrong wrong wrong")]).send().await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(wrong.text().contains("not correct"));
        let cross = t.post("/login").header("cookie", &format!("castellan_pre={pre}")).header("sec-fetch-site", "cross-site")
            .form(&[("csrf", &csrf), ("username", "admin"), ("password", ADMIN_PASSWORD)]).send().await;
        assert_eq!(cross.status, StatusCode::FORBIDDEN);
        let ok = t.post("/login").header("cookie", &format!("castellan_pre={pre}"))
            .form(&[("csrf", &csrf), ("username", "admin"), ("password", ADMIN_PASSWORD), ("next", "//evil.example/x")]).send().await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
        assert_eq!(ok.header("location"), Some("/"));
    }

    async fn forms_create_departments_and_users_with_csrf_and_inline_errors(b: Backend) {
        let t = TestApp::new(b).await;
        let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "zh-CN").await;
        let home = page(&t, &cookie, "/").await;
        assert_eq!(home.header("cache-control"), Some("no-store"));
        let csrf = csrf_of(&home.text());
        // Without the token: refused, nothing written.
        let before = t.count("departments").await;
        let r = t.post("/departments").header("cookie", &cookie).form(&[("name", "研发中心")]).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("departments").await, before);
        // A blank name: the form comes back with the message in Chinese.
        let r = post_zh(&t, &cookie, "/departments", &[("csrf", &csrf), ("name", " "), ("code", "bad code")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("此项为必填项") && html.contains("只能使用字母"), "{html}");
        let r = t.post("/departments").header("cookie", &cookie).form(&[("csrf", &csrf), ("name", "研发中心"), ("code", "RD")]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let location = r.header("location").unwrap().to_owned();
        let shown = t.get(&location).header("cookie", &cookie).header("accept-language", "zh-CN").send().await.text();
        assert!(shown.contains("研发中心") && shown.contains("已创建") && shown.contains("变更记录"));
        let dept_id = location.trim_start_matches("/departments/").split('?').next().unwrap().to_owned();
        // A user in that department with a role.
        let r = post_zh(&t, &cookie, "/users", &[
            ("csrf", &csrf), ("username", "zhang.san"), ("display_name", "张三"), ("email", ""),
            ("department_id", &dept_id), ("position", "工程师"), ("language", "zh-CN"),
            ("password", "zhang.san-2026"), ("role", "assessor"), ("role_department_id", ""),
        ]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("密码不能包含用户名"), "{}", r.text());
        let r = t.post("/users").header("cookie", &cookie).form(&[
            ("csrf", &csrf), ("username", "zhang.san"), ("display_name", "张三"), ("email", ""),
            ("department_id", &dept_id), ("position", "工程师"), ("language", "zh-CN"),
            ("password", "a strong enough passphrase"), ("role", "assessor"), ("role_department_id", ""),
        ]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let user_page = t.get(r.header("location").unwrap()).header("cookie", &cookie).header("accept-language", "zh-CN").send().await.text();
        assert!(user_page.contains("张三") && user_page.contains("风险评估人员") && user_page.contains("研发中心"));
        let list = page(&t, &cookie, "/users?q=zhang").await.text();
        assert!(list.contains("zhang.san"));
    }

    async fn the_language_switch_is_remembered(b: Backend) {
        let t = TestApp::new(b).await;
        let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "en").await;
        let home = page(&t, &cookie, "/").await.text();
        assert!(home.contains("Departments"));
        let csrf = csrf_of(&home);
        let r = t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", "zh-CN"), ("next", "/roles")]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/roles"));
        // The setting belongs to the user, whatever the browser says.
        let roles = t.get("/roles").header("cookie", &cookie).header("accept-language", "en").send().await.text();
        assert!(roles.contains("角色与权限") && roles.contains("信息安全领导小组"));
        let me = t.get("/api/v1/me").token(&t.admin_token).send().await.json();
        assert_eq!(me["language"], "zh-CN");
    }

    async fn no_page_mixes_languages(b: Backend) {
        let t = TestApp::new(b).await;
        let d = t.department("Pages dept", None).await;
        let (u, _) = t.user_in("page-user", Some(d), &[("auditor", Some(d))]).await;
        let (_, keeper) = t.user_with("page-keeper", &[("security_admin", None)]).await;
        let asset = t.post("/api/v1/assets").token(&keeper).json(&serde_json::json!({"code": "PG-1", "name": "Page asset", "category": "server", "department_id": d, "confidentiality": 5, "integrity": 4, "availability": 4})).send().await.json()["id"].as_i64().unwrap();
        for (lang, other_lang_texts) in [("zh-CN", english_texts()), ("en", chinese_texts())] {
            let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/", "/departments", "/departments/new", &format!("/departments/{d}"), &format!("/departments/{d}/edit"),
                         "/users", "/users/new", &format!("/users/{}", u.id), &format!("/users/{}/edit", u.id),
                         "/roles", "/audit", "/audit/verify", "/account", "/departments/999999",
                         "/assets", &format!("/assets/{asset}"), "/assets?category=spaceship", "/assets/999999"] {
                let r = page(&t, &cookie, path).await;
                assert!(r.status == StatusCode::OK || r.status == StatusCode::NOT_FOUND, "{path}: {}", r.status);
                let text = visible_text(&r.text());
                for other in &other_lang_texts {
                    assert!(!text.contains(other.as_str()), "{lang} page {path} contains {other:?}");
                }
            }
        }
    }

    async fn user_content_is_escaped(b: Backend) {
        let t = TestApp::new(b).await;
        let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "en").await;
        let id = t.department("<script>alert(1)</script>", None).await;
        let html = page(&t, &cookie, &format!("/departments/{id}")).await.text();
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;") || html.contains("&#60;script&#62;"));
    }

    async fn signing_out_ends_the_session(b: Backend) {
        let t = TestApp::new(b).await;
        let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "en").await;
        let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
        let r = t.post("/logout").header("cookie", &cookie).form(&[("csrf", &csrf)]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.headers.get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
        assert_eq!(page(&t, &cookie, "/").await.status, StatusCode::SEE_OTHER);
    }

    async fn roles_and_scopes_are_managed_on_the_user_page(b: Backend) {
        let t = TestApp::new(b).await;
        let d = t.department("Scope dept", None).await;
        let (u, _) = t.user_with("scoped-user", &[]).await;
        let cookie = sign_in(&t, "admin", ADMIN_PASSWORD, "en").await;
        let html = page(&t, &cookie, &format!("/users/{}", u.id)).await.text();
        let csrf = csrf_of(&html);
        let r = t.post(&format!("/users/{}/roles", u.id)).header("cookie", &cookie)
            .form(&[("csrf", &csrf), ("version", &u.version.to_string()), ("role", "security_admin"), ("department_id", &d.to_string())]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let got = t.get(&format!("/api/v1/users/{}", u.id)).token(&t.admin_token).send().await.json();
        assert_eq!(got["roles"], serde_json::json!([{"role": "security_admin", "department_id": d}]));
        // A stale form is refused with a message and changes nothing.
        let r = t.post(&format!("/users/{}/roles", u.id)).header("cookie", &cookie)
            .form(&[("csrf", &csrf), ("version", &u.version.to_string()), ("role", "auditor"), ("department_id", "")]).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
        assert!(r.text().contains("Someone else changed this record"));
        let v = got["version"].as_i64().unwrap().to_string();
        let r = t.post(&format!("/users/{}/roles/remove", u.id)).header("cookie", &cookie)
            .form(&[("csrf", &csrf), ("version", &v), ("role", "security_admin"), ("department_id", &d.to_string())]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let got = t.get(&format!("/api/v1/users/{}", u.id)).token(&t.admin_token).send().await.json();
        assert_eq!(got["roles"], serde_json::json!([]));
    }

    async fn the_asset_register_lists_explains_and_moves_assets(b: Backend) {
        let t = TestApp::new(b).await;
        let (keeper, token) = t.user_with("keeper", &[("security_admin", None)]).await;
        let _ = keeper;
        let d = t.department("数据中心", None).await;
        let mk = |code: &str, category: &str| serde_json::json!({"code": code, "name": format!("资产 {code}"), "category": category, "department_id": d, "confidentiality": 5, "integrity": 4, "availability": 4});
        let id = t.post("/api/v1/assets").token(&token).json(&mk("SRV-9", "server")).send().await.json()["id"].as_i64().unwrap();
        t.post("/api/v1/assets").token(&token).json(&mk("NET-9", "network_device")).send().await;
        let cookie = sign_in(&t, "keeper", ADMIN_PASSWORD, "zh-CN,zh;q=0.9").await;
        let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
        t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", "zh-CN"), ("next", "/")]).send().await;
        let list = page(&t, &cookie, "/assets?category=server").await;
        assert_eq!(list.status, StatusCode::OK);
        let html = list.text();
        assert!(html.contains("SRV-9") && !html.contains("NET-9"), "{html}");
        assert!(html.contains("资产台账"));
        // Sorting by value starts with the most valuable; the filter stays in the link.
        assert!(html.contains("href=\"/assets?category=server&#38;sort=-value_score\""), "{html}");
        assert!(html.contains("href=\"/assets?category=server&#38;sort=-code\""), "{html}");
        // The detail page explains the valuation.
        let show = page(&t, &cookie, &format!("/assets/{id}")).await.text();
        assert!(show.contains("C5 I4 A4 → 4.3 → 高 (4)"), "{show}");
        // Record a lifecycle event through the form (CSRF checked).
        let csrf = csrf_of(&show);
        let r = post_zh(&t, &cookie, &format!("/assets/{id}/events"), &[("csrf", &csrf), ("kind", "retire"), ("note", "报废"), ("version", "1")]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let show = page(&t, &cookie, &format!("/assets/{id}")).await.text();
        assert!(show.contains("报废") && show.contains("已报废"), "{show}");
        // A move the lifecycle refuses comes back as a readable message and changes nothing.
        let csrf = csrf_of(&show);
        let r = post_zh(&t, &cookie, &format!("/assets/{id}/events"), &[("csrf", &csrf), ("kind", "deploy"), ("version", "2")]).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        assert!(r.text().contains("不允许"), "{}", r.text());
        let r = post_zh(&t, &cookie, &format!("/assets/{id}/events"), &[("csrf", "forged"), ("kind", "deploy"), ("version", "2")]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert_eq!(t.count("asset_events").await, 1);
        // Export of the current filter.
        let csv = page(&t, &cookie, "/assets?category=server&format=csv").await;
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert!(csv.header("content-disposition").unwrap().starts_with("attachment"));
        let body = csv.text();
        assert!(body.starts_with("\u{feff}资产编号") && body.contains("SRV-9") && !body.contains("NET-9"), "{body}");
        // Staff do not see the register at all.
        t.user_with("worker", &[("staff", None)]).await;
        let staff = sign_in(&t, "worker", ADMIN_PASSWORD, "en").await;
        assert!(!page(&t, &staff, "/").await.text().contains("href=\"/assets\""));
        assert_eq!(page(&t, &staff, "/assets").await.status, StatusCode::FORBIDDEN);
    }
}

/// The page text outside tags, attribute-free.
fn visible_text(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// English UI texts that differ from their Chinese translation (long enough to be telling).
fn english_texts() -> Vec<String> {
    castellan_web::ui::i18n::catalog()
        .into_iter()
        .filter(|(_, en, zh)| en != zh && en.len() >= 12 && !en.contains('{'))
        .map(|(_, en, _)| en.to_owned())
        .collect()
}

/// Chinese UI texts.
fn chinese_texts() -> Vec<String> {
    castellan_web::ui::i18n::catalog()
        .into_iter()
        .filter(|(_, en, zh)| en != zh && zh.chars().count() >= 4 && !zh.contains('{'))
        .map(|(_, _, zh)| zh.to_owned())
        .collect()
}

//! The web UI in-process: sign-in with CSRF, forms, validation, languages, escaping.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Resp, TestApp};
use axum::http::StatusCode;

pub(crate) fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a form with a CSRF token") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

/// Posts a form as the signed-in `cookie`, with a CSRF token read from the home page.
pub(crate) async fn post_form(
    t: &TestApp,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> Resp {
    let csrf = csrf_of(&page(t, cookie, "/").await.text());
    let mut pairs: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    pairs.extend_from_slice(form);
    t.post(path)
        .header("cookie", cookie)
        .form(&pairs)
        .send()
        .await
}

/// The value of the first `version` field of a page's forms.
pub(crate) fn version_in(html: &str) -> String {
    let marker = "name=\"version\" value=\"";
    let start = html.find(marker).expect("a version field") + marker.len();
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
pub(crate) async fn sign_in(t: &TestApp, username: &str, password: &str, lang: &str) -> String {
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

pub(crate) async fn page(t: &TestApp, cookie: &str, path: &str) -> Resp {
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
            // The asset forms, as an asset keeper sees them.
            let cookie = sign_in(&t, "page-keeper", ADMIN_PASSWORD, lang).await;
            let csrf = csrf_of(&page(&t, &cookie, "/").await.text());
            t.post("/lang").header("cookie", &cookie).form(&[("csrf", &csrf), ("lang", lang), ("next", "/")]).send().await;
            for path in ["/assets/new", &format!("/assets/{asset}/edit"), "/assets/import"] {
                let r = page(&t, &cookie, path).await;
                assert_eq!(r.status, StatusCode::OK, "{path}");
                let mut text = visible_text(&r.text());
                // The import page lists the Chinese header labels a file may use, in both languages.
                for (_, zh) in castellan_app::asset::import::COLUMNS {
                    text = text.replace(zh, "");
                }
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

/// A workbook whose only worksheet is `sheet` (the XML of `xl/worksheets/sheet1.xml`).
fn xlsx_with_sheet(sheet: &str) -> Vec<u8> {
    use std::io::Write;
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>",
        ),
        (
            "_rels/.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>",
        ),
        (
            "xl/workbook.xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>",
        ),
        (
            "xl/_rels/workbook.xml.rels",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>",
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, content) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(content.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// A multipart/form-data body: (name, file name, content) per field, in order.
fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----castellan-test-boundary-7f3a";
    let mut body = Vec::new();
    for (name, file, content) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match file {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes()),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

async fn upload(t: &TestApp, cookie: &str, fields: &[(&str, Option<&str>, &[u8])]) -> Resp {
    let (content_type, body) = multipart(fields);
    t.post("/assets/import")
        .header("cookie", cookie)
        .header("accept-language", "zh-CN,zh;q=0.9")
        .raw(&content_type, body)
        .send()
        .await
}

/// Signs in and makes Chinese the user's language.
pub(crate) async fn sign_in_zh(t: &TestApp, username: &str) -> String {
    let cookie = sign_in(t, username, ADMIN_PASSWORD, "zh-CN,zh;q=0.9").await;
    let csrf = csrf_of(&page(t, &cookie, "/").await.text());
    let r = t
        .post("/lang")
        .header("cookie", &cookie)
        .form(&[("csrf", &csrf), ("lang", "zh-CN"), ("next", "/")])
        .send()
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    cookie
}

/// The upload token of a checked file, from the commit form.
fn token_of(html: &str) -> String {
    let marker = "name=\"token\" value=\"";
    let start = html.find(marker).expect("a commit form") + marker.len();
    html[start..].split('"').next().unwrap().to_owned()
}

both! {
    async fn assets_are_created_and_edited_through_forms_with_inline_errors(b: Backend) {
        let t = TestApp::new(b).await;
        let d = t.department("机房", None).await;
        t.user_with("keeper", &[("security_admin", None)]).await;
        t.user_with("zhangsan", &[("staff", None)]).await;
        let cookie = sign_in_zh(&t, "keeper").await;
        let form = page(&t, &cookie, "/assets/new").await;
        assert_eq!(form.status, StatusCode::OK);
        let html = form.text();
        assert!(html.contains("登记资产") && html.contains("name=\"confidentiality\""), "{html}");
        let csrf = csrf_of(&html);
        // Every problem is shown under its field, in Chinese, and nothing is written.
        let d_s = d.to_string();
        let bad = [("csrf", csrf.as_str()), ("code", "A 1"), ("name", ""), ("category", "spaceship"),
                   ("confidentiality", "9"), ("integrity", "4"), ("availability", ""), ("owner", "nobody"),
                   ("department_id", d_s.as_str()), ("tags", "生产, 等保三级"), ("version", "0")];
        let r = post_zh(&t, &cookie, "/assets", &bad).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        for field in ["code", "name", "category", "confidentiality", "availability", "owner"] {
            assert!(html.contains(&format!("name=\"{field}\"")), "{field}");
        }
        assert_eq!(html.matches("class=\"field-error\"").count(), 6, "{html}");
        assert!(html.contains("没有该用户名的用户"), "{html}");
        // What was typed is kept.
        assert!(html.contains("value=\"生产, 等保三级\"") && html.contains("value=\"nobody\""), "{html}");
        assert_eq!(t.count("assets").await, 0);
        // Corrected, it is registered and valued.
        let good = [("csrf", csrf.as_str()), ("code", "SRV-01"), ("name", "核心数据库服务器"), ("category", "server"),
                    ("status", "planned"), ("confidentiality", "5"), ("integrity", "4"), ("availability", "4"),
                    ("owner", "zhangsan"), ("department_id", d_s.as_str()), ("location", "二号楼 3F"),
                    ("tags", "生产, 等保三级"), ("notes", "主库"), ("version", "0")];
        let r = post_zh(&t, &cookie, "/assets", &good).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let at = r.header("location").unwrap().to_owned();
        assert!(at.ends_with("?notice=created"), "{at}");
        let id: i64 = at.trim_start_matches("/assets/").split('?').next().unwrap().parse().unwrap();
        let api = t.get(&format!("/api/v1/assets/{id}")).token(t.token_admin()).send().await.json();
        assert_eq!(api["status"], "planned");
        assert_eq!(api["tags"], serde_json::json!(["生产", "等保三级"]));
        assert_eq!(api["value_level"], 4);
        let show = page(&t, &cookie, &format!("/assets/{id}")).await.text();
        assert!(show.contains("(zhangsan)") && show.contains(&format!("href=\"/assets/{id}/edit\"")), "{show}");
        // The list filters by owner, named by username.
        assert!(page(&t, &cookie, "/assets?owner=zhangsan").await.text().contains("SRV-01"));
        let none = page(&t, &cookie, "/assets?owner=nobody").await.text();
        assert!(!none.contains("SRV-01") && none.contains("没有该用户名的用户"), "{none}");
        let export = page(&t, &cookie, "/assets?owner=nobody&format=csv").await.text();
        assert!(!export.contains("SRV-01"), "{export}");
        // The edit form starts from the stored values and keeps the version it was opened at.
        let edit = page(&t, &cookie, &format!("/assets/{id}/edit")).await.text();
        assert!(edit.contains("value=\"SRV-01\"") && edit.contains("value=\"zhangsan\"") && edit.contains("name=\"version\" value=\"1\""), "{edit}");
        assert!(!edit.contains("name=\"status\""), "the status moves only through events");
        let csrf = csrf_of(&edit);
        let mut change: Vec<(&str, &str)> = good.iter().copied().filter(|(k, _)| *k != "csrf" && *k != "version" && *k != "status").collect();
        change.retain(|(k, _)| *k != "availability");
        change.extend([("csrf", csrf.as_str()), ("availability", "2"), ("version", "1")]);
        let r = post_zh(&t, &cookie, &format!("/assets/{id}"), &change).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        let api = t.get(&format!("/api/v1/assets/{id}")).token(t.token_admin()).send().await.json();
        assert_eq!((api["availability"].as_i64(), api["version"].as_i64(), api["status"].as_str()), (Some(2), Some(2), Some("planned")));
        // A form opened before that change cannot overwrite it.
        let r = post_zh(&t, &cookie, &format!("/assets/{id}"), &change).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("alert-error"), "{}", r.text());
        let after = t.get(&format!("/api/v1/assets/{id}")).token(t.token_admin()).send().await.json();
        assert_eq!(after["version"], 2);
        // Readers see no form.
        t.user_with("reader", &[("auditor", None)]).await;
        let reader = sign_in(&t, "reader", ADMIN_PASSWORD, "en").await;
        assert_eq!(page(&t, &reader, "/assets/new").await.status, StatusCode::FORBIDDEN);
        assert_eq!(page(&t, &reader, &format!("/assets/{id}/edit")).await.status, StatusCode::FORBIDDEN);
        assert!(!page(&t, &reader, &format!("/assets/{id}")).await.text().contains("/edit\""));
    }

    async fn the_import_page_checks_every_row_before_anything_is_written(b: Backend) {
        let t = TestApp::new(b).await;
        t.department("信息中心", None).await;
        t.user_with("keeper", &[("security_admin", None)]).await;
        let cookie = sign_in_zh(&t, "keeper").await;
        let html = page(&t, &cookie, "/assets/import").await.text();
        assert!(html.contains("enctype=\"multipart/form-data\"") && html.contains("资产编号"), "{html}");
        let csrf = csrf_of(&html);
        // An Excel-exported GBK file with one bad row: the row is reported, nothing written.
        let text = "资产编号,资产名称,资产类别,所属部门,机密性,完整性,可用性\r\nA-1,核心交换机,网络设备,信息中心,5,4,4\r\nA-2,防火墙,security_device,,3,3,3\r\nA-3,服务器,飞船,,6,3,3\r\nA-1,交换机,网络设备,,2,2,2\r\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(text);
        let before = (t.count("assets").await, t.count("audit_log").await);
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("资产.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("<td class=\"num\">4</td><td>资产类别</td>"), "{html}");
        assert!(html.contains("<td class=\"num\">4</td><td>机密性</td>"), "{html}");
        assert!(html.contains("取值不在允许的代码或名称范围内") && html.contains("GB18030"), "{html}");
        // The specifics are in Chinese too: what the cell held, what it may hold, where the
        // duplicate first appears; never the importer's English sentence.
        assert!(html.contains("内容：「飞船」；可填：网络设备（network_device）、安全设备（security_device）"), "{html}");
        assert!(html.contains("内容：「6」；允许范围：1–5"), "{html}");
        assert!(html.contains("<td class=\"num\">5</td><td>资产编号</td>") && html.contains("内容：「A-1」；首次出现在第 2 行"), "{html}");
        assert!(!html.contains("is not one of") && !html.contains("already appears"), "{html}");
        assert!(!html.contains("name=\"token\""), "a failed check cannot be committed");
        assert_eq!((t.count("assets").await, t.count("audit_log").await), before);
        // Corrected, the check passes, shows the first rows and still writes nothing.
        let good = text.lines().take(3).map(|l| format!("{l}\r\n")).collect::<String>();
        let (gbk, _, _) = encoding_rs::GBK.encode(&good);
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("资产.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("共 2 行，没有问题") && html.contains("核心交换机"), "{html}");
        assert_eq!(t.count("assets").await, 0);
        let token = token_of(&html);
        // Nobody else can commit this upload.
        t.user_with("other", &[("security_admin", None)]).await;
        let other = sign_in(&t, "other", ADMIN_PASSWORD, "en").await;
        let other_csrf = csrf_of(&page(&t, &other, "/assets/import").await.text());
        let r = post_zh(&t, &other, "/assets/import/commit", &[("csrf", &other_csrf), ("token", &token)]).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert_eq!(t.count("assets").await, 0);
        // A checked file waits in the database, for an hour at most.
        assert_eq!(t.count("pending_uploads").await, 1);
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("C:\\Users\\li\\old.csv"), &gbk)]).await;
        let old_token = token_of(&r.text());
        assert!(r.text().contains(">old.csv<"), "the path is dropped from the name");
        t.raw_sql("UPDATE pending_uploads SET created_at = '2020-01-01T00:00:00.000000Z' WHERE file_name = 'old.csv'").await;
        let r = post_zh(&t, &cookie, "/assets/import/commit", &[("csrf", &csrf), ("token", &old_token)]).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert_eq!(t.count("assets").await, 0);
        // Committed, it is written with one audit entry naming the file's SHA-256.
        let r = post_zh(&t, &cookie, "/assets/import/commit", &[("csrf", &csrf), ("token", &token)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        assert_eq!(r.header("location"), Some("/assets/import?done=2,0,0"));
        let html = page(&t, &cookie, "/assets/import?done=2,0,0").await.text();
        assert!(html.contains("新增 2 条资产") && !html.contains("未作改动"), "{html}");
        assert_eq!(t.count("pending_uploads").await, 0);
        assert_eq!(t.count("assets").await, 2);
        let sha = castellan_app::asset::import::sha256_file(&{
            let p = std::env::temp_dir().join(format!("castellan-sha-{}.csv", std::process::id()));
            std::fs::write(&p, &gbk).unwrap();
            p
        }).unwrap();
        let entry = t.scalar("SELECT after_data FROM audit_log WHERE action = 'import'", &[]).await.unwrap();
        assert!(entry.contains(&sha), "{entry}");
        // The same upload cannot be imported twice.
        let r = post_zh(&t, &cookie, "/assets/import/commit", &[("csrf", &csrf), ("token", &token)]).await;
        assert_eq!(r.status, StatusCode::GONE);
        assert!(r.text().contains("重新上传"));
        assert_eq!(t.count("assets").await, 2);
        // Existing codes are refused unless updating was asked for.
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("again.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("该资产编号已登记"));
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("update_existing", None, b"1"), ("file", Some("again.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let html = r.text();
        assert!(html.contains("name=\"update_existing\" value=\"1\""), "{html}");
        let r = post_zh(&t, &cookie, "/assets/import/commit", &[("csrf", &csrf), ("token", &token_of(&html)), ("update_existing", "1")]).await;
        assert_eq!(r.header("location"), Some("/assets/import?done=0,0,2"));
        let html = page(&t, &cookie, "/assets/import?done=0,0,2").await.text();
        assert!(html.contains("另有 2 行与现有资产一致，未作改动"), "{html}");
        // No token, a forged token, no file, a broken file: refused, nothing stored.
        let r = upload(&t, &cookie, &[("file", Some("x.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = upload(&t, &cookie, &[("csrf", None, b"forged"), ("file", Some("x.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let long = vec![b'a'; 100_000];
        let r = upload(&t, &cookie, &[("csrf", None, &long), ("file", Some("x.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST);
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some(""), b"")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("请先选择"));
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("empty.csv"), b"")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("文件为空"), "{}", r.text());
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("q.csv"), b"code,name,category,confidentiality,integrity,availability\nA-9,\"broken,server,1,1,1\n")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("CSV 格式有误"), "{}", r.text());
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("fake.xlsx"), b"PK\x03\x04 not really a workbook")]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("assets").await, 2);
        // Staff cannot reach the page.
        t.user_with("worker", &[("staff", None)]).await;
        let staff = sign_in(&t, "worker", ADMIN_PASSWORD, "en").await;
        assert_eq!(page(&t, &staff, "/assets/import").await.status, StatusCode::FORBIDDEN);
        let r = upload(&t, &staff, &[("csrf", None, csrf.as_bytes()), ("file", Some("x.csv"), &gbk)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
    }

    async fn uploads_leave_no_file_behind_and_abandoned_ones_are_removed_at_start(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.listen = "127.0.0.1:0".into()).await;
        t.user_with("keeper", &[("security_admin", None)]).await;
        let cookie = sign_in_zh(&t, "keeper").await;
        let csrf = csrf_of(&page(&t, &cookie, "/assets/import").await.text());
        let dir = t.data_dir.join("uploads");
        let files = |dir: &std::path::Path| -> Vec<String> {
            std::fs::read_dir(dir).map(|d| d.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect()).unwrap_or_default()
        };
        let csv = b"code,name,category,confidentiality,integrity,availability\r\nU-1,Server,server,3,3,3\r\n";
        // Checked (passes), refused (bad row), refused (no CSRF): no file stays in either case.
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("ok.csv"), csv)]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let bad = b"code,name,category,confidentiality,integrity,availability\r\nU-2,Server,spaceship,3,3,3\r\n";
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("bad.csv"), bad)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = upload(&t, &cookie, &[("csrf", None, b"forged"), ("file", Some("x.csv"), csv)]).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(dir.is_dir(), "uploads live under the data directory");
        assert_eq!(files(&dir), Vec::<String>::new());
        // A file a killed server left behind is removed when the server starts; other files stay.
        std::fs::write(dir.join("left-by-a-crash.upload"), csv).unwrap();
        std::fs::write(dir.join("README"), b"not ours").unwrap();
        let server = castellan_web::Application::build(t.app.clone()).await.unwrap();
        assert_eq!(files(&dir), vec!["README".to_owned()]);
        drop(server);
    }

    async fn cookies_are_secure_whenever_the_request_came_over_https(b: Backend) {
        let secure = |r: &Resp, name: &str| -> bool {
            let c = r.headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok())
                .find(|c| c.starts_with(&format!("{name}="))).unwrap_or_else(|| panic!("no {name} cookie")).to_owned();
            c.split(';').any(|p| p.trim() == "Secure")
        };
        // Plain HTTP, and a client's own claim without a trusted proxy: not Secure.
        let t = TestApp::new(b).await;
        assert!(!secure(&t.get("/login").send().await, "castellan_pre"));
        assert!(!secure(&t.get("/login").header("x-forwarded-proto", "https").send().await, "castellan_pre"));
        drop(t);
        // Behind a trusted proxy that says HTTPS (either header): Secure, the session too.
        let t = TestApp::with_settings(b, |s| s.trust_forwarded_for = true).await;
        assert!(secure(&t.get("/login").header("x-forwarded-proto", "https").send().await, "castellan_pre"));
        assert!(secure(&t.get("/login").header("forwarded", "for=192.0.2.7;proto=https;host=isms.example").send().await, "castellan_pre"));
        assert!(!secure(&t.get("/login").header("x-forwarded-proto", "http").send().await, "castellan_pre"));
        let page = t.get("/login").header("x-forwarded-proto", "https").send().await;
        let pre = cookie_of(&page, "castellan_pre").unwrap();
        let csrf = csrf_of(&page.text());
        let r = t.post("/login").header("cookie", &format!("castellan_pre={pre}")).header("x-forwarded-proto", "https")
            .form(&[("csrf", &csrf), ("username", "admin"), ("password", ADMIN_PASSWORD), ("next", "/")]).send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(secure(&r, "castellan_session"));
        drop(t);
        // Configured: always Secure.
        let t = TestApp::with_settings(b, |s| s.secure_cookies = true).await;
        assert!(secure(&t.get("/login").send().await, "castellan_pre"));
    }

    async fn an_xlsx_with_an_oversized_cell_is_refused_on_the_import_page_in_both_languages(b: Backend) {
        let t = TestApp::new(b).await;
        t.user_with("keeper", &[("security_admin", None)]).await;
        // 1 MiB of one letter in a cell: a few kilobytes zipped, far past Excel's 32,767
        // characters.
        let big = "A".repeat(1 << 20);
        let cell = |r: &str, v: &str| format!("<c r=\"{r}\" t=\"inlineStr\"><is><t>{v}</t></is></c>");
        let header: String = ["code", "name", "category", "confidentiality", "integrity", "availability"]
            .iter().zip(["A1", "B1", "C1", "D1", "E1", "F1"]).map(|(v, r)| cell(r, v)).collect();
        let row: String = [("A2", "X-1"), ("B2", big.as_str()), ("C2", "server"), ("D2", "3"), ("E2", "3"), ("F2", "3")]
            .iter().map(|(r, v)| cell(r, v)).collect();
        let sheet = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\
             <row r=\"1\">{header}</row><row r=\"2\">{row}</row></sheetData></worksheet>"
        );
        let bomb = xlsx_with_sheet(&sheet);
        assert!(bomb.len() < 64 * 1024, "{} bytes", bomb.len());
        let before = (t.count("assets").await,);
        let cookie = sign_in_zh(&t, "keeper").await;
        let csrf = csrf_of(&page(&t, &cookie, "/assets/import").await.text());
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("bomb.xlsx"), &bomb)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text();
        assert!(html.contains("某个单元格的字符数超出电子表格单元格的上限") && html.contains("单元格 B2") && html.contains("上限：32767"), "{html}");
        assert!(!html.contains("is longer than"), "no English on the Chinese page");
        t.user_with("keeper2", &[("security_admin", None)]).await;
        let en = sign_in(&t, "keeper2", ADMIN_PASSWORD, "en").await;
        let csrf = csrf_of(&page(&t, &en, "/assets/import").await.text());
        let (content_type, body) = multipart(&[("csrf", None, csrf.as_bytes()), ("file", Some("bomb.xlsx"), &bomb)]);
        let r = t.post("/assets/import").header("cookie", &en).header("accept-language", "en").raw(&content_type, body).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("cell B2 is longer than 32,767 characters"), "{}", r.text());
        assert_eq!(t.count("assets").await, before.0);
        let imports = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity_type LIKE 'asset%'", &[]).await;
        assert_eq!(imports.as_deref(), Some("0"), "nothing about assets was recorded");
    }

    async fn an_upload_over_the_limit_is_refused_with_a_readable_page(b: Backend) {
        let t = TestApp::with_settings(b, |s| s.upload_limit_bytes = 4096).await;
        t.user_with("keeper", &[("security_admin", None)]).await;
        let cookie = sign_in_zh(&t, "keeper").await;
        let csrf = csrf_of(&page(&t, &cookie, "/assets/import").await.text());
        let mut big = b"code,name,category,confidentiality,integrity,availability\r\n".to_vec();
        for i in 0..400 {
            big.extend_from_slice(format!("BIG-{i},Server {i},server,3,3,3\r\n").as_bytes());
        }
        assert!(big.len() > 4096 && big.len() < 4096 + 64 * 1024);
        // Within the declared slack, so the size is found while reading.
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("big.csv"), &big)]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert!(r.text().contains("文件超过导入页面允许的 4.0 KiB"), "{}", r.text());
        // Declared too large: refused before reading.
        let huge = vec![b'x'; 200 * 1024];
        let r = upload(&t, &cookie, &[("csrf", None, csrf.as_bytes()), ("file", Some("huge.csv"), &huge)]).await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(t.count("assets").await, 0);
    }
}

/// The page text outside tags, attribute-free.
pub(crate) fn visible_text(html: &str) -> String {
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
pub(crate) fn english_texts() -> Vec<String> {
    castellan_web::ui::i18n::all_texts()
        .into_iter()
        .filter(|(_, en, zh)| en != zh && en.len() >= 12 && !en.contains('{'))
        .map(|(_, en, _)| en.to_owned())
        .collect()
}

/// Chinese UI texts.
pub(crate) fn chinese_texts() -> Vec<String> {
    castellan_web::ui::i18n::all_texts()
        .into_iter()
        .filter(|(_, en, zh)| en != zh && zh.chars().count() >= 4 && !zh.contains('{'))
        .map(|(_, _, zh)| zh.to_owned())
        .collect()
}

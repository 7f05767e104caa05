//! The three assessment reports (SPEC §4.5) in HTML, XLSX and DOCX, in both languages.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::json;
use std::io::Read;

fn unzip(bytes: &[u8], name: &str) -> String {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip package");
    let mut entry = archive
        .by_name(name)
        .unwrap_or_else(|_| panic!("{name} in the package"));
    let mut s = String::new();
    entry.read_to_string(&mut s).unwrap();
    s
}

fn entries(bytes: &[u8]) -> Vec<String> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    archive
        .file_names()
        .map(|n| n.unwrap().into_owned())
        .collect()
}

/// An assessment with a rated, accepted and approved high risk, a finding and a plan item.
async fn assessment(t: &TestApp) -> (i64, String) {
    let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
    let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
    let (_, committee) = t.user_with("chair", &[("committee", None)]).await;
    let asset = t
        .post("/api/v1/assets")
        .token(&keeper)
        .json(&json!({"code": "=HYPERLINK(1)", "name": "核心数据库 <b>",
        "category": "database", "confidentiality": 5, "integrity": 5, "availability": 4}))
        .send()
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    t.post("/api/v1/vulnerabilities")
        .token(&keeper)
        .json(&json!({"asset_id": asset, "title": "弱口令", "severity": 4, "found_by": "pentest"}))
        .send()
        .await;
    let a = t
        .post("/api/v1/assessments")
        .token(&analyst)
        .json(&json!({"name": "2026 年度评估", "asset_ids": [asset]}))
        .send()
        .await
        .json();
    let id = a["id"].as_i64().unwrap();
    let go = |to: &'static str| {
        let t = &t;
        let analyst = analyst.clone();
        async move {
            let r = t
                .post(&format!("/api/v1/assessments/{id}/transitions"))
                .token(&analyst)
                .json(&json!({"to": to}))
                .send()
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        }
    };
    go("identification").await;
    let threat = t
        .get("/api/v1/threats?q=T001")
        .token(&analyst)
        .send()
        .await
        .json()["items"][0]["id"]
        .as_i64()
        .unwrap();
    let r = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst)
        .json(&json!({"asset_id": asset, "threat_id": threat, "threat_frequency": 5, "vulnerability_severity": 5})).send().await.json();
    let rid = r["id"].as_i64().unwrap();
    go("analysis").await;
    go("treatment_planning").await;
    let r = t
        .patch(&format!("/api/v1/assessments/{id}/risks/{rid}"))
        .token(&analyst)
        .if_match(r["version"].as_i64().unwrap())
        .json(&json!({"treatment": "accept"}))
        .send()
        .await
        .json();
    t.post(&format!("/api/v1/assessments/{id}/risks/{rid}/approval"))
        .token(&committee)
        .if_match(r["version"].as_i64().unwrap())
        .json(&json!({"comment": "同意接受"}))
        .send()
        .await;
    let item = t
        .post(&format!(
            "/api/v1/assessments/{id}/risks/{rid}/treatment-items"
        ))
        .token(&analyst)
        .json(&json!({"measure": "启用双因素认证", "due_on": "2020-01-31"}))
        .send()
        .await;
    assert_eq!(item.status, StatusCode::CREATED, "{}", item.text());
    (id, analyst)
}

both! {
    async fn the_three_reports_come_as_web_page_workbook_and_document_in_both_languages(b: Backend) {
        let t = TestApp::new(b).await;
        let (id, token) = assessment(&t).await;
        let base = format!("/api/v1/assessments/{id}/reports");

        // Web page, Chinese: headings, the register, escaped content, a print stylesheet.
        let r = t.get(&format!("{base}/assessment?lang=zh-CN")).token(&token).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert!(r.header("content-type").unwrap().starts_with("text/html"));
        let html = r.text();
        for needle in ["风险评估报告", "一、评估概况", "二、评估方法与分级标准", "七、风险分析", "风险热力图", "审批记录",
                       "勒索", "弱口令", "核心数据库 &lt;b&gt;", "/static/report."] {
            assert!(html.contains(needle), "{needle} missing");
        }
        assert!(!html.contains("<b>") && !html.contains("style=") && !html.contains("<script"));
        let css = html.split("/static/report.").nth(1).unwrap().split('"').next().unwrap();
        let sheet = t.get(&format!("/static/report.{css}")).send().await;
        assert_eq!(sheet.status, StatusCode::OK);
        assert!(sheet.text().contains("@page"));
        // English, from the caller's language.
        let en = t.get(&format!("{base}/treatment-plan")).token(&token).header("accept-language", "en-US").send().await.text();
        assert!(en.contains("Risk treatment plan") && en.contains("启用双因素认证") && en.contains("overdue"), "{en}");
        let residual = t.get(&format!("{base}/residual?lang=en")).token(&token).send().await.text();
        assert!(residual.contains("Residual risk assessment report"));

        // Workbook: frozen header, filters, the formula-like asset ID kept as text.
        let x = t.get(&format!("{base}/assessment?format=xlsx&lang=zh-CN")).token(&token).send().await;
        assert_eq!(x.status, StatusCode::OK);
        assert!(x.header("content-disposition").unwrap().contains("attachment"));
        let names = entries(&x.body);
        let sheets: Vec<&String> = names.iter().filter(|n| n.starts_with("xl/worksheets/sheet")).collect();
        assert!(sheets.len() >= 6, "{names:?}");
        let workbook = unzip(&x.body, "xl/workbook.xml");
        assert!(workbook.contains("风险清单") && workbook.contains("资产清单"), "{workbook}");
        let all_sheets: String = sheets.iter().map(|s| unzip(&x.body, s)).collect();
        assert!(all_sheets.contains("ySplit=\"1\"") && all_sheets.contains("<autoFilter"));
        assert!(!all_sheets.contains("<f>"), "no formula in a report");
        assert!(unzip(&x.body, "xl/sharedStrings.xml").contains("=HYPERLINK(1)"));

        // Printable document: Chinese text with an East Asian font setting.
        let d = t.get(&format!("{base}/assessment?format=docx&lang=zh-CN")).token(&token).send().await;
        assert_eq!(d.status, StatusCode::OK);
        assert!(d.header("content-type").unwrap().contains("wordprocessingml"));
        let body = unzip(&d.body, "word/document.xml");
        for needle in ["风险评估报告", "勒索", "同意接受", "弱口令"] {
            assert!(body.contains(needle), "{needle} missing from {}", &body[..body.len().min(3000)]);
        }
        assert!(unzip(&d.body, "word/styles.xml").contains("zh-CN"));

        // Bad requests say which part is wrong; others may not read; unknown ones are 404.
        let p = t.get(&format!("{base}/summary?format=pdf&lang=fr")).token(&token).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["kind", "format", "lang"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        let (_, staff) = t.user_with("worker", &[("staff", None)]).await;
        t.get(&format!("{base}/assessment")).token(&staff).send().await.problem(StatusCode::FORBIDDEN);
        t.get("/api/v1/assessments/999999/reports/assessment").token(&token).send().await.problem(StatusCode::NOT_FOUND);
    }
}

//! The threat catalog as a file (SPEC §4.1): CSV and YAML export of every entry, import by
//! code with Chinese headers and labels, all or nothing with every bad line reported, dry
//! runs, GBK files, permissions and one audit entry per import.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

const CSV_HEADER: &str =
    "code,source,path,method,name_en,name_zh,description_en,description_zh,active";

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

async fn export(t: &TestApp, token: &str, format: &str) -> Resp {
    t.get(&format!("/api/v1/threats/export?format={format}"))
        .token(token)
        .send()
        .await
}

async fn import(t: &TestApp, token: &str, query: &str, body: impl Into<Vec<u8>>) -> Resp {
    let content_type = if query.contains("yaml") {
        "application/yaml"
    } else {
        "text/csv"
    };
    t.post(&format!("/api/v1/threats/import?{query}"))
        .token(token)
        .raw(content_type, body.into())
        .send()
        .await
}

/// The threats and the audit entries, to show that a refused import wrote nothing.
async fn counts(t: &TestApp) -> (i64, i64) {
    (t.count("threats").await, t.count("audit_log").await)
}

async fn threat(t: &TestApp, code: &str) -> Value {
    let mut rows = t
        .rows(&format!(
            "SELECT code, source, path, method, name_en, name_zh, description_zh, builtin, active, version FROM threats WHERE code = '{code}'"
        ))
        .await;
    assert_eq!(rows.len(), 1, "threat {code}");
    let mut r = rows.remove(0);
    json!({
        "code": r.take::<String, _>("code").unwrap(),
        "source": r.take::<String, _>("source").unwrap(),
        "path": r.take::<String, _>("path").unwrap(),
        "method": r.take::<String, _>("method").unwrap(),
        "name_en": r.take::<String, _>("name_en").unwrap(),
        "name_zh": r.take::<String, _>("name_zh").unwrap(),
        "description_zh": r.take::<String, _>("description_zh").unwrap(),
        "builtin": r.take::<i64, _>("builtin").unwrap(),
        "active": r.take::<i64, _>("active").unwrap(),
        "version": r.take::<i64, _>("version").unwrap(),
    })
}

/// The import entries of the audit trail: (entity id, after data).
async fn import_entries(t: &TestApp) -> Vec<(String, Value)> {
    t.rows("SELECT entity_id, after_data FROM audit_log WHERE action = 'import' AND entity_type = 'threat' ORDER BY seq")
        .await
        .into_iter()
        .map(|mut r| {
            let id = r.take::<String, _>("entity_id").unwrap();
            let after = r.take::<String, _>("after_data").unwrap();
            (id, serde_json::from_str(&after).unwrap())
        })
        .collect()
}

/// The problem rows of a refused import: (line, column, reason).
fn problems(doc: &Value) -> Vec<(u64, String, String)> {
    doc["rows"]
        .as_array()
        .unwrap_or_else(|| panic!("no rows: {doc}"))
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["column"].as_str().unwrap_or_default().to_owned(),
                r["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

both! {
    async fn the_export_holds_every_threat_in_both_formats(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        // A retired entry is exported too.
        let id = t.rows("SELECT id FROM threats WHERE code = 'T002'").await.remove(0).take::<i64, _>("id").unwrap();
        ok(t.patch(&format!("/api/v1/threats/{id}")).token(&analyst).if_match(1).json(&json!({"active": false})).send().await);
        let total = t.count("threats").await as usize;
        assert!(total >= 45, "{total} shipped threats");

        let csv = export(&t, &analyst, "csv").await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.text());
        assert_eq!(csv.header("content-type"), Some("text/csv; charset=utf-8"));
        assert_eq!(csv.header("content-disposition"), Some("attachment; filename=\"threats.csv\""));
        assert!(csv.body.starts_with(b"\xEF\xBB\xBF"), "UTF-8 byte-order mark");
        let text = String::from_utf8(csv.body[3..].to_vec()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines[0], CSV_HEADER);
        assert_eq!(lines.len(), total + 1, "one line per threat");
        assert!(lines[1].starts_with("T001,human_malicious,network,malware,Ransomware infection,勒索软件感染,"), "{}", lines[1]);
        assert!(lines[1].ends_with(",true"));
        assert!(lines[2].starts_with("T002,") && lines[2].ends_with(",false"), "retired: {}", lines[2]);
        // Code order.
        let codes: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap()).collect();
        let mut sorted = codes.clone();
        sorted.sort_unstable();
        assert_eq!(codes, sorted);

        let yaml = export(&t, &analyst, "yaml").await;
        assert_eq!(yaml.status, StatusCode::OK, "{}", yaml.text());
        assert_eq!(yaml.header("content-type"), Some("application/yaml"));
        assert_eq!(yaml.header("content-disposition"), Some("attachment; filename=\"threats.yaml\""));
        let entries: Vec<serde_json::Map<String, Value>> = serde_yaml_ng::from_slice(&yaml.body).unwrap();
        assert_eq!(entries.len(), total);
        let ordered: Vec<serde_yaml_ng::Mapping> = serde_yaml_ng::from_slice(&yaml.body).unwrap();
        let keys: Vec<&str> = ordered[0].keys().map(|k| k.as_str().unwrap()).collect();
        assert_eq!(keys.join(","), CSV_HEADER, "the API field names, in order");
        assert!(entries.iter().all(|e| !e["name_zh"].as_str().unwrap().is_empty() && e["active"].is_boolean()));
        assert_eq!(entries[0]["name_zh"], "勒索软件感染");
        assert_eq!(entries[1]["active"], false);
        // Chinese is written as text, not escaped.
        assert!(yaml.text().contains("勒索软件感染"));

        // An unknown format is refused; the export path is not taken for a threat id.
        let bad = export(&t, &analyst, "xlsx").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad["errors"]["format"].is_string(), "{bad}");
        let default = t.get("/api/v1/threats/export").token(&analyst).send().await;
        assert_eq!(default.header("content-type"), Some("text/csv; charset=utf-8"));

        // Both operations are in the API document, with their permission and the row problems.
        let spec = t.get("/api/v1/openapi.json").send().await.json();
        let paths = &spec["paths"];
        assert_eq!(paths["/api/v1/threats/export"]["get"]["x-permission"], "threat:read");
        assert_eq!(paths["/api/v1/threats/import"]["post"]["x-permission"], "threat:create");
        assert!(paths["/api/v1/threats/import"]["post"]["requestBody"]["content"]["text/csv"].is_object());
        assert!(spec["components"]["schemas"]["RowProblem"].is_object(), "{}", spec["components"]["schemas"]["Problem"]);
        assert!(spec["components"]["schemas"]["ThreatImportReport"].is_object());
    }

    async fn a_yaml_round_trip_changes_only_what_was_edited(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let total = t.count("threats").await as u64;
        let yaml = export(&t, &analyst, "yaml").await;
        let mut entries: Vec<serde_json::Map<String, Value>> = serde_yaml_ng::from_slice(&yaml.body).unwrap();
        let t003 = entries.iter_mut().find(|e| e["code"] == "T003").unwrap();
        t003.insert("name_zh".into(), json!("挖矿木马（本单位措辞）"));
        let edited = serde_yaml_ng::to_string(&entries).unwrap();
        let audit_before = t.count("audit_log").await;

        let report = ok(import(&t, &analyst, "format=yaml", edited.clone()).await);
        assert_eq!((report["created"].as_u64(), report["updated"].as_u64(), report["unchanged"].as_u64()),
            (Some(0), Some(1), Some(total - 1)), "{report}");
        assert_eq!(report["written"], true);
        assert_eq!(report["errors"], json!([]));
        let changed = threat(&t, "T003").await;
        assert_eq!(changed["name_zh"], "挖矿木马（本单位措辞）");
        assert_eq!(changed["builtin"], 1, "a shipped entry stays shipped");
        assert_eq!(changed["version"], 2);
        assert_eq!(threat(&t, "T001").await["version"], 1, "unchanged entries are not rewritten");

        // Exactly one audit entry, naming the file and the counts.
        assert_eq!(t.count("audit_log").await, audit_before + 1);
        let entries = import_entries(&t).await;
        assert_eq!(entries.len(), 1);
        let (id, after) = &entries[0];
        assert_eq!(id, "import");
        assert_eq!(after["sha256"], report["sha256"]);
        assert_eq!(after["sha256"].as_str().unwrap().len(), 64);
        assert_eq!((after["updated"].as_u64(), after["created"].as_u64()), (Some(1), Some(0)));
        assert_eq!(after["updated_codes"], json!(["T003"]));

        // The same file again changes nothing (and is still one audit entry).
        let again = ok(import(&t, &analyst, "format=yaml", edited).await);
        assert_eq!((again["updated"].as_u64(), again["unchanged"].as_u64()), (Some(0), Some(total)));
        assert_eq!(import_entries(&t).await.len(), 2);

        // A CSV export imports back unchanged (byte-order mark, CRLF, quoting).
        let csv = export(&t, &analyst, "csv").await;
        let back = ok(import(&t, &analyst, "format=csv", csv.body).await);
        assert_eq!((back["created"].as_u64(), back["updated"].as_u64(), back["unchanged"].as_u64()),
            (Some(0), Some(0), Some(total)), "{back}");
    }

    async fn chinese_headers_and_labels_create_a_custom_threat(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let before = t.count("threats").await;
        let file = "编号,威胁来源,威胁途径,威胁方式,英文名称,中文名称,英文描述,中文描述,启用\r\n\
            ORG-01,人为恶意,网络,恶意代码,USB worm,U盘蠕虫,\"Spreads from USB sticks, then the network.\",经U盘传播后在内网扩散。,是\r\n\
            ORG-02,\"Human, accidental\",Physical,Operational error,Spilled coffee,咖啡泼洒,,,否\r\n\
            T001,human_malicious,network,malware,Ransomware,勒索软件（改）,,,\r\n";
        let report = ok(import(&t, &analyst, "format=csv", file).await);
        assert_eq!((report["created"].as_u64(), report["updated"].as_u64()), (Some(2), Some(1)), "{report}");
        assert_eq!(report["rows"], 3);
        assert_eq!(t.count("threats").await, before + 2);
        let usb = threat(&t, "ORG-01").await;
        assert_eq!((usb["source"].as_str(), usb["path"].as_str(), usb["method"].as_str()),
            (Some("human_malicious"), Some("network"), Some("malware")));
        assert_eq!((usb["builtin"].as_i64(), usb["active"].as_i64()), (Some(0), Some(1)));
        assert_eq!(usb["description_zh"], "经U盘传播后在内网扩散。");
        let coffee = threat(&t, "ORG-02").await;
        assert_eq!((coffee["source"].as_str(), coffee["path"].as_str(), coffee["method"].as_str(), coffee["active"].as_i64()),
            (Some("human_accidental"), Some("physical"), Some("operational_error"), Some(0)));
        // A shipped entry reworded: blank descriptions clear them, a blank `active` is true.
        let t001 = threat(&t, "T001").await;
        assert_eq!((t001["name_zh"].as_str(), t001["description_zh"].as_str(), t001["builtin"].as_i64()),
            (Some("勒索软件（改）"), Some(""), Some(1)));
        // The new entries are the organization's own, visible through the API.
        let listed = ok(t.get("/api/v1/threats?q=ORG-0").token(&analyst).send().await);
        assert_eq!(listed["items"].as_array().unwrap().len(), 2);
        assert!(listed["items"].as_array().unwrap().iter().all(|x| x["builtin"] == false));
    }

    async fn a_yaml_file_takes_labels_and_names_its_entries(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let good = "- code: ORG-Y1\n  source: 环境因素\n  path: other\n  method: Natural disaster\n  name_en: Typhoon\n  name_zh: 台风\n  description_en: |\n    Strong winds.\n    Flooding.\n  active: true\n";
        let report = ok(import(&t, &analyst, "format=yaml", good).await);
        assert_eq!(report["created"], 1, "{report}");
        let typhoon = threat(&t, "ORG-Y1").await;
        assert_eq!((typhoon["source"].as_str(), typhoon["method"].as_str()), (Some("environmental"), Some("natural_disaster")));

        let (threats, audit) = counts(&t).await;
        // Entry 1 fine, entry 2 an unknown method, entry 3 without name_zh, entry 4 not a
        // mapping, entry 5 repeats entry 1's code, entry 6 a list where a name belongs.
        let bad = "- {code: ORG-Y2, source: human_malicious, path: network, method: malware, name_en: A, name_zh: 甲}\n\
            - {code: ORG-Y3, source: human_malicious, path: network, method: telepathy, name_en: B, name_zh: 乙}\n\
            - {code: ORG-Y4, source: human_malicious, path: network, method: malware, name_en: C}\n\
            - just text\n\
            - {code: ORG-Y2, source: human_malicious, path: network, method: malware, name_en: D, name_zh: 丁}\n\
            - {code: ORG-Y5, source: human_malicious, path: network, method: malware, name_en: [E], name_zh: 戊, colour: red}\n";
        let doc = import(&t, &analyst, "format=yaml", bad).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let rows = problems(&doc);
        for expected in [
            (2, "method", "unknown_value"),
            (3, "name_zh", "required"),
            (4, "", "invalid"),
            (5, "code", "duplicate_in_file"),
            (6, "name_en", "invalid"),
            (6, "", "unknown_column"),
        ] {
            assert!(rows.iter().any(|(l, c, r)| (*l, c.as_str(), r.as_str()) == expected), "{expected:?} in {rows:?}");
        }
        assert!(rows.iter().all(|(l, _, _)| *l != 1), "entry 1 is fine: {rows:?}");
        assert_eq!(rows.iter().filter(|(l, _, _)| *l == 6).count(), 2, "no follow-up error for the list: {rows:?}");
        assert_eq!(counts(&t).await, (threats, audit));

        for (file, reason) in [("", "empty_file"), ("[]", "no_rows"), ("code: T001\n", "malformed"), ("- [unclosed\n", "malformed")] {
            let doc = import(&t, &analyst, "format=yaml", file).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
            assert_eq!(problems(&doc), vec![(0, String::new(), reason.to_owned())], "{file:?}");
        }
    }

    async fn a_bad_file_writes_nothing_and_names_every_line(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (threats, audit) = counts(&t).await;
        let long = "长".repeat(201);
        let file = format!("{CSV_HEADER}\r\n\
            ORG-1,human_malicious,network,malware,Fine,正常,,,\r\n\
            ORG-2,aliens,network,malware,Unknown source,未知来源,,,\r\n\
            ORG-3,human_malicious,network,malware,,空英文名,,,\r\n\
            ORG-1,human_malicious,network,malware,Again,重复,,,\r\n\
            has space,human_malicious,network,malware,Bad code,错误编号,,,\r\n\
            ORG-6,human_malicious,,malware,Too long,{long},,,maybe\r\n");
        let doc = import(&t, &analyst, "format=csv", file).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(doc["type"], "urn:castellan:problem:invalid_file");
        let rows = problems(&doc);
        let expected: Vec<(u64, String, String)> = [
            (3, "source", "unknown_value"),
            (4, "name_en", "required"),
            (5, "code", "duplicate_in_file"),
            (6, "code", "invalid"),
            (7, "active", "unknown_value"),
            (7, "path", "required"),
            (7, "name_zh", "too_long"),
        ]
        .iter()
        .map(|(l, c, r)| (*l, (*c).to_owned(), (*r).to_owned()))
        .collect();
        let mut got = rows.clone();
        got.sort();
        let mut want = expected.clone();
        want.sort();
        assert_eq!(got, want, "{doc}");
        let detail = doc["rows"].as_array().unwrap().iter().find(|r| r["line"] == 3).unwrap()["detail"].as_str().unwrap();
        assert!(detail.contains("aliens") && detail.contains("human_malicious"), "{detail}");
        assert_eq!(counts(&t).await, (threats, audit), "nothing written, no audit entry");
        assert!(t.rows("SELECT id FROM threats WHERE code = 'ORG-1'").await.is_empty());

        // A missing required column is a problem of the whole file; the rows are still checked.
        let file = "code,source,path,method,name_en\r\nORG-7,human_malicious,network,malware,No Chinese name\r\nORG-8,human_malicious,network,gremlins,Bad method\r\n";
        let doc = import(&t, &analyst, "format=csv", file).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems(&doc), vec![
            (0, "name_zh".to_owned(), "missing_column".to_owned()),
            (3, "method".to_owned(), "unknown_value".to_owned()),
        ]);
        // Unknown columns, empty files and header-only files.
        let doc = import(&t, &analyst, "format=csv", format!("{CSV_HEADER},colour\r\nORG-9,human_malicious,network,malware,X,某,,,,red\r\n")).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems(&doc), vec![(0, String::new(), "unknown_column".to_owned())]);
        let doc = import(&t, &analyst, "format=csv", "").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems(&doc), vec![(0, String::new(), "empty_file".to_owned())]);
        let doc = import(&t, &analyst, "format=csv", format!("{CSV_HEADER}\r\n")).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems(&doc), vec![(0, String::new(), "no_rows".to_owned())]);
        // More than 10,000 threats.
        let mut many = format!("{CSV_HEADER}\r\n");
        for i in 0..10_001 {
            many.push_str(&format!("M{i},human_malicious,network,malware,Many,许多,,,\r\n"));
        }
        let doc = import(&t, &analyst, "format=csv", many).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problems(&doc), vec![(0, String::new(), "too_many_rows".to_owned())]);
        assert_eq!(counts(&t).await, (threats, audit));
    }

    async fn a_dry_run_reports_and_writes_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (threats, audit) = counts(&t).await;
        let file = format!("{CSV_HEADER}\r\nORG-1,human_malicious,network,malware,New,新的,,,\r\nT001,human_malicious,network,malware,Ransomware infection,勒索（改）,,,\r\n");
        let report = ok(import(&t, &analyst, "format=csv&dry_run=true", file.clone()).await);
        assert_eq!((report["created"].as_u64(), report["updated"].as_u64(), report["dry_run"].as_bool(), report["written"].as_bool()),
            (Some(1), Some(1), Some(true), Some(false)), "{report}");
        assert_eq!(counts(&t).await, (threats, audit));
        assert_eq!(threat(&t, "T001").await["name_zh"], "勒索软件感染");
        // A dry run of a bad file answers 200 with the problems.
        let bad = ok(import(&t, &analyst, "format=csv&dry_run=true", format!("{CSV_HEADER}\r\nORG-2,aliens,network,malware,X,某,,,\r\n")).await);
        assert_eq!(bad["errors"][0]["line"], 2);
        assert_eq!(bad["errors"][0]["reason"], "unknown_value");
        assert_eq!(bad["written"], false);
        assert_eq!(counts(&t).await, (threats, audit));
        // The same file for real.
        let done = ok(import(&t, &analyst, "format=csv&dry_run=false", file).await);
        assert_eq!((done["created"].as_u64(), done["updated"].as_u64(), done["written"].as_bool()), (Some(1), Some(1), Some(true)));
        assert_eq!(counts(&t).await, (threats + 1, audit + 1));
    }

    async fn a_gbk_csv_imports(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let text = "编号,威胁来源,威胁途径,威胁方式,英文名称,中文名称,中文描述\r\nORG-G1,人为恶意,供应链,篡改,Tampered update,供应商升级包被篡改,攻击者篡改供应商发布的升级包。\r\n";
        let (gbk, _, unmappable) = encoding_rs::GB18030.encode(text);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
        let report = ok(import(&t, &analyst, "format=csv", gbk.into_owned()).await);
        assert_eq!(report["created"], 1, "{report}");
        let g = threat(&t, "ORG-G1").await;
        assert_eq!((g["name_zh"].as_str(), g["path"].as_str(), g["method"].as_str()),
            (Some("供应商升级包被篡改"), Some("supply_chain"), Some("tampering")));
        assert_eq!(g["description_zh"], "攻击者篡改供应商发布的升级包。");
    }

    async fn only_risk_analysts_import_and_staff_cannot_export(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, staff) = t.user_with("worker", &[("staff", None)]).await;
        let (_, auditor) = t.user_with("auditor", &[("auditor", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, assessor) = t.user_with("assessor", &[("assessor", None)]).await;
        let file = format!("{CSV_HEADER}\r\nORG-P1,human_malicious,network,malware,P,权限,,,\r\n");
        let (threats, audit) = counts(&t).await;

        export(&t, &staff, "csv").await.problem(StatusCode::FORBIDDEN);
        import(&t, &staff, "format=csv", file.clone()).await.problem(StatusCode::FORBIDDEN);
        // Auditors read the catalog but do not change it.
        assert_eq!(export(&t, &auditor, "yaml").await.status, StatusCode::OK);
        import(&t, &auditor, "format=csv", file.clone()).await.problem(StatusCode::FORBIDDEN);
        import(&t, &auditor, "format=csv&dry_run=true", file.clone()).await.problem(StatusCode::FORBIDDEN);
        t.post("/api/v1/threats/import").raw("text/csv", file.clone()).send().await.problem(StatusCode::UNAUTHORIZED);
        assert_eq!(counts(&t).await, (threats, audit));
        // Security officers and assessors hold threat:create and threat:update.
        assert_eq!(ok(import(&t, &officer, "format=csv", file).await)["created"], 1);
        let yaml = "- {code: ORG-P2, source: human_malicious, path: network, method: malware, name_en: Q, name_zh: 权限二}\n";
        assert_eq!(ok(import(&t, &assessor, "format=yaml", yaml).await)["created"], 1);
        assert_eq!(counts(&t).await, (threats + 2, audit + 2), "one audit entry per import");
        let actors: Vec<String> = t.rows("SELECT actor FROM audit_log WHERE action = 'import' AND entity_type = 'threat' ORDER BY seq").await
            .into_iter().map(|mut r| r.take::<String, _>("actor").unwrap()).collect();
        assert_eq!(actors, ["officer", "assessor"]);
    }

    async fn an_oversized_body_is_refused_cleanly(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (threats, audit) = counts(&t).await;
        let mut big = format!("{CSV_HEADER}\r\n").into_bytes();
        big.resize(6 * 1024 * 1024, b'x');
        let doc = import(&t, &analyst, "format=csv", big.clone()).await.problem(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(doc["type"], "urn:castellan:problem:payload_too_large");
        // The declared length alone is enough to refuse it.
        let r = t.post("/api/v1/threats/import?format=csv").token(&analyst)
            .header("content-length", &big.len().to_string()).raw("text/csv", big).send().await;
        r.problem(StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(counts(&t).await, (threats, audit));
        // A format the import does not know.
        let doc = import(&t, &analyst, "format=xlsx", "x").await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(doc["errors"]["format"].is_string(), "{doc}");
    }
}

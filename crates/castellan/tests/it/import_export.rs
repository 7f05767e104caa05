//! Importing and exporting assets (SPEC §3): encodings, per-row errors, all-or-nothing,
//! one audit entry per import, formula-safe round trips.

use crate::both;
use crate::harness::TestApp;
use castellan_app::asset::assets::AssetQuery;
use castellan_app::asset::export::{self, ExportFormat};
use castellan_app::asset::import::{self, ImportOptions, ImportReport};
use castellan_app::{Ctx, RequestMeta};
use castellan_domain::Lang;
use castellan_tabular::{Format, ReadOptions, TableReader};

async fn import_bytes(
    t: &TestApp,
    bytes: Vec<u8>,
    format: Format,
    options: ImportOptions,
) -> ImportReport {
    let reader = match TableReader::from_reader(
        std::io::Cursor::new(bytes),
        format,
        &ReadOptions::default(),
    ) {
        Ok(r) => r,
        Err(e) => {
            return ImportReport {
                errors: vec![import::RowError {
                    line: 0,
                    column: None,
                    code: e.code().into(),
                    reason: e.to_string(),
                    ..import::RowError::default()
                }],
                rolled_back: true,
                ..ImportReport::default()
            };
        }
    };
    import::import_assets(
        &t.app,
        &Ctx::system(RequestMeta::default()),
        reader,
        "0123",
        options,
        |_| {},
    )
    .await
    .unwrap()
}

const HEADER_ZH: &str =
    "资产编号,资产名称,资产类别,所属部门,责任人,机密性,完整性,可用性,状态,标签,备注\r\n";

both! {
    async fn a_gbk_file_with_one_bad_row_writes_nothing_and_names_the_line(b: Backend) {
        let t = TestApp::new(b).await;
        t.department("信息中心", None).await;
        let text = format!("{HEADER_ZH}A-1,核心交换机,网络设备,信息中心,admin,5,4,4,在用,生产;等保三级,\"华为, S6730\"\r\nA-2,防火墙,security_device,,,3,3,3,,,\r\nA-3,服务器,飞船,不存在的部门,nobody,6,0,x,,,\r\nA-1,重复,server,,,1,1,1,,,\r\n");
        let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
        let before = (t.count("assets").await, t.count("audit_log").await);
        let r = import_bytes(&t, gbk.into_owned(), Format::Csv, ImportOptions::default()).await;
        assert!(r.rolled_back);
        let mut found: Vec<(u64, Option<&str>, &str)> = r.errors.iter().map(|e| (e.line, e.column.as_deref(), e.code.as_str())).collect();
        found.sort();
        assert_eq!(found, vec![
            (4, Some("availability"), "invalid"),
            (4, Some("category"), "unknown_value"),
            (4, Some("confidentiality"), "out_of_range"),
            (4, Some("department"), "no_such_department"),
            (4, Some("integrity"), "out_of_range"),
            (4, Some("owner"), "no_such_user"),
            (5, Some("code"), "duplicate_in_file"),
        ], "{:?}", r.errors);
        // Each problem carries its specifics as data, for messages in any language.
        let of = |column: &str| r.errors.iter().find(|e| e.column.as_deref() == Some(column)).unwrap();
        assert_eq!(of("category").value.as_deref(), Some("飞船"));
        assert!(of("category").allowed.iter().any(|a| a == "network_device"), "{:?}", of("category"));
        assert_eq!((of("confidentiality").value.as_deref(), of("confidentiality").min, of("confidentiality").max), (Some("6"), Some(1), Some(5)));
        assert_eq!(of("department").value.as_deref(), Some("不存在的部门"));
        assert_eq!(of("owner").value.as_deref(), Some("nobody"));
        assert_eq!((of("code").value.as_deref(), of("code").first_line), (Some("A-1"), Some(2)));
        let json = serde_json::to_value(of("code")).unwrap();
        assert!(json.get("min").is_none() && json.get("allowed").is_none(), "{json}");
        assert_eq!((t.count("assets").await, t.count("audit_log").await), before);
        // Without the bad rows the same file goes in, with labels and codes mixed.
        let good: String = text.lines().take(3).map(|l| format!("{l}\r\n")).collect();
        let (gbk, _, _) = encoding_rs::GBK.encode(&good);
        let r = import_bytes(&t, gbk.into_owned(), Format::Csv, ImportOptions::default()).await;
        assert!(!r.rolled_back, "{:?}", r.errors);
        assert_eq!((r.rows, r.created), (2, 2));
        let a = t.get("/api/v1/assets?q=a-1").token(&t.user_with("reader", &[("auditor", None)]).await.1).send().await.json();
        assert_eq!(a["items"][0]["category"], "network_device");
        assert_eq!(a["items"][0]["status"], "in_use");
        assert_eq!(a["items"][0]["value_score"], serde_json::json!(4.3));
        assert_eq!(a["items"][0]["tags"], serde_json::json!(["生产", "等保三级"]));
        assert_eq!(a["items"][0]["notes"], "华为, S6730");
        // One audit entry for the whole import, naming the file's hash and the counts.
        let imports = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity_type = 'asset'", &[]).await;
        assert_eq!(imports.as_deref(), Some("1"));
        let entry = t.scalar("SELECT after_data FROM audit_log WHERE action = 'import'", &[]).await.unwrap();
        assert!(entry.contains("\"sha256\":\"0123\"") && entry.contains("\"created\":2"), "{entry}");
    }

    async fn existing_codes_are_refused_or_updated_on_request(b: Backend) {
        let t = TestApp::new(b).await;
        let csv = "code,name,category,confidentiality,integrity,availability\nX-1,first,server,1,1,1\n".as_bytes().to_vec();
        assert_eq!(import_bytes(&t, csv.clone(), Format::Csv, ImportOptions::default()).await.created, 1);
        let again = import_bytes(&t, csv, Format::Csv, ImportOptions::default()).await;
        assert_eq!(again.errors[0].code, "exists");
        let changed = "\u{feff}code,name,category,confidentiality,integrity,availability\nX-1,renamed,server,5,5,5\nX-2,second,data,2,2,2\n".as_bytes().to_vec();
        let dry = import_bytes(&t, changed.clone(), Format::Csv, ImportOptions { update_existing: true, dry_run: true }).await;
        assert!(dry.rolled_back && dry.errors.is_empty());
        assert_eq!(t.count("assets").await, 1);
        let r = import_bytes(&t, changed.clone(), Format::Csv, ImportOptions { update_existing: true, dry_run: false }).await;
        assert_eq!((r.created, r.updated, r.unchanged), (1, 1, 0), "{:?}", r.errors);
        let name = t.scalar("SELECT name || CAST(value_score AS TEXT) || '/' || CAST(version AS TEXT) FROM assets WHERE code = 'X-1'", &[]).await;
        assert_eq!(name.as_deref(), Some("renamed50/2"));
        // The same file again changes nothing: no write, no new version.
        let r = import_bytes(&t, changed, Format::Csv, ImportOptions { update_existing: true, dry_run: false }).await;
        assert_eq!((r.created, r.updated, r.unchanged), (0, 0, 2), "{:?}", r.errors);
        let name = t.scalar("SELECT name || CAST(value_score AS TEXT) || '/' || CAST(version AS TEXT) FROM assets WHERE code = 'X-1'", &[]).await;
        assert_eq!(name.as_deref(), Some("renamed50/2"));
        let entry = t.scalar("SELECT after_data FROM audit_log WHERE action = 'import' ORDER BY seq DESC LIMIT 1", &[]).await.unwrap();
        assert!(entry.contains("\"unchanged\":2"), "{entry}");
    }

    async fn status_cells_take_codes_labels_and_the_usual_other_words(b: Backend) {
        let t = TestApp::new(b).await;
        let csv = "资产编号,资产名称,资产类别,机密性,完整性,可用性,状态\nS-1,a,server,1,1,1,使用中\nS-2,b,server,1,1,1,报废\nS-3,c,server,1,1,1,Idle\nS-4,d,server,1,1,1,\nS-5,e,server,1,1,1,丢失\n";
        let r = import_bytes(&t, csv.as_bytes().to_vec(), Format::Csv, ImportOptions::default()).await;
        let refused: Vec<(u64, &str)> = r.errors.iter().map(|e| (e.line, e.code.as_str())).collect();
        assert_eq!(refused, [(6, "unknown_value")]);
        let good: String = csv.lines().take(5).map(|l| format!("{l}\n")).collect();
        let r = import_bytes(&t, good.into_bytes(), Format::Csv, ImportOptions::default()).await;
        assert_eq!(r.created, 4, "{:?}", r.errors);
        for (code, status) in [("S-1", "in_use"), ("S-2", "retired"), ("S-3", "idle"), ("S-4", "in_use")] {
            let got = t.scalar(&format!("SELECT status FROM assets WHERE code = '{code}'"), &[]).await;
            assert_eq!(got.as_deref(), Some(status), "{code}");
        }
    }

    async fn broken_files_are_refused_whole(b: Backend) {
        let t = TestApp::new(b).await;
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            ("empty", Vec::new(), "empty_file"),
            ("header only", b"code,name,category,confidentiality,integrity,availability\n".to_vec(), "no_rows"),
            ("missing column", b"code,name,category,confidentiality,integrity\nA,b,server,1,1\n".to_vec(), "missing_column"),
            ("unknown column", b"code,name,category,confidentiality,integrity,availability,colour\nA,b,server,1,1,1,red\n".to_vec(), "unknown_column"),
            ("stray quote", b"code,name,category,confidentiality,integrity,availability\nA,b,server,1,1,1\nB,\"bad,server,1,1,1\nC,c,server,1,1,1\n".to_vec(), "malformed"),
            ("not text", vec![0xff, 0xfe, 0x00, 0x41, 0x00, 0x0a, 0x81], "bad_encoding"),
        ];
        for (what, bytes, code) in cases {
            let r = import_bytes(&t, bytes, Format::Csv, ImportOptions::default()).await;
            assert!(r.rolled_back, "{what}");
            assert!(r.errors.iter().any(|e| e.code == code), "{what}: {:?}", r.errors);
        }
        assert_eq!(t.count("assets").await, 0);
    }

    async fn exports_round_trip_and_neutralize_formulas(b: Backend) {
        let t = TestApp::new(b).await;
        let csv = "code,name,category,confidentiality,integrity,availability,notes,tags\nF-1,=HYPERLINK(\"http://x\"),server,3,4,5,@SUM(A1),a;b\nF-2,普通资产,data,1,2,3,,\n".as_bytes().to_vec();
        let r = import_bytes(&t, csv, Format::Csv, ImportOptions::default()).await;
        assert_eq!(r.created, 2, "{:?}", r.errors);
        let ctx = Ctx::system(RequestMeta::default());
        let (n, out) = export::export_assets(&t.app, &ctx, &AssetQuery::default(), ExportFormat::Csv, Lang::ZhCn, Vec::new()).await.unwrap();
        assert_eq!(n, 2);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("\u{feff}资产编号,资产名称"), "{text}");
        assert!(text.contains("'=HYPERLINK") && text.contains("'@SUM(A1)"), "{text}");
        // The XLSX export reads back through the importer (the apostrophe stays text).
        let (_, xlsx) = export::export_assets(&t.app, &ctx, &AssetQuery::default(), ExportFormat::Xlsx, Lang::En, Vec::new()).await.unwrap();
        let r = import_bytes(&t, xlsx, Format::Xlsx, ImportOptions { update_existing: true, dry_run: false }).await;
        // Only the name that gained its apostrophe differs; the other row reads back exactly.
        assert_eq!((r.rows, r.updated, r.unchanged), (2, 1, 1), "{:?}", r.errors);
        let name = t.scalar("SELECT name FROM assets WHERE code = 'F-1'", &[]).await;
        assert_eq!(name.as_deref(), Some("'=HYPERLINK(\"http://x\")"));
        // Exports are recorded in the audit trail.
        assert_eq!(t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE action = 'export'", &[]).await.as_deref(), Some("2"));
    }

    async fn indexes_set_aside_for_a_load_are_back_afterwards(b: Backend) {
        let t = TestApp::new(b).await;
        let count_sql = match b {
            crate::harness::Backend::Sqlite => "SELECT CAST(COUNT(*) AS TEXT) FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name IN ('assets', 'asset_tags', 'asset_events')",
            crate::harness::Backend::Postgres => "SELECT CAST(COUNT(*) AS TEXT) FROM pg_indexes WHERE tablename IN ('assets', 'asset_tags', 'asset_events') AND schemaname = current_schema()",
        };
        let before = t.scalar(count_sql, &[]).await;
        let good = "code,name,category,confidentiality,integrity,availability,tags\nI-1,应用服务器,server,1,2,3,x\n".as_bytes().to_vec();
        assert_eq!(import_bytes(&t, good, Format::Csv, ImportOptions::default()).await.created, 1);
        assert_eq!(t.scalar(count_sql, &[]).await, before);
        let bad = b"code,name,category,confidentiality,integrity,availability\nI-2,a,server,1,2,9\n".to_vec();
        assert!(import_bytes(&t, bad, Format::Csv, ImportOptions::default()).await.rolled_back);
        assert_eq!(t.scalar(count_sql, &[]).await, before);
        // The filters still find what was loaded.
        let (_, reader) = t.user_with("reader", &[("auditor", None)]).await;
        let r = t.get("/api/v1/assets?category=server&tag=x").token(&reader).send().await.json();
        assert_eq!(r["items"][0]["code"], "I-1");
        // The search index was rebuilt, and its trigger is back for the next asset.
        let search = |q: &str| {
            let url = format!("/api/v1/assets?q={}", crate::harness::pct_public(q));
            let t = &t;
            let reader = reader.clone();
            async move { t.get(&url).token(&reader).send().await.json()["items"].as_array().unwrap().len() }
        };
        assert_eq!(search("应用服务").await, 1);
        let more = "code,name,category,confidentiality,integrity,availability\nI-3,应用服务网关,service,1,2,3\n".as_bytes().to_vec();
        assert_eq!(import_bytes(&t, more, Format::Csv, ImportOptions::default()).await.created, 1);
        assert_eq!(search("应用服务").await, 2);
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        let r = t.post("/api/v1/assets").token(&keeper).json(&serde_json::json!({"code": "I-4", "name": "应用服务总线", "category": "software", "confidentiality": 1, "integrity": 1, "availability": 1})).send().await;
        assert_eq!(r.status, axum::http::StatusCode::CREATED, "{}", r.text());
        assert_eq!(search("应用服务").await, 3);
        assert_eq!(search("服务总线").await, 1);
        // An update through the import replaces the search entry: the new name is found,
        // the old one no longer.
        let renamed = "code,name,category,confidentiality,integrity,availability,tags\nI-1,数据库服务器,server,1,2,3,x\n".as_bytes().to_vec();
        let r = import_bytes(&t, renamed, Format::Csv, ImportOptions { update_existing: true, dry_run: false }).await;
        assert_eq!(r.updated, 1, "{:?}", r.errors);
        assert_eq!((search("应用服务").await, search("数据库服务").await), (2, 1));
        assert_eq!(t.scalar(count_sql, &[]).await, before);
        // The way of a large register: only the search triggers are set aside, and the
        // entries of each batch are replaced explicitly.
        let mut tx = t.app.db().begin().await.unwrap();
        let deferred = castellan_store::asset::bulk::defer_indexes(&mut tx, false).await.unwrap();
        assert_eq!(deferred.search_by_batch(), matches!(b, crate::harness::Backend::Sqlite));
        let id = castellan_store::asset::assets::find_by_code(&mut tx, "I-3").await.unwrap().unwrap().id;
        castellan_store::asset::bulk::unindex_search(&mut tx, &[id]).await.unwrap();
        tx.execute_batch("UPDATE assets SET name = '消息中间件', search_text = 'i-3 消息中间件' WHERE code = 'I-3'").await.unwrap();
        castellan_store::asset::bulk::index_search(&mut tx, &[id]).await.unwrap();
        castellan_store::asset::bulk::restore_indexes(&mut tx, deferred).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!((search("应用服务").await, search("消息中间件").await), (1, 1));
        assert_eq!(t.scalar(count_sql, &[]).await, before);
        if matches!(b, crate::harness::Backend::Sqlite) {
            t.raw_sql("INSERT INTO asset_search (asset_search) VALUES ('integrity-check')").await;
        }
    }
}

//! The asset register through the API (SPEC §3): valuation, lifecycle, filters, scope.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use serde_json::{Value, json};

fn asset(code: &str, name: &str, cia: (i64, i64, i64)) -> Value {
    json!({
        "code": code, "name": name, "category": "server",
        "confidentiality": cia.0, "integrity": cia.1, "availability": cia.2,
    })
}

async fn create(t: &TestApp, token: &str, body: &Value) -> Value {
    let r = t
        .post("/api/v1/assets")
        .token(token)
        .json(body)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

both! {
    async fn create_read_and_update_with_valuation(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let dept = t.department("信息中心", None).await;
        let mut body = asset("SRV-001", "核心数据库服务器", (5, 4, 4));
        body["department_id"] = json!(dept);
        body["tags"] = json!(["生产", "等保三级", "生产"]);
        body["zone"] = json!("intranet");
        let a = create(&t, &k, &body).await;
        assert_eq!(a["value_score"], json!(4.3));
        assert_eq!(a["value_level"], 4);
        assert_eq!(a["status"], "planned");
        assert_eq!(a["tags"], json!(["生产", "等保三级"]));
        assert_eq!(a["allowed_events"], json!(["purchase", "deploy", "change", "transfer", "retire"]));
        let id = a["id"].as_i64().unwrap();
        let r = t.get(&format!("/api/v1/assets/{id}")).token(&k).send().await;
        assert_eq!(r.header("etag"), Some("\"1\""));
        // Raising integrity revalues the asset.
        let u = t.patch(&format!("/api/v1/assets/{id}")).token(&k).if_match(1).json(&json!({"integrity": 5})).send().await;
        assert_eq!(u.status, StatusCode::OK, "{}", u.text());
        assert_eq!(u.json()["value_score"], json!(4.7));
        assert_eq!(u.json()["value_level"], 5);
        assert_eq!(u.json()["version"], 2);
        // A stale version changes nothing.
        let before = t.count("audit_log").await;
        t.patch(&format!("/api/v1/assets/{id}")).token(&k).if_match(1).json(&json!({"name": "x"})).send().await.problem(StatusCode::PRECONDITION_FAILED);
        assert_eq!(t.count("audit_log").await, before);
        let audit = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity_type = 'asset'", &[]).await;
        assert_eq!(audit.as_deref(), Some("2"));
    }

    async fn bad_assets_are_refused_field_by_field(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        create(&t, &k, &asset("DUP-1", "first", (3, 3, 3))).await;
        let before = (t.count("assets").await, t.count("audit_log").await);
        let p = t.post("/api/v1/assets").token(&k).json(&json!({
            "code": "DUP-1", "name": "", "category": "spaceship", "department_id": 99999,
            "owner_id": 99999, "zone": "moon", "classification": "top",
            "confidentiality": 6, "integrity": 0, "availability": 3, "tags": ["a;b"],
            "status": "retired",
        })).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["code", "name", "category", "department_id", "owner_id", "zone", "classification", "confidentiality", "integrity", "tags", "status"] {
            assert!(p["errors"][field].is_string(), "no error for {field}: {p}");
        }
        assert!(p["errors"]["availability"].is_null());
        let p = t.post("/api/v1/assets").token(&k).json(&json!({"code": "has space", "name": "n", "category": "server", "confidentiality": 1, "integrity": 1, "availability": 1})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["code"].is_string());
        // Wrong types and unknown fields are 400/422 problems too.
        t.post("/api/v1/assets").token(&k).json(&json!({"code": "X", "name": "n", "category": "server", "confidentiality": "high", "integrity": 1, "availability": 1})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.post("/api/v1/assets").token(&k).json(&json!({"code": "X", "name": "n", "category": "server", "confidentiality": 1, "integrity": 1, "availability": 1, "colour": "red"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((t.count("assets").await, t.count("audit_log").await), before);
    }

    async fn the_lifecycle_moves_status_and_keeps_the_trail(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let (owner, _) = t.user_with("owner", &[("staff", None)]).await;
        let d1 = t.department("一部", None).await;
        let d2 = t.department("二部", None).await;
        let mut body = asset("FW-1", "边界防火墙", (4, 4, 4));
        body["department_id"] = json!(d1);
        let id = create(&t, &k, &body).await["id"].as_i64().unwrap();
        let ev = |kind: &str| json!({"kind": kind, "note": format!("{kind} note")});
        let path = format!("/api/v1/assets/{id}/events");
        let r = t.post(&path).token(&k).json(&ev("purchase")).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["asset"]["status"], "idle");
        let r = t.post(&path).token(&k).json(&ev("deploy")).send().await;
        assert_eq!(r.json()["asset"]["status"], "in_use");
        // A transfer moves department and owner and records where from.
        let r = t.post(&path).token(&k).json(&json!({"kind": "transfer", "department_id": d2, "owner_id": owner.id.0, "note": "调拨"})).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["asset"]["department_id"], d2);
        assert_eq!(r.json()["event"]["details"]["department_id"], json!({"from": d1, "to": d2}));
        // Only a transfer moves things.
        t.post(&path).token(&k).json(&json!({"kind": "deploy", "department_id": d1})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let r = t.post(&path).token(&k).json(&ev("maintenance")).send().await;
        assert_eq!(r.json()["asset"]["status"], "in_repair");
        let r = t.post(&path).token(&k).json(&ev("retire")).send().await;
        assert_eq!(r.json()["asset"]["status"], "retired");
        assert_eq!(r.json()["asset"]["allowed_events"], json!([]));
        let version = r.json()["asset"]["version"].as_i64().unwrap();
        // Nothing moves a retired asset, and it cannot be edited.
        let before = (t.count("asset_events").await, t.count("audit_log").await);
        let p = t.post(&path).token(&k).json(&ev("deploy")).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:lifecycle_not_allowed");
        t.patch(&format!("/api/v1/assets/{id}")).token(&k).if_match(version).json(&json!({"name": "x"})).send().await.problem(StatusCode::CONFLICT);
        t.post(&path).token(&k).json(&ev("launch")).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!((t.count("asset_events").await, t.count("audit_log").await), before);
        let events = t.get(&path).token(&k).send().await.json();
        let kinds: Vec<&str> = events["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["purchase", "deploy", "transfer", "maintenance", "retire"]);
        assert_eq!(events["items"][0]["actor"], "keeper");
        assert_eq!(events["items"][1]["from_status"], "idle");
    }

    async fn editing_the_department_records_a_transfer(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let d1 = t.department("一部", None).await;
        let d2 = t.department("二部", None).await;
        let mut body = asset("SW-1", "交换机", (3, 3, 3));
        body["department_id"] = json!(d1);
        let id = create(&t, &k, &body).await["id"].as_i64().unwrap();
        let r = t.patch(&format!("/api/v1/assets/{id}")).token(&k).if_match(1).json(&json!({"department_id": d2})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let events = t.get(&format!("/api/v1/assets/{id}/events")).token(&k).send().await.json();
        assert_eq!(events["items"][0]["kind"], "transfer");
        assert_eq!(events["items"][0]["details"]["department_id"]["to"], d2);
        // The department now holds an asset and cannot be deleted.
        let p = t.delete(&format!("/api/v1/departments/{d2}")).token(t.token_admin()).send().await.problem(StatusCode::CONFLICT);
        assert_eq!(p["type"], "urn:castellan:problem:department_has_assets");
    }

    async fn lists_filter_sort_and_page(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let (owner, _) = t.user_with("owner", &[("staff", None)]).await;
        let top = t.department("总部", None).await;
        let sub = t.department("数据中心", Some(top)).await;
        let other = t.department("分公司", None).await;
        for i in 0..7 {
            let mut body = asset(&format!("A-{i:02}"), &format!("北京机房核心交换机 {i}"), (1 + i % 5, 3, 3));
            body["department_id"] = json!(if i % 2 == 0 { sub } else { other });
            body["category"] = json!(if i < 4 { "network_device" } else { "server" });
            body["tags"] = json!(if i == 3 { vec!["PCI"] } else { vec![] });
            body["location"] = json!(format!("上海 {i} 号机柜"));
            if i == 5 { body["owner_id"] = json!(owner.id.0); }
            create(&t, &k, &body).await;
        }
        let ids = |v: &Value| -> Vec<String> { v["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect() };
        let get = |q: &str| { let q = q.to_owned(); let t = &t; let k = k.clone(); async move { let r = t.get(&format!("/api/v1/assets?{q}")).token(&k).send().await; assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text()); r.json() } };
        assert_eq!(ids(&get(&format!("department_id={top}")).await), ["A-00", "A-02", "A-04", "A-06"]);
        assert_eq!(ids(&get("category=server").await), ["A-04", "A-05", "A-06"]);
        assert_eq!(ids(&get("tag=pci").await), ["A-03"]);
        assert_eq!(ids(&get(&format!("owner_id={}", owner.id.0)).await), ["A-05"]);
        assert_eq!(ids(&get(&format!("q={}", crate::harness::pct_public("机柜"))).await).len(), 7);
        assert_eq!(ids(&get(&format!("q={}", crate::harness::pct_public("3 号"))).await), ["A-03"]);
        assert_eq!(ids(&get("value_level=5").await).len(), 0);
        assert_eq!(ids(&get("status=planned&category=network_device").await), ["A-00", "A-01", "A-02", "A-03"]);
        let by_value = get("sort=-value_score&limit=3").await;
        assert_eq!(by_value["items"][0]["value_score"], json!(3.7));
        // Paging by cursor visits every asset exactly once.
        let mut seen = Vec::new();
        let mut url = "limit=3".to_owned();
        loop {
            let page = get(&url).await;
            seen.extend(ids(&page));
            match page["next_cursor"].as_str() {
                Some(c) => url = format!("limit=3&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(seen, (0..7).map(|i| format!("A-{i:02}")).collect::<Vec<_>>());
        for bad in ["category=spaceship", "value_level=9", "sort=colour", "department_id=99999", "cursor=garbage", "limit=0"] {
            let r = t.get(&format!("/api/v1/assets?{bad}")).token(&k).send().await;
            assert!(r.status == StatusCode::UNPROCESSABLE_ENTITY || r.status == StatusCode::BAD_REQUEST, "{bad}: {}", r.status);
        }
    }

    async fn search_finds_substrings_of_any_length_in_every_searched_field(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let rows = [
            ("SW-Core-01", "核心交换机", "上海数据中心 A 座", "华为 CE6881"),
            ("FW_EDGE", "边界防火墙 \"外网\"", "北京机房", "100% 冗余"),
            ("DB-7", "订单数据库", "abc", "defender 已安装"),
            ("PC-9", "办公电脑", "", "员工使用"),
        ];
        let mut ids = std::collections::HashMap::new();
        for (code, name, location, notes) in rows {
            let mut body = asset(code, name, (3, 3, 3));
            body["location"] = if location.is_empty() { Value::Null } else { json!(location) };
            body["notes"] = json!(notes);
            ids.insert(code, create(&t, &k, &body).await["id"].as_i64().unwrap());
        }
        let find = |q: &str| {
            let url = format!("/api/v1/assets?q={}", crate::harness::pct_public(q));
            let t = &t;
            let k = k.clone();
            async move {
                let r = t.get(&url).token(&k).send().await;
                assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.text());
                let mut codes: Vec<String> = r.json()["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()).collect();
                codes.sort();
                codes
            }
        };
        // Three characters and more go through the index; one or two read the rows; the
        // answers are the same substring matches either way.
        assert_eq!(find("核心交换").await, ["SW-Core-01"]);
        assert_eq!(find("交换").await, ["SW-Core-01"]);
        assert_eq!(find("库").await, ["DB-7"]);
        assert_eq!(find("数据").await, ["DB-7", "SW-Core-01"]);
        assert_eq!(find("数据中心 a").await, ["SW-Core-01"]);
        assert_eq!(find("sw-core").await, ["SW-Core-01"]);
        assert_eq!(find("CE6881").await, ["SW-Core-01"]);
        assert_eq!(find("\"外网\"").await, ["FW_EDGE"]);
        assert_eq!(find("w_e").await, ["FW_EDGE"]);
        assert_eq!(find("100%").await, ["FW_EDGE"]);
        assert_eq!(find("%").await, ["FW_EDGE"]);
        assert_eq!(find("员工使用").await, ["PC-9"]);
        // The last character of the text is found like any other.
        assert_eq!(find("用").await, ["PC-9"]);
        assert_eq!(find("装").await, ["DB-7"]);
        assert!(find("不存在的东西").await.is_empty());
        // Pages of a search that matches often come from the first rows in list order; the
        // cursor carries on from there.
        let mut seen = Vec::new();
        let mut url = format!("/api/v1/assets?limit=1&q={}", crate::harness::pct_public("数据"));
        loop {
            let page = t.get(&url).token(&k).send().await.json();
            seen.extend(page["items"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap().to_owned()));
            match page["next_cursor"].as_str() {
                Some(c) => url = format!("/api/v1/assets?limit=1&q={}&cursor={c}", crate::harness::pct_public("数据")),
                None => break,
            }
        }
        assert_eq!(seen, ["DB-7", "SW-Core-01"]);
        let page = t.get("/api/v1/assets?limit=1&sort=-code&q=o").token(&k).send().await.json();
        assert_eq!(page["items"][0]["code"], "SW-Core-01");
        // Fields are searched one by one: text across two of them is no match.
        assert!(find("abcdef").await.is_empty());
        let r = t.get("/api/v1/assets?q=c%1Fd").token(&k).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the separator cannot be searched for");
        // Special characters of the index's query language are plain text.
        for q in ["AND", "NEAR(a b)", "*", "\"", "a OR b", "^核心", "-x"] {
            let r = t.get(&format!("/api/v1/assets?q={}", crate::harness::pct_public(q))).token(&k).send().await;
            assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
        }
        // A change of the text is found at once, and the old text no longer is.
        let id = ids["PC-9"];
        let r = t.patch(&format!("/api/v1/assets/{id}")).token(&k).if_match(1).json(&json!({"name": "财务笔记本", "notes": null})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(find("财务笔记本").await, ["PC-9"]);
        assert_eq!(find("本").await, ["PC-9"]);
        // A short text that starts a great many different trigrams reads the rows instead.
        let mut body = asset("MANY", "多样", (1, 1, 1));
        body["notes"] = json!((0..210).map(|i| format!("z{} ", char::from_u32(0x4e00 + i).unwrap())).collect::<String>());
        create(&t, &k, &body).await;
        assert_eq!(find("z").await, ["MANY"]);
        assert_eq!(find("z丁").await, ["MANY"]);
        assert!(find("办公电脑").await.is_empty());
        assert!(find("员工使用").await.is_empty());
    }

    async fn department_scope_limits_what_a_keeper_sees_and_changes(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let mine = t.department("本部门", None).await;
        let theirs = t.department("其他部门", None).await;
        let (_, scoped) = t.user_with("scoped", &[("network_admin", Some(mine))]).await;
        let (_, staff) = t.user_with("staff", &[("staff", None)]).await;
        let (_, auditor) = t.user_with("auditor", &[("auditor", None)]).await;
        let mut body = asset("THEIRS-1", "别人的", (3, 3, 3));
        body["department_id"] = json!(theirs);
        let theirs_id = create(&t, &k, &body).await["id"].as_i64().unwrap();
        let mut body = asset("MINE-1", "我的", (3, 3, 3));
        body["department_id"] = json!(mine);
        let mine_id = create(&t, &scoped, &body).await["id"].as_i64().unwrap();
        let list = t.get("/api/v1/assets").token(&scoped).send().await.json();
        assert_eq!(list["items"].as_array().unwrap().len(), 1);
        t.get(&format!("/api/v1/assets/{theirs_id}")).token(&scoped).send().await.problem(StatusCode::NOT_FOUND);
        let mut body = asset("THEIRS-2", "越权", (3, 3, 3));
        body["department_id"] = json!(theirs);
        t.post("/api/v1/assets").token(&scoped).json(&body).send().await.problem(StatusCode::FORBIDDEN);
        // Moving an asset out of the scope is refused as well.
        t.patch(&format!("/api/v1/assets/{mine_id}")).token(&scoped).if_match(1).json(&json!({"department_id": theirs})).send().await.problem(StatusCode::FORBIDDEN);
        t.get("/api/v1/assets").token(&staff).send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(t.get("/api/v1/assets").token(&auditor).send().await.json()["items"].as_array().unwrap().len(), 2);
        t.post("/api/v1/assets").token(&auditor).json(&asset("AUD-1", "x", (1, 1, 1))).send().await.problem(StatusCode::FORBIDDEN);
        t.post("/api/v1/assets").token(t.token_admin()).json(&asset("ADM-1", "x", (1, 1, 1))).send().await.problem(StatusCode::FORBIDDEN);
    }

    async fn changing_the_valuation_method_revalues_every_asset(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, k) = t.user_with("keeper", &[("security_admin", None)]).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let a = create(&t, &k, &asset("V-1", "x", (5, 1, 1))).await;
        create(&t, &k, &asset("V-2", "y", (3, 3, 3))).await;
        assert_eq!(a["value_score"], json!(2.3));
        let r = t.get("/api/v1/settings/asset-valuation").token(&k).send().await;
        assert_eq!(r.json(), json!({"method": "weighted_mean", "weights": [1, 1, 1]}));
        assert_eq!(r.header("etag"), Some("\"0\""));
        t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&k).if_match(0).json(&json!({"method": "max"})).send().await.problem(StatusCode::FORBIDDEN);
        t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&officer).if_match(0).json(&json!({"method": "median"})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&officer).if_match(0).json(&json!({"method": "weighted_mean", "weights": [0, 1, 1]})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        let r = t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&officer).if_match(0).json(&json!({"method": "max"})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        assert_eq!(r.json()["revalued_assets"], 1);
        assert_eq!(r.json()["version"], 1);
        let v1 = t.get(&format!("/api/v1/assets/{}", a["id"])).token(&k).send().await.json();
        assert_eq!(v1["value_score"], json!(5.0));
        assert_eq!(v1["value_level"], 5);
        // A stale version is refused; gbt20984 leans towards the highest rating.
        t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&officer).if_match(0).json(&json!({"method": "gbt20984"})).send().await.problem(StatusCode::PRECONDITION_FAILED);
        let r = t.req(axum::http::Method::PUT, "/api/v1/settings/asset-valuation").token(&officer).if_match(1).json(&json!({"method": "gbt20984"})).send().await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
        let v1 = t.get(&format!("/api/v1/assets/{}", a["id"])).token(&k).send().await.json();
        assert_eq!(v1["value_score"], json!(4.0));
        // New assets use the method in force.
        let c = create(&t, &k, &asset("V-3", "z", (5, 5, 1))).await;
        assert_eq!(c["value_score"], json!(4.0));
    }
}

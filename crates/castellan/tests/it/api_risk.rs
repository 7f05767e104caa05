//! Risk assessment through the API (SPEC §4): catalog, findings, the method preview, the
//! risk tables, and an assessment walked from preparation to closed by three people.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

async fn created(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn kind(doc: &Value) -> &str {
    doc["type"].as_str().unwrap_or_default()
}

async fn asset(t: &TestApp, token: &str, code: &str, cia: (i64, i64, i64)) -> i64 {
    let a = created(
        t.post("/api/v1/assets")
            .token(token)
            .json(
                &json!({"code": code, "name": format!("资产 {code}"), "category": "server",
                "confidentiality": cia.0, "integrity": cia.1, "availability": cia.2}),
            )
            .send()
            .await,
    )
    .await;
    a["id"].as_i64().unwrap()
}

async fn threat_id(t: &TestApp, token: &str, code: &str) -> i64 {
    let list = ok(t
        .get(&format!("/api/v1/threats?q={code}"))
        .token(token)
        .send()
        .await);
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn move_to(t: &TestApp, token: &str, id: i64, to: &str, comment: Option<&str>) -> Resp {
    t.post(&format!("/api/v1/assessments/{id}/transitions"))
        .token(token)
        .json(&json!({"to": to, "comment": comment}))
        .send()
        .await
}

async fn risk(t: &TestApp, token: &str, a: i64, r: i64) -> Value {
    ok(t.get(&format!("/api/v1/assessments/{a}/risks/{r}"))
        .token(token)
        .send()
        .await)
}

async fn patch_risk(t: &TestApp, token: &str, a: i64, r: i64, body: Value) -> Resp {
    let version = risk(t, token, a, r).await["version"].as_i64().unwrap();
    t.patch(&format!("/api/v1/assessments/{a}/risks/{r}"))
        .token(token)
        .if_match(version)
        .json(&body)
        .send()
        .await
}

both! {
    async fn the_threat_catalog_ships_in_both_languages_and_takes_custom_entries(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        let (_, staff) = t.user_with("worker", &[("staff", None)]).await;
        let all = ok(t.get("/api/v1/threats?limit=200").token(&keeper).send().await);
        let items = all["items"].as_array().unwrap();
        assert!(items.len() >= 45, "{} threats", items.len());
        assert!(items.iter().all(|x| x["builtin"] == true && x["active"] == true));
        assert!(items.iter().all(|x| !x["name_zh"].as_str().unwrap().is_empty()
            && !x["description_en"].as_str().unwrap().is_empty()));
        for source in ["human_malicious", "human_accidental", "environmental", "infrastructure_failure"] {
            assert!(items.iter().any(|x| x["source"] == source), "{source}");
        }
        // Search in either language.
        let found = ok(t.get(&format!("/api/v1/threats?q={}", crate::harness::pct_public("勒索"))).token(&keeper).send().await);
        assert!(!found["items"].as_array().unwrap().is_empty());
        let by_path = ok(t.get("/api/v1/threats?path=physical&limit=200").token(&keeper).send().await);
        assert!(by_path["items"].as_array().unwrap().iter().all(|x| x["path"] == "physical"));
        t.get("/api/v1/threats?source=aliens").token(&keeper).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        t.get("/api/v1/threats").token(&staff).send().await.problem(StatusCode::FORBIDDEN);

        // A custom entry; its code is unique; retiring it hides it from active lists.
        let body = json!({"code": "ORG-01", "source": "human_malicious", "path": "network",
            "method": "social_engineering", "name_en": "CEO fraud call", "name_zh": "冒充高管诈骗电话",
            "description_en": "Someone calls finance pretending to be the CEO.\nThey ask for an urgent transfer.",
            "description_zh": "有人冒充总经理致电财务，要求紧急转账。"});
        t.post("/api/v1/threats").token(&keeper).json(&body).send().await.problem(StatusCode::FORBIDDEN);
        let custom = created(t.post("/api/v1/threats").token(&analyst).json(&body).send().await).await;
        assert_eq!(custom["builtin"], false);
        assert!(custom["description_en"].as_str().unwrap().contains('\n'));
        let dup = t.post("/api/v1/threats").token(&analyst).json(&body).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(dup["errors"]["code"].is_string(), "{dup}");
        let mut bad = body.clone();
        bad["code"] = json!("has space");
        bad["method"] = json!("telepathy");
        let p = t.post("/api/v1/threats").token(&analyst).json(&bad).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["code"].is_string() && p["errors"]["method"].is_string(), "{p}");
        let id = custom["id"].as_i64().unwrap();
        let retired = ok(t.patch(&format!("/api/v1/threats/{id}")).token(&analyst).if_match(1)
            .json(&json!({"active": false})).send().await);
        assert_eq!(retired["active"], false);
        t.patch(&format!("/api/v1/threats/{id}")).token(&analyst).if_match(1)
            .json(&json!({"name_en": "x"})).send().await.problem(StatusCode::PRECONDITION_FAILED);
        let active = ok(t.get("/api/v1/threats?active=true&q=ORG").token(&analyst).send().await);
        assert!(active["items"].as_array().unwrap().is_empty());
    }

    async fn the_method_preview_computes_without_storing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, staff) = t.user_with("worker", &[("staff", None)]).await;
        let audit_before = t.count("audit_log").await;
        let eval = |m: &str, tva: (i64, i64, i64)| json!({"method": m,
            "threat_frequency": tva.0, "vulnerability_severity": tva.1, "asset_value_level": tva.2});
        // SPEC §4.2 worked examples.
        for (tva, expected) in [
            ((4, 3, 5), (12, 3, 15, 3, 9, 2)),
            ((2, 4, 4), (8, 2, 16, 4, 8, 2)),
            ((5, 4, 5), (20, 4, 20, 4, 16, 3)),
            ((5, 5, 4), (25, 5, 20, 4, 20, 4)),
            ((5, 5, 5), (25, 5, 25, 5, 25, 5)),
        ] {
            let r = ok(t.post("/api/v1/risk-methods/evaluate").token(&analyst).json(&eval("multiplication", tva)).send().await);
            let got = (r["likelihood_value"].as_i64().unwrap(), r["likelihood_level"].as_i64().unwrap(),
                r["loss_value"].as_i64().unwrap(), r["loss_level"].as_i64().unwrap(),
                r["risk_value"].as_i64().unwrap(), r["risk_level"].as_i64().unwrap());
            assert_eq!(got, expected, "{tva:?}");
        }
        // sqrt: √(3×4) = 3.46 → level 3; √(5×4) = 4.47 → level 4; 3.46 × 4.47 = 15.47 → 3.
        let r = ok(t.post("/api/v1/risk-methods/evaluate").token(&analyst).json(&eval("sqrt", (3, 4, 5))).send().await);
        assert_eq!(r["likelihood_value"], json!(3.46));
        assert_eq!(r["loss_value"], json!(4.47));
        assert_eq!(r["risk_value"], json!(15.47));
        assert_eq!((r["likelihood_level"].as_i64(), r["loss_level"].as_i64(), r["risk_level"].as_i64()), (Some(3), Some(4), Some(3)));
        // matrix: V=3, T=4 → 14 (level 3); V=3, A=5 → 16 (level 4); risk matrix (3, 4) → 16 (level 3).
        let r = ok(t.post("/api/v1/risk-methods/evaluate").token(&analyst).json(&eval("matrix", (4, 3, 5))).send().await);
        assert_eq!((r["likelihood_value"].as_i64(), r["loss_value"].as_i64(), r["risk_value"].as_i64(), r["risk_level"].as_i64()),
            (Some(14), Some(16), Some(16), Some(3)));
        // Bad input: every field reported, nothing stored.
        let p = t.post("/api/v1/risk-methods/evaluate").token(&analyst)
            .json(&json!({"method": "dice", "threat_frequency": 6, "vulnerability_severity": 0, "asset_value_level": 3}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["method", "threat_frequency", "vulnerability_severity"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        t.post("/api/v1/risk-methods/evaluate").token(&staff).json(&eval("sqrt", (1, 1, 1))).send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(t.count("audit_log").await, audit_before);
    }

    async fn risk_tables_are_checked_versioned_and_rerate_open_assessments_only(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, officer) = t.user_with("officer", &[("security_officer", None)]).await;
        let (_, committee) = t.user_with("chair", &[("committee", None)]).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let tables = ok(t.get("/api/v1/settings/risk-tables").token(&analyst).send().await);
        assert_eq!(tables["version"], 0);
        assert_eq!(tables["risk"], json!([[1, 6], [7, 12], [13, 18], [19, 23], [24, 25]]));
        assert_eq!(tables["likelihood_matrix"][4], json!([14, 17, 20, 22, 25]));

        // Two assessments with the same risk; one gets closed before the change.
        let srv = asset(&t, &officer, "SRV-1", (5, 5, 5)).await;
        let fire = threat_id(&t, &officer, "T001").await;
        let mut ids = Vec::new();
        for name in ["Open", "Closed"] {
            let a = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": name})).send().await).await;
            let id = a["id"].as_i64().unwrap();
            ok(move_to(&t, &analyst, id, "identification", None).await);
            let r = created(t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst)
                .json(&json!({"asset_id": srv, "threat_id": fire, "threat_frequency": 2, "vulnerability_severity": 3}))
                .send().await).await;
            // T×V = 6 → 2; A×V = 15 → 3; 2 × 3 = 6 → level 1.
            assert_eq!((r["risk_value"].as_i64(), r["risk_level"].as_i64()), (Some(6), Some(1)));
            ids.push((id, r["id"].as_i64().unwrap()));
        }
        let (closed, closed_risk) = ids[1];
        walk_to_closed(&t, &analyst, &officer, &committee, closed, closed_risk).await;

        // A table with a gap, one with an overlap, a falling matrix: refused, nothing stored.
        let mut gap = tables.clone();
        gap["likelihood"] = json!([[1, 5], [7, 11], [12, 16], [17, 21], [22, 25]]);
        gap["risk_matrix"][0] = json!([9, 5, 6, 7, 9]);
        gap.as_object_mut().unwrap().remove("version");
        let p = t.req(axum::http::Method::PUT, "/api/v1/settings/risk-tables").token(&officer).if_match(0)
            .json(&gap).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["likelihood"].as_str().unwrap().contains("no level"), "{p}");
        assert!(p["errors"]["risk_matrix"].is_string(), "{p}");
        let mut overlap = gap.clone();
        overlap["likelihood"] = json!([[1, 5], [5, 11], [12, 16], [17, 21], [22, 25]]);
        overlap["risk_matrix"] = tables["risk_matrix"].clone();
        let p = t.req(axum::http::Method::PUT, "/api/v1/settings/risk-tables").token(&officer).if_match(0)
            .json(&overlap).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["likelihood"].as_str().unwrap().contains("overlap"), "{p}");
        t.req(axum::http::Method::PUT, "/api/v1/settings/risk-tables").token(&analyst).if_match(0)
            .json(&overlap).send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(ok(t.get("/api/v1/settings/risk-tables").token(&analyst).send().await)["version"], 0);

        // A stricter risk table: 6 is now level 2 for the open assessment only.
        let mut strict = overlap.clone();
        strict["likelihood"] = tables["likelihood"].clone();
        strict["risk"] = json!([[1, 4], [5, 9], [10, 14], [15, 19], [20, 25]]);
        let changed = ok(t.req(axum::http::Method::PUT, "/api/v1/settings/risk-tables").token(&officer).if_match(0)
            .json(&strict).send().await);
        assert_eq!(changed["version"], 1);
        assert_eq!(changed["rerated_assessments"], 1);
        assert_eq!(changed["rerated_ratings"], 1);
        t.req(axum::http::Method::PUT, "/api/v1/settings/risk-tables").token(&officer).if_match(0)
            .json(&strict).send().await.problem(StatusCode::PRECONDITION_FAILED);
        let (open, open_risk) = ids[0];
        assert_eq!(risk(&t, &analyst, open, open_risk).await["risk_level"], 2);
        assert_eq!(risk(&t, &analyst, closed, closed_risk).await["risk_level"], 1);
        let a = ok(t.get(&format!("/api/v1/assessments/{open}")).token(&analyst).send().await);
        assert_eq!(a["tables_version"], 1);
        let c = ok(t.get(&format!("/api/v1/assessments/{closed}")).token(&analyst).send().await);
        assert_eq!(c["tables_version"], 0);
        // A new assessment starts with the new tables.
        let n = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "New"})).send().await).await;
        assert_eq!(n["tables_version"], 1);
    }

    async fn an_assessment_walks_from_preparation_to_closed_with_three_people(b: Backend) {
        let t = TestApp::new(b).await;
        let (alice_user, alice) = t.user_with("alice", &[("assessor", None)]).await;
        let (_, bob) = t.user_with("bob", &[("security_officer", None)]).await;
        let (_, carol) = t.user_with("carol", &[("committee", None)]).await;
        let (_, outsider) = t.user_with("mallory", &[("assessor", None)]).await;
        let (_, auditor) = t.user_with("audrey", &[("auditor", None)]).await;
        let db = asset(&t, &bob, "DB-1", (5, 4, 4)).await;
        let web = asset(&t, &bob, "WEB-1", (3, 3, 3)).await;
        let a = created(t.post("/api/v1/assessments").token(&alice).json(&json!({
            "name": "2026 年度风险评估", "planned_start": "2026-12-01", "planned_end": "2026-12-31",
            "asset_ids": [db, web]})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        assert_eq!(a["phase"], "preparation");
        assert_eq!(a["team"], json!([alice_user.id.0]));
        assert_eq!(a["method"], "multiplication");
        assert_eq!(a["acceptance_threshold"], 4);
        assert_eq!(a["allowed_transitions"], json!(["identification"]));
        let checklist = ok(t.get(&format!("/api/v1/assessments/{id}/checklist")).token(&alice).send().await);
        assert_eq!(checklist["items"].as_array().unwrap().len(), 21);
        let list = ok(t.req(axum::http::Method::PUT, &format!("/api/v1/assessments/{id}/checklist")).token(&alice)
            .json(&json!({"area": "hosts", "technique": "vulnerability_scan", "done": true, "note": "扫描 2 台主机"})).send().await);
        assert!(list["items"].as_array().unwrap().iter().any(|i| i["area"] == "hosts" && i["technique"] == "vulnerability_scan" && i["done"] == true));

        // Nobody but the team moves it; the committee and outsiders get 403, auditors too.
        for token in [&carol, &outsider] {
            move_to(&t, token, id, "identification", None).await.problem(StatusCode::FORBIDDEN);
        }
        move_to(&t, &auditor, id, "identification", None).await.problem(StatusCode::FORBIDDEN);
        // A move the workflow lacks.
        let p = move_to(&t, &alice, id, "approved", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("phase_move_not_allowed"));
        move_to(&t, &alice, id, "nowhere", None).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        ok(move_to(&t, &alice, id, "identification", Some("开始识别")).await);

        // Identification: a finding and risks, one at a time and as candidates.
        let vuln = created(t.post("/api/v1/vulnerabilities").token(&alice).json(&json!({
            "asset_id": db, "title": "数据库弱口令", "severity": 4, "found_by": "pentest",
            "reference": "CNVD-2026-0001", "found_on": "2026-12-02"})).send().await).await;
        let ransomware = threat_id(&t, &alice, "T001").await;
        let other = threat_id(&t, &alice, "T002").await;
        let r1 = created(t.post(&format!("/api/v1/assessments/{id}/risks")).token(&alice).json(&json!({
            "asset_id": db, "threat_id": ransomware, "vulnerability_id": vuln["id"], "threat_frequency": 5})).send().await).await;
        // V defaults to the finding's severity; A is the asset's value level (5,4,4 → 4).
        assert_eq!((r1["vulnerability_severity"].as_i64(), r1["asset_value_level"].as_i64()), (Some(4), Some(4)));
        // T×V = 20 → 4, A×V = 16 → 4, 4×4 = 16 → level 3.
        assert_eq!((r1["risk_value"].as_i64(), r1["risk_level"].as_i64()), (Some(16), Some(3)));
        let dup = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&alice).json(&json!({
            "asset_id": db, "threat_id": ransomware, "vulnerability_id": vuln["id"]})).send().await.problem(StatusCode::CONFLICT);
        assert!(kind(&dup).ends_with("risk_exists"));
        let cands = created(t.post(&format!("/api/v1/assessments/{id}/risks/candidates")).token(&alice)
            .json(&json!({"asset_ids": [db, web], "threat_ids": [ransomware, other]})).send().await).await;
        assert_eq!((cands["added"].as_i64(), cands["existing"].as_i64()), (Some(4), Some(0)));
        let again = created(t.post(&format!("/api/v1/assessments/{id}/risks/candidates")).token(&alice)
            .json(&json!({"asset_ids": [db], "threat_ids": [ransomware]})).send().await).await;
        assert_eq!((again["added"].as_i64(), again["existing"].as_i64()), (Some(0), Some(1)));
        let register = ok(t.get(&format!("/api/v1/assessments/{id}/risks")).token(&auditor).send().await);
        let items = register["items"].as_array().unwrap();
        assert_eq!(items.len(), 5);
        assert_eq!(items[0]["id"], r1["id"], "rated risks first");
        assert!(items[1..].iter().all(|r| r["risk_level"].is_null()));

        // Analysis: rate the candidates; a move on is refused while any is unrated.
        ok(move_to(&t, &alice, id, "analysis", None).await);
        ok(move_to(&t, &alice, id, "treatment_planning", None).await);
        let unrated = ok(t.get(&format!("/api/v1/assessments/{id}/risks?unrated=true")).token(&alice).send().await);
        let rid = |v: &Value| v["id"].as_i64().unwrap();
        let unrated: Vec<(i64, i64)> = unrated["items"].as_array().unwrap().iter().map(|r| (rid(r), r["asset_id"].as_i64().unwrap())).collect();
        assert_eq!(unrated.len(), 4);
        let p = move_to(&t, &alice, id, "review", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("risks_unrated"));
        for (r, asset_id) in &unrated {
            let (tf, vs) = if *asset_id == db { (5, 5) } else { (1, 2) };
            ok(patch_risk(&t, &alice, id, *r, json!({"threat_frequency": tf, "vulnerability_severity": vs})).await);
        }
        let bad = patch_risk(&t, &alice, id, unrated[0].0, json!({"threat_frequency": 6, "vulnerability_severity": 0})).await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad["errors"]["threat_frequency"].is_string() && bad["errors"]["vulnerability_severity"].is_string());
        // Heat map: T5 V5 A4 → likelihood 25 (5), loss 20 (4); T1 V2 A3 → 2 (1), 6 (2).
        let heat = ok(t.get(&format!("/api/v1/assessments/{id}/heat-map")).token(&alice).send().await);
        assert_eq!(heat["cells"][4][3], 2);
        assert_eq!(heat["cells"][0][1], 2);
        assert_eq!(heat["cells"][3][3], 1);
        let cell = ok(t.get(&format!("/api/v1/assessments/{id}/risks?likelihood_level=5&loss_level=4")).token(&alice).send().await);
        assert_eq!(cell["items"].as_array().unwrap().len(), 2);
        assert!(cell["items"].as_array().unwrap().iter().all(|r| r["risk_level"] == 4));

        // Treatment: accepting a level-4 risk needs the committee.
        let p = move_to(&t, &alice, id, "review", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("risks_untreated"));
        let all = ok(t.get(&format!("/api/v1/assessments/{id}/risks?limit=200")).token(&alice).send().await);
        let high: Vec<i64> = all["items"].as_array().unwrap().iter().filter(|r| r["risk_level"] == 4).map(rid).collect();
        for r in all["items"].as_array().unwrap() {
            let option = if high.contains(&rid(r)) { "accept" } else { "control" };
            ok(patch_risk(&t, &alice, id, rid(r), json!({"treatment": option})).await);
        }
        let bad = patch_risk(&t, &alice, id, high[0], json!({"treatment": "ignore"})).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad["errors"]["treatment"].is_string());
        let accepted = risk(&t, &alice, id, high[0]).await;
        assert_eq!(accepted["approval_needed"], true);
        let p = move_to(&t, &alice, id, "review", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("committee_approval_missing"));
        // The committee decides; team members cannot, nor twice, nor below the threshold.
        let decide = |token: &str, r: &Value| {
            let (token, version, r) = (token.to_owned(), r["version"].as_i64().unwrap(), rid(r));
            let t = &t;
            async move {
                t.post(&format!("/api/v1/assessments/{id}/risks/{r}/approval")).token(&token).if_match(version)
                    .json(&json!({"comment": "业务需要，领导小组同意接受"})).send().await
            }
        };
        decide(&alice, &accepted).await.problem(StatusCode::FORBIDDEN);
        // The committee is told: the assessment waits for them with the number of risks.
        let waiting = ok(t.get("/api/v1/me/approvals").token(&carol).send().await);
        let item = waiting["items"].as_array().unwrap().iter().find(|i| i["process"] == "assessment_risks").expect("waiting for the committee").clone();
        assert_eq!(item["id"], id);
        assert_eq!(item["pending_risks"], high.len());
        let none = ok(t.get("/api/v1/me/approvals").token(&alice).send().await);
        assert!(none["items"].as_array().unwrap().iter().all(|i| i["process"] != "assessment_risks"), "not for the team");
        let low = all["items"].as_array().unwrap().iter().find(|r| r["risk_level"] == 1).unwrap();
        let low = risk(&t, &alice, id, rid(low)).await;
        let p = decide(&carol, &low).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("approval_not_needed"));
        for r in &high {
            let current = risk(&t, &alice, id, *r).await;
            let approved = ok(decide(&carol, &current).await);
            assert_eq!(approved["approval_needed"], false);
            assert_eq!(approved["approval"]["comment"], "业务需要，领导小组同意接受");
            let p = decide(&carol, &approved).await.problem(StatusCode::CONFLICT);
            assert!(kind(&p).ends_with("already_decided"));
        }
        let after = ok(t.get("/api/v1/me/approvals").token(&carol).send().await);
        assert!(after["items"].as_array().unwrap().iter().all(|i| i["process"] != "assessment_risks"), "decided: no longer waiting");

        // Review: Bob returns it (a comment is required), Alice resubmits, Bob approves.
        let submitted = ok(move_to(&t, &alice, id, "review", Some("提交审核")).await);
        assert_eq!(submitted["allowed_transitions"], json!([]));
        assert_eq!(submitted["submitted_by"], alice_user.id.0);
        patch_risk(&t, &alice, id, high[0], json!({"threat_frequency": 1})).await.problem(StatusCode::CONFLICT);
        move_to(&t, &alice, id, "approved", None).await.problem(StatusCode::FORBIDDEN);
        let p = move_to(&t, &bob, id, "treatment_planning", Some("  ")).await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["comment"].is_string());
        let bob_view = ok(t.get(&format!("/api/v1/assessments/{id}")).token(&bob).send().await);
        assert_eq!(bob_view["allowed_transitions"], json!(["treatment_planning", "approved"]));
        ok(move_to(&t, &bob, id, "treatment_planning", Some("请补充 WEB-1 的控制措施")).await);
        ok(move_to(&t, &alice, id, "review", None).await);
        let approved = ok(move_to(&t, &bob, id, "approved", Some("同意")).await);
        assert_eq!(approved["phase"], "approved");
        let p = move_to(&t, &bob, id, "approved", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("phase_move_not_allowed"), "a second approval of the same step");

        // Implementation and residual risk.
        ok(move_to(&t, &alice, id, "implementing", None).await);
        ok(move_to(&t, &alice, id, "residual_assessment", None).await);
        let p = move_to(&t, &alice, id, "residual_review", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("residual_unrated"));
        for r in all["items"].as_array().unwrap() {
            let (tf, vs) = if high.contains(&rid(r)) { (5, 5) } else { (1, 1) };
            let v = ok(patch_risk(&t, &alice, id, rid(r), json!({"residual_threat_frequency": tf, "residual_vulnerability_severity": vs})).await);
            assert!(v["residual_risk_level"].is_number());
        }
        let p = move_to(&t, &alice, id, "residual_review", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("residual_above_threshold"));
        for r in &high {
            let current = risk(&t, &alice, id, *r).await;
            let v = ok(t.post(&format!("/api/v1/assessments/{id}/risks/{r}/residual-acceptance")).token(&carol)
                .if_match(current["version"].as_i64().unwrap()).json(&json!({})).send().await);
            assert!(v["residual_acceptance"]["by"].as_i64().is_some());
        }
        ok(move_to(&t, &alice, id, "residual_review", None).await);
        move_to(&t, &bob, id, "closed", None).await.problem(StatusCode::FORBIDDEN);
        let closed = ok(move_to(&t, &carol, id, "closed", Some("同意关闭")).await);
        assert_eq!(closed["phase"], "closed");
        assert_eq!(closed["allowed_transitions"], json!([]));
        assert_eq!(closed["may_edit"], false);

        // A closed assessment takes no change.
        let p = patch_risk(&t, &alice, id, high[0], json!({"description": "x"})).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"));
        let v = closed["version"].as_i64().unwrap();
        t.patch(&format!("/api/v1/assessments/{id}")).token(&alice).if_match(v).json(&json!({"name": "x"})).send().await.problem(StatusCode::CONFLICT);
        t.post(&format!("/api/v1/assessments/{id}/risks")).token(&alice).json(&json!({"asset_id": web, "threat_id": other}))
            .send().await.problem(StatusCode::CONFLICT);

        // The timeline names every move with who and why.
        let moves = ok(t.get(&format!("/api/v1/assessments/{id}/transitions")).token(&auditor).send().await);
        let steps: Vec<(String, String)> = moves["items"].as_array().unwrap().iter()
            .map(|m| (m["to"].as_str().unwrap().to_owned(), m["actor"].as_str().unwrap().to_owned())).collect();
        assert_eq!(steps.len(), 11, "{steps:?}");
        assert_eq!(steps[4], ("treatment_planning".to_owned(), "bob".to_owned()));
        assert_eq!(steps[10], ("closed".to_owned(), "carol".to_owned()));
        assert_eq!(moves["items"][4]["comment"], "请补充 WEB-1 的控制措施");
        let audit = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM audit_log WHERE entity_type = 'assessment' AND action = 'transition'", &[]).await;
        assert_eq!(audit.as_deref(), Some("11"));
        assert!(t.assert_audit_codes_declared().await >= 10);
    }

    async fn nobody_reviews_what_they_submitted(b: Backend) {
        let t = TestApp::new(b).await;
        let (officer_user, officer) = t.user_with("lead", &[("security_officer", None)]).await;
        let (_, other_officer) = t.user_with("second", &[("security_officer", None)]).await;
        // A security officer runs the assessment themselves and submits it.
        let a = created(t.post("/api/v1/assessments").token(&officer).json(&json!({"name": "Self"})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        assert_eq!(a["team"], json!([officer_user.id.0]));
        for to in ["identification", "analysis", "treatment_planning", "review"] {
            ok(move_to(&t, &officer, id, to, None).await);
        }
        let p = move_to(&t, &officer, id, "approved", None).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("self_approval"));
        let p = move_to(&t, &officer, id, "treatment_planning", Some("back")).await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("self_approval"));
        ok(move_to(&t, &other_officer, id, "approved", None).await);
    }

    async fn nobody_decides_on_an_assessment_they_created_or_prepared(b: Backend) {
        let t = TestApp::new(b).await;
        let (so1_user, so1) = t.user_with("so1", &[("security_officer", None)]).await;
        let (_, so2) = t.user_with("so2", &[("security_officer", None)]).await;
        let (as1_user, as1) = t.user_with("as1", &[("assessor", None)]).await;
        let (bi_user, bi) = t.user_with("bi", &[("security_officer", None), ("committee", None)]).await;
        let (_, carol) = t.user_with("carol", &[("committee", None)]).await;
        let phase = |doc: Value| doc["phase"].as_str().unwrap().to_owned();
        let get = |id: i64| {
            let t = &t;
            let so2 = so2.clone();
            async move { ok(t.get(&format!("/api/v1/assessments/{id}")).token(&so2).send().await) }
        };
        let self_approval = |r: Resp| {
            let p = r.problem(StatusCode::CONFLICT);
            assert!(kind(&p).ends_with("self_approval"), "{p}");
        };

        // The finding's first case: so1 creates with the team [so1, as1], as1 submits; so1
        // (creator and team member) may neither approve nor return it, and is not offered to.
        let a = created(t.post("/api/v1/assessments").token(&so1).json(&json!({
            "name": "Creator and team", "team": [so1_user.id.0, as1_user.id.0]})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        for to in ["identification", "analysis", "treatment_planning", "review"] {
            ok(move_to(&t, &as1, id, to, None).await);
        }
        let seen = ok(t.get(&format!("/api/v1/assessments/{id}")).token(&so1).send().await);
        assert_eq!(seen["allowed_transitions"], json!([]), "nothing to decide for an author");
        self_approval(move_to(&t, &so1, id, "approved", None).await);
        self_approval(move_to(&t, &so1, id, "treatment_planning", Some("back")).await);
        assert_eq!(phase(get(id).await), "review");
        // A creator who is not on the team is refused too.
        let b2 = created(t.post("/api/v1/assessments").token(&so1).json(&json!({
            "name": "Creator only", "team": [as1_user.id.0]})).send().await).await;
        let id2 = b2["id"].as_i64().unwrap();
        for to in ["identification", "analysis", "treatment_planning", "review"] {
            ok(move_to(&t, &as1, id2, to, None).await);
        }
        self_approval(move_to(&t, &so1, id2, "approved", None).await);
        ok(move_to(&t, &so2, id, "approved", None).await);
        ok(move_to(&t, &so2, id2, "approved", None).await);

        // The finding's second case: bi (officer and committee) creates with the team
        // [bi, as1]; as1 submits, so2 approves, as1 brings it to residual review; bi may
        // neither close nor return it; an independent committee member closes it.
        let c = created(t.post("/api/v1/assessments").token(&bi).json(&json!({
            "name": "Committee member on the team", "team": [bi_user.id.0, as1_user.id.0]})).send().await).await;
        let id3 = c["id"].as_i64().unwrap();
        for to in ["identification", "analysis", "treatment_planning", "review"] {
            ok(move_to(&t, &as1, id3, to, None).await);
        }
        self_approval(move_to(&t, &bi, id3, "approved", None).await);
        ok(move_to(&t, &so2, id3, "approved", None).await);
        for to in ["implementing", "residual_assessment", "residual_review"] {
            ok(move_to(&t, &as1, id3, to, None).await);
        }
        self_approval(move_to(&t, &bi, id3, "closed", None).await);
        self_approval(move_to(&t, &bi, id3, "residual_assessment", Some("again")).await);
        assert_eq!(phase(get(id3).await), "residual_review");
        let moves_before = t.count("workflow_moves").await;
        let approvals_before = t.count("approvals").await;
        ok(move_to(&t, &carol, id3, "closed", None).await);
        assert_eq!(t.count("workflow_moves").await, moves_before + 1);
        assert_eq!(t.count("approvals").await, approvals_before + 1, "the closing is recorded as a decision");
    }

    async fn bad_risks_and_plans_are_refused_and_change_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, staff) = t.user_with("worker", &[("staff", None)]).await;
        let (_, admin) = t.user_with("sysadmin", &[("admin", None)]).await;
        let p = t.post("/api/v1/assessments").token(&analyst).json(&json!({
            "name": " ", "method": "astrology", "acceptance_threshold": 9,
            "planned_start": "2026-12-31", "planned_end": "2026-12-01", "team": [999999],
            "asset_ids": [424242, 424242]})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["name", "method", "acceptance_threshold", "planned_end", "team[0]", "asset_ids"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        // Team members must be able to work on it.
        let (worker, _) = t.user_with("helper", &[("staff", None)]).await;
        let p = t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "A", "team": [worker.id.0]}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["team[0]"].is_string());
        t.post("/api/v1/assessments").token(&staff).json(&json!({"name": "A"})).send().await.problem(StatusCode::FORBIDDEN);
        t.post("/api/v1/assessments").token(&admin).json(&json!({"name": "A"})).send().await.problem(StatusCode::FORBIDDEN);
        assert_eq!(t.count("assessments").await, 0);

        let a = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "A"})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        let threat = threat_id(&t, &analyst, "T003").await;
        // Risks wait for identification.
        let p = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({"asset_id": 1, "threat_id": threat}))
            .send().await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("assessment_phase"));
        ok(move_to(&t, &analyst, id, "identification", None).await);
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        let one = asset(&t, &keeper, "ONE", (3, 3, 3)).await;
        let two = asset(&t, &keeper, "TWO", (3, 3, 3)).await;
        let finding = created(t.post("/api/v1/vulnerabilities").token(&keeper).json(&json!({
            "asset_id": two, "title": "Open port", "severity": 3, "found_by": "scan"})).send().await).await;
        let before = t.count("risks").await;
        let p = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({
            "asset_id": 999999, "threat_id": 888888, "threat_frequency": 0, "vulnerability_severity": 7}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["asset_id", "threat_id", "threat_frequency", "vulnerability_severity"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        let p = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({
            "asset_id": one, "threat_id": threat, "vulnerability_id": finding["id"]})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["vulnerability_id"].is_string());
        let p = t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({
            "asset_id": one, "threat_id": threat, "threat_frequency": 3})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["vulnerability_severity"].is_string());
        let p = t.post(&format!("/api/v1/assessments/{id}/risks/candidates")).token(&analyst).json(&json!({
            "asset_ids": [one, 777777], "threat_ids": []})).send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["threat_ids"].is_string());
        assert_eq!(t.count("risks").await, before);

        // Bad findings.
        let p = t.post("/api/v1/vulnerabilities").token(&keeper).json(&json!({
            "asset_id": one, "title": "", "severity": 9, "found_by": "rumour", "status": "maybe", "found_on": "yesterday"}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["title", "severity", "found_by", "status", "found_on"] {
            assert!(p["errors"][f].is_string(), "{f}: {p}");
        }
        t.post("/api/v1/vulnerabilities").token(&staff).json(&json!({"asset_id": one, "title": "x", "severity": 1, "found_by": "scan"}))
            .send().await.problem(StatusCode::FORBIDDEN);
        // Findings and controls list and change.
        let fixed = ok(t.patch(&format!("/api/v1/vulnerabilities/{}", finding["id"])).token(&keeper).if_match(1)
            .json(&json!({"status": "fixed"})).send().await);
        assert_eq!(fixed["status"], "fixed");
        let open = ok(t.get("/api/v1/vulnerabilities?status=open").token(&analyst).send().await);
        assert!(open["items"].as_array().unwrap().is_empty());
        let control = created(t.post("/api/v1/controls").token(&keeper).json(&json!({
            "name": "数据库审计", "kind": "technical", "effectiveness": "partially_effective", "asset_id": one})).send().await).await;
        assert_eq!(control["effectiveness"], "partially_effective");
        let p = t.post("/api/v1/controls").token(&keeper).json(&json!({"name": "x", "kind": "magic", "effectiveness": "perfect"}))
            .send().await.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(p["errors"]["kind"].is_string() && p["errors"]["effectiveness"].is_string());
        let of_asset = ok(t.get(&format!("/api/v1/controls?asset_id={one}")).token(&analyst).send().await);
        assert_eq!(of_asset["items"].as_array().unwrap().len(), 1);

        // A department an assessment is scoped to stays (409, not a database error).
        let dept = t.department("评估范围部门", None).await;
        created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "Scoped", "department_ids": [dept]})).send().await).await;
        let p = t.delete(&format!("/api/v1/departments/{dept}")).token(t.token_admin()).send().await.problem(StatusCode::CONFLICT);
        assert!(kind(&p).ends_with("in_use"));
    }

    async fn changing_the_method_of_a_planned_assessment_rerates_its_risks(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        let srv = asset(&t, &keeper, "SRV", (5, 5, 5)).await;
        let a = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "Method"})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        ok(move_to(&t, &analyst, id, "identification", None).await);
        let threat = threat_id(&t, &analyst, "T005").await;
        let r = created(t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({
            "asset_id": srv, "threat_id": threat, "threat_frequency": 3, "vulnerability_severity": 4})).send().await).await;
        // Multiplication: 12 → 3, 20 → 4, 3 × 4 = 12 → level 2.
        assert_eq!((r["risk_value"].as_i64(), r["risk_level"].as_i64()), (Some(12), Some(2)));
        let a = ok(t.get(&format!("/api/v1/assessments/{id}")).token(&analyst).send().await);
        ok(t.patch(&format!("/api/v1/assessments/{id}")).token(&analyst).if_match(a["version"].as_i64().unwrap())
            .json(&json!({"method": "sqrt"})).send().await);
        // Square root: √12 = 3.46, √20 = 4.47, 3.46 × 4.47 = 15.47 → level 3.
        let r = risk(&t, &analyst, id, r["id"].as_i64().unwrap()).await;
        assert_eq!((r["likelihood_value"].clone(), r["risk_value"].clone(), r["risk_level"].as_i64()), (json!(3.46), json!(15.47), Some(3)));
    }

    async fn a_changed_asset_value_is_flagged_and_can_be_taken_over(b: Backend) {
        let t = TestApp::new(b).await;
        let (_, analyst) = t.user_with("analyst", &[("assessor", None)]).await;
        let (_, keeper) = t.user_with("keeper", &[("security_admin", None)]).await;
        let srv = asset(&t, &keeper, "SRV", (3, 3, 3)).await;
        let a = created(t.post("/api/v1/assessments").token(&analyst).json(&json!({"name": "A"})).send().await).await;
        let id = a["id"].as_i64().unwrap();
        ok(move_to(&t, &analyst, id, "identification", None).await);
        let threat = threat_id(&t, &analyst, "T004").await;
        let r = created(t.post(&format!("/api/v1/assessments/{id}/risks")).token(&analyst).json(&json!({
            "asset_id": srv, "threat_id": threat, "threat_frequency": 3, "vulnerability_severity": 3})).send().await).await;
        assert_eq!((r["asset_value_level"].as_i64(), r["asset_value_changed"].as_bool()), (Some(3), Some(false)));
        ok(t.patch(&format!("/api/v1/assets/{srv}")).token(&keeper).if_match(1)
            .json(&json!({"confidentiality": 5, "integrity": 5, "availability": 5})).send().await);
        let r = risk(&t, &analyst, id, r["id"].as_i64().unwrap()).await;
        assert_eq!((r["asset_value_level"].as_i64(), r["current_asset_value_level"].as_i64(), r["asset_value_changed"].as_bool()),
            (Some(3), Some(5), Some(true)));
        let loss_before = r["loss_value"].as_i64().unwrap();
        // Saving the same rating changes nothing: no new version, no audit entry.
        let audit_before = t.count("audit_log").await;
        let same = ok(patch_risk(&t, &analyst, id, r["id"].as_i64().unwrap(), json!({"threat_frequency": 3, "vulnerability_severity": 3})).await);
        assert_eq!(same["version"], r["version"]);
        assert_eq!(t.count("audit_log").await, audit_before);
        let r = ok(patch_risk(&t, &analyst, id, r["id"].as_i64().unwrap(), json!({"refresh_asset_value": true})).await);
        assert_eq!((r["asset_value_level"].as_i64(), r["asset_value_changed"].as_bool()), (Some(5), Some(false)));
        assert_eq!((loss_before, r["loss_value"].as_i64().unwrap()), (9, 15));
    }
}

/// Takes an assessment with one rated risk (in identification) to closed.
async fn walk_to_closed(
    t: &TestApp,
    team: &str,
    officer: &str,
    committee: &str,
    id: i64,
    risk_id: i64,
) {
    ok(move_to(t, team, id, "analysis", None).await);
    ok(move_to(t, team, id, "treatment_planning", None).await);
    ok(patch_risk(t, team, id, risk_id, json!({"treatment": "control"})).await);
    ok(move_to(t, team, id, "review", None).await);
    ok(move_to(t, officer, id, "approved", None).await);
    ok(move_to(t, team, id, "implementing", None).await);
    ok(move_to(t, team, id, "residual_assessment", None).await);
    ok(patch_risk(
        t,
        team,
        id,
        risk_id,
        json!({"residual_threat_frequency": 1, "residual_vulnerability_severity": 1}),
    )
    .await);
    ok(move_to(t, team, id, "residual_review", None).await);
    ok(move_to(t, committee, id, "closed", None).await);
}

//! Controlled documents (SPEC §6.2): a policy drafted by a compliance administrator,
//! reviewed by the security officer and approved by the committee, published, superseded by
//! its next version with the seeds' change history; who reads which document and version;
//! reviews falling due; bad input changes nothing.

use crate::both;
use crate::harness::{Resp, TestApp};
use axum::http::StatusCode;
use serde_json::{Value, json};

fn ok(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    r.json()
}

fn created(r: Resp) -> Value {
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()
}

fn problem_code(r: &Resp, status: StatusCode) -> String {
    let doc = r.problem(status);
    doc["type"]
        .as_str()
        .unwrap_or_default()
        .rsplit(':')
        .next()
        .unwrap_or_default()
        .to_owned()
}

async fn move_to(t: &TestApp, token: &str, doc: i64, v: i64, body: Value) -> Resp {
    t.post(&format!("/api/v1/documents/{doc}/versions/{v}/transitions"))
        .token(token)
        .json(&body)
        .send()
        .await
}

async fn waiting(t: &TestApp, token: &str) -> Vec<Value> {
    ok(t.get("/api/v1/me/approvals").token(token).send().await)["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["process"] == "document")
        .cloned()
        .collect()
}

struct People {
    ca: (i64, String),
    so: (i64, String),
    committee: (i64, String),
    staff: String,
}

async fn people(t: &TestApp) -> People {
    let (ca, ca_tok) = t
        .user_with("comp.zhao", &[("compliance_admin", None)])
        .await;
    let (so, so_tok) = t
        .user_with("sec.officer", &[("security_officer", None)])
        .await;
    let (cm, cm_tok) = t.user_with("committee.qian", &[("committee", None)]).await;
    let (_, staff) = t.user_with("staff.sun", &[("staff", None)]).await;
    People {
        ca: (ca.id.0, ca_tok),
        so: (so.id.0, so_tok),
        committee: (cm.id.0, cm_tok),
        staff,
    }
}

/// Drafts `version` of `doc` and takes it through review, approval and publication.
async fn publish(t: &TestApp, p: &People, doc: i64, version: &str, note: &str) -> i64 {
    let v = created(
        t.post(&format!("/api/v1/documents/{doc}/versions"))
            .token(&p.ca.1)
            .json(&json!({"version": version, "change_note": note,
                "body": "# 目的\n\n规范网络边界的访问控制。"}))
            .send()
            .await,
    );
    let vid = v["id"].as_i64().unwrap();
    ok(move_to(t, &p.ca.1, doc, vid, json!({"to": "in_review"})).await);
    ok(move_to(t, &p.so.1, doc, vid, json!({"to": "approved"})).await);
    let approved = ok(move_to(t, &p.committee.1, doc, vid, json!({"to": "approved"})).await);
    assert_eq!(approved["status"], "approved");
    ok(move_to(t, &p.ca.1, doc, vid, json!({"to": "effective"})).await);
    vid
}

both! {
    async fn a_policy_is_reviewed_approved_published_and_superseded_with_its_history(b: Backend) {
        let t = TestApp::new(b).await;
        let p = people(&t).await;
        let doc = created(t.post("/api/v1/documents").token(&p.ca.1)
            .json(&json!({"code": "ISMS-POL-NET", "title": "网络安全管理制度", "kind": "policy",
                "family": "network"})).send().await);
        let id = doc["id"].as_i64().unwrap();
        assert_eq!((doc["status"].as_str(), doc["owner_id"].as_i64()), (Some("draft"), Some(p.ca.0)));
        assert_eq!(doc["review_interval_months"], 12);
        assert_eq!(doc["may_draft"], true);

        let v = created(t.post(&format!("/api/v1/documents/{id}/versions")).token(&p.ca.1)
            .json(&json!({"change_note": "首次发布", "body": "# 目的\n\n<script>alert(1)</script>"}))
            .send().await);
        let v1 = v["id"].as_i64().unwrap();
        assert_eq!((v["version"].as_str(), v["status"].as_str()), (Some("1.0"), Some("draft")));
        assert_eq!(v["allowed_transitions"], json!(["in_review"]));
        // The raw text is kept as written; pages render it inert.
        assert!(v["body"].as_str().unwrap().contains("<script>"));

        // Publishing without approval is not a move the workflow has.
        let r = move_to(&t, &p.ca.1, id, v1, json!({"to": "effective"})).await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "phase_move_not_allowed");

        let s = ok(move_to(&t, &p.ca.1, id, v1, json!({"to": "in_review"})).await);
        assert_eq!((s["status"].as_str(), s["current_step"].as_i64()), (Some("in_review"), Some(0)));
        assert_eq!(s["steps"].as_array().unwrap().len(), 2, "policies: security officer, then committee");
        // The committee's turn comes after the security officer's.
        assert!(waiting(&t, &p.committee.1).await.is_empty());
        let w = waiting(&t, &p.so.1).await;
        assert_eq!(w.len(), 1);
        assert_eq!((w[0]["expected"].as_str(), w[0]["id"].as_i64()), (Some("decide"), Some(id)));
        let r = move_to(&t, &p.committee.1, id, v1, json!({"to": "approved"})).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", r.text());

        // The security officer returns it once (a comment is required), then approves it.
        let r = move_to(&t, &p.so.1, id, v1, json!({"to": "draft"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
        ok(move_to(&t, &p.so.1, id, v1, json!({"to": "draft", "comment": "补充适用范围"})).await);
        let edited = ok(t.patch(&format!("/api/v1/documents/{id}/versions/{v1}")).token(&p.ca.1)
            .if_match(s["revision"].as_i64().unwrap() + 1)
            .json(&json!({"change_note": "首次发布", "body": "# 目的\n\n# 适用范围\n\n全公司网络。"}))
            .send().await);
        assert_eq!(edited["version"], "1.0");
        ok(move_to(&t, &p.ca.1, id, v1, json!({"to": "in_review"})).await);
        let r1 = ok(move_to(&t, &p.so.1, id, v1, json!({"to": "approved"})).await);
        assert_eq!((r1["status"].as_str(), r1["current_step"].as_i64()), (Some("in_review"), Some(1)));
        assert_eq!(r1["reviewer_id"], p.so.0);
        assert_eq!(waiting(&t, &p.committee.1).await.len(), 1);
        let a = ok(move_to(&t, &p.committee.1, id, v1, json!({"to": "approved"})).await);
        assert_eq!((a["status"].as_str(), a["approver_id"].as_i64()), (Some("approved"), Some(p.committee.0)));
        assert!(a["approved_at"].is_string());
        // The owner publishes it (they find it waiting).
        let w = waiting(&t, &p.ca.1).await;
        assert_eq!(w.iter().map(|w| w["expected"].as_str().unwrap()).collect::<Vec<_>>(), ["publish"]);
        let r = move_to(&t, &p.ca.1, id, v1, json!({"to": "effective", "effective_at": "2999-01-01"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a day ahead: {}", r.text());
        let e = ok(move_to(&t, &p.ca.1, id, v1, json!({"to": "effective"})).await);
        assert_eq!(e["status"], "effective");
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&p.staff).send().await);
        assert_eq!((d["status"].as_str(), d["current_version"].as_str()), (Some("effective"), Some("1.0")));
        assert!(d["next_review_at"].is_string());
        assert_eq!(d["review"], "later");
        assert!(waiting(&t, &p.ca.1).await.is_empty());

        // Version 1.1 must come after 1.0; then it supersedes it.
        let r = t.post(&format!("/api/v1/documents/{id}/versions")).token(&p.ca.1)
            .json(&json!({"version": "1.0", "change_note": "x", "body": "y"})).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().contains("version"), "{}", r.text());
        let v2 = publish(&t, &p, id, "1.1", "增加无线网络要求").await;
        let history = ok(t.get(&format!("/api/v1/documents/{id}/versions")).token(&p.staff).send().await);
        let items = history["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{history}");
        assert_eq!((items[0]["id"].as_i64(), items[0]["status"].as_str()), (Some(v2), Some("effective")));
        assert_eq!((items[1]["version"].as_str(), items[1]["status"].as_str()), (Some("1.0"), Some("superseded")));
        for v in items {
            assert_eq!(v["author_id"], p.ca.0);
            assert_eq!(v["reviewer_id"], p.so.0);
            assert_eq!(v["approver_id"], p.committee.0);
            for f in ["authored_at", "reviewed_at", "approved_at", "effective_at"] {
                assert!(v[f].is_string(), "{f}: {v}");
            }
        }
        assert!(items[1]["ended_at"].is_string());
        // The superseded version keeps its text, for staff too.
        let v10 = ok(t.get(&format!("/api/v1/documents/{id}/versions/{}", items[1]["id"])).token(&p.staff).send().await);
        assert!(v10["body"].as_str().unwrap().contains("适用范围"), "{v10}");
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&p.ca.1).send().await);
        assert_eq!(d["current_version"], "1.1");

        // Every move and decision is in the trail.
        let actions: Vec<String> = t.rows("SELECT action FROM audit_log ORDER BY seq").await.into_iter()
            .map(|mut r| r.take::<String, _>(0).unwrap()).collect();
        for a in ["create", "update", "transition", "decide", "document_publish"] {
            assert!(actions.iter().any(|x| x == a), "{a} in {actions:?}");
        }
        t.assert_audit_codes_declared().await;
    }
}

both! {
    async fn staff_read_documents_in_force_and_never_drafts(b: Backend) {
        let t = TestApp::new(b).await;
        let p = people(&t).await;
        let (_, auditor) = t.user_with("aud.wu", &[("auditor", None)]).await;
        let make = |code: &'static str| {
            let t = &t;
            let tok = p.ca.1.clone();
            async move {
                created(t.post("/api/v1/documents").token(&tok)
                    .json(&json!({"code": code, "title": format!("{code} 文件"), "kind": "procedure",
                        "family": "system"})).send().await)["id"].as_i64().unwrap()
            }
        };
        let in_force = make("PR-001").await;
        let draft = make("PR-002").await;
        // Procedures (normal impact) need the security officer only.
        let v = created(t.post(&format!("/api/v1/documents/{in_force}/versions")).token(&p.ca.1)
            .json(&json!({"change_note": "首次发布", "body": "正文"})).send().await)["id"].as_i64().unwrap();
        ok(move_to(&t, &p.ca.1, in_force, v, json!({"to": "in_review"})).await);
        let a = ok(move_to(&t, &p.so.1, in_force, v, json!({"to": "approved"})).await);
        assert_eq!(a["status"], "approved");
        assert_eq!((a["approver_id"].as_i64(), a["reviewer_id"].as_i64()), (Some(p.so.0), None));
        ok(move_to(&t, &p.so.1, in_force, v, json!({"to": "effective"})).await);
        // A draft of the next version stays with its authors.
        let next = created(t.post(&format!("/api/v1/documents/{in_force}/versions")).token(&p.ca.1)
            .json(&json!({"change_note": "修订", "body": "新正文"})).send().await)["id"].as_i64().unwrap();

        let list = |tok: String| {
            let t = &t;
            async move {
                let l = ok(t.get("/api/v1/documents").token(&tok).send().await);
                (l["total"].as_i64().unwrap(),
                 l["items"].as_array().unwrap().iter().map(|d| d["code"].as_str().unwrap().to_owned()).collect::<Vec<_>>())
            }
        };
        assert_eq!(list(p.staff.clone()).await, (1, vec!["PR-001".to_owned()]));
        assert_eq!(list(auditor.clone()).await.0, 2);
        assert_eq!(list(p.ca.1.clone()).await.0, 2);
        let r = t.get(&format!("/api/v1/documents/{draft}")).token(&p.staff).send().await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let d = ok(t.get(&format!("/api/v1/documents/{in_force}")).token(&p.staff).send().await);
        assert_eq!(d["versions"].as_array().unwrap().len(), 1, "staff see the version in force only");
        assert_eq!(d["may_manage"], false);
        let r = t.get(&format!("/api/v1/documents/{in_force}/versions/{next}")).token(&p.staff).send().await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        // Staff and auditors change nothing.
        let r = t.post("/api/v1/documents").token(&p.staff)
            .json(&json!({"title": "x", "kind": "policy", "family": "data"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.post(&format!("/api/v1/documents/{in_force}/versions")).token(&auditor)
            .json(&json!({"change_note": "x", "body": "y"})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        let r = t.post(&format!("/api/v1/documents/{in_force}/reviews")).token(&p.staff)
            .json(&json!({})).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        // Filters.
        let l = ok(t.get("/api/v1/documents?status=draft&q=pr-00").token(&p.ca.1).send().await);
        assert_eq!(l["total"], 1);
        let r = t.get("/api/v1/documents?review=someday").token(&p.ca.1).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}

both! {
    async fn bad_versions_and_moves_are_refused_and_change_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let p = people(&t).await;
        // The security officer owns a procedure: they never approve their own document.
        let doc = created(t.post("/api/v1/documents").token(&p.so.1)
            .json(&json!({"title": "备份管理规范", "kind": "specification", "family": "continuity"}))
            .send().await);
        let id = doc["id"].as_i64().unwrap();
        assert!(doc["code"].as_str().unwrap().starts_with("DOC-"), "{doc}");
        let v = created(t.post(&format!("/api/v1/documents/{id}/versions")).token(&p.so.1)
            .json(&json!({"change_note": "首次发布"})).send().await);
        let vid = v["id"].as_i64().unwrap();
        // Nothing to review yet.
        let r = move_to(&t, &p.so.1, id, vid, json!({"to": "in_review"})).await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "document_version_empty");
        // A second version while one is prepared.
        let r = t.post(&format!("/api/v1/documents/{id}/versions")).token(&p.so.1)
            .json(&json!({"change_note": "再来一版", "body": "x"})).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "document_version_pending");
        // Field errors name every field, and nothing changes.
        let before = t.count("document_versions").await;
        let r = t.post("/api/v1/documents").token(&p.so.1)
            .json(&json!({"code": "bad code!", "title": "", "kind": "memo", "family": "x",
                "review_interval_months": 0})).send().await;
        let doc_err = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        for f in ["code", "title", "kind", "family", "review_interval_months"] {
            assert!(doc_err["errors"][f].is_string(), "{f} in {doc_err}");
        }
        let r = t.post("/api/v1/documents").token(&p.so.1)
            .json(&json!({"title": "x", "kind": "policy", "family": "data", "colour": "red"})).send().await;
        assert!(r.status.is_client_error(), "{}", r.text());
        let r = t.patch(&format!("/api/v1/documents/{id}/versions/{vid}")).token(&p.so.1)
            .if_match(v["revision"].as_i64().unwrap())
            .json(&json!({"version": "abc", "change_note": "", "body": "x".repeat(200_001)})).send().await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(t.count("document_versions").await, before);
        // A stale revision.
        let r = t.patch(&format!("/api/v1/documents/{id}/versions/{vid}")).token(&p.so.1)
            .if_match(v["revision"].as_i64().unwrap() + 5)
            .json(&json!({"change_note": "首次发布", "body": "正文"})).send().await;
        assert_eq!(r.status, StatusCode::PRECONDITION_FAILED, "{}", r.text());
        ok(t.patch(&format!("/api/v1/documents/{id}/versions/{vid}")).token(&p.so.1)
            .if_match(v["revision"].as_i64().unwrap())
            .json(&json!({"change_note": "首次发布", "body": "正文"})).send().await);
        ok(move_to(&t, &p.so.1, id, vid, json!({"to": "in_review"})).await);
        // Submitted: no more edits.
        let r = t.patch(&format!("/api/v1/documents/{id}/versions/{vid}")).token(&p.so.1)
            .if_match(1).json(&json!({"change_note": "x", "body": "y"})).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "document_version_locked");
        // The owner is not their own approver, though they hold the step's role.
        let r = move_to(&t, &p.so.1, id, vid, json!({"to": "approved"})).await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "self_approval");
        assert!(waiting(&t, &p.so.1).await.is_empty(), "their own document does not wait for them");
        // Another security officer approves.
        let (_, so2) = t.user_with("sec.officer2", &[("security_officer", None)]).await;
        ok(move_to(&t, &so2, id, vid, json!({"to": "approved"})).await);
        let r = move_to(&t, &so2, id, vid, json!({"to": "approved"})).await;
        assert_eq!(r.status, StatusCode::CONFLICT);
        // Unknown target, unknown document.
        let r = move_to(&t, &p.so.1, id, vid, json!({"to": "published"})).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let r = move_to(&t, &p.so.1, id + 100, vid, json!({"to": "effective"})).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        ok(move_to(&t, &p.so.1, id, vid, json!({"to": "effective"})).await);
        // Review confirmed: the next review moves a year from today.
        let d = ok(t.post(&format!("/api/v1/documents/{id}/reviews")).token(&p.so.1)
            .json(&json!({"comment": "内容仍然适用"})).send().await);
        assert!(d["reviewed_at"].is_string());
        // Retired: its record stays as it was.
        ok(move_to(&t, &p.so.1, id, vid, json!({"to": "retired", "comment": "业务下线"})).await);
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&p.so.1).send().await);
        assert_eq!((d["status"].as_str(), d["next_review_at"].as_str()), (Some("retired"), None));
        let r = t.post(&format!("/api/v1/documents/{id}/versions")).token(&p.so.1)
            .json(&json!({"change_note": "x", "body": "y"})).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "document_retired");
        t.assert_audit_codes_declared().await;
    }
}

both! {
    async fn reviews_falling_due_wait_for_their_owner(b: Backend) {
        let t = TestApp::new(b).await;
        let p = people(&t).await;
        let doc = created(t.post("/api/v1/documents").token(&p.ca.1)
            .json(&json!({"code": "POL-DATA", "title": "数据安全管理制度", "kind": "policy", "family": "data",
                "review_interval_months": 1})).send().await);
        let id = doc["id"].as_i64().unwrap();
        publish(&t, &p, id, "1.0", "首次发布").await;
        // In force for one month: its review is due within 30 days or so.
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&p.ca.1).send().await);
        assert_eq!(d["review_interval_months"], 1);
        // Push the review day into the past: overdue, listed and waiting.
        t.raw_sql(&format!("UPDATE documents SET next_review_at = '2020-01-31' WHERE id = {id}")).await;
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&p.ca.1).send().await);
        assert_eq!(d["review"], "overdue");
        let l = ok(t.get("/api/v1/documents?review=overdue").token(&p.so.1).send().await);
        assert_eq!(l["total"], 1);
        let w = waiting(&t, &p.ca.1).await;
        assert_eq!(w.len(), 1);
        assert_eq!((w[0]["expected"].as_str(), w[0]["overdue"].as_bool()), (Some("review"), Some(true)));
        // The owner confirms the review: nothing waits any more.
        let d = ok(t.post(&format!("/api/v1/documents/{id}/reviews")).token(&p.ca.1)
            .if_match(d["version"].as_i64().unwrap()).json(&json!({})).send().await);
        assert_ne!(d["review"], "overdue");
        assert!(waiting(&t, &p.ca.1).await.iter().all(|w| w["expected"] != "review"));
        // A longer interval moves the next review.
        let changed = ok(t.patch(&format!("/api/v1/documents/{id}")).token(&p.ca.1)
            .if_match(d["version"].as_i64().unwrap())
            .json(&json!({"code": "POL-DATA", "title": "数据安全管理制度", "kind": "policy", "family": "data",
                "review_interval_months": 24})).send().await);
        assert!(changed["next_review_at"].as_str().unwrap() > d["next_review_at"].as_str().unwrap());
    }
}

both! {
    async fn staff_of_two_departments_acknowledge_a_policy_and_the_coverage_shows_who_has_not(b: Backend) {
        let t = TestApp::new(b).await;
        let p = people(&t).await;
        let company = t.department("集团", None).await;
        let it = t.department("信息技术部", Some(company)).await;
        let ops = t.department("运维组", Some(it)).await;
        let finance = t.department("财务部", Some(company)).await;
        let sales = t.department("销售部", Some(company)).await;
        let (_, it1) = t.user_in("it.li", Some(it), &[("staff", None)]).await;
        let (_, ops1) = t.user_in("ops.wang", Some(ops), &[("staff", None)]).await;
        t.user_in("ops.zhang", Some(ops), &[("staff", None)]).await;
        let (_, fin1) = t.user_in("fin.liu", Some(finance), &[("staff", None)]).await;
        t.user_in("fin.chen", Some(finance), &[("staff", None)]).await;
        let (_, sales1) = t.user_in("sales.he", Some(sales), &[("staff", None)]).await;
        let (_, auditor) = t.user_in("aud.ma", Some(sales), &[("auditor", None)]).await;

        let doc = created(t.post("/api/v1/documents").token(&p.ca.1)
            .json(&json!({"code": "POL-NET", "title": "网络安全管理制度", "kind": "policy", "family": "network"}))
            .send().await);
        let id = doc["id"].as_i64().unwrap();
        // Addressed to IT (with its operations team below), finance and auditors.
        let r = t.put(&format!("/api/v1/documents/{id}/addressees")).token(&p.ca.1)
            .json(&json!({"department_ids": [it, finance, 999999], "roles": ["auditor", "wizard"]})).send().await;
        let e = r.problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(e["errors"]["department_ids[2]"].is_string() && e["errors"]["roles[1]"].is_string(), "{e}");
        let r = t.put(&format!("/api/v1/documents/{id}/addressees")).token(&p.staff)
            .json(&json!({"department_ids": [it]})).send().await;
        assert!(r.status == StatusCode::FORBIDDEN || r.status == StatusCode::NOT_FOUND, "{}", r.status);
        let a = ok(t.put(&format!("/api/v1/documents/{id}/addressees")).token(&p.ca.1)
            .json(&json!({"department_ids": [it, finance, it], "roles": ["auditor"]})).send().await);
        assert_eq!(a, json!({"department_ids": [it, finance], "roles": ["auditor"]}));

        // Not in force yet: nothing to confirm.
        let r = t.post(&format!("/api/v1/documents/{id}/acknowledgements")).token(&p.ca.1).send().await;
        assert!(r.status == StatusCode::CONFLICT || r.status == StatusCode::NOT_FOUND, "{}", r.status);
        let v1 = publish(&t, &p, id, "1.0", "首次发布").await;
        let _ = v1;

        // The people addressed find it waiting; others do not.
        let w = waiting(&t, &ops1).await;
        assert_eq!(w.len(), 1, "{w:?}");
        assert_eq!((w[0]["expected"].as_str(), w[0]["id"].as_i64()), (Some("acknowledge"), Some(id)));
        assert!(waiting(&t, &sales1).await.is_empty());
        let d = ok(t.get(&format!("/api/v1/documents/{id}")).token(&ops1).send().await);
        assert_eq!((d["addressed_to_me"].as_bool(), d["acknowledged_at"].is_null()), (Some(true), true));

        // Confirming: once recorded, twice harmless; someone not addressed is refused.
        let r = t.post(&format!("/api/v1/documents/{id}/acknowledgements")).token(&ops1).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        assert_eq!(r.json()["version"], "1.0");
        let r = t.post(&format!("/api/v1/documents/{id}/acknowledgements")).token(&ops1).send().await;
        assert_eq!(r.status, StatusCode::OK);
        let r = t.post(&format!("/api/v1/documents/{id}/acknowledgements")).token(&sales1).send().await;
        assert_eq!(problem_code(&r, StatusCode::CONFLICT), "document_not_addressed");
        for tok in [&it1, &fin1, &auditor] {
            let r = t.post(&format!("/api/v1/documents/{id}/acknowledgements")).token(tok).send().await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        }
        assert!(waiting(&t, &ops1).await.is_empty());

        // The coverage: IT 1/1, operations 1/2, finance 1/2, sales (the auditor) 1/1.
        let c = ok(t.get(&format!("/api/v1/documents/{id}/acknowledgements")).token(&p.ca.1).send().await);
        assert_eq!((c["version"].as_str(), c["total"].as_i64(), c["acknowledged"].as_i64()), (Some("1.0"), Some(6), Some(4)), "{c}");
        let line = |d: i64| c["departments"].as_array().unwrap().iter().find(|l| l["department_id"] == d).cloned().unwrap();
        assert_eq!((line(it)["total"].as_i64(), line(it)["acknowledged"].as_i64()), (Some(1), Some(1)));
        assert_eq!((line(ops)["total"].as_i64(), line(ops)["acknowledged"].as_i64()), (Some(2), Some(1)));
        assert_eq!((line(finance)["total"].as_i64(), line(finance)["acknowledged"].as_i64()), (Some(2), Some(1)));
        assert_eq!((line(sales)["total"].as_i64(), line(sales)["acknowledged"].as_i64()), (Some(1), Some(1)));
        let pending = ok(t.get(&format!("/api/v1/documents/{id}/acknowledgements/pending")).token(&p.so.1).send().await);
        let names: Vec<&str> = pending["items"].as_array().unwrap().iter().map(|u| u["display_name"].as_str().unwrap()).collect();
        assert_eq!(names.len(), 2, "{pending}");
        let pending = ok(t.get(&format!("/api/v1/documents/{id}/acknowledgements/pending?department_id={finance}")).token(&p.so.1).send().await);
        assert_eq!(pending["items"].as_array().unwrap().len(), 1);
        // Staff do not see who has read what.
        let r = t.get(&format!("/api/v1/documents/{id}/acknowledgements")).token(&ops1).send().await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);

        // A new version in force needs a new confirmation.
        publish(&t, &p, id, "1.1", "补充无线网络要求").await;
        let c = ok(t.get(&format!("/api/v1/documents/{id}/acknowledgements")).token(&p.ca.1).send().await);
        assert_eq!((c["version"].as_str(), c["acknowledged"].as_i64()), (Some("1.1"), Some(0)));
        assert_eq!(waiting(&t, &ops1).await.len(), 1);
        t.assert_audit_codes_declared().await;
    }
}

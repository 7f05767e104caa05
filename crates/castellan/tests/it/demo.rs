//! `castellan demo`: a deterministic organization with every role.

use crate::both;
use crate::harness::TestApp;
use axum::http::StatusCode;
use castellan_app::demo;
use serde_json::json;

both! {
    async fn the_demo_organization_is_complete_and_deterministic(b: Backend) {
        let t = TestApp::new(b).await;
        let report = demo::generate(&t.app, 2_000).await.unwrap();
        assert_eq!(report.users, 40);
        assert!(report.departments >= 20);
        assert_eq!(t.count("departments").await as usize, report.departments);
        // The administrator plus the demo users.
        assert_eq!(t.count("users").await as usize, report.users + 1);
        // N assets with lifecycle histories, every category and status, values that agree
        // with their ratings.
        assert_eq!(report.assets, 2_000);
        assert_eq!(t.count("assets").await, 2_000);
        assert!(t.count("asset_events").await > 2_000);
        for (column, n) in [("category", 12), ("status", 5)] {
            let distinct = t.scalar(&format!("SELECT CAST(COUNT(DISTINCT {column}) AS TEXT) FROM assets"), &[]).await;
            assert_eq!(distinct, Some(n.to_string()), "{column}");
        }
        let officer = t.user_by_name_pub("chen.jing").await;
        let officer_token = t.token_for(&officer).await;
        let page = t.get("/api/v1/assets?limit=200").token(&officer_token).send().await.json();
        for a in page["items"].as_array().unwrap() {
            let (c, i, av) = (a["confidentiality"].as_f64().unwrap(), a["integrity"].as_f64().unwrap(), a["availability"].as_f64().unwrap());
            let mean = ((c + i + av) / 3.0 * 10.0 + 0.5 - 1e-9).floor() / 10.0;
            assert_eq!(a["value_score"].as_f64().unwrap(), mean, "{a}");
        }
        let roles = t.get("/api/v1/users?limit=200").token(t.token_admin()).send().await.json();
        for role in castellan_domain::Role::ALL {
            assert!(
                roles["items"].as_array().unwrap().iter().any(|u| u["roles"].as_array().unwrap().iter().any(|g| g["role"] == role.code())),
                "no demo user holds {role}"
            );
        }
        // Risk assessment: last year's closed, this year's in treatment planning with one risk
        // per asset, a special review in identification; findings and controls.
        assert_eq!(report.risk.assessments, 3);
        assert_eq!(report.risk.risks as i64, t.count("risks").await);
        assert_eq!(t.count("risks").await, 80 + 2_000);
        assert!(report.risk.vulnerabilities > 50);
        assert!(t.count("controls").await >= 10);
        // Requests: every status, access changes met and breached, heads who have work.
        assert_eq!(report.requests, 800);
        assert_eq!(t.count("requests").await, 800);
        for status in ["draft", "submitted", "approved", "implemented", "closed", "rejected", "withdrawn"] {
            let n = t.scalar("SELECT CAST(COUNT(*) AS TEXT) FROM requests WHERE status = $1", &[castellan_store::Value::Text(status.into())]).await;
            assert_ne!(n.as_deref(), Some("0"), "no {status} request");
        }
        let breached = t.get("/api/v1/requests?breached=true&limit=1").token(&officer_token).send().await.json();
        let met = t.get("/api/v1/requests?breached=false&limit=1").token(&officer_token).send().await.json();
        assert!(breached["total"].as_i64().unwrap() > 0 && met["total"].as_i64().unwrap() > breached["total"].as_i64().unwrap());
        let li = t.user_by_name_pub("li.qiang").await;
        let li_token = t.token_for(&li).await;
        let waiting = t.get("/api/v1/me/approvals").token(&li_token).send().await.json();
        assert!(waiting["total"].as_u64().unwrap() > 0, "the security administrator has requests to decide");
        // A request page with its decisions reads back through the API.
        let closed = t.get("/api/v1/requests?status=closed&kind=change&limit=1").token(&officer_token).send().await.json();
        let item = &closed["items"][0];
        assert!(item["approvals"].as_array().unwrap().len() >= 2, "{item}");
        let moves = t.get(&format!("/api/v1/requests/{}/transitions", item["id"])).token(&officer_token).send().await.json();
        assert!(moves["items"].as_array().unwrap().len() >= 3);
        // A new request after the demo continues the codes and ids.
        let r = t.post("/api/v1/requests").token(&li_token).json(&json!({"kind": "change", "title": "after demo"})).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        // Incidents: a year of them across classes, levels and categories, open and closed,
        // some rejected; a closed one with its team, timeline and moves.
        assert_eq!(report.incidents, 250);
        assert_eq!(t.count("incidents").await, 250);
        for (column, at_least) in [("class", 3), ("level", 4), ("category", 8), ("status", 5)] {
            let distinct = t.scalar(&format!("SELECT CAST(COUNT(DISTINCT {column}) AS TEXT) FROM incidents"), &[]).await;
            assert!(distinct.unwrap().parse::<i64>().unwrap() >= at_least, "{column}");
        }
        let closed = t.get("/api/v1/incidents?status=closed&limit=1").token(&officer_token).send().await.json();
        let inc = &closed["items"][0];
        assert!(inc["root_cause"].is_string() && !inc["handler_ids"].as_array().unwrap().is_empty(), "{inc}");
        let id = inc["id"].as_i64().unwrap();
        let tl = t.get(&format!("/api/v1/incidents/{id}/timeline")).token(&officer_token).send().await.json();
        assert!(!tl["items"].as_array().unwrap().is_empty());
        let mv = t.get(&format!("/api/v1/incidents/{id}/transitions")).token(&officer_token).send().await.json();
        assert_eq!(mv["items"].as_array().unwrap().len(), 5);
        let year = castellan_domain::Timestamp::now().datetime().year();
        let counts = t.get(&format!("/api/v1/incidents/counts?year={year}")).token(&officer_token).send().await.json();
        assert!(counts["total"].as_i64().unwrap() > 0);
        let r = t.post("/api/v1/incidents").token(&li_token).json(&json!({"title": "after demo", "occurred_at": castellan_domain::Timestamp::now().to_rfc3339()})).send().await;
        assert_eq!(r.status, StatusCode::CREATED, "codes and ids continue: {}", r.text());
        let list = t.get("/api/v1/assessments").token(&officer_token).send().await.json();
        let phases: Vec<&str> = list["items"].as_array().unwrap().iter().map(|a| a["phase"].as_str().unwrap()).collect();
        assert_eq!(phases.len(), 3);
        for phase in ["closed", "treatment_planning", "identification"] {
            assert!(phases.contains(&phase), "{phases:?}");
        }
        let current = list["items"].as_array().unwrap().iter().find(|a| a["phase"] == "treatment_planning").unwrap();
        let id = current["id"].as_i64().unwrap();
        let register = t.get(&format!("/api/v1/assessments/{id}/risks?limit=5")).token(&officer_token).send().await.json();
        assert_eq!(register["items"][0]["risk_level"], 5, "the register starts with the highest risks");
        let moves = t.get(&format!("/api/v1/assessments/{id}/transitions")).token(&officer_token).send().await.json();
        assert_eq!(moves["items"].as_array().unwrap().len(), 3);
        // Continuity: most high-value assets backed up, a few left uncovered, some restore
        // tests months old; four DR plans; a year of drills, one slower than its plan's RTO
        // with its rectification tasks open.
        assert!(report.backup_plans > 10, "{}", report.backup_plans);
        assert_eq!(report.backup_plans as i64, t.count("backup_plans").await);
        let uncovered = t.get("/api/v1/backup-plans/uncovered").token(&officer_token).send().await.json();
        let uncovered_total = uncovered["total"].as_i64().unwrap();
        assert!(uncovered_total > 0 && uncovered_total < report.backup_plans as i64 / 5, "a few uncovered: {uncovered_total}");
        let due = t.get("/api/v1/backup-plans?verification_due=true").token(&officer_token).send().await.json();
        assert!(due["total"].as_i64().unwrap() > 0, "some restore tests are months old");
        assert_eq!((report.dr_plans, report.drills), (4, 7));
        let missed = t.get("/api/v1/drills?missed_rto=true").token(&officer_token).send().await.json();
        let missed = missed["items"].as_array().unwrap();
        assert_eq!(missed.len(), 1, "{missed:?}");
        let drill = t.get(&format!("/api/v1/drills/{}", missed[0]["id"])).token(&officer_token).send().await.json();
        let tasks = drill["rectifications"].as_array().unwrap();
        assert!(tasks.len() >= 2 && tasks.iter().all(|x| x["status"] == "open"), "{drill}");
        assert!(drill["problems"].as_array().unwrap().iter().any(|p| p["kind"] == "missed_rto"), "{drill}");
        let verified = t.get("/api/v1/rectifications?source=drill&status=verified").token(&officer_token).send().await.json();
        assert!(!verified["items"].as_array().unwrap().is_empty(), "an earlier drill's problem was put right");
        // Inspections: a year of quarterly and monthly inspections with findings and their
        // tasks, the machine-room round overdue, a plan waiting for the security officer.
        assert_eq!(report.inspection_plans, 4);
        assert!(report.inspections >= 12, "{}", report.inspections);
        let plans = t.get("/api/v1/inspection-plans?overdue=true").token(&officer_token).send().await.json();
        assert_eq!(plans["total"], 1, "{plans}");
        let waiting = t.get("/api/v1/me/approvals").token(&officer_token).send().await.json();
        assert!(waiting["items"].as_array().unwrap().iter().any(|i| i["process"] == "inspection_plan"), "{waiting}");
        let done = t.get("/api/v1/inspections?status=completed&limit=200").token(&officer_token).send().await.json();
        assert!(done["total"].as_i64().unwrap() >= 10, "{done}");
        let failed = done["items"].as_array().unwrap().iter().map(|i| i["tally"]["fail"].as_i64().unwrap()).sum::<i64>();
        let with_task = done["items"].as_array().unwrap().iter().map(|i| i["tally"]["with_task"].as_i64().unwrap()).sum::<i64>();
        assert!(failed > 0 && failed == with_task, "every finding of a completed inspection has its task");
        let tasks = t.get("/api/v1/rectifications?source=inspection&limit=1").token(&officer_token).send().await.json();
        assert!(tasks["total"].as_i64().unwrap() > 0);
        // Goals: this year's company goal published with department goals below it, one
        // waiting for the security officer, one returned, a division without a goal.
        let year = castellan_domain::Day::of(castellan_domain::Timestamp::now()).date().year();
        let tree = t.get(&format!("/api/v1/goals/tree?year={year}")).token(&officer_token).send().await.json();
        let goals = tree["goals"].as_array().unwrap();
        assert_eq!(goals[0]["level"], "company");
        assert_eq!(goals[0]["status"], "published");
        for status in ["published", "in_review", "returned"] {
            assert!(goals.iter().any(|g| g["level"] == "department" && g["status"] == status), "no {status} department goal: {tree}");
        }
        assert!(goals.iter().any(|g| g["level"] == "position"), "{tree}");
        assert!(!tree["uncovered"].as_array().unwrap().is_empty());
        assert!(waiting["items"].as_array().unwrap().iter().any(|i| i["process"] == "goal"), "{waiting}");
        assert_eq!(report.goals as i64, t.count("goals").await);
        // Custody: the key systems' accounts with every kind of warning, one waiting for the
        // new holder's password change, the security officer's items in "waiting for me".
        assert!(report.custody >= 10, "{}", report.custody);
        assert_eq!(report.custody as i64, t.count("custody").await);
        let counts = t.get("/api/v1/custody/warnings").token(&officer_token).send().await.json();
        for item in counts["items"].as_array().unwrap() {
            assert!(item["count"].as_i64().unwrap() > 0, "no demo record raises {item}");
        }
        let in_order = t.get("/api/v1/custody?limit=200").token(&officer_token).send().await.json();
        assert!(in_order["items"].as_array().unwrap().iter().any(|c| c["warnings"].as_array().unwrap().is_empty()), "{in_order}");
        assert!(waiting["items"].as_array().unwrap().iter().any(|i| i["process"] == "custody" && i["expected"] == "custody"), "{waiting}");
        let retired = t.get("/api/v1/custody?state=retired").token(&officer_token).send().await.json();
        assert_eq!(retired["total"], 1);
        // Demo users sign in with the documented password.
        let r = t.post("/api/v1/auth/login").json(&json!({"username": "chen.jing", "password": demo::DEMO_PASSWORD})).send().await;
        assert_eq!(r.status, StatusCode::OK);
        // Deterministic: a second database gets the same people.
        let other = TestApp::new(b).await;
        demo::generate(&other.app, 2_000).await.unwrap();
        assert_eq!(names(&t).await, names(&other).await);
        assert_eq!(asset_sample(&t).await, asset_sample(&other).await);
        // It refuses to mix into an existing organization, and changes nothing then.
        let before = t.count("users").await;
        assert!(demo::generate(&t.app, 2_000).await.is_err());
        assert_eq!(t.count("users").await, before);
        assert!(castellan_app::audit::verify(&t.app).await.unwrap().error.is_none());
    }
}

async fn asset_sample(t: &TestApp) -> Option<String> {
    t.scalar("SELECT string_agg(code || name || status || CAST(value_score AS TEXT), ',') FROM (SELECT * FROM assets ORDER BY id LIMIT 50) a", &[]).await
}

async fn names(t: &TestApp) -> Vec<String> {
    let page = t
        .get("/api/v1/users?limit=200&sort=username")
        .token(t.token_admin())
        .send()
        .await
        .json();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| format!("{} {}", u["username"], u["display_name"]))
        .collect()
}

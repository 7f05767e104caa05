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
        let roles = t.get("/api/v1/users?limit=200").token(t.token_admin()).send().await.json();
        for role in castellan_domain::Role::ALL {
            assert!(
                roles["items"].as_array().unwrap().iter().any(|u| u["roles"].as_array().unwrap().iter().any(|g| g["role"] == role.code())),
                "no demo user holds {role}"
            );
        }
        // Demo users sign in with the documented password.
        let r = t.post("/api/v1/auth/login").json(&json!({"username": "chen.jing", "password": demo::DEMO_PASSWORD})).send().await;
        assert_eq!(r.status, StatusCode::OK);
        // Deterministic: a second database gets the same people.
        let other = TestApp::new(b).await;
        demo::generate(&other.app, 2_000).await.unwrap();
        assert_eq!(names(&t).await, names(&other).await);
        // It refuses to mix into an existing organization, and changes nothing then.
        let before = t.count("users").await;
        assert!(demo::generate(&t.app, 2_000).await.is_err());
        assert_eq!(t.count("users").await, before);
        assert!(castellan_app::audit::verify(&t.app).await.unwrap().error.is_none());
    }
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

//! The role × route matrix: every API operation in the OpenAPI document must name its
//! permission (`x-permission`), and every role gets exactly what the permission table says.
//! A new route without a rule, or a handler that checks the wrong permission, fails here.

use crate::both;
use crate::harness::TestApp;
use axum::http::{Method, StatusCode};
use castellan_domain::Role;
use castellan_domain::permission::{Action, Resource, Who, role_allows, rule_for};
use serde_json::json;

fn parse_permission(p: &str) -> Option<(Resource, Action)> {
    let (r, a) = p.split_once(':')?;
    let resource = Resource::ALL.into_iter().find(|x| x.code() == r)?;
    let action = Action::ALL.into_iter().find(|x| x.code() == a)?;
    Some((resource, action))
}

both! {
    async fn every_route_has_a_rule_and_every_role_gets_exactly_it(b: Backend) {
        let t = TestApp::new(b).await;
        let dept = t.department("Matrix dept", None).await;
        let (target, _) = t.user_with("matrix-target", &[("staff", None)]).await;
        let spec = t.get("/api/v1/openapi.json").send().await.json();
        let paths = spec["paths"].as_object().expect("paths");
        assert!(paths.len() >= 15, "the document lists the API");

        // Every caller: one user per role (no department limit), one without roles.
        let mut callers: Vec<(String, Option<Role>, String, i64)> = Vec::new();
        for role in Role::ALL.iter().copied().map(Some).chain([None]) {
            let name = format!("m-{}", role.map_or("none", |r| r.code()).replace('_', "-"));
            let roles: Vec<(&str, Option<i64>)> = role.map(|r| (r.code(), None)).into_iter().collect();
            let (user, token) = t.user_with(&name, &roles).await;
            // A spare personal token, for the revoke route.
            let (spare, _) = castellan_app::org::account::create_token(&t.app, &t.ctx_of(&user), "spare", None).await.unwrap();
            callers.push((name, role, token, spare.id.0));
        }

        let mut missing_rules = Vec::new();
        let mut checked = 0;
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                let Ok(method) = method.to_uppercase().parse::<Method>() else { continue };
                let Some(permission) = op.get("x-permission").and_then(|v| v.as_str()) else {
                    missing_rules.push(format!("{method} {path}"));
                    continue;
                };
                for (name, role, token, spare) in &callers {
                    let concrete = path
                        .replace("/departments/{id}", &format!("/departments/{dept}"))
                        .replace("/users/{id}", &format!("/users/{}", target.id))
                        .replace("/me/tokens/{id}", &format!("/me/tokens/{spare}"));
                    // Signing out ends the credential used, so it gets its own.
                    let token = if path.ends_with("/auth/logout") {
                        let roles: Vec<(&str, Option<i64>)> = role.map(|r| (r.code(), None)).into_iter().collect();
                        t.user_with(&format!("{name}-out"), &roles).await.1
                    } else {
                        token.clone()
                    };
                    let mut req = t.req(method.clone(), &concrete).token(&token);
                    if method == Method::PATCH || method == Method::DELETE {
                        // A stale version: an allowed caller gets 412 and nothing changes.
                        req = req.if_match(999_999);
                    }
                    if method == Method::POST || method == Method::PATCH {
                        req = req.json(&json!({}));
                    }
                    let r = req.send().await;
                    assert!(r.status.as_u16() < 500, "{method} {concrete} as {name}: {} {}", r.status, r.text());
                    if permission == "public" {
                        assert_ne!(r.status, StatusCode::FORBIDDEN, "{method} {path} is public");
                        continue;
                    }
                    let (resource, action) = parse_permission(permission)
                        .unwrap_or_else(|| panic!("{method} {path}: unknown permission {permission}"));
                    assert!(rule_for(resource, action).is_some(), "{permission} is not in the table");
                    let allowed = match role {
                        Some(r) => role_allows(*r, resource, action),
                        None => rule_for(resource, action).is_some_and(|x| x.who == Who::AnyUser),
                    };
                    if allowed {
                        assert!(
                            r.status != StatusCode::FORBIDDEN && r.status != StatusCode::UNAUTHORIZED,
                            "{method} {concrete} should be allowed for {name}: {} {}", r.status, r.text()
                        );
                    } else {
                        r.problem(StatusCode::FORBIDDEN);
                    }
                    checked += 1;
                }
                // Without credentials, only public routes answer.
                if permission != "public" {
                    let concrete = path.replace("{id}", "1");
                    let r = t.req(method.clone(), &concrete).send().await;
                    r.problem(StatusCode::UNAUTHORIZED);
                    assert!(r.header("www-authenticate").is_some());
                }
            }
        }
        assert!(missing_rules.is_empty(), "routes without x-permission: {missing_rules:?}");
        assert!(checked > 100, "checked {checked} combinations");
    }

    async fn department_limited_roles_stay_inside_their_subtree(b: Backend) {
        let t = TestApp::new(b).await;
        let root = t.department("Group", None).await;
        let east = t.department("East", Some(root)).await;
        let east_team = t.department("East team", Some(east)).await;
        let west = t.department("West", Some(root)).await;
        let (_, admin_east) = t.user_with("admin-east", &[("admin", Some(east))]).await;
        // Staff whose every grant lies in the subtree (an organization-wide grant, even of
        // `staff`, would put them out of a department administrator's reach; see user_scope).
        let (in_east, _) = t.user_in("worker-east", Some(east_team), &[("staff", Some(east_team))]).await;
        let (in_west, _) = t.user_in("worker-west", Some(west), &[("staff", None)]).await;

        // Reads are limited to the subtree.
        let list = t.get("/api/v1/users?limit=200").token(&admin_east).send().await.json();
        let names: Vec<&str> = list["items"].as_array().unwrap().iter().map(|u| u["username"].as_str().unwrap()).collect();
        assert!(names.contains(&"worker-east"), "{names:?}");
        assert!(!names.contains(&"worker-west") && !names.contains(&"admin"), "{names:?}");
        t.get(&format!("/api/v1/users/{}", in_west.id)).token(&admin_east).send().await.problem(StatusCode::FORBIDDEN);

        // Writes too.
        let ok = t.patch(&format!("/api/v1/users/{}", in_east.id)).token(&admin_east).if_match(in_east.version)
            .json(&json!({"position": "Engineer"})).send().await;
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.text());
        t.patch(&format!("/api/v1/users/{}", in_west.id)).token(&admin_east).if_match(in_west.version)
            .json(&json!({"position": "Engineer"})).send().await.problem(StatusCode::FORBIDDEN);
        // Moving a member out of the subtree is refused.
        let v = ok.json()["version"].as_i64().unwrap();
        t.patch(&format!("/api/v1/users/{}", in_east.id)).token(&admin_east).if_match(v)
            .json(&json!({"department_id": west})).send().await.problem(StatusCode::FORBIDDEN);
        // A limited administrator cannot hand out organization-wide roles, only limited ones.
        t.patch(&format!("/api/v1/users/{}", in_east.id)).token(&admin_east).if_match(v)
            .json(&json!({"roles": [{"role": "staff", "department_id": east_team}, {"role": "auditor", "department_id": null}]}))
            .send().await.problem(StatusCode::FORBIDDEN);
        let granted = t.patch(&format!("/api/v1/users/{}", in_east.id)).token(&admin_east).if_match(v)
            .json(&json!({"roles": [{"role": "staff", "department_id": east_team}, {"role": "auditor", "department_id": east}]})).send().await;
        assert_eq!(granted.status, StatusCode::OK, "{}", granted.text());
        // A colleague in the subtree holding an organization-wide role is beyond them.
        let (wide, _) = t.user_in("wide-east", Some(east_team), &[("staff", None)]).await;
        t.patch(&format!("/api/v1/users/{}", wide.id)).token(&admin_east).if_match(wide.version)
            .json(&json!({"position": "Engineer"})).send().await.problem(StatusCode::FORBIDDEN);
        // Departments: inside yes, at the top or elsewhere no.
        let created = t.post("/api/v1/departments").token(&admin_east).json(&json!({"name": "East lab", "parent_id": east})).send().await;
        assert_eq!(created.status, StatusCode::CREATED, "{}", created.text());
        t.post("/api/v1/departments").token(&admin_east).json(&json!({"name": "Rogue", "parent_id": west})).send().await.problem(StatusCode::FORBIDDEN);
        t.post("/api/v1/departments").token(&admin_east).json(&json!({"name": "Rogue root"})).send().await.problem(StatusCode::FORBIDDEN);
        // The audit log is organization-wide: a limited grant is not enough.
        let (_, auditor_east) = t.user_with("auditor-east", &[("auditor", Some(east))]).await;
        t.get("/api/v1/audit-log").token(&auditor_east).send().await.problem(StatusCode::FORBIDDEN);
    }
}

//! A department-limited grant acts on a user only if every grant that user holds lies within
//! the caller's scope (SPEC §1). Tested as a matrix: caller scope × target's home and grants ×
//! every user-changing operation, through the API and through the web pages.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, TestApp};
use crate::ui::{csrf_of, page, sign_in};
use axum::http::StatusCode;
use castellan_domain::org::User;
use serde_json::json;

/// The departments of the matrix: A with its child A1, and B beside them.
struct Org {
    a: i64,
    a1: i64,
}

impl Org {
    /// The departments a grant limited to `scope` reaches (the oracle, written out by hand).
    fn reach(&self, scope: Option<i64>) -> Option<Vec<i64>> {
        match scope {
            None => None, // everything
            Some(d) if d == self.a => Some(vec![self.a, self.a1]),
            Some(d) => Some(vec![d]),
        }
    }
}

/// One caller: an administrator limited to `scope` (`None`: the whole organization).
struct Caller {
    name: &'static str,
    scope: Option<i64>,
    token: String,
    cookie: String,
    csrf: String,
}

/// A grant as the harness takes it: role code, department scope.
type Grant = (&'static str, Option<i64>);

/// What the oracle says: may a caller limited to `scope` act on `target`?
fn expected(org: &Org, scope: Option<i64>, target: &User) -> bool {
    let Some(reach) = org.reach(scope) else {
        return true;
    };
    let inside =
        |d: Option<castellan_domain::DepartmentId>| d.is_some_and(|d| reach.contains(&d.0));
    inside(target.department_id) && target.roles.iter().all(|g| inside(g.department_id))
}

async fn current(t: &TestApp, id: castellan_domain::UserId) -> User {
    castellan_app::org::users::get(
        &t.app,
        &castellan_app::Ctx::system(castellan_app::RequestMeta::default()),
        id,
    )
    .await
    .unwrap()
}

/// The roles of a user as the API takes them, with `auditor` at its home department added
/// or withdrawn (a grant always inside the home department, so the toggle itself never
/// needs more scope than acting on the user does).
fn toggled_roles(u: &User) -> serde_json::Value {
    let extra = castellan_domain::Grant {
        role: castellan_domain::Role::Auditor,
        department_id: u.department_id,
    };
    let mut roles: Vec<_> = u.roles.iter().copied().filter(|g| *g != extra).collect();
    if roles.len() == u.roles.len() {
        roles.push(extra);
    }
    json!(
        roles
            .iter()
            .map(|g| json!({"role": g.role.code(), "department_id": g.department_id.map(|d| d.0)}))
            .collect::<Vec<_>>()
    )
}

async fn setup(t: &TestApp) -> (Org, Vec<Caller>, Vec<User>) {
    let a = t.department("A", None).await;
    let a1 = t.department("A1", Some(a)).await;
    let b = t.department("B", None).await;
    let org = Org { a, a1 };
    let mut callers = Vec::new();
    for (name, scope) in [
        ("org_admin", None),
        ("a_admin", Some(a)),
        ("a1_admin", Some(a1)),
        ("b_admin", Some(b)),
    ] {
        let (_, token) = t.user_in(name, scope, &[("admin", scope)]).await;
        let cookie = sign_in(t, name, ADMIN_PASSWORD, "en").await;
        let csrf = csrf_of(&page(t, &cookie, "/").await.text());
        callers.push(Caller {
            name,
            scope,
            token,
            cookie,
            csrf,
        });
    }
    let shapes: Vec<(&str, Option<i64>, Vec<Grant>)> = vec![
        ("plain_a1", Some(a1), vec![]),
        ("staff_a1", Some(a1), vec![("staff", Some(a1))]),
        ("keeper_a", Some(a1), vec![("security_admin", Some(a))]),
        ("admin_everywhere", Some(a1), vec![("admin", None)]),
        (
            "officer_everywhere",
            Some(a),
            vec![("security_officer", None)],
        ),
        ("staff_everywhere", Some(a1), vec![("staff", None)]),
        (
            "mixed_a1_b",
            Some(a1),
            vec![("security_admin", Some(a1)), ("auditor", Some(b))],
        ),
        ("admin_a", Some(a1), vec![("admin", Some(a))]),
        ("staff_b", Some(b), vec![("staff", Some(b))]),
        ("homeless", None, vec![]),
    ];
    let mut targets = Vec::new();
    for (name, home, roles) in shapes {
        let (user, _) = t.user_in(name, home, &roles).await;
        targets.push(user);
    }
    (org, callers, targets)
}

/// Asserts the outcome of one case: allowed with one of `ok`, or refused with 403 (404 for
/// a user the caller may not even see) and nothing written.
fn check(case: &str, allowed: bool, status: StatusCode, ok: &[StatusCode]) {
    if allowed {
        assert!(
            ok.contains(&status),
            "{case}: expected success, got {status}"
        );
    } else {
        assert!(
            status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
            "{case}: expected a refusal, got {status}"
        );
    }
}

both! {
    async fn scoped_administrators_act_only_on_users_entirely_within_their_scope_api(b: Backend) {
        let t = TestApp::new(b).await;
        let (org, callers, targets) = setup(&t).await;
        let mut cases = 0;
        for caller in &callers {
            for target in &targets {
                let id = target.id;
                for op in ["display_name", "disable", "roles", "password", "department"] {
                    let before = current(&t, id).await;
                    let allowed = expected(&org, caller.scope, &before);
                    let audit_before = t.count("audit_log").await;
                    let case = format!("{} {op} {}", caller.name, before.username);
                    let url = format!("/api/v1/users/{id}");
                    let password = format!("Taken-Over-{}-Passw0rd", caller.name);
                    let r = match op {
                        "display_name" => t.patch(&url).token(&caller.token).if_match(before.version)
                            .json(&json!({"display_name": format!("Renamed by {}", caller.name)})).send().await,
                        "disable" => t.patch(&url).token(&caller.token).if_match(before.version)
                            .json(&json!({"status": "disabled"})).send().await,
                        "roles" => t.patch(&url).token(&caller.token).if_match(before.version)
                            .json(&json!({"roles": toggled_roles(&before)})).send().await,
                        "password" => t.post(&format!("{url}/password")).token(&caller.token)
                            .json(&json!({"password": password})).send().await,
                        // Moving within the home department's own place: the department is
                        // re-sent unchanged, which still asks for the right to edit the user.
                        _ => t.patch(&url).token(&caller.token).if_match(before.version)
                            .json(&json!({"department_id": before.department_id.map(|d| d.0)})).send().await,
                    };
                    check(&case, allowed, r.status, &[StatusCode::OK, StatusCode::NO_CONTENT]);
                    let after = current(&t, id).await;
                    if allowed {
                        assert!(t.count("audit_log").await > audit_before, "{case}: no audit entry");
                    } else {
                        assert_eq!(after.version, before.version, "{case}: the user changed");
                        assert_eq!(after.roles, before.roles, "{case}: the roles changed");
                        assert_eq!(t.count("audit_log").await, audit_before, "{case}: something was written");
                        // A refused password reset leaves the old password working.
                        if op == "password" {
                            let login = t.post("/api/v1/auth/login")
                                .json(&json!({"username": before.username, "password": password}))
                                .send().await;
                            assert_ne!(login.status, StatusCode::OK, "{case}");
                        }
                    }
                    if after.status != before.status {
                        // Enable again (the organization-wide administrator) for the next cases.
                        let r = t.patch(&url).token(t.token_admin()).if_match(after.version)
                            .json(&json!({"status": "active"})).send().await;
                        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    }
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 4 * 10 * 5);
        // The finding itself: a limited administrator cannot reset an organization-wide one's
        // password and then sign in as them.
        let a_admin = callers.iter().find(|c| c.name == "a_admin").unwrap();
        let victim = targets.iter().find(|x| x.username == "admin_everywhere").unwrap();
        t.post(&format!("/api/v1/users/{}/password", victim.id)).token(&a_admin.token)
            .json(&json!({"password": "Taken-Over-Passw0rd-1"})).send().await.problem(StatusCode::FORBIDDEN);
    }

    async fn scoped_administrators_act_only_on_users_entirely_within_their_scope_ui(b: Backend) {
        let t = TestApp::new(b).await;
        let (org, callers, targets) = setup(&t).await;
        let mut cases = 0;
        for caller in &callers {
            for target in &targets {
                let id = target.id;
                let before = current(&t, id).await;
                let allowed = expected(&org, caller.scope, &before);
                let case = format!("{} on {}", caller.name, before.username);
                // The page offers the actions only when they would be allowed.
                let show = page(&t, &caller.cookie, &format!("/users/{id}")).await;
                if show.status == StatusCode::OK {
                    let html = show.text();
                    assert_eq!(html.contains(&format!("href=\"/users/{id}/edit\"")), allowed, "{case}: edit link");
                    assert_eq!(html.contains(&format!("action=\"/users/{id}/password\"")), allowed, "{case}: password form");
                    assert_eq!(html.contains(&format!("action=\"/users/{id}/status\"")), allowed, "{case}: status form");
                    assert_eq!(html.contains("beyond your department scope"), !allowed, "{case}: explanation");
                } else {
                    assert!(!allowed, "{case}: {}", show.status);
                }
                let edit = page(&t, &caller.cookie, &format!("/users/{id}/edit")).await;
                check(&format!("{case}: edit form"), allowed, edit.status, &[StatusCode::OK]);
                for op in ["edit", "status", "role", "password"] {
                    let before = current(&t, id).await;
                    let audit_before = t.count("audit_log").await;
                    let version = before.version.to_string();
                    let home = before.department_id.map(|d| d.0.to_string()).unwrap_or_default();
                    let (path, form): (String, Vec<(&str, &str)>) = match op {
                        "edit" => (format!("/users/{id}"), vec![
                            ("display_name", "Renamed in the UI"), ("department_id", home.as_str()), ("version", version.as_str()),
                        ]),
                        "status" => (format!("/users/{id}/status"), vec![("status", "disabled"), ("version", version.as_str())]),
                        "role" => (format!("/users/{id}/roles"), vec![("role", "auditor"), ("department_id", home.as_str()), ("version", version.as_str())]),
                        _ => (format!("/users/{id}/password"), vec![("password", "Taken-Over-Passw0rd-1")]),
                    };
                    let mut form = form;
                    form.push(("csrf", caller.csrf.as_str()));
                    let r = t.post(&path).header("cookie", &caller.cookie).form(&form).send().await;
                    let case = format!("{case}: {op}");
                    check(&case, allowed, r.status, &[StatusCode::SEE_OTHER]);
                    let after = current(&t, id).await;
                    if !allowed {
                        assert_eq!(after.version, before.version, "{case}: the user changed");
                        assert_eq!(after.roles, before.roles, "{case}: the roles changed");
                        assert_eq!(t.count("audit_log").await, audit_before, "{case}: something was written");
                    }
                    if after.status != before.status {
                        let r = t.patch(&format!("/api/v1/users/{id}")).token(t.token_admin()).if_match(after.version)
                            .json(&json!({"status": "active"})).send().await;
                        assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    }
                    cases += 1;
                }
            }
        }
        assert_eq!(cases, 4 * 10 * 4);
    }
}

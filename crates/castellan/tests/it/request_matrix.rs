//! Who reads, lists, writes and decides an approval request, and who finds colleagues with
//! the people picker (SPEC §6.0–6.1, docs/permissions.md). Tested as a matrix: the callers'
//! roles and department scope × the request (its requester, the person it concerns, its
//! department, status, current step and past deciders) × the operation, each cell checked
//! against an oracle written out by hand below — not taken from the code under test.

use crate::both;
use crate::harness::{ADMIN_PASSWORD, Resp, TestApp};
use crate::ui::{page, sign_in};
use axum::http::StatusCode;
use serde_json::{Value, json};
use std::collections::{BTreeSet, HashMap};

// ---------------------------------------------------------------------------------------
// The organization of the matrix
// ---------------------------------------------------------------------------------------

/// The departments: A with its sub-department A1, and B beside them. Each names a head.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Dept {
    A,
    A1,
    B,
}

/// Whether department `d` lies within `scope` (the department itself or one below it).
fn within(d: Dept, scope: Dept) -> bool {
    d == scope || (d == Dept::A1 && scope == Dept::A)
}

/// The approver of a `department_head` step for a request of department `d` asked for by
/// `requester`: the head of the requester's department, or of the nearest one above naming
/// a head other than the requester. Every department here names its own, so A1's requests
/// go to A1's head — except A1's head's own, which go to A's.
fn head_of(d: Option<Dept>, requester: &str) -> Option<&'static str> {
    let chain: &[&'static str] = match d? {
        Dept::A => &["head_a"],
        Dept::A1 => &["head_a1", "head_a"],
        Dept::B => &["head_b"],
    };
    chain.iter().copied().find(|h| *h != requester)
}

/// One caller: a user with a home department, grants (role, department limit) and the
/// department they head, if any.
struct Spec {
    name: &'static str,
    home: Option<Dept>,
    grants: &'static [(&'static str, Option<Dept>)],
    heads: Option<Dept>,
}

const STAFF: &[(&str, Option<Dept>)] = &[("staff", None)];

/// Every caller of the matrix.
const CALLERS: &[Spec] = &[
    // The requester of most requests below.
    Spec {
        name: "alice",
        home: Some(Dept::A1),
        grants: STAFF,
        heads: None,
    },
    // Unrelated staff in the requester's department.
    Spec {
        name: "a1_peer",
        home: Some(Dept::A1),
        grants: STAFF,
        heads: None,
    },
    // Staff of the requester's department whose role is limited to it (as docs/permissions.md
    // advises, so that department administrators may manage them).
    Spec {
        name: "a1_scoped",
        home: Some(Dept::A1),
        grants: &[("staff", Some(Dept::A1))],
        heads: None,
    },
    // Staff of another department (and requester of B's request).
    Spec {
        name: "b_staff",
        home: Some(Dept::B),
        grants: STAFF,
        heads: None,
    },
    // The person the access requests are about (homed in another department).
    Spec {
        name: "bob",
        home: Some(Dept::B),
        grants: STAFF,
        heads: None,
    },
    // The head of the requester's department.
    Spec {
        name: "head_a1",
        home: Some(Dept::A1),
        grants: STAFF,
        heads: Some(Dept::A1),
    },
    // The head of the department above the requester's.
    Spec {
        name: "head_a",
        home: Some(Dept::A),
        grants: STAFF,
        heads: Some(Dept::A),
    },
    // The head of another department.
    Spec {
        name: "head_b",
        home: Some(Dept::B),
        grants: STAFF,
        heads: Some(Dept::B),
    },
    // A security administrator for the whole organization (no home department).
    Spec {
        name: "sa_org",
        home: None,
        grants: &[("security_admin", None)],
        heads: None,
    },
    // A security administrator limited to the other department.
    Spec {
        name: "sa_b",
        home: Some(Dept::B),
        grants: &[("security_admin", Some(Dept::B))],
        heads: None,
    },
    Spec {
        name: "auditor",
        home: None,
        grants: &[("auditor", None)],
        heads: None,
    },
    Spec {
        name: "committee",
        home: None,
        grants: &[("committee", None)],
        heads: None,
    },
];

fn spec(name: &str) -> &'static Spec {
    CALLERS
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no caller {name}"))
}

// ---------------------------------------------------------------------------------------
// The requests of the matrix, as the oracle models them
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Draft,
    Submitted,
    Approved,
}

/// Who approves the current step (the shipped chains: department head → security
/// administrator → committee for major requests; every step open to any holder of the role).
#[derive(Debug, Clone, Copy)]
enum Step {
    Head,
    Role(&'static str),
}

impl Step {
    /// The step's place in the shipped chains.
    fn index(self) -> i64 {
        match self {
            Step::Head => 0,
            Step::Role("security_admin") => 1,
            Step::Role(_) => 2,
        }
    }
}

/// A request as the oracle sees it.
struct Model {
    requester: &'static str,
    subject: Option<&'static str>,
    /// The requester's department.
    dept: Option<Dept>,
    status: Status,
    step: Option<Step>,
    /// Who decided on it so far.
    deciders: &'static [&'static str],
}

/// The requests the matrix reads, moves and decides; each is made fresh by [`Shape::make`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Alice's access request for Bob, never submitted.
    AccessDraft,
    /// Alice's change, never submitted.
    ChangeDraft,
    /// Alice's access request for Bob, waiting for A1's head.
    AccessAtHead,
    /// Alice's change, approved by A1's head, waiting for a security administrator.
    ChangeAtSecurity,
    /// Alice's major change, approved by A1's head and B's security administrator, waiting
    /// for the committee.
    MajorAtCommittee,
    /// Alice's important operation, approved by A1's head and returned to her by B's
    /// security administrator (a draft again).
    Returned,
    /// Alice's change, approved by A1's head and the organization's security administrator.
    Approved,
    /// B's staff's change, waiting for B's head.
    OtherDepartment,
    /// A1's head's own change, waiting for the head above them (A's).
    HeadsOwn,
    /// The organization's security administrator's own change: no department, so no head
    /// step; waiting for a security administrator.
    SecurityAdminsOwn,
}

const READ_SHAPES: &[Shape] = &[
    Shape::AccessDraft,
    Shape::ChangeDraft,
    Shape::AccessAtHead,
    Shape::ChangeAtSecurity,
    Shape::MajorAtCommittee,
    Shape::Returned,
    Shape::Approved,
    Shape::OtherDepartment,
    Shape::HeadsOwn,
    Shape::SecurityAdminsOwn,
];

impl Shape {
    fn model(self) -> Model {
        let alices = |subject, status, step, deciders| Model {
            requester: "alice",
            subject,
            dept: Some(Dept::A1),
            status,
            step,
            deciders,
        };
        match self {
            Shape::AccessDraft => alices(Some("bob"), Status::Draft, None, &[]),
            Shape::ChangeDraft => alices(None, Status::Draft, None, &[]),
            Shape::AccessAtHead => alices(Some("bob"), Status::Submitted, Some(Step::Head), &[]),
            Shape::ChangeAtSecurity => alices(
                None,
                Status::Submitted,
                Some(Step::Role("security_admin")),
                &["head_a1"],
            ),
            Shape::MajorAtCommittee => alices(
                None,
                Status::Submitted,
                Some(Step::Role("committee")),
                &["head_a1", "sa_b"],
            ),
            Shape::Returned => alices(None, Status::Draft, None, &["head_a1", "sa_b"]),
            Shape::Approved => alices(None, Status::Approved, None, &["head_a1", "sa_org"]),
            Shape::OtherDepartment => Model {
                requester: "b_staff",
                subject: None,
                dept: Some(Dept::B),
                status: Status::Submitted,
                step: Some(Step::Head),
                deciders: &[],
            },
            Shape::HeadsOwn => Model {
                requester: "head_a1",
                subject: None,
                dept: Some(Dept::A1),
                status: Status::Submitted,
                step: Some(Step::Head),
                deciders: &[],
            },
            Shape::SecurityAdminsOwn => Model {
                requester: "sa_org",
                subject: None,
                dept: None,
                status: Status::Submitted,
                step: Some(Step::Role("security_admin")),
                deciders: &[],
            },
        }
    }

    /// Makes a fresh request of this shape through the API and checks it is what the
    /// model says.
    async fn make(self, t: &TestApp, w: &World) -> i64 {
        let bob = w.id("bob");
        let change = |title: &str| json!({"kind": "change", "title": title});
        let id =
            match self {
                Shape::AccessDraft => draft(
                    t,
                    w,
                    "alice",
                    json!({"kind": "access_grant", "title": "VPN for Bob", "subject_user_id": bob}),
                )
                .await,
                Shape::ChangeDraft => draft(t, w, "alice", change("Firewall rule")).await,
                Shape::AccessAtHead => ask(
                    t,
                    w,
                    "alice",
                    json!({"kind": "access_grant", "title": "CRM for Bob", "subject_user_id": bob}),
                )
                .await,
                Shape::ChangeAtSecurity => {
                    let id = ask(t, w, "alice", change("Switch upgrade")).await;
                    approve(t, w, "head_a1", id).await;
                    id
                }
                Shape::MajorAtCommittee => {
                    let id = ask(
                        t,
                        w,
                        "alice",
                        json!({"kind": "change", "title": "Core router", "impact": "major"}),
                    )
                    .await;
                    approve(t, w, "head_a1", id).await;
                    approve(t, w, "sa_b", id).await;
                    id
                }
                Shape::Returned => {
                    let id = ask(
                        t,
                        w,
                        "alice",
                        json!({"kind": "important_operation", "title": "Export"}),
                    )
                    .await;
                    approve(t, w, "head_a1", id).await;
                    let r =
                        decide(t, w.token("sa_b"), id, "return", Some("Say which tables")).await;
                    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
                    id
                }
                Shape::Approved => {
                    let id = ask(t, w, "alice", change("Patch window")).await;
                    approve(t, w, "head_a1", id).await;
                    approve(t, w, "sa_org", id).await;
                    id
                }
                Shape::OtherDepartment => ask(t, w, "b_staff", change("Printer")).await,
                Shape::HeadsOwn => ask(t, w, "head_a1", change("Head's laptop")).await,
                Shape::SecurityAdminsOwn => ask(t, w, "sa_org", change("SIEM rule")).await,
            };
        let m = self.model();
        let r = stored(t, id).await;
        let status = match m.status {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::Approved => "approved",
        };
        assert_eq!(r.status.code(), status, "{self:?}: status");
        assert_eq!(
            r.current_step,
            m.step.map(Step::index),
            "{self:?}: current step"
        );
        assert_eq!(
            r.requester_id.map(|u| u.0),
            Some(w.id(m.requester)),
            "{self:?}: requester"
        );
        assert_eq!(
            r.subject_user_id.map(|u| u.0),
            m.subject.map(|s| w.id(s)),
            "{self:?}: subject"
        );
        assert_eq!(
            r.department_id.map(|d| d.0),
            m.dept.map(|d| w.dept(d)),
            "{self:?}: department"
        );
        id
    }
}

// ---------------------------------------------------------------------------------------
// The oracle (docs/permissions.md, "Approval requests, chains, the calendar")
// ---------------------------------------------------------------------------------------

/// `request_register:read`: who sees every request of their department scope.
const REGISTER_READERS: &[&str] = &[
    "admin",
    "committee",
    "security_officer",
    "security_admin",
    "network_admin",
    "application_admin",
    "data_admin",
    "auditor",
];

/// Whether a grant limited to `scope` (`None`: the whole organization) reaches a record of
/// department `d` (`None`: an organization-wide record, reached only without a limit).
fn reaches(scope: Option<Dept>, d: Option<Dept>) -> bool {
    match (scope, d) {
        (None, _) => true,
        (Some(s), Some(d)) => within(d, s),
        (Some(_), None) => false,
    }
}

fn reads_register_of(c: &Spec, d: Option<Dept>) -> bool {
    c.grants
        .iter()
        .any(|(role, scope)| REGISTER_READERS.contains(role) && reaches(*scope, d))
}

/// A department head oversees the requests of their department and of those below it.
fn heads_over(c: &Spec, d: Option<Dept>) -> bool {
    matches!((c.heads, d), (Some(h), Some(d)) if within(d, h))
}

/// Whether `c` is an approver of the request's current step (separation of duties aside).
fn approves_step(c: &Spec, m: &Model) -> bool {
    if m.status != Status::Submitted {
        return false;
    }
    match m.step {
        None => false,
        Some(Step::Head) => head_of(m.dept, m.requester) == Some(c.name),
        // Steps with `scope: any`: any holder of the role, whatever the grant's limit.
        Some(Step::Role(role)) => c.grants.iter().any(|(r, _)| *r == role),
    }
}

/// `GET /api/v1/requests/{id}` (and its moves and decisions): the requester always; a
/// draft — never submitted, or returned — is otherwise seen only by those who decided on it
/// before it was returned; a submitted or later request also by the person it is about, the
/// readers of the register within their scope, the heads of its department and of those
/// above, the current step's approvers and past deciders. Everyone else: 404.
fn may_read(c: &Spec, m: &Model) -> bool {
    if c.name == m.requester {
        return true;
    }
    let decided = m.deciders.contains(&c.name);
    if m.status == Status::Draft {
        return decided;
    }
    m.subject == Some(c.name)
        || reads_register_of(c, m.dept)
        || heads_over(c, m.dept)
        || approves_step(c, m)
        || decided
}

/// `GET /api/v1/requests`: "those in the caller's scope for those who oversee requests, and
/// the caller's own (asked for, or about them) for everyone" (the list's documentation) —
/// the read rule without the approver-only and decider-only grounds, which "waiting for me"
/// covers instead.
fn listed(c: &Spec, m: &Model) -> bool {
    if c.name == m.requester {
        return true;
    }
    m.status != Status::Draft
        && (m.subject == Some(c.name) || reads_register_of(c, m.dept) || heads_over(c, m.dept))
}

/// `request:create|update`: every role but `auditor`.
fn may_write(c: &Spec) -> bool {
    c.grants.iter().any(|(r, _)| *r != "auditor")
}

/// An expected answer: the status, and for a refusal the problem code.
type Outcome = (StatusCode, Option<&'static str>);

const FORBIDDEN: Outcome = (StatusCode::FORBIDDEN, Some("forbidden"));
const NOT_FOUND: Outcome = (StatusCode::NOT_FOUND, Some("not_found"));

/// Creating a request: every role but `auditor`, department-limited grants included (the
/// request is filed under the requester's own department).
fn create_outcome(c: &Spec) -> Outcome {
    if may_write(c) {
        (StatusCode::CREATED, None)
    } else {
        FORBIDDEN
    }
}

/// The requester's moves: editing or submitting a draft, withdrawing it or a submitted
/// request. A caller without `request:update` is refused before anything is looked up
/// (403); one who may not read the request is told it does not exist (404); one who reads it
/// but did not ask for it is refused (403).
fn requester_move_outcome(c: &Spec, m: &Model) -> Outcome {
    if !may_write(c) {
        FORBIDDEN
    } else if c.name == m.requester {
        (StatusCode::OK, None)
    } else if may_read(c, m) {
        FORBIDDEN
    } else {
        NOT_FOUND
    }
}

/// `POST /api/v1/requests/{id}/decisions` (approve): only an approver of the current step,
/// and never the requester (409 `self_approval`). A reader who is not the step's approver
/// gets 403, a caller who may not read the request 404, and nobody decides on a request
/// that is not waiting for approval (409 `phase_move_not_allowed`).
fn decision_outcome(c: &Spec, m: &Model) -> Outcome {
    if !may_write(c) {
        FORBIDDEN
    } else if !may_read(c, m) {
        NOT_FOUND
    } else if m.status != Status::Submitted {
        (StatusCode::CONFLICT, Some("phase_move_not_allowed"))
    } else if !approves_step(c, m) {
        FORBIDDEN
    } else if c.name == m.requester {
        (StatusCode::CONFLICT, Some("self_approval"))
    } else {
        (StatusCode::OK, None)
    }
}

/// `people:read` — every role but `staff` — within the grant's department scope; a person
/// without a department only for a grant without a limit.
fn finds(c: &Spec, home: Option<Dept>) -> bool {
    c.grants
        .iter()
        .any(|(role, scope)| *role != "staff" && reaches(*scope, home))
}

// ---------------------------------------------------------------------------------------
// Setting up and calling
// ---------------------------------------------------------------------------------------

struct World {
    depts: HashMap<Dept, i64>,
    /// User id and bearer token by caller name.
    users: HashMap<&'static str, (i64, String)>,
}

impl World {
    fn dept(&self, d: Dept) -> i64 {
        self.depts[&d]
    }

    fn id(&self, name: &str) -> i64 {
        self.users[name].0
    }

    fn token(&self, name: &str) -> &str {
        &self.users[name].1
    }
}

async fn set_head(t: &TestApp, dept: i64, head: i64) {
    let d = t
        .get(&format!("/api/v1/departments/{dept}"))
        .token(t.token_admin())
        .send()
        .await;
    assert_eq!(d.status, StatusCode::OK, "{}", d.text());
    let r = t
        .patch(&format!("/api/v1/departments/{dept}"))
        .token(t.token_admin())
        .if_match(d.json()["version"].as_i64().unwrap())
        .json(&json!({"head_id": head}))
        .send()
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
}

async fn setup(t: &TestApp) -> World {
    let a = t.department("A", None).await;
    let a1 = t.department("A1", Some(a)).await;
    let b = t.department("B", None).await;
    let mut w = World {
        depts: HashMap::from([(Dept::A, a), (Dept::A1, a1), (Dept::B, b)]),
        users: HashMap::new(),
    };
    for c in CALLERS {
        let roles: Vec<(&str, Option<i64>)> = c
            .grants
            .iter()
            .map(|(r, d)| (*r, d.map(|d| w.dept(d))))
            .collect();
        let (user, token) = t.user_in(c.name, c.home.map(|d| w.dept(d)), &roles).await;
        w.users.insert(c.name, (user.id.0, token));
    }
    for c in CALLERS {
        if let Some(d) = c.heads {
            set_head(t, w.dept(d), w.id(c.name)).await;
        }
    }
    w
}

/// The request as stored (read past the services: an administrator may not read others'
/// drafts).
async fn stored(t: &TestApp, id: i64) -> castellan_domain::request::Request {
    let mut conn = t.app.db().read().await.unwrap();
    castellan_store::request::requests::get(&mut conn, id)
        .await
        .unwrap()
        .expect("the request exists")
}

async fn draft(t: &TestApp, w: &World, who: &str, body: Value) -> i64 {
    let r = t
        .post("/api/v1/requests")
        .token(w.token(who))
        .json(&body)
        .send()
        .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
    r.json()["id"].as_i64().unwrap()
}

async fn move_to(t: &TestApp, token: &str, id: i64, to: &str) -> Resp {
    t.post(&format!("/api/v1/requests/{id}/transitions"))
        .token(token)
        .json(&json!({"to": to}))
        .send()
        .await
}

async fn ask(t: &TestApp, w: &World, who: &str, body: Value) -> i64 {
    let id = draft(t, w, who, body).await;
    let r = move_to(t, w.token(who), id, "submitted").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    id
}

async fn decide(t: &TestApp, token: &str, id: i64, decision: &str, comment: Option<&str>) -> Resp {
    t.post(&format!("/api/v1/requests/{id}/decisions"))
        .token(token)
        .json(&json!({"decision": decision, "comment": comment}))
        .send()
        .await
}

async fn approve(t: &TestApp, w: &World, who: &str, id: i64) {
    let r = decide(t, w.token(who), id, "approve", None).await;
    assert_eq!(r.status, StatusCode::OK, "{who} approves: {}", r.text());
}

/// Compares an answer with the expected outcome; a mismatch is recorded in `wrong`.
fn check(wrong: &mut Vec<String>, case: &str, r: &Resp, expected: Outcome) {
    let (status, code) = expected;
    if r.status != status {
        wrong.push(format!(
            "{case}: expected {status}, got {} {}",
            r.status,
            r.text()
        ));
        return;
    }
    if let Some(code) = code {
        let doc = r.problem(status);
        let kind = doc["type"].as_str().unwrap_or_default();
        if !kind.ends_with(&format!(":{code}")) {
            wrong.push(format!("{case}: expected the problem {code}, got {kind}"));
        }
    }
}

/// Fails with every wrong cell at once (so one run shows the whole picture).
fn verdict(wrong: &[String], cases: usize) {
    assert!(
        wrong.is_empty(),
        "{} of {cases} cells differ from the oracle:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The usernames in a people picker answer or a user list.
fn usernames(items: &Value) -> BTreeSet<String> {
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["username"].as_str().unwrap().to_owned())
        .collect()
}

both! {
    async fn who_reads_a_request_and_finds_it_in_the_list(b: Backend) {
        let t = TestApp::new(b).await;
        let w = setup(&t).await;
        let mut targets = Vec::new();
        for shape in READ_SHAPES {
            targets.push((*shape, shape.make(&t, &w).await));
        }
        let mut wrong = Vec::new();
        let mut cases = 0;
        for c in CALLERS {
            let list = t.get("/api/v1/requests?limit=200").token(w.token(c.name)).send().await;
            assert_eq!(list.status, StatusCode::OK, "{}: {}", c.name, list.text());
            let list = list.json();
            let in_list: BTreeSet<i64> =
                list["items"].as_array().unwrap().iter().map(|i| i["id"].as_i64().unwrap()).collect();
            assert_eq!(list["total"].as_u64(), Some(in_list.len() as u64), "{}: total", c.name);
            for (shape, id) in &targets {
                let m = shape.model();
                let readable = may_read(c, &m);
                // The oracle never lists what it does not let read.
                assert!(!listed(c, &m) || readable, "oracle: {} {shape:?}", c.name);
                let expected = if readable { (StatusCode::OK, None) } else { NOT_FOUND };
                for path in [
                    format!("/api/v1/requests/{id}"),
                    format!("/api/v1/requests/{id}/transitions"),
                    format!("/api/v1/requests/{id}/decisions"),
                ] {
                    let r = t.get(&path).token(w.token(c.name)).send().await;
                    check(&mut wrong, &format!("{} GET {path} ({shape:?})", c.name), &r, expected);
                    cases += 1;
                }
                if in_list.contains(id) != listed(c, &m) {
                    wrong.push(format!(
                        "{} list ({shape:?}): expected {}, got {}",
                        c.name,
                        if listed(c, &m) { "listed" } else { "absent" },
                        if in_list.contains(id) { "listed" } else { "absent" },
                    ));
                }
                cases += 1;
            }
        }
        assert_eq!(cases, CALLERS.len() * READ_SHAPES.len() * 4);
        verdict(&wrong, cases);
    }

    async fn only_the_requester_moves_a_request_and_auditors_write_nothing(b: Backend) {
        let t = TestApp::new(b).await;
        let w = setup(&t).await;
        let mut wrong = Vec::new();
        let mut cases = 0;
        // Asking.
        for c in CALLERS {
            let before = t.count("requests").await;
            let audit = t.count("audit_log").await;
            let r = t.post("/api/v1/requests").token(w.token(c.name))
                .json(&json!({"kind": "change", "title": format!("asked by {}", c.name)})).send().await;
            let expected = create_outcome(c);
            check(&mut wrong, &format!("{} creates", c.name), &r, expected);
            if r.status == StatusCode::CREATED {
                assert_eq!(r.json()["requester_id"].as_i64(), Some(w.id(c.name)), "{}", c.name);
                assert_eq!(r.json()["status"], "draft");
            } else {
                assert_eq!(t.count("requests").await, before, "{} creates: a request was written", c.name);
                assert_eq!(t.count("audit_log").await, audit, "{} creates: something was audited", c.name);
            }
            cases += 1;
        }
        // The requester's moves: on a draft never submitted, on one returned, and
        // withdrawing while waiting for approval.
        let columns = [
            ("edit", Shape::ChangeDraft),
            ("submit", Shape::ChangeDraft),
            ("withdraw", Shape::ChangeDraft),
            ("edit", Shape::Returned),
            ("submit", Shape::Returned),
            ("withdraw", Shape::Returned),
            ("withdraw", Shape::AccessAtHead),
        ];
        for (op, shape) in columns {
            let mut id = shape.make(&t, &w).await;
            for c in CALLERS {
                let m = shape.model();
                let expected = requester_move_outcome(c, &m);
                let before = stored(&t, id).await;
                let audit = t.count("audit_log").await;
                let token = w.token(c.name);
                let r = match op {
                    "edit" => t.patch(&format!("/api/v1/requests/{id}")).token(token).if_match(before.version)
                        .json(&json!({"kind": "change", "title": format!("edited by {}", c.name)})).send().await,
                    "submit" => move_to(&t, token, id, "submitted").await,
                    _ => move_to(&t, token, id, "withdrawn").await,
                };
                let case = format!("{} {op} ({shape:?})", c.name);
                check(&mut wrong, &case, &r, expected);
                let after = stored(&t, id).await;
                if r.status == StatusCode::OK {
                    let status = match op {
                        "edit" => "draft",
                        "submit" => "submitted",
                        _ => "withdrawn",
                    };
                    assert_eq!(after.status.code(), status, "{case}");
                    assert!(after.version > before.version, "{case}: not saved");
                    if op == "edit" {
                        assert_eq!(after.title, format!("edited by {}", c.name), "{case}");
                    }
                    // A fresh one for the next callers.
                    id = shape.make(&t, &w).await;
                } else {
                    assert_eq!(after.status, before.status, "{case}: the status changed");
                    assert_eq!(after.version, before.version, "{case}: the request changed");
                    assert_eq!(after.title, before.title, "{case}: the title changed");
                    assert_eq!(t.count("audit_log").await, audit, "{case}: something was audited");
                }
                cases += 1;
            }
        }
        assert_eq!(cases, CALLERS.len() * 8);
        verdict(&wrong, cases);
    }

    async fn only_the_current_steps_approver_decides_and_never_on_their_own(b: Backend) {
        let t = TestApp::new(b).await;
        let w = setup(&t).await;
        let mut wrong = Vec::new();
        let mut cases = 0;
        let shapes = [
            Shape::AccessAtHead,
            Shape::ChangeAtSecurity,
            Shape::MajorAtCommittee,
            Shape::OtherDepartment,
            Shape::HeadsOwn,
            Shape::SecurityAdminsOwn,
            Shape::Approved,
        ];
        for shape in shapes {
            let mut id = shape.make(&t, &w).await;
            for c in CALLERS {
                let m = shape.model();
                let expected = decision_outcome(c, &m);
                let before = stored(&t, id).await;
                let audit = t.count("audit_log").await;
                let approvals = t.count("approvals").await;
                let r = decide(&t, w.token(c.name), id, "approve", None).await;
                let case = format!("{} approves ({shape:?})", c.name);
                check(&mut wrong, &case, &r, expected);
                let after = stored(&t, id).await;
                if r.status == StatusCode::OK {
                    assert!(after.version > before.version, "{case}: not saved");
                    assert_eq!(t.count("approvals").await, approvals + 1, "{case}: no approval recorded");
                    id = shape.make(&t, &w).await;
                } else {
                    assert_eq!(after.status, before.status, "{case}: the status changed");
                    assert_eq!(after.current_step, before.current_step, "{case}: the step changed");
                    assert_eq!(after.version, before.version, "{case}: the request changed");
                    assert_eq!(t.count("approvals").await, approvals, "{case}: an approval was recorded");
                    assert_eq!(t.count("audit_log").await, audit, "{case}: something was audited");
                }
                cases += 1;
            }
        }
        assert_eq!(cases, CALLERS.len() * 7);
        // The oracle gives every waiting shape somebody who may decide it (a head's own
        // request goes to the head above them), and nobody the approved one.
        for shape in shapes {
            let m = shape.model();
            let deciders = CALLERS.iter().filter(|c| decision_outcome(c, &m).0 == StatusCode::OK).count();
            assert_eq!(deciders == 0, matches!(shape, Shape::Approved), "oracle: {shape:?}");
        }
        verdict(&wrong, cases);
    }

    async fn the_people_picker_is_for_every_role_but_staff_within_scope(b: Backend) {
        let t = TestApp::new(b).await;
        let w = setup(&t).await;
        // The people to find: one in each department, one without, one disabled.
        let people: [(&str, Option<Dept>, bool); 5] = [
            ("zzpk.a1", Some(Dept::A1), true),
            ("zzpk.a", Some(Dept::A), true),
            ("zzpk.b", Some(Dept::B), true),
            ("zzpk.none", None, true),
            ("zzpk.off", Some(Dept::A1), false),
        ];
        for (name, home, active) in people {
            let (user, _) = t.user_in(name, home.map(|d| w.dept(d)), &[("staff", None)]).await;
            if !active {
                let r = t.patch(&format!("/api/v1/users/{}", user.id.0)).token(t.token_admin())
                    .if_match(user.version).json(&json!({"status": "disabled"})).send().await;
                assert_eq!(r.status, StatusCode::OK, "{}", r.text());
            }
        }
        // Without a session, the page sends the visitor to sign in.
        let r = t.get("/people?q=zzpk").send().await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let mut wrong = Vec::new();
        let mut cases = 0;
        for c in CALLERS {
            let expected: BTreeSet<String> = people
                .iter()
                .filter(|(_, home, active)| *active && finds(c, *home))
                .map(|(name, _, _)| (*name).to_owned())
                .collect();
            let staff_only = c.grants.iter().all(|(r, _)| *r == "staff");
            // The picker (a signed-in browser): staff get an empty list, never an error.
            let cookie = sign_in(&t, c.name, ADMIN_PASSWORD, "en").await;
            let r = page(&t, &cookie, "/people?q=zzpk").await;
            if r.status != StatusCode::OK {
                wrong.push(format!("{} /people: expected 200, got {}", c.name, r.status));
            } else {
                let found = usernames(&r.json());
                if found != expected {
                    wrong.push(format!("{} /people: expected {expected:?}, got {found:?}", c.name));
                }
                assert!(!staff_only || found.is_empty(), "oracle: {}", c.name);
            }
            cases += 1;
            // The API's user list, searched the same way: 403 for staff.
            let r = t.get("/api/v1/users?q=zzpk&status=active&limit=200").token(w.token(c.name)).send().await;
            if staff_only {
                check(&mut wrong, &format!("{} /api/v1/users", c.name), &r, FORBIDDEN);
            } else if r.status != StatusCode::OK {
                wrong.push(format!("{} /api/v1/users: expected 200, got {} {}", c.name, r.status, r.text()));
            } else {
                let found = usernames(&r.json()["items"]);
                if found != expected {
                    wrong.push(format!("{} /api/v1/users: expected {expected:?}, got {found:?}", c.name));
                }
            }
            cases += 1;
        }
        assert_eq!(cases, CALLERS.len() * 2);
        // Spot checks of the oracle itself.
        assert!(!finds(spec("head_a1"), Some(Dept::A1)), "a head holding only staff finds nobody");
        assert!(finds(spec("sa_b"), Some(Dept::B)) && !finds(spec("sa_b"), None));
        verdict(&wrong, cases);
    }
}

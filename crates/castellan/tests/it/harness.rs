//! The test application: a fresh database per test (a temporary SQLite file, or a new
//! PostgreSQL schema), the real router called in-process, and helpers to make users with
//! roles and send requests.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, Request, StatusCode, header};
use castellan_app::org::users::{GrantInput, NewUserInput};
use castellan_app::{App, Ctx, RequestMeta, Settings, org::account, org::users};
use castellan_domain::org::User;
use castellan_domain::{Grant, Principal};
use http_body_util::BodyExt;
use serde_json::Value;
use sqlx::Connection;
use std::path::PathBuf;
use tower::ServiceExt;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each listed test on both backends: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($(async fn $name:ident($b:ident: Backend) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[allow(unused_imports)]
                use $crate::harness::Backend;
                async fn run($b: Backend) $body
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    run($crate::harness::Backend::Sqlite).await
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    run($crate::harness::Backend::Postgres).await
                }
            }
        )*
    };
}

/// The PostgreSQL server tests use (a database in which each test makes its own schema).
pub fn pg_base_url() -> String {
    std::env::var("CASTELLAN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into())
}

pub const ADMIN_PASSWORD: &str = "correct-horse-battery-staple";

pub struct TestApp {
    pub app: App,
    pub router: axum::Router,
    pub backend: Backend,
    pub database_url: String,
    /// A bearer token of the first administrator.
    pub admin_token: String,
    pub admin: User,
    sqlite_dir: Option<PathBuf>,
    /// The instance's data directory (uploads in transit).
    pub data_dir: PathBuf,
    pg_schema: Option<String>,
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        castellan_app::secret::random_b64(9)
            .to_lowercase()
            .replace(['-', '_'], "x")
    )
}

impl TestApp {
    pub async fn new(backend: Backend) -> TestApp {
        if std::env::var_os("CASTELLAN_TEST_LOG").is_some() {
            let _ = tracing_subscriber::fmt().with_test_writer().try_init();
        }
        Self::with_settings(backend, |_| {}).await
    }

    /// A test application whose settings `adjust` may change.
    pub async fn with_settings(backend: Backend, adjust: impl FnOnce(&mut Settings)) -> TestApp {
        let (database_url, sqlite_dir, pg_schema) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(unique("castellan-it-"));
                std::fs::create_dir_all(&dir).expect("temp dir");
                (
                    format!("sqlite://{}", dir.join("castellan.db").display()),
                    Some(dir),
                    None,
                )
            }
            Backend::Postgres => {
                let base = pg_base_url();
                let schema = unique("t_");
                let mut conn = sqlx::PgConnection::connect(&base).await.unwrap_or_else(|e| {
                    panic!("PostgreSQL is not reachable at {base}: {e}. Start it (see README) or set CASTELLAN_TEST_POSTGRES_URL.")
                });
                // The trigram extension lives in `public`, once for every test schema (the
                // migration finds it there; created inside a test schema it would go with it).
                static TRGM: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
                TRGM.get_or_init(|| async {
                    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
                        .execute(&mut conn)
                        .await
                        .expect("create the pg_trgm extension");
                })
                .await;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
                    .execute(&mut conn)
                    .await
                    .expect("create schema");
                conn.close().await.ok();
                let sep = if base.contains('?') { '&' } else { '?' };
                (
                    format!("{base}{sep}options[search_path]={schema}"),
                    None,
                    Some(schema),
                )
            }
        };
        let data_dir = std::env::temp_dir().join(unique("castellan-data-"));
        let mut settings = Settings {
            data_dir: data_dir.display().to_string(),
            database_url: database_url.clone(),
            admin_password: Some(ADMIN_PASSWORD.into()),
            max_connections: 4,
            ..Settings::default()
        };
        adjust(&mut settings);
        let app = App::open(settings).await.expect("open the test database");
        castellan_app::org::bootstrap::ensure_admin(&app)
            .await
            .expect("bootstrap");
        let router = castellan_web::router(app.clone());
        let mut t = TestApp {
            app,
            router,
            backend,
            database_url,
            admin_token: String::new(),
            admin: placeholder_user(),
            sqlite_dir,
            data_dir,
            pg_schema,
        };
        let admin = t.user_by_name("admin").await;
        t.admin_token = t.token_for(&admin).await;
        t.admin = admin;
        t
    }

    /// A user by username.
    pub async fn user_by_name_pub(&self, username: &str) -> User {
        self.user_by_name(username).await
    }

    async fn user_by_name(&self, username: &str) -> User {
        let mut conn = self.app.db().read().await.unwrap();
        castellan_store::org::users::get_with_hash(&mut conn, username)
            .await
            .unwrap()
            .expect("user exists")
            .0
    }

    /// The service context of a user.
    pub fn ctx_of(&self, user: &User) -> Ctx {
        Ctx {
            principal: Principal {
                user_id: user.id,
                username: user.username.clone(),
                display_name: user.display_name.clone(),
                grants: user.roles.clone(),
            },
            token_id: None,
            meta: RequestMeta::default(),
            system: false,
        }
    }

    /// A personal API token for a user.
    pub async fn token_for(&self, user: &User) -> String {
        account::create_token(&self.app, &self.ctx_of(user), "test", None)
            .await
            .expect("token")
            .1
    }

    /// Creates a user with these roles (role code, optional department scope) and returns
    /// it with a bearer token.
    pub async fn user_with(&self, username: &str, roles: &[(&str, Option<i64>)]) -> (User, String) {
        self.user_in(username, None, roles).await
    }

    /// Like [`user_with`], as a member of a department.
    pub async fn user_in(
        &self,
        username: &str,
        department_id: Option<i64>,
        roles: &[(&str, Option<i64>)],
    ) -> (User, String) {
        let input = NewUserInput {
            username: username.into(),
            display_name: format!("Test {username}"),
            department_id,
            password: ADMIN_PASSWORD.into(),
            roles: roles
                .iter()
                .map(|(r, d)| GrantInput {
                    role: (*r).into(),
                    department_id: *d,
                })
                .collect(),
            ..NewUserInput::default()
        };
        let user = users::create(&self.app, &Ctx::system(RequestMeta::default()), &input)
            .await
            .expect("create test user");
        let token = self.token_for(&user).await;
        (user, token)
    }

    /// The administrator's token.
    pub fn token_admin(&self) -> &str {
        &self.admin_token
    }

    pub fn req(&self, method: Method, path: &str) -> Req<'_> {
        Req {
            app: self,
            builder: Request::builder().method(method).uri(path),
            body: Body::empty(),
        }
    }

    pub fn get(&self, path: &str) -> Req<'_> {
        self.req(Method::GET, path)
    }

    pub fn post(&self, path: &str) -> Req<'_> {
        self.req(Method::POST, path)
    }

    pub fn patch(&self, path: &str) -> Req<'_> {
        self.req(Method::PATCH, path)
    }

    pub fn put(&self, path: &str) -> Req<'_> {
        self.req(Method::PUT, path)
    }

    pub fn delete(&self, path: &str) -> Req<'_> {
        self.req(Method::DELETE, path)
    }

    /// Creates a department as the administrator and returns its id.
    pub async fn department(&self, name: &str, parent: Option<i64>) -> i64 {
        let r = self
            .post("/api/v1/departments")
            .token(&self.admin_token)
            .json(&serde_json::json!({ "name": name, "parent_id": parent }))
            .send()
            .await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text());
        r.json()["id"].as_i64().unwrap()
    }

    /// Runs SQL directly (for tamper tests), bypassing the services and the audit trail.
    pub async fn raw_sql(&self, sql: &str) {
        let mut tx = self.app.db().begin().await.unwrap();
        tx.execute_batch(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tx.commit().await.unwrap();
    }

    /// Tries a statement directly and reports whether the database accepted it.
    pub async fn try_sql(&self, sql: &str) -> bool {
        let mut tx = self.app.db().begin().await.unwrap();
        let ok = tx.execute(sql, &[]).await.is_ok();
        drop(tx);
        ok
    }

    /// The rows of a query (for checks on stored data).
    pub async fn rows(&self, sql: &str) -> Vec<castellan_store::Row> {
        let mut conn = self.app.db().read().await.unwrap();
        conn.fetch_all(sql, &[]).await.unwrap()
    }

    /// Counts rows of a table.
    pub async fn count(&self, table: &str) -> i64 {
        let mut rows = self
            .rows(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .await;
        rows.remove(0).take::<i64, _>(0).unwrap()
    }

    /// Asserts that every action and record kind in the audit trail is one the kernel or an
    /// area declares (so it has a label in both languages); returns how many distinct pairs.
    pub async fn assert_audit_codes_declared(&self) -> usize {
        let rows = self
            .rows("SELECT DISTINCT action, entity_type FROM audit_log")
            .await;
        for mut row in rows.iter().cloned() {
            let action: String = row.take("action").unwrap();
            let entity: String = row.take("entity_type").unwrap();
            assert!(
                castellan_domain::audit::action_label(&action).is_some(),
                "audit action {action:?} is not declared"
            );
            assert!(
                castellan_domain::audit::record_label(&entity).is_some(),
                "audited record kind {entity:?} is not declared"
            );
        }
        rows.len()
    }

    /// The text of a one-row, one-column query.
    pub async fn scalar(&self, sql: &str, params: &[castellan_store::Value]) -> Option<String> {
        let mut conn = self.app.db().read().await.unwrap();
        let row = conn.fetch_optional(sql, params).await.unwrap();
        row.and_then(|mut r| r.take::<Option<String>, _>(0).unwrap())
    }
}

fn placeholder_user() -> User {
    User {
        id: castellan_domain::UserId(0),
        username: String::new(),
        display_name: String::new(),
        email: None,
        department_id: None,
        position: None,
        status: castellan_domain::values::UserStatus::Active,
        roles: Vec::<Grant>::new(),
        language: None,
        last_login_at: None,
        version: 0,
        created_at: castellan_domain::Timestamp::now(),
        updated_at: castellan_domain::Timestamp::now(),
    }
}

/// Every kind of record and every field the test's audit trail holds is declared by an area
/// (`castellan_domain::history`), so a record's history shows labels, not raw keys. Checked
/// when a SQLite test ends (the snapshots do not depend on the database).
fn check_history_fields(database_url: &str) {
    let path = database_url.trim_start_matches("sqlite://");
    let Ok(conn) = rusqlite::Connection::open(path) else {
        return;
    };
    let mut undeclared = std::collections::BTreeSet::new();
    let mut stmt = conn
        .prepare("SELECT entity_type, before_data, after_data FROM audit_log")
        .expect("audit query");
    let rows = stmt
        .query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .expect("audit rows");
    for row in rows {
        let (record, before, after) = row.expect("audit row");
        if castellan_domain::audit::record_label(&record).is_none() {
            undeclared.insert(format!("record kind {record}"));
        }
        for side in [before, after].into_iter().flatten() {
            let Ok(Value::Object(map)) = serde_json::from_str(&side) else {
                continue;
            };
            for key in map.keys() {
                if castellan_domain::history::field(&record, key).is_none() {
                    undeclared.insert(format!("{record}.{key}"));
                }
            }
        }
    }
    assert!(
        undeclared.is_empty(),
        "audit snapshots hold fields no area declares for its history: {undeclared:?}"
    );
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
        if self.sqlite_dir.is_some() && !std::thread::panicking() {
            check_history_fields(&self.database_url);
        }
        if let Some(dir) = self.sqlite_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some(schema) = self.pg_schema.take() {
            // Drop the test's schema from a plain thread: Drop cannot await.
            let base = pg_base_url();
            let _ = std::thread::spawn(move || {
                let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                else {
                    return;
                };
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&base).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP SCHEMA IF EXISTS {schema} CASCADE"
                        )))
                        .execute(&mut conn)
                        .await;
                        let _ = conn.close().await;
                    }
                });
            })
            .join();
        }
    }
}

/// A request being built.
pub struct Req<'a> {
    app: &'a TestApp,
    builder: axum::http::request::Builder,
    body: Body,
}

impl Req<'_> {
    pub fn token(mut self, token: &str) -> Self {
        self.builder = self
            .builder
            .header(header::AUTHORIZATION, format!("Bearer {token}"));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.builder = self.builder.header(name, value);
        self
    }

    pub fn if_match(self, version: i64) -> Self {
        self.header("if-match", &format!("\"{version}\""))
    }

    pub fn json(mut self, value: &Value) -> Self {
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/json");
        self.body = Body::from(value.to_string());
        self
    }

    pub fn raw(mut self, content_type: &str, body: impl Into<Body>) -> Self {
        self.builder = self.builder.header(header::CONTENT_TYPE, content_type);
        self.body = body.into();
        self
    }

    /// A urlencoded form body.
    pub fn form(mut self, pairs: &[(&str, &str)]) -> Self {
        self.builder = self
            .builder
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.body = Body::from(serde_urlencoded_pairs(pairs));
        self
    }

    pub async fn send(self) -> Resp {
        let req = self.builder.body(self.body).expect("request");
        let response = self
            .app
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("infallible");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes()
            .to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", pct(k), pct(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// Percent-encodes a query value.
pub fn pct_public(s: &str) -> String {
    pct(s)
}

fn pct(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A response.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
    }

    /// Asserts a problem+json answer with this status and returns the document.
    pub fn problem(&self, status: StatusCode) -> Value {
        assert_eq!(self.status, status, "body: {}", self.text());
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "not a problem document: {}",
            self.text()
        );
        let doc = self.json();
        assert_eq!(doc["status"].as_u64(), Some(u64::from(status.as_u16())));
        assert!(
            doc["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("urn:castellan:problem:"))
        );
        doc
    }
}

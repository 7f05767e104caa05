//! Castellan's application services. A service receives the caller ([`Ctx`]), checks the
//! permission table, validates input, runs its repository calls and writes the audit entry
//! in one transaction. Handlers (web or CLI) never talk to storage directly, so no route can
//! forget a check or an audit entry.

// The kernel: the audit trail, settings, errors, secrets and password hashing, and the
// files attached to any area's records.
pub mod attachments;
pub mod audit;
pub mod config;
pub mod error;
pub mod paging;
pub mod password;
pub mod secret;
pub mod settings;
pub mod workflow;

// The areas, one folder each, and the demo organization that fills them.
pub mod asset;
pub mod continuity;
pub mod custody;
pub mod demo;
pub mod document;
pub mod goal;
pub mod incident;
pub mod inspection;
pub mod org;
pub mod rectification;
pub mod request;
pub mod risk;
pub mod training;

use castellan_domain::{Principal, TokenId};
use castellan_store::{Db, DbOptions, OpenError};
pub use config::Settings;
pub use error::{Error, Result};
use std::sync::Arc;

/// The running application: database, settings and shared helpers. Cheap to clone.
#[derive(Clone, Debug)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: Db,
    settings: Settings,
    hasher: password::Hasher,
    /// A hash verified against when a sign-in names an unknown user, so the answer takes as
    /// long as for a known one.
    dummy_hash: String,
}

impl App {
    /// Opens the database (migrating it) and prepares the services.
    pub async fn open(settings: Settings) -> Result<App, OpenError> {
        let options = DbOptions {
            max_connections: settings.max_connections,
            ..DbOptions::default()
        };
        let db = Db::open(&settings.database_url, &options).await?;
        Ok(App::with_db(db, settings).await)
    }

    /// Wraps an already open database.
    pub async fn with_db(db: Db, settings: Settings) -> App {
        let hasher = password::Hasher::default();
        let dummy_hash = hasher
            .hash(&secret::random_b64(16))
            .await
            .unwrap_or_default();
        App {
            inner: Arc::new(Inner {
                db,
                settings,
                hasher,
                dummy_hash,
            }),
        }
    }

    /// The database.
    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub(crate) fn hasher(&self) -> &password::Hasher {
        &self.inner.hasher
    }
}

/// Facts about the request, recorded with audit entries.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    /// Client address.
    pub client_ip: Option<String>,
    /// Request id (also in the application log).
    pub request_id: Option<String>,
    /// Client software.
    pub user_agent: Option<String>,
}

/// The caller of a service: who, with which credential, from where.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// The signed-in user and their roles.
    pub principal: Principal,
    /// The credential used (to keep it when ending the user's other sessions).
    pub token_id: Option<TokenId>,
    /// Request facts.
    pub meta: RequestMeta,
    /// True for the host operator (command-line tools and first-start bootstrap).
    pub system: bool,
}

impl Ctx {
    /// The host operator, as used by the command-line tools: holds every role without a
    /// department limit, so the permission table still decides (and the domain rules, such
    /// as keeping one administrator, still apply). Audit entries name the actor `system`.
    pub fn system(meta: RequestMeta) -> Ctx {
        use castellan_domain::{Grant, Role, UserId};
        Ctx {
            principal: Principal {
                user_id: UserId(0),
                username: "system".into(),
                display_name: "system".into(),
                grants: Role::ALL
                    .iter()
                    .map(|role| Grant {
                        role: *role,
                        department_id: None,
                    })
                    .collect(),
            },
            token_id: None,
            meta,
            system: true,
        }
    }
}

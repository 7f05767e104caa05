//! Typed settings: defaults → TOML file → `CASTELLAN_*` environment variables (env wins).
//! Passed explicitly; there is no global configuration.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Every setting of a Castellan instance. `castellan config print-default` shows them all.
#[derive(Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// `sqlite://FILE` (default `sqlite://castellan.db`) or `postgres://USER@HOST/DB`.
    pub database_url: String,
    /// Address the server listens on.
    pub listen: String,
    /// Username of the administrator created on first start.
    pub admin_user: String,
    /// Password of that administrator; a random one is generated and printed when unset.
    /// Used only while the database has no user.
    pub admin_password: Option<String>,
    /// Maximum database connections.
    pub max_connections: u32,
    /// Largest accepted request body in bytes.
    pub body_limit_bytes: usize,
    /// Largest file accepted by the import page, in bytes (the CLI reads larger files).
    pub upload_limit_bytes: u64,
    /// Largest file attached to a record (incidents, documents, inspections…), in bytes;
    /// a larger one is refused with HTTP 413.
    pub attachment_limit_bytes: u64,
    /// This instance's working directory for files in transit (uploads being checked, in
    /// `uploads/`); created with owner-only access. Nothing another instance needs is kept
    /// there.
    pub data_dir: String,
    /// A browser session ends after this many minutes without a request.
    pub session_idle_minutes: i64,
    /// A browser session ends this many hours after sign-in in any case.
    pub session_lifetime_hours: i64,
    /// Lifetime of bearer tokens from `POST /api/v1/auth/login`.
    pub login_token_hours: i64,
    /// Failed sign-ins are counted over this window.
    pub login_window_minutes: i64,
    /// Failed sign-ins per account within the window before it is locked.
    pub login_account_failures: i64,
    /// Failed sign-ins per client address within the window before it is locked.
    pub login_address_failures: i64,
    /// How long a lock lasts.
    pub login_lockout_minutes: i64,
    /// Behind a trusted reverse proxy: take the client address from `X-Forwarded-For` and
    /// the scheme from `X-Forwarded-Proto` / `Forwarded`.
    pub trust_forwarded_for: bool,
    /// Mark cookies `Secure` on every response; they are anyway on requests that arrived
    /// over HTTPS as far as Castellan can tell.
    pub secure_cookies: bool,
    /// The organization's offset from UTC in minutes (480 for China Standard Time): the
    /// local day that working-day deadlines count in.
    pub utc_offset_minutes: i64,
    /// Log filter, e.g. `info` or `castellan=debug,sqlx=warn`.
    pub log: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            database_url: "sqlite://castellan.db".into(),
            listen: "127.0.0.1:8080".into(),
            admin_user: "admin".into(),
            admin_password: None,
            max_connections: 8,
            body_limit_bytes: 1024 * 1024,
            upload_limit_bytes: 64 * 1024 * 1024,
            attachment_limit_bytes: 50 * 1024 * 1024,
            data_dir: "castellan-data".into(),
            session_idle_minutes: 8 * 60,
            session_lifetime_hours: 7 * 24,
            login_token_hours: 12,
            login_window_minutes: 15,
            login_account_failures: 5,
            login_address_failures: 20,
            login_lockout_minutes: 15,
            trust_forwarded_for: false,
            secure_cookies: false,
            utc_offset_minutes: 480,
            log: "info".into(),
        }
    }
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs: the URL's password and the admin password are hidden.
        f.debug_struct("Settings")
            .field(
                "database_url",
                &castellan_store::db::redact_url(&self.database_url),
            )
            .field("listen", &self.listen)
            .field("admin_user", &self.admin_user)
            .field(
                "admin_password",
                &self.admin_password.as_ref().map(|_| "***"),
            )
            .field("max_connections", &self.max_connections)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("upload_limit_bytes", &self.upload_limit_bytes)
            .field("attachment_limit_bytes", &self.attachment_limit_bytes)
            .field("data_dir", &self.data_dir)
            .field("session_idle_minutes", &self.session_idle_minutes)
            .field("session_lifetime_hours", &self.session_lifetime_hours)
            .field("login_token_hours", &self.login_token_hours)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("secure_cookies", &self.secure_cookies)
            .field("utc_offset_minutes", &self.utc_offset_minutes)
            .field("log", &self.log)
            .finish_non_exhaustive()
    }
}

/// Why the settings could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read configuration file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file or an environment variable holds something invalid.
    #[error("invalid configuration in {origin}: {message}")]
    Invalid {
        /// The file or variable.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

/// The environment variable that names the configuration file.
pub const CONFIG_ENV: &str = "CASTELLAN_CONFIG";

impl Settings {
    /// Loads the settings: defaults, then `file` (or `$CASTELLAN_CONFIG`, or `castellan.toml`
    /// in the working directory if it exists), then `CASTELLAN_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let explicit = file
            .map(Path::to_path_buf)
            .or_else(|| env(CONFIG_ENV).map(PathBuf::from));
        let path = match explicit {
            Some(p) => Some(p),
            None => Some(PathBuf::from("castellan.toml")).filter(|p| p.exists()),
        };
        let mut table =
            toml::Table::try_from(Settings::default()).map_err(|e| invalid("defaults", e))?;
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path).map_err(|source| ConfigError::Read {
                path: path.clone(),
                source,
            })?;
            let origin = path.display().to_string();
            // Parse as Settings first so unknown keys and wrong types are reported by name.
            let from_file: Settings = toml::from_str(&text).map_err(|e| invalid(&origin, e))?;
            let file_table = toml::Table::try_from(from_file).map_err(|e| invalid(&origin, e))?;
            let given: toml::Table = toml::from_str(&text).map_err(|e| invalid(&origin, e))?;
            for key in given.keys() {
                if let Some(v) = file_table.get(key) {
                    table.insert(key.clone(), v.clone());
                }
            }
        }
        for key in FIELDS {
            let var = format!("CASTELLAN_{}", key.to_ascii_uppercase());
            let Some(raw) = env(&var) else { continue };
            let value = match table.get(*key) {
                Some(toml::Value::Integer(_)) => raw
                    .trim()
                    .parse::<i64>()
                    .map(toml::Value::Integer)
                    .map_err(|_| invalid(&var, format!("expected a whole number, got {raw:?}")))?,
                Some(toml::Value::Boolean(_)) => match raw.trim().to_ascii_lowercase().as_str() {
                    "1" | "true" | "yes" | "on" => toml::Value::Boolean(true),
                    "0" | "false" | "no" | "off" => toml::Value::Boolean(false),
                    _ => {
                        return Err(invalid(
                            &var,
                            format!("expected true or false, got {raw:?}"),
                        ));
                    }
                },
                _ => toml::Value::String(raw),
            };
            table.insert((*key).to_owned(), value);
        }
        let settings: Settings = table
            .try_into()
            .map_err(|e| invalid("the combined configuration", e))?;
        settings.validate()?;
        Ok(settings)
    }

    /// The organization's UTC offset.
    pub fn utc_offset(&self) -> time::UtcOffset {
        i32::try_from(self.utc_offset_minutes * 60)
            .ok()
            .and_then(|s| time::UtcOffset::from_whole_seconds(s).ok())
            .unwrap_or(time::UtcOffset::UTC)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        if !(-14 * 60..=14 * 60).contains(&self.utc_offset_minutes) {
            return Err(invalid(
                "utc_offset_minutes",
                "expected minutes between -840 and 840",
            ));
        }
        let positive = [
            ("session_idle_minutes", self.session_idle_minutes),
            ("session_lifetime_hours", self.session_lifetime_hours),
            ("login_token_hours", self.login_token_hours),
            ("login_window_minutes", self.login_window_minutes),
            ("login_account_failures", self.login_account_failures),
            ("login_address_failures", self.login_address_failures),
            ("login_lockout_minutes", self.login_lockout_minutes),
        ];
        for (name, value) in positive {
            if value <= 0 {
                return Err(invalid(name, "must be greater than 0"));
            }
        }
        if self.body_limit_bytes < 1024 {
            return Err(invalid("body_limit_bytes", "must be at least 1024"));
        }
        if self.upload_limit_bytes < 1024 {
            return Err(invalid("upload_limit_bytes", "must be at least 1024"));
        }
        if self.attachment_limit_bytes < 1024 {
            return Err(invalid("attachment_limit_bytes", "must be at least 1024"));
        }
        if self.data_dir.trim().is_empty() {
            return Err(invalid("data_dir", "must name a directory"));
        }
        if self.max_connections == 0 {
            return Err(invalid("max_connections", "must be at least 1"));
        }
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(invalid(
                "listen",
                format!("{:?} is not an address like 127.0.0.1:8080", self.listen),
            ));
        }
        Ok(())
    }
}

/// Every key, for environment overrides.
const FIELDS: &[&str] = &[
    "database_url",
    "listen",
    "admin_user",
    "admin_password",
    "max_connections",
    "body_limit_bytes",
    "upload_limit_bytes",
    "attachment_limit_bytes",
    "data_dir",
    "session_idle_minutes",
    "session_lifetime_hours",
    "login_token_hours",
    "login_window_minutes",
    "login_account_failures",
    "login_address_failures",
    "login_lockout_minutes",
    "trust_forwarded_for",
    "secure_cookies",
    "utc_offset_minutes",
    "log",
];

fn invalid(origin: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid {
        origin: origin.to_owned(),
        message: message.to_string(),
    }
}

/// The documented default configuration file (`castellan config print-default`).
pub const DEFAULT_TOML: &str = r#"# Castellan configuration. Every key is optional; the values shown are the defaults.
# Each key can also be set by an environment variable CASTELLAN_<KEY> (which wins),
# e.g. CASTELLAN_DATABASE_URL. The file is read from --config, $CASTELLAN_CONFIG, or
# ./castellan.toml.

# sqlite://FILE (embedded, the default) or postgres://USER:PASSWORD@HOST:5432/DATABASE
database_url = "sqlite://castellan.db"

# Address and port of the web UI and API.
listen = "127.0.0.1:8080"

# The administrator created when the database has no user yet. Without admin_password
# a random password is generated and printed once on the console.
admin_user = "admin"
# admin_password = "…"

# Database connections (per instance).
max_connections = 8

# Largest accepted request body, in bytes.
body_limit_bytes = 1048576

# Largest file the import page accepts, in bytes (64 MiB, about 350,000 assets as CSV);
# `castellan import assets FILE` reads files up to 256 MiB.
upload_limit_bytes = 67108864

# Largest file attached to a record (incidents, documents, inspections, drills), in bytes
# (50 MiB); larger ones are refused with HTTP 413. Attachments are stored in the database.
attachment_limit_bytes = 52428800

# Working directory for files in transit (uploads being checked), created with owner-only
# access; files left by a stopped server are removed at the next start.
data_dir = "castellan-data"

# Browser sessions: idle timeout and absolute lifetime.
session_idle_minutes = 480
session_lifetime_hours = 168

# Lifetime of bearer tokens from POST /api/v1/auth/login.
login_token_hours = 12

# Sign-in throttling: failures counted over a window, per account and per client address,
# then a lock for login_lockout_minutes (HTTP 429 with Retry-After).
login_window_minutes = 15
login_account_failures = 5
login_address_failures = 20
login_lockout_minutes = 15

# Behind a trusted reverse proxy: take the client address from X-Forwarded-For and the
# scheme (for Secure cookies) from X-Forwarded-Proto or Forwarded.
trust_forwarded_for = false

# Mark cookies Secure even when the request does not show it came over HTTPS. Cookies are
# Secure anyway when it does: with trust_forwarded_for, a proxy's X-Forwarded-Proto: https
# or Forwarded: proto=https is enough.
secure_cookies = false

# The organization's offset from UTC, in minutes (480 = China Standard Time, UTC+8): the
# local day in which "within one working day" deadlines are counted.
utc_offset_minutes = 480

# Log filter (tracing syntax), e.g. "info" or "castellan=debug,sqlx=warn".
log = "info"
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn the_printed_default_is_the_default() {
        let parsed: Settings = toml::from_str(DEFAULT_TOML).unwrap();
        assert_eq!(parsed, Settings::default());
        // Every key is documented.
        for key in FIELDS {
            assert!(
                DEFAULT_TOML.contains(&format!("{key} =")),
                "{key} undocumented"
            );
        }
    }

    #[test]
    fn env_wins_over_file_and_defaults() {
        let dir = std::env::temp_dir().join(format!("castellan-cfg-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nmax_connections = 3\n").unwrap();
        let s = Settings::load(
            Some(&file),
            env(&[
                ("CASTELLAN_MAX_CONNECTIONS", "5"),
                ("CASTELLAN_SECURE_COOKIES", "yes"),
            ]),
        )
        .unwrap();
        assert_eq!(s.listen, "0.0.0.0:9000");
        assert_eq!(s.max_connections, 5);
        assert!(s.secure_cookies);
        assert_eq!(s.database_url, "sqlite://castellan.db");
    }

    #[test]
    fn the_attachment_limit_comes_from_the_environment_and_is_at_least_a_kib() {
        assert_eq!(Settings::default().attachment_limit_bytes, 50 * 1024 * 1024);
        let s = Settings::load(
            None,
            env(&[("CASTELLAN_ATTACHMENT_LIMIT_BYTES", "2097152")]),
        )
        .unwrap();
        assert_eq!(s.attachment_limit_bytes, 2 * 1024 * 1024);
        let err =
            Settings::load(None, env(&[("CASTELLAN_ATTACHMENT_LIMIT_BYTES", "1023")])).unwrap_err();
        assert!(err.to_string().contains("attachment_limit_bytes"), "{err}");
    }

    #[test]
    fn bad_values_are_named() {
        let err = Settings::load(None, env(&[("CASTELLAN_MAX_CONNECTIONS", "many")])).unwrap_err();
        assert!(
            err.to_string().contains("CASTELLAN_MAX_CONNECTIONS"),
            "{err}"
        );
        let err = Settings::load(None, env(&[("CASTELLAN_LISTEN", "nowhere")])).unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
        let dir = std::env::temp_dir().join(format!("castellan-cfg2-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("c.toml");
        std::fs::write(&file, "lisen = \"x\"\n").unwrap();
        let err = Settings::load(Some(&file), env(&[])).unwrap_err();
        assert!(err.to_string().contains("lisen"), "{err}");
    }

    #[test]
    fn debug_hides_secrets() {
        let s = Settings {
            database_url: "postgres://c:hunter2@db/c".into(),
            admin_password: Some("topsecret-password".into()),
            ..Settings::default()
        };
        let shown = format!("{s:?}");
        assert!(
            !shown.contains("hunter2") && !shown.contains("topsecret"),
            "{shown}"
        );
    }
}

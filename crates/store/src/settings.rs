//! Organization-wide settings: one JSON document per key, versioned.

use crate::conn::{Conn, DbError};
use crate::rows::ts;
use crate::sql::Sql;
use castellan_domain::Timestamp;

/// A stored setting.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// The JSON document.
    pub value: serde_json::Value,
    /// Version for `If-Match`, starting at 1.
    pub version: i64,
    /// Last change.
    pub updated_at: Timestamp,
}

/// The setting stored under `key`, if any.
pub async fn get(conn: &mut Conn, key: &str) -> Result<Option<Setting>, DbError> {
    let mut q =
        Sql::new("SELECT value, version, updated_at FROM org_settings WHERE setting_key = ");
    q.bind(key.to_owned());
    let Some(mut row) = q.fetch_optional(conn).await? else {
        return Ok(None);
    };
    let text: String = row.take("value")?;
    Ok(Some(Setting {
        value: serde_json::from_str(&text)
            .map_err(|e| DbError::decode("org_settings.value", e.to_string()))?,
        version: row.try_get("version")?,
        updated_at: ts(&mut row, "updated_at")?,
    }))
}

/// Stores `value` under `key` if the stored version is still `expected_version` (0: the key
/// is not stored yet). Returns the new version, or `None` when the version did not match.
pub async fn put(
    conn: &mut Conn,
    key: &str,
    value: &serde_json::Value,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<i64>, DbError> {
    let changed = if expected_version == 0 {
        let mut q =
            Sql::new("INSERT INTO org_settings (setting_key, value, version, updated_at) VALUES (");
        q.bind(key.to_owned())
            .push(", ")
            .bind(value.to_string())
            .push(", 1, ")
            .bind(now.to_db())
            .push(") ON CONFLICT (setting_key) DO NOTHING");
        q.execute(conn).await?
    } else {
        let mut q = Sql::new("UPDATE org_settings SET value = ");
        q.bind(value.to_string())
            .push(", version = version + 1, updated_at = ")
            .bind(now.to_db())
            .push(" WHERE setting_key = ")
            .bind(key.to_owned())
            .push(" AND version = ")
            .bind(expected_version);
        q.execute(conn).await?
    };
    Ok((changed > 0).then_some(expected_version + 1))
}

//! Custody records and their handovers, and the one query that gathers everything the
//! warnings need: the record, its system, both people as they are now and its last
//! handover.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::custody::{Custody, Handover};
use castellan_domain::ids::{AssetId, DepartmentId, UserId};

const COLUMNS: &str = "id, asset_id, account, holder_id, holder_department_id, backup_holder_id, backup_department_id, last_changed_at, change_interval_days, note, active, created_by, version, created_at, updated_at";

const HANDOVER_COLUMNS: &str = "id, custody_id, from_id, to_id, at, witness_id, reason, password_changed_at, created_by, version, created_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn department(row: &Row, col: &str) -> Result<Option<DepartmentId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(DepartmentId))
}

/// Reads a record from columns prefixed with `p` (`""` or `"c_"`).
fn from_row(row: &mut Row, p: &str) -> Result<Custody, DbError> {
    let col = |c: &str| format!("{p}{c}");
    Ok(Custody {
        id: row.try_get(col("id").as_str())?,
        asset_id: AssetId(row.try_get(col("asset_id").as_str())?),
        account: row.take(col("account").as_str())?,
        holder_id: UserId(row.try_get(col("holder_id").as_str())?),
        holder_department_id: department(row, &col("holder_department_id"))?,
        backup_holder_id: user(row, &col("backup_holder_id"))?,
        backup_department_id: department(row, &col("backup_department_id"))?,
        last_changed_at: ts_opt(row, &col("last_changed_at"))?,
        change_interval_days: row.try_get(col("change_interval_days").as_str())?,
        note: row.take(col("note").as_str())?,
        active: row.try_get::<i64, _>(col("active").as_str())? != 0,
        created_by: user(row, &col("created_by"))?,
        version: row.try_get(col("version").as_str())?,
        created_at: ts(row, &col("created_at"))?,
        updated_at: ts(row, &col("updated_at"))?,
    })
}

fn handover_from_row(mut row: Row) -> Result<Handover, DbError> {
    Ok(Handover {
        id: row.try_get("id")?,
        custody_id: row.try_get("custody_id")?,
        from_id: UserId(row.try_get("from_id")?),
        to_id: UserId(row.try_get("to_id")?),
        at: ts(&mut row, "at")?,
        witness_id: UserId(row.try_get("witness_id")?),
        reason: row.take("reason")?,
        password_changed_at: ts_opt(&mut row, "password_changed_at")?,
        created_by: user(&row, "created_by")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
    })
}

/// Inserts a record; returns its id.
pub async fn insert(conn: &mut Conn, c: &Custody) -> Result<i64, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO custody ({}) VALUES (",
        COLUMNS.trim_start_matches("id, ")
    ));
    q.bind(c.asset_id.0).push(", ");
    q.bind(c.account.clone()).push(", ");
    q.bind(c.holder_id.0).push(", ");
    q.bind(c.holder_department_id.map(|d| d.0)).push(", ");
    q.bind(c.backup_holder_id.map(|u| u.0)).push(", ");
    q.bind(c.backup_department_id.map(|d| d.0)).push(", ");
    q.bind(c.last_changed_at.map(|t| t.to_db())).push(", ");
    q.bind(c.change_interval_days).push(", ");
    q.bind(c.note.clone()).push(", ");
    q.bind(i64::from(c.active)).push(", ");
    q.bind(c.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(c.created_at.to_db())
        .push(", ")
        .bind(c.updated_at.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// One record.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Custody>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM custody WHERE id = "));
    q.bind(id);
    match q.fetch_optional(conn).await? {
        Some(mut row) => Ok(Some(from_row(&mut row, "")?)),
        None => Ok(None),
    }
}

/// Writes a record if it is still at `c.version`; false when someone changed it first.
pub async fn save(conn: &mut Conn, c: &Custody, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE custody SET account = ");
    q.bind(c.account.clone());
    q.push(", holder_id = ").bind(c.holder_id.0);
    q.push(", holder_department_id = ")
        .bind(c.holder_department_id.map(|d| d.0));
    q.push(", backup_holder_id = ")
        .bind(c.backup_holder_id.map(|u| u.0));
    q.push(", backup_department_id = ")
        .bind(c.backup_department_id.map(|d| d.0));
    q.push(", last_changed_at = ")
        .bind(c.last_changed_at.map(|t| t.to_db()));
    q.push(", change_interval_days = ")
        .bind(c.change_interval_days);
    q.push(", note = ").bind(c.note.clone());
    q.push(", active = ").bind(i64::from(c.active));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(c.id)
        .push(" AND version = ")
        .bind(c.version);
    Ok(q.execute(conn).await? == 1)
}

/// The id of an active record of the same system and account, other than `except`.
pub async fn active_duplicate(
    conn: &mut Conn,
    asset: AssetId,
    account: &str,
    except: Option<i64>,
) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new("SELECT id FROM custody WHERE active = 1 AND asset_id = ");
    q.bind(asset.0)
        .push(" AND LOWER(account) = ")
        .bind(account.to_lowercase());
    if let Some(id) = except {
        q.push(" AND id <> ").bind(id);
    }
    q.push(" LIMIT 1");
    match q.fetch_optional(conn).await? {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Ok(None),
    }
}

/// Inserts a handover; returns its id.
pub async fn insert_handover(conn: &mut Conn, h: &Handover) -> Result<i64, DbError> {
    let mut q = Sql::new(&format!(
        "INSERT INTO custody_handovers ({}) VALUES (",
        HANDOVER_COLUMNS.trim_start_matches("id, ")
    ));
    q.bind(h.custody_id).push(", ");
    q.bind(h.from_id.0).push(", ");
    q.bind(h.to_id.0).push(", ");
    q.bind(h.at.to_db()).push(", ");
    q.bind(h.witness_id.0).push(", ");
    q.bind(h.reason.clone()).push(", ");
    q.bind(h.password_changed_at.map(|t| t.to_db())).push(", ");
    q.bind(h.created_by.map(|u| u.0)).push(", 1, ");
    q.bind(h.created_at.to_db()).push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// The handovers of a record, latest first.
pub async fn handovers(conn: &mut Conn, custody: i64) -> Result<Vec<Handover>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {HANDOVER_COLUMNS} FROM custody_handovers WHERE custody_id = "
    ));
    q.bind(custody).push(" ORDER BY id DESC");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(handover_from_row)
        .collect()
}

/// One handover of a record.
pub async fn handover(conn: &mut Conn, custody: i64, id: i64) -> Result<Option<Handover>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {HANDOVER_COLUMNS} FROM custody_handovers WHERE custody_id = "
    ));
    q.bind(custody).push(" AND id = ").bind(id);
    q.fetch_optional(conn)
        .await?
        .map(handover_from_row)
        .transpose()
}

/// Enters the password change after a handover if it is still at `h.version`.
pub async fn save_handover(conn: &mut Conn, h: &Handover) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE custody_handovers SET password_changed_at = ");
    q.bind(h.password_changed_at.map(|t| t.to_db()));
    q.push(", version = version + 1 WHERE id = ")
        .bind(h.id)
        .push(" AND version = ")
        .bind(h.version);
    Ok(q.execute(conn).await? == 1)
}

/// A person named on a record, as they are now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonNow {
    /// Id.
    pub id: UserId,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// Whether the account is active.
    pub active: bool,
    /// Department now.
    pub department_id: Option<DepartmentId>,
}

/// The last handover of a record, in short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastHandoverRow {
    /// Its id.
    pub id: i64,
    /// To whom.
    pub to_id: UserId,
    /// When.
    pub at: Timestamp,
    /// The change afterwards.
    pub password_changed_at: Option<Timestamp>,
}

/// A record with everything its warnings and its line in the list need.
#[derive(Debug, Clone)]
pub struct CustodyFacts {
    /// The record.
    pub custody: Custody,
    /// The system's code.
    pub asset_code: String,
    /// The system's name.
    pub asset_name: String,
    /// The holder as they are now.
    pub holder: PersonNow,
    /// The backup holder as they are now.
    pub backup: Option<PersonNow>,
    /// The last handover.
    pub last: Option<LastHandoverRow>,
}

/// Filters of the custody list that the database applies.
#[derive(Debug, Clone, Default)]
pub struct CustodyFilter {
    /// One record.
    pub id: Option<i64>,
    /// The system.
    pub asset: Option<AssetId>,
    /// Held or backed up by.
    pub person: Option<UserId>,
    /// Active (true), retired (false) or both.
    pub active: Option<bool>,
    /// Words of the account, the system's code or name, or a person's name.
    pub q: Option<String>,
}

fn person(row: &mut Row, p: &str) -> Result<Option<PersonNow>, DbError> {
    let Some(id) = row.try_get::<Option<i64>, _>(format!("{p}id").as_str())? else {
        return Ok(None);
    };
    let status: String = row.take(format!("{p}status").as_str())?;
    Ok(Some(PersonNow {
        id: UserId(id),
        username: row.take(format!("{p}username").as_str())?,
        display_name: row.take(format!("{p}display_name").as_str())?,
        active: status == "active",
        department_id: department(row, &format!("{p}department_id"))?,
    }))
}

/// Every record matching the filter with its facts, by system code, account and id.
pub async fn facts(conn: &mut Conn, f: &CustodyFilter) -> Result<Vec<CustodyFacts>, DbError> {
    let cols: String = COLUMNS
        .split(", ")
        .map(|c| format!("c.{c} AS c_{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols}, a.code AS asset_code, a.name AS asset_name, \
         hu.id AS h_id, hu.username AS h_username, hu.display_name AS h_display_name, \
         hu.status AS h_status, hu.department_id AS h_department_id, \
         bu.id AS b_id, bu.username AS b_username, bu.display_name AS b_display_name, \
         bu.status AS b_status, bu.department_id AS b_department_id, \
         ho.id AS l_id, ho.to_id AS l_to_id, ho.at AS l_at, \
         ho.password_changed_at AS l_password_changed_at \
         FROM custody c \
         JOIN assets a ON a.id = c.asset_id \
         JOIN users hu ON hu.id = c.holder_id \
         LEFT JOIN users bu ON bu.id = c.backup_holder_id \
         LEFT JOIN custody_handovers ho ON ho.id = \
           (SELECT MAX(x.id) FROM custody_handovers x WHERE x.custody_id = c.id) \
         WHERE 1 = 1"
    ));
    if let Some(id) = f.id {
        q.push(" AND c.id = ").bind(id);
    }
    if let Some(a) = f.asset {
        q.push(" AND c.asset_id = ").bind(a.0);
    }
    if let Some(u) = f.person {
        q.push(" AND (c.holder_id = ")
            .bind(u.0)
            .push(" OR c.backup_holder_id = ")
            .bind(u.0)
            .push(")");
    }
    if let Some(active) = f.active {
        q.push(" AND c.active = ").bind(i64::from(active));
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        let pattern = contains_pattern(text);
        q.push(" AND (c.account LIKE ").bind(pattern.clone());
        for col in [
            "a.code",
            "a.name",
            "hu.display_name",
            "hu.username",
            "bu.display_name",
        ] {
            q.push(" ESCAPE '\\' OR ")
                .push(col)
                .push(" LIKE ")
                .bind(pattern.clone());
        }
        q.push(" ESCAPE '\\')");
    }
    q.push(" ORDER BY a.code, c.account, c.id");
    let rows = q.fetch_all(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for mut row in rows {
        let custody = from_row(&mut row, "c_")?;
        let holder = person(&mut row, "h_")?
            .ok_or_else(|| crate::rows::corrupt("holder_id", &custody.holder_id.0.to_string()))?;
        let backup = person(&mut row, "b_")?;
        let last = match row.try_get::<Option<i64>, _>("l_id")? {
            Some(id) => Some(LastHandoverRow {
                id,
                to_id: UserId(row.try_get("l_to_id")?),
                at: ts(&mut row, "l_at")?,
                password_changed_at: ts_opt(&mut row, "l_password_changed_at")?,
            }),
            None => None,
        };
        out.push(CustodyFacts {
            asset_code: row.take("asset_code")?,
            asset_name: row.take("asset_name")?,
            custody,
            holder,
            backup,
            last,
        });
    }
    Ok(out)
}

/// The handovers whose password change is still to be entered where `user` is the new
/// holder of an active record and the last handover (the ones they must change now).
pub async fn unchanged_handovers_to(
    conn: &mut Conn,
    user: UserId,
) -> Result<Vec<Handover>, DbError> {
    let cols: String = HANDOVER_COLUMNS
        .split(", ")
        .map(|c| format!("h.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut q = Sql::new(&format!(
        "SELECT {cols} FROM custody_handovers h JOIN custody c ON c.id = h.custody_id \
         WHERE c.active = 1 AND h.password_changed_at IS NULL AND h.to_id = "
    ));
    q.bind(user.0)
        .push(" AND c.holder_id = ")
        .bind(user.0)
        .push(
            " AND h.id = (SELECT MAX(x.id) FROM custody_handovers x WHERE x.custody_id = c.id) \
             AND (c.last_changed_at IS NULL OR c.last_changed_at < h.at) ORDER BY h.at, h.id",
        );
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(handover_from_row)
        .collect()
}

/// The systems most likely to have administrative passwords worth keeping: assets of value
/// level `min_level` or above, by code, at most `limit`, as (code, name).
pub async fn key_systems(
    conn: &mut Conn,
    min_level: i64,
    limit: u32,
) -> Result<Vec<(String, String)>, DbError> {
    let mut q = Sql::new("SELECT code, name FROM assets WHERE value_level >= ");
    q.bind(min_level)
        .push(" ORDER BY code LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut r| Ok((r.take("code")?, r.take("name")?)))
        .collect()
}

//! Checklists and their items.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, ts};
use crate::sql::Sql;
use castellan_domain::Timestamp;
use castellan_domain::ids::UserId;
use castellan_domain::inspection::{CheckArea, Checklist, ChecklistItem, checklist};

const COLUMNS: &str =
    "id, code, name, name_zh, description, builtin, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Checklist, DbError> {
    Ok(Checklist {
        id: row.try_get("id")?,
        code: row.take("code")?,
        name: row.take("name")?,
        name_zh: row.take("name_zh")?,
        description: row.take("description")?,
        builtin: row.try_get::<i64, _>("builtin")? != 0,
        items: Vec::new(),
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

pub(crate) fn item_from_row(row: &mut Row, code_col: &str) -> Result<ChecklistItem, DbError> {
    Ok(ChecklistItem {
        code: row.take(code_col)?,
        area: code_of(row, "area", CheckArea::from_code)?,
        text: row.take("text")?,
        text_zh: row.take("text_zh")?,
    })
}

/// Every checklist (without items), shipped first, then by name.
pub async fn list(conn: &mut Conn) -> Result<Vec<(Checklist, i64)>, DbError> {
    let q = Sql::new(&format!(
        "SELECT {COLUMNS}, (SELECT COUNT(*) FROM checklist_items i WHERE i.checklist_id = c.id) AS n FROM checklists c ORDER BY builtin DESC, name, id"
    ));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|row| {
            let n: i64 = row.try_get("n")?;
            Ok((from_row(row)?, n))
        })
        .collect()
}

/// One checklist with its items.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Checklist>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM checklists WHERE id = "));
    q.bind(id);
    let Some(row) = q.fetch_optional(conn).await? else {
        return Ok(None);
    };
    let mut c = from_row(row)?;
    c.items = items(conn, id).await?;
    Ok(Some(c))
}

/// A checklist's items in order.
pub async fn items(conn: &mut Conn, id: i64) -> Result<Vec<ChecklistItem>, DbError> {
    let mut q =
        Sql::new("SELECT code, area, text, text_zh FROM checklist_items WHERE checklist_id = ");
    q.bind(id).push(" ORDER BY position");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| item_from_row(&mut row, "code"))
        .collect()
}

/// Inserts a checklist with its items; `None` when its code is taken.
pub async fn insert(
    conn: &mut Conn,
    c: &Checklist,
    created_by: Option<UserId>,
) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new(
        "INSERT INTO checklists (code, name, name_zh, description, builtin, created_by, version, created_at, updated_at) VALUES (",
    );
    q.bind(c.code.clone()).push(", ");
    q.bind(c.name.clone()).push(", ");
    q.bind(c.name_zh.clone()).push(", ");
    q.bind(c.description.clone()).push(", ");
    q.bind(i64::from(c.builtin)).push(", ");
    q.bind(created_by.map(|u| u.0)).push(", 1, ");
    q.bind(c.created_at.to_db())
        .push(", ")
        .bind(c.updated_at.to_db())
        .push(") ON CONFLICT (code) DO NOTHING RETURNING id");
    let Some(row) = q.fetch_optional(conn).await? else {
        return Ok(None);
    };
    let id: i64 = row.try_get("id")?;
    write_items(conn, id, &c.items).await?;
    Ok(Some(id))
}

async fn write_items(conn: &mut Conn, id: i64, items: &[ChecklistItem]) -> Result<(), DbError> {
    for (n, chunk) in items.chunks(100).enumerate() {
        let mut q = Sql::new(
            "INSERT INTO checklist_items (checklist_id, position, code, area, text, text_zh) VALUES ",
        );
        for (i, item) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(id)
                .push(", ")
                .bind((n * 100 + i) as i64)
                .push(", ")
                .bind(item.code.clone())
                .push(", ")
                .bind(item.area.code())
                .push(", ")
                .bind(item.text.clone())
                .push(", ")
                .bind(item.text_zh.clone())
                .push(")");
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Writes a checklist and replaces its items if it is still at `c.version`; false when
/// someone changed it first (or its new code is taken: the caller checks that first).
pub async fn save(conn: &mut Conn, c: &Checklist, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE checklists SET code = ");
    q.bind(c.code.clone());
    q.push(", name = ").bind(c.name.clone());
    q.push(", description = ").bind(c.description.clone());
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(c.id)
        .push(" AND version = ")
        .bind(c.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    let mut d = Sql::new("DELETE FROM checklist_items WHERE checklist_id = ");
    d.bind(c.id);
    d.execute(conn).await?;
    write_items(conn, c.id, &c.items).await?;
    Ok(true)
}

/// The checklist with this code, if any.
pub async fn id_of_code(conn: &mut Conn, code: &str) -> Result<Option<i64>, DbError> {
    let mut q = Sql::new("SELECT id FROM checklists WHERE code = ");
    q.bind(code.to_owned());
    match q.fetch_optional(conn).await? {
        Some(row) => Ok(Some(row.try_get("id")?)),
        None => Ok(None),
    }
}

/// Inserts the checklist Castellan ships (run by the migration that creates the tables).
pub(crate) async fn seed_shipped(conn: &mut Conn) -> Result<(), DbError> {
    let now = Timestamp::now();
    let c = Checklist {
        id: 0,
        code: checklist::CODE.to_owned(),
        name: checklist::NAME_EN.to_owned(),
        name_zh: Some(checklist::NAME_ZH.to_owned()),
        description: None,
        builtin: true,
        items: checklist::ITEMS
            .iter()
            .map(|(code, area, en, zh)| ChecklistItem {
                code: (*code).to_owned(),
                area: *area,
                text: (*en).to_owned(),
                text_zh: Some((*zh).to_owned()),
            })
            .collect(),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    insert(conn, &c, None).await?;
    Ok(())
}

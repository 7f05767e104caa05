//! The asset register: assets, their tags and lifecycle events.

use crate::Backend;
use crate::conn::{Conn, DbError, Row};
use crate::paging::Kind;
use crate::rows::{code_of, corrupt, optional_code, rating, ts};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::asset::register::{Asset, AssetEvent};
use castellan_domain::asset::{
    AssetStatus, Category, Classification, EventKind, Rating, ValueLevel, ValueScore, Zone,
};
use castellan_domain::ids::AssetId;
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::{DepartmentId, DepartmentPath, Scope, Timestamp, UserId};

const COLUMNS: &str = "id, code, name, category, department_id, owner_id, custodian, location, zone, classification, confidentiality, integrity, availability, value_score, value_level, status, tags, notes, version, created_at, updated_at";

fn from_row(mut row: Row) -> Result<Asset, DbError> {
    let score: i64 = row.try_get("value_score")?;
    let level: i64 = row.try_get("value_level")?;
    let tags: String = row.take("tags")?;
    Ok(Asset {
        id: AssetId(row.try_get("id")?),
        code: row.take("code")?,
        name: row.take("name")?,
        category: code_of(&mut row, "category", Category::from_code)?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        owner_id: row.try_get::<Option<i64>, _>("owner_id")?.map(UserId),
        custodian: row.take("custodian")?,
        location: row.take("location")?,
        zone: optional_code(&mut row, "zone", Zone::from_code)?,
        classification: optional_code(&mut row, "classification", Classification::from_code)?,
        confidentiality: rating(&row, "confidentiality")?,
        integrity: rating(&row, "integrity")?,
        availability: rating(&row, "availability")?,
        value_score: ValueScore::from_tenths(score)
            .ok_or_else(|| corrupt("value_score", &score.to_string()))?,
        value_level: ValueLevel::new(level)
            .ok_or_else(|| corrupt("value_level", &level.to_string()))?,
        status: code_of(&mut row, "status", AssetStatus::from_code)?,
        tags: tags
            .split(';')
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
        notes: row.take("notes")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// The stored tag text: `;a;b;` (empty: empty string).
pub(crate) fn tags_text(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!(";{};", tags.join(";"))
    }
}

/// The lower-cased text the `q` search runs over: code, name, location and notes, each
/// followed by the separator U+001F, and one more at the end — so that every character is
/// the first of some three-character run, which lets the trigram index answer searches of
/// one or two characters too (see `text_search`).
pub fn search_text(asset: &AssetFields<'_>) -> String {
    let mut s = String::with_capacity(64);
    for part in [
        Some(asset.code),
        Some(asset.name),
        asset.location,
        asset.notes,
    ]
    .into_iter()
    .flatten()
    {
        s.push_str(&part.to_lowercase());
        s.push(SEPARATOR);
    }
    s.push(SEPARATOR);
    s
}

/// Between the fields of the search text.
const SEPARATOR: char = '\u{1f}';

/// The stored fields of an asset (what create, update and import write).
#[derive(Debug, Clone, Copy)]
pub struct AssetFields<'a> {
    /// The organization's asset ID.
    pub code: &'a str,
    /// Name.
    pub name: &'a str,
    /// Category.
    pub category: Category,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Responsible person.
    pub owner_id: Option<UserId>,
    /// Keeper or user.
    pub custodian: Option<&'a str>,
    /// Location.
    pub location: Option<&'a str>,
    /// Security zone.
    pub zone: Option<Zone>,
    /// Data classification.
    pub classification: Option<Classification>,
    /// C rating.
    pub confidentiality: Rating,
    /// I rating.
    pub integrity: Rating,
    /// A rating.
    pub availability: Rating,
    /// Computed score.
    pub value_score: ValueScore,
    /// Computed level.
    pub value_level: ValueLevel,
    /// Lifecycle status.
    pub status: AssetStatus,
    /// Tags.
    pub tags: &'a [String],
    /// Notes.
    pub notes: Option<&'a str>,
}

impl AssetFields<'_> {
    /// Whether `asset` already holds exactly these values.
    pub fn matches(&self, asset: &Asset) -> bool {
        self.code == asset.code
            && self.name == asset.name
            && self.category == asset.category
            && self.department_id == asset.department_id
            && self.owner_id == asset.owner_id
            && self.custodian == asset.custodian.as_deref()
            && self.location == asset.location.as_deref()
            && self.zone == asset.zone
            && self.classification == asset.classification
            && self.confidentiality == asset.confidentiality
            && self.integrity == asset.integrity
            && self.availability == asset.availability
            && self.value_score == asset.value_score
            && self.value_level == asset.value_level
            && self.status == asset.status
            && self.tags == asset.tags.as_slice()
            && self.notes == asset.notes.as_deref()
    }
}

fn bind_fields(q: &mut Sql, f: &AssetFields<'_>) {
    q.bind(f.code.to_owned())
        .push(", ")
        .bind(f.name.to_owned())
        .push(", ")
        .bind(f.category.code())
        .push(", ")
        .bind(f.department_id.map(|d| d.0))
        .push(", ")
        .bind(f.owner_id.map(|u| u.0))
        .push(", ")
        .bind(f.custodian.map(str::to_owned))
        .push(", ")
        .bind(f.location.map(str::to_owned))
        .push(", ")
        .bind(f.zone.map(|z| z.code()))
        .push(", ")
        .bind(f.classification.map(|c| c.code()))
        .push(", ")
        .bind(i64::from(f.confidentiality.get()))
        .push(", ")
        .bind(i64::from(f.integrity.get()))
        .push(", ")
        .bind(i64::from(f.availability.get()))
        .push(", ")
        .bind(i64::from(f.value_score.tenths()))
        .push(", ")
        .bind(i64::from(f.value_level.get()))
        .push(", ")
        .bind(f.status.code())
        .push(", ")
        .bind(tags_text(f.tags))
        .push(", ")
        .bind(f.notes.map(str::to_owned))
        .push(", ")
        .bind(search_text(f));
}

const FIELD_COLUMNS: &str = "code, name, category, department_id, owner_id, custodian, location, zone, classification, confidentiality, integrity, availability, value_score, value_level, status, tags, notes, search_text";

/// One asset.
pub async fn get(conn: &mut Conn, id: AssetId) -> Result<Option<Asset>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assets WHERE id = "));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// The assets with these ids (missing ones are left out), in id order.
pub async fn get_many(conn: &mut Conn, ids: &[AssetId]) -> Result<Vec<Asset>, DbError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assets WHERE id IN ("));
        q.bind_list(chunk.iter().map(|a| a.0)).push(") ORDER BY id");
        for row in q.fetch_all(&mut *conn).await? {
            out.push(from_row(row)?);
        }
    }
    Ok(out)
}

/// The ids of the assets with these codes (codes not registered are left out), for the
/// duplicate check of an import batch, at most 500 codes per statement. On PostgreSQL each
/// statement is planned for its values: the table grows within the import's transaction, and
/// a cached generic plan made while it was empty would scan it, batch after batch.
pub async fn ids_by_code(
    conn: &mut Conn,
    codes: &[&str],
) -> Result<Vec<(String, AssetId)>, DbError> {
    let mut found = Vec::new();
    for chunk in codes.chunks(500) {
        let mut q = Sql::new("SELECT code, id FROM assets WHERE code IN (");
        q.bind_list(chunk.iter().map(|c| (*c).to_owned())).push(")");
        for mut row in q.fetch_all_planned(&mut *conn).await? {
            found.push((row.take("code")?, AssetId(row.try_get("id")?)));
        }
    }
    Ok(found)
}

/// The first `limit` assets by id with their value level (demo data and benchmarks).
pub async fn id_levels(conn: &mut Conn, limit: u32) -> Result<Vec<(AssetId, i64)>, DbError> {
    let mut q = Sql::new("SELECT id, value_level FROM assets ORDER BY id LIMIT ");
    q.bind(i64::from(limit));
    q.fetch_all(conn)
        .await?
        .iter()
        .map(|r| Ok((AssetId(r.try_get(0)?), r.try_get(1)?)))
        .collect()
}

/// The asset with this code, if any.
pub async fn find_by_code(conn: &mut Conn, code: &str) -> Result<Option<Asset>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assets WHERE code = "));
    q.bind(code.to_owned());
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

async fn replace_tags(conn: &mut Conn, id: AssetId, tags: &[String]) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM asset_tags WHERE asset_id = ");
    q.bind(id.0);
    q.execute(&mut *conn).await?;
    if tags.is_empty() {
        return Ok(());
    }
    let mut q = Sql::new("INSERT INTO asset_tags (asset_id, tag) VALUES ");
    for (i, tag) in tags.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(")
            .bind(id.0)
            .push(", ")
            .bind(tag.to_lowercase())
            .push(")");
    }
    q.execute(conn).await.map(|_| ())
}

/// Inserts an asset.
pub async fn insert(
    conn: &mut Conn,
    fields: &AssetFields<'_>,
    now: Timestamp,
) -> Result<Asset, DbError> {
    let now_s = now.to_db();
    let mut q = Sql::new(&format!(
        "INSERT INTO assets ({FIELD_COLUMNS}, version, created_at, updated_at) VALUES ("
    ));
    bind_fields(&mut q, fields);
    q.push(", 1, ")
        .bind(now_s.clone())
        .push(", ")
        .bind(now_s)
        .push(") RETURNING id");
    let row = q.fetch_one(&mut *conn).await?;
    let id = AssetId(row.try_get(0)?);
    replace_tags(conn, id, fields.tags).await?;
    get(conn, id).await?.ok_or(DbError::RowNotFound)
}

/// Rewrites every field if the version is still `expected_version`; `None` when it is not.
pub async fn update(
    conn: &mut Conn,
    id: AssetId,
    fields: &AssetFields<'_>,
    expected_version: i64,
    now: Timestamp,
) -> Result<Option<Asset>, DbError> {
    let mut q = Sql::new(&format!("UPDATE assets SET ({FIELD_COLUMNS}) = ("));
    bind_fields(&mut q, fields);
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(id.0)
        .push(" AND version = ")
        .bind(expected_version);
    if q.execute(&mut *conn).await? == 0 {
        return Ok(None);
    }
    replace_tags(conn, id, fields.tags).await?;
    get(conn, id).await
}

/// Stores a new valuation for one asset (used when the method changes).
pub async fn set_value(
    conn: &mut Conn,
    id: AssetId,
    score: ValueScore,
    level: ValueLevel,
) -> Result<(), DbError> {
    let mut q = Sql::new("UPDATE assets SET value_score = ");
    q.bind(i64::from(score.tenths()))
        .push(", value_level = ")
        .bind(i64::from(level.get()))
        .push(" WHERE id = ")
        .bind(id.0);
    q.execute(conn).await.map(|_| ())
}

/// Every distinct (C, I, A) triple in use, for revaluing by triple instead of by asset.
pub async fn rating_triples(conn: &mut Conn) -> Result<Vec<(i64, i64, i64)>, DbError> {
    let rows = Sql::new(
        "SELECT DISTINCT confidentiality, integrity, availability FROM assets ORDER BY 1, 2, 3",
    )
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
        .collect()
}

/// Sets score and level of every asset with ratings (c, i, a); returns how many changed.
pub async fn revalue_triple(
    conn: &mut Conn,
    (c, i, a): (i64, i64, i64),
    score: ValueScore,
    level: ValueLevel,
) -> Result<u64, DbError> {
    let mut q = Sql::new("UPDATE assets SET value_score = ");
    q.bind(i64::from(score.tenths()))
        .push(", value_level = ")
        .bind(i64::from(level.get()))
        .push(" WHERE confidentiality = ")
        .bind(c)
        .push(" AND integrity = ")
        .bind(i)
        .push(" AND availability = ")
        .bind(a)
        .push(" AND (value_score <> ")
        .bind(i64::from(score.tenths()))
        .push(" OR value_level <> ")
        .bind(i64::from(level.get()))
        .push(")");
    q.execute(conn).await
}

/// Number of assets.
pub async fn count(conn: &mut Conn) -> Result<i64, DbError> {
    Sql::new("SELECT COUNT(*) FROM assets")
        .fetch_one(conn)
        .await?
        .try_get(0)
}

/// Number of assets in a department (not its sub-departments).
pub async fn count_in_department(conn: &mut Conn, id: DepartmentId) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) FROM assets WHERE department_id = ");
    q.bind(id.0);
    q.fetch_one(conn).await?.try_get(0)
}

/// Appends a lifecycle event.
pub async fn add_event(conn: &mut Conn, event: &NewEvent<'_>) -> Result<AssetEvent, DbError> {
    let mut q = Sql::new(
        "INSERT INTO asset_events (asset_id, kind, at, actor_id, actor, note, from_status, to_status, details) VALUES (",
    );
    q.bind(event.asset_id.0)
        .push(", ")
        .bind(event.kind.code())
        .push(", ")
        .bind(event.at.to_db())
        .push(", ")
        .bind(event.actor_id.map(|u| u.0))
        .push(", ")
        .bind(event.actor.to_owned())
        .push(", ")
        .bind(event.note.map(str::to_owned))
        .push(", ")
        .bind(event.from_status.code())
        .push(", ")
        .bind(event.to_status.code())
        .push(", ")
        .bind(event.details.map(|d| d.to_string()))
        .push(&format!(") RETURNING {EVENT_COLUMNS}"));
    event_from_row(q.fetch_one(conn).await?)
}

/// A lifecycle event to record.
#[derive(Debug, Clone, Copy)]
pub struct NewEvent<'a> {
    /// The asset.
    pub asset_id: AssetId,
    /// What happened.
    pub kind: EventKind,
    /// When.
    pub at: Timestamp,
    /// Who (a user id; `None` for the host operator).
    pub actor_id: Option<UserId>,
    /// Who, by name.
    pub actor: &'a str,
    /// Free-text note.
    pub note: Option<&'a str>,
    /// Status before.
    pub from_status: AssetStatus,
    /// Status after.
    pub to_status: AssetStatus,
    /// Other changes, as JSON.
    pub details: Option<&'a serde_json::Value>,
}

const EVENT_COLUMNS: &str =
    "id, asset_id, kind, at, actor_id, actor, note, from_status, to_status, details";

fn event_from_row(mut row: Row) -> Result<AssetEvent, DbError> {
    let details: Option<String> = row.take("details")?;
    Ok(AssetEvent {
        id: row.try_get("id")?,
        asset_id: AssetId(row.try_get("asset_id")?),
        kind: code_of(&mut row, "kind", EventKind::from_code)?,
        at: ts(&mut row, "at")?,
        actor_id: row.try_get::<Option<i64>, _>("actor_id")?.map(UserId),
        actor: row.take("actor")?,
        note: row.take("note")?,
        from_status: code_of(&mut row, "from_status", AssetStatus::from_code)?,
        to_status: code_of(&mut row, "to_status", AssetStatus::from_code)?,
        details: details
            .map(|d| serde_json::from_str(&d).map_err(|_| corrupt("details", &d)))
            .transpose()?,
    })
}

/// The lifecycle of an asset, oldest first.
pub async fn events(conn: &mut Conn, id: AssetId) -> Result<Vec<AssetEvent>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {EVENT_COLUMNS} FROM asset_events WHERE asset_id = "
    ));
    q.bind(id.0).push(" ORDER BY id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(event_from_row)
        .collect()
}

/// Filters of the asset list (all optional, combined with AND).
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    /// Substring of code, name, location or notes (case-insensitive).
    pub q: Option<String>,
    /// Category.
    pub category: Option<Category>,
    /// Department, including its sub-departments.
    pub department: Option<DepartmentPath>,
    /// Security zone.
    pub zone: Option<Zone>,
    /// Lifecycle status.
    pub status: Option<AssetStatus>,
    /// Data classification.
    pub classification: Option<Classification>,
    /// Value level.
    pub value_level: Option<ValueLevel>,
    /// Responsible person.
    pub owner_id: Option<UserId>,
    /// Tag (case-insensitive).
    pub tag: Option<String>,
}

/// How the `q` text of a list is looked for.
enum TextSearch {
    /// No text given.
    None,
    /// SQLite: an FTS5 query over the trigram index (`asset_search`).
    Index(String),
    /// A `LIKE` pattern over the search text (PostgreSQL, whose GIN trigram index serves
    /// `LIKE` itself; or a short text that matches too many trigrams to list).
    Scan(String),
    /// Nothing can match.
    NoMatch,
}

/// Trigrams a short search may expand to before it reads the rows instead.
const MAX_EXPANSION: usize = 200;

/// Plans the search for `text`. On SQLite, three characters or more are a phrase of the
/// trigram index; one or two characters become every indexed trigram that starts with them
/// (from the `asset_search_terms` vocabulary), because each character of the search text
/// starts a trigram (the separators see to that).
async fn text_search(conn: &mut Conn, text: Option<&str>) -> Result<TextSearch, DbError> {
    let Some(text) = text
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty())
    else {
        return Ok(TextSearch::None);
    };
    let quote = |t: &str| format!("\"{}\"", t.replace('"', "\"\""));
    let indexed = conn.backend() == Backend::Sqlite && !text.chars().any(char::is_control);
    if !indexed {
        return Ok(TextSearch::Scan(contains_pattern(&text)));
    }
    if text.chars().count() >= 3 {
        return Ok(TextSearch::Index(quote(&text)));
    }
    let mut q = Sql::new("SELECT term FROM asset_search_terms WHERE term >= ");
    q.bind(text.clone())
        .push(" AND term < ")
        .bind(format!("{text}\u{10ffff}"))
        .push(" LIMIT ")
        .bind(MAX_EXPANSION as i64 + 1);
    let terms: Vec<String> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut r| r.take::<String, _>("term"))
        .collect::<Result<_, _>>()?;
    Ok(match terms.len() {
        0 => TextSearch::NoMatch,
        n if n > MAX_EXPANSION => TextSearch::Scan(contains_pattern(&text)),
        _ => TextSearch::Index(
            terms
                .iter()
                .map(|t| quote(t))
                .collect::<Vec<_>>()
                .join(" OR "),
        ),
    })
}

/// Rows a text search reads in list order before it turns to the search index.
const PROBE_ROWS: i64 = 3000;

/// Sort fields of the asset list.
pub const SORTS: &[&str] = &["code", "name", "value_score", "updated_at"];

/// Appends the WHERE conditions for `filter` and `scope` to `q` (which ends in a WHERE clause).
fn push_filter(q: &mut Sql, text: &TextSearch, filter: &AssetFilter, scope: &Scope) {
    match text {
        TextSearch::None => {}
        TextSearch::Index(expression) => {
            q.push(" AND id IN (SELECT rowid FROM asset_search WHERE asset_search MATCH ")
                .bind(expression.clone())
                .push(")");
        }
        TextSearch::Scan(pattern) => {
            q.push(" AND search_text LIKE ")
                .bind(pattern.clone())
                .push(" ESCAPE '\\'");
        }
        TextSearch::NoMatch => {
            q.push(" AND 1 = 0");
        }
    }
    if let Some(c) = filter.category {
        q.push(" AND category = ").bind(c.code());
    }
    if let Some(path) = &filter.department {
        q.push(" AND department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{}%", path.to_db()))
            .push(")");
    }
    if let Scope::Departments(ids) = scope {
        q.push(" AND department_id IN (SELECT d.id FROM departments d JOIN departments s ON d.path LIKE s.path || '%' WHERE s.id IN (")
            .bind_list(ids.iter().map(|d| d.0))
            .push("))");
    }
    if let Some(z) = filter.zone {
        q.push(" AND zone = ").bind(z.code());
    }
    if let Some(s) = filter.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(c) = filter.classification {
        q.push(" AND classification = ").bind(c.code());
    }
    if let Some(l) = filter.value_level {
        q.push(" AND value_level = ").bind(i64::from(l.get()));
    }
    if let Some(o) = filter.owner_id {
        q.push(" AND owner_id = ").bind(o.0);
    }
    if let Some(tag) = filter.tag.as_deref().filter(|t| !t.trim().is_empty()) {
        // A probe per row in list order (stops at the page's end) rather than collecting
        // every asset with a common tag first.
        q.push(" AND EXISTS (SELECT 1 FROM asset_tags t WHERE t.tag = ")
            .bind(tag.trim().to_lowercase())
            .push(" AND t.asset_id = assets.id)");
    }
}

/// One page of assets, limited to what `scope` may see.
pub async fn list(
    conn: &mut Conn,
    filter: &AssetFilter,
    scope: &Scope,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Asset>, Option<Cursor>), DbError> {
    let (column, kind) = match sort.field {
        "name" => ("name", Kind::Text),
        "value_score" => ("value_score", Kind::Int),
        "updated_at" => ("updated_at", Kind::Text),
        _ => ("code", Kind::Text),
    };
    let mut rows = Vec::new();
    if let Some(text) = filter.q.as_deref().filter(|s| !s.trim().is_empty()) {
        // A search that matches often is answered by the first rows in list order: read a
        // few thousand of them (with the other filters) and keep those holding the text.
        // A full page found there is the right page; otherwise the search index answers.
        let mut q = Sql::new(&format!(
            "SELECT {COLUMNS} FROM (SELECT {COLUMNS}, search_text FROM assets WHERE 1 = 1"
        ));
        let others = AssetFilter {
            q: None,
            ..filter.clone()
        };
        push_filter(&mut q, &TextSearch::None, &others, scope);
        crate::paging::keyset(&mut q, column, kind, sort, after)?;
        q.push(" LIMIT ")
            .bind(PROBE_ROWS)
            .push(") probe WHERE search_text LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
        crate::paging::keyset(&mut q, column, kind, sort, None)?;
        q.push(" LIMIT ").bind(i64::from(limit) + 1);
        rows = q.fetch_all(&mut *conn).await?;
    }
    if rows.len() <= limit as usize {
        let text = text_search(conn, filter.q.as_deref()).await?;
        let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM assets WHERE 1 = 1"));
        push_filter(&mut q, &text, filter, scope);
        crate::paging::keyset(&mut q, column, kind, sort, after)?;
        q.push(" LIMIT ").bind(i64::from(limit) + 1);
        rows = q.fetch_all(&mut *conn).await?;
    }
    let mut items: Vec<Asset> = rows.into_iter().map(from_row).collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |a| {
        let key = match sort.field {
            "name" => KeyValue::Text(a.name.clone()),
            "value_score" => KeyValue::Int(i64::from(a.value_score.tenths())),
            "updated_at" => KeyValue::Text(a.updated_at.to_db()),
            _ => KeyValue::Text(a.code.clone()),
        };
        vec![key, KeyValue::Int(a.id.0)]
    });
    Ok((items, next))
}

/// Every asset matching `filter` in code order, `batch` at a time, for exports: calls
/// `each` with every batch until it returns an error or the assets run out.
pub async fn for_each_batch<F>(
    conn: &mut Conn,
    filter: &AssetFilter,
    scope: &Scope,
    batch: u32,
    mut each: F,
) -> Result<u64, DbError>
where
    F: FnMut(Vec<Asset>) -> Result<(), DbError>,
{
    let sort = Sort {
        field: "code",
        descending: false,
    };
    let mut after: Option<Cursor> = None;
    let mut total = 0_u64;
    loop {
        let (items, next) = list(conn, filter, scope, sort, after.as_ref(), batch).await?;
        total += items.len() as u64;
        each(items)?;
        match next {
            Some(c) => after = Some(c),
            None => return Ok(total),
        }
    }
}

/// Refreshes the planner's statistics of the asset tables after a bulk load, so that it
/// picks the right index for each filter (both engines accept `ANALYZE table`).
pub async fn analyze(conn: &mut Conn) -> Result<(), DbError> {
    if conn.backend() == crate::Backend::Sqlite {
        // A full pass (about a second at a million assets): a sample of the first index
        // entries misjudges low-cardinality columns such as status and category, and the
        // planner then walks the wrong index.
        conn.execute_batch("PRAGMA analysis_limit = 0").await?;
    }
    for table in ["assets", "asset_tags", "asset_events"] {
        conn.execute_batch(&format!("ANALYZE {table}")).await?;
    }
    Ok(())
}

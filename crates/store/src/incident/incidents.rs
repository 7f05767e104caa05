//! Security incidents: the record with its affected assets and team, its list with filters
//! (each served by an index that keeps the report-time order), the counts by month, class
//! and level, the timeline, and the queries behind "waiting for me".

use crate::conn::{Conn, DbError, Row};
use crate::rows::{code_of, optional_code, ts, ts_opt};
use crate::sql::{Sql, contains_pattern};
use castellan_domain::Timestamp;
use castellan_domain::asset::Category;
use castellan_domain::ids::{AssetId, DepartmentId, UserId};
use castellan_domain::incident::{
    Incident, IncidentCategory, IncidentClass, IncidentLevel, IncidentStatus,
};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use std::collections::HashMap;

const COLUMNS: &str = "id, code, title, description, location, occurred_at, detected_at, reported_at, reporter_id, department_id, category, class, level, status, triaged_at, triaged_by, committee_noted_at, committee_noted_by, contained_at, closed_at, root_cause, lessons_learned, rejection_reason, version, created_at, updated_at";

fn user(row: &Row, col: &str) -> Result<Option<UserId>, DbError> {
    Ok(row.try_get::<Option<i64>, _>(col)?.map(UserId))
}

fn from_row(mut row: Row) -> Result<Incident, DbError> {
    Ok(Incident {
        id: row.try_get("id")?,
        code: row.take("code")?,
        title: row.take("title")?,
        description: row.take("description")?,
        location: row.take("location")?,
        occurred_at: ts(&mut row, "occurred_at")?,
        detected_at: ts_opt(&mut row, "detected_at")?,
        reported_at: ts(&mut row, "reported_at")?,
        reporter_id: user(&row, "reporter_id")?,
        department_id: row
            .try_get::<Option<i64>, _>("department_id")?
            .map(DepartmentId),
        category: optional_code(&mut row, "category", IncidentCategory::from_code)?,
        class: optional_code(&mut row, "class", IncidentClass::from_code)?,
        level: optional_code(&mut row, "level", IncidentLevel::from_code)?,
        status: code_of(&mut row, "status", IncidentStatus::from_code)?,
        affected_asset_ids: Vec::new(),
        handler_ids: Vec::new(),
        triaged_at: ts_opt(&mut row, "triaged_at")?,
        triaged_by: user(&row, "triaged_by")?,
        committee_noted_at: ts_opt(&mut row, "committee_noted_at")?,
        committee_noted_by: user(&row, "committee_noted_by")?,
        contained_at: ts_opt(&mut row, "contained_at")?,
        closed_at: ts_opt(&mut row, "closed_at")?,
        root_cause: row.take("root_cause")?,
        lessons_learned: row.take("lessons_learned")?,
        rejection_reason: row.take("rejection_reason")?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// The text the list's search matches: code, title and location, lower-cased.
fn search_text(i: &Incident) -> String {
    format!(
        "{} {} {}",
        i.code,
        i.title,
        i.location.as_deref().unwrap_or_default()
    )
    .to_lowercase()
}

/// Inserts an incident with its affected assets (its `id`, `version` and team are
/// ignored: a report has no team); returns its id.
pub async fn insert(conn: &mut Conn, i: &Incident) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO incidents (code, title, description, location, occurred_at, detected_at, reported_at, reporter_id, department_id, status, search_text, version, created_at, updated_at) VALUES (",
    );
    q.bind(i.code.clone()).push(", ");
    q.bind(i.title.clone()).push(", ");
    q.bind(i.description.clone()).push(", ");
    q.bind(i.location.clone()).push(", ");
    q.bind(i.occurred_at.to_db()).push(", ");
    q.bind(i.detected_at.map(|t| t.to_db())).push(", ");
    q.bind(i.reported_at.to_db()).push(", ");
    q.bind(i.reporter_id.map(|u| u.0)).push(", ");
    q.bind(i.department_id.map(|d| d.0)).push(", ");
    q.bind(i.status.code()).push(", ");
    q.bind(search_text(i)).push(", 1, ");
    q.bind(i.created_at.to_db())
        .push(", ")
        .bind(i.updated_at.to_db())
        .push(") RETURNING id");
    let id: i64 = q.fetch_one(conn).await?.try_get("id")?;
    set_assets(conn, id, &i.affected_asset_ids).await?;
    Ok(id)
}

/// Replaces the incident's affected assets.
pub async fn set_assets(conn: &mut Conn, id: i64, assets: &[AssetId]) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM incident_assets WHERE incident_id = ");
    q.bind(id);
    q.execute(conn).await?;
    for chunk in assets.chunks(400) {
        // Each row keeps the asset's category as it is now (see the migration).
        let mut q =
            Sql::new("INSERT INTO incident_assets (incident_id, asset_id, category) SELECT ");
        q.bind(id)
            .push(", id, category FROM assets WHERE id IN (")
            .bind_list(chunk.iter().map(|a| a.0))
            .push(")");
        q.execute(conn).await?;
    }
    Ok(())
}

/// The categories of the incident's affected assets, as recorded when they were named.
pub async fn recorded_categories(conn: &mut Conn, id: i64) -> Result<Vec<Category>, DbError> {
    let mut q = Sql::new("SELECT DISTINCT category FROM incident_assets WHERE incident_id = ");
    q.bind(id);
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut r| code_of(&mut r, "category", Category::from_code))
        .collect()
}

/// Replaces the incident's handling team.
pub async fn set_handlers(conn: &mut Conn, id: i64, team: &[UserId]) -> Result<(), DbError> {
    let mut q = Sql::new("DELETE FROM incident_handlers WHERE incident_id = ");
    q.bind(id);
    q.execute(conn).await?;
    for chunk in team.chunks(400) {
        let mut q = Sql::new("INSERT INTO incident_handlers (incident_id, user_id) VALUES ");
        for (n, u) in chunk.iter().enumerate() {
            if n > 0 {
                q.push(", ");
            }
            q.push("(").bind(id).push(", ").bind(u.0).push(")");
        }
        q.execute(conn).await?;
    }
    Ok(())
}

/// Fills the affected assets and teams of `items` (two queries for a whole page).
async fn fill(conn: &mut Conn, items: &mut [Incident]) -> Result<(), DbError> {
    if items.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = items.iter().map(|i| i.id).collect();
    let mut assets: HashMap<i64, Vec<AssetId>> = HashMap::new();
    let mut q =
        Sql::new("SELECT incident_id, asset_id FROM incident_assets WHERE incident_id IN (");
    q.bind_list(ids.iter().copied())
        .push(") ORDER BY incident_id, asset_id");
    for row in q.fetch_all(conn).await? {
        assets
            .entry(row.try_get("incident_id")?)
            .or_default()
            .push(AssetId(row.try_get("asset_id")?));
    }
    let mut team: HashMap<i64, Vec<UserId>> = HashMap::new();
    let mut q =
        Sql::new("SELECT incident_id, user_id FROM incident_handlers WHERE incident_id IN (");
    q.bind_list(ids.iter().copied())
        .push(") ORDER BY incident_id, user_id");
    for row in q.fetch_all(conn).await? {
        team.entry(row.try_get("incident_id")?)
            .or_default()
            .push(UserId(row.try_get("user_id")?));
    }
    for i in items.iter_mut() {
        i.affected_asset_ids = assets.remove(&i.id).unwrap_or_default();
        i.handler_ids = team.remove(&i.id).unwrap_or_default();
    }
    Ok(())
}

async fn fetch(conn: &mut Conn, q: Sql) -> Result<Vec<Incident>, DbError> {
    let mut items = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<Vec<_>, _>>()?;
    fill(conn, &mut items).await?;
    Ok(items)
}

/// One incident with its assets and team.
pub async fn get(conn: &mut Conn, id: i64) -> Result<Option<Incident>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM incidents WHERE id = "));
    q.bind(id);
    Ok(fetch(conn, q).await?.pop())
}

/// Writes an incident's changing fields (and its team and assets) if it is still at
/// `i.version`; false when someone changed it first.
pub async fn save(conn: &mut Conn, i: &Incident, now: Timestamp) -> Result<bool, DbError> {
    let mut q = Sql::new("UPDATE incidents SET title = ");
    q.bind(i.title.clone());
    q.push(", description = ").bind(i.description.clone());
    q.push(", location = ").bind(i.location.clone());
    q.push(", occurred_at = ").bind(i.occurred_at.to_db());
    q.push(", detected_at = ")
        .bind(i.detected_at.map(|t| t.to_db()));
    q.push(", category = ").bind(i.category.map(|c| c.code()));
    q.push(", class = ").bind(i.class.map(|c| c.code()));
    q.push(", level = ").bind(i.level.map(|c| c.code()));
    q.push(", status = ").bind(i.status.code());
    q.push(", triaged_at = ")
        .bind(i.triaged_at.map(|t| t.to_db()));
    q.push(", triaged_by = ").bind(i.triaged_by.map(|u| u.0));
    q.push(", committee_noted_at = ")
        .bind(i.committee_noted_at.map(|t| t.to_db()));
    q.push(", committee_noted_by = ")
        .bind(i.committee_noted_by.map(|u| u.0));
    q.push(", contained_at = ")
        .bind(i.contained_at.map(|t| t.to_db()));
    q.push(", closed_at = ")
        .bind(i.closed_at.map(|t| t.to_db()));
    q.push(", root_cause = ").bind(i.root_cause.clone());
    q.push(", lessons_learned = ")
        .bind(i.lessons_learned.clone());
    q.push(", rejection_reason = ")
        .bind(i.rejection_reason.clone());
    q.push(", search_text = ").bind(search_text(i));
    q.push(", version = version + 1, updated_at = ")
        .bind(now.to_db());
    q.push(" WHERE id = ")
        .bind(i.id)
        .push(" AND version = ")
        .bind(i.version);
    if q.execute(conn).await? != 1 {
        return Ok(false);
    }
    set_assets(conn, i.id, &i.affected_asset_ids).await?;
    set_handlers(conn, i.id, &i.handler_ids).await?;
    Ok(true)
}

/// Filters of the incident list.
#[derive(Debug, Clone, Default)]
pub struct IncidentFilter {
    /// Status.
    pub status: Option<IncidentStatus>,
    /// Class.
    pub class: Option<IncidentClass>,
    /// Level.
    pub level: Option<IncidentLevel>,
    /// Category.
    pub category: Option<IncidentCategory>,
    /// Incidents of this department's subtree (its path).
    pub department_path: Option<String>,
    /// Incidents affecting this asset.
    pub asset_id: Option<AssetId>,
    /// Reported at or after.
    pub from: Option<Timestamp>,
    /// Reported before.
    pub to: Option<Timestamp>,
    /// Only incidents waiting past a deadline now: triage (reported before `triage_cutoff`)
    /// or the committee's notice (triaged before the level's cutoff).
    pub overdue: Option<Overdue>,
    /// Words of the code, title or location.
    pub q: Option<String>,
    /// What the caller may read: see [`Visibility`].
    pub visibility: Visibility,
}

/// The cutoffs of "overdue now": a deadline passed for an incident reported or triaged
/// before them.
#[derive(Debug, Clone, Copy)]
pub struct Overdue {
    /// Untriaged incidents reported before this are overdue.
    pub triage_cutoff: Timestamp,
    /// Major incidents triaged before this and not noted by the committee are overdue.
    pub major_cutoff: Timestamp,
    /// Critical incidents triaged before this and not noted are overdue.
    pub critical_cutoff: Timestamp,
}

/// Which incidents a caller reads.
#[derive(Debug, Clone, Default)]
pub struct Visibility {
    /// Every incident (an organization-wide reader).
    pub all: bool,
    /// Incidents of these departments' subtrees (paths of department-limited readers).
    pub scope_paths: Vec<String>,
    /// Incidents affecting assets of these categories (network, application and data
    /// administrators), as recorded when the assets were named on the incident.
    pub categories: Vec<Category>,
    /// Incidents this user reported or handles.
    pub party: Option<UserId>,
    /// The party's incidents, looked up beforehand when the party is all the caller reads
    /// (see `resolve_party`): the list then starts from these few rows instead of testing
    /// every incident.
    pub party_ids: Option<Vec<i64>>,
}

/// The most incidents a party's own list is looked up by id for; beyond, the general query.
const PARTY_IDS_MAX: usize = 5_000;

/// For a caller who reads only their own incidents (reported or handled), looks their ids
/// up first — two index reads — so the list and count read those rows only.
async fn resolve_party(conn: &mut Conn, v: &Visibility) -> Result<Visibility, DbError> {
    let mut v = v.clone();
    let Some(u) = v.party else {
        return Ok(v);
    };
    if v.all || !v.scope_paths.is_empty() || !v.categories.is_empty() || v.party_ids.is_some() {
        return Ok(v);
    }
    let mut q = Sql::new("SELECT id FROM incidents WHERE reporter_id = ");
    q.bind(u.0)
        .push(" UNION SELECT incident_id FROM incident_handlers WHERE user_id = ")
        .bind(u.0)
        .push(" LIMIT ")
        .bind(PARTY_IDS_MAX as i64 + 1);
    let ids: Vec<i64> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(|r| r.try_get::<i64, _>("id"))
        .collect::<Result<_, _>>()?;
    if ids.len() <= PARTY_IDS_MAX {
        v.party_ids = Some(ids);
    }
    Ok(v)
}

/// The sort key of the incident list: the report time.
pub const SORTS: &[&str] = &["reported_at"];

/// One page of incidents, newest report first unless sorted otherwise.
pub async fn list(
    conn: &mut Conn,
    filter: &IncidentFilter,
    sort: Sort,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Incident>, Option<Cursor>), DbError> {
    let mut filter = filter.clone();
    filter.visibility = resolve_party(conn, &filter.visibility).await?;
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM incidents WHERE 1 = 1"));
    push_filter(&mut q, &filter);
    crate::paging::keyset(
        &mut q,
        "reported_at",
        crate::paging::Kind::Text,
        sort,
        after,
    )?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items = fetch(conn, q).await?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |i| {
        vec![KeyValue::Text(i.reported_at.to_db()), KeyValue::Int(i.id)]
    });
    Ok((items, next))
}

/// How many incidents match the filter.
pub async fn count(conn: &mut Conn, filter: &IncidentFilter) -> Result<i64, DbError> {
    let mut filter = filter.clone();
    filter.visibility = resolve_party(conn, &filter.visibility).await?;
    let mut q = Sql::new("SELECT COUNT(*) AS n FROM incidents WHERE 1 = 1");
    push_filter(&mut q, &filter);
    q.fetch_one(conn).await?.try_get("n")
}

fn push_filter(q: &mut Sql, f: &IncidentFilter) {
    if let Some(s) = f.status {
        q.push(" AND status = ").bind(s.code());
    }
    if let Some(c) = f.class {
        q.push(" AND class = ").bind(c.code());
    }
    if let Some(l) = f.level {
        q.push(" AND level = ").bind(l.code());
    }
    if let Some(c) = f.category {
        q.push(" AND category = ").bind(c.code());
    }
    if let Some(p) = &f.department_path {
        q.push(" AND department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{p}%"))
            .push(")");
    }
    if let Some(a) = f.asset_id {
        q.push(" AND id IN (SELECT incident_id FROM incident_assets WHERE asset_id = ")
            .bind(a.0)
            .push(")");
    }
    if let Some(t) = f.from {
        q.push(" AND reported_at >= ").bind(t.to_db());
    }
    if let Some(t) = f.to {
        q.push(" AND reported_at < ").bind(t.to_db());
    }
    if let Some(o) = f.overdue {
        q.push(" AND ((status = 'reported' AND reported_at < ")
            .bind(o.triage_cutoff.to_db())
            .push(") OR (committee_noted_at IS NULL AND status <> 'rejected' AND ((level = 'major' AND triaged_at < ")
            .bind(o.major_cutoff.to_db())
            .push(") OR (level = 'critical' AND triaged_at < ")
            .bind(o.critical_cutoff.to_db())
            .push("))))");
    }
    if let Some(text) = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        q.push(" AND search_text LIKE ")
            .bind(contains_pattern(text))
            .push(" ESCAPE '\\'");
    }
    push_visibility(q, &f.visibility);
}

fn push_visibility(q: &mut Sql, v: &Visibility) {
    if v.all {
        return;
    }
    if let Some(ids) = &v.party_ids {
        if ids.is_empty() {
            q.push(" AND 1 = 0");
        } else {
            q.push(" AND id IN (")
                .bind_list(ids.iter().copied())
                .push(")");
        }
        return;
    }
    q.push(" AND (1 = 0");
    for p in &v.scope_paths {
        q.push(" OR department_id IN (SELECT id FROM departments WHERE path LIKE ")
            .bind(format!("{p}%"))
            .push(")");
    }
    if !v.categories.is_empty() {
        q.push(" OR id IN (SELECT incident_id FROM incident_assets WHERE category IN (")
            .bind_list(v.categories.iter().map(|c| c.code()))
            .push("))");
    }
    if let Some(u) = v.party {
        q.push(" OR reporter_id = ")
            .bind(u.0)
            .push(" OR id IN (SELECT incident_id FROM incident_handlers WHERE user_id = ")
            .bind(u.0)
            .push(")");
    }
    q.push(")");
}

/// Incidents by month of report (UTC), class and level (rejected reports left out), in the
/// calendar year `year` and within the caller's visibility. The year is given as months, so
/// the partial index on (month, class, level, …) answers it in order, from the index alone.
pub async fn monthly_counts(
    conn: &mut Conn,
    year: i32,
    visibility: &Visibility,
) -> Result<Vec<MonthCount>, DbError> {
    let mut q = Sql::new(
        "SELECT SUBSTR(reported_at, 1, 7) AS month, class, level, COUNT(*) AS n FROM incidents WHERE status <> 'rejected' AND SUBSTR(reported_at, 1, 7) >= ",
    );
    q.bind(format!("{year:04}-01"))
        .push(" AND SUBSTR(reported_at, 1, 7) < ")
        .bind(format!("{:04}-01", year + 1));
    let visibility = resolve_party(conn, visibility).await?;
    push_visibility(&mut q, &visibility);
    q.push(" GROUP BY SUBSTR(reported_at, 1, 7), class, level ORDER BY month");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(MonthCount {
                month: row.take("month")?,
                class: optional_code(&mut row, "class", IncidentClass::from_code)?,
                level: optional_code(&mut row, "level", IncidentLevel::from_code)?,
                count: row.try_get("n")?,
            })
        })
        .collect()
}

/// One cell of the monthly counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCount {
    /// `2026-03`.
    pub month: String,
    /// `None`: not triaged yet.
    pub class: Option<IncidentClass>,
    /// `None`: not triaged yet.
    pub level: Option<IncidentLevel>,
    /// How many.
    pub count: i64,
}

/// A timeline entry as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelineEntry {
    /// Id.
    pub id: i64,
    /// When it happened (as the team says).
    pub at: Timestamp,
    /// What was seen or done.
    pub note: String,
    /// Who wrote it.
    pub author_id: Option<UserId>,
    /// Their username then.
    pub author: String,
    /// When it was written.
    pub created_at: Timestamp,
}

/// Appends a timeline entry; returns its id.
pub async fn add_entry(
    conn: &mut Conn,
    incident: i64,
    at: Timestamp,
    note: &str,
    author: (Option<UserId>, &str),
    now: Timestamp,
) -> Result<i64, DbError> {
    let mut q = Sql::new(
        "INSERT INTO incident_timeline (incident_id, at, note, author_id, author, created_at) VALUES (",
    );
    q.bind(incident).push(", ").bind(at.to_db()).push(", ");
    q.bind(note.to_owned()).push(", ");
    q.bind(author.0.map(|u| u.0))
        .push(", ")
        .bind(author.1.to_owned())
        .push(", ")
        .bind(now.to_db())
        .push(") RETURNING id");
    q.fetch_one(conn).await?.try_get("id")
}

/// An incident's timeline entries in order of their time.
pub async fn timeline(conn: &mut Conn, incident: i64) -> Result<Vec<TimelineEntry>, DbError> {
    let mut q = Sql::new(
        "SELECT id, at, note, author_id, author, created_at FROM incident_timeline WHERE incident_id = ",
    );
    q.bind(incident).push(" ORDER BY at, id");
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            Ok(TimelineEntry {
                id: row.try_get("id")?,
                at: ts(&mut row, "at")?,
                note: row.take("note")?,
                author_id: user(&row, "author_id")?,
                author: row.take("author")?,
                created_at: ts(&mut row, "created_at")?,
            })
        })
        .collect()
}

/// Incidents waiting for triage, oldest report first.
pub async fn awaiting_triage(conn: &mut Conn, limit: u32) -> Result<Vec<Incident>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE status = 'reported' ORDER BY reported_at, id LIMIT "
    ));
    q.bind(i64::from(limit));
    fetch(conn, q).await
}

/// Major and critical incidents the committee has not noted yet, oldest triage first.
pub async fn awaiting_committee(conn: &mut Conn, limit: u32) -> Result<Vec<Incident>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE level IN ('major', 'critical') AND triaged_at IS NOT NULL AND committee_noted_at IS NULL AND status <> 'rejected' ORDER BY triaged_at, id LIMIT "
    ));
    q.bind(i64::from(limit));
    fetch(conn, q).await
}

/// Open incidents `user` is on the team of, least recently changed first.
pub async fn handled_by(
    conn: &mut Conn,
    user: UserId,
    limit: u32,
) -> Result<Vec<Incident>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM incidents WHERE status IN ('triaged', 'investigating', 'contained', 'recovered') AND id IN (SELECT incident_id FROM incident_handlers WHERE user_id = "
    ));
    q.bind(user.0)
        .push(") ORDER BY updated_at, id LIMIT ")
        .bind(i64::from(limit));
    fetch(conn, q).await
}

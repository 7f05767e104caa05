//! Risks of an assessment: identity (asset × threat × vulnerability), rating, treatment,
//! approvals and residual rating; the register order, heat map and readiness counts.

use crate::conn::{Conn, DbError, Row};
use crate::rows::{corrupt, optional_code, rating_opt, ts, ts_opt};
use crate::sql::Sql;
use castellan_domain::Timestamp;
use castellan_domain::asset::Rating;
use castellan_domain::ids::{AssessmentId, AssetId, RiskId, ThreatId, UserId, VulnerabilityId};
use castellan_domain::paging::{Cursor, KeyValue, Sort};
use castellan_domain::risk::assessment::Readiness;
use castellan_domain::risk::register::{Approval, Risk, RiskRating};
use castellan_domain::risk::{Level, RiskEvaluation, Score, Treatment};

const COLUMNS: &str = "id, assessment_id, asset_id, threat_id, vulnerability_id, description, threat_frequency, vulnerability_severity, asset_value_level, likelihood_value, likelihood_level, loss_value, loss_level, risk_value, risk_level, treatment, approved_by, approved_at, approval_comment, residual_threat_frequency, residual_vulnerability_severity, residual_likelihood_value, residual_likelihood_level, residual_loss_value, residual_loss_level, residual_risk_value, residual_risk_level, residual_accepted_by, residual_accepted_at, residual_comment, version, created_at, updated_at";

/// The register's one sort: highest risk first (unrated last).
pub const SORTS: &[&str] = &["risk"];

fn score(row: &Row, col: &str) -> Result<Score, DbError> {
    let v: i64 = row.try_get(col)?;
    Score::from_hundredths(v).ok_or_else(|| corrupt(col, &v.to_string()))
}

fn level(row: &Row, col: &str) -> Result<Level, DbError> {
    let v: i64 = row.try_get(col)?;
    Level::new(v).map_err(|_| corrupt(col, &v.to_string()))
}

fn evaluation(row: &Row, prefix: &str) -> Result<RiskEvaluation, DbError> {
    Ok(RiskEvaluation {
        likelihood_value: score(row, &format!("{prefix}likelihood_value"))?,
        likelihood_level: level(row, &format!("{prefix}likelihood_level"))?,
        loss_value: score(row, &format!("{prefix}loss_value"))?,
        loss_level: level(row, &format!("{prefix}loss_level"))?,
        risk_value: score(row, &format!("{prefix}risk_value"))?,
        risk_level: level(row, &format!("{prefix}risk_level"))?,
    })
}

fn approval(row: &mut Row, by: &str, at: &str, comment: &str) -> Result<Option<Approval>, DbError> {
    let who: Option<i64> = row.try_get(by)?;
    let when = ts_opt(row, at)?;
    let comment: Option<String> = row.take(comment)?;
    Ok(match (who, when) {
        (Some(who), Some(at)) => Some(Approval {
            by: UserId(who),
            at,
            comment,
        }),
        _ => None,
    })
}

fn from_row(mut row: Row) -> Result<Risk, DbError> {
    let a = rating_opt(&row, "asset_value_level")?;
    let rated = match (
        rating_opt(&row, "threat_frequency")?,
        rating_opt(&row, "vulnerability_severity")?,
        a,
    ) {
        (Some(t), Some(v), Some(a)) => Some(RiskRating {
            threat_frequency: t,
            vulnerability_severity: v,
            asset_value_level: a,
            evaluation: evaluation(&row, "")?,
        }),
        _ => None,
    };
    let residual = match (
        rating_opt(&row, "residual_threat_frequency")?,
        rating_opt(&row, "residual_vulnerability_severity")?,
        a,
    ) {
        (Some(t), Some(v), Some(a)) => Some(RiskRating {
            threat_frequency: t,
            vulnerability_severity: v,
            asset_value_level: a,
            evaluation: evaluation(&row, "residual_")?,
        }),
        _ => None,
    };
    Ok(Risk {
        id: RiskId(row.try_get("id")?),
        assessment_id: AssessmentId(row.try_get("assessment_id")?),
        asset_id: AssetId(row.try_get("asset_id")?),
        threat_id: ThreatId(row.try_get("threat_id")?),
        vulnerability_id: row
            .try_get::<Option<i64>, _>("vulnerability_id")?
            .map(VulnerabilityId),
        description: row.take("description")?,
        rating: rated,
        treatment: optional_code(&mut row, "treatment", Treatment::from_code)?,
        approval: approval(&mut row, "approved_by", "approved_at", "approval_comment")?,
        residual,
        residual_acceptance: approval(
            &mut row,
            "residual_accepted_by",
            "residual_accepted_at",
            "residual_comment",
        )?,
        version: row.try_get("version")?,
        created_at: ts(&mut row, "created_at")?,
        updated_at: ts(&mut row, "updated_at")?,
    })
}

/// The register order of a rating: level first, then value; 0 when unrated.
fn rank(rating: Option<&RiskRating>) -> i64 {
    rank_of(rating.map(|r| &r.evaluation))
}

fn rank_of(e: Option<&RiskEvaluation>) -> i64 {
    e.map_or(0, |e| {
        i64::from(e.risk_level.get()) * 10_000 + i64::from(e.risk_value.hundredths())
    })
}

fn bind_evaluation(q: &mut Sql, e: Option<&RiskEvaluation>) {
    let e = e.copied();
    q.bind(e.map(|e| i64::from(e.likelihood_value.hundredths())))
        .push(", ")
        .bind(e.map(|e| i64::from(e.likelihood_level.get())))
        .push(", ")
        .bind(e.map(|e| i64::from(e.loss_value.hundredths())))
        .push(", ")
        .bind(e.map(|e| i64::from(e.loss_level.get())))
        .push(", ")
        .bind(e.map(|e| i64::from(e.risk_value.hundredths())))
        .push(", ")
        .bind(e.map(|e| i64::from(e.risk_level.get())));
}

fn bind_rating(q: &mut Sql, r: Option<&RiskRating>) {
    let g = |f: fn(&RiskRating) -> Rating| r.map(|r| i64::from(f(r).get()));
    q.bind(g(|r| r.threat_frequency))
        .push(", ")
        .bind(g(|r| r.vulnerability_severity))
        .push(", ")
        .bind(g(|r| r.asset_value_level))
        .push(", ");
    bind_evaluation(q, r.map(|r| &r.evaluation));
}

/// A risk to add.
#[derive(Debug, Clone, Copy)]
pub struct NewRisk<'a> {
    /// The assessment.
    pub assessment_id: AssessmentId,
    /// The asset.
    pub asset_id: AssetId,
    /// The threat.
    pub threat_id: ThreatId,
    /// The vulnerability.
    pub vulnerability_id: Option<VulnerabilityId>,
    /// Description.
    pub description: Option<&'a str>,
    /// The rating, when given at once.
    pub rating: Option<&'a RiskRating>,
}

const NEW_COLUMNS: &str = "assessment_id, asset_id, threat_id, vulnerability_id, vulnerability_key, description, threat_frequency, vulnerability_severity, asset_value_level, likelihood_value, likelihood_level, loss_value, loss_level, risk_value, risk_level, risk_rank, version, created_at, updated_at";

fn bind_new(q: &mut Sql, r: &NewRisk<'_>, now: &str) {
    q.push("(")
        .bind(r.assessment_id.0)
        .push(", ")
        .bind(r.asset_id.0)
        .push(", ")
        .bind(r.threat_id.0)
        .push(", ")
        .bind(r.vulnerability_id.map(|v| v.0))
        .push(", ")
        .bind(r.vulnerability_id.map_or(0, |v| v.0))
        .push(", ")
        .bind(r.description.map(str::to_owned))
        .push(", ");
    bind_rating(q, r.rating);
    q.push(", ")
        .bind(rank(r.rating))
        .push(", 1, ")
        .bind(now.to_owned())
        .push(", ")
        .bind(now.to_owned())
        .push(")");
}

/// Adds a risk. A second risk with the same asset, threat and vulnerability in the same
/// assessment is refused by the unique index (a unique violation).
pub async fn insert(conn: &mut Conn, r: &NewRisk<'_>, now: Timestamp) -> Result<Risk, DbError> {
    let mut q = Sql::new(&format!("INSERT INTO risks ({NEW_COLUMNS}) VALUES "));
    bind_new(&mut q, r, &now.to_db());
    q.push(&format!(" RETURNING {COLUMNS}"));
    from_row(q.fetch_one(conn).await?)
}

/// Adds unrated candidate risks, skipping those the assessment already has; returns how
/// many were added.
pub async fn insert_candidates(
    conn: &mut Conn,
    risks: &[NewRisk<'_>],
    now: Timestamp,
) -> Result<u64, DbError> {
    let now = now.to_db();
    let mut added = 0;
    // 19 parameters a row: 500 rows stay far below either engine's parameter limit.
    for chunk in risks.chunks(500) {
        let mut q = Sql::new(&format!("INSERT INTO risks ({NEW_COLUMNS}) VALUES "));
        for (i, r) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            bind_new(&mut q, r, &now);
        }
        q.push(" ON CONFLICT (assessment_id, asset_id, threat_id, vulnerability_key) DO NOTHING");
        added += q.execute(&mut *conn).await?;
    }
    Ok(added)
}

/// One risk.
pub async fn get(conn: &mut Conn, id: RiskId) -> Result<Option<Risk>, DbError> {
    let mut q = Sql::new(&format!("SELECT {COLUMNS} FROM risks WHERE id = "));
    q.bind(id.0);
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

fn bind_approval(q: &mut Sql, a: Option<&Approval>) {
    q.bind(a.map(|a| a.by.0))
        .push(", ")
        .bind(a.map(|a| a.at.to_db()))
        .push(", ")
        .bind(a.and_then(|a| a.comment.clone()));
}

/// Writes every changeable field of `risk` if its stored version is still `risk.version`;
/// returns the stored risk, or `None` when the version did not match.
pub async fn save(conn: &mut Conn, risk: &Risk, now: Timestamp) -> Result<Option<Risk>, DbError> {
    let mut q = Sql::new(
        "UPDATE risks SET (vulnerability_id, vulnerability_key, description, threat_frequency, vulnerability_severity, asset_value_level, likelihood_value, likelihood_level, loss_value, loss_level, risk_value, risk_level, risk_rank, treatment, approved_by, approved_at, approval_comment, residual_threat_frequency, residual_vulnerability_severity, residual_likelihood_value, residual_likelihood_level, residual_loss_value, residual_loss_level, residual_risk_value, residual_risk_level, residual_accepted_by, residual_accepted_at, residual_comment) = (",
    );
    q.bind(risk.vulnerability_id.map(|v| v.0))
        .push(", ")
        .bind(risk.vulnerability_id.map_or(0, |v| v.0))
        .push(", ")
        .bind(risk.description.clone())
        .push(", ");
    bind_rating(&mut q, risk.rating.as_ref());
    q.push(", ")
        .bind(rank(risk.rating.as_ref()))
        .push(", ")
        .bind(risk.treatment.map(Treatment::code))
        .push(", ");
    bind_approval(&mut q, risk.approval.as_ref());
    q.push(", ")
        .bind(risk.residual.map(|r| i64::from(r.threat_frequency.get())))
        .push(", ")
        .bind(
            risk.residual
                .map(|r| i64::from(r.vulnerability_severity.get())),
        )
        .push(", ");
    bind_evaluation(&mut q, risk.residual.as_ref().map(|r| &r.evaluation));
    q.push(", ");
    bind_approval(&mut q, risk.residual_acceptance.as_ref());
    q.push("), version = version + 1, updated_at = ")
        .bind(now.to_db())
        .push(" WHERE id = ")
        .bind(risk.id.0)
        .push(" AND version = ")
        .bind(risk.version)
        .push(&format!(" RETURNING {COLUMNS}"));
    q.fetch_optional(conn).await?.map(from_row).transpose()
}

/// Removes a risk (with its treatment items).
pub async fn delete(conn: &mut Conn, id: RiskId) -> Result<bool, DbError> {
    let mut q = Sql::new("DELETE FROM treatment_items WHERE risk_id = ");
    q.bind(id.0);
    q.execute(&mut *conn).await?;
    let mut q = Sql::new("DELETE FROM risks WHERE id = ");
    q.bind(id.0);
    Ok(q.execute(conn).await? > 0)
}

/// Which risks of an assessment the register shows.
#[derive(Debug, Clone, Default)]
pub struct RiskFilter {
    /// At this risk level.
    pub level: Option<Level>,
    /// At least this risk level.
    pub min_level: Option<Level>,
    /// At this likelihood level (heat-map cell).
    pub likelihood_level: Option<Level>,
    /// At this loss level (heat-map cell).
    pub loss_level: Option<Level>,
    /// Of this asset.
    pub asset_id: Option<AssetId>,
    /// From this threat.
    pub threat_id: Option<ThreatId>,
    /// With this treatment option.
    pub treatment: Option<Treatment>,
    /// Only unrated (true) or only rated (false) risks.
    pub unrated: Option<bool>,
}

/// One page of an assessment's register, highest risk first.
pub async fn list(
    conn: &mut Conn,
    assessment: AssessmentId,
    filter: &RiskFilter,
    after: Option<&Cursor>,
    limit: u32,
) -> Result<(Vec<Risk>, Option<Cursor>), DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM risks WHERE assessment_id = "
    ));
    q.bind(assessment.0);
    if let Some(l) = filter.level {
        q.push(" AND risk_level = ").bind(i64::from(l.get()));
    }
    if let Some(l) = filter.min_level {
        q.push(" AND risk_level >= ").bind(i64::from(l.get()));
    }
    if let Some(l) = filter.likelihood_level {
        q.push(" AND likelihood_level = ").bind(i64::from(l.get()));
    }
    if let Some(l) = filter.loss_level {
        q.push(" AND loss_level = ").bind(i64::from(l.get()));
    }
    if let Some(a) = filter.asset_id {
        q.push(" AND asset_id = ").bind(a.0);
    }
    if let Some(t) = filter.threat_id {
        q.push(" AND threat_id = ").bind(t.0);
    }
    if let Some(t) = filter.treatment {
        q.push(" AND treatment = ").bind(t.code());
    }
    match filter.unrated {
        Some(true) => {
            q.push(" AND risk_rank = 0");
        }
        Some(false) => {
            q.push(" AND risk_rank > 0");
        }
        None => {}
    }
    let sort = Sort {
        field: "risk",
        descending: true,
    };
    crate::paging::keyset(&mut q, "risk_rank", crate::paging::Kind::Int, sort, after)?;
    q.push(" LIMIT ").bind(i64::from(limit) + 1);
    let mut items: Vec<Risk> = q
        .fetch_all(conn)
        .await?
        .into_iter()
        .map(from_row)
        .collect::<Result<_, _>>()?;
    let next = crate::paging::next_cursor(&mut items, limit, sort, |r| {
        vec![
            KeyValue::Int(rank(r.rating.as_ref())),
            KeyValue::Int(r.id.0),
        ]
    });
    Ok((items, next))
}

/// Every risk of an assessment, in register order (reports).
pub async fn all(conn: &mut Conn, assessment: AssessmentId) -> Result<Vec<Risk>, DbError> {
    let mut q = Sql::new(&format!(
        "SELECT {COLUMNS} FROM risks WHERE assessment_id = "
    ));
    q.bind(assessment.0)
        .push(" ORDER BY risk_rank DESC, id DESC");
    q.fetch_all(conn).await?.into_iter().map(from_row).collect()
}

/// Risk counts by (likelihood level, loss level): `cells[l - 1][f - 1]`; `residual` counts
/// the residual ratings instead.
pub async fn heat_map(
    conn: &mut Conn,
    assessment: AssessmentId,
    residual: bool,
) -> Result<[[u64; 5]; 5], DbError> {
    let p = if residual { "residual_" } else { "" };
    let mut q = Sql::new(&format!(
        "SELECT {p}likelihood_level, {p}loss_level, COUNT(*) FROM risks WHERE assessment_id = "
    ));
    q.bind(assessment.0).push(&format!(
        " AND {p}likelihood_level IS NOT NULL GROUP BY {p}likelihood_level, {p}loss_level"
    ));
    let mut cells = [[0_u64; 5]; 5];
    for row in q.fetch_all(conn).await? {
        let (l, f, n): (i64, i64, i64) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let cell = usize::try_from(l - 1)
            .ok()
            .and_then(|l| cells.get_mut(l))
            .and_then(|r| usize::try_from(f - 1).ok().and_then(|f| r.get_mut(f)));
        if let Some(c) = cell {
            *c = u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(cells)
}

/// Counts that decide whether the assessment can move on.
pub async fn readiness(
    conn: &mut Conn,
    assessment: AssessmentId,
    threshold: Level,
) -> Result<Readiness, DbError> {
    let t = i64::from(threshold.get());
    let mut q = Sql::new(
        "SELECT COALESCE(SUM(CASE WHEN risk_rank = 0 THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN treatment IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN treatment IN ('keep', 'accept') AND risk_level >= ",
    );
    q.bind(t)
        .push(" AND approved_by IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN residual_risk_level IS NULL THEN 1 ELSE 0 END), 0), COALESCE(SUM(CASE WHEN residual_risk_level >= ")
        .bind(t)
        .push(" AND residual_accepted_by IS NULL THEN 1 ELSE 0 END), 0) FROM risks WHERE assessment_id = ")
        .bind(assessment.0);
    let row = q.fetch_one(conn).await?;
    let n = |i: usize| -> Result<u64, DbError> {
        let v: i64 = row.try_get(i)?;
        Ok(u64::try_from(v).unwrap_or(0))
    };
    Ok(Readiness {
        unrated: n(0)?,
        untreated: n(1)?,
        acceptance_missing: n(2)?,
        residual_unrated: n(3)?,
        residual_open: n(4)?,
    })
}

/// Number of risks of an assessment.
pub async fn count(conn: &mut Conn, assessment: AssessmentId) -> Result<i64, DbError> {
    let mut q = Sql::new("SELECT COUNT(*) FROM risks WHERE assessment_id = ");
    q.bind(assessment.0);
    q.fetch_one(conn).await?.try_get(0)
}

/// Stores new evaluations for every risk of the assessment rated with one of the given
/// (T, V, A) triples, in one statement: the triples and their evaluations are a VALUES
/// table joined to the risks (`UPDATE … FROM`, which both engines have); each triple finds
/// its risks through the `risks_rating` (or `risks_residual_rating`) index, so every risk is
/// visited once. Rows whose values do not change are not written. Returns how many changed.
pub async fn rerate(
    conn: &mut Conn,
    assessment: AssessmentId,
    residual: bool,
    triples: &[((i64, i64, i64), RiskEvaluation)],
) -> Result<u64, DbError> {
    if triples.is_empty() {
        return Ok(0);
    }
    let p = if residual { "residual_" } else { "" };
    let mut q = Sql::new("WITH r (t, v, a, lv, ll, fv, fl, rv, rl, rk) AS (VALUES ");
    for (i, ((t, v, a), e)) in triples.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.push("(")
            .bind(*t)
            .push(", ")
            .bind(*v)
            .push(", ")
            .bind(*a)
            .push(", ");
        bind_evaluation(&mut q, Some(e));
        q.push(", ").bind(rank_of(Some(e))).push(")");
    }
    q.push(&format!(
        ") UPDATE risks SET {p}likelihood_value = r.lv, {p}likelihood_level = r.ll, {p}loss_value = r.fv, {p}loss_level = r.fl, {p}risk_value = r.rv, {p}risk_level = r.rl"
    ));
    if !residual {
        q.push(", risk_rank = r.rk");
    }
    q.push(" FROM r WHERE risks.assessment_id = ")
        .bind(assessment.0)
        .push(&format!(
            " AND risks.{p}threat_frequency = r.t AND risks.{p}vulnerability_severity = r.v AND risks.asset_value_level = r.a AND (risks.{p}risk_value <> r.rv OR risks.{p}risk_level <> r.rl OR risks.{p}likelihood_value <> r.lv OR risks.{p}likelihood_level <> r.ll OR risks.{p}loss_value <> r.fv OR risks.{p}loss_level <> r.fl)"
        ));
    q.execute(conn).await
}

/// The risks of an asset across assessments, highest first, with their assessment's name
/// (the asset page).
pub async fn of_asset(
    conn: &mut Conn,
    asset: castellan_domain::ids::AssetId,
    limit: u32,
) -> Result<Vec<(Risk, String)>, DbError> {
    let cols: Vec<String> = COLUMNS.split(", ").map(|c| format!("r.{c}")).collect();
    let mut q = Sql::new(&format!(
        "SELECT {}, a.name AS assessment_name FROM risks r JOIN assessments a ON a.id = r.assessment_id WHERE r.asset_id = ",
        cols.join(", ")
    ));
    q.bind(asset.0)
        .push(" ORDER BY r.risk_rank DESC, r.id DESC LIMIT ")
        .bind(i64::from(limit));
    q.fetch_all(conn)
        .await?
        .into_iter()
        .map(|mut row| {
            let name: String = row.take("assessment_name")?;
            Ok((from_row(row)?, name))
        })
        .collect()
}

//! The organization's risk grading tables and matrices (SPEC §4.2): read, preview a rating
//! with them, and change them — which re-rates every assessment not yet submitted for
//! review, in the same transaction. Assessments already reviewed keep the tables (and the
//! version) they were rated with.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::Rating;
use castellan_domain::permission::Target;
use castellan_domain::risk::register::Assessment;
use castellan_domain::risk::{
    self, GradingTable, Matrix, RiskEvaluation, RiskMethod, RiskTables, TableError,
};
use castellan_domain::{Action, DomainError, FieldErrors, Resource, Text, Timestamp};
use castellan_store::settings as store;
use castellan_store::{Conn, risk::assessments, risk::risks};

const KEY: &str = "risk_tables";

/// The tables in force and their version (0 while the defaults apply).
pub async fn current(conn: &mut Conn) -> Result<(RiskTables, i64)> {
    let Some(setting) = store::get(conn, KEY).await? else {
        return Ok((RiskTables::default(), 0));
    };
    let tables: RiskTables =
        serde_json::from_value(setting.value).map_err(crate::Error::internal)?;
    Ok((tables, setting.version))
}

/// The tables, for anyone signed in.
pub async fn get(app: &App, ctx: &Ctx) -> Result<(RiskTables, i64)> {
    ctx.principal
        .authorize(Resource::Setting, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    current(&mut conn).await
}

/// Tables as submitted: rows `(from, to)` of levels 1–5 and 5×5 matrices, plain numbers.
#[derive(Debug, Clone, Default)]
pub struct TablesInput {
    /// Likelihood grading rows.
    pub likelihood: Vec<(i64, i64)>,
    /// Loss grading rows.
    pub loss: Vec<(i64, i64)>,
    /// Risk grading rows.
    pub risk: Vec<(i64, i64)>,
    /// Likelihood matrix, rows V, columns T.
    pub likelihood_matrix: Vec<Vec<i64>>,
    /// Loss matrix, rows V, columns A.
    pub loss_matrix: Vec<Vec<i64>>,
    /// Risk matrix, rows likelihood level, columns loss level.
    pub risk_matrix: Vec<Vec<i64>>,
}

fn invalid(hint: Text) -> castellan_domain::FieldErrorKind {
    castellan_domain::FieldErrorKind::Invalid { hint }
}

const WHOLE_NUMBERS: Text = Text {
    en: "values must be whole numbers from 1 to 25",
    zh: "取值必须是 1 到 25 的整数",
};
const FIVE_LEVELS: Text = Text {
    en: "exactly five levels, each [from, to]",
    zh: "须为五个等级，每级有起止值",
};
const SHAPE: Text = Text {
    en: "a 5×5 matrix of whole numbers from 1 to 25",
    zh: "须为 5×5 矩阵，取 1 到 25 的整数",
};

fn grading(rows: &[(i64, i64)]) -> std::result::Result<GradingTable, Text> {
    let rows: Vec<(u16, u16)> = rows
        .iter()
        .map(|&(a, b)| Ok((u16::try_from(a)?, u16::try_from(b)?)))
        .collect::<std::result::Result<_, std::num::TryFromIntError>>()
        .map_err(|_| WHOLE_NUMBERS)?;
    let rows: [(u16, u16); 5] = rows.try_into().map_err(|_| FIVE_LEVELS)?;
    GradingTable::from_ranges(rows).map_err(|e: TableError| e.hint())
}

fn matrix(rows: &[Vec<i64>]) -> std::result::Result<Matrix, Text> {
    let shape = SHAPE;
    let mut cells = [[0_u8; 5]; 5];
    if rows.len() != 5 {
        return Err(shape);
    }
    for (target, row) in cells.iter_mut().zip(rows) {
        if row.len() != 5 {
            return Err(shape);
        }
        for (cell, v) in target.iter_mut().zip(row) {
            *cell = u8::try_from(*v).map_err(|_| shape)?;
        }
    }
    Matrix::new(cells).map_err(|e| e.hint())
}

impl TablesInput {
    /// Checks every table; each problem is reported against its table's name.
    pub fn validate(&self) -> Result<RiskTables> {
        let mut errors = FieldErrors::new();
        let mut g =
            |field: &str, rows: &[(i64, i64)]| errors.check(field, grading(rows).map_err(invalid));
        let (likelihood, loss, risk) = (
            g("likelihood", &self.likelihood),
            g("loss", &self.loss),
            g("risk", &self.risk),
        );
        let mut m =
            |field: &str, rows: &[Vec<i64>]| errors.check(field, matrix(rows).map_err(invalid));
        let (lm, fm, rm) = (
            m("likelihood_matrix", &self.likelihood_matrix),
            m("loss_matrix", &self.loss_matrix),
            m("risk_matrix", &self.risk_matrix),
        );
        errors.into_result()?;
        match (likelihood, loss, risk, lm, fm, rm) {
            (
                Some(likelihood),
                Some(loss),
                Some(risk),
                Some(likelihood_matrix),
                Some(loss_matrix),
                Some(risk_matrix),
            ) => Ok(RiskTables {
                likelihood,
                loss,
                risk,
                likelihood_matrix,
                loss_matrix,
                risk_matrix,
            }),
            _ => Err(DomainError::BadRequest("invalid tables".into()).into()),
        }
    }
}

/// What a change of tables did.
#[derive(Debug, Clone)]
pub struct TablesChanged {
    /// The tables in force.
    pub tables: RiskTables,
    /// Their version.
    pub version: i64,
    /// Assessments moved to the new tables.
    pub assessments: u64,
    /// Risk and residual ratings whose values changed.
    pub ratings: u64,
}

/// Replaces the tables if `version` is current, re-rating every assessment not yet
/// submitted for review.
pub async fn set(app: &App, ctx: &Ctx, input: &TablesInput, version: i64) -> Result<TablesChanged> {
    ctx.principal
        .authorize(Resource::Setting, Action::Update, Target::Global)?;
    let tables = input.validate()?;
    let mut tx = app.db().begin().await?;
    let (before, current_version) = current(&mut tx).await?;
    if current_version != version {
        return Err(DomainError::StaleVersion {
            current: current_version,
        }
        .into());
    }
    let value = serde_json::to_value(tables).map_err(crate::Error::internal)?;
    let now = Timestamp::now();
    let new_version = store::put(&mut tx, KEY, &value, version, now)
        .await?
        .ok_or(DomainError::StaleVersion {
            current: current_version,
        })?;
    let open = assessments::rerated_by_table_change(&mut tx).await?;
    let mut ratings = 0;
    for a in &open {
        assessments::set_tables(&mut tx, a.id, new_version, &tables, now).await?;
        ratings += rerate(&mut tx, a, &tables, Some((a.method, &a.tables))).await?;
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::audit::KernelRecord::Setting,
            KEY,
        )
        .before(&describe(&before))
        .after(&serde_json::json!({
            "tables": describe(&tables),
            "version": new_version,
            "rerated_assessments": open.len(),
            "rerated_ratings": ratings,
        })),
    )
    .await?;
    tx.commit().await?;
    Ok(TablesChanged {
        tables,
        version: new_version,
        assessments: open.len() as u64,
        ratings,
    })
}

/// The tables as the audit trail and API show them: ranges and matrices.
pub fn describe(t: &RiskTables) -> serde_json::Value {
    serde_json::json!({
        "likelihood": t.likelihood.ranges(),
        "loss": t.loss.ranges(),
        "risk": t.risk.ranges(),
        "likelihood_matrix": t.likelihood_matrix.cells(),
        "loss_matrix": t.loss_matrix.cells(),
        "risk_matrix": t.risk_matrix.cells(),
    })
}

/// Recomputes every rating and residual rating of an assessment with its method and
/// `tables`: the 125 (T, V, A) combinations are evaluated here (a pure function) and written
/// in one UPDATE per kind of rating, whatever the number of risks. With `previous` (the
/// method and tables the ratings were computed with) only the combinations whose result
/// changes are written, so the risks that keep their values are not even visited.
pub async fn rerate(
    conn: &mut Conn,
    a: &Assessment,
    tables: &RiskTables,
    previous: Option<(RiskMethod, &RiskTables)>,
) -> Result<u64> {
    let mut triples = Vec::with_capacity(125);
    for t in Rating::ALL {
        for v in Rating::ALL {
            for av in Rating::ALL {
                let now = risk::evaluate(a.method, tables, t, v, av);
                if previous.is_some_and(|(m, old)| risk::evaluate(m, old, t, v, av) == now) {
                    continue;
                }
                let key = (i64::from(t.get()), i64::from(v.get()), i64::from(av.get()));
                triples.push((key, now));
            }
        }
    }
    let mut changed = 0;
    for residual in [false, true] {
        changed += risks::rerate(conn, a.id, residual, &triples).await?;
    }
    Ok(changed)
}

/// Computes a rating with the organization's current tables without storing anything (the
/// UI's live preview).
pub async fn evaluate(
    app: &App,
    ctx: &Ctx,
    method: &str,
    t: i64,
    v: i64,
    a: i64,
) -> Result<(RiskMethod, RiskEvaluation)> {
    ctx.principal
        .read_scope(Resource::Assessment, Action::Read)?;
    let mut errors = FieldErrors::new();
    let method = errors.check("method", RiskMethod::from_code(method.trim()));
    let t = errors.check("threat_frequency", Rating::new(t));
    let v = errors.check("vulnerability_severity", Rating::new(v));
    let a = errors.check("asset_value_level", Rating::new(a));
    errors.into_result()?;
    let (Some(method), Some(t), Some(v), Some(a)) = (method, t, v, a) else {
        return Err(DomainError::BadRequest("invalid rating".into()).into());
    };
    let mut conn = app.db().read().await?;
    let (tables, _) = current(&mut conn).await?;
    Ok((method, risk::evaluate(method, &tables, t, v, a)))
}

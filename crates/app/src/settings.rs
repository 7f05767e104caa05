//! Organization-wide settings. The asset valuation method is the first: changing it
//! revalues every asset in the same transaction.

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::asset::{self as rules, Rating, ValuationMethod};
use castellan_domain::permission::Target;
use castellan_domain::{Action, DomainError, FieldErrors, Resource, Timestamp};
use castellan_store::Conn;
use castellan_store::asset::assets as asset_store;
use castellan_store::settings as store;

const VALUATION: &str = "asset_valuation";

/// The valuation method and the setting's version (0 while the default applies).
pub async fn valuation(conn: &mut Conn) -> Result<(ValuationMethod, i64)> {
    let Some(setting) = store::get(conn, VALUATION).await? else {
        return Ok((ValuationMethod::default(), 0));
    };
    let method: ValuationMethod =
        serde_json::from_value(setting.value).map_err(crate::Error::internal)?;
    Ok((method, setting.version))
}

/// The valuation method, for anyone signed in.
pub async fn get_valuation(app: &App, ctx: &Ctx) -> Result<(ValuationMethod, i64)> {
    ctx.principal
        .authorize(Resource::Setting, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    valuation(&mut conn).await
}

/// The outcome of a method change.
#[derive(Debug, Clone)]
pub struct Revaluation {
    /// The method now in force.
    pub method: ValuationMethod,
    /// The setting's new version.
    pub version: i64,
    /// Assets whose score or level changed.
    pub revalued: u64,
}

/// Chooses the valuation method (`weights` matter for `weighted_mean` only) if `version` is
/// current, and revalues every asset with it, in one transaction.
pub async fn set_valuation(
    app: &App,
    ctx: &Ctx,
    code: &str,
    weights: [i64; 3],
    version: i64,
) -> Result<Revaluation> {
    ctx.principal
        .authorize(Resource::Setting, Action::Update, Target::Global)?;
    let mut errors = FieldErrors::new();
    let method = errors.check("method", ValuationMethod::from_parts(code.trim(), weights));
    errors.into_result()?;
    let Some(method) = method else {
        return Err(DomainError::BadRequest("invalid method".into()).into());
    };
    let mut tx = app.db().begin().await?;
    let (before, current) = valuation(&mut tx).await?;
    if current != version {
        return Err(DomainError::StaleVersion { current }.into());
    }
    let value = serde_json::to_value(method).map_err(crate::Error::internal)?;
    let new_version = store::put(&mut tx, VALUATION, &value, version, Timestamp::now())
        .await?
        .ok_or(DomainError::StaleVersion { current })?;
    let revalued = revalue(&mut tx, method).await?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(
            castellan_domain::audit::Verb::Update,
            castellan_domain::audit::KernelRecord::Setting,
            VALUATION,
        )
        .before(&before)
        .after(&serde_json::json!({"method": method, "revalued_assets": revalued})),
    )
    .await?;
    tx.commit().await?;
    Ok(Revaluation {
        method,
        version: new_version,
        revalued,
    })
}

/// Recomputes score and level of every asset: one UPDATE per (C, I, A) combination in use
/// (at most 125), whatever the number of assets.
pub async fn revalue(conn: &mut Conn, method: ValuationMethod) -> Result<u64> {
    let mut changed = 0;
    for (c, i, a) in asset_store::rating_triples(conn).await? {
        let (Ok(rc), Ok(ri), Ok(ra)) = (Rating::new(c), Rating::new(i), Rating::new(a)) else {
            continue;
        };
        let v = rules::evaluate(method, rc, ri, ra);
        changed += asset_store::revalue_triple(conn, (c, i, a), v.score, v.level).await?;
    }
    Ok(changed)
}

//! An incident's page and report: everything they show, read once.

use super::*;

/// An affected asset as an incident page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedAsset {
    /// Id.
    pub id: AssetId,
    /// Asset ID.
    pub code: String,
    /// Name.
    pub name: String,
    /// Value level 1–5.
    pub value_level: u8,
}

/// Everything an incident's page and report show, read once.
#[derive(Debug, Clone)]
pub struct IncidentPage {
    /// The incident as the caller sees it.
    pub view: IncidentView,
    /// Its moves, oldest first.
    pub moves: Vec<MoveRecord>,
    /// Its timeline entries, in order of their time.
    pub timeline: Vec<TimelineEntry>,
    /// The assets it affects (shown to whoever reads the incident, even without
    /// `asset:read`: the incident names them).
    pub assets: Vec<AffectedAsset>,
    /// Its evidence files, oldest first.
    pub attachments: Vec<crate::attachments::Attachment>,
}

/// An incident with its moves, timeline, affected assets and files, for whoever may read
/// it: one readability check and one connection for the whole page.
pub async fn page(app: &App, ctx: &Ctx, id: i64) -> Result<IncidentPage> {
    let (view, moves, timeline, assets) = {
        let mut conn = app.db().read().await?;
        let i = load(&mut conn, ctx, id).await?;
        let moves = wf::moves(&mut conn, PROCESS, id).await?;
        let timeline = store::timeline(&mut conn, id).await?;
        let assets = castellan_store::asset::assets::get_many(&mut conn, &i.affected_asset_ids)
            .await?
            .into_iter()
            .map(|a| AffectedAsset {
                id: a.id,
                code: a.code,
                name: a.name,
                value_level: a.value_level.get(),
            })
            .collect();
        (view(&mut conn, ctx, i).await?, moves, timeline, assets)
    };
    let attachments = crate::attachments::list(app, super::evidence::owner(id)).await?;
    Ok(IncidentPage {
        view,
        moves,
        timeline,
        assets,
        attachments,
    })
}

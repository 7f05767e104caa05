//! The incident as the source of rectification tasks (SPEC §5, §6.3): who may open tasks
//! from it, and the trace a new task leaves on its timeline.

use super::*;

/// An incident as a source of rectification tasks, for the caller.
#[derive(Debug, Clone)]
pub(crate) struct AsSource {
    /// The incident (the caller reads it).
    pub incident: Incident,
    /// Whether the caller handles it (its team, or a triager whose grant reaches it), and so
    /// may open tasks from it.
    pub manages: bool,
}

impl AsSource {
    /// Whether tasks may be opened from it now: once triaged, never when rejected (a
    /// closed incident still opens them: lessons learned often lead to them).
    pub fn open(&self) -> bool {
        !matches!(
            self.incident.status,
            IncidentStatus::Reported | IncidentStatus::Rejected
        )
    }
}

/// The incident `id` as a task source: 404 when the caller may not read it.
pub(crate) async fn as_source(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<AsSource> {
    let incident = load(conn, ctx, id).await?;
    let path = path_of(conn, &incident).await?;
    let roles = ctx.principal.roles_over(path.as_ref());
    let manages = writes(ctx) && handles(ctx, &incident, &roles);
    Ok(AsSource { incident, manages })
}

/// Records on the incident's timeline that a task was opened from it (the trace is
/// language-neutral: the task's code and what it is about).
pub(crate) async fn note_task(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
    code: &str,
    description: &str,
    now: Timestamp,
) -> Result<()> {
    let summary: String = description.chars().take(200).collect();
    let note = format!("→ {code} · {summary}");
    let actor = ctx.actor();
    store::add_entry(conn, id, now, &note, (actor.id, actor.name), now).await?;
    audit::record(
        conn,
        &actor,
        Event::new(IncidentAction::TimelineEntry, IncidentRecord::Incident, id)
            .after(&serde_json::json!({"at": now, "note": note})),
    )
    .await?;
    Ok(())
}

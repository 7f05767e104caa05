//! The access changes Castellan opens by itself after a job change or a disabling (seed
//! 003), due by the end of the next working day.

use super::*;

/// Opens the access change a job change or a disabling calls for (seed 003): an approved
/// `access_modify` or `access_revoke` request for the person, due by the end of the next
/// working day, waiting to be carried out. Runs inside the user change's transaction.
pub(crate) async fn open_access_change(
    app: &App,
    conn: &mut Conn,
    actor: &Actor<'_>,
    before: &User,
    after: &User,
    origin: Origin,
) -> Result<i64> {
    let now = Timestamp::now();
    let (kind, what) = match origin {
        Origin::Disabled => (
            RequestKind::AccessRevoke,
            "账号停用，回收全部权限 / account disabled: revoke all access",
        ),
        _ => (
            RequestKind::AccessModify,
            "岗位变动，调整权限 / job change: adjust access",
        ),
    };
    let mut description = String::new();
    if before.department_id != after.department_id {
        description.push_str(&format!(
            "department: {} → {}\n",
            dept_name(conn, before.department_id).await?,
            dept_name(conn, after.department_id).await?
        ));
    }
    if before.position != after.position {
        description.push_str(&format!(
            "position: {} → {}\n",
            before.position.as_deref().unwrap_or("—"),
            after.position.as_deref().unwrap_or("—")
        ));
    }
    let r = Request {
        id: 0,
        code: next_code(conn, now).await?,
        kind,
        title: format!("{}（{}）：{what}", after.display_name, after.username),
        description: (!description.is_empty()).then_some(description),
        impact: Impact::Normal,
        requester_id: actor.id,
        department_id: after.department_id.or(before.department_id),
        asset_id: None,
        subject_user_id: Some(after.id),
        origin,
        status: RequestStatus::Approved,
        chain_id: None,
        chain_version: None,
        steps: Vec::new(),
        round: 0,
        current_step: None,
        submitted_by: None,
        submitted_at: Some(now),
        due_at: Some(due_next_working_day(app, conn, now).await?),
        implemented_at: None,
        implemented_by: None,
        deadline_met: None,
        created_by: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let id = store::insert(conn, &r, None).await?;
    wf::record_move(
        conn,
        PROCESS,
        id,
        RequestStatus::Draft.code(),
        RequestStatus::Approved.code(),
        (actor.id, actor.name),
        Some(origin.code()),
        now,
    )
    .await?;
    audit::record(
        conn,
        actor,
        Event::new(RequestAction::OpenAccessChange, RequestRecord::Request, id)
            .after(&serde_json::json!({"code": r.code, "kind": r.kind, "subject_user_id": after.id.0, "due_at": r.due_at})),
    )
    .await?;
    Ok(id)
}

async fn dept_name(conn: &mut Conn, d: Option<castellan_domain::DepartmentId>) -> Result<String> {
    Ok(match d {
        None => "—".into(),
        Some(d) => departments::get(conn, d)
            .await?
            .map_or_else(|| "—".into(), |d| d.name),
    })
}

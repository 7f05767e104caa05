//! The workflow engine's services shared by every process: approval chains, the working-day
//! calendar and its deadlines, and "waiting for me" across processes.

pub(crate) mod runs;

use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::error::KernelConflict;
use castellan_domain::permission::Target;
use castellan_domain::request::audit::RequestRecord;
use castellan_domain::values::clean_text;
use castellan_domain::workflow::calendar::{Calendar, CalendarDay, DayKind};
use castellan_domain::workflow::chain::{self, Impact, StepInput};
use castellan_domain::{
    Action, Day, DomainError, FieldErrorKind, FieldErrors, Resource, Timestamp,
};
use castellan_store::Conn;
use castellan_store::workflow::{self as store, ChainFields, ChainRow};

// ---------------------------------------------------------------- calendar

/// The calendar with every entered day.
pub(crate) async fn calendar(conn: &mut Conn) -> Result<Calendar> {
    let (from, to) = (
        Day::parse("1900-01-01").map_err(|_| DomainError::BadRequest("day".into()))?,
        Day::parse("9999-12-31").map_err(|_| DomainError::BadRequest("day".into()))?,
    );
    let days = store::calendar_days(conn, from, to).await?;
    Calendar::new(days.into_iter().map(|d| (d.day, d.kind)))
        .map_err(|_| crate::Error::internal("calendar day stored twice"))
}

/// The end of the next working day after `at`, in the organization's local time.
pub(crate) async fn due_next_working_day(
    app: &App,
    conn: &mut Conn,
    at: Timestamp,
) -> Result<Timestamp> {
    let cal = calendar(conn).await?;
    Ok(cal.end_of_next_working_day(at, app.settings().utc_offset()))
}

/// The entered days of a year.
pub async fn calendar_year(app: &App, ctx: &Ctx, year: i32) -> Result<Vec<CalendarDay>> {
    ctx.principal
        .authorize(Resource::Calendar, Action::Read, Target::Global)?;
    if !(1900..=9999).contains(&year) {
        return Err(FieldErrors::single(
            "year",
            FieldErrorKind::OutOfRange {
                min: 1900,
                max: 9999,
            },
        )
        .into());
    }
    let from =
        Day::parse(&format!("{year:04}-01-01")).map_err(|k| FieldErrors::single("year", k))?;
    let to = Day::parse(&format!("{year:04}-12-31")).map_err(|k| FieldErrors::single("year", k))?;
    let mut conn = app.db().read().await?;
    Ok(store::calendar_days(&mut conn, from, to).await?)
}

/// A day as entered.
#[derive(Debug, Clone, Default)]
pub struct DayInput {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `holiday` or `workday`.
    pub kind: String,
    /// Its name.
    pub name: String,
}

/// Enters days (all or none): each valid, none given twice, none already entered.
pub async fn add_days(app: &App, ctx: &Ctx, input: &[DayInput]) -> Result<Vec<CalendarDay>> {
    ctx.principal
        .authorize(Resource::Calendar, Action::Update, Target::Global)?;
    let mut errors = FieldErrors::new();
    if input.is_empty() {
        errors.add("days", FieldErrorKind::Required);
    }
    if input.len() > 400 {
        errors.add("days", FieldErrorKind::OutOfRange { min: 1, max: 400 });
    }
    let mut days: Vec<CalendarDay> = Vec::new();
    for (i, d) in input.iter().enumerate() {
        let day = errors.check(&format!("days[{i}].day"), Day::parse(&d.day));
        let kind = errors.check(
            &format!("days[{i}].kind"),
            DayKind::from_code(d.kind.trim()),
        );
        let name = errors.check(&format!("days[{i}].name"), clean_text(&d.name, 1, 60));
        if let Some(day) = day
            && days.iter().any(|x| x.day == day)
        {
            errors.add(format!("days[{i}].day"), FieldErrorKind::Duplicate);
            continue;
        }
        if let (Some(day), Some(kind), Some(name)) = (day, kind, name) {
            days.push(CalendarDay { day, kind, name });
        }
    }
    errors.into_result()?;
    let mut tx = app.db().begin().await?;
    let now = Timestamp::now();
    let mut taken = FieldErrors::new();
    for (i, d) in days.iter().enumerate() {
        if !store::insert_calendar_day(&mut tx, d, now).await? {
            taken.add(format!("days[{i}].day"), FieldErrorKind::Taken);
        }
    }
    taken.into_result()?;
    for d in &days {
        audit::record(
            &mut tx,
            &ctx.actor(),
            Event::new(Verb::Create, RequestRecord::CalendarDay, d.day.to_db()).after(d),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(days)
}

/// Removes an entered day.
pub async fn remove_day(app: &App, ctx: &Ctx, day: &str) -> Result<()> {
    ctx.principal
        .authorize(Resource::Calendar, Action::Update, Target::Global)?;
    let day = Day::parse(day).map_err(|k| FieldErrors::single("day", k))?;
    let mut tx = app.db().begin().await?;
    if !store::delete_calendar_day(&mut tx, day).await? {
        return Err(DomainError::not_found("calendar day").into());
    }
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Delete, RequestRecord::CalendarDay, day.to_db()),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- chains

/// A chain as its editor gives it.
#[derive(Debug, Clone, Default)]
pub struct ChainInput {
    /// Code (`access_normal`).
    pub code: String,
    /// Name.
    pub name: String,
    /// Kind of item.
    pub applies_to: String,
    /// `normal` or `major`.
    pub impact: String,
    /// Steps.
    pub steps: Vec<StepInput>,
}

/// The kinds of item chains apply to: every process that submits for approval lists its
/// own (`request::CHAIN_SUBJECTS`, …).
pub fn chain_subjects() -> impl Iterator<Item = (&'static str, castellan_domain::Text)> {
    castellan_domain::request::CHAIN_SUBJECTS
        .iter()
        .chain(castellan_domain::document::CHAIN_SUBJECTS)
        .chain(castellan_domain::training::CHAIN_SUBJECTS)
        .chain(castellan_domain::inspection::CHAIN_SUBJECTS)
        .copied()
}

fn check_chain(
    input: &ChainInput,
) -> Result<(String, String, &'static str, Impact, Vec<chain::Step>)> {
    let mut errors = FieldErrors::new();
    let code = input.code.trim();
    if code.is_empty() {
        errors.add("code", FieldErrorKind::Required);
    } else if code.len() > 40
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        errors.add(
            "code",
            FieldErrorKind::invalid(
                "1–40 lowercase letters, digits, _ or -",
                "1–40 个小写字母、数字、“_”或“-”",
            ),
        );
    }
    let name = errors.check("name", clean_text(&input.name, 1, 100));
    let applies_to = chain_subjects()
        .map(|(c, _)| c)
        .find(|c| *c == input.applies_to.trim());
    if applies_to.is_none() {
        errors.add(
            "applies_to",
            FieldErrorKind::UnknownValue {
                allowed: chain_subjects().map(|(c, _)| c).collect(),
            },
        );
    }
    let impact = errors.check("impact", Impact::from_code(input.impact.trim()));
    let steps = chain::check_steps_into(&input.steps, errors).map_err(DomainError::Validation)?;
    match (name, applies_to, impact) {
        (Some(name), Some(a), Some(i)) => Ok((code.to_owned(), name, a, i, steps)),
        _ => Err(DomainError::BadRequest("invalid chain".into()).into()),
    }
}

/// Every chain.
pub async fn chains(app: &App, ctx: &Ctx) -> Result<Vec<ChainRow>> {
    ctx.principal
        .authorize(Resource::ApprovalChain, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    Ok(store::chains(&mut conn).await?)
}

/// One chain.
pub async fn chain(app: &App, ctx: &Ctx, id: i64) -> Result<ChainRow> {
    ctx.principal
        .authorize(Resource::ApprovalChain, Action::Read, Target::Global)?;
    let mut conn = app.db().read().await?;
    store::chain(&mut conn, id)
        .await?
        .ok_or_else(|| DomainError::not_found("approval chain").into())
}

/// Creates a chain (one per kind of item and impact).
pub async fn create_chain(app: &App, ctx: &Ctx, input: &ChainInput) -> Result<ChainRow> {
    ctx.principal
        .authorize(Resource::ApprovalChain, Action::Create, Target::Global)?;
    let (code, name, applies_to, impact, steps) = check_chain(input)?;
    let mut tx = app.db().begin().await?;
    let f = ChainFields {
        code: &code,
        name: &name,
        applies_to,
        impact,
        steps: &steps,
    };
    let id = match store::insert_chain(&mut tx, &f, Timestamp::now()).await {
        Ok(id) => id,
        Err(e) if e.is_unique_violation() => return Err(KernelConflict::Duplicate.into()),
        Err(e) => return Err(e.into()),
    };
    let row = store::chain(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("approval chain"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, RequestRecord::ApprovalChain, id).after(&chain_snapshot(&row)),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Changes a chain if `version` is current. Items already submitted keep the steps they were
/// submitted with; new submissions use the new version.
pub async fn update_chain(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &ChainInput,
    version: i64,
) -> Result<ChainRow> {
    ctx.principal
        .authorize(Resource::ApprovalChain, Action::Update, Target::Global)?;
    let (code, name, applies_to, impact, steps) = check_chain(input)?;
    let mut tx = app.db().begin().await?;
    let before = store::chain(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("approval chain"))?;
    if before.version != version {
        return Err(DomainError::StaleVersion {
            current: before.version,
        }
        .into());
    }
    let f = ChainFields {
        code: &code,
        name: &name,
        applies_to,
        impact,
        steps: &steps,
    };
    match store::update_chain(&mut tx, id, &f, version, Timestamp::now()).await {
        Ok(true) => {}
        Ok(false) => {
            return Err(DomainError::StaleVersion {
                current: before.version,
            }
            .into());
        }
        Err(e) if e.is_unique_violation() => return Err(KernelConflict::Duplicate.into()),
        Err(e) => return Err(e.into()),
    }
    let after = store::chain(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("approval chain"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, RequestRecord::ApprovalChain, id)
            .before(&chain_snapshot(&before))
            .after(&chain_snapshot(&after)),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn chain_snapshot(c: &ChainRow) -> serde_json::Value {
    serde_json::json!({
        "code": c.code, "name": c.name, "applies_to": c.applies_to,
        "impact": c.impact, "steps": c.steps, "version": c.version,
    })
}

// ---------------------------------------------------------------- waiting for me

/// The error of a move the engine refused, for any process: 409 for a move the workflow
/// lacks, 403 (on `resource`) for a move that is not the caller's, 409 `self_approval`, 422
/// for a missing comment.
pub(crate) fn refusal(r: castellan_domain::workflow::Refusal, resource: Resource) -> crate::Error {
    use castellan_domain::workflow::Refusal;
    match r {
        Refusal::NotAllowed => KernelConflict::PhaseMove.into(),
        Refusal::NotYours => DomainError::Forbidden {
            resource,
            action: Action::Update,
        }
        .into(),
        Refusal::SelfApproval => KernelConflict::SelfApproval.into(),
        Refusal::CommentRequired => FieldErrors::single("comment", FieldErrorKind::Required).into(),
    }
}

/// What the caller is expected to do with a waiting item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    /// Approve, reject or return (a step of a chain, or a review).
    Decide,
    /// Carry out an approved request.
    Implement,
    /// Check a carried-out item and close it.
    Close,
    /// Revise a returned draft and submit it again.
    Revise,
    /// Triage a reported incident.
    Triage,
    /// Note a major or critical incident (the committee).
    Note,
    /// Handle an incident as one of its team.
    Handle,
    /// Put right what a rectification task asks (its responsible person).
    Rectify,
    /// Verify a rectification task reported done (its verifier).
    Verify,
    /// Make an approved document version effective.
    Publish,
    /// Review a document in force on schedule.
    Review,
    /// Read a document in force and confirm it.
    Acknowledge,
    /// Perform an inspection that is due (one of its inspectors).
    Inspect,
    /// Act on a custody record's warning (a security officer).
    Custody,
    /// Change a password handed over to the caller and enter the date.
    ChangePassword,
    /// Test a restore from a backup one owns and record it.
    TestRestore,
}

impl Expected {
    /// Label in both languages.
    pub fn label(self) -> castellan_domain::Text {
        let (en, zh) = match self {
            Expected::Decide => ("Decide", "审批"),
            Expected::Implement => ("Carry out", "实施"),
            Expected::Close => ("Check and close", "验证关闭"),
            Expected::Revise => ("Revise and resubmit", "修改后重新提交"),
            Expected::Triage => ("Triage", "研判"),
            Expected::Note => ("Note as the committee", "领导小组知悉"),
            Expected::Handle => ("Handle", "处置"),
            Expected::Rectify => ("Put right", "整改"),
            Expected::Verify => ("Verify", "验证整改"),
            Expected::Publish => ("Publish", "发布生效"),
            Expected::Review => ("Review on schedule", "定期复审"),
            Expected::Acknowledge => ("Read and confirm", "阅读确认"),
            Expected::Inspect => ("Inspect", "执行检查"),
            Expected::Custody => ("Resolve the custody warning", "处理保管预警"),
            Expected::ChangePassword => ("Change the password", "更换密码"),
            Expected::TestRestore => ("Test a restore", "进行恢复验证"),
        };
        castellan_domain::Text { en, zh }
    }
}

/// One item waiting for the caller.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Waiting {
    /// Process code (`request`, `assessment`).
    pub process: &'static str,
    /// Item id.
    pub id: i64,
    /// Readable code or name.
    pub code: String,
    /// Title.
    pub title: String,
    /// State code.
    pub state: &'static str,
    /// State label.
    #[serde(skip)]
    pub state_label: castellan_domain::Text,
    /// What the caller is expected to do.
    pub expected: Expected,
    /// The chain step, for decisions on requests.
    pub step: Option<castellan_domain::workflow::chain::Step>,
    /// Since when it waits.
    pub since: Timestamp,
    /// Its deadline, if any.
    pub due_at: Option<Timestamp>,
    /// Whether the deadline has passed.
    pub overdue: bool,
    /// For an assessment: how many of its risks wait for a committee decision.
    pub pending_risks: Option<i64>,
}

/// The most items each query contributes.
const WAITING_CAP: u32 = 200;

/// Everything waiting for the caller's decision or action, across processes, oldest first
/// (SPEC §6.0 `GET /me/approvals`).
pub async fn waiting_for_me(app: &App, ctx: &Ctx) -> Result<Vec<Waiting>> {
    use castellan_domain::request::{CLOSERS, IMPLEMENTERS, RequestStatus};
    use castellan_domain::risk::assessment::Phase;
    let me = ctx.principal.user_id;
    let now = Timestamp::now();
    let mut conn = app.db().read().await?;
    let mut out = Vec::new();
    let push_request =
        |out: &mut Vec<Waiting>, r: castellan_domain::request::Request, expected: Expected| {
            let step = r.step().cloned();
            let since = match expected {
                Expected::Decide => r.submitted_at.unwrap_or(r.updated_at),
                _ => r.updated_at,
            };
            out.push(Waiting {
                process: "request",
                id: r.id,
                overdue: r.due_at.is_some_and(|d| now > d),
                code: r.code,
                title: r.title,
                state: r.status.code(),
                state_label: r.status.label(),
                expected,
                step,
                since,
                due_at: r.due_at,
                pending_risks: None,
            });
        };
    let grants = crate::request::requests::approver_grants(&mut conn, ctx).await?;
    use castellan_store::request::requests as rq;
    for r in rq::waiting_for_approval(&mut conn, me, &grants, WAITING_CAP).await? {
        push_request(&mut out, r, Expected::Decide);
    }
    let global: Vec<castellan_domain::Role> = ctx
        .principal
        .grants
        .iter()
        .filter(|g| g.department_id.is_none())
        .map(|g| g.role)
        .collect();
    let holds = |roles: &[castellan_domain::Role]| roles.iter().any(|r| global.contains(r));
    if holds(IMPLEMENTERS) {
        for r in rq::waiting_in_status(&mut conn, RequestStatus::Approved, me, WAITING_CAP, false)
            .await?
        {
            push_request(&mut out, r, Expected::Implement);
        }
    }
    if holds(CLOSERS) {
        for r in rq::waiting_in_status(&mut conn, RequestStatus::Implemented, me, WAITING_CAP, true)
            .await?
        {
            push_request(&mut out, r, Expected::Close);
        }
    }
    for r in rq::returned_to(&mut conn, me, WAITING_CAP).await? {
        push_request(&mut out, r, Expected::Revise);
    }
    // Assessments: the plan waits for a security officer or committee member, the residual
    // report for the committee; never for their own authors.
    let mut phases = Vec::new();
    if holds(&[
        castellan_domain::Role::SecurityOfficer,
        castellan_domain::Role::Committee,
    ]) {
        phases.push(Phase::Review);
    }
    if holds(&[castellan_domain::Role::Committee]) {
        phases.push(Phase::ResidualReview);
    }
    for a in
        castellan_store::risk::assessments::waiting(&mut conn, &phases, me, WAITING_CAP).await?
    {
        out.push(Waiting {
            process: "assessment",
            id: a.id.0,
            code: format!("RA-{}", a.id.0),
            title: a.name,
            state: a.phase.code(),
            state_label: a.phase.label(),
            expected: if a.phase == Phase::ResidualReview {
                Expected::Close
            } else {
                Expected::Decide
            },
            step: None,
            since: a.updated_at,
            due_at: None,
            overdue: false,
            pending_risks: None,
        });
    }
    // High risks kept or accepted, and residual risks accepted, wait for the committee one
    // by one, whatever the assessment's phase.
    if holds(&[castellan_domain::Role::Committee]) {
        for (a, n) in castellan_store::risk::assessments::committee_decisions_waiting(
            &mut conn,
            me,
            WAITING_CAP,
        )
        .await?
        {
            out.push(Waiting {
                process: "assessment_risks",
                id: a.id.0,
                code: format!("RA-{}", a.id.0),
                title: a.name,
                state: a.phase.code(),
                state_label: a.phase.label(),
                expected: Expected::Decide,
                step: None,
                since: a.updated_at,
                due_at: None,
                overdue: false,
                pending_risks: Some(n),
            });
        }
    }
    incidents_waiting(&mut conn, me, &global, now, &mut out).await?;
    rectifications_waiting(&mut conn, me, app.settings().utc_offset(), &mut out).await?;
    crate::document::documents::waiting(
        &mut conn,
        ctx,
        crate::document::documents::today(app),
        app.settings().utc_offset(),
        WAITING_CAP,
        &mut out,
    )
    .await?;
    crate::document::acknowledgements::waiting(&mut conn, ctx, WAITING_CAP, &mut out).await?;
    crate::training::plans::waiting(&mut conn, ctx, WAITING_CAP, &mut out).await?;
    crate::goal::goals::waiting(&mut conn, ctx, WAITING_CAP, &mut out).await?;
    crate::custody::register::waiting(app, &mut conn, ctx, WAITING_CAP, &mut out).await?;
    crate::continuity::backup_plans::waiting(app, &mut conn, ctx, WAITING_CAP, &mut out).await?;
    crate::inspection::plans::waiting(
        &mut conn,
        ctx,
        crate::rectification::tasks::today(app),
        app.settings().utc_offset(),
        WAITING_CAP,
        &mut out,
    )
    .await?;
    out.sort_by(|a, b| a.since.cmp(&b.since).then(a.id.cmp(&b.id)));
    Ok(out)
}

/// Incidents waiting for the caller: triage for security officers and administrators, the
/// committee's notice of major and critical incidents, and the open incidents whose team
/// the caller is on.
async fn incidents_waiting(
    conn: &mut castellan_store::Conn,
    me: castellan_domain::UserId,
    global: &[castellan_domain::Role],
    now: Timestamp,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    use castellan_domain::incident::{Incident, TRIAGERS};
    use castellan_store::incident::incidents as inc;
    let holds = |roles: &[castellan_domain::Role]| roles.iter().any(|r| global.contains(r));
    let (d, _) = crate::incident::incidents::deadlines(conn).await?;
    let push = |out: &mut Vec<Waiting>,
                i: Incident,
                expected: Expected,
                since: Timestamp,
                due_at: Option<Timestamp>| {
        out.push(Waiting {
            process: "incident",
            id: i.id,
            overdue: due_at.is_some_and(|due| now > due),
            code: i.code,
            title: i.title,
            state: i.status.code(),
            state_label: i.status.label(),
            expected,
            step: None,
            since,
            due_at,
            pending_risks: None,
        });
    };
    if holds(TRIAGERS) {
        for i in inc::awaiting_triage(conn, WAITING_CAP).await? {
            let due = i.triage_due(d);
            let since = i.reported_at;
            push(out, i, Expected::Triage, since, Some(due));
        }
    }
    if holds(&[castellan_domain::Role::Committee]) {
        for i in inc::awaiting_committee(conn, WAITING_CAP).await? {
            let due = i.notice_due(d);
            let since = i.triaged_at.unwrap_or(i.reported_at);
            push(out, i, Expected::Note, since, due);
        }
    }
    for i in inc::handled_by(conn, me, WAITING_CAP).await? {
        let since = i.updated_at;
        push(out, i, Expected::Handle, since, None);
    }
    Ok(())
}

/// Rectification tasks waiting for the caller: those they must put right (with their due
/// day) and those reported done that they verify.
async fn rectifications_waiting(
    conn: &mut castellan_store::Conn,
    me: castellan_domain::UserId,
    offset: time::UtcOffset,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let today = castellan_domain::Day::of_at(Timestamp::now(), offset);
    let (to_do, to_verify) = crate::rectification::tasks::waiting(conn, me, WAITING_CAP).await?;
    for (t, expected) in to_do
        .into_iter()
        .map(|t| (t, Expected::Rectify))
        .chain(to_verify.into_iter().map(|t| (t, Expected::Verify)))
    {
        let since = match expected {
            Expected::Verify => t.done_at.unwrap_or(t.updated_at),
            _ => t.created_at,
        };
        // Due at the end of its due day, in the organization's time.
        let due_at = (expected == Expected::Rectify).then(|| t.due_on.next().start_at(offset));
        out.push(Waiting {
            process: "rectification",
            id: t.id,
            overdue: expected == Expected::Rectify && t.overdue(today),
            title: t.description.chars().take(120).collect(),
            code: t.code,
            state: t.status.code(),
            state_label: t.status.label(),
            expected,
            step: None,
            since,
            due_at,
            pending_risks: None,
        });
    }
    Ok(())
}

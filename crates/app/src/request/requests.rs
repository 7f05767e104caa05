//! Approval requests: asking, submitting along the approval chain, deciding step by step,
//! carrying out and closing; and the access-change requests opened by themselves, due by
//! the end of the next working day.

use crate::audit::{self, Actor, Event};
use crate::error::Result;
use crate::workflow::due_next_working_day;
use crate::{App, Ctx};
use castellan_domain::audit::Verb;
use castellan_domain::error::KernelConflict;
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::org::User;
use castellan_domain::paging::{Cursor, Page, Sort, parse_limit};
use castellan_domain::permission::Scope;
use castellan_domain::request::audit::{RequestAction, RequestRecord};
use castellan_domain::request::{self as rules, FLOW, Origin, Request, RequestKind, RequestStatus};
use castellan_domain::values::{clean_multiline, clean_text};
use castellan_domain::workflow::chain::Impact;
use castellan_domain::workflow::{Approval, Caller, Decision, MoveKind, MoveRecord, Refusal};
use castellan_domain::{
    Action, DomainError, FieldErrorKind, FieldErrors, Resource, Target, Timestamp,
};
use castellan_store::Conn;
use castellan_store::org::{departments, users};
use castellan_store::request::requests::{self as store, ApproverGrant, RequestFilter, StepKeyRow};
use castellan_store::workflow as wf;

mod access;
mod export;
mod moves;

pub(crate) use access::open_access_change;
pub use export::{EXPORT_CAP, export, export_xlsx};
pub use moves::{decide, transition};

/// A request as asked for.
#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    /// Kind code.
    pub kind: String,
    /// Title.
    pub title: String,
    /// What and why.
    pub description: Option<String>,
    /// `normal` (default) or `major`.
    pub impact: Option<String>,
    /// The asset concerned.
    pub asset_id: Option<i64>,
    /// For access requests: the person whose access changes (default: the requester).
    pub subject_user_id: Option<i64>,
    /// The asset concerned, by its asset ID (forms; `asset_id` wins when both are given).
    pub asset_code: Option<String>,
    /// For access requests: the person concerned, by username (forms; `subject_user_id`
    /// wins when both are given).
    pub subject_username: Option<String>,
}

/// A request as its readers see it.
#[derive(Debug, Clone)]
pub struct RequestView {
    /// The record.
    pub request: Request,
    /// The statuses the caller may move it to now.
    pub allowed_transitions: Vec<RequestStatus>,
    /// The decisions the caller may record now (approvers of the current step).
    pub allowed_decisions: Vec<Decision>,
    /// Whether the caller may still edit it (its requester, while a draft).
    pub may_edit: bool,
    /// Whether the deadline is breached now.
    pub breached: bool,
    /// The decisions so far, oldest first.
    pub approvals: Vec<Approval>,
}

const PROCESS: &str = FLOW.process;

use crate::workflow::runs::Origin as Facts;

/// Department facts, looked up once per department for a page of requests.
type FactsCache = std::collections::HashMap<Option<castellan_domain::DepartmentId>, Facts>;

async fn cached_facts(conn: &mut Conn, cache: &mut FactsCache, r: &Request) -> Result<Facts> {
    if let Some(f) = cache.get(&r.department_id) {
        return Ok(f.clone());
    }
    let f = facts(conn, r).await?;
    cache.insert(r.department_id, f.clone());
    Ok(f)
}

async fn facts(conn: &mut Conn, r: &Request) -> Result<Facts> {
    // A head asking for something is approved by the head above them.
    Facts::of(conn, r.department_id, r.requester_id).await
}

/// Whether the caller approves the request's current step and has not decided on it yet
/// (`approvals`: the request's decisions).
fn step_approver(ctx: &Ctx, r: &Request, f: &Facts, approvals: &[Approval]) -> bool {
    let Some(step) = r.step() else {
        return false;
    };
    if r.status != RequestStatus::Submitted {
        return false;
    }
    if !f.names(ctx, step) {
        return false;
    }
    !approvals.iter().any(|a| {
        a.round == r.round
            && Some(a.step) == r.current_step
            && a.approver_id == Some(ctx.principal.user_id)
    })
}

async fn view(conn: &mut Conn, ctx: &Ctx, request: Request) -> Result<RequestView> {
    let approvals = wf::approvals(conn, PROCESS, request.id).await?;
    let f = facts(conn, &request).await?;
    Ok(view_with(ctx, request, &f, approvals))
}

/// Views of a page of requests: their decisions in one query, their departments (with the
/// departments above, for the heads) in two.
async fn views(conn: &mut Conn, ctx: &Ctx, requests: Vec<Request>) -> Result<Vec<RequestView>> {
    let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
    let mut by_item: std::collections::HashMap<i64, Vec<Approval>> =
        std::collections::HashMap::new();
    for (item, a) in wf::approvals_of(conn, PROCESS, &ids).await? {
        by_item.entry(item).or_default().push(a);
    }
    let mut dept_ids: Vec<castellan_domain::DepartmentId> =
        requests.iter().filter_map(|r| r.department_id).collect();
    dept_ids.sort();
    dept_ids.dedup();
    let own = departments::get_many(conn, &dept_ids).await?;
    let mut above: Vec<castellan_domain::DepartmentId> =
        own.iter().flat_map(|d| d.path.0.iter().copied()).collect();
    above.sort();
    above.dedup();
    let heads: std::collections::HashMap<castellan_domain::DepartmentId, Option<UserId>> =
        departments::get_many(conn, &above)
            .await?
            .into_iter()
            .map(|d| (d.id, d.head_id))
            .collect();
    let mut cache = FactsCache::new();
    for d in own {
        let head = d
            .path
            .0
            .iter()
            .rev()
            .find_map(|a| heads.get(a).copied().flatten());
        cache.insert(
            Some(d.id),
            Facts {
                path: Some(d.path),
                head,
            },
        );
    }
    let mut out = Vec::with_capacity(requests.len());
    for r in requests {
        let f = cached_facts(conn, &mut cache, &r).await?;
        let approvals = by_item.remove(&r.id).unwrap_or_default();
        out.push(view_with(ctx, r, &f, approvals));
    }
    Ok(out)
}

fn view_with(ctx: &Ctx, request: Request, f: &Facts, approvals: Vec<Approval>) -> RequestView {
    let roles = ctx.principal.roles_over(f.path.as_ref());
    let approver = step_approver(ctx, &request, f, &approvals);
    let caller = Caller {
        user: ctx.principal.user_id,
        roles: &roles,
        step_approver: approver,
    };
    let subject = rules::subject(
        request.requester_id,
        request.created_by,
        request.submitted_by,
    );
    let allowed_transitions = FLOW.allowed(request.status, &caller, &subject);
    let allowed_decisions = if request.status == RequestStatus::Submitted {
        [Decision::Approve, Decision::Reject, Decision::Return]
            .into_iter()
            .filter(|d| {
                castellan_domain::workflow::may_act(
                    castellan_domain::workflow::Who::Approver,
                    d.kind(),
                    &caller,
                    &subject,
                )
            })
            .collect()
    } else {
        Vec::new()
    };
    let may_edit = request.status == RequestStatus::Draft
        && request.requester_id == Some(ctx.principal.user_id);
    let breached = request.is_breached(Timestamp::now());
    RequestView {
        request,
        allowed_transitions,
        allowed_decisions,
        may_edit,
        breached,
        approvals,
    }
}

/// Whether the caller may read the request: a reader whose scope covers its department, or
/// one of its people (requester, the person concerned, an approver of the current step, or
/// someone who already decided on it). Others are told it does not exist.
async fn ensure_readable(conn: &mut Conn, ctx: &Ctx, r: &Request) -> Result<()> {
    let me = ctx.principal.user_id;
    // Drafts are their requester's alone, even for the person an access request names.
    if r.requester_id == Some(me)
        || r.subject_user_id == Some(me) && r.status != RequestStatus::Draft
    {
        return Ok(());
    }
    let f = facts(conn, r).await?;
    let target = match &f.path {
        Some(p) => Target::Department(p),
        None => Target::Global,
    };
    // Others' drafts are their requester's alone; a submitted request is read by those
    // who oversee its department and by the heads of the departments above it.
    if r.status != RequestStatus::Draft {
        if ctx
            .principal
            .is_allowed(Resource::RequestRegister, Action::Read, target)
        {
            return Ok(());
        }
        if let Some(path) = &f.path {
            let headed = departments::headed_by(conn, me).await?;
            if headed.iter().any(|d| path.is_within(d.id)) {
                return Ok(());
            }
        }
    }
    let approvals = wf::approvals(conn, PROCESS, r.id).await?;
    if step_approver(ctx, r, &f, &approvals) || approvals.iter().any(|a| a.approver_id == Some(me))
    {
        return Ok(());
    }
    Err(DomainError::not_found("request").into())
}

async fn load(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<Request> {
    let r = store::get(conn, id)
        .await?
        .ok_or(DomainError::not_found("request"))?;
    ensure_readable(conn, ctx, &r).await?;
    Ok(r)
}

struct Checked {
    kind: RequestKind,
    title: String,
    description: Option<String>,
    impact: Impact,
    asset_id: Option<AssetId>,
    subject_user_id: Option<UserId>,
}

async fn check_input(conn: &mut Conn, ctx: &Ctx, input: &RequestInput) -> Result<Checked> {
    let mut errors = FieldErrors::new();
    let kind = errors.check("kind", RequestKind::from_code(input.kind.trim()));
    let title = errors.check("title", clean_text(&input.title, 1, 200));
    let description = errors.check(
        "description",
        clean_multiline(input.description.as_deref(), 4000),
    );
    let impact = match input
        .impact
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(Impact::Normal),
        Some(i) => errors.check("impact", Impact::from_code(i)),
    };
    let by_code = match input
        .asset_code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        None => None,
        Some(code) => match castellan_store::asset::assets::find_by_code(conn, code).await? {
            Some(a) => Some(a.id.0),
            None => {
                errors.add("asset_code", FieldErrorKind::NoSuchRecord);
                None
            }
        },
    };
    let asset_id = match input.asset_id.or(by_code) {
        None => None,
        Some(a) => {
            if castellan_store::asset::assets::get(conn, AssetId(a))
                .await?
                .is_none()
            {
                errors.add("asset_id", FieldErrorKind::NoSuchRecord);
            }
            Some(AssetId(a))
        }
    };
    let by_username = match input
        .subject_username
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        None => None,
        Some(name) => match users::find_by_username(conn, name).await? {
            Some(u) => Some(u.id.0),
            None => {
                errors.add("subject_username", FieldErrorKind::NoSuchRecord);
                None
            }
        },
    };
    let subject_user_id = match (kind, input.subject_user_id.or(by_username)) {
        (Some(k), s) if k.is_access() => {
            let id = UserId(s.unwrap_or(ctx.principal.user_id.0));
            if users::get(conn, id).await?.is_none() {
                errors.add("subject_user_id", FieldErrorKind::NoSuchRecord);
            }
            Some(id)
        }
        (_, Some(_)) => {
            errors.add(
                "subject_user_id",
                FieldErrorKind::invalid(
                    "only access requests name a person",
                    "只有权限申请需要填写涉及人员",
                ),
            );
            None
        }
        _ => None,
    };
    errors.into_result()?;
    match (kind, title, description, impact) {
        (Some(kind), Some(title), Some(description), Some(impact)) => Ok(Checked {
            kind,
            title,
            description,
            impact,
            asset_id,
            subject_user_id,
        }),
        _ => Err(DomainError::BadRequest("invalid request".into()).into()),
    }
}

async fn next_code(conn: &mut Conn, now: Timestamp) -> Result<String> {
    let year = now.datetime().year();
    let n = wf::next_number(conn, &format!("REQ-{year}")).await?;
    Ok(format!("REQ-{year}-{n:05}"))
}

/// Asks for something: a draft of the caller's, to be submitted.
pub async fn create(app: &App, ctx: &Ctx, input: &RequestInput) -> Result<RequestView> {
    let mut tx = app.db().begin().await?;
    let me = users::get(&mut tx, ctx.principal.user_id).await?;
    // One asks from one's own department: a grant limited to it (or above it) is enough.
    let home = match me.as_ref().and_then(|u| u.department_id) {
        Some(d) => departments::get(&mut tx, d).await?.map(|d| d.path),
        None => None,
    };
    ctx.principal.authorize(
        Resource::Request,
        Action::Create,
        home.as_ref().map_or(Target::Global, Target::Department),
    )?;
    let c = check_input(&mut tx, ctx, input).await?;
    let now = Timestamp::now();
    let r = Request {
        id: 0,
        code: next_code(&mut tx, now).await?,
        kind: c.kind,
        title: c.title,
        description: c.description,
        impact: c.impact,
        requester_id: (!ctx.system).then_some(ctx.principal.user_id),
        department_id: me.and_then(|u| u.department_id),
        asset_id: c.asset_id,
        subject_user_id: c.subject_user_id,
        origin: Origin::User,
        status: RequestStatus::Draft,
        chain_id: None,
        chain_version: None,
        steps: Vec::new(),
        round: 0,
        current_step: None,
        submitted_by: None,
        submitted_at: None,
        due_at: None,
        implemented_at: None,
        implemented_by: None,
        deadline_met: None,
        created_by: (!ctx.system).then_some(ctx.principal.user_id),
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let id = store::insert(&mut tx, &r, None).await?;
    let saved = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("request"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Create, RequestRecord::Request, id).after(&snapshot(&saved)),
    )
    .await?;
    let v = view(&mut tx, ctx, saved).await?;
    tx.commit().await?;
    Ok(v)
}

/// Changes a draft (its requester only) if `version` is current.
pub async fn update(
    app: &App,
    ctx: &Ctx,
    id: i64,
    input: &RequestInput,
    version: i64,
) -> Result<RequestView> {
    let mut tx = app.db().begin().await?;
    let before = load(&mut tx, ctx, id).await?;
    if before.requester_id != Some(ctx.principal.user_id) {
        return Err(DomainError::Forbidden {
            resource: Resource::Request,
            action: Action::Update,
        }
        .into());
    }
    if before.status != RequestStatus::Draft {
        return Err(KernelConflict::PhaseMove.into());
    }
    check_version(&before, version)?;
    let c = check_input(&mut tx, ctx, input).await?;
    let mut r = before.clone();
    r.kind = c.kind;
    r.title = c.title;
    r.description = c.description;
    r.impact = c.impact;
    r.asset_id = c.asset_id;
    r.subject_user_id = c.subject_user_id;
    save(&mut tx, &r, None).await?;
    let after = store::get(&mut tx, id)
        .await?
        .ok_or(DomainError::not_found("request"))?;
    audit::record(
        &mut tx,
        &ctx.actor(),
        Event::new(Verb::Update, RequestRecord::Request, id)
            .before(&snapshot(&before))
            .after(&snapshot(&after)),
    )
    .await?;
    let v = view(&mut tx, ctx, after).await?;
    tx.commit().await?;
    Ok(v)
}

fn check_version(r: &Request, version: i64) -> Result<()> {
    if r.version != version {
        return Err(DomainError::StaleVersion { current: r.version }.into());
    }
    Ok(())
}

async fn save(conn: &mut Conn, r: &Request, key: Option<&StepKeyRow>) -> Result<()> {
    if !store::save(conn, r, key, Timestamp::now()).await? {
        return Err(DomainError::StaleVersion { current: r.version }.into());
    }
    Ok(())
}

/// One request.
pub async fn get(app: &App, ctx: &Ctx, id: i64) -> Result<RequestView> {
    let mut conn = app.db().read().await?;
    let r = load(&mut conn, ctx, id).await?;
    view(&mut conn, ctx, r).await
}

/// A request's moves, oldest first (its decisions come with [`get`]).
pub async fn moves(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<MoveRecord>> {
    let mut conn = app.db().read().await?;
    load(&mut conn, ctx, id).await?;
    Ok(wf::moves(&mut conn, PROCESS, id).await?)
}

/// Filters of the request list.
#[derive(Debug, Clone, Default)]
pub struct RequestQuery {
    /// Status code.
    pub status: Option<String>,
    /// Kind code.
    pub kind: Option<String>,
    /// Origin code.
    pub origin: Option<String>,
    /// `true`: only breached deadlines; `false`: only met.
    pub breached: Option<bool>,
    /// Only the caller's own requests.
    pub mine: bool,
    /// The person concerned.
    pub subject_user_id: Option<i64>,
    /// The asset concerned.
    pub asset_id: Option<i64>,
    /// Search words.
    pub q: Option<String>,
    /// Sort (`-created_at` default, `due_at`).
    pub sort: Option<String>,
    /// Cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// The list filter for the caller: readers see their scope; everyone sees their own.
async fn filter_for(conn: &mut Conn, ctx: &Ctx, query: &RequestQuery) -> Result<RequestFilter> {
    let mut errors = FieldErrors::new();
    let code = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let status =
        code(&query.status).and_then(|s| errors.check("status", RequestStatus::from_code(&s)));
    let kind = code(&query.kind).and_then(|s| errors.check("kind", RequestKind::from_code(&s)));
    let origin = code(&query.origin).and_then(|s| errors.check("origin", Origin::from_code(&s)));
    errors.into_result()?;
    let scope_paths = match ctx
        .principal
        .read_scope(Resource::RequestRegister, Action::Read)
    {
        Ok(Scope::All) => None,
        Ok(Scope::Departments(ids)) => {
            let mut paths = Vec::new();
            for d in departments::get_many(conn, &ids).await? {
                paths.push(d.path.to_db());
            }
            Some(paths)
        }
        Err(_) => Some(Vec::new()),
    };
    let me = ctx.principal.user_id;
    let (scope_paths, party) = match scope_paths {
        None => (None, None),
        Some(mut p) => {
            // A department head sees the requests of the departments they head.
            for d in departments::headed_by(conn, me).await? {
                p.push(d.path.to_db());
            }
            (Some(p), Some(me))
        }
    };
    Ok(RequestFilter {
        status,
        kind,
        origin,
        breached: query.breached,
        requester_id: query.mine.then_some(me),
        subject_user_id: query.subject_user_id.map(UserId),
        asset_id: query.asset_id.map(AssetId),
        q: query.q.clone(),
        scope_paths,
        party,
        viewer: Some(me),
    })
}

/// One page of requests, newest first, with the total count.
pub async fn list(app: &App, ctx: &Ctx, query: &RequestQuery) -> Result<(Page<RequestView>, i64)> {
    let mut errors = FieldErrors::new();
    let limit = errors.check("limit", parse_limit(query.limit));
    let sort = errors.check(
        "sort",
        Sort::parse(
            Some(query.sort.as_deref().unwrap_or("-created_at")),
            store::SORTS,
        ),
    );
    errors.into_result()?;
    let (Some(limit), Some(sort)) = (limit, sort) else {
        return Err(DomainError::BadRequest("invalid query".into()).into());
    };
    let after = query
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, &sort.code(), 2))
        .transpose()?;
    let mut conn = app.db().read().await?;
    let filter = filter_for(&mut conn, ctx, query).await?;
    let now = Timestamp::now();
    let (items, next) = store::list(&mut conn, &filter, now, sort, after.as_ref(), limit).await?;
    let total = store::count(&mut conn, &filter, now).await?;
    let views = views(&mut conn, ctx, items).await?;
    Ok((
        Page {
            items: views,
            next_cursor: next.map(|c| c.encode()),
        },
        total,
    ))
}

/// The grants as "waiting for me" matches them against steps.
pub(crate) async fn approver_grants(conn: &mut Conn, ctx: &Ctx) -> Result<Vec<ApproverGrant>> {
    let mut out = Vec::new();
    for g in &ctx.principal.grants {
        let path = match g.department_id {
            None => None,
            Some(d) => match departments::get(conn, d).await? {
                Some(dept) => Some(dept.path.to_db()),
                None => continue,
            },
        };
        out.push(ApproverGrant { role: g.role, path });
    }
    Ok(out)
}

fn snapshot(r: &Request) -> serde_json::Value {
    serde_json::json!({
        "code": r.code, "kind": r.kind, "title": r.title, "description": r.description,
        "impact": r.impact, "status": r.status, "asset_id": r.asset_id.map(|a| a.0),
        "subject_user_id": r.subject_user_id.map(|u| u.0),
    })
}

/// Display names of users, for showing the people of requests the caller has already read
/// (requester, the person concerned, approvers, movers).
pub async fn display_names(
    app: &App,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, String>> {
    let mut conn = app.db().read().await?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        if let Some(u) = users::get(&mut conn, *id).await? {
            out.insert(*id, u.display_name);
        }
    }
    Ok(out)
}

/// Usernames of users, for filling a people field with the people of a record the caller
/// has already read.
pub async fn usernames(
    app: &App,
    ids: &[UserId],
) -> Result<std::collections::HashMap<UserId, String>> {
    let mut conn = app.db().read().await?;
    let mut out = std::collections::HashMap::new();
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        if let Some(u) = users::get(&mut conn, *id).await? {
            out.insert(*id, u.username.clone());
        }
    }
    Ok(out)
}

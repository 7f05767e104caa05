//! The custody register: each record with the warnings it raises now (computed from the
//! record, its people as they are now, its last handover, the clock and the working-day
//! calendar), the list filtered, sorted and paged over those lines, the warning counts,
//! and what waits for the security officer and for a new holder.

use crate::error::Result;
use crate::workflow::{Expected, Waiting};
use crate::{App, Ctx};
use castellan_domain::custody::audit::CustodyAction;
use castellan_domain::custody::{self as rules, CustodyWarning, LastHandover, Person};
use castellan_domain::ids::{AssetId, UserId};
use castellan_domain::paging::{KeyValue, Page};
use castellan_domain::values::clean_text;
use castellan_domain::workflow::calendar::Calendar;
use castellan_domain::{Action, FieldErrorKind, FieldErrors, Resource, Role, Target, Timestamp};
use castellan_store::Conn;
use castellan_store::custody::records::{self as store, CustodyFacts, CustodyFilter};

/// Whether the caller reads the whole register.
pub(super) fn reads_register(ctx: &Ctx) -> bool {
    ctx.principal
        .is_allowed(Resource::CustodyRegister, Action::Read, Target::Global)
}

/// A record with its facts and the warnings it raises now.
#[derive(Debug, Clone)]
pub struct CustodyLine {
    /// The record, its system, its people as they are now and its last handover.
    pub facts: CustodyFacts,
    /// What a security officer must act on.
    pub warnings: Vec<CustodyWarning>,
    /// When the password must be changed next.
    pub change_due_at: Timestamp,
    /// The deadline of the password change after the last handover, while it is not
    /// entered.
    pub handover_deadline: Option<Timestamp>,
}

fn line(facts: CustodyFacts, cal: &Calendar, app: &App, now: Timestamp) -> CustodyLine {
    let c = &facts.custody;
    let last = facts.last.map(|h| LastHandover {
        at: h.at,
        password_changed_at: h.password_changed_at,
        deadline: cal.end_of_next_working_day(h.at, app.settings().utc_offset()),
    });
    let person = |active: bool, department_id| Person {
        active,
        department_id,
    };
    let warnings = rules::warnings(
        c,
        person(facts.holder.active, facts.holder.department_id),
        facts
            .backup
            .as_ref()
            .map(|b| person(b.active, b.department_id)),
        last,
        now,
    );
    let handover_deadline = last
        .filter(|h| h.password_changed_at.is_none() && c.last_changed_at.is_none_or(|t| t < h.at))
        .map(|h| h.deadline);
    CustodyLine {
        change_due_at: c.change_due_at(),
        handover_deadline,
        warnings,
        facts,
    }
}

pub(super) async fn lines(
    app: &App,
    conn: &mut Conn,
    filter: &CustodyFilter,
    now: Timestamp,
) -> Result<Vec<CustodyLine>> {
    let facts = store::facts(conn, filter).await?;
    let cal = crate::workflow::calendar(conn).await?;
    Ok(facts.into_iter().map(|f| line(f, &cal, app, now)).collect())
}

/// The list sorts: the system (then the account), when the next change is due, and how
/// many warnings a record raises.
pub const SORTS: &[&str] = &["asset", "change_due", "warnings"];

/// The custody list's query.
#[derive(Debug, Clone, Default)]
pub struct CustodyQuery {
    /// A warning code, or `any` for records with at least one warning.
    pub warning: Option<String>,
    /// The system.
    pub asset_id: Option<i64>,
    /// Held or backed up by.
    pub person_id: Option<i64>,
    /// `active` (default), `retired` or `all`.
    pub state: Option<String>,
    /// Words of the account, the system or a person's name.
    pub q: Option<String>,
    /// `asset` (default), `change_due`, `warnings`, `-` for descending.
    pub sort: Option<String>,
    /// Page cursor.
    pub cursor: Option<String>,
    /// Page size.
    pub limit: Option<i64>,
}

/// Which warnings a list asks for.
#[derive(Debug, Clone, Copy)]
enum WarningFilter {
    Any,
    One(CustodyWarning),
}

fn sort_key(l: &CustodyLine, field: &str) -> KeyValue {
    match field {
        "change_due" => KeyValue::Text(l.change_due_at.to_db()),
        "warnings" => KeyValue::Int(l.warnings.len() as i64),
        _ => KeyValue::Text(format!(
            "{}\u{1f}{}",
            l.facts.asset_code, l.facts.custody.account
        )),
    }
}

fn compare(a: &KeyValue, b: &KeyValue) -> std::cmp::Ordering {
    match (a, b) {
        (KeyValue::Int(x), KeyValue::Int(y)) => x.cmp(y),
        (KeyValue::Text(x), KeyValue::Text(y)) => x.cmp(y),
        (KeyValue::Int(_), KeyValue::Text(_)) => std::cmp::Ordering::Less,
        (KeyValue::Text(_), KeyValue::Int(_)) => std::cmp::Ordering::Greater,
    }
}

/// One page of the records the caller sees, with their warnings, and how many match.
/// The register's readers see every record; anyone else the ones they hold or back up.
pub async fn list(app: &App, ctx: &Ctx, query: &CustodyQuery) -> Result<(Page<CustodyLine>, i64)> {
    let (page, total, _) = register(app, ctx, query).await?;
    Ok((page, total))
}

/// How many active records raise each warning, among `lines`.
fn counts(lines: &[CustodyLine]) -> Vec<(CustodyWarning, i64)> {
    CustodyWarning::ALL
        .iter()
        .map(|w| {
            let n = lines
                .iter()
                .filter(|l| l.facts.custody.active && l.warnings.contains(w))
                .count();
            (*w, n as i64)
        })
        .collect()
}

/// The list's page and total, with the warning counts over the records the filters other
/// than the warning select (one pass over the records, for the register page).
pub async fn register(
    app: &App,
    ctx: &Ctx,
    query: &CustodyQuery,
) -> Result<(Page<CustodyLine>, i64, Vec<(CustodyWarning, i64)>)> {
    ctx.principal
        .authorize(Resource::Custody, Action::Read, Target::Global)?;
    let args = crate::paging::args(
        query.limit,
        query.sort.as_deref(),
        "asset",
        SORTS,
        query.cursor.as_deref(),
    )?;
    let mut errors = FieldErrors::new();
    let warning = match query.warning.as_deref().map(str::trim) {
        None | Some("") => None,
        Some("any") => Some(WarningFilter::Any),
        Some(code) => errors
            .check("warning", CustodyWarning::from_code(code))
            .map(WarningFilter::One),
    };
    let active = match query.state.as_deref().map(str::trim) {
        None | Some("") | Some("active") => Some(true),
        Some("retired") => Some(false),
        Some("all") => None,
        Some(_) => {
            errors.add(
                "state",
                FieldErrorKind::UnknownValue {
                    allowed: vec!["active", "retired", "all"],
                },
            );
            None
        }
    };
    let q = match query.q.as_deref() {
        Some(s) => errors.check("q", clean_text(s, 0, 200)),
        None => None,
    };
    if let Some(after) = &args.after
        && !matches!(
            (after.keys.first(), args.sort.field),
            (Some(KeyValue::Int(_)), "warnings")
                | (Some(KeyValue::Text(_)), "asset" | "change_due")
        )
    {
        return Err(castellan_domain::paging::Cursor::invalid().into());
    }
    errors.into_result()?;
    let mine = !reads_register(ctx);
    let filter = CustodyFilter {
        id: None,
        asset: query.asset_id.map(AssetId),
        person: if mine {
            Some(ctx.principal.user_id)
        } else {
            query.person_id.map(UserId)
        },
        active,
        q,
    };
    let mut conn = app.db().read().await?;
    let mut all = lines(app, &mut conn, &filter, Timestamp::now()).await?;
    let counts = counts(&all);
    all.retain(|l| match warning {
        None => true,
        Some(WarningFilter::Any) => !l.warnings.is_empty(),
        Some(WarningFilter::One(w)) => l.warnings.contains(&w),
    });
    // A person outside the register sees their records even when another filter names
    // someone else: the person filter above is theirs.
    if mine && let Some(p) = query.person_id {
        all.retain(|l| {
            l.facts.holder.id.0 == p || l.facts.backup.as_ref().is_some_and(|b| b.id.0 == p)
        });
    }
    let total = all.len() as i64;
    let field = args.sort.field;
    let mut keyed: Vec<(KeyValue, i64, CustodyLine)> = all
        .into_iter()
        .map(|l| (sort_key(&l, field), l.facts.custody.id, l))
        .collect();
    keyed.sort_by(|a, b| compare(&a.0, &b.0).then(a.1.cmp(&b.1)));
    if args.sort.descending {
        keyed.reverse();
    }
    if let Some(after) = &args.after {
        let (Some(key), Some(KeyValue::Int(id))) = (after.keys.first().cloned(), after.keys.get(1))
        else {
            return Err(castellan_domain::paging::Cursor::invalid().into());
        };
        let id = *id;
        keyed.retain(|(k, i, _)| {
            let ord = compare(k, &key).then(i.cmp(&id));
            if args.sort.descending {
                ord.is_lt()
            } else {
                ord.is_gt()
            }
        });
    }
    let limit = args.limit as usize;
    let next_cursor = keyed
        .get(limit.saturating_sub(1))
        .filter(|_| keyed.len() > limit)
        .map(|(k, id, _)| {
            castellan_domain::paging::Cursor {
                sort: args.sort.code(),
                keys: vec![k.clone(), KeyValue::Int(*id)],
            }
            .encode()
        });
    keyed.truncate(limit);
    Ok((
        Page {
            items: keyed.into_iter().map(|(_, _, l)| l).collect(),
            next_cursor,
        },
        total,
        counts,
    ))
}

/// How many active records raise each warning (the register's readers; zero for the
/// others' own records too, counted over what they see).
pub async fn warning_counts(app: &App, ctx: &Ctx) -> Result<Vec<(CustodyWarning, i64)>> {
    ctx.principal
        .authorize(Resource::Custody, Action::Read, Target::Global)?;
    let filter = CustodyFilter {
        person: (!reads_register(ctx)).then_some(ctx.principal.user_id),
        active: Some(true),
        ..CustodyFilter::default()
    };
    let mut conn = app.db().read().await?;
    let all = lines(app, &mut conn, &filter, Timestamp::now()).await?;
    Ok(counts(&all))
}

/// Custody waiting for the caller: for a security officer (organization-wide), each active
/// record with a warning; for a new holder, the password change after a handover to them.
pub(crate) async fn waiting(
    app: &App,
    conn: &mut Conn,
    ctx: &Ctx,
    limit: u32,
    out: &mut Vec<Waiting>,
) -> Result<()> {
    let now = Timestamp::now();
    let me = ctx.principal.user_id;
    let officer = ctx
        .principal
        .grants
        .iter()
        .any(|g| g.role == Role::SecurityOfficer && g.department_id.is_none());
    let changes = store::unchanged_handovers_to(conn, me).await?;
    if !officer && changes.is_empty() {
        return Ok(());
    }
    let filter = CustodyFilter {
        active: Some(true),
        person: (!officer).then_some(me),
        ..CustodyFilter::default()
    };
    let all = lines(app, conn, &filter, now).await?;
    for h in changes {
        let Some(l) = all.iter().find(|l| l.facts.custody.id == h.custody_id) else {
            continue;
        };
        let due = l.handover_deadline;
        out.push(Waiting {
            process: "custody",
            id: h.custody_id,
            code: l.facts.asset_code.clone(),
            title: l.facts.custody.account.clone(),
            state: CustodyAction::Handover.code(),
            state_label: CustodyAction::Handover.label(),
            expected: Expected::ChangePassword,
            step: None,
            since: h.at,
            due_at: due,
            overdue: due.is_some_and(|d| now > d),
            pending_risks: None,
        });
    }
    if officer {
        for l in all
            .iter()
            .filter(|l| !l.warnings.is_empty())
            .take(limit as usize)
        {
            let Some(&first) = l.warnings.first() else {
                continue;
            };
            let since = match first {
                CustodyWarning::ChangeOverdue => l.change_due_at,
                CustodyWarning::HandoverUnchanged => {
                    l.handover_deadline.unwrap_or(l.facts.custody.updated_at)
                }
                _ => l.facts.custody.updated_at,
            };
            out.push(Waiting {
                process: "custody",
                id: l.facts.custody.id,
                code: l.facts.asset_code.clone(),
                title: l.facts.custody.account.clone(),
                state: first.code(),
                state_label: first.label(),
                expected: Expected::Custody,
                step: None,
                since,
                due_at: None,
                overdue: true,
                pending_risks: None,
            });
        }
    }
    Ok(())
}

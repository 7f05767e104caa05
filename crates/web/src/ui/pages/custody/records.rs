//! The custody record pages: the record page (warnings with what to do, handovers,
//! history) and the keepers' forms: new record, handover, password change, changes, retire
//! and reactivate.

use super::register::{person_label, severe};
use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::pages::inspection::{refusal, usernames};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{
    self, FormErrors, HistoryItem, Names, from_local_input, local_input, some, when,
};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::custody::records::{self, CustodyChange, FormNames};
use castellan_domain::custody::{CustodyInput, CustodyWarning, HandoverInput};
use castellan_domain::{FieldErrorKind, FieldErrors, UserId};
use serde::Deserialize;
use std::collections::HashMap;

/// What the keeper should do about a warning.
fn remedy(tx: &texts::Messages, w: CustodyWarning) -> &'static str {
    match w {
        CustodyWarning::NoBackup => tx.do_no_backup,
        CustodyWarning::HolderDisabled => tx.do_holder_disabled,
        CustodyWarning::HolderMoved => tx.do_holder_moved,
        CustodyWarning::BackupDisabled => tx.do_backup_disabled,
        CustodyWarning::BackupMoved => tx.do_backup_moved,
        CustodyWarning::ChangeOverdue => tx.do_change_overdue,
        CustodyWarning::HandoverUnchanged => tx.do_handover_unchanged,
    }
}

/// A new record as typed.
#[derive(Deserialize, Default, Clone)]
pub struct NewForm {
    #[serde(default)]
    system: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    holder: String,
    #[serde(default)]
    backup: String,
    #[serde(default)]
    last_changed: String,
    #[serde(default)]
    interval: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "custody/new.html")]
struct NewPage {
    page: Page,
    tx: &'static texts::Messages,
    systems: Vec<(String, String)>,
    v: NewForm,
    max_time: String,
    errors: FormErrors,
    error: Option<String>,
}

async fn new_page(
    state: &AppState,
    web: &Web,
    v: NewForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let systems = records::key_systems(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(render::page_response(
        status,
        &NewPage {
            page: Page::new(web, Some(Section::Custody), None),
            tx: tx(web.lang()),
            systems,
            max_time: local_input(state, castellan_domain::Timestamp::now()),
            v,
            errors,
            error,
        },
    ))
}

/// `GET /custody/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let v = NewForm {
        interval: castellan_domain::custody::DEFAULT_INTERVAL_DAYS.to_string(),
        ..NewForm::default()
    };
    new_page(&state, &web, v, FormErrors::none(), None, StatusCode::OK).await
}

/// A time typed in a `datetime-local` field, or an error on `field`.
fn typed_time(
    state: &AppState,
    raw: &str,
    field: &str,
    errors: &mut FieldErrors,
) -> Option<castellan_domain::Timestamp> {
    if raw.trim().is_empty() {
        return None;
    }
    let t = from_local_input(state, raw);
    if t.is_none() {
        errors.add(
            field,
            FieldErrorKind::invalid("enter a date and time", "请填写日期和时间"),
        );
    }
    t
}

/// A whole number typed in a field, or an error on `field`.
fn typed_number(raw: &str, field: &str, errors: &mut FieldErrors) -> Option<i64> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    match raw.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(
                field,
                FieldErrorKind::invalid("enter a whole number", "请输入整数"),
            );
            None
        }
    }
}

/// Resolves the form's names; unknown ones (and `errors` already found) are returned as
/// field errors rather than stopping, so the form can show every mistake at once.
async fn resolved(
    state: &AppState,
    web: &Web,
    names: FormNames,
    errors: &mut FieldErrors,
) -> Result<
    (
        Option<castellan_domain::AssetId>,
        HashMap<&'static str, UserId>,
    ),
    castellan_app::Error,
> {
    match records::resolve(&state.app, &web.ctx(), &names).await {
        Ok((asset, people)) => Ok((asset, people.into_iter().collect())),
        Err(e) => match e.domain() {
            Some(castellan_domain::DomainError::Validation(v)) => {
                errors.merge(v.clone());
                Ok((None, HashMap::new()))
            }
            _ => Err(e),
        },
    }
}

/// Adds the errors of `more` on fields that have none yet.
fn merge_new(errors: &mut FieldErrors, more: castellan_domain::DomainError) {
    if let castellan_domain::DomainError::Validation(v) = more {
        for f in v.iter() {
            if errors.get(&f.field).is_none() {
                errors.add(f.field.clone(), f.kind.clone());
            }
        }
    }
}

fn first_name(raw: &str) -> String {
    usernames(raw).into_iter().next().unwrap_or_default()
}

/// `POST /custody`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<NewForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let mut errors = FieldErrors::new();
    let last_changed_at = typed_time(&state, &f.last_changed, "last_changed_at", &mut errors);
    let interval = typed_number(&f.interval, "change_interval_days", &mut errors);
    let names = FormNames {
        asset_code: some(&f.system),
        people: vec![
            ("holder_id", first_name(&f.holder)),
            ("backup_holder_id", first_name(&f.backup)),
        ],
    };
    let result = async {
        let (asset, people) = resolved(&state, &web, names, &mut errors).await?;
        let input = CustodyInput {
            asset_id: asset,
            account: f.account.clone(),
            holder_id: people.get("holder_id").copied(),
            backup_holder_id: people.get("backup_holder_id").copied(),
            last_changed_at,
            change_interval_days: interval,
            note: some(&f.note),
        };
        if !errors.is_empty() {
            // Check the rest too, with stand-ins for what could not be resolved.
            let stand_in = CustodyInput {
                asset_id: input.asset_id.or(Some(castellan_domain::AssetId(-1))),
                holder_id: input.holder_id.or(Some(UserId(-1))),
                backup_holder_id: input
                    .backup_holder_id
                    .or((!f.backup.trim().is_empty()).then_some(UserId(-2))),
                ..input.clone()
            };
            if let Err(e) = castellan_domain::custody::check_custody(
                &stand_in,
                castellan_domain::Timestamp::now(),
            ) {
                merge_new(&mut errors, e);
            }
            return Err(castellan_domain::DomainError::Validation(errors).into());
        }
        records::create(&state.app, &web.ctx(), &input).await
    }
    .await;
    match result {
        Ok(v) => Ok(Redirect::to(&format!(
            "/custody/{}?notice=created",
            v.line.facts.custody.id
        ))
        .into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            new_page(&state, &web, f, errors, message, status).await
        }
    }
}

struct HandoverRow {
    at: String,
    from: String,
    to: String,
    witness: String,
    reason: String,
    changed: String,
    pending: String,
    overdue: bool,
}

/// Forms of the record page as typed (the one that failed is shown again).
#[derive(Deserialize, Default, Clone)]
pub struct RecordForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    witness: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    changed_at: String,
    #[serde(default)]
    new_backup: String,
    #[serde(default)]
    account: String,
    #[serde(default)]
    backup: String,
    #[serde(default)]
    routine_change: String,
    #[serde(default)]
    interval: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    confirm_departments: String,
    #[serde(default)]
    active: String,
    version: Option<i64>,
    /// Which form was sent: `handover`, `change`, `edit`, `state`.
    #[serde(default)]
    form: String,
}

struct WarningLine {
    label: &'static str,
    remedy: &'static str,
    severe: bool,
}

#[derive(Template)]
#[template(path = "custody/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    asset_id: i64,
    asset_code: String,
    asset_name: String,
    account: String,
    holder: String,
    backup: String,
    last_changed: String,
    change_due: String,
    interval: i64,
    note: String,
    active: bool,
    warnings: Vec<WarningLine>,
    moved: bool,
    handovers: Vec<HandoverRow>,
    may_keep: bool,
    change_for: Option<i64>,
    change_version: i64,
    history: Vec<HistoryItem>,
    max_time: String,
    v: RecordForm,
    errors: FormErrors,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    v: Option<RecordForm>,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let rec = records::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = records::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let depts = crate::ui::pages::training::pages::dept_names(state, web).await;
    let l = &rec.line;
    let c = &l.facts.custody;
    let ids: Vec<UserId> = rec
        .handovers
        .iter()
        .flat_map(|h| [h.from_id, h.to_id, h.witness_id])
        .collect();
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let name = |u: UserId| {
        people
            .get(&u)
            .cloned()
            .unwrap_or_else(|| format!("#{}", u.0))
    };
    let offset = state.app.settings().utc_offset();
    let handovers: Vec<HandoverRow> = rec
        .handovers
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let deadline = (i == 0).then_some(l.handover_deadline).flatten();
            HandoverRow {
                at: when(t, Some(h.at)),
                from: name(h.from_id),
                to: name(h.to_id),
                witness: name(h.witness_id),
                reason: h.reason.clone(),
                changed: h
                    .password_changed_at
                    .map(|x| when(t, Some(x)))
                    .unwrap_or_default(),
                pending: deadline
                    .map(|d| {
                        tx.due_by
                            .replace("{d}", &castellan_domain::Day::of_at(d, offset).to_string())
                    })
                    .unwrap_or_default(),
                overdue: deadline.is_some_and(|d| castellan_domain::Timestamp::now() > d),
            }
        })
        .collect();
    let change_version = rec
        .may_enter_change
        .and_then(|hid| rec.handovers.iter().find(|h| h.id == hid))
        .map_or(0, |h| h.version);
    let backup_username = match c.backup_holder_id {
        Some(b) => castellan_app::request::requests::usernames(&state.app, &[b])
            .await
            .unwrap_or_default()
            .remove(&b)
            .unwrap_or_default(),
        None => String::new(),
    };
    let now_local = local_input(state, castellan_domain::Timestamp::now());
    let v = v.unwrap_or_else(|| RecordForm {
        at: now_local.clone(),
        changed_at: now_local.clone(),
        account: c.account.clone(),
        backup: backup_username,
        interval: c.change_interval_days.to_string(),
        note: c.note.clone().unwrap_or_default(),
        ..RecordForm::default()
    });
    let history = view::history(
        lang,
        &Names {
            departments: &depts,
            users: &view::user_names(&state.app, &entries).await,
        },
        &entries,
    );
    let page = ShowPage {
        page: Page::new(web, Some(Section::Custody), view::notice(t, notice)),
        tx,
        id,
        version: c.version,
        asset_id: c.asset_id.0,
        asset_code: l.facts.asset_code.clone(),
        asset_name: l.facts.asset_name.clone(),
        account: c.account.clone(),
        holder: person_label(tx, &l.facts.holder, c.holder_department_id, &depts),
        backup: l
            .facts
            .backup
            .as_ref()
            .map(|b| person_label(tx, b, c.backup_department_id, &depts))
            .unwrap_or_else(|| tx.backup_none.to_owned()),
        last_changed: c
            .last_changed_at
            .map(|x| when(t, Some(x)))
            .unwrap_or_else(|| tx.never.to_owned()),
        change_due: when(t, Some(l.change_due_at)),
        interval: c.change_interval_days,
        note: c.note.clone().unwrap_or_default(),
        active: c.active,
        moved: l
            .warnings
            .iter()
            .any(|w| matches!(w, CustodyWarning::HolderMoved | CustodyWarning::BackupMoved)),
        warnings: l
            .warnings
            .iter()
            .map(|w| WarningLine {
                label: w.label().get(lang),
                remedy: remedy(tx, *w),
                severe: severe(*w),
            })
            .collect(),
        handovers,
        may_keep: rec.may_keep,
        change_for: rec.may_enter_change,
        change_version,
        history,
        max_time: now_local,
        v,
        errors,
        error,
    };
    Ok(render::page_response(status, &page))
}

/// `GET /custody/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        id,
        q.notice.as_deref(),
        None,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn answer(
    state: &AppState,
    web: &Web,
    id: i64,
    f: RecordForm,
    result: Result<records::CustodyView, castellan_app::Error>,
    notice: &str,
) -> Result<Response, Response> {
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/custody/{id}?notice={notice}")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(web, e)?;
            show_page(state, web, id, None, Some(f), errors, message, status).await
        }
    }
}

/// `POST /custody/{id}/handovers`.
pub async fn hand_over(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<RecordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: mut f } = form;
    f.form = "handover".into();
    let mut errors = FieldErrors::new();
    let at = typed_time(&state, &f.at, "at", &mut errors);
    let changed = typed_time(&state, &f.changed_at, "password_changed_at", &mut errors);
    let names = FormNames {
        asset_code: None,
        people: vec![
            ("to_id", first_name(&f.to)),
            ("witness_id", first_name(&f.witness)),
            ("backup_holder_id", first_name(&f.new_backup)),
        ],
    };
    let result = async {
        let (_, people) = resolved(&state, &web, names, &mut errors).await?;
        errors.into_result()?;
        let input = HandoverInput {
            from_id: None,
            to_id: people.get("to_id").copied(),
            at,
            witness_id: people.get("witness_id").copied(),
            reason: f.reason.clone(),
            password_changed_at: changed,
            backup_holder_id: people.get("backup_holder_id").copied(),
        };
        records::hand_over(&state.app, &web.ctx(), id, &input, f.version).await
    }
    .await;
    answer(&state, &web, id, f, result, "saved").await
}

/// `POST /custody/{id}/handovers/{handover_id}/change`.
pub async fn enter_change(
    State(state): State<AppState>,
    Path((id, handover_id)): Path<(i64, i64)>,
    form: CsrfForm<RecordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: mut f } = form;
    f.form = "change".into();
    let mut errors = FieldErrors::new();
    let changed = typed_time(&state, &f.changed_at, "password_changed_at", &mut errors);
    let result = match errors.into_result() {
        Ok(()) => {
            records::enter_change(&state.app, &web.ctx(), id, handover_id, changed, f.version).await
        }
        Err(e) => Err(e.into()),
    };
    answer(&state, &web, id, f, result, "saved").await
}

/// `POST /custody/{id}`: the record changed.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<RecordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: mut f } = form;
    f.form = "edit".into();
    let mut errors = FieldErrors::new();
    let routine = typed_time(&state, &f.routine_change, "last_changed_at", &mut errors);
    let interval = typed_number(&f.interval, "change_interval_days", &mut errors);
    let names = FormNames {
        asset_code: None,
        people: vec![("backup_holder_id", first_name(&f.backup))],
    };
    let result = async {
        let (_, people) = resolved(&state, &web, names, &mut errors).await?;
        errors.into_result()?;
        let change = CustodyChange {
            account: Some(f.account.clone()),
            backup_holder_id: Some(people.get("backup_holder_id").copied()),
            last_changed_at: routine,
            change_interval_days: interval,
            note: Some(some(&f.note)),
            active: None,
            confirm_departments: f.confirm_departments == "1",
        };
        records::update(&state.app, &web.ctx(), id, &change, f.version.unwrap_or(0)).await
    }
    .await;
    answer(&state, &web, id, f, result, "saved").await
}

/// `POST /custody/{id}/state`: retire (`active=0`) or reactivate (`active=1`).
pub async fn set_state(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<RecordForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: mut f } = form;
    f.form = "state".into();
    let change = CustodyChange {
        active: Some(f.active == "1"),
        ..CustodyChange::default()
    };
    let result = records::update(&state.app, &web.ctx(), id, &change, f.version.unwrap_or(0)).await;
    answer(&state, &web, id, f, result, "saved").await
}

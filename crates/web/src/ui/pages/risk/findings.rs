//! Vulnerability findings and existing controls: filtered lists, and forms to record them
//! (by asset ID) and to change a finding's status.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, FormErrors, code_options, level_options, some};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::risk::assessments;
use castellan_app::risk::findings::{
    self, ControlInput, ControlQuery, VulnerabilityInput, VulnerabilityPatch, VulnerabilityQuery,
};
use castellan_domain::ids::{AssetId, VulnerabilityId};
use castellan_domain::risk::finding::{ControlKind, Effectiveness, FoundBy, VulnerabilityStatus};
use castellan_domain::{Action, Resource};
use serde::Deserialize;
use std::collections::HashMap;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    min_severity: String,
    #[serde(default)]
    found_by: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

struct Row {
    id: i64,
    version: i64,
    asset_id: i64,
    asset_code: String,
    title: String,
    reference: String,
    severity: u8,
    severity_label: String,
    status: String,
    status_code: &'static str,
    found_by: String,
    found_on: String,
}

/// The record form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct FindingForm {
    #[serde(default)]
    asset: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    severity: String,
    #[serde(default)]
    found_by: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    found_on: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "findings/vulnerabilities.html")]
struct VulnerabilitiesPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ListParams,
    any_filter: bool,
    statuses: Vec<CodeOption>,
    severities: Vec<CodeOption>,
    found_by: Vec<CodeOption>,
    rows: Vec<Row>,
    pager: Pager,
    can_record: bool,
    can_update: bool,
    form: FindingForm,
    form_severities: Vec<CodeOption>,
    form_found_by: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

async fn list_page(
    state: &AppState,
    web: &Web,
    p: ListParams,
    form: FindingForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let query = VulnerabilityQuery {
        asset_id: None,
        status: some(&p.status),
        min_severity: p.min_severity.trim().parse().ok(),
        found_by: some(&p.found_by),
        q: some(&p.q),
        sort: None,
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let page = findings::list_vulnerabilities(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let ids: Vec<AssetId> = page.items.iter().map(|v| v.asset_id).collect();
    let codes: HashMap<AssetId, String> = assessments::asset_names(&state.app, &ctx, &ids)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, code, _)| (id, code))
        .collect();
    let base = [
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("min_severity", p.min_severity.as_str()),
        ("found_by", p.found_by.as_str()),
    ];
    let principal = &web.auth.principal;
    Ok(render::page_response(
        status,
        &VulnerabilitiesPage {
            page: Page::new(
                web,
                Some(Section::Findings),
                view::notice(t, p.notice.as_deref()),
            ),
            tx: tx(web.lang()),
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            statuses: code_options(
                &VulnerabilityStatus::ALL,
                VulnerabilityStatus::code,
                VulnerabilityStatus::label,
                lang,
                &p.status,
            ),
            severities: level_options(lang, &p.min_severity),
            found_by: code_options(
                &FoundBy::ALL,
                FoundBy::code,
                FoundBy::label,
                lang,
                &p.found_by,
            ),
            rows: page
                .items
                .into_iter()
                .map(|v| Row {
                    id: v.id.0,
                    version: v.version,
                    asset_id: v.asset_id.0,
                    asset_code: codes.get(&v.asset_id).cloned().unwrap_or_default(),
                    title: v.title,
                    reference: v.reference.unwrap_or_default(),
                    severity: v.severity.get(),
                    severity_label: castellan_domain::risk::Level::new(i64::from(v.severity.get()))
                        .map(|l| l.label().get(lang).to_owned())
                        .unwrap_or_default(),
                    status: v.status.label().get(lang).to_owned(),
                    status_code: v.status.code(),
                    found_by: v.found_by.label().get(lang).to_owned(),
                    found_on: v.found_on.map(|d| d.to_db()).unwrap_or_default(),
                })
                .collect(),
            pager: Pager::paged(
                "/vulnerabilities",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            can_record: principal.may_somewhere(Resource::Vulnerability, Action::Create),
            can_update: principal.may_somewhere(Resource::Vulnerability, Action::Update),
            form_severities: level_options(lang, &form.severity),
            form_found_by: code_options(
                &FoundBy::ALL,
                FoundBy::code,
                FoundBy::label,
                lang,
                &form.found_by,
            ),
            form,
            errors,
            error,
            filters: p,
        },
    ))
}

/// `GET /vulnerabilities`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    list_page(
        &state,
        &web,
        p,
        FindingForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /vulnerabilities`: records a finding against the asset with the typed ID.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<FindingForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let code = f.asset.trim().to_owned();
    let found = assessments::assets_by_code(&state.app, &ctx, std::slice::from_ref(&code))
        .await
        .map_err(|e| web.fail(e))?;
    let asset_id = found.first().and_then(|(_, id)| *id);
    let input = VulnerabilityInput {
        asset_id: asset_id.map_or(0, |a| a.0),
        title: f.title.clone(),
        description: some(&f.description),
        severity: f.severity.trim().parse().unwrap_or(0),
        status: None,
        reference: some(&f.reference),
        found_by: f.found_by.clone(),
        found_on: some(&f.found_on),
    };
    match findings::create_vulnerability(&state.app, &ctx, &input).await {
        Ok(_) => Ok(Redirect::to("/vulnerabilities?notice=created").into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((mut errors, message)) => {
                if errors.has("asset_id") || asset_id.is_none() {
                    errors.set(
                        "asset",
                        &format!("{} {code}", tx(web.lang()).unknown_asset_codes),
                    );
                }
                list_page(
                    &state,
                    &web,
                    ListParams::default(),
                    f,
                    errors,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    id: i64,
    version: i64,
    status: String,
}

/// `POST /vulnerabilities/status`: marks a finding fixed, accepted or open again.
pub async fn set_status(
    State(state): State<AppState>,
    form: CsrfForm<StatusForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let patch = VulnerabilityPatch {
        status: Some(f.status),
        ..VulnerabilityPatch::default()
    };
    match findings::update_vulnerability(
        &state.app,
        &web.ctx(),
        VulnerabilityId(f.id),
        &patch,
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to("/vulnerabilities?notice=saved").into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((_, message)) => {
                list_page(
                    &state,
                    &web,
                    ListParams::default(),
                    FindingForm::default(),
                    FormErrors::none(),
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

// ---------------------------------------------------------------------------------------
// Controls

#[derive(Deserialize, Default, Clone)]
pub struct ControlParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    effectiveness: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

struct ControlRow {
    name: String,
    kind: String,
    effectiveness: String,
    effectiveness_code: &'static str,
    asset: String,
    description: String,
}

/// The control form as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ControlForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    effectiveness: String,
    #[serde(default)]
    asset: String,
    #[serde(default)]
    description: String,
}

#[derive(Template)]
#[template(path = "findings/controls.html")]
struct ControlsPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ControlParams,
    any_filter: bool,
    kinds: Vec<CodeOption>,
    effectiveness: Vec<CodeOption>,
    rows: Vec<ControlRow>,
    pager: Pager,
    can_record: bool,
    form: ControlForm,
    form_kinds: Vec<CodeOption>,
    form_effectiveness: Vec<CodeOption>,
    errors: FormErrors,
    error: Option<String>,
}

async fn controls_page(
    state: &AppState,
    web: &Web,
    p: ControlParams,
    form: ControlForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let query = ControlQuery {
        asset_id: None,
        kind: some(&p.kind),
        effectiveness: some(&p.effectiveness),
        q: some(&p.q),
        cursor: some(&p.cursor),
        limit: Some(50),
    };
    let page = findings::list_controls(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let ids: Vec<AssetId> = page.items.iter().filter_map(|c| c.asset_id).collect();
    let codes: HashMap<AssetId, String> = assessments::asset_names(&state.app, &ctx, &ids)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(id, code, _)| (id, code))
        .collect();
    let base = [
        ("q", p.q.as_str()),
        ("kind", p.kind.as_str()),
        ("effectiveness", p.effectiveness.as_str()),
    ];
    Ok(render::page_response(
        status,
        &ControlsPage {
            page: Page::new(
                web,
                Some(Section::Findings),
                view::notice(t, p.notice.as_deref()),
            ),
            tx: tx(web.lang()),
            any_filter: base.iter().any(|(_, v)| !v.is_empty()),
            kinds: code_options(
                &ControlKind::ALL,
                ControlKind::code,
                ControlKind::label,
                lang,
                &p.kind,
            ),
            effectiveness: code_options(
                &Effectiveness::ALL,
                Effectiveness::code,
                Effectiveness::label,
                lang,
                &p.effectiveness,
            ),
            rows: page
                .items
                .into_iter()
                .map(|c| ControlRow {
                    name: c.name,
                    kind: c.kind.label().get(lang).to_owned(),
                    effectiveness: c.effectiveness.label().get(lang).to_owned(),
                    effectiveness_code: c.effectiveness.code(),
                    asset: c
                        .asset_id
                        .and_then(|a| codes.get(&a).cloned())
                        .unwrap_or_else(|| t.rp_organization_wide.to_owned()),
                    description: c.description.unwrap_or_default(),
                })
                .collect(),
            pager: Pager::paged(
                "/controls",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            can_record: web
                .auth
                .principal
                .may_somewhere(Resource::Control, Action::Create),
            form_kinds: code_options(
                &ControlKind::ALL,
                ControlKind::code,
                ControlKind::label,
                lang,
                &form.kind,
            ),
            form_effectiveness: code_options(
                &Effectiveness::ALL,
                Effectiveness::code,
                Effectiveness::label,
                lang,
                if form.effectiveness.is_empty() {
                    "not_assessed"
                } else {
                    form.effectiveness.as_str()
                },
            ),
            form,
            errors,
            error,
            filters: p,
        },
    ))
}

/// `GET /controls`.
pub async fn controls(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ControlParams>,
) -> Result<Response, Response> {
    controls_page(
        &state,
        &web,
        p,
        ControlForm::default(),
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

/// `POST /controls`: records a control, for an asset (by ID) or the whole organization.
pub async fn create_control(
    State(state): State<AppState>,
    form: CsrfForm<ControlForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let ctx = web.ctx();
    let code = f.asset.trim().to_owned();
    let mut asset_id = None;
    if !code.is_empty() {
        let found = assessments::assets_by_code(&state.app, &ctx, std::slice::from_ref(&code))
            .await
            .map_err(|e| web.fail(e))?;
        asset_id = found.first().and_then(|(_, id)| *id);
        if asset_id.is_none() {
            let mut errors = FormErrors::none();
            errors.set(
                "asset",
                &format!("{} {code}", tx(web.lang()).unknown_asset_codes),
            );
            return controls_page(
                &state,
                &web,
                ControlParams::default(),
                f,
                errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    }
    let input = ControlInput {
        name: f.name.clone(),
        kind: f.kind.clone(),
        description: some(&f.description),
        effectiveness: some(&f.effectiveness),
        asset_id: asset_id.map(|a| a.0),
    };
    match findings::create_control(&state.app, &ctx, &input).await {
        Ok(_) => Ok(Redirect::to("/controls?notice=created").into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, message)) => {
                controls_page(
                    &state,
                    &web,
                    ControlParams::default(),
                    f,
                    errors,
                    message,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

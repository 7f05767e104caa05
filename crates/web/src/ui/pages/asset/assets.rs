//! Asset register pages: the list with server-side filters, sort and keyset paging; the
//! detail with the valuation explained, the lifecycle timeline and the audit history; the
//! lifecycle event form; export of the current filter.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, href, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, DeptOption, FormErrors, HistoryItem, Names, some};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::asset::assets::{
    self, AssetInput, AssetPatch, AssetQuery, EventInput, OwnerRef,
};
use castellan_app::asset::export::{self, ExportFormat};
use castellan_app::{org::departments, settings};
use castellan_domain::asset::register::{Asset, AssetEvent};
use castellan_domain::asset::{
    AssetStatus, Category, Classification, ValueLevel, ValueScore, Zone, split_tags_cell,
};
use castellan_domain::ids::AssetId;
use castellan_domain::org::Department;
use castellan_domain::{Action, DomainError, Lang, Resource};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    value_level: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    #[serde(default)]
    format: String,
}

impl ListParams {
    /// The service query; `owner_id` is the owner the username resolved to.
    fn query(&self, owner_id: Option<i64>) -> AssetQuery {
        AssetQuery {
            q: some(&self.q),
            category: some(&self.category),
            department_id: self.department_id.trim().parse().ok(),
            zone: some(&self.zone),
            status: some(&self.status),
            classification: some(&self.classification),
            value_level: self.value_level.trim().parse().ok(),
            owner_id,
            tag: some(&self.tag),
            sort: some(&self.sort),
            cursor: some(&self.cursor),
            limit: Some(50),
        }
    }

    fn filters(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("q", &self.q),
            ("category", &self.category),
            ("department_id", &self.department_id),
            ("zone", &self.zone),
            ("status", &self.status),
            ("classification", &self.classification),
            ("value_level", &self.value_level),
            ("tag", &self.tag),
            ("owner", &self.owner),
        ]
    }
}

fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: &str,
) -> Vec<CodeOption> {
    all.iter()
        .map(|v| CodeOption {
            code: code(*v),
            label: label(*v),
            selected: selected == code(*v),
        })
        .collect()
}

/// The pickers of the closed lists, with the given codes selected.
struct Pickers {
    categories: Vec<CodeOption>,
    zones: Vec<CodeOption>,
    statuses: Vec<CodeOption>,
    classifications: Vec<CodeOption>,
}

fn pickers(lang: Lang, category: &str, zone: &str, status: &str, classification: &str) -> Pickers {
    Pickers {
        categories: options(
            &Category::ALL,
            Category::code,
            |c| c.label().get(lang).to_owned(),
            category,
        ),
        zones: options(
            &Zone::ALL,
            Zone::code,
            |z| z.label().get(lang).to_owned(),
            zone,
        ),
        statuses: options(
            &AssetStatus::ALL,
            AssetStatus::code,
            |s| s.label().get(lang).to_owned(),
            status,
        ),
        classifications: options(
            &Classification::ALL,
            Classification::code,
            |c| c.label().get(lang).to_owned(),
            classification,
        ),
    }
}

struct Row {
    id: i64,
    code: String,
    name: String,
    category: String,
    department: String,
    status: String,
    status_class: &'static str,
    score: String,
    level: u8,
    level_label: String,
    cia: String,
}

struct Filters {
    q: String,
    tag: String,
    owner: String,
    sort: String,
    any: bool,
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: Filters,
    categories: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    zones: Vec<CodeOption>,
    statuses: Vec<CodeOption>,
    classifications: Vec<CodeOption>,
    levels: Vec<CodeOption>,
    headers: Vec<Header>,
    rows: Vec<Row>,
    pager: Pager,
    export_csv: String,
    export_xlsx: String,
    list_error: Option<String>,
    can_create: bool,
}

fn status_class(s: AssetStatus) -> &'static str {
    match s {
        AssetStatus::InUse => "badge-ok",
        AssetStatus::Planned | AssetStatus::Idle => "badge-neutral",
        AssetStatus::InRepair => "badge-warn",
        AssetStatus::Retired => "badge-off",
    }
}

const LEVEL_CODES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// `GET /assets` (and `?format=csv|xlsx` for an export of the current filter).
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    if !p.format.is_empty() {
        return export_file(&state, &web, &p).await;
    }
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let owner = owner_id(&state, &web, &p.owner).await?;
    let (page, list_error) = match assets::list(&state.app, &ctx, &p.query(owner)).await {
        Ok(page) => (page, None),
        Err(e @ castellan_app::Error::Domain(DomainError::Validation(_)))
        | Err(e @ castellan_app::Error::Domain(DomainError::BadRequest(_))) => (
            castellan_domain::paging::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            e.domain().map(|d| crate::ui::i18n::domain_error(lang, d)),
        ),
        Err(e) => return Err(web.fail(e)),
    };
    // An unknown username matches nothing; say why the list is empty.
    let list_error =
        list_error.or_else(|| (owner == Some(UNKNOWN_OWNER)).then(|| t.ip_no_such_user.to_owned()));
    let base = p.filters();
    let sort_code = if p.sort.is_empty() {
        "code"
    } else {
        p.sort.as_str()
    };
    // Most valuable first is what people want from the value column.
    let headers = sort_headers(
        "/assets",
        &base,
        sort_code,
        &[
            ("code", t.asset_code, false),
            ("name", t.name, false),
            ("", t.category, false),
            ("", t.department, false),
            ("", t.status, false),
            ("", "C / I / A", false),
            ("value_score", t.asset_value, true),
        ],
    );
    let mut first = base.clone();
    first.push(("sort", &p.sort));
    let rows = page
        .items
        .into_iter()
        .map(|a| row(lang, &names, a))
        .collect();
    let export = |format: &'static str| {
        let mut pairs = first.clone();
        pairs.push(("format", format));
        href("/assets", &pairs)
    };
    let Pickers {
        categories,
        zones,
        statuses,
        classifications,
    } = pickers(lang, &p.category, &p.zone, &p.status, &p.classification);
    Ok(render::ok(&ListPage {
        page: Page::new(&web, Some(Section::Assets), None),
        tx: tx(lang),
        categories,
        departments: view::dept_options(&tree, p.department_id.trim().parse().ok(), None),
        zones,
        statuses,
        classifications,
        levels: ValueLevel::ALL
            .iter()
            .zip(LEVEL_CODES)
            .map(|(l, code)| CodeOption {
                code,
                label: format!("{} · {}", l.get(), l.label().get(lang)),
                selected: p.value_level == code,
            })
            .collect(),
        headers,
        rows,
        pager: Pager::paged(
            "/assets",
            &first,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
        export_csv: export("csv"),
        export_xlsx: export("xlsx"),
        filters: Filters {
            any: base.iter().any(|(_, v)| !v.is_empty()),
            q: p.q.clone(),
            tag: p.tag.clone(),
            owner: p.owner.clone(),
            sort: p.sort.clone(),
        },
        list_error,
        can_create: web
            .auth
            .principal
            .may_somewhere(Resource::Asset, Action::Create),
    }))
}

fn row(lang: Lang, names: &std::collections::HashMap<i64, String>, a: Asset) -> Row {
    Row {
        id: a.id.0,
        category: a.category.label().get(lang).to_owned(),
        department: a
            .department_id
            .and_then(|d| names.get(&d.0).cloned())
            .unwrap_or_default(),
        status: a.status.label().get(lang).to_owned(),
        status_class: status_class(a.status),
        score: a.value_score.to_string(),
        level: a.value_level.get(),
        level_label: a.value_level.label().get(lang).to_owned(),
        cia: format!(
            "{} / {} / {}",
            a.confidentiality.get(),
            a.integrity.get(),
            a.availability.get()
        ),
        code: a.code,
        name: a.name,
    }
}

async fn export_file(state: &AppState, web: &Web, p: &ListParams) -> Result<Response, Response> {
    let (format, mime, ext) = match p.format.as_str() {
        "xlsx" => (
            ExportFormat::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
        _ => (ExportFormat::Csv, "text/csv; charset=utf-8", "csv"),
    };
    let owner = owner_id(state, web, &p.owner).await?;
    let mut query = p.query(owner);
    query.cursor = None;
    query.sort = None;
    let (_, body) = export::export_assets(
        &state.app,
        &web.ctx(),
        &query,
        format,
        web.lang(),
        Vec::new(),
    )
    .await
    .map_err(|e| web.fail(e))?;
    let name = format!(
        "assets-{}.{ext}",
        castellan_domain::Timestamp::now()
            .to_db()
            .get(..10)
            .unwrap_or("export")
    );
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response())
}

struct EventLine {
    kind: String,
    at: String,
    actor: String,
    note: Option<String>,
    moved: Option<String>,
}

#[derive(Template)]
#[template(path = "assets/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    asset: Asset,
    category: String,
    department: Option<(i64, String)>,
    zone: Option<String>,
    classification: Option<String>,
    status: String,
    status_class: &'static str,
    level_label: String,
    explanation: String,
    method: String,
    events: Vec<EventLine>,
    event_options: Vec<CodeOption>,
    can_update: bool,
    owner: Option<OwnerRef>,
    history: Vec<HistoryItem>,
    action_error: Option<String>,
    created_at: String,
    /// Its risks across assessments (for those who read assessments).
    risks: Option<Vec<RelatedRisk>>,
    /// Its vulnerability findings (for those who read them).
    vulnerabilities: Option<Vec<RelatedFinding>>,
    /// The approval requests about it that the user may see.
    requests: Vec<RelatedRequest>,
    /// Its backup plans (for those who read the continuity area).
    backups: Option<crate::ui::pages::continuity::AssetBackups>,
}

/// A risk of the asset, as its page lists it.
struct RelatedRisk {
    href: String,
    assessment: String,
    threat_level: String,
    level: Option<u8>,
    treatment: String,
}

/// A finding against the asset.
struct RelatedFinding {
    title: String,
    severity: String,
    status: String,
    open: bool,
}

/// A request about the asset.
struct RelatedRequest {
    id: i64,
    code: String,
    title: String,
    status: String,
}

/// `GET /assets/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(n): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        AssetId(id),
        n.notice.as_deref(),
        StatusCode::OK,
        None,
    )
    .await
}

fn event_line(lang: Lang, t: &crate::ui::i18n::Messages, e: AssetEvent) -> EventLine {
    let tx = tx(lang);
    let moved = (e.from_status != e.to_status).then(|| {
        tx.status_moved
            .replace("{from}", e.from_status.label().get(lang))
            .replace("{to}", e.to_status.label().get(lang))
    });
    EventLine {
        kind: e.kind.label().get(lang).to_owned(),
        at: view::when(t, Some(e.at)),
        actor: e.actor,
        note: e.note,
        moved,
    }
}

async fn show_page(
    state: &AppState,
    web: &Web,
    id: AssetId,
    notice: Option<&str>,
    status: StatusCode,
    action_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let v = assets::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let events = assets::events(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let entries = assets::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let (method, _) = settings::get_valuation(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let owner = assets::owner(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let a = v.asset;
    let can_update = may_update(&tree, web, &a);
    // What else the register knows about the asset: its risks, findings and requests.
    let p = &web.auth.principal;
    let risks = if p.may_somewhere(Resource::Assessment, Action::Read) {
        castellan_app::risk::risks::of_asset(&state.app, &ctx, id, 20)
            .await
            .ok()
            .map(|rows| {
                rows.into_iter()
                    .map(|(r, assessment)| RelatedRisk {
                        href: format!("/assessments/{}/risks/{}", r.assessment_id, r.id),
                        assessment,
                        threat_level: r
                            .rating
                            .map(|x| {
                                format!(
                                    "T{} · V{}",
                                    x.threat_frequency.get(),
                                    x.vulnerability_severity.get()
                                )
                            })
                            .unwrap_or_default(),
                        level: r.rating.map(|x| x.evaluation.risk_level.get()),
                        treatment: r
                            .treatment
                            .map(|x| x.label().get(lang).to_owned())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
    } else {
        None
    };
    let vulnerabilities = if p.may_somewhere(Resource::Vulnerability, Action::Read) {
        let q = castellan_app::risk::findings::VulnerabilityQuery {
            asset_id: Some(id.0),
            limit: Some(20),
            ..Default::default()
        };
        castellan_app::risk::findings::list_vulnerabilities(&state.app, &ctx, &q)
            .await
            .ok()
            .map(|page| {
                page.items
                    .into_iter()
                    .map(|f| RelatedFinding {
                        title: f.title,
                        severity: castellan_domain::risk::Level::new(i64::from(f.severity.get()))
                            .map(|l| l.label().get(lang).to_owned())
                            .unwrap_or_default(),
                        status: f.status.label().get(lang).to_owned(),
                        open: f.status.code() == "open",
                    })
                    .collect()
            })
    } else {
        None
    };
    let backups = crate::ui::pages::continuity::asset_backups(
        state,
        web,
        id.0,
        &a.code,
        i64::from(a.value_level.get()),
    )
    .await?;
    let requests = castellan_app::request::requests::list(
        &state.app,
        &ctx,
        &castellan_app::request::requests::RequestQuery {
            asset_id: Some(id.0),
            limit: Some(20),
            ..Default::default()
        },
    )
    .await
    .map(|(page, _)| {
        page.items
            .into_iter()
            .map(|v| RelatedRequest {
                id: v.request.id,
                code: v.request.code,
                title: v.request.title,
                status: v.request.status.label().get(lang).to_owned(),
            })
            .collect()
    })
    .unwrap_or_default();
    let explanation = explain(&a, a.value_score, lang);
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Assets), view::notice(t, notice)),
            tx: tx(lang),
            category: a.category.label().get(lang).to_owned(),
            department: a.department_id.map(|d| {
                (
                    d.0,
                    names.get(&d.0).cloned().unwrap_or_else(|| format!("#{d}")),
                )
            }),
            zone: a.zone.map(|z| z.label().get(lang).to_owned()),
            classification: a.classification.map(|c| c.label().get(lang).to_owned()),
            status: a.status.label().get(lang).to_owned(),
            status_class: status_class(a.status),
            level_label: a.value_level.label().get(lang).to_owned(),
            explanation,
            method: method.label().get(lang).to_owned(),
            events: events.into_iter().map(|e| event_line(lang, t, e)).collect(),
            event_options: v
                .allowed_events
                .iter()
                .map(|k| CodeOption {
                    code: k.code(),
                    label: k.label().get(lang).to_owned(),
                    selected: false,
                })
                .collect(),
            can_update,
            owner,
            history: view::history(
                lang,
                &Names {
                    departments: &names,
                    users: &view::user_names(&state.app, &entries).await,
                },
                &entries,
            ),
            action_error,
            created_at: view::when(t, Some(a.created_at)),
            risks,
            vulnerabilities,
            requests,
            backups,
            asset: a,
        },
    ))
}

/// "C5 I4 A4 → 4.3 → high (4)", in the page's language.
fn explain(a: &Asset, score: ValueScore, lang: Lang) -> String {
    format!(
        "C{} I{} A{} → {} → {} ({})",
        a.confidentiality.get(),
        a.integrity.get(),
        a.availability.get(),
        score,
        a.value_level.label().get(lang),
        a.value_level.get()
    )
}

#[derive(Deserialize)]
pub struct EventForm {
    kind: String,
    #[serde(default)]
    note: String,
    version: i64,
}

/// `POST /assets/{id}/events`: records a lifecycle event from the detail page.
pub async fn record_event(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<EventForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = EventInput {
        kind: f.kind,
        note: some(&f.note),
        ..EventInput::default()
    };
    match assets::record_event(&state.app, &web.ctx(), AssetId(id), &input, Some(f.version)).await {
        Ok(_) => Ok(Redirect::to(&format!("/assets/{id}?notice=event_recorded")).into_response()),
        Err(e) => match e.domain() {
            Some(
                d @ (DomainError::Validation(_)
                | DomainError::Conflict(_)
                | DomainError::StaleVersion { .. }),
            ) => {
                let message = crate::ui::i18n::domain_error(web.lang(), d);
                let status = match d {
                    DomainError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
                    DomainError::StaleVersion { .. } => StatusCode::PRECONDITION_FAILED,
                    _ => StatusCode::CONFLICT,
                };
                show_page(&state, &web, AssetId(id), None, status, Some(message)).await
            }
            _ => Err(web.fail(e)),
        },
    }
}

/// The fields of the create and edit forms, as typed.
#[derive(Deserialize, Default)]
pub struct AssetForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    category: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    custodian: String,
    #[serde(default)]
    location: String,
    #[serde(default)]
    zone: String,
    #[serde(default)]
    classification: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    integrity: String,
    #[serde(default)]
    availability: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    notes: String,
    #[serde(default)]
    version: String,
}

impl AssetForm {
    fn of(a: &Asset, owner: Option<&OwnerRef>) -> Self {
        AssetForm {
            code: a.code.clone(),
            name: a.name.clone(),
            category: a.category.code().to_owned(),
            status: a.status.code().to_owned(),
            department_id: a.department_id.map(|d| d.to_string()).unwrap_or_default(),
            owner: owner.map(|o| o.username.clone()).unwrap_or_default(),
            custodian: a.custodian.clone().unwrap_or_default(),
            location: a.location.clone().unwrap_or_default(),
            zone: a.zone.map(|z| z.code().to_owned()).unwrap_or_default(),
            classification: a
                .classification
                .map(|c| c.code().to_owned())
                .unwrap_or_default(),
            confidentiality: a.confidentiality.get().to_string(),
            integrity: a.integrity.get().to_string(),
            availability: a.availability.get().to_string(),
            tags: a.tags.join("; "),
            notes: a.notes.clone().unwrap_or_default(),
            version: a.version.to_string(),
        }
    }

    /// The service's input; `owner_id` is resolved by the caller.
    fn input(&self, owner_id: Option<i64>) -> AssetInput {
        AssetInput {
            code: self.code.clone(),
            name: self.name.clone(),
            category: self.category.trim().to_owned(),
            department_id: self.department_id.trim().parse().ok(),
            owner_id,
            custodian: some(&self.custodian),
            location: some(&self.location),
            zone: some(&self.zone),
            classification: some(&self.classification),
            confidentiality: rating_of(&self.confidentiality),
            integrity: rating_of(&self.integrity),
            availability: rating_of(&self.availability),
            status: some(&self.status),
            tags: split_tags_cell(&self.tags.replace([',', '，'], ";")),
            notes: some(&self.notes),
        }
    }
}

/// A rating as typed; anything but a number is 0, which the service refuses as out of range.
fn rating_of(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(0)
}

/// Stands for a username no user has: the service then reports the owner with the other
/// field errors ("refers to a record that does not exist") instead of the form failing alone.
const UNKNOWN_OWNER: i64 = i64::MIN;

async fn owner_id(state: &AppState, web: &Web, raw: &str) -> Result<Option<i64>, Response> {
    let Some(name) = some(raw) else {
        return Ok(None);
    };
    let found = assets::owner_by_username(&state.app, &web.ctx(), &name)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(Some(found.map_or(UNKNOWN_OWNER, |o| o.id.0)))
}

struct RatingField {
    field: &'static str,
    label: &'static str,
    options: Vec<CodeOption>,
}

#[derive(Template)]
#[template(path = "assets/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    heading: String,
    action: String,
    cancel: String,
    is_new: bool,
    version: i64,
    v: AssetForm,
    categories: Vec<CodeOption>,
    statuses: Vec<CodeOption>,
    zones: Vec<CodeOption>,
    classifications: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    ratings: Vec<RatingField>,
    method: String,
    errors: FormErrors,
    form_error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    editing: Option<&Asset>,
    values: AssetForm,
    errors: FormErrors,
    form_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let tx = tx(lang);
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let (method, _) = settings::get_valuation(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let (heading, action, cancel) = match editing {
        Some(a) => (
            format!("{} · {}", tx.edit_asset, a.code),
            format!("/assets/{}", a.id),
            format!("/assets/{}", a.id),
        ),
        None => (
            tx.new_asset.to_owned(),
            "/assets".to_owned(),
            "/assets".to_owned(),
        ),
    };
    // The version the form was opened at, so that a change made meanwhile is not overwritten.
    let version = values
        .version
        .trim()
        .parse()
        .unwrap_or_else(|_| editing.map_or(0, |a| a.version));
    let status = if errors.is_empty() && form_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // The owner is typed as a username; say so rather than "the chosen record".
    let mut errors = errors;
    errors.refine("owner_id", t.ip_no_such_user);
    let rating = |field: &'static str, label: &'static str, selected: &str| RatingField {
        field,
        label,
        options: ValueLevel::ALL
            .iter()
            .zip(LEVEL_CODES)
            .rev()
            .map(|(l, code)| CodeOption {
                code,
                label: format!("{} · {}", l.get(), l.label().get(lang)),
                selected: selected.trim() == code,
            })
            .collect(),
    };
    // A new asset is usually already in use; planned and idle are the other sensible starts.
    let initial = if values.status.is_empty() {
        "in_use"
    } else {
        values.status.as_str()
    };
    let Pickers {
        categories,
        zones,
        statuses,
        classifications,
    } = pickers(
        lang,
        &values.category,
        &values.zone,
        initial,
        &values.classification,
    );
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Assets), None),
            tx,
            heading,
            action,
            cancel,
            is_new: editing.is_none(),
            version,
            categories,
            statuses,
            zones,
            classifications,
            departments: view::dept_options(&tree, values.department_id.trim().parse().ok(), None),
            ratings: vec![
                rating(
                    "confidentiality",
                    t.confidentiality,
                    &values.confidentiality,
                ),
                rating("integrity", t.integrity, &values.integrity),
                rating("availability", t.availability, &values.availability),
            ],
            method: method.label().get(lang).to_owned(),
            v: values,
            errors,
            form_error,
        },
    ))
}

/// `GET /assets/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    if !web
        .auth
        .principal
        .may_somewhere(Resource::Asset, Action::Create)
    {
        return Err(web.forbidden(Resource::Asset, Action::Create));
    }
    form_page(
        &state,
        &web,
        None,
        AssetForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

/// `POST /assets`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<AssetForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let owner = owner_id(&state, &web, &data.owner).await?;
    match assets::create(&state.app, &web.ctx(), &data.input(owner)).await {
        Ok(v) => {
            Ok(Redirect::to(&format!("/assets/{}?notice=created", v.asset.id)).into_response())
        }
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => form_page(&state, &web, None, data, errors, msg).await,
            None => Err(web.fail(e)),
        },
    }
}

/// `GET /assets/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let v = assets::get(&state.app, &ctx, AssetId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    if !may_update(&tree, &web, &v.asset) {
        return Err(web.forbidden(Resource::Asset, Action::Update));
    }
    let owner = assets::owner(&state.app, &ctx, AssetId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let values = AssetForm::of(&v.asset, owner.as_ref());
    form_page(
        &state,
        &web,
        Some(&v.asset),
        values,
        FormErrors::none(),
        None,
    )
    .await
}

fn may_update(tree: &[Department], web: &Web, a: &Asset) -> bool {
    let path = a
        .department_id
        .and_then(|d| tree.iter().find(|x| x.id == d))
        .map(|d| &d.path);
    web.auth.principal.is_allowed(
        Resource::Asset,
        Action::Update,
        path.map_or(
            castellan_domain::Target::Global,
            castellan_domain::Target::Department,
        ),
    )
}

/// `POST /assets/{id}`: saves the edit form (the status moves only through events).
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<AssetForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let current = assets::get(&state.app, &ctx, AssetId(id))
        .await
        .map_err(|e| web.fail(e))?
        .asset;
    let owner = owner_id(&state, &web, &data.owner).await?;
    let input = data.input(owner);
    let patch = AssetPatch {
        code: Some(input.code),
        name: Some(input.name),
        category: Some(input.category),
        department_id: Some(input.department_id),
        owner_id: Some(input.owner_id),
        custodian: Some(input.custodian),
        location: Some(input.location),
        zone: Some(input.zone),
        classification: Some(input.classification),
        confidentiality: Some(input.confidentiality),
        integrity: Some(input.integrity),
        availability: Some(input.availability),
        tags: Some(input.tags),
        notes: Some(input.notes),
    };
    let version = data.version.trim().parse().unwrap_or(-1);
    match assets::update(&state.app, &ctx, current.id, &patch, version).await {
        Ok(v) => Ok(Redirect::to(&format!("/assets/{}?notice=saved", v.asset.id)).into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => form_page(&state, &web, Some(&current), data, errors, msg).await,
            None => Err(web.fail(e)),
        },
    }
}

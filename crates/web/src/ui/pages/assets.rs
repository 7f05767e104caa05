//! Asset register pages: the list with server-side filters, sort and keyset paging; the
//! detail with the valuation explained, the lifecycle timeline and the audit history; the
//! lifecycle event form; export of the current filter.

use super::users::{Header, Pager, href, sort_headers};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, DeptOption, HistoryItem, Names};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::assets::{self, AssetQuery, EventInput};
use castellan_app::export::{self, ExportFormat};
use castellan_app::{departments, settings};
use castellan_domain::asset::{
    AssetStatus, Category, Classification, ValueLevel, ValueScore, Zone,
};
use castellan_domain::ids::AssetId;
use castellan_domain::register::{Asset, AssetEvent};
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
    sort: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    format: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

impl ListParams {
    fn query(&self) -> AssetQuery {
        AssetQuery {
            q: some(&self.q),
            category: some(&self.category),
            department_id: self.department_id.trim().parse().ok(),
            zone: some(&self.zone),
            status: some(&self.status),
            classification: some(&self.classification),
            value_level: self.value_level.trim().parse().ok(),
            owner_id: None,
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
    sort: String,
    any: bool,
}

#[derive(Template)]
#[template(path = "assets/list.html")]
struct ListPage {
    page: Page,
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
    let (page, list_error) = match assets::list(&state.app, &ctx, &p.query()).await {
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
    let next_href = page.next_cursor.as_ref().map(|c| {
        let mut pairs = first.clone();
        pairs.push(("cursor", c));
        href("/assets", &pairs)
    });
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
    Ok(render::ok(&ListPage {
        page: Page::new(&web, Some(Section::Assets), None),
        categories: options(
            &Category::ALL,
            Category::code,
            |c| c.label().get(lang).to_owned(),
            &p.category,
        ),
        departments: view::dept_options(&tree, p.department_id.trim().parse().ok(), None),
        zones: options(
            &Zone::ALL,
            Zone::code,
            |z| z.label().get(lang).to_owned(),
            &p.zone,
        ),
        statuses: options(
            &AssetStatus::ALL,
            AssetStatus::code,
            |s| s.label().get(lang).to_owned(),
            &p.status,
        ),
        classifications: options(
            &Classification::ALL,
            Classification::code,
            |c| c.label().get(lang).to_owned(),
            &p.classification,
        ),
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
        pager: Pager {
            is_later_page: !p.cursor.is_empty(),
            first_href: href("/assets", &first),
            next_href,
        },
        export_csv: export("csv"),
        export_xlsx: export("xlsx"),
        filters: Filters {
            any: base.iter().any(|(_, v)| !v.is_empty()),
            q: p.q.clone(),
            tag: p.tag.clone(),
            sort: p.sort.clone(),
        },
        list_error,
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
    let mut query = p.query();
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
    history: Vec<HistoryItem>,
    action_error: Option<String>,
    created_at: String,
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    notice: Option<String>,
}

/// `GET /assets/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(n): Query<NoticeParams>,
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
    let moved = (e.from_status != e.to_status).then(|| {
        t.status_moved
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
    let names = view::department_names(&tree);
    let a = v.asset;
    let path = a
        .department_id
        .and_then(|d| tree.iter().find(|x| x.id == d))
        .map(|d| d.path.clone());
    let target = path.as_ref().map_or(
        castellan_domain::Target::Global,
        castellan_domain::Target::Department,
    );
    let can_update = web
        .auth
        .principal
        .is_allowed(Resource::Asset, Action::Update, target);
    let explanation = explain(&a, a.value_score, lang);
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Assets), view::notice(t, notice)),
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
            history: view::history(
                lang,
                &Names {
                    departments: &names,
                },
                &entries,
            ),
            action_error,
            created_at: view::when(t, Some(a.created_at)),
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

//! Checklists on the pages: the list, a checklist's items by area, the copy form and the
//! editor of the organization's own checklists (one item per line).

use super::plans::{manages, reads_all};
use super::{Tab, refusal, tabs, texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, FormErrors, some};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::inspection::checklists;
use castellan_domain::inspection::{CheckArea, ChecklistInput, ItemInput};
use serde::Deserialize;

struct Row {
    id: i64,
    code: String,
    name: String,
    items: String,
    builtin: bool,
}

#[derive(Template)]
#[template(path = "inspections/checklists.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    rows: Vec<Row>,
}

/// `GET /checklists`.
pub async fn list(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let lang = web.lang();
    let tx = tx(lang);
    let all = checklists::list(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Inspections), None),
            tx,
            tabs: tabs(lang, "checklists", manages(&web) || reads_all(&web)),
            rows: all
                .iter()
                .map(|(c, n)| Row {
                    id: c.id,
                    code: c.code.clone(),
                    name: c.name_in(lang).to_owned(),
                    items: tx.checklist_items.replace("{n}", &n.to_string()),
                    builtin: c.builtin,
                })
                .collect(),
        },
    ))
}

struct Item {
    code: String,
    text: String,
}

struct Group {
    label: &'static str,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "inspections/checklist.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    name: String,
    description: String,
    builtin: bool,
    groups: Vec<Group>,
    may_manage: bool,
    lines: String,
    copy_code: String,
    errors: FormErrors,
    error: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn show_page(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    lines: Option<String>,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let tx = tx(lang);
    let c = checklists::get(&state.app, &web.ctx(), id)
        .await
        .map_err(|e| web.fail(e))?;
    let groups = CheckArea::ALL
        .iter()
        .filter_map(|area| {
            let items: Vec<Item> = c
                .items
                .iter()
                .filter(|i| i.area == *area)
                .map(|i| Item {
                    code: i.code.clone(),
                    text: i.text_in(lang).to_owned(),
                })
                .collect();
            (!items.is_empty()).then(|| Group {
                label: area.label().get(lang),
                items,
            })
        })
        .collect();
    let lines = lines.unwrap_or_else(|| {
        c.items
            .iter()
            .map(|i| format!("{} | {} | {}", i.code, i.area.code(), i.text))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(
                web,
                Some(Section::Inspections),
                view::notice(web.t(), notice),
            ),
            tx,
            id,
            version: c.version,
            copy_code: format!("{}-copy", c.code),
            code: c.code.clone(),
            name: c.name_in(lang).to_owned(),
            description: c.description.clone().unwrap_or_default(),
            builtin: c.builtin,
            groups,
            may_manage: manages(web),
            lines,
            errors,
            error,
        },
    ))
}

/// `GET /checklists/{id}`.
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

#[derive(Deserialize)]
pub struct CopyForm {
    #[serde(default)]
    copy_of: i64,
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
}

/// `POST /checklists`: a copy of a checklist under a new code and name.
pub async fn copy(
    State(state): State<AppState>,
    form: CsrfForm<CopyForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = ChecklistInput {
        code: f.code,
        name: f.name,
        description: None,
        items: Vec::new(),
    };
    match checklists::create(&state.app, &web.ctx(), &input, Some(f.copy_of)).await {
        Ok(c) => Ok(Redirect::to(&format!("/checklists/{}?notice=created", c.id)).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            show_page(&state, &web, f.copy_of, None, None, errors, message, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    items: String,
    #[serde(default)]
    version: i64,
}

/// The items of the editor: one per line, `code | area | text`.
fn parse_items(raw: &str) -> Vec<ItemInput> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let mut parts = l.splitn(3, ['|', '｜']);
            let mut next = || parts.next().map(str::trim).unwrap_or_default().to_owned();
            ItemInput {
                code: next(),
                area: next(),
                text: next(),
                text_zh: None,
            }
        })
        .collect()
}

/// `POST /checklists/{id}`: a checklist of the organization's changed.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<EditForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = ChecklistInput {
        code: f.code.clone(),
        name: f.name.clone(),
        description: some(&f.description),
        items: parse_items(&f.items),
    };
    match checklists::update(&state.app, &web.ctx(), id, &input, f.version).await {
        Ok(_) => Ok(Redirect::to(&format!("/checklists/{id}?notice=saved")).into_response()),
        Err(e) => {
            let (errors, message, status) = refusal(&web, e)?;
            // Item errors name their line (items[3].text → line 4).
            let tx = tx(web.lang());
            let mut lines: Vec<String> = errors
                .fields()
                .iter()
                .filter_map(|f| {
                    let rest = f.strip_prefix("items[")?;
                    let (n, _) = rest.split_once(']')?;
                    let n: usize = n.parse().ok()?;
                    Some(
                        tx.items_error
                            .replace("{n}", &(n + 1).to_string())
                            .replace("{e}", errors.get(f).unwrap_or_default()),
                    )
                })
                .collect();
            lines.sort();
            let message = if lines.is_empty() {
                message
            } else {
                Some(lines.join("\n"))
            };
            show_page(
                &state,
                &web,
                id,
                None,
                Some(f.items),
                errors,
                message,
                status,
            )
            .await
        }
    }
}

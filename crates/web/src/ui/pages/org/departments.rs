//! Department pages: tree, detail with history, create, edit, delete.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, DeptOption, FormErrors, HistoryItem, Names};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::org::departments::{self, DepartmentInput, DepartmentPatch, ListQuery};
use castellan_app::org::users;
use castellan_domain::org::Department;
use castellan_domain::permission::Target;
use castellan_domain::{Action, DepartmentId, Resource};
use castellan_store::org::departments::DepartmentFilter;
use serde::Deserialize;

struct Row {
    id: i64,
    name: String,
    code: Option<String>,
    depth: usize,
    path_label: String,
    members: i64,
}

#[derive(Template)]
#[template(path = "departments/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    q: String,
    rows: Vec<Row>,
    can_create: bool,
    truncated: bool,
}

#[derive(Deserialize, Default)]
pub struct ListParams {
    q: Option<String>,
    notice: Option<String>,
}

fn path_label(d: &Department, names: &std::collections::HashMap<i64, String>) -> String {
    d.path
        .0
        .iter()
        .take(d.path.0.len().saturating_sub(1))
        .filter_map(|id| names.get(&id.0).cloned())
        .collect::<Vec<_>>()
        .join(" / ")
}

/// `GET /departments`: the tree, or search results with their paths.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let counts = departments::member_counts(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let q = p.q.unwrap_or_default().trim().to_owned();
    let rows: Vec<Row> = if q.is_empty() {
        departments::depth_first(&tree)
            .into_iter()
            .map(|d| Row {
                id: d.id.0,
                name: d.name.clone(),
                code: d.code.clone(),
                depth: d.depth(),
                path_label: String::new(),
                members: counts.get(&d.id).copied().unwrap_or(0),
            })
            .collect()
    } else {
        let query = ListQuery {
            filter: DepartmentFilter {
                q: Some(q.clone()),
                ..DepartmentFilter::default()
            },
            limit: Some(200),
            ..ListQuery::default()
        };
        let page = departments::list(&state.app, &ctx, &query)
            .await
            .map_err(|e| web.fail(e))?;
        page.items
            .iter()
            .map(|d| Row {
                id: d.id.0,
                name: d.name.clone(),
                code: d.code.clone(),
                depth: 0,
                path_label: path_label(d, &names),
                members: counts.get(&d.id).copied().unwrap_or(0),
            })
            .collect()
    };
    let notice = view::notice(web.t(), p.notice.as_deref());
    Ok(render::ok(&ListPage {
        page: Page::new(&web, Some(Section::Departments), notice),
        tx: tx(web.lang()),
        q,
        truncated: tree.len() >= departments::TREE_CAP as usize,
        rows,
        can_create: web
            .auth
            .principal
            .may_somewhere(Resource::Department, Action::Create),
    }))
}

struct Member {
    id: i64,
    display_name: String,
    username: String,
    position: String,
}

#[derive(Template)]
#[template(path = "departments/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    dept: Department,
    ancestors: Vec<(i64, String)>,
    parent: Option<(i64, String)>,
    children: Vec<(i64, String)>,
    members: Option<Vec<Member>>,
    members_more: bool,
    head: Option<String>,
    created_at: String,
    updated_at: String,
    history: Vec<HistoryItem>,
    can_create: bool,
    can_update: bool,
    can_delete: bool,
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    notice: Option<String>,
}

/// `GET /departments/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<NoticeParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let id = DepartmentId(id);
    let dept = departments::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let history = departments::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let principal = &web.auth.principal;
    let members = if principal.may_somewhere(Resource::User, Action::Read) {
        let q = users::ListQuery {
            department_id: Some(id.0),
            limit: Some(20),
            ..Default::default()
        };
        match users::list(&state.app, &ctx, &q).await {
            Ok(page) => Some((
                page.items
                    .into_iter()
                    .map(|u| Member {
                        id: u.id.0,
                        display_name: u.display_name,
                        username: u.username,
                        position: u.position.unwrap_or_default(),
                    })
                    .collect::<Vec<_>>(),
                page.next_cursor.is_some(),
            )),
            Err(castellan_app::Error::Domain(_)) => None,
            Err(e) => return Err(web.fail(e)),
        }
    } else {
        None
    };
    let t = web.t();
    let lang = web.lang();
    let mut children: Vec<(i64, String)> = tree
        .iter()
        .filter(|d| d.parent_id == Some(id))
        .map(|d| (d.id.0, d.name.clone()))
        .collect();
    children.sort_by(|a, b| a.1.cmp(&b.1));
    let ancestors = dept
        .path
        .0
        .iter()
        .take(dept.path.0.len().saturating_sub(1))
        .map(|a| {
            (
                a.0,
                names.get(&a.0).cloned().unwrap_or_else(|| format!("#{a}")),
            )
        })
        .collect();
    let target = Target::Department(&dept.path);
    let notice = view::notice(t, p.notice.as_deref());
    let (members, members_more) = match members {
        Some((m, more)) => (Some(m), more),
        None => (None, false),
    };
    Ok(render::ok(&ShowPage {
        page: Page::new(&web, Some(Section::Departments), notice),
        tx: tx(lang),
        parent: dept.parent_id.map(|p| {
            (
                p.0,
                names.get(&p.0).cloned().unwrap_or_else(|| format!("#{p}")),
            )
        }),
        ancestors,
        children,
        members,
        members_more,
        head: match dept.head_id {
            Some(h) => castellan_app::request::requests::display_names(&state.app, &[h])
                .await
                .ok()
                .and_then(|m| m.get(&h).cloned()),
            None => None,
        },
        created_at: view::when(t, Some(dept.created_at)),
        updated_at: view::when(t, Some(dept.updated_at)),
        history: view::history(
            lang,
            &Names {
                departments: &names,
                users: &view::user_names(&state.app, &history).await,
            },
            &history,
        ),
        can_create: principal.is_allowed(Resource::Department, Action::Create, target),
        can_update: principal.is_allowed(Resource::Department, Action::Update, target),
        can_delete: principal.is_allowed(Resource::Department, Action::Delete, target),
        dept,
    }))
}

#[derive(Template)]
#[template(path = "departments/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    heading: String,
    action: String,
    cancel: String,
    version: i64,
    name: String,
    code: String,
    parents: Vec<DeptOption>,
    /// Members who may be named head (when editing), with the current choice.
    heads: Option<Vec<DeptOption>>,
    errors: FormErrors,
    form_error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NewParams {
    parent_id: Option<i64>,
}

/// The posted department form.
#[derive(Deserialize)]
pub struct DeptForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    parent_id: String,
    #[serde(default)]
    head_id: Option<String>,
    #[serde(default)]
    version: String,
}

fn parse_id(raw: &str) -> Option<i64> {
    raw.trim().parse().ok()
}

async fn form_page(
    state: &AppState,
    web: &Web,
    editing: Option<&Department>,
    values: (&str, &str, Option<i64>, i64),
    errors: FormErrors,
    form_error: Option<String>,
) -> Result<Response, Response> {
    let tree = departments::tree(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    // The head is chosen among the department's active members (and those of its
    // sub-departments), when the user may see them.
    let heads = match editing {
        Some(d) => {
            let q = castellan_app::org::users::ListQuery {
                department_id: Some(d.id.0),
                status: Some("active".into()),
                limit: Some(200),
                ..Default::default()
            };
            match castellan_app::org::users::list(&state.app, &web.ctx(), &q).await {
                Ok(page) => Some(
                    page.items
                        .into_iter()
                        .map(|u| DeptOption {
                            id: u.id.0,
                            label: format!("{} ({})", u.display_name, u.username),
                            selected: d.head_id == Some(u.id),
                        })
                        .collect(),
                ),
                Err(_) => None,
            }
        }
        None => None,
    };
    let tx = tx(web.lang());
    let (heading, action, cancel) = match editing {
        Some(d) => (
            tx.edit_department,
            format!("/departments/{}", d.id),
            format!("/departments/{}", d.id),
        ),
        None => (
            tx.new_department,
            "/departments".to_owned(),
            "/departments".to_owned(),
        ),
    };
    let status = if errors.is_empty() && form_error.is_none() {
        axum::http::StatusCode::OK
    } else {
        axum::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Departments), None),
            tx,
            heading: heading.to_owned(),
            action,
            cancel,
            version: values.3,
            name: values.0.to_owned(),
            code: values.1.to_owned(),
            parents: view::dept_options(&tree, values.2, editing.map(|d| d.id)),
            heads,
            errors,
            form_error,
        },
    ))
}

/// `GET /departments/new`.
pub async fn new(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<NewParams>,
) -> Result<Response, Response> {
    if !web
        .auth
        .principal
        .may_somewhere(Resource::Department, Action::Create)
    {
        return Err(web.fail(
            castellan_domain::DomainError::Forbidden {
                resource: Resource::Department,
                action: Action::Create,
            }
            .into(),
        ));
    }
    form_page(
        &state,
        &web,
        None,
        ("", "", p.parent_id, 0),
        FormErrors::none(),
        None,
    )
    .await
}

/// `POST /departments`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<DeptForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let input = DepartmentInput {
        name: data.name.clone(),
        code: Some(data.code.clone()),
        parent_id: parse_id(&data.parent_id),
    };
    match departments::create(&state.app, &web.ctx(), &input).await {
        Ok(d) => Ok(Redirect::to(&format!("/departments/{}?notice=created", d.id)).into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => {
                form_page(
                    &state,
                    &web,
                    None,
                    (&data.name, &data.code, input.parent_id, 0),
                    errors,
                    msg,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

/// `GET /departments/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let d = departments::get(&state.app, &ctx, DepartmentId(id))
        .await
        .map_err(|e| web.fail(e))?;
    if !web.auth.principal.is_allowed(
        Resource::Department,
        Action::Update,
        Target::Department(&d.path),
    ) {
        return Err(web.fail(
            castellan_domain::DomainError::Forbidden {
                resource: Resource::Department,
                action: Action::Update,
            }
            .into(),
        ));
    }
    let code = d.code.clone().unwrap_or_default();
    form_page(
        &state,
        &web,
        Some(&d),
        (&d.name, &code, d.parent_id.map(|p| p.0), d.version),
        FormErrors::none(),
        None,
    )
    .await
}

/// `POST /departments/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<DeptForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let current = departments::get(&state.app, &ctx, DepartmentId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let version = parse_id(&data.version).unwrap_or(0);
    let parent_id = parse_id(&data.parent_id);
    let patch = DepartmentPatch {
        name: Some(data.name.clone()),
        code: Some(Some(data.code.clone())),
        parent_id: Some(parent_id),
        // Without the list (no right to see members) the head stays as it is.
        head_id: data.head_id.as_deref().map(parse_id),
    };
    match departments::update(&state.app, &ctx, current.id, &patch, version).await {
        Ok(d) => Ok(Redirect::to(&format!("/departments/{}?notice=saved", d.id)).into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => {
                // A stale form is shown again with the user's input and the current version,
                // so saving once more is a deliberate overwrite.
                form_page(
                    &state,
                    &web,
                    Some(&current),
                    (&data.name, &data.code, parent_id, current.version),
                    errors,
                    msg,
                )
                .await
            }
            None => Err(web.fail(e)),
        },
    }
}

#[derive(Deserialize)]
pub struct VersionForm {
    #[serde(default)]
    version: String,
}

/// `POST /departments/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    departments::delete(
        &state.app,
        &web.ctx(),
        DepartmentId(id),
        parse_id(&data.version),
    )
    .await
    .map_err(|e| web.fail(e))?;
    Ok(Redirect::to("/departments?notice=deleted").into_response())
}

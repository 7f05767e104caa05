//! User pages: list with filters, sort and paging; detail with roles and history; forms.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::i18n::fill;
use crate::ui::list::{Header, Pager, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, DeptOption, FormErrors, HistoryItem, Names};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::org::departments;
use castellan_app::org::users::{self, GrantInput, ListQuery, NewUserInput, UserPatch};
use castellan_domain::org::User;
use castellan_domain::values::UserStatus;
use castellan_domain::{Action, DomainError, Resource, UserId};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct ListParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
    notice: Option<String>,
}

struct Filters {
    q: String,
    sort: String,
    any: bool,
}

struct Row {
    id: i64,
    username: String,
    display_name: String,
    department: String,
    roles: Vec<String>,
    status: String,
    active: bool,
    last_login: String,
}

#[derive(Template)]
#[template(path = "users/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: Filters,
    departments: Vec<DeptOption>,
    roles: Vec<CodeOption>,
    statuses: Vec<CodeOption>,
    headers: Vec<Header>,
    rows: Vec<Row>,
    pager: Pager,
    can_create: bool,
    list_error: Option<String>,
}

/// `GET /users`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let tx = tx(lang);
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let query = ListQuery {
        q: Some(p.q.clone()).filter(|s| !s.trim().is_empty()),
        department_id: p.department_id.trim().parse().ok(),
        role: Some(p.role.clone()).filter(|s| !s.is_empty()),
        status: Some(p.status.clone()).filter(|s| !s.is_empty()),
        sort: Some(p.sort.clone()).filter(|s| !s.is_empty()),
        cursor: Some(p.cursor.clone()).filter(|s| !s.is_empty()),
        limit: Some(50),
    };
    let (page, list_error) = match users::list(&state.app, &ctx, &query).await {
        Ok(page) => (page, None),
        // A stale cursor or a hand-edited filter: show the message, not an error page.
        Err(e @ castellan_app::Error::Domain(DomainError::Validation(_))) => (
            castellan_domain::paging::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            e.domain().map(|d| crate::ui::i18n::domain_error(lang, d)),
        ),
        Err(e) => return Err(web.fail(e)),
    };
    let base: Vec<(&str, &str)> = vec![
        ("q", &p.q),
        ("department_id", &p.department_id),
        ("role", &p.role),
        ("status", &p.status),
    ];
    let sort_code = if p.sort.is_empty() {
        "username"
    } else {
        p.sort.as_str()
    };
    let headers = sort_headers(
        "/users",
        &base,
        sort_code,
        &[
            ("username", t.username, false),
            ("display_name", t.display_name, false),
            ("", t.department, false),
            ("", t.roles, false),
            ("", t.status, false),
            ("last_login_at", tx.last_login, false),
        ],
    );
    let mut first = base.clone();
    first.push(("sort", &p.sort));
    let rows = page
        .items
        .into_iter()
        .map(|u| Row {
            id: u.id.0,
            department: u
                .department_id
                .and_then(|d| names.get(&d.0).cloned())
                .unwrap_or_default(),
            roles: u
                .roles
                .iter()
                .map(|g| g.role.name(lang).to_owned())
                .collect(),
            status: u.status.label().get(lang).to_owned(),
            active: u.status == UserStatus::Active,
            last_login: view::when(t, u.last_login_at),
            username: u.username,
            display_name: u.display_name,
        })
        .collect();
    let any =
        !(p.q.is_empty() && p.department_id.is_empty() && p.role.is_empty() && p.status.is_empty());
    let notice = view::notice(t, p.notice.as_deref());
    Ok(render::ok(&ListPage {
        page: Page::new(&web, Some(Section::Users), notice),
        tx,
        departments: view::dept_options(&tree, p.department_id.trim().parse().ok(), None),
        roles: view::role_options(lang, Some(&p.role)),
        statuses: UserStatus::ALL
            .iter()
            .map(|s| CodeOption {
                code: s.code(),
                label: s.label().get(lang).to_owned(),
                selected: p.status == s.code(),
            })
            .collect(),
        headers,
        rows,
        pager: Pager::paged(
            "/users",
            &first,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
        filters: Filters {
            q: p.q,
            sort: p.sort,
            any,
        },
        can_create: web
            .auth
            .principal
            .may_somewhere(Resource::User, Action::Create),
        list_error,
    }))
}

struct GrantLine {
    name: String,
    code: &'static str,
    scope: String,
    department_id: String,
}

#[derive(Template)]
#[template(path = "users/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    user: User,
    active: bool,
    status_label: String,
    department: Option<(i64, String)>,
    language_label: String,
    last_login: String,
    created_at: String,
    grants: Vec<GrantLine>,
    role_options: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    can_update: bool,
    beyond_scope: bool,
    can_assign: bool,
    history: Vec<HistoryItem>,
    action_error: Option<String>,
    password_error: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct NoticeParams {
    notice: Option<String>,
}

async fn show_page(
    state: &AppState,
    web: &Web,
    id: UserId,
    notice: Option<&str>,
    status: StatusCode,
    action_error: Option<String>,
    password_error: Option<String>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let user = users::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let history = users::history(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let t = web.t();
    let lang = web.lang();
    let tx = tx(lang);
    let p = &web.auth.principal;
    let can_update = users::may_change(&state.app, &ctx, &user)
        .await
        .map_err(|e| web.fail(e))?;
    // Someone who administers users somewhere, looking at a person beyond their scope.
    let beyond_scope = !can_update && p.may_somewhere(Resource::User, Action::Update);
    Ok(render::page_response(
        status,
        &ShowPage {
            page: Page::new(web, Some(Section::Users), view::notice(t, notice)),
            tx,
            active: user.status == UserStatus::Active,
            status_label: user.status.label().get(lang).to_owned(),
            department: user.department_id.map(|d| {
                (
                    d.0,
                    names.get(&d.0).cloned().unwrap_or_else(|| format!("#{d}")),
                )
            }),
            language_label: user
                .language
                .map(|l| l.native_name().to_owned())
                .unwrap_or_else(|| tx.language_browser.to_owned()),
            last_login: view::when(t, user.last_login_at),
            created_at: view::when(t, Some(user.created_at)),
            grants: user
                .roles
                .iter()
                .map(|g| GrantLine {
                    name: g.role.name(lang).to_owned(),
                    code: g.role.code(),
                    scope: match g.department_id {
                        None => t.scope_whole.to_owned(),
                        Some(d) => fill(
                            t.scope_in,
                            "dept",
                            names.get(&d.0).cloned().unwrap_or_default(),
                        ),
                    },
                    department_id: g.department_id.map(|d| d.to_string()).unwrap_or_default(),
                })
                .collect(),
            role_options: view::role_options(lang, None),
            departments: view::dept_options(&tree, None, None),
            can_update,
            beyond_scope,
            can_assign: can_update && p.may_somewhere(Resource::User, Action::AssignRoles),
            history: view::history(
                lang,
                &Names {
                    departments: &names,
                    users: &view::user_names(&state.app, &history).await,
                },
                &history,
            ),
            action_error,
            password_error,
            user,
        },
    ))
}

/// `GET /users/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<NoticeParams>,
) -> Result<Response, Response> {
    show_page(
        &state,
        &web,
        UserId(id),
        p.notice.as_deref(),
        StatusCode::OK,
        None,
        None,
    )
    .await
}

/// Values of the user form.
#[derive(Deserialize, Default)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    position: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    role_department_id: String,
    #[serde(default)]
    version: String,
}

#[derive(Template)]
#[template(path = "users/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    heading: String,
    action: String,
    cancel: String,
    is_new: bool,
    version: i64,
    v: UserForm,
    departments: Vec<DeptOption>,
    role_options: Vec<CodeOption>,
    scope_options: Vec<DeptOption>,
    errors: FormErrors,
    form_error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    editing: Option<&User>,
    values: UserForm,
    errors: FormErrors,
    form_error: Option<String>,
) -> Result<Response, Response> {
    let tree = departments::tree(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let tx = tx(web.lang());
    let (heading, action, cancel, version) = match editing {
        Some(u) => (
            tx.edit_user,
            format!("/users/{}", u.id),
            format!("/users/{}", u.id),
            u.version,
        ),
        None => (tx.new_user, "/users".to_owned(), "/users".to_owned(), 0),
    };
    let status = if errors.is_empty() && form_error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Users), None),
            tx,
            heading: heading.to_owned(),
            action,
            cancel,
            is_new: editing.is_none(),
            version,
            departments: view::dept_options(&tree, values.department_id.trim().parse().ok(), None),
            role_options: view::role_options(web.lang(), Some(&values.role)),
            scope_options: view::dept_options(
                &tree,
                values.role_department_id.trim().parse().ok(),
                None,
            ),
            v: values,
            errors,
            form_error,
        },
    ))
}

/// `GET /users/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    if !web
        .auth
        .principal
        .may_somewhere(Resource::User, Action::Create)
    {
        return Err(web.forbidden(Resource::User, Action::Create));
    }
    form_page(
        &state,
        &web,
        None,
        UserForm::default(),
        FormErrors::none(),
        None,
    )
    .await
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// `POST /users`.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<UserForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, mut data } = form;
    let roles = match opt(&data.role) {
        Some(role) => vec![GrantInput {
            role,
            department_id: data.role_department_id.trim().parse().ok(),
        }],
        None => Vec::new(),
    };
    let input = NewUserInput {
        username: data.username.clone(),
        display_name: data.display_name.clone(),
        email: opt(&data.email),
        department_id: data.department_id.trim().parse().ok(),
        position: opt(&data.position),
        password: std::mem::take(&mut data.password),
        roles,
        language: opt(&data.language),
    };
    match users::create(&state.app, &web.ctx(), &input).await {
        Ok(u) => Ok(Redirect::to(&format!("/users/{}?notice=created", u.id)).into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => form_page(&state, &web, None, data, errors, msg).await,
            None => Err(web.fail(e)),
        },
    }
}

/// `GET /users/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
) -> Result<Response, Response> {
    let u = users::get(&state.app, &web.ctx(), UserId(id))
        .await
        .map_err(|e| web.fail(e))?;
    if !users::may_change(&state.app, &web.ctx(), &u)
        .await
        .map_err(|e| web.fail(e))?
    {
        return Err(web.forbidden(Resource::User, Action::Update));
    }
    let values = UserForm {
        display_name: u.display_name.clone(),
        email: u.email.clone().unwrap_or_default(),
        department_id: u.department_id.map(|d| d.to_string()).unwrap_or_default(),
        position: u.position.clone().unwrap_or_default(),
        language: u.language.map(|l| l.code().to_owned()).unwrap_or_default(),
        ..UserForm::default()
    };
    form_page(&state, &web, Some(&u), values, FormErrors::none(), None).await
}

/// `POST /users/{id}`.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<UserForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let ctx = web.ctx();
    let current = users::get(&state.app, &ctx, UserId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let patch = UserPatch {
        display_name: Some(data.display_name.clone()),
        email: Some(opt(&data.email)),
        department_id: Some(data.department_id.trim().parse().ok()),
        position: Some(opt(&data.position)),
        language: Some(opt(&data.language)),
        ..UserPatch::default()
    };
    let version = data.version.trim().parse().unwrap_or(0);
    match users::update(&state.app, &ctx, current.id, &patch, version).await {
        Ok(u) => Ok(Redirect::to(&format!("/users/{}?notice=saved", u.id)).into_response()),
        Err(e) => match view::form_failure(web.lang(), &e) {
            Some((errors, msg)) => form_page(&state, &web, Some(&current), data, errors, msg).await,
            None => Err(web.fail(e)),
        },
    }
}

/// Fields of the small forms on the user page.
#[derive(Deserialize, Default)]
pub struct SmallForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    department_id: String,
    #[serde(default)]
    password: String,
}

/// Runs a change from the user page; on a refusal shows the page again with the message.
async fn page_action(
    state: &AppState,
    web: &Web,
    id: UserId,
    patch: UserPatch,
    version: &str,
) -> Result<Response, Response> {
    let version = version.trim().parse().unwrap_or(0);
    match users::update(&state.app, &web.ctx(), id, &patch, version).await {
        Ok(u) => Ok(Redirect::to(&format!("/users/{}?notice=saved", u.id)).into_response()),
        Err(castellan_app::Error::Domain(
            d @ (DomainError::Conflict(_)
            | DomainError::StaleVersion { .. }
            | DomainError::Validation(_)),
        )) => {
            let message = match &d {
                DomainError::Validation(fields) => fields
                    .iter()
                    .next()
                    .map(|f| crate::ui::i18n::field_error(web.lang(), &f.kind))
                    .unwrap_or_default(),
                other => crate::ui::i18n::domain_error(web.lang(), other),
            };
            let status = crate::problem::status_of(&d);
            show_page(state, web, id, None, status, Some(message), None).await
        }
        Err(e) => Err(web.fail(e)),
    }
}

/// `POST /users/{id}/status`: enable or disable.
pub async fn set_status(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<SmallForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let patch = UserPatch {
        status: Some(data.status.clone()),
        ..UserPatch::default()
    };
    page_action(&state, &web, UserId(id), patch, &data.version).await
}

fn grant_of(role: &str, department_id: &str) -> GrantInput {
    GrantInput {
        role: role.trim().to_owned(),
        department_id: department_id.trim().parse().ok(),
    }
}

/// `POST /users/{id}/roles`: add a role.
pub async fn add_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<SmallForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let user = users::get(&state.app, &web.ctx(), UserId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let mut roles: Vec<GrantInput> = user
        .roles
        .iter()
        .map(|g| GrantInput {
            role: g.role.code().to_owned(),
            department_id: g.department_id.map(|d| d.0),
        })
        .collect();
    let added = grant_of(&data.role, &data.department_id);
    if !roles.contains(&added) {
        roles.push(added);
    }
    let patch = UserPatch {
        roles: Some(roles),
        ..UserPatch::default()
    };
    page_action(&state, &web, user.id, patch, &data.version).await
}

/// `POST /users/{id}/roles/remove`: withdraw a role.
pub async fn remove_role(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<SmallForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let user = users::get(&state.app, &web.ctx(), UserId(id))
        .await
        .map_err(|e| web.fail(e))?;
    let removed = grant_of(&data.role, &data.department_id);
    let roles: Vec<GrantInput> = user
        .roles
        .iter()
        .map(|g| GrantInput {
            role: g.role.code().to_owned(),
            department_id: g.department_id.map(|d| d.0),
        })
        .filter(|g| *g != removed)
        .collect();
    let patch = UserPatch {
        roles: Some(roles),
        ..UserPatch::default()
    };
    page_action(&state, &web, user.id, patch, &data.version).await
}

/// `POST /users/{id}/password`: an administrator sets a new password.
pub async fn set_password(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<SmallForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let id = UserId(id);
    match users::set_password(&state.app, &web.ctx(), id, &data.password).await {
        Ok(()) => Ok(Redirect::to(&format!("/users/{id}?notice=password_set")).into_response()),
        Err(castellan_app::Error::Domain(DomainError::Validation(fields))) => {
            let message = fields
                .iter()
                .next()
                .map(|f| crate::ui::i18n::field_error(web.lang(), &f.kind));
            show_page(
                &state,
                &web,
                id,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
                None,
                message,
            )
            .await
        }
        Err(e) => Err(web.fail(e)),
    }
}

#[derive(serde::Deserialize, Default)]
pub struct PeopleParams {
    #[serde(default)]
    q: String,
}

/// `GET /people?q=`: the people picker's suggestions as JSON
/// (`[{"username", "display_name", "department", "label"}]`), for forms that name people.
/// Without the right to find people the list is empty.
pub async fn people(
    State(state): State<AppState>,
    web: Web,
    axum::extract::Query(p): axum::extract::Query<PeopleParams>,
) -> Response {
    use axum::response::IntoResponse;
    let found = castellan_app::org::users::search_people(&state.app, &web.ctx(), &p.q, 10)
        .await
        .unwrap_or_default();
    let items: Vec<serde_json::Value> = found
        .into_iter()
        .map(|m| {
            let label = match &m.department {
                Some(d) => format!("{} · {d}", m.display_name),
                None => m.display_name.clone(),
            };
            serde_json::json!({
                "username": m.username, "display_name": m.display_name,
                "department": m.department, "label": label,
            })
        })
        .collect();
    let mut r = axum::Json(items).into_response();
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    r
}

//! The document register: the list with its views and filters, and the form that opens a
//! document.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, DeptOption, FormErrors, code_options, some};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::document::documents::{self, DocumentForm, DocumentQuery};
use castellan_domain::document::{
    DocumentFamily, DocumentInput, DocumentKind, ReviewState, VersionStatus, review_state,
};
use castellan_domain::{Action, DepartmentId, Lang, Resource, UserId};
use serde::Deserialize;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    family: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    imported: String,
}

struct Tab {
    href: &'static str,
    label: &'static str,
    active: bool,
}

/// A document as a line of the register.
struct Line {
    id: i64,
    code: String,
    title: String,
    kind: &'static str,
    family: &'static str,
    owner: String,
    status: &'static str,
    status_code: &'static str,
    current: String,
    pending: String,
    next_review: String,
    review_class: &'static str,
    review_label: &'static str,
}

#[derive(Template)]
#[template(path = "documents/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: ListParams,
    tabs: Vec<Tab>,
    any_filter: bool,
    register_empty: bool,
    may_create: bool,
    total_label: String,
    kinds: Vec<CodeOption>,
    families: Vec<CodeOption>,
    statuses: Vec<CodeOption>,
    rows: Vec<Line>,
    pager: Pager,
    error: Option<String>,
}

fn may_create(web: &Web) -> bool {
    web.ctx()
        .principal
        .may_somewhere(Resource::Document, Action::Create)
}

/// The review badge of a document: its class and label.
pub fn review_badge(lang: Lang, r: Option<ReviewState>) -> (&'static str, &'static str) {
    let tx = tx(lang);
    match r {
        Some(ReviewState::Overdue) => ("badge-warn", tx.review_overdue),
        Some(ReviewState::DueSoon) => ("badge-role", tx.review_due_soon),
        _ => ("", ""),
    }
}

/// `GET /documents`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let query = DocumentQuery {
        status: some(&p.status),
        kind: some(&p.kind),
        family: some(&p.family),
        owner_id: (p.view == "mine").then_some(ctx.principal.user_id),
        review: (p.view == "review").then(|| "due".to_owned()),
        q: some(&p.q),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..DocumentQuery::default()
    };
    let (page, total, error) = match documents::list(&state.app, &ctx, &query).await {
        Ok((page, total)) => (page, total, None),
        Err(e) if view::is_input_error(&e) => (
            castellan_domain::paging::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            0,
            Some(t.error_invalid.to_owned()),
        ),
        Err(e) => return Err(web.fail(e)),
    };
    let today = documents::today(&state.app);
    let people = crate::ui::pages::rectification::tasks::names(
        &state,
        page.items.iter().map(|d| d.owner_id).collect(),
    )
    .await;
    let rows = page
        .items
        .into_iter()
        .map(|d| {
            let (review_class, review_label) =
                review_badge(lang, review_state(d.next_review_at, today));
            Line {
                id: d.id,
                owner: people
                    .get(&d.owner_id)
                    .cloned()
                    .unwrap_or_else(|| format!("#{}", d.owner_id.0)),
                code: d.code,
                title: d.title,
                kind: d.kind.label().get(lang),
                family: d.family.label().get(lang),
                status: d.status.label().get(lang),
                status_code: d.status.code(),
                current: d
                    .current_version
                    .map(|v| format!("V{v}"))
                    .unwrap_or_default(),
                pending: d
                    .pending_version
                    .map(|v| format!("V{v}"))
                    .unwrap_or_default(),
                next_review: d.next_review_at.map(|x| x.to_string()).unwrap_or_default(),
                review_class,
                review_label,
            }
        })
        .collect::<Vec<_>>();
    let any_filter = [&p.q, &p.kind, &p.family, &p.status]
        .iter()
        .any(|v| !v.is_empty());
    let view_is =
        |v: &str| p.view == v || (v.is_empty() && !matches!(p.view.as_str(), "mine" | "review"));
    let tabs = vec![
        Tab {
            href: "/documents",
            label: tx.view_all,
            active: view_is(""),
        },
        Tab {
            href: "/documents?view=mine",
            label: tx.view_mine,
            active: view_is("mine"),
        },
        Tab {
            href: "/documents?view=review",
            label: tx.view_review,
            active: view_is("review"),
        },
    ];
    let base = [
        ("view", p.view.as_str()),
        ("q", p.q.as_str()),
        ("kind", p.kind.as_str()),
        ("family", p.family.as_str()),
        ("status", p.status.as_str()),
    ];
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: {
                let mut page = Page::new(&web, Some(Section::Documents), None);
                if let Ok(n) = p.imported.parse::<usize>() {
                    page.notice = Some(tx.starter_imported.replace("{n}", &n.to_string()));
                }
                page
            },
            tx,
            tabs,
            register_empty: rows.is_empty() && !any_filter && p.view.is_empty() && error.is_none(),
            any_filter,
            may_create: may_create(&web),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            kinds: code_options(
                &DocumentKind::ALL,
                DocumentKind::code,
                DocumentKind::label,
                lang,
                &p.kind,
            ),
            families: code_options(
                &DocumentFamily::ALL,
                DocumentFamily::code,
                DocumentFamily::label,
                lang,
                &p.family,
            ),
            statuses: code_options(
                &[
                    VersionStatus::Draft,
                    VersionStatus::InReview,
                    VersionStatus::Approved,
                    VersionStatus::Effective,
                    VersionStatus::Retired,
                ],
                VersionStatus::code,
                VersionStatus::label,
                lang,
                &p.status,
            ),
            rows,
            pager: Pager::paged(
                "/documents",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            error,
            filters: p,
        },
    ))
}

/// The fields of the document form (new and details).
#[derive(Deserialize, Default, Clone)]
pub struct DocForm {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub owner: String,
    #[serde(default)]
    pub department_id: String,
    #[serde(default)]
    pub review_interval_months: String,
    pub version: Option<i64>,
}

impl DocForm {
    /// The service's form; a department or interval that is not a number is refused on its
    /// field.
    pub fn to_form(&self) -> Result<DocumentForm, castellan_app::Error> {
        let mut errors = castellan_domain::FieldErrors::new();
        let department_id = match self.department_id.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(DepartmentId(n)),
                Err(_) => {
                    errors.add(
                        "department_id",
                        castellan_domain::FieldErrorKind::NoSuchRecord,
                    );
                    None
                }
            },
        };
        let months = match self.review_interval_months.trim() {
            "" => None,
            s => match s.parse::<i64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.add(
                        "review_interval_months",
                        castellan_domain::FieldErrorKind::OutOfRange { min: 1, max: 60 },
                    );
                    None
                }
            },
        };
        errors.into_result()?;
        Ok(DocumentForm {
            fields: DocumentInput {
                code: some(&self.code),
                title: self.title.clone(),
                kind: self.kind.clone(),
                family: self.family.clone(),
                review_interval_months: months,
            },
            owner_id: None,
            owner_username: some(&self.owner),
            department_id,
        })
    }
}

/// The departments for the form, with `selected` chosen (none when the caller may not
/// list departments: the document then belongs to the whole organization).
pub async fn departments(state: &AppState, web: &Web, selected: &str) -> Vec<DeptOption> {
    let tree = castellan_app::org::departments::tree(&state.app, &web.ctx())
        .await
        .unwrap_or_default();
    view::dept_options(&tree, selected.trim().parse().ok(), None)
}

#[derive(Template)]
#[template(path = "documents/form.html")]
struct FormPage {
    page: Page,
    tx: &'static texts::Messages,
    details: DocForm,
    kinds: Vec<CodeOption>,
    families: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    errors: FormErrors,
    error: Option<String>,
}

async fn form_page(
    state: &AppState,
    web: &Web,
    form: DocForm,
    errors: FormErrors,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let lang = web.lang();
    let kind = if form.kind.is_empty() {
        "policy"
    } else {
        form.kind.as_str()
    }
    .to_owned();
    let family = if form.family.is_empty() {
        "general"
    } else {
        form.family.as_str()
    }
    .to_owned();
    render::page_response(
        status,
        &FormPage {
            page: Page::new(web, Some(Section::Documents), None),
            tx: tx(lang),
            kinds: code_options(
                &DocumentKind::ALL,
                DocumentKind::code,
                DocumentKind::label,
                lang,
                &kind,
            ),
            families: code_options(
                &DocumentFamily::ALL,
                DocumentFamily::code,
                DocumentFamily::label,
                lang,
                &family,
            ),
            departments: departments(state, web, &form.department_id).await,
            details: form,
            errors,
            error,
        },
    )
}

/// `GET /documents/new`.
pub async fn new(State(state): State<AppState>, web: Web) -> Response {
    let form = DocForm {
        review_interval_months: "12".into(),
        ..DocForm::default()
    };
    form_page(&state, &web, form, FormErrors::none(), None, StatusCode::OK).await
}

/// Errors of the document form, with the owner's field named as the form names it.
pub fn form_errors(lang: Lang, e: &castellan_app::Error) -> Option<(FormErrors, Option<String>)> {
    let (mut errors, message) = view::form_failure(lang, e)?;
    if let Some(m) = errors.get("owner_id").map(str::to_owned) {
        errors.set("owner", &m);
    }
    Some((errors, message))
}

/// `POST /documents`: opens a document and goes to its page to write its first version.
pub async fn create(
    State(state): State<AppState>,
    form: CsrfForm<DocForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.to_form() {
        Ok(form) => documents::create(&state.app, &web.ctx(), &form).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(v) => Ok(
            Redirect::to(&format!("/documents/{}?notice=created", v.document.id)).into_response(),
        ),
        Err(e) => match form_errors(web.lang(), &e) {
            Some((errors, message)) => Ok(form_page(
                &state,
                &web,
                f,
                errors,
                message,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await),
            None => Err(web.fail(e)),
        },
    }
}

/// The name of a user id, for pages that show people.
pub fn name_of(people: &std::collections::HashMap<UserId, String>, u: Option<UserId>) -> String {
    u.map(|u| {
        people
            .get(&u)
            .cloned()
            .unwrap_or_else(|| format!("#{}", u.0))
    })
    .unwrap_or_default()
}

struct SkeletonLine {
    code: &'static str,
    title: &'static str,
    kind: &'static str,
    family: &'static str,
    present: bool,
}

#[derive(Template)]
#[template(path = "documents/starter.html")]
struct StarterPage {
    page: Page,
    tx: &'static texts::Messages,
    lines: Vec<SkeletonLine>,
    all_present: bool,
    error: Option<String>,
}

async fn starter_page(
    state: &AppState,
    web: &Web,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let lang = web.lang();
    let entries = castellan_app::document::starter::entries(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let lines: Vec<SkeletonLine> = entries
        .iter()
        .map(|e| SkeletonLine {
            code: e.skeleton.code,
            title: e.skeleton.title.get(lang),
            kind: e.skeleton.kind.label().get(lang),
            family: e.skeleton.family.label().get(lang),
            present: e.present,
        })
        .collect();
    Ok(render::page_response(
        status,
        &StarterPage {
            page: Page::new(web, Some(Section::Documents), None),
            tx: tx(lang),
            all_present: lines.iter().all(|l| l.present),
            lines,
            error,
        },
    ))
}

/// `GET /documents/starter-set`: the skeletons to import.
pub async fn starter(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    starter_page(&state, &web, None, StatusCode::OK).await
}

/// `POST /documents/starter-set`: imports the chosen skeletons (`code` repeated).
pub async fn import_starter(
    State(state): State<AppState>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let codes: Vec<String> = data
        .into_iter()
        .filter(|(k, _)| k == "code")
        .map(|(_, v)| v)
        .collect();
    if codes.is_empty() {
        let msg = tx(web.lang()).starter_none.to_owned();
        return starter_page(&state, &web, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
    }
    match castellan_app::document::starter::import(&state.app, &web.ctx(), &codes, web.lang()).await
    {
        Ok(docs) => Ok(
            Redirect::to(&format!("/documents?view=mine&imported={}", docs.len())).into_response(),
        ),
        Err(e)
            if e.domain().is_some_and(|d| {
                !matches!(
                    d,
                    castellan_domain::DomainError::NotFound { .. }
                        | castellan_domain::DomainError::Forbidden { .. }
                )
            }) =>
        {
            let msg = view::failure_message(web.lang(), &e, |f| f.to_owned());
            starter_page(&state, &web, Some(msg), StatusCode::CONFLICT).await
        }
        Err(e) => Err(web.fail(e)),
    }
}

//! The document page: its details, the change history as the seeds keep it (version,
//! author, reviewer, approver — each with the date —, effective date, change note), the
//! text in force, and the forms of its owner: details, a new version, the scheduled review.

use super::register::{DocForm, departments, form_errors, name_of, review_badge};
use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, DeptOption, FormErrors, code_options, some, when};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::document::documents::{self, DocumentView};
use castellan_app::document::versions;
use castellan_domain::document::{
    DocumentFamily, DocumentKind, DocumentVersion, VersionInput, VersionStatus,
};
use castellan_domain::{Lang, UserId};
use serde::Deserialize;

/// A line of the change history.
pub struct HistoryLine {
    pub id: i64,
    pub number: String,
    pub author: String,
    pub authored: String,
    pub reviewer: String,
    pub reviewed: String,
    pub approver: String,
    pub approved: String,
    pub effective: String,
    pub note: String,
    pub status: &'static str,
    pub status_code: &'static str,
}

fn day_of(app: &castellan_app::App, t: Option<castellan_domain::Timestamp>) -> String {
    t.map(|t| castellan_domain::Day::of_at(t, app.settings().utc_offset()).to_string())
        .unwrap_or_default()
}

/// The change history's lines, newest first, with people's names.
pub async fn history_lines(
    state: &AppState,
    lang: Lang,
    versions: &[DocumentVersion],
) -> Vec<HistoryLine> {
    let ids: Vec<UserId> = versions
        .iter()
        .flat_map(|v| [Some(v.author_id), v.reviewer_id, v.approver_id])
        .flatten()
        .collect();
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let app = &state.app;
    versions
        .iter()
        .map(|v| HistoryLine {
            id: v.id,
            number: format!("V{}", v.number),
            author: name_of(&people, Some(v.author_id)),
            authored: day_of(app, Some(v.authored_at)),
            reviewer: name_of(&people, v.reviewer_id),
            reviewed: day_of(app, v.reviewed_at),
            approver: name_of(&people, v.approver_id),
            approved: day_of(app, v.approved_at),
            effective: v.effective_at.map(|d| d.to_string()).unwrap_or_default(),
            note: v.change_note.clone(),
            status: v.status.label().get(lang),
            status_code: v.status.code(),
        })
        .collect()
}

#[derive(Deserialize, Default, Clone)]
pub struct VersionForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub change_note: String,
    #[serde(default)]
    pub body: String,
    pub revision: Option<i64>,
}

impl VersionForm {
    /// The service's input.
    pub fn input(&self) -> VersionInput {
        VersionInput {
            version: some(&self.version),
            change_note: self.change_note.clone(),
            body: some(&self.body),
        }
    }
}

#[derive(Template)]
#[template(path = "documents/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    id: i64,
    version: i64,
    code: String,
    title: String,
    kind: &'static str,
    family: &'static str,
    status: &'static str,
    status_code: &'static str,
    owner: String,
    department: String,
    current: String,
    effective: String,
    interval: u8,
    next_review: String,
    review_class: &'static str,
    review_label: &'static str,
    last_reviewed: String,
    history: Vec<HistoryLine>,
    text_html: String,
    text_version: String,
    in_force_id: i64,
    may_manage: bool,
    may_draft: bool,
    may_review: bool,
    next_number: String,
    details: DocForm,
    kinds: Vec<CodeOption>,
    families: Vec<CodeOption>,
    departments: Vec<DeptOption>,
    new_version: VersionForm,
    addressed: bool,
    acknowledged: String,
    sees_coverage: bool,
    coverage_summary: String,
    coverage_percent: i64,
    coverage_rows: Vec<super::acknowledgements::CoverageRow>,
    addressed_departments: Vec<String>,
    addressed_roles: Vec<&'static str>,
    department_choices: Vec<Choice>,
    role_choices: Vec<Choice>,
    errors: FormErrors,
    error: Option<String>,
}

/// A checkbox of the addressee editor.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub checked: bool,
}

#[derive(Deserialize, Default)]
pub struct ShowParams {
    #[serde(default)]
    notice: Option<String>,
}

/// `GET /documents/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(p): Query<ShowParams>,
) -> Result<Response, Response> {
    render_show(
        &state,
        &web,
        id,
        p.notice.as_deref(),
        Failure::default(),
        StatusCode::OK,
    )
    .await
}

/// What a refused form leaves on the page: the message, the fields' errors and what was
/// typed.
#[derive(Default)]
pub struct Failure {
    pub error: Option<String>,
    pub errors: FormErrors,
    pub details: Option<DocForm>,
    pub new_version: Option<VersionForm>,
}

pub(super) async fn render_show(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    failure: Failure,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v: DocumentView = documents::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let d = &v.document;
    let in_force = v
        .versions
        .iter()
        .find(|x| x.status == VersionStatus::Effective);
    let mut in_force_body = String::new();
    let (text_html, text_version, in_force_id) = match in_force {
        Some(x) => {
            let full = versions::get(&state.app, &ctx, id, x.id)
                .await
                .map_err(|e| web.fail(e))?;
            in_force_body = full.version.body.clone().unwrap_or_default();
            (
                full.version
                    .body
                    .as_deref()
                    .map(castellan_document::markdown::to_html)
                    .unwrap_or_default(),
                format!("V{}", x.number),
                x.id,
            )
        }
        None => (String::new(), String::new(), 0),
    };
    let mut ids = vec![d.owner_id];
    ids.extend(d.created_by);
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let dept_names = castellan_app::org::departments::tree(&state.app, &ctx)
        .await
        .map(|tree| view::department_names(&tree))
        .unwrap_or_default();
    let (review_class, review_label) = review_badge(lang, v.review);
    let next_number = v
        .versions
        .iter()
        .map(|x| x.number)
        .max()
        .map_or("1.0".to_owned(), |n| n.next_minor().to_string());
    let details = failure.details.unwrap_or_else(|| DocForm {
        code: d.code.clone(),
        title: d.title.clone(),
        kind: d.kind.code().to_owned(),
        family: d.family.code().to_owned(),
        owner: String::new(),
        department_id: d.department_id.map(|x| x.0.to_string()).unwrap_or_default(),
        review_interval_months: d.review_interval_months.to_string(),
        version: Some(d.version),
    });
    // Acknowledgements: the reader's standing, and for those who see it the coverage.
    let (addressed, acknowledged) = match v.standing {
        Some(s) => (
            s.addressed && s.acknowledged_at.is_none(),
            s.acknowledged_at
                .map(|at| {
                    tx.ack_done
                        .replace("{v}", &text_version)
                        .replace("{at}", &when(t, Some(at)))
                })
                .unwrap_or_default(),
        ),
        None => (false, String::new()),
    };
    let coverage = if v.sees_coverage {
        castellan_app::document::acknowledgements::coverage(&state.app, &ctx, id)
            .await
            .ok()
    } else {
        None
    };
    let (
        coverage_summary,
        coverage_percent,
        coverage_rows,
        addressed_departments,
        addressed_roles,
        department_choices,
        role_choices,
    ) = match &coverage {
        Some(c) => {
            let tree = castellan_app::org::departments::tree(&state.app, &ctx)
                .await
                .unwrap_or_default();
            let chosen: Vec<i64> = c.addressees.departments.iter().map(|d| d.0).collect();
            (
                super::acknowledgements::summary(lang, c.acknowledged, c.total),
                if c.total == 0 {
                    0
                } else {
                    c.acknowledged * 100 / c.total
                },
                super::acknowledgements::rows(lang, id, c, &dept_names),
                c.addressees
                    .departments
                    .iter()
                    .map(|d| {
                        dept_names
                            .get(&d.0)
                            .cloned()
                            .unwrap_or_else(|| format!("#{}", d.0))
                    })
                    .collect(),
                c.addressees
                    .roles
                    .iter()
                    .map(|r| r.label().get(lang))
                    .collect(),
                view::dept_options(&tree, None, None)
                    .into_iter()
                    .map(|o| Choice {
                        checked: chosen.contains(&o.id),
                        value: o.id.to_string(),
                        label: o.label,
                    })
                    .collect(),
                castellan_domain::Role::ALL
                    .iter()
                    .map(|r| Choice {
                        value: r.code().to_owned(),
                        label: r.label().get(lang).to_owned(),
                        checked: c.addressees.roles.contains(r),
                    })
                    .collect(),
            )
        }
        None => (
            String::new(),
            0,
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
            Vec::new(),
        ),
    };
    let page = ShowPage {
        page: {
            let mut page = Page::new(web, Some(Section::Documents), view::notice(t, notice));
            if notice == Some("acknowledged") {
                page.notice = Some(tx.ack_thanks.to_owned());
            }
            page
        },
        addressed,
        acknowledged,
        sees_coverage: v.sees_coverage,
        coverage_summary,
        coverage_percent,
        coverage_rows,
        addressed_departments,
        addressed_roles,
        department_choices,
        role_choices,
        tx,
        id,
        version: d.version,
        code: d.code.clone(),
        title: d.title.clone(),
        kind: d.kind.label().get(lang),
        family: d.family.label().get(lang),
        status: d.status.label().get(lang),
        status_code: d.status.code(),
        owner: name_of(&people, Some(d.owner_id)),
        department: d
            .department_id
            .and_then(|x| dept_names.get(&x.0).cloned())
            .unwrap_or_else(|| tx.no_department.to_owned()),
        current: d
            .current_version
            .clone()
            .map(|x| format!("V{x}"))
            .unwrap_or_default(),
        effective: d.effective_at.map(|x| x.to_string()).unwrap_or_default(),
        interval: d.review_interval_months,
        next_review: d.next_review_at.map(|x| x.to_string()).unwrap_or_default(),
        review_class,
        review_label,
        last_reviewed: d.reviewed_at.map(|x| when(t, Some(x))).unwrap_or_default(),
        history: history_lines(state, lang, &v.versions).await,
        text_html,
        text_version,
        in_force_id,
        may_manage: v.may_manage,
        may_draft: v.may_draft,
        may_review: v.may_review,
        next_number,
        kinds: code_options(
            &DocumentKind::ALL,
            DocumentKind::code,
            DocumentKind::label,
            lang,
            &details.kind,
        ),
        families: code_options(
            &DocumentFamily::ALL,
            DocumentFamily::code,
            DocumentFamily::label,
            lang,
            &details.family,
        ),
        departments: departments(state, web, &details.department_id).await,
        details,
        // A new version starts from the text in force.
        new_version: failure.new_version.unwrap_or_else(|| VersionForm {
            body: in_force_body,
            ..VersionForm::default()
        }),
        errors: failure.errors,
        error: failure.error,
    };
    Ok(render::page_response(status, &page))
}

async fn refused(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
    keep: impl FnOnce(&mut Failure),
) -> Result<Response, Response> {
    let status = e
        .domain()
        .map_or(StatusCode::INTERNAL_SERVER_ERROR, crate::problem::status_of);
    if status == StatusCode::NOT_FOUND || e.domain().is_none() {
        return Err(web.fail(e));
    }
    let mut failure = Failure::default();
    match form_errors(web.lang(), &e) {
        Some((errors, message)) => {
            failure.errors = errors;
            failure.error = message;
        }
        None => failure.error = Some(view::failure_message(web.lang(), &e, |f| f.to_owned())),
    }
    keep(&mut failure);
    render_show(state, web, id, None, failure, status).await
}

/// `POST /documents/{id}`: changes the details.
pub async fn update(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<DocForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let result = match f.to_form() {
        Ok(form) => {
            documents::update(&state.app, &web.ctx(), id, &form, f.version.unwrap_or(0)).await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?notice=saved")).into_response()),
        Err(e) => refused(&state, &web, id, e, |fl| fl.details = Some(f)).await,
    }
}

#[derive(Deserialize)]
pub struct ReviewForm {
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /documents/{id}/review`: confirms the scheduled review.
pub async fn review(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<ReviewForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let comment = some(&f.comment);
    match documents::confirm_review(&state.app, &web.ctx(), id, comment.as_deref(), f.version).await
    {
        Ok(_) => Ok(Redirect::to(&format!("/documents/{id}?notice=saved")).into_response()),
        Err(e) => refused(&state, &web, id, e, |_| {}).await,
    }
}

/// `POST /documents/{id}/versions`: drafts a new version and opens it.
pub async fn create_version(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<VersionForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    match versions::create(&state.app, &web.ctx(), id, &f.input()).await {
        Ok(v) => Ok(Redirect::to(&format!(
            "/documents/{id}/versions/{}?notice=created",
            v.version.id
        ))
        .into_response()),
        Err(e) => refused(&state, &web, id, e, |fl| fl.new_version = Some(f)).await,
    }
}

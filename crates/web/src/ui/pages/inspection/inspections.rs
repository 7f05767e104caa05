//! Inspections on the pages: the list, and the inspection page where its inspectors record
//! results item by item, open the findings' rectification tasks, attach evidence and
//! complete it.

use super::plans::{inspection_badge, manages, reads_all, tally_label};
use super::{Tab, refusal, tabs, texts, tx, usernames};
use crate::state::AppState;
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::pages::rectification::tasks::{TaskLine, lines as task_lines};
use crate::ui::render;
use crate::ui::session::{CsrfForm, Web};
use crate::ui::view::{self, CodeOption, code_options, some};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use castellan_app::inspection::inspections::{self, FindingInput, InspectionQuery, ResultInput};
use castellan_domain::inspection::{CheckArea, InspectionStatus, ItemResult};
use castellan_domain::{Day, UserId};
use serde::Deserialize;

struct Row {
    id: i64,
    code: String,
    plan_id: i64,
    plan: String,
    due: String,
    performed: String,
    status: &'static str,
    badge: &'static str,
    overdue: bool,
    tally: String,
}

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    #[serde(default)]
    view: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    overdue: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
}

#[derive(Template)]
#[template(path = "inspections/list.html")]
struct ListPage {
    page: Page,
    tx: &'static texts::Messages,
    tabs: Vec<Tab>,
    views: Vec<Tab>,
    filters: ListParams,
    any_filter: bool,
    statuses: Vec<CodeOption>,
    total_label: String,
    rows: Vec<Row>,
    pager: Pager,
}

/// `GET /inspections`.
pub async fn list(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<ListParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let tx = tx(lang);
    let mine = p.view == "mine";
    let query = InspectionQuery {
        status: some(&p.status),
        overdue: p.overdue == "1",
        mine,
        q: some(&p.q),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..InspectionQuery::default()
    };
    let (page, total) = inspections::list(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let rows = page
        .items
        .iter()
        .map(|l| Row {
            id: l.inspection.id,
            code: l.inspection.code.clone(),
            plan_id: l.inspection.plan_id,
            plan: l.plan.1.clone(),
            due: l.inspection.due_on.to_string(),
            performed: l
                .inspection
                .performed_at
                .map(|d| d.to_string())
                .unwrap_or_default(),
            status: l.inspection.status.label().get(lang),
            badge: inspection_badge(l.inspection.status.code()),
            overdue: l.overdue,
            tally: tally_label(tx, &l.tally),
        })
        .collect();
    let base = [
        ("view", p.view.as_str()),
        ("q", p.q.as_str()),
        ("status", p.status.as_str()),
        ("overdue", p.overdue.as_str()),
    ];
    Ok(render::page_response(
        StatusCode::OK,
        &ListPage {
            page: Page::new(&web, Some(Section::Inspections), None),
            tx,
            tabs: tabs(lang, "inspections", manages(&web) || reads_all(&web)),
            views: vec![
                Tab {
                    href: "/inspections",
                    label: tx.view_all,
                    active: !mine,
                },
                Tab {
                    href: "/inspections?view=mine",
                    label: tx.view_mine,
                    active: mine,
                },
            ],
            any_filter: [&p.q, &p.status, &p.overdue].iter().any(|v| !v.is_empty()),
            statuses: code_options(
                &InspectionStatus::ALL,
                InspectionStatus::code,
                InspectionStatus::label,
                lang,
                &p.status,
            ),
            total_label: tx.total_found.replace("{n}", &total.to_string()),
            rows,
            pager: Pager::paged(
                "/inspections",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            filters: p,
        },
    ))
}

struct Line {
    code: String,
    text: String,
    note: String,
    result: &'static str,
    result_label: &'static str,
    recorded_by: String,
    task: Option<(i64, String)>,
    files: Vec<(i64, String)>,
}

struct AreaGroup {
    label: &'static str,
    lines: Vec<Line>,
}

struct Finding {
    code: String,
    text: String,
    note: String,
    task: Option<(i64, String)>,
}

#[derive(Template)]
#[template(path = "inspections/show.html")]
struct ShowPage {
    page: Page,
    tx: &'static texts::Messages,
    rx: &'static crate::ui::pages::rectification::texts::Messages,
    id: i64,
    version: i64,
    code: String,
    plan_id: i64,
    plan_code: String,
    plan_title: String,
    status: &'static str,
    badge: &'static str,
    due: String,
    performed: String,
    overdue: bool,
    inspectors: String,
    summary: String,
    completed: String,
    tally: castellan_domain::inspection::Tally,
    pass_label: &'static str,
    fail_label: &'static str,
    na_label: &'static str,
    groups: Vec<AreaGroup>,
    findings: Vec<Finding>,
    tasks: Vec<TaskLine>,
    item_codes: Vec<String>,
    editable: bool,
    may_start: bool,
    may_complete: bool,
    today: String,
    task_due: String,
    error: Option<String>,
}

/// `GET /inspections/{id}`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    Query(q): Query<view::NoticeParams>,
) -> Result<Response, Response> {
    render_show(&state, &web, id, q.notice.as_deref(), None, StatusCode::OK).await
}

pub(super) async fn render_show(
    state: &AppState,
    web: &Web,
    id: i64,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let v = inspections::get(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let evidence = inspections::evidence(&state.app, &ctx, id)
        .await
        .map_err(|e| web.fail(e))?;
    let i = &v.inspection;
    let mut ids: Vec<UserId> = i.inspector_ids.clone();
    ids.extend(i.completed_by);
    ids.extend(v.lines.iter().filter_map(|l| l.recorded_by));
    let people = crate::ui::pages::rectification::tasks::names(state, ids).await;
    let person = |u: Option<UserId>| u.and_then(|u| people.get(&u).cloned()).unwrap_or_default();
    let task_code = |tid: i64| {
        v.tasks
            .iter()
            .find(|t| t.task.id == tid)
            .map(|t| (tid, t.task.code.clone()))
    };
    let editable = v.may_perform && i.status != InspectionStatus::Completed;
    let mut groups: Vec<AreaGroup> = Vec::new();
    for area in CheckArea::ALL {
        let lines: Vec<Line> = v
            .lines
            .iter()
            .filter(|l| l.item.area == area)
            .map(|l| Line {
                code: l.item.code.clone(),
                text: l.item.text_in(lang).to_owned(),
                note: l.note.clone().unwrap_or_default(),
                result: l.result.map_or("", ItemResult::code),
                result_label: l.result.map_or(tx.not_checked, |r| r.label().get(lang)),
                recorded_by: person(l.recorded_by),
                task: l.rectification_id.and_then(task_code),
                files: evidence
                    .iter()
                    .find(|(c, _)| *c == l.item.code)
                    .map(|(_, f)| f.iter().map(|a| (a.id, a.name.clone())).collect())
                    .unwrap_or_default(),
            })
            .collect();
        if !lines.is_empty() {
            groups.push(AreaGroup {
                label: area.label().get(lang),
                lines,
            });
        }
    }
    let findings = v
        .lines
        .iter()
        .filter(|l| l.result == Some(ItemResult::Fail))
        .map(|l| Finding {
            code: l.item.code.clone(),
            text: l.item.text_in(lang).to_owned(),
            note: l.note.clone().unwrap_or_default(),
            task: l.rectification_id.and_then(task_code),
        })
        .collect();
    let today = castellan_app::document::documents::today(&state.app);
    let page = ShowPage {
        page: Page::new(web, Some(Section::Inspections), view::notice(t, notice)),
        tx,
        rx: crate::ui::pages::rectification::tx(lang),
        id,
        version: i.version,
        code: i.code.clone(),
        plan_id: v.plan.id,
        plan_code: v.plan.code.clone(),
        plan_title: v.plan.title.clone(),
        status: i.status.label().get(lang),
        badge: inspection_badge(i.status.code()),
        due: i.due_on.to_string(),
        performed: i.performed_at.map(|d| d.to_string()).unwrap_or_default(),
        overdue: v.overdue,
        inspectors: i
            .inspector_ids
            .iter()
            .map(|u| person(Some(*u)))
            .collect::<Vec<_>>()
            .join("、"),
        summary: i.summary.clone().unwrap_or_default(),
        completed: i
            .completed_at
            .map(|at| format!("{} · {}", person(i.completed_by), view::when(t, Some(at))))
            .unwrap_or_default(),
        tally: v.tally,
        pass_label: ItemResult::Pass.label().get(lang),
        fail_label: ItemResult::Fail.label().get(lang),
        na_label: ItemResult::Na.label().get(lang),
        groups,
        findings,
        tasks: task_lines(state, lang, v.tasks.clone()).await,
        item_codes: v.lines.iter().map(|l| l.item.code.clone()).collect(),
        editable,
        may_start: v
            .allowed_transitions
            .contains(&InspectionStatus::InProgress),
        may_complete: v.allowed_transitions.contains(&InspectionStatus::Completed),
        today: today.to_string(),
        task_due: Day::from_date(today.date() + time::Duration::days(30)).to_string(),
        error,
    };
    Ok(render::page_response(status, &page))
}

async fn failed(
    state: &AppState,
    web: &Web,
    id: i64,
    e: castellan_app::Error,
) -> Result<Response, Response> {
    let (errors, message, status) = refusal(web, e)?;
    let mut message = message.unwrap_or_default();
    if message.is_empty() {
        message = errors
            .fields()
            .iter()
            .map(|f| format!("{f}: {}", errors.get(f).unwrap_or_default()))
            .collect::<Vec<_>>()
            .join("\n");
    }
    render_show(state, web, id, None, Some(message), status).await
}

/// `POST /inspections/{id}/results`: `result:CODE` and `note:CODE` for each item, and
/// `performed_at`.
pub async fn results(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<Vec<(String, String)>>,
) -> Result<Response, Response> {
    let CsrfForm { web, data } = form;
    let field = |k: &str| {
        data.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    };
    let lines: Vec<ResultInput> = data
        .iter()
        .filter_map(|(k, v)| {
            let code = k.strip_prefix("result:")?;
            Some(ResultInput {
                item_code: code.to_owned(),
                result: v.clone(),
                note: some(&field(&format!("note:{code}"))),
            })
        })
        .collect();
    let performed_at = Day::parse(&field("performed_at")).ok();
    let version = field("version").parse().ok();
    match inspections::record_results(&state.app, &web.ctx(), id, &lines, performed_at, version)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct FindingForm {
    #[serde(default)]
    item_code: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    responsible: String,
    #[serde(default)]
    due_at: String,
}

/// `POST /inspections/{id}/findings`.
pub async fn finding(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<FindingForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let input = FindingInput {
        item_code: f.item_code,
        description: some(&f.description),
        responsible_id: None,
        responsible_username: usernames(&f.responsible).into_iter().next(),
        due_on: Day::parse(f.due_at.trim()).ok(),
        lang: Some(web.lang()),
    };
    match inspections::open_finding(&state.app, &web.ctx(), id, &input).await {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}?notice=created")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

#[derive(Deserialize)]
pub struct MoveForm {
    #[serde(default)]
    to: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

/// `POST /inspections/{id}/move`.
pub async fn move_inspection(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    form: CsrfForm<MoveForm>,
) -> Result<Response, Response> {
    let CsrfForm { web, data: f } = form;
    let comment = some(&f.comment);
    match inspections::transition(
        &state.app,
        &web.ctx(),
        id,
        &f.to,
        comment.as_deref(),
        f.version,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}?notice=moved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

/// `POST /inspections/{id}/evidence`: a file for an item (`csrf` and `item` before the
/// file; nothing is received without the token).
pub async fn upload(
    State(state): State<AppState>,
    web: Web,
    Path(id): Path<i64>,
    headers: axum::http::HeaderMap,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, Response> {
    let t = web.t();
    let Ok(multipart) = multipart else {
        let msg = t.error_bad_request.to_owned();
        return render_show(&state, &web, id, None, Some(msg), StatusCode::BAD_REQUEST).await;
    };
    let received = crate::attachments::receive(&state.app, &headers, multipart, |fields| {
        if web.auth.csrf_matches(fields.get("csrf").unwrap_or("")) {
            Ok(())
        } else {
            Err(crate::attachments::PageUploadRefused::Csrf)
        }
    })
    .await;
    let (file, fields) = match received {
        Ok(v) => v,
        Err(crate::attachments::PageUploadRefused::Csrf) => {
            let msg = t.csrf_failed.to_owned();
            return render_show(&state, &web, id, None, Some(msg), StatusCode::FORBIDDEN).await;
        }
        Err(crate::attachments::PageUploadRefused::App(e)) => {
            return failed(&state, &web, id, e).await;
        }
    };
    let item = fields.get("item").unwrap_or_default().to_owned();
    let content = match file.content() {
        Ok(c) => c,
        Err(e) => return failed(&state, &web, id, e).await,
    };
    match inspections::attach(
        &state.app,
        &web.ctx(),
        id,
        &item,
        file.name(),
        file.media_type(),
        content,
    )
    .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}?notice=saved")).into_response()),
        Err(e) => failed(&state, &web, id, e).await,
    }
}

/// `GET /inspections/{id}/evidence/{attachment}`.
pub async fn download(
    State(state): State<AppState>,
    web: Web,
    Path((id, attachment)): Path<(i64, i64)>,
) -> Result<Response, Response> {
    let (a, content) = inspections::open_evidence(&state.app, &web.ctx(), id, attachment)
        .await
        .map_err(|e| web.fail(e))?;
    Ok(crate::attachments::download(&a, content))
}

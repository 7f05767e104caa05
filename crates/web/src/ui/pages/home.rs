//! The home page: who I am, my roles, the organization at a glance, recent activity.

use crate::state::AppState;
use crate::ui::i18n::{self, fill};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use crate::ui::view::when;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use castellan_app::audit::{self, AuditQuery};
use castellan_app::org::departments;
use castellan_domain::{Action, DepartmentId, Resource, Timestamp};
use castellan_store::audit::AuditFilter;
use std::collections::HashMap;

struct RoleLine {
    name: String,
    scope: String,
    summary: String,
}

struct Activity {
    at: String,
    at_iso: String,
    actor: String,
    action: String,
    entity: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    greeting: String,
    show_setup: bool,
    has_officer: bool,
    valuation_chosen: bool,
    has_assets: bool,
    department_count: usize,
    user_count: usize,
    stat_departments: Option<usize>,
    stat_users: Option<String>,
    role_count: usize,
    roles: Vec<RoleLine>,
    recent: Option<Vec<Activity>>,
    open_assessments: Option<String>,
    my_tasks: String,
    overdue_tasks: usize,
    reviews_due: Option<(i64, i64)>,
    tx: &'static crate::ui::pages::request::texts::Messages,
    waiting: Vec<crate::ui::pages::request::approvals::Line>,
    waiting_total: usize,
}

/// `GET /`.
pub async fn show(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let ctx = web.ctx();
    let t = web.t();
    let lang = web.lang();
    let p = &web.auth.principal;
    let tree = departments::tree(&state.app, &ctx)
        .await
        .unwrap_or_default();
    let names: HashMap<DepartmentId, String> =
        tree.iter().map(|d| (d.id, d.name.clone())).collect();
    let user_count = if p.may_somewhere(Resource::User, Action::Read) {
        let q = castellan_app::org::users::ListQuery {
            limit: Some(200),
            ..Default::default()
        };
        let page = castellan_app::org::users::list(&state.app, &ctx, &q)
            .await
            .map_err(|e| web.fail(e))?;
        Some((page.items.len(), page.next_cursor.is_some()))
    } else {
        None
    };
    // Risk work at a glance: open assessments (for those who read them) and one's own
    // treatment tasks (for everyone). At most one page of each is counted.
    let open_assessments = if p.may_somewhere(Resource::Assessment, Action::Read) {
        let q = castellan_app::risk::assessments::AssessmentQuery {
            limit: Some(200),
            ..Default::default()
        };
        castellan_app::risk::assessments::list(&state.app, &ctx, &q)
            .await
            .ok()
            .map(|page| {
                let n = page
                    .items
                    .iter()
                    .filter(|v| v.assessment.phase.is_open())
                    .count();
                if page.next_cursor.is_some() {
                    format!("{n}+")
                } else {
                    n.to_string()
                }
            })
    } else {
        None
    };
    let tasks = castellan_app::risk::treatment::mine(
        &state.app,
        &ctx,
        &castellan_app::risk::treatment::TaskQuery {
            open: true,
            cursor: None,
            limit: Some(200),
        },
    )
    .await
    .ok();
    let (my_tasks, overdue_tasks) = match &tasks {
        Some(page) => (
            if page.next_cursor.is_some() {
                format!("{}+", page.items.len())
            } else {
                page.items.len().to_string()
            },
            page.items.iter().filter(|v| v.overdue).count(),
        ),
        None => ("0".into(), 0),
    };
    let waiting_all = castellan_app::workflow::waiting_for_me(&state.app, &ctx)
        .await
        .unwrap_or_default();
    let waiting_total = waiting_all.len();
    let waiting = crate::ui::pages::request::approvals::lines(
        &web,
        waiting_all.into_iter().take(5).collect(),
    );
    let roles = p
        .grants
        .iter()
        .map(|g| RoleLine {
            name: g.role.name(lang).to_owned(),
            scope: match g.department_id {
                None => t.scope_whole.to_owned(),
                Some(d) => fill(
                    t.scope_in,
                    "dept",
                    names.get(&d).cloned().unwrap_or_else(|| format!("#{d}")),
                ),
            },
            summary: g.role.summary().get(lang).to_owned(),
        })
        .collect::<Vec<_>>();
    let recent = if p.may_somewhere(Resource::AuditLog, Action::Read) {
        let q = AuditQuery {
            filter: AuditFilter::default(),
            cursor: None,
            limit: 8,
        };
        let page = audit::list(&state.app, &ctx, &q)
            .await
            .map_err(|e| web.fail(e))?;
        Some(
            page.items
                .into_iter()
                .map(|e| {
                    let ts = Timestamp::parse(&e.at);
                    Activity {
                        at: when(t, ts),
                        at_iso: ts.map(|t| t.to_rfc3339()).unwrap_or_default(),
                        actor: e.actor,
                        action: i18n::audit_action(lang, &e.action),
                        entity: format!(
                            "{} {}",
                            i18n::audit_entity(lang, &e.entity_type),
                            e.entity_id.map(|i| format!("#{i}")).unwrap_or_default()
                        ),
                    }
                })
                .collect(),
        )
    } else {
        None
    };
    let is_admin = p.may_somewhere(Resource::User, Action::Create);
    let users_n = user_count.map(|(n, _)| n).unwrap_or(0);
    // The first-run checklist: until the organization, its security officer, its valuation
    // method and its assets are there.
    let has_officer = if is_admin {
        let q = castellan_app::org::users::ListQuery {
            role: Some("security_officer".into()),
            limit: Some(1),
            ..Default::default()
        };
        castellan_app::org::users::list(&state.app, &ctx, &q)
            .await
            .is_ok_and(|p| !p.items.is_empty())
    } else {
        true
    };
    let valuation_chosen = castellan_app::settings::get_valuation(&state.app, &ctx)
        .await
        .is_ok_and(|(_, version)| version > 0);
    let has_assets = if p.may_somewhere(Resource::Asset, Action::Read) {
        let q = castellan_app::asset::assets::AssetQuery {
            limit: Some(1),
            ..Default::default()
        };
        castellan_app::asset::assets::list(&state.app, &ctx, &q)
            .await
            .is_ok_and(|p| !p.items.is_empty())
    } else {
        true
    };
    let show_setup = is_admin
        && (tree.is_empty() || users_n <= 1 || !has_officer || !valuation_chosen || !has_assets);
    Ok(render::ok(&HomePage {
        page: Page::new(&web, Some(Section::Home), None),
        greeting: fill(t.greeting, "name", &p.display_name),
        show_setup,
        has_officer,
        valuation_chosen,
        has_assets,
        department_count: tree.len(),
        user_count: users_n,
        stat_departments: p
            .may_somewhere(Resource::Department, Action::Read)
            .then_some(tree.len()),
        stat_users: user_count.map(|(n, more)| if more { format!("{n}+") } else { n.to_string() }),
        role_count: roles.len(),
        roles,
        recent,
        open_assessments,
        my_tasks,
        overdue_tasks,
        // Documents due for review within 30 days or overdue, for those who read the whole
        // register.
        reviews_due: castellan_app::document::documents::review_counts(&state.app, &ctx)
            .await
            .unwrap_or(None),
        tx: crate::ui::pages::request::tx(lang),
        waiting,
        waiting_total,
    }))
}

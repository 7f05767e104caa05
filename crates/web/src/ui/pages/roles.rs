//! The roles and permission table page.

use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use askama::Template;
use axum::response::Response;
use castellan_domain::Role;
use castellan_domain::permission::{Who, role_allows, rules};

struct RoleHead {
    code: &'static str,
    name: &'static str,
    summary: &'static str,
}

struct Row {
    first: bool,
    resource: &'static str,
    action: &'static str,
    any_user: bool,
    cells: Vec<bool>,
}

#[derive(Template)]
#[template(path = "roles.html")]
struct RolesPage {
    page: Page,
    roles: Vec<RoleHead>,
    rows: Vec<Row>,
}

/// `GET /roles`: the permission table exactly as the code applies it.
pub async fn show(web: Web) -> Response {
    let lang = web.lang();
    let mut rows = Vec::with_capacity(rules().count());
    let mut last_resource = None;
    for rule in rules() {
        rows.push(Row {
            first: last_resource != Some(rule.resource),
            resource: rule.resource.label().get(lang),
            action: rule.action.label().get(lang),
            any_user: rule.who == Who::AnyUser,
            cells: Role::ALL
                .iter()
                .map(|r| role_allows(*r, rule.resource, rule.action))
                .collect(),
        });
        last_resource = Some(rule.resource);
    }
    render::ok(&RolesPage {
        page: Page::new(&web, Some(Section::Roles), None),
        roles: Role::ALL
            .iter()
            .map(|r| RoleHead {
                code: r.code(),
                name: r.name(lang),
                summary: r.summary().get(lang),
            })
            .collect(),
        rows,
    })
}

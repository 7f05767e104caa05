//! `/api/v1/roles`: the role catalog and the permission table.

use crate::api::errors::Errors;
use crate::api::types::{PermissionView, RoleList, RoleView};
use crate::extract::{Allowed, RoleRead};
use crate::json::Json;
use castellan_domain::Role;
use castellan_domain::permission::{role_allows, rules};

/// Every role with what it may do.
#[utoipa::path(get, path = "/api/v1/roles", tag = "roles", security(("bearer" = [])),
    extensions(("x-permission" = json!("role:read"))),
    responses((status = 200, description = "The role catalog", body = RoleList), Errors))]
pub async fn list(Allowed(_ctx, _): Allowed<RoleRead>) -> Json<RoleList> {
    let items = Role::ALL
        .iter()
        .map(|role| RoleView {
            code: role.code().to_owned(),
            name: role.label().into(),
            summary: role.summary().into(),
            permissions: rules()
                .filter(|r| role_allows(*role, r.resource, r.action))
                .map(|r| PermissionView {
                    resource: r.resource.code().to_owned(),
                    action: r.action.code().to_owned(),
                })
                .collect(),
        })
        .collect();
    Json(RoleList {
        items,
        next_cursor: None,
    })
}

//! The REST API (SPEC §10.2). Every operation is registered through `routes!`, so the
//! router and the OpenAPI document are built from the same list and cannot drift.

// The kernel: shared shapes and responses, operations, the permission table, the audit log.
pub mod audit_log;
pub mod errors;
pub mod headers;
pub mod health;
pub mod roles;
pub mod types;

// The areas, one folder each.
pub mod asset;
pub mod continuity;
pub mod custody;
pub mod document;
pub mod goal;
pub mod incident;
pub mod inspection;
pub mod org;
pub mod rectification;
pub mod request;
pub mod risk;
pub mod training;

use crate::state::AppState;
use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Castellan API",
        description = "Information security management: organization, assets, risk assessment and more. Errors are application/problem+json (RFC 9457); lists use cursor paging; updates need If-Match with the version read. Each operation names the permission it needs in x-permission (resource:action, or public).",
        license(name = "AGPL-3.0-only")
    ),
    modifiers(&BearerAuth),
    components(schemas(crate::problem::Problem)),
    tags(
        (name = "auth", description = "Sign-in for API clients"),
        (name = "me", description = "The caller's own account and API tokens"),
        (name = "departments", description = "The department tree"),
        (name = "users", description = "User accounts and role assignments"),
        (name = "assets", description = "The asset register and its lifecycle"),
        (name = "risk", description = "Risk assessment: threats, vulnerabilities, controls, assessments, risks"),
        (name = "incidents", description = "Security incidents: reports, triage, timeline, counts"),
        (name = "documents", description = "Controlled documents: the register, versions with their change history, approval and publication, scheduled reviews"),
        (name = "training", description = "Security training: the year's plan on the approval engine, trainings, attendance, completion"),
        (name = "rectifications", description = "Rectification tasks opened from incidents, inspections and drills"),
        (name = "inspections", description = "Inspections: checklists, plans approved on the engine, inspections item by item, findings and reports"),
        (name = "goals", description = "Security goals from the company to departments and positions, approved by the owner above"),
        (name = "custody", description = "Privileged-password custody: holders, backup holders, handovers, password changes and warnings (never a password)"),
        (name = "continuity", description = "Continuity: backup plans and restore tests, disaster-recovery plans, drills whose problems open rectification tasks"),
        (name = "settings", description = "Organization-wide settings"),
        (name = "roles", description = "Roles and the permission table"),
        (name = "audit", description = "The hash-chained audit trail"),
        (name = "operations", description = "Health, readiness, metrics")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "A token from POST /api/v1/auth/login or a personal API token",
                    ))
                    .build(),
            ),
        );
    }
}

/// Every API route with its OpenAPI description: the kernel's, then each area's.
pub fn router() -> OpenApiRouter<AppState> {
    let kernel = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(health::metrics))
        .routes(routes!(health::openapi))
        .routes(routes!(roles::list))
        .routes(routes!(audit_log::list))
        .routes(routes!(audit_log::verify));
    [
        org::routes,
        asset::routes,
        risk::routes,
        request::routes,
        incident::routes,
        rectification::routes,
        document::routes,
        training::routes,
        inspection::routes,
        goal::routes,
        custody::routes,
        continuity::routes,
    ]
    .into_iter()
    .fold(kernel, |router, area| area(router))
}

#[cfg(test)]
mod schema_names {
    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable source folder") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    /// The names of the types that derive `ToSchema` in one file: the first `struct` or
    /// `enum` after each derive.
    fn schema_types(text: &str) -> Vec<String> {
        let mut names = Vec::new();
        let mut pending = false;
        for line in text.lines().map(str::trim) {
            if line.starts_with("#[derive(") && line.contains("ToSchema") {
                pending = true;
                continue;
            }
            if !pending || line.starts_with("#[") || line.starts_with("///") {
                continue;
            }
            let rest = line.strip_prefix("pub ").unwrap_or(line);
            let rest = rest
                .strip_prefix("struct ")
                .or_else(|| rest.strip_prefix("enum "));
            if let Some(rest) = rest {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
            pending = false;
        }
        names
    }

    /// utoipa names a schema after its type, so two API types of the same name in
    /// different areas silently replace each other in the OpenAPI document and one
    /// area's responses are checked against the other's schema.
    #[test]
    fn every_schema_type_has_a_name_of_its_own() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
        let mut files = Vec::new();
        sources(&root, &mut files);
        let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for file in &files {
            let text = std::fs::read_to_string(file).expect("readable source");
            for name in schema_types(&text) {
                let shown = file
                    .strip_prefix(&root)
                    .unwrap_or(file)
                    .display()
                    .to_string();
                seen.entry(name).or_default().push(shown);
            }
        }
        assert!(seen.len() > 50, "the scan found the API's schema types");
        let clashes: Vec<_> = seen.iter().filter(|(_, files)| files.len() > 1).collect();
        assert!(clashes.is_empty(), "schema names used twice: {clashes:?}");
    }

    #[test]
    fn the_scan_sees_through_doc_comments_and_attributes() {
        let text = "#[derive(Debug, ToSchema)]\n#[serde(deny_unknown_fields)]\n/// x\npub struct A {\n}\n#[derive(Serialize, ToSchema)]\nenum B { X }\n#[derive(Debug)]\nstruct C;\n";
        assert_eq!(schema_types(text), vec!["A", "B"]);
    }
}

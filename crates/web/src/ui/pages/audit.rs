//! The audit log page, with filters and chain verification.

use crate::state::AppState;
use crate::ui::i18n::{self, fill};
use crate::ui::list::Pager;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use crate::ui::view::{self, Change, CodeOption, Names};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::Response;
use castellan_app::audit::{self, AuditQuery};
use castellan_app::org::departments;
use castellan_domain::{DomainError, FieldErrors, Timestamp};
use castellan_store::audit::AuditFilter;
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct Params {
    #[serde(default)]
    entity_type: String,
    #[serde(default)]
    entity_id: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    cursor: String,
    /// The cursors of the pages before this one (for "previous page").
    #[serde(default)]
    back: String,
}

struct Filters {
    entity_id: String,
    from: String,
    to: String,
    any: bool,
}

struct Row {
    seq: i64,
    at: String,
    at_iso: String,
    actor: String,
    client_ip: Option<String>,
    action: String,
    entity: String,
    href: Option<String>,
    changes: Vec<Change>,
}

struct VerificationView {
    intact: bool,
    headline: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    page: Page,
    filters: Filters,
    entity_types: Vec<CodeOption>,
    actions: Vec<CodeOption>,
    rows: Vec<Row>,
    pager: Pager,
    verification: Option<VerificationView>,
    list_error: Option<String>,
}

async fn render_page(
    state: &AppState,
    web: &Web,
    p: Params,
    verification: Option<VerificationView>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let mut errors = FieldErrors::new();
    let from = crate::api::audit_log::parse_time("from", Some(&p.from), &mut errors);
    // "to" is a day: include all of it.
    let to = crate::api::audit_log::parse_time("to", Some(&p.to), &mut errors).map(|t| {
        if p.to.len() == 10 {
            t.plus(time::Duration::days(1))
        } else {
            t
        }
    });
    let query = AuditQuery {
        filter: AuditFilter {
            entity_type: Some(p.entity_type.clone()).filter(|s| !s.is_empty()),
            entity_id: Some(p.entity_id.trim().to_owned()).filter(|s| !s.is_empty()),
            actor_id: None,
            action: Some(p.action.clone()).filter(|s| !s.is_empty()),
            from,
            to,
        },
        cursor: Some(p.cursor.clone()).filter(|s| !s.is_empty()),
        limit: 50,
    };
    let result = match errors.into_result() {
        Ok(()) => audit::list(&state.app, &ctx, &query).await,
        Err(e) => Err(e.into()),
    };
    let (page, list_error) = match result {
        Ok(page) => (page, None),
        Err(castellan_app::Error::Domain(d @ DomainError::Validation(_))) => (
            castellan_domain::paging::Page {
                items: Vec::new(),
                next_cursor: None,
            },
            Some(match &d {
                DomainError::Validation(f) => f
                    .iter()
                    .next()
                    .map(|f| i18n::field_error(lang, &f.kind))
                    .unwrap_or_default(),
                other => i18n::domain_error(lang, other),
            }),
        ),
        Err(e) => return Err(web.fail(e)),
    };
    let tree = departments::tree(&state.app, &ctx)
        .await
        .map_err(|e| web.fail(e))?;
    let names = view::department_names(&tree);
    let users = view::user_names(&state.app, &page.items).await;
    let names = Names {
        departments: &names,
        users: &users,
    };
    let rows = page
        .items
        .iter()
        .map(|e| {
            let ts = Timestamp::parse(&e.at);
            let href = record_href(&e.entity_type, &e.action, e.entity_id.as_deref());
            Row {
                seq: e.seq,
                at: view::when(t, ts),
                at_iso: ts.map(|t| t.to_rfc3339()).unwrap_or_default(),
                actor: e.actor.clone(),
                client_ip: e.client_ip.clone(),
                action: i18n::audit_action(lang, &e.action),
                entity: format!(
                    "{}{}",
                    i18n::audit_entity(lang, &e.entity_type),
                    e.entity_id
                        .as_ref()
                        .map(|i| format!(" #{i}"))
                        .unwrap_or_default()
                ),
                href,
                changes: view::diff(
                    lang,
                    &names,
                    &e.entity_type,
                    e.before.as_deref(),
                    e.after.as_deref(),
                ),
            }
        })
        .collect();
    let base: Vec<(&str, &str)> = vec![
        ("entity_type", &p.entity_type),
        ("entity_id", &p.entity_id),
        ("action", &p.action),
        ("from", &p.from),
        ("to", &p.to),
    ];
    let any = base.iter().any(|(_, v)| !v.is_empty());
    Ok(render::ok(&AuditPage {
        page: Page::new(web, Some(Section::Audit), None),
        entity_types: castellan_domain::audit::records()
            .map(|(code, label)| CodeOption {
                code,
                label: label.get(lang).to_owned(),
                selected: p.entity_type == code,
            })
            .collect(),
        actions: castellan_domain::audit::actions()
            .map(|(code, label)| CodeOption {
                code,
                label: label.get(lang).to_owned(),
                selected: p.action == code,
            })
            .collect(),
        rows,
        pager: Pager::paged(
            "/audit",
            &base,
            &p.cursor,
            &p.back,
            page.next_cursor.as_deref(),
        ),
        filters: Filters {
            entity_id: p.entity_id,
            from: p.from,
            to: p.to,
            any,
        },
        verification,
        list_error,
    }))
}

/// `GET /audit`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<Params>,
) -> Result<Response, Response> {
    render_page(&state, &web, p, None).await
}

/// `GET /audit/verify`: walks the chain and shows the result above the log.
pub async fn verify(State(state): State<AppState>, web: Web) -> Result<Response, Response> {
    let t = web.t();
    let v = audit::verify_as(&state.app, &web.ctx())
        .await
        .map_err(|e| web.fail(e))?;
    let view = match &v.error {
        None => VerificationView {
            intact: true,
            headline: t.chain_intact.to_owned(),
            detail: fill(
                &fill(t.chain_intact_detail, "n", v.checked),
                "hash",
                &v.head_hash,
            ),
        },
        Some(e) => VerificationView {
            intact: false,
            headline: t.chain_broken.to_owned(),
            detail: fill(t.chain_broken_detail, "seq", e.first_bad_seq()),
        },
    };
    render_page(&state, &web, Params::default(), Some(view)).await
}

/// The page of the record an entry names, while there is one.
fn record_href(entity_type: &str, action: &str, id: Option<&str>) -> Option<String> {
    use castellan_domain::asset::audit::AssetRecord;
    use castellan_domain::audit::Verb;
    use castellan_domain::org::audit::OrgRecord;
    use castellan_domain::risk::audit::RiskRecord;
    let id = id.filter(|_| action != Verb::Delete.code())?;
    let pages = [
        (OrgRecord::Department.code(), "/departments"),
        (OrgRecord::User.code(), "/users"),
        (AssetRecord::Asset.code(), "/assets"),
        (RiskRecord::Assessment.code(), "/assessments"),
    ];
    pages
        .iter()
        .find(|(code, _)| *code == entity_type)
        .map(|(_, path)| format!("{path}/{id}"))
}

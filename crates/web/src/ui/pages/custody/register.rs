//! The custody register page: the warning counts as filter chips, search and filters kept
//! in the URL, the sortable list with each record's warnings, paging both ways.

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::list::{Header, Pager, href, sort_headers};
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use crate::ui::view::{self, CodeOption, some, when};
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::custody::register::{self, CustodyLine, CustodyQuery};
use castellan_domain::custody::CustodyWarning;
use castellan_domain::{Action, Lang, Resource, Target};
use castellan_store::custody::records::PersonNow;
use serde::Deserialize;
use std::collections::HashMap;

/// A person as shown: name, "disabled", and their department now when it differs from the
/// one recorded.
pub(super) fn person_label(
    tx: &texts::Messages,
    p: &PersonNow,
    recorded: Option<castellan_domain::DepartmentId>,
    depts: &HashMap<i64, String>,
) -> String {
    let mut s = p.display_name.clone();
    if !p.active {
        s.push_str(&format!(" ({})", tx.disabled));
    } else if p.department_id != recorded {
        let d = p
            .department_id
            .and_then(|d| depts.get(&d.0).cloned())
            .unwrap_or_else(|| "—".into());
        s.push_str(&format!(" ({})", tx.department_now.replace("{d}", &d)));
    }
    s
}

struct Chip {
    label: &'static str,
    count: i64,
    href: String,
    active: bool,
}

struct WarningLabel {
    label: &'static str,
    severe: bool,
}

pub(super) fn severe(w: CustodyWarning) -> bool {
    matches!(
        w,
        CustodyWarning::HolderDisabled
            | CustodyWarning::HandoverUnchanged
            | CustodyWarning::ChangeOverdue
    )
}

struct Row {
    id: i64,
    asset_code: String,
    asset_name: String,
    account: String,
    holder: String,
    backup: String,
    last_changed: String,
    change_due: String,
    warnings: Vec<WarningLabel>,
    retired: bool,
}

fn row(
    lang: Lang,
    t: &crate::ui::i18n::Messages,
    tx: &texts::Messages,
    l: &CustodyLine,
    depts: &HashMap<i64, String>,
) -> Row {
    let c = &l.facts.custody;
    Row {
        id: c.id,
        asset_code: l.facts.asset_code.clone(),
        asset_name: l.facts.asset_name.clone(),
        account: c.account.clone(),
        holder: person_label(tx, &l.facts.holder, c.holder_department_id, depts),
        backup: l
            .facts
            .backup
            .as_ref()
            .map(|b| person_label(tx, b, c.backup_department_id, depts))
            .unwrap_or_default(),
        last_changed: c
            .last_changed_at
            .map(|t_| when(t, Some(t_)))
            .unwrap_or_else(|| tx.never.to_owned()),
        change_due: when(t, Some(l.change_due_at)),
        warnings: l
            .warnings
            .iter()
            .map(|w| WarningLabel {
                label: w.label().get(lang),
                severe: severe(*w),
            })
            .collect(),
        retired: !c.active,
    }
}

/// The register's filters, kept in the URL.
#[derive(Deserialize, Default)]
pub struct IndexParams {
    #[serde(default)]
    q: String,
    #[serde(default)]
    warning: String,
    #[serde(default)]
    state: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    cursor: String,
    #[serde(default)]
    back: String,
    #[serde(default)]
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "custody/index.html")]
struct IndexPage {
    page: Page,
    tx: &'static texts::Messages,
    filters: IndexParams,
    any_filter: bool,
    may_create: bool,
    chips: Vec<Chip>,
    warning_options: Vec<CodeOption>,
    total_label: String,
    headers: Vec<Header>,
    rows: Vec<Row>,
    pager: Pager,
    empty: &'static str,
}

/// `GET /custody`.
pub async fn index(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<IndexParams>,
) -> Result<Response, Response> {
    let ctx = web.ctx();
    let lang = web.lang();
    let t = web.t();
    let tx = tx(lang);
    let query = CustodyQuery {
        warning: some(&p.warning),
        state: some(&p.state),
        q: some(&p.q),
        sort: some(&p.sort),
        cursor: some(&p.cursor),
        limit: Some(50),
        ..CustodyQuery::default()
    };
    let (page, total, counts) = register::register(&state.app, &ctx, &query)
        .await
        .map_err(|e| web.fail(e))?;
    let depts = crate::ui::pages::training::pages::dept_names(&state, &web).await;
    let base = [
        ("q", p.q.as_str()),
        ("warning", p.warning.as_str()),
        ("state", p.state.as_str()),
        ("sort", p.sort.as_str()),
    ];
    let unsorted: Vec<(&str, &str)> = base.iter().copied().filter(|(k, _)| *k != "sort").collect();
    let headers = sort_headers(
        "/custody",
        &unsorted,
        if p.sort.is_empty() { "asset" } else { &p.sort },
        &[
            ("asset", tx.system, false),
            ("", tx.account, false),
            ("", tx.holder, false),
            ("", tx.backup, false),
            ("", tx.last_changed, false),
            ("change_due", tx.change_due, false),
            ("warnings", tx.warnings, true),
        ],
    );
    let chips = counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(w, n)| Chip {
            label: w.label().get(lang),
            count: *n,
            href: href("/custody", &[("warning", w.code())]),
            active: p.warning == w.code(),
        })
        .collect();
    let mut warning_options = vec![CodeOption {
        code: "any",
        label: tx.any_warning.to_owned(),
        selected: p.warning == "any",
    }];
    warning_options.extend(view::code_options(
        &CustodyWarning::ALL,
        CustodyWarning::code,
        CustodyWarning::label,
        lang,
        &p.warning,
    ));
    let may_create = ctx
        .principal
        .is_allowed(Resource::Custody, Action::Create, Target::Global);
    let reader = ctx
        .principal
        .is_allowed(Resource::CustodyRegister, Action::Read, Target::Global);
    let any_filter = unsorted.iter().any(|(_, v)| !v.is_empty());
    let empty = if any_filter {
        tx.empty_filtered
    } else if may_create || reader {
        tx.empty_keeper
    } else {
        tx.empty_mine
    };
    Ok(render::page_response(
        StatusCode::OK,
        &IndexPage {
            page: Page::new(
                &web,
                Some(Section::Custody),
                view::notice(t, p.notice.as_deref()),
            ),
            tx,
            any_filter,
            may_create,
            chips,
            warning_options,
            total_label: tx.total.replace("{n}", &total.to_string()),
            headers,
            rows: page
                .items
                .iter()
                .map(|l| row(lang, t, tx, l, &depts))
                .collect(),
            pager: Pager::paged(
                "/custody",
                &base,
                &p.cursor,
                &p.back,
                page.next_cursor.as_deref(),
            ),
            empty,
            filters: p,
        },
    ))
}

//! Small view models shared by several pages: pickers, form errors, record history.

use super::i18n::{self, Messages};
use castellan_app::org::departments::depth_first;
use castellan_domain::asset::{AssetStatus, Category, Classification, Zone};
use castellan_domain::audit::AuditEntry;
use castellan_domain::org::Department;
use castellan_domain::risk::assessment::{Area, Phase, Technique};
use castellan_domain::risk::{RiskMethod, Treatment};
use castellan_domain::values::UserStatus;
use castellan_domain::{DepartmentId, DomainError, FieldErrors, Lang, Role, Timestamp};
use std::collections::HashMap;

/// An entry of a department picker, indented by depth.
pub struct DeptOption {
    /// Id.
    pub id: i64,
    /// Indented name.
    pub label: String,
    /// Pre-selected.
    pub selected: bool,
}

/// The department picker, depth-first, indented. `exclude` leaves out a department and its
/// subtree (a department cannot move below itself).
pub fn dept_options(
    tree: &[Department],
    selected: Option<i64>,
    exclude: Option<DepartmentId>,
) -> Vec<DeptOption> {
    depth_first(tree)
        .into_iter()
        .filter(|d| exclude.is_none_or(|x| !d.path.is_within(x)))
        .map(|d| DeptOption {
            id: d.id.0,
            label: format!("{}{}", "\u{2003}".repeat(d.depth()), d.name),
            selected: selected == Some(d.id.0),
        })
        .collect()
}

/// An entry of a code picker (roles, statuses, filters).
pub struct CodeOption {
    /// Code.
    pub code: &'static str,
    /// Label.
    pub label: String,
    /// Pre-selected.
    pub selected: bool,
}

/// The role picker.
pub fn role_options(lang: Lang, selected: Option<&str>) -> Vec<CodeOption> {
    Role::ALL
        .iter()
        .map(|r| CodeOption {
            code: r.code(),
            label: r.name(lang).to_owned(),
            selected: selected == Some(r.code()),
        })
        .collect()
}

/// A typed form or query value: trimmed, `None` when blank.
pub fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// A picker over a coded enum (its `ALL`, `code` and `label`), with `selected` chosen.
pub fn code_options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> castellan_domain::Text,
    lang: Lang,
    selected: &str,
) -> Vec<CodeOption> {
    all.iter()
        .map(|v| CodeOption {
            code: code(*v),
            label: label(*v).get(lang).to_owned(),
            selected: selected == code(*v),
        })
        .collect()
}

/// A picker of the levels 1–5 ("4 · High"), with `selected` chosen.
pub fn level_options(lang: Lang, selected: &str) -> Vec<CodeOption> {
    castellan_domain::risk::Level::ALL
        .iter()
        .zip(["1", "2", "3", "4", "5"])
        .map(|(l, code)| CodeOption {
            code,
            label: format!("{code} · {}", l.label().get(lang)),
            selected: selected == code,
        })
        .collect()
}

/// Field errors of a form, translated.
#[derive(Default)]
pub struct FormErrors(HashMap<String, String>);

impl FormErrors {
    /// No errors.
    pub fn none() -> Self {
        FormErrors::default()
    }

    /// The translated field errors of a validation failure.
    pub fn from_fields(lang: Lang, fields: &FieldErrors) -> Self {
        let mut map = HashMap::new();
        for f in fields.iter() {
            map.entry(f.field.clone())
                .or_insert_with(|| i18n::field_error(lang, &f.kind));
        }
        FormErrors(map)
    }

    /// One of the errors (forms that show a single message), field first.
    pub fn first(&self) -> Option<(&String, &String)> {
        let mut all: Vec<(&String, &String)> = self.0.iter().collect();
        all.sort();
        all.into_iter().next()
    }

    /// Whether `field` has an error.
    pub fn has(&self, field: &str) -> bool {
        self.0.contains_key(field)
    }

    /// The error of `field`.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Replaces the message of `field`, if it has one, with a more specific one.
    pub fn refine(&mut self, field: &str, message: &str) {
        if let Some(m) = self.0.get_mut(field) {
            message.clone_into(m);
        }
    }

    /// Records `message` for `field` (replacing an earlier one).
    pub fn set(&mut self, field: &str, message: &str) {
        self.0.insert(field.to_owned(), message.to_owned());
    }

    /// The fields with an error.
    pub fn fields(&self) -> Vec<String> {
        self.0.keys().cloned().collect()
    }

    /// Whether any error is recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// How a failed form submission is shown: field errors under their fields, anything else as
/// a message above the form. `None` means the error is not about the form (show an error
/// page instead).
pub fn form_failure(lang: Lang, e: &castellan_app::Error) -> Option<(FormErrors, Option<String>)> {
    match e.domain()? {
        DomainError::Validation(fields) => {
            let errors = FormErrors::from_fields(lang, fields);
            Some((errors, Some(i18n::messages(lang).error_invalid.to_owned())))
        }
        d @ (DomainError::Conflict(_)
        | DomainError::StaleVersion { .. }
        | DomainError::BadRequest(_)) => {
            Some((FormErrors::none(), Some(i18n::domain_error(lang, d))))
        }
        _ => None,
    }
}

/// A time for tables: `2026-11-22 03:15 UTC` (the script shows it in local time).
pub fn when(t: &Messages, ts: Option<Timestamp>) -> String {
    match ts {
        Some(ts) => format!("{} UTC", ts.display_minutes()),
        None => t.never.to_owned(),
    }
}

/// The query of a page that may show a notice after a redirect.
#[derive(serde::Deserialize, Default)]
pub struct NoticeParams {
    /// The notice code.
    pub notice: Option<String>,
}

/// The notice shown after a redirect (`?notice=created`).
pub fn notice(t: &'static Messages, code: Option<&str>) -> Option<&'static str> {
    match code? {
        "created" => Some(t.notice_created),
        "saved" => Some(t.notice_saved),
        "deleted" => Some(t.notice_deleted),
        "password_set" => Some(t.notice_password_set),
        "password_changed" => Some(t.notice_password_changed),
        "token_revoked" => Some(t.notice_token_revoked),
        "event_recorded" => Some(t.event_recorded),
        "moved" => Some(t.notice_moved),
        _ => None,
    }
}

/// One changed field in a history entry.
pub struct Change {
    /// Field label.
    pub field: String,
    /// Old value.
    pub before: String,
    /// New value.
    pub after: String,
}

/// One history entry.
pub struct HistoryItem {
    /// Action label.
    pub action: String,
    /// Who.
    pub actor: String,
    /// When (display).
    pub at: String,
    /// When (ISO, for the script).
    pub at_iso: String,
    /// What changed.
    pub changes: Vec<Change>,
}

/// Names used to show ids in history (departments by name).
pub struct Names<'a> {
    /// Department names by id.
    pub departments: &'a HashMap<i64, String>,
    /// People's display names by id (see [`user_names`]).
    pub users: &'a HashMap<i64, String>,
}

/// The fields of recorded changes that hold a person's id.
const USER_FIELDS: &[&str] = &[
    "owner_id",
    "head_id",
    "submitted_by",
    "created_by",
    "approved_by",
    "residual_accepted_by",
    "responsible_id",
    "requester_id",
    "subject_user_id",
    "implemented_by",
];

/// The display names of every person a history names (in `USER_FIELDS` and teams), so it
/// shows "责任人: 陈静", not "4".
pub async fn user_names(app: &castellan_app::App, entries: &[AuditEntry]) -> HashMap<i64, String> {
    let mut ids: Vec<castellan_domain::UserId> = Vec::new();
    for e in entries {
        for side in [e.before.as_deref(), e.after.as_deref()]
            .into_iter()
            .flatten()
        {
            let Ok(serde_json::Value::Object(map)) =
                serde_json::from_str::<serde_json::Value>(side)
            else {
                continue;
            };
            for (k, v) in &map {
                if USER_FIELDS.contains(&k.as_str()) {
                    ids.extend(v.as_i64().map(castellan_domain::UserId));
                } else if k == "team" {
                    ids.extend(
                        v.as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(serde_json::Value::as_i64)
                            .map(castellan_domain::UserId),
                    );
                }
            }
        }
    }
    ids.sort();
    ids.dedup();
    castellan_app::request::requests::display_names(app, &ids)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|(k, v)| (k.0, v))
        .collect()
}

const HIDDEN_FIELDS: &[&str] = &[
    "id",
    "user_id",
    "version",
    "created_at",
    "updated_at",
    "path",
    "last_login_at",
    "tables",
    "assessment_id",
    "search_text",
    // Who decided is the entry's actor.
    "approval_by",
    "residual_acceptance_by",
    "created_by",
];

fn field_label(t: &Messages, field: &str) -> String {
    match field {
        "name" => t.name,
        "code" => t.code,
        "parent_id" => t.parent_department,
        "username" => t.username,
        "display_name" => t.display_name,
        "email" => t.email,
        "department_id" => t.department,
        "position" => t.position,
        "status" => t.status,
        "roles" => t.roles,
        "language" => t.language,
        "expires_at" => t.expires,
        "revoked_at" => t.revoke,
        "kind" => t.token_kind,
        "prefix" => t.token_prefix,
        "last_used_at" => t.last_used,
        "credentials_revoked" => t.credentials_revoked,
        "category" => t.category,
        "owner_id" => t.owner,
        "custodian" => t.custodian,
        "location" => t.location,
        "zone" => t.zone,
        "classification" => t.classification,
        "confidentiality" => t.confidentiality,
        "integrity" => t.integrity,
        "availability" => t.availability,
        "value_score" => t.asset_value,
        "value_level" => t.value_level,
        "tags" => t.tags,
        "notes" => t.notes,
        "description" => t.description,
        "phase" => t.phase,
        "method" => t.risk_method,
        "acceptance_threshold" => t.acceptance_threshold,
        "planned_start" => t.planned_start,
        "planned_end" => t.planned_end,
        "team" => t.team,
        "asset_ids" => t.scope_assets,
        "department_ids" => t.scope_departments,
        "tables_version" => t.risk_tables_version,
        "submitted_by" => t.submitted_by,
        "created_by" => t.created_by,
        "head_id" => t.department_head,
        "comment" => t.comment,
        "asset_id" => t.asset,
        "threat_id" => t.threat,
        "vulnerability_id" => t.vulnerability,
        "threat_frequency" => t.threat_frequency,
        "vulnerability_severity" => t.vulnerability_severity,
        "asset_value_level" => t.asset_value_level_short,
        "likelihood_value" => t.likelihood_value,
        "likelihood_level" => t.likelihood_level,
        "loss_value" => t.loss_value,
        "loss_level" => t.loss_level,
        "risk_value" => t.risk_value,
        "risk_level" => t.risk_level,
        "treatment" => t.treatment,
        "approval_by" | "approval_comment" => t.committee_approval,
        "residual_threat_frequency" => t.residual_threat_frequency,
        "residual_vulnerability_severity" => t.residual_vulnerability_severity,
        "residual_likelihood_value" => t.residual_likelihood_value,
        "residual_likelihood_level" => t.residual_likelihood_level,
        "residual_loss_value" => t.residual_loss_value,
        "residual_loss_level" => t.residual_loss_level,
        "residual_risk_value" => t.residual_risk_value,
        "residual_risk_level" => t.residual_risk_level,
        "residual_acceptance_by" | "residual_acceptance_comment" => t.residual_acceptance,
        "area" => t.assessment_area,
        "technique" => t.technique,
        "done" => t.check_done,
        other => return other.to_owned(),
    }
    .to_owned()
}

fn show_value(
    lang: Lang,
    t: &Messages,
    names: &Names<'_>,
    field: &str,
    v: Option<&serde_json::Value>,
) -> String {
    use serde_json::Value;
    let Some(v) = v else {
        return t.empty_value.to_owned();
    };
    match (field, v) {
        (_, Value::Null) => t.empty_value.to_owned(),
        ("department_id" | "parent_id", Value::Number(n)) => n
            .as_i64()
            .and_then(|id| names.departments.get(&id).cloned())
            .unwrap_or_else(|| format!("#{n}")),
        ("kind", Value::String(s)) => match s.as_str() {
            "session" => t.kind_session.to_owned(),
            "login" => t.kind_login.to_owned(),
            "personal" => t.kind_personal.to_owned(),
            other => other.to_owned(),
        },
        (f, Value::String(s)) if f.ends_with("_at") => Timestamp::parse(s)
            .map(|ts| when(t, Some(ts)))
            .unwrap_or_else(|| s.clone()),
        ("status", Value::String(s)) => UserStatus::from_code(s)
            .map(|st| st.label().get(lang).to_owned())
            .or_else(|_| AssetStatus::from_code(s).map(|st| st.label().get(lang).to_owned()))
            .unwrap_or_else(|_| s.clone()),
        ("phase", Value::String(s)) => Phase::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("method", Value::String(s)) => RiskMethod::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("treatment", Value::String(s)) => Treatment::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("area", Value::String(s)) => Area::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("technique", Value::String(s)) => Technique::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        (_, Value::Bool(b)) => if *b { t.yes } else { t.no }.to_owned(),
        ("department_ids", Value::Array(items)) => {
            let shown: Vec<String> = items
                .iter()
                .filter_map(Value::as_i64)
                .map(|d| {
                    names
                        .departments
                        .get(&d)
                        .cloned()
                        .unwrap_or_else(|| format!("#{d}"))
                })
                .collect();
            if shown.is_empty() {
                t.empty_value.to_owned()
            } else {
                shown.join("、")
            }
        }
        (f, Value::Number(n)) if USER_FIELDS.contains(&f) => n
            .as_i64()
            .and_then(|id| names.users.get(&id).cloned())
            .unwrap_or_else(|| format!("#{n}")),
        ("team", Value::Array(items)) => {
            let shown: Vec<String> = items
                .iter()
                .filter_map(Value::as_i64)
                .map(|u| {
                    names
                        .users
                        .get(&u)
                        .cloned()
                        .unwrap_or_else(|| format!("#{u}"))
                })
                .collect();
            if shown.is_empty() {
                t.empty_value.to_owned()
            } else {
                shown.join("、")
            }
        }
        ("asset_ids", Value::Array(items)) => i18n::fill(t.n_items, "n", items.len()),
        ("category", Value::String(s)) => Category::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("zone", Value::String(s)) => Zone::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("classification", Value::String(s)) => Classification::from_code(s)
            .map(|c| c.label().get(lang).to_owned())
            .unwrap_or_else(|_| s.clone()),
        ("tags", Value::Array(items)) => {
            let tags: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            if tags.is_empty() {
                t.empty_value.to_owned()
            } else {
                tags.join("、")
            }
        }
        ("language", Value::String(s)) => Lang::parse(s)
            .map(|l| l.native_name().to_owned())
            .unwrap_or_else(|| s.clone()),
        ("roles", Value::Array(items)) => {
            let shown: Vec<String> = items
                .iter()
                .map(|g| {
                    let role = g
                        .get("role")
                        .and_then(Value::as_str)
                        .and_then(Role::from_code)
                        .map(|r| r.name(lang).to_owned())
                        .unwrap_or_default();
                    match g.get("department_id").and_then(Value::as_i64) {
                        Some(d) => format!(
                            "{role} ({})",
                            names
                                .departments
                                .get(&d)
                                .cloned()
                                .unwrap_or_else(|| format!("#{d}"))
                        ),
                        None => role,
                    }
                })
                .collect();
            if shown.is_empty() {
                t.empty_value.to_owned()
            } else {
                shown.join(", ")
            }
        }
        (_, Value::String(s)) => s.clone(),
        (_, other) => other.to_string(),
    }
}

/// The changed fields between two JSON snapshots, labelled in `lang`.
pub fn diff(
    lang: Lang,
    names: &Names<'_>,
    before: Option<&str>,
    after: Option<&str>,
) -> Vec<Change> {
    let t = i18n::messages(lang);
    let parse = |s: Option<&str>| -> serde_json::Map<String, serde_json::Value> {
        s.and_then(|s| serde_json::from_str::<serde_json::Value>(s).ok())
            .and_then(|v| v.as_object().cloned())
            .unwrap_or_default()
    };
    let (b, a) = (parse(before), parse(after));
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !HIDDEN_FIELDS.contains(&k.as_str()))
        .filter(|k| b.get(*k) != a.get(*k))
        // On creation and deletion, empty fields say nothing.
        .filter(|k| {
            let empty = |v: Option<&serde_json::Value>| v.is_none_or(serde_json::Value::is_null);
            !(before.is_none() && empty(a.get(*k)) || after.is_none() && empty(b.get(*k)))
        })
        .map(|k| Change {
            field: field_label(t, k),
            before: if before.is_some() {
                show_value(lang, t, names, k, b.get(k))
            } else {
                String::new()
            },
            after: if after.is_some() {
                show_value(lang, t, names, k, a.get(k))
            } else {
                String::new()
            },
        })
        .collect()
}

/// History entries of a record, for its page.
pub fn history(lang: Lang, names: &Names<'_>, entries: &[AuditEntry]) -> Vec<HistoryItem> {
    let t = i18n::messages(lang);
    entries
        .iter()
        .map(|e| {
            let ts = Timestamp::parse(&e.at);
            HistoryItem {
                action: i18n::audit_action(lang, &e.action),
                actor: e.actor.clone(),
                at: when(t, ts),
                at_iso: ts.map(|t| t.to_rfc3339()).unwrap_or_default(),
                changes: diff(lang, names, e.before.as_deref(), e.after.as_deref()),
            }
        })
        .collect()
}

/// Department names by id, for showing ids.
pub fn department_names(tree: &[Department]) -> HashMap<i64, String> {
    tree.iter().map(|d| (d.id.0, d.name.clone())).collect()
}

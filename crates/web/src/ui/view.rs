//! Small view models shared by several pages: pickers, form errors, record history.

use super::i18n::{self, Messages};
use castellan_app::org::departments::depth_first;
use castellan_domain::audit::AuditEntry;
use castellan_domain::history::{self, Shown};
use castellan_domain::org::Department;
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

/// Whether a refusal is about the caller's input (a bad filter, a bad field), which a
/// page shows above itself rather than as an error page.
pub fn is_input_error(e: &castellan_app::Error) -> bool {
    matches!(
        e.domain(),
        Some(DomainError::Validation(_) | DomainError::BadRequest(_))
    )
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

/// The message above a page's form for a refused change: every refused field as "label:
/// reason" (in field order, labelled by `label`), or the refusal itself in the reader's
/// language.
pub fn failure_message(
    lang: Lang,
    e: &castellan_app::Error,
    label: impl Fn(&str) -> String,
) -> String {
    match form_failure(lang, e) {
        Some((errors, message)) => {
            let mut fields = errors.fields();
            fields.sort();
            let lines: Vec<String> = fields
                .iter()
                .map(|f| format!("{}: {}", label(f), errors.get(f).unwrap_or_default()))
                .collect();
            if lines.is_empty() {
                message
            } else {
                Some(lines.join("；"))
            }
        }
        None => None,
    }
    .unwrap_or_else(|| match e.domain() {
        Some(d) => i18n::domain_error(lang, d),
        None => i18n::messages(lang).error_bad_request.to_owned(),
    })
}

/// A size for people: `1 GiB`, `64 MiB`, `3.5 MiB`, `12.0 KiB`, `812 B`.
pub fn size_label(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    const GIB: u64 = 1024 * MIB;
    if bytes >= GIB && bytes.is_multiple_of(GIB) {
        format!("{} GiB", bytes / GIB)
    } else if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else if bytes >= 1024 {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

/// An XLSX export as a download named `{prefix}-YYYY-MM-DD.xlsx`.
pub fn xlsx_download(prefix: &str, body: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let day = Timestamp::now().to_db();
    let name = format!("{prefix}-{}.xlsx", day.get(..10).unwrap_or("export"));
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
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

/// The display names of every person a history names (fields shown as people), so it
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
                let shown = history::field(&e.entity_type, k).map(|f| f.shown);
                if matches!(shown, Some(Shown::User)) {
                    ids.extend(v.as_i64().map(castellan_domain::UserId));
                } else if matches!(shown, Some(Shown::Users)) {
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

/// A list of ids, each by its name (`#id` for one no longer known).
fn named_list(t: &Messages, names: &HashMap<i64, String>, items: &[serde_json::Value]) -> String {
    let shown: Vec<String> = items
        .iter()
        .filter_map(serde_json::Value::as_i64)
        .map(|id| names.get(&id).cloned().unwrap_or_else(|| format!("#{id}")))
        .collect();
    if shown.is_empty() {
        t.empty_value.to_owned()
    } else {
        shown.join("、")
    }
}

fn show_value(
    lang: Lang,
    t: &Messages,
    names: &Names<'_>,
    shown: Shown,
    v: Option<&serde_json::Value>,
) -> String {
    use serde_json::Value;
    let by_id = |names: &HashMap<i64, String>, n: &serde_json::Number| {
        n.as_i64()
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| format!("#{n}"))
    };
    match (shown, v) {
        (_, None | Some(Value::Null)) => t.empty_value.to_owned(),
        (Shown::Department, Some(Value::Number(n))) => by_id(names.departments, n),
        (Shown::User, Some(Value::Number(n))) => by_id(names.users, n),
        (Shown::Departments, Some(Value::Array(items))) => named_list(t, names.departments, items),
        (Shown::Users, Some(Value::Array(items))) => named_list(t, names.users, items),
        (Shown::Count, Some(Value::Array(items))) => i18n::fill(t.n_items, "n", items.len()),
        (Shown::Time, Some(Value::String(s))) => Timestamp::parse(s)
            .map(|ts| when(t, Some(ts)))
            .unwrap_or_else(|| s.clone()),
        (Shown::Code(label), Some(Value::String(s))) => {
            label(s).map_or_else(|| s.clone(), |l| l.get(lang).to_owned())
        }
        (Shown::Language, Some(Value::String(s))) => Lang::parse(s)
            .map(|l| l.native_name().to_owned())
            .unwrap_or_else(|| s.clone()),
        (Shown::Bilingual, Some(Value::Object(texts))) => {
            let pick = |l: &str| texts.get(l).and_then(Value::as_str).unwrap_or_default();
            let (first, second) = match lang {
                Lang::En => (pick("en"), pick("zh")),
                Lang::ZhCn => (pick("zh"), pick("en")),
            };
            if first.is_empty() { second } else { first }.to_owned()
        }
        (_, Some(Value::Bool(b))) => if *b { t.yes } else { t.no }.to_owned(),
        (Shown::List, Some(Value::Array(items))) => {
            let texts: Vec<String> = items
                .iter()
                .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned))
                .collect();
            if texts.is_empty() {
                t.empty_value.to_owned()
            } else {
                texts.join("、")
            }
        }
        (Shown::Grants, Some(Value::Array(items))) => {
            let shown: Vec<String> = items
                .iter()
                .map(|g| {
                    let role = g
                        .get("role")
                        .and_then(Value::as_str)
                        .and_then(Role::from_code)
                        .map(|r| r.name(lang).to_owned())
                        .unwrap_or_default();
                    match g.get("department_id").and_then(Value::as_number) {
                        Some(d) => format!("{role} ({})", by_id(names.departments, d)),
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
        (_, Some(Value::String(s))) => s.clone(),
        (_, Some(other)) => other.to_string(),
    }
}

/// The changed fields between two JSON snapshots of a record of kind `record`, labelled
/// in `lang` as the record's area declares them (a key nobody declares shows as it is).
pub fn diff(
    lang: Lang,
    names: &Names<'_>,
    record: &str,
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
    let field = |k: &str| history::field(record, k);
    keys.into_iter()
        .filter(|k| !field(k).is_some_and(|f| matches!(f.shown, Shown::Hidden)))
        .filter(|k| b.get(*k) != a.get(*k))
        // On creation and deletion, empty fields say nothing.
        .filter(|k| {
            let empty = |v: Option<&serde_json::Value>| v.is_none_or(serde_json::Value::is_null);
            !(before.is_none() && empty(a.get(*k)) || after.is_none() && empty(b.get(*k)))
        })
        .map(|k| {
            let f = field(k);
            let shown = f.map_or(Shown::Plain, |f| f.shown);
            Change {
                field: f.map_or_else(|| k.clone(), |f| f.label.get(lang).to_owned()),
                before: if before.is_some() {
                    show_value(lang, t, names, shown, b.get(k))
                } else {
                    String::new()
                },
                after: if after.is_some() {
                    show_value(lang, t, names, shown, a.get(k))
                } else {
                    String::new()
                },
            }
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
                changes: diff(
                    lang,
                    names,
                    &e.entity_type,
                    e.before.as_deref(),
                    e.after.as_deref(),
                ),
            }
        })
        .collect()
}

/// Department names by id, for showing ids.
pub fn department_names(tree: &[Department]) -> HashMap<i64, String> {
    tree.iter().map(|d| (d.id.0, d.name.clone())).collect()
}

/// One line of an item's "decisions and moves" timeline.
pub struct EventLine {
    /// When (display).
    pub at: String,
    /// Who.
    pub who: String,
    /// What: the decision, or the move from one state to another.
    pub text: String,
    /// The comment, if any.
    pub comment: String,
}

/// An item's decisions and moves, newest first: each decision in words (`decision`), each
/// move as "from → to" with the states' labels (`state`), each person by name (`people`,
/// else the name recorded).
pub fn decision_timeline(
    t: &Messages,
    approvals: &[castellan_domain::workflow::Approval],
    moves: &[castellan_domain::workflow::MoveRecord],
    people: &HashMap<castellan_domain::UserId, String>,
    decision: impl Fn(castellan_domain::workflow::Decision) -> String,
    state: impl Fn(&str) -> String,
) -> Vec<EventLine> {
    let person = |u: Option<castellan_domain::UserId>, fallback: &str| {
        u.and_then(|u| people.get(&u).cloned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    let mut events: Vec<(Timestamp, EventLine)> = approvals
        .iter()
        .map(|a| {
            (
                a.at,
                EventLine {
                    at: when(t, Some(a.at)),
                    who: person(a.approver_id, &a.approver),
                    text: decision(a.decision),
                    comment: a.comment.clone().unwrap_or_default(),
                },
            )
        })
        .collect();
    events.extend(moves.iter().map(|m| {
        (
            m.at,
            EventLine {
                at: when(t, Some(m.at)),
                who: person(m.actor_id, &m.actor),
                text: format!("{} → {}", state(&m.from), state(&m.to)),
                comment: m.comment.clone().unwrap_or_default(),
            },
        )
    }));
    events.sort_by_key(|e| std::cmp::Reverse(e.0));
    events.into_iter().map(|(_, e)| e).collect()
}

/// The approve / return forms of an item waiting for the caller's decision (the template
/// `partials/decision.html` shows them).
pub struct DecisionForms {
    /// Where the forms post (`to`, `comment`, `version`, `csrf`).
    pub action: String,
    /// The item's version.
    pub version: i64,
    /// The state an approval moves to, if the caller may approve.
    pub approve_to: Option<&'static str>,
    /// The state a return moves to, if the caller may return.
    pub return_to: Option<&'static str>,
    /// The heading.
    pub heading: &'static str,
    /// The approve button.
    pub approve: &'static str,
    /// The label of the return's reason.
    pub return_reason: &'static str,
    /// The return button.
    pub return_label: &'static str,
}

/// The organization's local time as a `datetime-local` value.
pub fn local_input(state: &crate::state::AppState, ts: Timestamp) -> String {
    let offset = state.app.settings().utc_offset_minutes;
    let local = ts.plus(time::Duration::minutes(offset));
    local.to_db().get(..16).unwrap_or_default().to_owned()
}

/// A `datetime-local` value in the organization's local time, as a timestamp.
pub fn from_local_input(state: &crate::state::AppState, raw: &str) -> Option<Timestamp> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    let utc = Timestamp::parse(&format!("{raw}:00Z"))?;
    Some(utc.plus(time::Duration::minutes(
        -state.app.settings().utc_offset_minutes,
    )))
}

//! The audit trail's hash chain (SPEC §9): how an entry's hash is computed and how a chain
//! is checked. Storage writes entries; this module decides whether they are intact.

use crate::history::{Field, Fields, Shown};
use crate::lang::Text;
use crate::macros::coded_enum;
use sha2::{Digest, Sha256};

/// What an audit entry names: the action done or the kind of record it was done to. Each
/// area declares its own as `coded_enum!`s, so every code carries its label in both
/// languages (one missing does not compile), and the trail is written with these types
/// only — never with free text.
pub trait AuditCode: Copy {
    /// The stable code, as stored.
    fn code(self) -> &'static str;
    /// The label in both languages.
    fn label(self) -> Text;
}

/// Implements [`AuditCode`] for `coded_enum!` types.
macro_rules! audit_code {
    ($($t:ty),+ $(,)?) => {
        $(impl $crate::audit::AuditCode for $t {
            fn code(self) -> &'static str {
                <$t>::code(self)
            }
            fn label(self) -> $crate::lang::Text {
                <$t>::label(self)
            }
        })+
    };
}
pub(crate) use audit_code;

coded_enum! {
    /// The actions every area's records share.
    pub enum Verb {
        /// A record was created.
        Create => ("create", "Created", "新建"),
        /// A record was changed.
        Update => ("update", "Changed", "修改"),
        /// A record was deleted.
        Delete => ("delete", "Deleted", "删除"),
        /// Records were imported from a file.
        Import => ("import", "Imported", "导入"),
        /// Records were exported to a file.
        Export => ("export", "Exported", "导出"),
        /// An item moved to another state of its workflow.
        Transition => ("transition", "Moved", "流转"),
        /// An approver decided on a step of an item's approval chain.
        Decide => ("decide", "Decision recorded", "审批意见"),
    }
}

coded_enum! {
    /// Records of the kernel.
    pub enum KernelRecord {
        /// An organization-wide setting.
        Setting => ("setting", "Setting", "系统设置"),
        /// The demo organization.
        Demo => ("demo", "Demo data", "演示数据"),
        /// A file attached to a record of any area.
        Attachment => ("attachment", "Attachment", "附件"),
    }
}

audit_code!(Verb, KernelRecord);

impl Fields for KernelRecord {
    fn fields(self) -> &'static [Field] {
        match self {
            KernelRecord::Setting => {
                const FIELDS: &[Field] = &[
                    Field::new("method", "Method", "方法", Shown::Plain),
                    Field::new(
                        "weights",
                        "Weights of C, I, A",
                        "C、I、A 权重",
                        Shown::Plain,
                    ),
                    Field::new(
                        "revalued_assets",
                        "Assets revalued",
                        "重新计算的资产",
                        Shown::Plain,
                    ),
                    // The grading tables themselves are read on their page.
                    Field::hidden("tables"),
                    Field::hidden("likelihood"),
                    Field::hidden("loss"),
                    Field::hidden("risk"),
                    Field::hidden("likelihood_matrix"),
                    Field::hidden("loss_matrix"),
                    Field::hidden("risk_matrix"),
                    Field::new(
                        "rerated_assessments",
                        "Assessments re-rated",
                        "重新计算的评估",
                        Shown::Plain,
                    ),
                    Field::new(
                        "rerated_ratings",
                        "Ratings re-rated",
                        "重新计算的评价",
                        Shown::Plain,
                    ),
                ];
                FIELDS
            }
            KernelRecord::Demo => {
                const FIELDS: &[Field] = &[
                    Field::new("departments", "Departments", "部门", Shown::Plain),
                    Field::new("users", "Users", "用户", Shown::Plain),
                    Field::new("assets", "Assets", "资产", Shown::Plain),
                    Field::new("assessments", "Assessments", "风险评估", Shown::Plain),
                    Field::new("risks", "Risks", "风险", Shown::Plain),
                    Field::new("vulnerabilities", "Vulnerabilities", "脆弱性", Shown::Plain),
                    Field::new("requests", "Requests", "申请", Shown::Plain),
                    Field::new("incidents", "Security incidents", "安全事件", Shown::Plain),
                    Field::new(
                        "rectifications",
                        "Rectification tasks",
                        "整改任务",
                        Shown::Plain,
                    ),
                    Field::new("documents", "Documents", "文件", Shown::Plain),
                    Field::new("trainings", "Trainings", "培训", Shown::Plain),
                    Field::new(
                        "inspection_plans",
                        "Inspection plans",
                        "检查计划",
                        Shown::Plain,
                    ),
                    Field::new("inspections", "Inspections", "安全检查", Shown::Plain),
                    Field::new("goals", "Security goals", "安全目标", Shown::Plain),
                    Field::new(
                        "custody",
                        "Password custody records",
                        "特权密码保管记录",
                        Shown::Plain,
                    ),
                    Field::new("backup_plans", "Backup plans", "备份计划", Shown::Plain),
                    Field::new("dr_plans", "DR plans", "灾难恢复预案", Shown::Plain),
                    Field::new("drills", "Drills", "应急演练", Shown::Plain),
                ];
                FIELDS
            }
            KernelRecord::Attachment => {
                const FIELDS: &[Field] = &[
                    Field::new("name", "File name", "文件名", Shown::Plain),
                    Field::new("media_type", "File type", "文件类型", Shown::Plain),
                    Field::new("size", "Size in bytes", "大小（字节）", Shown::Plain),
                    Field::new("sha256", "SHA-256", "SHA-256", Shown::Plain),
                    // The record it belongs to shows it; the kind and id are bookkeeping.
                    Field::hidden("owner_kind"),
                    Field::hidden("owner_id"),
                ];
                FIELDS
            }
        }
    }
}

/// Every action code the trail may hold, with its label: the kernel's and each area's.
pub fn actions() -> impl Iterator<Item = (&'static str, Text)> {
    fn entry(code: impl AuditCode) -> (&'static str, Text) {
        (code.code(), code.label())
    }
    Verb::ALL
        .into_iter()
        .map(entry)
        .chain(crate::org::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::asset::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::risk::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::request::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::incident::audit::ACTIONS.iter().copied().map(entry))
        .chain(
            crate::rectification::audit::ACTIONS
                .iter()
                .copied()
                .map(entry),
        )
        .chain(crate::document::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::training::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::inspection::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::goal::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::custody::audit::ACTIONS.iter().copied().map(entry))
        .chain(crate::continuity::audit::ACTIONS.iter().copied().map(entry))
}

/// Every kind of record the trail may name, with its label: the kernel's and each area's.
pub fn records() -> impl Iterator<Item = (&'static str, Text)> {
    fn entry(code: impl AuditCode) -> (&'static str, Text) {
        (code.code(), code.label())
    }
    crate::org::audit::RECORDS
        .iter()
        .copied()
        .map(entry)
        .chain(crate::asset::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::risk::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::request::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::incident::audit::RECORDS.iter().copied().map(entry))
        .chain(
            crate::rectification::audit::RECORDS
                .iter()
                .copied()
                .map(entry),
        )
        .chain(crate::document::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::training::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::inspection::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::goal::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::custody::audit::RECORDS.iter().copied().map(entry))
        .chain(crate::continuity::audit::RECORDS.iter().copied().map(entry))
        .chain(KernelRecord::ALL.into_iter().map(entry))
}

/// The history fields of a stored record kind (`None` for a code no area declares).
pub fn record_fields(code: &str) -> Option<&'static [Field]> {
    fn find<R: Fields>(all: &[R], code: &str) -> Option<&'static [Field]> {
        all.iter()
            .copied()
            .find(|r| r.code() == code)
            .map(Fields::fields)
    }
    find(crate::org::audit::RECORDS, code)
        .or_else(|| find(crate::asset::audit::RECORDS, code))
        .or_else(|| find(crate::risk::audit::RECORDS, code))
        .or_else(|| find(crate::request::audit::RECORDS, code))
        .or_else(|| find(crate::incident::audit::RECORDS, code))
        .or_else(|| find(crate::rectification::audit::RECORDS, code))
        .or_else(|| find(crate::document::audit::RECORDS, code))
        .or_else(|| find(crate::training::audit::RECORDS, code))
        .or_else(|| find(crate::inspection::audit::RECORDS, code))
        .or_else(|| find(crate::goal::audit::RECORDS, code))
        .or_else(|| find(crate::custody::audit::RECORDS, code))
        .or_else(|| find(crate::continuity::audit::RECORDS, code))
        .or_else(|| find(&KernelRecord::ALL, code))
}

/// The label of a stored action code (`None` for a code no area declares).
pub fn action_label(code: &str) -> Option<Text> {
    actions()
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l)
}

/// The label of a stored record kind (`None` for a code no area declares).
pub fn record_label(code: &str) -> Option<Text> {
    records()
        .into_iter()
        .find(|(c, _)| *c == code)
        .map(|(_, l)| l)
}

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry as stored, including its chain fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Position in the chain, starting at 1, without gaps.
    pub seq: i64,
    /// When it happened (the stored timestamp text).
    pub at: String,
    /// Who did it (`None` for the system itself, e.g. the first-start bootstrap).
    pub actor_id: Option<i64>,
    /// The actor's username at the time, or `system`.
    pub actor: String,
    /// What was done: `create`, `update`, `delete`, `login`, …
    pub action: String,
    /// The kind of record: `department`, `user`, `api_token`, …
    pub entity_type: String,
    /// The record's id, when there is one.
    pub entity_id: Option<String>,
    /// JSON snapshot before the change.
    pub before: Option<String>,
    /// JSON snapshot after the change.
    pub after: Option<String>,
    /// The client address the request came from, when known.
    pub client_ip: Option<String>,
    /// The request id, to correlate with application logs.
    pub request_id: Option<String>,
    /// Hash of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    /// Hash of this entry's content and `prev_hash`.
    pub hash: String,
}

impl AuditEntry {
    /// Computes the hash this entry should carry: SHA-256 over every field but `hash`,
    /// each written with a tag and its length so no two entries encode the same way.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        field(&mut h, b's', Some(self.seq.to_string().as_str()));
        field(&mut h, b't', Some(&self.at));
        field(
            &mut h,
            b'u',
            self.actor_id.map(|id| id.to_string()).as_deref(),
        );
        field(&mut h, b'n', Some(&self.actor));
        field(&mut h, b'a', Some(&self.action));
        field(&mut h, b'e', Some(&self.entity_type));
        field(&mut h, b'i', self.entity_id.as_deref());
        field(&mut h, b'b', self.before.as_deref());
        field(&mut h, b'f', self.after.as_deref());
        field(&mut h, b'c', self.client_ip.as_deref());
        field(&mut h, b'r', self.request_id.as_deref());
        field(&mut h, b'p', Some(&self.prev_hash));
        hex::encode(h.finalize())
    }
}

fn field(h: &mut Sha256, tag: u8, value: Option<&str>) {
    h.update([tag]);
    match value {
        None => h.update(b"-"),
        Some(v) => {
            h.update((v.len() as u64).to_be_bytes());
            h.update(v.as_bytes());
        }
    }
}

/// What is wrong with a chain. Each names the first bad entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// An entry is missing before `found` (deleted, or never written).
    #[error("entry {expected} is missing (the next entry found is {found})")]
    Missing {
        /// The sequence number that should come next.
        expected: i64,
        /// The sequence number found instead.
        found: i64,
    },
    /// The entry does not point at its predecessor's hash (an earlier entry was replaced).
    #[error("entry {seq} does not link to entry {}: the chain was rewritten", .seq - 1)]
    BrokenLink {
        /// The entry whose `prev_hash` is wrong.
        seq: i64,
    },
    /// The entry's content no longer matches its hash (it was edited).
    #[error("entry {seq} was altered: its content does not match its hash")]
    Altered {
        /// The altered entry.
        seq: i64,
    },
    /// Entries at the end were removed: the chain head records more than is there.
    #[error("entries after {last} are missing: the chain head records entry {head}")]
    TailMissing {
        /// The last entry present.
        last: i64,
        /// The last entry the head records.
        head: i64,
    },
    /// The chain head does not match the last entry.
    #[error("the chain head does not match entry {seq}")]
    HeadMismatch {
        /// The last entry.
        seq: i64,
    },
}

impl ChainError {
    /// The sequence number of the first bad entry.
    pub fn first_bad_seq(&self) -> i64 {
        match self {
            ChainError::Missing { expected, .. } => *expected,
            ChainError::BrokenLink { seq }
            | ChainError::Altered { seq }
            | ChainError::HeadMismatch { seq } => *seq,
            ChainError::TailMissing { last, .. } => last + 1,
        }
    }
}

/// Checks entries fed in sequence order, in constant memory.
#[derive(Debug, Clone)]
pub struct ChainVerifier {
    next_seq: i64,
    prev_hash: String,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            next_seq: 1,
            prev_hash: GENESIS_HASH.to_owned(),
        }
    }
}

impl ChainVerifier {
    /// A verifier expecting entry 1.
    pub fn new() -> Self {
        Self::default()
    }

    /// Checks the next entry.
    pub fn check(&mut self, entry: &AuditEntry) -> Result<(), ChainError> {
        if entry.seq != self.next_seq {
            return Err(ChainError::Missing {
                expected: self.next_seq,
                found: entry.seq,
            });
        }
        if entry.compute_hash() != entry.hash {
            return Err(ChainError::Altered { seq: entry.seq });
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainError::BrokenLink { seq: entry.seq });
        }
        self.next_seq += 1;
        self.prev_hash.clone_from(&entry.hash);
        Ok(())
    }

    /// Number of entries checked so far.
    pub fn checked(&self) -> i64 {
        self.next_seq - 1
    }

    /// Compares the end of the chain with the recorded head (`seq`, `hash`).
    pub fn finish(&self, head_seq: i64, head_hash: &str) -> Result<(), ChainError> {
        let last = self.checked();
        if head_seq > last {
            return Err(ChainError::TailMissing {
                last,
                head: head_seq,
            });
        }
        if head_seq < last || head_hash != self.prev_hash {
            return Err(ChainError::HeadMismatch { seq: last });
        }
        Ok(())
    }

    /// The hash of the last checked entry.
    pub fn last_hash(&self) -> &str {
        &self.prev_hash
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_audit_code_is_declared_once_with_both_labels() {
        for list in [actions().collect::<Vec<_>>(), records().collect()] {
            for (i, (code, label)) in list.iter().enumerate() {
                assert!(
                    list.iter().skip(i + 1).all(|(other, _)| other != code),
                    "{code} declared twice"
                );
                assert!(!label.en.is_empty() && !label.zh.is_empty() && label.en != label.zh);
            }
        }
        assert_eq!(action_label("create").map(|l| l.zh), Some("新建"));
        assert_eq!(
            record_label("treatment_item").map(|l| l.en),
            Some("Treatment item")
        );
        assert!(
            action_label("deploy").is_some(),
            "lifecycle events are actions"
        );
        assert!(record_label("nothing").is_none());
    }

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: format!("2026-01-01T00:00:{seq:02}.000000Z"),
                    actor_id: Some(1),
                    actor: "admin".into(),
                    action: "update".into(),
                    entity_type: "department".into(),
                    entity_id: Some(seq.to_string()),
                    before: Some(r#"{"name":"a"}"#.into()),
                    after: Some(r#"{"name":"b"}"#.into()),
                    client_ip: None,
                    request_id: None,
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev.clone_from(&e.hash);
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Result<(), ChainError> {
        let mut v = ChainVerifier::new();
        for e in entries {
            v.check(e)?;
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(5);
        let head = c.last().unwrap().hash.clone();
        assert_eq!(verify(&c, (5, &head)), Ok(()));
        assert_eq!(verify(&[], (0, GENESIS_HASH)), Ok(()));
    }

    #[test]
    fn edits_deletions_and_rewrites_are_named() {
        let c = chain(5);
        let head = c[4].hash.clone();

        let mut edited = c.clone();
        edited[2].after = Some(r#"{"name":"evil"}"#.into());
        assert_eq!(
            verify(&edited, (5, &head)),
            Err(ChainError::Altered { seq: 3 })
        );

        let mut deleted = c.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, (5, &head)),
            Err(ChainError::Missing {
                expected: 2,
                found: 3
            })
        );

        // Rewriting an entry and recomputing its own hash still breaks the next link.
        let mut rewritten = c.clone();
        rewritten[1].actor = "mallory".into();
        rewritten[1].hash = rewritten[1].compute_hash();
        assert_eq!(
            verify(&rewritten, (5, &head)),
            Err(ChainError::BrokenLink { seq: 3 })
        );

        let truncated = &c[..3];
        let err = verify(truncated, (5, &head)).unwrap_err();
        assert_eq!(err, ChainError::TailMissing { last: 3, head: 5 });
        assert_eq!(err.first_bad_seq(), 4);
    }

    #[test]
    fn null_and_empty_fields_hash_differently() {
        let mut a = chain(1).remove(0);
        a.entity_id = None;
        let mut b = a.clone();
        b.entity_id = Some(String::new());
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}

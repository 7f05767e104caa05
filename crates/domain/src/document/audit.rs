//! What the document area writes to the audit trail.

use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's own actions (besides creating, changing, moving and deciding).
    pub enum DocumentAction {
        /// A version was made effective (and the one before it superseded).
        Publish => ("document_publish", "Published", "发布生效"),
        /// The owner reviewed the document on schedule and kept it as it is.
        Review => ("document_review", "Reviewed without change", "定期复审（无修改）"),
        /// A reader confirmed reading the version in force.
        Acknowledge => ("document_acknowledge", "Acknowledged", "确认已阅读"),
        /// Documents were exported.
        Export => ("document_export", "Exported", "导出"),
    }
}

coded_enum! {
    /// The area's records.
    pub enum DocumentRecord {
        /// A document of the register.
        Document => ("document", "Document", "文件"),
        /// A version of a document.
        DocumentVersion => ("document_version", "Document version", "文件版本"),
    }
}

audit_code!(DocumentAction, DocumentRecord);

/// The area's actions, for the trail's filters and labels.
pub const ACTIONS: &[DocumentAction] = &DocumentAction::ALL;
/// The area's records, for the trail's filters and labels.
pub const RECORDS: &[DocumentRecord] = &DocumentRecord::ALL;

impl Fields for DocumentRecord {
    fn fields(self) -> &'static [Field] {
        use super::{DocumentFamily, DocumentKind, VersionStatus};
        match self {
            DocumentRecord::Document => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Reference", "文件编号", Shown::Plain),
                    Field::new("title", "Title", "标题", Shown::Plain),
                    Field::new("kind", "Kind", "类型", Shown::Code(DocumentKind::label_of)),
                    Field::new(
                        "family",
                        "Family",
                        "类别",
                        Shown::Code(DocumentFamily::label_of),
                    ),
                    Field::new("owner_id", "Owner", "责任人", Shown::User),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(VersionStatus::label_of),
                    ),
                    Field::new(
                        "current_version",
                        "Version in force",
                        "现行版本",
                        Shown::Plain,
                    ),
                    Field::new(
                        "pending_version",
                        "Version in preparation",
                        "编制中版本",
                        Shown::Plain,
                    ),
                    Field::new("effective_at", "In force since", "生效日期", Shown::Plain),
                    Field::new(
                        "review_interval_months",
                        "Review every (months)",
                        "复审周期（月）",
                        Shown::Plain,
                    ),
                    Field::new("next_review_at", "Next review", "下次复审", Shown::Plain),
                    Field::new("reviewed_at", "Last reviewed", "上次复审", Shown::Time),
                    Field::new("comment", "Comment", "意见说明", Shown::Plain),
                    Field::new(
                        "department_ids",
                        "Addressed to departments",
                        "发送部门",
                        Shown::Plain,
                    ),
                    Field::new("roles", "Addressed to roles", "发送角色", Shown::Plain),
                    Field::new(
                        "acknowledged_version",
                        "Version acknowledged",
                        "确认阅读的版本",
                        Shown::Plain,
                    ),
                    Field::hidden("version"),
                    Field::new("documents", "Documents", "文件数", Shown::Plain),
                    Field::hidden("id"),
                    Field::hidden("created_by"),
                    Field::hidden("created_at"),
                    Field::hidden("updated_at"),
                ];
                FIELDS
            }
            DocumentRecord::DocumentVersion => {
                const FIELDS: &[Field] = &[
                    Field::new("number", "Version", "版本号", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(VersionStatus::label_of),
                    ),
                    Field::new("change_note", "Change note", "修订说明", Shown::Plain),
                    Field::new("body", "Text", "正文", Shown::Plain),
                    Field::new("author_id", "Author", "编写人", Shown::User),
                    Field::new("authored_at", "Written", "编写日期", Shown::Time),
                    Field::new("reviewer_id", "Reviewer", "审核人", Shown::User),
                    Field::new("reviewed_at", "Reviewed", "审核日期", Shown::Time),
                    Field::new("approver_id", "Approver", "批准人", Shown::User),
                    Field::new("approved_at", "Approved", "批准日期", Shown::Time),
                    Field::new("effective_at", "Effective", "生效日期", Shown::Plain),
                    Field::new("published_by", "Published by", "发布人", Shown::User),
                    Field::new(
                        "ended_at",
                        "Replaced or retired",
                        "替代或废止时间",
                        Shown::Time,
                    ),
                    Field::new("step", "Step", "审批环节", Shown::Plain),
                    Field::new("decision", "Decision", "审批结论", Shown::Plain),
                    Field::new("comment", "Comment", "意见说明", Shown::Plain),
                    Field::hidden("id"),
                    Field::hidden("document_id"),
                    Field::hidden("version"),
                    Field::hidden("updated_at"),
                ];
                FIELDS
            }
        }
    }
}

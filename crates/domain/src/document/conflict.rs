//! The document area's conflicts (HTTP 409), each with its stable code and its message in
//! both languages.

use crate::macros::coded_enum;

coded_enum! {
    /// What forbids a change to a document or a version.
    pub enum DocumentConflict {
        /// Only one version is prepared at a time.
        VersionPending => ("document_version_pending", "A version of this document is already being prepared; finish or publish it first.", "该文件已有一个正在编制的版本，请先完成或发布该版本。"),
        /// Only drafts change.
        VersionLocked => ("document_version_locked", "Only a draft version can be changed; a submitted, approved or published version is kept as it is.", "只有草稿版本可以修改；已提交、已批准或已发布的版本保持原样。"),
        /// A retired document stays as it was.
        Retired => ("document_retired", "The document has been retired; its record is kept as it was.", "该文件已废止，记录按原样保留。"),
        /// Publishing or submitting needs content.
        Empty => ("document_version_empty", "A version needs its text or at least one attached file before it is submitted.", "版本提交前须有正文或至少一个附件。"),
        /// A review confirms a document in force.
        NotAddressed => ("document_not_addressed", "This document is not addressed to you: only the departments and roles it is addressed to confirm reading it.", "该文件未发送给您：只有文件发送范围内的部门和角色人员需要确认阅读。"),
        /// Only a document in force is addressed and acknowledged.
        NotInForce => ("document_not_in_force", "Only a document in force is reviewed or acknowledged.", "只有现行有效的文件才能复审或确认阅读。"),
    }
}

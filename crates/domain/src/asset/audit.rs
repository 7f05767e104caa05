//! What the asset area writes to the audit trail: lifecycle events are recorded under their
//! own kind (`purchase`, `deploy`, …).

use super::EventKind;
use crate::audit::audit_code;
use crate::history::{Field, Fields, Shown};
use crate::macros::coded_enum;

coded_enum! {
    /// The area's records.
    pub enum AssetRecord {
        /// An asset of the register.
        Asset => ("asset", "Asset", "资产"),
    }
}

audit_code!(AssetRecord, EventKind);

/// The area's actions: the lifecycle events.
pub const ACTIONS: &[EventKind] = &EventKind::ALL;
/// The area's records.
pub const RECORDS: &[AssetRecord] = &AssetRecord::ALL;

impl Fields for AssetRecord {
    fn fields(self) -> &'static [Field] {
        use super::{AssetStatus, Category, Classification, Zone};
        match self {
            AssetRecord::Asset => {
                const FIELDS: &[Field] = &[
                    Field::new("code", "Asset ID", "资产编号", Shown::Plain),
                    Field::new("name", "Name", "名称", Shown::Plain),
                    Field::new(
                        "category",
                        "Category",
                        "类别",
                        Shown::Code(Category::label_of),
                    ),
                    Field::new("department_id", "Department", "部门", Shown::Department),
                    Field::new("owner_id", "Responsible person", "责任人", Shown::User),
                    Field::new("custodian", "User / keeper", "使用人", Shown::Plain),
                    Field::new("location", "Location", "位置", Shown::Plain),
                    Field::new(
                        "zone",
                        "Security zone",
                        "安全域",
                        Shown::Code(Zone::label_of),
                    ),
                    Field::new(
                        "classification",
                        "Classification",
                        "数据分级",
                        Shown::Code(Classification::label_of),
                    ),
                    Field::new("confidentiality", "Confidentiality", "机密性", Shown::Plain),
                    Field::new("integrity", "Integrity", "完整性", Shown::Plain),
                    Field::new("availability", "Availability", "可用性", Shown::Plain),
                    Field::new("value_score", "Value", "资产价值", Shown::Plain),
                    Field::new("value_level", "Value level", "价值等级", Shown::Plain),
                    Field::new(
                        "status",
                        "Status",
                        "状态",
                        Shown::Code(AssetStatus::label_of),
                    ),
                    Field::new("tags", "Tags", "标签", Shown::List),
                    Field::new("notes", "Notes", "备注", Shown::Plain),
                    Field::new("note", "Note", "说明", Shown::Plain),
                    Field::new("assets", "Assets", "资产数", Shown::Plain),
                ];
                FIELDS
            }
        }
    }
}

//! Typed record identifiers, so a user id can never be passed where a department id belongs.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A department's system id.
    DepartmentId
);
id_type!(
    /// A user's system id.
    UserId
);
id_type!(
    /// An API token's or session's system id.
    TokenId
);
id_type!(
    /// An asset's system id.
    AssetId
);
id_type!(
    /// A threat's system id (catalog entry).
    ThreatId
);
id_type!(
    /// A vulnerability finding's system id.
    VulnerabilityId
);
id_type!(
    /// An existing security control's system id.
    ControlId
);
id_type!(
    /// A risk assessment's system id.
    AssessmentId
);
id_type!(
    /// A risk's system id.
    RiskId
);
id_type!(
    /// A treatment plan item's system id.
    TreatmentItemId
);

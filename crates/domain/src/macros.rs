//! Macros shared by every area of the domain.

/// Declares a closed list of codes as an enum, with its codes, labels in both languages and
/// parsers. Each line reads `Variant => ("code", "English label", "中文标签")`.
macro_rules! coded_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => ($code:literal, $en:literal, $zh:literal), )+
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
        )]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order lists and menus show them.
            pub const ALL: [Self; [$($code),+].len()] = [$(Self::$variant),+];

            /// Stable code, as stored and as used by the API.
            pub fn code(self) -> &'static str {
                match self {
                    $( Self::$variant => $code, )+
                }
            }

            /// Parses an exact code.
            pub fn from_code(code: &str) -> Result<Self, $crate::error::FieldErrorKind> {
                Self::ALL
                    .into_iter()
                    .find(|v| v.code() == code)
                    .ok_or_else(|| $crate::error::FieldErrorKind::UnknownValue {
                        allowed: Self::ALL.iter().map(|v| v.code()).collect(),
                    })
            }

            /// Label in both languages.
            pub fn label(self) -> $crate::lang::Text {
                match self {
                    $( Self::$variant => $crate::lang::Text { en: $en, zh: $zh }, )+
                }
            }

            /// The label of a stored code (`None` for a code not in the list), for showing
            /// stored snapshots.
            pub fn label_of(code: &str) -> Option<$crate::lang::Text> {
                Self::from_code(code).ok().map(Self::label)
            }

            /// Reads an import-file cell: the code, the English label or the Chinese label,
            /// ignoring surrounding whitespace and letter case. `None` when nothing matches.
            pub fn parse_cell(cell: &str) -> Option<Self> {
                let cell = cell.trim();
                Self::ALL.into_iter().find(|v| {
                    let label = v.label();
                    [v.code(), label.en, label.zh]
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(cell))
                })
            }
        }
    };
}
pub(crate) use coded_enum;

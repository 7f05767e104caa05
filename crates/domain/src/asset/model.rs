//! The asset register's rules (SPEC §3): the closed lists an asset is described with, the
//! C/I/A ratings and the asset value computed from them (§3.1), the lifecycle state machine,
//! and the checks for codes and tags. Everything here is pure; valuation uses integers only,
//! so a score never depends on floating-point rounding.

use crate::asset::AssetConflict;
use crate::error::FieldErrorKind;
use crate::lang::Text;
use crate::values::clean_text;
use serde::{Deserialize, Serialize};

use crate::macros::coded_enum;

coded_enum! {
    /// What kind of thing an asset is.
    pub enum Category {
        /// Routers, switches and other network equipment.
        NetworkDevice => ("network_device", "Network device", "网络设备"),
        /// Firewalls, intrusion detection and other security equipment.
        SecurityDevice => ("security_device", "Security device", "安全设备"),
        /// Physical or virtual servers.
        Server => ("server", "Server", "服务器"),
        /// Desktops, laptops, mobile devices and other end-user equipment.
        Terminal => ("terminal", "Terminal", "终端"),
        /// Database systems.
        Database => ("database", "Database", "数据库"),
        /// Applications and system software.
        Software => ("software", "Software", "软件"),
        /// Information held in any form.
        Data => ("data", "Data", "数据"),
        /// Services used or provided (hosting, lines, outsourced operations).
        Service => ("service", "Service", "服务"),
        /// Premises and supporting facilities (rooms, power, air conditioning).
        Facility => ("facility", "Facility", "设施"),
        /// People and the knowledge they hold.
        Personnel => ("personnel", "Personnel", "人员"),
        /// Paper or electronic documents.
        Document => ("document", "Document", "文档"),
        /// Anything that fits no other category.
        Other => ("other", "Other", "其他"),
    }
}

coded_enum! {
    /// The network security area an asset sits in.
    pub enum Zone {
        /// The internal network.
        Intranet => ("intranet", "Intranet", "内网"),
        /// The network shared with partners or external bodies.
        Extranet => ("extranet", "Extranet", "外网"),
        /// The demilitarized zone between the internal network and the internet.
        Dmz => ("dmz", "DMZ", "隔离区"),
        /// Directly on the internet.
        Internet => ("internet", "Internet", "互联网"),
        /// Anywhere else.
        Other => ("other", "Other", "其他"),
    }
}

coded_enum! {
    /// The data class of the information an asset holds, from least to most protected.
    pub enum Classification {
        /// May be published.
        Public => ("public", "Public", "公开"),
        /// For people inside the organization.
        Internal => ("internal", "Internal", "内部"),
        /// For named groups only; disclosure causes harm.
        Confidential => ("confidential", "Confidential", "秘密"),
        /// For named people only; disclosure causes serious harm.
        Secret => ("secret", "Secret", "机密"),
    }
}

coded_enum! {
    /// Where an asset is in its lifecycle; lifecycle events move it (see [`next_status`]).
    pub enum AssetStatus {
        /// Planned or ordered, not yet in stock.
        Planned => ("planned", "Planned", "规划中"),
        /// In service.
        InUse => ("in_use", "In use", "在用"),
        /// Out of service for repair or maintenance.
        InRepair => ("in_repair", "In repair", "维修中"),
        /// Available but not in service.
        Idle => ("idle", "Idle", "闲置"),
        /// Taken out of the register's active life for good; its history is kept.
        Retired => ("retired", "Retired", "已报废"),
    }
}

impl AssetStatus {
    /// Other words registers and spreadsheets use for the statuses, matched like labels.
    const SYNONYMS: &[(&str, AssetStatus)] = &[
        ("使用中", AssetStatus::InUse),
        ("在役", AssetStatus::InUse),
        ("运行", AssetStatus::InUse),
        ("运行中", AssetStatus::InUse),
        ("正常", AssetStatus::InUse),
        ("已上线", AssetStatus::InUse),
        ("in service", AssetStatus::InUse),
        ("active", AssetStatus::InUse),
        ("规划", AssetStatus::Planned),
        ("计划", AssetStatus::Planned),
        ("计划中", AssetStatus::Planned),
        ("待采购", AssetStatus::Planned),
        ("采购中", AssetStatus::Planned),
        ("待上线", AssetStatus::Planned),
        ("ordered", AssetStatus::Planned),
        ("维修", AssetStatus::InRepair),
        ("送修", AssetStatus::InRepair),
        ("故障", AssetStatus::InRepair),
        ("维护中", AssetStatus::InRepair),
        ("under repair", AssetStatus::InRepair),
        ("备用", AssetStatus::Idle),
        ("库存", AssetStatus::Idle),
        ("停用", AssetStatus::Idle),
        ("spare", AssetStatus::Idle),
        ("in stock", AssetStatus::Idle),
        ("报废", AssetStatus::Retired),
        ("退役", AssetStatus::Retired),
        ("已退役", AssetStatus::Retired),
        ("已处置", AssetStatus::Retired),
        ("disposed", AssetStatus::Retired),
        ("decommissioned", AssetStatus::Retired),
    ];

    /// Reads a status cell of an import: what [`AssetStatus::parse_cell`] accepts, and the
    /// common other words for the same statuses ("使用中", "报废", "decommissioned", …).
    pub fn parse_import_cell(cell: &str) -> Option<AssetStatus> {
        AssetStatus::parse_cell(cell).or_else(|| {
            let cell = cell.trim();
            Self::SYNONYMS
                .iter()
                .find(|(word, _)| word.eq_ignore_ascii_case(cell))
                .map(|(_, status)| *status)
        })
    }
}

coded_enum! {
    /// A lifecycle event recorded on an asset.
    pub enum EventKind {
        /// Bought and received into stock.
        Purchase => ("purchase", "Purchase", "采购"),
        /// Put into service.
        Deploy => ("deploy", "Deploy", "部署"),
        /// Changed in place, or taken out of or back into service.
        Change => ("change", "Change", "变更"),
        /// Handed to another department or owner.
        Transfer => ("transfer", "Transfer", "移交"),
        /// Sent for repair or maintenance.
        Maintenance => ("maintenance", "Maintenance", "维修"),
        /// Taken out of use for good.
        Retire => ("retire", "Retire", "报废"),
    }
}

/// A confidentiality, integrity or availability rating: 1 (very low) to 5 (very high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Rating(u8);

impl Rating {
    /// The lowest rating, 1.
    pub const MIN: Rating = Rating(1);
    /// Every rating, 1 to 5.
    pub const ALL: [Rating; 5] = [Rating(1), Rating(2), Rating(3), Rating(4), Rating(5)];

    /// The rating nearest to `n` (1 below, 5 above): for generated data, never for input.
    pub fn clamped(n: usize) -> Rating {
        Rating(n.clamp(1, 5) as u8)
    }

    /// Checks a submitted rating.
    pub fn new(v: i64) -> Result<Rating, FieldErrorKind> {
        match u8::try_from(v) {
            Ok(n @ 1..=5) => Ok(Rating(n)),
            _ => Err(FieldErrorKind::OutOfRange { min: 1, max: 5 }),
        }
    }

    /// The rating, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Reads an import-file cell: a whole number such as `4`, also written as `4.0` (the
    /// way spreadsheets export numbers). A blank cell is `Required`.
    pub fn parse_cell(cell: &str) -> Result<Rating, FieldErrorKind> {
        let invalid = FieldErrorKind::invalid("a whole number from 1 to 5", "请填写 1 到 5 的整数");
        let text = cell.trim();
        if text.is_empty() {
            return Err(FieldErrorKind::Required);
        }
        let whole = match text.split_once('.') {
            None => text,
            Some((whole, zeros)) if !zeros.is_empty() && zeros.bytes().all(|b| b == b'0') => whole,
            Some(_) => return Err(invalid),
        };
        let digits = whole.strip_prefix(['+', '-']).unwrap_or(whole);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(invalid);
        }
        match whole.parse::<i64>() {
            Ok(v) => Rating::new(v),
            // Only digits, so the number is too large for i64.
            Err(_) => Err(FieldErrorKind::OutOfRange { min: 1, max: 5 }),
        }
    }
}

/// How an organization turns C, I and A into an asset value (SPEC §3.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ValuationMethod {
    /// The weighted mean of C, I and A, rounded half up to one decimal place.
    WeightedMean {
        /// Weights of C, I and A, each 1–10 when built by [`ValuationMethod::from_parts`].
        /// Should all three be 0, the ratings count equally.
        weights: [u8; 3],
    },
    /// The highest of the three ratings.
    Max,
    /// The exponential mean round(log2((2^C + 2^I + 2^A) / 3)), a whole number; it leans
    /// towards the highest rating, as is common in GB/T 20984 assessments.
    Gbt20984,
}

impl Default for ValuationMethod {
    fn default() -> Self {
        ValuationMethod::WeightedMean { weights: [1, 1, 1] }
    }
}

/// The codes of the valuation methods.
const METHOD_CODES: [&str; 3] = ["weighted_mean", "max", "gbt20984"];

impl ValuationMethod {
    /// Stable code: `weighted_mean`, `max` or `gbt20984`.
    pub fn code(&self) -> &'static str {
        match self {
            ValuationMethod::WeightedMean { .. } => "weighted_mean",
            ValuationMethod::Max => "max",
            ValuationMethod::Gbt20984 => "gbt20984",
        }
    }

    /// Builds a method from its code and the C, I, A weights. Weights must be 1–10 and are
    /// only looked at for `weighted_mean`.
    pub fn from_parts(code: &str, weights: [i64; 3]) -> Result<Self, FieldErrorKind> {
        match code {
            "weighted_mean" => {
                let mut checked = [1u8; 3];
                for (slot, weight) in checked.iter_mut().zip(weights) {
                    *slot = u8::try_from(weight)
                        .ok()
                        .filter(|w| (1..=10).contains(w))
                        .ok_or(FieldErrorKind::OutOfRange { min: 1, max: 10 })?;
                }
                Ok(ValuationMethod::WeightedMean { weights: checked })
            }
            "max" => Ok(ValuationMethod::Max),
            "gbt20984" => Ok(ValuationMethod::Gbt20984),
            _ => Err(FieldErrorKind::UnknownValue {
                allowed: METHOD_CODES.to_vec(),
            }),
        }
    }

    /// Label in both languages.
    pub fn label(&self) -> Text {
        match self {
            ValuationMethod::WeightedMean { .. } => Text {
                en: "Weighted mean",
                zh: "加权平均",
            },
            ValuationMethod::Max => Text {
                en: "Highest rating",
                zh: "取最高值",
            },
            ValuationMethod::Gbt20984 => Text {
                en: "Exponential mean (GB/T 20984)",
                zh: "指数平均（GB/T 20984）",
            },
        }
    }
}

/// An asset value score from 1.0 to 5.0, held in tenths (10 to 50) so that it is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ValueScore(u8);

impl ValueScore {
    /// The score in tenths: 43 means 4.3.
    pub fn tenths(self) -> u8 {
        self.0
    }

    /// A score from its tenths; `None` outside 10..=50.
    pub fn from_tenths(t: i64) -> Option<Self> {
        u8::try_from(t)
            .ok()
            .filter(|t| (10..=50).contains(t))
            .map(ValueScore)
    }

    /// The value level the score falls in: 4.6–5.0 → 5, 3.6–4.5 → 4, 2.6–3.5 → 3,
    /// 1.6–2.5 → 2, 1.0–1.5 → 1.
    pub fn level(self) -> ValueLevel {
        ValueLevel(match self.0 {
            46.. => 5,
            36..=45 => 4,
            26..=35 => 3,
            16..=25 => 2,
            _ => 1,
        })
    }
}

impl std::fmt::Display for ValueScore {
    /// One decimal place: `4.3`, `5.0`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.0 / 10, self.0 % 10)
    }
}

/// An asset value level: 1 (very low) to 5 (very high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct ValueLevel(u8);

impl ValueLevel {
    /// Every level, from 1 (very low) to 5 (very high).
    pub const ALL: [ValueLevel; 5] = [
        ValueLevel(1),
        ValueLevel(2),
        ValueLevel(3),
        ValueLevel(4),
        ValueLevel(5),
    ];

    /// The level, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// A level from its number; `None` outside 1..=5.
    pub fn new(v: i64) -> Option<Self> {
        u8::try_from(v)
            .ok()
            .filter(|v| (1..=5).contains(v))
            .map(ValueLevel)
    }

    /// Label in both languages.
    pub fn label(self) -> Text {
        let (en, zh) = match self.0 {
            5 => ("Very high", "很高"),
            4 => ("High", "高"),
            3 => ("Medium", "中等"),
            2 => ("Low", "低"),
            _ => ("Very low", "很低"),
        };
        Text { en, zh }
    }
}

/// An asset's value: its score and the level that score falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Valuation {
    /// The score, 1.0 to 5.0.
    pub score: ValueScore,
    /// The level of `score`.
    pub level: ValueLevel,
}

/// Computes the value score from C, I and A with `method`, in integer arithmetic only.
pub fn value_score(method: ValuationMethod, c: Rating, i: Rating, a: Rating) -> ValueScore {
    let ratings = [c, i, a].map(|r| u32::from(r.get()));
    let tenths = match method {
        ValuationMethod::WeightedMean { weights } => weighted_mean_tenths(weights, ratings),
        ValuationMethod::Max => 10 * ratings.into_iter().max().unwrap_or(1),
        ValuationMethod::Gbt20984 => 10 * exponential_mean(ratings),
    };
    // Every method stays within the ratings' range; the clamp only guards the type.
    ValueScore(u8::try_from(tenths.clamp(10, 50)).unwrap_or(50))
}

/// Computes the value score and its level.
pub fn evaluate(method: ValuationMethod, c: Rating, i: Rating, a: Rating) -> Valuation {
    let score = value_score(method, c, i, a);
    Valuation {
        score,
        level: score.level(),
    }
}

/// The weighted mean in tenths, rounded half up: with S = Σ wᵢ·xᵢ and W = Σ wᵢ,
/// ⌊10·S/W + ½⌋ = ⌊(20·S + W) / (2·W)⌋.
fn weighted_mean_tenths(weights: [u8; 3], ratings: [u32; 3]) -> u32 {
    let weights = if weights == [0; 3] { [1; 3] } else { weights };
    let total: u32 = weights.iter().map(|&w| u32::from(w)).sum();
    let sum: u32 = weights
        .iter()
        .zip(ratings)
        .map(|(&w, r)| u32::from(w) * r)
        .sum();
    (20 * sum + total) / (2 * total)
}

/// round(log2(s / 3)) with s = 2^C + 2^I + 2^A, as a whole number in 1..=5.
///
/// n is that rounding exactly when n − ½ ≤ log2(s / 3) < n + ½, which squares into
/// 9·2^(2n−1) ≤ s² < 9·2^(2n+1). The half-way points are irrational, so there are no ties.
/// With ratings 1..=5, s lies in 6..=96, which gives n in 1..=5.
fn exponential_mean(ratings: [u32; 3]) -> u32 {
    let s: u64 = ratings.iter().map(|&r| 1u64 << r).sum();
    let square = s * s;
    (2..=5u32)
        .rev()
        .find(|&n| square >= 9u64 << (2 * n - 1))
        .unwrap_or(1)
}

/// The status a lifecycle event leads to from `current`, or [`AssetConflict::LifecycleMove`].
///
/// - A retired asset accepts no event.
/// - `purchase`: planned → idle (bought, in stock).
/// - `deploy`: planned, idle or in repair → in use.
/// - `maintenance`: in use or idle → in repair.
/// - `change`: keeps the status; `requested` may take an asset in use out of service
///   (`idle`) or put an idle or repaired asset back into service (`in_use`).
/// - `transfer`: keeps the status (the new department or owner is the caller's business).
/// - `retire`: any status but retired → retired.
///
/// `requested` is only accepted with `change`.
pub fn next_status(
    current: AssetStatus,
    event: EventKind,
    requested: Option<AssetStatus>,
) -> Result<AssetStatus, AssetConflict> {
    use AssetStatus::{Idle, InRepair, InUse, Planned, Retired};
    let refused = Err(AssetConflict::LifecycleMove);
    if current == Retired || (requested.is_some() && event != EventKind::Change) {
        return refused;
    }
    match event {
        EventKind::Purchase if current == Planned => Ok(Idle),
        EventKind::Deploy if matches!(current, Planned | Idle | InRepair) => Ok(InUse),
        EventKind::Maintenance if matches!(current, InUse | Idle) => Ok(InRepair),
        EventKind::Change => match requested {
            None => Ok(current),
            Some(Idle) if current == InUse => Ok(Idle),
            Some(InUse) if matches!(current, Idle | InRepair) => Ok(InUse),
            Some(_) => refused,
        },
        EventKind::Transfer => Ok(current),
        EventKind::Retire => Ok(Retired),
        EventKind::Purchase | EventKind::Deploy | EventKind::Maintenance => refused,
    }
}

/// The events [`next_status`] accepts from `current` (without a requested status), in
/// [`EventKind::ALL`] order.
pub fn allowed_events(current: AssetStatus) -> Vec<EventKind> {
    EventKind::ALL
        .into_iter()
        .filter(|&event| next_status(current, event, None).is_ok())
        .collect()
}

/// The status a new asset starts in: `in_use` or `idle` when asked for, otherwise
/// `planned`.
pub fn initial_status(requested: Option<AssetStatus>) -> AssetStatus {
    match requested {
        Some(AssetStatus::InUse) => AssetStatus::InUse,
        Some(AssetStatus::Idle) => AssetStatus::Idle,
        _ => AssetStatus::Planned,
    }
}

/// Checks an asset code (the organization's own asset ID): 1–64 characters, no spaces or
/// control characters.
pub fn parse_code(raw: &str) -> Result<String, FieldErrorKind> {
    let code = clean_text(raw, 1, 64)?;
    if code.chars().any(char::is_whitespace) {
        return Err(FieldErrorKind::invalid(
            "an asset ID cannot contain spaces",
            "资产编号不能包含空格",
        ));
    }
    Ok(code)
}

/// Most tags one asset can carry.
const MAX_TAGS: usize = 20;

/// Checks a list of tags: each is trimmed and blank ones dropped; a tag has 1–32 characters
/// without `;`, `,` or control characters. Tags that differ only in letter case count once
/// (the first spelling is kept); the order is kept; at most 20 tags.
pub fn parse_tags(raw: &[String]) -> Result<Vec<String>, FieldErrorKind> {
    let mut tags: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for entry in raw {
        if entry.trim().is_empty() {
            continue;
        }
        let tag = clean_text(entry, 1, 32)?;
        if tag.contains([';', ',', '；', '，']) {
            return Err(FieldErrorKind::invalid(
                "a tag cannot contain ';' or ','",
                "单个标签不能包含“;”或“,”",
            ));
        }
        let key = tag.to_lowercase();
        if seen.contains(&key) {
            continue;
        }
        if tags.len() == MAX_TAGS {
            return Err(FieldErrorKind::invalid(
                "an asset can have at most 20 tags",
                "一项资产最多 20 个标签",
            ));
        }
        seen.push(key);
        tags.push(tag);
    }
    Ok(tags)
}

/// Splits an import-file tags cell on `;` (or the full-width `；`), trimming each tag and
/// dropping blanks. The tags still need [`parse_tags`].
pub fn split_tags_cell(cell: &str) -> Vec<String> {
    cell.split([';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(v: i64) -> Rating {
        Rating::new(v).unwrap()
    }

    fn score(method: ValuationMethod, c: i64, i: i64, a: i64) -> (u8, u8) {
        let v = evaluate(method, r(c), r(i), r(a));
        (v.score.tenths(), v.level.get())
    }

    /// Expected (score in tenths, level) indexed by [C − 1][I − 1][A − 1].
    type Cube = [[[(u8, u8); 5]; 5]; 5];

    // Generated by an independent script with exact rational arithmetic (Python `fractions`
    // for the mean, 60-digit `decimal` logarithms cross-checked against `math.log2` for the
    // exponential mean), then pasted.
    #[rustfmt::skip]
    const WEIGHTED_MEAN: Cube = [
        [ // C = 1; rows I = 1..5, columns A = 1..5
            [(10, 1), (13, 1), (17, 2), (20, 2), (23, 2)],
            [(13, 1), (17, 2), (20, 2), (23, 2), (27, 3)],
            [(17, 2), (20, 2), (23, 2), (27, 3), (30, 3)],
            [(20, 2), (23, 2), (27, 3), (30, 3), (33, 3)],
            [(23, 2), (27, 3), (30, 3), (33, 3), (37, 4)],
        ],
        [ // C = 2; rows I = 1..5, columns A = 1..5
            [(13, 1), (17, 2), (20, 2), (23, 2), (27, 3)],
            [(17, 2), (20, 2), (23, 2), (27, 3), (30, 3)],
            [(20, 2), (23, 2), (27, 3), (30, 3), (33, 3)],
            [(23, 2), (27, 3), (30, 3), (33, 3), (37, 4)],
            [(27, 3), (30, 3), (33, 3), (37, 4), (40, 4)],
        ],
        [ // C = 3; rows I = 1..5, columns A = 1..5
            [(17, 2), (20, 2), (23, 2), (27, 3), (30, 3)],
            [(20, 2), (23, 2), (27, 3), (30, 3), (33, 3)],
            [(23, 2), (27, 3), (30, 3), (33, 3), (37, 4)],
            [(27, 3), (30, 3), (33, 3), (37, 4), (40, 4)],
            [(30, 3), (33, 3), (37, 4), (40, 4), (43, 4)],
        ],
        [ // C = 4; rows I = 1..5, columns A = 1..5
            [(20, 2), (23, 2), (27, 3), (30, 3), (33, 3)],
            [(23, 2), (27, 3), (30, 3), (33, 3), (37, 4)],
            [(27, 3), (30, 3), (33, 3), (37, 4), (40, 4)],
            [(30, 3), (33, 3), (37, 4), (40, 4), (43, 4)],
            [(33, 3), (37, 4), (40, 4), (43, 4), (47, 5)],
        ],
        [ // C = 5; rows I = 1..5, columns A = 1..5
            [(23, 2), (27, 3), (30, 3), (33, 3), (37, 4)],
            [(27, 3), (30, 3), (33, 3), (37, 4), (40, 4)],
            [(30, 3), (33, 3), (37, 4), (40, 4), (43, 4)],
            [(33, 3), (37, 4), (40, 4), (43, 4), (47, 5)],
            [(37, 4), (40, 4), (43, 4), (47, 5), (50, 5)],
        ],
    ];

    #[rustfmt::skip]
    const MAX: Cube = [
        [ // C = 1; rows I = 1..5, columns A = 1..5
            [(10, 1), (20, 2), (30, 3), (40, 4), (50, 5)],
            [(20, 2), (20, 2), (30, 3), (40, 4), (50, 5)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
        [ // C = 2; rows I = 1..5, columns A = 1..5
            [(20, 2), (20, 2), (30, 3), (40, 4), (50, 5)],
            [(20, 2), (20, 2), (30, 3), (40, 4), (50, 5)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
        [ // C = 3; rows I = 1..5, columns A = 1..5
            [(30, 3), (30, 3), (30, 3), (40, 4), (50, 5)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (50, 5)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
        [ // C = 4; rows I = 1..5, columns A = 1..5
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
        [ // C = 5; rows I = 1..5, columns A = 1..5
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
            [(50, 5), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
    ];

    #[rustfmt::skip]
    const GBT20984: Cube = [
        [ // C = 1; rows I = 1..5, columns A = 1..5
            [(10, 1), (10, 1), (20, 2), (30, 3), (40, 4)],
            [(10, 1), (20, 2), (20, 2), (30, 3), (40, 4)],
            [(20, 2), (20, 2), (30, 3), (30, 3), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (40, 4)],
        ],
        [ // C = 2; rows I = 1..5, columns A = 1..5
            [(10, 1), (20, 2), (20, 2), (30, 3), (40, 4)],
            [(20, 2), (20, 2), (20, 2), (30, 3), (40, 4)],
            [(20, 2), (20, 2), (30, 3), (30, 3), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
        ],
        [ // C = 3; rows I = 1..5, columns A = 1..5
            [(20, 2), (20, 2), (30, 3), (30, 3), (40, 4)],
            [(20, 2), (20, 2), (30, 3), (30, 3), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (30, 3), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
        ],
        [ // C = 4; rows I = 1..5, columns A = 1..5
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(30, 3), (30, 3), (30, 3), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
        ],
        [ // C = 5; rows I = 1..5, columns A = 1..5
            [(40, 4), (40, 4), (40, 4), (40, 4), (40, 4)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (40, 4), (40, 4), (40, 4), (50, 5)],
            [(40, 4), (50, 5), (50, 5), (50, 5), (50, 5)],
        ],
    ];

    fn check_cube(method: ValuationMethod, cube: &Cube) {
        for c in 1..=5 {
            for i in 1..=5 {
                for a in 1..=5 {
                    let expected = cube[c - 1][i - 1][a - 1];
                    let got = score(method, c as i64, i as i64, a as i64);
                    assert_eq!(got, expected, "{} with C={c} I={i} A={a}", method.code());
                }
            }
        }
    }

    #[test]
    fn weighted_mean_over_every_input() {
        check_cube(ValuationMethod::default(), &WEIGHTED_MEAN);
    }

    #[test]
    fn max_over_every_input() {
        check_cube(ValuationMethod::Max, &MAX);
    }

    #[test]
    fn gbt20984_over_every_input() {
        check_cube(ValuationMethod::Gbt20984, &GBT20984);
    }

    #[test]
    fn exponential_mean_never_needs_its_clamp() {
        // The unclamped n satisfies 9·2^(2n−1) ≤ s² < 9·2^(2n+1) for every input, so the
        // clamp into 1..=5 never changes a result.
        for c in 1..=5u32 {
            for i in 1..=5u32 {
                for a in 1..=5u32 {
                    let n = exponential_mean([c, i, a]);
                    assert!((1..=5).contains(&n));
                    let s = (1u64 << c) + (1u64 << i) + (1u64 << a);
                    let square = s * s;
                    assert!(9u64 << (2 * n - 1) <= square, "C={c} I={i} A={a}");
                    assert!(square < 9u64 << (2 * n + 1), "C={c} I={i} A={a}");
                }
            }
        }
    }

    #[test]
    fn spec_examples() {
        let m = ValuationMethod::default();
        let shown = |c, i, a| {
            let v = evaluate(m, r(c), r(i), r(a));
            format!("{}/{}", v.score, v.level.get())
        };
        assert_eq!(shown(5, 5, 5), "5.0/5");
        assert_eq!(shown(5, 4, 4), "4.3/4");
        assert_eq!(shown(5, 5, 4), "4.7/5");
        assert_eq!(shown(3, 3, 4), "3.3/3");
        assert_eq!(shown(1, 2, 2), "1.7/2");
        assert_eq!(shown(1, 1, 2), "1.3/1");
    }

    #[test]
    fn other_weights_round_half_up() {
        let w = |weights| ValuationMethod::WeightedMean { weights };
        // [2,1,1]: (2·1 + 1 + 2) / 4 = 1.25 → 1.3, and so on; checked by hand.
        assert_eq!(score(w([2, 1, 1]), 1, 1, 2), (13, 1));
        assert_eq!(score(w([2, 1, 1]), 2, 1, 1), (15, 1));
        assert_eq!(score(w([2, 1, 1]), 3, 2, 2), (25, 2));
        assert_eq!(score(w([2, 1, 1]), 4, 5, 4), (43, 4));
        assert_eq!(score(w([2, 1, 1]), 5, 4, 4), (45, 4));
        assert_eq!(score(w([2, 1, 1]), 5, 1, 1), (30, 3));
        assert_eq!(score(w([2, 1, 1]), 1, 5, 5), (30, 3));
        assert_eq!(score(w([1, 2, 3]), 5, 1, 1), (17, 2));
        assert_eq!(score(w([1, 2, 3]), 1, 5, 5), (43, 4));
        assert_eq!(score(w([10, 1, 1]), 1, 5, 5), (17, 2));
        assert_eq!(score(w([10, 1, 1]), 5, 1, 2), (44, 4));
        // Weights built directly, bypassing `from_parts`, still give a valid score.
        assert_eq!(score(w([3, 1, 0]), 2, 1, 5), (18, 2));
        assert_eq!(score(w([0, 0, 4]), 1, 2, 3), (30, 3));
        assert_eq!(score(w([0, 0, 0]), 2, 2, 3), (23, 2));
        assert_eq!(score(w([255, 255, 255]), 5, 5, 4), (47, 5));
    }

    #[test]
    fn level_boundaries() {
        let level = |t| ValueScore::from_tenths(t).unwrap().level().get();
        let cases = [
            (10, 1),
            (15, 1),
            (16, 2),
            (25, 2),
            (26, 3),
            (35, 3),
            (36, 4),
            (45, 4),
            (46, 5),
            (50, 5),
        ];
        for (tenths, expected) in cases {
            assert_eq!(level(tenths), expected, "{tenths}");
        }
    }

    #[test]
    fn scores_and_levels() {
        assert_eq!(ValueScore::from_tenths(9), None);
        assert_eq!(ValueScore::from_tenths(51), None);
        assert_eq!(ValueScore::from_tenths(-10), None);
        assert_eq!(ValueScore::from_tenths(43).unwrap().to_string(), "4.3");
        assert_eq!(ValueScore::from_tenths(50).unwrap().to_string(), "5.0");
        assert_eq!(ValueScore::from_tenths(10).unwrap().to_string(), "1.0");
        assert_eq!(ValueLevel::new(0), None);
        assert_eq!(ValueLevel::new(6), None);
        for (n, level) in (1..=5).zip(ValueLevel::ALL) {
            assert_eq!(ValueLevel::new(n), Some(level));
            assert_eq!(i64::from(level.get()), n);
        }
        assert_eq!(ValueLevel::new(5).unwrap().label().zh, "很高");
        assert_eq!(ValueLevel::new(3).unwrap().label().en, "Medium");
        assert_eq!(ValueLevel::new(1).unwrap().label().en, "Very low");
    }

    #[test]
    fn valuation_methods() {
        let method = ValuationMethod::from_parts("weighted_mean", [2, 1, 10]).unwrap();
        assert_eq!(
            method,
            ValuationMethod::WeightedMean {
                weights: [2, 1, 10]
            }
        );
        assert_eq!(method.code(), "weighted_mean");
        for bad in [[0, 1, 1], [1, 11, 1], [1, 1, -3], [1, 1, 266]] {
            assert_eq!(
                ValuationMethod::from_parts("weighted_mean", bad),
                Err(FieldErrorKind::OutOfRange { min: 1, max: 10 }),
                "{bad:?}"
            );
        }
        // Weights are ignored, not checked, by the other methods.
        assert_eq!(
            ValuationMethod::from_parts("max", [0, 0, 0]),
            Ok(ValuationMethod::Max)
        );
        assert_eq!(
            ValuationMethod::from_parts("gbt20984", [1, 1, 1]),
            Ok(ValuationMethod::Gbt20984)
        );
        assert!(matches!(
            ValuationMethod::from_parts("Max", [1, 1, 1]),
            Err(FieldErrorKind::UnknownValue { .. })
        ));
        assert_eq!(
            ValuationMethod::default(),
            ValuationMethod::WeightedMean { weights: [1, 1, 1] }
        );
        let json = |m: ValuationMethod| serde_json::to_value(m).unwrap();
        assert_eq!(
            json(ValuationMethod::default()),
            serde_json::json!({"method": "weighted_mean", "weights": [1, 1, 1]})
        );
        assert_eq!(
            json(ValuationMethod::Gbt20984),
            serde_json::json!({"method": "gbt20984"})
        );
        for m in [
            ValuationMethod::default(),
            ValuationMethod::Max,
            ValuationMethod::Gbt20984,
        ] {
            assert_eq!(json(m)["method"], m.code());
            let back: ValuationMethod = serde_json::from_value(json(m)).unwrap();
            assert_eq!(back, m);
            assert!(!m.label().en.is_empty() && !m.label().zh.is_empty());
        }
    }

    #[test]
    fn lifecycle_table() {
        use AssetStatus::{Idle, InRepair, InUse, Planned, Retired};
        use EventKind::{Change, Deploy, Maintenance, Purchase, Retire, Transfer};
        const NO: Option<AssetStatus> = None;
        // Columns: requested = none, planned, in_use, in_repair, idle, retired.
        // `Some(s)`: the event leads to s; NO: refused with `lifecycle_not_allowed`.
        #[rustfmt::skip]
        let table = [
            (Planned, Purchase,    [Some(Idle), NO, NO, NO, NO, NO]),
            (Planned, Deploy,      [Some(InUse), NO, NO, NO, NO, NO]),
            (Planned, Change,      [Some(Planned), NO, NO, NO, NO, NO]),
            (Planned, Transfer,    [Some(Planned), NO, NO, NO, NO, NO]),
            (Planned, Maintenance, [NO, NO, NO, NO, NO, NO]),
            (Planned, Retire,      [Some(Retired), NO, NO, NO, NO, NO]),

            (InUse, Purchase,      [NO, NO, NO, NO, NO, NO]),
            (InUse, Deploy,        [NO, NO, NO, NO, NO, NO]),
            (InUse, Change,        [Some(InUse), NO, NO, NO, Some(Idle), NO]),
            (InUse, Transfer,      [Some(InUse), NO, NO, NO, NO, NO]),
            (InUse, Maintenance,   [Some(InRepair), NO, NO, NO, NO, NO]),
            (InUse, Retire,        [Some(Retired), NO, NO, NO, NO, NO]),

            (InRepair, Purchase,   [NO, NO, NO, NO, NO, NO]),
            (InRepair, Deploy,     [Some(InUse), NO, NO, NO, NO, NO]),
            (InRepair, Change,     [Some(InRepair), NO, Some(InUse), NO, NO, NO]),
            (InRepair, Transfer,   [Some(InRepair), NO, NO, NO, NO, NO]),
            (InRepair, Maintenance,[NO, NO, NO, NO, NO, NO]),
            (InRepair, Retire,     [Some(Retired), NO, NO, NO, NO, NO]),

            (Idle, Purchase,       [NO, NO, NO, NO, NO, NO]),
            (Idle, Deploy,         [Some(InUse), NO, NO, NO, NO, NO]),
            (Idle, Change,         [Some(Idle), NO, Some(InUse), NO, NO, NO]),
            (Idle, Transfer,       [Some(Idle), NO, NO, NO, NO, NO]),
            (Idle, Maintenance,    [Some(InRepair), NO, NO, NO, NO, NO]),
            (Idle, Retire,         [Some(Retired), NO, NO, NO, NO, NO]),

            (Retired, Purchase,    [NO, NO, NO, NO, NO, NO]),
            (Retired, Deploy,      [NO, NO, NO, NO, NO, NO]),
            (Retired, Change,      [NO, NO, NO, NO, NO, NO]),
            (Retired, Transfer,    [NO, NO, NO, NO, NO, NO]),
            (Retired, Maintenance, [NO, NO, NO, NO, NO, NO]),
            (Retired, Retire,      [NO, NO, NO, NO, NO, NO]),
        ];
        // The table covers every status × event pair exactly once.
        assert_eq!(table.len(), AssetStatus::ALL.len() * EventKind::ALL.len());
        for status in AssetStatus::ALL {
            for event in EventKind::ALL {
                let rows = table.iter().filter(|row| row.0 == status && row.1 == event);
                assert_eq!(rows.count(), 1, "{status:?} {event:?}");
            }
        }
        let requests = [
            None,
            Some(Planned),
            Some(InUse),
            Some(InRepair),
            Some(Idle),
            Some(Retired),
        ];
        for (status, event, outcomes) in table {
            for (requested, expected) in requests.into_iter().zip(outcomes) {
                assert_eq!(
                    next_status(status, event, requested),
                    expected.ok_or(AssetConflict::LifecycleMove),
                    "{status:?} {event:?} {requested:?}"
                );
            }
        }
    }

    #[test]
    fn allowed_events_agree_with_next_status() {
        for status in AssetStatus::ALL {
            let expected: Vec<EventKind> = EventKind::ALL
                .into_iter()
                .filter(|&e| next_status(status, e, None).is_ok())
                .collect();
            assert_eq!(allowed_events(status), expected, "{status:?}");
        }
        use EventKind::*;
        assert_eq!(
            allowed_events(AssetStatus::Planned),
            vec![Purchase, Deploy, Change, Transfer, Retire]
        );
        assert_eq!(
            allowed_events(AssetStatus::InUse),
            vec![Change, Transfer, Maintenance, Retire]
        );
        assert_eq!(
            allowed_events(AssetStatus::InRepair),
            vec![Deploy, Change, Transfer, Retire]
        );
        assert_eq!(
            allowed_events(AssetStatus::Idle),
            vec![Deploy, Change, Transfer, Maintenance, Retire]
        );
        assert_eq!(allowed_events(AssetStatus::Retired), vec![]);
    }

    #[test]
    fn initial_statuses() {
        assert_eq!(initial_status(None), AssetStatus::Planned);
        assert_eq!(
            initial_status(Some(AssetStatus::Planned)),
            AssetStatus::Planned
        );
        assert_eq!(initial_status(Some(AssetStatus::InUse)), AssetStatus::InUse);
        assert_eq!(initial_status(Some(AssetStatus::Idle)), AssetStatus::Idle);
        assert_eq!(
            initial_status(Some(AssetStatus::InRepair)),
            AssetStatus::Planned
        );
        assert_eq!(
            initial_status(Some(AssetStatus::Retired)),
            AssetStatus::Planned
        );
    }

    /// Checks codes, labels, serde names and cell parsing of one coded enum.
    fn check_coded<T>(
        all: &[T],
        code: fn(T) -> &'static str,
        label: fn(T) -> Text,
        from_code: fn(&str) -> Result<T, FieldErrorKind>,
        parse_cell: fn(&str) -> Option<T>,
    ) where
        T: Copy + PartialEq + std::fmt::Debug + Serialize + serde::de::DeserializeOwned,
    {
        for &v in all {
            let (code, label) = (code(v), label(v));
            assert_eq!(from_code(code), Ok(v));
            assert_eq!(
                serde_json::to_value(v).unwrap(),
                code,
                "serde name of {v:?}"
            );
            assert_eq!(serde_json::from_value::<T>(code.into()).unwrap(), v);
            assert!(!label.en.is_empty() && !label.zh.is_empty());
            for cell in [
                code.to_owned(),
                code.to_uppercase(),
                format!("  {code}\t"),
                label.en.to_owned(),
                label.en.to_lowercase(),
                label.en.to_uppercase(),
                format!(" {} ", label.en),
                label.zh.to_owned(),
                format!("\u{3000}{} ", label.zh),
            ] {
                assert_eq!(parse_cell(&cell), Some(v), "{cell:?}");
            }
            // Codes are exact; cells are forgiving.
            assert!(from_code(&code.to_uppercase()).is_err());
            assert!(from_code(&format!(" {code}")).is_err());
        }
        for unknown in ["", "  ", "nope", "in use!", "其它的"] {
            assert_eq!(parse_cell(unknown), None, "{unknown:?}");
        }
        let codes: Vec<&str> = all.iter().map(|&v| code(v)).collect();
        assert_eq!(
            from_code("nope"),
            Err(FieldErrorKind::UnknownValue { allowed: codes })
        );
        // A code or label shared by two values would make the loop above find the wrong
        // value for the second one, so that loop also proves every cell is unambiguous.
    }

    #[test]
    fn coded_enums() {
        check_coded(
            &Category::ALL,
            Category::code,
            Category::label,
            Category::from_code,
            Category::parse_cell,
        );
        check_coded(
            &Zone::ALL,
            Zone::code,
            Zone::label,
            Zone::from_code,
            Zone::parse_cell,
        );
        check_coded(
            &Classification::ALL,
            Classification::code,
            Classification::label,
            Classification::from_code,
            Classification::parse_cell,
        );
        check_coded(
            &AssetStatus::ALL,
            AssetStatus::code,
            AssetStatus::label,
            AssetStatus::from_code,
            AssetStatus::parse_cell,
        );
        check_coded(
            &EventKind::ALL,
            EventKind::code,
            EventKind::label,
            EventKind::from_code,
            EventKind::parse_cell,
        );
    }

    #[test]
    fn codes_follow_the_spec() {
        let codes = |all: &[&'static str]| all.join(" ");
        assert_eq!(
            codes(&Category::ALL.map(Category::code)),
            "network_device security_device server terminal database software data service \
             facility personnel document other"
        );
        assert_eq!(
            codes(&Zone::ALL.map(Zone::code)),
            "intranet extranet dmz internet other"
        );
        assert_eq!(
            codes(&Classification::ALL.map(Classification::code)),
            "public internal confidential secret"
        );
        assert_eq!(
            codes(&AssetStatus::ALL.map(AssetStatus::code)),
            "planned in_use in_repair idle retired"
        );
        assert_eq!(
            codes(&EventKind::ALL.map(EventKind::code)),
            "purchase deploy change transfer maintenance retire"
        );
    }

    #[test]
    fn cells_by_label() {
        assert_eq!(
            Category::parse_cell("网络设备"),
            Some(Category::NetworkDevice)
        );
        assert_eq!(
            Category::parse_cell("network device"),
            Some(Category::NetworkDevice)
        );
        assert_eq!(
            Category::parse_cell("Network_Device"),
            Some(Category::NetworkDevice)
        );
        assert_eq!(Zone::parse_cell("dmz"), Some(Zone::Dmz));
        assert_eq!(Zone::parse_cell("隔离区"), Some(Zone::Dmz));
        assert_eq!(
            Classification::parse_cell("机密"),
            Some(Classification::Secret)
        );
        assert_eq!(AssetStatus::parse_cell("In Use"), Some(AssetStatus::InUse));
        assert_eq!(AssetStatus::parse_cell("在用"), Some(AssetStatus::InUse));
        // Other words for the statuses, in imports only.
        assert_eq!(AssetStatus::parse_cell("使用中"), None);
        for (word, status) in [
            ("使用中", AssetStatus::InUse),
            (" Decommissioned ", AssetStatus::Retired),
            ("报废", AssetStatus::Retired),
            ("已报废", AssetStatus::Retired),
            ("备用", AssetStatus::Idle),
            ("故障", AssetStatus::InRepair),
            ("待采购", AssetStatus::Planned),
            ("in_use", AssetStatus::InUse),
        ] {
            assert_eq!(AssetStatus::parse_import_cell(word), Some(status), "{word}");
        }
        assert_eq!(AssetStatus::parse_import_cell("丢失"), None);
        assert_eq!(EventKind::parse_cell("报废"), Some(EventKind::Retire));
        assert_eq!(Category::parse_cell("network-device"), None);
    }

    #[test]
    fn ratings() {
        assert_eq!(Rating::new(1).unwrap().get(), 1);
        assert_eq!(Rating::new(5).unwrap().get(), 5);
        for bad in [0, 6, -1, 256, i64::MAX, i64::MIN] {
            assert_eq!(
                Rating::new(bad),
                Err(FieldErrorKind::OutOfRange { min: 1, max: 5 })
            );
        }
        assert_eq!(serde_json::to_value(r(4)).unwrap(), 4);

        let out_of_range = Err(FieldErrorKind::OutOfRange { min: 1, max: 5 });
        let invalid = Err(FieldErrorKind::invalid(
            "a whole number from 1 to 5",
            "请填写 1 到 5 的整数",
        ));
        let cases = [
            ("1", Ok(r(1))),
            ("5", Ok(r(5))),
            (" 4 ", Ok(r(4))),
            ("3.0", Ok(r(3))),
            ("5.000", Ok(r(5))),
            ("+2", Ok(r(2))),
            ("03", Ok(r(3))),
            ("0", out_of_range.clone()),
            ("6", out_of_range.clone()),
            ("-1", out_of_range.clone()),
            ("6.0", out_of_range.clone()),
            ("99999999999999999999", out_of_range.clone()),
            ("3.5", invalid.clone()),
            ("3.", invalid.clone()),
            (".0", invalid.clone()),
            ("abc", invalid.clone()),
            ("3a", invalid.clone()),
            ("3 4", invalid.clone()),
            ("三", invalid.clone()),
            ("+", invalid.clone()),
            ("1e0", invalid.clone()),
            ("", Err(FieldErrorKind::Required)),
            ("   ", Err(FieldErrorKind::Required)),
        ];
        for (cell, expected) in cases {
            assert_eq!(Rating::parse_cell(cell), expected, "{cell:?}");
        }
    }

    #[test]
    fn asset_codes() {
        assert_eq!(parse_code("  SRV-001 "), Ok("SRV-001".into()));
        assert_eq!(parse_code("服务器/01"), Ok("服务器/01".into()));
        assert_eq!(parse_code(""), Err(FieldErrorKind::Required));
        assert_eq!(parse_code(" \t "), Err(FieldErrorKind::Required));
        assert!(parse_code(&"x".repeat(64)).is_ok());
        assert!(parse_code(&"码".repeat(64)).is_ok());
        assert_eq!(
            parse_code(&"x".repeat(65)),
            Err(FieldErrorKind::TooLong { max: 64 })
        );
        for bad in ["SRV 001", "SRV\u{3000}001", "a\u{0}b", "a\tb"] {
            assert!(
                matches!(parse_code(bad), Err(FieldErrorKind::Invalid { .. })),
                "{bad:?}"
            );
        }
    }

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn tags() {
        assert_eq!(parse_tags(&[]), Ok(vec![]));
        assert_eq!(
            parse_tags(&strings(&[
                " core ", "", "  ", "机房A", "Core", "CORE", "dmz"
            ])),
            Ok(strings(&["core", "机房A", "dmz"]))
        );
        assert_eq!(
            parse_tags(&strings(&["b", "a"])),
            Ok(strings(&["b", "a"])),
            "input order is kept"
        );
        assert!(parse_tags(&strings(&[&"t".repeat(32)])).is_ok());
        assert_eq!(
            parse_tags(&strings(&[&"t".repeat(33)])),
            Err(FieldErrorKind::TooLong { max: 32 })
        );
        for bad in ["a;b", "a,b", "a；b", "a，b", "a\u{7}"] {
            assert!(
                matches!(
                    parse_tags(&strings(&["ok", bad])),
                    Err(FieldErrorKind::Invalid { .. })
                ),
                "{bad:?}"
            );
        }
        let twenty: Vec<String> = (1..=20).map(|n| format!("t{n}")).collect();
        assert_eq!(parse_tags(&twenty).map(|t| t.len()), Ok(20));
        let mut with_repeats = twenty.clone();
        with_repeats.extend(strings(&["T1", "t20", " "]));
        assert_eq!(parse_tags(&with_repeats).map(|t| t.len()), Ok(20));
        let mut too_many = twenty;
        too_many.push("t21".into());
        assert!(matches!(
            parse_tags(&too_many),
            Err(FieldErrorKind::Invalid { .. })
        ));
    }

    #[test]
    fn tag_cells() {
        assert_eq!(
            split_tags_cell(" core; 机房A ；;dmz ;"),
            strings(&["core", "机房A", "dmz"])
        );
        assert_eq!(split_tags_cell(""), Vec::<String>::new());
        assert_eq!(split_tags_cell(" ; ；"), Vec::<String>::new());
        assert_eq!(split_tags_cell("a,b"), strings(&["a,b"]));
    }
}

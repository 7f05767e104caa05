//! Risk analysis (SPEC §4.2): the three GB/T 20984 methods as pure functions over the
//! threat frequency T, the vulnerability severity V and the asset value level A (each 1–5),
//! with the grading tables and matrices an organization may edit, and their checks.
//!
//! Values are kept in hundredths ([`Score`]): the `multiplication` and `matrix` methods give
//! whole numbers, `sqrt` gives two decimals; all arithmetic is on integers, so a rating never
//! depends on floating-point rounding.

use crate::asset::Rating;
use crate::error::FieldErrorKind;
use crate::lang::Text;
use crate::macros::coded_enum;
use serde::{Deserialize, Serialize};

coded_enum! {
    /// How a risk is computed from T, V and A.
    pub enum RiskMethod {
        /// Likelihood T×V and loss A×V graded by tables; risk = the product of their levels.
        Multiplication => ("multiplication", "Multiplication (GB/T 20984 Annex A)", "相乘法（GB/T 20984 附录 A）"),
        /// Likelihood, loss and risk looked up in three 5×5 matrices.
        Matrix => ("matrix", "Matrix method", "矩阵法"),
        /// Likelihood √(T×V) and loss √(A×V); risk = their product.
        Sqrt => ("sqrt", "Square-root multiplication", "开方相乘法"),
    }
}

/// A value of the analysis in hundredths: `1250` is 12.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Score(u16);

impl Score {
    /// A whole-number value.
    pub const fn whole(n: u16) -> Score {
        Score(n * 100)
    }

    /// A value read back from storage, in hundredths; `None` outside 0–25.
    pub fn from_hundredths(h: i64) -> Option<Score> {
        u16::try_from(h).ok().filter(|h| *h <= 2500).map(Score)
    }

    /// The value in hundredths.
    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// The value as a number (for JSON).
    pub fn as_f64(self) -> f64 {
        f64::from(self.0) / 100.0
    }
}

impl std::fmt::Display for Score {
    /// `12` for whole values, `2.45` otherwise.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.0.is_multiple_of(100) {
            write!(f, "{}", self.0 / 100)
        } else {
            write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
        }
    }
}

/// A level 1 (very low) to 5 (very high).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Level(u8);

impl Level {
    /// Every level, from 1 to 5.
    pub const ALL: [Level; 5] = [Level(1), Level(2), Level(3), Level(4), Level(5)];

    /// Checks a submitted level.
    pub fn new(v: i64) -> Result<Level, FieldErrorKind> {
        match u8::try_from(v) {
            Ok(n @ 1..=5) => Ok(Level(n)),
            _ => Err(FieldErrorKind::OutOfRange { min: 1, max: 5 }),
        }
    }

    /// The level, 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// Its name in both languages.
    pub fn label(self) -> Text {
        match self.0 {
            1 => Text {
                en: "Very low",
                zh: "很低",
            },
            2 => Text {
                en: "Low",
                zh: "低",
            },
            3 => Text {
                en: "Medium",
                zh: "中等",
            },
            4 => Text {
                en: "High",
                zh: "高",
            },
            _ => Text {
                en: "Very high",
                zh: "很高",
            },
        }
    }
}

/// Why a grading table or matrix is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TableError {
    /// The first level does not start at the lowest value.
    #[error("level 1 must start at {expected}")]
    BadStart {
        /// The lowest value of the range.
        expected: u16,
    },
    /// The last level does not end at the highest value.
    #[error("level 5 must end at {expected}")]
    BadEnd {
        /// The highest value of the range.
        expected: u16,
    },
    /// A level ends below where it starts.
    #[error("level {level} ends before it starts")]
    Empty {
        /// The level.
        level: u8,
    },
    /// Values between two levels belong to neither.
    #[error("values between level {level} and level {} belong to no level", level + 1)]
    Gap {
        /// The lower of the two levels.
        level: u8,
    },
    /// Values belong to two levels.
    #[error("level {level} and level {} overlap", level + 1)]
    Overlap {
        /// The lower of the two levels.
        level: u8,
    },
    /// A matrix cell is outside 1–25.
    #[error("cell ({row}, {column}) must be between 1 and 25")]
    CellOutOfRange {
        /// Row, 1–5.
        row: u8,
        /// Column, 1–5.
        column: u8,
    },
    /// A matrix value falls where a rating rises.
    #[error("cell ({row}, {column}) is smaller than a cell before it in its row or column")]
    NotMonotone {
        /// Row, 1–5.
        row: u8,
        /// Column, 1–5.
        column: u8,
    },
}

impl TableError {
    /// What is wrong, in both languages, for validation messages.
    pub fn hint(&self) -> crate::lang::Text {
        let (en, zh) = match self {
            TableError::BadStart { .. } => ("level 1 must start at 1", "等级 1 必须从 1 开始"),
            TableError::BadEnd { .. } => ("level 5 must end at 25", "等级 5 必须到 25 结束"),
            TableError::Empty { .. } => (
                "a level ends before it starts",
                "某个等级的结束值小于起始值",
            ),
            TableError::Gap { .. } => (
                "some values between two levels belong to no level",
                "相邻两个等级之间有值不属于任何等级",
            ),
            TableError::Overlap { .. } => ("two levels overlap", "两个等级的范围重叠"),
            TableError::CellOutOfRange { .. } => (
                "every cell must be between 1 and 25",
                "每个单元格必须是 1 到 25 的整数",
            ),
            TableError::NotMonotone { .. } => (
                "a value must not fall where a rating rises (rows and columns must not decrease)",
                "评分升高时对应的值不能减小（沿行和列都不能减小）",
            ),
        };
        crate::lang::Text { en, zh }
    }
}

/// The lowest and highest value every table grades (products of two 1–5 numbers).
const RANGE: (u16, u16) = (1, 25);

/// A grading table: the lower bound of each level's values. A value gets the highest level
/// whose lower bound is at or below it (so with levels starting at 1 and 7, 6.5 is level 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradingTable([u16; 5]);

impl GradingTable {
    /// A table from its rows `(from, to)` for levels 1 to 5, whole values: the rows must
    /// cover 1–25 in order, each starting right after the one before.
    pub fn from_ranges(rows: [(u16, u16); 5]) -> Result<GradingTable, TableError> {
        let (low, high) = RANGE;
        if rows[0].0 != low {
            return Err(TableError::BadStart { expected: low });
        }
        if rows[4].1 != high {
            return Err(TableError::BadEnd { expected: high });
        }
        for (i, (from, to)) in rows.iter().enumerate() {
            let level = i as u8 + 1;
            if to < from {
                return Err(TableError::Empty { level });
            }
            if let Some((next_from, _)) = rows.get(i + 1) {
                if *next_from > to + 1 {
                    return Err(TableError::Gap { level });
                }
                if *next_from <= *to {
                    return Err(TableError::Overlap { level });
                }
            }
        }
        Ok(GradingTable(rows.map(|(from, _)| from * 100)))
    }

    /// The rows `(from, to)` of levels 1 to 5.
    pub fn ranges(&self) -> [(u16, u16); 5] {
        let starts = self.0.map(|h| h / 100);
        let mut rows = [(0, 0); 5];
        for (i, (row, from)) in rows.iter_mut().zip(starts).enumerate() {
            let to = starts.get(i + 1).map_or(RANGE.1, |next| next - 1);
            *row = (from, to);
        }
        rows
    }

    /// The level of `value`.
    pub fn grade(&self, value: Score) -> Level {
        let above = self.0.iter().filter(|&&start| start <= value.0).count();
        Level(above.clamp(1, 5) as u8)
    }
}

/// A 5×5 lookup matrix: `cells[row - 1][column - 1]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Matrix([[u8; 5]; 5]);

impl Matrix {
    /// A matrix whose cells are 1–25 and never fall along a row or down a column (a higher
    /// rating never gives a lower value).
    pub fn new(cells: [[u8; 5]; 5]) -> Result<Matrix, TableError> {
        for (r, row) in cells.iter().enumerate() {
            for (c, &cell) in row.iter().enumerate() {
                let at = (r as u8 + 1, c as u8 + 1);
                if !(1..=25).contains(&cell) {
                    return Err(TableError::CellOutOfRange {
                        row: at.0,
                        column: at.1,
                    });
                }
                let left = c.checked_sub(1).and_then(|p| row.get(p));
                let up = r
                    .checked_sub(1)
                    .and_then(|p| cells.get(p))
                    .and_then(|above| above.get(c));
                if left.is_some_and(|&l| cell < l) || up.is_some_and(|&u| cell < u) {
                    return Err(TableError::NotMonotone {
                        row: at.0,
                        column: at.1,
                    });
                }
            }
        }
        Ok(Matrix(cells))
    }

    /// The cells, row by row.
    pub fn cells(&self) -> [[u8; 5]; 5] {
        self.0
    }

    fn at(&self, row: u8, column: u8) -> Score {
        let cell = self
            .0
            .get(usize::from(row.saturating_sub(1)))
            .and_then(|r| r.get(usize::from(column.saturating_sub(1))))
            .copied()
            .unwrap_or(1);
        Score::whole(u16::from(cell))
    }
}

/// An organization's grading tables and matrices: what an assessment is computed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskTables {
    /// Grades likelihood values.
    pub likelihood: GradingTable,
    /// Grades loss values.
    pub loss: GradingTable,
    /// Grades risk values.
    pub risk: GradingTable,
    /// Likelihood value by (V, T), for the matrix method.
    pub likelihood_matrix: Matrix,
    /// Loss value by (V, A), for the matrix method.
    pub loss_matrix: Matrix,
    /// Risk value by (likelihood level, loss level), for the matrix method.
    pub risk_matrix: Matrix,
}

impl Default for RiskTables {
    /// The worked example of GB/T 20984-2007 Annex A (SPEC §4.2).
    fn default() -> Self {
        RiskTables {
            likelihood: GradingTable([100, 600, 1200, 1700, 2200]),
            loss: GradingTable([100, 600, 1100, 1600, 2100]),
            risk: GradingTable([100, 700, 1300, 1900, 2400]),
            likelihood_matrix: Matrix([
                [2, 3, 5, 7, 8],
                [4, 6, 9, 11, 12],
                [7, 10, 12, 14, 17],
                [11, 13, 16, 18, 20],
                [14, 17, 20, 22, 25],
            ]),
            loss_matrix: Matrix([
                [2, 3, 4, 5, 6],
                [4, 5, 7, 8, 10],
                [6, 9, 11, 14, 16],
                [10, 12, 15, 19, 21],
                [13, 16, 20, 22, 25],
            ]),
            risk_matrix: Matrix([
                [3, 5, 6, 7, 9],
                [6, 8, 9, 11, 14],
                [9, 11, 13, 16, 20],
                [12, 15, 17, 20, 23],
                [16, 18, 21, 23, 25],
            ]),
        }
    }
}

/// Everything computed for one rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskEvaluation {
    /// Likelihood value.
    pub likelihood_value: Score,
    /// Likelihood level.
    pub likelihood_level: Level,
    /// Loss value.
    pub loss_value: Score,
    /// Loss level.
    pub loss_level: Level,
    /// Risk value.
    pub risk_value: Score,
    /// Risk level.
    pub risk_level: Level,
}

/// Rates a risk: threat frequency `t`, vulnerability severity `v`, asset value level `a`.
pub fn evaluate(
    method: RiskMethod,
    tables: &RiskTables,
    t: Rating,
    v: Rating,
    a: Rating,
) -> RiskEvaluation {
    let (t, v, a) = (u16::from(t.get()), u16::from(v.get()), u16::from(a.get()));
    let (likelihood_value, likelihood_level, loss_value, loss_level, risk_value) = match method {
        RiskMethod::Multiplication => {
            let lv = Score::whole(t * v);
            let fv = Score::whole(a * v);
            let (ll, fl) = (tables.likelihood.grade(lv), tables.loss.grade(fv));
            let rv = Score::whole(u16::from(ll.0) * u16::from(fl.0));
            (lv, ll, fv, fl, rv)
        }
        RiskMethod::Matrix => {
            let (v8, t8, a8) = (v as u8, t as u8, a as u8);
            let lv = tables.likelihood_matrix.at(v8, t8);
            let fv = tables.loss_matrix.at(v8, a8);
            let (ll, fl) = (tables.likelihood.grade(lv), tables.loss.grade(fv));
            let rv = tables.risk_matrix.at(ll.0, fl.0);
            (lv, ll, fv, fl, rv)
        }
        RiskMethod::Sqrt => {
            let lv = sqrt_hundredths(t * v);
            let fv = sqrt_hundredths(a * v);
            // Levels are the values rounded half up to a whole number.
            let level = |s: Score| Level(((s.0 + 50) / 100).clamp(1, 5) as u8);
            // The product of two values in hundredths, back to hundredths, half up.
            let product = (u32::from(lv.0) * u32::from(fv.0) + 50) / 100;
            let rv = Score(u16::try_from(product).unwrap_or(2500));
            (lv, level(lv), fv, level(fv), rv)
        }
    };
    RiskEvaluation {
        likelihood_value,
        likelihood_level,
        loss_value,
        loss_level,
        risk_value,
        risk_level: tables.risk.grade(risk_value),
    }
}

/// √n in hundredths, rounded half up: the h with (h − ½)² ≤ 10000·n < (h + ½)², i.e.
/// (2h − 1)² ≤ 40000·n < (2h + 1)²; with k = ⌊√(40000·n)⌋ that is h = ⌈k / 2⌉. No tie
/// is possible (40000·n is even, the bounds are odd squares).
fn sqrt_hundredths(n: u16) -> Score {
    let target = 40_000 * u32::from(n);
    let mut k = f64::from(target).sqrt() as u32;
    // Correct the float estimate to the exact integer square root.
    while k * k > target {
        k -= 1;
    }
    while (k + 1) * (k + 1) <= target {
        k += 1;
    }
    Score(k.div_ceil(2) as u16)
}

/// The risk level of a heat-map cell (likelihood level `l`, loss level `f`): what a risk
/// with these two levels grades to. Exact for `multiplication` and `matrix`; for `sqrt`,
/// whose risk value is the product of the unrounded values, it is the level of `l × f`.
pub fn cell_level(method: RiskMethod, tables: &RiskTables, l: Level, f: Level) -> Level {
    let value = match method {
        RiskMethod::Matrix => tables.risk_matrix.at(l.0, f.0),
        RiskMethod::Multiplication | RiskMethod::Sqrt => {
            Score::whole(u16::from(l.0) * u16::from(f.0))
        }
    };
    tables.risk.grade(value)
}

coded_enum! {
    /// What is done about a risk (SPEC §4.3).
    pub enum Treatment {
        /// The existing controls suffice.
        Keep => ("keep", "Keep (existing controls suffice)", "保持（现有措施已足够）"),
        /// New controls are added.
        Control => ("control", "Add controls", "增加控制措施"),
        /// The risk is accepted as it is.
        Accept => ("accept", "Accept", "接受"),
        /// The activity causing it is stopped.
        Avoid => ("avoid", "Avoid", "规避"),
        /// It is moved to another party (insurance, outsourcing).
        Transfer => ("transfer", "Transfer", "转移"),
    }
}

/// Risks at or above this level need care by default (SPEC §4.3).
pub const DEFAULT_ACCEPTANCE_THRESHOLD: Level = Level(4);

/// Whether leaving a risk of `level` as it is (`keep` or `accept`) needs a recorded
/// committee approval: at or above the acceptance threshold it does.
pub fn needs_committee_approval(treatment: Treatment, level: Level, threshold: Level) -> bool {
    matches!(treatment, Treatment::Keep | Treatment::Accept) && level >= threshold
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_map_cells_grade_like_the_risks_in_them() {
        let t = RiskTables::default();
        let lv = |n: i64| Level::new(n).unwrap();
        // 4 × 4 = 16 → level 3; 5 × 5 = 25 → 5; 1 × 5 = 5 → 1 (risk table 1–6).
        assert_eq!(
            cell_level(RiskMethod::Multiplication, &t, lv(4), lv(4)),
            lv(3)
        );
        assert_eq!(
            cell_level(RiskMethod::Multiplication, &t, lv(5), lv(5)),
            lv(5)
        );
        assert_eq!(
            cell_level(RiskMethod::Multiplication, &t, lv(1), lv(5)),
            lv(1)
        );
        // Matrix (3, 4) → 16 → 3; (5, 1) → 16 → 3; (4, 5) → 23 → 4.
        assert_eq!(cell_level(RiskMethod::Matrix, &t, lv(3), lv(4)), lv(3));
        assert_eq!(cell_level(RiskMethod::Matrix, &t, lv(5), lv(1)), lv(3));
        assert_eq!(cell_level(RiskMethod::Matrix, &t, lv(4), lv(5)), lv(4));
    }

    // Every input T V A, then likelihood value/level, loss value/level, risk value/level,
    // computed for these tests by a separate implementation (decimal arithmetic, tables and
    // matrices of SPEC §4.2), not by the code under test.
    const MULTIPLICATION: &str = "
        111 1/1 1/1 1/1  112 1/1 2/1 1/1  113 1/1 3/1 1/1  114 1/1 4/1 1/1  115 1/1 5/1 1/1
        121 2/1 2/1 1/1  122 2/1 4/1 1/1  123 2/1 6/2 2/1  124 2/1 8/2 2/1  125 2/1 10/2 2/1
        131 3/1 3/1 1/1  132 3/1 6/2 2/1  133 3/1 9/2 2/1  134 3/1 12/3 3/1  135 3/1 15/3 3/1
        141 4/1 4/1 1/1  142 4/1 8/2 2/1  143 4/1 12/3 3/1  144 4/1 16/4 4/1  145 4/1 20/4 4/1
        151 5/1 5/1 1/1  152 5/1 10/2 2/1  153 5/1 15/3 3/1  154 5/1 20/4 4/1  155 5/1 25/5 5/1
        211 2/1 1/1 1/1  212 2/1 2/1 1/1  213 2/1 3/1 1/1  214 2/1 4/1 1/1  215 2/1 5/1 1/1
        221 4/1 2/1 1/1  222 4/1 4/1 1/1  223 4/1 6/2 2/1  224 4/1 8/2 2/1  225 4/1 10/2 2/1
        231 6/2 3/1 2/1  232 6/2 6/2 4/1  233 6/2 9/2 4/1  234 6/2 12/3 6/1  235 6/2 15/3 6/1
        241 8/2 4/1 2/1  242 8/2 8/2 4/1  243 8/2 12/3 6/1  244 8/2 16/4 8/2  245 8/2 20/4 8/2
        251 10/2 5/1 2/1  252 10/2 10/2 4/1  253 10/2 15/3 6/1  254 10/2 20/4 8/2  255 10/2 25/5 10/2
        311 3/1 1/1 1/1  312 3/1 2/1 1/1  313 3/1 3/1 1/1  314 3/1 4/1 1/1  315 3/1 5/1 1/1
        321 6/2 2/1 2/1  322 6/2 4/1 2/1  323 6/2 6/2 4/1  324 6/2 8/2 4/1  325 6/2 10/2 4/1
        331 9/2 3/1 2/1  332 9/2 6/2 4/1  333 9/2 9/2 4/1  334 9/2 12/3 6/1  335 9/2 15/3 6/1
        341 12/3 4/1 3/1  342 12/3 8/2 6/1  343 12/3 12/3 9/2  344 12/3 16/4 12/2  345 12/3 20/4 12/2
        351 15/3 5/1 3/1  352 15/3 10/2 6/1  353 15/3 15/3 9/2  354 15/3 20/4 12/2  355 15/3 25/5 15/3
        411 4/1 1/1 1/1  412 4/1 2/1 1/1  413 4/1 3/1 1/1  414 4/1 4/1 1/1  415 4/1 5/1 1/1
        421 8/2 2/1 2/1  422 8/2 4/1 2/1  423 8/2 6/2 4/1  424 8/2 8/2 4/1  425 8/2 10/2 4/1
        431 12/3 3/1 3/1  432 12/3 6/2 6/1  433 12/3 9/2 6/1  434 12/3 12/3 9/2  435 12/3 15/3 9/2
        441 16/3 4/1 3/1  442 16/3 8/2 6/1  443 16/3 12/3 9/2  444 16/3 16/4 12/2  445 16/3 20/4 12/2
        451 20/4 5/1 4/1  452 20/4 10/2 8/2  453 20/4 15/3 12/2  454 20/4 20/4 16/3  455 20/4 25/5 20/4
        511 5/1 1/1 1/1  512 5/1 2/1 1/1  513 5/1 3/1 1/1  514 5/1 4/1 1/1  515 5/1 5/1 1/1
        521 10/2 2/1 2/1  522 10/2 4/1 2/1  523 10/2 6/2 4/1  524 10/2 8/2 4/1  525 10/2 10/2 4/1
        531 15/3 3/1 3/1  532 15/3 6/2 6/1  533 15/3 9/2 6/1  534 15/3 12/3 9/2  535 15/3 15/3 9/2
        541 20/4 4/1 4/1  542 20/4 8/2 8/2  543 20/4 12/3 12/2  544 20/4 16/4 16/3  545 20/4 20/4 16/3
        551 25/5 5/1 5/1  552 25/5 10/2 10/2  553 25/5 15/3 15/3  554 25/5 20/4 20/4  555 25/5 25/5 25/5
    ";
    const MATRIX: &str = "
        111 2/1 2/1 3/1  112 2/1 3/1 3/1  113 2/1 4/1 3/1  114 2/1 5/1 3/1  115 2/1 6/2 5/1
        121 4/1 4/1 3/1  122 4/1 5/1 3/1  123 4/1 7/2 5/1  124 4/1 8/2 5/1  125 4/1 10/2 5/1
        131 7/2 6/2 8/2  132 7/2 9/2 8/2  133 7/2 11/3 9/2  134 7/2 14/3 9/2  135 7/2 16/4 11/2
        141 11/2 10/2 8/2  142 11/2 12/3 9/2  143 11/2 15/3 9/2  144 11/2 19/4 11/2  145 11/2 21/5 14/3
        151 14/3 13/3 13/3  152 14/3 16/4 16/3  153 14/3 20/4 16/3  154 14/3 22/5 20/4  155 14/3 25/5 20/4
        211 3/1 2/1 3/1  212 3/1 3/1 3/1  213 3/1 4/1 3/1  214 3/1 5/1 3/1  215 3/1 6/2 5/1
        221 6/2 4/1 6/1  222 6/2 5/1 6/1  223 6/2 7/2 8/2  224 6/2 8/2 8/2  225 6/2 10/2 8/2
        231 10/2 6/2 8/2  232 10/2 9/2 8/2  233 10/2 11/3 9/2  234 10/2 14/3 9/2  235 10/2 16/4 11/2
        241 13/3 10/2 11/2  242 13/3 12/3 13/3  243 13/3 15/3 13/3  244 13/3 19/4 16/3  245 13/3 21/5 20/4
        251 17/4 13/3 17/3  252 17/4 16/4 20/4  253 17/4 20/4 20/4  254 17/4 22/5 23/4  255 17/4 25/5 23/4
        311 5/1 2/1 3/1  312 5/1 3/1 3/1  313 5/1 4/1 3/1  314 5/1 5/1 3/1  315 5/1 6/2 5/1
        321 9/2 4/1 6/1  322 9/2 5/1 6/1  323 9/2 7/2 8/2  324 9/2 8/2 8/2  325 9/2 10/2 8/2
        331 12/3 6/2 11/2  332 12/3 9/2 11/2  333 12/3 11/3 13/3  334 12/3 14/3 13/3  335 12/3 16/4 16/3
        341 16/3 10/2 11/2  342 16/3 12/3 13/3  343 16/3 15/3 13/3  344 16/3 19/4 16/3  345 16/3 21/5 20/4
        351 20/4 13/3 17/3  352 20/4 16/4 20/4  353 20/4 20/4 20/4  354 20/4 22/5 23/4  355 20/4 25/5 23/4
        411 7/2 2/1 6/1  412 7/2 3/1 6/1  413 7/2 4/1 6/1  414 7/2 5/1 6/1  415 7/2 6/2 8/2
        421 11/2 4/1 6/1  422 11/2 5/1 6/1  423 11/2 7/2 8/2  424 11/2 8/2 8/2  425 11/2 10/2 8/2
        431 14/3 6/2 11/2  432 14/3 9/2 11/2  433 14/3 11/3 13/3  434 14/3 14/3 13/3  435 14/3 16/4 16/3
        441 18/4 10/2 15/3  442 18/4 12/3 17/3  443 18/4 15/3 17/3  444 18/4 19/4 20/4  445 18/4 21/5 23/4
        451 22/5 13/3 21/4  452 22/5 16/4 23/4  453 22/5 20/4 23/4  454 22/5 22/5 25/5  455 22/5 25/5 25/5
        511 8/2 2/1 6/1  512 8/2 3/1 6/1  513 8/2 4/1 6/1  514 8/2 5/1 6/1  515 8/2 6/2 8/2
        521 12/3 4/1 9/2  522 12/3 5/1 9/2  523 12/3 7/2 11/2  524 12/3 8/2 11/2  525 12/3 10/2 11/2
        531 17/4 6/2 15/3  532 17/4 9/2 15/3  533 17/4 11/3 17/3  534 17/4 14/3 17/3  535 17/4 16/4 20/4
        541 20/4 10/2 15/3  542 20/4 12/3 17/3  543 20/4 15/3 17/3  544 20/4 19/4 20/4  545 20/4 21/5 23/4
        551 25/5 13/3 21/4  552 25/5 16/4 23/4  553 25/5 20/4 23/4  554 25/5 22/5 25/5  555 25/5 25/5 25/5
    ";
    const SQRT: &str = "
        111 1/1 1/1 1/1  112 1/1 1.41/1 1.41/1  113 1/1 1.73/2 1.73/1  114 1/1 2/2 2/1  115 1/1 2.24/2 2.24/1
        121 1.41/1 1.41/1 1.99/1  122 1.41/1 2/2 2.82/1  123 1.41/1 2.45/2 3.45/1  124 1.41/1 2.83/3 3.99/1  125 1.41/1 3.16/3 4.46/1
        131 1.73/2 1.73/2 2.99/1  132 1.73/2 2.45/2 4.24/1  133 1.73/2 3/3 5.19/1  134 1.73/2 3.46/3 5.99/1  135 1.73/2 3.87/4 6.70/1
        141 2/2 2/2 4/1  142 2/2 2.83/3 5.66/1  143 2/2 3.46/3 6.92/1  144 2/2 4/4 8/2  145 2/2 4.47/4 8.94/2
        151 2.24/2 2.24/2 5.02/1  152 2.24/2 3.16/3 7.08/2  153 2.24/2 3.87/4 8.67/2  154 2.24/2 4.47/4 10.01/2  155 2.24/2 5/5 11.20/2
        211 1.41/1 1/1 1.41/1  212 1.41/1 1.41/1 1.99/1  213 1.41/1 1.73/2 2.44/1  214 1.41/1 2/2 2.82/1  215 1.41/1 2.24/2 3.16/1
        221 2/2 1.41/1 2.82/1  222 2/2 2/2 4/1  223 2/2 2.45/2 4.90/1  224 2/2 2.83/3 5.66/1  225 2/2 3.16/3 6.32/1
        231 2.45/2 1.73/2 4.24/1  232 2.45/2 2.45/2 6/1  233 2.45/2 3/3 7.35/2  234 2.45/2 3.46/3 8.48/2  235 2.45/2 3.87/4 9.48/2
        241 2.83/3 2/2 5.66/1  242 2.83/3 2.83/3 8.01/2  243 2.83/3 3.46/3 9.79/2  244 2.83/3 4/4 11.32/2  245 2.83/3 4.47/4 12.65/2
        251 3.16/3 2.24/2 7.08/2  252 3.16/3 3.16/3 9.99/2  253 3.16/3 3.87/4 12.23/2  254 3.16/3 4.47/4 14.13/3  255 3.16/3 5/5 15.80/3
        311 1.73/2 1/1 1.73/1  312 1.73/2 1.41/1 2.44/1  313 1.73/2 1.73/2 2.99/1  314 1.73/2 2/2 3.46/1  315 1.73/2 2.24/2 3.88/1
        321 2.45/2 1.41/1 3.45/1  322 2.45/2 2/2 4.90/1  323 2.45/2 2.45/2 6/1  324 2.45/2 2.83/3 6.93/1  325 2.45/2 3.16/3 7.74/2
        331 3/3 1.73/2 5.19/1  332 3/3 2.45/2 7.35/2  333 3/3 3/3 9/2  334 3/3 3.46/3 10.38/2  335 3/3 3.87/4 11.61/2
        341 3.46/3 2/2 6.92/1  342 3.46/3 2.83/3 9.79/2  343 3.46/3 3.46/3 11.97/2  344 3.46/3 4/4 13.84/3  345 3.46/3 4.47/4 15.47/3
        351 3.87/4 2.24/2 8.67/2  352 3.87/4 3.16/3 12.23/2  353 3.87/4 3.87/4 14.98/3  354 3.87/4 4.47/4 17.30/3  355 3.87/4 5/5 19.35/4
        411 2/2 1/1 2/1  412 2/2 1.41/1 2.82/1  413 2/2 1.73/2 3.46/1  414 2/2 2/2 4/1  415 2/2 2.24/2 4.48/1
        421 2.83/3 1.41/1 3.99/1  422 2.83/3 2/2 5.66/1  423 2.83/3 2.45/2 6.93/1  424 2.83/3 2.83/3 8.01/2  425 2.83/3 3.16/3 8.94/2
        431 3.46/3 1.73/2 5.99/1  432 3.46/3 2.45/2 8.48/2  433 3.46/3 3/3 10.38/2  434 3.46/3 3.46/3 11.97/2  435 3.46/3 3.87/4 13.39/3
        441 4/4 2/2 8/2  442 4/4 2.83/3 11.32/2  443 4/4 3.46/3 13.84/3  444 4/4 4/4 16/3  445 4/4 4.47/4 17.88/3
        451 4.47/4 2.24/2 10.01/2  452 4.47/4 3.16/3 14.13/3  453 4.47/4 3.87/4 17.30/3  454 4.47/4 4.47/4 19.98/4  455 4.47/4 5/5 22.35/4
        511 2.24/2 1/1 2.24/1  512 2.24/2 1.41/1 3.16/1  513 2.24/2 1.73/2 3.88/1  514 2.24/2 2/2 4.48/1  515 2.24/2 2.24/2 5.02/1
        521 3.16/3 1.41/1 4.46/1  522 3.16/3 2/2 6.32/1  523 3.16/3 2.45/2 7.74/2  524 3.16/3 2.83/3 8.94/2  525 3.16/3 3.16/3 9.99/2
        531 3.87/4 1.73/2 6.70/1  532 3.87/4 2.45/2 9.48/2  533 3.87/4 3/3 11.61/2  534 3.87/4 3.46/3 13.39/3  535 3.87/4 3.87/4 14.98/3
        541 4.47/4 2/2 8.94/2  542 4.47/4 2.83/3 12.65/2  543 4.47/4 3.46/3 15.47/3  544 4.47/4 4/4 17.88/3  545 4.47/4 4.47/4 19.98/4
        551 5/5 2.24/2 11.20/2  552 5/5 3.16/3 15.80/3  553 5/5 3.87/4 19.35/4  554 5/5 4.47/4 22.35/4  555 5/5 5/5 25/5
    ";

    fn rating(n: u8) -> Rating {
        Rating::new(i64::from(n)).unwrap()
    }

    fn check_all(method: RiskMethod, expected: &str) {
        let tables = RiskTables::default();
        let cases: Vec<&str> = expected.split_whitespace().collect();
        assert_eq!(cases.len(), 125 * 4);
        for case in cases.chunks(4) {
            let input: Vec<u8> = case[0].bytes().map(|b| b - b'0').collect();
            let e = evaluate(
                method,
                &tables,
                rating(input[0]),
                rating(input[1]),
                rating(input[2]),
            );
            let got = format!(
                "{} {}/{} {}/{} {}/{}",
                case[0],
                e.likelihood_value,
                e.likelihood_level.get(),
                e.loss_value,
                e.loss_level.get(),
                e.risk_value,
                e.risk_level.get()
            );
            assert_eq!(got, case.join(" "), "{method:?}");
        }
    }

    #[test]
    fn multiplication_over_every_input() {
        check_all(RiskMethod::Multiplication, MULTIPLICATION);
    }

    #[test]
    fn matrix_over_every_input() {
        check_all(RiskMethod::Matrix, MATRIX);
    }

    #[test]
    fn sqrt_over_every_input() {
        check_all(RiskMethod::Sqrt, SQRT);
    }

    #[test]
    fn the_worked_examples_of_the_spec() {
        let tables = RiskTables::default();
        for ((t, v, a), expected) in [
            ((4, 3, 5), [12, 3, 15, 3, 9, 2]),
            ((2, 4, 4), [8, 2, 16, 4, 8, 2]),
            ((5, 4, 5), [20, 4, 20, 4, 16, 3]),
            ((5, 5, 4), [25, 5, 20, 4, 20, 4]),
            ((5, 5, 5), [25, 5, 25, 5, 25, 5]),
        ] {
            let e = evaluate(
                RiskMethod::Multiplication,
                &tables,
                rating(t),
                rating(v),
                rating(a),
            );
            let got = [
                e.likelihood_value.hundredths() / 100,
                u16::from(e.likelihood_level.get()),
                e.loss_value.hundredths() / 100,
                u16::from(e.loss_level.get()),
                e.risk_value.hundredths() / 100,
                u16::from(e.risk_level.get()),
            ];
            assert_eq!(got, expected, "T{t} V{v} A{a}");
        }
    }

    #[test]
    fn a_value_gets_the_highest_level_whose_start_it_reaches() {
        let risk = RiskTables::default().risk;
        assert_eq!(risk.grade(Score(650)).get(), 1);
        assert_eq!(risk.grade(Score(699)).get(), 1);
        assert_eq!(risk.grade(Score(700)).get(), 2);
        assert_eq!(risk.grade(Score(2399)).get(), 4);
        assert_eq!(risk.grade(Score(2500)).get(), 5);
    }

    #[test]
    fn tables_cover_the_whole_range_in_order() {
        let good = [(1, 6), (7, 12), (13, 18), (19, 23), (24, 25)];
        let table = GradingTable::from_ranges(good).unwrap();
        assert_eq!(table, RiskTables::default().risk);
        assert_eq!(table.ranges(), good);
        for (rows, error) in [
            (
                [(2, 6), (7, 12), (13, 18), (19, 23), (24, 25)],
                TableError::BadStart { expected: 1 },
            ),
            (
                [(1, 6), (7, 12), (13, 18), (19, 23), (24, 24)],
                TableError::BadEnd { expected: 25 },
            ),
            (
                [(1, 6), (8, 12), (13, 18), (19, 23), (24, 25)],
                TableError::Gap { level: 1 },
            ),
            (
                [(1, 6), (7, 12), (12, 18), (19, 23), (24, 25)],
                TableError::Overlap { level: 2 },
            ),
            (
                [(1, 6), (7, 12), (13, 18), (19, 25), (26, 25)],
                TableError::Empty { level: 5 },
            ),
            (
                [(1, 6), (7, 5), (6, 18), (19, 23), (24, 25)],
                TableError::Empty { level: 2 },
            ),
        ] {
            assert_eq!(GradingTable::from_ranges(rows), Err(error), "{rows:?}");
        }
    }

    #[test]
    fn matrices_stay_in_range_and_never_fall() {
        let default = RiskTables::default();
        for m in [
            default.likelihood_matrix,
            default.loss_matrix,
            default.risk_matrix,
        ] {
            assert_eq!(Matrix::new(m.cells()), Ok(m));
        }
        let mut cells = default.risk_matrix.cells();
        cells[2][3] = 26;
        assert_eq!(
            Matrix::new(cells),
            Err(TableError::CellOutOfRange { row: 3, column: 4 })
        );
        cells[2][3] = 10;
        assert_eq!(
            Matrix::new(cells),
            Err(TableError::NotMonotone { row: 3, column: 4 })
        );
        let mut cells = default.risk_matrix.cells();
        cells[1][0] = 2;
        assert_eq!(
            Matrix::new(cells),
            Err(TableError::NotMonotone { row: 2, column: 1 })
        );
    }

    #[test]
    fn scores_print_as_numbers() {
        assert_eq!(Score(1200).to_string(), "12");
        assert_eq!(Score(283).to_string(), "2.83");
        assert_eq!(Score(1130).to_string(), "11.30");
        assert_eq!(Score(1130).as_f64(), 11.3);
    }

    #[test]
    fn keeping_or_accepting_a_high_risk_needs_the_committee() {
        let threshold = DEFAULT_ACCEPTANCE_THRESHOLD;
        for treatment in Treatment::ALL {
            for level in Level::ALL {
                let expected =
                    matches!(treatment, Treatment::Keep | Treatment::Accept) && level.get() >= 4;
                assert_eq!(
                    needs_committee_approval(treatment, level, threshold),
                    expected,
                    "{treatment:?} {level:?}"
                );
            }
        }
        // An organization with a stricter threshold.
        assert!(needs_committee_approval(
            Treatment::Accept,
            Level(3),
            Level(3)
        ));
        assert!(!needs_committee_approval(
            Treatment::Control,
            Level(5),
            Level(1)
        ));
        assert_eq!(Treatment::from_code("transfer"), Ok(Treatment::Transfer));
    }

    #[test]
    fn levels_and_methods_are_checked() {
        assert!(Level::new(0).is_err() && Level::new(6).is_err());
        assert_eq!(Level::new(4).unwrap().label().zh, "高");
        assert_eq!(RiskMethod::from_code("sqrt"), Ok(RiskMethod::Sqrt));
        assert!(RiskMethod::from_code("average").is_err());
        assert_eq!(
            RiskMethod::ALL.map(RiskMethod::code),
            ["multiplication", "matrix", "sqrt"]
        );
    }
}

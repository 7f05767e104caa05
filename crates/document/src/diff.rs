//! A readable comparison of two texts of a controlled document, line by line: what was
//! removed, what was added, what stayed, with long unchanged stretches folded to a few
//! lines of context around each change.

use similar::{Algorithm, ChangeTag, TextDiff};
use std::time::Duration;

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineKind {
    /// In both texts.
    Same,
    /// Only in the old text.
    Removed,
    /// Only in the new text.
    Added,
    /// Unchanged lines left out here (their count is in `text`).
    Folded,
}

/// One line of the comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffLine {
    /// What happened to it.
    pub kind: LineKind,
    /// Its number in the old text.
    pub old: Option<usize>,
    /// Its number in the new text.
    pub new: Option<usize>,
    /// The line (without its line break); for a fold, how many lines it stands for.
    pub text: String,
}

/// How many unchanged lines are kept around each change.
pub const CONTEXT: usize = 3;

/// Compares `old` with `new` line by line. The comparison gives up refining after a second
/// on pathological texts (the result is then coarser but still correct).
pub fn lines(old: &str, new: &str) -> Vec<DiffLine> {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(Duration::from_secs(1))
        .diff_lines(old, new);
    let all: Vec<DiffLine> = diff
        .iter_all_changes()
        .map(|c| DiffLine {
            kind: match c.tag() {
                ChangeTag::Equal => LineKind::Same,
                ChangeTag::Delete => LineKind::Removed,
                ChangeTag::Insert => LineKind::Added,
            },
            old: c.old_index().map(|i| i + 1),
            new: c.new_index().map(|i| i + 1),
            text: c.value().trim_end_matches(['\n', '\r']).to_owned(),
        })
        .collect();
    fold(all)
}

/// Keeps `CONTEXT` unchanged lines around changes and folds the rest.
fn fold(all: Vec<DiffLine>) -> Vec<DiffLine> {
    let changed: Vec<usize> = all
        .iter()
        .enumerate()
        .filter(|(_, l)| l.kind != LineKind::Same)
        .map(|(i, _)| i)
        .collect();
    let near = |i: usize| {
        let at = changed.partition_point(|&c| c < i);
        let after = changed.get(at).is_some_and(|&c| c - i <= CONTEXT);
        let before = at > 0 && changed.get(at - 1).is_some_and(|&c| i - c <= CONTEXT);
        after || before
    };
    let mut out = Vec::new();
    let mut hidden = 0usize;
    for (i, l) in all.into_iter().enumerate() {
        if l.kind == LineKind::Same && !near(i) {
            hidden += 1;
            continue;
        }
        if hidden > 0 {
            out.push(DiffLine {
                kind: LineKind::Folded,
                old: None,
                new: None,
                text: hidden.to_string(),
            });
            hidden = 0;
        }
        out.push(l);
    }
    if hidden > 0 {
        out.push(DiffLine {
            kind: LineKind::Folded,
            old: None,
            new: None,
            text: hidden.to_string(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_shown_with_their_context_and_the_rest_folded() {
        let old: String = (1..=20).map(|i| format!("第 {i} 条\n")).collect();
        let new = old.replace("第 10 条\n", "第 10 条（修订）\n") + "第 21 条\n";
        let d = lines(&old, &new);
        let kinds: Vec<LineKind> = d.iter().map(|l| l.kind).collect();
        assert_eq!(kinds[0], LineKind::Folded);
        assert_eq!(d[0].text, "6");
        assert!(
            d.iter()
                .any(|l| l.kind == LineKind::Removed && l.text == "第 10 条" && l.old == Some(10))
        );
        assert!(d.iter().any(|l| l.kind == LineKind::Added
            && l.text == "第 10 条（修订）"
            && l.new == Some(10)));
        assert!(
            d.iter()
                .any(|l| l.kind == LineKind::Added && l.text == "第 21 条")
        );
        assert_eq!(
            d.iter().filter(|l| l.kind == LineKind::Folded).count(),
            2,
            "{d:?}"
        );
        assert!(
            lines("同样\n", "同样\n")
                .iter()
                .all(|l| l.kind == LineKind::Folded)
        );
        // Large texts finish.
        let big: String = (0..20_000).map(|i| format!("{}\n", i % 97)).collect();
        let other: String = (0..20_000).map(|i| format!("{}\n", i % 89)).collect();
        assert!(!lines(&big, &other).is_empty());
    }
}

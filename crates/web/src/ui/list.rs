//! Building blocks of list pages: sortable column headings and links between pages.

/// Links to the first and the next page of a list.
pub struct Pager {
    /// Whether this is not the first page.
    pub is_later_page: bool,
    /// The first page.
    pub first_href: String,
    /// The next page.
    pub next_href: Option<String>,
}

/// Builds `/path?k=v&…` from the non-empty pairs.
pub fn href(path: &str, pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(kept).unwrap_or_default()
    )
}

/// A column heading of a list; sortable columns link to the list sorted by them.
pub struct Header {
    /// Text.
    pub label: String,
    /// Link that sorts by this column (ascending first, or the other way when active).
    pub href: Option<String>,
    /// Whether the list is sorted by this column.
    pub active: bool,
    /// The direction arrow when active.
    pub arrow: &'static str,
}

/// The headings of a list at `path` with filters `base`, sorted by `current` (`field` or
/// `-field`). Each column is (sort field or "" for none, label, descending first).
pub fn sort_headers(
    path: &str,
    base: &[(&str, &str)],
    current: &str,
    columns: &[(&str, &str, bool)],
) -> Vec<Header> {
    let descending = current.starts_with('-');
    columns
        .iter()
        .map(|&(field, label, descending_first)| {
            if field.is_empty() {
                return Header {
                    label: label.to_owned(),
                    href: None,
                    active: false,
                    arrow: "",
                };
            }
            let active = current.trim_start_matches('-') == field;
            let next_sort = match (active, descending, descending_first) {
                (true, false, _) | (false, _, true) => format!("-{field}"),
                _ => field.to_owned(),
            };
            let mut pairs = base.to_vec();
            pairs.push(("sort", &next_sort));
            Header {
                label: label.to_owned(),
                href: Some(href(path, &pairs)),
                active,
                arrow: match (active, descending) {
                    (true, false) => " ↑",
                    (true, true) => " ↓",
                    _ => "",
                },
            }
        })
        .collect()
}

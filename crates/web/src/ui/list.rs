//! Building blocks of list pages: sortable column headings and links between pages.

/// Links to the first, the previous and the next page of a list.
pub struct Pager {
    /// Whether this is not the first page.
    pub is_later_page: bool,
    /// The first page.
    pub first_href: String,
    /// The previous page.
    pub prev_href: Option<String>,
    /// The next page.
    pub next_href: Option<String>,
}

/// How many earlier pages "previous" remembers (the link carries their cursors).
const BACK_DEPTH: usize = 30;

/// Stands for the first page (no cursor) among the remembered cursors.
const FIRST: &str = ".";

impl Pager {
    /// The links of a keyset-paged list at `path` with filters `base`, shown at `cursor`
    /// (empty on the first page): `back` holds the cursors of the pages before it, comma
    /// separated (cursors are URL-safe base64, without commas), so "previous" is exact and
    /// needs no state on the server; `next` is the list's next cursor.
    pub fn paged(
        path: &str,
        base: &[(&str, &str)],
        cursor: &str,
        back: &str,
        next: Option<&str>,
    ) -> Pager {
        let stack: Vec<&str> = back.split(',').filter(|c| !c.is_empty()).collect();
        let link = |cursor: &str, back: &str| {
            let mut pairs = base.to_vec();
            if !cursor.is_empty() && cursor != FIRST {
                pairs.push(("cursor", cursor));
            }
            pairs.push(("back", back));
            href(path, &pairs)
        };
        let prev_href = (!cursor.is_empty()).then(|| match stack.split_last() {
            Some((prev, rest)) => link(prev, &rest.join(",")),
            None => link(FIRST, ""),
        });
        let next_href = next.map(|n| {
            let mut deeper: Vec<&str> = stack.clone();
            deeper.push(if cursor.is_empty() { FIRST } else { cursor });
            let skip = deeper.len().saturating_sub(BACK_DEPTH);
            link(n, &deeper.get(skip..).unwrap_or_default().join(","))
        });
        Pager {
            is_later_page: !cursor.is_empty(),
            first_href: href(path, base),
            prev_href,
            next_href,
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_link_forward_and_back_exactly() {
        let base = [("q", "db"), ("status", "")];
        let first = Pager::paged("/assets", &base, "", "", Some("c1"));
        assert!(first.prev_href.is_none() && !first.is_later_page);
        assert_eq!(
            first.next_href.as_deref(),
            Some("/assets?q=db&cursor=c1&back=.")
        );
        let second = Pager::paged("/assets", &base, "c1", ".", Some("c2"));
        assert_eq!(second.prev_href.as_deref(), Some("/assets?q=db"));
        assert_eq!(
            second.next_href.as_deref(),
            Some("/assets?q=db&cursor=c2&back=.%2Cc1")
        );
        let third = Pager::paged("/assets", &base, "c2", ".,c1", None);
        assert_eq!(
            third.prev_href.as_deref(),
            Some("/assets?q=db&cursor=c1&back=.")
        );
        assert!(third.next_href.is_none());
        assert_eq!(third.first_href, "/assets?q=db");
        // A link without its history still offers the first page as "previous".
        let lost = Pager::paged("/assets", &base, "c9", "", None);
        assert_eq!(lost.prev_href.as_deref(), Some("/assets?q=db"));
    }
}

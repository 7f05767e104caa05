//! A small checker for the XML the renderers write: enough of XML 1.0 to
//! catch unescaped text, broken nesting, bad attributes and forbidden
//! characters. No DTDs, comments or CDATA (the renderers write none).

use std::collections::HashSet;

/// Panics unless `text` is a well-formed XML document: an optional
/// declaration, one root element, tags properly nested, attributes quoted
/// and unique, only the five predefined and numeric entities, and only
/// characters XML 1.0 allows.
pub fn assert_well_formed(part: &str, text: &str) {
    if let Some(bad) = text.chars().find(|c| !allowed_char(*c)) {
        panic!("{part}: forbidden character U+{:04X}", u32::from(bad));
    }
    let mut rest = text;
    if let Some(after) = rest.strip_prefix("<?xml ") {
        let end = after
            .find("?>")
            .unwrap_or_else(|| panic!("{part}: open declaration"));
        rest = &after[end + 2..];
    }
    let mut open: Vec<&str> = Vec::new();
    let mut roots = 0;
    loop {
        let (chars, tail) = rest.split_at(rest.find('<').unwrap_or(rest.len()));
        if open.is_empty() {
            assert!(
                chars.trim().is_empty(),
                "{part}: text outside the root: {chars:?}"
            );
        }
        check_character_data(part, chars);
        if tail.is_empty() {
            break;
        }
        let end = tail
            .find('>')
            .unwrap_or_else(|| panic!("{part}: unclosed tag"));
        let tag = &tail[1..end];
        rest = &tail[end + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            let expected = open.pop();
            assert_eq!(expected, Some(name.trim_end()), "{part}: wrong closing tag");
            continue;
        }
        assert!(
            !tag.starts_with(['!', '?']),
            "{part}: unexpected markup <{tag}>"
        );
        let (tag, empty) = match tag.strip_suffix('/') {
            Some(tag) => (tag, true),
            None => (tag, false),
        };
        let name = check_start_tag(part, tag);
        if open.is_empty() {
            roots += 1;
        }
        if !empty {
            open.push(name);
        }
    }
    assert!(open.is_empty(), "{part}: unclosed elements {open:?}");
    assert_eq!(roots, 1, "{part}: expected one root element");
}

/// Checks a start tag's name and attributes; returns the name.
fn check_start_tag<'a>(part: &str, tag: &'a str) -> &'a str {
    let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
    let name = &tag[..name_end];
    assert!(is_name(name), "{part}: bad element name {name:?}");
    let mut attrs = tag[name_end..].trim_start();
    let mut seen = HashSet::new();
    while !attrs.is_empty() {
        let eq = attrs
            .find('=')
            .unwrap_or_else(|| panic!("{part}: attribute without value in <{tag}>"));
        let attr = attrs[..eq].trim_end();
        assert!(is_name(attr), "{part}: bad attribute name {attr:?}");
        assert!(seen.insert(attr), "{part}: duplicate attribute {attr}");
        let value = attrs[eq + 1..].trim_start();
        let quote = value.chars().next().unwrap_or(' ');
        assert!(
            quote == '"' || quote == '\'',
            "{part}: unquoted attribute {attr}"
        );
        let close = value[1..]
            .find(quote)
            .unwrap_or_else(|| panic!("{part}: open attribute {attr}"));
        let text = &value[1..=close];
        assert!(!text.contains('<'), "{part}: '<' in attribute {attr}");
        check_character_data(part, text);
        let after = &value[close + 2..];
        assert!(
            after.is_empty() || after.starts_with(char::is_whitespace),
            "{part}: no space after attribute {attr}"
        );
        attrs = after.trim_start();
    }
    name
}

/// Every `&` starts a known entity or a character reference.
fn check_character_data(part: &str, text: &str) {
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        let after = &rest[at + 1..];
        let end = after
            .find(';')
            .unwrap_or_else(|| panic!("{part}: bare '&' in {text:?}"));
        let entity = &after[..end];
        let known = matches!(entity, "amp" | "lt" | "gt" | "quot" | "apos")
            || entity
                .strip_prefix("#x")
                .is_some_and(|hex| u32::from_str_radix(hex, 16).is_ok())
            || entity
                .strip_prefix('#')
                .is_some_and(|dec| dec.parse::<u32>().is_ok());
        assert!(known, "{part}: unknown entity &{entity};");
        rest = &after[end + 1..];
    }
}

fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

fn allowed_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[test]
fn the_checker_accepts_good_and_rejects_bad_xml() {
    assert_well_formed(
        "ok",
        r#"<?xml version="1.0"?><a x="1" y='&amp;'><b/>t &lt; &#39;</a>"#,
    );
    for bad in [
        "<a><b></a></b>",
        "<a>&</a>",
        "<a x=1/>",
        r#"<a x="1" x="2"/>"#,
        "<a/><b/>",
        "<a>\u{1}</a>",
        "<a>",
        "<a>&nbsp;</a>",
    ] {
        let result = std::panic::catch_unwind(|| assert_well_formed("bad", bad));
        assert!(result.is_err(), "accepted {bad:?}");
    }
}

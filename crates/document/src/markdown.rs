//! Markdown of controlled documents (SPEC §6.2), rendered inert: the text is parsed as
//! CommonMark with tables and strikethrough, and written as HTML by this module alone, so
//! raw HTML in the source is shown as text (never markup), links keep only `http`, `https`
//! and `mailto` targets (any other becomes plain text), and images are never loaded — an
//! image with a web address becomes a link to it, any other shows its description.
//! Headings start at `<h2>`: the page's own title is the `<h1>`.

use crate::model::{Block, Cell, Column, Run, Table};
use crate::text::push_clean_escaped;
use pulldown_cmark::{Alignment, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Whether a link target may be followed from a document: `http:`, `https:` or `mailto:`
/// (after the parser has decoded entities, so `jav&#x61;script:` is seen as what it is).
pub fn is_safe_link(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://") || lower.starts_with("mailto:"))
        && !url.chars().any(char::is_control)
}

fn heading(level: HeadingLevel) -> u8 {
    let n = match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    };
    (n + 1).min(6)
}

/// What an open link or image wrote, so its end writes the matching close.
enum Opened {
    Anchor,
    Nothing,
}

/// Renders Markdown as inert HTML (a fragment to place inside a page).
pub fn to_html(source: &str) -> String {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut out = String::with_capacity(source.len() + source.len() / 4);
    let mut links: Vec<Opened> = Vec::new();
    let mut alignments: Vec<Alignment> = Vec::new();
    let mut in_head = false;
    let mut cell = 0usize;
    let mut image_depth = 0usize;
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => out.push_str("<p>"),
                Tag::Heading { level, .. } => {
                    out.push_str(&format!("<h{}>", heading(level)));
                }
                Tag::BlockQuote(_) => out.push_str("<blockquote>"),
                Tag::CodeBlock(_) => out.push_str("<pre><code>"),
                Tag::List(Some(start)) if start != 1 => {
                    out.push_str(&format!("<ol start=\"{start}\">\n"));
                }
                Tag::List(Some(_)) => out.push_str("<ol>\n"),
                Tag::List(None) => out.push_str("<ul>\n"),
                Tag::Item => out.push_str("<li>"),
                Tag::Emphasis => out.push_str("<em>"),
                Tag::Strong => out.push_str("<strong>"),
                Tag::Strikethrough => out.push_str("<del>"),
                Tag::Link { dest_url, .. } => {
                    if image_depth == 0 && is_safe_link(&dest_url) {
                        out.push_str("<a href=\"");
                        push_clean_escaped(&mut out, dest_url.trim());
                        out.push_str("\" rel=\"nofollow noopener noreferrer\">");
                        links.push(Opened::Anchor);
                    } else {
                        links.push(Opened::Nothing);
                    }
                }
                Tag::Image { dest_url, .. } => {
                    // Never loaded: a web address becomes a link, the description its text.
                    if image_depth == 0 && is_safe_link(&dest_url) {
                        out.push_str("<a class=\"image-link\" href=\"");
                        push_clean_escaped(&mut out, dest_url.trim());
                        out.push_str("\" rel=\"nofollow noopener noreferrer\">");
                        links.push(Opened::Anchor);
                    } else {
                        links.push(Opened::Nothing);
                    }
                    image_depth += 1;
                }
                Tag::Table(a) => {
                    alignments = a;
                    out.push_str("<table>");
                }
                Tag::TableHead => {
                    in_head = true;
                    cell = 0;
                    out.push_str("<thead><tr>");
                }
                Tag::TableRow => {
                    cell = 0;
                    out.push_str("<tr>");
                }
                Tag::TableCell => {
                    let align = match alignments.get(cell) {
                        // Classes, not `style` attributes: pages allow no inline styles.
                        Some(Alignment::Left) => " class=\"align-left\"",
                        Some(Alignment::Center) => " class=\"align-center\"",
                        Some(Alignment::Right) => " class=\"align-right\"",
                        _ => "",
                    };
                    out.push_str(if in_head { "<th" } else { "<td" });
                    out.push_str(align);
                    out.push('>');
                }
                // Raw HTML blocks, footnotes, definition lists and metadata are not enabled
                // or not kept: their text still comes through as text events.
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => out.push_str("</p>\n"),
                TagEnd::Heading(level) => {
                    out.push_str(&format!("</h{}>\n", heading(level)));
                }
                TagEnd::BlockQuote(_) => out.push_str("</blockquote>\n"),
                TagEnd::CodeBlock => out.push_str("</code></pre>\n"),
                TagEnd::List(true) => out.push_str("</ol>\n"),
                TagEnd::List(false) => out.push_str("</ul>\n"),
                TagEnd::Item => out.push_str("</li>\n"),
                TagEnd::Emphasis => out.push_str("</em>"),
                TagEnd::Strong => out.push_str("</strong>"),
                TagEnd::Strikethrough => out.push_str("</del>"),
                TagEnd::Link => {
                    if let Some(Opened::Anchor) = links.pop() {
                        out.push_str("</a>");
                    }
                }
                TagEnd::Image => {
                    image_depth = image_depth.saturating_sub(1);
                    if let Some(Opened::Anchor) = links.pop() {
                        out.push_str("</a>");
                    }
                }
                TagEnd::Table => out.push_str("</tbody></table>\n"),
                TagEnd::TableHead => {
                    in_head = false;
                    out.push_str("</tr></thead><tbody>");
                }
                TagEnd::TableRow => out.push_str("</tr>"),
                TagEnd::TableCell => {
                    out.push_str(if in_head { "</th>" } else { "</td>" });
                    cell += 1;
                }
                _ => {}
            },
            Event::Text(text) => push_clean_escaped(&mut out, &text),
            Event::Code(code) => {
                out.push_str("<code>");
                push_clean_escaped(&mut out, &code);
                out.push_str("</code>");
            }
            // Raw HTML is shown as the text it is.
            Event::Html(html) | Event::InlineHtml(html) => push_clean_escaped(&mut out, &html),
            Event::SoftBreak => out.push('\n'),
            Event::HardBreak => out.push_str("<br>\n"),
            Event::Rule => out.push_str("<hr>\n"),
            _ => {}
        }
    }
    out
}

/// Lays Markdown out as blocks of the document model, for the printable and Word
/// versions of a controlled document: headings (`#` is level 1), paragraphs with their
/// bold runs, list items as paragraphs marked `•` or `1.`, tables with their header row,
/// code and quotes as plain paragraphs. Raw HTML stays text; links keep their text.
pub fn to_blocks(source: &str) -> Vec<Block> {
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    let mut blocks = Vec::new();
    let mut runs: Vec<Run> = Vec::new();
    let mut text = String::new();
    let mut bold = 0usize;
    let mut heading_level: Option<u8> = None;
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut table: Option<Table> = None;
    let mut row: Vec<Cell> = Vec::new();
    let mut in_head = false;
    let flush_run = |runs: &mut Vec<Run>, text: &mut String, bold: bool| {
        if !text.is_empty() {
            runs.push(Run {
                text: std::mem::take(text),
                bold,
            });
        }
    };
    for event in Parser::new_ext(source, options) {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading_level = Some(match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    _ => 3,
                });
            }
            Event::End(TagEnd::Heading(_)) => {
                flush_run(&mut runs, &mut text, bold > 0);
                let t: String = runs.drain(..).map(|r| r.text).collect();
                blocks.push(Block::heading(heading_level.take().unwrap_or(3), t.trim()));
            }
            Event::Start(Tag::Strong) => {
                flush_run(&mut runs, &mut text, bold > 0);
                bold += 1;
            }
            Event::End(TagEnd::Strong) => {
                flush_run(&mut runs, &mut text, bold > 0);
                bold = bold.saturating_sub(1);
            }
            Event::Start(Tag::List(start)) => lists.push(start),
            Event::End(TagEnd::List(_)) => {
                lists.pop();
            }
            Event::Start(Tag::Item) => {
                flush_run(&mut runs, &mut text, bold > 0);
                if !runs.is_empty() {
                    blocks.push(Block::Paragraph(std::mem::take(&mut runs)));
                }
                let depth = lists.len().saturating_sub(1);
                let marker = match lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n += 1;
                        m
                    }
                    _ => "• ".to_owned(),
                };
                text.push_str(&"    ".repeat(depth));
                text.push_str(&marker);
            }
            Event::End(
                TagEnd::Item
                | TagEnd::Paragraph
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock,
            ) => {
                flush_run(&mut runs, &mut text, bold > 0);
                if let Some(last) = runs.last_mut() {
                    let kept = last.text.trim_end().len();
                    last.text.truncate(kept);
                }
                runs.retain(|r| !r.text.is_empty());
                if !runs.is_empty() && table.is_none() {
                    blocks.push(Block::Paragraph(std::mem::take(&mut runs)));
                }
            }
            Event::Start(Tag::Table(_)) => {
                table = Some(Table {
                    caption: String::new(),
                    columns: Vec::new(),
                    rows: Vec::new(),
                });
            }
            Event::Start(Tag::TableHead) => {
                in_head = true;
                row.clear();
            }
            Event::Start(Tag::TableRow) => row.clear(),
            Event::End(TagEnd::TableCell) => {
                flush_run(&mut runs, &mut text, bold > 0);
                let t: String = runs.drain(..).map(|r| r.text).collect();
                row.push(Cell::text(t.trim()));
            }
            Event::End(TagEnd::TableHead) => {
                in_head = false;
                if let Some(t) = table.as_mut() {
                    t.columns = row
                        .drain(..)
                        .map(|c| {
                            let width = (c.text.chars().count() as f64).clamp(6.0, 40.0);
                            Column::new(c.text, width)
                        })
                        .collect();
                }
            }
            Event::End(TagEnd::TableRow) => {
                if let Some(t) = table.as_mut()
                    && !in_head
                {
                    t.rows.push(std::mem::take(&mut row));
                }
            }
            Event::End(TagEnd::Table) => {
                if let Some(t) = table.take() {
                    blocks.push(Block::Table(t));
                }
            }
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                text.push_str(&t);
            }
            Event::SoftBreak => text.push(' '),
            Event::HardBreak => text.push('\n'),
            _ => {}
        }
    }
    flush_run(&mut runs, &mut text, bold > 0);
    if !runs.is_empty() {
        blocks.push(Block::Paragraph(runs));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_renders_as_expected() {
        let html = to_html(
            "# 网络安全策略\n\n适用于**全部**员工。\n\n1. 口令\n2. 终端\n\n| 项 | 要求 |\n|:--|--:|\n| 口令 | 12 位 |\n\n[规范](https://example.org/a?b=1&c=2)",
        );
        assert!(html.contains("<h2>网络安全策略</h2>"), "{html}");
        assert!(html.contains("<strong>全部</strong>"));
        assert!(html.contains("<ol>\n<li>口令</li>"), "{html}");
        assert!(html.contains("<th class=\"align-left\">项</th>"), "{html}");
        assert!(
            html.contains("<td class=\"align-right\">12 位</td>"),
            "{html}"
        );
        assert!(
            html.contains("<a href=\"https://example.org/a?b=1&amp;c=2\" rel=\"nofollow noopener noreferrer\">规范</a>"),
            "{html}"
        );
    }

    #[test]
    fn raw_html_scripts_and_unsafe_links_are_inert() {
        for hostile in [
            "<script>alert(1)</script>",
            "text <img src=x onerror=alert(1)> more",
            "<iframe src=\"https://evil.example\"></iframe>",
            "[click](javascript:alert(1))",
            "[click](jav&#x61;script:alert(1))",
            "[click](JAVASCRIPT:alert(1))",
            "[click]( data:text/html;base64,PHNjcmlwdD4= )",
            "[click](vbscript:msgbox)",
            "[click](/relative/path)",
            "![x](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "[x](<https://ok.example\" onmouseover=\"alert(1)>)",
            "<style>body{display:none}</style>",
        ] {
            let html = to_html(hostile);
            let lower = html.to_ascii_lowercase();
            assert!(
                !lower.contains("<script")
                    && !lower.contains("<img")
                    && !lower.contains("<iframe")
                    && !lower.contains("<style")
                    && !lower.contains("href=\"javascript")
                    && !lower.contains("href=\"data")
                    && !lower.contains("href=\"vbscript")
                    && !lower.contains("href=\"/")
                    && !lower.contains("\" onmouseover"),
                "{hostile:?} → {html}"
            );
        }
        // The text of refused markup stays readable.
        assert!(to_html("<b>bold?</b>").contains("&lt;b&gt;bold?&lt;/b&gt;"));
        assert_eq!(to_html("[click](javascript:alert(1))"), "<p>click</p>\n");
        // Images are never loaded: a web address becomes a link, anything else its text.
        assert_eq!(
            to_html("![网络拓扑](https://example.org/t.png)"),
            "<p><a class=\"image-link\" href=\"https://example.org/t.png\" rel=\"nofollow noopener noreferrer\">网络拓扑</a></p>\n"
        );
        assert_eq!(to_html("![拓扑](t.png)"), "<p>拓扑</p>\n");
        assert!(is_safe_link("mailto:sec@example.org") && is_safe_link(" HTTPS://x.example "));
        assert!(!is_safe_link("https://x.example/\u{0}") && !is_safe_link("ftp://x"));
    }

    #[test]
    fn hostile_shapes_finish_and_stay_balanced() {
        for hostile in [
            ">".repeat(20_000),
            "*".repeat(20_000),
            "[".repeat(20_000),
            "- ".repeat(10_000),
            "|a".repeat(10_000) + "\n" + &"|-".repeat(10_000),
            "`".repeat(20_000),
        ] {
            let html = to_html(&hostile);
            for tag in ["blockquote", "ul", "li", "em", "strong", "a", "table"] {
                assert_eq!(
                    html.matches(&format!("<{tag}>")).count()
                        + html.matches(&format!("<{tag} ")).count(),
                    html.matches(&format!("</{tag}>")).count(),
                    "{tag} unbalanced for {:?}…",
                    &hostile[..10]
                );
            }
        }
        // Control characters are dropped, line ends kept.
        assert_eq!(to_html("a\u{1}b"), "<p>ab</p>\n");
    }

    #[test]
    fn markdown_lays_out_as_printable_blocks() {
        let blocks = to_blocks(
            "# 目的\n\n规范 **网络** 访问。\n\n- 甲\n- 乙\n\n1. 一\n2. 二\n\n| 级别 | 要求 |\n|---|---|\n| 敏感 | 加密 |\n\n<script>x</script>\n",
        );
        assert_eq!(blocks[0], Block::heading(1, "目的"));
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![
                Run::plain("规范 "),
                Run::bold("网络"),
                Run::plain(" 访问。")
            ])
        );
        assert_eq!(blocks[2], Block::paragraph("• 甲"));
        assert_eq!(blocks[3], Block::paragraph("• 乙"));
        assert_eq!(blocks[4], Block::paragraph("1. 一"));
        assert_eq!(blocks[5], Block::paragraph("2. 二"));
        let Block::Table(t) = &blocks[6] else {
            panic!("{:?}", blocks[6])
        };
        assert_eq!(t.columns.len(), 2);
        assert_eq!(t.rows, vec![vec![Cell::text("敏感"), Cell::text("加密")]]);
        assert_eq!(blocks[7], Block::paragraph("<script>x</script>"));
        // Hostile nesting finishes.
        let deep = "> ".repeat(5000) + "x";
        assert!(!to_blocks(&deep).is_empty());
    }
}

//! The HTML renderer.

use castellan_document::{Fill, Lang, to_html};

use crate::{big, sample};

#[test]
fn the_page_is_complete_and_links_the_stylesheet() {
    let html = to_html(&sample(), "/assets/report.css?v=1&x=\"2\"");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(
        html.contains(
            r#"<link rel="stylesheet" href="/assets/report.css?v=1&amp;x=&quot;2&quot;">"#
        )
    );
    assert!(html.contains("<title>信息安全风险评估报告 &amp; &lt;Report&gt;</title>"));
    assert!(html.contains("<h1>信息安全风险评估报告 &amp; &lt;Report&gt;</h1>"));
    assert!(html.contains("<p class=\"subtitle\">示例公司 · 2025 年度</p>"));
    assert!(html.contains("<h2>1 评估范围 Scope</h2>"));
    assert!(html.contains("<h3>2 风险清单</h3>"));
    assert!(html.contains("<h4>附录</h4>"));
    assert!(html.trim_end().ends_with("</html>"));

    let mut doc = sample();
    doc.lang = Lang::En;
    assert!(to_html(&doc, "/r.css").contains("<html lang=\"en\">"));
}

#[test]
fn no_inline_style_or_script_and_everything_escaped() {
    let html = to_html(&sample(), "/r.css");
    assert!(!html.contains("style="));
    assert!(!html.contains("<style"));
    assert!(!html.to_lowercase().contains("<script"));
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("<strong> Critical: &lt;script&gt;alert(1)&lt;/script&gt;</strong>"));
    assert!(html.contains("<dd>Alice &quot;Ops&quot; O&#39;Neil</dd>"));
    assert!(html.contains("本次评估覆盖<br>全部核心系统。"));
    assert!(html.contains("第一行<br>第二行</td>"));
    assert!(!html.contains('\u{0}') && !html.contains('\u{1}') && !html.contains('\u{1b}'));
}

#[test]
fn tables_facts_and_fills_have_their_classes() {
    let html = to_html(&sample(), "/r.css");
    assert!(html.contains("<dl class=\"facts\">"));
    assert!(html.contains("<div><dt>评估方法</dt><dd>矩阵法 (GB/T 20984)</dd></div>"));
    assert_eq!(html.matches("<table class=\"report-table\">").count(), 2);
    assert!(html.contains("<caption>风险清单 [全部]: a/b</caption>"));
    assert!(html.contains("<thead>\n<tr><th scope=\"col\">编号 ID</th>"));
    assert!(html.contains("<th scope=\"col\" class=\"num\">分值 Score</th>"));
    for level in 1..=5u8 {
        let class = Fill::level(level).unwrap().css_class();
        assert!(html.contains(&format!("<td class=\"{class}\">")), "{class}");
        assert!(
            html.contains(&format!("<td class=\"num {class}\">")),
            "{class}"
        );
    }
    assert!(html.contains("<td class=\"num fill-warn\">-2</td>"));
    assert!(html.contains("<td class=\"fill-muted\">"));
    assert!(html.contains("<td>=1+1</td>"));
    // The short last row is padded to three cells.
    assert!(html.contains("第二行</td><td class=\"num\"></td></tr>"));
    assert!(html.contains("<div class=\"page-break\"></div>"));
}

#[test]
fn ten_thousand_rows_render() {
    let html = to_html(&big(10_000), "/r.css");
    assert_eq!(html.matches("<tr>").count(), 10_001);
}

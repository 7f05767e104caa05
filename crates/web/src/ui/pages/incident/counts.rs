//! Incidents of a year by month, class and level: a stacked bar chart drawn as SVG on the
//! server, and the class × level table (the KPI "security incidents per year").

use super::{texts, tx};
use crate::state::AppState;
use crate::ui::page::{Page, Section};
use crate::ui::render;
use crate::ui::session::Web;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use castellan_app::incident::incidents;
use castellan_domain::Timestamp;
use castellan_domain::incident::{IncidentClass, IncidentLevel};
use serde::Deserialize;

#[derive(Deserialize, Default)]
pub struct CountParams {
    #[serde(default)]
    year: Option<String>,
}

/// One stacked segment of a month's bar.
struct Segment {
    y: i64,
    height: i64,
    class: &'static str,
    title: String,
}

/// One month's bar.
struct Bar {
    x: i64,
    label: String,
    total: i64,
    label_y: i64,
    segments: Vec<Segment>,
}

struct LegendItem {
    class: &'static str,
    label: &'static str,
}

struct TableRow {
    label: &'static str,
    cells: Vec<i64>,
    total: i64,
}

#[derive(Template)]
#[template(path = "incidents/counts.html")]
struct CountsPage {
    page: Page,
    tx: &'static texts::Messages,
    year: i32,
    prev_year: i32,
    next_year: Option<i32>,
    total_label: String,
    bars: Vec<Bar>,
    legend: Vec<LegendItem>,
    level_labels: Vec<&'static str>,
    table: Vec<TableRow>,
    column_totals: Vec<i64>,
    total: i64,
}

/// Chart geometry (SVG user units).
const CHART_HEIGHT: i64 = 200;
const BAR_WIDTH: i64 = 36;
const BAR_GAP: i64 = 16;
const TOP: i64 = 20;

fn level_class(level: Option<IncidentLevel>) -> &'static str {
    match level {
        Some(IncidentLevel::General) => "lvl-general",
        Some(IncidentLevel::Significant) => "lvl-significant",
        Some(IncidentLevel::Major) => "lvl-major",
        Some(IncidentLevel::Critical) => "lvl-critical",
        None => "lvl-none",
    }
}

/// `GET /incidents/counts?year=`.
pub async fn show(
    State(state): State<AppState>,
    web: Web,
    Query(p): Query<CountParams>,
) -> Result<Response, Response> {
    let lang = web.lang();
    let tx = tx(lang);
    let this_year = Timestamp::now().datetime().year();
    let year = p
        .year
        .as_deref()
        .and_then(|y| y.trim().parse::<i32>().ok())
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or(this_year);
    let counts = incidents::monthly_counts(&state.app, &web.ctx(), year)
        .await
        .map_err(|e| web.fail(e))?;
    // Levels in the order of the stack (untriaged first, then rising gravity).
    let stack: Vec<Option<IncidentLevel>> = std::iter::once(None)
        .chain(IncidentLevel::ALL.into_iter().map(Some))
        .collect();
    let mut per_month = [[0_i64; 5]; 12];
    for c in &counts {
        let month: usize = c
            .month
            .get(5..7)
            .and_then(|m| m.parse::<usize>().ok())
            .filter(|m| (1..=12).contains(m))
            .unwrap_or(1);
        let k = stack.iter().position(|l| *l == c.level).unwrap_or(0);
        if let Some(row) = per_month.get_mut(month - 1)
            && let Some(cell) = row.get_mut(k)
        {
            *cell += c.count;
        }
    }
    let max = per_month
        .iter()
        .map(|m| m.iter().sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let level_label = |l: Option<IncidentLevel>| match l {
        Some(l) => l.label().get(lang),
        None => tx.counts_untriaged,
    };
    let bars = per_month
        .iter()
        .enumerate()
        .map(|(m, cells)| {
            let total: i64 = cells.iter().sum();
            let mut y = TOP + CHART_HEIGHT;
            let segments = cells
                .iter()
                .zip(&stack)
                .filter(|(n, _)| **n > 0)
                .map(|(n, l)| {
                    let height = (n * CHART_HEIGHT / max).max(2);
                    y -= height;
                    Segment {
                        y,
                        height,
                        class: level_class(*l),
                        title: format!("{} · {}: {n}", m + 1, level_label(*l)),
                    }
                })
                .collect();
            Bar {
                x: 40 + (m as i64) * (BAR_WIDTH + BAR_GAP),
                label: format!("{}", m + 1),
                total,
                label_y: y - 6,
                segments,
            }
        })
        .collect();
    let levels: Vec<Option<IncidentLevel>> = stack.clone();
    let table: Vec<TableRow> = std::iter::once(None)
        .chain(IncidentClass::ALL.into_iter().map(Some))
        .map(|class| {
            let cells: Vec<i64> = levels
                .iter()
                .map(|l| {
                    counts
                        .iter()
                        .filter(|c| c.class == class && c.level == *l)
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            TableRow {
                label: class.map_or(tx.counts_untriaged, |c| c.label().get(lang)),
                total: cells.iter().sum(),
                cells,
            }
        })
        .filter(|r| r.total > 0 || r.label != tx.counts_untriaged)
        .collect();
    let column_totals = (0..levels.len())
        .map(|k| table.iter().filter_map(|r| r.cells.get(k)).sum())
        .collect();
    let total: i64 = counts.iter().map(|c| c.count).sum();
    Ok(render::page_response(
        StatusCode::OK,
        &CountsPage {
            page: Page::new(&web, Some(Section::Incidents), None),
            tx,
            year,
            prev_year: year - 1,
            next_year: (year < this_year).then_some(year + 1),
            total_label: tx
                .counts_total
                .replace("{n}", &total.to_string())
                .replace("{year}", &year.to_string()),
            bars,
            legend: stack
                .iter()
                .map(|l| LegendItem {
                    class: level_class(*l),
                    label: level_label(*l),
                })
                .collect(),
            level_labels: levels.iter().map(|l| level_label(*l)).collect(),
            table,
            column_totals,
            total,
        },
    ))
}

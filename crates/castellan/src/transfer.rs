//! `castellan import assets` and `castellan export assets`.

use anyhow::{Context, anyhow};
use castellan_app::asset::assets::AssetQuery;
use castellan_app::asset::export::{self, ExportFormat};
use castellan_app::asset::import::{self, ImportOptions, ImportReport};
use castellan_app::{App, Ctx, RequestMeta};
use castellan_domain::Lang;
use castellan_tabular::ReadOptions;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn ctx(what: &str) -> Ctx {
    Ctx::system(RequestMeta {
        request_id: Some(what.into()),
        user_agent: Some("castellan-cli".into()),
        ..RequestMeta::default()
    })
}

/// A progress bar on standard error, drawn only when it is a terminal.
struct Progress {
    total: Option<u64>,
    tty: bool,
}

impl Progress {
    fn draw(&self, done: u64) {
        if !self.tty {
            return;
        }
        let line = match self.total.filter(|t| *t > 0) {
            Some(total) => {
                let pct = (done.min(total) * 100 / total) as usize;
                let filled = pct * 30 / 100;
                format!(
                    "\r[{}{}] {pct:>3}%  {:.1} / {:.1} MB",
                    "#".repeat(filled),
                    ".".repeat(30 - filled),
                    done as f64 / 1e6,
                    total as f64 / 1e6
                )
            }
            None => format!("\r{:.1} MB read", done as f64 / 1e6),
        };
        let mut err = std::io::stderr();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    fn finish(&self) {
        if self.tty {
            eprintln!();
        }
    }
}

/// Imports FILE; prints the report; fails (exit 1) when anything was refused.
pub async fn import_assets(
    app: &App,
    file: &Path,
    options: ImportOptions,
) -> anyhow::Result<ExitCode> {
    let total = std::fs::metadata(file)
        .with_context(|| format!("cannot read {}", file.display()))?
        .len();
    let progress = Progress {
        total: Some(total),
        tty: std::io::stderr().is_terminal(),
    };
    let started = std::time::Instant::now();
    let report = import::import_file(
        app,
        &ctx("import"),
        file,
        // The operator's own file on the server: unpacked worksheets up to 2 GiB (a full
        // 1,048,576-row sheet of ~30 columns); the import page keeps the tighter defaults.
        &ReadOptions {
            max_part_bytes: 2 * 1024 * 1024 * 1024,
            ..ReadOptions::default()
        },
        options,
        0,
        |b| progress.draw(b),
    )
    .await
    .map_err(|e| anyhow!(e))?
    .report;
    progress.finish();
    print_report(&report, options, started.elapsed().as_secs_f64());
    Ok(if report.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(r: &ImportReport, options: ImportOptions, seconds: f64) {
    if r.failed() {
        eprintln!(
            "Nothing was imported: {} problem(s) found in {} rows.",
            r.errors.len() as u64 + r.more_errors,
            r.rows
        );
        const SHOWN: usize = 50;
        for e in r.errors.iter().take(SHOWN) {
            let place = match (e.line, &e.column) {
                (0, Some(c)) => format!("column {c}"),
                (0, None) => "file".to_owned(),
                (l, Some(c)) => format!("line {l}, column {c}"),
                (l, None) => format!("line {l}"),
            };
            eprintln!("  {place}: {}", e.reason);
        }
        let hidden = r.errors.len().saturating_sub(SHOWN) as u64 + r.more_errors;
        if hidden > 0 {
            eprintln!("  … and {hidden} more.");
        }
    } else if options.dry_run {
        println!(
            "Dry run: all {} rows are valid; nothing was written.",
            r.rows
        );
    } else {
        println!(
            "Imported {} rows in {seconds:.1} s ({:.0} rows/s): {} created, {} updated, {} unchanged. File SHA-256 {}.",
            r.rows,
            r.rows as f64 / seconds.max(1e-9),
            r.created,
            r.updated,
            r.unchanged,
            r.sha256
        );
    }
}

/// Exports the assets matching the filters to FILE or standard output.
pub async fn export_assets(
    app: &App,
    format: &str,
    out: Option<&Path>,
    lang: &str,
    query: AssetQuery,
) -> anyhow::Result<ExitCode> {
    let format = match format {
        "csv" => ExportFormat::Csv,
        "xlsx" => ExportFormat::Xlsx,
        other => return Err(anyhow!("unknown format {other:?}: use csv or xlsx")),
    };
    let lang =
        Lang::parse(lang).ok_or_else(|| anyhow!("unknown language {lang:?}: use en or zh-CN"))?;
    let ctx = ctx("export");
    match out {
        Some(path) => {
            if path.exists() {
                return Err(anyhow!(
                    "{} already exists; choose a new file",
                    path.display()
                ));
            }
            let file = std::fs::File::create(path)
                .with_context(|| format!("cannot create {}", path.display()))?;
            let w = std::io::BufWriter::new(file);
            let (n, mut w) = export::export_assets(app, &ctx, &query, format, lang, w)
                .await
                .map_err(|e| anyhow!(e))?;
            w.flush()?;
            eprintln!("Exported {n} assets to {}.", path.display());
        }
        None => {
            if format == ExportFormat::Xlsx && std::io::stdout().is_terminal() {
                return Err(anyhow!(
                    "an XLSX file is binary; give --out FILE or redirect the output"
                ));
            }
            let w = std::io::BufWriter::new(std::io::stdout());
            let (n, mut w) = export::export_assets(app, &ctx, &query, format, lang, w)
                .await
                .map_err(|e| anyhow!(e))?;
            w.flush()?;
            eprintln!("Exported {n} assets.");
        }
    }
    Ok(ExitCode::SUCCESS)
}

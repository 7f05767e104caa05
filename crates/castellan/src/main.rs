//! The `castellan` command: the server and the operator's tools (SPEC §10.1).

mod commands;
mod transfer;

// glibc's allocator serialises the worker threads on its arena locks under load; mimalloc
// keeps per-thread heaps (measured in BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// Castellan: information security management in one binary.
#[derive(Parser)]
#[command(name = "castellan", version, about, long_about = None)]
struct Cli {
    /// Configuration file (default: $CASTELLAN_CONFIG, or ./castellan.toml if present).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web UI and API (creates the database and the first administrator if needed).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Manage user accounts from the host.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the permission table (resource × action × role).
    Roles {
        /// Language of the labels: en or zh-CN.
        #[arg(long, default_value = "en")]
        lang: String,
    },
    /// Audit trail tools.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent snapshot of the database to FILE (SQLite: while the server runs;
    /// PostgreSQL: with pg_dump).
    Backup {
        /// Destination; must not exist.
        file: PathBuf,
    },
    /// Replace the database with a backup (stop the server first).
    Restore {
        /// The backup file.
        file: PathBuf,
        /// Do not ask for confirmation.
        #[arg(long)]
        yes: bool,
    },
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Import records from a CSV or XLSX file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export records to CSV or XLSX.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Fill an empty database with a realistic synthetic organization (the same N always
    /// gives the same data).
    Demo {
        /// Number of assets; users grow with it (N/50, 30 to 20,000).
        #[arg(long, default_value_t = 1000)]
        scale: u64,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import assets (headers: API field names or the Chinese labels; UTF-8 or GBK CSV, or
    /// XLSX). All or nothing: one bad row means nothing is written, and every bad row is
    /// reported with its line and column.
    Assets {
        /// The CSV or XLSX file.
        file: PathBuf,
        /// Update assets whose code already exists instead of refusing those rows.
        #[arg(long)]
        update_existing: bool,
        /// Check the file and report, but write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Export assets with the columns the import reads, streaming.
    Assets {
        /// csv or xlsx.
        #[arg(long, default_value = "csv")]
        format: String,
        /// Destination file (must not exist); standard output when left out.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Header row: en (API field names) or zh-CN (the Chinese labels).
        #[arg(long, default_value = "en")]
        lang: String,
        /// Only assets whose code, name, location or notes contain this text.
        #[arg(long)]
        q: Option<String>,
        /// Only this category code.
        #[arg(long)]
        category: Option<String>,
        /// Only this status code.
        #[arg(long)]
        status: Option<String>,
        /// Only this department (id) and its sub-departments.
        #[arg(long)]
        department_id: Option<i64>,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input with --password-stdin,
    /// otherwise a random one is generated and printed.
    Add {
        /// Login name.
        username: String,
        /// Name shown to others (default: the username).
        #[arg(long)]
        display_name: Option<String>,
        /// E-mail address.
        #[arg(long)]
        email: Option<String>,
        /// A role to grant, optionally limited to a department id: admin, auditor@3, …
        #[arg(long = "role", value_name = "ROLE[@DEPARTMENT_ID]")]
        roles: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password (ends their sessions and tokens).
    Passwd {
        /// Login name.
        username: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Disable a user (ends their sessions and tokens at once).
    Disable {
        /// Login name.
        username: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Check the whole hash chain; exits with status 1 naming the first bad entry.
    Verify,
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Print the default configuration file with every key explained.
    PrintDefault,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(commands::run(cli));
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

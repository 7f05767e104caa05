//! The subcommands. Errors here are `anyhow` with a message for the operator.

use crate::{AuditCommand, Cli, Command, ConfigCommand, ExportCommand, ImportCommand, UserCommand};
use anyhow::{Context, anyhow, bail};
use castellan_app::org::users::{self, GrantInput, NewUserInput, UserPatch};
use castellan_app::{App, Ctx, RequestMeta, Settings, config, org::bootstrap};
use castellan_domain::permission::{Who, role_allows, rules};
use castellan_domain::{Lang, Role, UserId};
use castellan_store::{Backend, Db, DbOptions, backup, migrate};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

fn load_settings(cli: &Cli) -> anyhow::Result<Settings> {
    Ok(Settings::load(cli.config.as_deref(), |k| {
        std::env::var(k).ok()
    })?)
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs the chosen command.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    if let Command::Config(ConfigCommand::PrintDefault) = &cli.command {
        print!("{}", config::DEFAULT_TOML);
        return Ok(ExitCode::SUCCESS);
    }
    if let Command::Roles { lang } = &cli.command {
        let lang = Lang::parse(lang)
            .ok_or_else(|| anyhow!("unknown language {lang:?}: use en or zh-CN"))?;
        print!("{}", permission_table(lang));
        return Ok(ExitCode::SUCCESS);
    }
    let settings = load_settings(&cli)?;
    match cli.command {
        Command::Serve => {
            init_logging(&settings.log);
            serve(settings).await?;
        }
        Command::Migrate => {
            init_logging("warn");
            let options = DbOptions {
                migrate: false,
                max_connections: 2,
                ..DbOptions::default()
            };
            let db = Db::open(&settings.database_url, &options).await?;
            let report = migrate::run(&db).await?;
            if report.applied.is_empty() {
                println!(
                    "The database schema is up to date (version {}).",
                    report.current
                );
            } else {
                println!(
                    "Applied migrations {:?}; the schema is at version {}.",
                    report.applied, report.current
                );
            }
            db.close().await;
        }
        Command::User(cmd) => {
            init_logging("warn");
            let app = App::open(settings).await?;
            let result = user_command(&app, cmd).await;
            app.db().close().await;
            result?;
        }
        Command::Audit(AuditCommand::Verify) => {
            init_logging("warn");
            let app = App::open(settings).await?;
            let v = castellan_app::audit::verify(&app).await?;
            app.db().close().await;
            return Ok(match v.error {
                None => {
                    println!(
                        "The audit log is intact: {} entries checked, last hash {}.",
                        v.checked, v.head_hash
                    );
                    ExitCode::SUCCESS
                }
                Some(e) => {
                    eprintln!(
                        "The audit log has been TAMPERED WITH: {e}. First bad entry: #{}.",
                        e.first_bad_seq()
                    );
                    ExitCode::FAILURE
                }
            });
        }
        Command::Import(ImportCommand::Assets {
            file,
            update_existing,
            dry_run,
        }) => {
            init_logging("warn");
            let app = App::open(settings).await?;
            let options = castellan_app::asset::import::ImportOptions {
                update_existing,
                dry_run,
            };
            let result = crate::transfer::import_assets(&app, &file, options).await;
            app.db().close().await;
            return result;
        }
        Command::Export(ExportCommand::Assets {
            format,
            out,
            lang,
            q,
            category,
            status,
            department_id,
        }) => {
            init_logging("warn");
            let app = App::open(settings).await?;
            let query = castellan_app::asset::assets::AssetQuery {
                q,
                category,
                status,
                department_id,
                ..Default::default()
            };
            let result =
                crate::transfer::export_assets(&app, &format, out.as_deref(), &lang, query).await;
            app.db().close().await;
            return result;
        }
        Command::Backup { file } => {
            init_logging("warn");
            backup_to(&settings, &file).await?;
        }
        Command::Restore { file, yes } => {
            init_logging("warn");
            restore_from(&settings, &file, yes).await?;
        }
        Command::Demo { scale } => {
            init_logging("warn");
            let app = App::open(settings).await?;
            bootstrap::ensure_admin(&app).await.map_err(describe)?;
            let started = std::time::Instant::now();
            let report = castellan_app::demo::generate(&app, scale)
                .await
                .map_err(describe)?;
            app.db().close().await;
            println!(
                "Created a demo organization in {:.1} s: {} departments, {} users, {} assets, {} risk assessments with {} risks, {} vulnerability findings, {} approval requests, {} security incidents with {} rectification tasks, {} documents with {} versions, {} trainings, {} security goals, {} password custody records, {} inspection plans with {} inspections, {} backup plans, {} DR plans with {} drills.",
                started.elapsed().as_secs_f64(),
                report.departments,
                report.users,
                report.assets,
                report.risk.assessments,
                report.risk.risks,
                report.risk.vulnerabilities,
                report.requests,
                report.incidents,
                report.rectifications,
                report.documents,
                report.document_versions,
                report.trainings,
                report.goals,
                report.custody,
                report.inspection_plans,
                report.inspections,
                report.backup_plans,
                report.dr_plans,
                report.drills
            );
            println!(
                "Every demo user signs in with the password {:?}; for example chen.jing (security officer), sun.yan (compliance administrator), wang.na (assessor), zhou.min (committee), ma.chao (auditor), lin.xiaodong (administrator).",
                castellan_app::demo::DEMO_PASSWORD
            );
        }
        Command::Config(_) | Command::Roles { .. } => {}
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    tracing::info!(settings = ?settings, "starting castellan {}", env!("CARGO_PKG_VERSION"));
    let app = App::open(settings).await?;
    let created = bootstrap::ensure_admin(&app).await.map_err(|e| {
        describe(e).context(
            "cannot create the first administrator from admin_user / admin_password (CASTELLAN_ADMIN_USER / CASTELLAN_ADMIN_PASSWORD)",
        )
    })?;
    if let Some(admin) = created {
        match admin.generated_password {
            // Printed once on the console, never logged.
            Some(password) => eprintln!(
                "\n  First start: created the administrator account.\n    username: {}\n    password: {password}\n  Sign in and change this password under \"My account\".\n",
                admin.username
            ),
            None => eprintln!(
                "First start: created the administrator account {:?} with the configured password.",
                admin.username
            ),
        }
    }
    let server = castellan_web::Application::build(app.clone()).await?;
    let addr = app.settings().listen.clone();
    let shown = match addr.rsplit_once(':') {
        Some((host, _)) => format!("{host}:{}", server.port()),
        None => addr,
    };
    tracing::info!(
        database = app.db().redacted_url(),
        ready_ms = started.elapsed().as_millis() as u64,
        "listening on http://{shown}"
    );
    eprintln!("Castellan is ready at http://{shown}");
    server.run_until_stopped().await?;
    Ok(())
}

fn read_password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        let password = line.trim_end_matches(['\r', '\n']).to_owned();
        if password.is_empty() {
            bail!("no password on standard input");
        }
        Ok((password, false))
    } else {
        Ok((castellan_app::secret::new_password(), true))
    }
}

fn parse_role(spec: &str) -> GrantInput {
    match spec.split_once('@') {
        Some((role, dept)) => GrantInput {
            role: role.to_owned(),
            department_id: dept.trim().parse().ok().or(Some(-1)),
        },
        None => GrantInput {
            role: spec.to_owned(),
            department_id: None,
        },
    }
}

fn describe(e: castellan_app::Error) -> anyhow::Error {
    match e {
        castellan_app::Error::Domain(castellan_domain::DomainError::Validation(fields)) => {
            let lines: Vec<String> = fields
                .iter()
                .map(|f| format!("  {}: {}", f.field, f.kind))
                .collect();
            anyhow!("the input is not valid:\n{}", lines.join("\n"))
        }
        other => anyhow!(other),
    }
}

async fn find_user(
    app: &App,
    ctx: &Ctx,
    username: &str,
) -> anyhow::Result<castellan_domain::org::User> {
    let name = castellan_domain::values::Username::parse(username)
        .map_err(|e| anyhow!("{username:?} is not a valid username: {e}"))?;
    let mut conn = app.db().read().await?;
    let found = castellan_store::org::users::get_with_hash(&mut conn, name.as_str())
        .await?
        .ok_or_else(|| anyhow!("there is no user {:?}", name.as_str()))?;
    drop(conn);
    users::get(app, ctx, found.0.id).await.map_err(describe)
}

async fn user_command(app: &App, cmd: UserCommand) -> anyhow::Result<()> {
    let ctx = Ctx::system(RequestMeta {
        client_ip: None,
        request_id: Some("cli".into()),
        user_agent: Some("castellan-cli".into()),
    });
    match cmd {
        UserCommand::Add {
            username,
            display_name,
            email,
            roles,
            password_stdin,
        } => {
            let (password, generated) = read_password(password_stdin)?;
            let input = NewUserInput {
                display_name: display_name.unwrap_or_else(|| username.clone()),
                username,
                email,
                password: password.clone(),
                roles: roles.iter().map(|r| parse_role(r)).collect(),
                ..NewUserInput::default()
            };
            let user = users::create(app, &ctx, &input).await.map_err(describe)?;
            println!("Created user {} (id {}).", user.username, user.id);
            if generated {
                println!("Password: {password}");
            }
        }
        UserCommand::Passwd {
            username,
            password_stdin,
        } => {
            let user = find_user(app, &ctx, &username).await?;
            let (password, generated) = read_password(password_stdin)?;
            users::set_password(app, &ctx, user.id, &password)
                .await
                .map_err(describe)?;
            println!(
                "Set a new password for {}; their sessions and tokens have ended.",
                user.username
            );
            if generated {
                println!("Password: {password}");
            }
        }
        UserCommand::Disable { username } => {
            let user = find_user(app, &ctx, &username).await?;
            let patch = UserPatch {
                status: Some("disabled".into()),
                ..UserPatch::default()
            };
            let user: castellan_domain::org::User =
                users::update(app, &ctx, UserId(user.id.0), &patch, user.version)
                    .await
                    .map_err(describe)?;
            println!(
                "Disabled {}; their sessions and tokens have ended.",
                user.username
            );
        }
    }
    Ok(())
}

/// The permission table as text: one row per (resource, action), one column per role.
pub fn permission_table(lang: Lang) -> String {
    let mut out = String::new();
    let label_width = rules()
        .map(|r| {
            format!("{} {}", r.resource.code(), r.action.code())
                .chars()
                .count()
        })
        .max()
        .unwrap_or(10);
    out.push_str(&format!("{:label_width$}", ""));
    for i in 1..=Role::ALL.len() {
        out.push_str(&format!(" {:>3}", format!("R{i}")));
    }
    out.push('\n');
    for rule in rules() {
        let label = format!("{} {}", rule.resource.code(), rule.action.code());
        out.push_str(&format!("{label:label_width$}"));
        for role in Role::ALL {
            let mark = if role_allows(role, rule.resource, rule.action) {
                "x"
            } else {
                "."
            };
            out.push_str(&format!(" {mark:>3}"));
        }
        if rule.who == Who::AnyUser {
            out.push_str(match lang {
                Lang::En => "  (every signed-in user)",
                Lang::ZhCn => "  （所有登录用户）",
            });
        }
        out.push('\n');
    }
    out.push('\n');
    for (i, role) in Role::ALL.iter().enumerate() {
        out.push_str(&format!(
            "R{:<2} {:<18} {}\n",
            i + 1,
            role.code(),
            role.name(lang)
        ));
    }
    out
}

async fn backup_to(settings: &Settings, file: &Path) -> anyhow::Result<()> {
    let backend = castellan_store::db::backend_of(&settings.database_url)?;
    match backend {
        Backend::Sqlite => {
            let options = DbOptions {
                migrate: false,
                max_connections: 1,
                ..DbOptions::default()
            };
            let db = Db::open(&settings.database_url, &options).await?;
            let bytes = backup::sqlite_snapshot(&db, file).await?;
            db.close().await;
            println!(
                "Wrote a consistent snapshot to {} ({bytes} bytes).",
                file.display()
            );
        }
        Backend::Postgres => {
            if file.exists() {
                bail!("{} already exists; choose a new file name", file.display());
            }
            let (url, password) = split_password(&settings.database_url);
            let mut cmd = std::process::Command::new("pg_dump");
            cmd.arg("--format=custom")
                .arg("--file")
                .arg(file)
                .arg("--dbname")
                .arg(&url);
            if let Some(p) = password {
                cmd.env("PGPASSWORD", p);
            }
            let status = cmd.status().context(
                "cannot run pg_dump; install the PostgreSQL client tools (see docs/operations.md)",
            )?;
            if !status.success() {
                bail!("pg_dump failed ({status})");
            }
            println!("Wrote a pg_dump archive to {}.", file.display());
        }
    }
    Ok(())
}

async fn restore_from(settings: &Settings, file: &Path, yes: bool) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} does not exist or is not a file", file.display());
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!("restore replaces the whole database; pass --yes to confirm");
        }
        eprint!(
            "This replaces the whole database with {}. Stop the server first. Type yes to continue: ",
            file.display()
        );
        let _ = std::io::stderr().flush();
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            bail!("restore cancelled");
        }
    }
    let backend = castellan_store::db::backend_of(&settings.database_url)?;
    match backend {
        Backend::Sqlite => {
            let (_, target) = castellan_store::db::sqlite_url(&settings.database_url)?;
            let version = backup::sqlite_restore(file, &target).await?;
            println!(
                "Restored {} from {} (schema version {version}).",
                target.display(),
                file.display()
            );
        }
        Backend::Postgres => {
            let (url, password) = split_password(&settings.database_url);
            let mut cmd = std::process::Command::new("pg_restore");
            cmd.args([
                "--clean",
                "--if-exists",
                "--no-owner",
                "--single-transaction",
            ])
            .arg("--dbname")
            .arg(&url)
            .arg(file);
            if let Some(p) = password {
                cmd.env("PGPASSWORD", p);
            }
            let status = cmd
                .status()
                .context("cannot run pg_restore; install the PostgreSQL client tools (see docs/operations.md)")?;
            if !status.success() {
                bail!("pg_restore failed ({status})");
            }
            println!("Restored the PostgreSQL database from {}.", file.display());
        }
    }
    Ok(())
}

/// Takes the password out of a URL, so it is passed in the environment rather than on a
/// command line other users can see.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_owned(), None);
    };
    let rest = url.get(scheme_end + 3..).unwrap_or("");
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let authority = rest.get(..authority_end).unwrap_or("");
    let Some(at) = authority.rfind('@') else {
        return (url.to_owned(), None);
    };
    let userinfo = authority.get(..at).unwrap_or("");
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    let stripped = format!(
        "{}{}{}",
        url.get(..scheme_end + 3).unwrap_or(""),
        user,
        rest.get(at..).unwrap_or("")
    );
    (stripped, Some(password.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url() {
        assert_eq!(
            split_password("postgres://c:s3cret@db:5432/x"),
            (
                "postgres://c@db:5432/x".to_owned(),
                Some("s3cret".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://db/x"),
            ("postgres://db/x".to_owned(), None)
        );
    }

    #[test]
    fn the_table_lists_every_rule_and_role() {
        let table = permission_table(Lang::En);
        for rule in rules() {
            assert!(table.contains(&format!("{} {}", rule.resource.code(), rule.action.code())));
        }
        for role in Role::ALL {
            assert!(table.contains(role.code()));
        }
    }
}

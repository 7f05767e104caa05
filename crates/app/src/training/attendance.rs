//! Attendance of a held training: marked on the page (or sent as lines through the API) or
//! imported from a CSV or XLSX file of usernames — UTF-8 or GBK as Excel writes it — with
//! every bad line reported and nothing recorded unless the whole file is right.

use super::plans::manages;
use super::trainings::{load, reads_records};
use crate::audit::{self, Event};
use crate::error::Result;
use crate::{App, Ctx};
use castellan_domain::ids::{DepartmentId, UserId};
use castellan_domain::training::audit::{TrainingAction, TrainingRecord};
use castellan_domain::training::{self as rules, Attendance, TrainingConflict, TrainingStatus};
use castellan_domain::{Action, DomainError, Lang, Resource, Target, Timestamp};
use castellan_store::Conn;
use castellan_store::training::trainings as store;
use castellan_tabular::{ReadOptions, TableReader};

/// The most people a training's attendance page lists.
pub const PAGE_MAX: u32 = 5_000;
/// The most lines an attendance file may have.
pub const FILE_MAX_LINES: u64 = 100_000;

fn forbidden() -> crate::Error {
    DomainError::Forbidden {
        resource: Resource::Training,
        action: Action::Update,
    }
    .into()
}

/// Someone a training is for, with what is recorded for them.
#[derive(Debug, Clone)]
pub struct AudienceLine {
    /// Who.
    pub user_id: UserId,
    /// Username.
    pub username: String,
    /// Name.
    pub display_name: String,
    /// Department.
    pub department_id: Option<DepartmentId>,
    /// Their line, if recorded.
    pub attendance: Option<Attendance>,
}

/// The people a training is for, by name, with their attendance (at most [`PAGE_MAX`]):
/// for training managers and those who read training records.
pub async fn audience(app: &App, ctx: &Ctx, id: i64) -> Result<Vec<AudienceLine>> {
    if !reads_records(ctx) && !manages(ctx) {
        return Err(DomainError::Forbidden {
            resource: Resource::TrainingRecords,
            action: Action::Read,
        }
        .into());
    }
    let mut conn = app.db().read().await?;
    load(&mut conn, id).await?;
    Ok(store::audience(&mut conn, id, PAGE_MAX)
        .await?
        .into_iter()
        .map(
            |(user_id, username, display_name, department_id, attendance)| AudienceLine {
                user_id,
                username,
                display_name,
                department_id,
                attendance,
            },
        )
        .collect())
}

async fn check_recordable(conn: &mut Conn, ctx: &Ctx, id: i64) -> Result<()> {
    if !manages(ctx) {
        return Err(forbidden());
    }
    let (t, plan) = load(conn, id).await?;
    if plan.status != castellan_domain::training::PlanStatus::Approved {
        return Err(TrainingConflict::PlanNotApproved.into());
    }
    if t.status == TrainingStatus::Cancelled {
        return Err(TrainingConflict::Cancelled.into());
    }
    Ok(())
}

async fn write(
    conn: &mut Conn,
    ctx: &Ctx,
    id: i64,
    lines: &[Attendance],
    source: &str,
    now: Timestamp,
) -> Result<()> {
    store::record(conn, id, lines, now).await?;
    let attended = lines.iter().filter(|l| l.attended).count();
    audit::record(
        conn,
        &ctx.actor(),
        Event::new(TrainingAction::Attendance, TrainingRecord::Training, id).after(
            &serde_json::json!({
                "attended": attended, "absent": lines.len() - attended, "source": source,
            }),
        ),
    )
    .await?;
    Ok(())
}

/// An attendance line as given: the person by id, whether they attended, their score.
#[derive(Debug, Clone, Copy)]
pub struct LineInput {
    /// Who.
    pub user_id: i64,
    /// Attended.
    pub attended: bool,
    /// Score (0–100).
    pub score: Option<i64>,
}

/// Records attendance lines (training managers, under an approved plan, not for a cancelled
/// training): each person once, existing users, scores 0–100 — every bad line is refused on
/// `lines[i]` and nothing is recorded. A person's earlier line is replaced.
pub async fn record(app: &App, ctx: &Ctx, id: i64, input: &[LineInput]) -> Result<usize> {
    ctx.principal
        .authorize(Resource::Training, Action::Update, Target::Global)?;
    let mut tx = app.db().begin().await?;
    check_recordable(&mut tx, ctx, id).await?;
    let mut errors = castellan_domain::FieldErrors::new();
    let mut lines: Vec<Attendance> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, l) in input.iter().enumerate() {
        let score = match l.score {
            Some(s) => errors
                .check(&format!("lines[{i}].score"), rules::check_score(s))
                .map(Some),
            None => Some(None),
        };
        if !seen.insert(l.user_id) {
            errors.add(
                format!("lines[{i}].user_id"),
                castellan_domain::FieldErrorKind::Duplicate,
            );
            continue;
        }
        if castellan_store::org::users::get(&mut tx, UserId(l.user_id))
            .await?
            .is_none()
        {
            errors.add(
                format!("lines[{i}].user_id"),
                castellan_domain::FieldErrorKind::NoSuchRecord,
            );
            continue;
        }
        if let Some(score) = score {
            lines.push(Attendance {
                user_id: UserId(l.user_id),
                attended: l.attended,
                score,
            });
        }
    }
    errors.into_result()?;
    write(&mut tx, ctx, id, &lines, "api", Timestamp::now()).await?;
    tx.commit().await?;
    Ok(lines.len())
}

/// A refused line of an attendance file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// The line (0: the whole file).
    pub line: u64,
    /// What is wrong, in English.
    pub en: String,
    /// What is wrong, in Chinese.
    pub zh: String,
}

impl FileProblem {
    /// The message in `lang`.
    pub fn message(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        }
    }
}

/// What an attendance file did.
#[derive(Debug, Clone, Default)]
pub struct FileResult {
    /// Lines recorded (0 when refused).
    pub recorded: usize,
    /// Every refused line; when any, nothing was recorded.
    pub problems: Vec<FileProblem>,
    /// The encoding the file was read in (`UTF-8`, `GB18030`), for CSV.
    pub encoding: Option<&'static str>,
}

fn problem(line: u64, en: String, zh: String) -> FileProblem {
    FileProblem { line, en, zh }
}

/// The column of each header a file may use.
fn column(headers: &[String], names: &[&str]) -> Option<usize> {
    headers.iter().position(|h| {
        let h = h.trim().trim_start_matches('\u{feff}').to_lowercase();
        names.iter().any(|n| h == *n)
    })
}

/// Imports attendance from a CSV or XLSX file at `path` (training managers): a `username`
/// (用户名/账号) column, and optionally `attended` (出勤: yes/no, 是/否, 1/0 — yes when absent)
/// and `score` (成绩, 0–100). Every line is checked first — unknown or disabled usernames,
/// a username given twice, a bad score or mark — and every problem is reported with its line;
/// nothing is recorded unless the whole file is right. A person's earlier line is replaced.
pub async fn import_file(
    app: &App,
    ctx: &Ctx,
    id: i64,
    path: &std::path::Path,
) -> Result<FileResult> {
    ctx.principal
        .authorize(Resource::Training, Action::Update, Target::Global)?;
    {
        let mut conn = app.db().read().await?;
        check_recordable(&mut conn, ctx, id).await?;
    }
    let limits = ReadOptions {
        max_rows: FILE_MAX_LINES,
        ..ReadOptions::default()
    };
    let path = path.to_owned();
    // Reading and checking the lines' shape happens off the async threads.
    let parsed = tokio::task::spawn_blocking(
        move || -> std::result::Result<_, castellan_tabular::ReadError> {
            let reader = TableReader::open(&path, &limits)?;
            let encoding = reader.encoding().map(castellan_tabular::Encoding::label);
            let headers = reader.headers().to_vec();
            let mut rows = Vec::new();
            for r in reader {
                let r = r?;
                rows.push(r);
            }
            Ok((encoding, headers, rows))
        },
    )
    .await
    .map_err(crate::Error::internal)?;
    let (encoding, headers, rows) = match parsed {
        Ok(p) => p,
        Err(e) => {
            let (en, zh) = read_error(&e);
            return Ok(FileResult {
                recorded: 0,
                problems: vec![problem(0, en, zh)],
                encoding: None,
            });
        }
    };
    let mut out = FileResult {
        encoding,
        ..FileResult::default()
    };
    let Some(user_col) = column(&headers, &["username", "用户名", "账号", "user"]) else {
        out.problems.push(problem(
            1,
            "The file needs a username column (username, 用户名 or 账号).".into(),
            "文件需要用户名列（username、用户名或账号）。".into(),
        ));
        return Ok(out);
    };
    let attended_col = column(&headers, &["attended", "出勤", "是否出勤"]);
    let score_col = column(&headers, &["score", "成绩", "分数"]);
    // Shape first: usernames, marks, scores, duplicates.
    let mut first_line: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
    let mut parsed_lines: Vec<(u64, String, bool, Option<u8>)> = Vec::with_capacity(rows.len());
    for r in &rows {
        let cell = |i: Option<usize>| {
            i.and_then(|i| r.cells.get(i))
                .map(|s| s.trim())
                .unwrap_or("")
        };
        let name = cell(Some(user_col)).to_lowercase();
        if name.is_empty() {
            out.problems.push(problem(
                r.line,
                "The username is empty.".into(),
                "用户名为空。".into(),
            ));
            continue;
        }
        if let Some(first) = first_line.get(&name) {
            out.problems.push(problem(
                r.line,
                format!("{name} is listed twice (first on line {first})."),
                format!("{name} 重复出现（首次在第 {first} 行）。"),
            ));
            continue;
        }
        first_line.insert(name.clone(), r.line);
        let attended = match cell(attended_col).to_lowercase().as_str() {
            "" | "yes" | "y" | "1" | "true" | "是" | "出勤" | "√" => Some(true),
            "no" | "n" | "0" | "false" | "否" | "缺勤" | "×" => Some(false),
            other => {
                out.problems.push(problem(
                    r.line,
                    format!("The attendance mark {other:?} is not yes or no."),
                    format!("出勤标记“{other}”应为“是”或“否”。"),
                ));
                None
            }
        };
        let score = match cell(score_col) {
            "" => Some(None),
            s => match s
                .parse::<i64>()
                .ok()
                .and_then(|n| rules::check_score(n).ok())
            {
                Some(n) => Some(Some(n)),
                None => {
                    out.problems.push(problem(
                        r.line,
                        format!("The score {s:?} is not a whole number from 0 to 100."),
                        format!("成绩“{s}”应为 0–100 的整数。"),
                    ));
                    None
                }
            },
        };
        if let (Some(a), Some(s)) = (attended, score) {
            parsed_lines.push((r.line, name, a, s));
        }
    }
    // Then the people, in bulk.
    let names: Vec<String> = parsed_lines.iter().map(|(_, n, _, _)| n.clone()).collect();
    let mut tx = app.db().begin().await?;
    check_recordable(&mut tx, ctx, id).await?;
    let found: std::collections::HashMap<String, (UserId, bool)> =
        store::users_by_name(&mut tx, &names)
            .await?
            .into_iter()
            .map(|(n, id, active)| (n, (id, active)))
            .collect();
    let mut lines = Vec::with_capacity(parsed_lines.len());
    for (line, name, attended, score) in parsed_lines {
        match found.get(&name) {
            Some((user, true)) => lines.push(Attendance {
                user_id: *user,
                attended,
                score,
            }),
            Some((_, false)) => out.problems.push(problem(
                line,
                format!("{name} is disabled."),
                format!("{name} 已停用。"),
            )),
            None => out.problems.push(problem(
                line,
                format!("No user is called {name}."),
                format!("不存在用户名为 {name} 的用户。"),
            )),
        }
    }
    if rows.is_empty() {
        out.problems.push(problem(
            0,
            "The file has no lines.".into(),
            "文件中没有数据行。".into(),
        ));
    }
    if !out.problems.is_empty() {
        out.problems.sort_by_key(|p| p.line);
        return Ok(out);
    }
    write(&mut tx, ctx, id, &lines, "file", Timestamp::now()).await?;
    tx.commit().await?;
    out.recorded = lines.len();
    Ok(out)
}

fn read_error(e: &castellan_tabular::ReadError) -> (String, String) {
    let en = e.to_string();
    (
        format!("The file cannot be read: {en}"),
        format!("无法读取该文件：{en}"),
    )
}

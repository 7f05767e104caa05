//! The `castellan` command, run as a real process.

use crate::audit_trail::drop_append_only_guard;
use crate::both;
use crate::harness::{Backend, TestApp};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Output, Stdio};

fn castellan(url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_castellan"))
        .args(args)
        .env("CASTELLAN_DATABASE_URL", url)
        .env_remove("CASTELLAN_CONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run castellan");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

both! {
    async fn user_management_and_audit_verification_from_the_host(b: Backend) {
        let t = TestApp::new(b).await;
        let url = t.database_url.clone();
        let o = tokio::task::spawn_blocking({
            let url = url.clone();
            move || castellan(&url, &["user", "add", "Ops.Lead", "--display-name", "运维负责人", "--role", "security_admin", "--role", "auditor", "--password-stdin"], Some("a perfectly good passphrase\n"))
        }).await.unwrap();
        assert!(o.status.success(), "{}", out(&o));
        assert!(out(&o).contains("Created user ops.lead"));
        let r = t.post("/api/v1/auth/login").json(&serde_json::json!({"username": "ops.lead", "password": "a perfectly good passphrase"})).send().await;
        assert_eq!(r.status, axum::http::StatusCode::OK);
        let mut roles: Vec<String> = r.json()["user"]["roles"].as_array().unwrap().iter().map(|g| g["role"].as_str().unwrap().to_owned()).collect();
        roles.sort();
        assert_eq!(roles, vec!["auditor", "security_admin"]);

        // Bad input is explained, and nothing is created.
        let o = castellan(&url, &["user", "add", "x", "--role", "wizard", "--password-stdin"], Some("short\n"));
        assert!(!o.status.success());
        let text = out(&o);
        assert!(text.contains("roles[0].role") && text.contains("password"), "{text}");

        // A generated password is printed once.
        let o = castellan(&url, &["user", "passwd", "ops.lead"], None);
        assert!(o.status.success(), "{}", out(&o));
        let printed = String::from_utf8_lossy(&o.stdout).lines().find_map(|l| l.strip_prefix("Password: ").map(str::to_owned)).unwrap();
        assert_eq!(printed.len(), 20);
        let o = castellan(&url, &["user", "disable", "ops.lead"], None);
        assert!(o.status.success(), "{}", out(&o));
        let o = castellan(&url, &["user", "disable", "ghost"], None);
        assert!(!o.status.success() && out(&o).contains("no user"), "{}", out(&o));

        // The chain is intact; the CLI's own changes are in it, by "system".
        let o = castellan(&url, &["audit", "verify"], None);
        assert!(o.status.success(), "{}", out(&o));
        assert!(out(&o).contains("intact"));
        let log = t.get("/api/v1/audit-log?limit=200").token(&t.admin_token).send().await.json();
        assert!(log["items"].as_array().unwrap().iter().any(|e| e["actor"] == "system" && e["action"] == "password_reset"));

        // Tampering makes it fail and name the entry.
        drop_append_only_guard(&t).await;
        t.raw_sql("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2").await;
        let o = castellan(&url, &["audit", "verify"], None);
        assert_eq!(o.status.code(), Some(1));
        assert!(out(&o).contains("#2"), "{}", out(&o));
    }
}

#[test]
fn print_default_and_roles_need_no_database() {
    let o = castellan("mysql://not-used", &["config", "print-default"], None);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("database_url = \"sqlite://castellan.db\""));
    let o = castellan("mysql://not-used", &["roles"], None);
    assert!(o.status.success());
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("audit_log read") && text.contains("security_officer"));
    let o = castellan("mysql://not-used", &["roles", "--lang", "zh-CN"], None);
    assert!(String::from_utf8_lossy(&o.stdout).contains("审计员"));
}

#[test]
fn clear_errors_for_bad_urls_paths_and_ports() {
    let o = castellan("mysql://localhost/x", &["migrate"], None);
    assert!(!o.status.success());
    assert!(out(&o).contains("unsupported database URL"), "{}", out(&o));
    let o = castellan("sqlite:///definitely/missing/dir/c.db", &["migrate"], None);
    assert!(!o.status.success());
    assert!(out(&o).contains("/definitely/missing/dir"), "{}", out(&o));
    let dir = std::env::temp_dir().join(format!("castellan-port-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = busy.local_addr().unwrap().port();
    let url = format!("sqlite://{}", dir.join("c.db").display());
    let o = Command::new(env!("CARGO_BIN_EXE_castellan"))
        .args(["serve"])
        .env("CASTELLAN_DATABASE_URL", &url)
        .env("CASTELLAN_LISTEN", format!("127.0.0.1:{port}"))
        .env("CASTELLAN_ADMIN_PASSWORD", "a perfectly good passphrase")
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(out(&o).contains("already in use"), "{}", out(&o));
    let o = castellan(&url, &["migrate"], None);
    assert!(o.status.success(), "{}", out(&o));
    assert!(out(&o).contains("up to date"), "{}", out(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// Starts `castellan serve` on a free port and talks to it over a real socket.
#[test]
fn serve_creates_the_admin_and_answers_over_http() {
    let dir = std::env::temp_dir().join(format!("castellan-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_castellan"))
        .args(["serve"])
        .env(
            "CASTELLAN_DATABASE_URL",
            format!("sqlite://{}", dir.join("c.db").display()),
        )
        .env("CASTELLAN_LISTEN", "127.0.0.1:0")
        .env("CASTELLAN_LOG", "warn")
        .env_remove("CASTELLAN_ADMIN_PASSWORD")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut password = None;
    let mut port = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(p) = line.trim().strip_prefix("password: ") {
            password = Some(p.to_owned());
        }
        if let Some(addr) = line.strip_prefix("Castellan is ready at http://") {
            port = addr.rsplit(':').next().and_then(|p| p.parse::<u16>().ok());
            break;
        }
    }
    let port = port.expect("ready line");
    let password = password.expect("generated password printed once");
    let get = |path: &str| {
        let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = String::new();
        s.read_to_string(&mut buf).unwrap();
        buf
    };
    assert!(get("/healthz").starts_with("HTTP/1.1 200"));
    assert!(get("/readyz").contains("\"ok\""));
    let body = format!("{{\"username\":\"admin\",\"password\":\"{password}\"}}");
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(s, "POST /api/v1/auth/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
    let mut buf = String::new();
    s.read_to_string(&mut buf).unwrap();
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    child.kill().ok();
    child.wait().ok();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn sqlite_backup_and_restore() {
    let t = TestApp::new(Backend::Sqlite).await;
    t.department("Before backup", None).await;
    let dir = std::env::temp_dir().join(format!("castellan-bk-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("snapshot.db");
    let url = t.database_url.clone();
    // A snapshot while the application is running.
    let o = castellan(&url, &["backup", file.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", out(&o));
    let o = castellan(&url, &["backup", file.to_str().unwrap()], None);
    assert!(!o.status.success() && out(&o).contains("already exists"));
    t.department("After backup", None).await;
    assert_eq!(t.count("departments").await, 2);
    // Restore into a separate database file and check its contents.
    let target = dir.join("restored.db");
    let target_url = format!("sqlite://{}", target.display());
    let o = castellan(&target_url, &["restore", file.to_str().unwrap()], None);
    assert!(
        !o.status.success() && out(&o).contains("--yes"),
        "{}",
        out(&o)
    );
    let o = castellan(
        &target_url,
        &["restore", "--yes", file.to_str().unwrap()],
        None,
    );
    assert!(o.status.success(), "{}", out(&o));
    let o = castellan(&target_url, &["audit", "verify"], None);
    assert!(o.status.success(), "{}", out(&o));
    let restored = castellan_app::App::open(castellan_app::Settings {
        database_url: target_url.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let mut conn = restored.db().read().await.unwrap();
    assert_eq!(
        castellan_store::org::departments::count(&mut conn)
            .await
            .unwrap(),
        1
    );
    drop(conn);
    restored.db().close().await;
    // Not a backup: refused, the target untouched.
    let junk = dir.join("junk.db");
    std::fs::write(&junk, b"hello, this is not a database at all").unwrap();
    let o = castellan(
        &target_url,
        &["restore", "--yes", junk.to_str().unwrap()],
        None,
    );
    assert!(
        !o.status.success() && out(&o).contains("not a SQLite database"),
        "{}",
        out(&o)
    );
    let _ = std::fs::remove_dir_all(dir);
}

//! The `smartdmv` command line against a running server's databases, and the demo command.

use reqwest::{Method, StatusCode};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::both_backends;
use crate::helpers::{Backend, Options, TestApp, eventually, json};

both_backends!(
    cli_company_commands_reach_running_servers_within_a_second,
    demo_command_serves_the_demo_companies,
);

async fn cli_company_commands_reach_running_servers_within_a_second(b: Backend) {
    // A short resolver TTL, as in production: another process's changes show within it.
    let app = TestApp::spawn_with(
        b,
        Options {
            resolve_ttl_ms: Some(500),
            ..Options::default()
        },
    )
    .await;
    let out = app.cli(&["migrate", "owner"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(0 applied)"));

    let out = app.cli(&[
        "company",
        "create",
        "--name",
        "Cli Clinic",
        "--subdomain",
        "cli-clinic",
        "--contact-email",
        "o@cli.example",
        "--admin-email",
        "boss@cli.example",
        "--admin-name",
        "Boss",
        "--admin-password",
        "a-long-password-1",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = app.cli(&["company", "list"]);
    let listed = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        listed.contains("cli-clinic") && listed.contains("ACTIVE"),
        "{listed}"
    );
    let (s, body) = json(app.public_practices("cli-clinic").await).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.to_string().contains("Cli Clinic"));

    let out = app.cli(&["company", "suspend", "cli-clinic"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let started = Instant::now();
    let suspended = eventually(|| async {
        app.public_practices("cli-clinic").await.status() == StatusCode::FORBIDDEN
    })
    .await;
    assert!(suspended, "the running server never saw the suspension");
    assert!(started.elapsed() < Duration::from_secs(3));

    let out = app.cli(&["company", "reactivate", "cli-clinic"]);
    assert!(out.status.success());
    assert!(
        eventually(|| async {
            app.public_practices("cli-clinic").await.status() == StatusCode::OK
        })
        .await
    );
    let out = app.cli(&[
        "company",
        "add-domain",
        "cli-clinic",
        "cli-clinic.example",
        "--verified",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        eventually(|| async {
            app.host("cli-clinic.example", Method::GET, "/api/public/practices")
                .send()
                .await
                .unwrap()
                .status()
                == StatusCode::OK
        })
        .await
    );
    // A platform user from the command line, password on standard input.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_smartdmv"))
        .args([
            "owner",
            "create-user",
            "--email",
            "ca@cli.example",
            "--role",
            "COMPANY_ADMIN",
            "--company",
            "cli-clinic",
        ])
        .env("DATA_DIR", app.data_dir.path())
        .env("SMARTDMV_SECRET_KEY", crate::helpers::SECRET)
        .env("OWNER_DATABASE_URL", app.config.owner_url())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"cli-long-password-3\n")
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let ca = app
        .owner_login("ca@cli.example", "cli-long-password-3")
        .await;
    let (_, me) = app
        .platform_call(&ca, Method::GET, "/api/owner/auth/me", None)
        .await;
    assert_eq!(me["role"], "COMPANY_ADMIN");
    let out = app.cli(&[
        "owner",
        "create-user",
        "--email",
        "x@cli.example",
        "--role",
        "OWNER",
        "--password",
        "short",
    ]);
    assert!(!out.status.success(), "a short password is refused");

    let out = app.cli(&["company", "show", "nobody"]);
    assert!(!out.status.success());
    let out = app.cli(&[
        "company",
        "create",
        "--name",
        "X",
        "--subdomain",
        "www",
        "--contact-email",
        "o@x.example",
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("reserved"));
}

/// The README's first command: `smartdmv demo` prints working URLs and credentials.
async fn demo_command_serves_the_demo_companies(b: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_smartdmv"));
    cmd.args(["demo", "--listen", &format!("127.0.0.1:{port}")])
        .env("DATA_DIR", dir.path())
        .env("RUST_LOG", "warn")
        .env_remove("OWNER_DATABASE_URL")
        .env_remove("TENANT_DATABASE_SERVER")
        .env_remove("DATABASE_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let prefix = format!("smt_{}_", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    if let Backend::Postgres(url) = &b {
        cmd.env("OWNER_DATABASE_URL", format!("{url}/{prefix}owner"))
            .env("TENANT_DATABASE_SERVER", url)
            .env("SMARTDMV_TENANT_DB_PREFIX", &prefix);
    }
    let mut child = KillOnDrop(cmd.spawn().unwrap());
    let stdout = child.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            text.push_str(&line);
            text.push('\n');
            if line.contains("Stop with Ctrl-C") {
                let _ = tx.send(text.clone());
            }
        }
    });
    let banner = rx.recv_timeout(Duration::from_secs(60));
    let result = async {
        let banner = banner.expect("demo did not start in time");
        assert!(banner.contains("owner@platform.example / demo-password-2026"), "{banner}");
        assert!(
            banner.contains(&format!(
                "http://demo-vet.localhost:{port}/api/public/practices"
            )),
            "{banner}"
        );
        assert!(banner.contains(&format!(
            "http://happy-paws.localhost:{port}/api/public/practices"
        )));
        assert!(banner.contains("admin@demo-vet.example / demo-password-2026"));
        let client = reqwest::Client::new();
        for (host, name) in [
            ("demo-vet", "Demo Veterinary Clinic"),
            ("happy-paws", "Happy Paws Animal Hospital"),
        ] {
            let r = client
                .get(format!("http://127.0.0.1:{port}/api/public/practices"))
                .header("host", format!("{host}.localhost:{port}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
            assert!(r.text().await.unwrap().contains(name));
        }
        let login: serde_json::Value = client
            .post(format!("http://127.0.0.1:{port}/api/owner/auth/login"))
            .header("host", format!("localhost:{port}"))
            .json(&serde_json::json!({"email": "owner@platform.example", "password": "demo-password-2026"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = login["token"].as_str().expect("owner login").to_owned();
        // The demo's staff can sign in on their company's host.
        let r = client
            .post(format!("http://127.0.0.1:{port}/api/auth/login"))
            .header("host", format!("demo-vet.localhost:{port}"))
            .json(&serde_json::json!({"email": "vet@demo-vet.example", "password": "demo-password-2026"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = client
            .get(format!("http://127.0.0.1:{port}/api/owner/companies"))
            .header("host", format!("localhost:{port}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
    }
    .await;
    drop(child);
    if let Backend::Postgres(url) = &b {
        crate::helpers::drop_test_databases(url, &prefix).await;
    }
    result
}

/// Kills the child process however the test ends.
struct KillOnDrop(std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

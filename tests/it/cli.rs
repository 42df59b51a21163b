//! The binary as an operator meets it: `--help`, configuration errors (exit 2,
//! one line, no secrets), `migrate`, and a clean exit on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SETTINGS: [&str; 10] = [
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "STAFFLOOP_LISTEN",
    "STAFFLOOP_REMINDER_HOURS",
    "STAFFLOOP_RUBRIC",
    "STAFFLOOP_TEMPLATES",
    "STAFFLOOP_HIRING_TEAM_GROUP",
];

fn staffloop() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_staffloop"));
    // Start from a clean slate: no inherited Slack settings, no .env pickup.
    for var in SETTINGS {
        c.env_remove(var);
    }
    c.current_dir(tempfile::tempdir().unwrap().keep());
    c
}

#[test]
fn help_documents_every_setting() {
    let out = staffloop().args(["serve", "--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for var in SETTINGS {
        assert!(help.contains(var), "{var} missing from --help");
    }
    let top = String::from_utf8(staffloop().arg("--help").output().unwrap().stdout).unwrap();
    assert!(top.contains("serve") && top.contains("migrate"));
}

#[test]
fn bad_settings_exit_2_with_one_line_naming_the_variable() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[], "SLACK_BOT_TOKEN"),
        (&[("SLACK_BOT_TOKEN", "xoxb-1")], "SLACK_SIGNING_SECRET"),
        (
            &[
                ("SLACK_BOT_TOKEN", "not-a-bot-token-s3cret"),
                ("SLACK_SIGNING_SECRET", "x"),
            ],
            "SLACK_BOT_TOKEN",
        ),
        (
            &[
                ("SLACK_BOT_TOKEN", "xoxb-1"),
                ("SLACK_SIGNING_SECRET", "x"),
                ("STAFFLOOP_LISTEN", "everywhere"),
            ],
            "STAFFLOOP_LISTEN",
        ),
        (
            &[
                ("SLACK_BOT_TOKEN", "xoxb-1"),
                ("SLACK_SIGNING_SECRET", "x"),
                ("DATABASE_URL", "mysql://u:pw-s3cret@h/db"),
            ],
            "DATABASE_URL",
        ),
        (
            &[
                ("SLACK_BOT_TOKEN", "xoxb-1"),
                ("SLACK_SIGNING_SECRET", "x"),
                ("SLACK_API_URL", "slack"),
            ],
            "SLACK_API_URL",
        ),
    ];
    for (env, variable) in cases {
        let mut c = staffloop();
        c.arg("serve");
        for (k, v) in *env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{variable}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.contains(variable), "{err}");
        assert!(
            !err.contains("panicked") && !err.contains("s3cret"),
            "{err}"
        );
    }
}

/// Secrets never ride on the command line, where `ps` shows them.
#[test]
fn secrets_are_not_accepted_as_flags() {
    for flag in [
        "--slack-bot-token",
        "--slack-signing-secret",
        "--slack-app-token",
    ] {
        let out = staffloop()
            .args(["serve", flag, "xoxb-flag-s3cret"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{flag}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(err.contains("unexpected argument"), "{err}");
    }
    for cmd in ["serve", "migrate"] {
        let out = staffloop()
            .args([
                cmd,
                "--database-url",
                "postgres://u:pw-s3cret@127.0.0.1:9/db",
            ])
            .env("SLACK_BOT_TOKEN", "xoxb-1")
            .env("SLACK_SIGNING_SECRET", "x")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{cmd}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains("DATABASE_URL") && !err.contains("s3cret"),
            "{err}"
        );
    }
    let help = String::from_utf8(
        staffloop()
            .args(["serve", "--help"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert!(help.contains("environment or .env only"), "{help}");
    assert!(!help.contains("--slack-bot-token"), "{help}");
}

#[test]
fn migrate_creates_the_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/fresh.db", dir.path().display());
    let out = staffloop()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.path().join("fresh.db").exists());
    // Twice is fine.
    assert!(staffloop()
        .arg("migrate")
        .env("DATABASE_URL", &url)
        .output()
        .unwrap()
        .status
        .success());
}

#[tokio::test]
async fn sigterm_stops_the_service_cleanly() {
    let database_url = crate::common::fresh_database_url().await;
    let free = || {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (port, ops_port) = (free(), free());
    let slack = crate::common::fake_slack::FakeSlack::start().await;
    let mut child = staffloop()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-test")
        .env("SLACK_SIGNING_SECRET", "secret")
        .env("SLACK_API_URL", &slack.api_url)
        .env("DATABASE_URL", &database_url)
        .env("STAFFLOOP_LISTEN", format!("127.0.0.1:{port}"))
        .env("STAFFLOOP_METRICS_LISTEN", format!("127.0.0.1:{ops_port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let http = reqwest::Client::new();
    loop {
        if let Ok(r) = http
            .get(format!("http://127.0.0.1:{ops_port}/healthz"))
            .send()
            .await
        {
            assert_eq!(r.status(), 200);
            break;
        }
        assert!(Instant::now() < deadline, "service never answered /healthz");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let mut logs = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut logs).unwrap();
    assert_eq!(status.code(), Some(0), "{logs}");
    assert!(logs.contains("staffloop listening"), "{logs}");
    assert!(
        !logs.contains("secret") && !logs.contains("xoxb-test"),
        "{logs}"
    );
}

/// `serve` checks its token with `auth.test` first: a refused token stops
/// it with exit 2 and one line naming the variable and Slack's error, before
/// anything is created or served.
// Several threads: the fake Slack answers while this one waits on the child.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_bot_token_stops_start_up() {
    use crate::common::fake_slack::{FakeSlack, Scripted};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("refused.db");
    for code in ["invalid_auth", "token_revoked"] {
        let slack = FakeSlack::start().await;
        slack.script("auth.test", [Scripted::Error(code)]);
        let out = staffloop()
            .arg("serve")
            .env("SLACK_BOT_TOKEN", "xoxb-revoked-0123")
            .env("SLACK_SIGNING_SECRET", "secret")
            .env("SLACK_API_URL", &slack.api_url)
            .env("DATABASE_URL", format!("sqlite://{}", db.display()))
            .env("STAFFLOOP_LISTEN", "127.0.0.1:0")
            .env("STAFFLOOP_METRICS_LISTEN", "127.0.0.1:0")
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains("SLACK_BOT_TOKEN") && err.contains(code),
            "{err}"
        );
        assert!(!err.contains("xoxb-revoked"), "{err}");
        assert_eq!(slack.auth_tests(), 1);
        assert!(slack.calls().is_empty());
        assert!(!db.exists(), "nothing created before the token is checked");
    }
}

#[test]
fn a_broken_rubric_stops_start_up_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ours.rubric");
    let shipped = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rubric/default.rubric"
    ))
    .unwrap();
    let broken = shipped.replacen("[throughput]", "[thruput]", 1);
    let line = broken.lines().position(|l| l == "[thruput]").unwrap() + 1;
    std::fs::write(&path, broken).unwrap();
    let out = staffloop()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .env("SLACK_SIGNING_SECRET", "x")
        .env("STAFFLOOP_RUBRIC", &path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.contains("STAFFLOOP_RUBRIC")
            && err.contains(&format!("line {line}"))
            && err.contains("thruput"),
        "{err}"
    );

    let out = staffloop()
        .arg("serve")
        .env("SLACK_BOT_TOKEN", "xoxb-1")
        .env("SLACK_SIGNING_SECRET", "x")
        .env("STAFFLOOP_REMINDER_HOURS", "0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)
        .unwrap()
        .contains("STAFFLOOP_REMINDER_HOURS"));
}

fn default_template() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/templates/default.template"
    ))
    .unwrap()
}

/// The 1-based line of the first line of `text` that is exactly `line`.
fn line_of(text: &str, line: &str) -> usize {
    text.lines().position(|l| l == line).unwrap() + 1
}

/// A stage section of the default template, from its `[stage]` line to the next.
fn section<'a>(text: &'a str, title: &str) -> &'a str {
    let start = text.find(&format!("[stage]\ntitle: {title}\n")).unwrap();
    let end = text[start + 1..]
        .find("[stage]")
        .map(|e| start + 1 + e)
        .unwrap_or(text.len());
    &text[start..end]
}

/// `staffloop template check` on `text` saved as `name` in `dir`: the exit
/// code and what it printed.
fn check(dir: &std::path::Path, name: &str, text: &str) -> (Option<i32>, String) {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    let out = staffloop()
        .args(["template", "check"])
        .arg(&path)
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stdout).unwrap())
}

#[test]
fn template_check_prints_each_finding_with_its_line_and_exits_by_errors() {
    let dir = tempfile::tempdir().unwrap();
    let shipped = default_template();
    let (code, text) = check(dir.path(), "default.template", &shipped);
    assert_eq!(code, Some(0));
    assert!(
        text.contains("6 stages") && text.contains("0 error(s), 0 warning(s)"),
        "{text}"
    );

    // Warnings only: exit 0, each with its line, rule and reason.
    let warned = format!(
        "{shipped}\n[stage]\ntitle: Second coding round\nkind: coding\nlength: 60\npanel: 1\n"
    );
    let (code, text) = check(dir.path(), "warned.template", &warned);
    assert_eq!(code, Some(0));
    let stage_line = warned
        .rfind("[stage]")
        .map(|i| warned[..i].lines().count() + 1)
        .unwrap();
    assert!(
        text.contains(&format!(
            "warned.template:{stage_line}: warning [two-coding-rounds] Stage 7 (Second coding round): a second coding round"
        )),
        "{text}"
    );
    // A whole-loop finding has no line.
    assert!(
        text.contains("warned.template: warning [interviewer-time] about 10 h 15 min"),
        "{text}"
    );
    assert!(text.contains("0 error(s), 2 warning(s)"), "{text}");

    // An error: exit 1.
    let broken = shipped.replace("panel: 2", "panel: 3");
    let (code, text) = check(dir.path(), "broken.template", &broken);
    assert_eq!(code, Some(1));
    let dive = line_of(&broken, "title: Design-document deep-dive") - 1;
    assert!(
        text.contains(&format!("broken.template:{dive}: error [deep-dive-panel]")),
        "{text}"
    );

    // Not a template at all: exit 1 with the line; unreadable: exit 2.
    let (code, text) = check(
        dir.path(),
        "garbled.template",
        "name: x\n[stage]\ntitle: A\nkind: lunch\n",
    );
    assert_eq!(code, Some(1));
    assert!(
        text.contains("garbled.template:4: error: unknown kind `lunch`"),
        "{text}"
    );
    let out = staffloop()
        .args(["template", "check"])
        .arg(dir.path().join("missing.template"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_template_with_an_error_stops_start_up_naming_its_line() {
    let shipped = default_template();
    let doc = section(&shipped, "Written design document");
    let without_doc = shipped.replacen(doc, "", 1);
    let coding = without_doc.find("[stage]\ntitle: Coding round").unwrap();
    let late_doc = format!("{}{doc}{}", &without_doc[..coding], &without_doc[coding..]);
    let late_line = late_doc[..late_doc.find(doc).unwrap()].lines().count() + 1;
    let screen = line_of(&shipped, "title: Hiring-manager screen") - 1;
    let dive = line_of(&shipped, "title: Design-document deep-dive") - 1;
    let cases: Vec<(String, usize, &str)> = vec![
        (
            shipped
                .replace("probes: all", "probes: scope_of_judgement")
                .replace(
                    "probes: cross_team_influence, mentorship_at_distance",
                    "probes: cross_team_influence",
                ),
            1,
            "no stage scores Technical mentorship at distance",
        ),
        (
            shipped.replacen(
                "probes: scope_of_judgement\n",
                "probes: scope_of_judgement, architectural_decisions, cross_team_influence\n",
                1,
            ),
            screen,
            "probes more than two dimensions",
        ),
        (without_doc, 1, "there is no written design document"),
        (late_doc, late_line, "comes after its deep-dive"),
        (
            shipped.replace("panel: 2", "panel: 1"),
            dive,
            "the deep-dive panel is 1",
        ),
        (
            shipped.replace("kind: bar_raiser", "kind: bar-raiser"),
            line_of(&shipped, "kind: bar_raiser"),
            "unknown kind `bar-raiser`",
        ),
    ];
    for (text, line, problem) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ours.template"), &text).unwrap();
        let out = staffloop()
            .arg("serve")
            .env("SLACK_BOT_TOKEN", "xoxb-1")
            .env("SLACK_SIGNING_SECRET", "x")
            .env("STAFFLOOP_TEMPLATES", dir.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{problem}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(
            err.contains("STAFFLOOP_TEMPLATES")
                && err.contains(&format!("ours.template:{line}:"))
                && err.contains(problem),
            "{problem} at line {line}: {err}"
        );
    }
}

#[test]
fn the_readme_sample_template_passes_the_check() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let shape = &readme[readme.find("## Shape your loop").unwrap()..];
    let start = shape.find("```\n").unwrap() + 4;
    let sample = &shape[start..start + shape[start..].find("```").unwrap()];
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = check(dir.path(), "sample.template", sample);
    assert_eq!(code, Some(0), "{text}");
}

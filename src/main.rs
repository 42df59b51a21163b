//! The `staffloop` binary: parse the command line, set up logging, hand over
//! to the library.

use clap::{Args, Parser, Subcommand};
use staffloop::config::{check_database_url, RawConfig};
use std::process::ExitCode;
use tokio_util::sync::CancellationToken;

#[derive(Parser)]
#[command(
    name = "staffloop",
    version,
    about = "A Slack bot that runs a staff-engineer interview loop with locked, hidden scorecards."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the bot: Slack HTTP endpoints (or Socket Mode), the outbox worker and /healthz.
    Serve(Box<ServeArgs>),
    /// Apply database migrations and exit.
    Migrate(MigrateArgs),
    /// Print a whole loop (plan, cards, addenda, decisions, audit trail) as JSON.
    Export(ExportArgs),
    /// Reports from the hiring data.
    Report {
        #[command(subcommand)]
        report: ReportCommand,
    },
    /// See it without a workspace: run a whole loop against a simulated
    /// Slack (no tokens), and write a transcript to open in a browser.
    Demo(DemoArgs),
    /// Loop templates.
    Template {
        #[command(subcommand)]
        template: TemplateCommand,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// Folder for the transcript (index.html); created if missing.
    #[arg(long, default_value = "staffloop-demo")]
    out: std::path::PathBuf,
}

#[derive(Subcommand)]
enum TemplateCommand {
    /// Print the loop linter's findings for a template file; exit 0 when it
    /// has no errors, 1 when it has, 2 when it cannot be read.
    Check {
        /// The template file (see templates/default.template).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand)]
enum ReportCommand {
    /// The downlevel rate: where decided staff loops ended, with diagnostics.
    Downlevel(DownlevelArgs),
    /// Interviewer calibration: each interviewer's offset from the rest of
    /// the panel, level calls against decisions, and the panel's agreement
    /// (Krippendorff's alpha) by dimension and stage.
    Calibration(CalibrationArgs),
    /// What the loop predicted: per stage and interviewer, Spearman's rho
    /// between loop scores and on-the-job check-in scores per dimension.
    Validity(ReportOutput),
}

/// What every report reads and how it prints.
#[derive(Args)]
struct ReportOutput {
    /// text for people, json for other tools.
    #[arg(long, default_value = "text", value_parser = ["text", "json"])]
    format: String,
    /// The workspace (team id); needed only when several share the database.
    #[arg(long)]
    team: Option<String>,
    /// Database: sqlite://FILE, or postgres://USER@HOST/DB (set DATABASE_URL, in the environment or .env, for a URL with a password).
    #[arg(long)]
    database_url: Option<String>,
}

impl ReportOutput {
    /// Prints `value` as JSON, or as the text `text` draws of it.
    fn print<T: serde::Serialize>(&self, value: &T, text: fn(&T) -> String) -> anyhow::Result<()> {
        if self.format == "json" {
            println!("{}", serde_json::to_string_pretty(value)?);
        } else {
            println!("{}", text(value));
        }
        Ok(())
    }
}

#[derive(Args)]
struct CalibrationArgs {
    /// Trailing window, e.g. 90d, 365d.
    #[arg(long, default_value = "90d")]
    window: String,
    #[command(flatten)]
    out: ReportOutput,
}

#[derive(Args)]
struct DownlevelArgs {
    /// Trailing window, e.g. 30d, 90d, 365d.
    #[arg(long, default_value = "90d")]
    window: String,
    #[command(flatten)]
    out: ReportOutput,
    /// Also queue the report for the report channel (a running `staffloop serve` delivers it).
    #[arg(long)]
    post: bool,
    /// Diagnostic thresholds [default: at_level=0.30,downlevel=0.50,no_hire=0.60,min_sample=5].
    #[arg(long, env = "STAFFLOOP_DIAGNOSTICS")]
    diagnostics: Option<String>,
    /// Report channel used with --post when the workspace has not chosen one.
    #[arg(long, env = "STAFFLOOP_REPORT_CHANNEL")]
    report_channel: Option<String>,
}

#[derive(Args)]
struct ExportArgs {
    /// The loop: its id, channel id or channel name.
    #[arg(long = "loop")]
    loop_ref: String,
    /// Export even though the debrief has not started, and include the hire's on-the-job check-ins (logged and audited).
    #[arg(long)]
    force: bool,
    /// Database: sqlite://FILE, or postgres://USER@HOST/DB (set DATABASE_URL, in the environment or .env, for a URL with a password).
    #[arg(long)]
    database_url: Option<String>,
}

#[derive(Args)]
struct MigrateArgs {
    /// Database: sqlite://FILE, or postgres://USER@HOST/DB (set DATABASE_URL, in the environment or .env, for a URL with a password).
    #[arg(long)]
    database_url: Option<String>,
}

/// Secrets are read from the environment (or `.env`) only: a flag would
/// show them to anyone who can list processes.
const SECRETS_HELP: &str = "Secrets (environment or .env only, never flags):
  SLACK_BOT_TOKEN       Bot User OAuth Token (xoxb-…); required
  SLACK_SIGNING_SECRET  verifies Slack's HTTP requests; required in HTTP mode
  SLACK_APP_TOKEN       app-level token (xapp-…); when set, the bot runs in Socket Mode
  DATABASE_URL          the database URL, when it carries a password";

#[derive(Args)]
#[command(after_help = SECRETS_HELP)]
struct ServeArgs {
    /// Slack Web API base URL [default: https://slack.com/api].
    #[arg(long, env = "SLACK_API_URL")]
    slack_api_url: Option<String>,
    /// Database: sqlite://FILE (created if missing), or postgres://USER@HOST/DB; a URL with a password only in DATABASE_URL [default: sqlite://staffloop.db].
    #[arg(long)]
    database_url: Option<String>,
    /// Address to listen on for Slack's requests (and nothing else) [default: 0.0.0.0:3000].
    #[arg(long, env = "STAFFLOOP_LISTEN")]
    listen: Option<String>,
    /// Address for /metrics and /healthz, apart from Slack's port [default: 127.0.0.1:3001].
    #[arg(long, env = "STAFFLOOP_METRICS_LISTEN")]
    metrics_listen: Option<String>,
    /// Hours after a stage ends before a missing scorecard brings a reminder, and between reminders [default: 4].
    #[arg(long, env = "STAFFLOOP_REMINDER_HOURS")]
    reminder_hours: Option<String>,
    /// Path to an edited rubric file (see rubric/default.rubric) [default: the built-in rubric].
    #[arg(long, env = "STAFFLOOP_RUBRIC")]
    rubric: Option<String>,
    /// Folder of loop templates (*.template; see templates/default.template) [default: the built-in loop only].
    #[arg(long, env = "STAFFLOOP_TEMPLATES")]
    templates: Option<String>,
    /// Slack user group id (S…) of the hiring team: a bar raiser from it is flagged.
    #[arg(long, env = "STAFFLOOP_HIRING_TEAM_GROUP")]
    hiring_team_group: Option<String>,
    /// Days after the decision before the loop channel is archived; 0 = never [default: 14].
    #[arg(long, env = "STAFFLOOP_ARCHIVE_DAYS")]
    archive_days: Option<String>,
    /// Hours before each live stage that its interviewers get a prep DM; 0 = at the stage's start [default: 24].
    #[arg(long, env = "STAFFLOOP_PREP_HOURS")]
    prep_hours: Option<String>,
    /// Days a practice debrief counts: panelists who have not calibrated in this long are named when a loop opens; 0 = never [default: 180].
    #[arg(long, env = "STAFFLOOP_CALIBRATION_DAYS")]
    calibration_days: Option<String>,
    /// Months after a hire starts that their manager gets an on-the-job check-in, comma-separated; off = none [default: 6,12].
    #[arg(long, env = "STAFFLOOP_CHECKIN_MONTHS")]
    checkin_months: Option<String>,
    /// Minutes into the debrief that the final vote opens by itself; 0 = only by the hiring manager's button [default: 30].
    #[arg(long, env = "STAFFLOOP_FINAL_VOTE_MINUTES")]
    final_vote_minutes: Option<String>,
    /// native: Slack's own table and charts (a PNG where a workspace refuses them); png: always the PNG drawings [default: native].
    #[arg(long, env = "STAFFLOOP_CHARTS")]
    charts: Option<String>,
    /// Days delivered Slack messages and seen event ids are kept before they are purged [default: 30].
    #[arg(long, env = "STAFFLOOP_RETENTION_DAYS")]
    retention_days: Option<String>,
    /// Comma-separated Slack user ids who may record decisions besides the hiring manager.
    #[arg(long, env = "STAFFLOOP_ADMINS")]
    admins: Option<String>,
    /// Channel id for the weekly downlevel report (an admin can also set it with /staffloop report-channel).
    #[arg(long, env = "STAFFLOOP_REPORT_CHANNEL")]
    report_channel: Option<String>,
    /// Weekday of the weekly report [default: mon].
    #[arg(long, env = "STAFFLOOP_REPORT_DAY")]
    report_day: Option<String>,
    /// Local time of the weekly report, HH:MM [default: 09:00].
    #[arg(long, env = "STAFFLOOP_REPORT_TIME")]
    report_time: Option<String>,
    /// IANA time zone of the weekly report [default: UTC].
    #[arg(long, env = "STAFFLOOP_REPORT_TZ")]
    report_tz: Option<String>,
    /// Diagnostic thresholds [default: at_level=0.30,downlevel=0.50,no_hire=0.60,min_sample=5].
    #[arg(long, env = "STAFFLOOP_DIAGNOSTICS")]
    diagnostics: Option<String>,
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        tracing_subscriber::EnvFilter::new("info,slack_morphism=warn,sqlx=warn")
    });
    // Colours only for a person at a terminal, never in a log file.
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .init();
}

/// A secret, from the environment (which `.env` has filled in).
fn secret(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The database URL: `--database-url`, else `DATABASE_URL`. A URL with a
/// password is refused as a flag, where `ps` would show it.
fn database_url(flag: Option<String>) -> Result<Option<String>, String> {
    match flag {
        Some(url) if staffloop::config::has_password(&url) => Err(
            "--database-url carries a password, which anyone can read in the process list; \
             set DATABASE_URL in the environment or .env instead"
                .to_string(),
        ),
        Some(url) => Ok(Some(url)),
        None => Ok(std::env::var("DATABASE_URL").ok()),
    }
}

fn config_error(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("staffloop: configuration error: {e}");
    ExitCode::from(2)
}

async fn shutdown_signal(token: CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    tracing::info!("shutting down: finishing in-flight work");
    token.cancel();
}

async fn report_downlevel(
    url: &str,
    args: &DownlevelArgs,
    days: i64,
    thresholds: &staffloop::domain::metrics::Thresholds,
) -> anyhow::Result<()> {
    use staffloop::report;
    let db = staffloop::store::Db::connect(url, 2).await?;
    let team = report::pick_team(&db, args.out.team.as_deref()).await?;
    let now = chrono::Utc::now().timestamp();
    let r = report::downlevel(&db, &team, days, now, thresholds).await?;
    args.out.print(&r, staffloop::slack::views::report::text)?;
    if args.post {
        let own = staffloop::store::metrics::teams(&db)
            .await?
            .into_iter()
            .find(|(t, _)| *t == team)
            .and_then(|(_, c)| c);
        let Some(channel) = own.or_else(|| args.report_channel.clone()) else {
            anyhow::bail!(
                "no report channel: set STAFFLOOP_REPORT_CHANNEL or run /staffloop report-channel"
            );
        };
        let mut tx = db.begin().await?;
        staffloop::jobs::report::enqueue_post(&mut tx, &team, &channel, r.window_days, r.to, now)
            .await?;
        tx.commit().await?;
        eprintln!("queued for #{channel}; a running `staffloop serve` delivers it");
    }
    db.close().await;
    Ok(())
}

/// A report's database URL and window, checked.
fn url_and_window(url: Option<String>, window: &str) -> Result<(String, i64), String> {
    let url = database_url(url).and_then(|u| check_database_url(u).map_err(|e| e.to_string()))?;
    let days = staffloop::report::parse_window_days(window)
        .ok_or_else(|| format!("--window: {window:?} is not a number of days such as 90d"))?;
    Ok((url, days))
}

async fn report_calibration(url: &str, args: &CalibrationArgs, days: i64) -> anyhow::Result<()> {
    use staffloop::report;
    let db = staffloop::store::Db::connect(url, 2).await?;
    let team = report::pick_team(&db, args.out.team.as_deref()).await?;
    let now = chrono::Utc::now().timestamp();
    let r = report::calibration(&db, &team, days, now, Default::default()).await?;
    args.out
        .print(&r, staffloop::slack::views::report::calibration_text)?;
    db.close().await;
    Ok(())
}

async fn report_validity(url: &str, args: &ReportOutput) -> anyhow::Result<()> {
    use staffloop::report;
    let db = staffloop::store::Db::connect(url, 2).await?;
    let team = report::pick_team(&db, args.team.as_deref()).await?;
    let v = report::validity(&db, &team).await?;
    args.print(&v, staffloop::slack::views::report::validity_text)?;
    db.close().await;
    Ok(())
}

fn main() -> ExitCode {
    limit_malloc_arenas();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(e) => {
            eprintln!("staffloop: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Rust's allocations go to mimalloc. A request's memory is often freed on
/// another runtime thread than the one that allocated it: glibc's malloc
/// then takes the other arena's lock, and flat out on two cores those locks
/// were contended (about 4% of the CPU waiting in futex calls). mimalloc
/// frees across threads without a lock: +12-22% requests per second on the
/// side-by-side benchmark. Its build settings are in `.cargo/config.toml`.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// glibc's malloc still serves SQLite. It gives each thread that allocates
/// under contention an arena of its own, and keeps what is freed there:
/// several megabytes resident for nothing. Two arenas serve a two-core
/// service as fast (measured with the side-by-side benchmark).
/// Set before any thread starts.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any
    // other thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

/// The exit code of a command that ran: failure with its error's chain.
fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("staffloop: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `staffloop demo`: the story runs quietly (warnings only, unless RUST_LOG
/// says otherwise); then one line says where the page is.
async fn demo(out: &std::path::Path) -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
    match staffloop::demo::run(out).await {
        Ok(done) => {
            println!(
                "Wrote {} in {:.1} s: one loop from open to decision ({} Slack calls), after {} past loops. Open it in a browser.",
                done.index.display(),
                done.elapsed.as_secs_f64(),
                done.slack_calls,
                done.past_loops
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("staffloop demo failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// `staffloop template check FILE`: the file's form, then every finding of
/// the linter, one per line with its line number, then a count.
fn template_check(path: &std::path::Path) -> ExitCode {
    use staffloop::domain::{lint, Template};
    let name = path.display();
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{name}: cannot read it: {e}");
            return ExitCode::from(2);
        }
    };
    let id = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("template");
    let template = match Template::parse(id, &text) {
        Ok(t) => t,
        Err(e) => {
            println!("{name}:{}: error: {}", e.line, e.problem);
            println!("1 error: the file cannot be read as a template");
            return ExitCode::FAILURE;
        }
    };
    let mut findings = lint::template(&template);
    // In file order; findings about the loop as a whole come last.
    findings.sort_by_key(|f| (f.line == 0, f.line));
    for f in &findings {
        let severity = if f.is_error() { "error" } else { "warning" };
        let place = match f.line {
            0 => format!("{name}"),
            line => format!("{name}:{line}"),
        };
        println!(
            "{place}: {severity} [{}] {}",
            f.rule.key(),
            staffloop::messages::finding_text(f)
        );
    }
    let errors = findings.iter().filter(|f| f.is_error()).count();
    let stages = template
        .stages
        .iter()
        .map(|s| s.title.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    println!(
        "{}: {} stages ({stages}); {errors} error(s), {} warning(s)",
        template.name,
        template.stages.len(),
        findings.len() - errors
    );
    if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

async fn run() -> ExitCode {
    // A local .env, when present, fills in what the environment does not set.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    match cli.command {
        Command::Demo(args) => demo(&args.out).await,
        Command::Template {
            template: TemplateCommand::Check { file },
        } => template_check(&file),
        Command::Migrate(args) => {
            let url = match database_url(args.database_url)
                .and_then(|u| check_database_url(u).map_err(|e| e.to_string()))
            {
                Ok(url) => url,
                Err(e) => return config_error(e),
            };
            init_logging();
            let result = async {
                let db = staffloop::store::Db::connect(&url, 1).await?;
                db.migrate().await?;
                db.close().await;
                anyhow::Ok(())
            }
            .await;
            match result {
                Ok(()) => {
                    println!("migrations applied");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("staffloop: {e:#}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Report {
            report: ReportCommand::Downlevel(args),
        } => {
            let (url, days) = match url_and_window(args.out.database_url.clone(), &args.window) {
                Ok(x) => x,
                Err(e) => return config_error(e),
            };
            let thresholds = match args
                .diagnostics
                .as_deref()
                .map(staffloop::config::parse_thresholds)
            {
                None => Default::default(),
                Some(Ok(t)) => t,
                Some(Err(e)) => return config_error(format!("STAFFLOOP_DIAGNOSTICS: {e}")),
            };
            init_logging();
            finish(report_downlevel(&url, &args, days, &thresholds).await)
        }
        Command::Report {
            report: ReportCommand::Calibration(args),
        } => {
            let (url, days) = match url_and_window(args.out.database_url.clone(), &args.window) {
                Ok(x) => x,
                Err(e) => return config_error(e),
            };
            init_logging();
            finish(report_calibration(&url, &args, days).await)
        }
        Command::Report {
            report: ReportCommand::Validity(args),
        } => {
            let url = match database_url(args.database_url.clone())
                .and_then(|u| check_database_url(u).map_err(|e| e.to_string()))
            {
                Ok(url) => url,
                Err(e) => return config_error(e),
            };
            init_logging();
            finish(report_validity(&url, &args).await)
        }
        Command::Export(args) => {
            let url = match database_url(args.database_url)
                .and_then(|u| check_database_url(u).map_err(|e| e.to_string()))
            {
                Ok(url) => url,
                Err(e) => return config_error(e),
            };
            init_logging();
            let db = match staffloop::store::Db::connect(&url, 1).await {
                Ok(db) => db,
                Err(e) => {
                    eprintln!("staffloop: {e:#}");
                    return ExitCode::FAILURE;
                }
            };
            let now = chrono::Utc::now().timestamp();
            use staffloop::export::{export, ExportError};
            let code = match export(&db, &args.loop_ref, args.force, now).await {
                Ok(v) => {
                    println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    ExitCode::SUCCESS
                }
                Err(ExportError::NotFound) => {
                    eprintln!("staffloop: no loop {:?}", args.loop_ref);
                    ExitCode::FAILURE
                }
                Err(ExportError::NotRevealed) => {
                    eprintln!("staffloop: that loop's debrief has not started, so its cards are still hidden; an operator may add --force");
                    ExitCode::FAILURE
                }
                Err(ExportError::Other(e)) => {
                    eprintln!("staffloop: {e:#}");
                    ExitCode::FAILURE
                }
            };
            db.close().await;
            code
        }
        Command::Serve(args) => {
            let database_url = match database_url(args.database_url) {
                Ok(url) => url,
                Err(e) => return config_error(e),
            };
            let raw = RawConfig {
                bot_token: secret("SLACK_BOT_TOKEN"),
                signing_secret: secret("SLACK_SIGNING_SECRET"),
                app_token: secret("SLACK_APP_TOKEN"),
                slack_api_url: args.slack_api_url,
                database_url,
                listen: args.listen,
                metrics_listen: args.metrics_listen,
                reminder_hours: args.reminder_hours,
                rubric_path: args.rubric,
                templates_dir: args.templates,
                hiring_team_group: args.hiring_team_group,
                archive_days: args.archive_days,
                retention_days: args.retention_days,
                prep_hours: args.prep_hours,
                calibration_days: args.calibration_days,
                checkin_months: args.checkin_months,
                final_vote_minutes: args.final_vote_minutes,
                charts: args.charts,
                admins: args.admins,
                report_channel: args.report_channel,
                report_day: args.report_day,
                report_time: args.report_time,
                report_tz: args.report_tz,
                diagnostics: args.diagnostics,
            };
            let config = match raw.validate() {
                Ok(c) => c,
                Err(e) => return config_error(e),
            };
            init_logging();
            let app = match staffloop::App::build(config).await {
                Ok(app) => app,
                Err(e) if e.is::<staffloop::slack::client::TokenRefused>() => {
                    return config_error(e);
                }
                Err(e) => {
                    eprintln!("staffloop: {e:#}");
                    return ExitCode::FAILURE;
                }
            };
            let token = CancellationToken::new();
            tokio::spawn(shutdown_signal(token.clone()));
            finish(app.run(token).await)
        }
    }
}

//! Typed configuration from environment variables (each also a flag). Every
//! value is checked once at start; a bad one names the variable and exits 2.
//! Secrets are wrapped so that no `Debug` or log line can print them.

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

/// A secret string whose `Debug` and `Display` never reveal it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

pub const DEFAULT_SLACK_API_URL: &str = "https://slack.com/api";
pub const DEFAULT_DATABASE_URL: &str = "sqlite://staffloop.db";
pub const DEFAULT_LISTEN: &str = "0.0.0.0:3000";
/// `/metrics` and `/healthz` listen on loopback by default: operators only.
pub const DEFAULT_METRICS_LISTEN: &str = "127.0.0.1:3001";
pub const DEFAULT_REMINDER_HOURS: i64 = 4;
pub const DEFAULT_ARCHIVE_DAYS: i64 = 14;
/// Longest allowed archive delay, in days.
pub const MAX_ARCHIVE_DAYS: i64 = 3650;
/// Longest allowed reminder interval, in hours (a week).
pub const MAX_REMINDER_HOURS: i64 = 168;

/// Knobs the service needs but an operator rarely touches; tests shorten them.
#[derive(Clone, Debug)]
pub struct Tuning {
    /// How often the outbox worker looks for due deliveries without a nudge.
    pub outbox_poll: Duration,
    /// First retry delay after a 5xx or network error; doubles per attempt.
    pub outbox_retry_base: Duration,
    /// Longest delay between two retries.
    pub outbox_retry_max: Duration,
    /// Attempts (not counting 429s) before a delivery is marked failed.
    pub outbox_max_attempts: i64,
    /// How long a claimed delivery is reserved for one worker.
    pub outbox_lease: Duration,
    /// Deliveries in flight at once (different loops proceed in parallel).
    pub outbox_concurrency: usize,
    /// One Slack call may take this long before it counts as a network error.
    pub slack_call_timeout: Duration,
    /// Database pool size.
    pub db_max_connections: u32,
    /// Run the outbox worker in this process.
    pub run_outbox_worker: bool,
    /// Run the job scheduler in this process.
    pub run_scheduler: bool,
    /// How often the scheduler looks for due jobs without a nudge.
    pub jobs_poll: Duration,
    /// A missing card brings a reminder this many hours after its stage
    /// ended, and again every as many hours (STAFFLOOP_REMINDER_HOURS).
    pub reminder_after_hours: i64,
    /// Days after the decision before the loop channel is archived; 0 never
    /// (STAFFLOOP_ARCHIVE_DAYS).
    pub archive_after_days: i64,
    /// Days delivered outbox rows and seen event ids are kept
    /// (STAFFLOOP_RETENTION_DAYS).
    pub retention_days: i64,
    /// Timeouts and the connection cap of both HTTP listeners.
    pub http_limits: crate::server::Limits,
    /// Hours before a live stage that each interviewer gets a prep DM
    /// (STAFFLOOP_PREP_HOURS); at once when the loop opens later than that.
    pub prep_hours: i64,
    /// Days a practice debrief counts: a panelist who has not calibrated in
    /// this many days is named in the open form and the plan, and the weekly
    /// post says calibration has gone stale (STAFFLOOP_CALIBRATION_DAYS; 0
    /// turns both off).
    pub calibration_days: i64,
    /// Months after a hire starts that their manager gets an on-the-job
    /// check-in (STAFFLOOP_CHECKIN_MONTHS; empty or `off`: none).
    pub checkin_months: Vec<i64>,
    /// Minutes after the debrief starts that the final vote opens by itself
    /// (STAFFLOOP_FINAL_VOTE_MINUTES; 0: only when the hiring manager opens it).
    pub final_vote_minutes: i64,
    /// Milliseconds a hiring manager's Home refresh after a card waits for
    /// more cards to join it (`effects::HOME_SETTLE_MS`; the demo uses 0).
    pub home_settle_ms: i64,
    /// Draw the reveal's grid and the weekly trend as PNG uploads instead of
    /// Slack's native table and charts (STAFFLOOP_CHARTS=png).
    pub charts_png: bool,
    /// Socket Mode: how often the bot pings the socket...
    pub socket_ping_every: Duration,
    /// ...and how long without any frame before it counts the socket dead
    /// and reconnects.
    pub socket_dead_after: Duration,
}

/// Hours before a live stage that its interviewers are briefed, by default.
pub const DEFAULT_PREP_HOURS: i64 = 24;

/// Minutes into the debrief that the final vote opens by itself, by default.
pub const DEFAULT_FINAL_VOTE_MINUTES: i64 = 30;

/// Months after a hire starts that their manager is asked, by default.
pub const DEFAULT_CHECKIN_MONTHS: [i64; 2] = [6, 12];
/// The latest check-in that can be asked for, in months.
pub const MAX_CHECKIN_MONTHS: i64 = 60;

/// Days a practice debrief counts, by default.
pub const DEFAULT_CALIBRATION_DAYS: i64 = 180;

/// Days delivered effects and seen event ids are kept, by default.
pub const DEFAULT_RETENTION_DAYS: i64 = 30;

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            outbox_poll: Duration::from_millis(500),
            outbox_retry_base: Duration::from_secs(2),
            // Retries reach the cap in about a minute, then try every minute:
            // a Slack outage of a quarter of an hour loses nothing, and a
            // shorter one is caught up within a minute of Slack returning.
            outbox_retry_max: Duration::from_secs(60),
            outbox_max_attempts: 20,
            // Longer than one Slack call may take (slack_call_timeout), so a
            // live delivery keeps its claim; short enough that a crashed
            // replica's claims are picked up again within half a minute.
            outbox_lease: Duration::from_secs(30),
            outbox_concurrency: 16,
            slack_call_timeout: Duration::from_secs(20),
            db_max_connections: 16,
            run_outbox_worker: true,
            run_scheduler: true,
            jobs_poll: Duration::from_secs(5),
            reminder_after_hours: DEFAULT_REMINDER_HOURS,
            archive_after_days: DEFAULT_ARCHIVE_DAYS,
            retention_days: DEFAULT_RETENTION_DAYS,
            http_limits: crate::server::Limits::default(),
            prep_hours: DEFAULT_PREP_HOURS,
            calibration_days: DEFAULT_CALIBRATION_DAYS,
            checkin_months: DEFAULT_CHECKIN_MONTHS.to_vec(),
            final_vote_minutes: DEFAULT_FINAL_VOTE_MINUTES,
            home_settle_ms: crate::effects::HOME_SETTLE_MS,
            charts_png: false,
            socket_ping_every: Duration::from_secs(10),
            socket_dead_after: Duration::from_secs(30),
        }
    }
}

/// When and where the weekly downlevel report goes, and its thresholds.
#[derive(Clone, Debug)]
pub struct ReportConfig {
    /// Default report channel for every workspace (an admin can set another).
    pub channel: Option<String>,
    pub weekday: chrono::Weekday,
    pub hour: u32,
    pub minute: u32,
    pub tz: chrono_tz::Tz,
    pub thresholds: crate::domain::metrics::Thresholds,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            channel: None,
            weekday: chrono::Weekday::Mon,
            hour: 9,
            minute: 0,
            tz: chrono_tz::UTC,
            thresholds: Default::default(),
        }
    }
}

/// Reads `key=value` thresholds (at_level, downlevel, no_hire, min_sample).
pub fn parse_thresholds(raw: &str) -> Result<crate::domain::metrics::Thresholds, String> {
    let mut t = crate::domain::metrics::Thresholds::default();
    for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("{part:?} is not key=value"))?;
        let share = || {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| format!("{k} must be a share between 0 and 1"))
        };
        match k.trim() {
            "at_level" => t.at_level_max = share()?,
            "downlevel" => t.downlevel_min = share()?,
            "no_hire" => t.no_hire_min = share()?,
            "min_sample" => {
                t.min_sample = v
                    .trim()
                    .parse()
                    .map_err(|_| "min_sample must be a whole number".to_string())?
            }
            other => {
                return Err(format!(
                    "unknown key {other:?} (at_level, downlevel, no_hire, min_sample)"
                ))
            }
        }
    }
    Ok(t)
}

#[derive(Clone)]
pub struct Config {
    pub bot_token: Secret,
    /// Required for the HTTP routes; optional in Socket Mode.
    pub signing_secret: Option<Secret>,
    /// When set, the bot receives its traffic over Socket Mode.
    pub app_token: Option<Secret>,
    /// Slack Web API base, without a trailing slash.
    pub slack_api_url: String,
    pub database_url: String,
    pub listen: SocketAddr,
    /// `/metrics` and `/healthz`, apart from the public port.
    pub metrics_listen: SocketAddr,
    pub tuning: Tuning,
    pub rubric: crate::domain::Rubric,
    /// The loop templates the open form offers, the default first.
    pub templates: crate::domain::Templates,
    /// A Slack user group (id) holding the hiring team: a bar raiser in it
    /// gets a warning.
    pub hiring_team_group: Option<String>,
    /// Users who may decide and export besides each loop's hiring manager.
    pub admins: Vec<String>,
    pub report: ReportConfig,
}

/// A configuration problem, reported as one line naming the variable.
#[derive(Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.variable, self.problem)
    }
}

impl std::error::Error for ConfigError {}

fn err(variable: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.into(),
    }
}

/// Raw values as they came from flags or the environment; empty means unset.
/// Secrets redacted: the tokens print as `[redacted]`, and the database
/// URL without its password.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("bot_token", &self.bot_token)
            .field("signing_secret", &self.signing_secret)
            .field("app_token", &self.app_token)
            .field("slack_api_url", &self.slack_api_url)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("metrics_listen", &self.metrics_listen)
            .field("tuning", &self.tuning)
            .field("templates", &self.templates.all().len())
            .field("hiring_team_group", &self.hiring_team_group)
            .field("admins", &self.admins)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

fn is_password_key(key: &str) -> bool {
    key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("pass")
}

/// The URL with any password (in its credentials or its query) replaced
/// by `redacted`.
pub fn redact_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("redacted"));
            }
            if u.query_pairs().any(|(k, _)| is_password_key(&k)) {
                let pairs: Vec<(String, String)> = u
                    .query_pairs()
                    .map(|(k, v)| {
                        let v = if is_password_key(&k) {
                            "redacted".into()
                        } else {
                            v.into_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                u.query_pairs_mut().clear().extend_pairs(pairs);
            }
            u.to_string()
        }
        // Unparseable: keep only what comes before any credentials.
        Err(_) => match raw.split_once('@') {
            Some((_, host)) => format!("[redacted]@{host}"),
            None => raw.to_string(),
        },
    }
}

/// True when a URL carries a password (and so must not be a flag).
pub fn has_password(raw: &str) -> bool {
    match url::Url::parse(raw) {
        Ok(u) => u.password().is_some() || u.query_pairs().any(|(k, _)| is_password_key(&k)),
        Err(_) => raw.contains('@'),
    }
}

#[derive(Default)]
pub struct RawConfig {
    pub bot_token: Option<String>,
    pub signing_secret: Option<String>,
    pub app_token: Option<String>,
    pub slack_api_url: Option<String>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
    pub metrics_listen: Option<String>,
    pub reminder_hours: Option<String>,
    pub rubric_path: Option<String>,
    pub templates_dir: Option<String>,
    pub hiring_team_group: Option<String>,
    pub archive_days: Option<String>,
    pub retention_days: Option<String>,
    pub prep_hours: Option<String>,
    pub calibration_days: Option<String>,
    pub checkin_months: Option<String>,
    pub final_vote_minutes: Option<String>,
    pub charts: Option<String>,
    pub admins: Option<String>,
    pub report_channel: Option<String>,
    pub report_day: Option<String>,
    pub report_time: Option<String>,
    pub report_tz: Option<String>,
    pub diagnostics: Option<String>,
}

/// An `address:port` setting, or its default (which also serves as the
/// example in the error).
fn address(
    raw: Option<String>,
    var: &'static str,
    default: &str,
) -> Result<SocketAddr, ConfigError> {
    let raw = present(raw).unwrap_or_else(|| default.to_string());
    raw.parse::<SocketAddr>().map_err(|_| {
        err(
            var,
            format!("{raw:?} is not an address:port such as {default}"),
        )
    })
}

/// A whole-number setting within `range`, if it is set.
fn whole_number(
    raw: Option<String>,
    var: &'static str,
    range: std::ops::RangeInclusive<i64>,
    unit: &str,
) -> Result<Option<i64>, ConfigError> {
    let Some(raw) = present(raw) else {
        return Ok(None);
    };
    let (lo, hi) = (*range.start(), *range.end());
    raw.parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .map(Some)
        .ok_or_else(|| {
            err(
                var,
                format!("{raw:?} is not a whole number of {unit} from {lo} to {hi}"),
            )
        })
}

/// `6,12` → [6, 12]; empty or `off` → none.
fn checkin_months(raw: &str) -> Result<Vec<i64>, ConfigError> {
    let raw = raw.trim();
    if raw.is_empty() || raw.eq_ignore_ascii_case("off") {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for part in raw.split(',') {
        let n = part
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=MAX_CHECKIN_MONTHS).contains(n))
            .ok_or_else(|| {
                err(
                    "STAFFLOOP_CHECKIN_MONTHS",
                    format!("{raw:?} is not a comma-separated list of months from 1 to {MAX_CHECKIN_MONTHS} (or off)"),
                )
            })?;
        if !out.contains(&n) {
            out.push(n);
        }
    }
    out.sort_unstable();
    Ok(out)
}

fn present(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Checks a database URL names a backend we support.
pub fn check_database_url(raw: Option<String>) -> Result<String, ConfigError> {
    let url = present(raw).unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        Err(err(
            "DATABASE_URL",
            "must start with sqlite: or postgres:// (e.g. sqlite://staffloop.db)",
        ))
    }
}

impl RawConfig {
    pub fn validate(self) -> Result<Config, ConfigError> {
        let bot_token = present(self.bot_token).ok_or_else(|| {
            err(
                "SLACK_BOT_TOKEN",
                "is not set; copy the Bot User OAuth Token (xoxb-…) from the app's OAuth page",
            )
        })?;
        if !bot_token.starts_with("xoxb-") {
            return Err(err(
                "SLACK_BOT_TOKEN",
                "must be a bot token starting with xoxb-",
            ));
        }
        let app_token = present(self.app_token);
        if let Some(t) = &app_token {
            if !t.starts_with("xapp-") {
                return Err(err(
                    "SLACK_APP_TOKEN",
                    "must be an app-level token starting with xapp- (or unset for HTTP mode)",
                ));
            }
        }
        let signing_secret = present(self.signing_secret);
        if app_token.is_none() && signing_secret.is_none() {
            return Err(err(
                "SLACK_SIGNING_SECRET",
                "is not set; HTTP mode needs it to verify Slack's requests (or set SLACK_APP_TOKEN for Socket Mode)",
            ));
        }
        let slack_api_url =
            present(self.slack_api_url).unwrap_or_else(|| DEFAULT_SLACK_API_URL.to_string());
        let parsed = url::Url::parse(&slack_api_url)
            .map_err(|e| err("SLACK_API_URL", format!("is not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(err(
                "SLACK_API_URL",
                "must be an http(s) URL such as https://slack.com/api",
            ));
        }
        let slack_api_url = slack_api_url.trim_end_matches('/').to_string();
        let database_url = check_database_url(self.database_url)?;
        let listen = address(self.listen, "STAFFLOOP_LISTEN", DEFAULT_LISTEN)?;
        let metrics_listen = address(
            self.metrics_listen,
            "STAFFLOOP_METRICS_LISTEN",
            DEFAULT_METRICS_LISTEN,
        )?;
        let mut tuning = Tuning::default();
        if let Some(h) = whole_number(
            self.reminder_hours,
            "STAFFLOOP_REMINDER_HOURS",
            1..=MAX_REMINDER_HOURS,
            "hours",
        )? {
            tuning.reminder_after_hours = h;
        }
        if let Some(d) = whole_number(
            self.archive_days,
            "STAFFLOOP_ARCHIVE_DAYS",
            0..=MAX_ARCHIVE_DAYS,
            "days (0 never archives)",
        )? {
            tuning.archive_after_days = d;
        }
        if let Some(h) = whole_number(
            self.prep_hours,
            "STAFFLOOP_PREP_HOURS",
            0..=MAX_REMINDER_HOURS,
            "hours",
        )? {
            tuning.prep_hours = h;
        }
        if let Some(d) = whole_number(
            self.calibration_days,
            "STAFFLOOP_CALIBRATION_DAYS",
            0..=MAX_ARCHIVE_DAYS,
            "days (0 turns the calibration warnings off)",
        )? {
            tuning.calibration_days = d;
        }
        if let Some(n) = whole_number(
            self.final_vote_minutes,
            "STAFFLOOP_FINAL_VOTE_MINUTES",
            0..=24 * 60,
            "minutes (0 opens it only by the hiring manager's button)",
        )? {
            tuning.final_vote_minutes = n;
        }
        if let Some(raw) = present(self.charts) {
            tuning.charts_png = match raw.to_ascii_lowercase().as_str() {
                "native" => false,
                "png" => true,
                _ => {
                    return Err(err(
                        "STAFFLOOP_CHARTS",
                        format!("{raw:?} is neither native nor png"),
                    ))
                }
            };
        }
        if let Some(raw) = self.checkin_months {
            tuning.checkin_months = checkin_months(&raw)?;
        }
        if let Some(d) = whole_number(
            self.retention_days,
            "STAFFLOOP_RETENTION_DAYS",
            1..=MAX_ARCHIVE_DAYS,
            "days",
        )? {
            tuning.retention_days = d;
        }
        let mut admins = Vec::new();
        for raw in present(self.admins)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            let id = crate::domain::UserId::parse(raw).ok_or_else(|| {
                err(
                    "STAFFLOOP_ADMINS",
                    format!("{raw:?} is not a Slack user id such as U012ABCDEF"),
                )
            })?;
            admins.push(id.as_str().to_string());
        }
        let mut report = ReportConfig::default();
        if let Some(raw) = present(self.report_channel) {
            let id = crate::domain::ChannelId::parse(&raw).ok_or_else(|| {
                err(
                    "STAFFLOOP_REPORT_CHANNEL",
                    "must be a channel id such as C012ABCDEF",
                )
            })?;
            report.channel = Some(id.as_str().to_string());
        }
        if let Some(raw) = present(self.report_day) {
            report.weekday = raw.parse::<chrono::Weekday>().map_err(|_| {
                err(
                    "STAFFLOOP_REPORT_DAY",
                    format!("{raw:?} is not a weekday such as mon"),
                )
            })?;
        }
        if let Some(raw) = present(self.report_time) {
            let parsed = chrono::NaiveTime::parse_from_str(&raw, "%H:%M").map_err(|_| {
                err(
                    "STAFFLOOP_REPORT_TIME",
                    format!("{raw:?} is not a time such as 09:00"),
                )
            })?;
            use chrono::Timelike;
            report.hour = parsed.hour();
            report.minute = parsed.minute();
        }
        if let Some(raw) = present(self.report_tz) {
            report.tz = raw.parse::<chrono_tz::Tz>().map_err(|_| {
                err(
                    "STAFFLOOP_REPORT_TZ",
                    format!("{raw:?} is not an IANA time zone such as Europe/Berlin"),
                )
            })?;
        }
        if let Some(raw) = present(self.diagnostics) {
            report.thresholds =
                parse_thresholds(&raw).map_err(|e| err("STAFFLOOP_DIAGNOSTICS", e))?;
        }
        let rubric = match present(self.rubric_path) {
            None => crate::domain::Rubric::default_rubric(),
            Some(path) => {
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| err("STAFFLOOP_RUBRIC", format!("cannot read {path}: {e}")))?;
                crate::domain::Rubric::parse(&text)
                    .map_err(|e| err("STAFFLOOP_RUBRIC", format!("{path}, {e}")))?
            }
        };
        let templates = match present(self.templates_dir) {
            None => crate::domain::Templates::default(),
            Some(dir) => crate::domain::Templates::load_dir(std::path::Path::new(&dir))
                .map_err(|e| err("STAFFLOOP_TEMPLATES", e.to_string()))?,
        };
        let hiring_team_group = present(self.hiring_team_group);
        if let Some(group) = &hiring_team_group {
            if !group.starts_with('S') || !group.chars().all(|c| c.is_ascii_alphanumeric()) {
                return Err(err(
                    "STAFFLOOP_HIRING_TEAM_GROUP",
                    format!("{group:?} is not a Slack user group id (S…)"),
                ));
            }
        }
        Ok(Config {
            bot_token: Secret::new(bot_token),
            signing_secret: signing_secret.map(Secret::new),
            app_token: app_token.map(Secret::new),
            slack_api_url,
            database_url,
            listen,
            metrics_listen,
            tuning,
            rubric,
            templates,
            hiring_team_group,
            admins,
            report,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_in_months_read_as_a_list_or_off() {
        assert_eq!(checkin_months("12, 6,6").unwrap(), vec![6, 12]);
        assert!(checkin_months("").unwrap().is_empty());
        assert!(checkin_months("off").unwrap().is_empty());
        assert!(checkin_months("0").is_err());
        assert!(checkin_months("6,twelve").is_err());
    }

    #[test]
    fn debug_output_redacts_every_secret() {
        let mut r = raw();
        r.database_url = Some("postgres://staffloop:pw-s3cret@db.internal:5432/staffloop".into());
        r.signing_secret = Some("sign-s3cret".into());
        let config = r.validate().unwrap();
        let shown = format!("{config:?}");
        assert!(
            !shown.contains("s3cret") && !shown.contains("xoxb-1"),
            "{shown}"
        );
        assert!(shown.contains("db.internal"), "{shown}");
        assert_eq!(
            redact_url("postgres://u:p@h/db"),
            "postgres://u:redacted@h/db"
        );
        assert_eq!(redact_url("sqlite://staffloop.db"), "sqlite://staffloop.db");
        assert!(has_password("postgres://u:p@h/db") && !has_password("postgres://u@h/db"));
        assert!(has_password("postgres://u@h/db?password=s3cret"));
        assert_eq!(
            redact_url("postgres://u@h/db?sslmode=require&password=s3cret"),
            "postgres://u@h/db?sslmode=require&password=redacted"
        );
    }

    fn raw() -> RawConfig {
        RawConfig {
            bot_token: Some("xoxb-1".into()),
            signing_secret: Some("s3cret".into()),
            ..Default::default()
        }
    }

    #[test]
    fn defaults_apply() {
        let c = raw().validate().unwrap();
        assert_eq!(c.slack_api_url, DEFAULT_SLACK_API_URL);
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.listen.port(), 3000);
    }

    #[test]
    fn errors_name_the_variable() {
        let e = RawConfig::default().validate().unwrap_err();
        assert_eq!(e.variable, "SLACK_BOT_TOKEN");
        let e = RawConfig {
            signing_secret: None,
            ..raw()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.variable, "SLACK_SIGNING_SECRET");
        let e = RawConfig {
            listen: Some("nope".into()),
            ..raw()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.variable, "STAFFLOOP_LISTEN");
        let e = RawConfig {
            database_url: Some("mysql://x".into()),
            ..raw()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.variable, "DATABASE_URL");
        let e = RawConfig {
            slack_api_url: Some("ftp://x".into()),
            ..raw()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.variable, "SLACK_API_URL");
    }

    #[test]
    fn report_settings_parse() {
        let c = RawConfig {
            report_day: Some("fri".into()),
            report_time: Some("16:30".into()),
            report_tz: Some("America/New_York".into()),
            diagnostics: Some("no_hire=0.7, min_sample=8".into()),
            ..raw()
        }
        .validate()
        .unwrap();
        assert_eq!(
            (c.report.weekday, c.report.hour, c.report.minute),
            (chrono::Weekday::Fri, 16, 30)
        );
        assert_eq!(c.report.tz, chrono_tz::America::New_York);
        assert_eq!(
            (
                c.report.thresholds.no_hire_min,
                c.report.thresholds.min_sample
            ),
            (0.7, 8)
        );
        for (field, value, var) in [
            ("tz", "Mars/Olympus", "STAFFLOOP_REPORT_TZ"),
            ("day", "someday", "STAFFLOOP_REPORT_DAY"),
            ("time", "25:00", "STAFFLOOP_REPORT_TIME"),
            ("diag", "no_hire=2", "STAFFLOOP_DIAGNOSTICS"),
            ("chan", "#general", "STAFFLOOP_REPORT_CHANNEL"),
        ] {
            let mut r = raw();
            let v = Some(value.to_string());
            match field {
                "tz" => r.report_tz = v,
                "day" => r.report_day = v,
                "time" => r.report_time = v,
                "diag" => r.diagnostics = v,
                _ => r.report_channel = v,
            }
            assert_eq!(r.validate().unwrap_err().variable, var);
        }
    }

    #[test]
    fn secrets_never_print() {
        let c = RawConfig {
            app_token: Some("xapp-verysecret".into()),
            ..raw()
        }
        .validate()
        .unwrap();
        let shown = format!("{c:?}");
        assert!(!shown.contains("xoxb-1"));
        assert!(!shown.contains("s3cret"));
        assert!(!shown.contains("verysecret"));
    }
}

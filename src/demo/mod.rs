//! `staffloop demo`: a whole loop in seconds, with no Slack and no tokens.
//!
//! The real service runs on a temporary SQLite file and serves its real HTTP
//! routes; a simulated workspace inside the binary (`workspace`) stands in
//! for Slack's Web API. The demo's people act as people do in Slack: they
//! type slash commands, fill in the modals the bot opened (read from what
//! the bot sent), and press the buttons on its messages, each request
//! signed exactly as Slack signs it. A few past loops are run first, so the
//! weekly report and the calibration report have something to say. Then
//! `html` draws the transcript from exactly the Block Kit the bot sent.

pub mod html;
pub mod workspace;

use crate::clock::{Clock, ManualClock};
use crate::config::{Config, ReportConfig, Secret, Tuning};
use crate::domain::{Criterion, StageKind};
use crate::{store, App, AppState};
use anyhow::{anyhow, bail, Context};
use chrono::{DateTime, Duration, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio_util::sync::CancellationToken;
use workspace::{Entry, Workspace, TEAM};

/// The demo's people: fictional, with ids as Slack would give them.
pub const RECRUITER: &str = "U0ROSA001";
pub const HM: &str = "U0HANA001";
pub const DOC: &str = "U0DEV0001";
pub const STAFF: &str = "U0SAM0001";
pub const CODER: &str = "U0CLEO001";
pub const XTEAM: &str = "U0XAVI001";
pub const BAR: &str = "U0BEA0001";
pub const ADMIN: &str = "U0NOOR001";

pub const PEOPLE: [(&str, &str); 9] = [
    (RECRUITER, "Rosa Quinn"),
    (HM, "Hana Moreau"),
    (DOC, "Dev Okafor"),
    (STAFF, "Sam Tanaka"),
    (CODER, "Cleo Park"),
    (XTEAM, "Xavi Ruiz"),
    (BAR, "Bea Lind"),
    (ADMIN, "Noor Haddad"),
    (workspace::BOT_USER, "staffloop"),
];

/// Public channels the people type in.
pub const HIRING: &str = "C0HIRING01";
pub const REPORTS: &str = "C0REPORTS1";
pub const CHANNELS: [(&str, &str); 2] = [(HIRING, "hiring"), (REPORTS, "hiring-reports")];

/// The candidate the transcript follows.
pub const CANDIDATE: &str = "Avery Sample";

/// What the demo wrote, and how it went.
#[derive(Debug)]
pub struct Outcome {
    pub index: PathBuf,
    pub past_loops: usize,
    pub slack_calls: usize,
    pub elapsed: std::time::Duration,
}

/// Runs the demo and writes `out/index.html`.
pub async fn run(out: &Path) -> anyhow::Result<Outcome> {
    let started = std::time::Instant::now();
    let scratch = Scratch::new()?;
    let demo = Demo::start(&scratch.0).await?;
    let result = demo.story().await;
    let log = demo.ws.log();
    let uploads = demo.ws.uploads();
    let violations = demo.ws.violations();
    let past_loops = PAST.len();
    demo.stop().await;
    let from = result?;
    if !violations.is_empty() {
        bail!("the bot broke Slack's Block Kit limits: {violations:?}");
    }
    let slack_calls = log[from..]
        .iter()
        .filter(|e| matches!(e, Entry::Call { .. }))
        .count();
    let page = html::page(&html::Transcript {
        entries: &log[from..],
        uploads: &uploads,
        people: &PEOPLE,
        channels: &CHANNELS,
        candidate: CANDIDATE,
        past_loops,
    });
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let index = out.join("index.html");
    std::fs::write(&index, page).with_context(|| format!("writing {}", index.display()))?;
    Ok(Outcome {
        index,
        past_loops,
        slack_calls,
        elapsed: started.elapsed(),
    })
}

/// A temporary folder for the database, removed when the demo ends.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> anyhow::Result<Scratch> {
        let dir = std::env::temp_dir().join(format!(
            "staffloop-demo-{}-{}",
            std::process::id(),
            store::lease_token()
        ));
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A past loop: who applied at what, how the panel scored, what was decided.
struct Past {
    candidate: &'static str,
    applied: &'static str,
    /// Score every card starts from; each interviewer leans from it.
    base: u8,
    decided: &'static str,
    /// Monday of its interview week, as weeks before the demo's.
    weeks_ago: i64,
}

const PAST: [Past; 5] = [
    Past {
        candidate: "Jordan Placeholder",
        applied: "staff",
        base: 3,
        decided: "staff",
        weeks_ago: 10,
    },
    Past {
        candidate: "Riley Example",
        applied: "staff",
        base: 2,
        decided: "senior",
        weeks_ago: 8,
    },
    Past {
        candidate: "Casey Mockingbird",
        applied: "senior_staff",
        base: 3,
        decided: "staff",
        weeks_ago: 6,
    },
    Past {
        candidate: "Taylor Specimen",
        applied: "staff",
        base: 1,
        decided: "no_hire",
        weeks_ago: 4,
    },
    Past {
        candidate: "Morgan Fixture",
        applied: "staff",
        base: 3,
        decided: "staff",
        weeks_ago: 2,
    },
];

/// How each interviewer leans against the panel (for the calibration report).
fn lean(user: &str) -> i8 {
    match user {
        STAFF => -1,
        BAR => 1,
        _ => 0,
    }
}

/// The Monday the demo's loop is interviewed in (a fixed date, so the
/// transcript is the same on every run).
fn demo_monday() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 16, 8, 0, 0)
        .single()
        .expect("a valid date")
}

/// The panel, stage by stage, as the open form lists it.
const PANEL: [(StageKind, &[&str]); 6] = [
    (StageKind::HmScreen, &[HM]),
    (StageKind::DesignDoc, &[DOC]),
    (StageKind::DeepDive, &[HM, STAFF]),
    (StageKind::Coding, &[CODER]),
    (StageKind::CrossTeam, &[XTEAM]),
    (StageKind::BarRaiser, &[BAR]),
];

/// Hour (UTC) each live stage starts on the interview day.
fn stage_hour(kind: StageKind) -> Option<u32> {
    match kind {
        StageKind::HmScreen => Some(10),
        StageKind::DeepDive => Some(11),
        StageKind::Coding => Some(13),
        StageKind::CrossTeam => Some(14),
        StageKind::BarRaiser => Some(15),
        _ => None,
    }
}

struct Demo {
    ws: Workspace,
    clock: ManualClock,
    state: Arc<AppState>,
    base: String,
    secret: String,
    http: Client<HttpConnector, Full<Bytes>>,
    shutdown: CancellationToken,
    handle: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// A button found on something the bot sent.
struct Button {
    action_id: String,
    value: String,
    block_id: String,
    label: String,
    channel: String,
    ts: String,
}

impl Demo {
    async fn start(dir: &Path) -> anyhow::Result<Demo> {
        let first = demo_monday() - Duration::weeks(PAST[0].weeks_ago) - Duration::days(3);
        let clock = ManualClock::new(first);
        let ws = Workspace::start(Arc::new(clock.clone()), &PEOPLE).await?;
        let secret = store::lease_token();
        let tuning = Tuning {
            outbox_poll: std::time::Duration::from_millis(20),
            outbox_retry_base: std::time::Duration::from_millis(20),
            outbox_retry_max: std::time::Duration::from_millis(200),
            jobs_poll: std::time::Duration::from_millis(20),
            db_max_connections: 4,
            // The HM decides at the reveal; the final vote is left out here.
            final_vote_minutes: 0,
            home_settle_ms: 0,
            ..Tuning::default()
        };
        let config = Config {
            bot_token: Secret::new("xoxb-demo-workspace"),
            signing_secret: Some(Secret::new(secret.clone())),
            app_token: None,
            slack_api_url: ws.api_url.clone(),
            database_url: format!("sqlite://{}", dir.join("staffloop.db").display()),
            listen: "127.0.0.1:0".parse()?,
            metrics_listen: "127.0.0.1:0".parse()?,
            tuning,
            rubric: crate::domain::Rubric::default_rubric(),
            templates: Default::default(),
            hiring_team_group: None,
            admins: vec![ADMIN.to_string()],
            report: ReportConfig {
                channel: Some(REPORTS.to_string()),
                ..Default::default()
            },
        };
        let app = App::build_with_clock(config, Arc::new(clock.clone())).await?;
        let base = format!("http://{}", app.local_addr());
        let state = app.state();
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(app.run(shutdown.clone()));
        Ok(Demo {
            ws,
            clock,
            state,
            base,
            secret,
            http: Client::builder(hyper_util::rt::TokioExecutor::new()).build_http(),
            shutdown,
            handle,
        })
    }

    async fn stop(self) {
        self.shutdown.cancel();
        let _ = self.handle.await;
    }

    /// The whole story; returns where the transcript begins in the log.
    async fn story(&self) -> anyhow::Result<usize> {
        for past in &PAST {
            self.past_loop(past)
                .await
                .with_context(|| format!("the past loop of {}", past.candidate))?;
        }
        // The Monday's own report goes out before the story starts.
        self.at(demo_monday() + Duration::hours(1));
        self.settle().await?;
        let from = self.ws.len();
        self.main_loop().await?;
        Ok(from)
    }

    fn at(&self, t: DateTime<Utc>) {
        self.clock.set(t);
    }

    fn chapter(&self, title: &str) {
        let _ = self.ws.note(Entry::Chapter {
            title: title.to_string(),
            at: self.ws.now(),
        });
    }

    /// A past loop, start to decision, with no one looking.
    async fn past_loop(&self, past: &Past) -> anyhow::Result<()> {
        let monday = demo_monday() - Duration::weeks(past.weeks_ago);
        self.at(monday);
        let channel = self.open_loop(past.candidate, past.applied, monday).await?;
        self.end_design_doc(&channel).await?;
        let day = interview_day(monday);
        for (kind, people) in PANEL {
            let Some(hour) = stage_hour(kind) else {
                continue;
            };
            self.at(stage_end(day, kind, hour));
            self.settle().await?;
            for user in people {
                let score = (past.base as i8 + lean(user)).clamp(1, 4) as u8;
                let rec = level_for(score);
                self.card(user, kind, score, rec, None).await?;
            }
        }
        self.at(day + Duration::minutes(16 * 60 + 31));
        self.settle().await?;
        self.decide(&channel, past.decided, "sample decision for the demo")
            .await?;
        Ok(())
    }

    /// The loop the transcript follows.
    async fn main_loop(&self) -> anyhow::Result<()> {
        let monday = demo_monday();
        self.at(monday + Duration::hours(1));
        self.chapter("Monday: the recruiter opens the loop");
        let channel = self.open_loop(CANDIDATE, "staff", monday).await?;

        self.at(monday + Duration::days(1) + Duration::hours(8));
        self.chapter("Tuesday: the design document is read and scored");
        self.end_design_doc(&channel).await?;
        self.card(DOC, StageKind::DesignDoc, 3, "staff", Some(2))
            .await?;

        let day = interview_day(monday);
        // Each live stage ends; its interviewers are asked for their cards.
        // Hana and Sam disagree about the deep-dive; Xavi never sends his.
        let cards: [(StageKind, Cards); 5] = [
            (StageKind::HmScreen, &[(HM, 3, "staff")]),
            (
                StageKind::DeepDive,
                &[(HM, 4, "senior_staff"), (STAFF, 1, "senior")],
            ),
            (StageKind::Coding, &[(CODER, 3, "staff")]),
            (StageKind::CrossTeam, &[]),
            (StageKind::BarRaiser, &[(BAR, 3, "staff")]),
        ];
        for (kind, people) in cards {
            let hour = stage_hour(kind).unwrap_or(10);
            let end = stage_end(day, kind, hour);
            self.at(end);
            self.chapter(&format!(
                "Wednesday {}: the {} is over",
                end.format("%H:%M"),
                crate::domain::StageSpec::default_for(kind).title
            ));
            self.settle().await?;
            for (user, score, rec) in people {
                self.card(user, kind, *score, rec, Some(*score)).await?;
            }
        }
        self.chapter("Before the debrief: the hiring manager's App Home");
        self.open_home(HM).await?;

        self.at(day + Duration::minutes(16 * 60 + 30));
        self.chapter("Wednesday 16:30: the debrief starts and every card is revealed");
        self.settle().await?;

        self.at(day + Duration::minutes(17 * 60 + 10));
        self.chapter("After the debrief: the hiring manager records the decision");
        self.decide(
            &channel,
            "staff",
            "Strong design judgement; the deep-dive split was talked through",
        )
        .await?;
        self.open_home(HM).await?;

        self.at(monday + Duration::days(7) + Duration::hours(1) + Duration::minutes(1));
        self.chapter("The next Monday: the weekly downlevel report");
        self.settle().await?;
        self.chapter("An admin reads the interviewer calibration report");
        self.command(ADMIN, HIRING, "calibration").await?;
        Ok(())
    }

    /// `/staffloop open`, then the form the bot opened, filled in and sent
    /// (and sent again past its warnings, if it has any). Returns the
    /// loop's channel.
    async fn open_loop(
        &self,
        candidate: &str,
        applied: &str,
        monday: DateTime<Utc>,
    ) -> anyhow::Result<String> {
        let since = self.ws.len();
        self.command(RECRUITER, HIRING, "open").await?;
        let view = self.opened_view(since)?;
        let day = interview_day(monday);
        let mut answers = vec![
            ("candidate_name".to_string(), Answer::Text(candidate.into())),
            ("applied_level".to_string(), Answer::Choose(applied.into())),
            ("hiring_manager".to_string(), Answer::User(HM.into())),
            (
                "debrief_at".to_string(),
                Answer::At(day + Duration::minutes(16 * 60 + 30)),
            ),
            (
                "design_doc_url".to_string(),
                Answer::Text("https://docs.example.com/sample-design-doc".into()),
            ),
        ];
        for (i, (kind, people)) in PANEL.iter().enumerate() {
            let prefix = format!("stage_{}_{}", i + 1, kind.key());
            answers.push((
                format!("{prefix}_who"),
                Answer::Users(people.iter().map(|p| p.to_string()).collect()),
            ));
            if let Some(hour) = stage_hour(*kind) {
                answers.push((
                    format!("{prefix}_at"),
                    Answer::At(day + Duration::hours(i64::from(hour))),
                ));
            }
        }
        let mut reply = self
            .submit(RECRUITER, &view, &fill(&view, &answers)?)
            .await?;
        if reply["response_action"] == "errors" && reply["errors"]["acknowledge"].is_string() {
            answers.push(("acknowledge".into(), Answer::Tick));
            reply = self
                .submit(RECRUITER, &view, &fill(&view, &answers)?)
                .await?;
        }
        if !reply.is_null() {
            bail!("the open form was refused: {reply}");
        }
        self.settle().await?;
        let created = self
            .ws
            .log()
            .into_iter()
            .skip(since)
            .find_map(|e| match e {
                Entry::Call { method, answer, .. } if method == "conversations.create" => {
                    answer["channel"]["id"].as_str().map(str::to_string)
                }
                _ => None,
            })
            .ok_or_else(|| anyhow!("no channel was created for {candidate}"))?;
        Ok(created)
    }

    /// The hiring manager ends the (untimed) design-document stage.
    async fn end_design_doc(&self, channel: &str) -> anyhow::Result<()> {
        self.command(HM, channel, "done doc").await?;
        self.settle().await
    }

    /// `user` opens their card from the prompt's button, fills it in and
    /// sends it. `low` puts one criterion at that score (a disagreement).
    async fn card(
        &self,
        user: &str,
        kind: StageKind,
        score: u8,
        recommendation: &str,
        low: Option<u8>,
    ) -> anyhow::Result<()> {
        let button = self
            .latest_button(user, crate::slack::views::scorecard::OPEN_ACTION)
            .ok_or_else(|| anyhow!("no scorecard prompt reached {user}"))?;
        let since = self.ws.len();
        self.press(user, &button).await?;
        let view = self.opened_view(since)?;
        let mut answers = Vec::new();
        for (i, c) in Criterion::for_stage(kind).into_iter().enumerate() {
            let s = match low {
                Some(l) if i == 0 && user == STAFF => l,
                _ => score,
            };
            answers.push((format!("score_{}", c.key()), Answer::Choose(s.to_string())));
            answers.push((
                format!("evidence_{}", c.key()),
                Answer::Text(sample_evidence(user, c, s)),
            ));
        }
        answers.push((
            "recommendation".into(),
            Answer::Choose(recommendation.into()),
        ));
        answers.push(("work_with".into(), Answer::Choose("yes".into())));
        answers.push((
            "work_with_reason".into(),
            Answer::Text("Sample reason (fictional): reframed the problem around its real constraint and brought the room along.".into()),
        ));
        let reply = self.submit(user, &view, &fill(&view, &answers)?).await?;
        if !reply.is_null() {
            bail!("{user}'s card was refused: {reply}");
        }
        self.settle().await
    }

    /// `/staffloop decide LEVEL REASON`, then the confirmation's button.
    async fn decide(&self, channel: &str, level: &str, reason: &str) -> anyhow::Result<()> {
        let level = level.replace('_', "-");
        let reply = self
            .command(HM, channel, &format!("decide {level} {reason}"))
            .await?;
        let button = buttons_in(&reply["blocks"])
            .into_iter()
            .find(|b| b["action_id"] == crate::slack::views::decision::CONFIRM_ACTION)
            .ok_or_else(|| anyhow!("no confirmation came back: {reply}"))?;
        let button = as_button(&button, channel, "0");
        self.press(HM, &button).await?;
        self.settle().await
    }

    async fn open_home(&self, user: &str) -> anyhow::Result<()> {
        let _ = self.ws.note(Entry::OpenedHome {
            user: user.to_string(),
            at: self.ws.now(),
        });
        let event = json!({
            "type": "event_callback",
            "team_id": TEAM,
            "api_app_id": "A0STAFFLOOP",
            "event_id": format!("Ev{}", self.ws.view_id()),
            "event_time": self.ws.now(),
            "event": {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0HOME001"}
        });
        let (status, _) = self
            .post("/slack/events", "application/json", event.to_string())
            .await?;
        if status != 200 {
            bail!("the Home event was answered {status}");
        }
        self.settle().await
    }

    /// Types `/staffloop TEXT` in `channel`; returns what only `user` saw.
    async fn command(&self, user: &str, channel: &str, text: &str) -> anyhow::Result<Value> {
        let form = serde_urlencoded::to_string([
            ("team_id", TEAM),
            ("team_domain", "example-demo"),
            ("channel_id", channel),
            ("channel_name", "demo"),
            ("user_id", user),
            ("user_name", user),
            ("command", "/staffloop"),
            ("text", text),
            ("api_app_id", "A0STAFFLOOP"),
            ("is_enterprise_install", "false"),
            (
                "response_url",
                "https://hooks.slack.com/commands/T0DEMO001/1/demo",
            ),
            ("trigger_id", &format!("{}.demo.trigger", self.ws.view_id())),
        ])?;
        let entry = self.ws.note(Entry::Typed {
            user: user.to_string(),
            channel: channel.to_string(),
            text: format!("/staffloop {text}"),
            reply: Value::Null,
            at: self.ws.now(),
        });
        let (status, body) = self
            .post("/slack/commands", "application/x-www-form-urlencoded", form)
            .await?;
        if status != 200 {
            bail!("/staffloop {text} was answered {status}: {body}");
        }
        let reply: Value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body).with_context(|| format!("reading the reply: {body}"))?
        };
        self.ws.amend(entry, |e| {
            if let Entry::Typed { reply: r, .. } = e {
                *r = reply.clone();
            }
        });
        self.settle().await?;
        Ok(reply)
    }

    /// Sends a modal the bot opened, with `values` as its state.
    async fn submit(&self, user: &str, view: &Value, values: &Value) -> anyhow::Result<Value> {
        let payload = json!({
            "type": "view_submission",
            "team": {"id": TEAM, "domain": "example-demo"},
            "user": {"id": user, "username": user, "team_id": TEAM},
            "api_app_id": "A0STAFFLOOP",
            "trigger_id": format!("{}.demo.trigger", self.ws.view_id()),
            "view": {
                "id": self.ws.view_id(),
                "team_id": TEAM,
                "type": "modal",
                "callback_id": view["callback_id"],
                "private_metadata": view["private_metadata"].as_str().unwrap_or_default(),
                "state": {"values": values},
                "hash": "1.demo"
            }
        });
        let entry = self.ws.note(Entry::Submitted {
            user: user.to_string(),
            title: view["title"]["text"]
                .as_str()
                .unwrap_or("a form")
                .to_string(),
            answer: Value::Null,
            at: self.ws.now(),
        });
        let (status, body) = self.interaction(&payload).await?;
        if status != 200 {
            bail!("a modal was answered {status}: {body}");
        }
        let answer: Value = if body.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&body)?
        };
        self.ws.amend(entry, |e| {
            if let Entry::Submitted { answer: a, .. } = e {
                *a = answer.clone();
            }
        });
        Ok(answer)
    }

    async fn press(&self, user: &str, b: &Button) -> anyhow::Result<()> {
        let _ = self.ws.note(Entry::Pressed {
            user: user.to_string(),
            label: b.label.clone(),
            at: self.ws.now(),
        });
        let payload = json!({
            "type": "block_actions",
            "team": {"id": TEAM, "domain": "example-demo"},
            "user": {"id": user, "team_id": TEAM},
            "api_app_id": "A0STAFFLOOP",
            "trigger_id": format!("{}.demo.trigger", self.ws.view_id()),
            "container": {"type": "message", "channel_id": b.channel, "message_ts": b.ts},
            "channel": {"id": b.channel},
            "actions": [{"type": "button", "action_id": b.action_id, "block_id": b.block_id,
                         "value": b.value, "action_ts": format!("{}.000100", self.ws.now())}]
        });
        let (status, body) = self.interaction(&payload).await?;
        if status != 200 {
            bail!("pressing {} was answered {status}: {body}", b.label);
        }
        self.settle().await
    }

    async fn interaction(&self, payload: &Value) -> anyhow::Result<(u16, String)> {
        let body = serde_urlencoded::to_string([("payload", payload.to_string())])?;
        self.post(
            "/slack/interactions",
            "application/x-www-form-urlencoded",
            body,
        )
        .await
    }

    /// A request signed as Slack signs it.
    async fn post(
        &self,
        path: &str,
        content_type: &str,
        body: String,
    ) -> anyhow::Result<(u16, String)> {
        let ts = Utc::now().timestamp();
        let signature = crate::slack::verify::sign(self.secret.as_bytes(), ts, body.as_bytes());
        let request = hyper::Request::post(format!("{}{path}", self.base))
            .header("content-type", content_type)
            .header("x-slack-request-timestamp", ts.to_string())
            .header("x-slack-signature", signature)
            .body(Full::new(Bytes::from(body)))?;
        let response = self.http.request(request).await?;
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await?.to_bytes();
        Ok((status, String::from_utf8_lossy(&bytes).into_owned()))
    }

    /// Runs every job due at the clock's time and waits until each effect
    /// they and the requests caused has reached the workspace.
    async fn settle(&self) -> anyhow::Result<()> {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            while crate::jobs::scheduler::run_due(&self.state).await > 0 {}
            let (due, _) = store::jobs::counts(&self.state.db, self.clock.unix()).await?;
            let pending = store::outbox::counts(&self.state.db).await?;
            if pending.failed > 0 {
                bail!("{} Slack deliveries failed", pending.failed);
            }
            if due == 0 && pending.pending == 0 {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                bail!(
                    "never at rest: {due} jobs due, {} deliveries pending",
                    pending.pending
                );
            }
            self.state.outbox_wakeup.notify_one();
            tokio::time::sleep(std::time::Duration::from_millis(2)).await;
        }
    }

    /// The view of the first `views.open` since log entry `since`.
    fn opened_view(&self, since: usize) -> anyhow::Result<Value> {
        self.ws
            .log()
            .into_iter()
            .skip(since)
            .find_map(|e| match e {
                Entry::Call { method, body, .. } if method == "views.open" => {
                    Some(body["view"].clone())
                }
                _ => None,
            })
            .ok_or_else(|| anyhow!("the bot opened no modal"))
    }

    /// The button `action_id` on the latest message the bot sent `user`,
    /// as that message reads now (a prompt is updated once its card is in).
    fn latest_button(&self, user: &str, action_id: &str) -> Option<Button> {
        let mut messages: Vec<(String, Value)> = Vec::new();
        for e in self.ws.log() {
            let Entry::Call {
                method,
                body,
                answer,
                ..
            } = e
            else {
                continue;
            };
            if body["channel"] != user {
                continue;
            }
            match method.as_str() {
                "chat.postMessage" => messages.push((
                    answer["ts"].as_str().unwrap_or_default().to_string(),
                    body["blocks"].clone(),
                )),
                "chat.update" => {
                    if let Some(m) = messages
                        .iter_mut()
                        .find(|(ts, _)| body["ts"] == ts.as_str())
                    {
                        m.1 = body["blocks"].clone();
                    }
                }
                _ => {}
            }
        }
        messages.iter().rev().find_map(|(ts, blocks)| {
            buttons_in(blocks)
                .into_iter()
                .find(|b| b["action_id"] == action_id)
                .map(|b| as_button(&b, user, ts))
        })
    }
}

/// A minute after a live stage that started at `hour` ends.
fn stage_end(day: DateTime<Utc>, kind: StageKind, hour: u32) -> DateTime<Utc> {
    let length = crate::domain::StageSpec::default_for(kind)
        .length_minutes
        .unwrap_or(60);
    day + Duration::hours(i64::from(hour)) + Duration::minutes(length + 1)
}

/// A stage's cards: who sends one, their score and recommendation.
type Cards = &'static [(&'static str, u8, &'static str)];

/// Monday's interviews are on the Wednesday.
fn interview_day(monday: DateTime<Utc>) -> DateTime<Utc> {
    (monday + Duration::days(2))
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .expect("midnight exists")
        .and_utc()
}

fn level_for(score: u8) -> &'static str {
    match score {
        1 => "no_hire",
        2 => "senior",
        3 => "staff",
        _ => "senior_staff",
    }
}

/// Clearly invented evidence, in the voice of an interviewer's notes.
fn sample_evidence(user: &str, c: Criterion, score: u8) -> String {
    let who = PEOPLE
        .iter()
        .find(|(id, _)| *id == user)
        .map(|(_, n)| *n)
        .unwrap_or("the interviewer");
    let seen = match score {
        1 => "did not get past restating the prompt",
        2 => "covered the obvious trade-offs once asked",
        3 => "weighed the trade-offs unprompted and costed them",
        _ => "changed how the panel saw the problem",
    };
    format!(
        "Sample evidence, invented for the demo ({who}): on {}, the candidate {seen} while walking through the fictional Acme ledger migration.",
        c.key().replace('_', " ")
    )
}

/// Every button in `blocks` (actions blocks and section accessories).
fn buttons_in(blocks: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for b in blocks.as_array().into_iter().flatten() {
        for e in b["elements"].as_array().into_iter().flatten() {
            if e["type"] == "button" {
                let mut e = e.clone();
                e["block_id"] = b["block_id"].clone();
                out.push(e);
            }
        }
        if b["accessory"]["type"] == "button" {
            let mut e = b["accessory"].clone();
            e["block_id"] = b["block_id"].clone();
            out.push(e);
        }
    }
    out
}

fn as_button(b: &Value, channel: &str, ts: &str) -> Button {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    Button {
        action_id: s(&b["action_id"]),
        value: s(&b["value"]),
        block_id: b["block_id"].as_str().unwrap_or("actions").to_string(),
        label: s(&b["text"]["text"]),
        channel: channel.to_string(),
        ts: ts.to_string(),
    }
}

/// What a person puts in one input of a form.
enum Answer {
    Text(String),
    /// An option, by value (a select or radio buttons).
    Choose(String),
    User(String),
    Users(Vec<String>),
    At(DateTime<Utc>),
    /// The form's only checkbox, ticked.
    Tick,
}

/// A modal's `state.values` as Slack sends them, filled from `answers` by
/// block id; an input not answered keeps what the bot prefilled.
fn fill(view: &Value, answers: &[(String, Answer)]) -> anyhow::Result<Value> {
    let mut values = serde_json::Map::new();
    for block in view["blocks"].as_array().into_iter().flatten() {
        if block["type"] != "input" {
            continue;
        }
        let id = block["block_id"].as_str().unwrap_or_default();
        let element = &block["element"];
        let kind = element["type"].as_str().unwrap_or_default();
        let answer = answers.iter().find(|(b, _)| b == id).map(|(_, a)| a);
        let state = match (kind, answer) {
            ("plain_text_input" | "url_text_input", Some(Answer::Text(t))) => {
                json!({"type": kind, "value": t})
            }
            ("plain_text_input" | "url_text_input", _) => {
                json!({"type": kind, "value": element["initial_value"]})
            }
            ("static_select" | "radio_buttons", Some(Answer::Choose(v))) => {
                let option = element["options"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .chain(
                        element["option_groups"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .flat_map(|g| g["options"].as_array().into_iter().flatten()),
                    )
                    .find(|o| o["value"] == v.as_str())
                    .cloned()
                    .ok_or_else(|| anyhow!("{id} has no option {v}"))?;
                json!({"type": kind, "selected_option": option})
            }
            ("static_select" | "radio_buttons", _) => {
                json!({"type": kind, "selected_option": element["initial_option"]})
            }
            ("users_select", Some(Answer::User(u))) => json!({"type": kind, "selected_user": u}),
            ("users_select", _) => json!({"type": kind, "selected_user": element["initial_user"]}),
            ("multi_users_select", Some(Answer::Users(u))) => {
                json!({"type": kind, "selected_users": u})
            }
            ("multi_users_select", _) => {
                json!({"type": kind, "selected_users": element["initial_users"].as_array().cloned().unwrap_or_default()})
            }
            ("datetimepicker", Some(Answer::At(t))) => {
                json!({"type": kind, "selected_date_time": t.timestamp()})
            }
            ("datetimepicker", _) => {
                json!({"type": kind, "selected_date_time": element["initial_date_time"]})
            }
            ("checkboxes", Some(Answer::Tick)) => {
                json!({"type": kind, "selected_options": element["options"].as_array().cloned().unwrap_or_default()})
            }
            ("checkboxes", _) => {
                json!({"type": kind, "selected_options": element["initial_options"].as_array().cloned().unwrap_or_default()})
            }
            _ => continue,
        };
        let action = element["action_id"].as_str().unwrap_or("value").to_string();
        values.insert(id.to_string(), json!({ action: state }));
    }
    Ok(Value::Object(values))
}

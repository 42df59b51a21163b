//! staffloop: a Slack bot that runs a staff-engineer interview loop with
//! locked, hidden scorecards. `App::build` wires configuration, storage and
//! the Slack transport; `App::run` serves until told to stop.

pub mod chart;
pub mod clock;
pub mod config;
pub mod demo;
pub mod domain;
pub mod effects;
pub mod error;
pub mod export;
pub mod handlers;
pub mod heatmap;
pub mod jobs;
pub mod messages;
pub mod metrics;
pub mod render;
pub mod report;
pub mod server;
pub mod slack;
pub mod store;

use anyhow::Context;
use clock::{Clock, SystemClock};
use config::{Config, Secret, Tuning};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What every handler and worker shares.
pub struct AppState {
    pub db: store::Db,
    pub slack: slack::client::SlackApi,
    pub clock: Arc<dyn Clock>,
    /// Nudged after effects are committed so delivery starts at once.
    pub outbox_wakeup: Notify,
    /// Nudged when a job is made due now (e.g. a stage ended early).
    pub jobs_wakeup: Notify,
    pub rubric: domain::Rubric,
    pub templates: domain::Templates,
    /// Open forms refused for their warnings: view id → a digest of the
    /// warnings shown, so "open it anyway" accepts only what was shown.
    pub warned: std::sync::Mutex<std::collections::HashMap<String, u64>>,
    /// The hiring team's Slack user group, if one is configured.
    pub hiring_team_group: Option<String>,
    /// Users who may decide besides each loop's hiring manager.
    pub admins: Vec<String>,
    pub report: config::ReportConfig,
    pub metrics: metrics::Metrics,
    pub signing_secret: Option<Secret>,
    pub tuning: Tuning,
    /// Scorecards submitted at the same moment share one transaction.
    pub card_writes: handlers::scorecard::CardWriter,
    /// The workspace of the bot token (from `auth.test` at start): the only
    /// one whose requests are acted on.
    pub team_id: String,
    /// The bot's own user id in that workspace.
    pub bot_user_id: String,
    /// People's names as Slack gave them (user id → names, when read), to
    /// mask them in practice packets.
    pub names: std::sync::Mutex<std::collections::HashMap<String, (Vec<String>, i64)>>,
}

pub struct App {
    state: Arc<AppState>,
    listener: tokio::net::TcpListener,
    /// `/metrics` and `/healthz`, apart from Slack's port.
    ops_listener: tokio::net::TcpListener,
    app_token: Option<Secret>,
}

/// rustls needs one process-wide crypto provider; we use ring.
pub fn install_crypto_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

impl AppState {
    /// A staffloop admin (`STAFFLOOP_ADMINS`).
    pub fn is_admin(&self, user: &str) -> bool {
        self.admins.iter().any(|a| a == user)
    }
}

impl App {
    pub async fn build(config: Config) -> anyhow::Result<App> {
        App::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// Connects and migrates the database, prepares the Slack client and
    /// binds the listener (port 0 picks a free one).
    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        install_crypto_provider();
        let slack = slack::client::SlackApi::new(
            &config.slack_api_url,
            &config.bot_token,
            config.tuning.slack_call_timeout,
        )
        .context("building the Slack client")?;
        // The one workspace this service acts for: the bot token's.
        let slack::client::Identity {
            team_id,
            bot_user_id,
        } = slack.identity().await?;
        tracing::info!(team = %team_id, "bot token checked with auth.test");
        let db = store::Db::connect(&config.database_url, config.tuning.db_max_connections).await?;
        db.migrate().await?;
        db.optimize()
            .await
            .context("refreshing planner statistics")?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("listening on {}", config.listen))?;
        let ops_listener = tokio::net::TcpListener::bind(config.metrics_listen)
            .await
            .with_context(|| {
                format!(
                    "listening on {} (STAFFLOOP_METRICS_LISTEN)",
                    config.metrics_listen
                )
            })?;
        let state = Arc::new(AppState {
            team_id,
            bot_user_id,
            names: Default::default(),
            db,
            slack,
            clock,
            outbox_wakeup: Notify::new(),
            jobs_wakeup: Notify::new(),
            rubric: config.rubric.clone(),
            templates: config.templates.clone(),
            warned: Default::default(),
            hiring_team_group: config.hiring_team_group.clone(),
            admins: config.admins.clone(),
            report: config.report.clone(),
            metrics: metrics::Metrics::default(),
            signing_secret: config.signing_secret.clone(),
            tuning: config.tuning.clone(),
            card_writes: handlers::scorecard::card_writer(),
        });
        Ok(App {
            state,
            listener,
            ops_listener,
            app_token: config.app_token.clone(),
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// Where `/metrics` and `/healthz` are served.
    pub fn ops_addr(&self) -> SocketAddr {
        self.ops_listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serves HTTP (and Socket Mode when configured) and runs the outbox
    /// worker until `shutdown` fires; then stops accepting, finishes
    /// in-flight work and returns.
    pub async fn run(self, shutdown: CancellationToken) -> anyhow::Result<()> {
        let App {
            state,
            listener,
            ops_listener,
            app_token,
        } = self;
        let mut tasks = tokio::task::JoinSet::new();
        if state.tuning.run_outbox_worker {
            tasks.spawn(jobs::outbox_worker::run(state.clone(), shutdown.clone()));
        }
        if state.tuning.run_scheduler {
            tasks.spawn(jobs::scheduler::run(state.clone(), shutdown.clone()));
        }
        {
            let db = state.db.clone();
            let stop = shutdown.clone();
            tasks.spawn(async move { db.checkpoints(Duration::from_secs(1), stop).await });
        }
        if let Some(token) = app_token {
            tracing::info!("receiving Slack traffic over Socket Mode");
            tasks.spawn(slack::socket::run(state.clone(), token, shutdown.clone()));
        }
        tracing::info!(
            address = %listener.local_addr()?,
            metrics = %ops_listener.local_addr()?,
            "staffloop listening"
        );
        let limits = state.tuning.http_limits;
        let drain = limits.request;
        tasks.spawn(server::serve(
            ops_listener,
            slack::http::ops_router(state.clone()),
            limits,
            shutdown.clone(),
            drain,
        ));
        server::serve(
            listener,
            slack::http::router(state.clone()),
            limits,
            shutdown.clone(),
            drain,
        )
        .await;
        shutdown.cancel();
        while tasks.join_next().await.is_some() {}
        state.db.close().await;
        tracing::info!("staffloop stopped");
        Ok(())
    }
}

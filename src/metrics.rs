//! Process metrics for `GET /metrics`, in the OpenMetrics text format of the
//! `prometheus-client` crate: requests by route and outcome, the ack-latency
//! histogram, and job runs. Labels are routes, status classes and job kinds
//! only: never names, scores or text, and never a route a client made up.
//! Outbox and job backlogs are read from the database at scrape time, so
//! every replica reports the shared queue.

use crate::domain::JobKind;
use prometheus_client::encoding::text::encode;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The only routes counted (anything else would let clients add labels).
pub const ROUTES: [&str; 5] = [
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/healthz",
    "/metrics",
];
/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS_S: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0,
];
/// The content type of the exposition.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct JobLabels {
    kind: &'static str,
    result: &'static str,
}

type Histograms = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// The database's side of the picture, read at scrape time.
#[derive(Clone, Copy, Debug, Default)]
pub struct Backlog {
    pub outbox_pending: Option<i64>,
    pub outbox_failed: Option<i64>,
    pub outbox_delivered: Option<i64>,
    pub jobs_due: Option<i64>,
    pub jobs_failed: Option<i64>,
}

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    ack: Histograms,
    jobs: Family<JobLabels, Counter>,
    outbox_backlog: Gauge,
    outbox_failed: Gauge,
    outbox_delivered: Gauge,
    jobs_due: Gauge,
    jobs_failed: Gauge,
    db_up: Gauge,
}

fn outcome(status: u16) -> &'static str {
    match status {
        401 => "401",
        500.. => "5xx",
        400..=499 => "4xx",
        _ => "2xx",
    }
}

fn histogram() -> Histogram {
    Histogram::new(BUCKETS_S)
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let ack: Histograms = Family::new_with_constructor(histogram);
        let jobs = Family::<JobLabels, Counter>::default();
        let gauges: [Gauge; 6] = Default::default();
        registry.register(
            "staffloop_requests",
            "Requests answered, by route and outcome",
            requests.clone(),
        );
        registry.register(
            "staffloop_ack_seconds",
            "Time to answer, by route",
            ack.clone(),
        );
        registry.register(
            "staffloop_jobs",
            "Scheduled jobs run by this process, by kind and result",
            jobs.clone(),
        );
        let names = [
            (
                "staffloop_outbox_backlog",
                "Slack effects waiting to be delivered",
            ),
            ("staffloop_outbox_failed", "Slack effects given up on"),
            (
                "staffloop_outbox_delivered",
                "Slack effects delivered and not yet purged",
            ),
            ("staffloop_jobs_due", "Jobs due now and not yet run"),
            ("staffloop_jobs_failed", "Jobs given up on"),
            (
                "staffloop_db_up",
                "1 when this scrape read the queue figures from the database; 0 when it could not (they then show their last reading)",
            ),
        ];
        for ((name, help), gauge) in names.iter().zip(&gauges) {
            registry.register(*name, *help, gauge.clone());
        }
        let [outbox_backlog, outbox_failed, outbox_delivered, jobs_due, jobs_failed, db_up] =
            gauges;
        Metrics {
            registry,
            requests,
            ack,
            jobs,
            outbox_backlog,
            outbox_failed,
            outbox_delivered,
            jobs_due,
            jobs_failed,
            db_up,
        }
    }
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        let Some(route) = ROUTES.iter().find(|r| **r == route).copied() else {
            return;
        };
        self.requests
            .get_or_create(&RequestLabels {
                route,
                outcome: outcome(status),
            })
            .inc();
        self.ack
            .get_or_create(&RouteLabels { route })
            .observe(seconds);
    }

    pub fn job(&self, kind: JobKind, ok: bool) {
        self.jobs
            .get_or_create(&JobLabels {
                kind: kind.as_str(),
                result: if ok { "ok" } else { "failed" },
            })
            .inc();
    }

    /// The exposition, with the backlog gauges set from the database.
    pub fn render(&self, backlog: &Backlog) -> String {
        for (gauge, value) in [
            (&self.outbox_backlog, backlog.outbox_pending),
            (&self.outbox_failed, backlog.outbox_failed),
            (&self.outbox_delivered, backlog.outbox_delivered),
            (&self.jobs_due, backlog.jobs_due),
            (&self.jobs_failed, backlog.jobs_failed),
        ] {
            if let Some(v) = value {
                gauge.set(v);
            }
        }
        let read = backlog.outbox_pending.is_some() && backlog.jobs_due.is_some();
        self.db_up.set(read as i64);
        let mut out = String::new();
        if let Err(e) = encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "encoding the metrics failed");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_histograms_and_gauges() {
        let m = Metrics::default();
        m.observe("/slack/commands", 200, 0.003);
        m.observe("/slack/commands", 401, 0.0001);
        m.observe("/nowhere", 200, 1.0);
        m.job(JobKind::Reminder, true);
        let text = m.render(&Backlog {
            outbox_pending: Some(3),
            ..Default::default()
        });
        assert!(
            text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"2xx\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"401\"} 1")
        );
        assert!(
            text.contains("staffloop_ack_seconds_bucket{le=\"0.002\",route=\"/slack/commands\"} 1")
                || text.contains(
                    "staffloop_ack_seconds_bucket{route=\"/slack/commands\",le=\"0.002\"} 1"
                ),
            "{text}"
        );
        assert!(text.contains("staffloop_ack_seconds_count{route=\"/slack/commands\"} 2"));
        assert!(text.contains("staffloop_jobs_total{kind=\"reminder\",result=\"ok\"} 1"));
        assert!(text.contains("staffloop_outbox_backlog 3"));
        assert!(!text.contains("/nowhere"));
        assert!(text.ends_with("# EOF\n"));
    }
}

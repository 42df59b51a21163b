//! Process metrics for `GET /metrics` (Prometheus text format): requests by
//! route and outcome, the ack-latency histogram, and job runs. Labels are
//! routes, status classes and job kinds only: never names, scores or text.
//! Outbox and job backlogs are read from the database at scrape time, so
//! every replica reports the shared queue.

use crate::domain::JobKind;
use std::sync::atomic::{AtomicU64, Ordering};

pub const ROUTES: [&str; 4] = [
    "/slack/commands",
    "/slack/interactions",
    "/slack/events",
    "/healthz",
];
const OUTCOMES: [&str; 4] = ["2xx", "4xx", "5xx", "401"];
/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS_S: [f64; 12] = [
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 3.0,
];

#[derive(Default)]
pub struct Metrics {
    requests: [[AtomicU64; 4]; 4],
    latency_buckets: [[AtomicU64; 12]; 4],
    latency_sum_us: [AtomicU64; 4],
    latency_count: [AtomicU64; 4],
    jobs_run: [AtomicU64; JobKind::ALL.len()],
    jobs_failed: [AtomicU64; JobKind::ALL.len()],
}

fn outcome_index(status: u16) -> usize {
    match status {
        401 => 3,
        500.. => 2,
        400..=499 => 1,
        _ => 0,
    }
}

impl Metrics {
    pub fn observe(&self, route: &str, status: u16, seconds: f64) {
        let Some(r) = ROUTES.iter().position(|x| *x == route) else {
            return;
        };
        self.requests[r][outcome_index(status)].fetch_add(1, Ordering::Relaxed);
        for (i, le) in BUCKETS_S.iter().enumerate() {
            if seconds <= *le {
                self.latency_buckets[r][i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_sum_us[r].fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
        self.latency_count[r].fetch_add(1, Ordering::Relaxed);
    }

    pub fn job(&self, kind: JobKind, ok: bool) {
        let k = JobKind::ALL
            .iter()
            .position(|x| *x == kind)
            .expect("ALL lists every kind");
        let counter = if ok {
            &self.jobs_run[k]
        } else {
            &self.jobs_failed[k]
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `backlog` are gauges read from the database.
    pub fn render(&self, backlog: &[(&str, &str, i64)]) -> String {
        let mut out = String::new();
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        out.push_str(
            "# HELP staffloop_requests_total Slack requests answered, by route and outcome.\n",
        );
        out.push_str("# TYPE staffloop_requests_total counter\n");
        for (r, route) in ROUTES.iter().enumerate() {
            for (o, outcome) in OUTCOMES.iter().enumerate() {
                out.push_str(&format!(
                    "staffloop_requests_total{{route=\"{route}\",outcome=\"{outcome}\"}} {}\n",
                    get(&self.requests[r][o])
                ));
            }
        }
        out.push_str("# HELP staffloop_ack_seconds Time to answer Slack, by route.\n");
        out.push_str("# TYPE staffloop_ack_seconds histogram\n");
        for (r, route) in ROUTES.iter().enumerate() {
            for (i, le) in BUCKETS_S.iter().enumerate() {
                out.push_str(&format!(
                    "staffloop_ack_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}\n",
                    get(&self.latency_buckets[r][i])
                ));
            }
            let count = get(&self.latency_count[r]);
            out.push_str(&format!(
                "staffloop_ack_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n"
            ));
            out.push_str(&format!(
                "staffloop_ack_seconds_sum{{route=\"{route}\"}} {}\n",
                get(&self.latency_sum_us[r]) as f64 / 1e6
            ));
            out.push_str(&format!(
                "staffloop_ack_seconds_count{{route=\"{route}\"}} {count}\n"
            ));
        }
        out.push_str(
            "# HELP staffloop_jobs_total Scheduled jobs run by this process, by kind and result.\n",
        );
        out.push_str("# TYPE staffloop_jobs_total counter\n");
        for (k, kind) in JobKind::ALL.iter().enumerate() {
            out.push_str(&format!(
                "staffloop_jobs_total{{kind=\"{kind}\",result=\"ok\"}} {}\n",
                get(&self.jobs_run[k])
            ));
            out.push_str(&format!(
                "staffloop_jobs_total{{kind=\"{kind}\",result=\"failed\"}} {}\n",
                get(&self.jobs_failed[k])
            ));
        }
        let mut last = "";
        for (name, labels, value) in backlog {
            if *name != last {
                out.push_str(&format!("# TYPE {name} gauge\n"));
                last = name;
            }
            out.push_str(&format!("{name}{labels} {value}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.observe("/slack/commands", 200, 0.003);
        m.observe("/slack/commands", 401, 0.0001);
        m.observe("/nowhere", 200, 1.0);
        m.job(JobKind::Reminder, true);
        let text = m.render(&[("staffloop_outbox_backlog", "", 3)]);
        assert!(
            text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"2xx\"} 1")
        );
        assert!(
            text.contains("staffloop_requests_total{route=\"/slack/commands\",outcome=\"401\"} 1")
        );
        assert!(
            text.contains("staffloop_ack_seconds_bucket{route=\"/slack/commands\",le=\"0.002\"} 1")
        );
        assert!(
            text.contains("staffloop_ack_seconds_bucket{route=\"/slack/commands\",le=\"0.005\"} 2")
        );
        assert!(text.contains("staffloop_ack_seconds_count{route=\"/slack/commands\"} 2"));
        assert!(text.contains("staffloop_jobs_total{kind=\"reminder\",result=\"ok\"} 1"));
        assert!(text.contains("staffloop_outbox_backlog 3"));
    }
}

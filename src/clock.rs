//! Time as a dependency: the service reads "now" from a `Clock` so tests can
//! move time deterministically.

use chrono::{DateTime, Utc};
use std::sync::{Arc, Mutex};

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    fn unix(&self) -> i64 {
        self.now().timestamp()
    }

    fn unix_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }
}

/// Wall-clock milliseconds, for transport timing: outbox leases and retry
/// delays, and job leases. These must not jump when a test moves the domain
/// clock, or a lease could expire under a delivery still in flight.
pub fn wall_ms() -> i64 {
    Utc::now().timestamp_millis()
}

/// The wall clock.
#[derive(Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that only moves when told to: for tests.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(start)))
    }

    pub fn advance(&self, by: chrono::Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }

    pub fn set(&self, to: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = to;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

//! Where time comes from, so tests and records can be exact, and how a
//! length of time is said to a person.

use chrono::{DateTime, SubsecRound, Utc};

/// Where time comes from, so tests and records can be exact.
pub trait Clock {
    fn now(&self) -> DateTime<Utc>;
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        // Milliseconds are enough for an audit trail and keep records tidy.
        Utc::now().trunc_subsecs(3)
    }
}

/// A clock for tests: starts at a fixed instant and moves one second each
/// time it is read, so every event has its own, predictable time.
pub struct TestClock {
    now: std::sync::Mutex<DateTime<Utc>>,
}

impl TestClock {
    pub fn new(start: DateTime<Utc>) -> TestClock {
        TestClock {
            now: std::sync::Mutex::new(start),
        }
    }

    pub fn advance(&self, seconds: i64) {
        if let Ok(mut now) = self.now.lock() {
            *now += chrono::Duration::seconds(seconds);
        }
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        let mut now = self.now.lock().expect("test clock");
        let current = *now;
        *now += chrono::Duration::seconds(1);
        current
    }
}

pub fn human_duration(seconds: f64) -> String {
    let total = seconds.round() as u64;
    match total {
        0..60 => format!("{total} s"),
        60..3600 if total.is_multiple_of(60) => format!("{} min", total / 60),
        60..3600 => format!("{} min {} s", total / 60, total % 60),
        _ => format!("{} h {} min", total / 3600, (total % 3600) / 60),
    }
}

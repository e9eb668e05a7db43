//! The server's one clock.

use std::time::{SystemTime, UNIX_EPOCH};

/// Now, in unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A unix-millisecond time as RFC 3339 (UTC), for people.
pub fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_else(|| ms.to_string())
}

/// The clock of the web sessions and logins: the system's, or, when the
/// environment names a file in `BRYGGA_SERVER_TEST_CLOCK_FILE`, the
/// system's moved forward by the milliseconds written in it (read at
/// every call), so a test of a real server process can let a session
/// idle for 15 minutes in a moment. Only ever forward: a negative or
/// unreadable offset counts as 0.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_file: Option<std::sync::Arc<std::path::Path>>,
}

impl Clock {
    /// The system's clock.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// The clock the environment asks for (see [`Clock`]).
    pub fn from_env() -> Clock {
        Clock {
            offset_file: std::env::var_os("BRYGGA_SERVER_TEST_CLOCK_FILE")
                .map(|p| std::path::PathBuf::from(p).into()),
        }
    }

    pub fn now_ms(&self) -> i64 {
        let offset = self
            .offset_file
            .as_deref()
            .and_then(|f| std::fs::read_to_string(f).ok())
            .and_then(|text| text.trim().parse::<i64>().ok())
            .unwrap_or(0)
            .max(0);
        now_ms().saturating_add(offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_test_clock_moves_forward_only() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("offset");
        let clock = Clock {
            offset_file: Some(file.clone().into()),
        };
        let before = now_ms();
        assert!(clock.now_ms() >= before, "no file: the system's time");
        std::fs::write(&file, "3600000\n").expect("write");
        assert!(clock.now_ms() >= before + 3_600_000);
        std::fs::write(&file, "-3600000").expect("write");
        assert!(clock.now_ms() >= before);
        assert!(Clock::system().now_ms() >= before);
    }
}

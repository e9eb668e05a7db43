//! The account rules, as pure functions of times and counts, so both
//! store backends and the web layer decide the same way: how long a name
//! waits after failed logins, when a session has ended, whether a form's
//! CSRF token is the session's.

/// A session unused this long has ended (the 15 minutes).
pub const IDLE_TIMEOUT_MS: i64 = 15 * 60 * 1000;
/// A session ends this long after its login however busy it is.
pub const MAX_SESSION_MS: i64 = 10 * 60 * 60 * 1000;
/// Failed logins in a row that cost nothing yet (a mistyped code).
pub const FREE_FAILURES: i64 = 3;
/// The longest wait after failed logins.
pub const MAX_DELAY_MS: i64 = 15 * 60 * 1000;

/// How long after the last failure the next login of a name is refused
/// without being checked: none for the first [`FREE_FAILURES`] failures
/// in a row, then 1 s, doubling with each further failure, at most
/// [`MAX_DELAY_MS`]. A successful login sets the count back to 0.
pub fn login_delay_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = (failures - FREE_FAILURES).min(20) as u32;
    (1000i64 << doublings).min(MAX_DELAY_MS)
}

/// Milliseconds the name must still wait at `now_ms`, 0 when it may try.
pub fn wait_ms(failures: i64, last_failed_at_ms: Option<i64>, now_ms: i64) -> i64 {
    match last_failed_at_ms {
        Some(last) => (last + login_delay_ms(failures) - now_ms).max(0),
        None => 0,
    }
}

/// Why a session is no longer good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// Logged out, or ended by an admin command.
    Ended,
    /// Unused for [`IDLE_TIMEOUT_MS`].
    Idle,
    /// Older than [`MAX_SESSION_MS`].
    TooOld,
    /// Its account was disabled.
    Disabled,
}

/// Whether a session is good at `now_ms`.
pub fn session_end(
    created_at_ms: i64,
    last_seen_ms: i64,
    ended: bool,
    staff_disabled: bool,
    now_ms: i64,
) -> Option<SessionEnd> {
    if ended {
        Some(SessionEnd::Ended)
    } else if staff_disabled {
        Some(SessionEnd::Disabled)
    } else if now_ms - last_seen_ms > IDLE_TIMEOUT_MS {
        Some(SessionEnd::Idle)
    } else if now_ms - created_at_ms > MAX_SESSION_MS {
        Some(SessionEnd::TooOld)
    } else {
        None
    }
}

/// Whether `sent` (a form's hidden field) is the session's CSRF token;
/// an empty token is never good.
pub fn csrf_matches(expected: &str, sent: &str) -> bool {
    !expected.is_empty() && same_secret(expected, sent)
}

/// Whether two secrets are equal, compared by their SHA-256: how long the
/// comparison takes tells nothing about the secret itself.
pub fn same_secret(a: &str, b: &str) -> bool {
    let digest = |s: &str| ring::digest::digest(&ring::digest::SHA256, s.as_bytes());
    digest(a).as_ref() == digest(b).as_ref()
}

/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What is wrong with a new password, in Swedish, or None: at least
/// [`MIN_PASSWORD_CHARS`] characters, typed the same twice, not the
/// current one.
pub fn new_password_problem(current: &str, new: &str, repeat: &str) -> Option<&'static str> {
    if new.chars().count() < MIN_PASSWORD_CHARS {
        Some("Det nya lösenordet behöver minst 12 tecken.")
    } else if new != repeat {
        Some("Det nya lösenordet skrevs olika de två gångerna.")
    } else if new == current {
        Some("Det nya lösenordet är detsamma som det gamla.")
    } else {
        None
    }
}

/// A staff name: 1 to 64 of ASCII letters, digits and `._@-`, so that it
/// is the same in a URI, a log line and a form.
pub fn valid_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '@' | '-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_delay_grows_after_three_failures_and_stops_at_fifteen_minutes() {
        assert_eq!(
            (0..8).map(login_delay_ms).collect::<Vec<_>>(),
            [0, 0, 0, 1_000, 2_000, 4_000, 8_000, 16_000]
        );
        assert_eq!(login_delay_ms(13), 900_000);
        assert_eq!(login_delay_ms(1_000_000), MAX_DELAY_MS);
        // Four failures, the last at 10 s: wait until 12 s.
        assert_eq!(wait_ms(4, Some(10_000), 10_500), 1_500);
        assert_eq!(wait_ms(4, Some(10_000), 12_000), 0);
        assert_eq!(wait_ms(2, Some(10_000), 10_000), 0);
        assert_eq!(wait_ms(9, None, 0), 0);
    }

    #[test]
    fn a_session_ends_when_idle_too_old_ended_or_disabled() {
        let t0 = 1_000_000;
        assert_eq!(
            session_end(t0, t0, false, false, t0 + IDLE_TIMEOUT_MS),
            None
        );
        assert_eq!(
            session_end(t0, t0, false, false, t0 + IDLE_TIMEOUT_MS + 1),
            Some(SessionEnd::Idle)
        );
        // Busy, but past the longest session.
        let busy = t0 + MAX_SESSION_MS;
        assert_eq!(
            session_end(t0, busy, false, false, busy + 1),
            Some(SessionEnd::TooOld)
        );
        assert_eq!(
            session_end(t0, t0, true, false, t0),
            Some(SessionEnd::Ended)
        );
        assert_eq!(
            session_end(t0, t0, false, true, t0),
            Some(SessionEnd::Disabled)
        );
    }

    #[test]
    fn only_the_sessions_own_token_passes() {
        assert!(csrf_matches("abc123", "abc123"));
        assert!(!csrf_matches("abc123", "abc124"));
        assert!(!csrf_matches("abc123", "abc12"));
        assert!(!csrf_matches("", ""));
    }

    #[test]
    fn a_new_password_is_long_typed_twice_and_new() {
        let new = "kanel cykel hav";
        assert_eq!(new_password_problem("gammalt", new, new), None);
        assert!(new_password_problem("gammalt", "kort", "kort").is_some());
        assert!(new_password_problem("gammalt", new, "kanel cykel ha").is_some());
        assert!(new_password_problem(new, new, new).is_some());
        // Counted in characters, not bytes.
        assert!(new_password_problem("x", "åäöåäöåäöåä", "åäöåäöåäöåä").is_some());
    }

    #[test]
    fn names_are_plain_ascii() {
        assert!(valid_name("anna.fiktiv@kommun.example"));
        for bad in ["", "anna fiktiv", "Åsa", "a/b", &"x".repeat(65)] {
            assert!(!valid_name(bad), "{bad}");
        }
    }
}

//! Which Windows messages lock the journal: the part of the Windows listener
//! ([`super::windows`]) that needs no Win32 call, so it is plain safe code and
//! its tests run on every platform.
//!
//! The numbers are WinUser.h's; the Windows build checks them against
//! `windows-sys` at compile time.

/// Sent after `WTSRegisterSessionNotification`; `wparam` says what happened.
pub(super) const WM_WTSSESSION_CHANGE: u32 = 0x02B1;
/// Sent after `RegisterSuspendResumeNotification`; `wparam` is the event.
pub(super) const WM_POWERBROADCAST: u32 = 0x0218;
/// Another user took over the console (fast user switching).
pub(super) const WTS_CONSOLE_DISCONNECT: usize = 0x2;
/// The remote desktop session was disconnected.
pub(super) const WTS_REMOTE_DISCONNECT: usize = 0x4;
/// Win+L, Ctrl+Alt+Del's "Lock", or the screen saver's lock.
pub(super) const WTS_SESSION_LOCK: usize = 0x7;
/// The system is about to sleep or hibernate.
pub(super) const PBT_APMSUSPEND: usize = 0x4;

/// Whether `message` with `wparam` means "lock now". Unlocking, resuming
/// and logging on again do not unlock: the user unlocks with the passphrase.
pub(super) fn locks(message: u32, wparam: usize) -> bool {
    match message {
        WM_WTSSESSION_CHANGE => matches!(
            wparam,
            WTS_SESSION_LOCK | WTS_CONSOLE_DISCONNECT | WTS_REMOTE_DISCONNECT
        ),
        WM_POWERBROADCAST => wparam == PBT_APMSUSPEND,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_lock_a_user_switch_and_a_remote_disconnect_lock() {
        for event in [
            WTS_SESSION_LOCK,
            WTS_CONSOLE_DISCONNECT,
            WTS_REMOTE_DISCONNECT,
        ] {
            assert!(locks(WM_WTSSESSION_CHANGE, event), "event {event}");
        }
    }

    #[test]
    fn sleep_locks() {
        assert!(locks(WM_POWERBROADCAST, PBT_APMSUSPEND));
    }

    #[test]
    fn unlocking_connecting_logging_on_and_resuming_do_not() {
        // WTS_CONSOLE_CONNECT 1, WTS_REMOTE_CONNECT 3, WTS_SESSION_LOGON 5,
        // WTS_SESSION_LOGOFF 6 (the app ends with the session anyway),
        // WTS_SESSION_UNLOCK 8, WTS_SESSION_REMOTE_CONTROL 9.
        for event in [1, 3, 5, 6, 8, 9] {
            assert!(!locks(WM_WTSSESSION_CHANGE, event), "event {event}");
        }
        // PBT_APMPOWERSTATUSCHANGE 0xA, PBT_APMRESUMEAUTOMATIC 0x12,
        // PBT_APMRESUMESUSPEND 7, PBT_POWERSETTINGCHANGE 0x8013.
        for event in [0xA, 0x12, 7, 0x8013] {
            assert!(!locks(WM_POWERBROADCAST, event), "event {event}");
        }
    }

    #[test]
    fn other_messages_do_not_even_with_the_same_wparam() {
        // WM_CLOSE 0x10, WM_TIMER 0x113.
        for message in [0x10, 0x113, 0] {
            assert!(!locks(message, WTS_SESSION_LOCK));
            assert!(!locks(message, PBT_APMSUSPEND));
        }
    }
}

//! Refusing to start, in one line, where there is no display to open a
//! window on. GTK would otherwise fail deep inside Tauri's set-up with a
//! panic and a backtrace that tells a user nothing.

use std::ffi::OsStr;

/// What the user reads on stderr when there is no display.
const NO_DISPLAY: &str = "brygga: no display found (DISPLAY and WAYLAND_DISPLAY are unset); \
     on a machine without one run: xvfb-run -a brygga-desktop";

/// True when neither an X11 nor a Wayland display is named; an empty
/// variable names none.
fn missing(display: Option<&OsStr>, wayland: Option<&OsStr>) -> bool {
    [display, wayland]
        .into_iter()
        .all(|v| v.is_none_or(OsStr::is_empty))
}

/// Exits with status 1 and one line on stderr when there is no display.
/// Only where GTK draws the window: on Windows and macOS there always is
/// one.
pub fn exit_unless_present() {
    if cfg!(all(unix, not(target_os = "macos")))
        && missing(
            std::env::var_os("DISPLAY").as_deref(),
            std::env::var_os("WAYLAND_DISPLAY").as_deref(),
        )
    {
        eprintln!("{NO_DISPLAY}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(s: &str) -> Option<&OsStr> {
        Some(OsStr::new(s))
    }

    #[test]
    fn either_display_is_enough() {
        assert!(!missing(os(":0"), None));
        assert!(!missing(None, os("wayland-0")));
        assert!(!missing(os(":99"), os("wayland-0")));
    }

    #[test]
    fn unset_or_empty_is_no_display() {
        assert!(missing(None, None));
        assert!(missing(os(""), None));
        assert!(missing(None, os("")));
        assert!(missing(os(""), os("")));
    }

    #[test]
    fn the_message_is_one_line_naming_xvfb_run() {
        assert!(!NO_DISPLAY.contains('\n'));
        assert!(NO_DISPLAY.contains("xvfb-run -a brygga-desktop"));
    }
}

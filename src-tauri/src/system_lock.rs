//! Lock the journal when the system suspends or the session is locked.
//!
//! Tauri 2 has no event for either, so on Linux the shell listens on D-Bus
//! (the `dbus` crate, which Tauri's windowing library already links):
//!
//! - system bus, logind: `org.freedesktop.login1.Manager.PrepareForSleep(true)`
//!   (suspend or hibernate is about to start) and
//!   `org.freedesktop.login1.Session.Lock` (`loginctl lock-session`, and what
//!   most desktops send when the screen locks);
//! - session bus: `org.freedesktop.ScreenSaver.ActiveChanged(true)` and
//!   `org.gnome.ScreenSaver.ActiveChanged(true)` (the screen saver or lock
//!   screen came on).
//!
//! Where a bus is missing (a container, Xvfb without a session) this does
//! nothing and says so once on stderr; the idle timer still locks, and it
//! counts wall-clock time, so a laptop that slept longer than the idle time
//! is locked the moment it wakes. On other platforms only the idle timer
//! applies.

use tauri::{AppHandle, Runtime};

#[cfg(target_os = "linux")]
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    use crate::state::{AppState, LockReason};
    use dbus::blocking::Connection;
    use dbus::message::MatchRule;
    use std::time::Duration;
    use tauri::Manager;

    fn listen<R: Runtime>(app: AppHandle<R>, system: bool) -> Result<(), dbus::Error> {
        let conn = if system {
            Connection::new_system()?
        } else {
            Connection::new_session()?
        };
        let lock = move |app: &AppHandle<R>| {
            let state = app.state::<AppState>();
            crate::locking::lock_and_tell(app, &state, LockReason::SystemSuspend);
        };
        if system {
            let a = app.clone();
            conn.add_match(
                MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep"),
                move |(starting,): (bool,), _, _| {
                    if starting {
                        lock(&a);
                    }
                    true
                },
            )?;
            let a = app.clone();
            conn.add_match(
                MatchRule::new_signal("org.freedesktop.login1.Session", "Lock"),
                move |(): (), _, _| {
                    lock(&a);
                    true
                },
            )?;
        } else {
            for interface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
                let a = app.clone();
                conn.add_match(
                    MatchRule::new_signal(interface, "ActiveChanged"),
                    move |(active,): (bool,), _, _| {
                        if active {
                            lock(&a);
                        }
                        true
                    },
                )?;
            }
        }
        loop {
            conn.process(Duration::from_secs(60))?;
        }
    }

    // Without a session bus address libdbus would try to autolaunch one.
    let session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
    for system in [true, false] {
        if !system && !session_bus {
            continue;
        }
        let app = app.clone();
        let bus = if system { "system" } else { "session" };
        let spawned = std::thread::Builder::new()
            .name(format!("brygga-{bus}-bus-lock"))
            .spawn(move || {
                if let Err(e) = listen(app, system) {
                    eprintln!(
                        "brygga: not listening for suspend/screen lock on the {bus} bus ({}); the idle lock still applies",
                        e.message().unwrap_or("no D-Bus")
                    );
                }
            });
        if spawned.is_err() {
            eprintln!("brygga: could not start the {bus} bus listener");
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn spawn<R: Runtime>(_app: AppHandle<R>) {}

//! The Linux source of lock signals: D-Bus (the `dbus` crate, which Tauri's
//! windowing library already links):
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
//! nothing and says so once on stderr; the idle timer still locks.

use super::{LockNow, LockSignals};
use dbus::blocking::Connection;
use dbus::message::MatchRule;
use std::time::Duration;

pub(super) struct DBusSignals;

impl LockSignals for DBusSignals {
    fn listen(lock: LockNow) {
        // Without a session bus address libdbus would try to autolaunch one.
        let session_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some();
        for system in [true, false] {
            if !system && !session_bus {
                continue;
            }
            let lock = lock.clone();
            let bus = if system { "system" } else { "session" };
            let spawned = std::thread::Builder::new()
                .name(format!("brygga-{bus}-bus-lock"))
                .spawn(move || {
                    if let Err(e) = listen(lock, system) {
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
}

fn listen(lock: LockNow, system: bool) -> Result<(), dbus::Error> {
    let conn = if system {
        Connection::new_system()?
    } else {
        Connection::new_session()?
    };
    if system {
        let l = lock.clone();
        conn.add_match(
            MatchRule::new_signal("org.freedesktop.login1.Manager", "PrepareForSleep"),
            move |(starting,): (bool,), _, _| {
                if starting {
                    l();
                }
                true
            },
        )?;
        conn.add_match(
            MatchRule::new_signal("org.freedesktop.login1.Session", "Lock"),
            move |(): (), _, _| {
                lock();
                true
            },
        )?;
    } else {
        for interface in ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"] {
            let l = lock.clone();
            conn.add_match(
                MatchRule::new_signal(interface, "ActiveChanged"),
                move |(active,): (bool,), _, _| {
                    if active {
                        l();
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

//! The Windows source of lock signals (ADR 0039): a message-only window on a
//! thread of its own that Windows tells about
//!
//! - the session: `WTSRegisterSessionNotification`, then
//!   `WM_WTSSESSION_CHANGE` with `WTS_SESSION_LOCK` (Win+L), and
//!   `WTS_CONSOLE_DISCONNECT` / `WTS_REMOTE_DISCONNECT` (another user takes
//!   over the screen, a remote desktop session ends);
//! - sleep: `RegisterSuspendResumeNotification` (Windows 8 and later), then
//!   `WM_POWERBROADCAST` with `PBT_APMSUSPEND`. A message-only window gets
//!   no broadcast messages, so without the registration it would never see
//!   the `WM_POWERBROADCAST` that top-level windows get.
//!
//! Tauri 2 hands an app none of these messages, and the Win32 calls have no
//! safe binding, so this module is the workspace's one exception to
//! `unsafe_code` (ADR 0039). It only creates the window, registers it and
//! runs its message loop; what a message means is decided by the safe
//! [`windows_messages::locks`].
//!
//! When any step fails this says so once on stderr and the idle timer still
//! locks, as on Linux without D-Bus.

use super::windows_messages::{self, locks};
use super::{LockNow, LockSignals};
use std::cell::OnceCell;
use std::ptr::{null, null_mut};
use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::Power::RegisterSuspendResumeNotification;
use windows_sys::Win32::System::RemoteDesktop::{
    WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION,
};
use windows_sys::Win32::UI::WindowsAndMessaging as wm;

// The safe mapping spells the numbers out so that it builds and is tested
// on every platform; here they must be Windows' own.
const _: () = {
    assert!(windows_messages::WM_WTSSESSION_CHANGE == wm::WM_WTSSESSION_CHANGE);
    assert!(windows_messages::WM_POWERBROADCAST == wm::WM_POWERBROADCAST);
    assert!(windows_messages::WTS_SESSION_LOCK == wm::WTS_SESSION_LOCK as usize);
    assert!(windows_messages::WTS_CONSOLE_DISCONNECT == wm::WTS_CONSOLE_DISCONNECT as usize);
    assert!(windows_messages::WTS_REMOTE_DISCONNECT == wm::WTS_REMOTE_DISCONNECT as usize);
    assert!(windows_messages::PBT_APMSUSPEND == wm::PBT_APMSUSPEND as usize);
};

pub(super) struct SessionSignals;

impl LockSignals for SessionSignals {
    fn listen(lock: LockNow) {
        let spawned = std::thread::Builder::new()
            .name("brygga-session-lock".into())
            .spawn(move || {
                if let Err(e) = listen(lock) {
                    eprintln!(
                        "brygga: not listening for the session lock and sleep ({e}); the idle lock still applies"
                    );
                }
            });
        if spawned.is_err() {
            eprintln!("brygga: could not start the session lock listener");
        }
    }
}

thread_local! {
    // What the window procedure runs. Windows calls a window's procedure on
    // the thread that created the window, which is the listener's thread, so
    // a thread-local reaches it without a pointer stored in the window.
    static LOCK: OnceCell<LockNow> = const { OnceCell::new() };
}

/// Windows calls this for every message to the window, from the listener's
/// thread (in `DispatchMessageW`, or directly for a sent message).
unsafe extern "system" fn window_procedure(
    window: HWND,
    message: u32,
    wparam: WPARAM,
    lparam: LPARAM,
) -> LRESULT {
    if locks(message, wparam) {
        LOCK.with(|lock| {
            if let Some(lock) = lock.get() {
                lock();
            }
        });
    }
    // SAFETY: the window and the message are the ones Windows just passed to
    // this procedure, handed on unchanged to the default handling.
    unsafe { wm::DefWindowProcW(window, message, wparam, lparam) }
}

/// The Win32 call that failed, with Windows' reason (its last error).
fn failed(call: &str) -> String {
    format!("{call} failed: {}", std::io::Error::last_os_error())
}

/// Creates the window, registers it, and runs its message loop for the rest
/// of the process. Returns only when a step fails, saying which.
fn listen(lock: LockNow) -> Result<(), String> {
    LOCK.with(|cell| cell.set(lock))
        .map_err(|_| "the listener was started twice".to_owned())?;
    let class_name: Vec<u16> = "BryggaSessionLock\0".encode_utf16().collect();
    // SAFETY: a null name asks for the module of the running executable,
    // which stays loaded as long as the process runs.
    let instance = unsafe { GetModuleHandleW(null()) };
    let class = wm::WNDCLASSW {
        lpfnWndProc: Some(window_procedure),
        hInstance: instance,
        lpszClassName: class_name.as_ptr(),
        ..Default::default()
    };
    // SAFETY: `class` is fully initialised and its class name is a
    // NUL-terminated UTF-16 string that outlives the window (this function
    // does not return while the window exists).
    if unsafe { wm::RegisterClassW(&class) } == 0 {
        return Err(failed("RegisterClassW"));
    }
    // SAFETY: the class was registered just above with this name and
    // instance; HWND_MESSAGE makes a message-only window (never shown, no
    // broadcasts); no creation data is passed.
    let window = unsafe {
        wm::CreateWindowExW(
            0,
            class_name.as_ptr(),
            null(),
            0,
            0,
            0,
            0,
            0,
            wm::HWND_MESSAGE,
            null_mut(),
            instance,
            null(),
        )
    };
    if window.is_null() {
        return Err(failed("CreateWindowExW"));
    }
    // SAFETY: `window` is the live window just created on this thread.
    if unsafe { WTSRegisterSessionNotification(window, NOTIFY_FOR_THIS_SESSION) } == 0 {
        return Err(failed("WTSRegisterSessionNotification"));
    }
    // SAFETY: as above; a window handle is a valid recipient with
    // DEVICE_NOTIFY_WINDOW_HANDLE. The registration lasts as long as the
    // process, so its handle is not kept for an unregistration.
    if unsafe { RegisterSuspendResumeNotification(window, wm::DEVICE_NOTIFY_WINDOW_HANDLE) } == 0 {
        return Err(failed("RegisterSuspendResumeNotification"));
    }
    let mut message = wm::MSG::default();
    // GetMessageW returns 0 for WM_QUIT, -1 on an error: both end the loop.
    // SAFETY: `message` is a valid, writable MSG; a null window takes the
    // messages of every window of this thread, that is of the one above.
    while unsafe { wm::GetMessageW(&mut message, null_mut(), 0, 0) } > 0 {
        // SAFETY: `message` was just filled in by GetMessageW.
        unsafe { wm::DispatchMessageW(&message) };
    }
    Err(failed("GetMessageW"))
}

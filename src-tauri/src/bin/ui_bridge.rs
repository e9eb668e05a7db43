//! The app without its window, for the UI's browser tests.
//!
//! The same app as the desktop binary (its state, idle timer, capabilities
//! and every command, over a real SQLCipher journal in `BRYGGA_DATA_DIR`),
//! on Tauri's mock runtime instead of WebKitGTK. The test drives the built
//! UI in Chromium, whose IPC shim hands each `invoke` to this process:
//!
//! - standard input, one JSON object a line:
//!   `{"id": 1, "cmd": "caseload", "args": {…}}` calls a command through
//!   Tauri's own invoke path (argument parsing, the capability check, the
//!   command); `{"id": 2, "shell": "lock", "reason": "idle"}` does what the
//!   shell does by itself (the idle timer's or the system's lock);
//! - standard output, one JSON object a line: `{"ready": true}` once, then
//!   `{"id": 1, "ok": …}` or `{"id": 1, "err": {"code": …, "message": …}}`
//!   for each call in the order they finish, and
//!   `{"event": "brygga://sync", "payload": …}` for each event the app
//!   emits to the window.
//!
//! The process ends when its standard input closes.

use brygga_desktop::locking::{lock_and_tell, LOCKED_EVENT};
use brygga_desktop::state::{AppState, LockReason};
use brygga_desktop::sync_loop::{PROGRESS_EVENT, SYNC_EVENT};
use serde::Deserialize;
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{AppHandle, Listener, Manager, RunEvent, WebviewWindow};

/// The origin the app's own pages have; the capability grants the
/// commands to this window only.
const APP_ORIGIN: &str = "tauri://localhost";
const WINDOW: &str = "main";

#[derive(Deserialize)]
#[serde(untagged)]
enum Line {
    Command {
        id: u64,
        cmd: String,
        #[serde(default)]
        args: Value,
    },
    Shell {
        id: u64,
        shell: ShellAction,
        reason: LockReason,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ShellAction {
    Lock,
}

/// Standard output, shared by the answering threads and the listeners.
#[derive(Clone)]
struct Out(Arc<Mutex<std::io::Stdout>>);

impl Out {
    fn send(&self, value: Value) {
        let mut out = self.0.lock().unwrap_or_else(|e| e.into_inner());
        // A closed pipe means the test is gone; the process ends with stdin.
        let _ = writeln!(out, "{value}").and_then(|()| out.flush());
    }
}

fn main() {
    let app = brygga_desktop::with_commands(mock_builder(), brygga_desktop::data_dir())
        .build(brygga_desktop::context())
        .expect("the app builds on the mock runtime");
    let out = Out(Arc::new(Mutex::new(std::io::stdout())));
    for event in [SYNC_EVENT, PROGRESS_EVENT, LOCKED_EVENT] {
        let out = out.clone();
        app.listen_any(event, move |e| {
            let payload: Value = serde_json::from_str(e.payload()).unwrap_or(Value::Null);
            out.send(json!({ "event": event, "payload": payload }));
        });
    }
    // The window of tauri.conf.json exists once the app is ready.
    app.run(move |app, event| {
        if let RunEvent::Ready = event {
            let window = app
                .get_webview_window(WINDOW)
                .expect("tauri.conf.json declares the main window");
            let (app, out) = (app.clone(), out.clone());
            std::thread::spawn(move || serve(app, window, out));
        }
    });
}

/// Reads calls until standard input closes, answering each on its own
/// thread so that a slow command (a sync round) does not hold the others.
fn serve(app: AppHandle<MockRuntime>, window: WebviewWindow<MockRuntime>, out: Out) {
    out.send(json!({ "ready": true }));
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        match serde_json::from_str::<Line>(&line) {
            Ok(Line::Command { id, cmd, args }) => {
                let (window, out) = (window.clone(), out.clone());
                std::thread::spawn(move || out.send(invoke(&window, id, cmd, args)));
            }
            Ok(Line::Shell {
                id,
                shell: ShellAction::Lock,
                reason,
            }) => {
                lock_and_tell(&app, &app.state::<AppState>(), reason);
                out.send(json!({ "id": id, "ok": null }));
            }
            Err(e) => eprintln!("ui-bridge: a line that is not a call: {e}"),
        }
    }
    // The mock runtime cannot be asked to exit; the journal is closed
    // with the process (every write was committed when it answered).
    std::process::exit(0);
}

fn invoke(window: &WebviewWindow<MockRuntime>, id: u64, cmd: String, args: Value) -> Value {
    let request = InvokeRequest {
        cmd,
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: APP_ORIGIN.parse().expect("the app origin is a URL"),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_owned(),
    };
    match get_ipc_response(window, request) {
        Ok(body) => match body.deserialize::<Value>() {
            Ok(value) => json!({ "id": id, "ok": value }),
            Err(e) => json!({ "id": id, "err": { "code": "internal", "message": e.to_string() } }),
        },
        Err(error) => json!({ "id": id, "err": error }),
    }
}

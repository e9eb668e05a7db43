//! The web engine's settings that must be in place before it starts.
//!
//! On Linux the window's page runs in WebKitGTK's web process, which the
//! app starts and which inherits the app's environment; JavaScriptCore
//! reads its options from `JSC_*` variables there. Brygga turns its
//! just-in-time compilers off (ADR 0028): the page is Brygga's own bundled
//! script, fast enough in JavaScriptCore's interpreter, and without a JIT
//! the web process holds no memory that is both writable and executable
//! (one less way in for a flaw in the engine) and about 15 MiB less
//! memory with a caseload open.

/// The variable JavaScriptCore reads, and the value that turns every JIT off.
const JIT: (&str, &str) = ("JSC_useJIT", "false");

/// Sets the web engine's variables, leaving one that is set already (so a
/// developer can turn the JIT back on to compare). Called first thing in
/// `main`, before any thread starts: the environment is the process's.
pub fn configure() {
    if cfg!(all(unix, not(target_os = "macos"))) && std::env::var_os(JIT.0).is_none() {
        std::env::set_var(JIT.0, JIT.1);
    }
}

//! Secret files beside the database (the notice key, the staff key): read
//! when there, else made once, readable by the server's user alone, and
//! never written over, so that two processes starting at once keep the
//! first one's key.

use crate::error::{Error, Result};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

/// The bytes of the file at `path` (`what` names it in errors); when there
/// is none, `make`'s bytes written there first with mode 0600.
pub fn load_or_create(
    path: &Path,
    what: &str,
    make: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => create(path, what, make()?),
        Err(source) => Err(Error::Io {
            what: format!("reading the {what} {}", path.display()),
            source,
        }),
    }
}

/// Writes `bytes` to a new file at `path` and returns them, or what is
/// there when another process made it meanwhile.
fn create(path: &Path, what: &str, bytes: Vec<u8>) -> Result<Vec<u8>> {
    let io = |source| Error::Io {
        what: format!("creating the {what} {}", path.display()),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path);
    let mut file = match file {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            return std::fs::read(path).map_err(io)
        }
        Err(e) => return Err(io(e)),
    };
    file.write_all(&bytes).map_err(io)?;
    file.sync_all().map_err(io)?;
    tracing::info!(path = %path.display(), "made a new {what}");
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_key_file_is_made_once_and_readable_by_the_owner_alone() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sub").join("key");
        let first = load_or_create(&path, "test key", || Ok(vec![1, 2, 3])).expect("made");
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = load_or_create(&path, "test key", || Ok(vec![9])).expect("read");
        assert_eq!((first, again), (vec![1, 2, 3], vec![1, 2, 3]));
    }
}

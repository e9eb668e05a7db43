//! Where exports are written: a folder the user names, or Downloads.
//!
//! The webview only names a folder; the file name is the shell's own and an
//! existing file is never replaced (`-2`, `-3`, … are added instead).

use crate::error::{IpcError, IpcResult, ShellReason};
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The folder to write to: `folder` when given (absolute, existing),
/// else the user's Downloads folder, else their home, else the data folder.
pub fn resolve(folder: Option<&str>, data_dir: &Path) -> IpcResult<PathBuf> {
    match folder.map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => {
            let p = PathBuf::from(f);
            if !p.is_absolute() || !p.is_dir() {
                return Err(IpcError::invalid(
                    ShellReason::NotAFolder,
                    format!("'{f}' is not an existing folder"),
                ));
            }
            Ok(p)
        }
        None => Ok(default_dir(data_dir)),
    }
}

fn default_dir(data_dir: &Path) -> PathBuf {
    let user = directories::UserDirs::new();
    user.as_ref()
        .and_then(|u| u.download_dir().filter(|d| d.is_dir()).map(Path::to_owned))
        .or_else(|| user.as_ref().map(|u| u.home_dir().to_owned()))
        .unwrap_or_else(|| data_dir.to_owned())
}

/// Writes `bytes` to a new file `stem.ext` (or `stem-N.ext`) in `dir`.
pub fn write_new(dir: &Path, stem: &str, ext: &str, bytes: &[u8]) -> IpcResult<PathBuf> {
    for n in 1..1000 {
        let name = if n == 1 {
            format!("{stem}.{ext}")
        } else {
            format!("{stem}-{n}.{ext}")
        };
        let path = dir.join(name);
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(bytes)
                    .and_then(|()| f.sync_all())
                    .map_err(|e| {
                        IpcError::internal(format!("could not write {}: {e}", path.display()))
                    })?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(IpcError::invalid(
                    ShellReason::CannotWrite,
                    format!("could not write in {}: {e}", dir.display()),
                ))
            }
        }
    }
    Err(IpcError::invalid(
        ShellReason::TooManyExports,
        "too many exports of that name in the folder",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_overwrites_and_refuses_relative_or_missing_folders() {
        let dir = tempfile::tempdir().expect("tempdir");
        let a = write_new(dir.path(), "x", "csv", b"1").expect("first");
        let b = write_new(dir.path(), "x", "csv", b"2").expect("second");
        assert_eq!(a.file_name().and_then(|n| n.to_str()), Some("x.csv"));
        assert_eq!(b.file_name().and_then(|n| n.to_str()), Some("x-2.csv"));
        assert_eq!(std::fs::read(&a).expect("read"), b"1");
        assert!(resolve(Some("relative/dir"), dir.path()).is_err());
        assert!(resolve(Some("/no/such/folder/brygga"), dir.path()).is_err());
        let here = dir.path().to_str().expect("utf-8");
        assert_eq!(resolve(Some(here), dir.path()).expect("ok"), dir.path());
        assert!(resolve(None, dir.path()).expect("default").is_absolute());
    }
}

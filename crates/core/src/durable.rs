//! Making a rename last: syncing the folder that holds the new name.

use std::path::Path;

/// Flushes the entries of `dir` to disk, so a file renamed into it is still
/// there after a power cut.
///
/// On Windows there is nothing to do, and nothing could be done through the
/// standard library: it cannot open a folder as a file (that takes
/// `FILE_FLAG_BACKUP_SEMANTICS`), and NTFS journals its metadata, so a
/// rename is never half done after a crash.
pub(crate) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

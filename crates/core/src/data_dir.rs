//! Where a laptop keeps its journal when no folder is named.

use std::path::PathBuf;

/// The journal folder of this user on this machine, as `directories` says
/// for the project `se.Brygga.Brygga`:
///
/// - Linux: `$XDG_DATA_HOME/brygga` (`~/.local/share/brygga`);
/// - Windows: `%LOCALAPPDATA%\Brygga\Brygga\data`. The local app data, not
///   the roaming one: a roaming profile would copy the journal and its key
///   file to the profile server at every log-off, and two laptops of one
///   therapist would overwrite each other's journal (docs/windows.md);
/// - macOS: `~/Library/Application Support/se.Brygga.Brygga`.
///
/// None when the platform names no home for this user.
pub fn default_data_dir() -> Option<PathBuf> {
    directories::ProjectDirs::from("se", "Brygga", "Brygga").map(|p| p.data_local_dir().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn on_linux_it_is_the_xdg_data_folder() {
        let home = directories::BaseDirs::new().expect("a home");
        assert_eq!(
            default_data_dir(),
            Some(home.data_dir().join("brygga")),
            "unchanged from the roaming-free XDG data folder"
        );
    }

    #[cfg(windows)]
    #[test]
    fn on_windows_it_is_under_the_local_app_data() {
        let local = std::env::var_os("LOCALAPPDATA").expect("LOCALAPPDATA is set");
        let dir = default_data_dir().expect("a folder");
        assert!(dir.starts_with(&local), "{dir:?} under {local:?}");
        assert!(dir.ends_with(r"Brygga\Brygga\data"), "{dir:?}");
    }
}

//! The server's notice key: the Ed25519 key it signs notices with (a case
//! purged, the retention settings; `brygga_protocol::notice`).
//!
//! It lives in a file of its own (`<data dir>/notice-key.pk8`, PKCS#8,
//! mode 0600), not in the database, on purpose: someone who can write to
//! the database but cannot read this file cannot make laptops remove a
//! case. Nothing prints or logs the private key; `Debug` shows the public
//! key and the file only.

use crate::error::{Error, Result};
use brygga_protocol::notice::{self, Notice, SignedNotice};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use std::path::{Path, PathBuf};

/// The file name of the key in the data directory.
pub const FILE_NAME: &str = "notice-key.pk8";

pub struct NoticeKey {
    pair: Ed25519KeyPair,
    path: PathBuf,
}

impl std::fmt::Debug for NoticeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NoticeKey")
            .field("public_key", &self.public_hex())
            .field("path", &self.path)
            .finish()
    }
}

impl NoticeKey {
    /// The key in `path`, made there first when there is none.
    pub fn load_or_create(path: &Path) -> Result<NoticeKey> {
        let pkcs8 = crate::key_file::load_or_create(path, "notice key", || {
            Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
                .map(|pkcs8| pkcs8.as_ref().to_vec())
                .map_err(|_| Error::Usage("the system random generator failed".into()))
        })?;
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| {
            Error::Usage(format!(
                "{} is not an Ed25519 PKCS#8 key (the notice key)",
                path.display()
            ))
        })?;
        Ok(NoticeKey {
            pair,
            path: path.to_path_buf(),
        })
    }

    /// The raw 32-byte public key, hex: what devices pin at enrolment.
    pub fn public_hex(&self) -> String {
        hex::encode(self.pair.public_key().as_ref())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn sign(&self, notice: Notice) -> SignedNotice {
        notice::sign(notice, &self.pair)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use brygga_protocol::notice::NoticeBody;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn the_key_is_made_once_readable_by_the_owner_alone_and_signs_notices() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("sub").join(FILE_NAME);
        let first = NoticeKey::load_or_create(&path).expect("made");
        let mode = std::fs::metadata(&path).expect("file").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = NoticeKey::load_or_create(&path).expect("loaded");
        assert_eq!(first.public_hex(), again.public_hex());
        assert_eq!(first.public_hex().len(), 64);
        let signed = again.sign(Notice {
            version: brygga_protocol::PROTOCOL_VERSION,
            id: uuid::Uuid::now_v7(),
            issued_at_ms: 1,
            team: None,
            body: NoticeBody::RetentionSettings {
                case_leaves_laptop_after_days: 30,
            },
        });
        let public = hex::decode(first.public_hex()).expect("hex");
        assert_eq!(notice::verify(&signed, &public), Ok(()));
        let shown = format!("{first:?}");
        assert!(shown.contains(&first.public_hex()) && shown.contains(FILE_NAME));
    }

    #[test]
    fn a_file_that_is_no_key_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, b"not a key").expect("write");
        assert!(matches!(
            NoticeKey::load_or_create(&path),
            Err(Error::Usage(_))
        ));
    }
}

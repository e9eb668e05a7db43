//! The staff key: what keeps the staff's TOTP secrets sealed in the
//! database (ADR 0036). A TOTP secret is what makes a stolen password
//! useless; kept in clear, a copy of the database (a backup, a dump on an
//! admin's laptop) would hand out every second factor with it.
//!
//! The key is 32 random bytes in a file beside the database
//! (`<data dir>/staff-key.bin`, mode 0600), like the notice key: someone
//! with the database alone cannot read the secrets. Each secret is sealed
//! with AES-256-GCM under a fresh random nonce, the account's name bound
//! as associated data, so a sealed secret moved to another account's row
//! does not open. Nothing prints the key; `Debug` shows its file only.

use crate::error::{Error, Result};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use std::path::{Path, PathBuf};

/// The file name of the key in the data directory.
pub const FILE_NAME: &str = "staff-key.bin";

/// How a sealed secret's text begins; anything else is an unsealed one
/// from before the key (base32), sealed at the next start.
const SEALED: &str = "sealed-v1:";

pub struct StaffKey {
    key: LessSafeKey,
    path: PathBuf,
}

impl std::fmt::Debug for StaffKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffKey")
            .field("path", &self.path)
            .finish()
    }
}

impl StaffKey {
    /// The key in `path`, made there first when there is none.
    pub fn load_or_create(path: &Path) -> Result<StaffKey> {
        let bytes = crate::key_file::load_or_create(path, "staff key", || {
            Ok(super::random_bytes::<32>()?.to_vec())
        })?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| {
            Error::Usage(format!("{} is not a staff key (32 bytes)", path.display()))
        })?;
        Ok(StaffKey {
            key: LessSafeKey::new(key),
            path: path.to_path_buf(),
        })
    }

    /// `secret` sealed for the account `name`, as the database keeps it.
    pub fn seal(&self, name: &str, secret: &[u8]) -> Result<String> {
        let nonce = super::random_bytes::<NONCE_LEN>()?;
        let mut sealed = secret.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(name.as_bytes()),
                &mut sealed,
            )
            .map_err(|_| Error::Usage("sealing a TOTP secret failed".into()))?;
        Ok(format!(
            "{SEALED}{}{}",
            hex::encode(nonce),
            hex::encode(sealed)
        ))
    }

    /// The secret of the account `name` from its stored text; None when it
    /// is not sealed by this key for this account.
    pub fn open(&self, name: &str, stored: &str) -> Option<Vec<u8>> {
        let bytes = hex::decode(stored.strip_prefix(SEALED)?).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut sealed = sealed.to_vec();
        let secret = self
            .key
            .open_in_place(nonce, Aad::from(name.as_bytes()), &mut sealed)
            .ok()?;
        Some(secret.to_vec())
    }
}

/// Whether a stored secret is sealed (else it is base32 from before the
/// key).
pub fn is_sealed(stored: &str) -> bool {
    stored.starts_with(SEALED)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(dir: &Path) -> StaffKey {
        StaffKey::load_or_create(&dir.join(FILE_NAME)).expect("key")
    }

    #[test]
    fn a_sealed_secret_opens_for_its_account_alone_and_shows_nothing_of_itself() {
        let dir = tempfile::tempdir().expect("dir");
        let key = key(dir.path());
        let secret = b"12345678901234567890";
        let sealed = key.seal("chef.fiktiv", secret).expect("sealed");
        assert!(is_sealed(&sealed));
        assert!(!sealed.contains(&hex::encode(secret)));
        assert_eq!(
            key.open("chef.fiktiv", &sealed).as_deref(),
            Some(&secret[..])
        );
        // Moved to another account's row, it does not open.
        assert_eq!(key.open("admin.fiktiv", &sealed), None);
        // Sealed twice, it reads differently (a fresh nonce each time).
        assert_ne!(key.seal("chef.fiktiv", secret).expect("again"), sealed);
        // The same key read again from its file opens it.
        assert!(StaffKey::load_or_create(&dir.path().join(FILE_NAME))
            .expect("read")
            .open("chef.fiktiv", &sealed)
            .is_some());
        assert!(format!("{key:?}").contains(FILE_NAME));
    }

    #[test]
    fn another_key_a_changed_byte_or_an_unsealed_text_does_not_open() {
        let (a, b) = (
            tempfile::tempdir().expect("a"),
            tempfile::tempdir().expect("b"),
        );
        let sealed = key(a.path())
            .seal("chef.fiktiv", b"secret")
            .expect("sealed");
        assert_eq!(key(b.path()).open("chef.fiktiv", &sealed), None);
        let mut changed = sealed.clone().into_bytes();
        let last = changed.len() - 1;
        changed[last] = if changed[last] == b'0' { b'1' } else { b'0' };
        let changed = String::from_utf8(changed).expect("text");
        assert_eq!(key(a.path()).open("chef.fiktiv", &changed), None);
        assert!(!is_sealed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"));
        assert_eq!(key(a.path()).open("chef.fiktiv", "GEZDGNBV"), None);
    }

    #[test]
    fn a_file_that_is_no_key_is_refused() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join(FILE_NAME), b"short").expect("write");
        assert!(matches!(
            StaffKey::load_or_create(&dir.path().join(FILE_NAME)),
            Err(Error::Usage(_))
        ));
    }
}

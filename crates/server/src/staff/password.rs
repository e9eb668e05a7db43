//! Staff passwords: Argon2id with the crate's default parameters (19 MiB,
//! two passes), stored as PHC strings, so the parameters can be raised
//! later without invalidating the stored hashes.

use crate::error::{Error, Result};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// The hash of `password`, with a random salt.
pub fn hash(password: &str) -> Result<String> {
    let salt = SaltString::encode_b64(&super::random_bytes::<16>()?)
        .map_err(|e| Error::Usage(format!("password salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Usage(format!("hashing a password: {e}")))
}

/// Whether `password` is the one `stored` was made from (false as well
/// for a stored hash that does not parse).
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A first password: 20 base32 characters (100 bits), in groups of five
/// so it can be read out over the phone.
pub fn generate() -> Result<String> {
    let text = super::totp::base32(&super::random_bytes::<13>()?);
    let chars: Vec<char> = text.chars().take(20).collect();
    Ok(chars
        .chunks(5)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let password = generate().expect("password");
        assert_eq!(password.len(), 23);
        let stored = hash(&password).expect("hash");
        assert!(stored.starts_with("$argon2id$"));
        assert!(verify(&password, &stored));
        assert!(!verify("fel lösenord", &stored));
        assert!(!verify(&password, "not a hash"));
        assert_ne!(
            hash(&password).expect("hash"),
            stored,
            "a new salt each time"
        );
    }
}

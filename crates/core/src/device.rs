//! This device's identity: id, author name and Ed25519 signing key.
//!
//! The private key is generated at `init` and stored (PKCS#8) only inside
//! the encrypted database; it signs every operation this device makes.

use crate::error::{Error, Result};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair};
use rusqlite::{params, Connection, OptionalExtension};
use uuid::Uuid;
use zeroize::Zeroizing;

pub(crate) struct Device {
    pub id: Uuid,
    pub author: String,
    pub key: Ed25519KeyPair,
}

impl std::fmt::Debug for Device {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Device")
            .field("id", &self.id)
            .field("author", &self.author)
            .finish_non_exhaustive()
    }
}

impl Device {
    pub fn public_key(&self) -> &[u8] {
        self.key.public_key().as_ref()
    }
}

pub(crate) fn create(conn: &Connection, author: &str, created_at: &str) -> Result<Device> {
    let pkcs8 = Zeroizing::new(
        Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| Error::Damaged("could not generate a device key".into()))?
            .as_ref()
            .to_vec(),
    );
    let key = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map_err(|_| Error::Damaged("generated device key does not parse".into()))?;
    let id = Uuid::now_v7();
    conn.execute(
        "INSERT INTO device (id, author, pkcs8, public_key, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id.to_string(), author, pkcs8.as_slice(), key.public_key().as_ref(), created_at],
    )?;
    Ok(Device {
        id,
        author: author.to_owned(),
        key,
    })
}

pub(crate) fn load(conn: &Connection) -> Result<Device> {
    let row: Option<(String, String, Vec<u8>)> = conn
        .query_row("SELECT id, author, pkcs8 FROM device LIMIT 1", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .optional()?;
    let (id, author, pkcs8) =
        row.ok_or_else(|| Error::Damaged("the journal has no device identity".into()))?;
    let pkcs8 = Zeroizing::new(pkcs8);
    let id =
        Uuid::parse_str(&id).map_err(|_| Error::Damaged("the device id is unreadable".into()))?;
    let key = Ed25519KeyPair::from_pkcs8(&pkcs8)
        .map_err(|_| Error::Damaged("the device key is unreadable".into()))?;
    Ok(Device { id, author, key })
}

//! Staff accounts: the people around the therapists who use the web pages
//! (administrators, unit managers, auditors), apart from the devices
//! (docs/adr/0036-staff-accounts-and-sessions.md). Each logs in with a
//! password (Argon2id) and a TOTP code; [`rules`] holds the account rules,
//! [`totp`] the codes, [`password`] the hashing, [`sealing`] the key the
//! TOTP secrets are sealed with; the admin commands that add, reset and
//! disable an account are here.

pub mod password;
pub mod rules;
pub mod sealing;
pub mod totp;

use crate::error::{Error, Result};
use crate::store::staff::{NewStaff, Staff, StaffChange};
use crate::store::{AuditRecord, Store};
use ring::rand::{SecureRandom, SystemRandom};
use sealing::StaffKey;

/// What a staff member may see and do; a person may have several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Role {
    /// Devices, enrolment codes, revocation.
    Administrator,
    /// Aggregates of the teams' work, never a name.
    UnitManager,
    /// The audit review and its chain-break alerts.
    Auditor,
}

impl Role {
    pub const ALL: [Role; 3] = [Role::Administrator, Role::UnitManager, Role::Auditor];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::UnitManager => "unit-manager",
            Role::Auditor => "auditor",
        }
    }

    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// `n` random bytes from the system's generator.
pub(crate) fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut bytes = [0u8; N];
    SystemRandom::new()
        .fill(&mut bytes)
        .map_err(|_| Error::Usage("the system random generator failed".into()))?;
    Ok(bytes)
}

/// The audit row of an admin command on the account `name`.
fn audit(action: &str, name: &str, detail: String) -> AuditRecord {
    crate::admin::audit(action, name, detail)
}

/// What `staff add` hands out once: the first password and the TOTP
/// secret, neither of which the server can show again.
pub struct Added {
    pub staff: Staff,
    pub password: String,
    pub otpauth_uri: String,
    pub totp_secret: String,
}

/// Adds an account with `roles`, a generated password and a new TOTP
/// secret, stored sealed with `key`.
pub async fn add(store: &dyn Store, key: &StaffKey, name: &str, roles: &[Role]) -> Result<Added> {
    if !rules::valid_name(name) {
        return Err(Error::Usage(
            "a staff name is 1 to 64 ASCII letters, digits and . _ @ -".into(),
        ));
    }
    let mut roles = roles.to_vec();
    roles.sort();
    roles.dedup();
    if roles.is_empty() {
        return Err(Error::Usage("give at least one --role".into()));
    }
    let password = password::generate()?;
    let secret = random_bytes::<20>()?;
    let role_names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
    let staff = store
        .add_staff(
            NewStaff {
                name: name.to_string(),
                roles,
                password_hash: password::hash(&password)?,
                totp_secret: key.seal(name, &secret)?,
            },
            audit("staff.add", name, format!("roles={}", role_names.join(","))),
        )
        .await?;
    Ok(Added {
        staff,
        password,
        otpauth_uri: totp::otpauth_uri(name, &secret),
        totp_secret: totp::base32(&secret),
    })
}

/// Gives the account a new TOTP secret (a lost phone), stored sealed with
/// `key`; returns its `otpauth://` URI. The account's sessions end.
pub async fn totp_reset(store: &dyn Store, key: &StaffKey, name: &str) -> Result<String> {
    let secret = random_bytes::<20>()?;
    store
        .change_staff(
            name,
            StaffChange::TotpSecret(key.seal(name, &secret)?),
            audit("staff.totp-reset", name, String::new()),
        )
        .await?;
    Ok(totp::otpauth_uri(name, &secret))
}

/// Disables the account: no login, and its sessions end at once.
pub async fn disable(store: &dyn Store, name: &str) -> Result<()> {
    store
        .change_staff(
            name,
            StaffChange::Disable,
            audit("staff.disable", name, String::new()),
        )
        .await?;
    Ok(())
}

/// Seals every TOTP secret still stored in clear (accounts added before
/// the staff key); returns how many. Run as the server starts, before any
/// login. The account's sessions end and its last used code step is
/// forgotten, as at a reset; the secret, and so the phone, stays.
pub async fn seal_stored(store: &dyn Store, key: &StaffKey) -> Result<usize> {
    let mut sealed = 0;
    for staff in store.list_staff().await? {
        if sealing::is_sealed(&staff.totp_secret) {
            continue;
        }
        let Some(secret) = totp::from_base32(&staff.totp_secret) else {
            tracing::error!(staff = %staff.name, "a stored TOTP secret is neither sealed nor base32");
            continue;
        };
        store
            .change_staff(
                &staff.name,
                StaffChange::TotpSecret(key.seal(&staff.name, &secret)?),
                audit("staff.totp-sealed", &staff.name, String::new()),
            )
            .await?;
        sealed += 1;
    }
    Ok(sealed)
}

//! What the store keeps of staff accounts and their web sessions
//! (docs/adr/0036-staff-accounts-and-sessions.md). The rules that decide
//! with these rows are [`crate::staff::rules`]'s.

use crate::staff::Role;

/// A staff account to add.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewStaff {
    pub name: String,
    pub roles: Vec<Role>,
    /// Argon2id, as a PHC string.
    pub password_hash: String,
    /// The TOTP secret, base32.
    pub totp_secret: String,
}

impl NewStaff {
    /// The account as stored with `id`, added at `at_ms`.
    pub(crate) fn stored(self, id: i64, at_ms: i64) -> Staff {
        Staff {
            id,
            name: self.name,
            roles: self.roles,
            password_hash: self.password_hash,
            totp_secret: self.totp_secret,
            created_at_ms: at_ms,
            disabled_at_ms: None,
            failed_logins: 0,
            last_failed_at_ms: None,
            last_totp_step: None,
        }
    }
}

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Staff {
    pub id: i64,
    pub name: String,
    pub roles: Vec<Role>,
    pub password_hash: String,
    pub totp_secret: String,
    pub created_at_ms: i64,
    pub disabled_at_ms: Option<i64>,
    /// Failed logins since the last good one.
    pub failed_logins: i64,
    pub last_failed_at_ms: Option<i64>,
    /// The TOTP step of the last good login: no code of it or before it
    /// is good again.
    pub last_totp_step: Option<i64>,
}

/// A change to an account; each ends the account's open sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffChange {
    /// A new TOTP secret (base32): the old phone's codes stop working.
    TotpSecret(String),
    /// A new password hash (Argon2id, PHC string), set by its owner.
    Password(String),
    Disable,
}

/// A session to start with a good login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    /// SHA-256 (hex) of the cookie's token: the token itself is not kept.
    pub token_hash: String,
    pub csrf_token: String,
}

/// What a login attempt recorded, at its audit row's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginResult {
    Failed,
    /// The password and the code of `totp_step` were good: the failures
    /// are forgotten and the session starts, unless a login with that
    /// step or a later one came first (then nothing is stored).
    Succeeded {
        totp_step: i64,
        session: NewSession,
    },
}

/// A web session with its account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebSession {
    pub token_hash: String,
    pub staff: Staff,
    pub csrf_token: String,
    pub created_at_ms: i64,
    pub last_seen_ms: i64,
    pub ended_at_ms: Option<i64>,
}

/// The roles column's text: role names, comma-separated.
pub(crate) fn roles_text(roles: &[Role]) -> String {
    roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Reads [`roles_text`]'s text; an unknown name is a database error.
pub(crate) fn parse_roles(text: &str) -> super::Result<Vec<Role>> {
    text.split(',')
        .filter(|r| !r.is_empty())
        .map(|r| {
            Role::parse(r)
                .ok_or_else(|| super::StoreError::Database(format!("unknown staff role '{r}'")))
        })
        .collect()
}

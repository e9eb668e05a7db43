//! Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP, with
//! HMAC-SHA-1, 6 digits and 30-second steps: what every authenticator app
//! reads from an `otpauth://` URI).

use ring::hmac;

/// Seconds per step.
pub const STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Steps accepted on either side of the server's (a phone's clock a little
/// off, a code typed as its step ends).
pub const WINDOW: i64 = 1;

/// The step of a unix-millisecond time.
pub fn step_of(at_ms: i64) -> i64 {
    at_ms.div_euclid(1000 * STEP_SECONDS)
}

/// HOTP (RFC 4226) of `counter`, `digits` long, with `algorithm`.
fn hotp(algorithm: hmac::Algorithm, secret: &[u8], counter: u64, digits: u32) -> String {
    let key = hmac::Key::new(algorithm, secret);
    let mac = hmac::sign(&key, &counter.to_be_bytes());
    let mac = mac.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = u32::from_be_bytes([
        mac[offset] & 0x7f,
        mac[offset + 1],
        mac[offset + 2],
        mac[offset + 3],
    ]);
    let code = binary % 10u32.pow(digits);
    format!("{code:0width$}", width = digits as usize)
}

/// The code of `step` for `secret`.
pub fn code(secret: &[u8], step: i64) -> String {
    hotp(
        hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        secret,
        step.max(0) as u64,
        DIGITS,
    )
}

/// The step whose code `typed` is, within [`WINDOW`] of `now_ms`'s step
/// and after `last_used` (a code is good once), or None. Spaces in what
/// was typed are ignored.
pub fn check(secret: &[u8], typed: &str, now_ms: i64, last_used: Option<i64>) -> Option<i64> {
    let typed: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    if typed.len() != DIGITS as usize || !typed.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let now = step_of(now_ms);
    (now - WINDOW..=now + WINDOW)
        .filter(|step| last_used.is_none_or(|used| *step > used))
        .find(|step| super::rules::same_secret(&code(secret, *step), &typed))
}

/// RFC 4648 base32 without padding, as authenticator apps read secrets.
pub fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((buffer >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

/// Reads [`base32`]'s text back (None when it is not base32).
pub fn from_base32(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.trim_end_matches('=').chars() {
        let value = match c {
            'A'..='Z' => c as u32 - 'A' as u32,
            '2'..='7' => c as u32 - '2' as u32 + 26,
            _ => return None,
        };
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// The `otpauth://` URI an authenticator app reads (as a QR code or
/// typed): `name` is a staff name (letters, digits and `._@-` only, so
/// nothing needs escaping).
pub fn otpauth_uri(name: &str, secret: &[u8]) -> String {
    format!(
        "otpauth://totp/Brygga:{name}?secret={}&issuer=Brygga&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        base32(secret)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B: the SHA-1 secret is "12345678901234567890"
    /// (and the SHA-256 and SHA-512 ones its longer repeats), 8 digits.
    #[test]
    fn rfc6238_test_vectors() {
        let sha1 = b"12345678901234567890".as_slice();
        let sha256 = b"12345678901234567890123456789012".as_slice();
        let sha512 = b"1234567890123456789012345678901234567890123456789012345678901234".as_slice();
        let vectors: [(u64, &str, &str, &str); 6] = [
            (59, "94287082", "46119246", "90693936"),
            (1111111109, "07081804", "68084774", "25091201"),
            (1111111111, "14050471", "67062674", "99943326"),
            (1234567890, "89005924", "91819424", "93441116"),
            (2000000000, "69279037", "90698825", "38618901"),
            (20000000000, "65353130", "77737706", "47863826"),
        ];
        for (time, t1, t256, t512) in vectors {
            let counter = time / STEP_SECONDS as u64;
            assert_eq!(
                hotp(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, sha1, counter, 8),
                t1
            );
            assert_eq!(hotp(hmac::HMAC_SHA256, sha256, counter, 8), t256);
            assert_eq!(hotp(hmac::HMAC_SHA512, sha512, counter, 8), t512);
        }
        // The 6-digit code is the last six digits of the 8-digit one.
        assert_eq!(code(sha1, 59 / STEP_SECONDS), "287082");
    }

    #[test]
    fn a_code_is_good_within_one_step_and_once() {
        let secret = b"12345678901234567890";
        let now = 1_111_111_111_000;
        let step = step_of(now);
        let typed = code(secret, step);
        assert_eq!(check(secret, &typed, now, None), Some(step));
        // Spaces are ignored; letters and wrong lengths are refused.
        let spaced = format!("{} {}", &typed[..3], &typed[3..]);
        assert_eq!(check(secret, &spaced, now, None), Some(step));
        assert_eq!(check(secret, "12345a", now, None), None);
        assert_eq!(check(secret, &typed[..5], now, None), None);
        // One step late or early is accepted, two are not.
        assert_eq!(
            check(secret, &code(secret, step - 1), now, None),
            Some(step - 1)
        );
        assert_eq!(
            check(secret, &code(secret, step + 1), now, None),
            Some(step + 1)
        );
        assert_eq!(check(secret, &code(secret, step - 2), now, None), None);
        assert_eq!(check(secret, &code(secret, step + 2), now, None), None);
        // A code used once is not good again, nor one before it.
        assert_eq!(check(secret, &typed, now, Some(step)), None);
        assert_eq!(
            check(secret, &code(secret, step - 1), now, Some(step)),
            None
        );
        assert_eq!(
            check(secret, &code(secret, step + 1), now, Some(step)),
            Some(step + 1)
        );
    }

    #[test]
    fn base32_matches_rfc4648_and_reads_back() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        // What an enrolment code's secret is made of.
        assert!(brygga_protocol::api::EnrollCode::valid_secret(&base32(
            &[0xff; 20]
        )));
        for bytes in [
            b"".as_slice(),
            b"f",
            b"foobar",
            &[0xff; 20],
            &[0, 1, 2, 3, 4, 5, 6],
        ] {
            assert_eq!(from_base32(&base32(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(
            from_base32("MZXW6YTBOI======").as_deref(),
            Some(b"foobar".as_slice())
        );
        assert_eq!(from_base32("mzxw"), None);
    }

    #[test]
    fn the_uri_names_the_account_and_the_parameters() {
        assert_eq!(
            otpauth_uri("anna.fiktiv", b"foobar"),
            "otpauth://totp/Brygga:anna.fiktiv?secret=MZXW6YTBOI&issuer=Brygga&algorithm=SHA1&digits=6&period=30"
        );
    }
}

//! Slack request signing: `v0=hex(HMAC-SHA256(secret, "v0:{ts}:{body}"))`,
//! compared in constant time, with the timestamp within five minutes of now
//! in either direction.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Largest allowed distance between Slack's timestamp and our clock, seconds.
pub const MAX_SKEW_SECONDS: i64 = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum VerifyError {
    MissingHeaders,
    BadTimestamp,
    /// A number, but beyond what a timestamp can be.
    OutOfRange,
    Stale,
    BadSignature,
}

pub fn verify(
    secret: &[u8],
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now_unix: i64,
) -> Result<(), VerifyError> {
    let (Some(timestamp), Some(signature)) = (timestamp, signature) else {
        return Err(VerifyError::MissingHeaders);
    };
    let ts: i64 = timestamp
        .trim()
        .parse()
        .map_err(|e: std::num::ParseIntError| {
            use std::num::IntErrorKind::{NegOverflow, PosOverflow};
            match e.kind() {
                PosOverflow | NegOverflow => VerifyError::OutOfRange,
                _ => VerifyError::BadTimestamp,
            }
        })?;
    // `abs_diff` cannot overflow, whatever the two values.
    if now_unix.abs_diff(ts) > MAX_SKEW_SECONDS.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    let hex_sig = signature
        .trim()
        .strip_prefix("v0=")
        .ok_or(VerifyError::BadSignature)?;
    let expected = hex::decode(hex_sig).map_err(|_| VerifyError::BadSignature)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| VerifyError::BadSignature)?;
    mac.update(b"v0:");
    mac.update(timestamp.trim().as_bytes());
    mac.update(b":");
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| VerifyError::BadSignature)
}

/// Signs a body as Slack does; used by tests and the load generator.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes any key length");
    mac.update(format!("v0:{timestamp}:").as_bytes());
    mac.update(body);
    format!("v0={}", hex::encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Slack's published test vector.
    const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
    const TS: i64 = 1531420618;
    const BODY: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c";
    const SIG: &str = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503";

    #[test]
    fn official_test_vector() {
        assert_eq!(sign(SECRET.as_bytes(), TS, BODY.as_bytes()), SIG);
        let ts = TS.to_string();
        assert_eq!(
            verify(
                SECRET.as_bytes(),
                Some(&ts),
                Some(SIG),
                BODY.as_bytes(),
                TS + 10
            ),
            Ok(())
        );
    }

    #[test]
    fn rejects_tampering_and_skew() {
        let ts = TS.to_string();
        let v = |body: &str, sig: &str, now: i64| {
            verify(
                SECRET.as_bytes(),
                Some(&ts),
                Some(sig),
                body.as_bytes(),
                now,
            )
        };
        assert_eq!(
            v(&format!("{BODY}x"), SIG, TS),
            Err(VerifyError::BadSignature)
        );
        assert_eq!(v(BODY, "v0=00", TS), Err(VerifyError::BadSignature));
        assert_eq!(v(BODY, "a2114d57", TS), Err(VerifyError::BadSignature));
        assert_eq!(v(BODY, SIG, TS + 301), Err(VerifyError::Stale));
        assert_eq!(v(BODY, SIG, TS - 301), Err(VerifyError::Stale));
        assert_eq!(v(BODY, SIG, TS + 300), Ok(()));
        assert_eq!(
            verify(SECRET.as_bytes(), None, Some(SIG), BODY.as_bytes(), TS),
            Err(VerifyError::MissingHeaders)
        );
        assert_eq!(
            verify(
                SECRET.as_bytes(),
                Some("soon"),
                Some(SIG),
                BODY.as_bytes(),
                TS
            ),
            Err(VerifyError::BadTimestamp)
        );
    }

    #[test]
    fn extreme_timestamps_are_refused_without_overflow() {
        let at = |ts: &str, now: i64| {
            verify(SECRET.as_bytes(), Some(ts), Some(SIG), BODY.as_bytes(), now)
        };
        let (min, max) = (i64::MIN.to_string(), i64::MAX.to_string());
        assert_eq!(at(&min, TS), Err(VerifyError::Stale));
        assert_eq!(at(&max, TS), Err(VerifyError::Stale));
        assert_eq!(at(&min, i64::MAX), Err(VerifyError::Stale));
        assert_eq!(at(&max, i64::MIN), Err(VerifyError::Stale));
        assert_eq!(at("99999999999999999999", TS), Err(VerifyError::OutOfRange));
        assert_eq!(
            at("-99999999999999999999", TS),
            Err(VerifyError::OutOfRange)
        );
    }
}

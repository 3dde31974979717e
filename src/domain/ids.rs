//! Identifiers: the rule of a content or station id, random ones from the OS generator, and
//! hex helpers.
//!
//! A key, a pass id, a salt or a hash key is never made from anything else: when the OS
//! generator fails, making one is an error ([`RandomError`]), never a guessable fallback.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by [`simulate_failure`]: every later draw in this process fails.
static SIMULATED_FAILURE: AtomicBool = AtomicBool::new(false);

/// The environment variable that makes the `klub` binary's random draws fail, so that tests
/// can check how a command behaves without breaking the machine's generator.
pub const SIMULATE_FAILURE_ENV: &str = "KLUB_SIMULATE_RANDOM_FAILURE";

/// The OS random generator failed: nothing secret or unique can be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "le générateur aléatoire du système ne répond pas ({0}) : aucune clé ni aucun identifiant n'est créé / the system random generator failed ({0}): no key or id is made"
)]
pub struct RandomError(String);

/// Fills a buffer from the OS random generator.
pub fn fill_random(buf: &mut [u8]) -> Result<(), RandomError> {
    if SIMULATED_FAILURE.load(Ordering::Relaxed) {
        return Err(RandomError("panne simulée / simulated failure".into()));
    }
    getrandom::fill(buf).map_err(|e| RandomError(e.to_string()))
}

/// Test seam: from now on every draw in this process fails (`true`), or works again.
/// Process-wide, so a test that sets it runs alone in its test binary.
pub fn simulate_failure(on: bool) {
    SIMULATED_FAILURE.store(on, Ordering::Relaxed);
}

/// Lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Parses lowercase or uppercase hex; `None` when malformed.
pub fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Whether a string is a content or station id: `[a-z0-9][a-z0-9-]*`, at most 40 characters.
/// Content files are checked against it, and the log refuses anything else.
pub fn is_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
}

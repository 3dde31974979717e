//! The facilitator PIN, stored only as a salted, stretched hash.

use crate::domain::ids::{fill_random, from_hex, to_hex};
use sha2::{Digest, Sha256};

const ROUNDS: u32 = 20_000;

fn stretch(pin: &str, salt: &[u8]) -> [u8; 32] {
    let mut h: [u8; 32] = Sha256::new()
        .chain_update(salt)
        .chain_update(pin.as_bytes())
        .finalize()
        .into();
    for _ in 0..ROUNDS {
        h = Sha256::new()
            .chain_update(h)
            .chain_update(salt)
            .finalize()
            .into();
    }
    h
}

/// Hashes a PIN with a fresh salt, as `sha256:<salt hex>:<hash hex>`.
pub fn hash_pin(pin: &str) -> String {
    let mut salt = [0u8; 16];
    fill_random(&mut salt);
    format!("sha256:{}:{}", to_hex(&salt), to_hex(&stretch(pin, &salt)))
}

/// Splits a stored hash into salt and digest; `None` when malformed.
pub fn parse_hash(stored: &str) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut parts = stored.split(':');
    let (Some("sha256"), Some(salt), Some(hash), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let (salt, hash) = (from_hex(salt)?, from_hex(hash)?);
    (salt.len() >= 8 && hash.len() == 32).then_some((salt, hash))
}

/// Whether a PIN matches a stored hash. A malformed hash matches nothing.
pub fn verify(pin: &str, stored: &str) -> bool {
    let Some((salt, hash)) = parse_hash(stored) else {
        return false;
    };
    let got = stretch(pin, &salt);
    // Constant-time compare: the PIN is short, so leak nothing about how close a guess was.
    got.iter().zip(&hash).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

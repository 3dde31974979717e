//! The facilitator PIN: six to eight digits, stored only as an argon2id hash
//! (`argon2id:m=19456,t=2,p=1:<salt hex>:<hash hex>`). Hashes made before argon2
//! (`sha256:<salt hex>:<hash hex>`, 20,000 SHA-256 rounds) are still accepted, but
//! [`needs_renewal`] says they should be made again with `klub pin`.

use crate::domain::ids::{RandomError, fill_random, from_hex, to_hex};
use sha2::{Digest, Sha256};

/// Fewest digits of a new PIN.
pub const MIN_DIGITS: usize = 6;
/// Most digits of a new PIN.
pub const MAX_DIGITS: usize = 8;
/// argon2id memory, in KiB (19 MiB: OWASP's lowest recommended setting with t = 2).
pub const MEMORY_KIB: u32 = 19_456;
/// argon2id passes.
pub const PASSES: u32 = 2;
/// argon2id lanes.
pub const LANES: u32 = 1;
/// Largest memory a stored hash may ask for: a hostile config must not exhaust a station.
const MAX_MEMORY_KIB: u32 = 65_536;
/// Most passes a stored hash may ask for, so a check stays well under a second.
const MAX_PASSES: u32 = 8;
/// Rounds of the old SHA-256 scheme.
const LEGACY_ROUNDS: u32 = 20_000;
const SALT_LEN: usize = 16;
const HASH_LEN: usize = 32;

/// Why a PIN could not be hashed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PinError {
    /// Not six to eight digits.
    #[error("le code doit faire de 6 à 8 chiffres / the code must be 6 to 8 digits")]
    Format,
    /// No salt could be drawn.
    #[error(transparent)]
    Random(#[from] RandomError),
}

/// Whether `code` is acceptable as a new PIN: six to eight ASCII digits.
pub fn valid_code(code: &str) -> bool {
    (MIN_DIGITS..=MAX_DIGITS).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_digit())
}

/// A stored hash, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stored {
    /// argon2id with its parameters.
    Argon2id {
        /// Memory in KiB.
        m: u32,
        /// Passes.
        t: u32,
        /// Lanes.
        p: u32,
        /// Salt.
        salt: Vec<u8>,
        /// Digest.
        hash: Vec<u8>,
    },
    /// The old 20,000-round SHA-256 stretch: accepted, to be renewed.
    LegacySha256 {
        /// Salt.
        salt: Vec<u8>,
        /// Digest.
        hash: Vec<u8>,
    },
}

fn argon2(m: u32, t: u32, p: u32, pin: &str, salt: &[u8]) -> Option<[u8; HASH_LEN]> {
    let params = argon2::Params::new(m, t, p, Some(HASH_LEN)).ok()?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; HASH_LEN];
    a.hash_password_into(pin.as_bytes(), salt, &mut out).ok()?;
    Some(out)
}

fn legacy_stretch(pin: &str, salt: &[u8]) -> [u8; HASH_LEN] {
    let mut h: [u8; HASH_LEN] = Sha256::new()
        .chain_update(salt)
        .chain_update(pin.as_bytes())
        .finalize()
        .into();
    for _ in 0..LEGACY_ROUNDS {
        h = Sha256::new()
            .chain_update(h)
            .chain_update(salt)
            .finalize()
            .into();
    }
    h
}

/// Hashes a new PIN with a fresh salt. Refuses anything but six to eight digits, and
/// fails when the OS generator gives no salt.
pub fn hash_pin(pin: &str) -> Result<String, PinError> {
    if !valid_code(pin) {
        return Err(PinError::Format);
    }
    let mut salt = [0u8; SALT_LEN];
    fill_random(&mut salt)?;
    let hash = argon2(MEMORY_KIB, PASSES, LANES, pin, &salt)
        .expect("the fixed argon2 parameters and salt length are valid");
    Ok(format!(
        "argon2id:m={MEMORY_KIB},t={PASSES},p={LANES}:{}:{}",
        to_hex(&salt),
        to_hex(&hash)
    ))
}

/// Reads `m=…,t=…,p=…` within the limits a station accepts.
fn parse_params(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(',');
    let mut get = |key: &str| {
        it.next()?
            .strip_prefix(key)?
            .strip_prefix('=')?
            .parse::<u32>()
            .ok()
    };
    let (m, t, p) = (get("m")?, get("t")?, get("p")?);
    if it.next().is_some() {
        return None;
    }
    let ok = (8 * p..=MAX_MEMORY_KIB).contains(&m) && (1..=MAX_PASSES).contains(&t) && p == 1;
    ok.then_some((m, t, p))
}

/// Parses a stored hash; `None` when malformed or asking for more work than a station
/// accepts.
pub fn parse_hash(stored: &str) -> Option<Stored> {
    let parts: Vec<&str> = stored.split(':').collect();
    let salt_hash = |salt: &str, hash: &str| {
        let (salt, hash) = (from_hex(salt)?, from_hex(hash)?);
        (salt.len() >= 8 && hash.len() == HASH_LEN).then_some((salt, hash))
    };
    match parts.as_slice() {
        ["argon2id", params, salt, hash] => {
            let (m, t, p) = parse_params(params)?;
            let (salt, hash) = salt_hash(salt, hash)?;
            Some(Stored::Argon2id {
                m,
                t,
                p,
                salt,
                hash,
            })
        }
        ["sha256", salt, hash] => {
            let (salt, hash) = salt_hash(salt, hash)?;
            Some(Stored::LegacySha256 { salt, hash })
        }
        _ => None,
    }
}

/// Whether a stored hash is of the old kind (or weaker than today's settings), to be made
/// again with `klub pin`.
pub fn needs_renewal(stored: &str) -> bool {
    match parse_hash(stored) {
        Some(Stored::Argon2id { m, t, .. }) => m < MEMORY_KIB || t < PASSES,
        Some(Stored::LegacySha256 { .. }) => true,
        None => false,
    }
}

/// Whether a PIN matches a stored hash. A malformed hash matches nothing.
pub fn verify(pin: &str, stored: &str) -> bool {
    let (got, want) = match parse_hash(stored) {
        Some(Stored::Argon2id {
            m,
            t,
            p,
            salt,
            hash,
        }) => match argon2(m, t, p, pin, &salt) {
            Some(got) => (got, hash),
            None => return false,
        },
        Some(Stored::LegacySha256 { salt, hash }) => (legacy_stretch(pin, &salt), hash),
        None => return false,
    };
    // Constant-time compare: the PIN is short, so leak nothing about how close a guess was.
    got.iter().zip(&want).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

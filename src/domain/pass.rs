//! The visitor pass, format v1: a visitor's results, signed, carried in a QR code or a link.
//!
//! Nothing here touches files, clocks or screens: callers pass the time in minutes since
//! the Unix epoch and the fleet key. The byte layout is documented in the README
//! (« Le pass visiteur / The visitor pass »); [`Pass::to_bytes`] is its reference.
//!
//! ```text
//! off  len  field
//!   0    1  0xA0 | version (0xA1 for v1)
//!   1    1  fleet key id
//!   2    8  pass id, random
//!  10    4  issue time, minutes since 1970-01-01 UTC, u32 big-endian
//!  14    4  catalogue fingerprint, u32 big-endian
//!  18    2  tour stop code (`stop_code`), u16 big-endian, 0 = none
//!  20    1  situation: 0 not given, 1–6 as in `Situation::ALL`
//!  21    1  stations count (high nibble, 0–8) | explored count (low nibble, 0–8)
//!  22    1  top savoir-être count (bits 3–2, 0–3) | top trades count (bits 1–0, 0–3)
//!  23   12  six areas in RIASEC order: score (0–100), evidence (0–255, saturated)
//!  35    …  stations (1 byte each), top savoir-être (index, score, evidence: 3 bytes
//!           each), top trades (1 byte each), explored trades (1 byte each, oldest first)
//! end-12 12 tag: the first 12 bytes of HMAC-SHA256(fleet key, every byte before)
//! ```

use super::text::Lang;
use crate::domain::catalogue::Catalogue;
use crate::domain::config::Situation;
use crate::domain::scoring::{DimScore, Profile};
use crate::domain::skills::SkillSet;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use std::fmt;

/// The format version this module writes and reads.
pub const VERSION: u8 = 1;
/// High nibble of the first byte: tells a pass from other text before any version check.
const MAGIC: u8 = 0xA0;
/// Most stations a pass remembers; the oldest is dropped past it.
pub const MAX_STATIONS: usize = 8;
/// Most explored trades a pass remembers; the oldest is dropped past it.
pub const MAX_EXPLORED: usize = 8;
/// Top savoir-être and top trades carried.
pub const TOP: usize = 3;
/// Bytes of the HMAC-SHA256 tag kept (96 bits).
pub const TAG_LEN: usize = 12;
/// Bytes before the lists.
const FIXED: usize = 35;
/// Shortest and longest v1 pass, in bytes.
pub const MIN_LEN: usize = FIXED + TAG_LEN;
/// Longest v1 pass, in bytes: every list at its cap.
pub const MAX_LEN: usize = FIXED + MAX_STATIONS + 3 * TOP + TOP + MAX_EXPLORED + TAG_LEN;
/// Minutes in a day.
const DAY_MINUTES: u32 = 24 * 60;

type HmacSha256 = Hmac<Sha256>;

/// A random pass id, 64 bits, shown as 16 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PassId(pub [u8; 8]);

impl PassId {
    /// A fresh id from the OS generator; an error when it fails.
    pub fn random() -> Result<PassId, crate::domain::ids::RandomError> {
        let mut b = [0u8; 8];
        crate::domain::ids::fill_random(&mut b)?;
        Ok(PassId(b))
    }
}

impl fmt::Display for PassId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::domain::ids::to_hex(&self.0))
    }
}

impl fmt::Debug for PassId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PassId({self})")
    }
}

/// A fleet key: 32 secret bytes and the id passes name it by.
#[derive(Clone, PartialEq, Eq)]
pub struct FleetKey {
    /// The id carried in passes, so keys can be rotated.
    pub id: u8,
    secret: [u8; 32],
}

impl fmt::Debug for FleetKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never print the secret into a log.
        write!(f, "FleetKey({})", self.id)
    }
}

impl FleetKey {
    /// A key from its id and 64 hex digits; `None` when the hex is malformed.
    pub fn from_hex(id: u8, hex: &str) -> Option<FleetKey> {
        let secret: [u8; 32] = crate::domain::ids::from_hex(hex.trim())?.try_into().ok()?;
        Some(FleetKey { id, secret })
    }

    /// A fresh key from the OS generator; an error when it fails.
    pub fn generate(id: u8) -> Result<FleetKey, crate::domain::ids::RandomError> {
        let mut secret = [0u8; 32];
        crate::domain::ids::fill_random(&mut secret)?;
        Ok(FleetKey { id, secret })
    }

    /// The secret as 64 hex digits, for a config file.
    pub fn secret_hex(&self) -> String {
        crate::domain::ids::to_hex(&self.secret)
    }

    /// The key a station config names.
    pub fn from_config(cfg: &crate::domain::config::StationConfig) -> Option<FleetKey> {
        FleetKey::from_hex(cfg.fleet_key_id, &cfg.fleet_key)
    }

    fn tag(&self, body: &[u8]) -> [u8; TAG_LEN] {
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&self.secret).expect("HMAC takes any key length");
        mac.update(body);
        let full = mac.finalize().into_bytes();
        let mut out = [0u8; TAG_LEN];
        out.copy_from_slice(&full[..TAG_LEN]);
        out
    }
}

/// The code of a tour stop in a pass: the first two bytes of SHA-256 of its id, big-endian;
/// 0 is kept for "no stop", so a hash of 0 becomes 1. The results page matches it against
/// the codes of its tour's stops.
pub fn stop_code(stop_id: &str) -> u16 {
    if stop_id.is_empty() {
        return 0;
    }
    let d = Sha256::digest(stop_id.as_bytes());
    u16::from_be_bytes([d[0], d[1]]).max(1)
}

/// What a visitor did at one station, to put into a pass.
#[derive(Clone, Debug, PartialEq)]
pub struct Visit<'a> {
    /// The session's profile (areas and every soft skill).
    pub profile: &'a Profile,
    /// Trades explored in immersion at this station, as catalogue indices, oldest first.
    pub explored: &'a [usize],
    /// The self-declared situation; `NonDit` when not given.
    pub situation: Situation,
    /// The station's index in the fleet.
    pub station: u8,
    /// The tour stop's id; empty for none.
    pub stop: &'a str,
    /// The time, in minutes since the Unix epoch.
    pub now_min: u32,
}

/// A visitor pass: what a visitor carries from station to station and home.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pass {
    /// Id of the fleet key it was read with; `to_bytes` writes the signing key's id.
    pub key_id: u8,
    /// Random id, kept across merges.
    pub id: PassId,
    /// Issue time in minutes since the Unix epoch: the last station that signed it.
    pub issued_min: u32,
    /// The catalogue the trade indices refer to.
    pub catalogue: u32,
    /// The tour stop's code (`stop_code`), 0 for none.
    pub stop: u16,
    /// Station indices visited, oldest first, at most 8.
    pub stations: Vec<u8>,
    /// The self-declared situation, if given.
    pub situation: Option<Situation>,
    /// The six areas in RIASEC order; evidence at most 255.
    pub areas: [DimScore; 6],
    /// The top savoir-être, strongest first, at most 3: (skill index, score).
    pub skills: Vec<(u8, DimScore)>,
    /// The top trades, best first, at most 3, as catalogue indices.
    pub top_trades: Vec<u8>,
    /// Trades explored in immersion, oldest first, at most 8.
    pub explored: Vec<u8>,
}

/// Why a text is not a pass this station accepts. Each has a French and an English message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{} / {}", self.verdict().fr(), self.verdict().en())]
pub enum PassError {
    /// Not a pass at all: not base64url, too short or long, or malformed inside.
    NotAPass,
    /// A pass of a version this software does not read.
    UnknownVersion(u8),
    /// Signed with a key this station does not have.
    UnknownKey(u8),
    /// The tag does not match: altered, damaged or forged.
    BadSignature,
    /// Made with another trade catalogue.
    OtherCatalogue {
        /// The pass's catalogue fingerprint.
        pass: u32,
        /// Ours.
        ours: u32,
    },
    /// Older than the configured number of days.
    Expired {
        /// Its age in whole days.
        days: u32,
    },
}

/// The outcome of reading a pass, as shown to visitors and facilitators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted.
    Valid,
    /// See [`PassError::BadSignature`].
    BadSignature,
    /// See [`PassError::UnknownKey`].
    UnknownKey,
    /// See [`PassError::UnknownVersion`].
    UnknownVersion,
    /// See [`PassError::OtherCatalogue`].
    OtherCatalogue,
    /// See [`PassError::Expired`].
    Expired,
    /// See [`PassError::NotAPass`].
    NotAPass,
}

impl Verdict {
    /// Every verdict.
    pub const ALL: [Verdict; 7] = [
        Verdict::Valid,
        Verdict::BadSignature,
        Verdict::UnknownKey,
        Verdict::UnknownVersion,
        Verdict::OtherCatalogue,
        Verdict::Expired,
        Verdict::NotAPass,
    ];

    /// The verdict of a read.
    pub fn of<T>(result: &Result<T, PassError>) -> Verdict {
        match result {
            Ok(_) => Verdict::Valid,
            Err(e) => e.verdict(),
        }
    }

    /// The French message.
    pub fn fr(self) -> &'static str {
        match self {
            Verdict::Valid => "Pass reconnu : on reprend où tu en étais.",
            Verdict::BadSignature => {
                "Ce pass a été abîmé ou modifié : on ne peut pas s'y fier. Tu peux recommencer ici."
            }
            Verdict::UnknownKey => {
                "Ce pass vient d'une autre flotte de bornes, ou d'une clé retirée : il n'est pas reconnu ici."
            }
            Verdict::UnknownVersion => {
                "Ce pass a un format que cette borne ne connaît pas : elle doit être mise à jour."
            }
            Verdict::OtherCatalogue => {
                "Ce pass a été fait avec une autre liste de métiers : cette borne ne peut pas l'utiliser."
            }
            Verdict::Expired => "Ce pass est trop ancien : tu peux recommencer ici.",
            Verdict::NotAPass => "Ce code n'est pas un pass du Klub.",
        }
    }

    /// The English message.
    pub fn en(self) -> &'static str {
        match self {
            Verdict::Valid => "Pass recognised: let's pick up where you left off.",
            Verdict::BadSignature => {
                "This pass was damaged or altered, so it can't be trusted. You can start again here."
            }
            Verdict::UnknownKey => {
                "This pass comes from another fleet of stations, or a retired key: it isn't recognised here."
            }
            Verdict::UnknownVersion => {
                "This pass has a format this station doesn't know: it needs an update."
            }
            Verdict::OtherCatalogue => {
                "This pass was made with another list of trades: this station can't use it."
            }
            Verdict::Expired => "This pass is too old: you can start again here.",
            Verdict::NotAPass => "This code is not a Klub pass.",
        }
    }

    /// The message in a language.
    pub fn message(self, lang: Lang) -> &'static str {
        lang.pick(self.fr(), self.en())
    }
}

impl PassError {
    /// Its verdict.
    pub fn verdict(self) -> Verdict {
        match self {
            PassError::NotAPass => Verdict::NotAPass,
            PassError::UnknownVersion(_) => Verdict::UnknownVersion,
            PassError::UnknownKey(_) => Verdict::UnknownKey,
            PassError::BadSignature => Verdict::BadSignature,
            PassError::OtherCatalogue { .. } => Verdict::OtherCatalogue,
            PassError::Expired { .. } => Verdict::Expired,
        }
    }
}

/// What a station checks a scanned pass against.
#[derive(Clone, Debug)]
pub struct Policy<'a> {
    /// The keys it accepts (the current one, and maybe the previous one during a rotation).
    pub keys: &'a [FleetKey],
    /// Its catalogue fingerprint.
    pub catalogue: u32,
    /// The time, in minutes since the Unix epoch.
    pub now_min: u32,
    /// Passes older than this many days are refused.
    pub max_age_days: u32,
}

fn clamp_u8(n: u16) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

fn saturate(d: DimScore) -> DimScore {
    DimScore {
        score: d.score.min(100),
        evidence: u16::from(clamp_u8(d.evidence)),
    }
}

/// Appends `items`, moving repeats to the newest place, dropping the oldest past `cap`.
fn accumulate(list: &mut Vec<u8>, items: impl IntoIterator<Item = u8>, cap: usize, dedup: bool) {
    for x in items {
        if dedup {
            list.retain(|y| *y != x);
        }
        list.push(x);
    }
    if list.len() > cap {
        list.drain(..list.len() - cap);
    }
}

fn indices(v: &[usize]) -> impl Iterator<Item = u8> + '_ {
    v.iter().filter_map(|i| u8::try_from(*i).ok())
}

impl Pass {
    /// A new pass for a visitor's first station. The top trades are ranked here, from the
    /// profile, with the pass id as tie seed; trades past index 255 cannot be carried.
    pub fn new(
        key_id: u8,
        id: PassId,
        catalogue: &Catalogue,
        skills: &SkillSet,
        visit: &Visit<'_>,
    ) -> Pass {
        let mut p = Pass {
            key_id,
            id,
            issued_min: visit.now_min,
            catalogue: catalogue.fingerprint(),
            stop: stop_code(visit.stop),
            stations: vec![visit.station],
            situation: (visit.situation != Situation::NonDit).then_some(visit.situation),
            areas: visit.profile.areas.map(saturate),
            skills: vec![],
            top_trades: vec![],
            explored: vec![],
        };
        accumulate(&mut p.explored, indices(visit.explored), MAX_EXPLORED, true);
        p.rank(visit.profile, catalogue, skills);
        p
    }

    fn rank(&mut self, profile: &Profile, catalogue: &Catalogue, skills: &SkillSet) {
        self.skills = profile
            .top_skills(TOP)
            .into_iter()
            .map(|i| (i, saturate(profile.skills[usize::from(i)])))
            .collect();
        let seed = u64::from_be_bytes(self.id.0);
        self.top_trades = crate::domain::matching::top_trades(
            &self.profile(skills.len()),
            catalogue,
            skills,
            TOP,
            seed,
        )
        .into_iter()
        .filter_map(|m| u8::try_from(m.trade).ok())
        .collect();
    }

    /// The profile the pass carries: the areas, and the top savoir-être (other skills have
    /// no evidence). `skills` is the skill count of the set.
    pub fn profile(&self, skills: usize) -> Profile {
        let mut out = Profile {
            areas: self.areas,
            skills: vec![DimScore::default(); skills],
        };
        for (i, d) in &self.skills {
            if let Some(slot) = out.skills.get_mut(usize::from(*i)) {
                *slot = *d;
            }
        }
        out
    }

    /// Orders candidate trades (catalogue indices) by how well they match the pass's
    /// profile, best first: an immersion station shows the scanned visitor's trades first.
    /// Equal scores are ordered by the pass id, like the top trades.
    pub fn rank_trades(
        &self,
        candidates: &[usize],
        catalogue: &Catalogue,
        skills: &SkillSet,
    ) -> Vec<usize> {
        let profile = self.profile(skills.len());
        let seed = u64::from_be_bytes(self.id.0);
        let mut scored: Vec<(usize, f32)> = candidates
            .iter()
            .filter_map(|i| {
                let t = catalogue.trades.get(*i)?;
                Some((*i, crate::domain::matching::match_score(&profile, t)))
            })
            .collect();
        scored.sort_by(|a, b| {
            b.1.total_cmp(&a.1).then_with(|| {
                crate::domain::scoring::tie_key(seed, a.0 as u64)
                    .cmp(&crate::domain::scoring::tie_key(seed, b.0 as u64))
            })
        });
        scored.into_iter().map(|(i, _)| i).collect()
    }

    /// The pass after this station's session, to be signed with key `key_id`: profiles merged as means weighted by
    /// evidence, explored trades accumulated (oldest dropped past 8), the station appended
    /// (oldest dropped past 8), top trades ranked again, issue time set to now. The pass id,
    /// stop and situation are kept unless the visit gives them and the pass lacks them.
    pub fn merge_session(
        &self,
        key_id: u8,
        catalogue: &Catalogue,
        skills: &SkillSet,
        visit: &Visit<'_>,
    ) -> Pass {
        let merged = self.profile(skills.len()).merge(visit.profile);
        let mut p = self.clone();
        p.issued_min = visit.now_min;
        p.catalogue = catalogue.fingerprint();
        if p.stop == 0 {
            p.stop = stop_code(visit.stop);
        }
        if p.situation.is_none() && visit.situation != Situation::NonDit {
            p.situation = Some(visit.situation);
        }
        accumulate(&mut p.stations, [visit.station], MAX_STATIONS, false);
        p.key_id = key_id;
        accumulate(&mut p.explored, indices(visit.explored), MAX_EXPLORED, true);
        p.areas = merged.areas.map(saturate);
        p.rank(&merged, catalogue, skills);
        p
    }

    /// The signed bytes.
    pub fn to_bytes(&self, key: &FleetKey) -> Vec<u8> {
        let mut b = Vec::with_capacity(MAX_LEN);
        let stations = &self.stations[self.stations.len().saturating_sub(MAX_STATIONS)..];
        let explored = &self.explored[self.explored.len().saturating_sub(MAX_EXPLORED)..];
        let skills = &self.skills[..self.skills.len().min(TOP)];
        let top = &self.top_trades[..self.top_trades.len().min(TOP)];
        b.push(MAGIC | VERSION);
        b.push(key.id);
        b.extend_from_slice(&self.id.0);
        b.extend_from_slice(&self.issued_min.to_be_bytes());
        b.extend_from_slice(&self.catalogue.to_be_bytes());
        b.extend_from_slice(&self.stop.to_be_bytes());
        b.push(
            self.situation
                .and_then(|s| Situation::ALL.iter().position(|x| *x == s))
                .unwrap_or(0) as u8,
        );
        b.push(((stations.len() as u8) << 4) | explored.len() as u8);
        b.push(((skills.len() as u8) << 2) | top.len() as u8);
        for a in &self.areas {
            let a = saturate(*a);
            b.push(a.score);
            b.push(a.evidence as u8);
        }
        b.extend_from_slice(stations);
        for (i, d) in skills {
            let d = saturate(*d);
            b.extend_from_slice(&[*i, d.score, d.evidence as u8]);
        }
        b.extend_from_slice(top);
        b.extend_from_slice(explored);
        let tag = key.tag(&b);
        b.extend_from_slice(&tag);
        b
    }

    /// The pass as base64url text, without padding.
    pub fn encode(&self, key: &FleetKey) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(self.to_bytes(key))
    }

    /// The take-home URL: `<base>#<pass>`.
    pub fn url(&self, base: &str, key: &FleetKey) -> String {
        format!("{base}#{}", self.encode(key))
    }

    /// Reads a pass's bytes without checking its tag: the key id must still be checked.
    fn parse(b: &[u8]) -> Result<Pass, PassError> {
        let first = *b.first().ok_or(PassError::NotAPass)?;
        if first & 0xF0 != MAGIC {
            return Err(PassError::NotAPass);
        }
        if first & 0x0F != VERSION {
            return Err(PassError::UnknownVersion(first & 0x0F));
        }
        if b.len() < MIN_LEN || b.len() > MAX_LEN {
            return Err(PassError::NotAPass);
        }
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let situation = match b[20] {
            0 => None,
            n => Some(
                *Situation::ALL
                    .get(usize::from(n))
                    .ok_or(PassError::NotAPass)?,
            ),
        };
        let (n_st, n_ex) = (usize::from(b[21] >> 4), usize::from(b[21] & 0x0F));
        let (n_sk, n_top) = (usize::from(b[22] >> 2), usize::from(b[22] & 3));
        if n_st > MAX_STATIONS || n_ex > MAX_EXPLORED || n_sk > TOP || n_top > TOP {
            return Err(PassError::NotAPass);
        }
        if b.len() != FIXED + n_st + 3 * n_sk + n_top + n_ex + TAG_LEN {
            return Err(PassError::NotAPass);
        }
        let score = |s: u8, e: u8| {
            (s <= 100)
                .then_some(DimScore {
                    score: s,
                    evidence: u16::from(e),
                })
                .ok_or(PassError::NotAPass)
        };
        let mut areas = [DimScore::default(); 6];
        for (i, a) in areas.iter_mut().enumerate() {
            *a = score(b[23 + 2 * i], b[24 + 2 * i])?;
        }
        let mut at = FIXED;
        let mut take = |n: usize| {
            let s = &b[at..at + n];
            at += n;
            s
        };
        let stations = take(n_st).to_vec();
        let skills = take(3 * n_sk)
            .chunks(3)
            .map(|c| Ok((c[0], score(c[1], c[2])?)))
            .collect::<Result<Vec<_>, PassError>>()?;
        let top_trades = take(n_top).to_vec();
        let explored = take(n_ex).to_vec();
        Ok(Pass {
            key_id: b[1],
            id: PassId(b[2..10].try_into().map_err(|_| PassError::NotAPass)?),
            issued_min: u32_at(10),
            catalogue: u32_at(14),
            stop: u16::from_be_bytes([b[18], b[19]]),
            stations,
            situation,
            areas,
            skills,
            top_trades,
            explored,
        })
    }

    /// Reads a pass without a key and without age checks, as the results page does: it
    /// cannot tell a forged pass from a real one. Accepts a full URL or a bare fragment,
    /// with surrounding whitespace.
    pub fn read_unverified(text: &str) -> Result<Pass, PassError> {
        Pass::parse(&fragment_bytes(text)?)
    }

    /// Reads and verifies a scanned pass as a station does: known key, matching tag, same
    /// catalogue, not older than the policy's days. Issue times in the future are accepted,
    /// because station clocks drift.
    pub fn verify(text: &str, policy: &Policy<'_>) -> Result<Pass, PassError> {
        let bytes = fragment_bytes(text)?;
        let pass = Pass::parse(&bytes)?;
        let key = policy
            .keys
            .iter()
            .find(|k| k.id == pass.key_id)
            .ok_or(PassError::UnknownKey(pass.key_id))?;
        let (body, tag) = bytes.split_at(bytes.len() - TAG_LEN);
        // Constant time: the tag check must not tell a forger how many bytes were right.
        let mut mac =
            <HmacSha256 as Mac>::new_from_slice(&key.secret).expect("HMAC takes any key length");
        mac.update(body);
        mac.verify_truncated_left(tag)
            .map_err(|_| PassError::BadSignature)?;
        if pass.catalogue != policy.catalogue {
            return Err(PassError::OtherCatalogue {
                pass: pass.catalogue,
                ours: policy.catalogue,
            });
        }
        let days = policy.now_min.saturating_sub(pass.issued_min) / DAY_MINUTES;
        let age_min = policy.now_min.saturating_sub(pass.issued_min);
        if age_min > policy.max_age_days.saturating_mul(DAY_MINUTES) {
            return Err(PassError::Expired { days });
        }
        Ok(pass)
    }
}

/// The pass bytes in a text: the part after `#` if any, trimmed, base64url without padding.
fn fragment_bytes(text: &str) -> Result<Vec<u8>, PassError> {
    use base64::Engine;
    let t = text.trim();
    let frag = match t.rfind('#') {
        Some(i) => &t[i + 1..],
        None => t,
    }
    .trim();
    // A v1 pass is at most 100 characters; refuse long text before decoding it.
    if frag.is_empty() || frag.len() > 4 * MAX_LEN {
        return Err(PassError::NotAPass);
    }
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(frag)
        .map_err(|_| PassError::NotAPass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_code_is_never_zero_for_a_stop() {
        assert_eq!(stop_code(""), 0);
        assert_ne!(stop_code("chartres"), 0);
        assert_ne!(stop_code("chartres"), stop_code("dreux"));
    }

    #[test]
    fn accumulate_drops_oldest_and_moves_repeats() {
        let mut v = vec![1, 2, 3];
        accumulate(&mut v, [2, 4], 4, true);
        assert_eq!(v, vec![1, 3, 2, 4]);
        accumulate(&mut v, [5, 6], 4, true);
        assert_eq!(v, vec![3, 2, 4, 5, 6][1..].to_vec());
        let mut s = vec![1, 1];
        accumulate(&mut s, [1], 8, false);
        assert_eq!(s, vec![1, 1, 1]);
    }
}

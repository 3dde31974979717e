//! The trade catalogue: ROME facts plus our own descriptions and entry routes.

use crate::domain::dimension::Area;
use crate::domain::text::{Name, Text};
use sha2::{Digest, Sha256};

/// A ROME 4.0 fiche code: a grand-domaine letter A–N and four digits.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RomeCode(String);

impl RomeCode {
    /// Parses `H2913`; `None` when malformed.
    pub fn parse(code: &str) -> Option<RomeCode> {
        let b = code.as_bytes();
        let ok =
            b.len() == 5 && (b'A'..=b'N').contains(&b[0]) && b[1..].iter().all(u8::is_ascii_digit);
        ok.then(|| RomeCode(code.to_owned()))
    }

    /// The code as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Its grand domaine letter.
    pub fn domaine(&self) -> char {
        self.0.chars().next().unwrap_or('?')
    }
}

/// One trade of the catalogue.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Trade {
    /// Our id (`soudeur`).
    pub id: String,
    /// ROME fiche code.
    pub rome: RomeCode,
    /// ROME title as it is, and English.
    pub name: Name,
    /// RIASEC major letter, as in the referential.
    pub major: Area,
    /// RIASEC minor letter, if the referential has one.
    pub minor: Option<Area>,
    /// Savoir-être the referential links to this fiche, as skill indices.
    pub savoir_etre: Vec<u8>,
    /// Our short description.
    pub description: Text,
    /// School routes (CAP, Bac pro, BTS…).
    pub school: Vec<Name>,
    /// Adult routes (VAE, CPF, contrat de professionnalisation…).
    pub adult: Vec<Name>,
    /// Id of the immersion scenario, if there is one.
    pub immersion: Option<String>,
    /// Who signed the content off; empty until a counsellor has.
    pub reviewed_by: String,
}

/// The trades, in file order; their position is their index in passes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Catalogue {
    /// The trades.
    pub trades: Vec<Trade>,
}

impl Catalogue {
    /// The index of a trade id.
    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.trades.iter().position(|t| t.id == id)
    }

    /// The trade with an id.
    pub fn get(&self, id: &str) -> Option<&Trade> {
        self.trades.iter().find(|t| t.id == id)
    }

    /// A fingerprint of what passes refer to: each index's id and ROME code.
    /// Passes carry it so that a station with another catalogue says so.
    pub fn fingerprint(&self) -> u32 {
        let mut h = Sha256::new();
        for t in &self.trades {
            h.update(t.id.as_bytes());
            h.update([0]);
            h.update(t.rome.as_str().as_bytes());
            h.update([0]);
        }
        let d = h.finalize();
        u32::from_be_bytes([d[0], d[1], d[2], d[3]])
    }
}

//! Matching: ranks the catalogue's trades against a visitor's profile.
//!
//! The score of a trade is `0.8 × riasec + 0.2 × skills`, where
//! - `riasec` is the Pearson correlation between the visitor's six area scores and the
//!   trade's letters (major weighted 2, minor 1, others 0), mapped from −1…1 to 0…1
//!   (0.5 when the visitor's scores are all equal);
//! - `skills` is the mean of the visitor's scores (0…1) on the savoir-être that the
//!   referential links to the trade (0 when it links none).
//!
//! Equal scores are ordered by a keyed shuffle, so no trade wins ties by its place in the file.

use crate::domain::catalogue::{Catalogue, Trade};
use crate::domain::dimension::Area;
use crate::domain::scoring::{Profile, tie_key};
use crate::domain::skills::SkillSet;
use crate::domain::text::Text;

/// Weight of the RIASEC similarity in a match score.
pub const RIASEC_WEIGHT: f32 = 0.8;
/// Weight of the savoir-être overlap in a match score.
pub const SKILL_WEIGHT: f32 = 0.2;

/// One ranked trade.
#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    /// Index in the catalogue.
    pub trade: usize,
    /// 0…1, for statistics and ordering only; never shown to visitors.
    pub score: f32,
    /// One sentence on why ("Tu aimes fabriquer…").
    pub reason: Text,
}

/// The trade's letter vector: major 2, minor 1.
pub fn trade_vector(trade: &Trade) -> [f32; 6] {
    let mut v = [0.0; 6];
    v[trade.major.index()] = 2.0;
    if let Some(m) = trade.minor {
        v[m.index()] = 1.0;
    }
    v
}

fn pearson(a: &[f32; 6], b: &[f32; 6]) -> Option<f32> {
    let ma = a.iter().sum::<f32>() / 6.0;
    let mb = b.iter().sum::<f32>() / 6.0;
    let (mut num, mut da, mut db) = (0.0, 0.0, 0.0);
    for i in 0..6 {
        num += (a[i] - ma) * (b[i] - mb);
        da += (a[i] - ma).powi(2);
        db += (b[i] - mb).powi(2);
    }
    (da > 1e-9 && db > 1e-9).then(|| num / (da.sqrt() * db.sqrt()))
}

/// The match score of one trade, 0…1.
pub fn match_score(profile: &Profile, trade: &Trade) -> f32 {
    let v: [f32; 6] = std::array::from_fn(|i| f32::from(profile.areas[i].score) / 100.0);
    let riasec = pearson(&v, &trade_vector(trade)).map_or(0.5, |r| (r + 1.0) / 2.0);
    let skills = if trade.savoir_etre.is_empty() {
        0.0
    } else {
        let sum: f32 = trade
            .savoir_etre
            .iter()
            .map(|s| {
                profile
                    .skills
                    .get(usize::from(*s))
                    .map_or(0.0, |d| f32::from(d.score) / 100.0)
            })
            .sum();
        sum / trade.savoir_etre.len() as f32
    };
    RIASEC_WEIGHT * riasec + SKILL_WEIGHT * skills
}

/// The `n` best trades for a profile, best first.
pub fn top_trades(
    profile: &Profile,
    catalogue: &Catalogue,
    skills: &SkillSet,
    n: usize,
    tie_seed: u64,
) -> Vec<Match> {
    let mut scored: Vec<(usize, f32)> = catalogue
        .trades
        .iter()
        .enumerate()
        .map(|(i, t)| (i, match_score(profile, t)))
        .collect();
    scored.sort_by(|a, b| {
        b.1.total_cmp(&a.1)
            .then_with(|| tie_key(tie_seed, a.0 as u64).cmp(&tie_key(tie_seed, b.0 as u64)))
    });
    scored
        .into_iter()
        .take(n)
        .map(|(i, score)| Match {
            trade: i,
            score,
            reason: reason(profile, &catalogue.trades[i], skills),
        })
        .collect()
}

/// "Tu aimes <the trade's area the visitor scored best> et tu as mis en avant <the
/// trade's savoir-être the visitor scored best>."
pub fn reason(profile: &Profile, trade: &Trade, skills: &SkillSet) -> Text {
    let area: Area = std::iter::once(trade.major)
        .chain(trade.minor)
        .max_by_key(|a| profile.area(*a).score)
        .unwrap_or(trade.major);
    let liking = area.liking();
    let skill = trade
        .savoir_etre
        .iter()
        .filter_map(|s| profile.skills.get(usize::from(*s)).map(|d| (*s, *d)))
        .filter(|(_, d)| d.evidence > 0 && d.score >= 50)
        .max_by_key(|(s, d)| (d.score, std::cmp::Reverse(*s)))
        .and_then(|(s, _)| skills.get(s));
    match skill {
        Some(sk) => Text {
            fr: format!(
                "Tu aimes {} et tu as mis en avant {}.",
                liking.fr, sk.name.fr
            ),
            en: Some(format!(
                "You like {} and you showed {}.",
                liking.en.as_deref().unwrap_or(&liking.fr),
                sk.name.en.as_deref().unwrap_or(&sk.name.fr)
            )),
            facile: Some(format!(
                "Tu aimes {}. Tu as montré {}.",
                liking.facile.as_deref().unwrap_or(&liking.fr),
                sk.name.facile.as_deref().unwrap_or(&sk.name.fr)
            )),
        },
        None => Text {
            fr: format!("Tu aimes {}.", liking.fr),
            en: Some(format!(
                "You like {}.",
                liking.en.as_deref().unwrap_or(&liking.fr)
            )),
            facile: Some(format!(
                "Tu aimes {}.",
                liking.facile.as_deref().unwrap_or(&liking.fr)
            )),
        },
    }
}

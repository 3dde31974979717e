//! Scoring: turns answers into a profile of interest areas and soft skills.
//!
//! A dimension's score is the points obtained divided by the maximum obtainable on the
//! steps actually answered. A skipped step counts for nothing, not as a neutral answer.

use crate::domain::dimension::{Area, Dim, Weights};
use crate::domain::scenario::{Scenario, StepBody};
use serde::{Deserialize, Serialize};

/// What a visitor did on a step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    /// Read an info step and went on.
    Seen,
    /// Picked one option (its index).
    Choice(usize),
    /// Picked several options (their indices).
    Multi(Vec<usize>),
    /// Rated a scale step: 0 (dislike) to points − 1 (like).
    Scale(u8),
    /// Played a game. `enjoy` is the "Tu as aimé ?" answer, 0 (non) to 2 (oui),
    /// or `None` if the visitor skipped that question.
    Game {
        /// Items placed or zones found correctly: for playful feedback and logs only.
        found: u16,
        /// Items or target zones in all.
        total: u16,
        /// "Tu as aimé ?": 0 non, 1 un peu, 2 oui.
        enjoy: Option<u8>,
    },
}

/// Points on the steps answered, per dimension slot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    points: Vec<f32>,
    max: Vec<f32>,
    evidence: Vec<u16>,
}

impl Tally {
    /// An empty tally for the six areas and `skills` soft skills.
    pub fn new(skills: usize) -> Tally {
        let n = 6 + skills;
        Tally {
            points: vec![0.0; n],
            max: vec![0.0; n],
            evidence: vec![0; n],
        }
    }

    fn add(&mut self, dim: Dim, got: f32, max: f32) {
        let slot = dim.slot();
        if slot >= self.points.len() || max <= 0.0 {
            return;
        }
        self.points[slot] += got;
        self.max[slot] += max;
        self.evidence[slot] += 1;
    }

    /// Adds one answered step. Answers that do not fit the step are ignored.
    pub fn add_answer(&mut self, body: &StepBody, answer: &Answer) {
        match (body, answer) {
            (StepBody::Choice { options, .. }, Answer::Choice(i)) => {
                let Some(picked) = options.get(*i) else {
                    return;
                };
                for dim in dims(options.iter().map(|o| &o.weights)) {
                    let max = options
                        .iter()
                        .map(|o| o.weights.get(dim))
                        .max()
                        .unwrap_or(0);
                    self.add(dim, f32::from(picked.weights.get(dim)), f32::from(max));
                }
            }
            (StepBody::Multi { options, max, .. }, Answer::Multi(picked)) => {
                if picked.iter().any(|i| *i >= options.len()) {
                    return;
                }
                for dim in dims(options.iter().map(|o| &o.weights)) {
                    let mut ws: Vec<u8> = options.iter().map(|o| o.weights.get(dim)).collect();
                    ws.sort_unstable_by(|a, b| b.cmp(a));
                    let best: u32 = ws
                        .iter()
                        .take(usize::from(*max))
                        .map(|w| u32::from(*w))
                        .sum();
                    let got: u32 = picked
                        .iter()
                        .map(|i| u32::from(options[*i].weights.get(dim)))
                        .sum();
                    self.add(dim, got as f32, best as f32);
                }
            }
            (
                StepBody::Scale {
                    points, weights, ..
                },
                Answer::Scale(p),
            ) if *p < *points => {
                let share = f32::from(*p) / f32::from(points - 1);
                for (dim, w) in &weights.0 {
                    self.add(*dim, share * f32::from(*w), f32::from(*w));
                }
            }
            (_, Answer::Game { enjoy: Some(e), .. }) if *e <= 2 => {
                if let Some(weights) = body.enjoy() {
                    let share = f32::from(*e) / 2.0;
                    for (dim, w) in &weights.0 {
                        self.add(*dim, share * f32::from(*w), f32::from(*w));
                    }
                }
            }
            _ => {}
        }
    }

    /// The profile these points give.
    pub fn profile(&self) -> Profile {
        let score = |slot: usize| {
            if self.max[slot] > 0.0 {
                DimScore {
                    score: quantise(self.points[slot] / self.max[slot]),
                    evidence: self.evidence[slot],
                }
            } else {
                DimScore::default()
            }
        };
        Profile {
            areas: std::array::from_fn(score),
            skills: (6..self.points.len()).map(score).collect(),
        }
    }
}

fn dims<'a>(weights: impl Iterator<Item = &'a Weights>) -> Vec<Dim> {
    let mut out: Vec<Dim> = weights.flat_map(|w| w.0.iter().map(|(d, _)| *d)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Scores are kept as whole percents, so a profile round-trips through a pass unchanged.
fn quantise(ratio: f32) -> u8 {
    (ratio.clamp(0.0, 1.0) * 100.0).round() as u8
}

/// Scores a scenario's answers, given as (step index, answer).
pub fn score(scenario: &Scenario, skills: usize, answers: &[(usize, Answer)]) -> Profile {
    let mut tally = Tally::new(skills);
    for (i, a) in answers {
        if let Some(step) = scenario.steps.get(*i) {
            tally.add_answer(&step.body, a);
        }
    }
    tally.profile()
}

/// One dimension's score, 0–100, with how many answered items bear on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimScore {
    /// Points obtained over points obtainable, in percent.
    pub score: u8,
    /// Answered items that bear on the dimension.
    pub evidence: u16,
}

/// The fewest answered area items for a profile to say anything.
pub const MIN_EVIDENCE: u16 = 6;
/// Below this spread (in points of 100) between the strongest and weakest area, no
/// preference stands out.
pub const FLAT_SPREAD: u8 = 15;

/// A visitor's profile: the six areas and the soft skills.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// RIASEC order.
    pub areas: [DimScore; 6],
    /// Skill-set order.
    pub skills: Vec<DimScore>,
}

/// What the profile can tell the visitor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reading {
    /// Too few answers to say anything.
    TooFewAnswers,
    /// Answered, but no area stands out.
    NoClearPreference,
    /// The strongest areas: the first group, and maybe a second; each group holds ties.
    Strengths(Vec<Vec<Area>>),
}

impl Profile {
    /// The score of an area.
    pub fn area(&self, area: Area) -> DimScore {
        self.areas[area.index()]
    }

    /// Answered items bearing on any area.
    pub fn area_evidence(&self) -> u16 {
        self.areas.iter().map(|a| a.evidence).sum()
    }

    /// Merges another profile in, as means weighted by evidence counts.
    pub fn merge(&self, other: &Profile) -> Profile {
        let mix = |a: DimScore, b: DimScore| {
            let n = u32::from(a.evidence) + u32::from(b.evidence);
            if n == 0 {
                return DimScore::default();
            }
            let s = (u32::from(a.score) * u32::from(a.evidence)
                + u32::from(b.score) * u32::from(b.evidence)
                + n / 2)
                / n;
            DimScore {
                score: s.min(100) as u8,
                evidence: n.min(u32::from(u16::MAX)) as u16,
            }
        };
        let len = self.skills.len().max(other.skills.len());
        let skill = |v: &Vec<DimScore>, i: usize| v.get(i).copied().unwrap_or_default();
        Profile {
            areas: std::array::from_fn(|i| mix(self.areas[i], other.areas[i])),
            skills: (0..len)
                .map(|i| mix(skill(&self.skills, i), skill(&other.skills, i)))
                .collect(),
        }
    }

    /// Areas from strongest to weakest. Equal scores are ordered by `tie_seed` (e.g. drawn
    /// from the session id), so no area wins ties by construction.
    pub fn ranked_areas(&self, tie_seed: u64) -> [Area; 6] {
        let mut areas = Area::ALL;
        areas.sort_by_key(|a| {
            (
                std::cmp::Reverse(self.area(*a).score),
                tie_key(tie_seed, a.index() as u64),
            )
        });
        areas
    }

    /// The Holland code (three letters), for organisers' statistics only.
    pub fn holland_code(&self, tie_seed: u64) -> String {
        self.ranked_areas(tie_seed)
            .iter()
            .take(3)
            .map(|a| a.letter())
            .collect()
    }

    /// What the visitor is told.
    pub fn reading(&self) -> Reading {
        if self.area_evidence() < MIN_EVIDENCE {
            return Reading::TooFewAnswers;
        }
        let answered: Vec<Area> = Area::ALL
            .into_iter()
            .filter(|a| self.area(*a).evidence > 0)
            .collect();
        let hi = answered
            .iter()
            .map(|a| self.area(*a).score)
            .max()
            .unwrap_or(0);
        let lo = answered
            .iter()
            .map(|a| self.area(*a).score)
            .min()
            .unwrap_or(0);
        if hi.saturating_sub(lo) < FLAT_SPREAD || hi == 0 {
            return Reading::NoClearPreference;
        }
        let group = |s: u8| -> Vec<Area> {
            answered
                .iter()
                .copied()
                .filter(|a| self.area(*a).score == s)
                .collect()
        };
        let first = group(hi);
        if first.len() >= 2 {
            return Reading::Strengths(vec![first]);
        }
        let second_score = answered
            .iter()
            .map(|a| self.area(*a).score)
            .filter(|s| *s < hi)
            .max();
        match second_score.map(group) {
            Some(second) if second.len() <= 2 => Reading::Strengths(vec![first, second]),
            _ => Reading::Strengths(vec![first]),
        }
    }

    /// Soft skills the visitor put forward most, strongest first (at most `n`, only those
    /// with evidence and a score above zero). Ties keep skill-set order.
    pub fn top_skills(&self, n: usize) -> Vec<u8> {
        let mut idx: Vec<usize> = (0..self.skills.len())
            .filter(|i| self.skills[*i].evidence > 0 && self.skills[*i].score > 0)
            .collect();
        idx.sort_by_key(|i| (std::cmp::Reverse(self.skills[*i].score), *i));
        idx.into_iter()
            .take(n)
            .filter_map(|i| u8::try_from(i).ok())
            .collect()
    }
}

/// A keyed shuffle order: splitmix64 of the seed and the index.
pub fn tie_key(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

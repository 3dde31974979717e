//! What a station sends to its log: session starts, step events and results.

use crate::domain::config::{AgeBand, Situation, VisitContext};
use crate::domain::dimension::Area;
use crate::domain::pass::PassId;
use crate::domain::scenario::{Kind, Scenario};
use crate::domain::scoring::{Answer, Profile, Reading};
use crate::domain::session::{Event, Outcome, SessionId, Source};
use crate::domain::text::Lang;
use std::time::Instant;

/// When something happened: the wall clock (UTC ms, as the station's clock says) and a
/// monotonic clock (ms since the station's [`Clock`] started; only differences within one
/// run mean anything).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    /// Wall clock, UTC milliseconds since 1970.
    pub wall_ms: i64,
    /// Monotonic milliseconds.
    pub mono_ms: u64,
}

/// The station's clocks, read at the tap.
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: Instant,
}

impl Default for Clock {
    fn default() -> Self {
        Clock {
            start: Instant::now(),
        }
    }
}

impl Clock {
    /// Both clocks, now.
    pub fn now(&self) -> Stamp {
        Stamp {
            wall_ms: crate::storage::time::now_ms(),
            mono_ms: self.start.elapsed().as_millis() as u64,
        }
    }
}

/// A session as it starts, with everything the facilitator and the visitor set.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionStart {
    /// Random id.
    pub id: SessionId,
    /// The visitor's pass, if scanned.
    pub pass: Option<PassId>,
    /// Scenario id.
    pub scenario: String,
    /// The trade of an immersion scenario.
    pub trade: Option<String>,
    /// Step ids, by index, so the log names the steps.
    pub step_ids: Vec<String>,
    /// Language.
    pub lang: Lang,
    /// Visitor, rehearsal, replay or simulated.
    pub source: Source,
    /// Tour id, set by the facilitator.
    pub tour: Option<String>,
    /// Tour stop id, set by the facilitator.
    pub stop: Option<String>,
    /// Visit context, set by the facilitator.
    pub context: VisitContext,
    /// Self-declared situation.
    pub situation: Situation,
    /// Self-declared age band.
    pub age_band: AgeBand,
    /// The facilitator's correction of the station's clock, in ms (true = wall + offset).
    pub clock_offset_ms: i64,
    /// When it started.
    pub at: Stamp,
}

impl SessionStart {
    /// A start for a scenario, with the defaults of everything optional.
    pub fn new(scenario: &Scenario, id: SessionId, source: Source, lang: Lang, at: Stamp) -> Self {
        SessionStart {
            id,
            pass: None,
            scenario: scenario.id.clone(),
            trade: match scenario.kind {
                Kind::Immersion => scenario.trade.clone(),
                Kind::Talents => None,
            },
            step_ids: scenario.steps.iter().map(|s| s.id.clone()).collect(),
            lang,
            source,
            tour: None,
            stop: None,
            context: VisitContext::default(),
            situation: Situation::default(),
            age_band: AgeBand::default(),
            clock_offset_ms: 0,
            at,
        }
    }
}

/// A session's result: the profile and the best-matched trades.
#[derive(Clone, Debug, PartialEq)]
pub struct SessionResult {
    /// The session.
    pub id: SessionId,
    /// Its profile, with evidence counts.
    pub profile: Profile,
    /// Trade ids, best first.
    pub top_trades: Vec<String>,
}

/// One thing to write. See [`crate::storage::writer`] for the order to send them in.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    /// A session starts.
    Start(Box<SessionStart>),
    /// A step event, or the end of the session (`Event::Ended`).
    Event {
        /// The session.
        id: SessionId,
        /// What happened.
        event: Event,
        /// When.
        at: Stamp,
    },
    /// The visitor said (or changed) their situation and age band.
    Declared {
        /// The session.
        id: SessionId,
        /// Situation.
        situation: Situation,
        /// Age band.
        age_band: AgeBand,
    },
    /// The profile and top trades, once computed.
    Result(Box<SessionResult>),
}

/// The compact answer text the schema accepts: digits and fixed words only.
pub fn encode_answer(a: &Answer) -> String {
    match a {
        Answer::Seen => "seen".into(),
        Answer::Choice(i) => format!("choice:{i}"),
        Answer::Scale(p) => format!("scale:{p}"),
        Answer::Multi(v) => format!(
            "multi:{}",
            v.iter().map(usize::to_string).collect::<Vec<_>>().join(",")
        ),
        Answer::Game {
            found,
            total,
            enjoy,
        } => format!(
            "game:{found}/{total}:{}",
            enjoy.map_or("-".into(), |e| e.to_string())
        ),
    }
}

/// Parses [`encode_answer`]'s text.
pub fn decode_answer(s: &str) -> Option<Answer> {
    if s == "seen" {
        return Some(Answer::Seen);
    }
    let (kind, rest) = s.split_once(':')?;
    match kind {
        "choice" => rest.parse().ok().map(Answer::Choice),
        "scale" => rest.parse().ok().map(Answer::Scale),
        "multi" if rest.is_empty() => Some(Answer::Multi(vec![])),
        "multi" => rest
            .split(',')
            .map(|p| p.parse().ok())
            .collect::<Option<Vec<usize>>>()
            .map(Answer::Multi),
        "game" => {
            let (counts, enjoy) = rest.split_once(':')?;
            let (found, total) = counts.split_once('/')?;
            Some(Answer::Game {
                found: found.parse().ok()?,
                total: total.parse().ok()?,
                enjoy: if enjoy == "-" {
                    None
                } else {
                    Some(enjoy.parse().ok()?)
                },
            })
        }
        _ => None,
    }
}

/// The reading's id in the log.
pub fn reading_id(r: &Reading) -> &'static str {
    match r {
        Reading::TooFewAnswers => "too_few_answers",
        Reading::NoClearPreference => "no_clear_preference",
        Reading::Strengths(_) => "strengths",
    }
}

/// The strongest group's letters (`"R"`, `"IA"`), empty when nothing stands out.
pub fn strongest_letters(r: &Reading) -> String {
    match r {
        Reading::Strengths(groups) => groups
            .first()
            .map(|g| g.iter().map(|a: &Area| a.letter()).collect())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// The outcome of an `Ended` event, if it is one.
pub fn ended(e: &Event) -> Option<Outcome> {
    match e {
        Event::Ended { outcome } => Some(*outcome),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_round_trip() {
        for a in [
            Answer::Seen,
            Answer::Choice(3),
            Answer::Scale(0),
            Answer::Multi(vec![]),
            Answer::Multi(vec![0, 4, 11]),
            Answer::Game {
                found: 3,
                total: 5,
                enjoy: Some(2),
            },
            Answer::Game {
                found: 0,
                total: 7,
                enjoy: None,
            },
        ] {
            assert_eq!(decode_answer(&encode_answer(&a)), Some(a));
        }
        assert_eq!(decode_answer("choice:x"), None);
    }
}

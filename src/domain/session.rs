//! The session state machine: start, answer, skip, back, complete, and how a session ends.

use crate::domain::scenario::{Next, Scenario, StepBody};
use crate::domain::scoring::{self, Answer, Profile};
use crate::domain::text::Lang;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Who a session was for. Reports count only `Visitor`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A member of the public.
    Visitor,
    /// A facilitator rehearsing before the doors open.
    Rehearsal,
    /// A scripted replay.
    Replay,
    /// `klub simulate`.
    Simulated,
}

/// How a session ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Reached the end.
    Completed,
    /// The visitor left through the menu.
    Abandoned,
    /// Nobody answered "Tu es toujours là ?".
    IdleTimeout,
    /// Power cut or crash; set at the next start.
    Interrupted,
}

macro_rules! str_enum {
    ($t:ty { $($v:ident => $s:literal),* $(,)? }) => {
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: &'static [$t] = &[$(<$t>::$v),*];
            /// The id used in logs and exports.
            pub fn id(self) -> &'static str { match self { $(<$t>::$v => $s),* } }
            /// Parses an id.
            pub fn parse(s: &str) -> Option<$t> { match s { $($s => Some(<$t>::$v),)* _ => None } }
        }
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.id()) }
        }
    };
}
pub(crate) use str_enum;

str_enum!(Source { Visitor => "visitor", Rehearsal => "rehearsal", Replay => "replay", Simulated => "simulated" });
str_enum!(Outcome { Completed => "completed", Abandoned => "abandoned", IdleTimeout => "idle_timeout", Interrupted => "interrupted" });

/// A random 128-bit identifier, shown as 32 hex digits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SessionId(pub [u8; 16]);

impl SessionId {
    /// The id of a session played while the OS generator failed: it is played, never
    /// logged (all its sessions would share it).
    pub const UNLOGGED: SessionId = SessionId([0; 16]);

    /// A fresh id from the OS generator; an error when it fails.
    pub fn random() -> Result<SessionId, crate::domain::ids::RandomError> {
        let mut b = [0u8; 16];
        crate::domain::ids::fill_random(&mut b)?;
        Ok(SessionId(b))
    }

    /// Parses 32 lowercase hex digits.
    pub fn parse(s: &str) -> Option<SessionId> {
        let v = crate::domain::ids::from_hex(s)?;
        Some(SessionId(v.try_into().ok()?))
    }

    /// A 64-bit seed for tie-breaks, so they differ between visitors.
    pub fn seed(&self) -> u64 {
        u64::from_le_bytes([
            self.0[0], self.0[1], self.0[2], self.0[3], self.0[4], self.0[5], self.0[6], self.0[7],
        ])
    }
}

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::domain::ids::to_hex(&self.0))
    }
}

impl fmt::Debug for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SessionId({self})")
    }
}

/// Something that happened in a session, for the log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A step was shown.
    Shown {
        /// Step index.
        step: usize,
    },
    /// A step was answered.
    Answered {
        /// Step index.
        step: usize,
        /// The answer.
        answer: Answer,
        /// Time spent on the step.
        ms: u64,
    },
    /// A step was skipped.
    Skipped {
        /// Step index.
        step: usize,
        /// Time spent on the step.
        ms: u64,
    },
    /// The visitor went back.
    Back {
        /// The step left.
        from: usize,
        /// The step shown again.
        to: usize,
    },
    /// The session ended.
    Ended {
        /// How.
        outcome: Outcome,
    },
}

/// A transition that the state machine refuses.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SessionError {
    /// The session has already ended.
    #[error("la session est terminée / the session has ended")]
    Ended,
    /// The scenario has no more steps; only `complete` is possible.
    #[error("le scénario est fini / the scenario is finished")]
    AtEnd,
    /// `complete` before the last step.
    #[error("le scénario n'est pas fini / the scenario is not finished")]
    NotAtEnd,
    /// `back` on the first step.
    #[error("pas d'étape précédente / no previous step")]
    NothingBack,
    /// The answer does not fit the step.
    #[error("réponse invalide pour cette étape / answer does not fit this step")]
    BadAnswer,
}

/// A visitor's way through one scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// Random id.
    pub id: SessionId,
    /// The scenario played.
    pub scenario: String,
    /// Who it is for.
    pub source: Source,
    /// The visitor's language.
    pub lang: Lang,
    current: Option<usize>,
    trail: Vec<(usize, Option<Answer>)>,
    shown_at_ms: u64,
    outcome: Option<Outcome>,
}

impl Session {
    /// Starts a session on the scenario's first step.
    pub fn start(
        scenario: &Scenario,
        id: SessionId,
        source: Source,
        lang: Lang,
        now_ms: u64,
    ) -> (Session, Vec<Event>) {
        let current = (!scenario.steps.is_empty()).then_some(0);
        let s = Session {
            id,
            scenario: scenario.id.clone(),
            source,
            lang,
            current,
            trail: vec![],
            shown_at_ms: now_ms,
            outcome: None,
        };
        let events = current
            .map(|step| Event::Shown { step })
            .into_iter()
            .collect();
        (s, events)
    }

    /// The step on screen, or `None` once the last one is done.
    pub fn current(&self) -> Option<usize> {
        self.current
    }

    /// How the session ended, if it has.
    pub fn outcome(&self) -> Option<Outcome> {
        self.outcome
    }

    /// The answers that count: those on the way actually taken.
    pub fn answers(&self) -> Vec<(usize, Answer)> {
        self.trail
            .iter()
            .filter_map(|(i, a)| a.clone().map(|a| (*i, a)))
            .collect()
    }

    /// Steps done so far and the expected total on the default path from here.
    pub fn progress(&self, scenario: &Scenario) -> (usize, usize) {
        let done = self.trail.len();
        let mut left = 0;
        let mut at = self.current;
        while let Some(i) = at {
            left += 1;
            if left > scenario.steps.len() {
                break;
            }
            at = match scenario.default_next(i) {
                Next::Step(n) => Some(n),
                Next::End => None,
            };
        }
        (done, done + left)
    }

    fn live_step(&self) -> Result<usize, SessionError> {
        if self.outcome.is_some() {
            return Err(SessionError::Ended);
        }
        self.current.ok_or(SessionError::AtEnd)
    }

    fn go(&mut self, next: Next, now_ms: u64, events: &mut Vec<Event>) {
        self.current = match next {
            Next::Step(i) => Some(i),
            Next::End => None,
        };
        self.shown_at_ms = now_ms;
        if let Some(step) = self.current {
            events.push(Event::Shown { step });
        }
    }

    /// Records an answer to the current step and moves on.
    pub fn answer(
        &mut self,
        scenario: &Scenario,
        answer: Answer,
        now_ms: u64,
    ) -> Result<Vec<Event>, SessionError> {
        let step = self.live_step()?;
        let body = &scenario
            .steps
            .get(step)
            .ok_or(SessionError::BadAnswer)?
            .body;
        if !fits(body, &answer) {
            return Err(SessionError::BadAnswer);
        }
        let next = match (body, &answer) {
            (StepBody::Choice { options, .. }, Answer::Choice(i)) => options[*i].next,
            _ => None,
        }
        .unwrap_or_else(|| scenario.default_next(step));
        let ms = now_ms.saturating_sub(self.shown_at_ms);
        let mut events = vec![Event::Answered {
            step,
            answer: answer.clone(),
            ms,
        }];
        self.trail.push((step, Some(answer)));
        self.go(next, now_ms, &mut events);
        Ok(events)
    }

    /// Skips the current step: it counts for nothing.
    pub fn skip(&mut self, scenario: &Scenario, now_ms: u64) -> Result<Vec<Event>, SessionError> {
        let step = self.live_step()?;
        let ms = now_ms.saturating_sub(self.shown_at_ms);
        let mut events = vec![Event::Skipped { step, ms }];
        self.trail.push((step, None));
        self.go(scenario.default_next(step), now_ms, &mut events);
        Ok(events)
    }

    /// Goes back to the previous step; its answer no longer counts until given again.
    pub fn back(&mut self, now_ms: u64) -> Result<Vec<Event>, SessionError> {
        if self.outcome.is_some() {
            return Err(SessionError::Ended);
        }
        let (to, _) = self.trail.pop().ok_or(SessionError::NothingBack)?;
        let from = self.current.unwrap_or(to);
        self.current = Some(to);
        self.shown_at_ms = now_ms;
        Ok(vec![Event::Back { from, to }, Event::Shown { step: to }])
    }

    /// Completes a session whose last step is done.
    pub fn complete(&mut self) -> Result<Vec<Event>, SessionError> {
        if self.outcome.is_some() {
            return Err(SessionError::Ended);
        }
        if self.current.is_some() {
            return Err(SessionError::NotAtEnd);
        }
        self.outcome = Some(Outcome::Completed);
        Ok(vec![Event::Ended {
            outcome: Outcome::Completed,
        }])
    }

    /// Ends the session early: abandoned, idle timeout or interrupted.
    pub fn end(&mut self, outcome: Outcome) -> Result<Vec<Event>, SessionError> {
        if self.outcome.is_some() {
            return Err(SessionError::Ended);
        }
        if outcome == Outcome::Completed {
            return self.complete();
        }
        self.outcome = Some(outcome);
        Ok(vec![Event::Ended { outcome }])
    }

    /// The profile of the answers given so far.
    pub fn profile(&self, scenario: &Scenario, skills: usize) -> Profile {
        scoring::score(scenario, skills, &self.answers())
    }
}

/// Whether an answer has the shape its step expects.
pub fn fits(body: &StepBody, answer: &Answer) -> bool {
    match (body, answer) {
        (StepBody::Info { .. }, Answer::Seen) => true,
        (StepBody::Choice { options, .. }, Answer::Choice(i)) => *i < options.len(),
        (
            StepBody::Multi {
                options, min, max, ..
            },
            Answer::Multi(picked),
        ) => {
            let mut p = picked.clone();
            p.sort_unstable();
            p.dedup();
            p.len() == picked.len()
                && p.iter().all(|i| *i < options.len())
                && (usize::from(*min)..=usize::from(*max)).contains(&p.len())
        }
        (StepBody::Scale { points, .. }, Answer::Scale(p)) => p < points,
        (
            b,
            Answer::Game {
                found,
                total,
                enjoy,
            },
        ) if b.is_game() => found <= total && enjoy.is_none_or(|e| e <= 2),
        _ => false,
    }
}

//! The scenario model: a talent discovery or a trade immersion, as a list of steps.

use crate::domain::dimension::Weights;
use crate::domain::text::Text;
use serde::{Deserialize, Serialize};

/// What a scenario is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Talent discovery: builds a RIASEC and soft-skill profile.
    Talents,
    /// A day in a trade.
    Immersion,
}

impl Kind {
    /// The id used in files.
    pub fn id(self) -> &'static str {
        match self {
            Kind::Talents => "talents",
            Kind::Immersion => "immersion",
        }
    }
}

/// Where a step or an answer leads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Next {
    /// The step at this index.
    Step(usize),
    /// The end of the scenario.
    End,
}

/// One scenario, loaded and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Unique id.
    pub id: String,
    /// Talents or immersion.
    pub kind: Kind,
    /// Title shown on the scenario choice screen.
    pub title: Text,
    /// Estimated duration, as stated by the author.
    pub duration_minutes: u32,
    /// The trade of an immersion.
    pub trade: Option<String>,
    /// Ambient sound played in a loop, relative to the scenario folder.
    pub ambient: Option<String>,
    /// Who signed the content off.
    pub reviewed_by: String,
    /// The steps, in file order.
    pub steps: Vec<Step>,
}

impl Scenario {
    /// The index of a step id.
    pub fn step_index(&self, id: &str) -> Option<usize> {
        self.steps.iter().position(|s| s.id == id)
    }

    /// Where a step leads by default: its `next`, or the following step.
    pub fn default_next(&self, index: usize) -> Next {
        match self.steps.get(index).and_then(|s| s.next) {
            Some(n) => n,
            None if index + 1 < self.steps.len() => Next::Step(index + 1),
            None => Next::End,
        }
    }

    /// The estimated duration in seconds, by the rule documented in `scenarios/README.md`.
    pub fn estimated_seconds(&self) -> u32 {
        self.steps.iter().map(Step::estimated_seconds).sum()
    }
}

/// One step of a scenario.
#[derive(Clone, Debug, PartialEq)]
pub struct Step {
    /// Unique within the scenario.
    pub id: String,
    /// Optional picture, relative to the scenario folder.
    pub image: Option<String>,
    /// Optional sound played when the step opens.
    pub sound: Option<String>,
    /// Where the step leads, when not to the following one.
    pub next: Option<Next>,
    /// What the step asks.
    pub body: StepBody,
}

/// The step types of the format.
#[derive(Clone, Debug, PartialEq)]
pub enum StepBody {
    /// A text to read.
    Info {
        /// The text.
        text: Text,
    },
    /// One answer among 2 to 6.
    Choice {
        /// The question.
        question: Text,
        /// The answers.
        options: Vec<Opt>,
    },
    /// Several answers.
    Multi {
        /// The question.
        question: Text,
        /// The answers.
        options: Vec<Opt>,
        /// Fewest answers accepted.
        min: u8,
        /// Most answers accepted.
        max: u8,
    },
    /// A like/dislike scale with pictograms.
    Scale {
        /// The activity to rate.
        statement: Text,
        /// 3 or 5.
        points: u8,
        /// Dimensions the item bears on.
        weights: Weights,
    },
    /// Put items in order, or into bins.
    Sort {
        /// The instruction.
        prompt: Text,
        /// Order or bins.
        mode: SortMode,
        /// The bins (empty in order mode).
        bins: Vec<Bin>,
        /// The items; in order mode, in the expected order.
        items: Vec<Item>,
        /// Weights of the "Tu as aimé ?" follow-up.
        enjoy: Weights,
    },
    /// Tap zones of an image.
    Hotspot {
        /// The instruction.
        prompt: Text,
        /// The zones.
        zones: Vec<Zone>,
        /// How many target zones end the game (default: all of them).
        find: usize,
        /// Weights of the "Tu as aimé ?" follow-up.
        enjoy: Weights,
    },
    /// A wide picture dragged sideways, wrapping round, with zones.
    Panorama {
        /// The instruction.
        prompt: Text,
        /// The zones.
        zones: Vec<Zone>,
        /// How many target zones end the game (default: all of them).
        find: usize,
        /// Weights of the "Tu as aimé ?" follow-up.
        enjoy: Weights,
    },
    /// A short game with a time limit: items sent to bins one by one.
    Timed {
        /// The instruction.
        prompt: Text,
        /// The time limit.
        seconds: u32,
        /// The bins.
        bins: Vec<Bin>,
        /// The items, shown one by one.
        items: Vec<Item>,
        /// Weights of the "Tu as aimé ?" follow-up.
        enjoy: Weights,
    },
}

impl StepBody {
    /// The `type` key of the format.
    pub fn type_name(&self) -> &'static str {
        match self {
            StepBody::Info { .. } => "info",
            StepBody::Choice { .. } => "choice",
            StepBody::Multi { .. } => "multi",
            StepBody::Scale { .. } => "scale",
            StepBody::Sort { .. } => "sort",
            StepBody::Hotspot { .. } => "hotspot",
            StepBody::Panorama { .. } => "panorama",
            StepBody::Timed { .. } => "timed",
        }
    }

    /// Whether this is a game, which feeds the profile only through "Tu as aimé ?".
    pub fn is_game(&self) -> bool {
        self.enjoy().is_some()
    }

    /// The "Tu as aimé ?" weights of a game.
    pub fn enjoy(&self) -> Option<&Weights> {
        match self {
            StepBody::Sort { enjoy, .. }
            | StepBody::Hotspot { enjoy, .. }
            | StepBody::Panorama { enjoy, .. }
            | StepBody::Timed { enjoy, .. } => Some(enjoy),
            _ => None,
        }
    }

    /// The main text of the step (text, question, statement or prompt).
    pub fn main_text(&self) -> &Text {
        match self {
            StepBody::Info { text } => text,
            StepBody::Choice { question, .. } | StepBody::Multi { question, .. } => question,
            StepBody::Scale { statement, .. } => statement,
            StepBody::Sort { prompt, .. }
            | StepBody::Hotspot { prompt, .. }
            | StepBody::Panorama { prompt, .. }
            | StepBody::Timed { prompt, .. } => prompt,
        }
    }
}

impl Step {
    /// Seconds this step is expected to take (see `scenarios/README.md`).
    pub fn estimated_seconds(&self) -> u32 {
        let enjoy = if self.body.is_game() { 4 } else { 0 };
        enjoy
            + match &self.body {
                StepBody::Info { text } => {
                    let words =
                        u32::try_from(text.fr.split_whitespace().count()).unwrap_or(u32::MAX);
                    4 + words.div_ceil(3)
                }
                StepBody::Choice { .. } => 10,
                StepBody::Multi { .. } => 14,
                StepBody::Scale { .. } => 6,
                StepBody::Sort { .. } | StepBody::Hotspot { .. } => 30,
                StepBody::Panorama { .. } => 40,
                StepBody::Timed { seconds, .. } => seconds + 8,
            }
    }

    /// Every visitor-facing text of the step with its narration key
    /// (`<step>.<field>[.<id>]`), in display order.
    pub fn texts(&self) -> Vec<(String, &Text)> {
        let id = &self.id;
        let mut out = vec![];
        let field = match &self.body {
            StepBody::Info { .. } => "text",
            StepBody::Choice { .. } | StepBody::Multi { .. } => "question",
            StepBody::Scale { .. } => "statement",
            _ => "prompt",
        };
        out.push((format!("{id}.{field}"), self.body.main_text()));
        match &self.body {
            StepBody::Choice { options, .. } | StepBody::Multi { options, .. } => {
                for o in options {
                    out.push((format!("{id}.option.{}", o.id), &o.label));
                }
            }
            StepBody::Sort { bins, items, .. } | StepBody::Timed { bins, items, .. } => {
                for b in bins {
                    out.push((format!("{id}.bin.{}", b.id), &b.label));
                }
                for i in items {
                    out.push((format!("{id}.item.{}", i.id), &i.label));
                }
            }
            StepBody::Hotspot { zones, .. } | StepBody::Panorama { zones, .. } => {
                for z in zones {
                    if let Some(f) = &z.feedback {
                        out.push((format!("{id}.zone.{}", z.id), f));
                    }
                }
            }
            StepBody::Info { .. } | StepBody::Scale { .. } => {}
        }
        out
    }
}

/// An answer of a `choice` or `multi` step.
#[derive(Clone, Debug, PartialEq)]
pub struct Opt {
    /// Unique within the step.
    pub id: String,
    /// What the visitor taps.
    pub label: Text,
    /// What the answer adds.
    pub weights: Weights,
    /// Where the answer leads, if not where the step does.
    pub next: Option<Next>,
}

/// How a `sort` step is played.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortMode {
    /// Put the items back in order.
    Order,
    /// Put each item into a bin.
    Bins,
}

/// A bin of a `sort` or `timed` step.
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Unique within the step.
    pub id: String,
    /// Its label.
    pub label: Text,
}

/// An item of a `sort` or `timed` step.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    /// Unique within the step.
    pub id: String,
    /// Its label.
    pub label: Text,
    /// The bin it belongs in (bins mode and `timed`).
    pub bin: Option<String>,
}

/// A tappable zone of a `hotspot` or `panorama` image, in image pixels.
#[derive(Clone, Debug, PartialEq)]
pub struct Zone {
    /// Unique within the step.
    pub id: String,
    /// x, y, width, height.
    pub rect: [u32; 4],
    /// Whether it is one of the zones to find.
    pub target: bool,
    /// What is said when it is tapped.
    pub feedback: Option<Text>,
}

impl Zone {
    /// Whether an image point falls in the zone.
    pub fn contains(&self, x: f32, y: f32) -> bool {
        let [zx, zy, w, h] = self.rect.map(|v| v as f32);
        x >= zx && x < zx + w && y >= zy && y < zy + h
    }
}

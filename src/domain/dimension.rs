//! The six RIASEC interest areas, fixed in code because they must meet ROME's letters.

use crate::domain::text::Text;
use serde::{Deserialize, Serialize};

/// A RIASEC interest area, named to visitors by a verb.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Area {
    /// R: faire, make things.
    Faire,
    /// I: chercher, investigate.
    Chercher,
    /// A: créer, create.
    Creer,
    /// S: aider, help.
    Aider,
    /// E: convaincre, persuade.
    Convaincre,
    /// C: organiser, organise.
    Organiser,
}

impl Area {
    /// The six areas in RIASEC order.
    pub const ALL: [Area; 6] = [
        Area::Faire,
        Area::Chercher,
        Area::Creer,
        Area::Aider,
        Area::Convaincre,
        Area::Organiser,
    ];

    /// Position in RIASEC order, 0 to 5.
    pub fn index(self) -> usize {
        self as usize
    }

    /// The ROME / Holland letter.
    pub fn letter(self) -> char {
        ['R', 'I', 'A', 'S', 'E', 'C'][self.index()]
    }

    /// The id used in scenario files (`weights = { faire = 1 }`).
    pub fn id(self) -> &'static str {
        [
            "faire",
            "chercher",
            "creer",
            "aider",
            "convaincre",
            "organiser",
        ][self.index()]
    }

    /// Parses a ROME letter.
    pub fn from_letter(letter: char) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.letter() == letter)
    }

    /// Parses a scenario-file id.
    pub fn from_id(id: &str) -> Option<Area> {
        Area::ALL.into_iter().find(|a| a.id() == id)
    }

    /// The verb shown to visitors.
    pub fn verb(self) -> Text {
        match self {
            Area::Faire => Text::new("faire", "making things", "faire avec tes mains"),
            Area::Chercher => Text::new("chercher", "investigating", "chercher et comprendre"),
            Area::Creer => Text::new("créer", "creating", "créer et imaginer"),
            Area::Aider => Text::new("aider", "helping", "aider les autres"),
            Area::Convaincre => Text::new(
                "convaincre",
                "persuading",
                "convaincre et lancer des projets",
            ),
            Area::Organiser => Text::new("organiser", "organising", "organiser et ranger"),
        }
    }

    /// The phrase after "Tu aimes …" in a match reason.
    pub fn liking(self) -> Text {
        match self {
            Area::Faire => Text::new(
                "fabriquer et faire de tes mains",
                "making things with your hands",
                "faire des choses avec tes mains",
            ),
            Area::Chercher => Text::new(
                "chercher et comprendre",
                "investigating and understanding",
                "chercher et comprendre",
            ),
            Area::Creer => Text::new(
                "créer et imaginer",
                "creating and imagining",
                "inventer des choses",
            ),
            Area::Aider => Text::new(
                "aider et prendre soin des autres",
                "helping and caring for people",
                "aider les gens",
            ),
            Area::Convaincre => Text::new(
                "convaincre et lancer des projets",
                "persuading and starting projects",
                "parler aux gens et lancer des projets",
            ),
            Area::Organiser => Text::new(
                "organiser et mettre de l'ordre",
                "organising and keeping things in order",
                "ranger et organiser",
            ),
        }
    }
}

/// A dimension a weight can add to: an interest area or a declared soft skill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Dim {
    /// A RIASEC area.
    Area(Area),
    /// A savoir-être, by its index in the skill set.
    Skill(u8),
}

impl Dim {
    /// Index in a dense score array: the six areas, then the skills.
    pub fn slot(self) -> usize {
        match self {
            Dim::Area(a) => a.index(),
            Dim::Skill(s) => 6 + s as usize,
        }
    }
}

/// Points added to dimensions by an answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Weights(pub Vec<(Dim, u8)>);

impl Weights {
    /// The weight on one dimension, 0 when absent.
    pub fn get(&self, dim: Dim) -> u8 {
        self.0
            .iter()
            .find(|(d, _)| *d == dim)
            .map_or(0, |(_, w)| *w)
    }

    /// Whether no dimension is weighted.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

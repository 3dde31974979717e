//! The savoir-être professionnels a visitor can put forward, declared as data.

use crate::domain::text::Text;

/// One savoir-être from France Travail's referential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skill {
    /// Id used in scenario weights (`rigueur`).
    pub id: String,
    /// ROME macro-competence code (`6D110`).
    pub code: String,
    /// ROME `code_ogr`, used by the trade links.
    pub ogr: String,
    /// Noun phrase shown after "Ce que tu as mis en avant :".
    pub name: Text,
}

/// The declared skills, in file order; their position is their index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SkillSet {
    /// The skills.
    pub skills: Vec<Skill>,
}

impl SkillSet {
    /// The index of a skill id.
    pub fn index_of(&self, id: &str) -> Option<u8> {
        self.skills
            .iter()
            .position(|s| s.id == id)
            .and_then(|i| u8::try_from(i).ok())
    }

    /// The skill at an index.
    pub fn get(&self, index: u8) -> Option<&Skill> {
        self.skills.get(index as usize)
    }

    /// How many skills are declared.
    pub fn len(&self) -> usize {
        self.skills.len()
    }

    /// Whether no skill is declared.
    pub fn is_empty(&self) -> bool {
        self.skills.is_empty()
    }
}

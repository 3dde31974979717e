//! The words a visitor reads about their profile: strengths only, never a verdict.
//!
//! - Areas are verbs ("faire", "créer"); ties are said as ties.
//! - Soft skills are "ce que tu as mis en avant", never "tu es …".
//! - No numbers and no three-letter code.

use crate::domain::dimension::Area;
use crate::domain::scoring::{Profile, Reading};
use crate::domain::skills::SkillSet;
use crate::domain::text::{Text, Variant};

/// The heading of every results screen and page.
pub fn heading() -> Text {
    Text::new(
        "Tes pistes à explorer – ce n'est pas un test",
        "Leads to explore – this is not a test",
        "Des idées pour toi. Ce n'est pas un test.",
    )
}

fn join(words: &[String], and: &str) -> String {
    match words {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {and} {last}", init.join(", ")),
    }
}

fn verbs(areas: &[Area], v: Variant) -> String {
    let words: Vec<String> = areas.iter().map(|a| a.verb().get(v).to_owned()).collect();
    join(&words, if v == Variant::En { "and" } else { "et" })
}

/// What the visitor is told about their interest areas.
pub fn strengths(profile: &Profile) -> Text {
    match profile.reading() {
        Reading::TooFewAnswers => Text::new(
            "Pas assez de réponses pour te proposer des pistes. Ce n'est pas grave : refais un tour quand tu veux, ou parles-en au médiateur ou à la médiatrice du Klub.",
            "Not enough answers to suggest leads yet. That's fine: have another go whenever you like, or talk to the Klub's mediator.",
            "Tu as donné peu de réponses. Ce n'est pas grave. Tu peux recommencer. Tu peux aussi parler avec la personne du Klub.",
        ),
        Reading::NoClearPreference => Text::new(
            "Pas de préférence nette : tu es curieux ou curieuse de beaucoup de choses ! Les immersions métiers t'aideront à voir ce qui te plaît le plus.",
            "No clear preference: you are curious about many things! The trade immersions will help you see what you like most.",
            "Tu aimes beaucoup de choses. C'est bien ! Essaie un métier pour voir ce que tu préfères.",
        ),
        Reading::Strengths(groups) => {
            let fr = groups
                .iter()
                .map(|g| tied(g, Variant::Fr))
                .collect::<Vec<_>>();
            let en = groups
                .iter()
                .map(|g| tied(g, Variant::En))
                .collect::<Vec<_>>();
            let fa = groups
                .iter()
                .map(|g| tied(g, Variant::Facile))
                .collect::<Vec<_>>();
            Text {
                fr: format!("Ce qui t'attire le plus : {}.", fr.join(", puis ")),
                en: Some(format!("What draws you most: {}.", en.join(", then "))),
                facile: Some(format!("Tu aimes surtout : {}.", fa.join(", puis "))),
            }
        }
    }
}

fn tied(group: &[Area], v: Variant) -> String {
    let words = verbs(group, v);
    if group.len() < 2 {
        return words;
    }
    match v {
        Variant::En => format!("{words}, equally"),
        _ => format!("{words}, à égalité"),
    }
}

/// "Ce que tu as mis en avant : …", or `None` when no skill stands out.
pub fn put_forward(profile: &Profile, skills: &SkillSet, n: usize) -> Option<Text> {
    let top = profile.top_skills(n);
    if top.is_empty() {
        return None;
    }
    let names = |v: Variant| -> Vec<String> {
        top.iter()
            .filter_map(|s| skills.get(*s))
            .map(|s| s.name.get(v).to_owned())
            .collect()
    };
    Some(Text {
        fr: format!(
            "Ce que tu as mis en avant : {}.",
            join(&names(Variant::Fr), "et")
        ),
        en: Some(format!(
            "What you put forward: {}.",
            join(&names(Variant::En), "and")
        )),
        facile: Some(format!(
            "Tu as montré : {}.",
            join(&names(Variant::Facile), "et")
        )),
    })
}

/// The closing invitation of every results screen.
pub fn talk_to_mediator() -> Text {
    Text::new(
        "Parles-en au médiateur ou à la médiatrice du Klub.",
        "Talk about it with the Klub's mediator.",
        "Tu peux parler avec la personne du Klub.",
    )
}

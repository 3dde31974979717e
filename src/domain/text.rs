//! Visitor-facing texts in French, English and easy-to-read French (FALC).

use serde::{Deserialize, Serialize};

/// The language a visitor picked on the welcome screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French, the default.
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// The short code used in logs, configs and file names.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The French or the English of something said, in this language.
    pub fn pick<T>(self, fr: T, en: T) -> T {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }

    /// Parses `fr` or `en`.
    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
}

/// Which variant of a text is shown: the language, or easy French.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    /// Standard French.
    Fr,
    /// English.
    En,
    /// Easy-to-read French (FALC).
    Facile,
}

impl Variant {
    /// All variants, in file order.
    pub const ALL: [Variant; 3] = [Variant::Fr, Variant::En, Variant::Facile];

    /// The variant a visitor sees for a language and the "texte facile" switch.
    /// Easy French only exists in French, so English ignores the switch.
    pub fn for_visitor(lang: Lang, facile: bool) -> Variant {
        match (lang, facile) {
            (Lang::En, _) => Variant::En,
            (Lang::Fr, true) => Variant::Facile,
            (Lang::Fr, false) => Variant::Fr,
        }
    }

    /// The key used in scenario files and narration file names.
    pub fn code(self) -> &'static str {
        match self {
            Variant::Fr => "fr",
            Variant::En => "en",
            Variant::Facile => "facile",
        }
    }

    /// The language espeak-ng and the UI use for this variant.
    pub fn lang(self) -> Lang {
        match self {
            Variant::En => Lang::En,
            Variant::Fr | Variant::Facile => Lang::Fr,
        }
    }
}

/// A visitor-facing text. `fr` is required; a missing variant falls back to `fr`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Text {
    /// Standard French.
    pub fr: String,
    /// English, if written.
    pub en: Option<String>,
    /// Easy-to-read French, if written.
    pub facile: Option<String>,
}

impl Text {
    /// A text with the three variants.
    pub fn new(fr: &str, en: &str, facile: &str) -> Text {
        Text {
            fr: fr.to_owned(),
            en: Some(en.to_owned()),
            facile: Some(facile.to_owned()),
        }
    }

    /// The variant to show, falling back to French when it is missing.
    pub fn get(&self, variant: Variant) -> &str {
        self.variant(variant).unwrap_or(&self.fr)
    }

    /// The variant as written, if it is.
    pub fn variant(&self, variant: Variant) -> Option<&str> {
        match variant {
            Variant::Fr => Some(&self.fr),
            Variant::En => self.en.as_deref(),
            Variant::Facile => self.facile.as_deref(),
        }
    }
}

/// Where the first page-template marker (`{{NAME}}`, NAME in capitals, digits and `_`) of
/// a text is. The results page is filled at such markers, so no text may hold one.
pub fn template_marker(s: &str) -> Option<std::ops::Range<usize>> {
    let mut from = 0;
    while let Some(open) = s[from..].find("{{").map(|i| from + i) {
        let name = s[open + 2..]
            .bytes()
            .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || *b == b'_')
            .count();
        let end = open + 2 + name;
        if name > 0 && s[end..].starts_with("}}") {
            return Some(open..end + 2);
        }
        from = open + 1;
    }
    None
}

/// A proper name (trade title, diploma) in French and English only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Name {
    /// French, as the referential writes it.
    pub fr: String,
    /// English, if written.
    pub en: Option<String>,
}

impl Name {
    /// The name in a language, falling back to French.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => self.en.as_deref().unwrap_or(&self.fr),
        }
    }
}

/// A string from a file or a log, made safe to print on a terminal: control characters
/// (ESC and the rest of C0 and C1, DEL) and the bidirectional overrides that can make a
/// line read differently from what it holds are dropped. Newlines and tabs stay.
pub fn printable(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            c == '\n'
                || c == '\t'
                || !(c.is_control()
                    || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'))
        })
        .collect()
}

/// Text made safe inside HTML or SVG, between tags or in a quoted attribute.
pub fn escape_markup(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::{escape_markup, printable};

    #[test]
    fn escape_markup_closes_tags_attributes_and_entities() {
        assert_eq!(
            escape_markup(r#"<a href="x">&amp;</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt;"
        );
    }

    #[test]
    fn printable_drops_terminal_escapes_and_bidi_overrides_and_keeps_lines() {
        assert_eq!(
            printable("a\u{1b}]0;pwned\u{7}\u{1b}[2Jb\r\n\tc\u{9b}31m\u{7f}\u{202e}d\u{2066}é"),
            "a]0;pwned[2Jb\n\tc31mdé"
        );
        assert_eq!(printable("chartres"), "chartres");
    }
}

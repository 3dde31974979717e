//! A walker over a parsed TOML tree that keeps every span, so each finding points at
//! its line and column, and that collects all findings instead of stopping at the first.

use crate::content::diag::{Diagnostic, Msg, Report, did_you_mean};
use crate::domain::ids::is_id;
use crate::domain::text::{Name, Text, template_marker};
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// A spanned TOML value.
pub type Val<'i> = Spanned<DeValue<'i>>;

/// A file's text prepared for the parser.
#[derive(Clone, Debug)]
pub struct Source {
    /// Where it was read from.
    pub path: PathBuf,
    /// The bytes as on disk, for rendering.
    pub bytes: Vec<u8>,
    /// The text without a leading BOM.
    pub text: String,
    /// Bytes removed at the start (the BOM).
    pub offset: usize,
}

impl Source {
    /// Decodes a file's bytes. Invalid UTF-8 is an error at the first bad byte.
    #[expect(
        clippy::result_large_err,
        reason = "read once per file; the diagnostic goes straight into the report"
    )]
    pub fn new(path: &Path, bytes: Vec<u8>) -> Result<Source, Diagnostic> {
        let text = match std::str::from_utf8(&bytes) {
            Ok(t) => t.to_owned(),
            Err(e) => {
                let at = e.valid_up_to();
                return Err(Diagnostic::error(
                    path,
                    Some(at..at + 1),
                    Msg::new("le fichier n'est pas en UTF-8", "the file is not UTF-8"),
                )
                .with_hint(Msg::new(
                    "enregistrez-le en « UTF-8 » depuis votre éditeur",
                    "save it as \"UTF-8\" from your editor",
                )));
            }
        };
        let (text, offset) = match text.strip_prefix('\u{feff}') {
            Some(rest) => (rest.to_owned(), 3),
            None => (text, 0),
        };
        Ok(Source {
            path: path.to_owned(),
            bytes,
            text,
            offset,
        })
    }
}

/// A table being read; remembers which keys were used.
pub struct Tbl<'t, 'i> {
    map: &'t DeTable<'i>,
    /// The table's span in the parser's text.
    pub span: Range<usize>,
    used: Vec<&'t str>,
}

impl<'t, 'i> Tbl<'t, 'i> {
    /// A table over a parsed map.
    pub fn new(map: &'t DeTable<'i>, span: Range<usize>) -> Self {
        Tbl {
            map,
            span,
            used: vec![],
        }
    }

    /// Every entry, for tables whose keys are data (weights).
    pub fn entries(
        &self,
    ) -> impl Iterator<Item = (&'t Spanned<toml::de::DeString<'i>>, &'t Val<'i>)> {
        self.map.iter()
    }
}

/// Collects findings for one file while reading it.
pub struct Reader<'r> {
    /// The file.
    pub file: PathBuf,
    /// Its bytes as on disk, to name lines in messages.
    pub bytes: Vec<u8>,
    offset: usize,
    len: usize,
    /// Where findings go.
    pub report: &'r mut Report,
    /// The skill list could not be read whole: unknown skill ids are its consequence,
    /// not errors of their own.
    pub skills_broken: bool,
}

/// Syntax errors listed per file; the parser's later ones mostly follow from the first.
const MAX_SYNTAX_ERRORS: usize = 5;

fn kind_fr(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "du texte",
        DeValue::Integer(_) => "un nombre entier",
        DeValue::Float(_) => "un nombre à virgule",
        DeValue::Boolean(_) => "vrai/faux",
        DeValue::Datetime(_) => "une date",
        DeValue::Array(_) => "une liste",
        DeValue::Table(_) => "une table",
    }
}

impl<'r> Reader<'r> {
    /// A reader for a source, reporting into `report`.
    pub fn new(source: &Source, report: &'r mut Report) -> Reader<'r> {
        Reader {
            file: source.path.clone(),
            bytes: source.bytes.clone(),
            offset: source.offset,
            len: source.bytes.len(),
            report,
            skills_broken: false,
        }
    }

    /// Converts a parser span to a file span, clamped inside the file.
    pub fn span(&self, s: &Range<usize>) -> Range<usize> {
        let start = (s.start + self.offset).min(self.len.saturating_sub(1));
        let end = (s.end + self.offset).clamp(start, self.len);
        start..end
    }

    /// Reports an error at a parser span.
    pub fn error(&mut self, span: &Range<usize>, msg: Msg) {
        let d = Diagnostic::error(&self.file, Some(self.span(span)), msg);
        self.report.push(d);
    }

    /// Reports an error with a hint.
    pub fn error_hint(&mut self, span: &Range<usize>, msg: Msg, hint: Msg) {
        let d = Diagnostic::error(&self.file, Some(self.span(span)), msg).with_hint(hint);
        self.report.push(d);
    }

    /// Reports a warning.
    pub fn warning(&mut self, span: &Range<usize>, msg: Msg, hint: Option<Msg>) {
        let mut d = Diagnostic::warning(&self.file, Some(self.span(span)), msg);
        d.hint = hint;
        self.report.push(d);
    }

    /// Parses a document; syntax errors (duplicate keys included) are all reported.
    pub fn parse<'i>(&mut self, source: &'i Source) -> Option<Spanned<DeTable<'i>>> {
        let (doc, errors) = DeTable::parse_recoverable(&source.text);
        if errors.is_empty() {
            return Some(doc);
        }
        let total = errors.len();
        for (n, e) in errors.into_iter().enumerate() {
            let mut span = e.span().unwrap_or(0..0);
            if n == MAX_SYNTAX_ERRORS {
                let more = total - n;
                self.error_hint(
                    &span,
                    Msg::new(
                        format!("syntaxe TOML : {more} autre(s) erreur(s) à partir d'ici"),
                        format!("TOML syntax: {more} more error(s) from here"),
                    ),
                    Msg::new(
                        "corrigez d'abord les premières : les suivantes en découlent souvent",
                        "fix the first ones first: the others often follow from them",
                    ),
                );
                break;
            }
            let message = e.message().trim().replace('\n', " ");
            let hint = if message.contains("duplicate") {
                Msg::new(
                    "cette clé est écrite deux fois : gardez-en une seule",
                    "this key is written twice: keep only one",
                )
            } else if message.contains("unquoted key") {
                let at = word_at(&source.text, span.start);
                let word = source.text[at.clone()].to_owned();
                if !at.is_empty() {
                    // Underline the whole key, not just its first odd character.
                    span = at;
                }
                let plain = crate::content::diag::fold(&word);
                if !word.is_empty() && plain != word && is_id(&plain) {
                    Msg::new(
                        format!("une clé s'écrit sans accent ni espace : écrivez « {plain} »"),
                        format!("a key is written without accents or spaces: write \"{plain}\""),
                    )
                } else {
                    Msg::new(
                        "une clé s'écrit sans accent ni espace (lettres, chiffres, - et _), ou entre guillemets",
                        "a key is written without accents or spaces (letters, digits, - and _), or in quotes",
                    )
                }
            } else if message.contains("date")
                || message.contains("month")
                || message.contains("day")
            {
                Msg::new(
                    "écrivez une date réelle, année-mois-jour : 2026-03-02",
                    "write a real date, year-month-day: 2026-03-02",
                )
            } else {
                Msg::new(
                    "vérifiez les guillemets, les crochets et les signes « = » de cette ligne",
                    "check the quotes, brackets and \"=\" signs on this line",
                )
            };
            self.error_hint(
                &span,
                Msg::new(
                    format!("syntaxe TOML : {message}"),
                    format!("TOML syntax: {message}"),
                ),
                hint,
            );
        }
        None
    }

    /// Opens a value as a table.
    pub fn table<'t, 'i>(&mut self, v: &'t Val<'i>, what: &str) -> Option<Tbl<'t, 'i>> {
        match v.get_ref() {
            DeValue::Table(map) => Some(Tbl {
                map,
                span: v.span(),
                used: vec![],
            }),
            other => {
                self.error(
                    &v.span(),
                    Msg::new(
                        format!("{what} : une table est attendue, pas {}", kind_fr(other)),
                        format!("{what}: a table is expected"),
                    ),
                );
                None
            }
        }
    }

    /// The document's top-level table.
    pub fn root<'t, 'i>(&mut self, doc: &'t Spanned<DeTable<'i>>) -> Tbl<'t, 'i> {
        Tbl {
            map: doc.get_ref(),
            span: doc.span(),
            used: vec![],
        }
    }

    /// Reports keys that were not read, suggesting the closest allowed one.
    pub fn finish(&mut self, t: Tbl<'_, '_>, allowed: &[&str]) {
        for (k, _) in t.map.iter() {
            let key: &str = k.get_ref();
            if t.used.contains(&key) {
                continue;
            }
            let msg = Msg::new(
                format!("clé inconnue « {key} »"),
                format!("unknown key \"{key}\""),
            );
            match did_you_mean(key, allowed.iter().copied()) {
                Some(s) => self.error_hint(
                    &k.span(),
                    msg,
                    Msg::new(
                        format!("vouliez-vous dire « {s} » ?"),
                        format!("did you mean \"{s}\"?"),
                    ),
                ),
                None => self.error_hint(
                    &k.span(),
                    msg,
                    Msg::new(
                        format!("les clés possibles ici : {}", allowed.join(", ")),
                        format!("keys allowed here: {}", allowed.join(", ")),
                    ),
                ),
            }
        }
    }

    /// Takes a key's value, reporting it missing when required.
    pub fn take<'t, 'i>(
        &mut self,
        t: &mut Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<&'t Val<'i>> {
        let found = t
            .map
            .iter()
            .find(|(k, _)| k.get_ref().as_ref() as &str == key);
        match found {
            Some((k, v)) => {
                t.used.push(k.get_ref().as_ref());
                Some(v)
            }
            None => {
                if required {
                    let span = t.span.start..t.span.start + 1;
                    self.error_hint(
                        &span,
                        Msg::new(
                            format!("il manque « {key} »"),
                            format!("\"{key}\" is missing"),
                        ),
                        Msg::new(
                            format!("ajoutez une ligne « {key} = … »"),
                            format!("add a line \"{key} = …\""),
                        ),
                    );
                }
                None
            }
        }
    }

    /// A string value.
    pub fn as_string(&mut self, v: &Val<'_>, key: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => {
                if let Some(m) = template_marker(s) {
                    self.marker(&v.span(), key, &s[m]);
                }
                Some(s.to_string())
            }
            other => {
                self.error_hint(
                    &v.span(),
                    Msg::new(
                        format!("« {key} » doit être du texte, pas {}", kind_fr(other)),
                        format!("\"{key}\" must be a string"),
                    ),
                    Msg::new(
                        "mettez la valeur entre guillemets : \"…\"",
                        "put the value in quotes: \"…\"",
                    ),
                );
                None
            }
        }
    }

    /// Reports a page-template marker in a string: the results page is filled at such
    /// markers, so a text holding one could pose as a part of the page.
    fn marker(&mut self, value: &Range<usize>, key: &str, marker: &str) {
        let whole = self.span(value);
        // Point at the marker itself when it is written as is (not through escapes).
        let span = std::str::from_utf8(&self.bytes[whole.clone()])
            .ok()
            .and_then(|raw| raw.find(marker))
            .map_or(whole.clone(), |at| {
                whole.start + at..whole.start + at + marker.len()
            });
        let d = Diagnostic::error(
            &self.file,
            Some(span),
            Msg::new(
                format!("« {key} » contient « {marker} », un repère réservé au modèle de la page de résultats"),
                format!("\"{key}\" holds \"{marker}\", a marker reserved for the results page template"),
            ),
        )
        .with_hint(Msg::new(
            "retirez les doubles accolades {{ }} de ce texte",
            "remove the double braces {{ }} from this text",
        ));
        self.report.push(d);
    }

    /// A string under a key.
    pub fn string(
        &mut self,
        t: &mut Tbl<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Spanned<String>> {
        let v = self.take(t, key, required)?;
        self.as_string(v, key).map(|s| Spanned::new(v.span(), s))
    }

    /// An id under a key: lowercase letters, digits and dashes.
    pub fn id(
        &mut self,
        t: &mut Tbl<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Spanned<String>> {
        let s = self.string(t, key, required)?;
        if is_id(s.get_ref()) {
            Some(s)
        } else {
            self.error_hint(
                &s.span(),
                Msg::new(format!("identifiant invalide « {} »", s.get_ref()), format!("invalid id \"{}\"", s.get_ref())),
                Msg::new(
                    "un identifiant s'écrit en minuscules sans accent, avec des chiffres et des tirets (ex. « atelier-2 »)",
                    "an id is lowercase ascii letters, digits and dashes (e.g. \"atelier-2\")",
                ),
            );
            None
        }
    }

    /// An integer under a key, within a range.
    pub fn int(
        &mut self,
        t: &mut Tbl<'_, '_>,
        key: &str,
        required: bool,
        range: Range<i64>,
    ) -> Option<Spanned<i64>> {
        let v = self.take(t, key, required)?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()),
            _ => None,
        };
        match n {
            Some(n) if range.contains(&n) => Some(Spanned::new(v.span(), n)),
            Some(n) => {
                self.error(
                    &v.span(),
                    Msg::new(
                        format!(
                            "« {key} » vaut {n} : il doit être entre {} et {}",
                            range.start,
                            range.end - 1
                        ),
                        format!(
                            "\"{key}\" is {n}: it must be between {} and {}",
                            range.start,
                            range.end - 1
                        ),
                    ),
                );
                None
            }
            None => {
                let got = kind_fr(v.get_ref());
                self.error_hint(
                    &v.span(),
                    Msg::new(
                        format!("« {key} » doit être un nombre entier, pas {got}"),
                        format!("\"{key}\" must be a whole number"),
                    ),
                    Msg::new(
                        "écrivez le nombre sans guillemets, ex. 30",
                        "write the number without quotes, e.g. 30",
                    ),
                );
                None
            }
        }
    }

    /// A number (integer or decimal) under a key.
    pub fn number(
        &mut self,
        t: &mut Tbl<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Spanned<f64>> {
        let v = self.take(t, key, required)?;
        let n = match v.get_ref() {
            DeValue::Integer(i) => parse_int(i.as_str(), i.radix()).map(|n| n as f64),
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            _ => None,
        };
        if n.is_none() {
            self.error(
                &v.span(),
                Msg::new(
                    format!("« {key} » doit être un nombre"),
                    format!("\"{key}\" must be a number"),
                ),
            );
        }
        n.map(|n| Spanned::new(v.span(), n))
    }

    /// A boolean under a key.
    pub fn boolean(&mut self, t: &mut Tbl<'_, '_>, key: &str, required: bool) -> Option<bool> {
        let v = self.take(t, key, required)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.error_hint(
                    &v.span(),
                    Msg::new(
                        format!("« {key} » doit être true ou false, pas {}", kind_fr(other)),
                        format!("\"{key}\" must be true or false"),
                    ),
                    Msg::new(
                        "écrivez true (oui) ou false (non), sans guillemets",
                        "write true or false, without quotes",
                    ),
                );
                None
            }
        }
    }

    /// A list of strings under a key.
    pub fn strings(
        &mut self,
        t: &mut Tbl<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Vec<Spanned<String>>> {
        let v = self.take(t, key, required)?;
        let DeValue::Array(items) = v.get_ref() else {
            self.error_hint(
                &v.span(),
                Msg::new(
                    format!("« {key} » doit être une liste"),
                    format!("\"{key}\" must be a list"),
                ),
                Msg::new(
                    "écrivez une liste entre crochets : [\"a\", \"b\"]",
                    "write a list in brackets: [\"a\", \"b\"]",
                ),
            );
            return None;
        };
        Some(
            items
                .iter()
                .filter_map(|i| self.as_string(i, key).map(|s| Spanned::new(i.span(), s)))
                .collect(),
        )
    }

    /// The tables of an array of tables (`[[step]]`), or an inline list of tables.
    pub fn tables<'t, 'i>(
        &mut self,
        t: &mut Tbl<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Vec<Tbl<'t, 'i>> {
        let Some(v) = self.take(t, key, required) else {
            return vec![];
        };
        let DeValue::Array(items) = v.get_ref() else {
            self.error_hint(
                &v.span(),
                Msg::new(
                    format!("« {key} » doit être une liste de tables"),
                    format!("\"{key}\" must be a list of tables"),
                ),
                Msg::new(
                    format!("écrivez chaque élément sous un titre [[…{key}]]"),
                    format!("write each entry under a [[…{key}]] header"),
                ),
            );
            return vec![];
        };
        items.iter().filter_map(|i| self.table(i, key)).collect()
    }

    /// A visitor-facing text `{ fr, en, facile }`. Missing `en` or `facile` is a warning.
    pub fn text(&mut self, t: &mut Tbl<'_, '_>, key: &str, required: bool) -> Option<Text> {
        let v = self.take(t, key, required)?;
        if !matches!(v.get_ref(), DeValue::Table(_)) {
            let fr = match v.get_ref() {
                DeValue::String(s) => s.to_string(),
                _ => "…".to_owned(),
            };
            self.error_hint(
                &v.span(),
                Msg::new(
                    format!(
                        "« {key} » doit donner les variantes fr, en et facile, pas {}",
                        kind_fr(v.get_ref())
                    ),
                    format!("\"{key}\" must give the fr, en and facile variants"),
                ),
                Msg::new(
                    format!("écrivez {key} = {{ fr = \"{fr}\", en = \"…\", facile = \"…\" }}"),
                    format!("write {key} = {{ fr = \"{fr}\", en = \"…\", facile = \"…\" }}"),
                ),
            );
            return None;
        }
        let mut tb = self.table(v, key)?;
        let fr = self.string(&mut tb, "fr", false);
        let en = self.string(&mut tb, "en", false);
        let facile = self.string(&mut tb, "facile", false);
        let span = tb.span.clone();
        self.finish(tb, &["fr", "en", "facile"]);
        let fr = match fr {
            Some(fr) if !fr.get_ref().trim().is_empty() => fr.into_inner(),
            _ => {
                self.error_hint(
                    &span,
                    Msg::new(
                        format!("« {key} » n'a pas de texte en français (fr)"),
                        format!("\"{key}\" has no French text (fr)"),
                    ),
                    Msg::new(
                        "ajoutez fr = \"…\" : le français est obligatoire",
                        "add fr = \"…\": French is required",
                    ),
                );
                return None;
            }
        };
        let mut missing = |variant: &str, s: &Option<Spanned<String>>, en: &str| {
            if s.as_ref().is_none_or(|s| s.get_ref().trim().is_empty()) {
                self.warning(
                    &span,
                    Msg::new(
                        format!("« {key} » n'a pas de variante « {variant} »"),
                        format!("\"{key}\" has no \"{variant}\" variant ({en})"),
                    ),
                    Some(Msg::new(
                        format!(
                            "ajoutez {variant} = \"…\" ; en attendant, la borne montre le français"
                        ),
                        format!("add {variant} = \"…\"; meanwhile the station shows French"),
                    )),
                );
            }
        };
        missing("en", &en, "English");
        missing("facile", &facile, "easy French");
        let keep = |s: Option<Spanned<String>>| {
            s.map(Spanned::into_inner).filter(|s| !s.trim().is_empty())
        };
        Some(Text {
            fr,
            en: keep(en),
            facile: keep(facile),
        })
    }

    /// A proper name `{ fr, en }`.
    pub fn name(&mut self, v: &Val<'_>, key: &str) -> Option<Name> {
        let mut tb = self.table(v, key)?;
        let fr = self.string(&mut tb, "fr", true);
        let en = self.string(&mut tb, "en", false);
        let span = tb.span.clone();
        self.finish(tb, &["fr", "en"]);
        if en.is_none() {
            self.warning(
                &span,
                Msg::new(
                    format!("« {key} » n'a pas de nom en anglais (en)"),
                    format!("\"{key}\" has no English name (en)"),
                ),
                None,
            );
        }
        Some(Name {
            fr: fr?.into_inner(),
            en: en.map(Spanned::into_inner),
        })
    }
}

/// Where the word (letters, digits, `-`, `_`) around a byte offset of `text` is.
fn word_at(text: &str, at: usize) -> Range<usize> {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let start = text[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = text[start..]
        .char_indices()
        .find(|(_, c)| !is_word(*c))
        .map_or(text.len(), |(i, _)| start + i);
    start..end
}

fn parse_int(s: &str, radix: u32) -> Option<i64> {
    let clean: String = s.chars().filter(|c| *c != '_').collect();
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b.to_owned()),
        None => (false, clean.trim_start_matches('+').to_owned()),
    };
    let body = body
        .trim_start_matches("0x")
        .trim_start_matches("0o")
        .trim_start_matches("0b");
    let n = i64::from_str_radix(body, radix).ok()?;
    Some(if neg { -n } else { n })
}

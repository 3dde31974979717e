//! Diagnostics for facilitators: file:line:col, the offending line with a caret, and a
//! hint in plain French (or English).

use crate::domain::text::Lang;
use std::fmt::Write as _;
use std::ops::Range;
use std::path::{Path, PathBuf};

/// How serious a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The file cannot be used as it is.
    Error,
    /// Usable, but something should be done (translation, narration, sign-off…).
    Warning,
}

/// A message in French and English.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Msg {
    /// French.
    pub fr: String,
    /// English.
    pub en: String,
}

impl Msg {
    /// A message from its two languages.
    pub fn new(fr: impl Into<String>, en: impl Into<String>) -> Msg {
        Msg {
            fr: fr.into(),
            en: en.into(),
        }
    }

    /// The message in the asked language.
    pub fn get(&self, lang: Lang) -> &str {
        lang.pick(&self.fr, &self.en)
    }
}

/// One finding about a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file.
    pub file: PathBuf,
    /// Byte range in the file as read from disk, if the finding has a place.
    pub span: Option<Range<usize>>,
    /// What is wrong.
    pub msg: Msg,
    /// What to do.
    pub hint: Option<Msg>,
}

impl Diagnostic {
    /// An error.
    pub fn error(file: &Path, span: Option<Range<usize>>, msg: Msg) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            file: file.to_owned(),
            span,
            msg,
            hint: None,
        }
    }

    /// A warning.
    pub fn warning(file: &Path, span: Option<Range<usize>>, msg: Msg) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            file: file.to_owned(),
            span,
            msg,
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: Msg) -> Diagnostic {
        self.hint = Some(hint);
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// 1-based line and column (in characters) of the span's start within `bytes`.
    pub fn line_col(&self, bytes: &[u8]) -> Option<(usize, usize)> {
        self.span.as_ref().map(|s| line_col(bytes, s.start))
    }

    /// Renders the finding like a compiler would. `bytes` is the file's content, if known.
    pub fn render(&self, bytes: Option<&[u8]>, lang: Lang) -> String {
        let label = match (self.severity, lang) {
            (Severity::Error, Lang::Fr) => "erreur",
            (Severity::Error, Lang::En) => "error",
            (Severity::Warning, Lang::Fr) => "avertissement",
            (Severity::Warning, Lang::En) => "warning",
        };
        let mut out = format!("{label}: {}\n", self.msg.get(lang));
        let file = self.file.display();
        match (bytes, &self.span) {
            (Some(b), Some(span)) => {
                let (line, col) = line_col(b, span.start);
                let _ = writeln!(out, "  --> {file}:{line}:{col}");
                let text = line_text(b, line);
                let width = span_width(b, span, &text, col);
                let gutter = line.to_string().len();
                let _ = writeln!(out, "{:gutter$} |", "");
                let _ = writeln!(out, "{line} | {text}");
                let _ = writeln!(
                    out,
                    "{:gutter$} | {}{}",
                    "",
                    " ".repeat(col - 1),
                    "^".repeat(width)
                );
            }
            _ => {
                let _ = writeln!(out, "  --> {file}");
            }
        }
        if let Some(h) = &self.hint {
            let word = lang.pick("aide :", "hint:");
            let _ = writeln!(out, "   = {word} {}", h.get(lang));
        }
        out
    }
}

/// 1-based line and character column of a byte offset; clamped to the file.
pub fn line_col(bytes: &[u8], offset: usize) -> (usize, usize) {
    let offset = offset.min(bytes.len());
    let before = &bytes[..offset];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[start..])
        .trim_start_matches('\u{feff}')
        .chars()
        .count()
        + 1;
    (line, col)
}

fn line_text(bytes: &[u8], line: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    text.split('\n')
        .nth(line - 1)
        .unwrap_or("")
        .trim_end_matches('\r')
        .trim_start_matches('\u{feff}')
        .replace('\t', " ")
}

fn span_width(bytes: &[u8], span: &Range<usize>, line: &str, col: usize) -> usize {
    let end = span.end.min(bytes.len()).max(span.start.min(bytes.len()));
    let chunk = String::from_utf8_lossy(&bytes[span.start.min(bytes.len())..end]);
    let first = chunk
        .split('\n')
        .next()
        .unwrap_or("")
        .trim_end_matches('\r');
    let room = line.chars().count().saturating_sub(col - 1).max(1);
    first.chars().count().clamp(1, room)
}

/// A list of findings, with helpers to add them.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// The findings, in the order found.
    pub diags: Vec<Diagnostic>,
}

impl Report {
    /// Adds a finding.
    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    /// Number of errors.
    pub fn errors(&self) -> usize {
        self.diags.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warnings(&self) -> usize {
        self.diags.len() - self.errors()
    }
}

/// The closest candidate to a misspelt word, if one is close enough to suggest.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let plain = fold(word);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&plain, &fold(c)), c))
        .filter(|(d, c)| {
            *d <= (c.chars().count() / 3).max(1) + usize::from(plain != word.to_lowercase())
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Lowercase without French accents, so `créer` suggests `creer`.
pub fn fold(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            '_' | ' ' => '-',
            c => c,
        })
        .collect()
}

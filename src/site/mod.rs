//! The take-home results page: one static `index.html` (HTML, CSS and plain JS inlined,
//! no framework, no build step) that decodes a visitor pass from the URL fragment.
//!
//! Every catalogue ever published to a folder is kept there as
//! `catalogues/<fingerprint>.json` and inlined into the page, so a pass made with an older
//! catalogue still shows its trades. Tours are kept the same way in `tours/<id>.json`, so
//! a pass from an earlier stop still finds that stop's contacts.
//!
//! The page holds no key: it cannot tell a forged pass from a real one, and never refuses
//! a pass because of its age. Authenticity is the stations' business.

pub mod texts;

use crate::domain::catalogue::{Catalogue, RomeCode, Trade};
use crate::domain::config::{Situation, Tour};
use crate::domain::dimension::Area;
use crate::domain::pass;
use crate::domain::scoring::{DimScore, FLAT_SPREAD, MIN_EVIDENCE, Profile, Reading};
use crate::domain::skills::{Skill, SkillSet};
use crate::domain::text::{Lang, Name, Text, Variant, escape_markup, printable, template_marker};
use crate::domain::wording;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the archive files; a newer one is refused rather than misread.
pub const ARCHIVE_FORMAT: u32 = 1;
/// Folder of the catalogue archive, inside the output folder.
pub const CATALOGUES_DIR: &str = "catalogues";
/// Folder of the tour archive, inside the output folder.
pub const TOURS_DIR: &str = "tours";
const PAGE: &str = include_str!("page.html");
const STYLE: &str = include_str!("page.css");
const SCRIPT: &str = include_str!("page.js");

/// The page's Content-Security-Policy: nothing may be loaded from anywhere, and only the
/// page's own script and style run, pinned by their SHA-256 (no `'unsafe-inline'`).
pub fn csp() -> String {
    format!(
        "default-src 'none'; script-src '{}'; style-src '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        csp_hash(SCRIPT),
        csp_hash(STYLE)
    )
}

/// A CSP source for an inline block: `sha256-` and the base64 of its SHA-256.
pub fn csp_hash(block: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    let digest = sha2::Sha256::digest(block.as_bytes());
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// One trade as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TradeEntry {
    /// Our id.
    pub id: String,
    /// ROME fiche code.
    pub rome: String,
    /// Title.
    pub name: Name,
    /// Our description.
    pub description: Text,
    /// School routes.
    pub school: Vec<Name>,
    /// Adult routes.
    pub adult: Vec<Name>,
}

/// A published catalogue: what a pass's indices need, frozen at publication.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CatalogueSnapshot {
    /// [`ARCHIVE_FORMAT`].
    pub format: u32,
    /// `Catalogue::fingerprint`, 8 lowercase hex digits.
    pub fingerprint: String,
    /// The trades, in catalogue order.
    pub trades: Vec<TradeEntry>,
    /// The savoir-être names, in skill-set order.
    pub skills: Vec<Text>,
}

impl CatalogueSnapshot {
    /// The snapshot of a catalogue and its skill set.
    pub fn of(catalogue: &Catalogue, skills: &SkillSet) -> CatalogueSnapshot {
        CatalogueSnapshot {
            format: ARCHIVE_FORMAT,
            fingerprint: hex8(catalogue.fingerprint()),
            trades: catalogue
                .trades
                .iter()
                .map(|t| TradeEntry {
                    id: t.id.clone(),
                    rome: t.rome.as_str().to_owned(),
                    name: t.name.clone(),
                    description: t.description.clone(),
                    school: t.school.clone(),
                    adult: t.adult.clone(),
                })
                .collect(),
            skills: skills.skills.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// The fingerprint its trades actually have, computed as the catalogue does.
    pub fn computed_fingerprint(&self) -> Option<String> {
        let trades = self
            .trades
            .iter()
            .map(|t| {
                Some(Trade {
                    id: t.id.clone(),
                    rome: RomeCode::parse(&t.rome)?,
                    name: t.name.clone(),
                    major: Area::Faire,
                    minor: None,
                    savoir_etre: vec![],
                    description: t.description.clone(),
                    school: vec![],
                    adult: vec![],
                    immersion: None,
                    reviewed_by: String::new(),
                })
            })
            .collect::<Option<Vec<_>>>()?;
        Some(hex8(Catalogue { trades }.fingerprint()))
    }
}

/// A contact as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContactEntry {
    /// `cio`, `mission_locale`, `france_travail` or `cep`.
    pub kind: String,
    /// Its name.
    pub name: Name,
    /// How to reach it, as written.
    pub reach: String,
    /// A link, when `reach` is a web address.
    pub href: Option<String>,
    /// An example to replace.
    pub example: bool,
}

/// An immersion offer as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OfferEntry {
    /// `stage` or `pmsmp`.
    pub kind: String,
    /// The trade id it is about.
    pub trade: Option<String>,
    /// What it is.
    pub text: Name,
    /// The contact kind that arranges it.
    pub via: String,
    /// An example to replace.
    pub example: bool,
}

/// A tour stop as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StopEntry {
    /// Stop id.
    pub id: String,
    /// `pass::stop_code` of the id: what passes carry.
    pub code: u16,
    /// Town.
    pub town: String,
    /// First day.
    pub from: String,
    /// Last day.
    pub to: String,
    /// Contacts near the stop.
    pub contacts: Vec<ContactEntry>,
    /// Immersion offers near the stop.
    pub offers: Vec<OfferEntry>,
}

/// A published tour.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TourSnapshot {
    /// [`ARCHIVE_FORMAT`].
    pub format: u32,
    /// Tour id.
    pub id: String,
    /// Its stops.
    pub stops: Vec<StopEntry>,
}

impl TourSnapshot {
    /// The snapshot of a tour.
    pub fn of(tour: &Tour) -> TourSnapshot {
        TourSnapshot {
            format: ARCHIVE_FORMAT,
            id: tour.id.clone(),
            stops: tour
                .stops
                .iter()
                .map(|s| StopEntry {
                    id: s.id.clone(),
                    code: pass::stop_code(&s.id),
                    town: s.town.clone(),
                    from: s.from.clone(),
                    to: s.to.clone(),
                    contacts: s
                        .contacts
                        .iter()
                        .map(|c| ContactEntry {
                            kind: c.kind.clone(),
                            name: c.name.clone(),
                            reach: c.reach.clone(),
                            href: web_link(&c.reach),
                            example: c.example,
                        })
                        .collect(),
                    offers: s
                        .offers
                        .iter()
                        .map(|o| OfferEntry {
                            kind: o.kind.clone(),
                            trade: o.trade.clone(),
                            text: o.text.clone(),
                            via: o.via.clone(),
                            example: o.example,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The link a contact's `reach` becomes, if any. Only `https:` web addresses and `tel:`
/// numbers do: nothing a browser would run, nothing sent in clear.
pub fn web_link(reach: &str) -> Option<String> {
    let r = reach.trim();
    if let Some(number) = r.strip_prefix("tel:") {
        let digits = number.bytes().filter(u8::is_ascii_digit).count();
        let ok =
            digits >= 2
                && number.trim_start().bytes().enumerate().all(|(i, b)| {
                    b.is_ascii_digit() || b" .-".contains(&b) || (i == 0 && b == b'+')
                });
        return ok.then(|| {
            let kept: String = number
                .chars()
                .filter(|c| *c == '+' || c.is_ascii_digit())
                .collect();
            format!("tel:{kept}")
        });
    }
    let ok = r.starts_with("https://")
        && r.len() > 8
        && !r.chars().any(|c| c.is_whitespace() || c.is_control());
    ok.then(|| r.to_owned())
}

/// Fingerprints as the page keys them.
pub fn hex8(fingerprint: u32) -> String {
    format!("{fingerprint:08x}")
}

/// Why a build failed; shown in French unless [`SiteError::message`] is asked for English.
#[derive(Debug, thiserror::Error)]
#[error("{}", self.message(Lang::Fr))]
pub enum SiteError {
    /// A file or folder could not be read or written.
    Io {
        /// Which.
        path: PathBuf,
        /// The system's reason.
        error: std::io::Error,
    },
    /// An archive file is not one this version reads; publishing would lose it.
    BadArchive {
        /// Which.
        path: PathBuf,
        /// Why, in French.
        fr: String,
        /// Why, in English.
        en: String,
    },
}

impl SiteError {
    /// The message, in English or French.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            SiteError::Io { path, error } if lang == Lang::En => {
                format!("{}: cannot read or write: {error}", path.display())
            }
            SiteError::Io { path, error } => {
                format!(
                    "{} : lecture ou écriture impossible : {error}",
                    path.display()
                )
            }
            SiteError::BadArchive { path, en: why, .. } if lang == Lang::En => format!(
                "{}: {why}. Every catalogue and tour ever published must stay readable, so the page was not written: restore the file from a backup, or move it out of the folder if klub never published it.",
                path.display()
            ),
            SiteError::BadArchive { path, fr: why, .. } => format!(
                "{} : {why}. Chaque catalogue et chaque tournée publiés doivent rester lisibles, donc la page n'a pas été écrite : restaurez ce fichier depuis une sauvegarde, ou sortez-le du dossier si klub ne l'a jamais publié.",
                path.display()
            ),
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SiteError + '_ {
    move |error| SiteError::Io {
        path: path.to_owned(),
        error,
    }
}

/// What a build wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Built {
    /// The page.
    pub index: PathBuf,
    /// Its size in bytes.
    pub bytes: usize,
    /// The current catalogue's fingerprint.
    pub current: String,
    /// Every catalogue fingerprint the page knows, sorted.
    pub catalogues: Vec<String>,
    /// Stops the page knows, current tour first.
    pub stops: usize,
    /// Contacts and offers marked as examples in the current tour.
    pub examples: usize,
}

/// Largest archived catalogue or tour read back.
const MAX_ARCHIVE_FILE: u64 = 16 << 20;

/// Reads every `*.json` of an archive folder, sorted by file name.
fn read_archive<T: for<'de> Deserialize<'de>>(dir: &Path) -> Result<Vec<(PathBuf, T)>, SiteError> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(vec![]),
        Err(e) => return Err(io(dir)(e)),
    };
    let mut files: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut out = vec![];
    for f in files {
        // A link, a pipe or a huge file in the published folder is not read.
        let bytes =
            crate::fsio::read_regular(&f, MAX_ARCHIVE_FILE).map_err(|e| SiteError::BadArchive {
                path: f.clone(),
                fr: e.fr(),
                en: e.en(),
            })?;
        let format = serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|v| v.get("format").and_then(serde_json::Value::as_u64));
        match format {
            Some(n) if n > u64::from(ARCHIVE_FORMAT) => {
                return Err(SiteError::BadArchive {
                    path: f,
                    fr: format!(
                        "archive au format {n}, plus récent que celui que ce klub lit ({ARCHIVE_FORMAT}) : mettez klub à jour"
                    ),
                    en: format!(
                        "archive in format {n}, newer than this klub reads ({ARCHIVE_FORMAT}): update klub"
                    ),
                });
            }
            _ => {}
        }
        match serde_json::from_slice::<T>(&bytes) {
            Ok(v) => out.push((f, v)),
            Err(e) => {
                return Err(SiteError::BadArchive {
                    path: f,
                    fr: format!("fichier d'archive illisible ({e})"),
                    en: format!("unreadable archive file ({e})"),
                });
            }
        }
    }
    Ok(out)
}

/// Checks an archived tour as the current one is checked when read: its stop codes, its
/// texts, and its links, which must be the ones [`web_link`] makes (`https:` or `tel:`).
fn check_tour_archive(t: &TourSnapshot) -> Result<(), (String, String)> {
    let mut texts: Vec<&str> = vec![&t.id];
    for s in &t.stops {
        if s.code != pass::stop_code(&s.id) {
            return Err((
                format!(
                    "l'étape « {} » a le code {} au lieu de {}",
                    printable(&s.id),
                    s.code,
                    pass::stop_code(&s.id)
                ),
                format!(
                    "stop \"{}\" has code {} instead of {}",
                    printable(&s.id),
                    s.code,
                    pass::stop_code(&s.id)
                ),
            ));
        }
        texts.extend([&s.id, &s.town, &s.from, &s.to].map(String::as_str));
        for c in &s.contacts {
            if let Some(href) = &c.href
                && web_link(&c.reach).as_ref() != Some(href)
            {
                let href = printable(href);
                return Err((
                    format!(
                        "lien refusé « {href} » à l'étape « {} » : seuls les liens https:// et tel: sont permis, tels que klub les écrit",
                        printable(&s.id)
                    ),
                    format!(
                        "link \"{href}\" refused at stop \"{}\": only https:// and tel: links are allowed, as klub writes them",
                        printable(&s.id)
                    ),
                ));
            }
            texts.extend([&c.kind, &c.reach, &c.name.fr].map(String::as_str));
            texts.extend(c.name.en.as_deref());
        }
        for o in &s.offers {
            texts.extend([&o.kind, &o.via, &o.text.fr].map(String::as_str));
            texts.extend(o.text.en.as_deref());
            texts.extend(o.trade.as_deref());
        }
    }
    for text in texts {
        if let Some(m) = template_marker(text) {
            let marker = &text[m];
            return Err((
                format!(
                    "le texte « {} » contient « {marker} », réservé à la page",
                    printable(text)
                ),
                format!(
                    "text \"{}\" holds \"{marker}\", reserved for the page",
                    printable(text)
                ),
            ));
        }
        if text.chars().any(char::is_control) {
            return Err((
                format!(
                    "le texte « {} » contient des caractères de contrôle",
                    printable(text)
                ),
                format!("text \"{}\" holds control characters", printable(text)),
            ));
        }
    }
    Ok(())
}

/// Writes a file through a temporary name, so a crash never leaves half a page online and
/// a planted link is never followed.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), SiteError> {
    crate::fsio::write_atomic(path, bytes).map_err(io(path))
}

fn pretty<T: Serialize>(v: &T) -> Vec<u8> {
    let mut s = serde_json::to_vec_pretty(v).unwrap_or_default();
    s.push(b'\n');
    s
}

/// Publishes the page into `dir`: archives the catalogue (and the tour, if any), then
/// writes `index.html` with every archived catalogue and tour inlined.
pub fn build(
    dir: &Path,
    catalogue: &Catalogue,
    skills: &SkillSet,
    tour: Option<&Tour>,
) -> Result<Built, SiteError> {
    let cat_dir = dir.join(CATALOGUES_DIR);
    let tour_dir = dir.join(TOURS_DIR);
    std::fs::create_dir_all(&cat_dir).map_err(io(&cat_dir))?;

    // Read and check the archive before writing anything.
    let mut catalogues: BTreeMap<String, CatalogueSnapshot> = BTreeMap::new();
    for (path, snap) in read_archive::<CatalogueSnapshot>(&cat_dir)? {
        let computed = snap.computed_fingerprint();
        let named = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        if computed.as_deref() != Some(snap.fingerprint.as_str()) || named != snap.fingerprint {
            return Err(SiteError::BadArchive {
                path,
                fr: "l'empreinte du catalogue ne correspond pas à ses métiers ou au nom du fichier (fichier modifié à la main ?)".into(),
                en: "the catalogue's fingerprint does not match its trades or the file name (edited by hand?)".into(),
            });
        }
        catalogues.insert(snap.fingerprint.clone(), snap);
    }
    let mut tours: Vec<TourSnapshot> = vec![];
    for (path, snap) in read_archive::<TourSnapshot>(&tour_dir)? {
        check_tour_archive(&snap).map_err(|(fr, en)| SiteError::BadArchive {
            path: path.clone(),
            fr,
            en,
        })?;
        tours.push(snap);
    }

    let current = CatalogueSnapshot::of(catalogue, skills);
    let cat_file = cat_dir.join(format!("{}.json", current.fingerprint));
    write_atomic(&cat_file, &pretty(&current))?;
    catalogues.insert(current.fingerprint.clone(), current.clone());

    let mut examples = 0;
    if let Some(t) = tour {
        let snap = TourSnapshot::of(t);
        examples = snap
            .stops
            .iter()
            .map(|s| {
                s.contacts.iter().filter(|c| c.example).count()
                    + s.offers.iter().filter(|o| o.example).count()
            })
            .sum();
        std::fs::create_dir_all(&tour_dir).map_err(io(&tour_dir))?;
        let name = if snap.id.is_empty() { "tour" } else { &snap.id };
        write_atomic(&tour_dir.join(format!("{name}.json")), &pretty(&snap))?;
        tours.retain(|x| x.id != snap.id);
        tours.insert(0, snap);
    }
    // Current tour first, so its stops win a code shared with an older tour.
    let mut stops: BTreeMap<u16, StopEntry> = BTreeMap::new();
    for t in &tours {
        for s in &t.stops {
            stops.entry(s.code).or_insert_with(|| s.clone());
        }
    }

    let html = render(&current.fingerprint, &catalogues, &stops);
    let index = dir.join("index.html");
    write_atomic(&index, html.as_bytes())?;
    Ok(Built {
        index,
        bytes: html.len(),
        current: current.fingerprint,
        catalogues: catalogues.keys().cloned().collect(),
        stops: stops.len(),
        examples,
    })
}

/// The key of a reading, as the page script computes it: area indices of each group in
/// RIASEC order, groups separated by `|`; `few` and `flat` for the other readings.
pub fn reading_key(reading: &Reading) -> String {
    match reading {
        Reading::TooFewAnswers => "few".into(),
        Reading::NoClearPreference => "flat".into(),
        Reading::Strengths(groups) => groups
            .iter()
            .map(|g| g.iter().map(|a| a.index().to_string()).collect::<String>())
            .collect::<Vec<_>>()
            .join("|"),
    }
}

/// `wording::strengths` for every reading a profile can give, keyed by [`reading_key`].
/// The page looks its sentence up here, so it says exactly what the stations say.
pub fn strengths_table() -> BTreeMap<String, Text> {
    let profile = |scores: [u8; 6]| Profile {
        areas: scores.map(|score| DimScore { score, evidence: 2 }),
        skills: vec![],
    };
    let mut candidates: Vec<Profile> = vec![Profile::default()];
    for set in 1u8..64 {
        let members =
            |hi: u8, lo: u8| std::array::from_fn(|i| if set >> i & 1 == 1 { hi } else { lo });
        // One tied group alone.
        candidates.push(profile(members(80, 20)));
        // One area first, then this set second.
        for first in 0..6 {
            if set >> first & 1 == 1 {
                continue;
            }
            let mut s: [u8; 6] = members(60, 20);
            s[first] = 90;
            candidates.push(profile(s));
        }
    }
    let mut table = BTreeMap::new();
    for p in candidates {
        table
            .entry(reading_key(&p.reading()))
            .or_insert_with(|| wording::strengths(&p));
    }
    table
}

/// `wording::put_forward` with one, two and three skills, names left as `{0}`, `{1}`,
/// `{2}` for the page to fill in. Index 0 is empty.
pub fn put_forward_templates() -> Vec<Option<Text>> {
    let placeholders = SkillSet {
        skills: (0..pass::TOP)
            .map(|i| Skill {
                id: format!("s{i}"),
                code: String::new(),
                ogr: String::new(),
                name: Text::new(
                    &format!("{{{i}}}"),
                    &format!("{{{i}}}"),
                    &format!("{{{i}}}"),
                ),
            })
            .collect(),
    };
    (0..=pass::TOP)
        .map(|n| {
            let profile = Profile {
                areas: [DimScore::default(); 6],
                skills: (0..pass::TOP)
                    .map(|i| DimScore {
                        score: if i < n { 90 - 10 * i as u8 } else { 0 },
                        evidence: 1,
                    })
                    .collect(),
            };
            wording::put_forward(&profile, &placeholders, pass::TOP)
        })
        .collect()
}

/// Everything the page script reads, inlined as JSON.
#[derive(Serialize)]
struct PageData<'a> {
    format: PassFormat,
    situations: Vec<&'static str>,
    pupil: Vec<&'static str>,
    reading: ReadingRules,
    current: &'a str,
    catalogues: &'a BTreeMap<String, CatalogueSnapshot>,
    stops: BTreeMap<String, &'a StopEntry>,
    heading: Text,
    strengths: BTreeMap<String, Text>,
    put_forward: Vec<Option<Text>>,
    areas: Vec<Text>,
    texts: BTreeMap<&'static str, Text>,
}

/// The constants of pass format v1 the page decodes with (layout: `domain::pass`).
#[derive(Serialize)]
struct PassFormat {
    magic: u8,
    version: u8,
    fixed: usize,
    tag_len: usize,
    min_len: usize,
    max_len: usize,
    max_stations: usize,
    max_explored: usize,
    top: usize,
}

#[derive(Serialize)]
struct ReadingRules {
    min_evidence: u16,
    flat_spread: u8,
}

/// The page for the given catalogues and stops.
fn render(
    current: &str,
    catalogues: &BTreeMap<String, CatalogueSnapshot>,
    stops: &BTreeMap<u16, StopEntry>,
) -> String {
    let data = PageData {
        format: PassFormat {
            magic: 0xA0,
            version: pass::VERSION,
            fixed: pass::MIN_LEN - pass::TAG_LEN,
            tag_len: pass::TAG_LEN,
            min_len: pass::MIN_LEN,
            max_len: pass::MAX_LEN,
            max_stations: pass::MAX_STATIONS,
            max_explored: pass::MAX_EXPLORED,
            top: pass::TOP,
        },
        situations: Situation::ALL.iter().map(|s| s.id()).collect(),
        pupil: Situation::ALL
            .iter()
            .filter(|s| s.is_pupil())
            .map(|s| s.id())
            .collect(),
        reading: ReadingRules {
            min_evidence: MIN_EVIDENCE,
            flat_spread: FLAT_SPREAD,
        },
        current,
        catalogues,
        stops: stops.iter().map(|(k, v)| (k.to_string(), v)).collect(),
        heading: wording::heading(),
        strengths: strengths_table(),
        put_forward: put_forward_templates(),
        areas: Area::ALL.iter().map(|a| a.verb()).collect(),
        texts: texts::all().into_iter().collect(),
    };
    // `<` escaped so no text can close the data block.
    let json = serde_json::to_string(&data)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c");
    let heading = wording::heading();
    let t = texts::all();
    let text = |k: &str| {
        t.iter()
            .find(|(key, _)| *key == k)
            .map_or(String::new(), |(_, v)| escape_markup(&v.fr))
    };
    let values: BTreeMap<&str, String> = [
        ("CSP", csp()),
        ("STYLE", STYLE.to_owned()),
        ("HEADING", escape_markup(heading.get(Variant::Fr))),
        ("BRAND", text("brand")),
        ("LANG_NAV", text("lang_nav")),
        ("PRINT", text("print")),
        ("WELCOME_TITLE", text("err_empty_title")),
        ("WELCOME", text("err_empty")),
        ("FAIL_TITLE", text("err_title")),
        ("FAIL", text("err_unexpected")),
        ("PRIVACY_TITLE", text("privacy_title")),
        ("PRIVACY", text("privacy")),
        ("DATA", json),
        ("SCRIPT", SCRIPT.to_owned()),
    ]
    .into_iter()
    .collect();
    fill(PAGE, &values)
}

/// Fills a template's `{{NAME}}` markers in one pass over the template: what is put in is
/// never read again, so a text holding a marker stays text.
fn fill(template: &str, values: &BTreeMap<&str, String>) -> String {
    let mut out =
        String::with_capacity(template.len() + values.values().map(String::len).sum::<usize>());
    let mut rest = template;
    while let Some(m) = template_marker(rest) {
        out.push_str(&rest[..m.start]);
        let name = &rest[m.start + 2..m.end - 2];
        match values.get(name) {
            Some(v) => out.push_str(v),
            None => out.push_str(&rest[m.clone()]),
        }
        rest = &rest[m.end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strengths_table_covers_every_reading_the_rules_give() {
        let table = strengths_table();
        assert!(table.contains_key("few") && table.contains_key("flat"));
        // Ties of two to five areas, single areas, and single-then-one-or-two.
        assert!(table.contains_key("01"));
        assert!(table.contains_key("3"));
        assert!(table.contains_key("3|05"));
        assert_eq!(
            table["3|05"],
            wording::strengths(&Profile {
                areas: [60, 20, 20, 90, 20, 60].map(|score| DimScore { score, evidence: 1 }),
                skills: vec![],
            })
        );
        // 57 tie groups (2–6 areas, the six-way one reads as flat) + 6 alone + 6×(5+10).
        assert_eq!(table.len(), 2 + (57 - 1) + 6 + 6 * 15);
    }

    #[test]
    fn put_forward_templates_have_placeholders() {
        let t = put_forward_templates();
        assert!(t[0].is_none());
        let three = t[3].as_ref().map(|x| x.fr.clone()).unwrap_or_default();
        assert!(three.contains("{0}") && three.contains("{1}") && three.contains("{2}"));
        assert!(three.starts_with("Ce que tu as mis en avant"));
    }

    #[test]
    fn only_web_addresses_become_links() {
        assert_eq!(
            web_link("https://example.org/x"),
            Some("https://example.org/x".into())
        );
        assert_eq!(web_link("javascript:alert(1)"), None);
        assert_eq!(web_link("http://example.org/x"), None);
        assert_eq!(web_link("data:text/html,x"), None);
        assert_eq!(
            web_link("tel:+33 2 37-00.00 00"),
            Some("tel:+33237000000".into())
        );
        assert_eq!(web_link("tel:javascript:x"), None);
        assert_eq!(web_link("tel:"), None);
        assert_eq!(web_link("à compléter par l'organisateur"), None);
        assert_eq!(web_link("https://a b"), None);
    }

    #[test]
    fn data_block_cannot_be_closed_by_a_text() {
        let skills = SkillSet::default();
        let mut c = Catalogue::default();
        c.trades.push(Trade {
            id: "x".into(),
            rome: RomeCode::parse("H2913").expect("valid"),
            name: Name {
                fr: "</script><b>".into(),
                en: None,
            },
            major: Area::Faire,
            minor: None,
            savoir_etre: vec![],
            description: Text::default(),
            school: vec![],
            adult: vec![],
            immersion: None,
            reviewed_by: String::new(),
        });
        let snap = CatalogueSnapshot::of(&c, &skills);
        let mut cats = BTreeMap::new();
        cats.insert(snap.fingerprint.clone(), snap);
        let html = render("x", &cats, &BTreeMap::new());
        assert_eq!(
            html.matches("</script>").count(),
            2,
            "only the data and code blocks close"
        );
    }

    #[test]
    fn every_marker_of_the_template_is_filled_once() {
        let html = render("x", &BTreeMap::new(), &BTreeMap::new());
        assert_eq!(template_marker(&html), None, "a marker left unfilled");
        assert_eq!(html.matches(SCRIPT).count(), 1);
        assert_eq!(html.matches(STYLE).count(), 1);
        let mut values = BTreeMap::new();
        values.insert("A", "{{B}}".to_owned());
        values.insert("B", "b".to_owned());
        assert_eq!(fill("{{A}}-{{B}}-{{C}}{", &values), "{{B}}-b-{{C}}{");
    }
}

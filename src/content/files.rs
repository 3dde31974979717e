//! Reads the skill list, the trade catalogue, station configs and tour files.

use crate::content::diag::{Msg, did_you_mean};
use crate::content::reader::{Reader, Tbl};
use crate::domain::catalogue::{Catalogue, RomeCode, Trade};
use crate::domain::config::{Contact, Offer, ScannerLayout, StationConfig, Stop, Tour};
use crate::domain::dimension::Area;
use crate::domain::skills::{Skill, SkillSet};
use crate::domain::text::Lang;
use std::ops::Range;
use toml::Spanned;
use toml::de::DeValue;

/// Reads `savoir-etre.toml`.
pub fn read_skills(r: &mut Reader<'_>, root: &mut Tbl<'_, '_>) -> SkillSet {
    read_skills_spanned(r, root).0
}

/// Reads `savoir-etre.toml`, with where each skill's `code` was written (file spans).
pub fn read_skills_spanned(
    r: &mut Reader<'_>,
    root: &mut Tbl<'_, '_>,
) -> (SkillSet, Vec<Range<usize>>) {
    let mut skills = vec![];
    let mut spans = vec![];
    for mut t in r.tables(root, "skill", true) {
        let id = r.id(&mut t, "id", true);
        let code = r.string(&mut t, "code", true);
        let ogr = r.string(&mut t, "ogr", true);
        let name = r.text(&mut t, "name", true);
        r.finish(t, &["id", "code", "ogr", "name"]);
        if let Some(c) = &code
            && !(c.get_ref().len() == 5 && c.get_ref().starts_with("6D"))
        {
            r.error(
                &c.span(),
                Msg::new(
                    format!(
                        "code de savoir-être mal formé « {} » (ex. 6D110)",
                        c.get_ref()
                    ),
                    format!("malformed soft-skill code \"{}\" (e.g. 6D110)", c.get_ref()),
                ),
            );
        }
        if let Some(id) = &id
            && Area::from_id(id.get_ref()).is_some()
        {
            r.error(
                &id.span(),
                Msg::new(
                    "un savoir-être ne peut pas porter le nom d'un domaine",
                    "a soft skill cannot take an area's name",
                ),
            );
        }
        if let (Some(id), Some(code), Some(ogr), Some(name)) = (id, code, ogr, name) {
            if skills.iter().any(|s: &Skill| &s.id == id.get_ref()) {
                r.error(
                    &id.span(),
                    Msg::new(
                        format!("deux savoir-être ont l'id « {} »", id.get_ref()),
                        format!("two soft skills have id \"{}\"", id.get_ref()),
                    ),
                );
                continue;
            }
            spans.push(r.span(&code.span()));
            skills.push(Skill {
                id: id.into_inner(),
                code: code.into_inner(),
                ogr: ogr.into_inner(),
                name,
            });
        }
    }
    r.finish(std::mem::replace(root, Tbl::empty()), &["skill"]);
    (SkillSet { skills }, spans)
}

/// Where each trade's facts were written, for `--rome` checks.
#[derive(Clone, Debug, Default)]
pub struct TradeSpans {
    /// Span of the `rome` value.
    pub rome: Range<usize>,
    /// Span of the `riasec` value.
    pub riasec: Range<usize>,
    /// Span of the `savoir_etre` value.
    pub savoir_etre: Range<usize>,
    /// Span of the `name` value.
    pub name: Range<usize>,
    /// Span of the `immersion` value.
    pub immersion: Option<Range<usize>>,
    /// Span of each `savoir_etre` entry, in the trade's order.
    pub skills: Vec<Range<usize>>,
}

/// The catalogue as read: trades, where their facts were written (file spans), and
/// the ids of trades left out because of errors.
#[derive(Clone, Debug, Default)]
pub struct CatalogueRead {
    /// The trades without errors.
    pub catalogue: Catalogue,
    /// Their places, in the same order.
    pub spans: Vec<TradeSpans>,
    /// Ids of trades written but left out because of errors.
    pub broken: Vec<String>,
}

fn letter(r: &mut Reader<'_>, v: &Spanned<String>, allow_empty: bool) -> Option<Option<Area>> {
    let s = v.get_ref();
    if s.is_empty() && allow_empty {
        return Some(None);
    }
    let mut c = s.chars();
    match (c.next().and_then(Area::from_letter), c.next()) {
        (Some(a), None) => Some(Some(a)),
        _ => {
            r.error_hint(
                &v.span(),
                Msg::new(
                    format!("lettre RIASEC invalide « {s} »"),
                    format!("invalid RIASEC letter \"{s}\""),
                ),
                Msg::new(
                    "une seule lettre parmi R, I, A, S, E, C (minor peut être vide : \"\")",
                    "one letter among R, I, A, S, E, C (minor may be empty: \"\")",
                ),
            );
            None
        }
    }
}

/// Reads `trades.toml`.
pub fn read_catalogue(
    r: &mut Reader<'_>,
    root: &mut Tbl<'_, '_>,
    skills: &SkillSet,
) -> CatalogueRead {
    let mut trades: Vec<Trade> = vec![];
    let mut seen_ids = std::collections::HashSet::new();
    let mut spans = vec![];
    let mut broken = vec![];
    for mut t in r.tables(root, "trade", true) {
        let before = r.report.errors();
        let id = r.id(&mut t, "id", true);
        let rome = r.string(&mut t, "rome", true).and_then(|c| {
            let code = RomeCode::parse(c.get_ref());
            if code.is_none() {
                r.error_hint(
                    &c.span(),
                    Msg::new(
                        format!("code ROME mal formé « {} »", c.get_ref()),
                        format!("malformed ROME code \"{}\"", c.get_ref()),
                    ),
                    Msg::new(
                        "une lettre de A à N puis 4 chiffres, ex. H2913",
                        "a letter from A to N then 4 digits, e.g. H2913",
                    ),
                );
            }
            code.map(|code| (code, c.span()))
        });
        let name_v = r.take(&mut t, "name", true);
        let name = name_v.and_then(|v| r.name(v, "name"));
        let (mut major, mut minor, mut riasec_span) = (None, None, 0..0);
        if let Some(v) = r.take(&mut t, "riasec", true) {
            riasec_span = v.span();
            if let Some(mut rt) = r.table(v, "riasec") {
                major = r
                    .string(&mut rt, "major", true)
                    .and_then(|m| letter(r, &m, false))
                    .flatten();
                minor = r
                    .string(&mut rt, "minor", false)
                    .map_or(Some(None), |m| letter(r, &m, true));
                r.finish(rt, &["major", "minor"]);
            }
        }
        let mut se = vec![];
        let mut se_spans = vec![];
        let mut se_span = t.span.clone();
        if let Some(v) = r.take(&mut t, "savoir_etre", false) {
            se_span = v.span();
            if let DeValue::Array(items) = v.get_ref() {
                for i in items.iter() {
                    let Some(s) = r.as_string(i, "savoir_etre") else {
                        continue;
                    };
                    match skills.index_of(&s) {
                        Some(ix) if se.contains(&ix) => r.error(
                            &i.span(),
                            Msg::new(
                                format!("« {s} » est écrit deux fois"),
                                format!("\"{s}\" is written twice"),
                            ),
                        ),
                        Some(ix) => {
                            se.push(ix);
                            se_spans.push(r.span(&i.span()));
                        }
                        None if r.skills_broken => {}
                        None => {
                            let hint =
                                match did_you_mean(&s, skills.skills.iter().map(|k| k.id.as_str()))
                                {
                                    Some(m) => Msg::new(
                                        format!("vouliez-vous dire « {m} » ?"),
                                        format!("did you mean \"{m}\"?"),
                                    ),
                                    None => Msg::new(
                                        "les savoir-être sont déclarés dans savoir-etre.toml",
                                        "soft skills are declared in savoir-etre.toml",
                                    ),
                                };
                            r.error_hint(
                                &i.span(),
                                Msg::new(
                                    format!("savoir-être inconnu « {s} »"),
                                    format!("unknown soft skill \"{s}\""),
                                ),
                                hint,
                            );
                        }
                    }
                }
            } else {
                r.error(
                    &v.span(),
                    Msg::new(
                        "« savoir_etre » doit être une liste d'ids",
                        "\"savoir_etre\" must be a list of ids",
                    ),
                );
            }
        }
        let description = r.text(&mut t, "description", true);
        let routes = |r: &mut Reader<'_>, t: &mut Tbl<'_, '_>, key: &str| {
            let mut out = vec![];
            if let Some(v) = r.take(t, key, true) {
                match v.get_ref() {
                    DeValue::Array(items) if !items.is_empty() => {
                        out.extend(items.iter().filter_map(|i| r.name(i, key)))
                    }
                    _ => r.error_hint(
                        &v.span(),
                        Msg::new(
                            format!("« {key} » doit lister au moins une voie d'accès"),
                            format!("\"{key}\" must list at least one route"),
                        ),
                        Msg::new(
                            format!("{key} = [ {{ fr = \"CAP …\", en = \"…\" }} ]"),
                            format!("{key} = [ {{ fr = \"CAP …\", en = \"…\" }} ]"),
                        ),
                    ),
                }
            }
            out
        };
        let school = routes(r, &mut t, "school");
        let adult = routes(r, &mut t, "adult");
        let immersion = r.id(&mut t, "immersion", false);
        let reviewed = r.string(&mut t, "reviewed_by", false);
        let span = t.span.clone();
        r.finish(
            t,
            &[
                "id",
                "rome",
                "name",
                "riasec",
                "savoir_etre",
                "description",
                "school",
                "adult",
                "immersion",
                "reviewed_by",
            ],
        );
        if reviewed
            .as_ref()
            .is_none_or(|s| s.get_ref().trim().is_empty())
        {
            let what = id.as_ref().map_or(String::new(), |i| i.get_ref().clone());
            r.warning(
                &(span.start..span.start + 1),
                Msg::new(format!("métier « {what} » pas encore relu : « reviewed_by » est vide"), format!("trade \"{what}\" not yet signed off: \"reviewed_by\" is empty")),
                Some(Msg::new("un conseiller ou une conseillère relit la fiche puis écrit reviewed_by = \"…\"", "a counsellor reviews the entry, then writes reviewed_by = \"…\"")),
            );
        }
        if r.report.errors() > before {
            broken.extend(id.map(Spanned::into_inner));
            continue;
        }
        let (
            Some(id),
            Some((rome, rome_span)),
            Some(name),
            Some(major),
            Some(minor),
            Some(description),
        ) = (id, rome, name, major, minor, description)
        else {
            continue;
        };
        if !seen_ids.insert(id.get_ref().clone()) {
            r.error_hint(
                &id.span(),
                Msg::new(
                    format!("deux métiers ont l'id « {} »", id.get_ref()),
                    format!("two trades have id \"{}\"", id.get_ref()),
                ),
                Msg::new(
                    "changez l'un des deux : chaque métier a son propre id",
                    "rename one of them: each trade has its own id",
                ),
            );
            continue;
        }
        spans.push(TradeSpans {
            rome: r.span(&rome_span),
            riasec: r.span(&riasec_span),
            savoir_etre: r.span(&se_span),
            name: r.span(&name_v.map_or(0..0, |v| v.span())),
            immersion: immersion.as_ref().map(|i| r.span(&i.span())),
            skills: se_spans,
        });
        trades.push(Trade {
            id: id.into_inner(),
            rome,
            name,
            major,
            minor,
            savoir_etre: se,
            description,
            school,
            adult,
            immersion: immersion.map(Spanned::into_inner),
            reviewed_by: reviewed.map(Spanned::into_inner).unwrap_or_default(),
        });
    }
    r.finish(std::mem::replace(root, Tbl::empty()), &["trade"]);
    CatalogueRead {
        catalogue: Catalogue { trades },
        spans,
        broken,
    }
}

/// Whether a parsed document is a tour file (it has `[[stop]]` tables).
pub fn is_tour(root: &Tbl<'_, '_>) -> bool {
    root.entries().any(|(k, v)| {
        k.get_ref().as_ref() as &str == "stop" && matches!(v.get_ref(), DeValue::Array(_))
    })
}

/// Longest `results_base_url` a pass URL may start with (a QR of version 8 at level M).
pub const MAX_BASE_URL: usize = 40;

/// Where a station config's references were written (file spans), for cross-file checks.
#[derive(Clone, Debug, Default)]
pub struct ConfigSpans {
    /// Each enabled scenario id.
    pub scenarios: Vec<Range<usize>>,
    /// The `stop` value.
    pub stop: Option<Range<usize>>,
}

/// Reads a station config. Missing keys keep their defaults.
pub fn read_config(r: &mut Reader<'_>, root: &mut Tbl<'_, '_>) -> StationConfig {
    read_config_spanned(r, root).0
}

/// Reads a station config with the places of its references.
pub fn read_config_spanned(
    r: &mut Reader<'_>,
    root: &mut Tbl<'_, '_>,
) -> (StationConfig, ConfigSpans) {
    let mut c = StationConfig::default();
    let mut spans = ConfigSpans::default();
    if let Some(s) = r.id(root, "station_id", true) {
        c.station_id = s.into_inner();
    }
    if let Some(n) = r.int(root, "station_index", false, 0..256) {
        c.station_index = *n.get_ref() as u8;
    }
    if let Some(s) = r.id(root, "stop", false) {
        spans.stop = Some(r.span(&s.span()));
        c.stop = s.into_inner();
    }
    if let Some(b) = r.boolean(root, "kiosk", false) {
        c.kiosk = b;
    }
    if let Some(b) = r.boolean(root, "low_reach", false) {
        c.low_reach = b;
    }
    if let Some(list) = r.strings(root, "scenarios", false) {
        spans.scenarios = list.iter().map(|s| r.span(&s.span())).collect();
        c.scenarios = list.into_iter().map(Spanned::into_inner).collect();
    }
    if let Some(list) = r.strings(root, "languages", false) {
        c.languages = list
            .iter()
            .filter_map(|l| {
                let lang = Lang::from_code(l.get_ref());
                if lang.is_none() {
                    r.error(
                        &l.span(),
                        Msg::new(
                            format!("langue inconnue « {} » : fr ou en", l.get_ref()),
                            format!("unknown language \"{}\": fr or en", l.get_ref()),
                        ),
                    );
                }
                lang
            })
            .collect();
        if c.languages.is_empty() {
            c.languages = vec![Lang::Fr];
        }
    }
    if let Some(s) = r.string(root, "scenarios_dir", false) {
        c.scenarios_dir = s.into_inner();
    }
    if let Some(s) = r.string(root, "tour", false) {
        c.tour = s.into_inner();
    }
    if let Some(v) = r.take(root, "idle", false)
        && let Some(mut t) = r.table(v, "idle")
    {
        if let Some(n) = r.int(&mut t, "seconds", false, 10..3601) {
            c.idle_seconds = *n.get_ref() as u32;
        }
        if let Some(n) = r.int(&mut t, "reading_seconds", false, 10..3601) {
            c.idle_reading_seconds = *n.get_ref() as u32;
        }
        if let Some(n) = r.int(&mut t, "countdown_seconds", false, 3..121) {
            c.idle_countdown_seconds = *n.get_ref() as u32;
        }
        r.finish(t, &["seconds", "reading_seconds", "countdown_seconds"]);
    }
    if let Some(v) = r.take(root, "audio", false)
        && let Some(mut t) = r.table(v, "audio")
    {
        if let Some(n) = r.number(&mut t, "volume", false) {
            if (0.0..=1.0).contains(n.get_ref()) {
                c.volume = *n.get_ref() as f32;
            } else {
                r.error(
                    &n.span(),
                    Msg::new(
                        "« volume » va de 0 à 1 (ex. 0.8)",
                        "\"volume\" goes from 0 to 1 (e.g. 0.8)",
                    ),
                );
            }
        }
        r.finish(t, &["volume"]);
    }
    if let Some(v) = r.take(root, "facilitator", false)
        && let Some(mut t) = r.table(v, "facilitator")
    {
        if let Some(s) = r.string(&mut t, "pin_hash", false) {
            if crate::domain::pin::parse_hash(s.get_ref()).is_none() {
                r.error_hint(
                    &s.span(),
                    Msg::new(
                        "« pin_hash » n'est pas une empreinte de code valide",
                        "\"pin_hash\" is not a valid PIN hash",
                    ),
                    Msg::new(
                        "créez-la avec : klub pin NOUVEAU-CODE",
                        "make it with: klub pin NEW-PIN",
                    ),
                );
            }
            c.pin_hash = s.into_inner();
        }
        r.finish(t, &["pin_hash"]);
    }
    if let Some(v) = r.take(root, "pass", false)
        && let Some(mut t) = r.table(v, "pass")
    {
        if let Some(s) = r.string(&mut t, "results_base_url", false) {
            let url = s.get_ref();
            if url.chars().count() > MAX_BASE_URL
                || !url
                    .strip_prefix("https://")
                    .is_some_and(|rest| !rest.is_empty() && !rest.contains(char::is_whitespace))
            {
                r.error_hint(
                    &s.span(),
                    Msg::new(format!("« results_base_url » doit commencer par https:// et faire au plus {MAX_BASE_URL} caractères (ici {})", url.chars().count()), format!("\"results_base_url\" must start with https:// and be at most {MAX_BASE_URL} characters (here {})", url.chars().count())),
                    Msg::new("au-delà, le QR code devient trop dense pour être lu facilement", "longer, the QR code gets too dense to scan easily"),
                );
            }
            c.results_base_url = s.into_inner();
        }
        if let Some(n) = r.int(&mut t, "fleet_key_id", false, 0..256) {
            c.fleet_key_id = *n.get_ref() as u8;
        }
        if let Some(s) = r.string(&mut t, "fleet_key", false) {
            if s.get_ref().len() != 64 || !s.get_ref().bytes().all(|b| b.is_ascii_hexdigit()) {
                r.error_hint(
                    &s.span(),
                    Msg::new(
                        "« fleet_key » doit faire 64 chiffres hexadécimaux",
                        "\"fleet_key\" must be 64 hex digits",
                    ),
                    Msg::new(
                        "créez une clé avec : klub key new",
                        "make a key with: klub key new",
                    ),
                );
            }
            c.fleet_key = s.into_inner();
        }
        if let Some(n) = r.int(&mut t, "max_age_days", false, 1..3651) {
            c.pass_max_age_days = *n.get_ref() as u32;
        }
        if let Some(s) = r.string(&mut t, "scanner_layout", false) {
            match s.get_ref().as_str() {
                "us" => c.scanner_layout = ScannerLayout::Us,
                "azerty" => c.scanner_layout = ScannerLayout::Azerty,
                other => r.error_hint(
                    &s.span(),
                    Msg::new(
                        format!("disposition de lecteur inconnue « {other} »"),
                        format!("unknown scanner layout \"{other}\""),
                    ),
                    Msg::new("écrivez \"us\" ou \"azerty\"", "write \"us\" or \"azerty\""),
                ),
            }
        }
        r.finish(
            t,
            &[
                "results_base_url",
                "fleet_key_id",
                "fleet_key",
                "max_age_days",
                "scanner_layout",
            ],
        );
    }
    if let Some(v) = r.take(root, "printer", false)
        && let Some(mut t) = r.table(v, "printer")
    {
        if let Some(s) = r.string(&mut t, "device", false) {
            c.printer = s.into_inner();
        }
        r.finish(t, &["device"]);
    }
    if let Some(v) = r.take(root, "data", false)
        && let Some(mut t) = r.table(v, "data")
    {
        if let Some(s) = r.string(&mut t, "dir", false) {
            c.data_dir = s.into_inner();
        }
        if let Some(n) = r.int(&mut t, "retention_days", false, 1..3651) {
            c.retention_days = *n.get_ref() as u32;
        }
        if let Some(s) = r.string(&mut t, "usb_export_dir", false) {
            c.usb_export_dir = s.into_inner();
        }
        r.finish(t, &["dir", "retention_days", "usb_export_dir"]);
    }
    r.finish(
        std::mem::replace(root, Tbl::empty()),
        &[
            "station_id",
            "station_index",
            "stop",
            "kiosk",
            "low_reach",
            "scenarios",
            "languages",
            "scenarios_dir",
            "tour",
            "idle",
            "audio",
            "facilitator",
            "pass",
            "printer",
            "data",
        ],
    );
    (c, spans)
}

fn date(r: &mut Reader<'_>, t: &mut Tbl<'_, '_>, key: &str) -> Option<String> {
    let v = r.take(t, key, true)?;
    let s = match v.get_ref() {
        DeValue::Datetime(d) => d.to_string(),
        DeValue::String(s) => s.to_string(),
        _ => String::new(),
    };
    if is_date(&s) {
        Some(s)
    } else {
        r.error_hint(
            &v.span(),
            Msg::new(
                format!("« {key} » doit être une date"),
                format!("\"{key}\" must be a date"),
            ),
            Msg::new("écrivez-la ainsi : 2026-03-02", "write it as 2026-03-02"),
        );
        None
    }
}

/// Whether `s` is a real calendar date written `YYYY-MM-DD`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return false;
    }
    let num = |r: Range<usize>| s[r].parse::<u32>().unwrap_or(0);
    let (y, m, d) = (num(0..4), num(5..7), num(8..10));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1..=days).contains(&d)
}

/// Where a tour's offers name a trade (file spans): (stop id, trade id, span).
pub type OfferSpans = Vec<(String, String, Range<usize>)>;

/// Reads a tour file.
pub fn read_tour(r: &mut Reader<'_>, root: &mut Tbl<'_, '_>) -> Tour {
    read_tour_spanned(r, root).0
}

/// Reads a tour file with where its offers name trades.
pub fn read_tour_spanned(r: &mut Reader<'_>, root: &mut Tbl<'_, '_>) -> (Tour, OfferSpans) {
    let mut offer_spans = vec![];
    let id = r
        .id(root, "id", true)
        .map(Spanned::into_inner)
        .unwrap_or_default();
    let mut stops: Vec<Stop> = vec![];
    for mut t in r.tables(root, "stop", true) {
        let sid = r.id(&mut t, "id", true);
        let town = r.string(&mut t, "town", true);
        let from = date(r, &mut t, "from");
        let to = date(r, &mut t, "to");
        if let (Some(f), Some(e)) = (&from, &to)
            && f > e
        {
            r.error(
                &t.span,
                Msg::new(
                    "la date de fin (« to ») est avant celle de début (« from »)",
                    "the end date (\"to\") is before the start (\"from\")",
                ),
            );
        }
        let mut contacts = vec![];
        for mut ct in r.tables(&mut t, "contact", false) {
            let kind = r.string(&mut ct, "kind", true);
            if let Some(k) = &kind
                && !["cio", "mission_locale", "france_travail", "cep"]
                    .contains(&k.get_ref().as_str())
            {
                r.error_hint(
                    &k.span(),
                    Msg::new(
                        format!("type de contact inconnu « {} »", k.get_ref()),
                        format!("unknown contact kind \"{}\"", k.get_ref()),
                    ),
                    Msg::new(
                        "cio, mission_locale, france_travail ou cep",
                        "cio, mission_locale, france_travail or cep",
                    ),
                );
            }
            let name = r
                .take(&mut ct, "name", true)
                .and_then(|v| r.name(v, "name"));
            let reach = r.string(&mut ct, "reach", true);
            let example = r.boolean(&mut ct, "example", false).unwrap_or(false);
            r.finish(ct, &["kind", "name", "reach", "example"]);
            if let (Some(kind), Some(name), Some(reach)) = (kind, name, reach) {
                contacts.push(Contact {
                    kind: kind.into_inner(),
                    name,
                    reach: reach.into_inner(),
                    example,
                });
            }
        }
        let mut offers = vec![];
        for mut of in r.tables(&mut t, "offer", false) {
            let kind = r.string(&mut of, "kind", true);
            if let Some(k) = &kind
                && !["stage", "pmsmp"].contains(&k.get_ref().as_str())
            {
                r.error_hint(
                    &k.span(),
                    Msg::new(
                        format!("type d'offre inconnu « {} »", k.get_ref()),
                        format!("unknown offer kind \"{}\"", k.get_ref()),
                    ),
                    Msg::new(
                        "« stage » (stage d'observation, mineurs) ou « pmsmp » (adultes)",
                        "\"stage\" (observation, minors) or \"pmsmp\" (adults)",
                    ),
                );
            }
            let trade = r.id(&mut of, "trade", false);
            if let (Some(t), Some(stop)) = (&trade, &sid) {
                offer_spans.push((
                    stop.get_ref().clone(),
                    t.get_ref().clone(),
                    r.span(&t.span()),
                ));
            }
            let text = r
                .take(&mut of, "text", true)
                .and_then(|v| r.name(v, "text"));
            let via = r.string(&mut of, "via", true);
            let example = r.boolean(&mut of, "example", false).unwrap_or(false);
            r.finish(of, &["kind", "trade", "text", "via", "example"]);
            if let (Some(kind), Some(text), Some(via)) = (kind, text, via) {
                offers.push(Offer {
                    kind: kind.into_inner(),
                    trade: trade.map(Spanned::into_inner),
                    text,
                    via: via.into_inner(),
                    example,
                });
            }
        }
        r.finish(t, &["id", "town", "from", "to", "contact", "offer"]);
        if let (Some(sid), Some(town), Some(from), Some(to)) = (sid, town, from, to) {
            if stops.iter().any(|s| s.id == *sid.get_ref()) {
                r.error(
                    &sid.span(),
                    Msg::new(
                        format!("deux étapes de tournée ont l'id « {} »", sid.get_ref()),
                        format!("two stops have id \"{}\"", sid.get_ref()),
                    ),
                );
            }
            stops.push(Stop {
                id: sid.into_inner(),
                town: town.into_inner(),
                from,
                to,
                contacts,
                offers,
            });
        }
    }
    r.finish(std::mem::replace(root, Tbl::empty()), &["id", "stop"]);
    (Tour { id, stops }, offer_spans)
}

//! `--rome DIR`: checks the catalogue against an official ROME 4.0 CSV download.

use crate::content::ContentError;
use crate::content::diag::{Diagnostic, Msg};
use crate::content::set::{SKILLS_FILE, TRADES_FILE, Validation};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The facts of a ROME download that the catalogue is checked against.
#[derive(Debug, Default)]
pub struct Rome {
    /// Code → title.
    pub titles: HashMap<String, String>,
    /// Code → (major, minor).
    pub letters: HashMap<String, (String, String)>,
    /// (code, code_ogr) links.
    pub links: HashSet<(String, String)>,
    /// Savoir-être macro-competences: ogr → macro code.
    pub savoir_etre: HashMap<String, String>,
}

/// Splits one CSV line (comma, double quotes, doubled quotes inside).
pub fn csv_fields(line: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cur.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut cur)),
            (c, _) => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn find(dir: &Path, part: &str) -> Result<PathBuf, ContentError> {
    let rd = std::fs::read_dir(dir).map_err(|error| ContentError::Path {
        path: dir.to_owned(),
        error,
    })?;
    let mut found: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|f| f.to_str())
                .is_some_and(|f| f.contains(part) && f.ends_with(".csv"))
        })
        .collect();
    found.sort();
    found.into_iter().next().ok_or_else(|| ContentError::NoCsv {
        part: part.to_owned(),
        dir: dir.to_owned(),
    })
}

fn rows(path: &Path) -> Result<Vec<HashMap<String, String>>, ContentError> {
    let text = std::fs::read_to_string(path).map_err(|error| ContentError::Path {
        path: path.to_owned(),
        error,
    })?;
    let mut lines = text.lines();
    let header = csv_fields(lines.next().unwrap_or("").trim_start_matches('\u{feff}'));
    Ok(lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| header.iter().cloned().zip(csv_fields(l)).collect())
        .collect())
}

impl Rome {
    /// Reads the four files the checks need.
    pub fn load(dir: &Path) -> Result<Rome, ContentError> {
        let mut r = Rome::default();
        let get = |row: &HashMap<String, String>, k: &str| row.get(k).cloned().unwrap_or_default();
        for row in rows(&find(dir, "referentiel_code_rome_v")?)? {
            r.titles
                .insert(get(&row, "code_rome"), get(&row, "libelle_rome"));
        }
        for row in rows(&find(dir, "code_rome_riasec")?)? {
            r.letters.insert(
                get(&row, "code_rome"),
                (get(&row, "riasec_majeur"), get(&row, "riasec_mineur")),
            );
        }
        for row in rows(&find(dir, "liens_rome_referentiels")?)? {
            r.links
                .insert((get(&row, "code_rome"), get(&row, "code_ogr")));
        }
        for row in rows(&find(dir, "referentiel_competence")?)? {
            if get(&row, "cat_comp") == "Savoir-être professionnel" {
                r.savoir_etre
                    .insert(get(&row, "code_ogr"), get(&row, "code_macro_comp"));
            }
        }
        if r.titles.is_empty() {
            return Err(ContentError::NoFiche(dir.to_owned()));
        }
        Ok(r)
    }
}

/// Reports codes that do not exist, letters that differ and links the referential lacks.
pub fn check(v: &mut Validation, dir: &Path) {
    let rome = match Rome::load(dir) {
        Ok(r) => r,
        Err(e) => {
            v.report.push(Diagnostic::error(
                dir,
                None,
                Msg::new(
                    format!("référentiel ROME illisible : {e}"),
                    format!("unreadable ROME referential: {e}"),
                ),
            ));
            return;
        }
    };
    let root = v.set.root.clone();
    let trades_path = root.join(TRADES_FILE);
    let skills_path = root.join(SKILLS_FILE);
    let mut found = vec![];
    for (k, s) in v.set.skills.skills.iter().enumerate() {
        let span = v.skill_spans.get(k).cloned();
        match rome.savoir_etre.get(&s.ogr) {
            Some(code) if *code == s.code => {}
            Some(code) => found.push(Diagnostic::error(
                &skills_path,
                span,
                Msg::new(
                    format!(
                        "savoir-être « {} » : le ROME donne le code {code}, pas {}",
                        s.id, s.code
                    ),
                    format!(
                        "soft skill \"{}\": ROME gives code {code}, not {}",
                        s.id, s.code
                    ),
                ),
            )
            .with_hint(Msg::new(
                format!("écrivez code = \"{code}\""),
                format!("write code = \"{code}\""),
            ))),
            None => found.push(Diagnostic::error(
                &skills_path,
                span,
                Msg::new(
                    format!(
                        "savoir-être « {} » : code_ogr {} absent du ROME",
                        s.id, s.ogr
                    ),
                    format!("soft skill \"{}\": code_ogr {} is not in ROME", s.id, s.ogr),
                ),
            )
            .with_hint(Msg::new(
                "prenez le code_ogr de la ligne « Savoir-être professionnel » du référentiel des compétences",
                "take the code_ogr of the \"Savoir-être professionnel\" row of the skills referential",
            ))),
        }
    }
    for (k, t) in v.set.catalogue.trades.iter().enumerate() {
        let code = t.rome.as_str();
        let spans = v.trade_spans.get(k);
        let span = spans.map(|s| s.rome.clone());
        let Some(title) = rome.titles.get(code) else {
            found.push(
                Diagnostic::error(
                    &trades_path,
                    span,
                    Msg::new(
                        format!("« {} » : le code ROME {code} n'existe pas", t.id),
                        format!("\"{}\": ROME code {code} does not exist", t.id),
                    ),
                )
                .with_hint(Msg::new(
                    "recopiez le code de la fiche métier du ROME (France Travail)",
                    "copy the code from the trade's ROME fiche (France Travail)",
                )),
            );
            continue;
        };
        if *title != t.name.fr {
            found.push(Diagnostic::warning(
                &trades_path,
                span.clone(),
                Msg::new(
                    format!("« {} » : le ROME titre la fiche « {title} »", t.id),
                    format!("\"{}\": ROME titles the fiche \"{title}\"", t.id),
                ),
            ));
        }
        if let Some((maj, min)) = rome.letters.get(code) {
            let ours = (
                t.major.letter().to_string(),
                t.minor.map(|m| m.letter().to_string()).unwrap_or_default(),
            );
            if (maj, min) != (&ours.0, &ours.1) {
                found.push(
                    Diagnostic::error(
                        &trades_path,
                        spans.map(|s| s.riasec.clone()),
                        Msg::new(
                            format!(
                                "« {} » : lettres RIASEC {}/{} au lieu de {maj}/{min} dans le ROME",
                                t.id, ours.0, ours.1
                            ),
                            format!(
                                "\"{}\": RIASEC letters {}/{} instead of {maj}/{min} in ROME",
                                t.id, ours.0, ours.1
                            ),
                        ),
                    )
                    .with_hint(Msg::new(
                        format!("écrivez riasec = {{ major = \"{maj}\", minor = \"{min}\" }}"),
                        format!("write riasec = {{ major = \"{maj}\", minor = \"{min}\" }}"),
                    )),
                );
            }
        }
        for (j, s) in t.savoir_etre.iter().enumerate() {
            let Some(skill) = v.set.skills.get(*s) else {
                continue;
            };
            if !rome.links.contains(&(code.to_owned(), skill.ogr.clone())) {
                found.push(
                    Diagnostic::error(
                        &trades_path,
                        spans
                            .and_then(|s| s.skills.get(j).cloned())
                            .or(span.clone()),
                        Msg::new(
                            format!(
                                "« {} » : le ROME ne relie pas {code} au savoir-être « {} »",
                                t.id, skill.id
                            ),
                            format!(
                                "\"{}\": ROME does not link {code} to soft skill \"{}\"",
                                t.id, skill.id
                            ),
                        ),
                    )
                    .with_hint(Msg::new(
                        "gardez seulement les savoir-être que le ROME relie à ce métier",
                        "keep only the soft skills that ROME links to this trade",
                    )),
                );
            }
        }
    }
    v.report.diags.extend(found);
}

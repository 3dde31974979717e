//! Reads one `scenario.toml` into the model, reporting every problem with its place.

use crate::content::diag::{Msg, did_you_mean};
use crate::content::reader::{Reader, Tbl};
use crate::domain::dimension::{Area, Dim, Weights};
use crate::domain::scenario::{
    Bin, Item, Kind, Next, Opt, Scenario, SortMode, Step, StepBody, Zone,
};
use crate::domain::skills::SkillSet;
use std::collections::HashMap;
use std::ops::Range;
use toml::Spanned;
use toml::de::DeValue;

/// Step types of the format.
pub const STEP_TYPES: [&str; 8] = [
    "info", "choice", "multi", "scale", "sort", "hotspot", "panorama", "timed",
];

/// A reference to an asset, with where it was written.
#[derive(Clone, Debug)]
pub struct AssetRef {
    /// The path as written, relative to the scenario folder.
    pub path: String,
    /// Where it was written.
    pub span: Range<usize>,
    /// `image` or `sound`.
    pub kind: AssetKind,
    /// For panorama images: the width and height limits.
    pub panorama: bool,
}

/// What an asset must decode as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
    /// A PNG image.
    Image,
    /// A WAV sound.
    Sound,
}

/// A scenario with the places needed by cross-file checks.
#[derive(Clone, Debug)]
pub struct Loaded {
    /// The model.
    pub scenario: Scenario,
    /// Assets it refers to.
    pub assets: Vec<AssetRef>,
    /// Where the `trade` id was written.
    pub trade_span: Option<Range<usize>>,
    /// Where each step starts.
    pub step_spans: Vec<Range<usize>>,
    /// Where the header starts.
    pub header_span: Range<usize>,
    /// Every written jump: (step, option, target step, where the target is written).
    pub next_spans: Vec<(usize, Option<usize>, usize, Range<usize>)>,
}

struct Pending {
    span: Range<usize>,
    target: String,
}

/// Reads a scenario document. Returns `None` when it has errors that leave no usable model.
pub fn read(r: &mut Reader<'_>, root: &mut Tbl<'_, '_>, skills: &SkillSet) -> Option<Loaded> {
    let errors_before = r.report.errors();
    let header_span = root.span.start..root.span.start + 1;
    let id = r.id(root, "id", true);
    let kind = r
        .string(root, "kind", true)
        .and_then(|k| match k.get_ref().as_str() {
            "talents" => Some(Kind::Talents),
            "immersion" => Some(Kind::Immersion),
            other => {
                r.error_hint(
                    &k.span(),
                    Msg::new(
                        format!("type de scénario inconnu « {other} »"),
                        format!("unknown scenario kind \"{other}\""),
                    ),
                    Msg::new(
                        "écrivez kind = \"talents\" ou kind = \"immersion\"",
                        "write kind = \"talents\" or kind = \"immersion\"",
                    ),
                );
                None
            }
        });
    let title = r.text(root, "title", true);
    let duration = r.int(root, "duration_minutes", true, 1..61);
    let trade = r.id(root, "trade", false);
    let mut assets = vec![];
    let ambient = asset(r, root, "ambient", AssetKind::Sound, false, &mut assets);
    let reviewed_by = r.string(root, "reviewed_by", false);
    if reviewed_by
        .as_ref()
        .is_none_or(|s| s.get_ref().trim().is_empty())
    {
        r.warning(
            &header_span,
            Msg::new("contenu pas encore relu : « reviewed_by » est vide", "content not yet signed off: \"reviewed_by\" is empty"),
            Some(Msg::new(
                "un conseiller ou une conseillère d'orientation relit le scénario puis écrit reviewed_by = \"…\"",
                "a guidance counsellor reviews the scenario, then writes reviewed_by = \"…\"",
            )),
        );
    }
    let step_tables = r.tables(root, "step", true);
    r.finish(
        std::mem::replace(root, Tbl::empty()),
        &[
            "id",
            "kind",
            "title",
            "duration_minutes",
            "trade",
            "ambient",
            "reviewed_by",
            "step",
        ],
    );
    if step_tables.is_empty() && r.report.errors() == errors_before {
        r.error(
            &header_span,
            Msg::new(
                "le scénario n'a aucune étape [[step]]",
                "the scenario has no [[step]]",
            ),
        );
    }

    let mut steps = vec![];
    let mut step_spans = vec![];
    let mut ids: HashMap<String, Range<usize>> = HashMap::new();
    let mut pending: Vec<(usize, Option<usize>, Pending)> = vec![];
    for mut t in step_tables {
        let span = t.span.clone();
        let index = steps.len();
        if let Some((step, id_span)) =
            read_step(r, &mut t, skills, &mut assets, index, &mut pending)
        {
            if let Some(prev) = ids.get(&step.id) {
                let at = r.span(prev).start;
                let (line, _) = crate::content::diag::line_col(r_bytes(r), at);
                r.error_hint(
                    &id_span,
                    Msg::new(
                        format!("deux étapes ont l'id « {} » (voir ligne {line})", step.id),
                        format!("two steps have id \"{}\" (see line {line})", step.id),
                    ),
                    Msg::new(
                        "changez l'un des deux : chaque étape a son propre id",
                        "rename one of them: each step has its own id",
                    ),
                );
            } else {
                ids.insert(step.id.clone(), id_span);
            }
            steps.push(step);
            step_spans.push(r.span(&span));
        }
    }
    // Resolve jumps once every step id is known.
    let mut next_spans = vec![];
    for (step, option, p) in pending {
        let next = if p.target == "fin" {
            Some(Next::End)
        } else if let Some(i) = steps.iter().position(|s| s.id == p.target) {
            next_spans.push((step, option, i, r.span(&p.span)));
            Some(Next::Step(i))
        } else {
            let hint = match did_you_mean(&p.target, steps.iter().map(|s| s.id.as_str())) {
                Some(s) => Msg::new(
                    format!("vouliez-vous dire « {s} » ?"),
                    format!("did you mean \"{s}\"?"),
                ),
                None => Msg::new(
                    "écrivez l'id d'une étape de ce fichier, ou « fin »",
                    "write the id of a step of this file, or \"fin\"",
                ),
            };
            r.error_hint(
                &p.span,
                Msg::new(
                    format!(
                        "« next » pointe vers l'étape « {} », qui n'existe pas",
                        p.target
                    ),
                    format!(
                        "\"next\" points to step \"{}\", which does not exist",
                        p.target
                    ),
                ),
                hint,
            );
            None
        };
        if let Some(s) = steps.get_mut(step) {
            match option {
                None => s.next = next,
                Some(o) => {
                    if let StepBody::Choice { options, .. } | StepBody::Multi { options, .. } =
                        &mut s.body
                        && let Some(opt) = options.get_mut(o)
                    {
                        opt.next = next;
                    }
                }
            }
        }
    }

    if r.report.errors() > errors_before {
        return None;
    }
    let scenario = Scenario {
        id: id?.into_inner(),
        kind: kind?,
        title: title?,
        duration_minutes: u32::try_from(*duration?.get_ref()).ok()?,
        trade: trade.as_ref().map(|t| t.get_ref().clone()),
        ambient,
        reviewed_by: reviewed_by.map(Spanned::into_inner).unwrap_or_default(),
        steps,
    };
    Some(Loaded {
        scenario,
        assets,
        trade_span: trade.map(|t| r.span(&t.span())),
        step_spans,
        header_span: r.span(&header_span),
        next_spans,
    })
}

fn r_bytes<'a>(r: &'a Reader<'_>) -> &'a [u8] {
    &r.bytes
}

impl Tbl<'_, '_> {
    /// A placeholder left behind when a table is moved out to be finished.
    pub fn empty() -> Self {
        static EMPTY: std::sync::OnceLock<toml::de::DeTable<'static>> = std::sync::OnceLock::new();
        Tbl::new(EMPTY.get_or_init(Default::default), 0..0)
    }
}

fn asset(
    r: &mut Reader<'_>,
    t: &mut Tbl<'_, '_>,
    key: &str,
    kind: AssetKind,
    panorama: bool,
    out: &mut Vec<AssetRef>,
) -> Option<String> {
    let s = r.string(t, key, false)?;
    let path = s.get_ref().clone();
    if path.starts_with('/') || path.split('/').any(|p| p == "..") {
        r.error_hint(
            &s.span(),
            Msg::new(
                format!("chemin « {path} » hors du dossier du scénario"),
                format!("path \"{path}\" leaves the scenario folder"),
            ),
            Msg::new(
                "écrivez un chemin relatif au dossier du scénario, ex. images/atelier.png",
                "write a path relative to the scenario folder, e.g. images/atelier.png",
            ),
        );
        return None;
    }
    out.push(AssetRef {
        path: path.clone(),
        span: r.span(&s.span()),
        kind,
        panorama,
    });
    Some(path)
}

fn next_of(r: &mut Reader<'_>, t: &mut Tbl<'_, '_>) -> Option<Pending> {
    let s = r.id(t, "next", false)?;
    Some(Pending {
        span: s.span(),
        target: s.into_inner(),
    })
}

/// Reads `weights = { faire = 2, rigueur = 1 }`.
pub fn weights(
    r: &mut Reader<'_>,
    t: &mut Tbl<'_, '_>,
    key: &str,
    skills: &SkillSet,
    required: bool,
) -> Weights {
    let Some(v) = r.take(t, key, required) else {
        return Weights::default();
    };
    let Some(tb) = r.table(v, key) else {
        return Weights::default();
    };
    let mut out = vec![];
    for (k, v) in tb.entries() {
        let id: &str = k.get_ref();
        let dim = Area::from_id(id)
            .map(Dim::Area)
            .or_else(|| skills.index_of(id).map(Dim::Skill));
        let Some(dim) = dim else {
            if r.skills_broken {
                continue;
            }
            let all = Area::ALL
                .iter()
                .map(|a| a.id())
                .chain(skills.skills.iter().map(|s| s.id.as_str()));
            let hint = match did_you_mean(id, all) {
                Some(s) => Msg::new(
                    format!("vouliez-vous dire « {s} » ?"),
                    format!("did you mean \"{s}\"?"),
                ),
                None => Msg::new(
                    "les domaines sont faire, chercher, creer, aider, convaincre, organiser ; les savoir-être sont dans savoir-etre.toml",
                    "areas are faire, chercher, creer, aider, convaincre, organiser; soft skills are in savoir-etre.toml",
                ),
            };
            r.error_hint(
                &k.span(),
                Msg::new(
                    format!("dimension inconnue « {id} »"),
                    format!("unknown dimension \"{id}\""),
                ),
                hint,
            );
            continue;
        };
        match v.get_ref() {
            DeValue::Integer(i) if matches!(i.as_str(), "1" | "2" | "3") => {
                out.push((dim, i.as_str().parse::<u8>().unwrap_or(1)));
            }
            _ => r.error_hint(
                &v.span(),
                Msg::new(
                    format!("le poids de « {id} » doit être 1, 2 ou 3"),
                    format!("the weight of \"{id}\" must be 1, 2 or 3"),
                ),
                Msg::new(
                    "écrivez le poids sans guillemets, ex. faire = 2",
                    "write the weight without quotes, e.g. faire = 2",
                ),
            ),
        }
    }
    Weights(out)
}

fn read_step(
    r: &mut Reader<'_>,
    t: &mut Tbl<'_, '_>,
    skills: &SkillSet,
    assets: &mut Vec<AssetRef>,
    index: usize,
    pending: &mut Vec<(usize, Option<usize>, Pending)>,
) -> Option<(Step, Range<usize>)> {
    let before = r.report.errors();
    let id = r.id(t, "id", true);
    let ty = r.string(t, "type", true);
    let ty_name = ty.as_ref().map(|s| s.get_ref().as_str()).unwrap_or("");
    if let Some(s) = &ty
        && !STEP_TYPES.contains(&s.get_ref().as_str())
    {
        let hint = match did_you_mean(s.get_ref(), STEP_TYPES) {
            Some(m) => Msg::new(
                format!("vouliez-vous dire « {m} » ?"),
                format!("did you mean \"{m}\"?"),
            ),
            None => Msg::new(
                format!("les types possibles : {}", STEP_TYPES.join(", ")),
                format!("possible types: {}", STEP_TYPES.join(", ")),
            ),
        };
        r.error_hint(
            &s.span(),
            Msg::new(
                format!("type d'étape inconnu « {} »", s.get_ref()),
                format!("unknown step type \"{}\"", s.get_ref()),
            ),
            hint,
        );
    }
    let panorama = ty_name == "panorama";
    let image = asset(r, t, "image", AssetKind::Image, panorama, assets);
    let sound = asset(r, t, "sound", AssetKind::Sound, false, assets);
    if let Some(p) = next_of(r, t) {
        pending.push((index, None, p));
    }
    let mut allowed = vec!["id", "type", "image", "sound", "next"];
    let body = match ty_name {
        "info" => {
            allowed.push("text");
            r.text(t, "text", true).map(|text| StepBody::Info { text })
        }
        "choice" | "multi" => {
            allowed.extend(["question", "option"]);
            let question = r.text(t, "question", true);
            let options = read_options(r, t, skills, index, pending);
            let n = options.len();
            let (lo, hi) = if ty_name == "choice" { (2, 6) } else { (2, 8) };
            if !(lo..=hi).contains(&n) {
                r.error(
                    &t.span,
                    Msg::new(format!("une étape « {ty_name} » a de {lo} à {hi} réponses [[step.option]] ; ici {n}"), format!("a \"{ty_name}\" step has {lo} to {hi} [[step.option]]; here {n}")),
                );
            }
            if ty_name == "choice" {
                question.map(|question| StepBody::Choice { question, options })
            } else {
                allowed.extend(["min", "max"]);
                let n_i = i64::try_from(n).unwrap_or(0);
                let min = r
                    .int(t, "min", false, 1..n_i.max(1) + 1)
                    .map_or(1, |m| *m.get_ref());
                let max = r
                    .int(t, "max", false, 1..n_i.max(1) + 1)
                    .map_or(n_i, |m| *m.get_ref());
                if min > max {
                    r.error(
                        &t.span,
                        Msg::new(
                            "« min » est plus grand que « max »",
                            "\"min\" is greater than \"max\"",
                        ),
                    );
                }
                question.map(|question| StepBody::Multi {
                    question,
                    options,
                    min: u8::try_from(min).unwrap_or(1),
                    max: u8::try_from(max).unwrap_or(1),
                })
            }
        }
        "scale" => {
            allowed.extend(["statement", "points", "weights"]);
            let statement = r.text(t, "statement", true);
            let points = r.int(t, "points", false, 3..6).map_or(5, |p| *p.get_ref());
            if points == 4 {
                r.error(
                    &t.span,
                    Msg::new("« points » vaut 3 ou 5", "\"points\" is 3 or 5"),
                );
            }
            let before_weights = r.report.errors();
            let weights = weights(r, t, "weights", skills, true);
            if weights.is_empty() && r.report.errors() == before_weights {
                r.error(
                    &t.span,
                    Msg::new(
                        "une étape « scale » doit peser sur au moins une dimension (weights)",
                        "a \"scale\" step must weigh on at least one dimension (weights)",
                    ),
                );
            }
            statement.map(|statement| StepBody::Scale {
                statement,
                points: u8::try_from(points).unwrap_or(5),
                weights,
            })
        }
        "sort" | "timed" => {
            allowed.extend(["prompt", "enjoy", "bin", "item"]);
            let prompt = r.text(t, "prompt", true);
            let enjoy = weights(r, t, "enjoy", skills, true);
            let mode = if ty_name == "sort" {
                allowed.push("mode");
                r.string(t, "mode", true)
                    .and_then(|m| match m.get_ref().as_str() {
                        "order" => Some(SortMode::Order),
                        "bins" => Some(SortMode::Bins),
                        other => {
                            r.error_hint(
                                &m.span(),
                                Msg::new(
                                    format!("mode inconnu « {other} »"),
                                    format!("unknown mode \"{other}\""),
                                ),
                                Msg::new(
                                    "écrivez mode = \"order\" ou mode = \"bins\"",
                                    "write mode = \"order\" or mode = \"bins\"",
                                ),
                            );
                            None
                        }
                    })
            } else {
                Some(SortMode::Bins)
            };
            let seconds = if ty_name == "timed" {
                allowed.push("seconds");
                r.int(t, "seconds", true, 5..181)
                    .map(|s| *s.get_ref() as u32)
            } else {
                Some(0)
            };
            let bins = read_bins(r, t);
            let items = read_items(r, t, &bins, mode == Some(SortMode::Bins));
            if mode == Some(SortMode::Bins) && bins.len() < 2 {
                r.error(
                    &t.span,
                    Msg::new(
                        "il faut au moins 2 bacs [[step.bin]]",
                        "at least 2 [[step.bin]] are needed",
                    ),
                );
            }
            if items.len() < 2 {
                r.error(
                    &t.span,
                    Msg::new(
                        "il faut au moins 2 objets [[step.item]]",
                        "at least 2 [[step.item]] are needed",
                    ),
                );
            }
            match (prompt, mode, seconds) {
                (Some(prompt), Some(mode), Some(_)) if ty_name == "sort" => Some(StepBody::Sort {
                    prompt,
                    mode,
                    bins,
                    items,
                    enjoy,
                }),
                (Some(prompt), Some(_), Some(seconds)) => Some(StepBody::Timed {
                    prompt,
                    seconds,
                    bins,
                    items,
                    enjoy,
                }),
                _ => None,
            }
        }
        "hotspot" | "panorama" => {
            allowed.extend(["prompt", "enjoy", "zone", "find"]);
            let prompt = r.text(t, "prompt", true);
            let enjoy = weights(r, t, "enjoy", skills, true);
            let zones = read_zones(r, t);
            let targets = zones.iter().filter(|z| z.target).count();
            let find = match r.int(t, "find", false, 1..100) {
                Some(n) if *n.get_ref() as usize > targets => {
                    r.error(
                        &n.span(),
                        Msg::new(
                            format!(
                                "« find » vaut {} mais il n'y a que {targets} zone(s) à trouver",
                                n.get_ref()
                            ),
                            format!(
                                "\"find\" is {} but there are only {targets} zone(s) to find",
                                n.get_ref()
                            ),
                        ),
                    );
                    targets
                }
                Some(n) => *n.get_ref() as usize,
                None => targets,
            };
            if image.is_none() {
                r.error(
                    &t.span,
                    Msg::new(
                        format!("une étape « {ty_name} » a besoin d'une image"),
                        format!("a \"{ty_name}\" step needs an image"),
                    ),
                );
            }
            if !zones.iter().any(|z| z.target) {
                r.error(
                    &t.span,
                    Msg::new(
                        "aucune zone n'a target = true : il n'y a rien à trouver",
                        "no zone has target = true: there is nothing to find",
                    ),
                );
            }
            prompt.map(|prompt| {
                if panorama {
                    StepBody::Panorama {
                        prompt,
                        zones,
                        find,
                        enjoy,
                    }
                } else {
                    StepBody::Hotspot {
                        prompt,
                        zones,
                        find,
                        enjoy,
                    }
                }
            })
        }
        _ => None,
    };
    if !ty_name.is_empty() && STEP_TYPES.contains(&ty_name) {
        r.finish(std::mem::replace(t, Tbl::empty()), &allowed);
    }
    if r.report.errors() > before {
        return None;
    }
    let id = id?;
    let span = id.span();
    Some((
        Step {
            id: id.into_inner(),
            image,
            sound,
            next: None,
            body: body?,
        },
        span,
    ))
}

fn unique(r: &mut Reader<'_>, seen: &mut Vec<String>, id: &Spanned<String>, what: &str) {
    if seen.contains(id.get_ref()) {
        r.error(
            &id.span(),
            Msg::new(
                format!("deux {what} ont l'id « {} »", id.get_ref()),
                format!("two {what} have id \"{}\"", id.get_ref()),
            ),
        );
    } else {
        seen.push(id.get_ref().clone());
    }
}

fn read_options(
    r: &mut Reader<'_>,
    t: &mut Tbl<'_, '_>,
    skills: &SkillSet,
    step: usize,
    pending: &mut Vec<(usize, Option<usize>, Pending)>,
) -> Vec<Opt> {
    let mut seen = vec![];
    let mut out = vec![];
    for mut o in r.tables(t, "option", true) {
        let id = r.id(&mut o, "id", true);
        if let Some(id) = &id {
            unique(r, &mut seen, id, "réponses");
        }
        let label = r.text(&mut o, "label", true);
        let w = weights(r, &mut o, "weights", skills, false);
        if let Some(p) = next_of(r, &mut o) {
            pending.push((step, Some(out.len()), p));
        }
        r.finish(o, &["id", "label", "weights", "next"]);
        if let (Some(id), Some(label)) = (id, label) {
            out.push(Opt {
                id: id.into_inner(),
                label,
                weights: w,
                next: None,
            });
        }
    }
    out
}

fn read_bins(r: &mut Reader<'_>, t: &mut Tbl<'_, '_>) -> Vec<Bin> {
    let mut seen = vec![];
    let mut out = vec![];
    for mut b in r.tables(t, "bin", false) {
        let id = r.id(&mut b, "id", true);
        if let Some(id) = &id {
            unique(r, &mut seen, id, "bacs");
        }
        let label = r.text(&mut b, "label", true);
        r.finish(b, &["id", "label"]);
        if let (Some(id), Some(label)) = (id, label) {
            out.push(Bin {
                id: id.into_inner(),
                label,
            });
        }
    }
    out
}

fn read_items(r: &mut Reader<'_>, t: &mut Tbl<'_, '_>, bins: &[Bin], need_bin: bool) -> Vec<Item> {
    let mut seen = vec![];
    let mut out = vec![];
    for mut it in r.tables(t, "item", true) {
        let id = r.id(&mut it, "id", true);
        if let Some(id) = &id {
            unique(r, &mut seen, id, "objets");
        }
        let label = r.text(&mut it, "label", true);
        let bin = r.id(&mut it, "bin", need_bin);
        if let Some(b) = &bin {
            if !need_bin {
                r.error(
                    &b.span(),
                    Msg::new(
                        "en mode « order », les objets n'ont pas de bac",
                        "in \"order\" mode, items have no bin",
                    ),
                );
            } else if !bins.iter().any(|x| &x.id == b.get_ref()) {
                let hint = match did_you_mean(b.get_ref(), bins.iter().map(|x| x.id.as_str())) {
                    Some(s) => Msg::new(
                        format!("vouliez-vous dire « {s} » ?"),
                        format!("did you mean \"{s}\"?"),
                    ),
                    None => Msg::new(
                        "déclarez ce bac avec [[step.bin]]",
                        "declare this bin with [[step.bin]]",
                    ),
                };
                r.error_hint(
                    &b.span(),
                    Msg::new(
                        format!("bac inconnu « {} »", b.get_ref()),
                        format!("unknown bin \"{}\"", b.get_ref()),
                    ),
                    hint,
                );
            }
        }
        r.finish(it, &["id", "label", "bin"]);
        if let (Some(id), Some(label)) = (id, label) {
            out.push(Item {
                id: id.into_inner(),
                label,
                bin: bin.map(Spanned::into_inner),
            });
        }
    }
    out
}

fn read_zones(r: &mut Reader<'_>, t: &mut Tbl<'_, '_>) -> Vec<Zone> {
    let mut seen = vec![];
    let mut out = vec![];
    for mut z in r.tables(t, "zone", true) {
        let id = r.id(&mut z, "id", true);
        if let Some(id) = &id {
            unique(r, &mut seen, id, "zones");
        }
        let rect = r.take(&mut z, "rect", true).and_then(|v| {
            let nums: Option<Vec<u32>> = match v.get_ref() {
                DeValue::Array(a) if a.len() == 4 => a
                    .iter()
                    .map(|n| match n.get_ref() {
                        DeValue::Integer(i) => i.as_str().replace('_', "").parse::<u32>().ok(),
                        _ => None,
                    })
                    .collect(),
                _ => None,
            };
            let rect = nums
                .and_then(|n| <[u32; 4]>::try_from(n).ok())
                .filter(|[_, _, w, h]| *w > 0 && *h > 0);
            if rect.is_none() {
                r.error_hint(
                    &v.span(),
                    Msg::new(
                        "« rect » doit donner 4 nombres : x, y, largeur, hauteur",
                        "\"rect\" must give 4 numbers: x, y, width, height",
                    ),
                    Msg::new(
                        "ex. rect = [120, 640, 200, 160], en pixels de l'image",
                        "e.g. rect = [120, 640, 200, 160], in image pixels",
                    ),
                );
            }
            rect
        });
        let target = r.boolean(&mut z, "target", false).unwrap_or(false);
        let feedback = r.text(&mut z, "feedback", false);
        r.finish(z, &["id", "rect", "target", "feedback"]);
        if let (Some(id), Some(rect)) = (id, rect) {
            out.push(Zone {
                id: id.into_inner(),
                rect,
                target,
                feedback,
            });
        }
    }
    out
}

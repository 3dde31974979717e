//! Loads a whole scenario folder (skills, catalogue, scenarios) and the station configs,
//! and runs the checks that span files: ids, jumps, assets, durations and coverage.

use crate::content::ContentError;
use crate::content::diag::did_you_mean;
use crate::content::diag::{Diagnostic, Msg, Report};
use crate::content::files::{
    ConfigSpans, OfferSpans, TradeSpans, is_tour, read_catalogue, read_config_spanned,
    read_skills_spanned, read_tour_spanned,
};
use crate::content::reader::{Reader, Source};
use crate::content::scenario::{self as sc, AssetKind};
use crate::domain::catalogue::Catalogue;
use crate::domain::config::{StationConfig, Tour};
use crate::domain::scenario::{Kind, Next, Scenario, StepBody};
use crate::domain::skills::SkillSet;
use crate::domain::text::{Lang, Variant};
use crate::fsio;
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::path::{Path, PathBuf};

/// The skill list's file name.
pub const SKILLS_FILE: &str = "savoir-etre.toml";
/// The catalogue's file name.
pub const TRADES_FILE: &str = "trades.toml";
/// A scenario's file name inside its folder.
pub const SCENARIO_FILE: &str = "scenario.toml";
/// Files larger than this are refused rather than read.
const MAX_FILE: u64 = 4 << 20;

/// Everything a station plays.
#[derive(Clone, Debug, Default)]
pub struct ContentSet {
    /// The scenario folder.
    pub root: PathBuf,
    /// Declared soft skills.
    pub skills: SkillSet,
    /// The trade catalogue.
    pub catalogue: Catalogue,
    /// The scenarios, sorted by id.
    pub scenarios: Vec<Scenario>,
    /// Each scenario's folder, in the same order.
    pub folders: Vec<PathBuf>,
}

impl ContentSet {
    /// The scenario with an id.
    pub fn scenario(&self, id: &str) -> Option<&Scenario> {
        self.scenarios.iter().find(|s| s.id == id)
    }

    /// A scenario's folder.
    pub fn folder(&self, id: &str) -> Option<&Path> {
        self.scenarios
            .iter()
            .position(|s| s.id == id)
            .map(|i| self.folders[i].as_path())
    }

    /// Loads a folder, failing with the report when it has errors.
    #[expect(
        clippy::result_large_err,
        reason = "called once at start-up; the caller renders the findings"
    )]
    pub fn load(dir: &Path) -> Result<ContentSet, Validation> {
        let v = load_content(dir, &Options::default());
        if v.report.errors() == 0 {
            Ok(v.set)
        } else {
            Err(v)
        }
    }
}

/// What to check beyond the files themselves.
#[derive(Clone, Debug)]
pub struct Options {
    /// Open each image and sound header to check it decodes.
    pub assets: bool,
    /// Count narration files.
    pub narration: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            assets: true,
            narration: true,
        }
    }
}

/// Text and narration coverage of one scenario.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Scenario id.
    pub scenario: String,
    /// Visitor-facing texts.
    pub texts: usize,
    /// Of which with English.
    pub en: usize,
    /// Of which with easy French.
    pub facile: usize,
    /// Narration files expected (one per written variant).
    pub voices: usize,
    /// Of which present (recorded or generated).
    pub narrated: usize,
}

/// The outcome of loading and checking.
#[derive(Clone, Debug, Default)]
pub struct Validation {
    /// What could be loaded (complete only when there are no errors).
    pub set: ContentSet,
    /// Station configs read.
    pub configs: Vec<(PathBuf, StationConfig)>,
    /// Tours read.
    pub tours: Vec<(PathBuf, Tour)>,
    /// The findings.
    pub report: Report,
    /// The files read, for rendering findings.
    pub sources: BTreeMap<PathBuf, Vec<u8>>,
    /// Per-scenario coverage.
    pub coverage: Vec<Coverage>,
    /// Where each trade's facts were written, in catalogue order.
    pub trade_spans: Vec<TradeSpans>,
    /// Where each skill's code was written, in skill order.
    pub skill_spans: Vec<Range<usize>>,
    /// Where each config's references were written, in `configs` order.
    pub config_spans: Vec<ConfigSpans>,
    /// Where each tour's offers name trades, in `tours` order.
    pub tour_spans: Vec<OfferSpans>,
    /// Ids of trades and folder names of scenarios written but not loaded because of
    /// errors: references to them are not reported a second time.
    pub broken: Vec<String>,
    /// The skill list has errors: unknown skill ids elsewhere are not reported again.
    pub skills_broken: bool,
    /// The catalogue could not be parsed: unknown trade ids elsewhere are not reported.
    pub trades_broken: bool,
}

impl Validation {
    /// Reads a file named on the command line or in a config: a link as its last
    /// component, a pipe, a device or more than 4 MB are refused.
    fn read(&mut self, path: &Path) -> Option<Source> {
        let bytes = fsio::open_regular(path).and_then(|f| fsio::read_capped(f, MAX_FILE));
        self.take_source(path, bytes)
    }

    /// Reads `rel` inside the content folder `root`, with no symbolic link on the way.
    fn read_in(&mut self, root: &Path, rel: &Path) -> Option<Source> {
        let bytes = fsio::open_beneath(root, rel).and_then(|f| fsio::read_capped(f, MAX_FILE));
        self.take_source(&root.join(rel), bytes)
    }

    fn take_source(
        &mut self,
        path: &Path,
        bytes: Result<Vec<u8>, fsio::FsError>,
    ) -> Option<Source> {
        match bytes {
            Ok(bytes) => {
                self.sources.insert(path.to_owned(), bytes.clone());
                match Source::new(path, bytes) {
                    Ok(s) => Some(s),
                    Err(d) => {
                        self.report.push(d);
                        None
                    }
                }
            }
            Err(e) => {
                let mut d = Diagnostic::error(path, None, Msg::new(e.fr(), e.en()));
                if matches!(e, fsio::FsError::NotFound | fsio::FsError::Io(_)) {
                    d = d.with_hint(Msg::new(
                        "vérifiez que le fichier existe et que son nom est exact",
                        "check that the file exists and its name is right",
                    ));
                }
                self.report.push(d);
                None
            }
        }
    }

    /// Renders every finding, errors first within each file.
    pub fn render(&self, lang: Lang) -> String {
        let mut out = String::new();
        for d in &self.report.diags {
            out.push_str(&d.render(self.sources.get(&d.file).map(Vec::as_slice), lang));
            out.push('\n');
        }
        out
    }
}

/// Loads and checks a scenario folder: `savoir-etre.toml`, `trades.toml` and every
/// `*/scenario.toml`.
pub fn load_content(dir: &Path, opts: &Options) -> Validation {
    let mut v = Validation {
        set: ContentSet {
            root: dir.to_owned(),
            ..Default::default()
        },
        ..Default::default()
    };
    let before = v.report.errors();
    if let Some(src) = v.read_in(dir, Path::new(SKILLS_FILE)) {
        let mut r = Reader::new(&src, &mut v.report);
        if let Some(doc) = r.parse(&src) {
            let mut root = r.root(&doc);
            let (skills, spans) = read_skills_spanned(&mut r, &mut root);
            v.set.skills = skills;
            v.skill_spans = spans;
        }
    }
    v.skills_broken = v.report.errors() > before;
    let trades_path = dir.join(TRADES_FILE);
    if let Some(src) = v.read_in(dir, Path::new(TRADES_FILE)) {
        let mut r = Reader::new(&src, &mut v.report);
        r.skills_broken = v.skills_broken;
        if let Some(doc) = r.parse(&src) {
            let mut root = r.root(&doc);
            let read = read_catalogue(&mut r, &mut root, &v.set.skills);
            v.set.catalogue = read.catalogue;
            v.trade_spans = read.spans;
            v.broken.extend(read.broken);
        } else {
            v.trades_broken = true;
        }
    } else {
        v.trades_broken = true;
    }
    // A folder holding anything named `scenario.toml` is a scenario: what that entry really
    // is (a pipe, a link) is for the reader to refuse with a message, not to skip silently.
    let mut folders: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| std::fs::symlink_metadata(p.join(SCENARIO_FILE)).is_ok())
                .collect()
        })
        .unwrap_or_default();
    folders.sort();
    let mut loaded = vec![];
    for folder in folders {
        let path = folder.join(SCENARIO_FILE);
        let name = folder.file_name().unwrap_or_default().to_owned();
        if let Some(l) = load_scenario_file(&mut v, dir, Path::new(&name), opts) {
            loaded.push((folder, path, l));
        } else if let Some(name) = name.to_str() {
            v.broken.push(name.to_owned());
        }
    }
    let trade_spans = std::mem::take(&mut v.trade_spans);
    cross_check(&mut v, &trades_path, &trade_spans, &mut loaded);
    v.trade_spans = trade_spans;
    for (folder, _, l) in loaded {
        v.set.scenarios.push(l.scenario);
        v.set.folders.push(folder);
    }
    v
}

/// Loads `root/name/scenario.toml`; a link anywhere below `root` is refused.
fn load_scenario_file(
    v: &mut Validation,
    root: &Path,
    name: &Path,
    opts: &Options,
) -> Option<sc::Loaded> {
    let src = v.read_in(root, &name.join(SCENARIO_FILE))?;
    let path = &root.join(name).join(SCENARIO_FILE);
    let mut r = Reader::new(&src, &mut v.report);
    r.skills_broken = v.skills_broken;
    let doc = r.parse(&src)?;
    let mut root = r.root(&doc);
    let loaded = sc::read(&mut r, &mut root, &v.set.skills)?;
    let folder = path.parent().unwrap_or(Path::new("."));
    check_graph(v, path, &loaded);
    check_duration(v, path, &loaded);
    if opts.assets {
        check_assets(v, path, folder, &loaded);
    }
    v.coverage
        .push(coverage(folder, &loaded.scenario, opts.narration));
    let c = v.coverage.last().cloned().unwrap_or_default();
    if opts.narration && c.narrated < c.voices {
        v.report.push(
            Diagnostic::warning(
                path,
                Some(loaded.header_span.clone()),
                Msg::new(
                    format!(
                        "{} texte(s) sur {} n'ont pas de fichier de voix (lecture à voix haute)",
                        c.voices - c.narrated,
                        c.voices
                    ),
                    format!(
                        "{} of {} texts have no narration file (read-aloud)",
                        c.voices - c.narrated,
                        c.voices
                    ),
                ),
            )
            .with_hint(Msg::new(
                "lancez « klub narrate » pour les créer, ou enregistrez-les dans voix/",
                "run \"klub narrate\" to make them, or record them in voix/",
            )),
        );
    }
    Some(loaded)
}

/// Every path from the first step ends: no jump closes a loop, and every target exists.
fn check_graph(v: &mut Validation, path: &Path, l: &sc::Loaded) {
    let s = &l.scenario;
    let n = s.steps.len();
    let succ = |i: usize| -> Vec<usize> {
        let mut out = vec![];
        let mut add = |nx: Next| {
            if let Next::Step(j) = nx {
                out.push(j);
            }
        };
        add(s.default_next(i));
        if let StepBody::Choice { options, .. } | StepBody::Multi { options, .. } = &s.steps[i].body
        {
            for o in options {
                if let Some(nx) = o.next {
                    add(nx);
                }
            }
        }
        out
    };
    // Iterative DFS with colours; a grey target is a loop.
    let mut colour = vec![0u8; n];
    let mut reported = false;
    if n > 0 {
        let mut stack = vec![(0usize, succ(0), 0usize)];
        colour[0] = 1;
        while let Some((node, next, k)) = stack.last_mut() {
            if *k < next.len() {
                let j = next[*k];
                *k += 1;
                if colour[j] == 1 && !reported {
                    reported = true;
                    let from = *node;
                    // Point at the `next` that closes the loop.
                    let at = l
                        .next_spans
                        .iter()
                        .find(|(s, _, t, _)| *s == from && *t == j)
                        .map_or_else(|| l.step_spans[from].clone(), |(_, _, _, sp)| sp.clone());
                    let mut chain: Vec<&str> = stack
                        .iter()
                        .map(|(i, _, _)| s.steps[*i].id.as_str())
                        .skip_while(|id| *id != s.steps[j].id)
                        .collect();
                    chain.push(&s.steps[j].id);
                    v.report.push(
                        Diagnostic::error(path, Some(at), Msg::new(
                            format!("boucle sans fin : {}", chain.join(" → ")),
                            format!("endless loop: {}", chain.join(" → ")),
                        ))
                        .with_hint(Msg::new(
                            format!("un « next » de l'étape « {} » ramène en arrière : faites-le pointer plus loin, ou vers « fin »", s.steps[from].id),
                            format!("a \"next\" of step \"{}\" leads back: point it further on, or to \"fin\"", s.steps[from].id),
                        )),
                    );
                } else if colour[j] == 0 {
                    colour[j] = 1;
                    stack.push((j, succ(j), 0));
                }
            } else {
                colour[*node] = 2;
                stack.pop();
            }
        }
    }
    for (i, c) in colour.iter().enumerate() {
        if *c == 0 {
            v.report.push(Diagnostic::warning(
                path,
                Some(l.step_spans[i].clone()),
                Msg::new(
                    format!("l'étape « {} » n'est jamais atteinte", s.steps[i].id),
                    format!("step \"{}\" is never reached", s.steps[i].id),
                ),
            ));
        }
    }
}

fn check_duration(v: &mut Validation, path: &Path, l: &sc::Loaded) {
    let est = l.scenario.estimated_seconds();
    let stated = l.scenario.duration_minutes * 60;
    if est > stated {
        v.report.push(
            Diagnostic::warning(
                path,
                Some(l.header_span.clone()),
                Msg::new(
                    format!(
                        "le scénario dure environ {} min {:02} s, plus que les {} min annoncées",
                        est / 60,
                        est % 60,
                        l.scenario.duration_minutes
                    ),
                    format!(
                        "the scenario takes about {} min {:02} s, longer than the stated {} min",
                        est / 60,
                        est % 60,
                        l.scenario.duration_minutes
                    ),
                ),
            )
            .with_hint(Msg::new(
                "raccourcissez-le ou augmentez duration_minutes",
                "shorten it or raise duration_minutes",
            )),
        );
    }
}

/// Largest picture a step may show, in pixels.
pub const MAX_IMAGE: (u32, u32) = (4096, 4096);
/// Largest panorama strip, in pixels.
pub const MAX_PANORAMA: (u32, u32) = (8192, 1080);
/// Largest sound file read whole (narration, step sounds, ambience).
pub const MAX_SOUND: u64 = 64 << 20;

/// Width and height of a PNG, read from its header only; the decoder refuses a header
/// declaring more than `max` before anything is allocated.
pub fn png_size(file: std::fs::File, max: (u32, u32)) -> Result<(u32, u32), ContentError> {
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max.0);
    limits.max_image_height = Some(max.1);
    let mut reader =
        image::ImageReader::new(std::io::BufReader::new(file)).with_guessed_format()?;
    if reader.format() != Some(image::ImageFormat::Png) {
        return Err(ContentError::NotPng);
    }
    reader.limits(limits);
    reader.into_dimensions().map_err(|e| match e {
        image::ImageError::Limits(_) => ContentError::TooLarge(max.0, max.1),
        e => ContentError::Image(e),
    })
}

/// Checks a WAV header: RIFF/WAVE with a PCM `fmt ` chunk and a `data` chunk.
pub fn wav_ok(file: std::fs::File) -> Result<(), ContentError> {
    use std::io::Read;
    let mut head = Vec::with_capacity(4096);
    file.take(4096).read_to_end(&mut head)?;
    let n = head.len();
    if n < 12 || &head[0..4] != b"RIFF" || &head[8..12] != b"WAVE" {
        return Err(ContentError::NotWav);
    }
    let (mut at, mut fmt, mut data) = (12, false, false);
    while at + 8 <= n {
        let id = &head[at..at + 4];
        let len =
            u32::from_le_bytes([head[at + 4], head[at + 5], head[at + 6], head[at + 7]]) as usize;
        if id == b"fmt " {
            fmt = at + 10 <= n
                && matches!(
                    u16::from_le_bytes([head[at + 8], head[at + 9]]),
                    1 | 3 | 0xFFFE
                );
        }
        if id == b"data" {
            data = true;
            break;
        }
        at += 8 + len + (len & 1);
    }
    if fmt && data {
        Ok(())
    } else {
        Err(ContentError::WavHeader)
    }
}

fn check_assets(v: &mut Validation, path: &Path, folder: &Path, l: &sc::Loaded) {
    let mut sizes: HashMap<&str, (u32, u32)> = HashMap::new();
    for a in &l.assets {
        let bad = |v: &mut Validation, fr: String, en: String, hint: Msg| {
            v.report.push(
                Diagnostic::error(path, Some(a.span.clone()), Msg::new(fr, en)).with_hint(hint),
            );
        };
        let file = match fsio::open_beneath(folder, Path::new(&a.path)) {
            Ok(f) => f,
            Err(fsio::FsError::NotFound) => {
                bad(
                    v,
                    format!("fichier introuvable « {} »", a.path),
                    format!("file not found \"{}\"", a.path),
                    Msg::new(
                        "le chemin part du dossier du scénario ; vérifiez le nom et les majuscules",
                        "the path starts at the scenario folder; check the name and capitals",
                    ),
                );
                continue;
            }
            Err(e) => {
                bad(
                    v,
                    format!("fichier refusé « {} » : {}", a.path, e.fr()),
                    format!("file refused \"{}\": {}", a.path, e.en()),
                    Msg::new(
                        "mettez le fichier lui-même dans le dossier du scénario (pas de lien symbolique)",
                        "put the file itself in the scenario folder (no symbolic link)",
                    ),
                );
                continue;
            }
        };
        match a.kind {
            AssetKind::Image => {
                let max = if a.panorama { MAX_PANORAMA } else { MAX_IMAGE };
                match png_size(file, max) {
                    Ok((w, h)) => {
                        sizes.insert(a.path.as_str(), (w, h));
                    }
                    Err(e) => bad(
                        v,
                        format!("image illisible « {} » : {e}", a.path),
                        format!("unreadable image \"{}\": {e}", a.path),
                        Msg::new(
                            format!(
                                "enregistrez l'image au format PNG, au plus {}×{} pixels",
                                max.0, max.1
                            ),
                            format!("save the image as PNG, at most {}×{} pixels", max.0, max.1),
                        ),
                    ),
                }
            }
            AssetKind::Sound => {
                if let Err(e) = wav_ok(file) {
                    bad(
                        v,
                        format!("son illisible « {} » : {e}", a.path),
                        format!("unreadable sound \"{}\": {e}", a.path),
                        Msg::new("enregistrez le son au format WAV", "save the sound as WAV"),
                    );
                }
            }
        }
    }
    for (i, step) in l.scenario.steps.iter().enumerate() {
        let (StepBody::Hotspot { zones, .. } | StepBody::Panorama { zones, .. }) = &step.body
        else {
            continue;
        };
        let Some(&(w, h)) = step.image.as_deref().and_then(|p| sizes.get(p)) else {
            continue;
        };
        for z in zones {
            let [x, y, zw, zh] = z.rect;
            if x.saturating_add(zw) > w || y.saturating_add(zh) > h {
                v.report.push(Diagnostic::error(
                    path,
                    Some(l.step_spans[i].clone()),
                    Msg::new(
                        format!("la zone « {} » dépasse de l'image ({w}×{h})", z.id),
                        format!("zone \"{}\" goes beyond the image ({w}×{h})", z.id),
                    ),
                ));
            }
        }
    }
}

/// Where a narration file is, if any: a recorded one in `voix/` wins over `voix/auto/`.
/// A link or a pipe does not count.
pub fn narration_file(folder: &Path, key: &str, variant: Variant) -> Option<PathBuf> {
    let name = format!("{key}.{}.wav", variant.code());
    [
        Path::new("voix").join(&name),
        Path::new("voix/auto").join(&name),
    ]
    .into_iter()
    .find(|rel| fsio::open_beneath(folder, rel).is_ok())
    .map(|rel| folder.join(rel))
}

/// Every visitor-facing text of a scenario with its narration key.
pub fn scenario_texts(s: &Scenario) -> Vec<(String, &crate::domain::text::Text)> {
    let mut out = vec![("title".to_owned(), &s.title)];
    for step in &s.steps {
        out.extend(step.texts());
    }
    out
}

fn coverage(folder: &Path, s: &Scenario, narration: bool) -> Coverage {
    let texts = scenario_texts(s);
    let mut c = Coverage {
        scenario: s.id.clone(),
        texts: texts.len(),
        ..Default::default()
    };
    for (key, t) in &texts {
        c.en += usize::from(t.en.is_some());
        c.facile += usize::from(t.facile.is_some());
        for variant in Variant::ALL {
            if t.variant(variant).is_some() {
                c.voices += 1;
                if narration && narration_file(folder, key, variant).is_some() {
                    c.narrated += 1;
                }
            }
        }
    }
    c
}

fn cross_check(
    v: &mut Validation,
    trades_path: &Path,
    spans: &[TradeSpans],
    loaded: &mut [(PathBuf, PathBuf, sc::Loaded)],
) {
    let mut seen: HashMap<String, PathBuf> = HashMap::new();
    for (folder, path, l) in loaded.iter() {
        let s = &l.scenario;
        if let Some(other) = seen.get(&s.id) {
            v.report.push(Diagnostic::error(
                path,
                Some(l.header_span.clone()),
                Msg::new(
                    format!("l'id « {} » est déjà pris par {}", s.id, other.display()),
                    format!("id \"{}\" is already used by {}", s.id, other.display()),
                ),
            ));
        }
        seen.insert(s.id.clone(), path.clone());
        if folder.file_name().and_then(|f| f.to_str()) != Some(s.id.as_str()) {
            v.report.push(Diagnostic::warning(
                path,
                Some(l.header_span.clone()),
                Msg::new(
                    format!(
                        "le dossier s'appelle « {} » mais le scénario « {} »",
                        folder.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                        s.id
                    ),
                    format!(
                        "the folder is named \"{}\" but the scenario \"{}\"",
                        folder.file_name().and_then(|f| f.to_str()).unwrap_or(""),
                        s.id
                    ),
                ),
            ));
        }
        if let (Some(t), Some(span)) = (&s.trade, &l.trade_span) {
            if v.set.catalogue.get(t).is_none() && !v.broken.contains(t) && !v.trades_broken {
                let hint = crate::content::diag::did_you_mean(
                    t,
                    v.set.catalogue.trades.iter().map(|x| x.id.as_str()),
                );
                let mut d = Diagnostic::error(
                    path,
                    Some(span.clone()),
                    Msg::new(
                        format!("métier inconnu « {t} »"),
                        format!("unknown trade \"{t}\""),
                    ),
                );
                if let Some(h) = hint {
                    d = d.with_hint(Msg::new(
                        format!("vouliez-vous dire « {h} » ?"),
                        format!("did you mean \"{h}\"?"),
                    ));
                }
                v.report.push(d);
            }
        } else if s.kind == Kind::Immersion {
            v.report.push(Diagnostic::warning(
                path,
                Some(l.header_span.clone()),
                Msg::new(
                    "immersion sans métier : ajoutez trade = \"…\"",
                    "immersion without a trade: add trade = \"…\"",
                ),
            ));
        }
    }
    for (t, sp) in v.set.catalogue.trades.iter().zip(spans) {
        if let (Some(imm), Some(span)) = (&t.immersion, &sp.immersion) {
            match loaded.iter().find(|(_, _, l)| &l.scenario.id == imm) {
                Some((_, _, l)) if l.scenario.kind == Kind::Immersion => {}
                None if v.broken.contains(imm) => {}
                Some(_) => v.report.push(Diagnostic::error(
                    trades_path,
                    Some(span.clone()),
                    Msg::new(
                        format!("« {imm} » n'est pas une immersion"),
                        format!("\"{imm}\" is not an immersion"),
                    ),
                )),
                None => v.report.push(Diagnostic::error(
                    trades_path,
                    Some(span.clone()),
                    Msg::new(
                        format!("scénario d'immersion inconnu « {imm} »"),
                        format!("unknown immersion scenario \"{imm}\""),
                    ),
                )),
            }
        }
    }
}

/// Loads a station config or a tour file, reporting into `v`.
pub fn load_kiosk_file(v: &mut Validation, path: &Path) {
    let Some(src) = v.read(path) else { return };
    let mut r = Reader::new(&src, &mut v.report);
    let Some(doc) = r.parse(&src) else { return };
    let mut root = r.root(&doc);
    if is_tour(&root) {
        let (tour, spans) = read_tour_spanned(&mut r, &mut root);
        v.tours.push((path.to_owned(), tour));
        v.tour_spans.push(spans);
    } else {
        let (cfg, spans) = read_config_spanned(&mut r, &mut root);
        v.configs.push((path.to_owned(), cfg));
        v.config_spans.push(spans);
    }
}

/// Checks configs against the content and tours they refer to.
pub fn check_configs(v: &mut Validation) {
    let mut extra = vec![];
    let suggest = |word: &str, candidates: Vec<&str>, fr: &str, en: &str| match did_you_mean(
        word,
        candidates.iter().copied(),
    ) {
        Some(s) => Msg::new(
            format!("vouliez-vous dire « {s} » ?"),
            format!("did you mean \"{s}\"?"),
        ),
        None if candidates.len() <= 12 => Msg::new(
            format!("{fr} : {}", candidates.join(", ")),
            format!("{en}: {}", candidates.join(", ")),
        ),
        None => Msg::new(fr, en),
    };
    for (i, (path, cfg)) in v.configs.iter().enumerate() {
        let spans = v.config_spans.get(i);
        for (k, id) in cfg.scenarios.iter().enumerate() {
            if !v.set.scenarios.is_empty() && v.set.scenario(id).is_none() {
                let ids = v.set.scenarios.iter().map(|s| s.id.as_str()).collect();
                extra.push(
                    Diagnostic::error(
                        path,
                        spans.and_then(|s| s.scenarios.get(k).cloned()),
                        Msg::new(
                            format!("scénario activé inconnu « {id} »"),
                            format!("enabled scenario \"{id}\" is unknown"),
                        ),
                    )
                    .with_hint(suggest(
                        id,
                        ids,
                        "les scénarios du dossier",
                        "the folder's scenarios",
                    )),
                );
            }
        }
        if cfg.uses_demo_key() {
            extra.push(
                Diagnostic::warning(
                    path,
                    None,
                    Msg::new(
                        "la clé de flotte est la clé de démonstration",
                        "the fleet key is the demo key",
                    ),
                )
                .with_hint(Msg::new(
                    "avant une vraie tournée : klub key new",
                    "before a real tour: klub key new",
                )),
            );
        }
        if !cfg.stop.is_empty()
            && !v.tours.is_empty()
            && !v
                .tours
                .iter()
                .any(|(_, t)| t.stops.iter().any(|s| s.id == cfg.stop))
        {
            let stops = v
                .tours
                .iter()
                .flat_map(|(_, t)| t.stops.iter().map(|s| s.id.as_str()))
                .collect();
            let tours: Vec<String> = v
                .tours
                .iter()
                .filter_map(|(p, _)| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .collect();
            let tours = tours.join(", ");
            extra.push(
                Diagnostic::error(
                    path,
                    spans.and_then(|s| s.stop.clone()),
                    Msg::new(
                        format!("étape de tournée inconnue « {} »", cfg.stop),
                        format!("unknown tour stop \"{}\"", cfg.stop),
                    ),
                )
                .with_hint(suggest(
                    &cfg.stop,
                    stops,
                    &format!("les étapes de {tours}"),
                    &format!("the stops of {tours}"),
                )),
            );
        }
    }
    for (i, (path, tour)) in v.tours.iter().enumerate() {
        let spans = v.tour_spans.get(i);
        for stop in &tour.stops {
            for o in &stop.offers {
                if let Some(t) = &o.trade
                    && !v.set.catalogue.trades.is_empty()
                    && v.set.catalogue.get(t).is_none()
                    && !v.broken.contains(t)
                {
                    let span = spans.and_then(|s| {
                        s.iter()
                            .find(|(st, tr, _)| *st == stop.id && tr == t)
                            .map(|(_, _, sp)| sp.clone())
                    });
                    let ids = v
                        .set
                        .catalogue
                        .trades
                        .iter()
                        .map(|x| x.id.as_str())
                        .collect();
                    extra.push(
                        Diagnostic::error(
                            path,
                            span,
                            Msg::new(
                                format!("offre de « {} » : métier inconnu « {t} »", stop.id),
                                format!("offer at \"{}\": unknown trade \"{t}\"", stop.id),
                            ),
                        )
                        .with_hint(suggest(
                            t,
                            ids,
                            "les métiers de trades.toml",
                            "the trades of trades.toml",
                        )),
                    );
                }
            }
        }
    }
    for d in extra {
        v.report.push(d);
    }
}

//! `klub pass inspect|sample`, `klub qr` and `klub key new`: passes, QR codes and fleet keys.

use crate::cli::{CliError, CliResult};
use crate::content::set::{ContentSet, Validation, load_kiosk_file};
use crate::domain::config::{Situation, StationConfig};
use crate::domain::dimension::{Area, Dim};
use crate::domain::pass::{FleetKey, Pass, PassError, PassId, Policy, Verdict, Visit, stop_code};
use crate::domain::scenario::{Scenario, StepBody};
use crate::domain::scoring::{Answer, Profile};
use crate::domain::session::{Session, SessionId, Source, fits};
use crate::domain::text::{Lang, Variant};
use crate::media::qr::Qr;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `klub pass`.
#[derive(Debug, clap::Args)]
pub struct PassArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: PassCommand,
}

/// Where the key and the catalogue come from.
#[derive(Debug, clap::Args)]
pub struct Setup {
    /// Station config giving the fleet key, base URL and stop (default: the demo key).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Scenario folder giving the catalogue.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
}

/// `klub pass` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum PassCommand {
    /// Décode et vérifie un pass ou une adresse de résultats / Decode and verify a pass or results URL.
    Inspect {
        /// The pass, or the whole take-home URL.
        text: String,
        /// Where the key and the catalogue come from.
        #[command(flatten)]
        setup: Setup,
    },
    /// Simule un visiteur et affiche son pass ; la dernière ligne est l'adresse / Play a sample visitor; the last line is the URL.
    Sample {
        /// Seed: the same seed gives the same visitor and pass id (default: random).
        #[arg(long)]
        seed: Option<u64>,
        /// Issue time in minutes since 1970-01-01 UTC (default: now).
        #[arg(long)]
        time: Option<u32>,
        /// Where the key and the catalogue come from.
        #[command(flatten)]
        setup: Setup,
    },
}

/// Arguments of `klub qr`.
#[derive(Debug, clap::Args)]
pub struct QrArgs {
    /// The text to encode.
    pub text: String,
    /// Output file, `.png` or `.svg`.
    #[arg(short, long)]
    pub output: PathBuf,
    /// Pixels per module.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub px: u32,
}

/// Arguments of `klub key`.
#[derive(Debug, clap::Args)]
pub struct KeyArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: KeyCommand,
}

/// `klub key` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KeyCommand {
    /// Crée une clé de flotte et son numéro / Create a fleet key and its id.
    New {
        /// Key id, 0–255 (default: random); give each new key another id than the last.
        #[arg(long)]
        id: Option<u8>,
    },
}

fn msg(lang: Lang, fr: &str, english: &str) -> String {
    lang.pick(fr.into(), english.into())
}

/// Minutes since the Unix epoch, now.
pub fn now_minutes() -> u32 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u32::try_from(d.as_secs() / 60).unwrap_or(u32::MAX))
}

/// `YYYY-MM-DD HH:MM UTC` for minutes since the epoch (proleptic Gregorian).
pub fn format_minutes(min: u32) -> String {
    let days = i64::from(min / 1440);
    let (h, m) = ((min % 1440) / 60, min % 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let mo = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(mo <= 2);
    format!("{y:04}-{mo:02}-{d:02} {h:02}:{m:02} UTC")
}

/// Loads a station config file, or the defaults (demo key) without one.
fn load_config(path: Option<&Path>, lang: Lang) -> Result<StationConfig, CliError> {
    let Some(path) = path else {
        return Ok(StationConfig::default());
    };
    let mut v = Validation::default();
    load_kiosk_file(&mut v, path);
    if v.report.errors() > 0 {
        return Err(v.render(lang).into());
    }
    v.configs.pop().map(|(_, c)| c).ok_or_else(|| {
        CliError::Message(msg(
            lang,
            &format!("{} n'est pas une config de borne", path.display()),
            &format!("{} is not a station config", path.display()),
        ))
    })
}

fn load(setup: &Setup, lang: Lang) -> Result<(StationConfig, FleetKey, ContentSet), CliError> {
    let cfg = load_config(setup.config.as_deref(), lang)?;
    let key = FleetKey::from_config(&cfg).ok_or_else(|| {
        msg(
            lang,
            "la clé de flotte de la config est mal formée (64 chiffres hexadécimaux attendus)",
            "the config's fleet key is malformed (64 hex digits expected)",
        )
    })?;
    if cfg.uses_demo_key() {
        eprintln!(
            "{}",
            msg(
                lang,
                "attention : clé de démonstration (publique) ; avant une vraie tournée : klub key new",
                "warning: demo key (public); before a real tour: klub key new"
            )
        );
    }
    let set = ContentSet::load(&setup.scenarios).map_err(|v| v.render(lang))?;
    Ok((cfg, key, set))
}

/// Runs `klub pass …`.
pub fn run_pass(args: &PassArgs, lang: Lang) -> CliResult {
    match &args.command {
        PassCommand::Inspect { text, setup } => inspect(text, setup, lang),
        PassCommand::Sample { seed, time, setup } => sample(*seed, *time, setup, lang),
    }
}

fn inspect(text: &str, setup: &Setup, lang: Lang) -> CliResult {
    let (cfg, key, set) = load(setup, lang)?;
    let now = now_minutes();
    let keys = [key];
    let policy = Policy {
        keys: &keys,
        catalogue: set.catalogue.fingerprint(),
        now_min: now,
        max_age_days: cfg.pass_max_age_days,
    };
    let verified = Pass::verify(text, &policy);
    let verdict = Verdict::of(&verified);
    println!("{}", verdict.message(lang));
    let pass = match (&verified, Pass::read_unverified(text)) {
        (Ok(p), _) => p.clone(),
        (Err(PassError::NotAPass | PassError::UnknownVersion(_)), _) | (_, Err(_)) => {
            if let Err(PassError::UnknownVersion(v)) = verified {
                println!("{} {v}", msg(lang, "version :", "version:"));
            }
            return Ok(ExitCode::from(1));
        }
        (Err(_), Ok(p)) => {
            println!(
                "{}",
                msg(lang, "Contenu (non vérifié) :", "Contents (not verified):")
            );
            p
        }
    };
    print!("{}", describe(&pass, &set, &cfg, now, lang));
    Ok(if verdict == Verdict::Valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn area_name(a: Area, lang: Lang) -> String {
    a.verb().get(Variant::for_visitor(lang, false)).to_owned()
}

/// What a pass holds, one field a line.
fn describe(p: &Pass, set: &ContentSet, cfg: &StationConfig, now: u32, lang: Lang) -> String {
    let mut out = String::new();
    let mut line = |fr: &str, english: &str, value: String| {
        out.push_str(&format!("  {:<14} {value}\n", lang.pick(fr, english)));
    };
    line(
        "version",
        "version",
        crate::domain::pass::VERSION.to_string(),
    );
    line("clé", "key id", p.key_id.to_string());
    line("id", "id", p.id.to_string());
    let age = now.saturating_sub(p.issued_min) / 1440;
    line(
        "émis",
        "issued",
        format!(
            "{} ({age} {})",
            format_minutes(p.issued_min),
            msg(lang, "j", "d")
        ),
    );
    let ours = set.catalogue.fingerprint();
    line(
        "catalogue",
        "catalogue",
        format!(
            "{:08x} ({})",
            p.catalogue,
            if p.catalogue == ours {
                msg(lang, "le nôtre", "ours")
            } else {
                msg(
                    lang,
                    &format!("autre ; le nôtre : {ours:08x}"),
                    &format!("other; ours: {ours:08x}"),
                )
            }
        ),
    );
    let stop = match p.stop {
        0 => msg(lang, "aucune", "none"),
        c if c == stop_code(sample_stop(cfg)) => format!("{c:04x} ({})", sample_stop(cfg)),
        c => format!("{c:04x}"),
    };
    line("étape", "stop", stop);
    line(
        "bornes",
        "stations",
        p.stations
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", "),
    );
    line(
        "situation",
        "situation",
        p.situation.map_or_else(
            || msg(lang, "non dite", "not given"),
            |s| s.id().to_string(),
        ),
    );
    let areas: Vec<String> = Area::ALL
        .iter()
        .map(|a| {
            let d = p.areas[a.index()];
            format!("{} {} ({})", area_name(*a, lang), d.score, d.evidence)
        })
        .collect();
    line("domaines", "areas", areas.join(", "));
    let skills: Vec<String> = p
        .skills
        .iter()
        .map(|(i, d)| {
            let name = set
                .skills
                .get(*i)
                .map_or_else(|| format!("#{i}"), |s| s.id.clone());
            format!("{name} {} ({})", d.score, d.evidence)
        })
        .collect();
    line("savoir-être", "soft skills", skills.join(", "));
    let trades = |v: &[u8]| -> String {
        let same = p.catalogue == ours;
        v.iter()
            .map(|i| match set.catalogue.trades.get(usize::from(*i)) {
                Some(t) if same => format!("{} ({})", t.id, t.rome.as_str()),
                _ => format!("#{i}"),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    line("métiers", "top trades", trades(&p.top_trades));
    line("explorés", "explored", trades(&p.explored));
    out
}

/// The config's stop, or the first stop of the example tour for samples without one.
fn sample_stop(cfg: &StationConfig) -> &str {
    if cfg.stop.is_empty() {
        "chartres"
    } else {
        &cfg.stop
    }
}

/// A plausible visitor: how much they like each area, 0–1.
struct Persona {
    likes: [f32; 6],
}

impl Persona {
    fn new(rng: &mut StdRng) -> Persona {
        let mut likes: [f32; 6] = std::array::from_fn(|_| rng.random_range(0.05..0.55));
        // Two favourite areas stand out, as in most real profiles.
        let a = rng.random_range(0..6);
        let b = (a + rng.random_range(1..6)) % 6;
        likes[a] = rng.random_range(0.8..1.0);
        likes[b] = rng.random_range(0.65..0.9);
        Persona { likes }
    }

    fn liking(&self, weights: &crate::domain::dimension::Weights) -> f32 {
        let areas: Vec<f32> = weights
            .0
            .iter()
            .filter_map(|(d, _)| match d {
                Dim::Area(a) => Some(self.likes[a.index()]),
                Dim::Skill(_) => None,
            })
            .collect();
        if areas.is_empty() {
            0.5
        } else {
            areas.iter().sum::<f32>() / areas.len() as f32
        }
    }

    fn answer(&self, body: &StepBody, rng: &mut StdRng) -> Answer {
        let noise = |rng: &mut StdRng| rng.random_range(-0.2f32..0.2);
        match body {
            StepBody::Info { .. } => Answer::Seen,
            StepBody::Choice { options, .. } => Answer::Choice(rng.random_range(0..options.len())),
            StepBody::Multi {
                options, min, max, ..
            } => {
                let n = rng.random_range(usize::from(*min)..=usize::from(*max).min(options.len()));
                let mut idx: Vec<usize> = (0..options.len()).collect();
                for i in 0..n {
                    let j = rng.random_range(i..idx.len());
                    idx.swap(i, j);
                }
                idx.truncate(n);
                Answer::Multi(idx)
            }
            StepBody::Scale {
                points, weights, ..
            } => {
                let top = f32::from(points.saturating_sub(1));
                let v = ((self.liking(weights) + noise(rng)).clamp(0.0, 1.0) * top).round();
                Answer::Scale(v as u8)
            }
            other => {
                let like = other.enjoy().map_or(0.5, |w| self.liking(w)) + noise(rng);
                let total = 6;
                Answer::Game {
                    found: rng.random_range(2..=total),
                    total,
                    enjoy: Some((like.clamp(0.0, 1.0) * 2.0).round() as u8),
                }
            }
        }
    }
}

/// Plays a scenario through the real session engine; returns the profile.
fn play(
    scenario: &Scenario,
    skills: usize,
    persona: &Persona,
    rng: &mut StdRng,
) -> (Profile, usize) {
    let mut t = 0u64;
    let (mut s, _) = Session::start(
        scenario,
        SessionId(rng.random()),
        Source::Simulated,
        Lang::Fr,
        t,
    );
    let mut answered = 0;
    while let Some(i) = s.current() {
        t += rng.random_range(2_000..9_000);
        let body = &scenario.steps[i].body;
        let a = persona.answer(body, rng);
        // A few steps are skipped, as real visitors do.
        let skip = !matches!(body, StepBody::Info { .. }) && rng.random_bool(0.05);
        if skip || !fits(body, &a) || s.answer(scenario, a, t).is_err() {
            let _ = s.skip(scenario, t);
        } else {
            answered += 1;
        }
    }
    let _ = s.complete();
    (s.profile(scenario, skills), answered)
}

fn sample(seed: Option<u64>, time: Option<u32>, setup: &Setup, lang: Lang) -> CliResult {
    let (cfg, key, set) = load(setup, lang)?;
    let seeded = seed.is_some();
    let seed = match seed {
        Some(s) => s,
        None => {
            let mut b = [0u8; 8];
            crate::domain::ids::fill_random(&mut b)?;
            u64::from_le_bytes(b)
        }
    };
    let mut rng = StdRng::seed_from_u64(seed);
    let talents = set.scenario("talents").ok_or_else(|| {
        msg(
            lang,
            "le scénario « talents » est introuvable",
            "the \"talents\" scenario is missing",
        )
    })?;
    let persona = Persona::new(&mut rng);
    let (profile, answered) = play(talents, set.skills.len(), &persona, &mut rng);
    let situation = Situation::ALL[rng.random_range(0..Situation::ALL.len())];
    // A seeded sample is reproducible, pass id included; stations draw ids from the OS.
    let id = if seeded {
        PassId(rng.random())
    } else {
        PassId::random()?
    };
    let now = time.unwrap_or_else(now_minutes);
    let stop = sample_stop(&cfg);
    let visit = Visit {
        profile: &profile,
        explored: &[],
        situation,
        station: cfg.station_index,
        stop,
        now_min: now,
    };
    let mut pass = Pass::new(key.id, id, &set.catalogue, &set.skills, &visit);
    println!(
        "{} {seed} : {} {answered}, situation {}",
        msg(lang, "Visiteur simulé, graine", "Sample visitor, seed"),
        msg(lang, "réponses", "answers"),
        situation.id()
    );
    // Then the immersion station of their best trade that has one, merged into the pass.
    let immersion = pass.top_trades.iter().find_map(|i| {
        let t = set.catalogue.trades.get(usize::from(*i))?;
        Some((usize::from(*i), set.scenario(t.immersion.as_deref()?)?))
    });
    if let Some((trade, sc)) = immersion {
        let (p2, n2) = play(sc, set.skills.len(), &persona, &mut rng);
        let explored = [trade];
        let visit = Visit {
            profile: &p2,
            explored: &explored,
            situation: Situation::NonDit,
            station: cfg.station_index.wrapping_add(1),
            stop,
            now_min: now + 12,
        };
        pass = pass.merge_session(key.id, &set.catalogue, &set.skills, &visit);
        println!(
            "{} « {} » : {} {n2}",
            msg(lang, "puis immersion", "then immersion"),
            sc.id,
            msg(lang, "réponses", "answers")
        );
    }
    print!("{}", describe(&pass, &set, &cfg, now, lang));
    let bytes = pass.to_bytes(&key);
    println!(
        "{} ({} {}) : {}",
        msg(lang, "Pass", "Pass"),
        bytes.len(),
        msg(lang, "octets", "bytes"),
        crate::domain::ids::to_hex(&bytes)
    );
    println!("{}", pass.url(&cfg.results_base_url, &key));
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub qr`.
pub fn run_qr(args: &QrArgs, lang: Lang) -> CliResult {
    let qr = Qr::new(&args.text)?;
    let ext = args
        .output
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("png") => qr.png(args.px),
        Some("svg") => qr.svg(args.px).into_bytes(),
        _ => {
            return Err(msg(
                lang,
                "le fichier de sortie doit finir par .png ou .svg",
                "the output file must end in .png or .svg",
            )
            .into());
        }
    };
    crate::fsio::check_output(&args.output, &[], false).map_err(|r| r.message(lang))?;
    crate::fsio::write_atomic(&args.output, &bytes).map_err(|e| {
        msg(
            lang,
            &format!("écriture de {} impossible : {e}", args.output.display()),
            &format!("cannot write {}: {e}", args.output.display()),
        )
    })?;
    println!(
        "{} {} ({} {}, {} px)",
        msg(lang, "écrit", "wrote"),
        args.output.display(),
        msg(lang, "version", "version"),
        qr.version(),
        qr.side_px(args.px)
    );
    Ok(ExitCode::SUCCESS)
}

/// Runs `klub key new`.
pub fn run_key(args: &KeyArgs, lang: Lang) -> CliResult {
    let KeyCommand::New { id } = args.command;
    let id = match id {
        Some(id) => id,
        None => {
            let mut b = [0u8; 1];
            crate::domain::ids::fill_random(&mut b)?;
            b[0]
        }
    };
    let key = FleetKey::generate(id)?;
    println!(
        "# {}",
        msg(
            lang,
            "Nouvelle clé de flotte : à copier dans la config de chaque borne (kiosk-config/), jamais dans le dépôt.",
            "New fleet key: copy it into every station config (kiosk-config/), never into the repository."
        )
    );
    println!("[pass]");
    println!("fleet_key_id = {}", key.id);
    println!("fleet_key = \"{}\"", key.secret_hex());
    Ok(ExitCode::SUCCESS)
}

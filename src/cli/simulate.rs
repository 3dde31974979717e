//! `klub simulate`: plausible random visitors played through the real session engine and
//! written through the station's own log writer, marked `simulated`.

use crate::cli::{CliError, CliResult};
use crate::content::set::ContentSet;
use crate::domain::config::{AgeBand, Situation, VisitContext};
use crate::domain::dimension::{Dim, Weights};
use crate::domain::ids::is_id;
use crate::domain::matching::top_trades;
use crate::domain::pass::PassId;
use crate::domain::scenario::{Kind, Scenario, StepBody};
use crate::domain::scoring::Answer;
use crate::domain::session::{Outcome, Session, SessionId, Source};
use crate::domain::text::Lang;
use crate::storage::record::{Record, SessionResult, SessionStart, Stamp};
use crate::storage::writer::{LogWriter, StationInfo, Ticket};
use crate::storage::{db, time};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `klub simulate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The log to write (created if missing).
    #[arg(long)]
    pub db: PathBuf,
    /// Station id (`borne-1`).
    #[arg(long)]
    pub station: String,
    /// How many visitors.
    #[arg(long)]
    pub visitors: u64,
    /// Seed of the visitors' behaviour (session ids stay random).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Scenario folder.
    #[arg(long, default_value = "scenarios")]
    pub scenarios: PathBuf,
    /// Tour stops, visited in turn, three days each.
    #[arg(long, value_delimiter = ',', default_value = "simulation")]
    pub stops: Vec<String>,
    /// Tour id.
    #[arg(long)]
    pub tour: Option<String>,
    /// Visitors per day and station (at least 1).
    #[arg(long, default_value_t = 60)]
    pub per_day: u32,
    /// First day, `YYYY-MM-DD` (default: so that the last day is today).
    #[arg(long)]
    pub start: Option<String>,
    /// Wait until each session is on disk before playing the next (slower; lets
    /// `strace` tie every `committed` line to the sync before it).
    #[arg(long)]
    pub wait_each: bool,
}

/// Days at each stop.
const DAYS_PER_STOP: u64 = 3;
/// Pass ids shared by all simulated stations, so journeys across stations appear.
const PASS_POOL: u64 = 4_000;

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Sessions committed.
    pub sessions: u64,
    /// Seconds taken.
    pub seconds: f64,
}

/// A simulated visitor's leanings.
struct Visitor {
    taste: [f32; 6],
    diligence: f32,
}

fn pass_from_pool(i: u64) -> PassId {
    let d = Sha256::digest(format!("klub-simulate-pass-{i}").as_bytes());
    PassId(d[..8].try_into().unwrap_or([0; 8]))
}

fn affinity(v: &Visitor, w: &Weights) -> f32 {
    let mut num = 0.0;
    let mut den = 0.0;
    for (d, x) in &w.0 {
        if let Dim::Area(a) = d {
            num += v.taste[a.index()] * f32::from(*x);
            den += f32::from(*x);
        }
    }
    if den > 0.0 { num / den } else { 0.5 }
}

fn pick<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (t, w) in items {
        if x < *w {
            return *t;
        }
        x -= w;
    }
    items[0].0
}

fn answer_for(rng: &mut StdRng, v: &Visitor, body: &StepBody) -> Answer {
    match body {
        StepBody::Info { .. } => Answer::Seen,
        StepBody::Choice { options, .. } => {
            if rng.random::<f32>() < 0.6 {
                let best = (0..options.len())
                    .max_by(|a, b| {
                        affinity(v, &options[*a].weights)
                            .total_cmp(&affinity(v, &options[*b].weights))
                    })
                    .unwrap_or(0);
                Answer::Choice(best)
            } else {
                Answer::Choice(rng.random_range(0..options.len()))
            }
        }
        StepBody::Multi {
            options, min, max, ..
        } => {
            let k = rng.random_range(usize::from(*min)..=usize::from(*max).min(options.len()));
            let mut idx: Vec<(f32, usize)> = (0..options.len())
                .map(|i| {
                    (
                        affinity(v, &options[i].weights) + rng.random::<f32>() * 0.6,
                        i,
                    )
                })
                .collect();
            idx.sort_by(|a, b| b.0.total_cmp(&a.0));
            let mut picked: Vec<usize> = idx.into_iter().take(k).map(|(_, i)| i).collect();
            picked.sort_unstable();
            Answer::Multi(picked)
        }
        StepBody::Scale {
            points, weights, ..
        } => {
            let a = (affinity(v, weights) + (rng.random::<f32>() - 0.5) * 0.5).clamp(0.0, 1.0);
            Answer::Scale(((a * f32::from(points - 1)).round() as u8).min(points - 1))
        }
        other => {
            let total = match other {
                StepBody::Sort { items, .. } | StepBody::Timed { items, .. } => items.len(),
                StepBody::Hotspot { zones, .. } | StepBody::Panorama { zones, .. } => {
                    zones.iter().filter(|z| z.target).count()
                }
                _ => 0,
            } as u16;
            let found =
                (f32::from(total) * (v.diligence * 0.6 + rng.random::<f32>() * 0.4)).round() as u16;
            let enjoy = other.enjoy().map(|w| affinity(v, w)).unwrap_or(0.5);
            Answer::Game {
                found: found.min(total),
                total,
                enjoy: (rng.random::<f32>() < 0.9).then(|| {
                    ((enjoy + (rng.random::<f32>() - 0.5) * 0.6).clamp(0.0, 1.0) * 2.0).round()
                        as u8
                }),
            }
        }
    }
}

fn declared(rng: &mut StdRng, ctx: VisitContext) -> (Situation, AgeBand) {
    let sit = match ctx {
        VisitContext::College => pick(rng, &[(Situation::College, 85), (Situation::NonDit, 15)]),
        VisitContext::Lycee => pick(rng, &[(Situation::Lycee, 80), (Situation::NonDit, 20)]),
        VisitContext::MissionLocale | VisitContext::FranceTravail => pick(
            rng,
            &[
                (Situation::Emploi, 70),
                (Situation::NonDit, 20),
                (Situation::Autre, 10),
            ],
        ),
        _ => pick(
            rng,
            &[
                (Situation::NonDit, 35),
                (Situation::College, 10),
                (Situation::Lycee, 10),
                (Situation::Etudes, 10),
                (Situation::Emploi, 15),
                (Situation::Travail, 15),
                (Situation::Autre, 5),
            ],
        ),
    };
    let age = match sit {
        Situation::College => pick(rng, &[(AgeBand::Moins16, 90), (AgeBand::NonDit, 10)]),
        Situation::Lycee => pick(
            rng,
            &[
                (AgeBand::Moins16, 40),
                (AgeBand::De16a25, 55),
                (AgeBand::NonDit, 5),
            ],
        ),
        Situation::Etudes => pick(rng, &[(AgeBand::De16a25, 85), (AgeBand::NonDit, 15)]),
        Situation::NonDit => pick(
            rng,
            &[
                (AgeBand::NonDit, 70),
                (AgeBand::De26a44, 15),
                (AgeBand::Plus45, 15),
            ],
        ),
        _ => pick(
            rng,
            &[
                (AgeBand::De16a25, 30),
                (AgeBand::De26a44, 35),
                (AgeBand::Plus45, 25),
                (AgeBand::NonDit, 10),
            ],
        ),
    };
    (sit, age)
}

/// Plays one visitor; returns the ticket of its last record.
fn visit(
    rng: &mut StdRng,
    set: &ContentSet,
    log: &LogWriter,
    mut base: SessionStart,
    scenario: &Scenario,
    mut wall: i64,
    mut mono: u64,
) -> (SessionId, Ticket) {
    let v = Visitor {
        taste: {
            let mut t = [0.0; 6];
            for x in &mut t {
                *x = rng.random::<f32>() * 0.5;
            }
            for _ in 0..2 {
                t[rng.random_range(0..6)] += 0.5;
            }
            t
        },
        diligence: rng.random(),
    };
    let id = base.id;
    let (mut s, events) = Session::start(scenario, id, base.source, base.lang, mono);
    base.at = Stamp {
        wall_ms: wall,
        mono_ms: mono,
    };
    log.send(Record::Start(Box::new(base)));
    let mut last = log.send_events(
        id,
        events,
        Stamp {
            wall_ms: wall,
            mono_ms: mono,
        },
    );
    let leave = rng.random::<f32>();
    let mut moves = 0;
    let outcome = loop {
        let Some(step) = s.current() else {
            break Outcome::Completed;
        };
        moves += 1;
        let spent = (u64::from(scenario.steps[step].estimated_seconds()) * 1000) as f64
            * (0.4 + rng.random::<f64>() * 1.4);
        wall += spent as i64;
        mono += spent as u64;
        let at = Stamp {
            wall_ms: wall,
            mono_ms: mono,
        };
        let r: f32 = rng.random();
        if moves > 1 && leave < 0.12 && r < 0.08 {
            break if leave < 0.05 {
                Outcome::IdleTimeout
            } else {
                Outcome::Abandoned
            };
        }
        let events = if moves < scenario.steps.len() * 3 && r < 0.03 && s.progress(scenario).0 > 0 {
            s.back(mono)
        } else if r < 0.07 && moves < scenario.steps.len() * 3 {
            s.skip(scenario, mono)
        } else {
            let a = answer_for(rng, &v, &scenario.steps[step].body);
            s.answer(scenario, a, mono)
                .or_else(|_| s.skip(scenario, mono))
        };
        if let Ok(ev) = events {
            last = log.send_events(id, ev, at);
        }
    };
    let at = Stamp {
        wall_ms: wall + 2_000,
        mono_ms: mono + 2_000,
    };
    if outcome == Outcome::Completed {
        let profile = s.profile(scenario, set.skills.len());
        let trades = top_trades(&profile, &set.catalogue, &set.skills, 3, id.seed())
            .into_iter()
            .map(|m| set.catalogue.trades[m.trade].id.clone())
            .collect();
        log.send(Record::Result(Box::new(SessionResult {
            id,
            profile,
            top_trades: trades,
        })));
    }
    if let Ok(ev) = s.end(outcome) {
        last = log.send_events(id, ev, at);
    }
    (id, last)
}

/// Runs a simulation, printing `committed <id>` to `out` as sessions become durable.
pub fn simulate(args: &Args, lang: Lang, out: &mut dyn Write) -> Result<Summary, CliError> {
    let t0 = Instant::now();
    let msg = |fr: &str, e: &str| lang.pick(fr.to_owned(), e.to_owned());
    if !is_id(&args.station) {
        return Err(msg(
            "identifiant de borne invalide (ex. borne-1)",
            "invalid station id (e.g. borne-1)",
        )
        .into());
    }
    for s in args.stops.iter().chain(&args.tour) {
        if !is_id(s) {
            return Err(format!(
                "{} « {s} »",
                msg(
                    "identifiant d'étape ou de tournée invalide",
                    "invalid stop or tour id"
                )
            )
            .into());
        }
    }
    if args.per_day == 0 {
        // Taken as 1 a day, 0 used to spread the visitors over as many days as there are
        // visitors: sessions dated a century ahead.
        return Err(msg(
            "--per-day : au moins 1 visiteur par jour",
            "--per-day: at least 1 visitor a day",
        )
        .into());
    }
    let visitors = db::count_source(&args.db, Source::Visitor)?;
    if visitors > 0 {
        return Err(format!(
            "{} : {}",
            args.db.display(),
            msg(
                &format!("ce journal contient {visitors} sessions de vrais visiteurs ; la simulation refuse d'y écrire"),
                &format!("this log holds {visitors} real visitor sessions; simulate refuses to write to it"),
            )
        )
        .into());
    }
    let set = ContentSet::load(&args.scenarios).map_err(|v| {
        format!(
            "{}\n{}",
            v.render(lang),
            msg(
                "scénarios invalides : corrigez-les (klub validate)",
                "invalid scenarios: fix them (klub validate)"
            )
        )
    })?;
    let playable: Vec<&Scenario> = set
        .scenarios
        .iter()
        .filter(|s| !s.steps.is_empty())
        .collect();
    if playable.is_empty() {
        return Err(msg("aucun scénario à jouer", "no scenario to play").into());
    }
    let (log, report) = LogWriter::open(
        &args.db,
        StationInfo {
            station_id: args.station.clone(),
        },
    )?;
    if let Some(p) = &report.moved_aside {
        eprintln!(
            "{} {}",
            msg(
                "journal endommagé mis de côté :",
                "damaged log moved aside:"
            ),
            p.display()
        );
    }
    let seed = args.seed.unwrap_or_else(rand::random);
    let mut rng = StdRng::seed_from_u64(seed);
    let per_day = u64::from(args.per_day);
    let days = args.visitors.div_ceil(per_day).max(1);
    let first_day = match &args.start {
        Some(d) => time::parse_paris_date(d)
            .ok_or_else(|| msg("date invalide (AAAA-MM-JJ)", "invalid date (YYYY-MM-DD)"))?,
        None => {
            time::parse_paris_date(&time::paris_day_hour(time::now_ms()).0).unwrap_or(0)
                - (days as i64 - 1) * 86_400_000
        }
    };
    let weights: Vec<(usize, u32)> = playable
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                i,
                match (s.kind, s.id.as_str()) {
                    (Kind::Talents, "talents-express") => 30,
                    (Kind::Talents, _) => 20,
                    (Kind::Immersion, _) => 10,
                },
            )
        })
        .collect();
    let mut pending: VecDeque<(SessionId, Ticket)> = VecDeque::new();
    let mut committed = 0;
    let mut context = VisitContext::ToutPublic;
    let flush = |log: &LogWriter,
                 pending: &mut VecDeque<(SessionId, Ticket)>,
                 out: &mut dyn Write,
                 wait: bool|
     -> Result<u64, CliError> {
        if wait && let Some((_, t)) = pending.back() {
            while !log.wait_durable(*t, Duration::from_secs(1)) {
                let st = log.status();
                if let Some(e) = st.last_error {
                    eprintln!(
                        "{} {e}",
                        msg(
                            "écriture en échec, nouvel essai :",
                            "write failing, retrying:"
                        )
                    );
                }
            }
        }
        let st = log.status();
        if st.rejected > 0 {
            return Err(format!(
                "{} {}",
                msg("enregistrement refusé :", "record refused:"),
                st.last_rejection.unwrap_or_default()
            )
            .into());
        }
        let mut n = 0;
        while let Some((id, t)) = pending.front() {
            if t.0 > st.durable {
                break;
            }
            writeln!(out, "committed {id}")?;
            n += 1;
            pending.pop_front();
        }
        out.flush()?;
        Ok(n)
    };
    for i in 0..args.visitors {
        let day = i / per_day;
        let slot = i % per_day;
        if slot % 15 == 0 {
            context = pick(
                &mut rng,
                &[
                    (VisitContext::ToutPublic, 45),
                    (VisitContext::College, 20),
                    (VisitContext::Lycee, 15),
                    (VisitContext::MissionLocale, 8),
                    (VisitContext::FranceTravail, 8),
                    (VisitContext::Autre, 4),
                ],
            );
        }
        let stop = &args.stops[((day / DAYS_PER_STOP) as usize) % args.stops.len()];
        // Doors open 09:00–17:30 local: 8.5 hours spread over the day's visitors.
        let opening = first_day + day as i64 * 86_400_000 + 9 * 3_600_000;
        let offset = (slot as i64 * 30_600_000) / per_day as i64 + rng.random_range(0..60_000);
        let wall = opening + offset;
        let mono = (day * 43_200_000 + 3_600_000 + offset as u64) % u64::MAX;
        let scenario = playable[pick(&mut rng, &weights)];
        let lang = if rng.random::<f32>() < 0.08 {
            Lang::En
        } else {
            Lang::Fr
        };
        let id = SessionId::random()?;
        let mut start = SessionStart::new(
            scenario,
            id,
            Source::Simulated,
            lang,
            Stamp {
                wall_ms: wall,
                mono_ms: mono,
            },
        );
        start.stop = Some(stop.clone());
        start.tour = args.tour.clone();
        start.context = context;
        (start.situation, start.age_band) = declared(&mut rng, context);
        if rng.random::<f32>() < 0.35 {
            start.pass = Some(pass_from_pool(rng.random_range(0..PASS_POOL)));
        }
        pending.push_back(visit(&mut rng, &set, &log, start, scenario, wall, mono));
        committed += flush(&log, &mut pending, out, args.wait_each)?;
    }
    committed += flush(&log, &mut pending, out, true)?;
    Ok(Summary {
        sessions: committed,
        seconds: t0.elapsed().as_secs_f64(),
    })
}

/// Runs `klub simulate`.
pub fn run(args: &Args, lang: Lang) -> CliResult {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let s = simulate(args, lang, &mut out)?;
    eprintln!(
        "{} {} ({:.1} s, {:.0}/s)",
        s.sessions,
        if lang == Lang::En {
            "simulated sessions committed"
        } else {
            "sessions simulées enregistrées"
        },
        s.seconds,
        s.sessions as f64 / s.seconds.max(1e-9)
    );
    Ok(ExitCode::SUCCESS)
}

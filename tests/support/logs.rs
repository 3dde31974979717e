//! Station logs for the organiser's tests: visits written through the station's own
//! writer, and the `klub` binary.

use klub_kiosk::domain::config::{AgeBand, Situation, VisitContext};
use klub_kiosk::domain::pass::PassId;
use klub_kiosk::domain::scoring::{Answer, DimScore, Profile};
use klub_kiosk::domain::session::{Event, Outcome, SessionId, Source};
use klub_kiosk::domain::text::Lang;
use klub_kiosk::storage::record::{Record, SessionResult, SessionStart, Stamp};
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

/// The `klub` binary under test.
pub const KLUB: &str = env!("CARGO_BIN_EXE_klub");
/// A day in ms.
pub const DAY: i64 = 86_400_000;
/// 2026-05-12 10:00 Paris.
pub const T0: i64 = 1_778_572_800_000;

/// Runs `klub` with these arguments.
pub fn klub(args: &[&str]) -> Output {
    Command::new(KLUB).args(args).output().unwrap()
}

/// Runs `klub`, which must succeed (its stderr is shown if not).
pub fn klub_ok(args: &[&str]) -> Output {
    let out = klub(args);
    assert!(
        out.status.success(),
        "klub {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// A path as an argument.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// One visit to write into a log.
pub struct Visit {
    pub stop: &'static str,
    pub wall: i64,
    pub source: Source,
    pub pass: Option<PassId>,
    pub situation: Situation,
    pub age: AgeBand,
    pub trade: Option<&'static str>,
    pub complete: bool,
}

/// A completed visitor session at a stop.
pub fn visit(stop: &'static str, wall: i64) -> Visit {
    Visit {
        stop,
        wall,
        source: Source::Visitor,
        pass: None,
        situation: Situation::default(),
        age: AgeBand::default(),
        trade: None,
        complete: true,
    }
}

/// Writes visits through the station's writer; returns their ids in order.
pub fn write(log: &LogWriter, visits: &[Visit]) -> Vec<SessionId> {
    let mut ids = vec![];
    for v in visits {
        let id = SessionId::random().unwrap();
        let at = |dt: i64| Stamp {
            wall_ms: v.wall + dt,
            mono_ms: (v.wall.rem_euclid(DAY) + dt) as u64,
        };
        log.send(Record::Start(Box::new(SessionStart {
            id,
            pass: v.pass,
            scenario: if v.trade.is_some() {
                "soudure".into()
            } else {
                "talents-express".into()
            },
            trade: v.trade.map(str::to_owned),
            step_ids: vec!["accueil".into(), "atelier".into()],
            lang: Lang::Fr,
            source: v.source,
            tour: Some("3e5".into()),
            stop: Some(v.stop.into()),
            context: VisitContext::Lycee,
            situation: v.situation,
            age_band: v.age,
            clock_offset_ms: 0,
            at: at(0),
        })));
        log.send_events(id, vec![Event::Shown { step: 0 }], at(0));
        log.send_events(
            id,
            vec![
                Event::Answered {
                    step: 0,
                    answer: Answer::Seen,
                    ms: 5000,
                },
                Event::Shown { step: 1 },
            ],
            at(5000),
        );
        if v.complete {
            log.send_events(
                id,
                vec![Event::Answered {
                    step: 1,
                    answer: Answer::Choice(1),
                    ms: 60_000,
                }],
                at(65_000),
            );
            let mut profile = Profile {
                areas: [DimScore {
                    score: 20,
                    evidence: 2,
                }; 6],
                skills: vec![],
            };
            profile.areas[3] = DimScore {
                score: 90,
                evidence: 2,
            };
            log.send(Record::Result(Box::new(SessionResult {
                id,
                profile,
                top_trades: vec!["infirmier".into(), "soudeur".into()],
            })));
            log.send_events(
                id,
                vec![Event::Ended {
                    outcome: Outcome::Completed,
                }],
                at(66_000),
            );
        }
        ids.push(id);
    }
    assert!(log.flush(Duration::from_secs(10)));
    ids
}

/// A station log `<id>.db` in `dir` holding these visits; their ids.
pub fn station(dir: &Path, id: &str, visits: &[Visit]) -> (PathBuf, Vec<SessionId>) {
    let p = dir.join(format!("{id}.db"));
    let (log, _) = LogWriter::open(
        &p,
        StationInfo {
            station_id: id.into(),
        },
    )
    .unwrap();
    let ids = write(&log, visits);
    (p, ids)
}

/// Runs `klub` with these arguments and extra environment variables.
pub fn klub_env(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let mut c = Command::new(KLUB);
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// The names in a folder that contain `part`.
pub fn litter(dir: &Path, part: &str) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(part))
        .collect()
}

/// The one integer a query gives (a `count(*)`, a sum).
pub fn count(c: &rusqlite::Connection, sql: &str, params: impl rusqlite::Params) -> i64 {
    c.query_row(sql, params, |r| r.get(0))
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

//! Reading logs for the organiser: sessions in tour order, their steps and profiles.

use crate::domain::session::Source;
use crate::storage::StorageError;
use rusqlite::{Connection, Row};
use std::collections::HashMap;

/// One session as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionRow {
    /// Integer key within this log (not stable across merges: use `id` to name a session).
    pub key: i64,
    /// Random id.
    pub id: String,
    /// Station id.
    pub station: String,
    /// Per-station sequence number.
    pub seq: i64,
    /// Tour id.
    pub tour: Option<String>,
    /// Stop id.
    pub stop: Option<String>,
    /// Visit context.
    pub context: String,
    /// Source.
    pub source: String,
    /// Scenario id.
    pub scenario: String,
    /// Trade of an immersion.
    pub trade: Option<String>,
    /// Language.
    pub lang: String,
    /// Pass id.
    pub pass_id: Option<String>,
    /// Self-declared situation.
    pub situation: String,
    /// Self-declared age band.
    pub age_band: String,
    /// Station wall clock at start, UTC ms.
    pub started_wall_ms: i64,
    /// Monotonic ms at start.
    pub started_mono_ms: i64,
    /// Facilitator's clock correction, ms.
    pub clock_offset_ms: i64,
    /// Station wall clock at the end.
    pub ended_wall_ms: Option<i64>,
    /// Monotonic ms at the end.
    pub ended_mono_ms: Option<i64>,
    /// Outcome, `None` while in progress.
    pub outcome: Option<String>,
}

impl SessionRow {
    /// Corrected start time, UTC ms: the station clock plus the facilitator's offset.
    pub fn started_ms(&self) -> i64 {
        self.started_wall_ms.saturating_add(self.clock_offset_ms)
    }

    /// Duration from the monotonic clock, when the session ended.
    pub fn duration_ms(&self) -> Option<i64> {
        self.ended_mono_ms
            .map(|e| e - self.started_mono_ms)
            .filter(|d| *d >= 0)
    }
}

const SESSION_COLS: &str = "k, id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome";

fn session_row(r: &Row<'_>) -> rusqlite::Result<SessionRow> {
    Ok(SessionRow {
        key: r.get(0)?,
        id: r.get(1)?,
        station: r.get(2)?,
        seq: r.get(3)?,
        tour: r.get(4)?,
        stop: r.get(5)?,
        context: r.get(6)?,
        source: r.get(7)?,
        scenario: r.get(8)?,
        trade: r.get(9)?,
        lang: r.get(10)?,
        pass_id: r.get(11)?,
        situation: r.get(12)?,
        age_band: r.get(13)?,
        started_wall_ms: r.get(14)?,
        started_mono_ms: r.get(15)?,
        clock_offset_ms: r.get(16)?,
        ended_wall_ms: r.get(17)?,
        ended_mono_ms: r.get(18)?,
        outcome: r.get(19)?,
    })
}

/// Sessions of the given sources (all when empty), in tour order: by stop, then station,
/// then per-station sequence number.
///
/// Stops are ordered by where they fall in each station's own sequence (a station visits
/// stops one after another, and its numbering never goes back), averaged over stations;
/// clock times only break ties, so a station whose clock is days off cannot reorder them.
pub fn sessions(conn: &Connection, sources: &[Source]) -> Result<Vec<SessionRow>, StorageError> {
    let filter = if sources.is_empty() {
        String::new()
    } else {
        format!(
            " WHERE source IN ({})",
            sources
                .iter()
                .map(|s| format!("'{}'", s.id()))
                .collect::<Vec<_>>()
                .join(",")
        )
    };
    let mut stmt = conn.prepare(&format!(
        "SELECT {SESSION_COLS} FROM sessions{filter} ORDER BY station, seq"
    ))?;
    let rows: Vec<SessionRow> = stmt
        .query_map([], session_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(tour_order(rows))
}

/// Puts sessions listed by station then sequence number in tour order (see [`sessions`]).
pub fn tour_order(mut rows: Vec<SessionRow>) -> Vec<SessionRow> {
    let rank = stop_ranks(&rows);
    rows.sort_by(|a, b| {
        let ra = rank[a.stop.as_deref().unwrap_or("")];
        let rb = rank[b.stop.as_deref().unwrap_or("")];
        ra.0.total_cmp(&rb.0)
            .then(ra.1.cmp(&rb.1))
            .then_with(|| a.stop.cmp(&b.stop))
            .then_with(|| a.station.cmp(&b.station))
            .then(a.seq.cmp(&b.seq))
    });
    rows
}

/// Each stop's (mean position in the stations' sequences, median corrected start time).
fn stop_ranks(by_station_seq: &[SessionRow]) -> HashMap<String, (f64, i64)> {
    let mut positions: HashMap<&str, Vec<f64>> = HashMap::new();
    let mut times: HashMap<&str, Vec<i64>> = HashMap::new();
    let mut i = 0;
    while i < by_station_seq.len() {
        let station = &by_station_seq[i].station;
        let mut order: Vec<&str> = vec![];
        while i < by_station_seq.len() && &by_station_seq[i].station == station {
            let r = &by_station_seq[i];
            let stop = r.stop.as_deref().unwrap_or("");
            if !order.contains(&stop) {
                order.push(stop);
            }
            times.entry(stop).or_default().push(r.started_ms());
            i += 1;
        }
        let n = order.len().max(1) as f64;
        for (k, stop) in order.iter().enumerate() {
            positions.entry(stop).or_default().push(k as f64 / n);
        }
    }
    positions
        .into_iter()
        .map(|(stop, p)| {
            let mut t = times.remove(stop).unwrap_or_default();
            t.sort_unstable();
            let median = t.get(t.len() / 2).copied().unwrap_or(0);
            (
                stop.to_owned(),
                (p.iter().sum::<f64>() / p.len() as f64, median),
            )
        })
        .collect()
}

/// One step shown, as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepRow {
    /// Order in which the steps were shown within the session, from 0.
    pub n: i64,
    /// Step index.
    pub step: i64,
    /// Step id.
    pub step_id: Option<String>,
    /// How the step was left: `answered`, `skipped` or `back`; `None` while it is on screen
    /// or when the session ended on it.
    pub left_by: Option<String>,
    /// Compact answer, when answered.
    pub answer: Option<String>,
    /// Time spent on the step, ms (also when the session ended on it).
    pub ms: Option<i64>,
    /// When it was shown: station wall clock, UTC ms.
    pub wall_ms: i64,
    /// When it was shown: monotonic ms.
    pub mono_ms: i64,
}

/// The steps of one session (by its [`SessionRow::key`]), in the order shown.
pub fn steps(conn: &Connection, key: i64) -> Result<Vec<StepRow>, StorageError> {
    let mut stmt = conn.prepare_cached(
        "SELECT n, step, step_id, left_by, answer, ms, wall_ms, mono_ms FROM steps WHERE session = ?1 ORDER BY n",
    )?;
    let rows = stmt
        .query_map([key], |r| {
            Ok(StepRow {
                n: r.get(0)?,
                step: r.get(1)?,
                step_id: r.get(2)?,
                left_by: r.get(3)?,
                answer: r.get(4)?,
                ms: r.get(5)?,
                wall_ms: r.get(6)?,
                mono_ms: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One profile as logged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileRow {
    /// Session id.
    pub session_id: String,
    /// `too_few_answers`, `no_clear_preference` or `strengths`.
    pub reading: String,
    /// Strongest area letters.
    pub strongest: String,
    /// Holland code.
    pub holland: String,
    /// RIASEC scores and evidence counts: (score, evidence) × 6.
    pub areas: [(i64, i64); 6],
    /// Skills as `[[score, evidence], …]`.
    pub skills: String,
    /// Top trade ids, best first.
    pub top_trades: Vec<String>,
}

/// Every profile, by session id.
pub fn profiles(conn: &Connection) -> Result<HashMap<String, ProfileRow>, StorageError> {
    let mut out: HashMap<String, ProfileRow> = HashMap::new();
    let mut stmt = conn.prepare(
        "SELECT x.id, p.reading, p.strongest, p.holland, p.r, p.r_n, p.i, p.i_n, p.a, p.a_n, p.s, p.s_n, p.e, p.e_n, p.c, p.c_n, p.skills
         FROM profiles p JOIN sessions x ON x.k = p.session",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        let mut areas = [(0, 0); 6];
        for (k, a) in areas.iter_mut().enumerate() {
            *a = (r.get(4 + 2 * k)?, r.get(5 + 2 * k)?);
        }
        out.insert(
            id.clone(),
            ProfileRow {
                session_id: id,
                reading: r.get(1)?,
                strongest: r.get(2)?,
                holland: r.get(3)?,
                areas,
                skills: r.get(16)?,
                top_trades: vec![],
            },
        );
    }
    let mut stmt = conn.prepare(
        "SELECT x.id, t.trade FROM top_trades t JOIN sessions x ON x.k = t.session ORDER BY t.session, t.rank",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id: String = r.get(0)?;
        if let Some(p) = out.get_mut(&id) {
            p.top_trades.push(r.get(1)?);
        }
    }
    Ok(out)
}

/// Counts for `klub stats`: (source, outcome or `in_progress`, sessions).
pub fn counts(conn: &Connection) -> Result<Vec<(String, String, i64)>, StorageError> {
    let mut stmt = conn.prepare(
        "SELECT source, coalesce(outcome, 'in_progress'), count(*) FROM sessions GROUP BY 1, 2 ORDER BY 1, 2",
    )?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn source_list(sources: &[Source]) -> String {
    let ids: Vec<String> = if sources.is_empty() {
        Source::ALL
            .iter()
            .map(|s| format!("'{}'", s.id()))
            .collect()
    } else {
        sources.iter().map(|s| format!("'{}'", s.id())).collect()
    };
    ids.join(",")
}

/// How many sessions reached a step, and how many stopped there without completing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StepReach {
    /// Scenario id.
    pub scenario: String,
    /// Step index.
    pub step: i64,
    /// Step id.
    pub step_id: Option<String>,
    /// Sessions shown the step.
    pub reached: i64,
    /// Sessions whose last step shown was this one and that did not complete.
    pub dropped: i64,
}

/// Reach and drop-off per step, by scenario then step. One pass over the step rows in
/// their stored order (by session, then order shown), so no sort of millions of rows is
/// needed; a session's last row is the step it stopped on. Scenarios are counted by index
/// and a step id is read once per step, so the pass allocates nothing per row.
pub fn step_reach(conn: &Connection, sources: &[Source]) -> Result<Vec<StepReach>, StorageError> {
    let src = source_list(sources);
    let mut names: Vec<String> = vec![];
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut sessions: HashMap<i64, (usize, bool)> = HashMap::new();
    let mut stmt = conn.prepare(&format!(
        "SELECT k, scenario, coalesce(outcome, '') = 'completed' FROM sessions WHERE source IN ({src})"
    ))?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let scenario = r.get_ref(1)?.as_str().map_err(rusqlite::Error::from)?;
        let sc = match index.get(scenario) {
            Some(i) => *i,
            None => {
                names.push(scenario.to_owned());
                index.insert(scenario.to_owned(), names.len() - 1);
                names.len() - 1
            }
        };
        sessions.insert(r.get(0)?, (sc, r.get(2)?));
    }
    type Acc = HashMap<(usize, i64), StepReach>;
    fn flush(acc: &mut Acc, session: Option<(usize, bool)>, shown: &mut Vec<i64>) {
        if let (Some((sc, completed)), Some(&last)) = (session, shown.last()) {
            shown.sort_unstable();
            shown.dedup();
            for step in shown.iter() {
                if let Some(e) = acc.get_mut(&(sc, *step)) {
                    e.reached += 1;
                    if !completed && *step == last {
                        e.dropped += 1;
                    }
                }
            }
        }
        shown.clear();
    }
    let mut acc: Acc = HashMap::new();
    let mut stmt = conn.prepare("SELECT session, step, step_id FROM steps ORDER BY session, n")?;
    let mut rows = stmt.query([])?;
    let mut current = i64::MIN;
    let mut session = None;
    let mut shown: Vec<i64> = vec![];
    while let Some(r) = rows.next()? {
        let key: i64 = r.get(0)?;
        if key != current {
            flush(&mut acc, session, &mut shown);
            current = key;
            session = sessions.get(&key).copied();
        }
        let Some((sc, _)) = session else { continue };
        let step: i64 = r.get(1)?;
        shown.push(step);
        if let std::collections::hash_map::Entry::Vacant(e) = acc.entry((sc, step)) {
            e.insert(StepReach {
                scenario: names[sc].clone(),
                step,
                step_id: r.get(2)?,
                reached: 0,
                dropped: 0,
            });
        }
    }
    flush(&mut acc, session, &mut shown);
    let mut out: Vec<StepReach> = acc.into_values().collect();
    out.sort_by(|a, b| a.scenario.cmp(&b.scenario).then(a.step.cmp(&b.step)));
    Ok(out)
}

/// Profiles by reading and strongest letters: (reading, strongest, sessions).
pub fn readings(
    conn: &Connection,
    sources: &[Source],
) -> Result<Vec<(String, String, i64)>, StorageError> {
    let src = source_list(sources);
    let mut stmt = conn.prepare(&format!(
        "SELECT p.reading, p.strongest, count(*) FROM profiles p JOIN sessions s ON s.k = p.session
         WHERE s.source IN ({src}) GROUP BY 1, 2"
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Trades by how many sessions had them among their top trades, most first.
pub fn matched_trades(
    conn: &Connection,
    sources: &[Source],
) -> Result<Vec<(String, i64)>, StorageError> {
    let src = source_list(sources);
    let mut stmt = conn.prepare(&format!(
        "SELECT t.trade, count(*) FROM top_trades t JOIN sessions s ON s.k = t.session
         WHERE s.source IN ({src}) GROUP BY 1 ORDER BY 2 DESC, 1"
    ))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

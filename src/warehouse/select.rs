//! Whole tours or whole months of the warehouse, for the report and the stats.
//!
//! The report gets from PostgreSQL exactly what it reads from a tour log
//! ([`html::Data`]: the sessions, and the aggregates of their steps, profiles and trades,
//! computed by the server as [`read`] computes them), then the very same report code
//! runs: the same small-count rules, the same figures. The stats read the sessions, copied
//! into an in-memory log. Only whole tours and whole calendar months (Paris time) can be
//! chosen, never arbitrary dates, so two reports cannot be subtracted to reveal a small
//! count.

use crate::domain::session::Source;
use crate::report::html;
use crate::storage::read::{self, SessionRow, StepReach};
use crate::storage::{schema, time};
use crate::warehouse::WarehouseError;
use postgres::{Client, Transaction};
use rusqlite::Connection;
use std::path::Path;

/// What a report covers: tours and calendar months (a session in any of them is counted).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Tour ids.
    pub tours: Vec<String>,
    /// Months as `YYYY-MM`.
    pub months: Vec<String>,
}

/// The bounds of a calendar month, Paris time, as UTC ms `[start, end)`.
pub fn month_bounds(month: &str) -> Option<(i64, i64)> {
    let (y, m) = month.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if !(1..=12).contains(&m) {
        return None;
    }
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Some((
        time::parse_paris_date(&format!("{y:04}-{m:02}-01"))?,
        time::parse_paris_date(&format!("{ny:04}-{nm:02}-01"))?,
    ))
}

/// The session columns of [`SessionRow`] after its key, in its order.
const SESSION_COLS: &str = "s.id, s.station, s.seq, s.tour, s.stop, s.context, s.source, s.scenario, s.trade, s.lang, s.pass_id, s.situation, s.age_band, s.started_wall_ms, s.started_mono_ms, s.clock_offset_ms, s.ended_wall_ms, s.ended_mono_ms, s.outcome";

/// The selection as query parameters `$1` (tours), `$2` and `$3` (months' bounds), and
/// `$4` (the sources counted), which [`PICKED`] tests.
struct Picked {
    tours: Vec<String>,
    starts: Vec<i64>,
    ends: Vec<i64>,
    sources: Vec<&'static str>,
}

/// Whether session `s` is in the selection (see [`Picked`]).
const PICKED: &str = "s.source = ANY($4) AND (s.tour = ANY($1) OR EXISTS (
    SELECT 1 FROM unnest($2::bigint[], $3::bigint[]) AS m(a, b)
    WHERE s.started_wall_ms + s.clock_offset_ms >= m.a AND s.started_wall_ms + s.clock_offset_ms < m.b))";

impl Picked {
    /// The selection's parameters; an empty selection or a malformed month is refused.
    fn new(sel: &Selection, sources: Vec<&'static str>) -> Result<Picked, WarehouseError> {
        if sel.tours.is_empty() && sel.months.is_empty() {
            return Err(WarehouseError::Refused(
                "choisissez --tour ou --month (des tournées ou des mois entiers, jamais des dates quelconques) / choose --tour or --month (whole tours or months, never arbitrary dates)".into(),
            ));
        }
        let (mut starts, mut ends) = (vec![], vec![]);
        for m in &sel.months {
            let (a, b) = month_bounds(m).ok_or_else(|| {
                WarehouseError::Refused(format!("--month {m} : AAAA-MM attendu / expected YYYY-MM"))
            })?;
            starts.push(a);
            ends.push(b);
        }
        Ok(Picked {
            tours: sel.tours.clone(),
            starts,
            ends,
            sources,
        })
    }

    fn params(&self) -> [&(dyn postgres::types::ToSql + Sync); 4] {
        [&self.tours, &self.starts, &self.ends, &self.sources]
    }
}

/// A repeatable-read transaction: every query sees the same warehouse.
fn snapshot(client: &mut Client) -> Result<Transaction<'_>, WarehouseError> {
    let mut tx = client.transaction()?;
    tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
    // Grouping sessions by the way they went is estimated at one group per session: with
    // room for that, the server hashes instead of sorting them (4 times faster).
    tx.batch_execute("SET LOCAL work_mem = '256MB'")?;
    Ok(tx)
}

/// The selected sessions, by station then number (binary order, as SQLite's), numbered
/// from 1 in that order.
fn sessions(tx: &mut Transaction<'_>, picked: &Picked) -> Result<Vec<SessionRow>, WarehouseError> {
    let rows = tx.query(
        &format!("SELECT {SESSION_COLS} FROM klub.sessions s WHERE {PICKED}"),
        &picked.params(),
    )?;
    let mut out: Vec<SessionRow> = rows
        .iter()
        .map(|r| SessionRow {
            key: 0,
            id: r.get(0),
            station: r.get(1),
            seq: r.get(2),
            tour: r.get(3),
            stop: r.get(4),
            context: r.get(5),
            source: r.get(6),
            scenario: r.get(7),
            trade: r.get(8),
            lang: r.get(9),
            pass_id: r.get(10),
            situation: r.get(11),
            age_band: r.get(12),
            started_wall_ms: r.get(13),
            started_mono_ms: r.get(14),
            clock_offset_ms: r.get(15),
            ended_wall_ms: r.get(16),
            ended_mono_ms: r.get(17),
            outcome: r.get(18),
        })
        .collect();
    out.sort_unstable_by(|a, b| a.station.cmp(&b.station).then(a.seq.cmp(&b.seq)));
    for (k, r) in out.iter_mut().enumerate() {
        r.key = k as i64 + 1;
    }
    Ok(out)
}

/// What the report over the selection reads, as it would read it from a tour log holding
/// the same sessions.
pub fn report_data(
    client: &mut Client,
    sel: &Selection,
    o: &html::Options,
) -> Result<html::Data, WarehouseError> {
    let picked = Picked::new(sel, html::sources(o).iter().map(|s| s.id()).collect())?;
    let mut tx = snapshot(client)?;
    let sessions = read::tour_order(sessions(&mut tx, &picked)?);
    let reach = step_reach(&mut tx, &picked)?;
    let readings = tx
        .query(
            &format!(
                "SELECT p.reading, p.strongest, count(*) FROM klub.profiles p
                   JOIN klub.sessions s ON s.id = p.session_id WHERE {PICKED} GROUP BY 1, 2"
            ),
            &picked.params(),
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    let matched = tx
        .query(
            &format!(
                "SELECT t.trade, count(*) FROM klub.top_trades t
                   JOIN klub.sessions s ON s.id = t.session_id WHERE {PICKED}
                 GROUP BY 1 ORDER BY 2 DESC, t.trade COLLATE \"C\""
            ),
            &picked.params(),
        )?
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    tx.commit()?;
    Ok(html::Data {
        sessions,
        reach,
        readings,
        matched,
    })
}

/// [`read::step_reach`] computed by the server from each session's reach
/// (`klub.session_reach`, kept by the push): per scenario and step, the sessions shown the
/// step, and those whose last step shown it was and that did not complete. The step id is
/// that of the first row met in (station, number, order shown) order, as the one pass of
/// `read::step_reach` keeps it: a step whose rows all carry the same id (every real log)
/// needs no more; any other is looked up.
fn step_reach(tx: &mut Transaction<'_>, picked: &Picked) -> Result<Vec<StepReach>, WarehouseError> {
    // Sessions that went the same way count together: far fewer rows to unnest.
    let rows = tx.query(
        &format!(
            "WITH ways AS (
                SELECT s.scenario, r.steps, r.step_ids, r.last_step,
                       s.outcome IS DISTINCT FROM 'completed' AS open, count(*) AS n
                FROM klub.sessions s JOIN klub.session_reach r ON r.session_id = s.id
                WHERE {PICKED} GROUP BY 1, 2, 3, 4, 5
             )
             SELECT w.scenario, u.step, sum(w.n)::bigint AS reached,
                    coalesce(sum(w.n) FILTER (WHERE u.step = w.last_step AND w.open), 0)::bigint,
                    min(u.step_id COLLATE \"C\"), max(u.step_id COLLATE \"C\"),
                    coalesce(sum(w.n) FILTER (WHERE u.step_id IS NOT NULL), 0)::bigint, sum(w.n)::bigint
             FROM ways w CROSS JOIN unnest(w.steps, w.step_ids) AS u(step, step_id)
             GROUP BY 1, 2"
        ),
        &picked.params(),
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let (scenario, step): (String, i64) = (r.get(0), r.get(1));
        let (lo, hi): (Option<String>, Option<String>) = (r.get(4), r.get(5));
        let (named, all): (i64, i64) = (r.get(6), r.get(7));
        let step_id = if named == 0 || (named == all && lo == hi) {
            lo
        } else {
            let [tours, starts, ends, sources] = picked.params();
            tx.query_one(
                &format!(
                    "SELECT u.step_id FROM klub.sessions s
                       JOIN klub.session_reach r ON r.session_id = s.id
                       CROSS JOIN unnest(r.steps, r.step_ids) AS u(step, step_id)
                     WHERE {PICKED} AND s.scenario = $5 AND u.step = $6
                     ORDER BY s.station COLLATE \"C\", s.seq LIMIT 1"
                ),
                &[tours, starts, ends, sources, &scenario, &step],
            )?
            .get(0)
        };
        out.push(StepReach {
            scenario,
            step,
            step_id,
            reached: r.get(2),
            dropped: r.get(3),
        });
    }
    out.sort_by(|a, b| a.scenario.cmp(&b.scenario).then(a.step.cmp(&b.step)));
    Ok(out)
}

/// The selected sessions (all sources) in a new in-memory log at the current schema, for
/// `klub stats`, which reads sessions only.
pub fn log_of(client: &mut Client, sel: &Selection) -> Result<Connection, WarehouseError> {
    let picked = Picked::new(sel, Source::ALL.iter().map(|s| s.id()).collect())?;
    let mut tx = snapshot(client)?;
    let rows = sessions(&mut tx, &picked)?;
    tx.commit()?;
    let mut log = Connection::open_in_memory()?;
    schema::migrate(&mut log, Path::new(":memory:"))?;
    let lt = log.transaction()?;
    {
        let mut stmt = lt.prepare(
            "INSERT INTO sessions (k, id, station, seq, tour, stop, context, source, scenario, trade, lang, pass_id, situation, age_band, started_wall_ms, started_mono_ms, clock_offset_ms, ended_wall_ms, ended_mono_ms, outcome, rev)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, 0)",
        )?;
        for r in &rows {
            stmt.execute(rusqlite::params![
                r.key,
                r.id,
                r.station,
                r.seq,
                r.tour,
                r.stop,
                r.context,
                r.source,
                r.scenario,
                r.trade,
                r.lang,
                r.pass_id,
                r.situation,
                r.age_band,
                r.started_wall_ms,
                r.started_mono_ms,
                r.clock_offset_ms,
                r.ended_wall_ms,
                r.ended_mono_ms,
                r.outcome
            ])?;
        }
    }
    lt.commit()?;
    Ok(log)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_whole_paris_months() {
        let (a, b) = month_bounds("2026-03").unwrap();
        assert_eq!(a, time::parse_paris_date("2026-03-01").unwrap());
        assert_eq!(b, time::parse_paris_date("2026-04-01").unwrap());
        let (_, b) = month_bounds("2026-12").unwrap();
        assert_eq!(b, time::parse_paris_date("2027-01-01").unwrap());
        for bad in ["2026-13", "2026-3", "26-03", "2026-03-01", "mars"] {
            assert!(month_bounds(bad).is_none(), "{bad}");
        }
    }
}

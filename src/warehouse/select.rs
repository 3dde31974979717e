//! Whole tours or whole months of the warehouse, copied back into an in-memory log.
//!
//! The report and the stats then run on it as on a tour log: the same code, the same
//! small-count rules, the same figures. Only whole tours and whole calendar months (Paris
//! time) can be chosen, never arbitrary dates, so two reports cannot be subtracted to reveal
//! a small count.

use crate::storage::{schema, time};
use crate::warehouse::WarehouseError;
use postgres::Client;
use rusqlite::Connection;
use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufRead, BufReader};
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

/// Columns copied, in the log's order; `true` for an integer column.
const SESSIONS: &[(&str, bool)] = &[
    ("id", false),
    ("station", false),
    ("seq", true),
    ("tour", false),
    ("stop", false),
    ("context", false),
    ("source", false),
    ("scenario", false),
    ("trade", false),
    ("lang", false),
    ("pass_id", false),
    ("situation", false),
    ("age_band", false),
    ("started_wall_ms", true),
    ("started_mono_ms", true),
    ("clock_offset_ms", true),
    ("ended_wall_ms", true),
    ("ended_mono_ms", true),
    ("outcome", false),
    ("rev", true),
];
const STEPS: &[(&str, bool)] = &[
    ("session_id", false),
    ("n", true),
    ("step", true),
    ("step_id", false),
    ("left_by", false),
    ("answer", false),
    ("ms", true),
    ("wall_ms", true),
    ("mono_ms", true),
];
const PROFILES: &[(&str, bool)] = &[
    ("session_id", false),
    ("reading", false),
    ("strongest", false),
    ("holland", false),
    ("r", true),
    ("r_n", true),
    ("i", true),
    ("i_n", true),
    ("a", true),
    ("a_n", true),
    ("s", true),
    ("s_n", true),
    ("e", true),
    ("e_n", true),
    ("c", true),
    ("c_n", true),
    ("skills", false),
];
const TRADES: &[(&str, bool)] = &[("session_id", false), ("rank", true), ("trade", false)];

/// Copies the selected sessions, with their steps, profiles and trades, into a new
/// in-memory log at the current schema. An empty selection is refused.
pub fn log_of(client: &mut Client, sel: &Selection) -> Result<Connection, WarehouseError> {
    if sel.tours.is_empty() && sel.months.is_empty() {
        return Err(WarehouseError::Refused(
            "choisissez --tour ou --month (des tournées ou des mois entiers, jamais des dates quelconques) / choose --tour or --month (whole tours or months, never arbitrary dates)".into(),
        ));
    }
    let mut starts = vec![];
    let mut ends = vec![];
    for m in &sel.months {
        let (a, b) = month_bounds(m).ok_or_else(|| {
            WarehouseError::Refused(format!("--month {m} : AAAA-MM attendu / expected YYYY-MM"))
        })?;
        starts.push(a);
        ends.push(b);
    }
    let mut tx = client.transaction()?;
    tx.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")?;
    tx.execute(
        "CREATE TEMP TABLE pick ON COMMIT DROP AS
           SELECT id FROM klub.sessions WHERE tour = ANY($1)
           UNION
           SELECT s.id FROM klub.sessions s JOIN unnest($2::bigint[], $3::bigint[]) AS m(a, b)
             ON s.started_wall_ms + s.clock_offset_ms >= m.a AND s.started_wall_ms + s.clock_offset_ms < m.b",
        &[&sel.tours, &starts, &ends],
    )?;
    tx.batch_execute("ALTER TABLE pick ADD PRIMARY KEY (id); ANALYZE pick;")?;
    let mut log = Connection::open_in_memory()?;
    schema::migrate(&mut log, Path::new(":memory:"))?;
    // The rows come from tables with the same CHECKs: testing them again would only cost.
    log.pragma_update(None, "ignore_check_constraints", "ON")?;
    log.pragma_update(None, "foreign_keys", "OFF")?;
    let lt = log.transaction()?;
    let mut keys: HashMap<String, i64> = HashMap::new();
    let cols = |c: &[(&str, bool)], prefix: &str| {
        c.iter()
            .map(|(n, _)| format!("{prefix}{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let marks = |n: usize| {
        (1..=n)
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    // Sessions get keys in (station, seq) order, as a merged tour's; their rows come in
    // the same order, so every insert appends to the B-trees.
    {
        let mut stmt = lt.prepare(&format!(
            "INSERT INTO sessions (k, {}) VALUES ({})",
            cols(SESSIONS, ""),
            marks(SESSIONS.len() + 1)
        ))?;
        copy_table(
            &mut tx,
            &format!(
                "COPY (SELECT {} FROM klub.sessions s JOIN pick USING (id) ORDER BY station, seq) TO STDOUT",
                cols(SESSIONS, "s.")
            ),
            SESSIONS,
            |vals| {
                let k = keys.len() as i64 + 1;
                keys.insert(vals[0].as_deref().unwrap_or_default().to_owned(), k);
                stmt.raw_bind_parameter(1, k)?;
                bind(&mut stmt, vals, SESSIONS, 0, 2)?;
                stmt.raw_execute()?;
                Ok(())
            },
        )?;
    }
    for (table, cols_of, rest) in [
        (
            "steps",
            STEPS,
            "session, n, step, step_id, left_by, answer, ms, wall_ms, mono_ms",
        ),
        (
            "profiles",
            PROFILES,
            "session, reading, strongest, holland, r, r_n, i, i_n, a, a_n, s, s_n, e, e_n, c, c_n, skills",
        ),
        ("top_trades", TRADES, "session, rank, trade"),
    ] {
        let mut stmt = lt.prepare(&format!(
            "INSERT INTO {table} ({rest}) VALUES ({})",
            marks(cols_of.len())
        ))?;
        copy_table(
            &mut tx,
            &format!(
                "COPY (SELECT {} FROM klub.{table} x JOIN pick p ON p.id = x.session_id
                   JOIN klub.sessions s ON s.id = x.session_id ORDER BY s.station, s.seq, x.{}) TO STDOUT",
                cols(cols_of, "x."),
                cols_of[1].0
            ),
            cols_of,
            |vals| {
                let id = vals[0].as_deref().unwrap_or_default();
                let k = *keys.get(id).ok_or_else(|| {
                    WarehouseError::Refused(format!(
                        "{table} : session {id} absente / missing session"
                    ))
                })?;
                stmt.raw_bind_parameter(1, k)?;
                bind(&mut stmt, vals, cols_of, 1, 2)?;
                stmt.raw_execute()?;
                Ok(())
            },
        )?;
    }
    tx.commit()?;
    lt.commit()?;
    log.pragma_update(None, "ignore_check_constraints", "OFF")?;
    log.pragma_update(None, "foreign_keys", "ON")?;
    Ok(log)
}

/// Binds `vals[from..]` to the parameters from `first` on: integers as integers.
fn bind(
    stmt: &mut rusqlite::Statement<'_>,
    vals: &[Option<Cow<'_, str>>],
    cols: &[(&str, bool)],
    from: usize,
    first: usize,
) -> Result<(), WarehouseError> {
    for (i, (v, (name, int))) in vals.iter().zip(cols).enumerate().skip(from) {
        let at = first + i - from;
        match v {
            None => stmt.raw_bind_parameter(at, rusqlite::types::Null)?,
            Some(s) if *int => {
                let n: i64 = s.parse().map_err(|_| {
                    WarehouseError::Refused(format!(
                        "{name} : « {s} » n'est pas un entier / not an integer"
                    ))
                })?;
                stmt.raw_bind_parameter(at, n)?;
            }
            Some(s) => stmt.raw_bind_parameter(at, s.as_ref())?,
        }
    }
    Ok(())
}

/// Reads a text-format `COPY … TO STDOUT` line by line into `row`.
fn copy_table(
    tx: &mut postgres::Transaction<'_>,
    copy: &str,
    cols: &[(&str, bool)],
    mut row: impl FnMut(&[Option<Cow<'_, str>>]) -> Result<(), WarehouseError>,
) -> Result<(), WarehouseError> {
    let mut reader = BufReader::with_capacity(1 << 20, tx.copy_out(copy)?);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| WarehouseError::Io {
                path: "COPY".into(),
                source: e,
            })?;
        if n == 0 {
            break;
        }
        let vals: Vec<Option<Cow<'_, str>>> = line
            .strip_suffix('\n')
            .unwrap_or(&line)
            .split('\t')
            .map(unescape)
            .collect();
        if vals.len() != cols.len() {
            return Err(WarehouseError::Refused(format!(
                "COPY : {} colonnes au lieu de {} / columns instead of {}",
                vals.len(),
                cols.len(),
                cols.len()
            )));
        }
        row(&vals)?;
    }
    Ok(())
}

/// One field of the text COPY format: `\N` is NULL, backslash escapes.
fn unescape(f: &str) -> Option<Cow<'_, str>> {
    if f == "\\N" {
        return None;
    }
    if !f.contains('\\') {
        return Some(Cow::Borrowed(f));
    }
    let mut out = String::with_capacity(f.len());
    let mut it = f.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('t') => out.push('\t'),
                Some('n') => out.push('\n'),
                Some('r') => out.push('\r'),
                Some(o) => out.push(o),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    Some(Cow::Owned(out))
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

    #[test]
    fn copy_fields_unescape() {
        assert_eq!(unescape("\\N"), None);
        assert_eq!(unescape("a\\tb\\\\c").as_deref(), Some("a\tb\\c"));
    }
}

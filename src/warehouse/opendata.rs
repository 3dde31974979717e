//! `klub export --open-data DIR`: the only export meant for the public. Counts of visitor
//! sessions by tour stop × month × public (the visit context), rounded as in the report,
//! as CSV and Parquet. No session-level row leaves this way.

use crate::domain::session::Source;
use crate::storage::{read, time};
use crate::warehouse::WarehouseError;
use crate::warehouse::parquet::{Col, Kind, Table, V};
use rusqlite::Connection;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

/// The report's small-count rule, its one owner.
pub use crate::report::small::rounded;

/// One published line: (tour, stop, month, public) and its rounded count.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    /// Tour id (empty when the station had none).
    pub tour: String,
    /// Stop id (empty when none).
    pub stop: String,
    /// `YYYY-MM`, Paris time.
    pub month: String,
    /// The visit context.
    pub public: String,
    /// Sessions, rounded; `None` for 1 to 4.
    pub sessions: Option<i64>,
}

/// The counts of a log's visitor sessions, in tour order then month and public.
pub fn lines(conn: &Connection) -> Result<Vec<Line>, WarehouseError> {
    let rows = read::sessions(conn, &[Source::Visitor])?;
    let mut order: Vec<(String, String)> = vec![];
    let mut counts: BTreeMap<(usize, String, String), i64> = BTreeMap::new();
    for r in &rows {
        let place = (
            r.tour.clone().unwrap_or_default(),
            r.stop.clone().unwrap_or_default(),
        );
        let k = order.iter().position(|p| *p == place).unwrap_or_else(|| {
            order.push(place);
            order.len() - 1
        });
        let day = time::paris_day_hour(r.started_ms()).0;
        let month = day.get(..7).unwrap_or(&day).to_owned();
        *counts.entry((k, month, r.context.clone())).or_insert(0) += 1;
    }
    Ok(counts
        .into_iter()
        .map(|((k, month, public), n)| Line {
            tour: order[k].0.clone(),
            stop: order[k].1.clone(),
            month,
            public,
            sessions: rounded(n),
        })
        .collect())
}

const COLS: &[Col] = &[
    ("tour", Kind::Id, false),
    ("stop", Kind::Id, false),
    ("month", Kind::Enum, false),
    ("public", Kind::Enum, false),
    ("sessions", Kind::Int, true),
    ("under_five", Kind::Int, false),
];

/// Writes `open-data.csv` (UTF-8, `,`, « < 5 » counts empty with `under_five` = 1) and
/// `open-data.parquet` into `dir`; returns the number of lines.
pub fn write(conn: &Connection, dir: &Path) -> Result<usize, WarehouseError> {
    std::fs::create_dir_all(dir).map_err(|e| WarehouseError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let lines = lines(conn)?;
    let csv_path = dir.join("open-data.csv");
    let io = |e| WarehouseError::Io {
        path: csv_path.clone(),
        source: e,
    };
    let mut csv = std::io::BufWriter::new(std::fs::File::create(&csv_path).map_err(io)?);
    writeln!(csv, "tour,stop,month,public,sessions,under_five").map_err(io)?;
    let mut pq = Table::create(dir, "open-data", COLS)?;
    for l in &lines {
        writeln!(
            csv,
            "{},{},{},{},{},{}",
            l.tour,
            l.stop,
            l.month,
            l.public,
            l.sessions.map_or(String::new(), |n| n.to_string()),
            i64::from(l.sessions.is_none())
        )
        .map_err(io)?;
        pq.row(vec![
            V::T(l.tour.clone()),
            V::T(l.stop.clone()),
            V::T(l.month.clone()),
            V::T(l.public.clone()),
            l.sessions.map_or(V::Null, V::I),
            V::I(i64::from(l.sessions.is_none())),
        ])?;
    }
    csv.flush().map_err(io)?;
    pq.finish()?;
    Ok(lines.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_round_to_five_and_hide_one_to_four() {
        let r: Vec<Option<i64>> = [0, 1, 4, 5, 7, 8, 12, 13].map(super::rounded).to_vec();
        assert_eq!(
            r,
            [
                Some(0),
                None,
                None,
                Some(5),
                Some(5),
                Some(10),
                Some(10),
                Some(15)
            ]
        );
    }
}

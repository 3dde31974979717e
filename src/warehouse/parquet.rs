//! `klub export --parquet DIR`: sessions, steps and profiles as Parquet files, for the
//! region's data team under its data protection officer's agreement.
//!
//! The rows and the pseudonymisation are those of the CSV export (pass ids as a keyed
//! hash); the types are for DuckDB, pandas and Spark:
//! - wall times as `TIMESTAMP(MILLIS, UTC)`, corrected by the stop's date offset (the
//!   facilitator's `clock_offset_ms`), with the station's raw value beside (`*_wall_ms`);
//! - enumerations as dictionary-encoded strings;
//! - signed integers only (Spark has no unsigned types).
//!
//! Written with Parquet's low-level column writer, without arrow, Snappy-compressed.

use crate::report::export::pass_label;
use crate::storage::input::PrivateDir;
use crate::storage::read::{self, SessionRow};
use crate::warehouse::WarehouseError;
use crate::warehouse::push::Checking;
use parquet::basic::{Compression, Encoding};
use parquet::data_type::{ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use rusqlite::Connection;
use rusqlite::types::ValueRef;
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, mpsc};

/// Rows per row group: large enough for good compression, small enough that the last one
/// is encoded soon after the rows are read (each is encoded while the next is gathered).
const ROW_GROUP: usize = 1 << 18;

/// The type of a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A pseudonymous id or a content id (string, dictionary-encoded while it pays).
    Id,
    /// An enumeration: a dictionary-encoded string.
    Enum,
    /// A signed 64-bit integer.
    Int,
    /// A corrected wall time: `TIMESTAMP(MILLIS, UTC)`.
    Time,
}

/// One value.
#[derive(Clone, Debug)]
pub enum V {
    /// Text.
    T(String),
    /// Integer (or milliseconds for [`Kind::Time`]).
    I(i64),
    /// Missing.
    Null,
}

fn t(s: &str) -> V {
    V::T(s.to_owned())
}

fn ot(s: &Option<String>) -> V {
    s.as_deref().map_or(V::Null, t)
}

fn oi(n: Option<i64>) -> V {
    n.map_or(V::Null, V::I)
}

/// A column: name, kind, whether it may be missing.
pub type Col = (&'static str, Kind, bool);

/// A Parquet file written row group by row group: rows are gathered column by column
/// here, and each full row group is encoded and written by a thread of its own while the
/// next one is read.
pub struct Table {
    cols: &'static [Col],
    bufs: Vec<Buf>,
    rows: usize,
    groups: Option<mpsc::SyncSender<(Vec<Buf>, usize)>>,
    encoder: std::thread::JoinHandle<Result<usize, WarehouseError>>,
}

/// One column's values for the row group being gathered, and its definition levels.
#[derive(Default)]
struct Buf {
    bytes: Vec<ByteArray>,
    ints: Vec<i64>,
    defs: Vec<i16>,
    nulls: usize,
}

/// Equal strings share one buffer: a value repeated on millions of rows (an enumeration,
/// a session id on each of its steps) is allocated once.
#[derive(Default)]
pub struct Interner(HashMap<Box<[u8]>, ByteArray>);

impl Interner {
    /// The shared copy of `b`.
    pub fn get(&mut self, b: &[u8]) -> ByteArray {
        if let Some(v) = self.0.get(b) {
            return v.clone();
        }
        let v = ByteArray::from(b.to_vec());
        self.0.insert(b.into(), v.clone());
        v
    }
}

fn schema_of(name: &str, cols: &[Col]) -> String {
    let mut s = format!("message {name} {{\n");
    for (c, kind, nullable) in cols {
        let rep = if *nullable { "OPTIONAL" } else { "REQUIRED" };
        let ty = match kind {
            Kind::Id | Kind::Enum => "BYTE_ARRAY",
            Kind::Int | Kind::Time => "INT64",
        };
        let ann = match kind {
            Kind::Id | Kind::Enum => " (STRING)",
            Kind::Int => " (INTEGER(64,true))",
            Kind::Time => " (TIMESTAMP(MILLIS,true))",
        };
        s.push_str(&format!("  {rep} {ty} {c}{ann};\n"));
    }
    s.push('}');
    s
}

impl Table {
    /// Creates `dir/name.parquet`.
    pub fn create(dir: &Path, name: &str, cols: &'static [Col]) -> Result<Table, WarehouseError> {
        let path = dir.join(format!("{name}.parquet"));
        let schema = Arc::new(parse_message_type(&schema_of(name, cols))?);
        let mut props = WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("klub {}", env!("CARGO_PKG_VERSION")))
            // A tour's session ids fit in one dictionary, which beats plain strings.
            .set_dictionary_page_size_limit(16 << 20)
            .set_max_row_group_size(ROW_GROUP);
        for (c, kind, _) in cols {
            // Unique per row: a dictionary would only add a copy.
            if *c == "session_id" && name == "sessions" {
                props = props.set_column_dictionary_enabled((*c).into(), false);
            }
            // Times and counters grow slowly from row to row: deltas take a few bits each.
            if matches!(kind, Kind::Int | Kind::Time) {
                props = props
                    .set_column_dictionary_enabled((*c).into(), false)
                    .set_column_encoding((*c).into(), Encoding::DELTA_BINARY_PACKED);
            }
        }
        let file = std::fs::File::create(&path).map_err(|e| WarehouseError::Io {
            path: path.clone(),
            source: e,
        })?;
        let writer = SerializedFileWriter::new(file, schema, Arc::new(props.build()))?;
        // One row group waits while the next is gathered: memory stays bounded.
        let (groups, received) = mpsc::sync_channel(1);
        let encoder = std::thread::spawn(move || encode(writer, cols, &path, received));
        Ok(Table {
            cols,
            bufs: cols.iter().map(|_| Buf::default()).collect(),
            rows: 0,
            groups: Some(groups),
            encoder,
        })
    }

    /// Column `c` of the current row: a string.
    pub fn text(&mut self, c: usize, v: ByteArray) {
        let b = &mut self.bufs[c];
        b.bytes.push(v);
        b.defs.push(1);
    }

    /// Column `c` of the current row: an integer (milliseconds for [`Kind::Time`]).
    pub fn int(&mut self, c: usize, v: i64) {
        let b = &mut self.bufs[c];
        b.ints.push(v);
        b.defs.push(1);
    }

    /// Column `c` of the current row: missing.
    pub fn null(&mut self, c: usize) {
        let b = &mut self.bufs[c];
        b.defs.push(0);
        b.nulls += 1;
    }

    /// Ends the current row (every column was given a value).
    pub fn end_row(&mut self) -> Result<(), WarehouseError> {
        self.rows += 1;
        if self.rows >= ROW_GROUP {
            self.flush()?;
        }
        Ok(())
    }

    /// Adds a row (one value per column, in order).
    pub fn row(&mut self, row: Vec<V>) -> Result<(), WarehouseError> {
        debug_assert_eq!(row.len(), self.cols.len());
        for (c, v) in row.into_iter().enumerate() {
            match v {
                V::T(s) => self.text(c, ByteArray::from(s.into_bytes())),
                V::I(n) => self.int(c, n),
                V::Null => self.null(c),
            }
        }
        self.end_row()
    }

    /// Hands the gathered row group to the encoder.
    fn flush(&mut self) -> Result<(), WarehouseError> {
        if self.rows == 0 {
            return Ok(());
        }
        let bufs = std::mem::replace(
            &mut self.bufs,
            self.cols.iter().map(|_| Buf::default()).collect(),
        );
        let sent = self
            .groups
            .as_ref()
            .is_some_and(|g| g.send((bufs, self.rows)).is_ok());
        self.rows = 0;
        if !sent {
            // The encoder stopped on an error: `finish` reports it.
            return Err(WarehouseError::Refused(
                "Parquet : écriture interrompue / writing stopped".into(),
            ));
        }
        Ok(())
    }

    /// Writes what is left and the footer; returns the number of rows.
    pub fn finish(mut self) -> Result<usize, WarehouseError> {
        let flushed = self.flush();
        drop(self.groups.take());
        let written = self.encoder.join().unwrap_or_else(|_| {
            Err(WarehouseError::Refused(
                "Parquet : écriture interrompue / writing crashed".into(),
            ))
        })?;
        flushed?;
        Ok(written)
    }
}

/// The encoder's thread: writes each row group it receives, then the footer.
fn encode(
    mut writer: SerializedFileWriter<std::fs::File>,
    cols: &'static [Col],
    path: &Path,
    groups: mpsc::Receiver<(Vec<Buf>, usize)>,
) -> Result<usize, WarehouseError> {
    let mut written = 0;
    for (bufs, rows) in groups {
        let mut rg = writer.next_row_group()?;
        let mut k = 0;
        while let Some(mut col) = rg.next_column()? {
            let (name, kind, nullable) = cols[k];
            let b = &bufs[k];
            if (!nullable && b.nulls > 0) || b.defs.len() != rows {
                return Err(WarehouseError::Refused(format!(
                    "{} : colonne {name} vide / empty column",
                    path.display()
                )));
            }
            let defs = nullable.then_some(b.defs.as_slice());
            match kind {
                Kind::Id | Kind::Enum => {
                    col.typed::<ByteArrayType>()
                        .write_batch(&b.bytes, defs, None)?;
                }
                Kind::Int | Kind::Time => {
                    col.typed::<Int64Type>().write_batch(&b.ints, defs, None)?;
                }
            }
            col.close()?;
            k += 1;
        }
        rg.close()?;
        written += rows;
    }
    writer.close()?;
    Ok(written)
}

const SESSIONS: &[Col] = &[
    ("session_id", Kind::Id, false),
    ("station", Kind::Id, false),
    ("seq", Kind::Int, false),
    ("tour", Kind::Id, true),
    ("stop", Kind::Id, true),
    ("source", Kind::Enum, false),
    ("context", Kind::Enum, false),
    ("scenario", Kind::Id, false),
    ("trade", Kind::Id, true),
    ("lang", Kind::Enum, false),
    ("pass", Kind::Id, true),
    ("situation", Kind::Enum, false),
    ("age_band", Kind::Enum, false),
    ("started_at", Kind::Time, false),
    ("ended_at", Kind::Time, true),
    ("duration_s", Kind::Int, true),
    ("outcome", Kind::Enum, true),
    ("clock_offset_ms", Kind::Int, false),
    ("started_wall_ms", Kind::Int, false),
    ("started_mono_ms", Kind::Int, false),
    ("ended_wall_ms", Kind::Int, true),
];

const STEPS: &[Col] = &[
    ("session_id", Kind::Id, false),
    ("n", Kind::Int, false),
    ("step", Kind::Int, false),
    ("step_id", Kind::Id, true),
    ("left_by", Kind::Enum, true),
    ("answer", Kind::Enum, true),
    ("ms", Kind::Int, true),
    ("at", Kind::Time, false),
    ("wall_ms", Kind::Int, false),
    ("mono_ms", Kind::Int, false),
];

const PROFILES: &[Col] = &[
    ("session_id", Kind::Id, false),
    ("reading", Kind::Enum, false),
    ("strongest", Kind::Enum, false),
    ("holland", Kind::Enum, false),
    ("r", Kind::Int, false),
    ("r_n", Kind::Int, false),
    ("i", Kind::Int, false),
    ("i_n", Kind::Int, false),
    ("a", Kind::Int, false),
    ("a_n", Kind::Int, false),
    ("s", Kind::Int, false),
    ("s_n", Kind::Int, false),
    ("e", Kind::Int, false),
    ("e_n", Kind::Int, false),
    ("c", Kind::Int, false),
    ("c_n", Kind::Int, false),
    ("skills", Kind::Id, false),
    ("trade_1", Kind::Id, true),
    ("trade_2", Kind::Id, true),
    ("trade_3", Kind::Id, true),
];

fn session_row(r: &SessionRow, key: Option<&[u8]>) -> Vec<V> {
    vec![
        t(&r.id),
        t(&r.station),
        V::I(r.seq),
        ot(&r.tour),
        ot(&r.stop),
        t(&r.source),
        t(&r.context),
        t(&r.scenario),
        ot(&r.trade),
        t(&r.lang),
        r.pass_id
            .as_deref()
            .map_or(V::Null, |p| V::T(pass_label(p, key))),
        t(&r.situation),
        t(&r.age_band),
        V::I(r.started_ms()),
        oi(r.ended_wall_ms.map(|e| e + r.clock_offset_ms)),
        oi(r.duration_ms().map(|d| d / 1000)),
        ot(&r.outcome),
        V::I(r.clock_offset_ms),
        V::I(r.started_wall_ms),
        V::I(r.started_mono_ms),
        oi(r.ended_wall_ms),
    ]
}

/// The files [`write`] makes.
pub const FILES: [&str; 3] = ["sessions.parquet", "steps.parquet", "profiles.parquet"];

/// [`write`] while the input is still being checked: the files are written into a private
/// folder inside `dir` and moved into place only once `checking` says every row passed, so
/// nothing leaves from an input that fails.
pub fn write_checked(
    conn: &Connection,
    dir: &Path,
    key: Option<&[u8]>,
    checking: Checking,
) -> Result<usize, WarehouseError> {
    std::fs::create_dir_all(dir).map_err(|e| WarehouseError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let staged = PrivateDir::create_in(dir, ".klub-parquet-")?;
    let written = write(conn, staged.path(), key);
    checking.wait()?;
    let n = written?;
    for f in FILES {
        std::fs::rename(staged.path().join(f), dir.join(f)).map_err(|e| WarehouseError::Io {
            path: dir.join(f),
            source: e,
        })?;
    }
    crate::fsio::sync_dir(dir);
    Ok(n)
}

/// Writes `sessions.parquet`, `steps.parquet` and `profiles.parquet` from a log into `dir`,
/// in the CSV export's order; `key` hashes pass ids (`None` keeps them). Returns the number
/// of sessions.
pub fn write(conn: &Connection, dir: &Path, key: Option<&[u8]>) -> Result<usize, WarehouseError> {
    std::fs::create_dir_all(dir).map_err(|e| WarehouseError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let rows = read::sessions(conn, &[])?;
    let profiles = read::profiles(conn)?;
    let mut sessions = Table::create(dir, "sessions", SESSIONS)?;
    let mut steps = Table::create(dir, "steps", STEPS)?;
    let mut profs = Table::create(dir, "profiles", PROFILES)?;
    let mut shared = Interner::default();
    // One cached statement, the step rows read in place: millions of them, no copy.
    let mut read_steps = conn.prepare_cached(
        "SELECT n, step, step_id, left_by, answer, ms, wall_ms, mono_ms FROM steps WHERE session = ?1 ORDER BY n",
    )?;
    for r in &rows {
        sessions.row(session_row(r, key))?;
        let id = ByteArray::from(r.id.as_bytes().to_vec());
        let mut found = read_steps.query([r.key])?;
        while let Some(x) = found.next()? {
            steps.text(0, id.clone());
            for c in 0..2 {
                steps.int(c + 1, x.get(c)?);
            }
            for c in 2..5 {
                match x.get_ref(c)? {
                    ValueRef::Null => steps.null(c + 1),
                    v => steps.text(
                        c + 1,
                        shared.get(v.as_bytes().map_err(rusqlite::Error::from)?),
                    ),
                }
            }
            match x.get::<_, Option<i64>>(5)? {
                Some(ms) => steps.int(6, ms),
                None => steps.null(6),
            }
            let wall: i64 = x.get(6)?;
            steps.int(7, wall + r.clock_offset_ms);
            steps.int(8, wall);
            steps.int(9, x.get(7)?);
            steps.end_row()?;
        }
        if let Some(p) = profiles.get(&r.id) {
            let mut cells = vec![
                t(&p.session_id),
                t(&p.reading),
                t(&p.strongest),
                t(&p.holland),
            ];
            for (s, n) in p.areas {
                cells.push(V::I(s));
                cells.push(V::I(n));
            }
            cells.push(t(&p.skills));
            for k in 0..3 {
                cells.push(ot(&p.top_trades.get(k).cloned()));
            }
            profs.row(cells)?;
        }
    }
    drop(read_steps);
    sessions.finish()?;
    steps.finish()?;
    profs.finish()?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_schema_has_signed_integers_and_utc_millisecond_timestamps() {
        let s = super::schema_of("sessions", super::SESSIONS);
        assert!(
            s.contains("REQUIRED INT64 started_at (TIMESTAMP(MILLIS,true));"),
            "{s}"
        );
        assert!(s.contains("REQUIRED INT64 seq (INTEGER(64,true));"), "{s}");
        assert!(!s.contains("false)"), "{s}");
        parquet::schema::parser::parse_message_type(&s).unwrap();
    }
}

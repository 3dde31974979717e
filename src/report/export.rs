//! `klub export`: sessions, steps and profiles as CSV (UTF-8 with a BOM, `;` by default, so
//! French spreadsheets open it right) and as JSON Lines.
//!
//! Every text cell is quoted and every number is not, so a spreadsheet told to read quoted
//! fields as text (LibreOffice: « Champ entre guillemets comme texte ») keeps ids such as
//! `12e45` or `007` as they are. A text cell that a spreadsheet would run as a formula is
//! neutralised whatever its source ([`csv_text`]); numbers, negative ones included, stay
//! numbers. The JSON Lines keep the text as it is: no spreadsheet reads them.

use crate::fsio::AtomicFile;
use crate::storage::read::{self, SessionRow};
use crate::storage::{StorageError, db, merge, time};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// How to export.
#[derive(Clone, Debug)]
pub struct Options {
    /// Field separator.
    pub sep: u8,
    /// Key of the pass-id hash; `None` keeps pass ids.
    pub pass_key: Option<Vec<u8>>,
}

/// A cell: text (quoted and neutralised in the CSV) or a number (bare).
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    /// Text.
    Text(String),
    /// A whole number.
    Number(i64),
    /// Nothing.
    Empty,
}

fn text(s: impl Into<String>) -> Cell {
    Cell::Text(s.into())
}

fn opt(s: &Option<String>) -> Cell {
    s.as_ref().map_or(Cell::Empty, |v| Cell::Text(v.clone()))
}

fn num(n: i64) -> Cell {
    Cell::Number(n)
}

fn opt_num(n: Option<i64>) -> Cell {
    n.map_or(Cell::Empty, num)
}

/// First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
pub const FORMULA_START: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// A text cell as written to the CSV, following OWASP's CSV-injection guidance: quoted, inner
/// quotes doubled, and prefixed with `'` when it starts with one of [`FORMULA_START`], so a
/// spreadsheet shows it as text instead of running it (`=1+41` becomes `"'=1+41"`).
pub fn csv_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 3);
    out.push('"');
    if s.starts_with(FORMULA_START) {
        out.push('\'');
    }
    out.push_str(&s.replace('"', "\"\""));
    out.push('"');
    out
}

/// Writes one CSV record (cells joined by `sep`, ended by CRLF).
pub fn write_record(w: &mut impl Write, sep: u8, cells: &[Cell]) -> std::io::Result<()> {
    for (k, c) in cells.iter().enumerate() {
        if k > 0 {
            w.write_all(&[sep])?;
        }
        match c {
            Cell::Text(s) => w.write_all(csv_text(s).as_bytes())?,
            Cell::Number(n) => write!(w, "{n}")?,
            Cell::Empty => {}
        }
    }
    w.write_all(b"\r\n")
}

struct Out {
    csv: BufWriter<AtomicFile>,
    jsonl: BufWriter<AtomicFile>,
    header: Vec<&'static str>,
    sep: u8,
}

/// The files an export writes into its folder.
pub fn outputs(dir: &Path) -> Vec<PathBuf> {
    ["sessions", "steps", "profiles"]
        .iter()
        .flat_map(|n| [format!("{n}.csv"), format!("{n}.jsonl")])
        .map(|f| dir.join(f))
        .collect()
}

/// A file written under a temporary name and put in place by `finish` (a link planted at
/// its name is refused, never followed).
fn create(path: &Path) -> Result<BufWriter<AtomicFile>, StorageError> {
    AtomicFile::create(path)
        .map(BufWriter::new)
        .map_err(|e| StorageError::Io {
            path: path.to_owned(),
            source: e,
        })
}

impl Out {
    fn new(
        dir: &Path,
        name: &str,
        header: Vec<&'static str>,
        sep: u8,
    ) -> Result<Out, StorageError> {
        let mut o = Out {
            csv: create(&dir.join(format!("{name}.csv")))?,
            jsonl: create(&dir.join(format!("{name}.jsonl")))?,
            header,
            sep,
        };
        let io = |e| StorageError::Io {
            path: dir.to_owned(),
            source: e,
        };
        o.csv.write_all("\u{feff}".as_bytes()).map_err(io)?;
        let h: Vec<Cell> = o
            .header
            .iter()
            .map(|h| Cell::Text((*h).to_owned()))
            .collect();
        o.write_csv(&h).map_err(io)?;
        Ok(o)
    }

    fn write_csv(&mut self, cells: &[Cell]) -> std::io::Result<()> {
        write_record(&mut self.csv, self.sep, cells)
    }

    fn row(&mut self, cells: Vec<Cell>) -> std::io::Result<()> {
        self.write_csv(&cells)?;
        let mut obj = serde_json::Map::new();
        for (h, c) in self.header.iter().zip(&cells) {
            let v = match c {
                Cell::Text(s) => Value::String(s.clone()),
                Cell::Number(n) => Value::from(*n),
                Cell::Empty => Value::Null,
            };
            obj.insert((*h).to_owned(), v);
        }
        serde_json::to_writer(&mut self.jsonl, &Value::Object(obj))?;
        self.jsonl.write_all(b"\n")
    }

    fn finish(self) -> std::io::Result<()> {
        self.csv
            .into_inner()
            .map_err(|e| e.into_error())?
            .commit()?;
        self.jsonl
            .into_inner()
            .map_err(|e| e.into_error())?
            .commit()
    }
}

/// The pass id shown in exports: a keyed hash (HMAC-SHA256, 16 hex digits), or as is.
pub fn pass_label(pass: &str, key: Option<&[u8]>) -> String {
    match key {
        None => pass.to_owned(),
        Some(k) => {
            let mut mac =
                <Hmac<Sha256> as Mac>::new_from_slice(k).expect("HMAC takes any key length");
            mac.update(pass.as_bytes());
            let d = mac.finalize().into_bytes();
            format!("h{}", crate::domain::ids::to_hex(&d[..8]))
        }
    }
}

/// Exports the logs into `dir`; returns the number of sessions written. Several logs (a
/// station's and the tour's) are merged first, in a scratch copy, so no session is written
/// twice.
pub fn export(dbs: &[PathBuf], dir: &Path, opts: &Options) -> Result<usize, StorageError> {
    std::fs::create_dir_all(dir).map_err(|e| StorageError::Io {
        path: dir.to_owned(),
        source: e,
    })?;
    let scratch = dir.join(format!(".klub-export-{}.db", std::process::id()));
    for p in std::iter::once(scratch.clone()).chain(db::side_files(&scratch)) {
        let _ = std::fs::remove_file(p);
    }
    let res = (|| {
        merge::merge(dbs, &scratch)?;
        let conn = db::open_ro(&scratch)?;
        write_all(&conn, dir, opts)
    })();
    for p in std::iter::once(scratch.clone()).chain(db::side_files(&scratch)) {
        let _ = std::fs::remove_file(p);
    }
    res
}

fn write_all(
    conn: &rusqlite::Connection,
    dir: &Path,
    opts: &Options,
) -> Result<usize, StorageError> {
    let io = |e| StorageError::Io {
        path: dir.to_owned(),
        source: e,
    };
    let rows = read::sessions(conn, &[])?;
    let profiles = read::profiles(conn)?;
    let key = opts.pass_key.as_deref();
    let mut sessions = Out::new(
        dir,
        "sessions",
        vec![
            "session_id",
            "station",
            "seq",
            "tour",
            "stop",
            "source",
            "context",
            "scenario",
            "trade",
            "lang",
            "pass",
            "situation",
            "age_band",
            "started_at",
            "ended_at",
            "duration_s",
            "outcome",
            "clock_offset_ms",
            "started_wall_ms",
            "started_mono_ms",
        ],
        opts.sep,
    )?;
    let mut steps = Out::new(
        dir,
        "steps",
        vec![
            "session_id",
            "n",
            "step",
            "step_id",
            "left_by",
            "answer",
            "ms",
            "at",
            "wall_ms",
            "mono_ms",
        ],
        opts.sep,
    )?;
    let mut profs = Out::new(
        dir,
        "profiles",
        vec![
            "session_id",
            "reading",
            "strongest",
            "holland",
            "r",
            "r_n",
            "i",
            "i_n",
            "a",
            "a_n",
            "s",
            "s_n",
            "e",
            "e_n",
            "c",
            "c_n",
            "skills",
            "trade_1",
            "trade_2",
            "trade_3",
        ],
        opts.sep,
    )?;
    for r in &rows {
        session_row(&mut sessions, r, key).map_err(io)?;
        for s in read::steps(conn, r.key)? {
            steps
                .row(vec![
                    text(&r.id),
                    num(s.n),
                    num(s.step),
                    opt(&s.step_id),
                    opt(&s.left_by),
                    opt(&s.answer),
                    opt_num(s.ms),
                    text(time::paris_iso(s.wall_ms.saturating_add(r.clock_offset_ms))),
                    num(s.wall_ms),
                    num(s.mono_ms),
                ])
                .map_err(io)?;
        }
        if let Some(p) = profiles.get(&r.id) {
            let mut cells = vec![
                text(&p.session_id),
                text(&p.reading),
                text(&p.strongest),
                text(&p.holland),
            ];
            for (s, n) in p.areas {
                cells.push(num(s));
                cells.push(num(n));
            }
            cells.push(text(&p.skills));
            for k in 0..3 {
                cells.push(opt(&p.top_trades.get(k).cloned()));
            }
            profs.row(cells).map_err(io)?;
        }
    }
    sessions.finish().map_err(io)?;
    steps.finish().map_err(io)?;
    profs.finish().map_err(io)?;
    Ok(rows.len())
}

fn session_row(o: &mut Out, r: &SessionRow, key: Option<&[u8]>) -> std::io::Result<()> {
    o.row(vec![
        text(&r.id),
        text(&r.station),
        num(r.seq),
        opt(&r.tour),
        opt(&r.stop),
        text(&r.source),
        text(&r.context),
        text(&r.scenario),
        opt(&r.trade),
        text(&r.lang),
        r.pass_id
            .as_ref()
            .map_or(Cell::Empty, |p| text(pass_label(p, key))),
        text(&r.situation),
        text(&r.age_band),
        text(time::paris_iso(r.started_ms())),
        r.ended_wall_ms.map_or(Cell::Empty, |e| {
            text(time::paris_iso(e.saturating_add(r.clock_offset_ms)))
        }),
        opt_num(r.duration_ms().map(|d| d / 1000)),
        opt(&r.outcome),
        num(r.clock_offset_ms),
        num(r.started_wall_ms),
        num(r.started_mono_ms),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_that_starts_like_a_formula_is_neutralised_and_numbers_stay_bare() {
        for (raw, csv) in [
            ("=1+41", "\"'=1+41\""),
            (
                "=HYPERLINK(\"http://x\";\"clic\")",
                "\"'=HYPERLINK(\"\"http://x\"\";\"\"clic\"\")\"",
            ),
            ("+1+41", "\"'+1+41\""),
            ("-1+41", "\"'-1+41\""),
            ("@SUM(1;41)", "\"'@SUM(1;41)\""),
            ("\t=1+41", "\"'\t=1+41\""),
            ("\r=1+41", "\"'\r=1+41\""),
            (
                "-248-05-12T10:00:00+02:00",
                "\"'-248-05-12T10:00:00+02:00\"",
            ),
            // Only the first character counts; ordinary text is left alone.
            ("a=1+41", "\"a=1+41\""),
            ("12e45", "\"12e45\""),
            ("2026-05-12T10:00:00+02:00", "\"2026-05-12T10:00:00+02:00\""),
            ("'quoted'", "\"'quoted'\""),
            ("", "\"\""),
        ] {
            assert_eq!(csv_text(raw), csv, "{raw:?}");
        }
        let mut out = vec![];
        write_record(
            &mut out,
            b';',
            &[
                Cell::Text("=1+41".into()),
                Cell::Number(-3_600_000),
                Cell::Empty,
                Cell::Number(7),
            ],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "\"'=1+41\";-3600000;;7\r\n"
        );
    }
}

//! `klub export --parquet` read back by an independent reader (pyarrow) and compared row by
//! row with the CSV export; `klub export --open-data` holds no count from 1 to 4.

mod support;

use rusqlite::Connection;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use support::warehouse::{as_visitors, klub, klub_ok, s, simulate};

/// Whether `python3` with pyarrow is there; fails under `CI=true` when it is not.
fn pyarrow() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import pyarrow.parquet"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        support::ci::missing("python3 with pyarrow", "installed by .ci/setup");
    }
    ok
}

fn python(script: &str, args: &[&Path]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "python: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Reads each Parquet file with pyarrow and compares it, cell by cell, with the CSV of the
/// same name; timestamps are shown as the CSV shows them (Paris time, seconds). Also checks
/// the types: UTC millisecond timestamps, signed 64-bit integers, dictionary-encoded enums.
const COMPARE: &str = r#"
import csv, sys, datetime, zoneinfo
import pyarrow as pa, pyarrow.parquet as pq
csv_dir, pq_dir = sys.argv[1], sys.argv[2]
paris = zoneinfo.ZoneInfo("Europe/Paris")
def iso(dt):
    s = dt.astimezone(paris).strftime("%Y-%m-%dT%H:%M:%S%z")
    return s[:-2] + ":" + s[-2:]
enums = {"sessions": ["source", "context", "lang", "situation", "age_band", "outcome"],
         "steps": ["left_by", "answer"], "profiles": ["reading", "holland"]}
for name in ["sessions", "steps", "profiles"]:
    path = f"{pq_dir}/{name}.parquet"
    table = pq.read_table(path)
    for field in table.schema:
        t = field.type
        assert not pa.types.is_unsigned_integer(t), (name, field)
        if pa.types.is_integer(t):
            assert t == pa.int64(), (name, field)
        if pa.types.is_timestamp(t):
            assert t.unit == "ms" and t.tz in ("UTC", "+00:00"), (name, field)
    f = pq.ParquetFile(path)
    for col in enums[name]:
        j = f.schema_arrow.get_field_index(col)
        enc = f.metadata.row_group(0).column(j).encodings
        assert any("DICTIONARY" in e for e in enc), (name, col, enc)
    rows = table.to_pylist()
    with open(f"{csv_dir}/{name}.csv", encoding="utf-8-sig", newline="") as fh:
        lines = list(csv.reader(fh, delimiter=";"))
    header, body = lines[0], lines[1:]
    assert len(body) == len(rows), (name, len(body), len(rows))
    assert len(body) > 0, name
    for i, (c, p) in enumerate(zip(body, rows)):
        for h, v in zip(header, c):
            x = p[h]
            if isinstance(x, datetime.datetime):
                x = iso(x)
            elif x is None:
                x = ""
            else:
                x = str(x)
            assert x == v, (name, i, h, x, v)
    print(name, len(rows))
times = pq.read_table(f"{pq_dir}/sessions.parquet", columns=["started_at", "started_wall_ms", "clock_offset_ms", "pass"]).to_pylist()
for r in times:
    ms = int(r["started_at"].timestamp() * 1000)
    assert ms == r["started_wall_ms"] + r["clock_offset_ms"], r
passes = [r["pass"] for r in times if r["pass"] is not None]
assert passes and all(p.startswith("h") for p in passes), passes[:3]
print("passes", len(passes))
"#;

#[test]
fn parquet_matches_the_csv_export_row_by_row() {
    if !pyarrow() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 80, 31, "printemps");
    let b = simulate(dir.path(), "borne-b", 50, 32, "printemps");
    // A facilitator's date offset on one station: corrected times differ from raw ones.
    Connection::open(&b)
        .unwrap()
        .execute(
            "UPDATE sessions SET clock_offset_ms = 2 * 86400000, rev = rev + 1",
            [],
        )
        .unwrap();
    let key = "ab".repeat(32);
    let csv = dir.path().join("csv");
    let pq = dir.path().join("pq");
    klub_ok(&["export", s(&a), s(&b), "--out", s(&csv), "--hash-key", &key]);
    let out = klub_ok(&[
        "export",
        s(&a),
        s(&b),
        "--parquet",
        s(&pq),
        "--hash-key",
        &key,
    ]);
    assert!(out.contains("130 sessions"), "{out}");
    assert!(!csv.join("open-data.csv").exists() && !pq.join("sessions.csv").exists());
    let report = python(COMPARE, &[&csv, &pq]);
    assert!(report.contains("sessions 130"), "{report}");
    // A shifted clock shows: corrected start = raw + offset, checked above for every row.
    let offsets = python(
        "import sys, pyarrow.parquet as pq; print(sorted(set(pq.read_table(sys.argv[1] + '/sessions.parquet').column('clock_offset_ms').to_pylist())))",
        &[&pq],
    );
    assert_eq!(offsets.trim(), "[0, 172800000]");
}

#[test]
fn one_log_is_read_in_place_and_a_tampered_one_exports_nothing() {
    if !pyarrow() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 60, 35, "printemps");
    let key = "cd".repeat(32);
    let (csv, pq) = (dir.path().join("csv"), dir.path().join("pq"));
    klub_ok(&["export", s(&a), "--out", s(&csv), "--hash-key", &key]);
    klub_ok(&["export", s(&a), "--parquet", s(&pq), "--hash-key", &key]);
    let report = python(COMPARE, &[&csv, &pq]);
    assert!(report.contains("sessions 60"), "{report}");
    // Edited by hand around its CHECKs: a name where an answer goes, in step rows (the
    // rows checked while the export writes).
    let tampered = simulate(dir.path(), "borne-t", 20, 36, "printemps");
    {
        let c = Connection::open(&tampered).unwrap();
        c.pragma_update(None, "ignore_check_constraints", "ON")
            .unwrap();
        let n = c
            .execute(
                "UPDATE steps SET answer = 'Marie Dupont' WHERE answer IS NOT NULL AND session = 2",
                [],
            )
            .unwrap();
        assert!(n > 0);
    }
    let out_dir = dir.path().join("pq-t");
    let out = klub(&["export", s(&tampered), "--parquet", s(&out_dir)]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("endommagé") && err.contains("steps"), "{err}");
    let left: Vec<String> = std::fs::read_dir(&out_dir)
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert!(left.is_empty(), "written from a refused input: {left:?}");
}

#[test]
fn parquet_keeps_no_raw_pass_id_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 40, 33, "printemps");
    let raw: Vec<String> = Connection::open(&a)
        .unwrap()
        .prepare("SELECT pass_id FROM sessions WHERE pass_id IS NOT NULL")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(!raw.is_empty());
    let pq = dir.path().join("pq");
    klub_ok(&["export", s(&a), "--parquet", s(&pq)]);
    let bytes = std::fs::read(pq.join("sessions.parquet")).unwrap();
    for p in &raw {
        let found = bytes.windows(p.len()).any(|w| w == p.as_bytes());
        assert!(!found, "raw pass id {p} in the Parquet file");
    }
}

#[test]
fn open_data_holds_no_count_from_one_to_four() {
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 90, 41, "printemps");
    let b = simulate(dir.path(), "borne-b", 23, 42, "printemps");
    as_visitors(&a);
    as_visitors(&b);
    // Three visits at a stop of their own: a count under 5.
    Connection::open(&b)
        .unwrap()
        .execute(
            "UPDATE sessions SET stop = 'vierzon', rev = rev + 1 WHERE seq <= 3",
            [],
        )
        .unwrap();
    let od = dir.path().join("od");
    klub_ok(&["export", s(&a), s(&b), "--open-data", s(&od)]);
    // The truth, from the logs: visitor sessions by tour, stop, Paris month and public.
    let mut truth: BTreeMap<(String, String, String), i64> = BTreeMap::new();
    for db in [&a, &b] {
        let c = Connection::open(db).unwrap();
        let mut st = c
            .prepare("SELECT stop, context, started_wall_ms + clock_offset_ms FROM sessions WHERE source = 'visitor'")
            .unwrap();
        for row in st
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                ))
            })
            .unwrap()
        {
            let (stop, public, ms) = row.unwrap();
            let day = klub_kiosk::storage::time::paris_day_hour(ms).0;
            *truth
                .entry((stop, day[..7].to_owned(), public))
                .or_insert(0) += 1;
        }
    }
    let csv = std::fs::read_to_string(od.join("open-data.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("tour,stop,month,public,sessions,under_five")
    );
    let (mut small, mut shown, mut total) = (0, 0, 0);
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 6, "{l}");
        assert_eq!(f[0], "printemps");
        let n = truth[&(f[1].to_owned(), f[2].to_owned(), f[3].to_owned())];
        total += 1;
        if (1..5).contains(&n) {
            assert_eq!((f[4], f[5]), ("", "1"), "{l}: {n} sessions");
            small += 1;
        } else {
            let shown_n: i64 = f[4].parse().unwrap();
            assert!(shown_n % 5 == 0 && shown_n >= 5, "{l}");
            assert!((shown_n - n).abs() <= 2, "{l}: {n} sessions");
            assert_eq!(f[5], "0");
            shown += 1;
        }
    }
    assert_eq!(total, truth.len(), "one line per group, none left out");
    assert!(
        small > 0 && shown > 0,
        "{small} small, {shown} shown: {csv}"
    );
    // The Parquet twin says the same, read by pyarrow.
    if pyarrow() {
        let out = python(
            "import sys, pyarrow.parquet as pq\nt = pq.read_table(sys.argv[1] + '/open-data.parquet').to_pylist()\nassert all(r['sessions'] is None or (r['sessions'] % 5 == 0 and r['sessions'] >= 5) for r in t), t\nassert all((r['sessions'] is None) == (r['under_five'] == 1) for r in t)\nprint(len(t), sorted(t[0].keys()))",
            &[&od],
        );
        assert!(
            out.starts_with(&format!(
                "{total} ['month', 'public', 'sessions', 'stop', 'tour', 'under_five']"
            )),
            "{out}"
        );
    }
    // Simulated sessions are not visitors: none of them is published.
    let sim = simulate(dir.path(), "borne-s", 30, 43, "printemps");
    let od2 = dir.path().join("od2");
    klub_ok(&["export", s(&sim), "--open-data", s(&od2)]);
    assert_eq!(
        std::fs::read_to_string(od2.join("open-data.csv"))
            .unwrap()
            .lines()
            .count(),
        1
    );
    // Without --out, no session-level file is written.
    let names: Vec<String> = std::fs::read_dir(&od)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(names, ["open-data.csv", "open-data.parquet"]);
    let out = klub(&["export", s(&a)]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an export needs somewhere to go"
    );
}

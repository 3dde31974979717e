//! Combining station logs into a tour log: idempotent, collision-checked, all or nothing.
//!
//! Each input is first copied through the backup API (a consistent snapshot, so a log a
//! station is still writing can be merged), checked and upgraded in the copy. The tour log
//! is built in a temporary file next to it, checked, synced, and only then renamed over
//! the old one; when nothing changes the old file is left byte for byte as it was.

use crate::storage::schema::{self, Kind};
use crate::storage::{StorageError, db};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};

/// What a merge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MergeReport {
    /// Sessions added.
    pub added: u64,
    /// Sessions replaced by a more complete copy (a live log merged earlier).
    pub updated: u64,
    /// Sessions already present, unchanged.
    pub unchanged: u64,
    /// Whether the output file was written.
    pub written: bool,
}

/// A scratch directory removed on drop.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch_near(out: &Path) -> Result<Scratch, StorageError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut b = [0u8; 6];
    crate::domain::ids::fill_random(&mut b);
    let name = format!(
        ".{}.merge-{}",
        out.file_name().and_then(|f| f.to_str()).unwrap_or("tour"),
        crate::domain::ids::to_hex(&b)
    );
    let p = dir.join(name);
    std::fs::create_dir_all(&p).map_err(|e| StorageError::Io {
        path: p.clone(),
        source: e,
    })?;
    Ok(Scratch(p))
}

/// Merges the inputs into `out` (created if missing).
pub fn merge(inputs: &[PathBuf], out: &Path) -> Result<MergeReport, StorageError> {
    let scratch = scratch_near(out)?;
    let tmp = scratch.0.join("tour.db");
    // Check every input before touching anything. A current-version input is read in
    // place, inside the merge transaction (a consistent snapshot even while a station
    // writes it); an older one is copied through the backup API and upgraded in the copy.
    let mut snaps = vec![];
    for (k, input) in inputs.iter().enumerate() {
        if !input.is_file() {
            return Err(StorageError::Io {
                path: input.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "fichier absent / no such file",
                ),
            });
        }
        let conn = Connection::open_with_flags(
            input,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| schema::classify(e, input))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let kind = schema::inspect(&conn, input)?;
        db::check(&conn, input)?;
        drop(conn);
        if kind == Kind::Ours(schema::LATEST) {
            snaps.push((input.clone(), input.clone()));
        } else {
            let snap = scratch.0.join(format!("in-{k}.db"));
            drop(db::open_snapshot(input, &snap)?);
            snaps.push((input.clone(), snap));
        }
    }
    let existed = out.exists();
    let mut conn = if existed {
        let [wal, _] = db::side_files(out);
        db::open_snapshot(out, &tmp)?;
        if wal.exists() {
            // Open it once read-write so SQLite checkpoints and removes its WAL.
            drop(db::open_rw(out)?);
            if wal.exists() {
                return Err(StorageError::Invalid(format!(
                    "{} est ouvert par un autre programme ; fermez-le / is open in another program; close it",
                    out.display()
                )));
            }
        }
        db::open_rw(&tmp)?.0
    } else {
        db::open_rw(&tmp)?.0
    };
    let mut report = MergeReport::default();
    // Bulk inserts: a large page cache saves re-reading index pages.
    conn.pragma_update(None, "cache_size", -262_144)?;
    for (input, snap) in &snaps {
        merge_one(&mut conn, input, snap, &mut report)?;
    }
    if existed && report.added == 0 && report.updated == 0 {
        return Ok(report);
    }
    db::check(&conn, &tmp)?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    drop(conn);
    let f = std::fs::File::open(&tmp).map_err(|e| StorageError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    f.sync_all().map_err(|e| StorageError::Io {
        path: tmp.clone(),
        source: e,
    })?;
    for side in db::side_files(&tmp) {
        let _ = std::fs::remove_file(side);
    }
    std::fs::rename(&tmp, out).map_err(|e| StorageError::Io {
        path: out.to_owned(),
        source: e,
    })?;
    db::sync_dir(out.parent().unwrap_or(Path::new(".")));
    report.written = true;
    Ok(report)
}

fn merge_one(
    conn: &mut Connection,
    input: &Path,
    snap: &Path,
    report: &mut MergeReport,
) -> Result<(), StorageError> {
    conn.execute("ATTACH DATABASE ?1 AS src", [uri_ro(snap)])?;
    let res = (|| -> Result<(), StorageError> {
        let tx = conn.transaction()?;
        let find = |sql: &str| -> Option<(String, String, i64)> {
            tx.query_row(sql, [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ok()
        };
        let collision = find(
            "SELECT s.id, s.station, s.seq FROM src.sessions s JOIN main.sessions m ON m.id = s.id
             WHERE m.station <> s.station OR m.seq <> s.seq LIMIT 1",
        )
        .or_else(|| {
            find(
                "SELECT s.id, s.station, s.seq FROM src.sessions s JOIN main.sessions m
                   ON m.station = s.station AND m.seq = s.seq WHERE m.id <> s.id LIMIT 1",
            )
        });
        if let Some((id, station, seq)) = collision {
            return Err(StorageError::Invalid(format!(
                "{} : collision sur la session {id} (borne {station}, n° {seq}) : deux bornes portent-elles le même identifiant ? / collision on session {id} (station {station}, no. {seq}): do two stations share an id?",
                input.display()
            )));
        }
        tx.execute_batch(
            "CREATE TEMP TABLE take (id TEXT PRIMARY KEY, fresh INTEGER) WITHOUT ROWID;
             INSERT INTO take SELECT s.id, 1 FROM src.sessions s WHERE NOT EXISTS (SELECT 1 FROM main.sessions m WHERE m.id = s.id);
             INSERT INTO take SELECT s.id, 0 FROM src.sessions s JOIN main.sessions m ON m.id = s.id
               WHERE m.outcome IS NULL AND (s.outcome IS NOT NULL
                 OR (SELECT count(*) FROM src.steps x WHERE x.session_id = s.id) > (SELECT count(*) FROM main.steps y WHERE y.session_id = m.id)
                 OR (SELECT count(*) FROM src.profiles x WHERE x.session_id = s.id) > (SELECT count(*) FROM main.profiles y WHERE y.session_id = m.id));
             DELETE FROM main.sessions WHERE id IN (SELECT id FROM take WHERE fresh = 0);
             INSERT INTO main.sessions SELECT s.* FROM src.sessions s JOIN take USING (id);
             INSERT INTO main.steps SELECT x.* FROM src.steps x JOIN take t ON t.id = x.session_id;
             INSERT INTO main.profiles SELECT x.* FROM src.profiles x JOIN take t ON t.id = x.session_id;
             INSERT INTO main.top_trades SELECT x.* FROM src.top_trades x JOIN take t ON t.id = x.session_id;",
        )?;
        let (fresh, updated): (i64, i64) = tx.query_row(
            "SELECT coalesce(sum(fresh), 0), coalesce(sum(1 - fresh), 0) FROM take",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let total: i64 = tx.query_row("SELECT count(*) FROM src.sessions", [], |r| r.get(0))?;
        tx.execute_batch("DROP TABLE temp.take")?;
        tx.commit()?;
        report.added += fresh as u64;
        report.updated += updated as u64;
        report.unchanged += (total - fresh - updated).max(0) as u64;
        Ok(())
    })();
    conn.execute("DETACH DATABASE src", [])?;
    res
}

/// A read-only `file:` URI for ATTACH.
fn uri_ro(p: &Path) -> String {
    let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let mut s = String::from("file:");
    for c in abs.to_string_lossy().chars() {
        match c {
            '%' | '?' | '#' | ' ' | '"' | '\'' => s.push_str(&format!("%{:02X}", c as u32)),
            c => s.push(c),
        }
    }
    s.push_str("?mode=ro");
    s
}

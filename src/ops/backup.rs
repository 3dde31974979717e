//! Daily copies of the visit log: the last seven days are kept, and a backup is skipped
//! (with a warning) long before the disk is too full for the log itself.
//!
//! # Station hook
//!
//! At start-up and then every hour, on a background thread (it reads a snapshot while the
//! log writer keeps writing):
//!
//! ```no_run
//! use klub_kiosk::ops::backup::{Policy, daily};
//! # let (db, today) = (std::path::Path::new("data/klub-log.db"), "2027-01-11");
//! match daily(db, &db.with_file_name("backups"), today, &Policy::default()) {
//!     Ok(outcome) => if let Some(warning) = outcome.warning() { /* show in the panel, log it */ },
//!     Err(e) => { /* log it; the visit log itself is unaffected */ }
//! }
//! ```
//!
//! Backups are `backups/klub-log-YYYY-MM-DD.db`, written to a temporary name first and
//! renamed, so a half-written copy is never counted as one.

use crate::ops::{OpsError, disk};
use std::path::{Path, PathBuf};

/// Backups kept.
pub const KEEP: usize = 7;

/// How backups are made.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Backups kept.
    pub keep: usize,
    /// Free space a backup must leave for the log itself: below it, backups stop while the
    /// visit log keeps going.
    pub reserve_bytes: u64,
    /// Test hook: the free space to assume instead of measuring it.
    pub free_override: Option<u64>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            keep: KEEP,
            // 30 days of logging at the floor rate.
            reserve_bytes: 30 * disk::RATE_FLOOR,
            free_override: None,
        }
    }
}

/// What [`daily`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A backup was written.
    Made(PathBuf),
    /// Today's backup already exists.
    AlreadyDone(PathBuf),
    /// No log yet: nothing to back up.
    NoLog,
    /// Too little free space: no backup, the log keeps its room.
    LowDisk {
        /// Bytes free.
        free: u64,
        /// Bytes a backup would have needed, reserve included.
        needed: u64,
    },
}

impl Outcome {
    /// The warning for the facilitator and the station log, if any.
    pub fn warning(&self) -> Option<String> {
        match self {
            Outcome::LowDisk { free, needed } => Some(format!(
                "Disque presque plein : sauvegarde du journal suspendue ({} Mo libres, {} Mo nécessaires). Exportez le journal sur clé USB et videz le disque. / Disk almost full: log backups paused.",
                free / 1_000_000,
                needed / 1_000_000
            )),
            _ => None,
        }
    }
}

/// The file name of a day's backup.
pub fn file_name(day: &str) -> String {
    format!("klub-log-{day}.db")
}

/// Backups in `dir`, oldest first.
pub fn list(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| {
                    p.file_name()
                        .and_then(|f| f.to_str())
                        .is_some_and(|f| f.starts_with("klub-log-") && f.ends_with(".db"))
                })
                .collect()
        })
        .unwrap_or_default();
    // `YYYY-MM-DD` sorts by date.
    v.sort();
    v
}

/// Makes today's backup of `db` in `dir` (if not made yet and the disk allows), then
/// keeps only the newest `policy.keep`. `today` is `YYYY-MM-DD`.
pub fn daily(db: &Path, dir: &Path, today: &str, policy: &Policy) -> Result<Outcome, OpsError> {
    if !db.is_file() {
        return Ok(Outcome::NoLog);
    }
    std::fs::create_dir_all(dir).map_err(OpsError::path(dir))?;
    let dest = dir.join(file_name(today));
    let outcome = if dest.is_file() {
        Outcome::AlreadyDone(dest)
    } else {
        let size = disk::log_bytes(db);
        let free = match policy.free_override {
            Some(f) => f,
            None => disk::free_bytes(dir).map_err(OpsError::path(dir))?,
        };
        let needed = size.saturating_add(policy.reserve_bytes);
        if free < needed {
            return Ok(Outcome::LowDisk { free, needed });
        }
        let tmp = dir.join(format!(".{}.tmp", file_name(today)));
        let res = crate::storage::db::open_snapshot(db, &tmp).map(drop);
        for side in crate::storage::db::side_files(&tmp) {
            let _ = std::fs::remove_file(side);
        }
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            return Err(e.into());
        }
        if let Err(e) = crate::fsio::replace_with(&tmp, &dest) {
            let _ = std::fs::remove_file(&tmp);
            return Err(OpsError::path(&dest)(e));
        }
        Outcome::Made(dest)
    };
    let all = list(dir);
    for old in all
        .iter()
        .take(all.len().saturating_sub(policy.keep.max(1)))
    {
        let _ = std::fs::remove_file(old);
    }
    Ok(outcome)
}

//! Free disk space and the log's growth rate, for backups and `klub doctor`.

use std::path::Path;

/// The least logging rate assumed, in bytes a day: a fresh log has no history to measure,
/// and a busy day (about 300 visits of 30 steps) writes roughly this much.
pub const RATE_FLOOR: u64 = 2 * 1024 * 1024;

/// Bytes available to an unprivileged user on the file system holding `path` (the nearest
/// existing ancestor when `path` does not exist yet).
pub fn free_bytes(path: &Path) -> std::io::Result<u64> {
    let mut p = path;
    while !p.exists() {
        match p.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => p = parent,
            _ => {
                p = Path::new(".");
                break;
            }
        }
    }
    let s = rustix::fs::statvfs(p)?;
    Ok(s.f_bavail.saturating_mul(s.f_frsize))
}

/// The log's size on disk, with its write-ahead log.
pub fn log_bytes(db: &Path) -> u64 {
    crate::storage::db::side_files(db)
        .iter()
        .chain(std::iter::once(&db.to_path_buf()))
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// Bytes a day: the log's size over the days it covers, never below [`RATE_FLOOR`].
pub fn daily_rate(bytes: u64, days_of_data: u64) -> u64 {
    (bytes / days_of_data.max(1)).max(RATE_FLOOR)
}

/// Days of logging `free` bytes hold at `rate` bytes a day.
pub fn days_left(free: u64, rate: u64) -> u64 {
    free / rate.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_has_a_floor_and_days_divide() {
        assert_eq!(daily_rate(0, 0), RATE_FLOOR);
        assert_eq!(daily_rate(100 * RATE_FLOOR, 10), 10 * RATE_FLOOR);
        assert_eq!(days_left(30 * RATE_FLOOR, RATE_FLOOR), 30);
        let dir = tempfile::tempdir().unwrap();
        assert!(free_bytes(&dir.path().join("not/yet/there")).unwrap() > 0);
    }
}

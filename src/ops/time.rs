//! The stop's date as the facilitator sets it (a day offset kept in the data folder, the
//! system clock untouched), and the earliest date a sane clock can show.
//!
//! # Station hook
//!
//! At start-up `station.date_offset_days = ops::time::read_offset_days(&data_dir)`; after
//! each "− 1 jour" / "+ 1 jour" tap `ops::time::write_offset_days(&data_dir, days)`, so the
//! date survives a restart. Sessions carry `clock_offset_ms = days × 86 400 000`.

use std::path::Path;

/// The file holding the offset: one signed integer, in days, and a newline (`-3`).
pub const OFFSET_FILE: &str = "date-offset.txt";

const DAY_MS: i64 = 86_400_000;

/// The release date this software cannot be running before: `SOURCE_DATE_EPOCH` (seconds)
/// when the build sets it, otherwise this date, updated with each release.
pub const RELEASE_DATE: &str = "2026-11-28";

/// The floor of a sane clock, in UTC milliseconds.
pub fn build_floor_ms() -> i64 {
    option_env!("SOURCE_DATE_EPOCH")
        .and_then(|s| s.trim().parse::<i64>().ok())
        .map(|s| s * 1000)
        .or_else(|| crate::storage::time::parse_paris_date(RELEASE_DATE))
        .unwrap_or(0)
}

/// The offset in days (0 when unset or unreadable).
pub fn read_offset_days(data_dir: &Path) -> i32 {
    crate::fsio::read_regular(&data_dir.join(OFFSET_FILE), 64)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .and_then(|s| s.trim().parse().ok())
        .filter(|d: &i32| d.abs() <= 3660)
        .unwrap_or(0)
}

/// Saves the offset (`fsio::write_atomic`: a power cut leaves the old value or the new one).
pub fn write_offset_days(data_dir: &Path, days: i32) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    crate::fsio::write_atomic(&data_dir.join(OFFSET_FILE), format!("{days}\n").as_bytes())
}

/// The offset in milliseconds, as sessions store it.
pub fn offset_ms(days: i32) -> i64 {
    i64::from(days) * DAY_MS
}

/// The stop's date (`YYYY-MM-DD`, Paris) at `now_ms` with the offset.
pub fn stop_date(now_ms: i64, days: i32) -> String {
    crate::storage::time::paris_day_hour(now_ms + offset_ms(days)).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_round_trip_and_bad_files() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_offset_days(dir.path()), 0);
        write_offset_days(dir.path(), -3).unwrap();
        assert_eq!(read_offset_days(dir.path()), -3);
        assert_eq!(
            std::fs::read_to_string(dir.path().join(OFFSET_FILE)).unwrap(),
            "-3\n"
        );
        std::fs::write(dir.path().join(OFFSET_FILE), "n'importe quoi").unwrap();
        assert_eq!(read_offset_days(dir.path()), 0);
        let d = crate::storage::time::parse_paris_date("2027-01-11").unwrap();
        assert_eq!(stop_date(d + 3_600_000, 2), "2027-01-13");
        assert!(build_floor_ms() >= crate::storage::time::parse_paris_date("2026-11-01").unwrap());
    }
}

//! Deleting sessions past the retention period that the organiser's data protection officer
//! sets (`[data] retention_days` in the station config).

use crate::storage::{StorageError, input};
use std::path::Path;

/// Deletes every session that started (corrected clock) before `cutoff_ms`, with its steps
/// and profile; the freed pages are zeroed (`secure_delete`) so nothing lingers in the
/// file. The log may come from a stick: it is opened through [`input::open_in_place`]
/// (schema checked, no triggers), and the sessions gone are counted, not the deletions
/// SQLite reports. Returns how many sessions were deleted.
pub fn purge_before(path: &Path, cutoff_ms: i64) -> Result<usize, StorageError> {
    let mut conn = input::open_in_place(path)?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    let count = |c: &rusqlite::Connection| -> rusqlite::Result<i64> {
        c.query_row("SELECT count(*) FROM sessions", [], |r| r.get(0))
    };
    let tx = conn.transaction()?;
    let before = count(&tx)?;
    tx.execute(
        "DELETE FROM sessions WHERE started_wall_ms + clock_offset_ms < ?1",
        [cutoff_ms],
    )?;
    let after = count(&tx)?;
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(usize::try_from(before - after).unwrap_or(0))
}

//! Deleting sessions past the retention period that the organiser's data protection officer
//! sets (`[data] retention_days` in the station config).

use crate::storage::{StorageError, db};
use std::path::Path;

/// Deletes every session that started (corrected clock) before `cutoff_ms`, with its steps
/// and profile; the freed pages are zeroed (`secure_delete`) so nothing lingers in the
/// file. Returns how many sessions were deleted.
pub fn purge_before(path: &Path, cutoff_ms: i64) -> Result<usize, StorageError> {
    let (mut conn, _) = db::open_rw(path)?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    let tx = conn.transaction()?;
    let n = tx.execute(
        "DELETE FROM sessions WHERE started_wall_ms + clock_offset_ms < ?1",
        [cutoff_ms],
    )?;
    tx.commit()?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(n)
}

//! The region's warehouse (feature `warehouse`): visit logs pushed to PostgreSQL, reports
//! over whole tours or months, retention there, and Parquet for the region's data team.
//!
//! - [`pg`]: connecting (no password in the URL, TLS off localhost), the `klub` schema and
//!   its migrations, purge and aggregates;
//! - [`push`]: loading logs checked as `klub merge` checks them, in bounded binary `COPY`
//!   batches;
//! - [`select`]: what the report reads from a tour log, computed by the server for whole
//!   tours or months, so the report is the very one of a tour log; the stats' sessions;
//! - [`parquet`]: sessions, steps and profiles as Parquet, typed for DuckDB, pandas, Spark;
//! - [`opendata`]: counts by stop × month × public, rounded as in the report.

pub mod opendata;
pub mod parquet;
pub mod pg;
pub mod push;
pub mod select;

use crate::storage::StorageError;

/// Why a warehouse operation failed.
#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    /// Reading or checking a log.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// PostgreSQL refused or failed.
    #[error("PostgreSQL : {}", pg_message(.0))]
    Pg(#[from] postgres::Error),
    /// Writing Parquet.
    #[error("Parquet : {0}")]
    Parquet(#[from] ::parquet::errors::ParquetError),
    /// A file could not be written.
    #[error("{path} : {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// Refused before anything was changed: a setting, an input, a newer schema.
    #[error("{0}")]
    Refused(String),
}

/// The server's own words (message, detail, constraint) rather than "db error".
pub fn pg_message(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(d) => {
            let mut m = d.message().to_owned();
            if let Some(c) = d.constraint() {
                m.push_str(&format!(" [{c}]"));
            }
            if let Some(detail) = d.detail() {
                m.push_str(&format!(" ({detail})"));
            }
            m
        }
        None => e.to_string(),
    }
}

impl From<rusqlite::Error> for WarehouseError {
    fn from(e: rusqlite::Error) -> Self {
        WarehouseError::Storage(StorageError::Sql(e))
    }
}

//! The durable visit log: the only module that touches SQL.
//!
//! - [`schema`]: the versioned schema and its migrations;
//! - [`db`]: opening a log with the right pragmas, checking it, taking snapshots;
//! - [`input`]: opening a log that comes from elsewhere, which is untrusted input;
//! - [`writer`]: the station's writer thread (never blocks a frame on disk);
//! - [`merge`], [`read`], [`purge`]: the organiser's side.

pub mod db;
pub mod input;
pub mod merge;
pub mod purge;
pub mod read;
pub mod record;
pub mod schema;
pub mod time;
pub mod writer;

use std::path::PathBuf;

/// Why a log could not be opened, written or read.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The file was written by a newer version of the software.
    #[error(
        "{path} : journal d'une version plus récente (schéma {found}, ce logiciel lit jusqu'au {supported}) ; fichier laissé intact / log from a newer version (schema {found}, this software reads up to {supported}); file left untouched"
    )]
    Newer {
        /// The file.
        path: PathBuf,
        /// Its schema version.
        found: u32,
        /// The newest this code knows.
        supported: u32,
    },
    /// Not a Klub log at all.
    #[error("{path} : ce n'est pas un journal du Klub / not a Klub log")]
    Foreign {
        /// The file.
        path: PathBuf,
    },
    /// A Klub log whose schema is not exactly one this software wrote (a view, a trigger,
    /// a changed table): it may have been made to trap its reader, so nothing is read.
    #[error(
        "{path} : structure inattendue pour un journal du Klub (schéma {version}) : {detail} ; fichier refusé / unexpected structure for a Klub log (schema {version}): {detail_en}; file refused"
    )]
    Unexpected {
        /// The file.
        path: PathBuf,
        /// The schema version it claims.
        version: i64,
        /// The first difference found, in French.
        detail: String,
        /// The same in English.
        detail_en: String,
    },
    /// Reading the file took longer than any log of its size should.
    #[error(
        "{path} : lecture arrêtée au bout de {seconds} s, bien plus qu'il n'en faut pour un journal de cette taille : fichier piégé ? / reading stopped after {seconds} s, far longer than a log of this size needs: a trapped file?"
    )]
    TimeLimit {
        /// The file.
        path: PathBuf,
        /// The time allowed.
        seconds: u64,
    },
    /// The file is damaged.
    #[error("{path} : journal endommagé ({detail}) / damaged log")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What SQLite said.
        detail: String,
    },
    /// A file could not be read or written.
    #[error("{path} : {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The system error.
        source: std::io::Error,
    },
    /// An SQLite error.
    #[error("SQLite : {0}")]
    Sql(#[from] rusqlite::Error),
    /// A record or an argument that the log refuses.
    #[error("{0}")]
    Invalid(String),
    /// A record naming an id that is not one (`domain::ids::is_id`).
    #[error("{fr} invalide / invalid {en}")]
    BadId {
        /// What, in French.
        fr: &'static str,
        /// What, in English.
        en: &'static str,
    },
    /// A session started twice.
    #[error("session {0} déjà ouverte / already started")]
    AlreadyStarted(crate::domain::session::SessionId),
    /// A record for a session that was never started (or is long closed).
    #[error("session inconnue {0} / unknown session")]
    UnknownSession(crate::domain::session::SessionId),
}

impl StorageError {
    /// Whether retrying later may succeed (disk full, I/O error, busy).
    pub fn is_transient(&self) -> bool {
        match self {
            StorageError::Sql(rusqlite::Error::SqliteFailure(e, _)) => !matches!(
                e.code,
                rusqlite::ErrorCode::ConstraintViolation
                    | rusqlite::ErrorCode::TypeMismatch
                    | rusqlite::ErrorCode::ApiMisuse
            ),
            StorageError::Io { .. } => true,
            _ => false,
        }
    }
}

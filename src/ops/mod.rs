//! Running a station unattended: systemd readiness and watchdog, `klub doctor`, daily log
//! backups, the station's text log, safe scenario updates, the stop's date, power-off.
//!
//! No Bevy here: the station calls these small functions from its systems (each module's
//! doc names its hook), and `klub` calls them from the command line.

pub mod backup;
pub mod disk;
pub mod doctor;
pub mod files;
pub mod logfile;
pub mod power;
pub mod scenarios;
pub mod time;
pub mod watchdog;

use std::path::PathBuf;

/// Why an upkeep task failed: the message is French / English, or the system's own.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    /// A file or folder could not be read or written.
    #[error("{}: {error}", path.display())]
    Path {
        /// Which.
        path: PathBuf,
        /// The system's reason.
        error: std::io::Error,
    },
    /// The log could not be copied.
    #[error(transparent)]
    Storage(#[from] crate::storage::StorageError),
    /// A power command with no program.
    #[error("commande vide / empty command")]
    EmptyCommand,
    /// The power command ran and refused.
    #[error(
        "extinction refusée ({0}) : la règle polkit du paquet est-elle installée ? / power-off refused: is the package's polkit rule installed?"
    )]
    PowerRefused(std::process::ExitStatus),
    /// The power command could not be started.
    #[error("{program} : {error}")]
    Start {
        /// The program.
        program: String,
        /// The system's reason.
        error: std::io::Error,
    },
    /// A scenario folder that cannot be installed: its rendered findings, or why.
    #[error("{0}")]
    Refused(String),
}

impl From<&str> for OpsError {
    fn from(why: &str) -> OpsError {
        OpsError::Refused(why.to_owned())
    }
}

impl OpsError {
    fn path(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> OpsError + '_ {
        move |error| OpsError::Path {
            path: path.to_owned(),
            error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::OpsError;
    use std::path::Path;

    #[test]
    fn ops_errors_keep_their_messages() {
        assert_eq!(
            OpsError::EmptyCommand.to_string(),
            "commande vide / empty command"
        );
        let e = OpsError::path(Path::new("/backups"))(std::io::Error::other("plein"));
        assert_eq!(e.to_string(), "/backups: plein");
        assert_eq!(
            OpsError::Refused("x.toml:1:1".into()).to_string(),
            "x.toml:1:1"
        );
    }
}

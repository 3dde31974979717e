//! The station's errors: one enum for the app layer, each variant carrying its message as
//! the station shows or logs it (French first, then English).

/// What went wrong in the station.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AppError {
    /// Scenarios that do not validate, with file:line:col (a reload keeps the last good set).
    #[error("{0}")]
    Content(String),
    /// The visit log could not be copied to the USB stick.
    #[error("{0}")]
    Export(String),
    /// A replay script that cannot be read or played to its end.
    #[error("{0}")]
    Replay(String),
    /// A daily backup that could not be made.
    #[error("{0}")]
    Backup(String),
    /// The test harness could not do what it was asked (a target not on screen…).
    #[error("{0}")]
    Harness(String),
    /// A bad command-line value.
    #[error("{0}")]
    Launch(String),
}

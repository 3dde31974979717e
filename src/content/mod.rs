//! Loading and checking the files facilitators write: scenarios, catalogue, configs, tours.

pub mod diag;
pub mod files;
pub mod paths;
pub mod reader;
pub mod rome;
pub mod scenario;
pub mod set;

use std::path::PathBuf;

/// Why a file the content refers to (a picture, a sound, the ROME referential) cannot be
/// used. The message is French / English; diagnostics quote it.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    /// The file could not be read.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A file or folder named by its path could not be read.
    #[error("{}: {error}", path.display())]
    Path {
        /// Which.
        path: PathBuf,
        /// The system's reason.
        error: std::io::Error,
    },
    /// The image decoder refused the file.
    #[error(transparent)]
    Image(#[from] image::ImageError),
    /// Not a PNG.
    #[error("pas un PNG / not a PNG")]
    NotPng,
    /// A picture larger than allowed.
    #[error("plus grande que {0}×{1} pixels / larger than {0}×{1} pixels")]
    TooLarge(u32, u32),
    /// Not a WAV.
    #[error("pas un fichier WAV / not a WAV file")]
    NotWav,
    /// A WAV without its `fmt ` or `data` chunk.
    #[error("en-tête WAV incomplet / incomplete WAV header")]
    WavHeader,
    /// No file of the ROME download matches.
    #[error("aucun fichier *{part}*.csv dans {} / no *{part}*.csv in {}", dir.display(), dir.display())]
    NoCsv {
        /// The part of the file name looked for.
        part: String,
        /// Where.
        dir: PathBuf,
    },
    /// The ROME download holds no fiche.
    #[error("{} : aucune fiche ROME lue / no ROME fiche read", .0.display())]
    NoFiche(PathBuf),
}

#[cfg(test)]
mod tests {
    use super::ContentError;
    use std::path::PathBuf;

    #[test]
    fn content_errors_carry_the_messages_diagnostics_quote() {
        assert_eq!(ContentError::NotPng.to_string(), "pas un PNG / not a PNG");
        assert_eq!(
            ContentError::TooLarge(8192, 1080).to_string(),
            "plus grande que 8192×1080 pixels / larger than 8192×1080 pixels"
        );
        assert_eq!(
            ContentError::NoCsv {
                part: "code_rome_riasec".into(),
                dir: PathBuf::from("rome"),
            }
            .to_string(),
            "aucun fichier *code_rome_riasec*.csv dans rome / no *code_rome_riasec*.csv in rome"
        );
        let io = std::io::Error::other("disque");
        assert_eq!(ContentError::from(io).to_string(), "disque");
    }
}

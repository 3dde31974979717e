//! The organiser's outputs built from logs: CSV / JSON Lines exports, the HTML report and
//! its charts as PNG.

pub mod export;
pub mod html;
pub mod png;
pub mod small;
pub mod svg;

/// Why a chart could not be rendered as PNG; French / English where the message is ours.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// `rsvg-convert` could not be started.
    #[error(
        "rsvg-convert introuvable ({0}) : installez le paquet librsvg2-bin / rsvg-convert not found: install librsvg2-bin"
    )]
    NoRsvg(std::io::Error),
    /// Its input could not be opened.
    #[error("rsvg-convert: stdin")]
    NoStdin,
    /// Writing to it or waiting for it failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// It failed, or wrote something that is not a PNG: what it said.
    #[error("rsvg-convert : {0}")]
    Failed(String),
}

#[cfg(test)]
mod tests {
    use super::ReportError;

    #[test]
    fn report_errors_name_the_missing_package_and_quote_the_tool() {
        let e = ReportError::NoRsvg(std::io::Error::from(std::io::ErrorKind::NotFound));
        assert!(
            e.to_string()
                .contains("librsvg2-bin / rsvg-convert not found"),
            "{e}"
        );
        assert_eq!(
            ReportError::Failed("bad svg".into()).to_string(),
            "rsvg-convert : bad svg"
        );
    }
}

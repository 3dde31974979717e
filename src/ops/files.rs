//! Where the station's files are, for the station and `klub doctor` alike: the visit log's
//! name in the data folder and the fonts with full French coverage.

use std::path::{Path, PathBuf};

/// The visit log's file name in the data folder.
pub const LOG_FILE: &str = "klub-log.db";

/// Fonts tried in order (Debian `fonts-dejavu-core` or `fonts-noto-core`); the first that
/// exists becomes the station's default font. No font file is committed.
pub const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/atkinson-hyperlegible/AtkinsonHyperlegible-Regular.ttf",
];

/// The first installed font of [`FONTS`] under `sysroot` (`/` except in tests).
pub fn find_font(sysroot: &Path) -> Option<PathBuf> {
    FONTS
        .iter()
        .map(|f| sysroot.join(f.trim_start_matches('/')))
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_are_found_under_the_sysroot_in_order() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(find_font(root.path()), None);
        let noto = root.path().join(FONTS[1].trim_start_matches('/'));
        std::fs::create_dir_all(noto.parent().unwrap()).unwrap();
        std::fs::write(&noto, b"font").unwrap();
        assert_eq!(find_font(root.path()), Some(noto));
        let dejavu = root.path().join(FONTS[0].trim_start_matches('/'));
        std::fs::create_dir_all(dejavu.parent().unwrap()).unwrap();
        std::fs::write(&dejavu, b"font").unwrap();
        assert_eq!(find_font(root.path()), Some(dejavu));
    }
}

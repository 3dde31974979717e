//! QR images of passes and links: PNG, SVG, and an RGBA buffer the station turns into a texture.
//!
//! Every image has whole pixels per module, a 4-module quiet zone, and dark modules on a
//! light ground, at error-correction level M.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel, Version};
use std::fmt::Write as _;

/// Modules of light margin around the code, as the QR standard asks.
pub const QUIET_ZONE: u32 = 4;
/// Dark modules (RGB).
pub const DARK: [u8; 3] = [0x00, 0x00, 0x00];
/// Light ground (RGB).
pub const LIGHT: [u8; 3] = [0xFF, 0xFF, 0xFF];
/// Share of the screen height the code takes on a station, quiet zone included.
pub const SCREEN_SHARE_PERCENT: u32 = 50;

/// A text that does not fit in a QR code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("texte trop long pour un code QR ({0} octets) / text too long for a QR code ({0} bytes)")]
pub struct TooLong(pub usize);

/// An encoded QR code: its modules, without quiet zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Qr {
    width: u32,
    dark: Vec<bool>,
    version: i16,
}

impl Qr {
    /// Encodes a text at level M, in the smallest version that holds it.
    ///
    /// The `qrcode` crate encodes the data and draws the symbol; the mask is chosen here
    /// with the standard's penalty rules, because the crate's own choice allocates on
    /// every module and takes most of the 2 ms a station may spend on a pass.
    pub fn new(text: &str) -> Result<Qr, TooLong> {
        let too_long = |_| TooLong(text.len());
        let bits = qrcode::bits::encode_auto(text.as_bytes(), EcLevel::M).map_err(too_long)?;
        let version = bits.version();
        let (data, ec) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M)
            .map_err(too_long)?;
        let mut canvas = Canvas::new(version, EcLevel::M);
        canvas.draw_all_functional_patterns();
        canvas.draw_data(&data, &ec);
        let width = version.width() as u32;
        let dark = MASKS
            .iter()
            .map(|m| {
                let mut c = canvas.clone();
                c.apply_mask(*m);
                let dark: Vec<bool> = c
                    .into_colors()
                    .into_iter()
                    .map(|c| c == Color::Dark)
                    .collect();
                (penalty(&dark, width as usize), dark)
            })
            .min_by_key(|(p, _)| *p)
            .map(|(_, d)| d)
            .unwrap_or_default();
        let version = match version {
            Version::Normal(v) | Version::Micro(v) => v,
        };
        Ok(Qr {
            width,
            dark,
            version,
        })
    }

    /// The QR version (1–40).
    pub fn version(&self) -> i16 {
        self.version
    }

    /// Modules per side, without the quiet zone.
    pub fn modules(&self) -> u32 {
        self.width
    }

    /// Modules per side, with the quiet zone.
    pub fn modules_with_quiet_zone(&self) -> u32 {
        self.width + 2 * QUIET_ZONE
    }

    /// Whether the module at (x, y) of the full image (quiet zone included) is dark.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        let (x, y) = (x.wrapping_sub(QUIET_ZONE), y.wrapping_sub(QUIET_ZONE));
        x < self.width && y < self.width && self.dark[(y * self.width + x) as usize]
    }

    /// Side of the image in pixels at `module_px` pixels per module (at least 1).
    pub fn side_px(&self, module_px: u32) -> u32 {
        self.modules_with_quiet_zone() * module_px.max(1)
    }

    /// Pixels per module for a screen of this height: the largest whole number that keeps
    /// the code within `SCREEN_SHARE_PERCENT` of the height, at least 1.
    pub fn module_px_for_screen(&self, screen_height: u32) -> u32 {
        (screen_height * SCREEN_SHARE_PERCENT / 100 / self.modules_with_quiet_zone()).max(1)
    }

    /// Pixels row by row, `px` per pixel: each module row is built once, then repeated.
    fn raster<T: Copy>(&self, module_px: u32, dark: &[T], light: &[T]) -> (u32, Vec<T>) {
        let m = module_px.max(1) as usize;
        let n = self.modules_with_quiet_zone();
        let side = n * m as u32;
        let mut out = Vec::with_capacity(side as usize * side as usize * dark.len());
        let mut row = Vec::with_capacity(side as usize * dark.len());
        for my in 0..n {
            row.clear();
            for mx in 0..n {
                let c = if self.is_dark(mx, my) { dark } else { light };
                for _ in 0..m {
                    row.extend_from_slice(c);
                }
            }
            for _ in 0..m {
                out.extend_from_slice(&row);
            }
        }
        (side, out)
    }

    /// One value per pixel, row by row: true for dark.
    pub fn pixels(&self, module_px: u32) -> (u32, Vec<bool>) {
        self.raster(module_px, &[true], &[false])
    }

    /// A grey image, dark on light.
    pub fn luma(&self, module_px: u32) -> image::GrayImage {
        let (side, px) = self.raster(module_px, &[luma_of(DARK)], &[luma_of(LIGHT)]);
        image::GrayImage::from_raw(side, side, px).unwrap_or_default()
    }

    /// RGBA bytes (width, height, bytes) for a station texture.
    pub fn rgba(&self, module_px: u32) -> (u32, u32, Vec<u8>) {
        let [dr, dg, db] = DARK;
        let [lr, lg, lb] = LIGHT;
        let (side, px) = self.raster(module_px, &[dr, dg, db, 0xFF], &[lr, lg, lb, 0xFF]);
        (side, side, px)
    }

    /// A PNG file's bytes (greyscale, fast compression: the image is mostly flat).
    pub fn png(&self, module_px: u32) -> Vec<u8> {
        use image::ImageEncoder;
        use image::codecs::png::{CompressionType, FilterType, PngEncoder};
        let img = self.luma(module_px);
        let mut out = Vec::new();
        let enc = PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::Sub);
        // Encoding an in-memory image into a Vec only fails on allocation failure.
        let _ = enc.write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::L8,
        );
        out
    }

    /// An SVG document, one path of whole-pixel squares, crisp edges.
    pub fn svg(&self, module_px: u32) -> String {
        let m = module_px.max(1);
        let side = self.side_px(m);
        let mut path = String::new();
        for y in 0..self.modules_with_quiet_zone() {
            for x in 0..self.modules_with_quiet_zone() {
                if self.is_dark(x, y) {
                    let _ = write!(path, "M{} {}h{m}v{m}h-{m}z", x * m, y * m);
                }
            }
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{side}\" height=\"{side}\" viewBox=\"0 0 {side} {side}\" shape-rendering=\"crispEdges\"><rect width=\"{side}\" height=\"{side}\" fill=\"{}\"/><path fill=\"{}\" d=\"{path}\"/></svg>\n",
            hex(LIGHT),
            hex(DARK)
        )
    }
}

/// The eight mask patterns of a QR code.
const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The mask penalty of ISO/IEC 18004 §7.8.3: runs of 5 or more (N1), 2×2 blocks (N2),
/// finder-like 1:1:3:1:1 patterns beside 4 light modules (N3), dark/light balance (N4).
fn penalty(dark: &[bool], w: usize) -> u32 {
    let mut transposed = vec![false; dark.len()];
    for y in 0..w {
        for x in 0..w {
            transposed[x * w + y] = dark[y * w + x];
        }
    }
    let mut score = 0u32;
    for grid in [dark, &transposed[..]] {
        for line in grid.chunks_exact(w) {
            let mut run = 1;
            for j in 1..=w {
                if j < w && line[j] == line[j - 1] {
                    run += 1;
                } else {
                    if run >= 5 {
                        score += run - 2;
                    }
                    run = 1;
                }
            }
            // An 11-module window slides along the line and its light quiet zone.
            let mut window = 0u32;
            for j in 0..w + 8 {
                let bit = j >= 4 && j < w + 4 && line[j - 4];
                window = ((window << 1) | u32::from(bit)) & 0x7FF;
                if j >= 10 && (window == 0b101_1101_0000 || window == 0b000_0101_1101) {
                    score += 40;
                }
            }
        }
    }
    for y in 0..w - 1 {
        let (a, b) = (&dark[y * w..(y + 1) * w], &dark[(y + 1) * w..(y + 2) * w]);
        for x in 0..w - 1 {
            let c = a[x];
            if a[x + 1] == c && b[x] == c && b[x + 1] == c {
                score += 3;
            }
        }
    }
    let pct = dark.iter().filter(|d| **d).count() * 100 / dark.len().max(1);
    score + 10 * (pct.abs_diff(50) / 5) as u32
}

fn luma_of(c: [u8; 3]) -> u8 {
    let y = (299 * u32::from(c[0]) + 587 * u32::from(c[1]) + 114 * u32::from(c[2])) / 1000;
    y as u8
}

fn hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quiet_zone_is_light_and_modules_whole() {
        let q = Qr::new("https://klub.example/r/#abc").unwrap();
        let (side, px) = q.pixels(3);
        assert_eq!(side, (q.modules() + 8) * 3);
        for y in 0..side {
            for x in 0..side {
                let quiet = x < 12 || y < 12 || x >= side - 12 || y >= side - 12;
                if quiet {
                    assert!(!px[(y * side + x) as usize]);
                }
                // Whole pixels: every pixel equals its module's top-left pixel.
                let (mx, my) = (x / 3 * 3, y / 3 * 3);
                assert_eq!(px[(y * side + x) as usize], px[(my * side + mx) as usize]);
            }
        }
        // The finder pattern's corner is dark, just inside the quiet zone.
        assert!(px[(12 * side + 12) as usize]);
    }
}

//! Printed tickets for visitors without a phone: ESC/POS bytes for a thermal printer.
//!
//! The ticket says thank you, lists the top 3 trades, and carries the pass QR, printed with
//! the printer's own QR command (`GS ( k`) or, for printers without it, as a raster image
//! (`GS v 0`). Text is sent in code page WPC1252 (`ESC t 16`), where é è à ç œ ’ all exist,
//! with the international character set left at USA (`ESC R 0`) so `#`, `@` and `[` stay.

use crate::domain::text::Lang;
use crate::media::qr::Qr;
use std::io::Write as _;
use std::path::Path;

/// Escape.
pub const ESC: u8 = 0x1B;
/// Group separator, the prefix of most graphic commands.
pub const GS: u8 = 0x1D;
/// `ESC t n` value of code page WPC1252 (Windows Latin 1) on Epson-compatible printers.
pub const CODE_PAGE_WPC1252: u8 = 16;
/// Characters per line of a 58 mm printer in font A; 80 mm printers fit more.
pub const LINE_CHARS: usize = 32;
/// Dot size of a module with the native QR command (1–16).
pub const NATIVE_MODULE_DOTS: u8 = 6;
/// Dots per module of the raster fallback: a version-8 code is 342 dots, within the 384
/// of a 58 mm printer.
pub const RASTER_MODULE_DOTS: u32 = 6;

/// How the QR code is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum QrPrint {
    /// The printer's QR command, `GS ( k` (model 2, level M).
    #[default]
    Native,
    /// A raster bit image, `GS v 0`, for printers without the QR command.
    Raster,
}

/// What a ticket says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// The language of the slip.
    pub lang: Lang,
    /// The top trades' names, best first.
    pub trades: Vec<String>,
    /// The take-home URL the QR code holds.
    pub url: String,
}

impl Ticket {
    fn thanks(&self) -> &'static str {
        if self.lang == Lang::En {
            "Thank you for visiting Le Klub extraordinaire!"
        } else {
            "Merci d’être passé au Klub extraordinaire !"
        }
    }

    fn heading(&self) -> &'static str {
        if self.lang == Lang::En {
            "Your leads to explore:"
        } else {
            "Tes pistes à explorer :"
        }
    }

    fn scan(&self) -> &'static str {
        if self.lang == Lang::En {
            "Scan this code at the next station, or at home to see your results."
        } else {
            "Scanne ce code à la prochaine borne, ou chez toi pour voir tes résultats."
        }
    }

    /// The ticket's ESC/POS bytes. The QR code falls back to raster when the URL is too long
    /// for the native command, which never happens with a pass URL.
    pub fn to_escpos(&self, mode: QrPrint) -> Vec<u8> {
        let mut b = vec![ESC, b'@', ESC, b't', CODE_PAGE_WPC1252, ESC, b'R', 0];
        b.extend_from_slice(&[ESC, b'a', 1, ESC, b'E', 1]);
        text(&mut b, self.thanks());
        b.extend_from_slice(&[ESC, b'E', 0, ESC, b'a', 0, b'\n']);
        text(&mut b, self.heading());
        for (i, t) in self.trades.iter().take(3).enumerate() {
            text(&mut b, &format!("{}. {t}", i + 1));
        }
        b.extend_from_slice(&[b'\n', ESC, b'a', 1]);
        match (mode, self.url.len() <= 7089) {
            (QrPrint::Native, true) => native_qr(&mut b, self.url.as_bytes()),
            _ => {
                if let Ok(q) = Qr::new(&self.url) {
                    raster_qr(&mut b, &q);
                }
            }
        }
        b.push(b'\n');
        text(&mut b, self.scan());
        // Feed past the cutter, then a partial cut.
        b.extend_from_slice(&[ESC, b'a', 0, ESC, b'd', 4, GS, b'V', 66, 0]);
        b
    }
}

/// Appends a paragraph, wrapped at `LINE_CHARS`, in WPC1252.
fn text(b: &mut Vec<u8>, s: &str) {
    let mut line = String::new();
    for word in s.split_whitespace() {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > LINE_CHARS {
            b.extend(cp1252(&line));
            b.push(b'\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    b.extend(cp1252(&line));
    b.push(b'\n');
}

/// `GS ( k`: model 2, module size, level M, store the data, print it.
fn native_qr(b: &mut Vec<u8>, data: &[u8]) {
    let gs_k = |b: &mut Vec<u8>, body: &[u8]| {
        let n = body.len() as u16;
        b.extend_from_slice(&[GS, b'(', b'k', (n & 0xFF) as u8, (n >> 8) as u8]);
        b.extend_from_slice(body);
    };
    gs_k(b, &[49, 65, 50, 0]); // fn 165: model 2
    gs_k(b, &[49, 67, NATIVE_MODULE_DOTS]); // fn 167: module size
    gs_k(b, &[49, 69, 49]); // fn 169: level M
    let mut store = vec![49, 80, 48]; // fn 180: store the data
    store.extend_from_slice(data);
    gs_k(b, &store);
    gs_k(b, &[49, 81, 48]); // fn 181: print
}

/// `GS v 0`: the code as a raster image, one bit per dot, dark = 1.
fn raster_qr(b: &mut Vec<u8>, q: &Qr) {
    let (side, px) = q.pixels(RASTER_MODULE_DOTS);
    let row_bytes = side.div_ceil(8);
    b.extend_from_slice(&[
        GS,
        b'v',
        b'0',
        0,
        (row_bytes & 0xFF) as u8,
        (row_bytes >> 8) as u8,
        (side & 0xFF) as u8,
        (side >> 8) as u8,
    ]);
    for y in 0..side {
        for bx in 0..row_bytes {
            let mut byte = 0u8;
            for bit in 0..8 {
                let x = bx * 8 + bit;
                if x < side && px[(y * side + x) as usize] {
                    byte |= 0x80 >> bit;
                }
            }
            b.push(byte);
        }
    }
}

/// Text in Windows-1252; characters it lacks become `?`, control characters are dropped
/// (except newline) so text cannot smuggle printer commands.
pub fn cp1252(s: &str) -> Vec<u8> {
    s.chars()
        .filter_map(|c| {
            let u = c as u32;
            match c {
                '\n' => Some(b'\n'),
                c if c.is_control() => None,
                '\u{A0}' | '\u{202F}' | '\u{2009}' => Some(b' '),
                _ if (0x20..0x7F).contains(&u) || (0xA1..=0xFF).contains(&u) => Some(u as u8),
                _ => Some(
                    CP1252_HIGH
                        .iter()
                        .find(|(ch, _)| *ch == c)
                        .map_or(b'?', |(_, byte)| *byte),
                ),
            }
        })
        .collect()
}

/// The characters Windows-1252 puts at 0x80–0x9F.
const CP1252_HIGH: [(char, u8); 27] = [
    ('€', 0x80),
    ('‚', 0x82),
    ('ƒ', 0x83),
    ('„', 0x84),
    ('…', 0x85),
    ('†', 0x86),
    ('‡', 0x87),
    ('ˆ', 0x88),
    ('‰', 0x89),
    ('Š', 0x8A),
    ('‹', 0x8B),
    ('Œ', 0x8C),
    ('Ž', 0x8E),
    ('‘', 0x91),
    ('’', 0x92),
    ('“', 0x93),
    ('”', 0x94),
    ('•', 0x95),
    ('–', 0x96),
    ('—', 0x97),
    ('˜', 0x98),
    ('™', 0x99),
    ('š', 0x9A),
    ('›', 0x9B),
    ('œ', 0x9C),
    ('ž', 0x9E),
    ('Ÿ', 0x9F),
];

/// Sends bytes to the printer: a device path (`/dev/usb/lp0`) or a file, appended to.
/// A device that is missing (printer unplugged) is an error, never a new file in `/dev`.
pub fn print_to(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(!path.starts_with("/dev"))
        .open(path)?;
    f.write_all(bytes)?;
    f.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cp1252_maps_french_accents() {
        assert_eq!(
            cp1252("éèàçœ’Œ€"),
            vec![0xE9, 0xE8, 0xE0, 0xE7, 0x9C, 0x92, 0x8C, 0x80]
        );
        assert_eq!(cp1252("a\u{1B}b✓"), b"ab?".to_vec());
    }
}

//! Pass media: USB scanner bursts and layouts, ESC/POS tickets checked by an independent
//! parser, and the QR image's geometry.

use klub_kiosk::domain::config::ScannerLayout;
use klub_kiosk::domain::text::Lang;
use klub_kiosk::media::escpos::{QrPrint, Ticket};
use klub_kiosk::media::qr::Qr;
use klub_kiosk::media::scanner::{PhysKey, ScanReader, char_of, keys_for};

mod escpos_support;
use escpos_support::{cp1252_decode, parse};

const URL: &str = "https://klub.example/r/#oQMBAgMEBQYHCAG-6Qx_Ab3Jsa_9mQACQSM8UAcUBxk";

/// The key events a device emits to type `text` in a layout, one character every `gap_ms`,
/// then Enter. Modifiers are pressed and released around each character.
fn typed(layout: ScannerLayout, text: &str, start: u64, gap_ms: u64) -> Vec<(PhysKey, bool, u64)> {
    let mut ev = vec![];
    let mut t = start;
    for c in text.chars() {
        let (k, shift, altgr) = keys_for(layout, c).unwrap_or_else(|| panic!("no key for {c:?}"));
        if shift {
            ev.push((PhysKey::ShiftLeft, true, t));
        }
        if altgr {
            ev.push((PhysKey::AltRight, true, t));
        }
        ev.push((k, true, t));
        ev.push((k, false, t));
        if altgr {
            ev.push((PhysKey::AltRight, false, t));
        }
        if shift {
            ev.push((PhysKey::ShiftLeft, false, t));
        }
        t += gap_ms;
    }
    ev.push((PhysKey::Enter, true, t));
    ev.push((PhysKey::Enter, false, t));
    ev
}

fn feed(r: &mut ScanReader, ev: &[(PhysKey, bool, u64)]) -> Vec<String> {
    ev.iter()
        .filter_map(|(k, p, t)| r.key(*k, *p, *t))
        .collect()
}

#[test]
fn us_scanner_is_read_from_physical_keys() {
    let mut r = ScanReader::new(ScannerLayout::Us);
    assert_eq!(
        feed(&mut r, &typed(ScannerLayout::Us, URL, 0, 4)),
        vec![URL]
    );
    // Every printable ASCII character survives.
    let all: String = (0x20u8..0x7F).map(char::from).collect();
    assert_eq!(
        feed(&mut r, &typed(ScannerLayout::Us, &all, 10_000, 2)),
        vec![all]
    );
    // Spot checks against the physical keyboard.
    assert_eq!(
        char_of(ScannerLayout::Us, PhysKey::Digit1, false, false),
        Some('1')
    );
    assert_eq!(
        char_of(ScannerLayout::Us, PhysKey::Digit3, true, false),
        Some('#')
    );
    assert_eq!(
        char_of(ScannerLayout::Us, PhysKey::KeyQ, false, false),
        Some('q')
    );
    assert_eq!(
        char_of(ScannerLayout::Us, PhysKey::Slash, false, false),
        Some('/')
    );
    assert_eq!(
        char_of(ScannerLayout::Us, PhysKey::Minus, true, false),
        Some('_')
    );
}

#[test]
fn azerty_scanner_is_read_from_physical_keys() {
    let mut r = ScanReader::new(ScannerLayout::Azerty);
    assert_eq!(
        feed(&mut r, &typed(ScannerLayout::Azerty, URL, 0, 4)),
        vec![URL]
    );
    // On AZERTY, digits need Shift, and unshifted they are &é"'(-è_çà.
    let expect = [
        (PhysKey::Digit1, '&', '1'),
        (PhysKey::Digit2, 'é', '2'),
        (PhysKey::Digit3, '"', '3'),
        (PhysKey::Digit4, '\'', '4'),
        (PhysKey::Digit5, '(', '5'),
        (PhysKey::Digit6, '-', '6'),
        (PhysKey::Digit7, 'è', '7'),
        (PhysKey::Digit8, '_', '8'),
        (PhysKey::Digit9, 'ç', '9'),
        (PhysKey::Digit0, 'à', '0'),
    ];
    for (k, plain, shifted) in expect {
        assert_eq!(char_of(ScannerLayout::Azerty, k, false, false), Some(plain));
        assert_eq!(
            char_of(ScannerLayout::Azerty, k, true, false),
            Some(shifted)
        );
    }
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::KeyQ, false, false),
        Some('a')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::KeyA, false, false),
        Some('q')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::KeyW, false, false),
        Some('z')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::Semicolon, true, false),
        Some('M')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::Period, true, false),
        Some('/')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::Period, false, false),
        Some(':')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::Comma, true, false),
        Some('.')
    );
    assert_eq!(
        char_of(ScannerLayout::Azerty, PhysKey::Digit3, false, true),
        Some('#')
    );
    // Every character a pass URL can hold is typeable on AZERTY.
    let alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_:/.#";
    assert_eq!(
        feed(&mut r, &typed(ScannerLayout::Azerty, alphabet, 9_000, 3)),
        vec![alphabet]
    );
}

#[test]
fn the_layout_setting_matters() {
    // A US scanner read as AZERTY comes out wrong, and the other way round.
    let mut az = ScanReader::new(ScannerLayout::Azerty);
    let wrong = feed(&mut az, &typed(ScannerLayout::Us, URL, 0, 4));
    assert_eq!(wrong.len(), 1);
    assert_ne!(wrong[0], URL);
    // Letters h t p s sit on the same keys; US Shift+Semicolon (`:`) is AZERTY `M`.
    assert!(wrong[0].starts_with("httpsM"), "{}", wrong[0]);
    let mut us = ScanReader::new(ScannerLayout::Us);
    let wrong = feed(&mut us, &typed(ScannerLayout::Azerty, URL, 0, 4));
    assert_ne!(wrong, vec![URL.to_string()]);
    // Bevy's KeyCode debug names are the W3C codes.
    for k in PhysKey::ALL {
        assert_eq!(PhysKey::from_code(k.code()), Some(*k));
    }
    assert_eq!(PhysKey::from_code("KeyQ"), Some(PhysKey::KeyQ));
    assert_eq!(PhysKey::from_code("F13"), None);
}

#[test]
fn a_person_typing_is_not_a_scan() {
    let mut r = ScanReader::new(ScannerLayout::Us);
    // A fast typist: 90–150 ms between keys.
    let mut ev = typed(ScannerLayout::Us, "bonjour tout le monde", 0, 90);
    assert!(feed(&mut r, &ev).is_empty());
    ev = typed(ScannerLayout::Us, URL, 5_000, 120);
    assert!(feed(&mut r, &ev).is_empty());
    // A few fast keys (a key roll) then Enter: too short for a scan.
    ev = typed(ScannerLayout::Us, "abcde", 20_000, 5);
    assert!(feed(&mut r, &ev).is_empty());
    // Fast keys, but Enter comes late, by hand.
    let mut late = typed(ScannerLayout::Us, URL, 30_000, 4);
    let n = late.len();
    late[n - 2].2 += 400;
    late[n - 1].2 += 400;
    assert!(feed(&mut r, &late).is_empty());
    // A pause in the middle of a burst breaks it.
    let mut split = typed(ScannerLayout::Us, URL, 40_000, 4);
    for e in split.iter_mut().skip(60) {
        e.2 += 300;
    }
    let got = feed(&mut r, &split);
    assert!(got.iter().all(|s| s != URL), "{got:?}");
}

#[test]
fn a_scan_is_found_among_typing_and_frame_batches() {
    let mut r = ScanReader::new(ScannerLayout::Us);
    // Someone types, then scans: only the scan comes out.
    let mut ev = typed(ScannerLayout::Us, "coucou", 0, 150);
    ev.pop();
    ev.pop(); // no Enter
    ev.extend(typed(ScannerLayout::Us, URL, 2_000, 3));
    assert_eq!(feed(&mut r, &ev), vec![URL]);
    assert!(!r.in_burst(10_000));
    // The station timestamps keys per frame: bursts of equal times, 16 ms apart.
    let mut ev = typed(ScannerLayout::Us, URL, 0, 0);
    for (i, e) in ev.iter_mut().enumerate() {
        e.2 = 50_000 + (i as u64 / 12) * 16;
    }
    assert_eq!(feed(&mut r, &ev), vec![URL]);
    // While a burst runs, screens can tell.
    let ev = typed(ScannerLayout::Us, "abcdefgh", 60_000, 5);
    for (k, p, t) in &ev[..ev.len() - 2] {
        r.key(*k, *p, *t);
    }
    assert!(r.in_burst(60_040));
}

// ---------------------------------------------------------------------------------------
// ESC/POS: an independent parser, written from the Epson command reference.

fn ticket(lang: Lang) -> Ticket {
    Ticket {
        lang,
        trades: vec![
            "Maçon / Maçonne".into(),
            "Cuisinier / Cuisinière".into(),
            "Chef d’œuvre à l’été".into(),
            "not shown: only three".into(),
        ],
        url: URL.into(),
    }
}

#[test]
fn native_qr_ticket_parses_and_carries_the_url_and_accents() {
    let bytes = ticket(Lang::Fr).to_escpos(QrPrint::Native);
    let p = parse(&bytes);
    assert!(p.initialised && p.cut);
    assert_eq!(p.code_page, Some(16), "WPC1252");
    assert_eq!(p.charset, Some(0), "USA set keeps # and @");
    assert!(p.code_page_before_high_text);
    assert!(p.qr_model2);
    assert_eq!(p.qr_level, Some(49), "level M");
    assert_eq!(p.qr_stored.as_deref(), Some(URL.as_bytes()));
    assert!(p.qr_printed_after_store);
    assert!(p.raster.is_none());
    let text = cp1252_decode(&p.text);
    for s in [
        "Merci d’être passé au Klub",
        "1. Maçon / Maçonne",
        "2. Cuisinier / Cuisinière",
        "3. Chef d’œuvre à l’été",
        "Scanne ce code à la prochaine",
    ] {
        assert!(text.contains(s), "{s:?} not in {text:?}");
    }
    assert!(!text.contains("only three"));
    // The raw bytes of the accents in WPC1252.
    for (ch, byte) in [
        ('é', 0xE9),
        ('è', 0xE8),
        ('à', 0xE0),
        ('ç', 0xE7),
        ('œ', 0x9C),
        ('’', 0x92),
    ] {
        assert!(p.text.contains(&byte), "{ch} is not {byte:#x}");
    }
    // No line is wider than a 58 mm printer.
    for line in p.text.split(|c| *c == b'\n') {
        assert!(line.len() <= 32, "{:?}", cp1252_decode(line));
    }
    let en = cp1252_decode(&parse(&ticket(Lang::En).to_escpos(QrPrint::Native)).text);
    assert!(en.contains("Thank you"));
}

#[test]
fn raster_qr_ticket_parses_and_its_image_decodes_to_the_url() {
    let bytes = ticket(Lang::Fr).to_escpos(QrPrint::Raster);
    let p = parse(&bytes);
    assert!(p.qr_stored.is_none());
    let (x, y, data) = p.raster.expect("a raster image");
    assert!(
        x * 8 >= y && x * 8 < y + 8,
        "square image, rows padded to bytes"
    );
    assert!(x * 8 <= 384, "fits a 58 mm printer");
    let img = image::GrayImage::from_fn(y as u32, y as u32, |px, py| {
        let byte = data[py as usize * x + px as usize / 8];
        let dark = byte & (0x80 >> (px % 8)) != 0;
        image::Luma([if dark { 0 } else { 255 }])
    });
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, URL);
    assert!(cp1252_decode(&p.text).contains("Maçon"));
}

#[test]
fn ticket_text_cannot_smuggle_printer_commands() {
    let mut t = ticket(Lang::Fr);
    t.trades = vec!["Soudeur\u{1B}@\u{1D}V\u{0}".into()];
    let p = parse(&t.to_escpos(QrPrint::Native));
    assert!(cp1252_decode(&p.text).contains("Soudeur@V"));
}

#[test]
fn ticket_goes_to_a_printer_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("printer.bin");
    let bytes = ticket(Lang::Fr).to_escpos(QrPrint::Native);
    klub_kiosk::media::escpos::print_to(&path, &bytes).unwrap();
    klub_kiosk::media::escpos::print_to(&path, &bytes).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        [bytes.clone(), bytes].concat()
    );
    assert!(klub_kiosk::media::escpos::print_to(&dir.path().join("no/such/dir"), b"x").is_err());
}

// ---------------------------------------------------------------------------------------
// QR geometry.

#[test]
fn qr_images_have_whole_modules_quiet_zone_and_dark_on_light() {
    let q = Qr::new(URL).unwrap();
    let px = q.module_px_for_screen(1080);
    assert!(px >= 8);
    let (w, h, rgba) = q.rgba(px);
    assert_eq!((w, h), (q.side_px(px), q.side_px(px)));
    assert_eq!(w % px, 0);
    assert_eq!(w / px, q.modules() + 8);
    let at = |x: u32, y: u32| &rgba[((y * w + x) * 4) as usize..((y * w + x) * 4 + 4) as usize];
    // Quiet zone: 4 modules of light all round.
    for i in 0..w {
        for d in 0..4 * px {
            for (x, y) in [(i, d), (d, i), (i, w - 1 - d), (w - 1 - d, i)] {
                assert_eq!(at(x, y), &[255, 255, 255, 255]);
            }
        }
    }
    // The finder pattern's corner is dark.
    assert_eq!(at(4 * px, 4 * px), &[0, 0, 0, 255]);
    // Only two colours.
    assert!(
        rgba.chunks(4)
            .all(|c| c == [0, 0, 0, 255] || c == [255, 255, 255, 255])
    );
    // The PNG and the texture agree, and rqrr reads the texture.
    let png = image::load_from_memory(&q.png(px)).unwrap().to_luma8();
    assert_eq!(png.dimensions(), (w, h));
    let gray = image::GrayImage::from_fn(w, h, |x, y| image::Luma([at(x, y)[0]]));
    assert_eq!(png, gray);
    let mut prepared = rqrr::PreparedImage::prepare(gray);
    assert_eq!(prepared.detect_grids()[0].decode().unwrap().1, URL);
    // SVG: same geometry.
    let svg = q.svg(px);
    assert!(svg.contains(&format!("width=\"{w}\"")));
    assert!(svg.contains("fill=\"#ffffff\"") && svg.contains("fill=\"#000000\""));
    assert!(Qr::new(&"x".repeat(5000)).is_err());
}

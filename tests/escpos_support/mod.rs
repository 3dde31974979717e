//! An independent ESC/POS parser for the tests: it walks every command the station may send,
//! checks each length, and fails on anything it does not know.
#![allow(dead_code, reason = "each test binary uses part of it")]

#[derive(Debug, Default)]
pub struct Parsed {
    pub text: Vec<u8>,
    pub code_page: Option<u8>,
    pub charset: Option<u8>,
    pub initialised: bool,
    pub qr_model2: bool,
    pub qr_level: Option<u8>,
    pub qr_stored: Option<Vec<u8>>,
    pub qr_printed_after_store: bool,
    pub raster: Option<(usize, usize, Vec<u8>)>,
    pub cut: bool,
    pub code_page_before_high_text: bool,
}

pub fn parse(b: &[u8]) -> Parsed {
    let mut p = Parsed {
        code_page_before_high_text: true,
        ..Parsed::default()
    };
    let mut i = 0;
    let need = |i: usize, n: usize| {
        assert!(i + n <= b.len(), "command at {i} runs past the end");
    };
    while i < b.len() {
        match b[i] {
            0x1B => {
                need(i, 2);
                match b[i + 1] {
                    b'@' => {
                        p.initialised = true;
                        i += 2;
                    }
                    b't' | b'R' | b'a' | b'E' | b'd' => {
                        need(i, 3);
                        match b[i + 1] {
                            b't' => p.code_page = Some(b[i + 2]),
                            b'R' => p.charset = Some(b[i + 2]),
                            _ => {}
                        }
                        i += 3;
                    }
                    c => panic!("unknown ESC {c:#x} at {i}"),
                }
            }
            0x1D => {
                need(i, 2);
                match b[i + 1] {
                    b'(' => {
                        need(i, 5);
                        assert_eq!(b[i + 2], b'k');
                        let n = usize::from(b[i + 3]) | (usize::from(b[i + 4]) << 8);
                        need(i + 5, n);
                        let body = &b[i + 5..i + 5 + n];
                        assert_eq!(body[0], 49, "cn = 49 (QR)");
                        match body[1] {
                            65 => {
                                assert_eq!(n, 4);
                                p.qr_model2 = body[2] == 50;
                            }
                            67 => assert_eq!(n, 3),
                            69 => {
                                assert_eq!(n, 3);
                                p.qr_level = Some(body[2]);
                            }
                            80 => {
                                assert_eq!(body[2], 48);
                                p.qr_stored = Some(body[3..].to_vec());
                            }
                            81 => {
                                assert_eq!(n, 3);
                                p.qr_printed_after_store = p.qr_stored.is_some();
                            }
                            f => panic!("unknown QR function {f}"),
                        }
                        i += 5 + n;
                    }
                    b'v' => {
                        need(i, 8);
                        assert_eq!(b[i + 2], b'0');
                        assert_eq!(b[i + 3], 0, "normal density");
                        let x = usize::from(b[i + 4]) | (usize::from(b[i + 5]) << 8);
                        let y = usize::from(b[i + 6]) | (usize::from(b[i + 7]) << 8);
                        need(i + 8, x * y);
                        p.raster = Some((x, y, b[i + 8..i + 8 + x * y].to_vec()));
                        i += 8 + x * y;
                    }
                    b'V' => {
                        need(i, 3);
                        let m = b[i + 2];
                        p.cut = true;
                        i += if m >= 65 { 4 } else { 3 };
                        assert!(i <= b.len());
                    }
                    c => panic!("unknown GS {c:#x} at {i}"),
                }
            }
            b'\n' => {
                p.text.push(b'\n');
                i += 1;
            }
            c if c >= 0x20 => {
                if c >= 0x80 && p.code_page.is_none() {
                    p.code_page_before_high_text = false;
                }
                p.text.push(c);
                i += 1;
            }
            c => panic!("stray control byte {c:#x} at {i}"),
        }
    }
    assert_eq!(i, b.len(), "command lengths add up to the buffer");
    p
}

/// Windows-1252 decoding of the few characters the test needs, kept apart from the code.
pub fn cp1252_decode(b: &[u8]) -> String {
    b.iter()
        .map(|&c| match c {
            0x92 => '’',
            0x9C => 'œ',
            0x8C => 'Œ',
            0x80 => '€',
            c if !(0x80..0xA0).contains(&c) => char::from(c),
            _ => '?',
        })
        .collect()
}

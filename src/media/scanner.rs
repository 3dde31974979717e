//! USB QR scanners: recognising their key bursts, and reading them from physical key codes.
//!
//! A scanner types like a keyboard: a fast burst of key presses ending with Enter. A person
//! types far slower, so a run of at least `min_chars` presses, each within `max_gap_ms` of
//! the previous one, followed by Enter within the same gap, is a scan; anything else is
//! typing and is left alone.
//!
//! The characters are rebuilt from physical key codes (W3C `KeyboardEvent.code` names, which
//! are also Bevy's `KeyCode` variant names) and the layout the scanner emulates, so the
//! station's own keymap never garbles them: a scanner set to US sends `Digit1` for `1`, one
//! set to French AZERTY sends Shift + `Digit1`, and both read as `1` here.

use crate::domain::config::ScannerLayout;

macro_rules! phys_keys {
    ($($k:ident),* $(,)?) => {
        /// A physical key, named as in W3C `KeyboardEvent.code` and Bevy's `KeyCode`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum PhysKey { $(#[doc = concat!("`", stringify!($k), "`")] $k),* }

        impl PhysKey {
            /// Every key this module knows.
            pub const ALL: &'static [PhysKey] = &[$(PhysKey::$k),*];

            /// The W3C code name (`"KeyQ"`).
            pub fn code(self) -> &'static str {
                match self { $(PhysKey::$k => stringify!($k)),* }
            }

            /// Parses a W3C code name, or Bevy's `format!("{:?}", key_code)`.
            pub fn from_code(code: &str) -> Option<PhysKey> {
                match code { $(stringify!($k) => Some(PhysKey::$k),)* _ => None }
            }
        }
    };
}

phys_keys!(
    Backquote,
    Digit1,
    Digit2,
    Digit3,
    Digit4,
    Digit5,
    Digit6,
    Digit7,
    Digit8,
    Digit9,
    Digit0,
    Minus,
    Equal,
    KeyQ,
    KeyW,
    KeyE,
    KeyR,
    KeyT,
    KeyY,
    KeyU,
    KeyI,
    KeyO,
    KeyP,
    BracketLeft,
    BracketRight,
    KeyA,
    KeyS,
    KeyD,
    KeyF,
    KeyG,
    KeyH,
    KeyJ,
    KeyK,
    KeyL,
    Semicolon,
    Quote,
    Backslash,
    IntlBackslash,
    KeyZ,
    KeyX,
    KeyC,
    KeyV,
    KeyB,
    KeyN,
    KeyM,
    Comma,
    Period,
    Slash,
    Space,
    Enter,
    NumpadEnter,
    ShiftLeft,
    ShiftRight,
    AltRight,
);

/// Letters in physical order, as the US layout prints them.
const LETTER_KEYS: [(PhysKey, char); 26] = [
    (PhysKey::KeyA, 'a'),
    (PhysKey::KeyB, 'b'),
    (PhysKey::KeyC, 'c'),
    (PhysKey::KeyD, 'd'),
    (PhysKey::KeyE, 'e'),
    (PhysKey::KeyF, 'f'),
    (PhysKey::KeyG, 'g'),
    (PhysKey::KeyH, 'h'),
    (PhysKey::KeyI, 'i'),
    (PhysKey::KeyJ, 'j'),
    (PhysKey::KeyK, 'k'),
    (PhysKey::KeyL, 'l'),
    (PhysKey::KeyM, 'm'),
    (PhysKey::KeyN, 'n'),
    (PhysKey::KeyO, 'o'),
    (PhysKey::KeyP, 'p'),
    (PhysKey::KeyQ, 'q'),
    (PhysKey::KeyR, 'r'),
    (PhysKey::KeyS, 's'),
    (PhysKey::KeyT, 't'),
    (PhysKey::KeyU, 'u'),
    (PhysKey::KeyV, 'v'),
    (PhysKey::KeyW, 'w'),
    (PhysKey::KeyX, 'x'),
    (PhysKey::KeyY, 'y'),
    (PhysKey::KeyZ, 'z'),
];

/// Keys other than letters: (key, plain, shift) on a US keyboard.
const US_KEYS: [(PhysKey, char, char); 22] = [
    (PhysKey::Backquote, '`', '~'),
    (PhysKey::Digit1, '1', '!'),
    (PhysKey::Digit2, '2', '@'),
    (PhysKey::Digit3, '3', '#'),
    (PhysKey::Digit4, '4', '$'),
    (PhysKey::Digit5, '5', '%'),
    (PhysKey::Digit6, '6', '^'),
    (PhysKey::Digit7, '7', '&'),
    (PhysKey::Digit8, '8', '*'),
    (PhysKey::Digit9, '9', '('),
    (PhysKey::Digit0, '0', ')'),
    (PhysKey::Minus, '-', '_'),
    (PhysKey::Equal, '=', '+'),
    (PhysKey::BracketLeft, '[', '{'),
    (PhysKey::BracketRight, ']', '}'),
    (PhysKey::Backslash, '\\', '|'),
    (PhysKey::IntlBackslash, '\\', '|'),
    (PhysKey::Semicolon, ';', ':'),
    (PhysKey::Quote, '\'', '"'),
    (PhysKey::Comma, ',', '<'),
    (PhysKey::Period, '.', '>'),
    (PhysKey::Slash, '/', '?'),
];

/// Keys other than plain letters on a French AZERTY keyboard: (key, plain, shift, AltGr);
/// `\0` where the key gives nothing (or a dead key, which scanners do not use).
const AZERTY_KEYS: [(PhysKey, char, char, char); 27] = [
    (PhysKey::Backquote, '²', '\0', '\0'),
    (PhysKey::Digit1, '&', '1', '\0'),
    (PhysKey::Digit2, 'é', '2', '~'),
    (PhysKey::Digit3, '"', '3', '#'),
    (PhysKey::Digit4, '\'', '4', '{'),
    (PhysKey::Digit5, '(', '5', '['),
    (PhysKey::Digit6, '-', '6', '|'),
    (PhysKey::Digit7, 'è', '7', '`'),
    (PhysKey::Digit8, '_', '8', '\\'),
    (PhysKey::Digit9, 'ç', '9', '^'),
    (PhysKey::Digit0, 'à', '0', '@'),
    (PhysKey::Minus, ')', '°', ']'),
    (PhysKey::Equal, '=', '+', '}'),
    (PhysKey::BracketLeft, '\0', '\0', '\0'),
    (PhysKey::BracketRight, '$', '£', '¤'),
    (PhysKey::Quote, 'ù', '%', '\0'),
    (PhysKey::Backslash, '*', 'µ', '\0'),
    (PhysKey::IntlBackslash, '<', '>', '\0'),
    (PhysKey::KeyQ, 'a', 'A', '\0'),
    (PhysKey::KeyW, 'z', 'Z', '\0'),
    (PhysKey::KeyA, 'q', 'Q', '\0'),
    (PhysKey::KeyZ, 'w', 'W', '\0'),
    (PhysKey::Semicolon, 'm', 'M', '\0'),
    (PhysKey::KeyM, ',', '?', '\0'),
    (PhysKey::Comma, ';', '.', '\0'),
    (PhysKey::Period, ':', '/', '\0'),
    (PhysKey::Slash, '!', '§', '\0'),
];

/// The character a key gives in a layout, with Shift and AltGr as held; `None` for keys
/// that give none (modifiers, Enter, dead keys).
pub fn char_of(layout: ScannerLayout, key: PhysKey, shift: bool, altgr: bool) -> Option<char> {
    if key == PhysKey::Space {
        return Some(' ');
    }
    let letter = LETTER_KEYS.iter().find(|(k, _)| *k == key).map(|(_, c)| *c);
    let c = match layout {
        ScannerLayout::Us => {
            if altgr {
                None
            } else if let Some(l) = letter {
                Some(if shift { l.to_ascii_uppercase() } else { l })
            } else {
                US_KEYS
                    .iter()
                    .find(|(k, ..)| *k == key)
                    .map(|(_, p, s)| if shift { *s } else { *p })
            }
        }
        ScannerLayout::Azerty => {
            if let Some((_, p, s, a)) = AZERTY_KEYS.iter().find(|(k, ..)| *k == key) {
                Some(match (altgr, shift) {
                    (true, _) => *a,
                    (false, true) => *s,
                    (false, false) => *p,
                })
            } else if altgr {
                (key == PhysKey::KeyE).then_some('€')
            } else {
                letter.map(|l| if shift { l.to_ascii_uppercase() } else { l })
            }
        }
    };
    c.filter(|c| *c != '\0')
}

/// The key presses that type a character in a layout: (key, shift, AltGr). For tests and
/// for simulating a scanner.
pub fn keys_for(layout: ScannerLayout, c: char) -> Option<(PhysKey, bool, bool)> {
    PhysKey::ALL.iter().find_map(|k| {
        [(false, false), (true, false), (false, true)]
            .into_iter()
            .find(|(s, a)| char_of(layout, *k, *s, *a) == Some(c))
            .map(|(s, a)| (*k, s, a))
    })
}

/// What tells a scanner from a person.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Timing {
    /// The longest gap between two presses of a scan, in milliseconds. Generous because
    /// the station timestamps keys by frame; people rarely press even two keys this fast.
    pub max_gap_ms: u64,
    /// The fewest characters before Enter for a scan.
    pub min_chars: usize,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            max_gap_ms: 50,
            min_chars: 8,
        }
    }
}

/// Longest scan kept; a stuck key cannot fill memory.
const MAX_CHARS: usize = 1024;

/// Watches key presses and hands back the text of each scanner burst.
#[derive(Clone, Debug)]
pub struct ScanReader {
    layout: ScannerLayout,
    timing: Timing,
    shift: [bool; 2],
    altgr: bool,
    buf: String,
    count: usize,
    last_ms: Option<u64>,
}

impl ScanReader {
    /// A reader for a scanner layout with the default timing.
    pub fn new(layout: ScannerLayout) -> ScanReader {
        ScanReader::with_timing(layout, Timing::default())
    }

    /// A reader with its own timing.
    pub fn with_timing(layout: ScannerLayout, timing: Timing) -> ScanReader {
        ScanReader {
            layout,
            timing,
            shift: [false; 2],
            altgr: false,
            buf: String::new(),
            count: 0,
            last_ms: None,
        }
    }

    fn fast(&self, at_ms: u64) -> bool {
        self.last_ms
            .is_some_and(|l| at_ms.saturating_sub(l) <= self.timing.max_gap_ms)
    }

    fn reset(&mut self) {
        self.buf.clear();
        self.count = 0;
        self.last_ms = None;
    }

    /// Whether a burst is under way: enough fast presses that the keys are likely a
    /// scanner's, so screens can ignore them.
    pub fn in_burst(&self, now_ms: u64) -> bool {
        self.count >= 3 && self.fast(now_ms)
    }

    /// Feeds a key press (`pressed`) or release, with its time in milliseconds. Returns the
    /// scanned text when this press is the Enter that ends a burst.
    pub fn key(&mut self, key: PhysKey, pressed: bool, at_ms: u64) -> Option<String> {
        match key {
            PhysKey::ShiftLeft => self.shift[0] = pressed,
            PhysKey::ShiftRight => self.shift[1] = pressed,
            PhysKey::AltRight => self.altgr = pressed,
            _ if !pressed => {}
            PhysKey::Enter | PhysKey::NumpadEnter => {
                let scan = (self.count >= self.timing.min_chars && self.fast(at_ms))
                    .then(|| std::mem::take(&mut self.buf));
                self.reset();
                return scan;
            }
            _ => {
                if !self.fast(at_ms) || self.count >= MAX_CHARS {
                    self.reset();
                }
                let shift = self.shift[0] || self.shift[1];
                // A key the layout lacks still counts, and spoils the text on purpose, so a
                // garbled scan is refused rather than read as something else.
                self.buf.push(
                    char_of(self.layout, key, shift, self.altgr)
                        .unwrap_or(char::REPLACEMENT_CHARACTER),
                );
                self.count += 1;
                self.last_ms = Some(at_ms);
            }
        }
        None
    }
}

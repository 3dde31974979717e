//! `klub doctor`: each check's ok / warn / fail on good and broken stations, and the exit
//! status (0 = fit to open, 1 = a check failed); the scan and the test card.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const REAL_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
const DEMO_KEY: &str = "6b6c75622d64656d6f2d6b65792d6e6f742d666f722d7265616c2d7573652121";
/// `klub pin 135790`.
const PIN_HASH: &str = "argon2id:m=19456,t=2,p=1:f46c39d0ac1e0b4ea3c362b01ca3ebde:1ecd4dc7298b9ff85ae87f42fabd44ea7558cab7e5b01c70f30cbfb0ac4a64ae";
/// The demo code 2468 hashed the old way (20,000 SHA-256 rounds).
const LEGACY_PIN_HASH: &str = "sha256:6b6c75622d64656d6f2d70696e2d3031:83abe3c0433e03fb8f0b6c4e0177d8a0d514de28bd1493664f5c97d72678cb90";

struct Station {
    dir: tempfile::TempDir,
}

impl Station {
    /// A healthy station: own fleet key, stop `chartres`, a sound card, a font, a big
    /// enough screen, a printer file, the bundled scenarios and tour.
    fn good() -> Station {
        let s = Station {
            dir: tempfile::tempdir().unwrap(),
        };
        let root = s.root();
        std::fs::create_dir_all(root.join("sys/proc/asound")).unwrap();
        std::fs::write(
            root.join("sys/proc/asound/cards"),
            " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000 irq 32\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("sys/usr/share/fonts/truetype/dejavu")).unwrap();
        std::fs::write(
            root.join("sys/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            b"font",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("data")).unwrap();
        std::fs::write(root.join("data/screen.txt"), "1920x1080\n").unwrap();
        s.config(&[]);
        s
    }

    fn root(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Writes the config, with `(key, value)` lines replaced or added at the top.
    fn config(&self, over: &[(&str, &str)]) {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        let get = |k: &str, d: String| {
            over.iter()
                .find(|(o, _)| *o == k)
                .map_or(d, |(_, v)| v.to_string())
        };
        let text = format!(
            "station_id = \"borne-7\"\nstation_index = 7\nstop = {stop}\ntour = \"{tour}\"\nscenarios = {scen}\nscenarios_dir = \"{sdir}\"\n\n[pass]\nfleet_key_id = 3\nfleet_key = \"{key}\"\nscanner_layout = \"{layout}\"\n\n[printer]\ndevice = \"{printer}\"\n\n{facilitator}[data]\ndir = \"data\"\n",
            stop = get("stop", "\"chartres\"".into()),
            tour = repo.join("kiosk-config/tour.toml").display(),
            scen = get("scenarios", "[]".into()),
            sdir = get(
                "scenarios_dir",
                repo.join("scenarios").display().to_string()
            ),
            key = get("fleet_key", REAL_KEY.into()),
            layout = get("scanner_layout", "us".into()),
            // An empty PIN hash leaves the section out: no PIN configured.
            facilitator = match get("pin_hash", PIN_HASH.into()) {
                p if p.is_empty() => String::new(),
                p => format!("[facilitator]\npin_hash = \"{p}\"\n\n"),
            },
            printer = get(
                "printer",
                self.root().join("ticket.bin").display().to_string()
            ),
        );
        std::fs::write(self.root().join("station.toml"), text).unwrap();
    }

    fn doctor(&self, extra: &[&str], stdin: Option<&str>) -> Output {
        let cfg = self.root().join("station.toml");
        let sys = self.root().join("sys");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_klub"));
        cmd.args([
            "doctor",
            "--config",
            cfg.to_str().unwrap(),
            "--sysroot",
            sys.to_str().unwrap(),
        ])
        .args(extra);
        for (flag, default) in [("--today", "2027-01-12"), ("--free-bytes", "100000000000")] {
            if !extra.contains(&flag) {
                cmd.args([flag, default]);
            }
        }
        cmd.stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        {
            let mut input = child.stdin.take().unwrap();
            if let Some(s) = stdin {
                input.write_all(s.as_bytes()).unwrap();
            }
        }
        child.wait_with_output().unwrap()
    }
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

/// The status word of a check's line: `ok`, `attention`/`warn`, `ÉCHEC`/`FAIL`.
fn level(out: &str, id: &str) -> String {
    let line = out
        .lines()
        .find(|l| {
            l.split(']')
                .nth(1)
                .is_some_and(|r| r.split_whitespace().next() == Some(id))
        })
        .unwrap_or_else(|| panic!("no line for {id} in:\n{out}"));
    line.trim_start_matches('[')
        .split(']')
        .next()
        .unwrap()
        .trim()
        .to_owned()
}

#[test]
fn a_good_station_is_fit_to_open() {
    let s = Station::good();
    let o = s.doctor(&[], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    for id in [
        "config",
        "fleet_key",
        "pin",
        "database",
        "disk",
        "audio",
        "font",
        "screen",
        "printer",
        "clock",
    ] {
        assert_eq!(level(&out, id), "ok", "{id}:\n{out}");
    }
    assert!(out.contains("Borne prête à ouvrir"), "{out}");
    let v = klub_kiosk::content::paths::validate_paths(
        &[Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")],
        None,
        true,
    );
    let unvoiced = v.coverage.iter().any(|c| c.narrated < c.voices);
    assert_eq!(
        level(&out, "narration"),
        if unvoiced { "attention" } else { "ok" }
    );
    // Untested scanner: a warning, not a failure.
    assert_eq!(level(&out, "scanner"), "attention");
}

#[test]
fn each_failure_says_what_to_do_and_makes_the_station_unfit() {
    type Breaker = (&'static str, &'static str, fn(&Station) -> Vec<String>);
    let cases: Vec<Breaker> = vec![
        ("fleet_key", "klub key new", |s| {
            s.config(&[("fleet_key", DEMO_KEY)]);
            vec![]
        }),
        ("config", "klub validate", |s| {
            s.config(&[("scenarios", "[\"n-existe-pas\"]")]);
            vec![]
        }),
        ("audio", "haut-parleurs", |s| {
            std::fs::write(
                s.root().join("sys/proc/asound/cards"),
                "--- no soundcards ---\n",
            )
            .unwrap();
            vec![]
        }),
        ("font", "fonts-dejavu-core", |s| {
            std::fs::remove_file(
                s.root()
                    .join("sys/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
            )
            .unwrap();
            vec![]
        }),
        ("screen", "écran plus grand", |s| {
            std::fs::write(s.root().join("data/screen.txt"), "1024x768\n").unwrap();
            vec![]
        }),
        ("printer", "imprimante", |s| {
            s.config(&[("printer", "/dev/klub-no-such-printer")]);
            vec![]
        }),
        ("database", "redémarrez la borne", |s| {
            std::fs::write(s.root().join("data/klub-log.db"), vec![0x55u8; 8192]).unwrap();
            vec![]
        }),
        ("disk", "libérez de la place", |_| {
            vec!["--free-bytes".into(), "1000000".into()]
        }),
        ("clock", "réglez l'horloge", |_| {
            vec!["--today".into(), "2020-01-01".into()]
        }),
    ];
    for (id, hint, breaker) in cases {
        let s = Station::good();
        let extra = breaker(&s);
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let o = s.doctor(&extra, None);
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{id}: {out}");
        assert_eq!(level(&out, id), "ÉCHEC", "{id}:\n{out}");
        assert!(out.contains(hint), "{id}: no hint « {hint} »:\n{out}");
        assert!(out.contains("PAS prête"), "{out}");
    }
}

#[test]
fn warnings_do_not_block_opening() {
    let s = Station::good();
    std::fs::remove_file(s.root().join("data/screen.txt")).unwrap();
    // Chartres is 2027-01-11 – 15; the clock says the 20th and no offset is set.
    let o = s.doctor(
        &[
            "--today",
            "2027-01-20",
            "--free-bytes",
            &(45 * 2 * 1024 * 1024).to_string(),
        ],
        None,
    );
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(level(&out, "screen"), "attention");
    assert_eq!(level(&out, "clock"), "attention");
    assert_eq!(level(&out, "disk"), "attention");
    // The facilitator's offset (−8 days) brings the stop date back inside the stop.
    std::fs::write(s.root().join("data/date-offset.txt"), "-8\n").unwrap();
    let out = text(&s.doctor(&["--today", "2027-01-20"], None));
    assert_eq!(level(&out, "clock"), "ok", "{out}");
    assert!(out.contains("2027-01-12"), "{out}");
}

#[test]
fn a_real_log_passes_its_integrity_check() {
    let s = Station::good();
    let db = s.root().join("data/klub-log.db");
    let (conn, _) = klub_kiosk::storage::db::open_rw(&db).unwrap();
    drop(conn);
    let out = text(&s.doctor(&[], None));
    assert_eq!(level(&out, "database"), "ok", "{out}");
    assert!(out.contains("journal intact"), "{out}");
}

#[test]
fn english_on_request() {
    let s = Station::good();
    s.config(&[("fleet_key", DEMO_KEY)]);
    let o = s.doctor(&["--lang", "en"], None);
    let out = text(&o);
    assert_eq!(level(&out, "fleet_key"), "FAIL");
    assert!(
        out.contains("the fleet key is the demo key") && out.contains("NOT fit to open"),
        "{out}"
    );
}

#[test]
fn an_old_or_missing_pin_hash_is_a_warning_that_says_how_to_renew_it() {
    let s = Station::good();
    assert!(text(&s.doctor(&[], None)).contains("code animateur protégé (argon2id)"));
    s.config(&[("pin_hash", LEGACY_PIN_HASH)]);
    let o = s.doctor(&[], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(level(&out, "pin"), "attention", "{out}");
    assert!(out.contains("à renouveler (SHA-256"), "{out}");
    assert!(out.contains("klub pin CODE"), "{out}");
    let out = text(&s.doctor(&["--lang", "en"], None));
    assert_eq!(level(&out, "pin"), "warn", "{out}");
    assert!(out.contains("must be renewed (SHA-256"), "{out}");
    s.config(&[("pin_hash", "")]);
    let out = text(&s.doctor(&[], None));
    assert_eq!(level(&out, "pin"), "attention", "{out}");
    assert!(out.contains("pas de code animateur"), "{out}");
}

#[test]
fn english_findings_of_an_unreadable_config_are_in_english() {
    let s = Station::good();
    std::fs::write(
        s.root().join("station.toml"),
        "bogus = 1\nstation_index = \"x\"\n",
    )
    .unwrap();
    let o = s.doctor(&["--lang", "en"], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_eq!(level(&out, "config"), "FAIL", "{out}");
    assert!(
        out.contains("config unreadable") && out.contains("error: ") && out.contains("hint: "),
        "{out}"
    );
    for french in ["erreur", "aide :", "il manque", "clé inconnue", "illisible"] {
        assert!(
            !out.contains(french),
            "« {french} » in English output:\n{out}"
        );
    }
    // And the French output is French.
    let out = text(&s.doctor(&[], None));
    assert!(
        out.contains("erreur") && out.contains("configuration illisible"),
        "{out}"
    );
    // The commands that stop on such a config say it in the asked language too.
    let cfg = s.root().join("station.toml");
    let o = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["--lang", "en", "backup", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let out = text(&o);
    assert!(!o.status.success() && out.contains("is missing"), "{out}");
    assert!(!out.contains("il manque"), "{out}");
}

#[test]
fn the_scan_must_read_this_stations_test_card() {
    let s = Station::good();
    let card = s.root().join("carte.png");
    let o = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args([
            "doctor",
            "--config",
            s.root().join("station.toml").to_str().unwrap(),
            "--test-card",
            card.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let img = image::open(&card).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    let (_, payload) = grids[0].decode().unwrap();
    assert_eq!(payload, "KLUB-TEST-borne-7");

    let ok = s.doctor(
        &["--scan", "--scan-timeout", "5"],
        Some("KLUB-TEST-borne-7\n"),
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok));
    assert_eq!(level(&text(&ok), "scanner"), "ok");

    // A US scanner on an AZERTY keymap: the text a French keyboard makes of its keys.
    use klub_kiosk::domain::config::ScannerLayout;
    use klub_kiosk::media::scanner::{char_of, keys_for};
    let scrambled: String = "KLUB-TEST-borne-7"
        .chars()
        .map(|c| {
            let (k, shift, _) = keys_for(ScannerLayout::Us, c).unwrap();
            char_of(ScannerLayout::Azerty, k, shift, false).unwrap()
        })
        .collect();
    assert_ne!(scrambled, "KLUB-TEST-borne-7");
    for (input, hint) in [
        ("KLUB-TEST-borne-1\n".to_owned(), "CETTE borne"),
        (String::new(), "branchez le lecteur"),
        (format!("{scrambled}\n"), "scanner_layout = \"azerty\""),
    ] {
        let input = input.as_str();
        let s = Station::good();
        let o = s.doctor(&["--scan", "--scan-timeout", "5"], Some(input));
        let out = text(&o);
        assert_eq!(o.status.code(), Some(1), "{input:?}: {out}");
        assert_eq!(level(&out, "scanner"), "ÉCHEC", "{input:?}: {out}");
        assert!(out.contains(hint), "{input:?}: no « {hint} »:\n{out}");
    }
}

fn copy_without_voices(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_name() == "voix" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            copy_without_voices(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

#[test]
fn texts_without_narration_are_a_warning() {
    let s = Station::good();
    let scen = s.root().join("scenarios");
    copy_without_voices(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios"),
        &scen,
    );
    s.config(&[("scenarios_dir", scen.to_str().unwrap())]);
    let o = s.doctor(&[], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    assert_eq!(level(&out, "narration"), "attention", "{out}");
    assert!(out.contains("klub narrate"), "{out}");
}

#[test]
fn a_log_with_a_damaged_page_fails_its_integrity_check() {
    let s = Station::good();
    let db = s.root().join("data/klub-log.db");
    {
        let c = rusqlite::Connection::open(&db).unwrap();
        c.execute_batch(
            "CREATE TABLE t(x); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
             INSERT INTO t SELECT randomblob(100) FROM n; CREATE INDEX tx ON t(x);",
        )
        .unwrap();
    }
    let mut bytes = std::fs::read(&db).unwrap();
    let page = 4096;
    assert!(bytes.len() > 40 * page);
    // Scribble over the middle of a few b-tree pages, header and first pages left intact.
    for p in [20, 30] {
        for b in &mut bytes[p * page + 8..p * page + 400] {
            *b = 0xA5;
        }
    }
    std::fs::write(&db, bytes).unwrap();
    let o = s.doctor(&[], None);
    let out = text(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert_eq!(level(&out, "database"), "ÉCHEC", "{out}");
}

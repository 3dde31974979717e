//! `klub doctor`: is this station fit to open its doors? Each check says ok, warn or fail,
//! with what to do, in French (English on request).
//!
//! # Station hook
//!
//! The facilitator panel ("Vérifier la station") runs
//! `ops::doctor::run(&Options::for_config(&launch.config))` on a background thread and shows
//! the checks in French (`app::facilitator::render_checks`).
//!
//! # Files the station writes for doctor
//!
//! - `<data_dir>/screen.txt`: the screen size the station found, `WIDTHxHEIGHT` and a
//!   newline (`1920x1080`), written at start-up by [`write_screen`].
//! - `<data_dir>/date-offset.txt`: the facilitator's date offset (see [`crate::ops::time`]).

use crate::content::diag::{Msg, Severity};
use crate::content::set::{self, Validation};
use crate::domain::config::{ScannerLayout, StationConfig, Tour};
use crate::domain::text::Lang;
use crate::media::scanner;
use crate::ops::{disk, time};
use crate::storage::time as st;
use std::path::{Path, PathBuf};

/// The visit log's name, owned by [`crate::ops::files`].
pub use crate::ops::files::LOG_FILE;
/// Where the station writes the screen size it found.
pub const SCREEN_FILE: &str = "screen.txt";
/// The smallest supported screen (landscape; portrait is the same turned).
pub const MIN_SCREEN: (u32, u32) = (1366, 768);
/// Days of logging the free disk must hold.
pub const MIN_DAYS: u64 = 30;

/// How a check came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Nothing to do.
    Ok,
    /// The station can open; something should be done.
    Warn,
    /// Do not open before fixing this.
    Fail,
}

/// One check's outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    /// Stable id (`config`, `fleet_key`, `pin`, `database`, `disk`, `audio`, `font`, `narration`,
    /// `screen`, `printer`, `clock`, `scanner`).
    pub id: &'static str,
    /// The outcome.
    pub level: Level,
    /// What was found.
    pub what: Msg,
    /// What to do, when something is.
    pub todo: Option<Msg>,
}

impl Check {
    fn new(id: &'static str, level: Level, fr: impl Into<String>, en: impl Into<String>) -> Check {
        Check {
            id,
            level,
            what: Msg::new(fr, en),
            todo: None,
        }
    }

    fn todo(mut self, fr: impl Into<String>, en: impl Into<String>) -> Check {
        self.todo = Some(Msg::new(fr, en));
        self
    }
}

/// What doctor looks at.
#[derive(Clone, Debug)]
pub struct Options {
    /// The station config file.
    pub config: PathBuf,
    /// Prefix of system paths (`/proc/asound/cards`, fonts); `/` except in tests.
    pub sysroot: PathBuf,
    /// The wall clock, UTC milliseconds.
    pub now_ms: i64,
    /// Free disk space to assume instead of measuring it (tests).
    pub free_override: Option<u64>,
}

impl Options {
    /// Real system, real clock.
    pub fn for_config(config: &Path) -> Options {
        Options {
            config: config.to_owned(),
            sysroot: PathBuf::from("/"),
            now_ms: st::now_ms(),
            free_override: None,
        }
    }
}

/// The config and the folders it names, resolved against the config file.
#[derive(Clone, Debug)]
pub struct Station {
    /// The config.
    pub config: StationConfig,
    /// Its scenario folder.
    pub scenarios: PathBuf,
    /// Its tour file.
    pub tour: PathBuf,
    /// Its data folder.
    pub data: PathBuf,
}

/// Reads a station config; `Err` holds the rendered findings in both languages.
pub fn load_station(config: &Path) -> Result<Station, Msg> {
    let mut v = Validation::default();
    set::load_kiosk_file(&mut v, config);
    match v.configs.pop() {
        Some((_, cfg)) if v.report.errors() == 0 => {
            let paths = cfg.resolve(config);
            Ok(Station {
                scenarios: paths.scenarios,
                tour: paths.tour,
                data: paths.data,
                config: cfg,
            })
        }
        _ if v.report.errors() > 0 => Err(Msg::new(v.render(Lang::Fr), v.render(Lang::En))),
        _ => Err(Msg::new(
            format!(
                "{} : ce n'est pas une configuration de borne",
                config.display()
            ),
            format!("{}: not a station config", config.display()),
        )),
    }
}

/// The test card's payload for a station.
pub fn test_card_payload(station_id: &str) -> String {
    format!("KLUB-TEST-{station_id}")
}

/// Writes the screen size for doctor (`WIDTHxHEIGHT`).
pub fn write_screen(data_dir: &Path, width: u32, height: u32) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)?;
    std::fs::write(data_dir.join(SCREEN_FILE), format!("{width}x{height}\n"))
}

/// Parses `WIDTHxHEIGHT`.
pub fn parse_screen(s: &str) -> Option<(u32, u32)> {
    let (w, h) = s.trim().split_once('x')?;
    Some((w.trim().parse().ok()?, h.trim().parse().ok()?))
}

/// Runs every check but the scan.
pub fn run(opts: &Options) -> Vec<Check> {
    let station = match load_station(&opts.config) {
        Ok(s) => s,
        Err(report) => {
            return vec![
                Check::new(
                    "config",
                    Level::Fail,
                    format!(
                        "configuration illisible : {}\n{}",
                        opts.config.display(),
                        report.fr
                    ),
                    format!(
                        "config unreadable: {}\n{}",
                        opts.config.display(),
                        report.en
                    ),
                )
                .todo(
                    "corrigez le fichier (klub validate le détaille) ou réinstallez le paquet",
                    "fix the file (klub validate explains) or reinstall the package",
                ),
            ];
        }
    };
    let v = crate::content::paths::validate_paths(
        &[
            opts.config.clone(),
            station.scenarios.clone(),
            station.tour.clone(),
        ],
        None,
        true,
    );
    vec![
        config_check(&v, opts),
        fleet_key(&station),
        pin(&station),
        database(&station),
        disk_check(&station, opts),
        audio(opts),
        font(opts),
        narration(&v),
        screen(&station),
        printer(&station),
        clock(&station, &v, opts),
    ]
}

fn config_check(v: &Validation, opts: &Options) -> Check {
    let errors: Vec<&str> = v
        .report
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.msg.fr.as_str())
        .collect();
    if !errors.is_empty() {
        return Check::new(
            "config",
            Level::Fail,
            format!(
                "{} erreur(s) : {}",
                errors.len(),
                errors
                    .iter()
                    .take(3)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
            format!(
                "{} error(s): {}",
                errors.len(),
                v.report
                    .diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .take(3)
                    .map(|d| d.msg.en.as_str())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .todo(
            format!(
                "lancez « klub validate {} » et corrigez les erreurs",
                opts.config.display()
            ),
            format!(
                "run \"klub validate {}\" and fix the errors",
                opts.config.display()
            ),
        );
    }
    if v.set.scenarios.is_empty() {
        return Check::new(
            "config",
            Level::Fail,
            "aucun scénario installé",
            "no scenario installed",
        )
        .todo(
            "installez les scénarios depuis une clé USB ou réinstallez le paquet",
            "install scenarios from a USB stick or reinstall the package",
        );
    }
    Check::new(
        "config",
        Level::Ok,
        format!(
            "configuration, {} scénarios et tournée valides",
            v.set.scenarios.len()
        ),
        format!(
            "config, {} scenarios and tour are valid",
            v.set.scenarios.len()
        ),
    )
}

fn fleet_key(s: &Station) -> Check {
    if s.config.uses_demo_key() {
        Check::new("fleet_key", Level::Fail, "la clé de flotte est la clé de démonstration", "the fleet key is the demo key")
            .todo("créez une clé avec « klub key new » et copiez-la dans la configuration de chaque borne", "make one with \"klub key new\" and copy it into every station's config")
    } else {
        Check::new(
            "fleet_key",
            Level::Ok,
            "clé de flotte propre à la tournée",
            "the tour has its own fleet key",
        )
    }
}

fn pin(s: &Station) -> Check {
    use crate::domain::pin::{Stored, needs_renewal, parse_hash};
    let hash = s.config.pin_hash.as_str();
    if hash.is_empty() {
        return Check::new(
            "pin",
            Level::Warn,
            "pas de code animateur : le panneau ne s'ouvre pas",
            "no facilitator PIN: the panel cannot be opened",
        )
        .todo(
            "créez-en un avec « klub pin CODE » (6 à 8 chiffres) et collez pin_hash dans [facilitator]",
            "make one with \"klub pin CODE\" (6 to 8 digits) and paste pin_hash into [facilitator]",
        );
    }
    if needs_renewal(hash) {
        let old = if matches!(parse_hash(hash), Some(Stored::LegacySha256 { .. })) {
            "SHA-256"
        } else {
            "argon2id"
        };
        return Check::new(
            "pin",
            Level::Warn,
            format!("empreinte du code animateur à renouveler ({old}, trop facile à casser)"),
            format!("the facilitator PIN hash must be renewed ({old}, too easy to crack)"),
        )
        .todo(
            "refaites-la avec « klub pin CODE » (6 à 8 chiffres) et remplacez pin_hash dans [facilitator]",
            "make it again with \"klub pin CODE\" (6 to 8 digits) and replace pin_hash in [facilitator]",
        );
    }
    Check::new(
        "pin",
        Level::Ok,
        "code animateur protégé (argon2id)",
        "facilitator PIN protected (argon2id)",
    )
}

fn database(s: &Station) -> Check {
    let path = s.data.join(LOG_FILE);
    if !path.exists() {
        return Check::new(
            "database",
            Level::Ok,
            "pas encore de journal : la borne le créera",
            "no log yet: the station will create it",
        );
    }
    let fail = |e: rusqlite::Result<String>| {
        let detail = match e {
            Ok(d) => d,
            // Not damage: this user may not read the log (or its WAL index).
            Err(rusqlite::Error::SqliteFailure(f, _))
                if matches!(
                    f.code,
                    rusqlite::ErrorCode::CannotOpen
                        | rusqlite::ErrorCode::PermissionDenied
                        | rusqlite::ErrorCode::ReadOnly
                ) =>
            {
                return Check::new(
                    "database",
                    Level::Warn,
                    format!(
                        "journal illisible pour cet utilisateur ({})",
                        path.display()
                    ),
                    format!("this user cannot read the log ({})", path.display()),
                )
                .todo(
                    "relancez en tant que klub : sudo -u klub klub doctor --config …",
                    "run it as klub: sudo -u klub klub doctor --config …",
                );
            }
            Err(e) => e.to_string(),
        };
        Check::new(
            "database",
            Level::Fail,
            format!("journal endommagé ({}) : {detail}", path.display()),
            format!("damaged log ({}): {detail}", path.display()),
        )
        .todo(
            "redémarrez la borne : elle met le journal abîmé de côté et en commence un neuf ; gardez le fichier pour l'organisateur",
            "restart the station: it moves the damaged log aside and starts a new one; keep the file for the organiser",
        )
    };
    let conn = match rusqlite::Connection::open_with_flags(
        &path,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    ) {
        Ok(c) => c,
        Err(e) => return fail(Err(e)),
    };
    let _ = conn.busy_timeout(std::time::Duration::from_secs(10));
    let rows: Result<Vec<String>, _> = conn
        .prepare("PRAGMA integrity_check")
        .and_then(|mut st| st.query_map([], |r| r.get(0))?.collect());
    match rows {
        Ok(r) if r == ["ok"] => {
            Check::new("database", Level::Ok, "journal intact", "log is intact")
        }
        Ok(r) => fail(Ok(r.into_iter().take(3).collect::<Vec<_>>().join("; "))),
        Err(e) => fail(Err(e)),
    }
}

/// Days of data in a log: from its first session to its last (1 at least).
fn days_of_data(db: &Path) -> u64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 1;
    };
    conn.query_row(
        "SELECT min(started_wall_ms), max(started_wall_ms) FROM sessions",
        [],
        |r| Ok((r.get::<_, Option<i64>>(0)?, r.get::<_, Option<i64>>(1)?)),
    )
    .ok()
    .and_then(|(a, b)| Some((b? - a?) / 86_400_000 + 1))
    .map_or(1, |d| d.max(1) as u64)
}

fn disk_check(s: &Station, opts: &Options) -> Check {
    let db = s.data.join(LOG_FILE);
    let free = match opts.free_override {
        Some(f) => f,
        None => match disk::free_bytes(&s.data) {
            Ok(f) => f,
            Err(e) => {
                return Check::new(
                    "disk",
                    Level::Fail,
                    format!("espace libre illisible : {e}"),
                    format!("cannot read free space: {e}"),
                )
                .todo("vérifiez le dossier de données", "check the data folder");
            }
        },
    };
    let rate = disk::daily_rate(
        disk::log_bytes(&db),
        if db.exists() { days_of_data(&db) } else { 1 },
    );
    let days = disk::days_left(free, rate);
    let what_fr = format!(
        "{} Mo libres, {} jours de journal à {} Ko par jour",
        free / 1_000_000,
        days,
        rate / 1000
    );
    let what_en = format!(
        "{} MB free, {} days of logging at {} kB a day",
        free / 1_000_000,
        days,
        rate / 1000
    );
    if days < MIN_DAYS {
        Check::new("disk", Level::Fail, what_fr, what_en).todo(
            "libérez de la place : exportez le journal sur clé USB puis faites « klub purge », ou changez de disque",
            "free some space: export the log to USB then run \"klub purge\", or use a larger disk",
        )
    } else if days < 2 * MIN_DAYS {
        Check::new("disk", Level::Warn, what_fr, what_en).todo(
            "prévoyez de libérer de la place avant la fin du mois",
            "plan to free some space within the month",
        )
    } else {
        Check::new("disk", Level::Ok, what_fr, what_en)
    }
}

fn audio(opts: &Options) -> Check {
    let cards = std::fs::read_to_string(opts.sysroot.join("proc/asound/cards")).unwrap_or_default();
    let names: Vec<&str> = cards
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|n| n.parse::<u32>().is_ok())
                && l.contains('[')
        })
        .filter_map(|l| l.split_once(':').map(|(_, n)| n.trim()))
        .collect();
    if names.is_empty() {
        Check::new(
            "audio",
            Level::Fail,
            "aucune sortie audio",
            "no audio output",
        )
        .todo(
            "branchez les haut-parleurs ou le câble HDMI de l'écran, puis relancez « klub doctor »",
            "plug in the speakers or the screen's HDMI cable, then run \"klub doctor\" again",
        )
    } else {
        Check::new(
            "audio",
            Level::Ok,
            format!("sortie audio : {}", names[0]),
            format!("audio output: {}", names[0]),
        )
    }
}

fn font(opts: &Options) -> Check {
    match crate::ops::files::find_font(&opts.sysroot) {
        Some(p) => Check::new(
            "font",
            Level::Ok,
            format!("police : {}", p.display()),
            format!("font: {}", p.display()),
        ),
        None => Check::new(
            "font",
            Level::Fail,
            "aucune police installée",
            "no font installed",
        )
        .todo(
            "installez-la : apt install fonts-dejavu-core",
            "install it: apt install fonts-dejavu-core",
        ),
    }
}

fn narration(v: &Validation) -> Check {
    let (voices, narrated) = v
        .coverage
        .iter()
        .fold((0, 0), |(a, b), c| (a + c.voices, b + c.narrated));
    if narrated < voices {
        Check::new(
            "narration",
            Level::Warn,
            format!(
                "{} texte(s) sur {voices} sans lecture à voix haute",
                voices - narrated
            ),
            format!(
                "{} of {voices} texts cannot be read aloud",
                voices - narrated
            ),
        )
        .todo(
            "générez les voix : klub narrate <dossier des scénarios> (espeak-ng)",
            "generate the voices: klub narrate <scenario folder> (espeak-ng)",
        )
    } else {
        Check::new(
            "narration",
            Level::Ok,
            format!("les {voices} textes ont leur voix"),
            format!("all {voices} texts have their voice"),
        )
    }
}

fn screen(s: &Station) -> Check {
    let path = s.data.join(SCREEN_FILE);
    match std::fs::read_to_string(&path)
        .ok()
        .as_deref()
        .and_then(parse_screen)
    {
        None => Check::new(
            "screen",
            Level::Warn,
            "taille d'écran inconnue",
            "screen size unknown",
        )
        .todo(
            "démarrez la borne une fois : elle note la taille de son écran",
            "start the station once: it records its screen size",
        ),
        Some((w, h)) if w.max(h) >= MIN_SCREEN.0 && w.min(h) >= MIN_SCREEN.1 => Check::new(
            "screen",
            Level::Ok,
            format!("écran {w}×{h}"),
            format!("screen {w}×{h}"),
        ),
        Some((w, h)) => Check::new(
            "screen",
            Level::Fail,
            format!(
                "écran {w}×{h} trop petit (au moins {}×{})",
                MIN_SCREEN.0, MIN_SCREEN.1
            ),
            format!(
                "screen {w}×{h} too small (at least {}×{})",
                MIN_SCREEN.0, MIN_SCREEN.1
            ),
        )
        .todo(
            "branchez un écran plus grand ou réglez sa définition",
            "use a larger screen or raise its resolution",
        ),
    }
}

fn printer(s: &Station) -> Check {
    let dev = s.config.printer.trim();
    if dev.is_empty() {
        return Check::new(
            "printer",
            Level::Ok,
            "pas d'imprimante configurée",
            "no printer configured",
        );
    }
    let path = Path::new(dev);
    let reachable = if path.exists() {
        rustix::fs::access(path, rustix::fs::Access::WRITE_OK).is_ok() && !path.is_dir()
    } else {
        // A plain file the station will create (tests, or printing to a shared folder).
        !dev.starts_with("/dev/")
            && path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .is_some_and(|p| {
                    p.is_dir() && rustix::fs::access(p, rustix::fs::Access::WRITE_OK).is_ok()
                })
    };
    if reachable {
        Check::new(
            "printer",
            Level::Ok,
            format!("imprimante joignable : {dev}"),
            format!("printer reachable: {dev}"),
        )
    } else {
        Check::new("printer", Level::Fail, format!("imprimante injoignable : {dev}"), format!("printer unreachable: {dev}")).todo(
            "allumez l'imprimante et vérifiez son câble USB (ou videz « device » dans [printer] pour s'en passer)",
            "switch the printer on and check its USB cable (or empty \"device\" in [printer] to go without)",
        )
    }
}

fn newest_mtime_ms(dir: &Path, depth: u32) -> Option<i64> {
    let mut best = None;
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        let Ok(m) = e.metadata() else { continue };
        let t = if m.is_dir() && depth > 0 {
            newest_mtime_ms(&e.path(), depth - 1)
        } else if m.is_file() && e.path().extension().is_some_and(|x| x == "toml") {
            m.modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64)
        } else {
            None
        };
        best = best.max(t);
    }
    best
}

fn stop_of<'a>(v: &'a Validation, id: &str) -> Option<&'a crate::domain::config::Stop> {
    v.tours
        .iter()
        .flat_map(|(_, t): &(PathBuf, Tour)| t.stops.iter())
        .find(|s| s.id == id)
}

fn clock(s: &Station, v: &Validation, opts: &Options) -> Check {
    let now = opts.now_ms;
    let today = st::paris_day_hour(now).0;
    let floor = time::build_floor_ms();
    if now < floor {
        return Check::new(
            "clock",
            Level::Fail,
            format!("horloge en retard : {today}, avant la date du logiciel ({})", st::paris_day_hour(floor).0),
            format!("clock is behind: {today}, before the software's date ({})", st::paris_day_hour(floor).0),
        )
        .todo(
            "réglez l'horloge (date -s AAAA-MM-JJ en administrateur) ; si la pile de la carte mère est usée, faites-la changer",
            "set the clock (date -s YYYY-MM-DD as root); if the mainboard battery is flat, have it replaced",
        );
    }
    if let Some(newest) = newest_mtime_ms(&s.scenarios, 2)
        && now + 86_400_000 < newest
    {
        return Check::new(
            "clock",
            Level::Warn,
            format!(
                "horloge en retard : {today}, avant la date des scénarios ({})",
                st::paris_day_hour(newest).0
            ),
            format!(
                "clock is behind: {today}, before the scenarios' date ({})",
                st::paris_day_hour(newest).0
            ),
        )
        .todo(
            "réglez la date de l'étape dans le panneau animateur",
            "set the stop's date in the facilitator panel",
        );
    }
    let offset = time::read_offset_days(&s.data);
    let date = time::stop_date(now, offset);
    if s.config.stop.is_empty() {
        return Check::new(
            "clock",
            Level::Warn,
            format!("date {date}, aucune étape configurée"),
            format!("date {date}, no stop configured"),
        )
        .todo(
            "indiquez l'étape (stop = \"…\") dans la configuration de la borne",
            "set the stop (stop = \"…\") in the station's config",
        );
    }
    let Some(stop) = stop_of(v, &s.config.stop) else {
        return Check::new(
            "clock",
            Level::Fail,
            format!("étape « {} » absente de la tournée", s.config.stop),
            format!("stop \"{}\" is not in the tour", s.config.stop),
        )
        .todo(
            "corrigez « stop » dans la configuration ou le fichier de tournée",
            "fix \"stop\" in the config or the tour file",
        );
    };
    if stop.from.as_str() <= date.as_str() && date.as_str() <= stop.to.as_str() {
        Check::new(
            "clock",
            Level::Ok,
            format!(
                "date de l'étape {date}, dans l'étape {} ({} – {})",
                stop.town, stop.from, stop.to
            ),
            format!(
                "stop date {date}, within {} ({} – {})",
                stop.town, stop.from, stop.to
            ),
        )
    } else {
        Check::new(
            "clock",
            Level::Warn,
            format!("date de l'étape {date} hors de l'étape {} ({} – {})", stop.town, stop.from, stop.to),
            format!("stop date {date} is outside {} ({} – {})", stop.town, stop.from, stop.to),
        )
        .todo(
            "réglez la date dans le panneau animateur (− 1 jour / + 1 jour), ou l'étape dans la configuration",
            "set the date in the facilitator panel (− 1 day / + 1 day), or the stop in the config",
        )
    }
}

/// Reads back a scan typed by a scanner whose key codes are US while the keymap is the
/// configured one: the text a US scanner meant.
pub fn unscramble(layout: ScannerLayout, typed: &str) -> String {
    if layout == ScannerLayout::Us {
        return typed.to_owned();
    }
    typed
        .chars()
        .map(|c| {
            scanner::keys_for(layout, c)
                .and_then(|(k, shift, _)| scanner::char_of(ScannerLayout::Us, k, shift, false))
                .unwrap_or(c)
        })
        .collect()
}

/// The scanner check, from the line read (`None`: nothing within the time allowed).
pub fn scan_check(config: &StationConfig, line: Option<&str>) -> Check {
    let want = test_card_payload(&config.station_id);
    let Some(got) = line.map(str::trim) else {
        return Check::new("scanner", Level::Fail, "aucun scan reçu", "no scan received").todo(
            "branchez le lecteur en USB, puis scannez la carte test (klub doctor --test-card carte.png)",
            "plug the scanner in over USB, then scan the test card (klub doctor --test-card card.png)",
        );
    };
    if got == want {
        return Check::new(
            "scanner",
            Level::Ok,
            "lecteur de QR codes : scan correct",
            "QR scanner: scan read correctly",
        );
    }
    let other = if config.scanner_layout == ScannerLayout::Us {
        ScannerLayout::Azerty
    } else {
        ScannerLayout::Us
    };
    if unscramble(config.scanner_layout, got) == want {
        return Check::new(
            "scanner",
            Level::Ok,
            "lecteur de QR codes : scan correct (clavier AZERTY)",
            "QR scanner: scan read correctly (AZERTY keymap)",
        );
    }
    if unscramble(other, got) == want {
        return Check::new(
            "scanner",
            Level::Fail,
            "le lecteur tape dans une autre disposition de clavier",
            "the scanner types in another keyboard layout",
        )
        .todo(
            format!(
                "mettez scanner_layout = \"{}\" dans [pass] de la configuration",
                if other == ScannerLayout::Azerty {
                    "azerty"
                } else {
                    "us"
                }
            ),
            format!(
                "set scanner_layout = \"{}\" in the config's [pass]",
                if other == ScannerLayout::Azerty {
                    "azerty"
                } else {
                    "us"
                }
            ),
        );
    }
    Check::new(
        "scanner",
        Level::Fail,
        format!("scan inattendu : « {got} »"),
        format!("unexpected scan: \"{got}\""),
    )
    .todo(
        "scannez la carte test de CETTE borne (klub doctor --test-card), à 10–20 cm",
        "scan THIS station's test card (klub doctor --test-card), 10–20 cm away",
    )
}

/// The untested-scanner note when `--scan` was not asked.
pub fn scan_skipped() -> Check {
    Check::new(
        "scanner",
        Level::Warn,
        "lecteur de QR codes non testé",
        "QR scanner not tested",
    )
    .todo(
        "lancez « klub doctor --scan » et scannez la carte test",
        "run \"klub doctor --scan\" and scan the test card",
    )
}

/// Whether the station may open: no check failed.
pub fn fit(checks: &[Check]) -> bool {
    checks.iter().all(|c| c.level != Level::Fail)
}

/// One line per check, with what to do under it.
pub fn render(checks: &[Check], lang: Lang) -> String {
    let mut out = String::new();
    for c in checks {
        let tag = match (c.level, lang) {
            (Level::Ok, _) => "ok",
            (Level::Warn, Lang::Fr) => "attention",
            (Level::Warn, Lang::En) => "warn",
            (Level::Fail, Lang::Fr) => "ÉCHEC",
            (Level::Fail, Lang::En) => "FAIL",
        };
        out.push_str(&format!("[{tag:^9}] {:<9} {}\n", c.id, c.what.get(lang)));
        if let Some(t) = &c.todo {
            out.push_str(&format!("{:22}→ {}\n", "", t.get(lang)));
        }
    }
    out
}

//! `klub doctor`: the station's self-check before the doors open (exit status 0 = fit to
//! open, 1 = not fit), its scanner test card, and a hidden watchdog demonstration.

use crate::cli::CliResult;
use crate::domain::text::Lang;
use crate::ops::doctor::{self, Options};
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// Arguments of `klub doctor`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Configuration de la borne / station config.
    #[arg(long, default_value = "kiosk-config/default.toml")]
    pub config: PathBuf,
    /// Teste le lecteur : scannez la carte test / test the scanner with the test card.
    #[arg(long)]
    pub scan: bool,
    /// Secondes pour scanner / seconds allowed for the scan.
    #[arg(long, default_value_t = 60)]
    pub scan_timeout: u64,
    /// Écrit la carte test (PNG ou SVG) et quitte / write the test card (PNG or SVG), then exit.
    #[arg(long, value_name = "FILE")]
    pub test_card: Option<PathBuf>,
    /// Écrase FILE même si c'est une base SQLite / overwrite FILE even if it is an SQLite database.
    #[arg(long)]
    pub force: bool,
    /// Tests: prefix of system paths (/proc/asound, fonts).
    #[arg(long, hide = true, default_value = "/")]
    pub sysroot: PathBuf,
    /// Tests: the date to check against, `YYYY-MM-DD` (Paris noon).
    #[arg(long, hide = true)]
    pub today: Option<String>,
    /// Tests: free disk space to assume, in bytes.
    #[arg(long, hide = true)]
    pub free_bytes: Option<u64>,
}

/// Runs `klub doctor`.
pub fn run(args: &Args, lang: Lang) -> CliResult {
    if let Some(out) = &args.test_card {
        crate::fsio::check_output(out, std::slice::from_ref(&args.config), args.force)
            .map_err(|r| r.message(lang))?;
        let station = doctor::load_station(&args.config).map_err(|m| m.get(lang).to_owned())?;
        let payload = doctor::test_card_payload(&station.config.station_id);
        let qr = crate::media::qr::Qr::new(&payload).map_err(|e| format!("{e:?}"))?;
        let bytes = match out.extension().and_then(|x| x.to_str()) {
            Some("svg") => qr.svg(8).into_bytes(),
            _ => qr.png(8),
        };
        crate::fsio::write_atomic(out, &bytes).map_err(|e| format!("{} : {e}", out.display()))?;
        println!(
            "{} {} ({payload})",
            if lang == Lang::En {
                "Test card written:"
            } else {
                "Carte test écrite :"
            },
            out.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut opts = Options::for_config(&args.config);
    opts.sysroot = args.sysroot.clone();
    opts.free_override = args.free_bytes;
    if let Some(day) = &args.today {
        let ms = crate::storage::time::parse_paris_date(day)
            .ok_or_else(|| format!("date invalide / invalid date: {day}"))?;
        opts.now_ms = ms + 12 * 3_600_000;
    }
    let mut checks = doctor::run(&opts);
    if args.scan {
        match doctor::load_station(&args.config) {
            Ok(station) => {
                eprintln!(
                    "{}",
                    if lang == Lang::En {
                        format!("Scan the test card now ({} s)…", args.scan_timeout)
                    } else {
                        format!(
                            "Scannez la carte test maintenant ({} s)…",
                            args.scan_timeout
                        )
                    }
                );
                let line = read_line_within(Duration::from_secs(args.scan_timeout));
                checks.push(doctor::scan_check(&station.config, line.as_deref()));
            }
            Err(_) => checks.push(doctor::scan_skipped()),
        }
    } else {
        checks.push(doctor::scan_skipped());
    }
    print!("{}", doctor::render(&checks, lang));
    let fit = doctor::fit(&checks);
    println!(
        "{}",
        match (fit, lang) {
            (true, Lang::Fr) => "Borne prête à ouvrir.",
            (true, Lang::En) => "Station fit to open.",
            (false, Lang::Fr) => "Borne PAS prête : corrigez les échecs ci-dessus.",
            (false, Lang::En) => "Station NOT fit to open: fix the failures above.",
        }
    );
    Ok(if fit {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One line from stdin, or `None` at end of input or after `timeout`.
fn read_line_within(timeout: Duration) -> Option<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut s = String::new();
        let n = std::io::stdin().lock().read_line(&mut s).unwrap_or(0);
        let _ = tx.send((n > 0).then_some(s));
    });
    rx.recv_timeout(timeout).ok().flatten()
}

/// Arguments of the hidden `klub watchdog-demo`.
#[derive(Debug, clap::Args)]
pub struct WatchdogArgs {
    /// Seconds to run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
}

/// Runs a frame loop that pings the watchdog exactly as the station does (for tests and
/// for checking a unit's `WatchdogSec=`).
pub fn run_watchdog_demo(args: &WatchdogArgs, _lang: Lang) -> CliResult {
    let mut wd = crate::ops::watchdog::Watchdog::from_env();
    wd.ready();
    let end = Instant::now() + Duration::from_secs(args.seconds);
    while Instant::now() < end {
        wd.tick(Instant::now());
        // A reactive station sleeps until its next deadline, capped by the watchdog.
        std::thread::sleep(wd.wake_every().unwrap_or(Duration::from_secs(1)));
    }
    wd.stopping();
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `klub backup`.
#[derive(Debug, clap::Args)]
pub struct BackupArgs {
    /// Configuration de la borne / station config.
    #[arg(long, default_value = "kiosk-config/default.toml")]
    pub config: PathBuf,
}

/// Runs `klub backup`: today's copy of the log in `<data_dir>/backups`, 7 kept (exit 1 when
/// skipped for lack of disk space, so the timer's failure shows in `systemctl --failed`).
pub fn run_backup(args: &BackupArgs, lang: Lang) -> CliResult {
    let station = doctor::load_station(&args.config).map_err(|m| m.get(lang).to_owned())?;
    let db = station.data.join(doctor::LOG_FILE);
    let today = crate::storage::time::paris_day_hour(crate::storage::time::now_ms()).0;
    let outcome = crate::ops::backup::daily(
        &db,
        &station.data.join("backups"),
        &today,
        &crate::ops::backup::Policy::default(),
    )?;
    use crate::ops::backup::Outcome;
    match &outcome {
        Outcome::Made(p) | Outcome::AlreadyDone(p) => {
            println!("{} {}", lang.pick("Sauvegarde :", "Backup:"), p.display());
        }
        Outcome::NoLog => println!(
            "{}",
            if lang == Lang::En {
                "No log yet."
            } else {
                "Pas encore de journal."
            }
        ),
        Outcome::LowDisk { .. } => {}
    }
    if let Some(w) = outcome.warning() {
        eprintln!("{w}");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

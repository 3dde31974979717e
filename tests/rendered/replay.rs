//! Real rendering under Xvfb and Mesa's lavapipe: a replayed `talents-express` session.
//! - The QR code on the final screenshot decodes (rqrr) to a valid pass whose profile is
//!   the one logged in the database.
//! - The step screenshots differ from one another in their text area.
//! - A replayed immersion with pictures and a panorama stays under its peak memory.
//!
//! Needs `xvfb` and `mesa-vulkan-drivers` (installed by `.ci/run`).

use crate::support::xvfb;
use klub_kiosk::domain::pass::{FleetKey, Pass, Policy};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn text_area(img: &image::RgbaImage) -> Vec<u8> {
    // The question sits between the progress bar and the answers.
    let (w, h) = img.dimensions();
    let mut out = vec![];
    for y in h / 12..h / 2 {
        for x in w / 10..w * 9 / 10 {
            out.extend_from_slice(&img.get_pixel(x, y).0[..3]);
        }
    }
    out
}

#[test]
fn replayed_talents_express_renders_a_scannable_pass_matching_the_log() {
    let _one = crate::ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    crate::support::sticks::copy_dir(Path::new("scenarios"), &tmp.path().join("scenarios"));
    std::fs::create_dir_all(tmp.path().join("config")).unwrap();
    let cfg_text = std::fs::read_to_string("kiosk-config/default.toml").unwrap();
    let cfg = tmp.path().join("config/station.toml");
    std::fs::write(&cfg, &cfg_text).unwrap();
    let shots = tmp.path().join("shots");
    let (_x, display) = xvfb::start(90..110);
    let t = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_klub-kiosk"))
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "--replay",
            "kiosk-config/replay/talents-express.replay",
            "--screenshots",
        ])
        .arg(&shots)
        .env("DISPLAY", &display)
        .env("BEVY_ASSET_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env(
            "VK_ICD_FILENAMES",
            "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
        )
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "replay failed after {:?}: {}",
        t.elapsed(),
        String::from_utf8_lossy(&out.stderr)
    );
    // The QR on the final screenshot.
    let img = image::open(shots.join("resultats.png")).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "QR codes found on the results screenshot");
    let (_, url) = grids[0].decode().unwrap();
    let cfg =
        klub_kiosk::app::bridge::Station::load(&klub_kiosk::app::Launch::with_config(&cfg)).config;
    let key = FleetKey::from_config(&cfg).unwrap();
    let set = klub_kiosk::content::set::ContentSet::load(&tmp.path().join("scenarios")).unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 60;
    let pass = Pass::verify(
        &url,
        &Policy {
            keys: &[key],
            catalogue: set.catalogue.fingerprint(),
            now_min: u32::try_from(now).unwrap(),
            max_age_days: 30,
        },
    )
    .expect("the QR holds a valid pass");
    // The profile in the log.
    let db = tmp.path().join("data/klub-log.db");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let (source, scenario): (String, String) = conn
        .query_row("SELECT source, scenario FROM sessions", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(
        (source.as_str(), scenario.as_str()),
        ("replay", "talents-express")
    );
    let row: [i64; 12] = conn
        .query_row(
            "SELECT r, r_n, i, i_n, a, a_n, s, s_n, e, e_n, c, c_n FROM profiles",
            [],
            |r| {
                let mut v = [0i64; 12];
                for (k, x) in v.iter_mut().enumerate() {
                    *x = r.get(k)?;
                }
                Ok(v)
            },
        )
        .unwrap();
    for (k, d) in pass.areas.iter().enumerate() {
        assert_eq!(i64::from(d.score), row[2 * k], "area {k} score");
        assert_eq!(i64::from(d.evidence), row[2 * k + 1], "area {k} evidence");
    }
    // The step screenshots differ in their text area.
    let mut steps: Vec<_> = std::fs::read_dir(&shots)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .ends_with("-etape.png")
        })
        .collect();
    steps.sort();
    assert!(steps.len() >= 10, "{} step screenshots", steps.len());
    let areas: Vec<Vec<u8>> = steps
        .iter()
        .map(|p| text_area(&image::open(p).unwrap().to_rgba8()))
        .collect();
    for (i, pair) in areas.windows(2).enumerate() {
        assert_ne!(
            pair[0],
            pair[1],
            "{} and {} look the same",
            steps[i].display(),
            steps[i + 1].display()
        );
    }
}

/// Peak resident memory allowed for a replayed immersion with pictures and a panorama,
/// without screenshots (as a visitor's session), under lavapipe. Release: the goal, 250 MB
/// (measured 237–238 MB). A debug build maps more code: 255–257 MB, and 286–289 MB before
/// pictures were scaled without a full-size `f32` copy, so its bound catches that too.
const PEAK_RSS_MB: u64 = if cfg!(debug_assertions) { 275 } else { 250 };

/// The high-water mark of a process's resident memory, in MB.
fn vm_hwm_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

#[test]
fn a_replayed_immersion_with_a_panorama_stays_under_its_peak_memory() {
    let _one = crate::ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("config")).unwrap();
    let cfg_text = std::fs::read_to_string("kiosk-config/default.toml")
        .unwrap()
        .replace(
            "scenarios_dir = \"../scenarios\"",
            &format!(
                "scenarios_dir = \"{}/scenarios\"",
                env!("CARGO_MANIFEST_DIR")
            ),
        );
    let cfg = tmp.path().join("config/station.toml");
    std::fs::write(&cfg, &cfg_text).unwrap();
    let (_x, display) = xvfb::start(90..110);
    let mut child = Command::new(env!("CARGO_BIN_EXE_klub-kiosk"))
        .args([
            "--config",
            cfg.to_str().unwrap(),
            "--no-log",
            "--replay",
            "kiosk-config/replay/logistique.replay",
        ])
        .env("DISPLAY", &display)
        .env("BEVY_ASSET_ROOT", env!("CARGO_MANIFEST_DIR"))
        .env(
            "VK_ICD_FILENAMES",
            "/usr/share/vulkan/icd.d/lvp_icd.x86_64.json",
        )
        .env_remove("WAYLAND_DISPLAY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // VmHWM only grows, so the last reading before the exit is the peak (to a few ms).
    let mut peak = 0;
    let t = Instant::now();
    let status = loop {
        if let Some(mb) = vm_hwm_mb(child.id()) {
            peak = peak.max(mb);
        }
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(t.elapsed() < Duration::from_secs(600), "replay too long");
        std::thread::sleep(Duration::from_millis(20));
    };
    // A replay that cannot find a target exits with an error.
    assert!(status.success(), "replay failed");
    eprintln!("peak RSS {peak} MB (bound {PEAK_RSS_MB} MB)");
    assert!(
        peak > 50 && peak < PEAK_RSS_MB,
        "peak RSS {peak} MB, bound {PEAK_RSS_MB} MB"
    );
}

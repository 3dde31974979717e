//! Soak: replayed sessions in a loop must leave no litter: the entity count and the asset
//! count come back to the same level after every visitor. `KLUB_SOAK=1` runs 30 minutes of
//! simulated time and prints memory, entities and frame times (the README's figures).

use bevy::prelude::*;
use klub_kiosk::app::Launch;
use klub_kiosk::app::harness::{FRAME, Harness};
use klub_kiosk::app::replay;
use klub_kiosk::app::screens::Screen;
use std::time::{Duration, Instant};

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn counts(h: &mut Harness) -> (usize, usize) {
    let entities = h.world().query::<Entity>().iter(h.app.world()).count();
    let images = h.app.world().resource::<Assets<Image>>().len();
    (entities, images)
}

#[test]
fn sessions_in_a_loop_leave_no_litter() {
    let soak = std::env::var_os("KLUB_SOAK").is_some();
    let text = std::fs::read_to_string("kiosk-config/replay/talents-express.replay").unwrap();
    let script = replay::parse("talents-express.replay", &text).unwrap();
    let mut h = Harness::new(Launch {
        config: "kiosk-config/default.toml".into(),
        no_log: true,
        ..Default::default()
    });
    h.run(Duration::from_secs(1));
    let mut baseline = None;
    let mut simulated = Duration::ZERO;
    let mut loops = 0;
    let mut worst_frame = Duration::ZERO;
    let mut frame_total = Duration::ZERO;
    let mut frames = 0u32;
    let target = if soak {
        Duration::from_secs(30 * 60)
    } else {
        Duration::from_secs(1)
    };
    let rss_start = rss_kb();
    while simulated < target || loops < 3 {
        let t = Instant::now();
        h.replay(script.clone(), Duration::from_secs(600)).unwrap();
        assert_eq!(h.screen(), Screen::Results);
        h.tap("Terminer").unwrap();
        // Let the thank-you time out and the attract loop turn a slide, timing frames.
        for _ in 0..(12_000 / FRAME.as_millis()) {
            let f = Instant::now();
            h.frame();
            let d = f.elapsed();
            worst_frame = worst_frame.max(d);
            frame_total += d;
            frames += 1;
        }
        assert_eq!(h.screen(), Screen::Attract);
        let c = counts(&mut h);
        match baseline {
            None => baseline = Some(c),
            Some(b) => assert_eq!(c, b, "entities/images grew after {loops} visitors"),
        }
        loops += 1;
        simulated = h
            .app
            .world()
            .resource::<klub_kiosk::app::bridge::Clock>()
            .now;
        if soak {
            eprintln!(
                "boucle {loops}: {c:?} entités/images, RSS {} Mo, {:?} réels",
                rss_kb() / 1024,
                t.elapsed()
            );
        }
    }
    eprintln!(
        "soak: {:?} simulés, {loops} visiteurs, RSS {} → {} Mo, image moyenne {:?}, pire {:?}",
        simulated,
        rss_start / 1024,
        rss_kb() / 1024,
        frame_total / frames.max(1),
        worst_frame
    );
}

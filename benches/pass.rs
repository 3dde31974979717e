//! Pass benchmarks: building a pass and its QR image (< 2 ms), decoding and verifying a
//! scanned pass (< 100 µs). Run with `cargo bench --no-default-features --bench pass`.

use klub_kiosk::content::set::ContentSet;
use klub_kiosk::domain::config::Situation;
use klub_kiosk::domain::pass::{FleetKey, Pass, PassId, Policy, Visit};
use klub_kiosk::domain::scoring::{DimScore, Profile};
use klub_kiosk::domain::text::Lang;
use klub_kiosk::media::qr::Qr;
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Median time per call over `rounds` rounds of `n` calls.
fn measure(name: &str, budget: Duration, n: u32, mut f: impl FnMut()) -> Duration {
    for _ in 0..n {
        f();
    }
    let mut times: Vec<Duration> = (0..15)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..n {
                f();
            }
            t.elapsed() / n
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let verdict = if median < budget { "ok" } else { "OVER BUDGET" };
    println!("{name:<48} {median:>10.2?}  (budget {budget:?}, {verdict})");
    median
}

fn main() {
    let set = ContentSet::load(Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios")))
        .unwrap_or_else(|v| panic!("{}", v.render(Lang::En)));
    let key = FleetKey::from_hex(1, &"5a".repeat(32)).unwrap();
    let mut profile = Profile {
        areas: [80, 25, 40, 70, 15, 55].map(|s| DimScore {
            score: s,
            evidence: 7,
        }),
        skills: vec![DimScore::default(); set.skills.len()],
    };
    for (i, s) in [(0, 100), (4, 50), (7, 75), (9, 25)] {
        profile.skills[i] = DimScore {
            score: s,
            evidence: 2,
        };
    }
    let explored = [3usize, 8, 12, 20, 31, 40, 50, 60];
    let base = format!("https://{}", "k".repeat(32));
    let now = 29_400_000;
    let visit = Visit {
        profile: &profile,
        explored: &explored,
        situation: Situation::Lycee,
        station: 4,
        stop: "chartres",
        now_min: now,
    };
    let build = |texture: bool| {
        let pass = Pass::new(
            key.id,
            PassId::random().unwrap(),
            &set.catalogue,
            &set.skills,
            &visit,
        );
        let url = pass.url(&base, &key);
        let qr = Qr::new(&url).unwrap();
        let px = qr.module_px_for_screen(1080);
        if texture {
            black_box(qr.rgba(px));
        } else {
            black_box(qr.png(px));
        }
    };
    let b1 = measure(
        "build pass + QR RGBA texture (1080p)",
        Duration::from_millis(2),
        200,
        || build(true),
    );
    let b2 = measure(
        "build pass + QR PNG (1080p)",
        Duration::from_millis(2),
        100,
        || build(false),
    );
    let pass = Pass::new(
        key.id,
        PassId::random().unwrap(),
        &set.catalogue,
        &set.skills,
        &visit,
    );
    let url = pass.url(&base, &key);
    let qr = Qr::new(&url).unwrap();
    let px = qr.module_px_for_screen(1080);
    let part = Duration::from_millis(2);
    measure("  of which: build + sign the pass", part, 200, || {
        let p = Pass::new(
            key.id,
            PassId::random().unwrap(),
            &set.catalogue,
            &set.skills,
            &visit,
        );
        black_box(p.url(&base, &key));
    });
    measure("  of which: encode the QR", part, 200, || {
        black_box(Qr::new(black_box(&url)).unwrap());
    });
    measure("  of which: RGBA texture", part, 200, || {
        black_box(qr.rgba(px));
    });
    measure("  of which: PNG", part, 100, || {
        black_box(qr.png(px));
    });
    let scanned = format!("{}\n", pass.url(&base, &key));
    let keys = [key.clone()];
    let policy = Policy {
        keys: &keys,
        catalogue: set.catalogue.fingerprint(),
        now_min: now + 60,
        max_age_days: 30,
    };
    let v = measure(
        "decode + verify a scanned pass",
        Duration::from_micros(100),
        20_000,
        || {
            black_box(Pass::verify(black_box(&scanned), &policy).unwrap());
        },
    );
    if b1.max(b2) >= Duration::from_millis(2) || v >= Duration::from_micros(100) {
        std::process::exit(1);
    }
}

//! Benchmarks of the core: loading and validating content, scoring and matching.
//!
//! Run with `cargo bench --no-default-features --bench core`. Figures go in the README.

use klub_kiosk::content::set::{ContentSet, Options, load_content};
use klub_kiosk::domain::matching::top_trades;
use klub_kiosk::domain::scenario::StepBody;
use klub_kiosk::domain::scoring::{Answer, score};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

/// Median of `runs` timings of `f`.
fn median(runs: usize, mut f: impl FnMut()) -> Duration {
    let mut t: Vec<Duration> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed()
        })
        .collect();
    t.sort();
    t[runs / 2]
}

/// A catalogue of `n` trades in the bundled format, cycling through the real entries
/// with fresh ids, so that its size is the only thing that changes.
fn generated(n: usize, dir: &Path) {
    let src = std::fs::read_to_string("scenarios/trades.toml").expect("bundled trades");
    let entries: Vec<&str> = src.split("[[trade]]").skip(1).collect();
    let mut out = String::new();
    for i in 0..n {
        let e = entries[i % entries.len()];
        let e = e.replacen("id = \"", &format!("id = \"g{i}-"), 1);
        let e = e
            .lines()
            .filter(|l| !l.starts_with("immersion"))
            .collect::<Vec<_>>()
            .join("\n");
        out.push_str("[[trade]]");
        out.push_str(&e);
        out.push('\n');
    }
    std::fs::create_dir_all(dir).expect("dir");
    std::fs::write(dir.join("trades.toml"), out).expect("write");
    std::fs::copy("scenarios/savoir-etre.toml", dir.join("savoir-etre.toml")).expect("copy");
}

fn main() {
    let no_assets = Options {
        assets: false,
        narration: false,
    };
    let headers = Options {
        assets: true,
        narration: true,
    };
    let load = median(31, || {
        black_box(load_content(Path::new("scenarios"), &no_assets));
    });
    let load_h = median(31, || {
        black_box(load_content(Path::new("scenarios"), &headers));
    });
    println!("load + validate bundled content (no asset files opened): {load:?}");
    println!("load + validate bundled content (asset headers and narration checked): {load_h:?}");

    let tmp = std::env::temp_dir().join(format!("klub-bench-{}", std::process::id()));
    for n in [72, 396, 792, 1584] {
        let dir = tmp.join(n.to_string());
        generated(n, &dir);
        let d = median(11, || {
            black_box(load_content(&dir, &no_assets));
        });
        println!(
            "catalogue of {n:>4} trades: {d:?} ({:.1} µs per trade)",
            d.as_secs_f64() * 1e6 / n as f64
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);

    let set = ContentSet::load(Path::new("scenarios")).expect("bundled content");
    let sc = set.scenario("talents").expect("talents");
    let answers: Vec<(usize, Answer)> = sc
        .steps
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let a = match &s.body {
                StepBody::Info { .. } => Answer::Seen,
                StepBody::Choice { options, .. } => Answer::Choice(i % options.len()),
                StepBody::Multi { .. } => Answer::Multi(vec![0]),
                StepBody::Scale { points, .. } => Answer::Scale((i % usize::from(*points)) as u8),
                _ => Answer::Game {
                    found: 1,
                    total: 2,
                    enjoy: Some((i % 3) as u8),
                },
            };
            (i, a)
        })
        .collect();
    let runs = 2001;
    let d = median(runs, || {
        let p = score(sc, set.skills.len(), black_box(&answers));
        black_box(top_trades(&p, &set.catalogue, &set.skills, 3, 42));
    });
    println!(
        "score + match one talents session against {} trades: {d:?}",
        set.catalogue.trades.len()
    );
}

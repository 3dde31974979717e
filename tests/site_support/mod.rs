//! Shared helpers of the results-page tests: content fixtures, passes made by the library,
//! `klub site build`, and the headless Chromium driver (`tests/browser/cdp.mjs`).

#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

use klub_kiosk::content::set::{Options, load_content};
use klub_kiosk::domain::catalogue::Catalogue;
use klub_kiosk::domain::config::{DEMO_FLEET_KEY, Situation};
use klub_kiosk::domain::pass::{FleetKey, Pass, PassId, Visit};
use klub_kiosk::domain::scoring::{DimScore, Profile};
use klub_kiosk::domain::skills::SkillSet;
use klub_kiosk::domain::text::Lang;
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A content folder holding the project's `savoir-etre.toml` and `trades.toml` only
/// (immersion links dropped, since the scenarios are not copied), passed through `edit`.
pub fn content_dir(edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let scen = root().join("scenarios");
    std::fs::copy(
        scen.join("savoir-etre.toml"),
        dir.path().join("savoir-etre.toml"),
    )
    .expect("copy skills");
    let trades = std::fs::read_to_string(scen.join("trades.toml")).expect("read trades");
    let trades: String = trades
        .lines()
        .filter(|l| !l.trim_start().starts_with("immersion"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.path().join("trades.toml"), edit(trades)).expect("write trades");
    dir
}

/// The catalogue and skills of a content folder; panics with the report when invalid.
pub fn load(dir: &Path) -> (Catalogue, SkillSet) {
    let v = load_content(
        dir,
        &Options {
            assets: false,
            narration: false,
        },
    );
    assert_eq!(v.report.errors(), 0, "{}", v.render(Lang::En));
    (v.set.catalogue, v.set.skills)
}

/// The bundled demo key.
pub fn demo_key() -> FleetKey {
    FleetKey::from_hex(0, DEMO_FLEET_KEY).expect("demo key")
}

/// A profile with clear strengths: aider first, créer second; écoute and rigueur put forward.
pub fn clear_profile(skills: &SkillSet) -> Profile {
    let areas = [40, 30, 70, 90, 20, 50].map(|score| DimScore { score, evidence: 4 });
    let mut sk = vec![DimScore::default(); skills.len()];
    let set = |sk: &mut Vec<DimScore>, id: &str, score: u8| {
        if let Some(i) = skills.index_of(id) {
            sk[usize::from(i)] = DimScore { score, evidence: 3 };
        }
    };
    set(&mut sk, "ecoute", 95);
    set(&mut sk, "rigueur", 80);
    set(&mut sk, "equipe", 60);
    Profile { areas, skills: sk }
}

/// A pass made by the library, and its text.
pub fn make_pass(
    catalogue: &Catalogue,
    skills: &SkillSet,
    profile: &Profile,
    explored: &[usize],
    situation: Situation,
    stop: &str,
    id: u64,
) -> (Pass, String) {
    let pass = Pass::new(
        0,
        PassId(id.to_be_bytes()),
        catalogue,
        skills,
        &Visit {
            profile,
            explored,
            situation,
            station: 2,
            stop,
            now_min: 29_400_000,
        },
    );
    let text = pass.encode(&demo_key());
    (pass, text)
}

/// A pass for [`clear_profile`], made by the library, and its text.
pub fn clear_pass(
    catalogue: &Catalogue,
    skills: &SkillSet,
    explored: &[usize],
    situation: Situation,
    stop: &str,
    id: u64,
) -> (Pass, String) {
    let profile = clear_profile(skills);
    make_pass(catalogue, skills, &profile, explored, situation, stop, id)
}

/// The bundled content copied and loaded, and its page built with the example tour.
pub struct Built {
    /// The copy of the content (kept for the test's life).
    pub content: tempfile::TempDir,
    /// The built page.
    pub site: tempfile::TempDir,
    /// The content's catalogue.
    pub cat: Catalogue,
    /// The content's skills.
    pub skills: SkillSet,
}

impl Built {
    /// Builds the page of the unchanged bundled content, with the example tour.
    pub fn with_tour() -> Built {
        let content = content_dir(|t| t);
        let (cat, skills) = load(content.path());
        let site = tempfile::tempdir().expect("tmp");
        site_build_ok(site.path(), content.path(), Some(&example_tour()));
        Built {
            content,
            site,
            cat,
            skills,
        }
    }
}

/// Runs `klub site build -o out --scenarios content [--tour tour]`.
pub fn site_build(out: &Path, content: &Path, tour: Option<&Path>) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_klub"));
    cmd.arg("site")
        .arg("build")
        .arg("-o")
        .arg(out)
        .arg("--scenarios")
        .arg(content)
        .current_dir(root());
    if let Some(t) = tour {
        cmd.arg("--tour").arg(t);
    }
    cmd.output().expect("run klub")
}

/// Builds and asserts success.
pub fn site_build_ok(out: &Path, content: &Path, tour: Option<&Path>) {
    let o = site_build(out, content, tour);
    assert!(
        o.status.success(),
        "klub site build failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The bundled example tour.
pub fn example_tour() -> PathBuf {
    root().join("kiosk-config/tour.toml")
}

static NPM: Mutex<bool> = Mutex::new(false);

/// Installs axe-core from the npm registry (`npm ci`) when it is not there yet.
fn ensure_axe() {
    let mut done = NPM.lock().unwrap_or_else(|e| e.into_inner());
    let dir = root().join("tests/browser");
    if *done || dir.join("node_modules/axe-core/axe.min.js").is_file() {
        *done = true;
        return;
    }
    let st = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir)
        .status()
        .expect("npm is needed for the browser tests (Debian: npm)");
    assert!(st.success(), "npm ci in tests/browser failed");
    *done = true;
}

/// Runs a plan in headless Chromium with `root` served over http; returns the report.
pub fn browser(root_dir: &Path, steps: Value) -> Value {
    ensure_axe();
    let plan = serde_json::json!({
        "root": root_dir.canonicalize().expect("site dir"),
        "width": 1000,
        "height": 800,
        "steps": steps,
    });
    let mut child = Command::new("node")
        .arg(root().join("tests/browser/cdp.mjs"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is needed for the browser tests (Debian: nodejs)");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(plan.to_string().as_bytes())
        .expect("write plan");
    let out = child.wait_with_output().expect("driver");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "driver output is not JSON ({e}):\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    assert!(
        out.status.success() && report.get("error").is_none(),
        "browser driver failed: {}\n{}",
        report["error"],
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(report["exceptions"], serde_json::json!([]), "page threw");
    report
}

/// What the page shows, as one JSON value (an `eval` step).
pub const READ_PAGE: &str = r##"(() => {
  const q = (s) => document.querySelector(s);
  const txt = (s) => { const e = q(s); return e && !e.hidden ? e.textContent : null; };
  const shown = (e) => e && !e.hidden && !e.closest("[hidden]");
  return {
    outcome: document.body.getAttribute("data-outcome"),
    lang: document.documentElement.lang,
    heading: q("#heading").textContent,
    outcomeText: shown(q("#outcome")) ? q("#outcome-text").textContent : null,
    resultsShown: shown(q("#results")),
    reading: q("#strengths-text").getAttribute("data-reading"),
    strengths: shown(q("#strengths-text")) ? q("#strengths-text").textContent : null,
    strengthsSection: shown(q("#strengths")) ? q("#strengths").innerText : null,
    putForward: shown(q("#put-forward")) ? q("#put-forward").textContent : null,
    stop: txt("#stop"),
    trades: shown(q("#trades")) ? Array.from(document.querySelectorAll("#trade-list > li")).map(li => ({
      id: li.getAttribute("data-trade"),
      name: li.querySelector("h3").textContent,
      rome: li.querySelector(".rome-code").textContent,
      description: li.querySelector(".description").textContent,
      routeHeads: Array.from(li.querySelectorAll("h4")).map(h => h.textContent),
      routes: Array.from(li.querySelectorAll(".routes li")).map(x => x.textContent)
    })) : [],
    explored: shown(q("#explored")) ? Array.from(document.querySelectorAll("#explored-list li")).map(li => li.textContent) : [],
    contacts: shown(q("#contact-list")) ? Array.from(document.querySelectorAll("#contact-list > li")).map(li => li.getAttribute("data-kind")) : [],
    contactText: shown(q("#contact-list")) ? q("#contact-list").innerText : null,
    offers: Array.from(document.querySelectorAll("#immersion li.offer")).filter(shown).map(li => li.getAttribute("data-kind")),
    immersionText: shown(q("#immersion")) ? q("#immersion").innerText : null,
    privacy: q("#privacy-text").textContent,
    bodyText: document.body.innerText
  };
})()"##;

/// A folder for screenshots and PDFs: `KLUB_SITE_SHOTS` when set, else a temp dir.
pub fn shots_dir() -> (PathBuf, Option<tempfile::TempDir>) {
    match std::env::var_os("KLUB_SITE_SHOTS") {
        Some(d) => {
            let d = PathBuf::from(d);
            std::fs::create_dir_all(&d).expect("shots dir");
            (d, None)
        }
        None => {
            let t = tempfile::tempdir().expect("temp");
            (t.path().to_owned(), Some(t))
        }
    }
}

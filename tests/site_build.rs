//! `klub site build` and the bundled example tour, without a browser: the page is one
//! self-contained file under a strict CSP, the catalogue archive keeps every published
//! catalogue, and the example tour validates and is clearly marked as an example.

mod site_support;

use klub_kiosk::content::set::{Options, Validation, check_configs, load_content, load_kiosk_file};
use klub_kiosk::domain::config::Tour;
use klub_kiosk::domain::text::Lang;
use klub_kiosk::site::{self, CatalogueSnapshot, csp, csp_hash};
use site_support::*;
use std::process::Command;

fn page(dir: &std::path::Path) -> String {
    std::fs::read_to_string(dir.join("index.html")).expect("index.html")
}

/// The text between each `open` tag and the next `</tag>`.
fn blocks<'a>(html: &'a str, open: &str, close: &str) -> Vec<&'a str> {
    html.split(open)
        .skip(1)
        .map(|b| &b[..b.find(close).expect("closed")])
        .collect()
}

/// The page's CSP has no `'unsafe-inline'` and lets exactly its one inline script and
/// its one inline style run, by their SHA-256.
fn assert_csp_pins_the_inline_blocks(html: &str) {
    let policy = blocks(
        html,
        r#"<meta http-equiv="Content-Security-Policy" content=""#,
        "\"",
    );
    assert_eq!(policy, vec![csp()], "one CSP meta, the one klub computes");
    let policy = policy[0];
    assert!(!policy.contains("unsafe"), "{policy}");
    let scripts = blocks(html, "<script>", "</script>");
    let styles = blocks(html, "<style>", "</style>");
    assert_eq!((scripts.len(), styles.len()), (1, 1), "inline blocks");
    let directive = |name: &str| {
        policy
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {policy}"))
            .trim()
            .to_owned()
    };
    assert_eq!(
        directive("script-src"),
        format!("'{}'", csp_hash(scripts[0]))
    );
    assert_eq!(directive("style-src"), format!("'{}'", csp_hash(styles[0])));
    assert_eq!(directive("default-src"), "'none'");
    // The hash is SHA-256 in base64, as CSP reads it (known answer for "abc").
    assert_eq!(
        csp_hash("abc"),
        "sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0="
    );
}

#[test]
fn site_build_writes_one_self_contained_page_under_a_strict_csp() {
    let content = content_dir(|t| t);
    let (cat, _) = load(content.path());
    let site = tempfile::tempdir().expect("tmp");
    let out = site_build(site.path(), content.path(), Some(&example_tour()));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("Page écrite"), "{stdout}");
    assert!(
        stdout.contains(&format!("{:08x}", cat.fingerprint())),
        "{stdout}"
    );
    // The example tour is flagged at each publication.
    assert!(String::from_utf8_lossy(&out.stderr).contains("d'exemple"));
    let html = page(site.path());
    assert_csp_pins_the_inline_blocks(&html);
    // Nothing to fetch: no src attribute, no stylesheet link, only the data: icon.
    assert!(!html.contains(" src="), "an external resource");
    assert!(!html.contains("rel=\"stylesheet\""));
    assert!(!html.contains("@import"));
    let hrefs: Vec<&str> = html
        .split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .collect();
    assert_eq!(hrefs, vec!["data:,", "#main"], "links in the page shell");
    // The catalogue is inlined: every trade name and ROME code is in the page.
    for t in &cat.trades {
        assert!(
            html.contains(t.rome.as_str()),
            "{} missing",
            t.rome.as_str()
        );
    }
    assert!(html.contains("Tes pistes à explorer – ce n'est pas un test"));
}

#[test]
fn site_build_keeps_every_catalogue_published_to_the_folder() {
    let a = content_dir(|t| t);
    let b = content_dir(|t| t.replacen("rome = \"A1208\"", "rome = \"A1203\"", 1));
    let (ca, _) = load(a.path());
    let (cb, _) = load(b.path());
    assert_ne!(ca.fingerprint(), cb.fingerprint());
    let site = tempfile::tempdir().expect("tmp");
    site_build_ok(site.path(), a.path(), None);
    site_build_ok(site.path(), b.path(), None);
    // Building the newer one again changes nothing in the archive.
    site_build_ok(site.path(), b.path(), None);
    let mut names: Vec<String> = std::fs::read_dir(site.path().join("catalogues"))
        .expect("archive")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut want = vec![
        format!("{:08x}.json", ca.fingerprint()),
        format!("{:08x}.json", cb.fingerprint()),
    ];
    want.sort();
    assert_eq!(names, want);
    let html = page(site.path());
    for fp in [ca.fingerprint(), cb.fingerprint()] {
        assert!(
            html.contains(&format!("\"{fp:08x}\":{{")),
            "catalogue {fp:08x} not inlined"
        );
    }
    // An archive file reads back as the snapshot it was.
    let json = std::fs::read(site.path().join("catalogues").join(&want[0])).expect("read");
    let snap: CatalogueSnapshot = serde_json::from_slice(&json).expect("snapshot");
    assert_eq!(
        snap.computed_fingerprint().as_deref(),
        Some(snap.fingerprint.as_str())
    );
}

#[test]
fn site_build_refuses_a_tampered_or_unreadable_archive() {
    let a = content_dir(|t| t);
    let site = tempfile::tempdir().expect("tmp");
    site_build_ok(site.path(), a.path(), None);
    let dir = site.path().join("catalogues");
    let file = std::fs::read_dir(&dir)
        .expect("dir")
        .next()
        .expect("one")
        .expect("entry")
        .path();
    let before = page(site.path());
    // A trade renamed by hand: the fingerprint no longer matches.
    let json = std::fs::read_to_string(&file).expect("read");
    std::fs::write(
        &file,
        json.replacen("\"jardinier-paysagiste\"", "\"jardinier\"", 1),
    )
    .expect("write");
    let out = site_build(site.path(), a.path(), None);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("empreinte") && err.contains(&*file.to_string_lossy()),
        "{err}"
    );
    assert_eq!(
        page(site.path()),
        before,
        "the page was rewritten despite the error"
    );
    // Not JSON at all.
    std::fs::write(&file, "{ oops").expect("write");
    let out = site_build(site.path(), a.path(), None);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("illisible"));
    // A newer archive format: update klub rather than misread it.
    std::fs::write(&file, "{\"format\": 9}").expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["--lang", "en", "site", "build", "-o"])
        .arg(site.path())
        .arg("--scenarios")
        .arg(a.path())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("update klub"));
}

#[test]
fn site_build_refuses_invalid_content_or_a_non_tour_file() {
    let bad = content_dir(|t| t.replacen("rome = \"A1208\"", "rome = \"Z99\"", 1));
    let site = tempfile::tempdir().expect("tmp");
    let out = site_build(site.path(), bad.path(), None);
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("code ROME mal formé") && all.contains("trades.toml:"),
        "{all}"
    );
    assert!(!site.path().join("index.html").exists());

    let good = content_dir(|t| t);
    let not_tour = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(not_tour.path(), "station_id = \"borne-1\"\n").expect("write");
    let out = site_build(site.path(), good.path(), Some(not_tour.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pas un fichier de tournée"));

    // A tour offer naming a trade the catalogue lacks.
    let tour = std::fs::read_to_string(example_tour())
        .expect("tour")
        .replacen("trade = \"soudeur\"", "trade = \"sodeur\"", 1);
    let bad_tour = tempfile::NamedTempFile::new().expect("tmp");
    std::fs::write(bad_tour.path(), tour).expect("write");
    let out = site_build(site.path(), good.path(), Some(bad_tour.path()));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("métier inconnu « sodeur »"));
}

fn example() -> (Validation, Tour) {
    let content = content_dir(|t| t);
    let mut v = load_content(
        content.path(),
        &Options {
            assets: false,
            narration: false,
        },
    );
    load_kiosk_file(&mut v, &example_tour());
    check_configs(&mut v);
    assert_eq!(v.report.errors(), 0, "{}", v.render(Lang::En));
    let tour = v.tours.first().expect("a tour").1.clone();
    (v, tour)
}

#[test]
fn example_tour_passes_klub_validate() {
    let out = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["validate", "kiosk-config"])
        .current_dir(root())
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        !stdout.contains("tour.toml:"),
        "findings on the tour: {stdout}"
    );
    // And against the catalogue: every offer's trade exists.
    example();
}

#[test]
fn example_tour_has_the_four_towns_with_contacts_and_offers_marked_as_examples() {
    let (_, tour) = example();
    let towns: Vec<&str> = tour.stops.iter().map(|s| s.town.as_str()).collect();
    assert_eq!(
        towns,
        ["Chartres", "Dreux", "Nogent-le-Rotrou", "Châteaudun"]
    );
    for s in &tour.stops {
        assert!(s.from <= s.to && s.from.len() == 10, "{}: dates", s.id);
        let mut kinds: Vec<&str> = s.contacts.iter().map(|c| c.kind.as_str()).collect();
        kinds.sort();
        assert_eq!(
            kinds,
            ["cep", "cio", "france_travail", "mission_locale"],
            "{}",
            s.id
        );
        for c in &s.contacts {
            assert!(c.example, "{}: {} not marked", s.id, c.name.fr);
            assert!(
                c.name.fr.ends_with("(exemple)")
                    && c.name
                        .en
                        .as_deref()
                        .is_some_and(|e| e.ends_with("(example)"))
            );
            // No address that looks real: a placeholder, or a web address under example.org.
            let host = c
                .reach
                .strip_prefix("https://")
                .map(|r| r.split('/').next().unwrap_or(""));
            let ok = c.reach == "à compléter par l'organisateur"
                || host.is_some_and(|h| h == "example.org" || h.ends_with(".example.org"));
            assert!(ok, "{}: reach {:?} looks real", s.id, c.reach);
            assert!(
                !c.reach.chars().any(|ch| ch.is_ascii_digit()),
                "a number in {:?}",
                c.reach
            );
        }
        let has = |kind: &str| s.offers.iter().any(|o| o.kind == kind);
        assert!(
            has("stage") && has("pmsmp"),
            "{}: both kinds of immersion",
            s.id
        );
        for o in &s.offers {
            assert!(
                o.example && o.text.fr.ends_with("(exemple)"),
                "{}: offer not marked",
                s.id
            );
            // Reached through a contact of the stop, never a company: stages via the CIO,
            // PMSMP via France Travail, the Mission Locale or a CEP.
            assert!(
                s.contacts.iter().any(|c| c.kind == o.via),
                "{}: via {}",
                s.id,
                o.via
            );
            let right = if o.kind == "stage" {
                o.via == "cio"
            } else {
                o.via != "cio"
            };
            assert!(right, "{}: {} via {}", s.id, o.kind, o.via);
        }
    }
}

/// Issue 14: a catalogue text holding the template's markers stays text. The page keeps
/// one script, one style and its CSP, and the name is only in the data.
#[test]
fn trade_name_holding_template_markers_builds_a_working_page() {
    let content = content_dir(|t| t);
    let (mut cat, skills) = load(content.path());
    let evil = "Soudeur {{SCRIPT}} {{DATA}} {{CSP}} {{STYLE}}";
    cat.trades[0].name.fr = evil.to_owned();
    let dir = tempfile::tempdir().expect("tmp");
    site::build(dir.path(), &cat, &skills, None).expect("build");
    let html = page(dir.path());
    assert_csp_pins_the_inline_blocks(&html);
    assert_eq!(
        html.matches("The results page script").count(),
        1,
        "the script was copied into the page twice"
    );
    assert_eq!(html.matches("Content-Security-Policy").count(), 1);
    let data = blocks(
        &html,
        r#"<script type="application/json" id="klub-data">"#,
        "</script>",
    );
    assert_eq!(data.len(), 1);
    let data: serde_json::Value = serde_json::from_str(data[0]).expect("data is JSON");
    let fp = format!("{:08x}", cat.fingerprint());
    assert_eq!(data["catalogues"][&fp]["trades"][0]["name"]["fr"], evil);
}

/// Issue 14: an archived tour is checked again at every build, as the current one is:
/// only `https:` and `tel:` links, as klub writes them, and no template marker.
#[test]
fn site_build_refuses_a_tour_archive_with_a_foreign_link_or_a_marker() {
    let content = content_dir(|t| t);
    let site = tempfile::tempdir().expect("tmp");
    site_build_ok(site.path(), content.path(), Some(&example_tour()));
    let tours = site.path().join("tours");
    let current = std::fs::read_to_string(tours.join("exemple-eure-et-loir.json")).expect("tour");
    let old = tours.join("ancienne.json");
    let older = |edit: &dyn Fn(serde_json::Value) -> serde_json::Value| {
        let mut v: serde_json::Value = serde_json::from_str(&current).expect("json");
        v["id"] = "ancienne".into();
        std::fs::write(&old, serde_json::to_vec_pretty(&edit(v)).expect("json")).expect("write");
    };
    // Untouched, an older tour is kept.
    older(&|v| v);
    site_build_ok(site.path(), content.path(), Some(&example_tour()));
    let before = page(site.path());
    let contact =
        |v: &mut serde_json::Value| -> serde_json::Value { v["stops"][0]["contacts"][0].take() };
    let cases: Vec<(&str, Box<dyn Fn(serde_json::Value) -> serde_json::Value>)> = vec![
        (
            "javascript:alert(document.domain)",
            Box::new(|mut v| {
                let mut c = contact(&mut v);
                c["reach"] = "javascript:alert(document.domain)".into();
                c["href"] = "javascript:alert(document.domain)".into();
                v["stops"][0]["contacts"][0] = c;
                v
            }),
        ),
        (
            "javascript:alert(1)",
            Box::new(|mut v| {
                let mut c = contact(&mut v);
                c["reach"] = "https://cio.example.org".into();
                c["href"] = "javascript:alert(1)".into();
                v["stops"][0]["contacts"][0] = c;
                v
            }),
        ),
        (
            "http://cio.example.org",
            Box::new(|mut v| {
                let mut c = contact(&mut v);
                c["reach"] = "http://cio.example.org".into();
                c["href"] = "http://cio.example.org".into();
                v["stops"][0]["contacts"][0] = c;
                v
            }),
        ),
        (
            "data:text/html,x",
            Box::new(|mut v| {
                let mut c = contact(&mut v);
                c["href"] = "data:text/html,x".into();
                v["stops"][0]["contacts"][0] = c;
                v
            }),
        ),
        (
            "{{SCRIPT}}",
            Box::new(|mut v| {
                v["stops"][1]["town"] = "Dreux {{SCRIPT}}".into();
                v
            }),
        ),
    ];
    for (needle, edit) in &cases {
        older(&|v| edit(v));
        let out = site_build(site.path(), content.path(), Some(&example_tour()));
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{needle}: {err}");
        assert!(
            err.contains(*needle) && err.contains(&*old.to_string_lossy()),
            "{needle}: {err}"
        );
        if needle.contains(':') {
            assert!(err.contains("https://") && err.contains("tel:"), "{err}");
        }
        assert_eq!(page(site.path()), before, "page rewritten despite {needle}");
    }
    // A tel: link, as klub writes it, is kept.
    older(&|mut v| {
        let mut c = contact(&mut v);
        c["reach"] = "tel:+33 2 37 00 00 00".into();
        c["href"] = "tel:+33237000000".into();
        v["stops"][0]["contacts"][0] = c;
        v
    });
    site_build_ok(site.path(), content.path(), Some(&example_tour()));
}

//! The results page in real headless Chromium (Debian `chromium`), driven over the DevTools
//! protocol by `tests/browser/cdp.mjs` (Node, no dependency but `axe-core` from npm).
//!
//! Set `KLUB_SITE_SHOTS=/some/dir` to keep the screenshots and the print PDF.

mod site_support;

use klub_kiosk::domain::catalogue::Catalogue;
use klub_kiosk::domain::config::Situation;
use klub_kiosk::domain::pass::Pass;
use klub_kiosk::domain::scoring::{DimScore, Profile};
use klub_kiosk::domain::skills::SkillSet;
use klub_kiosk::domain::text::Variant;
use klub_kiosk::domain::wording;
use klub_kiosk::site::texts;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use site_support::*;

fn page_text(key: &str, v: Variant) -> String {
    texts::all()
        .into_iter()
        .find(|(k, _)| *k == key)
        .map(|(_, t)| t.get(v).to_owned())
        .unwrap_or_else(|| panic!("no text {key}"))
}

/// What the library says the page must show for a pass, in one variant.
fn expect_page(page: &Value, pass: &Pass, cat: &Catalogue, skills: &SkillSet, v: Variant) {
    let profile = pass.profile(skills.len());
    let ctx = format!("pass {:?}", pass);
    assert_eq!(page["outcome"], "valid", "{ctx}");
    assert_eq!(page["heading"], wording::heading().get(v), "{ctx}");
    assert_eq!(
        page["strengths"],
        wording::strengths(&profile).get(v),
        "{ctx}"
    );
    let pf = wording::put_forward(&profile, skills, 3).map(|t| t.get(v).to_owned());
    assert_eq!(page["putForward"].as_str().map(str::to_owned), pf, "{ctx}");
    let lang = if v == Variant::En {
        klub_kiosk::domain::text::Lang::En
    } else {
        klub_kiosk::domain::text::Lang::Fr
    };
    let trades = page["trades"].as_array().expect("trades");
    assert_eq!(trades.len(), pass.top_trades.len(), "{ctx}");
    for (shown, i) in trades.iter().zip(&pass.top_trades) {
        let t = &cat.trades[usize::from(*i)];
        assert_eq!(shown["id"], t.id.as_str());
        assert_eq!(shown["name"], t.name.get(lang));
        assert_eq!(shown["rome"], t.rome.as_str());
        assert_eq!(shown["description"], t.description.get(v));
        let school: Vec<&str> = t.school.iter().map(|n| n.get(lang)).collect();
        let adult: Vec<&str> = t.adult.iter().map(|n| n.get(lang)).collect();
        let adult_first = matches!(pass.situation, Some(Situation::Emploi | Situation::Travail));
        let want: Vec<&str> = if adult_first {
            adult.iter().chain(&school).copied().collect()
        } else {
            school.iter().chain(&adult).copied().collect()
        };
        let got: Vec<&str> = shown["routes"]
            .as_array()
            .expect("routes")
            .iter()
            .map(|r| r.as_str().unwrap_or(""))
            .collect();
        assert_eq!(got, want, "{ctx}: route order for {:?}", pass.situation);
    }
    let explored: Vec<&str> = pass
        .explored
        .iter()
        .map(|i| cat.trades[usize::from(*i)].name.get(lang))
        .collect();
    assert_eq!(page["explored"], json!(explored), "{ctx}");
    // Strengths only: no scores, no percentages, no Holland code.
    let section = page["strengthsSection"].as_str().expect("strengths shown");
    assert!(
        !section.chars().any(|c| c.is_ascii_digit()),
        "a number in {section:?}"
    );
    let code = profile.holland_code(0);
    assert!(
        !page["bodyText"].as_str().unwrap_or("").contains(&code),
        "Holland code {code} shown"
    );
}

fn steps_for(text: &str, extra: Vec<Value>) -> Vec<Value> {
    let mut s = vec![
        json!({"op": "goto", "path": format!("index.html#{text}")}),
        json!({"op": "eval", "expr": READ_PAGE}),
    ];
    s.extend(extra);
    s
}

fn click_variant(v: &str) -> Value {
    json!({"op": "eval", "expr": format!("document.querySelector('#switch [data-variant={v}]').click(); true")})
}

/// Point 1: a pass made by the library renders the trades and strengths the library says.
#[test]
fn page_renders_the_library_pass_trades_and_strengths() {
    let built = Built::with_tour();
    let profile = clear_profile(&built.skills);
    let explored = [built.cat.index_of("soudeur").expect("soudeur")];
    let (pass, text) = make_pass(
        &built.cat,
        &built.skills,
        &profile,
        &explored,
        Situation::College,
        "chartres",
        7,
    );
    let (shots, _keep) = shots_dir();
    let r = browser(
        built.site.path(),
        json!(steps_for(
            &text,
            vec![
                json!({"op": "screenshot", "file": shots.join("results-fr.png")}),
                click_variant("en"),
                json!({"op": "eval", "expr": READ_PAGE}),
                json!({"op": "screenshot", "file": shots.join("results-en.png")}),
                click_variant("facile"),
                json!({"op": "eval", "expr": READ_PAGE}),
            ]
        )),
    );
    let fr = &r["results"][1];
    expect_page(fr, &pass, &built.cat, &built.skills, Variant::Fr);
    assert_eq!(
        fr["heading"],
        "Tes pistes à explorer – ce n'est pas un test"
    );
    assert_eq!(
        fr["strengths"],
        "Ce qui t'attire le plus : aider, puis créer."
    );
    assert!(
        fr["putForward"]
            .as_str()
            .unwrap_or("")
            .starts_with("Ce que tu as mis en avant : l’écoute")
    );
    assert_eq!(fr["stop"], "Le Klub à Chartres");
    // A pupil: the CIO, with the stop's contact; stages d'observation only.
    assert_eq!(fr["contacts"], json!(["cio"]));
    assert!(
        fr["contactText"]
            .as_str()
            .unwrap_or("")
            .contains("CIO de Chartres (exemple)")
    );
    assert!(!fr["offers"].as_array().expect("offers").is_empty());
    assert!(
        fr["offers"]
            .as_array()
            .expect("offers")
            .iter()
            .all(|k| k == "stage")
    );
    assert!(
        fr["immersionText"]
            .as_str()
            .unwrap_or("")
            .contains("convention signée")
    );
    assert_eq!(fr["privacy"], page_text("privacy", Variant::Fr));
    assert_eq!(fr["lang"], "fr");

    let en = &r["results"][4];
    expect_page(en, &pass, &built.cat, &built.skills, Variant::En);
    assert_eq!(en["lang"], "en");
    assert!(
        en["contactText"]
            .as_str()
            .unwrap_or("")
            .contains("Chartres CIO (example): https://cio-chartres.example.org"),
        "{}",
        en["contactText"]
    );
    assert_eq!(en["privacy"], page_text("privacy", Variant::En));
    let facile = &r["results"][7];
    expect_page(facile, &pass, &built.cat, &built.skills, Variant::Facile);
    assert_eq!(facile["lang"], "fr");
}

fn random_profile(rng: &mut StdRng, skills: usize) -> Profile {
    // Few distinct values, so ties and flat profiles come up often.
    let levels = [0u8, 20, 35, 50, 50, 65, 80, 100];
    let areas = std::array::from_fn(|_| DimScore {
        score: levels[rng.random_range(0..levels.len())],
        evidence: rng.random_range(0..4),
    });
    let skills = (0..skills)
        .map(|_| {
            if rng.random_bool(0.3) {
                DimScore {
                    score: levels[rng.random_range(0..levels.len())],
                    evidence: rng.random_range(0..3),
                }
            } else {
                DimScore::default()
            }
        })
        .collect();
    Profile { areas, skills }
}

/// Point 1, widely: the page's decoder and wording agree with the library on many passes
/// (every situation, ties, flat and thin profiles, explored trades, unknown stops).
#[test]
fn page_agrees_with_the_library_on_many_passes() {
    let built = Built::with_tour();
    let mut rng = StdRng::seed_from_u64(20_261_128);
    let stops = [
        "chartres",
        "dreux",
        "nogent-le-rotrou",
        "chateaudun",
        "",
        "ailleurs",
    ];
    let mut passes = vec![];
    let mut steps = vec![json!({"op": "goto", "path": "index.html"})];
    for n in 0..48u64 {
        let mut profile = random_profile(&mut rng, built.skills.len());
        if n % 8 == 0 {
            // Answered, but no area stands out.
            profile.areas = [50, 45, 52, 50, 48, 55].map(|score| DimScore { score, evidence: 2 });
        }
        let explored: Vec<usize> = (0..rng.random_range(0..10))
            .map(|_| rng.random_range(0..built.cat.trades.len()))
            .collect();
        let situation = Situation::ALL[(n as usize) % Situation::ALL.len()];
        let stop = stops[rng.random_range(0..stops.len())];
        let (pass, text) = make_pass(
            &built.cat,
            &built.skills,
            &profile,
            &explored,
            situation,
            stop,
            1000 + n,
        );
        steps.push(json!({"op": "hash", "value": text}));
        steps.push(json!({"op": "eval", "expr": READ_PAGE}));
        passes.push(pass);
    }
    let r = browser(built.site.path(), json!(steps));
    let mut readings = std::collections::BTreeSet::new();
    for (i, pass) in passes.iter().enumerate() {
        let page = &r["results"][2 + 2 * i];
        expect_page(page, pass, &built.cat, &built.skills, Variant::Fr);
        readings.insert(page["reading"].as_str().unwrap_or("").to_owned());
        let kinds: Vec<&str> = page["contacts"]
            .as_array()
            .expect("contacts")
            .iter()
            .map(|k| k.as_str().unwrap_or(""))
            .collect();
        let want: &[&str] = match pass.situation {
            Some(Situation::College | Situation::Lycee) => &["cio"],
            Some(Situation::Etudes) => &["cio", "mission_locale"],
            Some(Situation::Emploi) => &["france_travail", "mission_locale"],
            Some(Situation::Travail) => &["cep"],
            _ => &["cio", "mission_locale", "france_travail", "cep"],
        };
        assert_eq!(kinds, want, "contacts for {:?}", pass.situation);
        for k in page["offers"].as_array().expect("offers") {
            let ok = match pass.situation {
                Some(Situation::College | Situation::Lycee) => k == "stage",
                Some(Situation::Emploi | Situation::Travail) => k == "pmsmp",
                _ => true,
            };
            assert!(ok, "offer {k} shown to {:?}", pass.situation);
        }
    }
    // The sample covered the reading kinds, so the comparison above means something.
    assert!(
        readings.contains("few") && readings.contains("flat"),
        "{readings:?}"
    );
    assert!(readings.iter().any(|k| k.contains('|')), "{readings:?}");
    assert!(
        readings
            .iter()
            .any(|k| !k.contains('|') && k.len() >= 2 && k != "few"),
        "no tie in {readings:?}"
    );
}

/// Point 2: the same pass cut in half (as a messaging app cuts a long link), and other
/// damaged or foreign fragments, get a friendly explanation, never a blank page.
#[test]
fn damaged_cut_and_foreign_fragments_get_a_friendly_explanation() {
    let built = Built::with_tour();
    let (_, text) = clear_pass(
        &built.cat,
        &built.skills,
        &[],
        Situation::NonDit,
        "dreux",
        9,
    );
    let half = &text[..text.len() / 2];
    let mut flipped = text.clone().into_bytes();
    // Change the situation byte's characters into an out-of-range value.
    flipped[27] = b'_';
    flipped[28] = b'_';
    let flipped = String::from_utf8(flipped).expect("ascii");
    let newer = {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut bytes = b64.decode(&text).expect("b64");
        bytes[0] = 0xA2; // format v2
        b64.encode(bytes)
    };
    let cases: Vec<(&str, String)> = vec![
        ("cut", half.to_owned()),
        ("cut", text[..text.len() - 1].to_owned()),
        ("damaged", flipped),
        ("damaged", format!("{text}AAAA")),
        ("foreign", "bonjour".to_owned()),
        ("foreign", "%F0%9F%98%80%20hello".to_owned()),
        ("foreign", "ceci n'est pas un pass".to_owned()),
        ("version", newer),
        ("empty", String::new()),
    ];
    let mut steps = vec![];
    for (_, frag) in &cases {
        steps.extend(steps_for(frag, vec![]));
    }
    steps.push(json!({"op": "goto", "path": format!("index.html#{half}")}));
    steps.push(click_variant("en"));
    steps.push(json!({"op": "eval", "expr": READ_PAGE}));
    let (shots, _keep) = shots_dir();
    steps.push(json!({"op": "goto", "path": format!("index.html#{half}")}));
    steps.push(json!({"op": "screenshot", "file": shots.join("cut.png")}));
    let r = browser(built.site.path(), json!(steps));
    for (i, (outcome, frag)) in cases.iter().enumerate() {
        let page = &r["results"][2 * i + 1];
        assert_eq!(page["outcome"], *outcome, "fragment {frag:?}");
        let key = format!("err_{outcome}");
        assert_eq!(
            page["outcomeText"],
            page_text(&key, Variant::Fr),
            "fragment {frag:?}"
        );
        assert_eq!(page["resultsShown"], false);
        assert_eq!(page["heading"], wording::heading().fr);
        assert!(
            page["bodyText"].as_str().unwrap_or("").len() > 200,
            "nearly blank page for {frag:?}"
        );
    }
    // The cut link, in the words a visitor reads.
    assert!(page_text("err_cut", Variant::Fr).contains("coupé"));
    let en = &r["results"][2 * cases.len() + 2];
    assert_eq!(en["outcome"], "cut");
    assert_eq!(en["outcomeText"], page_text("err_cut", Variant::En));
}

/// A pass whose catalogue the page never saw still shows the strengths, and says why the
/// trades are missing.
#[test]
fn unknown_catalogue_shows_strengths_and_says_why_trades_are_missing() {
    let content = content_dir(|t| t);
    let (cat, skills) = load(content.path());
    let other =
        content_dir(|t| t.replacen("id = \"jardinier-paysagiste\"", "id = \"jardinier\"", 1));
    let (other_cat, other_skills) = load(other.path());
    assert_ne!(cat.fingerprint(), other_cat.fingerprint());
    let site = tempfile::tempdir().expect("tmp");
    site_build_ok(site.path(), content.path(), None);
    let (pass, text) = make_pass(
        &other_cat,
        &other_skills,
        &clear_profile(&other_skills),
        &[],
        Situation::Travail,
        "",
        11,
    );
    let r = browser(site.path(), json!(steps_for(&text, vec![])));
    let page = &r["results"][1];
    assert_eq!(page["outcome"], "catalogue");
    assert_eq!(page["outcomeText"], page_text("err_catalogue", Variant::Fr));
    assert_eq!(
        page["strengths"],
        wording::strengths(&pass.profile(skills.len())).fr
    );
    assert_eq!(page["trades"], json!([]));
    assert_eq!(page["contacts"], json!(["cep"]));
}

fn page_requests(report: &Value) -> Vec<String> {
    report["requests"]
        .as_array()
        .expect("requests")
        .iter()
        .map(|u| u.as_str().unwrap_or("").to_owned())
        .collect()
}

/// Point 3: nothing outside the page is requested, and the CSP does block what would be.
#[test]
fn page_requests_nothing_outside_itself() {
    let built = Built::with_tour();
    let (_, text) = clear_pass(
        &built.cat,
        &built.skills,
        &[3, 4],
        Situation::NonDit,
        "chateaudun",
        5,
    );
    let r = browser(
        built.site.path(),
        json!([
            {"op": "goto", "path": format!("index.html#{text}")},
            {"op": "eval", "expr": READ_PAGE},
            click_variant("en"),
            click_variant("facile"),
            {"op": "goto", "path": format!("index.html#{}", &text[..20])},
            {"op": "goto", "path": "index.html"},
            {"op": "eval", "expr": "new Promise(r => setTimeout(() => r(true), 300))"},
        ]),
    );
    assert_eq!(r["results"][1]["outcome"], "valid");
    let origin = r["origin"].as_str().expect("origin").to_owned();
    let requests = page_requests(&r);
    assert!(
        !requests.is_empty(),
        "the network log recorded nothing: the check would be vacuous"
    );
    for url in &requests {
        let page = url.split('#').next().unwrap_or("") == format!("{origin}index.html");
        assert!(
            page || url.starts_with("data:") || url == "about:blank",
            "the page requested {url}"
        );
    }
    let served: Vec<&str> = r["served"]
        .as_array()
        .expect("served")
        .iter()
        .map(|s| s.as_str().unwrap_or(""))
        .collect();
    assert!(
        served.iter().all(|s| *s == "GET /index.html"),
        "server got {served:?}"
    );
    assert_eq!(r["csp"], json!([]), "CSP violations on a normal visit");

    // The policy is really in force: a fetch, an image, a style and a script from outside are
    // all blocked and reported, and none reaches the server.
    let probe = format!(
        "(async () => {{
          const o = {origin:?};
          try {{ await fetch(o + 'probe-fetch'); }} catch (e) {{}}
          const i = new Image(); i.src = o + 'probe-img.png'; document.body.appendChild(i);
          const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = o + 'probe.css'; document.head.appendChild(l);
          const s = document.createElement('script'); s.src = o + 'probe.js'; document.head.appendChild(s);
          await new Promise(r => setTimeout(r, 500));
          return window.__csp;
        }})()"
    );
    let r = browser(
        built.site.path(),
        json!([{"op": "goto", "path": "index.html"}, {"op": "eval", "expr": probe}]),
    );
    let violations = r["results"][1].as_array().expect("violations");
    for what in ["connect-src", "img-src", "style-src", "script-src"] {
        assert!(
            violations
                .iter()
                .any(|v| v.as_str().unwrap_or("").starts_with(what)),
            "{what} not blocked: {violations:?}"
        );
    }
    let served: Vec<&str> = r["served"]
        .as_array()
        .expect("served")
        .iter()
        .map(|s| s.as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        served,
        vec!["GET /index.html"],
        "a probe reached the server"
    );
}

fn assert_no_violations(report: &Value, at: usize, what: &str) {
    let axe = &report["results"][at];
    assert!(
        axe["passes"].as_array().is_some_and(|p| p.len() > 10),
        "axe did not run on {what}: {axe}"
    );
    assert_eq!(
        axe["violations"],
        json!([]),
        "axe-core {} on {what}",
        axe["version"]
    );
}

/// Point 4: axe-core finds no WCAG 2.0/2.1/2.2 A or AA violation, in every state.
#[test]
fn axe_core_finds_no_wcag_a_or_aa_violation() {
    let built = Built::with_tour();
    let explored = [0, 5, 9];
    let (_, text) = clear_pass(
        &built.cat,
        &built.skills,
        &explored,
        Situation::NonDit,
        "chartres",
        21,
    );
    let r = browser(
        built.site.path(),
        json!([
            {"op": "goto", "path": format!("index.html#{text}")},
            {"op": "axe"},
            click_variant("en"),
            {"op": "axe"},
            click_variant("facile"),
            {"op": "axe"},
            {"op": "goto", "path": format!("index.html#{}", &text[..text.len() / 2])},
            {"op": "axe"},
            {"op": "goto", "path": "index.html"},
            {"op": "axe"},
        ]),
    );
    assert_no_violations(&r, 1, "the results in French");
    assert_no_violations(&r, 3, "the results in English");
    assert_no_violations(&r, 5, "the results in easy French");
    assert_no_violations(&r, 7, "the cut-link message");
    assert_no_violations(&r, 9, "the page without a pass");
}

/// Point 5: a keyboard-only walk reaches every interactive element, each with a visible
/// focus indicator and in view, and the language switch works from the keyboard.
#[test]
fn keyboard_walk_reaches_every_control_with_visible_focus() {
    let built = Built::with_tour();
    // No situation: every contact, so the stop's web links are in the walk too.
    let (_, text) = clear_pass(
        &built.cat,
        &built.skills,
        &[],
        Situation::NonDit,
        "chartres",
        31,
    );
    let (shots, _keep) = shots_dir();
    let r = browser(
        built.site.path(),
        json!([
            {"op": "goto", "path": format!("index.html#{text}")},
            {"op": "tabwalk", "max": 80},
            // From the top: skip link, Français, Facile, English; Enter on English.
            {"op": "eval", "expr": "document.activeElement.blur(); window.scrollTo(0,0); true"},
            {"op": "key", "key": "Tab"},
            {"op": "key", "key": "Tab"},
            {"op": "key", "key": "Tab"},
            {"op": "key", "key": "Tab"},
            {"op": "screenshot", "file": shots.join("focus.png"), "viewport": true},
            {"op": "key", "key": "Enter"},
            {"op": "eval", "expr": READ_PAGE},
            {"op": "key", "key": "Tab", "shift": true},
            {"op": "key", "key": " "},
            {"op": "eval", "expr": READ_PAGE},
        ]),
    );
    let walk = &r["results"][1];
    let stops = walk["stops"].as_array().expect("stops");
    let reached: Vec<&str> = stops
        .iter()
        .map(|s| s["key"].as_str().unwrap_or(""))
        .collect();
    let focusable: Vec<&str> = walk["focusable"]
        .as_array()
        .expect("focusable")
        .iter()
        .map(|s| s.as_str().unwrap_or(""))
        .collect();
    assert!(
        focusable.len() >= 7,
        "too few controls found: {focusable:?}"
    );
    assert!(
        focusable.iter().any(|k| k.starts_with("A:https://")),
        "no contact link in the walk: {focusable:?}"
    );
    for f in &focusable {
        assert!(
            reached.contains(f),
            "{f} is not reachable with Tab; reached {reached:?}"
        );
    }
    for s in stops {
        assert_eq!(s["focusVisible"], true, "no :focus-visible on {}", s["key"]);
        let visible = (s["outlineStyle"] != "none"
            && s["outlineWidth"].as_f64().unwrap_or(0.0) >= 2.0)
            || s["boxShadow"].as_str().is_some_and(|b| b != "none");
        assert!(visible, "no visible focus indicator on {}: {s}", s["key"]);
        assert_eq!(s["inViewport"], true, "focused {} is out of view", s["key"]);
    }
    assert_eq!(reached[0], "skip", "the skip link comes first");
    let english = &r["results"][6];
    assert_eq!(
        english["variant"], "en",
        "fourth Tab is not the English button: {english}"
    );
    let page = &r["results"][9];
    assert_eq!(page["lang"], "en", "Enter on English did not switch");
    assert_eq!(page["heading"], wording::heading().get(Variant::En));
    // Shift+Tab back to "Facile à lire", Space on it.
    let back = &r["results"][10];
    assert_eq!(back["variant"], "facile", "{back}");
    assert_eq!(
        r["results"][12]["heading"],
        wording::heading().get(Variant::Facile)
    );
}

/// Point 6: a pass from an older catalogue still renders, with that catalogue's trades, after
/// the catalogue changes and the page is built again into the same folder.
#[test]
fn pass_from_an_older_catalogue_still_renders_after_the_catalogue_changes() {
    let old = content_dir(|t| t);
    let (old_cat, old_skills) = load(old.path());
    // The new catalogue drops the first trade: every index shifts by one.
    let new = content_dir(|t| {
        let start = t.find("[[trade]]").expect("a trade");
        let next = t[start + 1..].find("[[trade]]").expect("two trades") + start + 1;
        format!("{}{}", &t[..start], &t[next..])
    });
    let (new_cat, new_skills) = load(new.path());
    assert_ne!(old_cat.fingerprint(), new_cat.fingerprint());
    let site = tempfile::tempdir().expect("tmp");
    site_build_ok(site.path(), old.path(), Some(&example_tour()));
    site_build_ok(site.path(), new.path(), Some(&example_tour()));
    let archive: Vec<_> = std::fs::read_dir(site.path().join("catalogues"))
        .expect("archive")
        .collect();
    assert_eq!(archive.len(), 2, "both catalogues are archived");

    let profile = clear_profile(&old_skills);
    let (old_pass, old_text) = make_pass(
        &old_cat,
        &old_skills,
        &profile,
        &[1, 2],
        Situation::Lycee,
        "dreux",
        41,
    );
    let (new_pass, new_text) = make_pass(
        &new_cat,
        &new_skills,
        &profile,
        &[1, 2],
        Situation::Lycee,
        "dreux",
        41,
    );
    // The same indices name other trades in the new catalogue: the page must not mix them.
    let old_names: Vec<&str> = old_pass
        .top_trades
        .iter()
        .map(|i| old_cat.trades[usize::from(*i)].name.fr.as_str())
        .collect();
    let wrong: Vec<&str> = old_pass
        .top_trades
        .iter()
        .map(|i| new_cat.trades[usize::from(*i)].name.fr.as_str())
        .collect();
    assert_ne!(old_names, wrong);
    let r = browser(
        site.path(),
        json!([
            {"op": "goto", "path": format!("index.html#{old_text}")},
            {"op": "eval", "expr": READ_PAGE},
            {"op": "hash", "value": new_text},
            {"op": "eval", "expr": READ_PAGE},
        ]),
    );
    expect_page(
        &r["results"][1],
        &old_pass,
        &old_cat,
        &old_skills,
        Variant::Fr,
    );
    expect_page(
        &r["results"][3],
        &new_pass,
        &new_cat,
        &new_skills,
        Variant::Fr,
    );
}

/// The page prints on one A4 page, even with the most content a pass can bring.
#[test]
fn page_prints_on_one_a4_page() {
    let built = Built::with_tour();
    // Longest trade texts first, every contact and offer kind (no situation), 8 explored.
    let mut by_len: Vec<usize> = (0..built.cat.trades.len()).collect();
    let size = |i: &usize| {
        let t = &built.cat.trades[*i];
        t.description.fr.len()
            + t.school
                .iter()
                .chain(&t.adult)
                .map(|n| n.fr.len() + 40)
                .sum::<usize>()
    };
    by_len.sort_by_key(|i| std::cmp::Reverse(size(i)));
    let explored: Vec<usize> = by_len[..8].to_vec();
    let (mut pass, _) = clear_pass(
        &built.cat,
        &built.skills,
        &explored,
        Situation::NonDit,
        "chartres",
        51,
    );
    pass.top_trades = by_len[..3].iter().map(|i| *i as u8).collect();
    let text = pass.encode(&demo_key());
    let (shots, _keep) = shots_dir();
    let pdf = shots.join("results.pdf");
    let r = browser(
        built.site.path(),
        json!([
            {"op": "goto", "path": format!("index.html#{text}")},
            {"op": "eval", "expr": READ_PAGE},
            {"op": "pdf", "file": pdf},
        ]),
    );
    assert_eq!(r["results"][1]["outcome"], "valid");
    assert_eq!(r["results"][1]["trades"].as_array().map(Vec::len), Some(3));
    let bytes = std::fs::read(&pdf).expect("pdf");
    assert_eq!(
        pdf_pages(&bytes),
        1,
        "the printout takes more than one A4 page"
    );
    // A4 is 595 × 842 points.
    let s = String::from_utf8_lossy(&bytes);
    let at = s.find("/MediaBox [0 0 ").expect("a media box") + "/MediaBox [0 0 ".len();
    let dims: Vec<f64> = s[at..]
        .split(']')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        dims.len() == 2 && (dims[0] - 595.0).abs() < 1.0 && (dims[1] - 842.0).abs() < 1.0,
        "not A4: {dims:?}"
    );
}

/// Counts the pages of a PDF from its page objects.
fn pdf_pages(pdf: &[u8]) -> usize {
    let s = String::from_utf8_lossy(pdf);
    let n = s.matches("/Type /Page").count() - s.matches("/Type /Pages").count();
    assert!(
        n > 0,
        "no page object found: the PDF structure changed, count differently"
    );
    n
}

/// Issue 14: a trade name holding the template's markers is shown as text, and the page
/// runs under its hashed CSP with no violation.
#[test]
fn trade_name_holding_template_markers_renders_as_text() {
    let content = content_dir(|t| t);
    let (mut cat, skills) = load(content.path());
    let evil = "Soudeur {{SCRIPT}} {{DATA}} {{CSP}}";
    cat.trades[0].name.fr = evil.to_owned();
    let site = tempfile::tempdir().expect("tmp");
    klub_kiosk::site::build(site.path(), &cat, &skills, None).expect("build");
    let (_, text) = clear_pass(&cat, &skills, &[0], Situation::NonDit, "", 41);
    let r = browser(site.path(), json!(steps_for(&text, vec![])));
    let page = &r["results"][1];
    assert_eq!(page["outcome"], "valid", "{page}");
    assert_eq!(page["explored"], json!([evil]));
    assert_eq!(r["csp"], json!([]), "CSP violations");
}

/// Issue 14: data the script cannot read (a corrupted page) shows the "cannot read"
/// message, never a blank page, and throws nothing.
#[test]
fn broken_page_data_shows_the_cannot_read_message() {
    let built = Built::with_tour();
    let (_, text) = clear_pass(
        &built.cat,
        &built.skills,
        &[],
        Situation::College,
        "chartres",
        43,
    );
    let good = std::fs::read_to_string(built.site.path().join("index.html")).expect("page");
    let open = r#"<script type="application/json" id="klub-data">"#;
    let start = good.find(open).expect("data block") + open.len();
    let end = start + good[start..].find("</script>").expect("closed");
    let data = &good[start..end];
    let broken = [
        format!("{{oops{data}"),
        data[..data.len() / 2].to_owned(),
        "null".to_owned(),
        "{}".to_owned(),
        data.replacen("\"texts\":", "\"textes\":", 1),
    ];
    let mut steps = vec![];
    for (i, b) in broken.iter().enumerate() {
        let html = format!("{}{b}{}", &good[..start], &good[end..]);
        std::fs::write(built.site.path().join(format!("broken{i}.html")), html).expect("write");
        for frag in [text.as_str(), ""] {
            steps.push(json!({"op": "goto", "path": format!("broken{i}.html#{frag}")}));
            steps.push(json!({"op": "eval", "expr": READ_PAGE}));
        }
        steps.push(click_variant("en"));
        steps.push(json!({"op": "eval", "expr": READ_PAGE}));
    }
    let r = browser(built.site.path(), json!(steps));
    let results = r["results"].as_array().expect("results");
    for (i, b) in broken.iter().enumerate() {
        for at in [1, 3, 5] {
            let page = &results[6 * i + at];
            let what = format!("data {:?}…, step {at}", &b[..b.len().min(30)]);
            assert_eq!(page["outcome"], "unexpected", "{what}");
            assert_eq!(
                page["outcomeText"],
                page_text("err_unexpected", Variant::Fr),
                "{what}"
            );
            assert_eq!(page["resultsShown"], false, "{what}");
            assert_eq!(page["heading"], wording::heading().fr, "{what}");
        }
    }
    assert_eq!(r["csp"], json!([]), "CSP violations");
}

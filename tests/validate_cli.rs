//! `klub validate` against temp copies of the bundled content and configs: every error and
//! warning kind of the issue, planted one at a time, with its file:line:col, caret and hint.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use support::sticks::copy_dir;
use tempfile::TempDir;

/// A temp copy of `scenarios/` and `kiosk-config/`.
struct Copy {
    dir: TempDir,
}

impl Copy {
    fn new() -> Copy {
        let dir = tempfile::tempdir().unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        copy_dir(&root.join("scenarios"), &dir.path().join("scenarios"));
        copy_dir(&root.join("kiosk-config"), &dir.path().join("kiosk-config"));
        Copy { dir }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    /// Replaces the `nth` (0-based) line starting with `prefix` by `new`; returns the old line.
    fn replace_line(&self, rel: &str, prefix: &str, nth: usize, new: &str) -> String {
        let text = self.read(rel);
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        let i = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.starts_with(prefix))
            .map(|(i, _)| i)
            .nth(nth)
            .unwrap_or_else(|| panic!("{rel}: no line #{nth} starting with {prefix:?}"));
        let old = std::mem::replace(&mut lines[i], new.to_owned());
        self.write(rel, &(lines.join("\n") + "\n"));
        old
    }

    /// Inserts `new` after the `nth` line starting with `prefix`.
    fn insert_after(&self, rel: &str, prefix: &str, nth: usize, new: &str) {
        let old = self.replace_line(rel, prefix, nth, "\u{0}MARK");
        let text = self
            .read(rel)
            .replace("\u{0}MARK", &format!("{old}\n{new}"));
        self.write(rel, &text);
    }

    /// The ids of the `[[header]]` tables, each written on the line after its header.
    fn table_ids(&self, rel: &str, header: &str) -> Vec<String> {
        let text = self.read(rel);
        let lines: Vec<&str> = text.lines().collect();
        lines
            .windows(2)
            .filter(|w| w[0] == header)
            .map(|w| {
                value(w[1]).unwrap_or_else(|| panic!("{rel}: {header} not followed by id: {w:?}"))
            })
            .collect()
    }

    /// 1-based line and char column of the first occurrence of `needle` in a file.
    fn locate(&self, rel: &str, needle: &str) -> (usize, usize) {
        locate_in(&self.read(rel), needle).unwrap_or_else(|| panic!("{rel}: {needle:?} not found"))
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_klub"))
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap() + &String::from_utf8(out.stderr).unwrap();
        assert!(!text.contains("panicked"), "panic:\n{text}");
        (out.status.code().unwrap_or(-1), text)
    }
}

/// The string value of a `key = "value"` line.
fn value(line: &str) -> Option<String> {
    let (_, v) = line.split_once(" = \"")?;
    Some(v.strip_suffix('"')?.to_owned())
}

fn locate_in(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .find_map(|(i, l)| l.find(needle).map(|b| (i + 1, l[..b].chars().count() + 1)))
}

/// The rendered finding whose first line starts with `label` and contains `needle`.
fn block<'a>(out: &'a str, label: &str, needle: &str) -> Option<&'a str> {
    blocks(out, label, needle).into_iter().next()
}

fn blocks<'a>(out: &'a str, label: &str, needle: &str) -> Vec<&'a str> {
    out.split("\n\n")
        .map(|b| b.trim_start_matches('\n'))
        .filter(|b| {
            b.lines()
                .next()
                .is_some_and(|l| l.starts_with(label) && l.contains(needle))
        })
        .collect()
}

/// The warning containing `needle` about `file`.
fn warning_in<'a>(out: &'a str, needle: &'a str, file: &str) -> &'a str {
    blocks(out, "avertissement:", needle)
        .into_iter()
        .chain(blocks(out, "warning:", needle))
        .find(|b| b.contains(&format!("--> {file}:")))
        .unwrap_or_else(|| panic!("no warning containing {needle:?} about {file} in:\n{out}"))
}

fn error<'a>(out: &'a str, needle: &str) -> &'a str {
    block(out, "erreur:", needle)
        .or_else(|| block(out, "error:", needle))
        .unwrap_or_else(|| panic!("no error containing {needle:?} in:\n{out}"))
}

fn warning<'a>(out: &'a str, needle: &str) -> &'a str {
    block(out, "avertissement:", needle)
        .or_else(|| block(out, "warning:", needle))
        .unwrap_or_else(|| panic!("no warning containing {needle:?} in:\n{out}"))
}

/// Asserts a finding points at `file:line:col`, quotes that line and puts a caret under `col`.
fn assert_at(b: &str, file: &str, line: usize, col: usize, file_text: &str) {
    let arrow = format!("--> {file}:{line}:{col}");
    assert!(b.contains(&arrow), "expected {arrow} in:\n{b}");
    let src_line = file_text
        .lines()
        .nth(line - 1)
        .unwrap()
        .trim_end_matches('\r');
    let quoted = format!("{line} | {src_line}");
    let lines: Vec<&str> = b.lines().collect();
    let at = lines
        .iter()
        .position(|l| *l == quoted)
        .unwrap_or_else(|| panic!("the offending line is not quoted:\n{quoted}\nin:\n{b}"));
    let caret = lines[at + 1];
    let bar = caret.find(" | ").expect("caret line") + 3;
    let pad: String = caret[bar..].chars().take_while(|c| *c == ' ').collect();
    assert_eq!(pad.chars().count(), col - 1, "caret column in:\n{b}");
    assert!(caret[bar..].trim_start().starts_with('^'), "caret in:\n{b}");
}

fn assert_hint(b: &str, hint: &str) {
    let line = b
        .lines()
        .find(|l| l.trim_start().starts_with("= aide") || l.trim_start().starts_with("= hint"))
        .unwrap_or_else(|| panic!("no hint in:\n{b}"));
    assert!(line.contains(hint), "hint {hint:?} not in {line:?}");
}

const SOUDURE: &str = "scenarios/soudure/scenario.toml";
const TALENTS: &str = "scenarios/talents/scenario.toml";
const TRADES: &str = "scenarios/trades.toml";
const SKILLS: &str = "scenarios/savoir-etre.toml";
const CONFIG: &str = "kiosk-config/default.toml";
const TOUR: &str = "kiosk-config/tour.toml";

/// Runs the default validation in French and in English; asserts exit 1.
fn fails(c: &Copy) -> (String, String) {
    let (code, fr) = c.run(&["validate"]);
    assert_eq!(code, 1, "expected errors:\n{fr}");
    let (code, en) = c.run(&["--lang", "en", "validate"]);
    assert_eq!(code, 1, "expected errors:\n{en}");
    (fr, en)
}

/// One planted error: message, place, caret and hint, in French and English.
fn check_error(
    c: &Copy,
    file: &str,
    needle: &str,
    msg_fr: &str,
    msg_en: &str,
    hint_fr: &str,
    hint_en: &str,
) {
    let (fr, en) = fails(c);
    let (line, col) = c.locate(file, needle);
    let text = c.read(file);
    let b = error(&fr, msg_fr);
    assert_at(b, file, line, col, &text);
    assert_hint(b, hint_fr);
    let b = error(&en, msg_en);
    assert_at(b, file, line, col, &text);
    assert_hint(b, hint_en);
}

#[test]
fn bundled_content_and_configs_are_valid() {
    let c = Copy::new();
    let (code, out) = c.run(&["validate"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().any(|l| l.starts_with("0 erreur(s)")), "{out}");
    // The same with explicit paths, and in English.
    let (code, out) = c.run(&["--lang", "en", "validate", "scenarios", "kiosk-config"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.lines().any(|l| l.starts_with("0 error(s)")), "{out}");
    assert!(
        !out.lines().any(|l| l.starts_with("erreur")
            || l.starts_with("avertissement")
            || l.contains("= aide")),
        "English output has French labels:\n{out}"
    );
}

#[test]
fn toml_syntax_error() {
    let c = Copy::new();
    c.replace_line(SOUDURE, "duration_minutes =", 0, "duration_minutes = = 4");
    let (fr, en) = fails(&c);
    let (line, _) = c.locate(SOUDURE, "duration_minutes = = 4");
    let text = c.read(SOUDURE);
    let b = error(&fr, "syntaxe TOML");
    assert_at(b, SOUDURE, line, 20, &text);
    assert_hint(b, "vérifiez");
    let b = error(&en, "TOML syntax");
    assert_at(b, SOUDURE, line, 20, &text);
    assert_hint(b, "check");
    // A broken scenario does not also make its catalogue entry an error.
    assert!(!fr.contains("scénario d'immersion inconnu"), "{fr}");
}

#[test]
fn string_where_a_number_is_expected() {
    let c = Copy::new();
    c.replace_line(
        SOUDURE,
        "duration_minutes =",
        0,
        "duration_minutes = \"quatre\"",
    );
    check_error(
        &c,
        SOUDURE,
        "\"quatre\"",
        "« duration_minutes » doit être un nombre entier, pas du texte",
        "\"duration_minutes\" must be a whole number",
        "sans guillemets",
        "without quotes",
    );
}

#[test]
fn number_where_text_is_expected() {
    let c = Copy::new();
    c.replace_line(
        SOUDURE,
        "text = { fr = ",
        0,
        "text = { fr = 42, en = \"Hi\", facile = \"Salut\" }",
    );
    check_error(
        &c,
        SOUDURE,
        "42",
        "« fr » doit être du texte, pas un nombre entier",
        "\"fr\" must be a string",
        "entre guillemets",
        "in quotes",
    );
    let c = Copy::new();
    c.replace_line(SOUDURE, "title =", 0, "title = 42");
    check_error(
        &c,
        SOUDURE,
        "42",
        "« title » doit",
        "\"title\" must",
        "fr = \"…\"",
        "fr = \"…\"",
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    let c = Copy::new();
    let old = c.read(TALENTS);
    let planted = old.replacen("\nquestion = ", "\nquestoin = ", 1);
    assert_ne!(old, planted);
    c.write(TALENTS, &planted);
    check_error(
        &c,
        TALENTS,
        "questoin",
        "clé inconnue « questoin »",
        "unknown key \"questoin\"",
        "vouliez-vous dire « question » ?",
        "did you mean \"question\"?",
    );
}

#[test]
fn unknown_step_type_suggests_the_closest() {
    let c = Copy::new();
    c.replace_line(TALENTS, "type = \"choice\"", 0, "type = \"choise\"");
    check_error(
        &c,
        TALENTS,
        "\"choise\"",
        "type d'étape inconnu « choise »",
        "unknown step type \"choise\"",
        "vouliez-vous dire « choice » ?",
        "did you mean \"choice\"?",
    );
}

#[test]
fn unknown_dimension_suggests_the_unaccented_id() {
    // Quoted, the accented key parses and is an unknown dimension.
    let c = Copy::new();
    let t = c.read(TALENTS);
    c.write(
        TALENTS,
        &t.replacen("weights = { ", "weights = { \"créer\" = 1, ", 1),
    );
    check_error(
        &c,
        TALENTS,
        "\"créer\"",
        "dimension inconnue « créer »",
        "unknown dimension \"créer\"",
        "vouliez-vous dire « creer » ?",
        "did you mean \"creer\"?",
    );
    // Bare, as a facilitator would type it, TOML refuses it; the hint still says `creer`.
    let c = Copy::new();
    let t = c.read(TALENTS);
    c.write(
        TALENTS,
        &t.replacen("weights = { ", "weights = { créer = 1, ", 1),
    );
    let (fr, en) = fails(&c);
    let (line, col) = c.locate(TALENTS, "créer");
    let text = c.read(TALENTS);
    let b = error(&fr, "syntaxe TOML");
    assert_at(b, TALENTS, line, col, &text);
    assert_hint(b, "« creer »");
    let b = error(&en, "TOML syntax");
    assert_at(b, TALENTS, line, col, &text);
    assert_hint(b, "\"creer\"");
}

#[test]
fn unknown_trade_in_a_scenario() {
    let c = Copy::new();
    let old = c.replace_line(SOUDURE, "trade = ", 0, "trade = \"PLACEHOLDER\"");
    let trade = value(&old).unwrap();
    let wrong = format!("{trade}x");
    c.replace_line(SOUDURE, "trade = ", 0, &format!("trade = \"{wrong}\""));
    check_error(
        &c,
        SOUDURE,
        &format!("\"{wrong}\""),
        &format!("métier inconnu « {wrong} »"),
        &format!("unknown trade \"{wrong}\""),
        &format!("vouliez-vous dire « {trade} » ?"),
        &format!("did you mean \"{trade}\"?"),
    );
}

#[test]
fn duplicate_step_id() {
    let c = Copy::new();
    let ids = c.table_ids(SOUDURE, "[[step]]");
    c.replace_line(
        SOUDURE,
        &format!("id = \"{}\"", ids[1]),
        0,
        &format!("id = \"{}\"", ids[0]),
    );
    let (fr, en) = fails(&c);
    let text = c.read(SOUDURE);
    // The second occurrence of the id.
    let first = c.locate(SOUDURE, &format!("id = \"{}\"", ids[0])).0;
    let rest: String = text.lines().skip(first).collect::<Vec<_>>().join("\n");
    let (l2, _) = locate_in(&rest, &format!("id = \"{}\"", ids[0])).unwrap();
    let line = first + l2;
    let b = error(&fr, &format!("deux étapes ont l'id « {} »", ids[0]));
    assert!(b.contains(&format!("ligne {first}")), "{b}");
    assert_at(b, SOUDURE, line, 6, &text);
    assert_hint(b, "changez");
    let b = error(&en, &format!("two steps have id \"{}\"", ids[0]));
    assert_at(b, SOUDURE, line, 6, &text);
    assert_hint(b, "rename");
}

#[test]
fn duplicate_trade_id() {
    let c = Copy::new();
    let ids = c.table_ids(TRADES, "[[trade]]");
    // A trade no scenario or tour refers to, so the only error is the duplicate.
    let tour = c.read(TOUR);
    let scenarios = std::fs::read_dir(c.path("scenarios"))
        .unwrap()
        .filter_map(|e| std::fs::read_to_string(e.unwrap().path().join("scenario.toml")).ok())
        .collect::<String>();
    let k = (1..ids.len())
        .find(|k| {
            let quoted = format!("\"{}\"", ids[*k]);
            !tour.contains(&quoted) && !scenarios.contains(&quoted)
        })
        .unwrap();
    c.replace_line(TRADES, "id = ", k, &format!("id = \"{}\"", ids[0]));
    let (fr, en) = fails(&c);
    let text = c.read(TRADES);
    let nth_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.starts_with("id = "))
        .nth(k)
        .unwrap()
        .0
        + 1;
    let b = error(&fr, &format!("deux métiers ont l'id « {} »", ids[0]));
    assert_at(b, TRADES, nth_line, 6, &text);
    assert_hint(b, "changez");
    let b = error(&en, &format!("two trades have id \"{}\"", ids[0]));
    assert_at(b, TRADES, nth_line, 6, &text);
    assert_hint(b, "rename");
}

#[test]
fn missing_french_text() {
    let c = Copy::new();
    c.replace_line(
        SOUDURE,
        "text = { fr = ",
        0,
        "text = { en = \"Hello\", facile = \"Bonjour\" }",
    );
    check_error(
        &c,
        SOUDURE,
        "{ en = \"Hello\"",
        "« text » n'a pas de texte en français (fr)",
        "\"text\" has no French text (fr)",
        "ajoutez fr = \"…\"",
        "add fr = \"…\"",
    );
}

#[test]
fn missing_image_file() {
    let c = Copy::new();
    c.replace_line(SOUDURE, "image = ", 0, "image = \"images/absente.png\"");
    check_error(
        &c,
        SOUDURE,
        "\"images/absente.png\"",
        "fichier introuvable « images/absente.png »",
        "file not found \"images/absente.png\"",
        "vérifiez le nom",
        "check the name",
    );
}

#[test]
fn undecodable_image_and_sound() {
    let c = Copy::new();
    c.replace_line(SOUDURE, "image = ", 0, "image = \"images/faux.png\"");
    c.write(
        "scenarios/soudure/images/faux.png",
        "ceci est du texte, pas une image\n",
    );
    c.replace_line(SOUDURE, "ambient = ", 0, "ambient = \"sons/faux.wav\"");
    c.write(
        "scenarios/soudure/sons/faux.wav",
        "ceci est du texte, pas un son\n",
    );
    check_error(
        &c,
        SOUDURE,
        "\"images/faux.png\"",
        "image illisible « images/faux.png »",
        "unreadable image \"images/faux.png\"",
        "PNG",
        "PNG",
    );
    check_error(
        &c,
        SOUDURE,
        "\"sons/faux.wav\"",
        "son illisible « sons/faux.wav »",
        "unreadable sound \"sons/faux.wav\"",
        "WAV",
        "WAV",
    );
}

#[test]
fn next_that_points_nowhere() {
    let c = Copy::new();
    let ids = c.table_ids(SOUDURE, "[[step]]");
    c.insert_after(
        SOUDURE,
        &format!("id = \"{}\"", ids[1]),
        0,
        "next = \"nulle-part\"",
    );
    check_error(
        &c,
        SOUDURE,
        "\"nulle-part\"",
        "« next » pointe vers l'étape « nulle-part », qui n'existe pas",
        "\"next\" points to step \"nulle-part\", which does not exist",
        "« fin »",
        "\"fin\"",
    );
}

#[test]
fn next_that_loops_back() {
    let c = Copy::new();
    let ids = c.table_ids(SOUDURE, "[[step]]");
    c.insert_after(
        SOUDURE,
        &format!("id = \"{}\"", ids[2]),
        0,
        &format!("next = \"{}\"", ids[0]),
    );
    let chain = format!("{} → {} → {} → {}", ids[0], ids[1], ids[2], ids[0]);
    let (fr, en) = fails(&c);
    let text = c.read(SOUDURE);
    let (line, col) = c.locate(SOUDURE, &format!("next = \"{}\"", ids[0]));
    let b = error(&fr, &format!("boucle sans fin : {chain}"));
    assert_at(b, SOUDURE, line, col + 7, &text);
    assert_hint(b, "« fin »");
    let b = error(&en, &format!("endless loop: {chain}"));
    assert_at(b, SOUDURE, line, col + 7, &text);
    assert_hint(b, "\"fin\"");
}

#[test]
fn malformed_rome_code() {
    let c = Copy::new();
    c.replace_line(TRADES, "rome = ", 0, "rome = \"H291\"");
    check_error(
        &c,
        TRADES,
        "\"H291\"",
        "code ROME mal formé « H291 »",
        "malformed ROME code \"H291\"",
        "4 chiffres",
        "4 digits",
    );
}

#[test]
fn all_errors_are_reported_in_one_run() {
    let c = Copy::new();
    c.replace_line(
        SOUDURE,
        "duration_minutes =",
        0,
        "duration_minutes = \"quatre\"",
    );
    c.replace_line(TALENTS, "type = \"choice\"", 0, "type = \"choise\"");
    c.replace_line(TRADES, "rome = ", 0, "rome = \"H291\"");
    c.replace_line(SKILLS, "code = ", 0, "code = \"6X101\"");
    c.replace_line(CONFIG, "fleet_key = ", 0, "fleet_key = \"abc\"");
    let (fr, _) = fails(&c);
    for (file, needle) in [
        (SOUDURE, "duration_minutes"),
        (TALENTS, "choise"),
        (TRADES, "H291"),
        (SKILLS, "6X101"),
        (CONFIG, "fleet_key"),
    ] {
        let b = error(&fr, needle);
        assert!(b.contains(&format!("--> {file}:")), "{b}");
    }
    assert!(fr.contains("5 erreur(s)"), "{fr}");
}

#[test]
fn warnings_for_missing_english_and_easy_french() {
    let c = Copy::new();
    c.replace_line(
        SOUDURE,
        "text = { fr = ",
        0,
        "text = { fr = \"Bonjour\", facile = \"Salut\" }",
    );
    c.replace_line(
        SOUDURE,
        "text = { fr = ",
        1,
        "text = { fr = \"Au revoir\", en = \"Bye\" }",
    );
    let (code, fr) = c.run(&["validate"]);
    assert_eq!(code, 0, "warnings only:\n{fr}");
    let text = c.read(SOUDURE);
    let (line, col) = c.locate(SOUDURE, "{ fr = \"Bonjour\"");
    let b = warning(&fr, "« text » n'a pas de variante « en »");
    assert_at(b, SOUDURE, line, col, &text);
    assert_hint(b, "ajoutez en = \"…\"");
    let (line, col) = c.locate(SOUDURE, "{ fr = \"Au revoir\"");
    let b = warning(&fr, "« text » n'a pas de variante « facile »");
    assert_at(b, SOUDURE, line, col, &text);
    let (_, en) = c.run(&["--lang", "en", "validate"]);
    warning(&en, "\"text\" has no \"en\" variant");
    warning(&en, "\"text\" has no \"facile\" variant");
    // The coverage table counts them.
    assert!(
        fr.lines()
            .any(|l| l.trim_start().starts_with("soudure") && !l.contains("en 100 %")),
        "{fr}"
    );
}

#[test]
fn warning_for_missing_narration_unless_disabled() {
    let c = Copy::new();
    let _ = std::fs::remove_dir_all(c.path("scenarios/soudure/voix"));
    let (code, out) = c.run(&["validate"]);
    assert_eq!(code, 0, "{out}");
    let b = warning_in(&out, "n'ont pas de fichier de voix", SOUDURE);
    assert!(b.contains(&format!("--> {SOUDURE}:1:1")), "{b}");
    assert_hint(b, "klub narrate");
    let (code, out) = c.run(&["validate", "--no-narration"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("fichier de voix"), "{out}");
}

#[test]
fn warning_for_empty_reviewed_by() {
    let c = Copy::new();
    c.replace_line(SOUDURE, "reviewed_by = ", 0, "reviewed_by = \"\"");
    let (code, out) = c.run(&["validate", SOUDURE]);
    assert_eq!(code, 0, "{out}");
    warning_in(&out, "« reviewed_by » est vide", SOUDURE);
    // Signed off: no warning for this file.
    c.replace_line(
        SOUDURE,
        "reviewed_by = ",
        0,
        "reviewed_by = \"Mme Martin, CIO de Bourges\"",
    );
    let (_, out) = c.run(&["validate", SOUDURE]);
    assert!(
        block(&out, "avertissement:", "« reviewed_by » est vide")
            .is_none_or(|b| !b.contains(SOUDURE)),
        "{out}"
    );
    // Trades too.
    c.replace_line(TRADES, "reviewed_by = ", 0, "reviewed_by = \"\"");
    let (_, out) = c.run(&["validate"]);
    warning_in(&out, "pas encore relu", TRADES);
}

#[test]
fn warning_for_a_scenario_longer_than_stated() {
    let c = Copy::new();
    c.replace_line(TALENTS, "duration_minutes =", 0, "duration_minutes = 1");
    let (code, out) = c.run(&["validate"]);
    assert_eq!(code, 0, "{out}");
    let b = warning_in(&out, "plus que les 1 min annoncées", TALENTS);
    assert_hint(b, "duration_minutes");
    let (_, en) = c.run(&["--lang", "en", "validate"]);
    warning(&en, "longer than the stated 1 min");
    // At its stated length, no warning.
    let c = Copy::new();
    let (_, out) = c.run(&["validate"]);
    assert!(
        block(&out, "avertissement:", "min annoncées").is_none(),
        "{out}"
    );
}

#[test]
fn config_base_url_too_long() {
    let c = Copy::new();
    let url = "https://klub-extraordinaire.example.org/r/";
    assert!(url.chars().count() > 40);
    c.replace_line(
        CONFIG,
        "results_base_url = ",
        0,
        &format!("results_base_url = \"{url}\""),
    );
    check_error(
        &c,
        CONFIG,
        &format!("\"{url}\""),
        "« results_base_url » doit commencer par https:// et faire au plus 40 caractères",
        "at most 40 characters",
        "QR code",
        "QR code",
    );
}

#[test]
fn config_bad_fleet_key() {
    let c = Copy::new();
    c.replace_line(CONFIG, "fleet_key = ", 0, "fleet_key = \"pas-une-cle\"");
    check_error(
        &c,
        CONFIG,
        "\"pas-une-cle\"",
        "« fleet_key » doit faire 64 chiffres hexadécimaux",
        "\"fleet_key\" must be 64 hex digits",
        "klub key new",
        "klub key new",
    );
}

#[test]
fn config_unknown_enabled_scenario() {
    let c = Copy::new();
    c.replace_line(
        CONFIG,
        "scenarios = ",
        0,
        "scenarios = [\"talents\", \"soudur\"]",
    );
    check_error(
        &c,
        CONFIG,
        "\"soudur\"",
        "scénario activé inconnu « soudur »",
        "enabled scenario \"soudur\" is unknown",
        "vouliez-vous dire « soudure » ?",
        "did you mean \"soudure\"?",
    );
}

#[test]
fn config_unknown_stop() {
    let c = Copy::new();
    c.insert_after(CONFIG, "station_index = ", 0, "stop = \"orleans\"");
    check_error(
        &c,
        CONFIG,
        "\"orleans\"",
        "étape de tournée inconnue « orleans »",
        "unknown tour stop \"orleans\"",
        "tour.toml",
        "tour.toml",
    );
    // A stop the tour has is fine.
    let c = Copy::new();
    let stop = c.table_ids(TOUR, "[[stop]]").remove(0);
    c.insert_after(CONFIG, "station_index = ", 0, &format!("stop = \"{stop}\""));
    let (code, out) = c.run(&["validate"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn tour_with_a_bad_date() {
    for bad in ["\"11/01/2027\"", "\"2027-02-30\"", "2027-01-11T09:00:00"] {
        let c = Copy::new();
        c.replace_line(TOUR, "from = ", 0, &format!("from = {bad}"));
        check_error(
            &c,
            TOUR,
            bad,
            "« from » doit être une date",
            "\"from\" must be a date",
            "2026-03-02",
            "2026-03-02",
        );
    }
    // A date TOML itself refuses.
    let c = Copy::new();
    c.replace_line(TOUR, "from = ", 0, "from = 2027-13-45");
    let (fr, _) = fails(&c);
    let b = error(&fr, "syntaxe TOML");
    let (line, col) = c.locate(TOUR, "2027-13-45");
    assert_at(b, TOUR, line, col, &c.read(TOUR));
    assert_hint(b, "2026-03-02");
}

#[test]
fn a_single_scenario_or_config_file_can_be_checked() {
    let c = Copy::new();
    let (code, out) = c.run(&["validate", SOUDURE]);
    assert_eq!(code, 0, "{out}");
    // Only that scenario's findings are listed.
    assert!(!out.contains(TALENTS), "{out}");
    c.replace_line(
        SOUDURE,
        "duration_minutes =",
        0,
        "duration_minutes = \"quatre\"",
    );
    let (code, out) = c.run(&["validate", SOUDURE]);
    assert_eq!(code, 1, "{out}");
    error(&out, "duration_minutes");
    // An error in another scenario does not fail this one.
    let (code, out) = c.run(&["validate", "scenarios/talents/scenario.toml"]);
    assert_eq!(code, 0, "{out}");

    let (code, out) = c.run(&["validate", CONFIG]);
    assert_eq!(code, 0, "{out}");
    c.replace_line(CONFIG, "fleet_key = ", 0, "fleet_key = \"abc\"");
    let (code, out) = c.run(&["validate", CONFIG]);
    assert_eq!(code, 1, "{out}");
    error(&out, "fleet_key");
    let (code, out) = c.run(&["validate", TOUR]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_path_that_does_not_exist_is_an_error() {
    let c = Copy::new();
    let (code, out) = c.run(&["validate", "scenarios/nulle-part"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ce chemin n'existe pas"), "{out}");
    assert!(out.contains("scenarios/nulle-part"), "{out}");
    let (code, out) = c.run(&["--lang", "en", "validate", "nope.toml"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("this path does not exist"), "{out}");
}

#[test]
fn one_mistake_gives_a_few_errors_not_a_cascade() {
    // A broken skill list: its own error, not one per weight in every scenario.
    let c = Copy::new();
    c.replace_line(SKILLS, "code = ", 0, "code = \"6D101");
    let (fr, _) = fails(&c);
    error(&fr, "syntaxe TOML");
    assert!(!fr.contains("dimension inconnue"), "{fr}");
    assert!(!fr.contains("savoir-être inconnu"), "{fr}");
    // A broken catalogue: no "unknown trade" in the scenarios that name one.
    let c = Copy::new();
    c.replace_line(TRADES, "rome = ", 0, "rome = = \"A1208\"");
    let (fr, _) = fails(&c);
    assert!(!fr.contains("métier inconnu"), "{fr}");
    // A broken trade: the scenario that names it is not an error too.
    let c = Copy::new();
    let line = c.locate(SOUDURE, "trade = ").0;
    let trade = value(c.read(SOUDURE).lines().nth(line - 1).unwrap()).unwrap();
    let text = c.read(TRADES);
    let planted = text.replacen(
        &format!("id = \"{trade}\"\nrome = \""),
        &format!("id = \"{trade}\"\nrome = \"Z"),
        1,
    );
    assert_ne!(planted, text);
    c.write(TRADES, &planted);
    let (fr, _) = fails(&c);
    error(&fr, "code ROME mal formé");
    assert!(!fr.contains(&format!("métier inconnu « {trade} »")), "{fr}");
    // A line that throws the parser off: at most a handful of syntax errors.
    let c = Copy::new();
    c.insert_after(TRADES, "adult = [", 3, "adult = [");
    let (fr, _) = fails(&c);
    let n = fr
        .lines()
        .filter(|l| l.starts_with("erreur: syntaxe TOML"))
        .count();
    assert!((1..=6).contains(&n), "{n} syntax errors:\n{fr}");
}

#[test]
fn a_closed_output_pipe_is_not_a_panic() {
    let c = Copy::new();
    let mut child = Command::new(env!("CARGO_BIN_EXE_klub"))
        .arg("validate")
        .current_dir(c.dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    assert_ne!(out.status.code(), Some(101), "{err}");
}

/// Issue 14: the results page template's markers are refused in every text of the
/// content and the tour, at the marker's file:line:col.
#[test]
fn template_markers_are_refused_in_any_text() {
    let c = Copy::new();
    let plant = |file: &str, from: &str, to: &str| {
        let text = c.read(file);
        assert!(text.contains(from), "{file}: {from:?} not found");
        c.write(file, &text.replacen(from, to, 1));
    };
    plant(
        TRADES,
        "\"Jardinier / Jardinière paysagiste\"",
        "\"Jardinier {{SCRIPT}} paysagiste\"",
    );
    plant(SKILLS, "\"écouter les autres\"", "\"écouter {{DATA}}\"");
    plant(
        SOUDURE,
        "\"A day in the welding workshop\"",
        "\"A day {{CSP}}\"",
    );
    plant(TOUR, "town = \"Chartres\"", "town = \"Chartres {{STYLE}}\"");
    let (fr, en) = fails(&c);
    for (file, marker) in [
        (TRADES, "{{SCRIPT}}"),
        (SKILLS, "{{DATA}}"),
        (SOUDURE, "{{CSP}}"),
        (TOUR, "{{STYLE}}"),
    ] {
        let (line, col) = c.locate(file, marker);
        let text = c.read(file);
        let b = error(&fr, &format!("contient « {marker} »"));
        assert_at(b, file, line, col, &text);
        assert_hint(b, "accolades");
        let b = error(&en, &format!("holds \"{marker}\""));
        assert_at(b, file, line, col, &text);
        assert_hint(b, "braces");
    }
    // Single braces, as in « {town} », are not markers.
    let c = Copy::new();
    c.replace_line(TOUR, "town = ", 0, "town = \"Chartres {town} {{x}}\"");
    let (code, out) = c.run(&["validate"]);
    assert_eq!(code, 0, "{out}");
}

/// Issue 14: the results base URL must be https, as the message says.
#[test]
fn results_base_url_must_be_https() {
    for url in ["http://klub.example/r/", "javascript:alert(1)", "https://"] {
        let c = Copy::new();
        c.replace_line(
            CONFIG,
            "results_base_url =",
            0,
            &format!("results_base_url = \"{url}\""),
        );
        check_error(
            &c,
            CONFIG,
            &format!("\"{url}\""),
            "« results_base_url » doit commencer par https://",
            "\"results_base_url\" must start with https://",
            "QR code",
            "QR code",
        );
    }
}

/// Issue 14: terminal escape sequences in a file never reach the terminal, whether a
/// message quotes a value or the offending line.
#[test]
fn terminal_escapes_from_files_are_not_printed() {
    let c = Copy::new();
    // Escaped in a TOML string: the message quotes the value.
    c.replace_line(
        SOUDURE,
        "trade =",
        0,
        r#"trade = "soudeur\u001b]0;pwned\u0007\u001b[2J\u009b31m""#,
    );
    // Raw in the file: a syntax error quotes the line.
    c.replace_line(
        "scenarios/soin/scenario.toml",
        "duration_minutes =",
        0,
        "duration_minutes = 4\u{1b}[2J\u{1b}]0;pwned\u{7}",
    );
    let (fr, en) = fails(&c);
    for out in [&fr, &en] {
        assert!(
            !out.contains(['\u{1b}', '\u{7}', '\u{9b}']),
            "a control character reached the terminal:\n{out:?}"
        );
        assert!(out.contains("soudeur]0;pwned"), "{out}");
        assert!(out.contains("scenarios/soin/scenario.toml:"), "{out}");
    }
}

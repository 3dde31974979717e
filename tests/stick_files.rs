//! Scenario folders from a hostile USB stick: a named pipe, a link to `/dev/zero`, assets
//! behind links that leave the folder, and PNG headers declaring huge pictures are refused
//! by `klub validate` with the file named, quickly, and without reading more than the cap.

mod support;

use klub_kiosk::content::set::{Options, load_content};
use klub_kiosk::domain::text::Lang;
use std::path::Path;
use std::time::Duration;
use support::sticks::{content, fifo, klub, link, png_header};

/// A run that hangs on the old code is killed after this.
const LIMIT: Duration = Duration::from_secs(30);

fn validate(dir: &Path) -> support::sticks::Run {
    klub(dir, &["validate", "scenarios", "--no-narration"], LIMIT)
}

/// Whether `text` has an error about `file` (path from the content folder, with its line)
/// whose message holds every one of `needles`.
fn error_at(text: &str, file: &str, needles: &[&str]) -> bool {
    text.split("\n\n").any(|block| {
        block.starts_with("erreur")
            && block.contains(&format!("--> scenarios/{file}:"))
            && needles
                .iter()
                .all(|n| block.lines().next().unwrap_or("").contains(n))
    })
}

/// The errors of loading `root`, rendered in French.
fn errors(root: &Path) -> String {
    let v = load_content(root, &Options::default());
    v.report
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.render(v.sources.get(&d.file).map(Vec::as_slice), Lang::Fr))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_bundled_content_still_validates() {
    let (dir, _) = content();
    let r = validate(dir.path());
    assert_eq!(r.code, Some(0), "{}", r.text);
}

#[test]
fn a_named_pipe_as_trades_toml_is_refused_without_hanging() {
    let (dir, root) = content();
    fifo(&root.join("trades.toml"));
    let r = validate(dir.path());
    assert!(
        r.code.is_some(),
        "klub validate hung on a pipe ({:?})",
        r.took
    );
    assert_ne!(r.code, Some(0), "{}", r.text);
    assert!(
        r.text.contains("trades.toml") && r.text.contains("tube nommé"),
        "{}",
        r.text
    );
    assert!(r.took < Duration::from_secs(10), "{:?}", r.took);
}

#[test]
fn a_link_to_dev_zero_is_refused_not_read() {
    let (dir, root) = content();
    link(Path::new("/dev/zero"), &root.join("savoir-etre.toml"));
    let r = validate(dir.path());
    assert!(
        r.code.is_some(),
        "klub validate kept reading /dev/zero ({:?})",
        r.took
    );
    assert_ne!(r.code, Some(0), "{}", r.text);
    assert!(
        r.text.contains("savoir-etre.toml") && r.text.contains("lien symbolique"),
        "{}",
        r.text
    );
}

#[test]
fn the_size_cap_counts_the_bytes_read() {
    let (_dir, root) = content();
    // A regular file one byte over the cap.
    let mut big = std::fs::read(root.join("trades.toml")).unwrap();
    big.resize((4 << 20) + 1, b'\n');
    std::fs::write(root.join("trades.toml"), big).unwrap();
    let e = errors(&root);
    assert!(e.contains("trades.toml") && e.contains("trop gros"), "{e}");
    // A scenario file that is a pipe is reported, not skipped.
    fifo(&root.join("vente/scenario.toml"));
    let e = errors(&root);
    assert!(
        e.contains("vente/scenario.toml") && e.contains("tube nommé"),
        "{e}"
    );
}

#[test]
fn assets_behind_links_that_leave_the_folder_fail_validation() {
    let (dir, root) = content();
    // The images folder is a link to a copy outside the content folder.
    let outside = dir.path().join("ailleurs");
    support::sticks::copy_dir(&root.join("vente/images"), &outside);
    link(&outside, &root.join("vente/images"));
    // A single picture is a link to a file outside.
    link(
        &outside.join("accueil.png"),
        &root.join("soudure/images/atelier.png"),
    );
    let r = validate(dir.path());
    assert_ne!(r.code, Some(0), "{}", r.text);
    for (file, asset) in [
        ("vente/scenario.toml", "images/accueil.png"),
        ("soudure/scenario.toml", "images/atelier.png"),
    ] {
        assert!(
            error_at(
                &r.text,
                file,
                &[&format!("fichier refusé « {asset} »"), "lien symbolique"]
            ),
            "{file} {asset}:\n{}",
            r.text
        );
    }
    // A scenario folder that is a link is refused too.
    let (_dir2, root2) = content();
    let elsewhere = root2.with_file_name("design-ailleurs");
    std::fs::rename(root2.join("design"), &elsewhere).unwrap();
    link(&elsewhere, &root2.join("design"));
    let e = errors(&root2);
    assert!(
        e.contains("design/scenario.toml") && e.contains("lien symbolique"),
        "{e}"
    );
}

#[test]
fn a_png_header_declaring_a_huge_picture_fails_validation() {
    let (dir, root) = content();
    std::fs::write(
        root.join("vente/images/accueil.png"),
        png_header(60000, 60000),
    )
    .unwrap();
    // The panorama strip has its own limit: 8192×1080.
    std::fs::write(
        root.join("logistique/images/entrepot-panorama.png"),
        png_header(8192, 1081),
    )
    .unwrap();
    let r = validate(dir.path());
    assert_ne!(r.code, Some(0), "{}", r.text);
    assert!(
        error_at(
            &r.text,
            "vente/scenario.toml",
            &["image illisible « images/accueil.png »", "4096×4096"]
        ),
        "{}",
        r.text
    );
    assert!(
        error_at(
            &r.text,
            "logistique/scenario.toml",
            &["« images/entrepot-panorama.png »", "8192×1080"]
        ),
        "{}",
        r.text
    );
    // At the limits, the headers pass.
    std::fs::write(
        root.join("vente/images/accueil.png"),
        png_header(4096, 4096),
    )
    .unwrap();
    std::fs::write(
        root.join("logistique/images/entrepot-panorama.png"),
        png_header(8192, 1080),
    )
    .unwrap();
    let e = errors(&root);
    assert!(
        !e.contains("accueil.png") && !e.contains("entrepot-panorama.png"),
        "{e}"
    );
}

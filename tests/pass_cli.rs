//! `klub pass inspect|sample`, `klub qr` and `klub key new`, run as the real binary.

use std::path::Path;
use std::process::{Command, Output};

const TIME: &str = "29400000";

fn klub(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_klub"))
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn last_line(o: &Output) -> String {
    stdout(o).lines().last().unwrap_or_default().to_string()
}

#[test]
fn sample_is_reproducible_and_ends_with_a_url_that_inspects_valid() {
    let a = klub(&["pass", "sample", "--seed", "1", "--time", TIME]);
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let b = klub(&["pass", "sample", "--seed", "1", "--time", TIME]);
    assert_eq!(stdout(&a), stdout(&b));
    let url = last_line(&a);
    assert!(url.starts_with("https://klub.example/r/#"), "{url}");
    assert!(stdout(&a).contains("situation"));
    // The demo key warning goes to stderr.
    assert!(String::from_utf8_lossy(&a.stderr).contains("démonstration"));
    // Another seed, another visitor.
    let c = klub(&["pass", "sample", "--seed", "2", "--time", TIME]);
    assert_ne!(last_line(&c), url);
    // Without a seed, the pass id comes from the OS: two runs differ.
    let d = klub(&["pass", "sample", "--time", TIME]);
    let e = klub(&["pass", "sample", "--time", TIME]);
    assert_ne!(last_line(&d), last_line(&e));

    // inspect takes the URL and the bare fragment, and verifies against the demo key.
    // An old `--time` would be expired for a station; inspect says so but still shows it.
    let now_url = last_line(&klub(&["pass", "sample", "--seed", "1"]));
    let i = klub(&["pass", "inspect", &now_url]);
    assert!(i.status.success(), "{}", stdout(&i));
    let out = stdout(&i);
    assert!(out.starts_with("Pass reconnu"), "{out}");
    for field in [
        "id",
        "émis",
        "catalogue",
        "domaines",
        "savoir-être",
        "métiers",
        "(le nôtre)",
    ] {
        assert!(out.contains(field), "{field} missing in {out}");
    }
    let frag = now_url.split('#').nth(1).unwrap();
    let i = klub(&["--lang", "en", "pass", "inspect", &format!("  {frag}\n")]);
    assert!(i.status.success());
    assert!(stdout(&i).starts_with("Pass recognised"), "{}", stdout(&i));

    let old = klub(&["pass", "inspect", &url]);
    assert_eq!(old.status.code(), Some(1));
    assert!(
        stdout(&old).starts_with("Ce pass est trop ancien"),
        "{}",
        stdout(&old)
    );
    assert!(stdout(&old).contains("non vérifié"));
}

#[test]
fn inspect_reports_tampering_and_garbage() {
    let url = last_line(&klub(&["pass", "sample", "--seed", "5"]));
    // Change one character of the middle of the fragment.
    let mut chars: Vec<char> = url.chars().collect();
    let i = url.find('#').unwrap() + 20;
    chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
    let bad: String = chars.into_iter().collect();
    let o = klub(&["pass", "inspect", &bad]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("abîmé ou modifié"), "{}", stdout(&o));
    let o = klub(&["--lang", "en", "pass", "inspect", "bonjour"]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout(&o).trim(), "This code is not a Klub pass.");
}

#[test]
fn key_new_makes_a_working_fleet_key() {
    let o = klub(&["key", "new", "--id", "7"]);
    assert!(o.status.success());
    let out = stdout(&o);
    assert!(out.contains("[pass]"));
    assert!(out.contains("fleet_key_id = 7"));
    let hex = out
        .lines()
        .find_map(|l| l.strip_prefix("fleet_key = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap();
    assert_eq!(hex.len(), 64);
    assert!(hex.bytes().all(|b| b.is_ascii_hexdigit()));
    let again = stdout(&klub(&["key", "new", "--id", "7"]));
    assert_ne!(out, again, "keys come from the OS generator");

    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("borne.toml");
    std::fs::write(
        &cfg,
        format!("station_id = \"borne-test\"\nstop = \"dreux\"\n\n{out}results_base_url = \"https://pistes.example/\"\n"),
    )
    .unwrap();
    let cfg = cfg.to_str().unwrap();
    let s = klub(&["pass", "sample", "--seed", "3", "--config", cfg]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    assert!(!String::from_utf8_lossy(&s.stderr).contains("démonstration"));
    let url = last_line(&s);
    assert!(url.starts_with("https://pistes.example/#"), "{url}");
    let i = klub(&["pass", "inspect", &url, "--config", cfg]);
    assert!(i.status.success(), "{}", stdout(&i));
    assert!(stdout(&i).contains("(dreux)"), "{}", stdout(&i));
    // The demo key does not know key 7.
    let i = klub(&["pass", "inspect", &url]);
    assert_eq!(i.status.code(), Some(1));
    assert!(stdout(&i).contains("autre flotte"), "{}", stdout(&i));
    // A broken config is reported, not a panic.
    std::fs::write(dir.path().join("bad.toml"), "station_id = \n").unwrap();
    let b = klub(&[
        "pass",
        "inspect",
        &url,
        "--config",
        dir.path().join("bad.toml").to_str().unwrap(),
    ]);
    assert_eq!(b.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&b.stderr).contains("bad.toml"));
}

fn decode_png(path: &Path) -> String {
    let img = image::open(path).unwrap().to_luma8();
    let mut p = rqrr::PreparedImage::prepare(img);
    p.detect_grids()[0].decode().unwrap().1
}

#[test]
fn qr_writes_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let text = "https://klub.example/r/#oQMBAgMEBQYHCAG";
    let png = dir.path().join("code.png");
    let o = klub(&["qr", text, "-o", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(decode_png(&png), text);
    let img = image::open(&png).unwrap();
    assert_eq!(img.width() % 8, 0, "8 px per module by default");

    let svg = dir.path().join("code.svg");
    let o = klub(&["qr", text, "-o", svg.to_str().unwrap(), "--px", "4"]);
    assert!(o.status.success());
    // Redraw the SVG's squares and read them back.
    let s = std::fs::read_to_string(&svg).unwrap();
    let side: u32 = s
        .split("width=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let d = s.split(" d=\"").nth(1).unwrap().split('"').next().unwrap();
    let mut img = image::GrayImage::from_pixel(side, side, image::Luma([255]));
    for sq in d.split('M').filter(|x| !x.is_empty()) {
        let head = sq.split('h').next().unwrap();
        let mut it = head.split(' ').map(|n| n.parse::<u32>().unwrap());
        let (x, y) = (it.next().unwrap(), it.next().unwrap());
        for dy in 0..4 {
            for dx in 0..4 {
                img.put_pixel(x + dx, y + dy, image::Luma([0]));
            }
        }
    }
    let mut p = rqrr::PreparedImage::prepare(img);
    assert_eq!(p.detect_grids()[0].decode().unwrap().1, text);

    let o = klub(&["qr", text, "-o", dir.path().join("x.gif").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".png ou .svg"));
    let o = klub(&["qr", &"x".repeat(4000), "-o", png.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("trop long"));
}

//! The Debian package: `cargo deb` packs the dev build the test suite already made (no
//! second Bevy build), and its contents, control fields, units and maintainer scripts are
//! what a station needs. Skipped, with a message, where cargo-deb is not installed; a
//! failure under CI, which installs it (`.ci/setup`).
#![cfg(feature = "station")]

mod support;

use klub_kiosk::domain::text::Lang;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn the_package_holds_a_station() {
    if !Command::new("cargo")
        .args(["deb", "--version"])
        .output()
        .is_ok_and(|o| o.status.success())
    {
        support::ci::missing(
            "cargo-deb",
            "cargo install --locked cargo-deb (.ci/setup does)",
        );
        return;
    }
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    // The binaries the suite built: cargo deb finds them in the same target directory.
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_klub-kiosk"));
    let target = bin.parent().unwrap().parent().unwrap().to_owned();
    let out = tempfile::tempdir().unwrap();
    run(Command::new("cargo")
        .current_dir(repo)
        .env("CARGO_TARGET_DIR", &target)
        .args([
            "deb",
            "--no-build",
            "--profile",
            "dev",
            "--no-strip",
            "--fast",
            "-q",
            "-o",
        ])
        .arg(out.path()));
    let deb = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "deb"))
        .unwrap();

    let info = run(Command::new("dpkg-deb").arg("-I").arg(&deb));
    let depends = info
        .lines()
        .find(|l| l.trim_start().starts_with("Depends:"))
        .unwrap_or_default();
    for dep in [
        "cage",
        "fonts-dejavu-core",
        "espeak-ng",
        "libasound2",
        "mesa-vulkan-drivers",
        "polkitd",
        "adduser",
    ] {
        assert!(depends.contains(dep), "Depends lacks {dep}: {depends}");
    }

    let list = run(Command::new("dpkg-deb").arg("-c").arg(&deb));
    let files: Vec<&str> = list
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .collect();
    let has = |p: &str| files.iter().any(|f| f.trim_start_matches('.') == p);
    for f in [
        "/usr/bin/klub",
        "/usr/bin/klub-kiosk",
        "/usr/lib/systemd/system/klub-kiosk.service",
        "/usr/lib/systemd/system/klub-backup.service",
        "/usr/lib/systemd/system/klub-backup.timer",
        "/etc/klub/station.toml",
        "/etc/klub/tour.toml",
        "/usr/share/polkit-1/rules.d/50-klub-poweroff.rules",
        "/usr/lib/udev/rules.d/99-klub-usb.rules",
        "/usr/lib/klub/usb-mount",
        "/usr/share/doc/klub-kiosk/examples/default.toml",
    ] {
        assert!(has(f), "{f} missing from the package");
    }
    // Every bundled scenario file, narration included, is packaged.
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    let mut bundled = vec![];
    walk(&repo.join("scenarios"), &mut bundled);
    for f in &bundled {
        let rel = f.strip_prefix(repo.join("scenarios")).unwrap();
        assert!(
            has(&format!("/usr/share/klub/scenarios/{}", rel.display())),
            "{} not packaged",
            rel.display()
        );
    }

    let x = tempfile::tempdir().unwrap();
    run(Command::new("dpkg-deb").arg("-R").arg(&deb).arg(x.path()));
    let read = |p: &str| std::fs::read_to_string(x.path().join(p)).unwrap();
    let unit = read("usr/lib/systemd/system/klub-kiosk.service");
    for line in [
        "Restart=always",
        "StartLimitIntervalSec=0",
        "NotifyAccess=all",
        "Type=notify",
        "User=klub",
        "PAMName=login",
        "ExecStart=/usr/bin/cage -d -- /usr/bin/klub-kiosk --kiosk --config /etc/klub/station.toml",
    ] {
        assert!(
            unit.lines().any(|l| l.trim() == line),
            "unit lacks {line}:\n{unit}"
        );
    }
    assert!(
        unit.lines()
            .any(|l| l.starts_with("WatchdogSec=") && l.len() > "WatchdogSec=".len())
    );
    let postinst = read("DEBIAN/postinst");
    assert!(
        postinst.contains("adduser --system --group --home /var/lib/klub"),
        "{postinst}"
    );
    assert!(postinst.contains("/var/lib/klub/data"));
    assert!(
        postinst.contains("deb-systemd-helper enable klub-kiosk.service"),
        "unit not enabled:\n{postinst}"
    );
    assert!(postinst.contains("klub-backup.timer"));
    // The config holds the fleet key and the PIN hash: 0640 in the package, root:klub once
    // the klub user exists (postinst runs after adduser).
    let mode = list
        .lines()
        .find(|l| l.ends_with("./etc/klub/station.toml"))
        .and_then(|l| l.split_whitespace().next())
        .unwrap_or_default();
    assert_eq!(mode, "-rw-r-----", "{list}");
    let adduser = postinst.find("adduser --system").unwrap();
    let chown = postinst
        .find("chown root:klub /etc/klub/station.toml")
        .unwrap_or_else(|| panic!("station.toml not given to root:klub:\n{postinst}"));
    assert!(adduser < chown, "{postinst}");
    assert!(
        postinst.contains("chmod 0640 /etc/klub/station.toml"),
        "{postinst}"
    );
    let conffiles = read("DEBIAN/conffiles");
    assert!(conffiles.contains("/etc/klub/station.toml"));
    let polkit = read("usr/share/polkit-1/rules.d/50-klub-poweroff.rules");
    assert!(
        polkit.contains("org.freedesktop.login1.power-off")
            && polkit.contains("subject.user == \"klub\"")
    );
    let udev = read("usr/lib/udev/rules.d/99-klub-usb.rules");
    assert!(udev.contains("/usr/lib/klub/usb-mount"));
    assert!(read("usr/lib/klub/usb-mount").contains("/media/klub-usb"));

    // The installed config is valid and points where the package puts things.
    let station = read("etc/klub/station.toml");
    assert!(station.contains("dir = \"/var/lib/klub/data\"") && station.contains("kiosk = true"));
    let mut v = klub_kiosk::content::set::Validation::default();
    klub_kiosk::content::set::load_kiosk_file(&mut v, &x.path().join("etc/klub/station.toml"));
    assert_eq!(v.report.errors(), 0, "{}", v.render(Lang::Fr));
    let cfg = &v.configs[0].1;
    assert_eq!(cfg.usb_export_dir, "/media/klub-usb");
    assert_eq!(cfg.scenarios_dir, "/var/lib/klub/scenarios");
}

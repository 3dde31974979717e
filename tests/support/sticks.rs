//! Hostile USB sticks: copies of the bundled content to break, named pipes, links, PNG
//! headers that lie, and the `klub` binary run with a time limit (a hang is a failure).

use klub_kiosk::content::set::ContentSet;
use klub_kiosk::domain::text::Lang;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The repository's bundled scenario folder.
pub fn bundled() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The bundled content, loaded; invalid content fails the test with its findings.
pub fn bundled_content() -> ContentSet {
    ContentSet::load(&bundled())
        .unwrap_or_else(|v| panic!("bundled content is invalid:\n{}", v.render(Lang::Fr)))
}

/// Copies a folder tree (regular files and folders).
pub fn copy_dir(from: &Path, to: &Path) {
    copy_dir_except(from, to, &[]);
}

/// Copies a folder tree (regular files and folders), leaving out folders named in `skip`
/// at any depth (`voix`: the narration, slow to copy and not always needed).
pub fn copy_dir_except(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let t = e.file_type().unwrap();
        if t.is_dir() {
            if !skip.iter().any(|s| e.file_name() == *s) {
                copy_dir_except(&e.path(), &to.join(e.file_name()), skip);
            }
        } else if t.is_file() {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

/// A temp folder holding a copy of the bundled content as `scenarios/`.
pub fn content() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("scenarios");
    copy_dir(&bundled(), &root);
    (dir, root)
}

/// Replaces `path` by a named pipe.
pub fn fifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
}

/// Replaces `path` by a symbolic link to `target`.
pub fn link(target: &Path, path: &Path) {
    if path.is_dir() && !path.is_symlink() {
        std::fs::remove_dir_all(path).unwrap();
    } else {
        let _ = std::fs::remove_file(path);
    }
    std::os::unix::fs::symlink(target, path).unwrap();
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut c = 0xFFFF_FFFFu32;
    for b in bytes {
        c ^= u32::from(*b);
        for _ in 0..8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
        }
    }
    !c
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend(data);
    out.extend(&body);
    out.extend(crc32(&body).to_be_bytes());
}

/// A PNG that declares `w`×`h` pixels (8-bit RGB) in a valid header, followed by the start
/// of its data only: enough for a decoder to read the size.
pub fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = w.to_be_bytes().to_vec();
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &[0x78, 0x9c]);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// What a run of `klub` gave.
pub struct Run {
    /// Exit status, `None` when it had to be killed.
    pub code: Option<i32>,
    /// Standard output then standard error.
    pub text: String,
    /// How long it took.
    pub took: Duration,
}

/// Runs `klub` in `dir`, killed after `limit`: a run that needs killing has hung.
pub fn klub(dir: &Path, args: &[&str], limit: Duration) -> Run {
    let start = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let code = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s.code();
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut text = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert!(!text.contains("panicked"), "panic:\n{text}");
    Run {
        code,
        text,
        took: start.elapsed(),
    }
}

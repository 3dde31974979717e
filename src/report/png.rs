//! Charts as PNG for slides, rendered from the same SVG by `rsvg-convert` (Debian package
//! `librsvg2-bin`, a runtime dependency of `klub report --png` only).

use std::io::Write;
use std::process::{Command, Stdio};

/// Renders an SVG to PNG bytes.
pub fn render(svg: &str) -> Result<Vec<u8>, String> {
    let mut child = Command::new("rsvg-convert")
        .args(["--format", "png", "--zoom", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| {
            format!("rsvg-convert introuvable ({e}) : installez le paquet librsvg2-bin / rsvg-convert not found: install librsvg2-bin")
        })?;
    child
        .stdin
        .take()
        .ok_or("rsvg-convert: stdin")?
        .write_all(svg.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() || !out.stdout.starts_with(b"\x89PNG") {
        return Err(format!(
            "rsvg-convert : {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out.stdout)
}

//! Charts as PNG for slides, rendered from the same SVG by `rsvg-convert` (Debian package
//! `librsvg2-bin`, a runtime dependency of `klub report --png` only).

use crate::report::ReportError;
use std::io::Write;
use std::process::{Command, Stdio};

/// Renders an SVG to PNG bytes.
pub fn render(svg: &str) -> Result<Vec<u8>, ReportError> {
    let mut child = Command::new("rsvg-convert")
        .args(["--format", "png", "--zoom", "2"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(ReportError::NoRsvg)?;
    child
        .stdin
        .take()
        .ok_or(ReportError::NoStdin)?
        .write_all(svg.as_bytes())?;
    let out = child.wait_with_output()?;
    if !out.status.success() || !out.stdout.starts_with(b"\x89PNG") {
        return Err(ReportError::Failed(
            String::from_utf8_lossy(&out.stderr).into_owned(),
        ));
    }
    Ok(out.stdout)
}

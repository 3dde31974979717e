//! A private X server (Xvfb) for the rendered tests, stopped with SIGTERM so that it
//! removes its lock file and socket; a lock left by a killed one is taken over.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Xvfb, stopped when dropped.
pub struct Xvfb(Child);

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let t = Instant::now();
        while t.elapsed() < Duration::from_secs(3) {
            if self.0.try_wait().ok().flatten().is_some() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// No live X server holds display `n` (a killed one leaves a stale lock, which Xvfb
/// itself then takes over).
fn display_free(n: u32) -> bool {
    match std::fs::read_to_string(format!("/tmp/.X{n}-lock")) {
        Err(_) => !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists(),
        Ok(pid) => !Path::new(&format!("/proc/{}", pid.trim())).exists(),
    }
}

/// Starts Xvfb at 1920×1080 on the first free display of `displays` (each test gets its
/// own range, so that test binaries running at once never share one); returns it and
/// its `DISPLAY`.
pub fn start(displays: std::ops::Range<u32>) -> (Xvfb, String) {
    for n in displays.clone() {
        if !display_free(n) {
            continue;
        }
        let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{n}"));
        let display = format!(":{n}");
        let child = Command::new("Xvfb")
            .args([
                display.as_str(),
                "-screen",
                "0",
                "1920x1080x24",
                "-nolisten",
                "tcp",
            ])
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb absent : installez le paquet xvfb / install xvfb");
        let t = Instant::now();
        while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            && t.elapsed() < Duration::from_secs(10)
        {
            std::thread::sleep(Duration::from_millis(50));
        }
        return (Xvfb(child), display);
    }
    panic!("aucun écran X libre / no free X display in {displays:?}");
}

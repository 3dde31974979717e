//! The systemd watchdog without systemd: a process pinging through the station's code path
//! (`ops::watchdog::Watchdog`, via the hidden `klub watchdog-demo` frame loop) sends
//! `READY=1` then `WATCHDOG=1` to a socket the test owns, and goes silent once stopped.

use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-CONT", &self.0.id().to_string()])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn drain(rx: &UnixDatagram, for_: Duration) -> Vec<String> {
    let end = Instant::now() + for_;
    let mut got = vec![];
    let mut buf = [0u8; 256];
    while Instant::now() < end {
        rx.set_read_timeout(Some(
            end.saturating_duration_since(Instant::now())
                .max(Duration::from_millis(1)),
        ))
        .unwrap();
        if let Ok(n) = rx.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
    }
    got
}

fn signal(pid: u32, sig: &str) {
    assert!(
        Command::new("kill")
            .args([sig, &pid.to_string()])
            .status()
            .unwrap()
            .success()
    );
}

#[test]
fn pings_arrive_while_running_and_stop_after_sigstop() {
    let dir = tempfile::tempdir().unwrap();
    let sock = dir.path().join("notify.sock");
    let rx = UnixDatagram::bind(&sock).unwrap();
    // WatchdogSec=0.4 s: pings at least every 0.2 s.
    let child = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["watchdog-demo", "--seconds", "60"])
        .env("NOTIFY_SOCKET", &sock)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let child = Kill(child);
    let pid = child.0.id();

    let first = drain(&rx, Duration::from_millis(1500));
    assert_eq!(
        first.first().map(String::as_str),
        Some("READY=1"),
        "{first:?}"
    );
    let pings = first.iter().filter(|m| *m == "WATCHDOG=1").count();
    // 1.5 s at one ping per 0.1–0.2 s.
    assert!(
        (6..=16).contains(&pings),
        "{pings} pings in 1.5 s: {first:?}"
    );

    signal(pid, "-STOP");
    // What was already in flight arrives at once; then nothing.
    let _ = drain(&rx, Duration::from_millis(150));
    let stopped = drain(&rx, Duration::from_millis(1000));
    assert!(
        stopped.is_empty(),
        "pings from a stopped process: {stopped:?}"
    );

    signal(pid, "-CONT");
    let again = drain(&rx, Duration::from_millis(800));
    assert!(
        again.iter().filter(|m| *m == "WATCHDOG=1").count() >= 2,
        "{again:?}"
    );
}

#[test]
fn abstract_socket_and_no_watchdog() {
    // An abstract socket (`@name`), as systemd may hand out; without WATCHDOG_USEC only
    // readiness and stopping are sent.
    use std::os::linux::net::SocketAddrExt;
    let name = format!("klub-ops-test-{}", std::process::id());
    let rx = UnixDatagram::bind_addr(
        &std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes()).unwrap(),
    )
    .unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_klub"))
        .args(["watchdog-demo", "--seconds", "1"])
        .env("NOTIFY_SOCKET", format!("@{name}"))
        .env_remove("WATCHDOG_USEC")
        .status()
        .unwrap();
    assert!(status.success());
    let got = drain(&rx, Duration::from_millis(300));
    assert_eq!(got, ["READY=1", "STOPPING=1"]);
}

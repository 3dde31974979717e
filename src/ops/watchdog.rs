//! systemd notifications (`sd_notify`) without libsystemd: readiness, watchdog pings and
//! "stopping", sent over the `NOTIFY_SOCKET` datagram socket.
//!
//! # Station hooks
//!
//! ```no_run
//! use klub_kiosk::ops::watchdog::Watchdog;
//! use std::time::Instant;
//! let mut wd = Watchdog::from_env();      // once, at start-up (a Bevy resource)
//! wd.ready();                             // when the attract loop is on screen
//! wd.tick(Instant::now());                // every frame (a system in `Last`)
//! let _max_sleep = wd.wake_every();       // reactive mode: never sleep longer than this
//! wd.stopping();                          // on shutdown
//! ```
//!
//! The station runs as `cage`'s child, so `WATCHDOG_PID` names `cage`, not us; the unit sets
//! `NotifyAccess=all` and this module deliberately ignores `WATCHDOG_PID`.

use std::io;
use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::{Duration, Instant};

/// A connection to the service manager's notification socket.
#[derive(Debug)]
pub struct Notifier {
    socket: UnixDatagram,
    addr: SocketAddr,
}

impl Notifier {
    /// The socket named by `NOTIFY_SOCKET`, if set and usable.
    pub fn from_env() -> Option<Notifier> {
        Notifier::new(&std::env::var_os("NOTIFY_SOCKET")?.to_string_lossy())
    }

    /// A socket path, or an abstract name written `@name`.
    pub fn new(name: &str) -> Option<Notifier> {
        let addr = if let Some(abs) = name.strip_prefix('@') {
            use std::os::linux::net::SocketAddrExt;
            SocketAddr::from_abstract_name(abs.as_bytes()).ok()?
        } else if name.starts_with('/') {
            SocketAddr::from_pathname(name).ok()?
        } else {
            return None;
        };
        Some(Notifier {
            socket: UnixDatagram::unbound().ok()?,
            addr,
        })
    }

    /// Sends one notification, such as `READY=1`.
    pub fn send(&self, state: &str) -> io::Result<()> {
        self.socket
            .send_to_addr(state.as_bytes(), &self.addr)
            .map(|_| ())
    }
}

/// Half of `WATCHDOG_USEC` (systemd's advice), or `None` when no watchdog is set.
pub fn interval_from(watchdog_usec: Option<&str>) -> Option<Duration> {
    let usec: u64 = watchdog_usec?.trim().parse().ok()?;
    (usec > 0).then(|| Duration::from_micros(usec / 2))
}

/// Readiness and watchdog pings for the frame loop.
#[derive(Debug, Default)]
pub struct Watchdog {
    notifier: Option<Notifier>,
    interval: Option<Duration>,
    last: Option<Instant>,
    sent: u64,
}

impl Watchdog {
    /// From `NOTIFY_SOCKET` and `WATCHDOG_USEC`; does nothing outside systemd.
    pub fn from_env() -> Watchdog {
        Watchdog::new(
            Notifier::from_env(),
            interval_from(std::env::var("WATCHDOG_USEC").ok().as_deref()),
        )
    }

    /// With an explicit socket and ping interval (`WATCHDOG_USEC / 2`).
    pub fn new(notifier: Option<Notifier>, interval: Option<Duration>) -> Watchdog {
        Watchdog {
            notifier,
            interval,
            last: None,
            sent: 0,
        }
    }

    /// Whether a watchdog is configured.
    pub fn enabled(&self) -> bool {
        self.notifier.is_some() && self.interval.is_some()
    }

    fn send(&mut self, state: &str) {
        if let Some(n) = &self.notifier
            && n.send(state).is_ok()
        {
            self.sent += 1;
        }
    }

    /// `READY=1`: the station is up (systemd `Type=notify`).
    pub fn ready(&mut self) {
        self.send("READY=1");
    }

    /// `STOPPING=1`: a clean shutdown has begun.
    pub fn stopping(&mut self) {
        self.send("STOPPING=1");
    }

    /// Call every frame: sends `WATCHDOG=1` when half the ping interval has passed since the
    /// last one. With frames at most [`Watchdog::wake_every`] apart, pings are then never
    /// more than `WATCHDOG_USEC / 2` apart. Returns whether it pinged.
    pub fn tick(&mut self, now: Instant) -> bool {
        let Some(interval) = self.interval else {
            return false;
        };
        if self.notifier.is_none() {
            return false;
        }
        let due = self
            .last
            .is_none_or(|t| now.saturating_duration_since(t) >= interval / 2);
        if due {
            self.last = Some(now);
            self.send("WATCHDOG=1");
        }
        due
    }

    /// The longest the frame loop may sleep in reactive mode (`WATCHDOG_USEC / 4`), or
    /// `None` without a watchdog.
    pub fn wake_every(&self) -> Option<Duration> {
        self.enabled()
            .then(|| self.interval.unwrap_or_default() / 2)
    }

    /// Notifications sent successfully so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interval_is_half_the_watchdog() {
        assert_eq!(
            interval_from(Some("30000000")),
            Some(Duration::from_secs(15))
        );
        assert_eq!(interval_from(Some("0")), None);
        assert_eq!(interval_from(Some("x")), None);
        assert_eq!(interval_from(None), None);
    }

    #[test]
    fn pings_are_throttled_and_wake_is_a_quarter() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let rx = UnixDatagram::bind(&path).unwrap();
        rx.set_nonblocking(true).unwrap();
        let n = Notifier::new(path.to_str().unwrap()).unwrap();
        let mut wd = Watchdog::new(Some(n), Some(Duration::from_secs(2)));
        assert_eq!(wd.wake_every(), Some(Duration::from_secs(1)));
        let t0 = Instant::now();
        assert!(wd.tick(t0));
        assert!(!wd.tick(t0 + Duration::from_millis(999)));
        assert!(wd.tick(t0 + Duration::from_millis(1000)));
        wd.ready();
        let mut buf = [0u8; 64];
        let mut got = vec![];
        while let Ok(n) = rx.recv(&mut buf) {
            got.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        assert_eq!(got, ["WATCHDOG=1", "WATCHDOG=1", "READY=1"]);
    }

    #[test]
    fn abstract_socket_names() {
        let name = format!("klub-test-{}", std::process::id());
        use std::os::linux::net::SocketAddrExt;
        let rx = UnixDatagram::bind_addr(&SocketAddr::from_abstract_name(name.as_bytes()).unwrap())
            .unwrap();
        Notifier::new(&format!("@{name}"))
            .unwrap()
            .send("WATCHDOG=1")
            .unwrap();
        let mut buf = [0u8; 32];
        let n = rx.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"WATCHDOG=1");
        assert!(Notifier::new("relative/path").is_none());
    }

    #[test]
    fn nothing_without_systemd() {
        let mut wd = Watchdog::new(None, Some(Duration::from_secs(1)));
        assert!(!wd.tick(Instant::now()));
        assert_eq!(wd.wake_every(), None);
    }
}

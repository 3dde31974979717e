//! A real PostgreSQL server for a test: Debian's `postgresql` binaries, `initdb` in a temp
//! folder, a Unix socket in that folder (no TCP), a free port number. Run as the `postgres`
//! user through `runuser` when the test runs as root (PostgreSQL refuses root), directly
//! otherwise. Stopped (`pg_ctl stop -m immediate`) when dropped, even after a panic.
#![allow(dead_code, reason = "each test binary uses part of the helpers")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A running server.
pub struct Postgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    as_postgres: bool,
}

/// The folder of `initdb` and `pg_ctl`: `KLUB_PG_BIN`, else the newest
/// `/usr/lib/postgresql/N/bin` (Debian's layout), else `PATH`.
fn bin_dir() -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("KLUB_PG_BIN") {
        return Some(PathBuf::from(d));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, b)) = versions.pop() {
        return Some(b);
    }
    std::env::var_os("PATH").and_then(|p| {
        std::env::split_paths(&p).find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Postgres {
    /// Starts a server; `None` (with a message) when PostgreSQL is not installed, which
    /// fails the test under `CI=true`.
    pub fn start() -> Option<Postgres> {
        Postgres::start_with(None)
    }

    /// Starts a server that also listens on 127.0.0.1 with TLS, its certificate (for the
    /// name `localhost`) signed by a fresh test CA; returns the CA's PEM file beside it.
    pub fn start_tls() -> Option<(Postgres, PathBuf)> {
        let certs = tempfile::Builder::new()
            .prefix("klub-ca-")
            .tempdir()
            .unwrap();
        let c = certs.path();
        let run = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(c)
                .output()
                .expect("openssl (Debian package openssl)");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=klub-test-ca",
        ]);
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=localhost",
        ]);
        std::fs::write(c.join("san.ext"), "subjectAltName=DNS:localhost\n").unwrap();
        run(&[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.crt",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ]);
        let pg = Postgres::start_with(Some(c))?;
        let ca = pg.dir.path().join("ca.pem");
        std::fs::copy(c.join("ca.pem"), &ca).unwrap();
        Some((pg, ca))
    }

    fn start_with(certs: Option<&Path>) -> Option<Postgres> {
        let Some(bin) = bin_dir() else {
            super::ci::missing(
                "PostgreSQL",
                "Debian package postgresql (initdb, pg_ctl, psql), installed by .ci/setup",
            );
            return None;
        };
        let dir = tempfile::Builder::new()
            .prefix("klub-pg-")
            .tempdir()
            .unwrap();
        let as_postgres = is_root();
        let pg = Postgres {
            dir,
            bin,
            port: free_port(),
            as_postgres,
        };
        if let Some(c) = certs {
            for f in ["server.crt", "server.key"] {
                std::fs::copy(c.join(f), pg.dir.path().join(f)).unwrap();
            }
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(
                pg.dir.path().join("server.key"),
                std::fs::Permissions::from_mode(0o600),
            )
            .unwrap();
        }
        if as_postgres {
            let ok = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(pg.dir.path())
                .status()
                .unwrap()
                .success();
            assert!(ok, "chown postgres");
        }
        let data = pg.data();
        let out = pg.server_cmd("initdb", |c| {
            c.arg("-D").arg(&data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ]);
        });
        assert!(
            out.status.success(),
            "initdb: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d = pg.dir.path().display();
        let opts = match certs {
            None => format!("-k {d} -p {} -h '' -F -c max_wal_size=4GB", pg.port),
            Some(_) => format!(
                "-k {d} -p {} -h 127.0.0.1 -F -c ssl=on -c ssl_cert_file={d}/server.crt -c ssl_key_file={d}/server.key",
                pg.port
            ),
        };
        let log = pg.dir.path().join("server.log");
        let out = pg.server_cmd("pg_ctl", |c| {
            c.arg("-D")
                .arg(&data)
                .arg("-l")
                .arg(&log)
                .args(["-o", &opts, "-w", "start"]);
        });
        assert!(
            out.status.success(),
            "pg_ctl start: {}{}",
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        Some(pg)
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn server_cmd(&self, tool: &str, args: impl FnOnce(&mut Command)) -> Output {
        let mut c = if self.as_postgres {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(self.bin.join(tool));
            c
        } else {
            Command::new(self.bin.join(tool))
        };
        args(&mut c);
        c.output().unwrap()
    }

    /// The socket folder.
    pub fn socket_dir(&self) -> &Path {
        self.dir.path()
    }

    /// The port (it names the socket file).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A connection string for `klub --postgres`, through the Unix socket.
    pub fn url(&self) -> String {
        format!(
            "host={} port={} user=postgres dbname=postgres",
            self.dir.path().display(),
            self.port
        )
    }

    /// Runs SQL through `psql` and returns its unaligned, tuples-only output.
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .arg("-h")
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// A `psql` command for this server, to add a script to.
    pub fn psql_cmd(&self) -> Command {
        let mut c = Command::new(self.bin.join("psql"));
        c.arg("-h")
            .arg(self.dir.path())
            .args([
                "-p",
                &self.port.to_string(),
                "-U",
                "postgres",
                "-d",
                "postgres",
            ])
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"]);
        c
    }

    /// Row counts of the warehouse's session-level tables, in a fixed order.
    pub fn counts(&self) -> String {
        self.psql(
            "SELECT (SELECT count(*) FROM klub.sessions) || ' ' || (SELECT count(*) FROM klub.steps)
               || ' ' || (SELECT count(*) FROM klub.profiles) || ' ' || (SELECT count(*) FROM klub.top_trades)",
        )
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.data();
        let _ = self.server_cmd("pg_ctl", |c| {
            c.arg("-D").arg(&data).args(["-m", "immediate", "stop"]);
        });
    }
}

//! PostgreSQL: connecting safely, the `klub` schema and its migrations, the purge.
//!
//! - **No password on the command line.** A URL that holds one is refused; the password
//!   comes from `PGPASSWORD` or the password file (`PGPASSFILE`, else `~/.pgpass`), as libpq
//!   reads them, and the user from the URL, `PGUSER` or `USER`.
//! - **TLS off this machine.** A Unix socket or localhost may go in clear; any other host
//!   needs `sslmode=verify-full` and a CA (`sslrootcert=…` or `PGSSLROOTCERT`): the server's
//!   certificate must chain to that CA alone and name the host.
//! - **The schema** mirrors the log's privacy rules: a CHECK on every text column (ids and
//!   enumerations only), pseudonymous ids only. Its version lives in `klub.schema_version`;
//!   a newer one is refused, never "upgraded".

use crate::warehouse::WarehouseError;
use postgres::config::Host;
use postgres::{Client, Config, NoTls};
use std::path::{Path, PathBuf};
use std::str::FromStr;

fn refused(fr: &str, en: &str) -> WarehouseError {
    WarehouseError::Refused(format!("{fr} / {en}"))
}

/// A connection target, checked before any network traffic.
#[derive(Debug)]
pub struct Target {
    config: Config,
    /// The CA file when TLS is used.
    ca: Option<PathBuf>,
}

/// Splits the libpq options this client handles itself (`sslmode=verify-full`,
/// `sslrootcert`) out of a URL or a `key=value` string.
fn split_tls_options(url: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut take = |kv: &str| -> bool {
        match kv.split_once('=') {
            Some(("sslmode", v)) => {
                mode = Some(v.to_owned());
                true
            }
            Some(("sslrootcert", v)) => {
                root = Some(v.to_owned());
                true
            }
            _ => false,
        }
    };
    let rest = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        match url.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query.split('&').filter(|kv| !take(kv)).collect();
                if kept.is_empty() {
                    base.to_owned()
                } else {
                    format!("{base}?{}", kept.join("&"))
                }
            }
            None => url.to_owned(),
        }
    } else {
        url.split_whitespace()
            .filter(|kv| !take(kv))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rest, mode, root)
}

/// Whether every host of the target is on this machine (a Unix socket or a loopback name).
fn local_only(config: &Config) -> bool {
    !config.get_hosts().is_empty()
        && config.get_hosts().iter().all(|h| match h {
            Host::Unix(_) => true,
            Host::Tcp(name) => matches!(name.as_str(), "localhost" | "127.0.0.1" | "::1"),
        })
}

/// The password libpq would use: `PGPASSWORD`, else the first matching line of the
/// password file (`host:port:database:user:password`, `*` matching anything).
fn password(host: &str, port: u16, db: &str, user: &str) -> Option<String> {
    if let Ok(p) = std::env::var("PGPASSWORD") {
        return Some(p);
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pgpass")))?;
    let text = std::fs::read_to_string(file).ok()?;
    let port = port.to_string();
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let f: Vec<String> = pgpass_fields(l);
        let ok = |k: usize, v: &str| f.get(k).is_some_and(|x| x == "*" || x == v);
        (f.len() == 5 && ok(0, host) && ok(1, &port) && ok(2, db) && ok(3, user))
            .then(|| f[4].clone())
    })
}

/// The fields of a password-file line: `:` separates, `\` escapes.
fn pgpass_fields(line: &str) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut esc = false;
    for c in line.chars() {
        match (esc, c) {
            (false, '\\') => esc = true,
            (false, ':') => out.push(String::new()),
            (_, c) => {
                esc = false;
                out.last_mut().expect("never empty").push(c);
            }
        }
    }
    out
}

impl Target {
    /// Reads and checks a URL (`postgresql://user@host/db?sslmode=verify-full&sslrootcert=ca.pem`
    /// or `host=/run/postgresql dbname=klub`), without connecting.
    pub fn parse(url: &str) -> Result<Target, WarehouseError> {
        let (rest, mode, root) = split_tls_options(url);
        let mut config = Config::from_str(&rest).map_err(|e| {
            refused(
                &format!("adresse PostgreSQL illisible ({e})"),
                "unreadable PostgreSQL URL",
            )
        })?;
        if config.get_password().is_some() {
            return Err(refused(
                "pas de mot de passe dans l'adresse (il resterait dans l'historique et les journaux) : utilisez PGPASSFILE ou ~/.pgpass",
                "no password in the URL (it would stay in the shell history and logs): use PGPASSFILE or ~/.pgpass",
            ));
        }
        if config.get_hosts().is_empty() {
            config.host(&std::env::var("PGHOST").unwrap_or_else(|_| "localhost".into()));
        }
        if config.get_user().is_none() {
            let user = std::env::var("PGUSER")
                .or_else(|_| std::env::var("USER"))
                .unwrap_or_else(|_| "postgres".into());
            config.user(&user);
        }
        if config.get_dbname().is_none()
            && let Ok(db) = std::env::var("PGDATABASE")
        {
            config.dbname(&db);
        }
        let mode = mode.or_else(|| std::env::var("PGSSLMODE").ok());
        let root = root
            .or_else(|| std::env::var("PGSSLROOTCERT").ok())
            .map(PathBuf::from);
        let ca = if local_only(&config) && mode.as_deref() != Some("verify-full") {
            None
        } else {
            if mode.as_deref() != Some("verify-full") {
                return Err(refused(
                    "serveur distant : ajoutez sslmode=verify-full et sslrootcert=CA.pem (TLS vérifié obligatoire hors de cette machine)",
                    "remote server: add sslmode=verify-full and sslrootcert=CA.pem (verified TLS is required off this machine)",
                ));
            }
            let Some(root) = root else {
                return Err(refused(
                    "sslmode=verify-full sans autorité de certification : ajoutez sslrootcert=CA.pem ou PGSSLROOTCERT",
                    "sslmode=verify-full without a CA: add sslrootcert=CA.pem or PGSSLROOTCERT",
                ));
            };
            config.ssl_mode(postgres::config::SslMode::Require);
            Some(root)
        };
        Ok(Target { config, ca })
    }

    /// Connects, with the password from the environment or the password file.
    pub fn connect(&self) -> Result<Client, WarehouseError> {
        let mut config = self.config.clone();
        let host = match config.get_hosts().first() {
            Some(Host::Tcp(h)) => h.clone(),
            Some(Host::Unix(p)) => p.display().to_string(),
            None => "localhost".into(),
        };
        let port = config.get_ports().first().copied().unwrap_or(5432);
        let user = config.get_user().unwrap_or("postgres").to_owned();
        let db = config.get_dbname().unwrap_or(&user).to_owned();
        if let Some(p) = password(&host, port, &db, &user) {
            config.password(p);
        }
        config.application_name("klub");
        let client = match &self.ca {
            None => config.connect(NoTls)?,
            Some(ca) => {
                let pem = std::fs::read(ca).map_err(|e| WarehouseError::Io {
                    path: ca.clone(),
                    source: e,
                })?;
                let cert = native_tls::Certificate::from_pem(&pem).map_err(|e| {
                    refused(
                        &format!("{} : certificat illisible ({e})", ca.display()),
                        "unreadable certificate",
                    )
                })?;
                let tls = native_tls::TlsConnector::builder()
                    .add_root_certificate(cert)
                    .disable_built_in_roots(true)
                    .build()
                    .map_err(|e| refused(&format!("TLS : {e}"), "TLS set-up failed"))?;
                config.connect(postgres_native_tls::MakeTlsConnector::new(tls))?
            }
        };
        Ok(client)
    }

    /// Whether the connection uses TLS.
    pub fn uses_tls(&self) -> bool {
        self.ca.is_some()
    }
}

/// A content or station id, as the log's `id_check`.
fn id(c: &str) -> String {
    format!("({c} ~ '^[a-z0-9][a-z0-9-]{{0,39}}$')")
}

/// `n` lowercase hex digits, as the log's `hex_check`.
fn hex(c: &str, n: u32) -> String {
    format!("({c} ~ '^[0-9a-f]{{{n}}}$')")
}

/// Version 1: the log's tables keyed by the session id, the purge fence, and the monthly
/// aggregates that outlive session rows.
fn v1() -> String {
    let areas: String = ["r", "i", "a", "s", "e", "c"]
        .iter()
        .map(|a| {
            format!("{a} bigint NOT NULL CHECK ({a} BETWEEN 0 AND 100), {a}_n bigint NOT NULL CHECK ({a}_n >= 0),\n")
        })
        .collect();
    format!(
        "CREATE TABLE klub.sessions (
            id text PRIMARY KEY CHECK {id_hex},
            station text NOT NULL CHECK {station},
            seq bigint NOT NULL CHECK (seq >= 1),
            tour text CHECK {tour},
            stop text CHECK {stop},
            context text NOT NULL CHECK (context IN ('tout_public', 'college', 'lycee', 'mission_locale', 'france_travail', 'autre')),
            source text NOT NULL CHECK (source IN ('visitor', 'rehearsal', 'replay', 'simulated')),
            scenario text NOT NULL CHECK {scenario},
            trade text CHECK {trade},
            lang text NOT NULL CHECK (lang IN ('fr', 'en')),
            pass_id text CHECK {pass},
            situation text NOT NULL CHECK (situation IN ('non_dit', 'college', 'lycee', 'etudes', 'cherche_emploi', 'travaille', 'autre')),
            age_band text NOT NULL CHECK (age_band IN ('non_dit', 'moins_16', '16_25', '26_44', '45_plus')),
            started_wall_ms bigint NOT NULL,
            started_mono_ms bigint NOT NULL CHECK (started_mono_ms >= 0),
            clock_offset_ms bigint NOT NULL,
            ended_wall_ms bigint,
            ended_mono_ms bigint CHECK (ended_mono_ms >= 0),
            outcome text CHECK (outcome IN ('completed', 'abandoned', 'idle_timeout', 'interrupted')),
            rev bigint NOT NULL CHECK (rev >= 0),
            UNIQUE (station, seq)
        );
        CREATE INDEX sessions_by_tour ON klub.sessions (tour);
        CREATE INDEX sessions_by_start ON klub.sessions ((started_wall_ms + clock_offset_ms));
        CREATE TABLE klub.steps (
            session_id text NOT NULL REFERENCES klub.sessions (id) ON DELETE CASCADE,
            n bigint NOT NULL CHECK (n >= 0),
            step bigint NOT NULL CHECK (step >= 0),
            step_id text CHECK {step_id},
            left_by text CHECK (left_by IN ('answered', 'skipped', 'back')),
            answer text CHECK (length(answer) <= 120 AND answer ~ '^(seen|choice:[0-9]+|scale:[0-9]+|multi:[0-9,]*|game:[0-9][0-9/:-]*/[0-9][0-9/:-]*:[0-9-])$'),
            ms bigint CHECK (ms >= 0),
            wall_ms bigint NOT NULL,
            mono_ms bigint NOT NULL CHECK (mono_ms >= 0),
            CHECK ((answer IS NOT NULL) = (left_by IS NOT DISTINCT FROM 'answered')),
            PRIMARY KEY (session_id, n)
        );
        CREATE TABLE klub.profiles (
            session_id text PRIMARY KEY REFERENCES klub.sessions (id) ON DELETE CASCADE,
            reading text NOT NULL CHECK (reading IN ('too_few_answers', 'no_clear_preference', 'strengths')),
            strongest text NOT NULL CHECK (strongest ~ '^[RIASEC]{{0,6}}$'),
            holland text NOT NULL CHECK (holland ~ '^[RIASEC]{{3}}$'),
            {areas}
            skills text NOT NULL CHECK (length(skills) <= 4000 AND skills ~ '^\\[[][0-9,]*\\]$' AND json_typeof(skills::json) = 'array')
        );
        CREATE TABLE klub.top_trades (
            session_id text NOT NULL REFERENCES klub.sessions (id) ON DELETE CASCADE,
            rank bigint NOT NULL CHECK (rank >= 1),
            trade text NOT NULL CHECK {top_trade},
            PRIMARY KEY (session_id, rank)
        );
        CREATE TABLE klub.retention (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            purged_before_ms bigint NOT NULL
        );
        CREATE TABLE klub.monthly_purged (
            month text NOT NULL CHECK (month ~ '^[0-9]{{4}}-(0[1-9]|1[0-2])$'),
            tour text NOT NULL CHECK (tour = '' OR {tour}),
            stop text NOT NULL CHECK (stop = '' OR {stop}),
            context text NOT NULL CHECK (context IN ('tout_public', 'college', 'lycee', 'mission_locale', 'france_travail', 'autre')),
            source text NOT NULL CHECK (source IN ('visitor', 'rehearsal', 'replay', 'simulated')),
            sessions bigint NOT NULL CHECK (sessions >= 0),
            completed bigint NOT NULL CHECK (completed BETWEEN 0 AND sessions),
            PRIMARY KEY (month, tour, stop, context, source)
        );
        CREATE VIEW klub.monthly AS
            SELECT month, tour, stop, context, source, sum(sessions)::bigint AS sessions, sum(completed)::bigint AS completed
            FROM (
                SELECT {month} AS month, coalesce(tour, '') AS tour, coalesce(stop, '') AS stop, context, source,
                       1 AS sessions, (outcome IS NOT DISTINCT FROM 'completed')::int AS completed
                FROM klub.sessions
                UNION ALL
                SELECT month, tour, stop, context, source, sessions, completed FROM klub.monthly_purged
            ) u
            GROUP BY month, tour, stop, context, source;",
        id_hex = hex("id", 32),
        station = id("station"),
        tour = id("tour"),
        stop = id("stop"),
        scenario = id("scenario"),
        trade = id("trade"),
        pass = hex("pass_id", 16),
        step_id = id("step_id"),
        top_trade = id("trade"),
        month = MONTH_SQL,
    )
}

/// A session's month, Paris time, from its corrected start.
pub const MONTH_SQL: &str = "to_char(to_timestamp((started_wall_ms + clock_offset_ms) / 1000.0) AT TIME ZONE 'Europe/Paris', 'YYYY-MM')";

/// The advisory lock that keeps a migration, a push and a purge from running at once:
/// 0x4B4C5542, "KLUB", as the log's application id.
pub const LOCK: i64 = 0x4B4C_5542;

/// Version 2: each session's reach, kept by the push beside its step rows, so that the
/// report's reach and drop-off per step reads one short row per session instead of every
/// step row: the steps shown (distinct, ascending), the id of each one's first row, and
/// the step of its last row. Filled from the step rows already there.
const V2: &str = "CREATE TABLE klub.session_reach (
        session_id text PRIMARY KEY REFERENCES klub.sessions (id) ON DELETE CASCADE,
        steps bigint[] NOT NULL CHECK (cardinality(steps) >= 1 AND array_position(steps, NULL) IS NULL),
        step_ids text[] NOT NULL CHECK (cardinality(step_ids) = cardinality(steps)
            AND array_to_string(step_ids, ',') ~ '^[a-z0-9,-]*$'),
        last_step bigint NOT NULL CHECK (last_step = ANY (steps))
    );
    INSERT INTO klub.session_reach (session_id, steps, step_ids, last_step)
        SELECT f.session_id, array_agg(f.step ORDER BY f.step), array_agg(f.step_id ORDER BY f.step), l.step
        FROM (SELECT DISTINCT ON (session_id, step) session_id, step, step_id FROM klub.steps
              ORDER BY session_id, step, n) f
        JOIN (SELECT DISTINCT ON (session_id) session_id, step FROM klub.steps
              ORDER BY session_id, n DESC) l USING (session_id)
        GROUP BY f.session_id, l.step;";

/// The migrations: entry `i` takes the schema from version `i` to `i + 1`. Append only.
fn migrations() -> Vec<String> {
    vec![v1(), V2.to_owned()]
}

/// The version this code writes.
pub fn latest() -> i32 {
    migrations().len() as i32
}

/// The schema's version in the database (0 when there is none yet).
pub fn version(client: &mut Client) -> Result<i32, WarehouseError> {
    let exists: bool = client
        .query_one("SELECT to_regclass('klub.schema_version') IS NOT NULL", &[])?
        .get(0);
    if !exists {
        return Ok(0);
    }
    Ok(client
        .query_one(
            "SELECT coalesce(max(version), 0) FROM klub.schema_version",
            &[],
        )?
        .get(0))
}

/// Creates or upgrades the `klub` schema in one transaction (a lock keeps two pushes from
/// migrating at once); a newer schema is refused. Returns the version it was at.
pub fn migrate(client: &mut Client) -> Result<i32, WarehouseError> {
    let all = migrations();
    let latest = all.len() as i32;
    let mut tx = client.transaction()?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    tx.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS klub;
         CREATE TABLE IF NOT EXISTS klub.schema_version (
             version integer PRIMARY KEY CHECK (version >= 1),
             applied_at timestamptz NOT NULL DEFAULT now()
         );",
    )?;
    let from: i32 = tx
        .query_one(
            "SELECT coalesce(max(version), 0) FROM klub.schema_version",
            &[],
        )?
        .get(0);
    if from > latest {
        return Err(refused(
            &format!(
                "schéma « klub » de version {from}, plus récente que ce logiciel ({latest}) : base laissée intacte"
            ),
            &format!(
                "schema klub at version {from}, newer than this software ({latest}): database left untouched"
            ),
        ));
    }
    for (k, m) in all.iter().enumerate().skip(from as usize) {
        tx.batch_execute(m)?;
        tx.execute(
            "INSERT INTO klub.schema_version (version) VALUES ($1)",
            &[&(k as i32 + 1)],
        )?;
    }
    tx.commit()?;
    Ok(from)
}

/// Connects and refuses a missing or newer schema (for reading commands).
pub fn connect_current(target: &Target) -> Result<Client, WarehouseError> {
    let mut client = target.connect()?;
    let v = version(&mut client)?;
    if v == 0 {
        return Err(refused(
            "pas de schéma « klub » dans cette base : commencez par klub push",
            "no klub schema in this database: run klub push first",
        ));
    }
    if v > latest() {
        return Err(refused(
            &format!("schéma « klub » de version {v}, plus récente que ce logiciel"),
            &format!("schema klub at version {v}, newer than this software"),
        ));
    }
    if v < latest() {
        return Err(refused(
            "schéma « klub » à mettre à jour : lancez klub push",
            "schema klub needs an upgrade: run klub push",
        ));
    }
    Ok(client)
}

/// The purge fence: no session that started before it is kept or loaded again.
pub fn purged_before(client: &mut impl postgres::GenericClient) -> Result<i64, WarehouseError> {
    Ok(client
        .query_opt("SELECT purged_before_ms FROM klub.retention", &[])?
        .map_or(i64::MIN, |r| r.get(0)))
}

/// What a purge did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Session rows deleted (with their steps, profiles and trades).
    pub deleted: u64,
    /// Monthly aggregate rows that now hold them.
    pub aggregated: u64,
}

/// Deletes every session that started (corrected clock) before `cutoff_ms`, in one
/// transaction: their counts are first added to `klub.monthly_purged`, which keeps the
/// figures across years, and the fence moves so a later push cannot bring them back.
pub fn purge_before(client: &mut Client, cutoff_ms: i64) -> Result<PurgeReport, WarehouseError> {
    migrate(client)?;
    let mut tx = client.transaction()?;
    // Not while a push runs: it decided what to send from the fence it read.
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])?;
    let aggregated = tx.execute(
        &format!(
            "INSERT INTO klub.monthly_purged (month, tour, stop, context, source, sessions, completed)
             SELECT {MONTH_SQL}, coalesce(tour, ''), coalesce(stop, ''), context, source, count(*),
                    count(*) FILTER (WHERE outcome = 'completed')
             FROM klub.sessions WHERE started_wall_ms + clock_offset_ms < $1
             GROUP BY 1, 2, 3, 4, 5
             ON CONFLICT (month, tour, stop, context, source) DO UPDATE
               SET sessions = klub.monthly_purged.sessions + excluded.sessions,
                   completed = klub.monthly_purged.completed + excluded.completed"
        ),
        &[&cutoff_ms],
    )?;
    let deleted = tx.execute(
        "DELETE FROM klub.sessions WHERE started_wall_ms + clock_offset_ms < $1",
        &[&cutoff_ms],
    )?;
    tx.execute(
        "INSERT INTO klub.retention (purged_before_ms) VALUES ($1)
         ON CONFLICT (one) DO UPDATE SET purged_before_ms = greatest(klub.retention.purged_before_ms, excluded.purged_before_ms)",
        &[&cutoff_ms],
    )?;
    tx.commit()?;
    Ok(PurgeReport {
        deleted,
        aggregated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_the_url_is_refused() {
        let e = Target::parse("postgresql://klub:secret@localhost/klub").unwrap_err();
        assert!(e.to_string().contains("PGPASSFILE"), "{e}");
    }

    #[test]
    fn a_remote_host_needs_verified_tls_with_a_ca() {
        for url in [
            "postgresql://klub@db.example.org/klub",
            "postgresql://klub@db.example.org/klub?sslmode=require",
            "host=db.example.org user=klub sslmode=prefer",
        ] {
            let e = Target::parse(url).unwrap_err();
            assert!(e.to_string().contains("verify-full"), "{url}: {e}");
        }
        let e =
            Target::parse("postgresql://klub@db.example.org/klub?sslmode=verify-full").unwrap_err();
        assert!(e.to_string().contains("sslrootcert"), "{e}");
        let t = Target::parse(
            "postgresql://klub@db.example.org/klub?sslmode=verify-full&sslrootcert=/etc/klub/ca.pem",
        )
        .unwrap();
        assert!(t.uses_tls());
    }

    #[test]
    fn a_socket_or_localhost_may_go_in_clear() {
        for url in [
            "host=/run/postgresql user=klub dbname=klub",
            "postgresql://klub@localhost:5433/klub",
            "postgresql://klub@127.0.0.1/klub",
        ] {
            assert!(!Target::parse(url).unwrap().uses_tls(), "{url}");
        }
    }

    #[test]
    fn password_file_fields_unescape() {
        assert_eq!(
            pgpass_fields(r"db\:1:5432:*:klub:p\:w\\d"),
            ["db:1", "5432", "*", "klub", r"p:w\d"]
        );
    }
}

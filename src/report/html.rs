//! `klub report`: one self-contained HTML file for the funder, with inline SVG charts.
//!
//! It counts `visitor` sessions only (plus `simulated` ones with `--include-simulated`,
//! then stamped "données simulées" on every chart), says that sessions are not people, and
//! shows every count, percentage and median under the small-counts rule of [`small`], which
//! its note states.

use crate::domain::dimension::Area;
use crate::domain::session::Source;
use crate::domain::text::Lang;
use crate::domain::text::escape_markup as esc;
use crate::report::small::{self, cell};
use crate::report::svg::{Bar, bars};
use crate::storage::read::{self, SessionRow};
use crate::storage::{StorageError, time};
use rusqlite::Connection;
use std::collections::{BTreeMap, HashMap};

/// How to build the report.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The language of the page and its charts.
    pub lang: Lang,
    /// Count simulated sessions too (and say so on every chart).
    pub include_simulated: bool,
}

/// A built report.
#[derive(Clone, Debug)]
pub struct Report {
    /// The HTML page.
    pub html: String,
    /// Each chart: (file name, SVG).
    pub charts: Vec<(String, String)>,
    /// Sessions counted.
    pub sessions: usize,
}

struct L {
    lang: Lang,
}

impl L {
    fn t<'a>(&self, fr: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(fr, en)
    }

    fn context(&self, id: &str) -> String {
        match (id, self.lang) {
            ("tout_public", Lang::Fr) => "Tout public",
            ("tout_public", Lang::En) => "General public",
            ("college", Lang::Fr) => "Classe de collège",
            ("college", Lang::En) => "Middle-school class",
            ("lycee", Lang::Fr) => "Classe de lycée",
            ("lycee", Lang::En) => "High-school class",
            ("mission_locale", Lang::Fr) => "Groupe Mission Locale",
            ("mission_locale", Lang::En) => "Mission Locale group",
            ("france_travail", Lang::Fr) => "Groupe France Travail",
            ("france_travail", Lang::En) => "France Travail group",
            (_, Lang::Fr) => "Autre",
            (_, Lang::En) => "Other",
        }
        .into()
    }

    fn situation(&self, id: &str) -> String {
        match (id, self.lang) {
            ("college", Lang::Fr) => "Au collège",
            ("college", Lang::En) => "At middle school",
            ("lycee", Lang::Fr) => "Au lycée",
            ("lycee", Lang::En) => "At high school",
            ("etudes", Lang::Fr) => "En études",
            ("etudes", Lang::En) => "Studying",
            ("cherche_emploi", Lang::Fr) => "Cherche un emploi",
            ("cherche_emploi", Lang::En) => "Looking for a job",
            ("travaille", Lang::Fr) => "Travaille",
            ("travaille", Lang::En) => "Working",
            ("autre", Lang::Fr) => "Autre",
            ("autre", Lang::En) => "Other",
            (_, Lang::Fr) => "Préfère ne pas dire",
            (_, Lang::En) => "Prefers not to say",
        }
        .into()
    }

    fn age(&self, id: &str) -> String {
        match (id, self.lang) {
            ("moins_16", Lang::Fr) => "Moins de 16 ans",
            ("moins_16", Lang::En) => "Under 16",
            ("16_25", Lang::Fr) => "16–25 ans",
            ("16_25", Lang::En) => "16–25",
            ("26_44", Lang::Fr) => "26–44 ans",
            ("26_44", Lang::En) => "26–44",
            ("45_plus", Lang::Fr) => "45 ans et plus",
            ("45_plus", Lang::En) => "45 and over",
            (_, Lang::Fr) => "Non précisé",
            (_, Lang::En) => "Not given",
        }
        .into()
    }
}

const SITUATIONS: [&str; 7] = [
    "college",
    "lycee",
    "etudes",
    "cherche_emploi",
    "travaille",
    "autre",
    "non_dit",
];
const AGES: [&str; 5] = ["moins_16", "16_25", "26_44", "45_plus", "non_dit"];
const CONTEXTS: [&str; 6] = [
    "tout_public",
    "college",
    "lycee",
    "mission_locale",
    "france_travail",
    "autre",
];

fn count_by<'a>(
    rows: &'a [SessionRow],
    key: impl Fn(&'a SessionRow) -> String,
) -> BTreeMap<String, i64> {
    let mut m = BTreeMap::new();
    for r in rows {
        *m.entry(key(r)).or_insert(0) += 1;
    }
    m
}

/// A cross-tabulation as an HTML table, every cell under the small-counts rule.
fn crosstab(title: &str, rows: &[(String, Vec<i64>)], cols: &[String]) -> String {
    let mut s = format!("<h3>{}</h3><table><tr><th></th>", esc(title));
    for c in cols {
        s.push_str(&format!("<th>{}</th>", esc(c)));
    }
    s.push_str("</tr>");
    for (label, cells) in rows {
        s.push_str(&format!("<tr><th>{}</th>", esc(label)));
        for n in cells {
            s.push_str(&format!("<td>{}</td>", esc(&cell(*n))));
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
    s
}

fn fmt_duration(ms: i64) -> String {
    let s = ms / 1000;
    format!("{} min {:02} s", s / 60, s % 60)
}

/// What the report reads: the sessions counted, in tour order, and three aggregates of
/// their steps, profiles and trades (a warehouse computes these itself).
#[derive(Clone, Debug, Default)]
pub struct Data {
    /// [`read::sessions`] of the sources counted.
    pub sessions: Vec<SessionRow>,
    /// [`read::step_reach`].
    pub reach: Vec<read::StepReach>,
    /// [`read::readings`].
    pub readings: Vec<(String, String, i64)>,
    /// [`read::matched_trades`].
    pub matched: Vec<(String, i64)>,
}

/// The sources a report counts.
pub fn sources(o: &Options) -> Vec<Source> {
    if o.include_simulated {
        vec![Source::Visitor, Source::Simulated]
    } else {
        vec![Source::Visitor]
    }
}

/// Builds the report from a tour log.
pub fn build(conn: &Connection, o: &Options) -> Result<Report, StorageError> {
    let sources = sources(o);
    let data = Data {
        sessions: read::sessions(conn, &sources)?,
        reach: read::step_reach(conn, &sources)?,
        readings: read::readings(conn, &sources)?,
        matched: read::matched_trades(conn, &sources)?,
    };
    Ok(build_from(data, o))
}

/// Builds the report from what it reads.
pub fn build_from(data: Data, o: &Options) -> Report {
    let l = L { lang: o.lang };
    let stamp = o.include_simulated.then(|| {
        l.t("données simulées", "simulated data (données simulées)")
            .to_owned()
    });
    let stamp = stamp.as_deref();
    let rows = data.sessions;
    let mut charts: Vec<(String, String, String)> = vec![];
    let mut chart = |name: &str, title: &str, b: Vec<Bar>, note: String| {
        charts.push((name.to_owned(), bars(title, &b, stamp), note));
    };

    // Visits per stop, day, hour, context.
    let mut stops: Vec<String> = vec![];
    for r in &rows {
        let s = r.stop.clone().unwrap_or_else(|| "—".into());
        if !stops.contains(&s) {
            stops.push(s);
        }
    }
    let per_stop = count_by(&rows, |r| r.stop.clone().unwrap_or_else(|| "—".into()));
    chart(
        "visites-par-etape",
        l.t("Sessions par étape de la tournée", "Sessions per tour stop"),
        stops
            .iter()
            .map(|s| Bar::count(s.clone(), per_stop[s]))
            .collect(),
        String::new(),
    );
    let per_day = count_by(&rows, |r| time::paris_day_hour(r.started_ms()).0);
    chart(
        "visites-par-jour",
        l.t("Sessions par jour", "Sessions per day"),
        per_day
            .iter()
            .map(|(d, n)| Bar::count(d.clone(), *n))
            .collect(),
        String::new(),
    );
    let per_hour = count_by(&rows, |r| {
        format!("{:02} h", time::paris_day_hour(r.started_ms()).1)
    });
    chart(
        "visites-par-heure",
        l.t(
            "Sessions par heure de la journée",
            "Sessions per hour of the day",
        ),
        per_hour
            .iter()
            .map(|(h, n)| Bar::count(h.clone(), *n))
            .collect(),
        String::new(),
    );
    let per_ctx = count_by(&rows, |r| r.context.clone());
    chart(
        "visites-par-contexte",
        l.t(
            "Sessions par contexte de visite",
            "Sessions by visit context",
        ),
        CONTEXTS
            .iter()
            .map(|c| Bar::count(l.context(c), per_ctx.get(*c).copied().unwrap_or(0)))
            .collect(),
        String::new(),
    );

    // Completion and drop-off per step, per scenario.
    let reach = data.reach;
    let per_scenario = count_by(&rows, |r| r.scenario.clone());
    let mut completed: BTreeMap<String, i64> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.outcome.as_deref() == Some("completed"))
    {
        *completed.entry(r.scenario.clone()).or_insert(0) += 1;
    }
    for (sc, total) in &per_scenario {
        let done = completed.get(sc).copied().unwrap_or(0);
        let b: Vec<Bar> = reach
            .iter()
            .filter(|x| &x.scenario == sc)
            .map(|x| {
                let mut bar = Bar::count(
                    format!("{}. {}", x.step + 1, x.step_id.clone().unwrap_or_default()),
                    x.reached,
                );
                bar.text = format!(
                    "{} · {} {}",
                    cell(x.reached),
                    l.t("arrêts :", "drop-offs:"),
                    cell(x.dropped)
                );
                bar
            })
            .collect();
        let rate = small::percent(done, *total)
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        chart(
            &format!("etapes-{sc}"),
            &format!(
                "{} « {sc} » : {} {}, {} {}{rate}",
                l.t("Parcours", "Journey"),
                cell(*total),
                l.t("sessions", "sessions"),
                cell(done),
                l.t("terminées", "completed")
            ),
            b,
            String::new(),
        );
    }

    // Median time per scenario (monotonic clock, completed sessions).
    let mut durations: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| r.outcome.as_deref() == Some("completed"))
    {
        if let Some(d) = r.duration_ms() {
            durations.entry(r.scenario.clone()).or_default().push(d);
        }
    }
    chart(
        "duree-mediane",
        l.t(
            "Durée médiane d'une session terminée",
            "Median time of a completed session",
        ),
        durations
            .iter_mut()
            .map(|(sc, d)| {
                d.sort_unstable();
                if small::averaged(d.len()) {
                    let m = d[d.len() / 2];
                    Bar {
                        label: sc.clone(),
                        value: m as f64,
                        text: format!(
                            "{} ({} {})",
                            fmt_duration(m),
                            cell(d.len() as i64),
                            l.t("sessions", "sessions")
                        ),
                    }
                } else {
                    Bar {
                        label: sc.clone(),
                        value: 0.0,
                        text: format!(
                            "{} {} sessions",
                            l.t("non affichée : moins de", "not shown: fewer than"),
                            small::MIN_AVERAGED
                        ),
                    }
                }
            })
            .collect(),
        String::new(),
    );

    // Self-declared situation and age band.
    let sit = count_by(&rows, |r| r.situation.clone());
    chart(
        "situations",
        l.t("Situation déclarée", "Self-declared situation"),
        SITUATIONS
            .iter()
            .map(|s| Bar::count(l.situation(s), sit.get(*s).copied().unwrap_or(0)))
            .collect(),
        String::new(),
    );
    let age = count_by(&rows, |r| r.age_band.clone());
    chart(
        "tranches-age",
        l.t("Tranche d'âge déclarée", "Self-declared age band"),
        AGES.iter()
            .map(|s| Bar::count(l.age(s), age.get(*s).copied().unwrap_or(0)))
            .collect(),
        String::new(),
    );

    // Strongest areas.
    let mut areas: HashMap<char, i64> = HashMap::new();
    let (mut flat, mut few) = (0, 0);
    for (reading, strongest, n) in data.readings {
        match reading.as_str() {
            "strengths" => {
                for c in strongest.chars() {
                    *areas.entry(c).or_insert(0) += n;
                }
            }
            "no_clear_preference" => flat += n,
            _ => few += n,
        }
    }
    let mut b: Vec<Bar> = Area::ALL
        .iter()
        .map(|a| {
            let v = a.verb();
            let name = if o.lang == Lang::En {
                v.en.clone().unwrap_or(v.fr.clone())
            } else {
                v.fr.clone()
            };
            Bar::count(
                format!("{} ({})", name, a.letter()),
                areas.get(&a.letter()).copied().unwrap_or(0),
            )
        })
        .collect();
    b.push(Bar::count(
        l.t("pas de préférence nette", "no clear preference"),
        flat,
    ));
    b.push(Bar::count(
        l.t("trop peu de réponses", "too few answers"),
        few,
    ));
    chart(
        "domaines-forts",
        l.t(
            "Domaines les plus forts des profils",
            "Strongest areas of the profiles",
        ),
        b,
        String::new(),
    );

    // Trades: most matched, most explored.
    let matched = data.matched;
    chart(
        "metiers-proposes",
        l.t(
            "Métiers les plus proposés (parmi les 3 premiers)",
            "Most-matched trades (top 3)",
        ),
        matched
            .iter()
            .take(12)
            .map(|(t, n)| Bar::count(t.clone(), *n))
            .collect(),
        String::new(),
    );
    let mut explored: Vec<(String, i64)> = count_by(
        &rows
            .iter()
            .filter(|r| r.trade.is_some())
            .cloned()
            .collect::<Vec<_>>(),
        |r| r.trade.clone().unwrap_or_default(),
    )
    .into_iter()
    .collect();
    explored.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chart(
        "metiers-explores",
        l.t(
            "Métiers les plus explorés (immersions)",
            "Most-explored trades (immersions)",
        ),
        explored
            .iter()
            .take(12)
            .map(|(t, n)| Bar::count(t.clone(), *n))
            .collect(),
        String::new(),
    );

    // Journeys across stations through pass ids.
    let mut by_pass: HashMap<&str, Vec<&SessionRow>> = HashMap::new();
    for r in &rows {
        if let Some(p) = &r.pass_id {
            by_pass.entry(p).or_default().push(r);
        }
    }
    let mut spread: BTreeMap<usize, i64> = BTreeMap::new();
    let mut moves: HashMap<(String, String), i64> = HashMap::new();
    for list in by_pass.values_mut() {
        list.sort_by_key(|r| (r.started_ms(), r.station.clone(), r.seq));
        let mut st: Vec<&str> = list.iter().map(|r| r.station.as_str()).collect();
        for w in st.windows(2) {
            if w[0] != w[1] {
                *moves.entry((w[0].to_owned(), w[1].to_owned())).or_insert(0) += 1;
            }
        }
        st.sort_unstable();
        st.dedup();
        *spread.entry(st.len().min(4)).or_insert(0) += 1;
    }
    chart(
        "parcours-pass",
        l.t(
            "Pass visiteurs selon le nombre de bornes visitées",
            "Visitor passes by number of stations visited",
        ),
        spread
            .iter()
            .map(|(k, n)| Bar::count(if *k >= 4 { "4+".into() } else { k.to_string() }, *n))
            .collect(),
        String::new(),
    );
    let mut mv: Vec<_> = moves.into_iter().collect();
    mv.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    chart(
        "enchainements",
        l.t(
            "Enchaînements de bornes les plus fréquents (pass)",
            "Most frequent station sequences (passes)",
        ),
        mv.iter()
            .take(12)
            .map(|((a, b), n)| Bar::count(format!("{a} → {b}"), *n))
            .collect(),
        String::new(),
    );

    // Cross-tabulations.
    let mut tabs = String::new();
    let sit_age: Vec<(String, Vec<i64>)> = SITUATIONS
        .iter()
        .map(|s| {
            (
                l.situation(s),
                AGES.iter()
                    .map(|a| {
                        rows.iter()
                            .filter(|r| r.situation == *s && r.age_band == *a)
                            .count() as i64
                    })
                    .collect(),
            )
        })
        .collect();
    tabs.push_str(&crosstab(
        l.t("Situation × tranche d'âge", "Situation × age band"),
        &sit_age,
        &AGES.iter().map(|a| l.age(a)).collect::<Vec<_>>(),
    ));
    let ctx_stop: Vec<(String, Vec<i64>)> = CONTEXTS
        .iter()
        .map(|c| {
            (
                l.context(c),
                stops
                    .iter()
                    .map(|s| {
                        rows.iter()
                            .filter(|r| {
                                r.context == *c
                                    && r.stop.clone().unwrap_or_else(|| "—".into()) == *s
                            })
                            .count() as i64
                    })
                    .collect(),
            )
        })
        .collect();
    tabs.push_str(&crosstab(
        l.t("Contexte de visite × étape", "Visit context × stop"),
        &ctx_stop,
        &stops,
    ));

    // The page.
    let total = rows.len() as i64;
    let done_all = rows
        .iter()
        .filter(|r| r.outcome.as_deref() == Some("completed"))
        .count() as i64;
    let mut stations: Vec<&str> = rows.iter().map(|r| r.station.as_str()).collect();
    stations.sort_unstable();
    stations.dedup();
    let period = match (per_day.keys().next(), per_day.keys().last()) {
        (Some(a), Some(b)) => format!("{a} → {b}"),
        _ => "—".into(),
    };
    let mut html = format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><title>{title}</title><style>\
body{{font-family:'DejaVu Sans',Arial,sans-serif;max-width:820px;margin:2em auto;color:#222}}\
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #bbb;padding:3px 8px;text-align:right}}\
th{{background:#f2f2f2}}.note{{background:#fff6d6;padding:.8em;border-left:4px solid #e0b000}}\
.sim{{background:#fde2e0;padding:.8em;border-left:4px solid #c0392b;font-weight:bold}}figure{{margin:1.5em 0}}\
</style></head><body><h1>{title}</h1>",
        lang = o.lang.code(),
        title = esc(l.t(
            "Le Klub extraordinaire — bilan de la tournée",
            "Le Klub extraordinaire — tour report"
        ))
    );
    if stamp.is_some() {
        html.push_str(&format!("<p class=\"sim\">{}</p>", esc(l.t(
            "Données simulées : ce rapport compte des sessions générées par klub simulate, pas de vrais visiteurs.",
            "Simulated data (données simulées): this report counts sessions generated by klub simulate, not real visitors.",
        ))));
    }
    html.push_str(&format!(
        "<p class=\"note\">{}</p><ul><li>{}: {}</li><li>{}: {}</li><li>{}: {}</li><li>{}: {}</li></ul>",
        esc(&format!(
            "{} {}",
            l.t(
                "Ces chiffres comptent des sessions, pas des personnes : une même personne peut faire plusieurs bornes ou plusieurs parcours. Seules les sessions de visiteurs sont comptées (ni répétitions, ni rejeux).",
                "These figures count sessions, not people: one person can visit several stations or play several scenarios. Only visitor sessions are counted (no rehearsals, no replays).",
            ),
            small::note(o.lang)
        )),
        l.t("Sessions", "Sessions"), esc(&cell(total)),
        l.t("Sessions terminées", "Completed sessions"), esc(&cell(done_all)),
        l.t("Période", "Period"), esc(&period),
        l.t("Bornes", "Stations"), esc(&stations.join(", ")),
    ));
    for (_, svg, note) in &charts {
        html.push_str("<figure>");
        html.push_str(svg);
        if !note.is_empty() {
            html.push_str(&format!("<figcaption>{}</figcaption>", esc(note)));
        }
        html.push_str("</figure>");
    }
    html.push_str(&tabs);
    html.push_str("</body></html>\n");
    Report {
        html,
        charts: charts.into_iter().map(|(n, s, _)| (n, s)).collect(),
        sessions: rows.len(),
    }
}

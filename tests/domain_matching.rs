//! Matching and the bundled talents scenario: each letter is reachable, none is favoured.

mod support;

use klub_kiosk::content::set::ContentSet;
use klub_kiosk::domain::dimension::{Area, Dim};
use klub_kiosk::domain::matching::{match_score, top_trades};
use klub_kiosk::domain::scenario::StepBody;
use klub_kiosk::domain::scoring::{Answer, DimScore, Profile};
use klub_kiosk::domain::session::{Session, SessionId, Source};
use klub_kiosk::domain::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use support::sticks::bundled_content;

/// Plays the talents scenario through the session, answering with `pick`.
fn play(
    set: &ContentSet,
    id: &str,
    seed: u64,
    mut pick: impl FnMut(&StepBody) -> Option<Answer>,
) -> (Profile, Session) {
    let sc = set.scenario(id).expect("scenario");
    let mut sid = [0u8; 16];
    sid[..8].copy_from_slice(&seed.to_le_bytes());
    let (mut s, _) = Session::start(sc, SessionId(sid), Source::Simulated, Lang::Fr, 0);
    let mut now = 0;
    while let Some(i) = s.current() {
        now += 1000;
        match pick(&sc.steps[i].body) {
            Some(a) => s.answer(sc, a, now).expect("valid answer"),
            None => s.skip(sc, now).expect("skip"),
        };
    }
    s.complete().expect("complete");
    (s.profile(sc, set.skills.len()), s)
}

fn likes_only(area: Area) -> impl FnMut(&StepBody) -> Option<Answer> {
    move |body| match body {
        StepBody::Info { .. } => Some(Answer::Seen),
        StepBody::Scale {
            points, weights, ..
        } => {
            let on = weights.get(Dim::Area(area)) > 0;
            Some(Answer::Scale(if on { points - 1 } else { 0 }))
        }
        b if b.is_game() => {
            // A game that bears on several areas is a mixed item: "Tu as aimé ?" is skipped.
            let w = b.enjoy().map(|w| w.0.clone()).unwrap_or_default();
            let on = w.iter().filter(|(d, _)| *d == Dim::Area(area)).count();
            let enjoy = match (on, w.len()) {
                (0, _) => Some(0),
                (n, len) if n == len => Some(2),
                _ => None,
            };
            Some(Answer::Game {
                found: 0,
                total: 0,
                enjoy,
            })
        }
        _ => None,
    }
}

#[test]
fn a_visitor_who_likes_one_area_gets_trades_of_that_letter_first() {
    let set = bundled_content();
    for area in Area::ALL {
        let (profile, s) = play(&set, "talents", 1, likes_only(area));
        assert_eq!(profile.ranked_areas(s.id.seed())[0], area);
        let n = set
            .catalogue
            .trades
            .iter()
            .filter(|t| t.major == area)
            .count();
        assert!(n >= 6, "at least 6 trades of major {}", area.letter());
        let top = top_trades(&profile, &set.catalogue, &set.skills, n, s.id.seed());
        for m in &top {
            let t = &set.catalogue.trades[m.trade];
            assert_eq!(
                t.major,
                area,
                "{} ranks {} ({}) among the first {n}",
                area.letter(),
                t.id,
                t.major.letter()
            );
        }
    }
}

#[test]
fn match_score_follows_the_documented_formula() {
    let set = bundled_content();
    let t = set
        .catalogue
        .trades
        .iter()
        .find(|t| t.minor.is_none() && !t.savoir_etre.is_empty())
        .expect("a trade without minor");
    // Visitor scores exactly the trade's letter vector shape: correlation 1.
    let mut p = Profile {
        areas: [DimScore {
            score: 0,
            evidence: 1,
        }; 6],
        skills: vec![DimScore::default(); set.skills.len()],
    };
    p.areas[t.major.index()].score = 100;
    assert!(
        (match_score(&p, t) - 0.8).abs() < 1e-5,
        "riasec part only: {}",
        match_score(&p, t)
    );
    for s in &t.savoir_etre {
        p.skills[usize::from(*s)] = DimScore {
            score: 100,
            evidence: 1,
        };
    }
    assert!((match_score(&p, t) - 1.0).abs() < 1e-5);
    // Flat visitor: correlation undefined, riasec part 0.5.
    let flat = Profile {
        areas: [DimScore {
            score: 60,
            evidence: 1,
        }; 6],
        skills: vec![],
    };
    assert!((match_score(&flat, t) - 0.4).abs() < 1e-5);
}

#[test]
fn reasons_name_a_liking_and_a_put_forward_skill() {
    let set = bundled_content();
    let (profile, s) = play(&set, "talents", 3, |body| match body {
        StepBody::Info { .. } => Some(Answer::Seen),
        StepBody::Scale { points, .. } => Some(Answer::Scale(points - 1)),
        StepBody::Choice { .. } => Some(Answer::Choice(0)),
        _ => None,
    });
    let top = top_trades(&profile, &set.catalogue, &set.skills, 3, s.id.seed());
    assert_eq!(top.len(), 3);
    for m in top {
        assert!(m.reason.fr.starts_with("Tu aimes "), "{}", m.reason.fr);
        assert!(
            m.reason
                .en
                .as_deref()
                .is_some_and(|e| e.starts_with("You like "))
        );
        assert!(
            !m.reason.fr.chars().any(|c| c.is_ascii_digit()),
            "no numbers shown: {}",
            m.reason.fr
        );
    }
}

#[test]
fn random_visitors_favour_no_letter() {
    let set = bundled_content();
    let mut rng = StdRng::seed_from_u64(20261128);
    let runs = 10_000;
    let mut firsts = [0u32; 6];
    for _ in 0..runs {
        let seed: u64 = rng.random();
        let (profile, s) = play(&set, "talents", seed, |body| match body {
            StepBody::Info { .. } => Some(Answer::Seen),
            StepBody::Scale { points, .. } => Some(Answer::Scale(rng.random_range(0..*points))),
            StepBody::Choice { options, .. } => {
                Some(Answer::Choice(rng.random_range(0..options.len())))
            }
            StepBody::Multi { options, min, .. } => Some(Answer::Multi(
                (0..usize::from(*min).max(1).min(options.len())).collect(),
            )),
            b if b.is_game() => Some(Answer::Game {
                found: 1,
                total: 2,
                enjoy: Some(rng.random_range(0..3)),
            }),
            _ => None,
        });
        firsts[profile.ranked_areas(s.id.seed())[0].index()] += 1;
    }
    for area in Area::ALL {
        let share = f64::from(firsts[area.index()]) / f64::from(runs);
        assert!(
            (0.10..=0.25).contains(&share),
            "{} first in {:.1} % of runs: {firsts:?}",
            area.letter(),
            share * 100.0
        );
    }
}

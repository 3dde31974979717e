//! Scoring, profile readings and merging, on hand-computed examples.

use klub_kiosk::domain::dimension::{Area, Dim, Weights};
use klub_kiosk::domain::scenario::{Kind, Opt, Scenario, Step, StepBody};
use klub_kiosk::domain::scoring::{Answer, DimScore, Profile, Reading, score};
use klub_kiosk::domain::text::Text;

/// The profile after one game step answered.
fn played(sc: &Scenario, found: u16, total: u16, enjoy: Option<u8>) -> Profile {
    score(
        sc,
        0,
        &[(
            0,
            Answer::Game {
                found,
                total,
                enjoy,
            },
        )],
    )
}

fn t(s: &str) -> Text {
    Text::new(s, s, s)
}

fn w(pairs: &[(Dim, u8)]) -> Weights {
    Weights(pairs.to_vec())
}

const R: Dim = Dim::Area(Area::Faire);
const S: Dim = Dim::Area(Area::Aider);

fn step(id: &str, body: StepBody) -> Step {
    Step {
        id: id.into(),
        image: None,
        sound: None,
        next: None,
        body,
    }
}

fn opt(id: &str, weights: Weights) -> Opt {
    Opt {
        id: id.into(),
        label: t(id),
        weights,
        next: None,
    }
}

fn scenario(steps: Vec<Step>) -> Scenario {
    Scenario {
        id: "test".into(),
        kind: Kind::Talents,
        title: t("test"),
        duration_minutes: 5,
        trade: None,
        ambient: None,
        reviewed_by: String::new(),
        steps,
    }
}

fn scale(id: &str, weights: Weights) -> Step {
    step(
        id,
        StepBody::Scale {
            statement: t(id),
            points: 5,
            weights,
        },
    )
}

#[test]
fn choice_scores_points_over_the_best_option() {
    let sc = scenario(vec![step(
        "c",
        StepBody::Choice {
            question: t("q"),
            options: vec![
                opt("a", w(&[(R, 2)])),
                opt("b", w(&[(R, 1), (S, 1)])),
                opt("c", w(&[(S, 2)])),
            ],
        },
    )]);
    let p = score(&sc, 0, &[(0, Answer::Choice(1))]);
    // faire: 1 of a best 2; aider: 1 of a best 2.
    assert_eq!(
        p.area(Area::Faire),
        DimScore {
            score: 50,
            evidence: 1
        }
    );
    assert_eq!(
        p.area(Area::Aider),
        DimScore {
            score: 50,
            evidence: 1
        }
    );
    assert_eq!(
        p.area(Area::Creer),
        DimScore {
            score: 0,
            evidence: 0
        }
    );
}

#[test]
fn multi_scores_over_the_best_allowed_picks() {
    let sc = scenario(vec![step(
        "m",
        StepBody::Multi {
            question: t("q"),
            options: vec![
                opt("a", w(&[(R, 2)])),
                opt("b", w(&[(R, 1)])),
                opt("c", w(&[(R, 3)])),
            ],
            min: 1,
            max: 2,
        },
    )]);
    // Best two picks give 3 + 2 = 5; a and b give 2 + 1 = 3: 60 %.
    let p = score(&sc, 0, &[(0, Answer::Multi(vec![0, 1]))]);
    assert_eq!(
        p.area(Area::Faire),
        DimScore {
            score: 60,
            evidence: 1
        }
    );
}

#[test]
fn scale_points_map_to_quarters_of_the_weight() {
    let sc = scenario(vec![scale("s", w(&[(R, 2)]))]);
    for (point, expected) in [(0, 0), (1, 25), (2, 50), (3, 75), (4, 100)] {
        let p = score(&sc, 0, &[(0, Answer::Scale(point))]);
        assert_eq!(p.area(Area::Faire).score, expected, "point {point}");
    }
    let three = scenario(vec![step(
        "s3",
        StepBody::Scale {
            statement: t("s"),
            points: 3,
            weights: w(&[(R, 1)]),
        },
    )]);
    assert_eq!(
        score(&three, 0, &[(0, Answer::Scale(1))])
            .area(Area::Faire)
            .score,
        50
    );
    // Out of range counts for nothing.
    assert_eq!(
        score(&three, 0, &[(0, Answer::Scale(3))])
            .area(Area::Faire)
            .evidence,
        0
    );
}

#[test]
fn a_skip_is_not_a_neutral_answer() {
    let sc = scenario(vec![scale("a", w(&[(R, 1)])), scale("b", w(&[(R, 1)]))]);
    // One "j'adore", one skipped: 100 % on one item, not 75 % over two.
    let p = score(&sc, 0, &[(0, Answer::Scale(4))]);
    assert_eq!(
        p.area(Area::Faire),
        DimScore {
            score: 100,
            evidence: 1
        }
    );
}

#[test]
fn games_count_only_through_did_you_enjoy_it() {
    let game = StepBody::Timed {
        prompt: t("g"),
        seconds: 20,
        bins: vec![],
        items: vec![],
        enjoy: w(&[(Dim::Area(Area::Organiser), 2)]),
    };
    let sc = scenario(vec![step("g", game)]);
    // A perfect game that the visitor only liked "un peu": 50 %.
    let p = played(&sc, 9, 9, Some(1));
    assert_eq!(
        p.area(Area::Organiser),
        DimScore {
            score: 50,
            evidence: 1
        }
    );
    // A failed game that the visitor loved: 100 %.
    let p = played(&sc, 0, 9, Some(2));
    assert_eq!(p.area(Area::Organiser).score, 100);
    // "Tu as aimé ?" skipped: no evidence at all.
    let p = played(&sc, 9, 9, None);
    assert_eq!(p.area(Area::Organiser).evidence, 0);
}

#[test]
fn soft_skills_are_scored_like_areas() {
    let sc = scenario(vec![step(
        "sit",
        StepBody::Choice {
            question: t("q"),
            options: vec![
                opt("a", w(&[(Dim::Skill(0), 2)])),
                opt("b", w(&[(Dim::Skill(1), 2)])),
            ],
        },
    )]);
    let p = score(&sc, 2, &[(0, Answer::Choice(1))]);
    assert_eq!(
        p.skills,
        vec![
            DimScore {
                score: 0,
                evidence: 1
            },
            DimScore {
                score: 100,
                evidence: 1
            }
        ]
    );
    assert_eq!(p.top_skills(3), vec![1]);
}

fn profile(scores: [u8; 6], evidence: u16) -> Profile {
    Profile {
        areas: scores.map(|score| DimScore { score, evidence }),
        skills: vec![],
    }
}

#[test]
fn too_few_answers_and_flat_answers_are_different_readings() {
    assert_eq!(
        profile([90, 10, 10, 10, 10, 10], 0).reading(),
        Reading::TooFewAnswers
    );
    // Five answered items in all: still too few.
    let mut p = profile([90, 0, 0, 0, 0, 0], 0);
    p.areas[0].evidence = 5;
    assert_eq!(p.reading(), Reading::TooFewAnswers);
    assert_eq!(
        profile([50, 50, 55, 45, 50, 52], 2).reading(),
        Reading::NoClearPreference
    );
    assert_eq!(profile([100; 6], 2).reading(), Reading::NoClearPreference);
}

#[test]
fn strengths_show_the_two_strongest_and_ties_as_ties() {
    use Area::*;
    assert_eq!(
        profile([90, 70, 10, 10, 10, 10], 2).reading(),
        Reading::Strengths(vec![vec![Faire], vec![Chercher]])
    );
    assert_eq!(
        profile([90, 10, 90, 10, 10, 10], 2).reading(),
        Reading::Strengths(vec![vec![Faire, Creer]])
    );
    assert_eq!(
        profile([90, 60, 10, 60, 10, 10], 2).reading(),
        Reading::Strengths(vec![vec![Faire], vec![Chercher, Aider]])
    );
    // Three tied second: only the first is said.
    assert_eq!(
        profile([90, 60, 60, 60, 10, 10], 2).reading(),
        Reading::Strengths(vec![vec![Faire]])
    );
}

#[test]
fn merging_takes_means_weighted_by_evidence() {
    let a = Profile {
        areas: [DimScore {
            score: 100,
            evidence: 1,
        }; 6],
        skills: vec![DimScore {
            score: 0,
            evidence: 0,
        }],
    };
    let b = Profile {
        areas: [DimScore {
            score: 40,
            evidence: 3,
        }; 6],
        skills: vec![DimScore {
            score: 80,
            evidence: 2,
        }],
    };
    let m = a.merge(&b);
    // (100 × 1 + 40 × 3) / 4 = 55.
    assert_eq!(
        m.areas[0],
        DimScore {
            score: 55,
            evidence: 4
        }
    );
    assert_eq!(
        m.skills[0],
        DimScore {
            score: 80,
            evidence: 2
        }
    );
    assert_eq!(
        a.merge(&Profile::default()).areas[0],
        DimScore {
            score: 100,
            evidence: 1
        }
    );
}

#[test]
fn ranked_areas_break_ties_by_seed_not_by_order() {
    let p = profile([50; 6], 2);
    let firsts: std::collections::HashSet<Area> =
        (0..200u64).map(|seed| p.ranked_areas(seed)[0]).collect();
    assert_eq!(firsts.len(), 6, "every area comes first for some seed");
    assert_eq!(profile([10, 20, 30, 40, 50, 60], 2).holland_code(7), "CES");
}

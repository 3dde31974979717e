//! The session state machine: start, answer, skip, back, complete and the four outcomes.

use klub_kiosk::domain::dimension::{Area, Dim, Weights};
use klub_kiosk::domain::scenario::{Kind, Next, Opt, Scenario, Step, StepBody};
use klub_kiosk::domain::scoring::Answer;
use klub_kiosk::domain::session::{Event, Outcome, Session, SessionError, SessionId, Source};
use klub_kiosk::domain::text::{Lang, Text};

fn t(s: &str) -> Text {
    Text::new(s, s, s)
}

fn scale(id: &str) -> Step {
    Step {
        id: id.into(),
        image: None,
        sound: None,
        next: None,
        body: StepBody::Scale {
            statement: t(id),
            points: 5,
            weights: Weights(vec![(Dim::Area(Area::Faire), 1)]),
        },
    }
}

/// 0: choice (a → 2, b → default 1); 1: scale; 2: scale.
fn branching() -> Scenario {
    let opt = |id: &str, next| Opt {
        id: id.into(),
        label: t(id),
        weights: Weights::default(),
        next,
    };
    let choice = Step {
        id: "c".into(),
        image: None,
        sound: None,
        next: None,
        body: StepBody::Choice {
            question: t("q"),
            options: vec![opt("a", Some(Next::Step(2))), opt("b", None)],
        },
    };
    Scenario {
        id: "s".into(),
        kind: Kind::Talents,
        title: t("s"),
        duration_minutes: 1,
        trade: None,
        ambient: None,
        reviewed_by: String::new(),
        steps: vec![choice, scale("x"), scale("y")],
    }
}

fn start(sc: &Scenario) -> Session {
    let (s, ev) = Session::start(sc, SessionId([7; 16]), Source::Visitor, Lang::Fr, 0);
    assert_eq!(ev, vec![Event::Shown { step: 0 }]);
    s
}

#[test]
fn answers_follow_branches_and_record_time_on_step() {
    let sc = branching();
    let mut s = start(&sc);
    let ev = s.answer(&sc, Answer::Choice(0), 2500).expect("answer");
    assert_eq!(
        ev,
        vec![
            Event::Answered {
                step: 0,
                answer: Answer::Choice(0),
                ms: 2500
            },
            Event::Shown { step: 2 }
        ]
    );
    assert_eq!(s.current(), Some(2));
    s.answer(&sc, Answer::Scale(4), 3000).expect("answer");
    assert_eq!(s.current(), None);
    assert_eq!(
        s.complete().expect("complete"),
        vec![Event::Ended {
            outcome: Outcome::Completed
        }]
    );
    assert_eq!(s.outcome(), Some(Outcome::Completed));
    assert_eq!(s.answers().len(), 2);
}

#[test]
fn bad_answers_are_refused_without_moving() {
    let sc = branching();
    let mut s = start(&sc);
    assert_eq!(
        s.answer(&sc, Answer::Choice(5), 1),
        Err(SessionError::BadAnswer)
    );
    assert_eq!(
        s.answer(&sc, Answer::Scale(1), 1),
        Err(SessionError::BadAnswer)
    );
    assert_eq!(s.answer(&sc, Answer::Seen, 1), Err(SessionError::BadAnswer));
    assert_eq!(s.current(), Some(0));
}

#[test]
fn skip_moves_on_and_counts_for_nothing() {
    let sc = branching();
    let mut s = start(&sc);
    let ev = s.skip(&sc, 100).expect("skip");
    assert_eq!(
        ev,
        vec![
            Event::Skipped { step: 0, ms: 100 },
            Event::Shown { step: 1 }
        ]
    );
    s.skip(&sc, 200).expect("skip");
    s.answer(&sc, Answer::Scale(4), 300).expect("answer");
    assert_eq!(s.answers(), vec![(2, Answer::Scale(4))]);
    assert_eq!(s.profile(&sc, 0).area(Area::Faire).evidence, 1);
}

#[test]
fn back_returns_and_forgets_the_answer_until_given_again() {
    let sc = branching();
    let mut s = start(&sc);
    assert_eq!(s.back(0), Err(SessionError::NothingBack));
    s.answer(&sc, Answer::Choice(1), 10).expect("answer");
    s.answer(&sc, Answer::Scale(0), 20).expect("answer");
    assert_eq!(s.current(), Some(2));
    assert_eq!(
        s.back(30).expect("back"),
        vec![Event::Back { from: 2, to: 1 }, Event::Shown { step: 1 }]
    );
    assert_eq!(s.answers(), vec![(0, Answer::Choice(1))]);
    s.answer(&sc, Answer::Scale(4), 40).expect("answer");
    assert_eq!(
        s.answers(),
        vec![(0, Answer::Choice(1)), (1, Answer::Scale(4))]
    );
    // Back from the end too.
    s.answer(&sc, Answer::Scale(4), 50).expect("answer");
    assert_eq!(s.current(), None);
    s.back(60).expect("back from end");
    assert_eq!(s.current(), Some(2));
}

#[test]
fn complete_only_at_the_end_and_each_outcome_ends_once() {
    let sc = branching();
    let mut s = start(&sc);
    assert_eq!(s.complete(), Err(SessionError::NotAtEnd));
    for outcome in [
        Outcome::Abandoned,
        Outcome::IdleTimeout,
        Outcome::Interrupted,
    ] {
        let mut s = start(&sc);
        assert_eq!(s.end(outcome).expect("end"), vec![Event::Ended { outcome }]);
        assert_eq!(s.outcome(), Some(outcome));
        assert_eq!(
            s.answer(&sc, Answer::Choice(0), 1),
            Err(SessionError::Ended)
        );
        assert_eq!(s.skip(&sc, 1), Err(SessionError::Ended));
        assert_eq!(s.back(1), Err(SessionError::Ended));
        assert_eq!(s.end(Outcome::Abandoned), Err(SessionError::Ended));
    }
    s.answer(&sc, Answer::Choice(0), 1).expect("answer");
    s.answer(&sc, Answer::Scale(1), 2).expect("answer");
    assert_eq!(s.answer(&sc, Answer::Scale(1), 3), Err(SessionError::AtEnd));
    s.complete().expect("complete");
}

#[test]
fn ids_and_enums_round_trip() {
    for _ in 0..100 {
        let id = SessionId::random().unwrap();
        assert_eq!(SessionId::parse(&id.to_string()), Some(id));
    }
    assert_ne!(SessionId::random().unwrap(), SessionId::random().unwrap());
    for s in Source::ALL {
        assert_eq!(Source::parse(s.id()), Some(*s));
    }
    for o in Outcome::ALL {
        assert_eq!(Outcome::parse(o.id()), Some(*o));
    }
    assert_eq!(Outcome::IdleTimeout.id(), "idle_timeout");
}

#[test]
fn progress_counts_the_default_path() {
    let sc = branching();
    let mut s = start(&sc);
    assert_eq!(s.progress(&sc), (0, 3));
    s.answer(&sc, Answer::Choice(0), 1).expect("answer");
    assert_eq!(s.progress(&sc), (1, 2));
}

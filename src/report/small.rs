//! The small-counts rule, owned here and nowhere else: how a count, a percentage or an
//! average is shown in anything published from the logs (the report, its charts).
//!
//! Every count is rounded to the nearest multiple of [`STEP`], and a count of 1 to 4 is shown
//! as « < 5 » (0 stays 0). Shown counts are all multiples of 5, so no difference between two of
//! them ("30 sessions, 27 completed") can single out 1 to 4 people. Percentages are computed
//! from the rounded counts, and a mean or median over fewer than [`MIN_AVERAGED`] sessions is
//! not shown at all.

use crate::domain::text::Lang;

/// Every shown count is a multiple of this; under it, « < 5 ».
pub const STEP: i64 = 5;

/// A mean or median needs at least this many sessions to be shown.
pub const MIN_AVERAGED: usize = 10;

/// The text of a count under [`STEP`].
pub const FEW: &str = "< 5";

/// A count as shown: `Some(rounded)` (0 stays 0), or `None` for 1 to 4.
pub fn rounded(n: i64) -> Option<i64> {
    match n {
        ..=0 => Some(0),
        1..STEP => None,
        _ => Some((n + STEP / 2) / STEP * STEP),
    }
}

/// A count as text: the rounded number, or « < 5 ».
pub fn cell(n: i64) -> String {
    rounded(n).map_or_else(|| FEW.to_owned(), |r| r.to_string())
}

/// A count as a bar length: the rounded number, 0 for « < 5 », so the drawing tells no more
/// than the text beside it.
pub fn bar_length(n: i64) -> f64 {
    rounded(n).unwrap_or(0) as f64
}

/// `part` out of `whole` as « 83 % », computed from the rounded counts; `None` when either is
/// « < 5 » or the whole is 0.
pub fn percent(part: i64, whole: i64) -> Option<String> {
    match (rounded(part), rounded(whole)) {
        (Some(p), Some(w)) if w > 0 => Some(format!("{:.0} %", p as f64 * 100.0 / w as f64)),
        _ => None,
    }
}

/// Whether a mean or median over `n` sessions may be shown.
pub fn averaged(n: usize) -> bool {
    n >= MIN_AVERAGED
}

/// The rule in words, for the report's note.
pub fn note(lang: Lang) -> &'static str {
    if lang == Lang::En {
        "Every count is rounded to the nearest 5, and a count of 1 to 4 is shown as \"< 5\" (0 stays 0), so that no one can be singled out, even by subtracting two figures. Percentages are computed from the rounded counts. A mean or median over fewer than 10 sessions (time spent included) is not shown."
    } else {
        "Tout effectif est arrondi au multiple de 5 le plus proche, et un effectif de 1 à 4 est affiché « < 5 » (0 reste 0), pour que personne ne puisse être reconnu, même en soustrayant deux chiffres. Les pourcentages sont calculés sur les effectifs arrondis. Une moyenne ou une médiane portant sur moins de 10 sessions (durées comprises) n'est pas affichée."
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_rounded_to_five_and_one_to_four_hidden() {
        let cases = [
            (0, "0"),
            (1, "< 5"),
            (4, "< 5"),
            (5, "5"),
            (7, "5"),
            (8, "10"),
            (9, "10"),
            (12, "10"),
            (13, "15"),
            (19, "20"),
            (27, "25"),
            (30, "30"),
            (1_234, "1235"),
        ];
        for (n, shown) in cases {
            assert_eq!(cell(n), shown, "{n}");
        }
        assert_eq!(bar_length(3), 0.0);
        assert_eq!(bar_length(9), 10.0);
    }

    /// The subtraction attack: two shown counts never differ by 1 to 4.
    #[test]
    fn no_two_shown_counts_differ_by_one_to_four() {
        for a in 0..200 {
            for b in 0..=a {
                if let (Some(x), Some(y)) = (rounded(a), rounded(b)) {
                    assert!(!(1..STEP).contains(&(x - y)), "{a} → {x}, {b} → {y}");
                }
            }
        }
        // "30 sessions / 27 completed" no longer gives 3 unfinished.
        assert_eq!((cell(30), cell(27)), ("30".into(), "25".into()));
        // A funnel 10 → 9 → 8 shows the same count at every step.
        assert_eq!([cell(10), cell(9), cell(8)], ["10", "10", "10"]);
    }

    #[test]
    fn percentages_come_from_rounded_counts() {
        // 27 / 30 would be 90 %, which gives 27 back.
        assert_eq!(percent(27, 30).as_deref(), Some("83 %"));
        assert_eq!(percent(0, 30).as_deref(), Some("0 %"));
        assert_eq!(percent(3, 30), None);
        assert_eq!(percent(3, 4), None);
        assert_eq!(percent(0, 0), None);
    }

    #[test]
    fn averages_need_ten_sessions() {
        assert!(!averaged(9));
        assert!(averaged(10));
    }

    #[test]
    fn the_note_states_the_rule_in_both_languages() {
        for (lang, few, avg) in [
            (Lang::Fr, "« < 5 »", "moins de 10 sessions"),
            (Lang::En, "\"< 5\"", "fewer than 10 sessions"),
        ] {
            let n = note(lang);
            assert!(n.contains(few) && n.contains(avg), "{n}");
            assert!(n.contains(&format!("{STEP}")) && FEW == format!("< {STEP}"));
            assert!(avg.contains(&MIN_AVERAGED.to_string()));
        }
    }
}

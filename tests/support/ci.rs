//! Tests that need a tool or data set absent here: skipped with a note on a developer's
//! machine, failed under CI (`CI=true`) with the reason, so that CI never passes a test
//! that checked nothing.

#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

/// Whether this run is CI's: `CI` set to `true` (or `1`).
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// Called when `what` is missing: panics with `why` under CI; elsewhere prints that the
/// test is skipped and returns, and the caller returns too.
pub fn missing(what: &str, why: &str) {
    assert!(
        !under_ci(),
        "{what} manque sous CI=true : {why} / {what} is missing under CI=true: {why}"
    );
    eprintln!("test sauté, {what} manque / test skipped, {what} is missing: {why}");
}

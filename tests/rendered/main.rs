#![cfg(feature = "station")]
//! The real `klub-kiosk` binary under Xvfb and lavapipe, in one test binary (one build and
//! link): upkeep under systemd (`ops`) and replayed sessions (`replay`).

use std::sync::Mutex;

#[path = "../support/mod.rs"]
mod support;

mod ops;
mod replay;

/// One rendered station at a time: two lavapipe renderers on two cores would make the
/// timings and the memory peaks meaningless.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

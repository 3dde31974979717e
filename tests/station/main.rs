#![cfg(feature = "station")]
//! The headless station's tests, in one test binary (one build and link instead of
//! eight): real `DefaultPlugins` with no window and no GPU, driven by simulated touches
//! through `app::harness`. One module per topic. (`station_no_random` stays apart: its
//! seam is process-wide.)

#[path = "../escpos_support/mod.rs"]
mod escpos_support;
#[path = "../support/mod.rs"]
mod support;

mod controls;
mod demo_key;
mod facilitator;
mod glyphs;
mod ops;
mod replay;
mod soak;
mod start_up;
mod visitor;

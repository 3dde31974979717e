//! Helpers shared by the integration tests (`mod support;` in a test file), one module per
//! topic: tools that CI must have, station logs and the `klub` binary, reading exports back
//! as a spreadsheet would, hostile USB sticks, station folders and harnesses, and Xvfb.

#![allow(
    dead_code,
    reason = "each test file uses a different part of these helpers"
)]

pub mod cargo;
pub mod ci;
pub mod logs;
pub mod postgres;
pub mod spreadsheet;
#[cfg(feature = "station")]
pub mod station;
pub mod sticks;
pub mod warehouse;
pub mod xvfb;

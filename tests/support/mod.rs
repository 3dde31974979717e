//! Helpers shared by the integration tests (`mod support;` in a test file): station logs
//! and the `klub` binary, and reading exports back as a spreadsheet would.

#![allow(
    dead_code,
    reason = "each test file uses a different part of these helpers"
)]

pub mod logs;
pub mod spreadsheet;

//! Helpers shared by the integration tests (`mod support;`), one module per topic: reading
//! exports back as a spreadsheet would, and hostile USB sticks.

#![allow(
    dead_code,
    reason = "each test file uses a different part of these helpers"
)]

pub mod spreadsheet;
pub mod sticks;

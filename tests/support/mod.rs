//! Helpers shared by the integration tests: reading exports back as a spreadsheet would.

pub mod spreadsheet;

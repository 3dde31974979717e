//! The domain: scenarios, catalogue, scoring, matching and sessions. Pure Rust: no Bevy, no SQL.

pub mod catalogue;
pub mod config;
pub mod dimension;
pub mod ids;
pub mod matching;
pub mod pass;
pub mod pin;
pub mod scenario;
pub mod scoring;
pub mod session;
pub mod skills;
pub mod text;
pub mod wording;

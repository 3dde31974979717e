//! Klub kiosk: the library behind the touch-screen stations and the `klub` command line.
//!
//! Dependencies point one way: `domain` is pure; `content` loads and checks files into it;
//! the CLI and the station use both.

#[cfg(feature = "station")]
pub mod app;
pub mod cli;
pub mod content;
pub mod domain;
pub mod fsio;
pub mod media;
pub mod ops;
pub mod report;
pub mod site;
pub mod storage;
#[cfg(feature = "warehouse")]
pub mod warehouse;

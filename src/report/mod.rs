//! The organiser's outputs built from logs: CSV / JSON Lines exports, the HTML report and
//! its charts as PNG.

pub mod export;
pub mod html;
pub mod png;
pub mod small;
pub mod svg;

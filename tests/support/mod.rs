//! Helpers shared by the integration tests (`mod support;`), one file per topic.

pub mod postgres;
pub mod warehouse;

//! Helpers shared by the integration tests (`mod support;` in a test file), one module per
//! topic.

pub mod ci;

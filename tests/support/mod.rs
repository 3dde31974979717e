//! Helpers shared by integration tests (`mod support;`), one module per topic.

pub mod sticks;

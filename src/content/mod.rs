//! Loading and checking the files facilitators write: scenarios, catalogue, configs, tours.

pub mod diag;
pub mod files;
pub mod paths;
pub mod reader;
pub mod rome;
pub mod scenario;
pub mod set;

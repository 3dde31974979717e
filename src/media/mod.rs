//! Media the station produces from a pass: QR images, printed tickets, and reading USB scanners.

pub mod escpos;
pub mod qr;
pub mod scanner;

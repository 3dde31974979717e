//! Type sizes in logical pixels at 1080p; body text is never under 32 px.

/// Big titles.
pub const TITLE: f32 = 72.0;
/// Step questions.
pub const HEADING: f32 = 48.0;
/// Body and button text.
pub const BODY: f32 = 36.0;
/// The smallest text on screen.
pub const SMALL: f32 = 32.0;
/// Smallest side of any touch target.
pub const TARGET: f32 = 96.0;
/// Gap between targets, so a finger does not hit two.
pub const GAP: f32 = 24.0;
/// Rounded corners.
pub const RADIUS: f32 = 24.0;

// Checked at build time: 32 px body text, 80 px targets at 1080p.
const _: () = assert!(SMALL >= 32.0 && TARGET >= 80.0);

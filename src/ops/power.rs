//! Powering the machine off from the facilitator panel: a plain exit would only be
//! restarted by systemd, so the station asks logind, which a polkit rule lets the `klub`
//! user do (`assets/deploy/klub-poweroff.rules`).
//!
//! # Station hook
//!
//! On "Éteindre la station", after flushing the log: `ops::power::run(&command())`; on
//! `Err`, show the message and stay up.

use crate::ops::OpsError;
use std::process::Command;

/// The command that powers off.
pub const POWER_OFF: &[&str] = &["systemctl", "poweroff", "--no-wall"];

/// Names another power-off command, split on spaces (`true` to rehearse the button on a
/// development machine without losing it).
pub const COMMAND_ENV: &str = "KLUB_POWER_OFF";

/// Asks systemd to power the machine off.
pub fn power_off() -> Result<(), OpsError> {
    run(POWER_OFF)
}

/// The power-off command: `KLUB_POWER_OFF` when set and not empty, otherwise [`POWER_OFF`].
pub fn command() -> Vec<String> {
    command_from(std::env::var(COMMAND_ENV).ok().as_deref())
}

/// [`command`] for a given value of `KLUB_POWER_OFF`.
pub fn command_from(env: Option<&str>) -> Vec<String> {
    match env.map(str::split_whitespace) {
        Some(words) if env.is_some_and(|e| !e.trim().is_empty()) => {
            words.map(str::to_owned).collect()
        }
        _ => POWER_OFF.iter().map(|s| (*s).to_owned()).collect(),
    }
}

/// Runs a power command, with a French and English message when it fails.
pub fn run(cmd: &[&str]) -> Result<(), OpsError> {
    let (prog, args) = cmd.split_first().ok_or(OpsError::EmptyCommand)?;
    match Command::new(prog).args(args).status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(OpsError::PowerRefused(s)),
        Err(error) => Err(OpsError::Start {
            program: (*prog).to_owned(),
            error,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_failure_and_success() {
        assert!(run(&["true"]).is_ok());
        assert!(run(&["false"]).unwrap_err().to_string().contains("polkit"));
        assert!(run(&["/nonexistent/systemctl"]).is_err());
        assert_eq!(POWER_OFF[..2], ["systemctl", "poweroff"]);
        assert_eq!(command_from(None), POWER_OFF);
        assert_eq!(command_from(Some("  ")), POWER_OFF);
        assert_eq!(command_from(Some("sh -c true")), ["sh", "-c", "true"]);
    }
}

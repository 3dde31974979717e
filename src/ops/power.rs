//! Powering the machine off from the facilitator panel: a plain exit would only be
//! restarted by systemd, so the station asks logind, which a polkit rule lets the `klub`
//! user do (`assets/deploy/klub-poweroff.rules`).
//!
//! # Station hook
//!
//! On "Éteindre la station", after flushing the log: `ops::power::power_off()`; on `Err`,
//! show the message and stay up.

use std::process::Command;

/// The command that powers off.
pub const POWER_OFF: &[&str] = &["systemctl", "poweroff", "--no-wall"];

/// Asks systemd to power the machine off.
pub fn power_off() -> Result<(), String> {
    run(POWER_OFF)
}

/// Runs a power command, with a French and English message when it fails.
pub fn run(cmd: &[&str]) -> Result<(), String> {
    let (prog, args) = cmd.split_first().ok_or("commande vide / empty command")?;
    match Command::new(prog).args(args).status() {
        Ok(s) if s.success() => Ok(()),
        Ok(s) => Err(format!(
            "extinction refusée ({s}) : la règle polkit du paquet est-elle installée ? / power-off refused: is the package's polkit rule installed?"
        )),
        Err(e) => Err(format!("{prog} : {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_failure_and_success() {
        assert!(run(&["true"]).is_ok());
        assert!(run(&["false"]).unwrap_err().contains("polkit"));
        assert!(run(&["/nonexistent/systemctl"]).is_err());
        assert_eq!(POWER_OFF[..2], ["systemctl", "poweroff"]);
    }
}

//! Running a station unattended: systemd readiness and watchdog, `klub doctor`, daily log
//! backups, the station's text log, safe scenario updates, the stop's date, power-off.
//!
//! No Bevy here: the station calls these small functions from its systems (each module's
//! doc names its hook), and `klub` calls them from the command line.

pub mod backup;
pub mod disk;
pub mod doctor;
pub mod files;
pub mod logfile;
pub mod power;
pub mod scenarios;
pub mod time;
pub mod watchdog;

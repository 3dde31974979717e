//! `klub-kiosk`: the touch-screen station. Everything lives in `klub_kiosk::app`.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let started = klub_kiosk::app::perf::Started::now();
    let launch = klub_kiosk::app::Launch::parse();
    match klub_kiosk::app::run_from(launch, started) {
        bevy::app::AppExit::Success => std::process::ExitCode::SUCCESS,
        bevy::app::AppExit::Error(code) => std::process::ExitCode::from(code.get()),
    }
}

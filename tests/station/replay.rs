//! The bundled replay scripts: one per bundled scenario, each playing its scenario to the
//! results screen on a headless station. `KLUB_WRITE_REPLAYS=1` rewrites them from a bot
//! that plays every step (run it after changing a scenario).

use klub_kiosk::app::Launch;
use klub_kiosk::app::bridge::Station;
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::replay::{self, Command, Spot};
use klub_kiosk::app::screens::Screen;
use std::path::Path;
use std::time::Duration;

const DIR: &str = "kiosk-config/replay";

fn launch() -> Launch {
    crate::support::station::quiet("kiosk-config/default.toml")
}

fn render(cmds: &[Command]) -> String {
    let spot = |s: &Spot| match s {
        Spot::Label(l) => format!("\"{l}\""),
        Spot::At(p) => format!("{} {}", p.x, p.y),
    };
    cmds.iter()
        .map(|c| match c {
            Command::Tap(s) => format!("tap {}", spot(s)),
            Command::Drag(a, b) => format!("drag {} {}", spot(a), spot(b)),
            Command::Hold(p, d) => format!("hold {} {} {}", p.x, p.y, d.as_secs_f32()),
            Command::Scan(t) => format!("scan \"{t}\""),
            Command::Wait(d) => format!("wait {}", d.as_secs_f32()),
            Command::Shot(n) => format!("shot {n}"),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_bundled_scenario_has_a_replay_that_reaches_the_results() {
    let ids: Vec<(String, String)> = {
        let h = Harness::new(launch());
        let st = h.app.world().resource::<Station>();
        st.content
            .scenarios
            .iter()
            .map(|s| (s.id.clone(), s.title.fr.clone()))
            .collect()
    };
    if std::env::var_os("KLUB_WRITE_REPLAYS").is_some() {
        for (id, title) in &ids {
            let mut h = Harness::new(launch());
            h.start(Some(title)).unwrap();
            let mut script = std::mem::take(&mut h.script);
            script.push(Command::Shot("00-debut".into()));
            let mut n = 1;
            while h.screen() == Screen::Play {
                h.play_step().unwrap();
                script.append(&mut h.script);
                script.push(Command::Wait(Duration::from_millis(600)));
                script.push(Command::Shot(format!("{n:02}-etape")));
                n += 1;
                h.settle();
            }
            script.push(Command::Wait(Duration::from_secs(1)));
            script.push(Command::Shot("resultats".into()));
            let text = format!(
                "# Rejeu du scénario « {title} » : chaque étape, une capture après chacune.\n# Replay of scenario {id}. Regenerate: KLUB_WRITE_REPLAYS=1 cargo test --test station_replay\n{}\n",
                render(&script)
            );
            std::fs::write(Path::new(DIR).join(format!("{id}.replay")), text).unwrap();
        }
    }
    for (id, _) in &ids {
        let path = Path::new(DIR).join(format!("{id}.replay"));
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let cmds = replay::parse(&path.display().to_string(), &text).unwrap();
        assert!(
            cmds.iter().any(|c| matches!(c, Command::Shot(_))),
            "{id}: no screenshot mark"
        );
        let mut h = Harness::new(launch());
        h.replay(cmds, Duration::from_secs(1800))
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_eq!(h.screen(), Screen::Results, "{id}");
        let scen = h
            .app
            .world()
            .resource::<klub_kiosk::app::bridge::Visitor>()
            .session
            .as_ref()
            .unwrap()
            .scenario
            .clone();
        assert_eq!(&scen, id);
    }
}

#[test]
fn script_errors_name_the_line() {
    let e = replay::parse("x.replay", "tap \"A\"\nwait soon\n").unwrap_err();
    assert_eq!(e.line, 2);
    assert!(e.to_string().starts_with("x.replay:2:"));
    let ok = replay::parse(
        "x.replay",
        "# c\ntap 10 20\ndrag \"a b\" 5 6\nhold 1 2 3\nscan \"p#q\"\nshot fin\n",
    )
    .unwrap();
    assert_eq!(ok.len(), 5);
    assert_eq!(ok[3], Command::Scan("p#q".into()));
}

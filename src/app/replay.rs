//! Replay: `klub-kiosk --replay FILE --screenshots DIR [--no-log]` plays a scripted session
//! through simulated touches and scanner keystrokes, saves a screenshot at each mark, then
//! exits. Facilitators use it to check a scenario end to end; the tests use it too.
//!
//! Script lines (`#` starts a comment):
//! - `tap "Label"` or `tap X Y`: a finger down and up on a target (by its label or position);
//! - `drag "Label" "Label"` or `drag X1 Y1 X2 Y2`: a finger dragged from one to the other;
//! - `hold X Y SECONDS`: a long press (the facilitator gesture);
//! - `scan "TEXT"`: a pass typed by the scanner;
//! - `wait SECONDS`;
//! - `shot NAME`: a screenshot `NAME.png` in the screenshot folder.
//!
//! A tap waits (up to `PATIENCE`) for its target to appear and for the input guard to end.

use crate::app::bridge::{Clock, Station};
use crate::app::error::AppError;
use crate::app::inject;
use crate::app::input::Pointer;
use crate::app::launch::Launch;
use crate::app::load::{Load, LoadSet};
use crate::app::redraw::Wake;
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// How long a command waits for its target before the replay fails.
pub const PATIENCE: Duration = Duration::from_secs(15);
/// Pause after each command, as a person would.
pub const PAUSE: Duration = Duration::from_millis(450);
/// Touch id used by replays.
const FINGER: u64 = 7;

/// Where a command acts.
#[derive(Clone, Debug, PartialEq)]
pub enum Spot {
    /// A node's label.
    Label(String),
    /// A position in logical pixels.
    At(Vec2),
}

/// One script command.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Tap.
    Tap(Spot),
    /// Drag from one spot to another.
    Drag(Spot, Spot),
    /// Long press.
    Hold(Vec2, Duration),
    /// Scanner burst.
    Scan(String),
    /// Pause.
    Wait(Duration),
    /// Screenshot.
    Shot(String),
}

/// A script error, with its line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {msg}")]
pub struct ScriptError {
    /// The script.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub msg: String,
}

fn words(line: &str) -> Result<Vec<String>, String> {
    let mut out = vec![];
    let mut chars = line.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '#' {
            break;
        } else if c == '"' {
            chars.next();
            let mut w = String::new();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some(c) => w.push(c),
                    None => return Err("guillemet non fermé / unclosed quote".into()),
                }
            }
            out.push(w);
        } else {
            let mut w = String::new();
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                w.push(c);
                chars.next();
            }
            out.push(w);
        }
    }
    Ok(out)
}

fn num(s: &str) -> Result<f32, String> {
    s.parse::<f32>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .ok_or_else(|| format!("nombre attendu / number expected: « {s} »"))
}

fn spots(args: &[String], n: usize) -> Result<Vec<Spot>, String> {
    let mut out = vec![];
    let mut i = 0;
    while i < args.len() {
        if let Ok(x) = num(&args[i])
            && let Some(y) = args.get(i + 1)
        {
            out.push(Spot::At(Vec2::new(x, num(y)?)));
            i += 2;
        } else {
            out.push(Spot::Label(args[i].clone()));
            i += 1;
        }
    }
    if out.len() == n {
        Ok(out)
    } else {
        Err(format!("{n} cible(s) attendue(s) / {n} target(s) expected"))
    }
}

/// Parses a script.
pub fn parse(file: &str, text: &str) -> Result<Vec<Command>, ScriptError> {
    let mut out = vec![];
    for (i, line) in text.lines().enumerate() {
        let err = |msg: String| ScriptError {
            file: file.to_owned(),
            line: i + 1,
            msg,
        };
        let w = words(line).map_err(err)?;
        let Some((cmd, args)) = w.split_first() else {
            continue;
        };
        let c = match (cmd.as_str(), args) {
            ("tap", a) => Command::Tap(spots(a, 1).map_err(err)?.remove(0)),
            ("drag", a) => {
                let mut s = spots(a, 2).map_err(err)?;
                let to = s.remove(1);
                Command::Drag(s.remove(0), to)
            }
            ("hold", [x, y, s]) => Command::Hold(
                Vec2::new(num(x).map_err(err)?, num(y).map_err(err)?),
                Duration::from_secs_f32(num(s).map_err(err)?),
            ),
            ("scan", [t]) => Command::Scan(t.clone()),
            ("wait", [s]) => Command::Wait(Duration::from_secs_f32(num(s).map_err(err)?)),
            ("shot", [n]) if !n.contains(['/', '\\']) => Command::Shot(n.clone()),
            _ => {
                return Err(err(format!(
                    "commande inconnue ou mal formée / unknown or malformed command: « {} »",
                    line.trim()
                )));
            }
        };
        out.push(c);
    }
    Ok(out)
}

/// A replay under way.
#[derive(Resource, Debug)]
pub struct Replay {
    /// The commands.
    pub commands: Vec<Command>,
    /// The next one.
    pub next: usize,
    /// Waiting until then.
    pub until: Duration,
    /// When the current command started waiting for its target.
    pub since: Option<Duration>,
    /// A finger down, to lift at `until`: where, and the drag's end.
    pub lifting: Option<(Vec2, Vec2)>,
    /// Where screenshots go.
    pub shots: Option<PathBuf>,
    /// Screenshots taken.
    pub taken: Vec<PathBuf>,
    /// Set when the script is done or failed.
    pub finished: Option<Result<(), AppError>>,
    /// Exit the app when finished (not in tests).
    pub exit: bool,
}

impl Replay {
    /// A replay of a script file.
    pub fn load(path: &Path, shots: Option<PathBuf>) -> Result<Replay, AppError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Replay(format!("{}: {e}", path.display())))?;
        let commands = parse(&path.display().to_string(), &text)
            .map_err(|e| AppError::Replay(e.to_string()))?;
        Ok(Replay::new(commands, shots))
    }

    /// A replay of commands.
    pub fn new(commands: Vec<Command>, shots: Option<PathBuf>) -> Replay {
        Replay {
            commands,
            next: 0,
            until: Duration::ZERO,
            since: None,
            lifting: None,
            shots,
            taken: vec![],
            finished: None,
            exit: false,
        }
    }
}

pub(super) fn plugin(app: &mut App) {
    app.add_systems(Load, load_script.in_set(LoadSet::Rest));
    app.add_systems(PreUpdate, drive.before(bevy::input::InputSystems));
}

/// Reads the script of `--replay`, if any; a bad one ends the station with code 2.
fn load_script(world: &mut World) {
    let Some(launch) = world.get_resource::<Launch>().cloned() else {
        return;
    };
    if let Some(path) = &launch.replay {
        match Replay::load(path, launch.screenshots.clone()) {
            Ok(mut r) => {
                r.exit = true;
                if let Some(dir) = &r.shots
                    && let Err(e) = std::fs::create_dir_all(dir)
                {
                    error!("{}: {e}", dir.display());
                }
                world.insert_resource(r);
            }
            Err(e) => {
                error!("rejeu / replay: {e}");
                world.write_message(AppExit::from_code(2));
            }
        }
    }
}

fn locate(world: &mut World, spot: &Spot) -> Option<Vec2> {
    match spot {
        Spot::At(p) => Some(*p),
        Spot::Label(l) => {
            let size = {
                let mut q = world.query::<&Window>();
                q.iter(world)
                    .next()
                    .map(|w| Vec2::new(w.width(), w.height()))?
            };
            let mut c = inject::find_label(world, l);
            c.retain(|p| p.x >= 0.0 && p.y >= 0.0 && p.x < size.x && p.y < size.y);
            let mid = size.x / 2.0;
            c.into_iter()
                .min_by(|a, b| (a.x - mid).abs().total_cmp(&(b.x - mid).abs()))
        }
    }
}

fn drive(world: &mut World) {
    let Some(mut r) = world.remove_resource::<Replay>() else {
        return;
    };
    step(world, &mut r);
    if let Some(mut wake) = world.get_resource_mut::<Wake>() {
        wake.animate();
    }
    if r.finished.is_some() && r.exit {
        let code = match &r.finished {
            Some(Err(e)) => {
                error!("rejeu / replay: {e}");
                AppExit::from_code(1)
            }
            _ => AppExit::Success,
        };
        // Screenshots are saved a few frames after they are asked for.
        if world.resource::<Clock>().now > r.until + Duration::from_secs(2) {
            world.write_message(code);
        }
    }
    world.insert_resource(r);
}

fn step(world: &mut World, r: &mut Replay) {
    let now = world.resource::<Clock>().now;
    if r.finished.is_some() || now < r.until {
        return;
    }
    if let Some((at, to)) = r.lifting.take() {
        if at != to {
            inject::touch(world, FINGER, TouchPhase::Moved, (at + to) / 2.0);
            inject::touch(world, FINGER, TouchPhase::Moved, to);
        }
        inject::touch(world, FINGER, TouchPhase::Ended, to);
        r.until = now + PAUSE;
        r.next += 1;
        return;
    }
    let Some(cmd) = r.commands.get(r.next).cloned() else {
        r.finished = Some(Ok(()));
        return;
    };
    let guarded = world.resource::<Pointer>().guarded(now);
    let since = *r.since.get_or_insert(now);
    let give_up = |r: &mut Replay, what: String| {
        if now.saturating_sub(since) > PATIENCE {
            r.finished = Some(Err(AppError::Replay(format!(
                "commande {} : {what}",
                r.next + 1
            ))));
        }
    };
    match cmd {
        Command::Tap(spot) | Command::Drag(spot, _)
            if guarded || locate(world, &spot).is_none() =>
        {
            give_up(r, format!("cible introuvable / target not found: {spot:?}"));
        }
        Command::Tap(spot) => {
            let at = locate(world, &spot).unwrap_or_default();
            inject::touch(world, FINGER, TouchPhase::Started, at);
            r.lifting = Some((at, at));
            r.until = now + Duration::from_millis(120);
            r.since = None;
        }
        Command::Drag(from, to) => {
            let (Some(a), Some(b)) = (locate(world, &from), locate(world, &to)) else {
                give_up(r, format!("cible introuvable / target not found: {to:?}"));
                return;
            };
            inject::touch(world, FINGER, TouchPhase::Started, a);
            r.lifting = Some((a, b));
            r.until = now + Duration::from_millis(200);
            r.since = None;
        }
        Command::Hold(at, d) => {
            inject::touch(world, FINGER, TouchPhase::Started, at);
            r.lifting = Some((at, at));
            r.until = now + d;
            r.since = None;
        }
        Command::Scan(text) => {
            let layout = world.resource::<Station>().config.scanner_layout;
            inject::scan(world, layout, &text);
            r.next += 1;
            r.until = now + PAUSE;
            r.since = None;
        }
        Command::Wait(d) => {
            r.next += 1;
            r.until = now + d;
            r.since = None;
        }
        Command::Shot(name) => {
            if let Some(dir) = &r.shots {
                let path = dir.join(format!("{name}.png"));
                world
                    .spawn(bevy::render::view::screenshot::Screenshot::primary_window())
                    .observe(bevy::render::view::screenshot::save_to_disk(path.clone()));
                r.taken.push(path);
            }
            r.next += 1;
            r.until = now + PAUSE;
            r.since = None;
        }
    }
}

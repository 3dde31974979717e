//! A station without window or GPU, driven by simulated touches, for tests, replays checks
//! and the soak benchmark. It taps computed widget positions, as a finger would; it never
//! calls the session API.

use crate::app::bridge::{Station, Visitor};
use crate::app::error::AppError;
use crate::app::inject;
use crate::app::launch::Launch;
use crate::app::replay::{Command, Replay, Spot};
use crate::app::screens::Screen;
use crate::app::screens::play::{Phase, Play};
use crate::domain::scenario::{SortMode, StepBody};
use crate::domain::session::Session;
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use std::time::Duration;

/// One frame of simulated time.
pub const FRAME: Duration = Duration::from_millis(50);

/// A headless station.
pub struct Harness {
    /// The Bevy app.
    pub app: App,
    /// What the bot did, as replay commands.
    pub script: Vec<Command>,
    finger: u64,
}

impl Harness {
    /// A 1920×1080 station.
    pub fn new(launch: Launch) -> Harness {
        Harness::with_size(launch, crate::app::DESIGN_SIZE)
    }

    /// A station with a given window size.
    pub fn with_size(launch: Launch, size: (u32, u32)) -> Harness {
        let mut app = crate::app::headless(launch, size);
        app.update();
        app.update();
        Harness {
            app,
            script: vec![],
            finger: 1,
        }
    }

    /// The world.
    pub fn world(&mut self) -> &mut World {
        self.app.world_mut()
    }

    /// One frame.
    pub fn frame(&mut self) {
        self.app.update();
    }

    /// Runs frames for `d` of simulated time.
    pub fn run(&mut self, d: Duration) {
        let n = d.as_millis().div_ceil(FRAME.as_millis()).max(1);
        for _ in 0..n {
            self.app.update();
        }
    }

    /// Runs until the input guard is over.
    pub fn settle(&mut self) {
        self.run(Duration::from_millis(400));
    }

    /// The screen.
    pub fn screen(&self) -> Screen {
        *self.app.world().resource::<State<Screen>>().get()
    }

    /// Every text on screen.
    pub fn texts(&mut self) -> Vec<String> {
        let w = self.app.world_mut();
        let mut q = w.query::<(&Text, &InheritedVisibility)>();
        q.iter(w)
            .filter(|(_, v)| v.get())
            .map(|(t, _)| t.0.clone())
            .collect()
    }

    /// Whether a text is on screen (whole, or inside a longer one).
    pub fn shows(&mut self, s: &str) -> bool {
        self.texts().iter().any(|t| t.contains(s))
    }

    /// Every label on screen.
    pub fn labels(&mut self) -> Vec<String> {
        let w = self.app.world_mut();
        let mut q = w.query::<(&crate::app::theme::widget::Label, &InheritedVisibility)>();
        q.iter(w)
            .filter(|(_, v)| v.get())
            .map(|(l, _)| l.0.clone())
            .collect()
    }

    /// Where a label is, if on screen (closest to the middle when several).
    pub fn find(&mut self, label: &str) -> Option<Vec2> {
        let mid = self
            .app
            .world_mut()
            .query::<&Window>()
            .iter(self.app.world())
            .next()?
            .width()
            / 2.0;
        let mut c = inject::find_label(self.app.world_mut(), label);
        c.retain(|p| p.x >= 0.0 && p.y >= 0.0);
        c.into_iter()
            .min_by(|a, b| (a.x - mid).abs().total_cmp(&(b.x - mid).abs()))
    }

    /// A finger event.
    pub fn touch(&mut self, id: u64, phase: TouchPhase, pos: Vec2) {
        inject::touch(self.app.world_mut(), id, phase, pos);
    }

    /// A tap at a position: down, a frame, up, a frame.
    pub fn tap_at(&mut self, pos: Vec2) {
        self.finger += 1;
        let id = self.finger;
        self.touch(id, TouchPhase::Started, pos);
        self.frame();
        self.touch(id, TouchPhase::Ended, pos);
        self.frame();
        self.await_pin_check();
    }

    /// Frames until a PIN typed in is checked (argon2 runs on a worker thread, in real
    /// time), so that a test sees the answer right after "Valider".
    pub fn await_pin_check(&mut self) {
        let pending = |h: &Harness| {
            h.app
                .world()
                .get_resource::<crate::app::facilitator::PinState>()
                .is_some_and(crate::app::facilitator::PinState::checking)
        };
        if !pending(self) {
            return;
        }
        let started = std::time::Instant::now();
        while pending(self) && started.elapsed() < std::time::Duration::from_secs(10) {
            std::thread::sleep(std::time::Duration::from_millis(5));
            self.frame();
        }
        // The screen changes on the frame after the answer.
        self.frame();
    }

    /// Waits out the guard, then taps a label; records it in the script.
    pub fn tap(&mut self, label: &str) -> Result<(), AppError> {
        self.settle();
        let pos = self.find(label).ok_or_else(|| {
            AppError::Harness(format!(
                "« {label} » absent ; à l'écran : {:?}",
                self.labels()
            ))
        })?;
        self.tap_at(pos);
        self.script
            .push(Command::Tap(Spot::Label(label.to_owned())));
        Ok(())
    }

    /// Waits out the guard, then drags one label onto another.
    pub fn drag(&mut self, from: &str, to: &str) -> Result<(), AppError> {
        self.settle();
        let a = self
            .find(from)
            .ok_or_else(|| AppError::Harness(format!("« {from} » absent")))?;
        let b = self
            .find(to)
            .ok_or_else(|| AppError::Harness(format!("« {to} » absent")))?;
        self.finger += 1;
        let id = self.finger;
        self.touch(id, TouchPhase::Started, a);
        self.frame();
        self.touch(id, TouchPhase::Moved, (a + b) / 2.0);
        self.frame();
        self.touch(id, TouchPhase::Moved, b);
        self.frame();
        self.touch(id, TouchPhase::Ended, b);
        self.frame();
        self.script.push(Command::Drag(
            Spot::Label(from.to_owned()),
            Spot::Label(to.to_owned()),
        ));
        Ok(())
    }

    /// A scanner burst.
    pub fn scan(&mut self, text: &str) {
        let layout = self.app.world().resource::<Station>().config.scanner_layout;
        inject::scan(self.app.world_mut(), layout, text);
        self.frame();
        self.frame();
    }

    /// The visitor's text variant of the current step's main text, if a step is on screen.
    pub fn step_text(&mut self) -> Option<String> {
        let w = self.app.world();
        let v = w.resource::<Visitor>();
        let st = w.resource::<Station>();
        let s = v.scenario(st)?;
        let i = v.session.as_ref().and_then(Session::current)?;
        Some(v.t(s.steps[i].body.main_text()).to_owned())
    }

    /// Plays the step on screen as a willing visitor would, by tapping labels. Returns the
    /// step type played.
    pub fn play_step(&mut self) -> Result<&'static str, AppError> {
        self.settle();
        let (step, variant, phase) = {
            let w = self.app.world();
            let v = w.resource::<Visitor>();
            let st = w.resource::<Station>();
            let s = v
                .scenario(st)
                .ok_or(AppError::Harness("pas de scénario".into()))?;
            let i = v
                .session
                .as_ref()
                .and_then(Session::current)
                .ok_or(AppError::Harness("pas d'étape".into()))?;
            (
                s.steps[i].clone(),
                v.variant(),
                w.resource::<Play>().phase.clone(),
            )
        };
        if matches!(phase, Phase::Enjoy { .. }) {
            self.tap(if variant == crate::domain::text::Variant::En {
                "☺ Yes"
            } else {
                "☺ Oui"
            })?;
            return Ok("enjoy");
        }
        let t = |x: &crate::domain::text::Text| x.get(variant).to_owned();
        let en = variant == crate::domain::text::Variant::En;
        match &step.body {
            StepBody::Info { .. } => self.tap(if en { "Continue" } else { "Continuer" })?,
            StepBody::Choice { options, .. } => self.tap(&t(&options[options.len() / 2].label))?,
            StepBody::Multi { options, min, .. } => {
                for o in options.iter().take(usize::from(*min).max(1)) {
                    self.tap(&t(&o.label))?;
                }
                self.tap(if en { "Done" } else { "Valider" })?;
            }
            StepBody::Scale { points, .. } => {
                let words: &[&str] = match (*points == 3, en) {
                    (true, false) => &["Non", "Bof", "Oui"],
                    (true, true) => &["No", "So-so", "Yes"],
                    (false, false) => &["Pas du tout", "Pas trop", "Bof", "Un peu", "Beaucoup"],
                    (false, true) => &["Not at all", "Not really", "So-so", "A bit", "A lot"],
                };
                let step_no = self.script.len();
                self.tap(words[(step_no * 7 + 3) % words.len()])?;
            }
            StepBody::Sort {
                mode: SortMode::Order,
                items,
                ..
            } => {
                // Put the items right: one drag, then taps (tap-then-tap) for the rest.
                for target in 0..items.len() {
                    let order = self.app.world().resource::<Play>().order.clone();
                    let at = order.iter().position(|x| *x == target).unwrap_or(target);
                    if at != target {
                        let a = t(&items[target].label);
                        let b = t(&items[order[target]].label);
                        if target == 0 {
                            self.drag(&a, &b)?;
                        } else {
                            self.tap(&a)?;
                            self.tap(&b)?;
                        }
                    }
                }
                self.tap(if en { "Done" } else { "Valider" })?;
            }
            StepBody::Sort { bins, items, .. } => {
                for (k, item) in items.iter().enumerate() {
                    let bin = bins
                        .iter()
                        .find(|b| Some(&b.id) == item.bin.as_ref())
                        .unwrap_or(&bins[0]);
                    if k == 0 {
                        self.drag(&t(&item.label), &t(&bin.label))?;
                    } else {
                        self.tap(&t(&item.label))?;
                        self.tap(&t(&bin.label))?;
                    }
                }
                self.tap(if en { "Done" } else { "Valider" })?;
            }
            StepBody::Hotspot { zones, find, .. } | StepBody::Panorama { zones, find, .. } => {
                for z in zones.iter().filter(|z| z.target).take(*find) {
                    let label = format!("zone:{}", z.id);
                    let mut turns = 0;
                    while !self.zone_visible(&label) && turns < 8 {
                        self.tap("Tourner à droite")?;
                        turns += 1;
                    }
                    self.tap(&label)?;
                }
            }
            StepBody::Timed { bins, items, .. } => {
                for item in items {
                    let bin = bins
                        .iter()
                        .find(|b| Some(&b.id) == item.bin.as_ref())
                        .unwrap_or(&bins[0]);
                    if self.screen() != Screen::Play || !self.shows(&t(&item.label)) {
                        break;
                    }
                    self.tap(&t(&bin.label))?;
                }
            }
        }
        Ok(step.body.type_name())
    }

    /// Targets under 80 px and texts under 32 px on screen, as messages.
    pub fn too_small(&mut self) -> Vec<String> {
        let mut out = vec![];
        let w = self.app.world_mut();
        let mut q = w.query_filtered::<(
            Entity,
            &ComputedNode,
            &InheritedVisibility,
            Option<&crate::app::theme::widget::Label>,
        ), With<crate::app::input::Tappable>>();
        for (e, n, v, l) in q.iter(w) {
            let size = n.size * n.inverse_scale_factor();
            if v.get() && (size.x < 80.0 || size.y < 80.0) {
                out.push(format!("cible {e:?} {l:?} : {size}"));
            }
        }
        let mut q = w.query::<(&Text, &TextFont, &InheritedVisibility)>();
        for (t, f, v) in q.iter(w) {
            if let FontSize::Px(px) = f.font_size
                && v.get()
                && px < crate::app::theme::size::SMALL
            {
                out.push(format!("texte « {} » : {px} px", t.0));
            }
        }
        out
    }

    /// Whether a zone's centre lies inside the picture's visible window.
    fn zone_visible(&mut self, label: &str) -> bool {
        let Some(p) = self.find(label) else {
            return false;
        };
        let w = self.app.world_mut();
        let scale = w
            .query::<&Window>()
            .iter(w)
            .next()
            .map_or(1.0, Window::scale_factor);
        let mut q = w.query::<(
            &crate::app::screens::play::PlayButton,
            &ComputedNode,
            &UiGlobalTransform,
        )>();
        q.iter(w).any(|(b, n, tf)| {
            *b == crate::app::screens::play::PlayButton::Picture && n.contains_point(*tf, p * scale)
        })
    }

    /// Goes from the attract loop into a scenario: welcome, then the scenario button.
    pub fn start(&mut self, scenario_title: Option<&str>) -> Result<(), AppError> {
        self.tap("Commencer")?;
        self.tap("C'est parti !")?;
        if let Some(title) = scenario_title {
            let label = self
                .labels()
                .into_iter()
                .find(|l| l.starts_with(title))
                .ok_or_else(|| AppError::Harness(format!("scénario « {title} » absent")))?;
            self.tap(&label)?;
        }
        Ok(())
    }

    /// Plays until the results screen, checking at each step that its own text is shown.
    pub fn play_through(&mut self) -> Result<Vec<&'static str>, AppError> {
        let mut played = vec![];
        for _ in 0..400 {
            self.settle();
            if self.screen() != Screen::Play {
                return Ok(played);
            }
            let enjoy = matches!(
                self.app.world().resource::<Play>().phase,
                Phase::Enjoy { .. }
            );
            if !enjoy
                && let Some(text) = self.step_text()
                && !self.shows(&text)
            {
                return Err(AppError::Harness(format!(
                    "le texte de l'étape n'est pas à l'écran : « {text} »"
                )));
            }
            let small = self.too_small();
            if !small.is_empty() {
                return Err(AppError::Harness(format!("trop petit : {small:?}")));
            }
            played.push(self.play_step()?);
        }
        Err(AppError::Harness("trop d'étapes".into()))
    }

    /// Runs a replay script to its end (at most `limit` of simulated time).
    pub fn replay(&mut self, commands: Vec<Command>, limit: Duration) -> Result<(), AppError> {
        self.app
            .world_mut()
            .insert_resource(Replay::new(commands, None));
        let mut t = Duration::ZERO;
        while t < limit {
            self.frame();
            t += FRAME;
            if let Some(done) = self.app.world().resource::<Replay>().finished.clone() {
                self.app.world_mut().remove_resource::<Replay>();
                return done;
            }
        }
        Err(AppError::Harness("rejeu trop long".into()))
    }
}

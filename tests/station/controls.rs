//! The visitor's controls on a headless station, driven by simulated touches at computed
//! widget positions: printing the pass, ambient sound and narration with the on-screen
//! volume, dragging the panorama and sort items, and low reach on every screen.

use bevy::audio::{PlaybackMode, PlaybackSettings};
use bevy::input::touch::TouchPhase;
use bevy::prelude::*;
use klub_kiosk::app::bridge::{DaySettings, Station, Visitor};
use klub_kiosk::app::harness::Harness;
use klub_kiosk::app::input::Tappable;
use klub_kiosk::app::screens::Screen;
use klub_kiosk::app::screens::play::{Phase, Play, PlayButton};
use klub_kiosk::app::screens::results::{PassQr, PrintStatus};
use klub_kiosk::app::sound::SoundKind;
use klub_kiosk::app::theme::widget::Label;
use klub_kiosk::domain::scenario::{SortMode, StepBody};
use klub_kiosk::domain::session::Session;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::escpos_support;
use crate::support::station::{Folder, harness};

/// A copy of the bundled content (plus a `multi` scenario) and a config edited by `edit`.
fn station_config(dir: &Path, voices: bool, edit: impl Fn(String) -> String) -> PathBuf {
    Folder {
        voices,
        multi: true,
        tour: false,
    }
    .write(dir, edit)
}

fn start(h: &mut Harness, title: &str) {
    h.start(Some(title)).unwrap();
    assert_eq!(h.screen(), Screen::Play, "{title}");
}

fn current_step(h: &Harness) -> Option<usize> {
    h.app
        .world()
        .resource::<Visitor>()
        .session
        .as_ref()
        .and_then(Session::current)
}

fn step_body(h: &Harness) -> Option<StepBody> {
    let w = h.app.world();
    let v = w.resource::<Visitor>();
    let s = v.scenario(w.resource::<Station>())?;
    Some(s.steps[current_step(h)?].body.clone())
}

/// Plays steps until one of type `ty` is on screen.
fn play_until(h: &mut Harness, ty: &str) {
    for _ in 0..60 {
        h.settle();
        let enjoy = matches!(h.app.world().resource::<Play>().phase, Phase::Enjoy { .. });
        if !enjoy && step_body(h).is_some_and(|b| b.type_name() == ty) {
            return;
        }
        h.play_step().unwrap();
    }
    panic!("no {ty} step");
}

fn status_text(h: &mut Harness) -> String {
    let w = h.world();
    let mut q = w.query_filtered::<&Text, With<PrintStatus>>();
    q.iter(w).map(|t| t.0.clone()).collect::<Vec<_>>().join("")
}

/// Runs frames until the print status says something other than "printing".
fn wait_print(h: &mut Harness) -> String {
    for _ in 0..200 {
        h.frame();
        let s = status_text(h);
        if !s.is_empty() && !s.contains("en cours") {
            return s;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    panic!("the printer never answered: {}", status_text(h));
}

/// The text of the QR code on screen, decoded from its texture.
fn screen_qr(h: &mut Harness) -> String {
    let w = h.world();
    let handle = w
        .query_filtered::<&ImageNode, With<PassQr>>()
        .single(w)
        .unwrap()
        .image
        .clone();
    let img = h
        .app
        .world()
        .resource::<Assets<Image>>()
        .get(&handle)
        .unwrap();
    let (iw, ih) = (img.width() as usize, img.height() as usize);
    let data = img.data.as_ref().unwrap();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(iw, ih, |x, y| data[(y * iw + x) * 4]);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code on screen");
    grids[0].decode().unwrap().1
}

#[test]
fn imprimer_prints_the_pass_on_screen_and_a_missing_printer_says_so() {
    // No printer: no button.
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| c);
    let mut h = harness(&cfg, (1920, 1080));
    start(&mut h, "Tes talents en 2 minutes");
    h.play_through().unwrap();
    assert_eq!(h.screen(), Screen::Results);
    assert!(h.find("Terminer").is_some());
    assert!(
        h.find("Imprimer").is_none(),
        "a print button without a printer"
    );
    drop(h);

    // A printer that is a file: the ticket is ESC/POS and holds the pass on screen.
    let ticket = tmp.path().join("ticket.bin");
    let cfg = station_config(tmp.path(), false, |c| {
        c.replace(
            "device = \"\"",
            &format!("device = \"{}\"", ticket.display()),
        )
    });
    let mut h = harness(&cfg, (1920, 1080));
    start(&mut h, "Tes talents en 2 minutes");
    h.play_through().unwrap();
    assert_eq!(h.screen(), Screen::Results);
    let on_screen = screen_qr(&mut h);
    assert_eq!(
        Some(&on_screen),
        h.app.world().resource::<Visitor>().pass_url.as_ref()
    );
    h.tap("Imprimer").unwrap();
    let said = wait_print(&mut h);
    assert!(said.contains("Ton ticket sort"), "{said}");
    let bytes = std::fs::read(&ticket).unwrap();
    let p = escpos_support::parse(&bytes);
    assert!(p.initialised && p.cut && p.qr_printed_after_store);
    assert_eq!(
        p.qr_stored.as_deref(),
        Some(on_screen.as_bytes()),
        "the ticket's QR is not the pass on screen"
    );
    let text = escpos_support::cp1252_decode(&p.text);
    assert!(text.contains("Merci d’être passé"), "{text}");
    // The trades named on screen are the ones on the ticket.
    for name in &h
        .app
        .world()
        .resource::<klub_kiosk::app::screens::results::TicketTrades>()
        .0
        .clone()
    {
        assert!(h.shows(name), "{name} not on screen");
        assert!(
            text.replace('\n', " ").contains(name.as_str()),
            "{name} not on the ticket"
        );
    }
    h.tap("Terminer").unwrap();
    assert_eq!(h.screen(), Screen::Thanks);
    drop(h);

    // A printer that is unplugged: a clear message, and the station carries on.
    let cfg = station_config(tmp.path(), false, |c| {
        c.replace(
            "device = \"\"",
            "device = \"/dev/usb/klub-test-absent-lp9\"",
        )
    });
    let mut h = harness(&cfg, (1920, 1080));
    start(&mut h, "Tes talents en 2 minutes");
    h.play_through().unwrap();
    h.tap("Imprimer").unwrap();
    let said = wait_print(&mut h);
    assert!(said.contains("L'imprimante ne répond pas"), "{said}");
    assert!(!Path::new("/dev/usb/klub-test-absent-lp9").exists());
    assert_eq!(h.screen(), Screen::Results);
    assert!(h.find("Imprimer").is_some(), "can try again");
    h.tap("Terminer").unwrap();
    assert_eq!(h.screen(), Screen::Thanks);
}

/// Every sound entity: its kind, its source's bytes, mode and linear volume.
fn sounds(h: &mut Harness) -> Vec<(SoundKind, Vec<u8>, PlaybackMode, f32)> {
    let w = h.world();
    let mut q = w.query::<(&SoundKind, &AudioPlayer, &PlaybackSettings)>();
    let found: Vec<_> = q
        .iter(w)
        .map(|(k, p, s)| (*k, p.0.clone(), s.mode, s.volume.to_linear()))
        .collect();
    let sources = h.app.world().resource::<Assets<bevy::audio::AudioSource>>();
    found
        .into_iter()
        .map(|(k, handle, mode, vol)| {
            let bytes = sources.get(&handle).map(|s| s.bytes.to_vec());
            (k, bytes.unwrap_or_default(), mode, vol)
        })
        .collect()
}

fn of_kind(
    all: &[(SoundKind, Vec<u8>, PlaybackMode, f32)],
    kind: SoundKind,
) -> Vec<(Vec<u8>, PlaybackMode, f32)> {
    all.iter()
        .filter(|s| s.0 == kind)
        .map(|s| (s.1.clone(), s.2, s.3))
        .collect()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 1e-4
}

#[test]
fn ambient_step_sounds_and_narration_follow_the_steps_and_the_volume_controls() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| c);
    let folder = tmp.path().join("scenarios/logistique");
    let voix = folder.join("voix");
    std::fs::create_dir_all(&voix).unwrap();
    // Recorded narration for the first two steps (a recorded file always wins).
    let speech = std::fs::read(folder.join("sons/bip.wav")).unwrap();
    for key in ["arrivee.text.fr.wav", "visite.prompt.fr.wav"] {
        std::fs::write(voix.join(key), &speech).unwrap();
    }
    let ambient = std::fs::read(folder.join("sons/entrepot.wav")).unwrap();
    let bip = std::fs::read(folder.join("sons/bip.wav")).unwrap();
    let mut h = harness(&cfg, (1920, 1080));
    h.tap("Commencer").unwrap();
    h.tap("Lecture à voix haute").unwrap();
    h.tap("C'est parti !").unwrap();
    let label = h
        .labels()
        .into_iter()
        .find(|l| l.starts_with("Une matinée dans un entrepôt"))
        .unwrap();
    h.tap(&label).unwrap();
    h.settle();
    let volume = h.app.world().resource::<Station>().config.volume;
    assert!(close(volume, 0.8));

    // The scenario's ambient loop: the right file, looping, at the station's volume.
    let all = sounds(&mut h);
    let amb = of_kind(&all, SoundKind::Ambient);
    assert_eq!(amb.len(), 1, "one ambient loop");
    assert!(amb[0].0 == ambient, "not the scenario's ambient sound");
    assert!(
        matches!(amb[0].1, PlaybackMode::Loop),
        "the ambient sound does not loop"
    );
    assert!(close(
        amb[0].2,
        volume * klub_kiosk::app::sound::AMBIENT_SHARE
    ));
    // Read-aloud: the step's narration, once, at full station volume.
    let nar = of_kind(&all, SoundKind::Narration);
    assert_eq!(nar.len(), 1, "narration of step 0");
    assert!(matches!(nar[0].1, PlaybackMode::Despawn));
    assert!(close(nar[0].2, volume));

    // Volume and mute change what plays.
    h.tap("Moins fort").unwrap();
    let all = sounds(&mut h);
    let v = h.app.world().resource::<DaySettings>().volume;
    assert!(close(v, volume - 0.1), "{v}");
    assert!(close(of_kind(&all, SoundKind::Ambient)[0].2, v * 0.4));
    assert!(close(of_kind(&all, SoundKind::Narration)[0].2, v));
    h.tap("Couper le son").unwrap();
    let all = sounds(&mut h);
    assert!(
        all.iter().all(|s| s.3 == 0.0),
        "muted but playing: {:?}",
        all.iter().map(|s| (s.0, s.3)).collect::<Vec<_>>()
    );
    h.tap("Couper le son").unwrap();
    h.tap("Plus fort").unwrap();
    h.tap("Plus fort").unwrap();
    let all = sounds(&mut h);
    assert!(close(
        of_kind(&all, SoundKind::Ambient)[0].2,
        (volume + 0.1) * 0.4
    ));

    // Next step: the old narration stops, the new one starts; the ambient goes on.
    h.play_step().unwrap();
    h.settle();
    assert_eq!(current_step(&h), Some(1));
    let all = sounds(&mut h);
    assert_eq!(of_kind(&all, SoundKind::Ambient).len(), 1);
    assert_eq!(
        of_kind(&all, SoundKind::Narration).len(),
        1,
        "step 1's narration only"
    );
    // Step 2 has its own sound (a beep) and no recorded narration.
    play_until(&mut h, "info");
    assert_eq!(current_step(&h), Some(2));
    let all = sounds(&mut h);
    let fx = of_kind(&all, SoundKind::Effect);
    assert_eq!(fx.len(), 1, "the step's sound");
    assert!(fx[0].0 == bip && matches!(fx[0].1, PlaybackMode::Despawn));
    assert!(close(fx[0].2, volume + 0.1));
    assert!(
        of_kind(&all, SoundKind::Narration).is_empty(),
        "step 1's narration still on"
    );
    // The step ends: its sound stops with it.
    h.play_step().unwrap();
    h.settle();
    assert_eq!(current_step(&h), Some(3));
    let all = sounds(&mut h);
    assert!(
        of_kind(&all, SoundKind::Effect).is_empty(),
        "step 2's sound outlived it"
    );
    assert_eq!(of_kind(&all, SoundKind::Ambient).len(), 1);

    // The visitor walks away: after the idle reset, nothing plays.
    h.run(Duration::from_secs(105));
    assert_eq!(h.screen(), Screen::Attract);
    assert!(sounds(&mut h).is_empty(), "sound left after the visitor");
    // And a visitor who goes through to the end leaves no sound behind either.
    start(&mut h, "Une matinée dans un entrepôt");
    assert_eq!(of_kind(&sounds(&mut h), SoundKind::Ambient).len(), 1);
    h.play_through().unwrap();
    assert_eq!(h.screen(), Screen::Results);
    assert!(
        sounds(&mut h).is_empty(),
        "the ambient loop outlived the scenario"
    );
}

/// The panorama window: its centre, its width in window pixels, and the strip's offset.
fn panorama(h: &mut Harness) -> (Vec2, f32, f32) {
    let w = h.world();
    let mut q = w.query::<(&PlayButton, &ComputedNode, &UiGlobalTransform)>();
    let (c, width) = q
        .iter(w)
        .find(|(b, ..)| **b == PlayButton::Picture)
        .map(|(_, n, t)| {
            (
                t.translation * n.inverse_scale_factor(),
                n.size.x * n.inverse_scale_factor(),
            )
        })
        .unwrap();
    let mut strips = w.query_filtered::<&Node, (Without<Tappable>, With<Children>)>();
    let left = strips
        .iter(w)
        .filter(|n| {
            n.position_type == PositionType::Absolute && n.flex_direction == FlexDirection::Row
        })
        .find_map(|n| match n.left {
            Val::Px(x) => Some(x),
            _ => None,
        })
        .unwrap();
    (c, width, left)
}

#[test]
fn a_finger_drags_the_panorama_and_the_buttons_still_turn_it() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| c);
    let mut h = harness(&cfg, (1920, 1080));
    start(&mut h, "Une matinée dans un entrepôt");
    play_until(&mut h, "panorama");
    let (centre, width, left0) = panorama(&mut h);
    assert_eq!(h.app.world().resource::<Play>().pan, 0.0);
    assert_eq!(left0, 0.0);
    // Drag 600 px to the left, in small moves, as a finger would.
    let id = 77;
    h.touch(id, TouchPhase::Started, centre);
    h.frame();
    for k in 1..=6 {
        h.touch(
            id,
            TouchPhase::Moved,
            centre - Vec2::new(100.0 * k as f32, 0.0),
        );
        h.frame();
    }
    h.touch(id, TouchPhase::Ended, centre - Vec2::new(600.0, 0.0));
    h.frame();
    h.frame();
    let pan = h.app.world().resource::<Play>().pan;
    assert!(
        (pan - 600.0).abs() < 30.0,
        "the view did not follow the finger: {pan}"
    );
    let (_, _, left) = panorama(&mut h);
    assert!((left + pan).abs() < 1.0, "the strip did not move: {left}");
    assert!(
        h.app.world().resource::<Play>().found.is_empty(),
        "a drag counted as a tap on a zone"
    );
    // The forklift (x 1460..1940 in a 4096 px picture shown 500 px high) is now in view:
    // a tap on it finds it, so taps follow the dragged view.
    let k = 500.0 / 1080.0;
    let forklift_x = (1460.0 + 240.0) * k - pan;
    let tap = Vec2::new(centre.x - width / 2.0 + forklift_x, centre.y + 100.0);
    h.settle();
    h.tap_at(tap);
    let found = h.app.world().resource::<Play>().found.clone();
    assert_eq!(found, vec![0], "the forklift was not found after the drag");
    // WCAG 2.5.7: the same without dragging, with the turn buttons.
    h.tap("Tourner à droite").unwrap();
    let after = h.app.world().resource::<Play>().pan;
    assert!((after - pan - 700.0).abs() < 1.0, "{pan} → {after}");
    h.tap("Tourner à gauche").unwrap();
    h.tap("Tourner à gauche").unwrap();
    let back = h.app.world().resource::<Play>().pan;
    assert!((back - (pan - 700.0)).abs() < 1.0, "{back}");
    let (_, _, left) = panorama(&mut h);
    let strip_w = 4096.0 * k;
    assert!(
        (left + back.rem_euclid(strip_w)).abs() < 1.0,
        "the strip did not follow the buttons: {left}"
    );
}

#[test]
fn sort_items_are_dragged_into_order_and_into_bins() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| c);
    let mut h = harness(&cfg, (1920, 1080));
    start(&mut h, "Une journée au labo de contrôle");
    play_until(&mut h, "sort");
    let Some(StepBody::Sort {
        mode: SortMode::Order,
        items,
        ..
    }) = step_body(&h)
    else {
        panic!("order step first");
    };
    let label = |i: usize| items[i].label.fr.clone();
    let order = h.app.world().resource::<Play>().order.clone();
    // Drag the item at position 0 onto the one at position 2: they swap places.
    h.drag(&label(order[0]), &label(order[2])).unwrap();
    let mut expected = order.clone();
    expected.swap(0, 2);
    assert_eq!(h.app.world().resource::<Play>().order, expected);
    // The numbers on screen follow.
    h.settle();
    assert!(h.shows(&format!("1 · {}", label(expected[0]))));
    // A drag that ends nowhere leaves the order alone and the item back in its place.
    h.settle();
    let a = h.find(&label(expected[1])).unwrap();
    h.touch(90, TouchPhase::Started, a);
    h.frame();
    // Up to the question, where nothing takes a drop.
    let nowhere = Vec2::new(a.x, 120.0);
    h.touch(90, TouchPhase::Moved, (a + nowhere) / 2.0);
    h.frame();
    h.touch(90, TouchPhase::Moved, nowhere);
    h.frame();
    h.touch(90, TouchPhase::Ended, nowhere);
    h.frame();
    h.frame();
    assert_eq!(h.app.world().resource::<Play>().order, expected);
    let back = h.find(&label(expected[1])).unwrap();
    assert!(
        back.distance(a) < 1.0,
        "the item did not come back: {a} → {back}"
    );

    // The bins step: drag an item onto a bin.
    h.tap("Valider").unwrap();
    h.play_step().unwrap(); // "Tu as aimé ?"
    play_until(&mut h, "sort");
    let Some(StepBody::Sort {
        mode: SortMode::Bins,
        items,
        bins,
        ..
    }) = step_body(&h)
    else {
        panic!("bins step next");
    };
    let b = bins.len() - 1;
    h.drag(&items[0].label.fr, &bins[b].label.fr).unwrap();
    assert_eq!(h.app.world().resource::<Play>().placed[0], Some(b));
    h.settle();
    assert!(
        h.find(&items[0].label.fr).is_none(),
        "the item is still in the tray"
    );
    // Tap-then-tap does the same for the next one.
    h.tap(&items[1].label.fr).unwrap();
    h.tap(&bins[0].label.fr).unwrap();
    assert_eq!(h.app.world().resource::<Play>().placed[1], Some(0));
}

/// Low reach: no control may start above this share of the window's height.
const LOW_REACH_TOP: f32 = 0.45;

/// Controls (visible tappable nodes, full-screen ones aside) that start above the bound or
/// end below the window, in window pixels.
fn out_of_reach(h: &mut Harness, where_: &str) -> Vec<String> {
    let w = h.world();
    let win = w.query::<&Window>().iter(w).next().unwrap();
    let size = Vec2::new(win.width(), win.height());
    // Layout is in physical pixels; the window's logical pixels are what the finger sees.
    let k = 1.0 / win.scale_factor();
    let mut q = w.query_filtered::<(
        &ComputedNode,
        &UiGlobalTransform,
        &InheritedVisibility,
        Option<&Label>,
        Option<&Name>,
    ), With<Tappable>>();
    let mut out = vec![];
    let mut rects: Vec<(Vec2, Vec2, Option<String>)> = vec![];
    let mut n = 0;
    for (node, tf, vis, label, name) in q.iter(w) {
        if !vis.get() {
            continue;
        }
        let half = node.size * k / 2.0;
        let c = tf.translation * k;
        // A target covering the whole screen (attract, thanks, "still there?") is in reach.
        if half.x * 2.0 >= size.x * 0.9 && half.y * 2.0 >= size.y * 0.9 {
            continue;
        }
        n += 1;
        rects.push((c - half, c + half, label.map(|l| l.0.clone())));
        let (top, bottom) = (c.y - half.y, c.y + half.y);
        if top < size.y * LOW_REACH_TOP
            || bottom > size.y + 1.0
            || c.x - half.x < -1.0
            || c.x + half.x > size.x + 1.0
        {
            out.push(format!(
                "{where_}: {:?} {:?} at y {top:.0}..{bottom:.0} of {}",
                label.map(|l| &l.0),
                name.map(Name::as_str),
                size.y
            ));
        }
    }
    assert!(n > 0, "{where_}: no control found");
    // Nothing may hide behind another control (a wrapped row spilling onto the controls).
    for (i, a) in rects.iter().enumerate() {
        for b in &rects[i + 1..] {
            let overlap = a.0.x < b.1.x - 1.0
                && b.0.x < a.1.x - 1.0
                && a.0.y < b.1.y - 1.0
                && b.0.y < a.1.y - 1.0;
            if overlap {
                out.push(format!("{where_}: {:?} overlaps {:?}", a.2, b.2));
            }
        }
    }
    out
}

#[test]
fn low_reach_keeps_every_control_in_the_lower_part_of_every_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| {
        c.replace("low_reach = false", "low_reach = true")
    });
    let mut bad = vec![];
    for size in [(1920u32, 1080u32), (1080, 1920)] {
        let mut types = std::collections::BTreeSet::new();
        for (n, title) in [
            "Essai à choix multiples",
            "Une matinée dans un entrepôt",
            "Une journée au labo de contrôle",
            "Une matinée avec un aide-soignant",
        ]
        .into_iter()
        .enumerate()
        {
            let mut h = harness(&cfg, size);
            let at = format!("{}×{}", size.0, size.1);
            h.tap("Commencer").unwrap();
            h.settle();
            if n == 0 {
                bad.extend(out_of_reach(&mut h, &format!("{at} welcome")));
            }
            h.tap("C'est parti !").unwrap();
            h.settle();
            if n == 0 {
                bad.extend(out_of_reach(&mut h, &format!("{at} choose")));
            }
            let label = h
                .labels()
                .into_iter()
                .find(|l| l.starts_with(title))
                .unwrap();
            h.tap(&label).unwrap();
            for _ in 0..60 {
                h.settle();
                if h.screen() != Screen::Play {
                    break;
                }
                let enjoy = matches!(h.app.world().resource::<Play>().phase, Phase::Enjoy { .. });
                let ty = if enjoy {
                    "enjoy".to_owned()
                } else {
                    step_body(&h).unwrap().type_name().to_owned()
                };
                let ty = match step_body(&h) {
                    Some(StepBody::Sort { mode, .. }) if !enjoy => format!("{ty} {mode:?}"),
                    _ => ty,
                };
                bad.extend(out_of_reach(&mut h, &format!("{at} {title} {ty}")));
                types.insert(ty);
                h.play_step().unwrap();
            }
            assert_eq!(
                h.screen(),
                Screen::Results,
                "{at} {title}: stuck at {:?} with {:?}; so far:\n{}",
                step_body(&h).map(|b| b.type_name()),
                h.labels(),
                bad.join("\n")
            );
            h.settle();
            bad.extend(out_of_reach(&mut h, &format!("{at} {title} results")));
        }
        for t in [
            "info",
            "choice",
            "multi",
            "scale",
            "sort Order",
            "sort Bins",
            "hotspot",
            "panorama",
            "timed",
            "enjoy",
        ] {
            assert!(types.contains(t), "{t} not checked: {types:?}");
        }
    }
    assert!(bad.is_empty(), "controls out of reach:\n{}", bad.join("\n"));
}

#[test]
fn step_pictures_are_scaled_to_the_screen_and_kept_on_the_gpu_side_only() {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = station_config(tmp.path(), false, |c| c);
    let mut h = harness(&cfg, (1920, 1080));
    // No multisampled target: it alone would cost about 33 MB at 1080p.
    let msaa: Vec<bevy::render::view::Msaa> = h
        .world()
        .query_filtered::<&bevy::render::view::Msaa, With<Camera2d>>()
        .iter(h.app.world())
        .copied()
        .collect();
    assert_eq!(msaa, vec![bevy::render::view::Msaa::Off]);
    start(&mut h, "Une matinée dans un entrepôt");
    play_until(&mut h, "panorama");
    let (handle, size) = h.app.world().resource::<Play>().picture.clone().unwrap();
    // The play screen still knows the file's size (zones are in its pixels)...
    assert_eq!(size, UVec2::new(4096, 1080));
    let img = h
        .app
        .world()
        .resource::<Assets<Image>>()
        .get(&handle)
        .unwrap();
    // ...but the texture is only as high as the screen shows it (500 px), same shape,
    // and its pixels are not kept in the main world once on the GPU.
    assert_eq!(img.height(), 500);
    assert!((img.width() as f32 / 500.0 - 4096.0 / 1080.0).abs() < 0.01);
    assert_eq!(
        img.asset_usage,
        bevy::asset::RenderAssetUsages::RENDER_WORLD
    );
    // The zones still answer where they are drawn.
    h.play_step().unwrap();
    assert!(matches!(
        h.app.world().resource::<Play>().phase,
        Phase::Enjoy { found: 3, total: 3 }
    ));
}

//! Sound through bevy_audio (rodio): ambient loops, step sounds and read-aloud narration,
//! with the visitor's volume and mute.

use crate::app::bridge::{Clock, DaySettings};
use bevy::audio::{
    AudioSink, AudioSinkPlayback, AudioSource, PlaybackMode, PlaybackSettings, Volume,
};
use bevy::platform::collections::HashMap;
use bevy::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub(super) fn plugin(app: &mut App) {
    app.init_resource::<SoundCache>();
    app.add_systems(Update, apply_volume.run_if(resource_changed::<DaySettings>));
}

/// What a sound is for.
#[derive(Component, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SoundKind {
    /// A scenario's ambient loop.
    Ambient,
    /// A step's sound.
    Effect,
    /// Read-aloud.
    Narration,
}

/// A narration under way; the idle timer waits until `until`.
#[derive(Component, Clone, Copy, Debug)]
pub struct Narration {
    /// When it ends.
    pub until: Duration,
}

/// Ambient and step sounds read once, by path; content only, never visitor data.
#[derive(Resource, Default)]
pub struct SoundCache(HashMap<PathBuf, (Handle<AudioSource>, Duration)>);

/// The length of a WAV file from its header, or `None` if it is not one.
pub fn wav_duration(bytes: &[u8]) -> Option<Duration> {
    if bytes.len() < 44 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return None;
    }
    let mut at = 12;
    let mut byte_rate = None;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let len = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        if id == b"fmt " && at + 20 <= bytes.len() {
            byte_rate = Some(u32::from_le_bytes([
                bytes[at + 16],
                bytes[at + 17],
                bytes[at + 18],
                bytes[at + 19],
            ]));
        }
        if id == b"data" {
            let rate = byte_rate.filter(|r| *r > 0)?;
            let len = len.min(bytes.len() - at - 8);
            return Some(Duration::from_secs_f64(len as f64 / f64::from(rate)));
        }
        at += 8 + len + (len & 1);
    }
    None
}

/// Plays a file; returns the entity, or `None` when the file cannot be read.
pub fn play(
    commands: &mut Commands,
    cache: &mut SoundCache,
    sources: &mut Assets<AudioSource>,
    day: &DaySettings,
    clock: &Clock,
    path: &Path,
    kind: SoundKind,
) -> Option<Entity> {
    let (handle, len) = match cache.0.get(path) {
        Some(h) => h.clone(),
        None => {
            let bytes = crate::fsio::read_regular(path, crate::content::set::MAX_SOUND).ok()?;
            let len = wav_duration(&bytes)?;
            let h = sources.add(AudioSource {
                bytes: bytes.into(),
            });
            // Narration is read once per step and there is one file per text: caching it
            // would keep every text heard in memory for good (tens of MB per scenario).
            if kind != SoundKind::Narration {
                cache.0.insert(path.to_owned(), (h.clone(), len));
            }
            (h, len)
        }
    };
    let mode = if kind == SoundKind::Ambient {
        PlaybackMode::Loop
    } else {
        PlaybackMode::Despawn
    };
    let gain = gain(day, kind);
    let mut e = commands.spawn((
        Name::new("Sound"),
        kind,
        AudioPlayer(handle),
        PlaybackSettings {
            mode,
            volume: Volume::Linear(gain),
            ..PlaybackSettings::ONCE
        },
    ));
    if kind == SoundKind::Narration {
        e.insert(Narration {
            until: clock.now + len,
        });
    }
    Some(e.id())
}

/// Stops every sound of a kind.
pub fn stop(commands: &mut Commands, sounds: &Query<(Entity, &SoundKind)>, kind: SoundKind) {
    for (e, k) in sounds {
        if *k == kind {
            commands.entity(e).despawn();
        }
    }
}

/// How loud ambient loops are next to narration and step sounds, so speech stays clear.
pub const AMBIENT_SHARE: f32 = 0.4;

/// The linear volume of a sound of `kind` at the day's volume (0 when muted).
pub fn gain(day: &DaySettings, kind: SoundKind) -> f32 {
    if kind == SoundKind::Ambient {
        day.gain() * AMBIENT_SHARE
    } else {
        day.gain()
    }
}

/// Applies the volume and mute to what plays, and to what is about to (a sound whose sink
/// does not exist yet starts from its `PlaybackSettings`).
fn apply_volume(
    day: Res<DaySettings>,
    mut sounds: Query<(&SoundKind, &mut PlaybackSettings, Option<&mut AudioSink>)>,
) {
    for (kind, mut settings, sink) in &mut sounds {
        let g = Volume::Linear(gain(&day, *kind));
        if settings.volume != g {
            settings.volume = g;
        }
        if let Some(mut sink) = sink {
            sink.set_volume(g);
        }
    }
}

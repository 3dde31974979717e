#!/usr/bin/env python3
"""Synthèse des sons des immersions comptabilite, design et vente.

Sound synthesis for the comptabilite, design and vente immersions.

Python standard library only, fixed random seeds: the output is the same on
every run. Writes mono 16-bit 22050 Hz WAV files:

  scenarios/comptabilite/sons/bureau.wav      ambient loop, 6 s: quiet office,
                                              keyboard clicks, distant printer
  scenarios/comptabilite/sons/calculette.wav  effect: adding machine
  scenarios/design/sons/studio.wav            ambient loop, 6 s: soft pads
  scenarios/design/sons/fete.wav              effect: bright little arpeggio
  scenarios/vente/sons/magasin.wav            ambient loop, 6 s: shop murmur
  scenarios/vente/sons/carillon.wav           effect: shop door bell

How the loops stay seamless:
  * every tone uses a frequency that is a whole multiple of 1/6 Hz, so it
    completes a whole number of cycles in 6 s;
  * noise filters run twice over the buffer and keep the second pass, so the
    filter state at the loop point is the state of the end of the loop;
  * events (clicks, syllables, notes) that run past the end wrap round to
    the beginning.

Usage:  python3 assets/tools/make_sounds_b.py
"""

import math
import random
import struct
import wave
from pathlib import Path

RATE = 22050
LOOP_SECONDS = 6
N = RATE * LOOP_SECONDS
TAU = 2.0 * math.pi
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- helpers

def loop_freq(f):
    """Nearest frequency that fits a whole number of cycles in the loop."""
    return max(1, round(f * LOOP_SECONDS)) / LOOP_SECONDS


def white(rng, n):
    return [rng.uniform(-1.0, 1.0) for _ in range(n)]


def lowpass_circular(x, fc):
    """One-pole low-pass, run twice so the loop point is continuous."""
    a = math.exp(-TAU * fc / RATE)
    b = 1.0 - a
    y = 0.0
    out = [0.0] * len(x)
    for _ in range(2):
        for i, v in enumerate(x):
            y = b * v + a * y
            out[i] = y
    return out


def bandpass_circular(x, fc, q):
    """RBJ band-pass biquad (0 dB peak), run twice for a seamless loop."""
    w0 = TAU * fc / RATE
    alpha = math.sin(w0) / (2.0 * q)
    a0 = 1.0 + alpha
    b0, b2 = alpha / a0, -alpha / a0
    a1, a2 = -2.0 * math.cos(w0) / a0, (1.0 - alpha) / a0
    x1 = x2 = y1 = y2 = 0.0
    out = [0.0] * len(x)
    for _ in range(2):
        for i, v in enumerate(x):
            y = b0 * v + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1 = x1, v
            y2, y1 = y1, y
            out[i] = y
    return out


def bandpass(x, fc, q):
    """Same band-pass, one pass (for one-shot effects)."""
    w0 = TAU * fc / RATE
    alpha = math.sin(w0) / (2.0 * q)
    a0 = 1.0 + alpha
    b0, b2 = alpha / a0, -alpha / a0
    a1, a2 = -2.0 * math.cos(w0) / a0, (1.0 - alpha) / a0
    x1 = x2 = y1 = y2 = 0.0
    out = []
    for v in x:
        y = b0 * v + b2 * x2 - a1 * y1 - a2 * y2
        x2, x1 = x1, v
        y2, y1 = y1, y
        out.append(y)
    return out


def add_wrapped(buf, start, samples, gain=1.0):
    n = len(buf)
    for i, v in enumerate(samples):
        buf[(start + i) % n] += gain * v


def add_at(buf, start, samples, gain=1.0):
    for i, v in enumerate(samples):
        j = start + i
        if 0 <= j < len(buf):
            buf[j] += gain * v


def mix(*layers):
    out = [0.0] * len(layers[0][0])
    for samples, gain in layers:
        for i, v in enumerate(samples):
            out[i] += gain * v
    return out


def normalise(x, peak):
    m = max(abs(v) for v in x) or 1.0
    return [v * peak / m for v in x]


def fade(x, fade_in, fade_out):
    n = len(x)
    a, b = int(fade_in * RATE), int(fade_out * RATE)
    for i in range(min(a, n)):
        x[i] *= i / a
    for i in range(min(b, n)):
        x[n - 1 - i] *= i / b
    return x


def write_wav(rel_path, samples):
    path = ROOT / rel_path
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = b"".join(
        struct.pack("<h", max(-32767, min(32767, int(round(v * 32767)))))
        for v in samples
    )
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames)
    print(f"{rel_path}: {len(samples) / RATE:.2f} s, {path.stat().st_size // 1024} KiB")


def tone_loop(freq, amp=1.0, phase=0.0):
    """A sine that loops seamlessly over the 6 s buffer."""
    f = loop_freq(freq)
    return [amp * math.sin(TAU * f * i / RATE + phase) for i in range(N)]


def periodic_env(centre, width, n=N):
    """Raised-cosine bump, periodic over the loop, peak 1 at `centre` s."""
    out = []
    for i in range(n):
        d = (i / RATE - centre) % LOOP_SECONDS
        d = min(d, LOOP_SECONDS - d)
        out.append(0.5 + 0.5 * math.cos(math.pi * d / width) if d < width else 0.0)
    return out


def note_freq(semitones_from_a4):
    return 440.0 * 2.0 ** (semitones_from_a4 / 12.0)


# ------------------------------------------------------------- the office

def keyboard_click(rng):
    n = int(0.035 * RATE)
    burst = [rng.uniform(-1, 1) * math.exp(-i / (0.004 * RATE)) for i in range(n)]
    click = bandpass(burst, rng.uniform(2300, 3600), 1.8)
    thump = [math.sin(TAU * 170 * i / RATE) * math.exp(-i / (0.006 * RATE)) for i in range(n)]
    return [c * 1.6 + 0.35 * t for c, t in zip(click, thump)]


def office_loop():
    rng = random.Random(1213)
    # room tone: soft low rumble, and a very faint ventilation hum
    room = lowpass_circular(white(rng, N), 260)
    room = normalise(room, 1.0)
    hum = mix((tone_loop(100, 1.0), 1.0), (tone_loop(200, 0.4), 1.0))
    # keyboard: a few bursts of typing, spaces are a bit louder
    keys = [0.0] * N
    t = 0.25
    for burst_len in (11, 7, 14):
        for k in range(burst_len):
            gain = rng.uniform(0.5, 1.0) * (1.4 if k % 5 == 4 else 1.0)
            add_wrapped(keys, int(t * RATE), keyboard_click(rng), gain)
            t += rng.uniform(0.09, 0.2)
        t += rng.uniform(0.5, 0.9)
    # distant printer: motor whirr and line-feed pulses, muffled
    motor_raw = white(rng, N)
    motor = bandpass_circular(motor_raw, 520, 3.0)
    buzz = mix((tone_loop(90, 1.0), 1.0), (tone_loop(180, 0.5), 1.0), (tone_loop(270, 0.25), 1.0))
    env = periodic_env(4.2, 1.1)
    pulse = [0.55 + 0.45 * max(0.0, math.sin(TAU * 4.0 * i / RATE)) for i in range(N)]
    printer = [(0.8 * m + 0.18 * b) * e * p for m, b, e, p in zip(motor, buzz, env, pulse)]
    printer = lowpass_circular(printer, 1400)
    printer = normalise(printer, 1.0)
    out = mix((room, 0.22), (hum, 0.015), (keys, 0.35), (printer, 0.16))
    return normalise(out, 0.22)


def adding_machine():
    rng = random.Random(4)
    out = [0.0] * int(0.9 * RATE)
    t = 0.02
    for _ in range(5):
        add_at(out, int(t * RATE), keyboard_click(rng), 0.9)
        t += 0.085
    # printing ratchet: fast clicks under a short whirr
    start = int(0.5 * RATE)
    for k in range(9):
        add_at(out, start + int(k * 0.025 * RATE), keyboard_click(rng), 0.45)
    whirr = bandpass([rng.uniform(-1, 1) for _ in range(int(0.25 * RATE))], 900, 2.0)
    add_at(out, start, [v * math.sin(math.pi * i / len(whirr)) for i, v in enumerate(whirr)], 0.8)
    return fade(normalise(out, 0.5), 0.002, 0.05)


# ------------------------------------------------------------- the studio

def pad_note(freq, amp):
    """Warm pad voice: detuned pair plus a soft octave, all loop-safe."""
    return mix(
        (tone_loop(freq * 0.997, 1.0, 0.3), amp),
        (tone_loop(freq * 1.003, 1.0, 1.7), amp),
        (tone_loop(freq * 2.0, 1.0, 0.9), amp * 0.18),
    )


def mallet(freq, length, rng):
    n = int(length * RATE)
    f = freq
    return [
        (math.sin(TAU * f * i / RATE) + 0.25 * math.sin(TAU * 4.0 * f * i / RATE) * math.exp(-i / (0.03 * RATE)))
        * math.exp(-i / (0.35 * RATE)) * min(1.0, i / 40)
        for i in range(n)
    ]


def studio_loop():
    rng = random.Random(1205)
    # two chords, each fading in and out over the loop: F maj7 then D min 7
    chord_a = [note_freq(-16), note_freq(-12), note_freq(-9), note_freq(-5)]   # F3 A3 C4 E4
    chord_b = [note_freq(-19), note_freq(-16), note_freq(-12), note_freq(-9)]  # D3 F3 A3 C4
    env_a = periodic_env(1.5, 3.0)
    env_b = periodic_env(4.5, 3.0)
    pad = [0.0] * N
    for f in chord_a:
        for i, v in enumerate(pad_note(f, 0.25)):
            pad[i] += v * env_a[i]
    for f in chord_b:
        for i, v in enumerate(pad_note(f, 0.25)):
            pad[i] += v * env_b[i]
    pad = lowpass_circular(pad, 1800)
    # a few soft mallet notes from the chords, like a distant radio
    bells = [0.0] * N
    for t, semis in ((0.4, 3), (1.6, -5), (2.5, 0), (3.4, 0), (4.3, -9), (5.2, -2)):
        add_wrapped(bells, int(t * RATE), mallet(note_freq(semis), 1.4, rng), 0.35)
    air = lowpass_circular(white(rng, N), 900)
    air = normalise(air, 1.0)
    out = mix((normalise(pad, 1.0), 0.75), (bells, 0.5), (air, 0.04))
    return normalise(out, 0.2)


def festive_chime():
    rng = random.Random(21)
    out = [0.0] * int(1.6 * RATE)
    for k, semis in enumerate((3, 7, 10, 15)):  # C5 E5 G5 C6
        add_at(out, int(k * 0.11 * RATE), mallet(note_freq(semis), 1.2, rng), 0.8 - 0.1 * k)
    return fade(normalise(out, 0.5), 0.002, 0.3)


# --------------------------------------------------------------- the shop

def syllable_envelope(rng, talk_from, talk_to, rate):
    """Speech-like loudness: syllables at about `rate` per second, with pauses."""
    env = [0.0] * N
    t = talk_from
    while t < talk_to:
        length = rng.uniform(0.09, 0.22)
        n = int(length * RATE)
        amp = rng.uniform(0.4, 1.0)
        shape = [amp * math.sin(math.pi * i / n) ** 2 for i in range(n)]
        add_wrapped(env, int(t * RATE), shape)
        t += length + rng.uniform(0.02, 0.08)
        if rng.random() < 0.12:
            t += rng.uniform(0.3, 0.7)  # a breath between phrases
    return env


def shop_loop():
    rng = random.Random(1403)
    murmur = [0.0] * N
    # five distant voices, each with its own timbre and rhythm
    voices = (
        (480, 1150, 0.0, 6.0, 4.5, 1.0),
        (620, 1500, 1.2, 6.8, 5.0, 0.8),
        (360, 900, 3.0, 8.2, 4.0, 0.9),
        (540, 1300, 0.5, 4.0, 5.5, 0.6),
        (700, 1700, 2.2, 7.5, 4.8, 0.5),
    )
    for f1, f2, start, stop, rate, gain in voices:
        src = white(rng, N)
        formant = mix((bandpass_circular(src, f1, 4.0), 1.0), (bandpass_circular(src, f2, 5.0), 0.6))
        env = syllable_envelope(rng, start, stop, rate)
        for i in range(N):
            murmur[i] += gain * formant[i] * env[i]
    murmur = lowpass_circular(murmur, 2000)
    room = lowpass_circular(white(rng, N), 300)
    out = mix((normalise(murmur, 1.0), 0.8), (normalise(room, 1.0), 0.2))
    return normalise(out, 0.2)


def shop_bell():
    rng = random.Random(7)
    out = [0.0] * int(1.8 * RATE)
    f0 = 1318.5  # E6
    partials = ((1.0, 1.0, 0.9), (2.0, 0.35, 0.6), (2.76, 0.5, 0.45), (5.4, 0.25, 0.2))
    for k, t in enumerate((0.0, 0.11, 0.24, 0.42)):
        strike_gain = (1.0, 0.7, 0.55, 0.3)[k] * rng.uniform(0.9, 1.0)
        n = len(out) - int(t * RATE)
        strike = [
            sum(a * math.sin(TAU * f0 * r * i / RATE) * math.exp(-i / (d * RATE)) for r, a, d in partials)
            * min(1.0, i / 20)
            for i in range(n)
        ]
        add_at(out, int(t * RATE), strike, strike_gain)
    return fade(normalise(out, 0.45), 0.001, 0.4)


# ------------------------------------------------------------------- main

def check_loop(name, x):
    """Print the step across the loop point next to the steps just before and after it."""
    print(
        f"  {name}: step across loop point {abs(x[0] - x[-1]):.4f}"
        f" (neighbours {abs(x[-1] - x[-2]):.4f}, {abs(x[1] - x[0]):.4f})"
    )


def main():
    for rel, make in (
        ("scenarios/comptabilite/sons/bureau.wav", office_loop),
        ("scenarios/design/sons/studio.wav", studio_loop),
        ("scenarios/vente/sons/magasin.wav", shop_loop),
    ):
        samples = make()
        write_wav(rel, samples)
        check_loop(rel, samples)
    write_wav("scenarios/comptabilite/sons/calculette.wav", adding_machine())
    write_wav("scenarios/design/sons/fete.wav", festive_chime())
    write_wav("scenarios/vente/sons/carillon.wav", shop_bell())


if __name__ == "__main__":
    main()

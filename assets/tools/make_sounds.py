#!/usr/bin/env python3
"""Synthesise the sounds of the immersion scenarios soudure, soin, logistique
and laboratoire.

    python3 assets/tools/make_sounds.py            # from the repository root

Standard library only, deterministic (fixed seeds): running it twice writes the
same bytes. Every file is mono, 16-bit, 22050 Hz.

Ambient loops last 6 s and loop seamlessly:
- every steady tone has a whole number of cycles in 6 s (frequency = k / 6 Hz);
- noise is filtered around the loop (two passes over a circular buffer), so the
  last sample flows into the first;
- events (crackles, beeps, chimes) are added modulo the loop length, so one that
  runs past the end continues at the start.
Short effect sounds (sound = "sons/….wav" on a step) fade in and out.
"""

import array
import math
import os
import random
import sys
import wave

RATE = 22050
LOOP_SECONDS = 6
N = RATE * LOOP_SECONDS
AMBIENT_RMS = 0.04  # about -28 dBFS: a background, under the narration
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
SCENARIOS = os.path.join(ROOT, "scenarios")


# ---------------------------------------------------------------- building blocks

def loop_freq(f):
    """Nearest frequency with a whole number of cycles in the loop."""
    return max(1, round(f * LOOP_SECONDS)) / LOOP_SECONDS


def white(rng, n):
    return [rng.uniform(-1.0, 1.0) for _ in range(n)]


def lowpass(x, cutoff, circular=True):
    """One-pole low-pass. With circular=True the filter runs twice around the
    buffer, so the output has no seam at the loop point."""
    a = 1.0 - math.exp(-2.0 * math.pi * cutoff / RATE)
    y = [0.0] * len(x)
    state = 0.0
    for _ in range(2 if circular else 1):
        for i, v in enumerate(x):
            state += a * (v - state)
            y[i] = state
    return y


def highpass(x, cutoff, circular=True):
    low = lowpass(x, cutoff, circular)
    return [a - b for a, b in zip(x, low)]


def bandpass(x, centre, q=2.0, circular=True):
    """RBJ band-pass biquad (constant 0 dB peak gain), optionally circular."""
    w0 = 2.0 * math.pi * centre / RATE
    alpha = math.sin(w0) / (2.0 * q)
    b0, b2 = alpha, -alpha
    a0, a1, a2 = 1.0 + alpha, -2.0 * math.cos(w0), 1.0 - alpha
    b0, b2, a1, a2 = b0 / a0, b2 / a0, a1 / a0, a2 / a0
    y = [0.0] * len(x)
    x1 = x2 = y1 = y2 = 0.0
    for _ in range(2 if circular else 1):
        for i, v in enumerate(x):
            out = b0 * v + b2 * x2 - a1 * y1 - a2 * y2
            x2, x1 = x1, v
            y2, y1 = y1, out
            y[i] = out
    return y


def scale(x, gain):
    return [v * gain for v in x]


def rms(x):
    return math.sqrt(sum(v * v for v in x) / len(x))


def normalise_rms(x, target):
    r = rms(x) or 1.0
    return scale(x, target / r)


def mix_into(buf, sig, start, wrap=True):
    """Add sig to buf from sample `start`; wraps around the loop if asked."""
    n = len(buf)
    for i, v in enumerate(sig):
        j = start + i
        if wrap:
            buf[j % n] += v
        elif 0 <= j < n:
            buf[j] += v


def envelope(n, attack, release):
    """Linear attack / release in samples, flat in between."""
    env = [1.0] * n
    for i in range(min(attack, n)):
        env[i] = i / attack
    for i in range(min(release, n)):
        env[n - 1 - i] = min(env[n - 1 - i], i / release)
    return env


def tone(freq, seconds, partials=((1, 1.0),), decay=None, attack=0.004):
    """A tone with harmonic partials (ratio, level). decay = time constant in s."""
    n = int(seconds * RATE)
    out = [0.0] * n
    att = max(1, int(attack * RATE))
    for i in range(n):
        t = i / RATE
        v = 0.0
        for ratio, level in partials:
            v += level * math.sin(2.0 * math.pi * freq * ratio * t)
        e = min(1.0, i / att)
        if decay:
            e *= math.exp(-t / decay)
        out[i] = v * e
    return out


def beep(freq, seconds, edge=0.01):
    n = int(seconds * RATE)
    env = envelope(n, int(edge * RATE), int(edge * RATE))
    return [env[i] * math.sin(2.0 * math.pi * freq * i / RATE) for i in range(n)]


def crackle(rng, seconds, rate_per_s=260.0, level=1.0):
    """Welding-arc crackle: a hiss with dense random clicks."""
    n = int(seconds * RATE)
    hiss = highpass(white(rng, n), 1800.0, circular=False)
    out = [0.35 * v for v in hiss]
    p = rate_per_s / RATE
    i = 0
    while i < n:
        if rng.random() < p:
            amp = rng.uniform(0.3, 1.0) * (1.0 if rng.random() < 0.85 else 1.8)
            length = rng.randint(20, 90)
            for k in range(length):
                if i + k < n:
                    out[i + k] += amp * rng.uniform(-1.0, 1.0) * math.exp(-k / (length / 4.0))
        i += 1
    # the 100 Hz buzz of the arc, a little rough
    for i in range(n):
        t = i / RATE
        out[i] += 0.12 * math.copysign(abs(math.sin(2.0 * math.pi * 100.0 * t)) ** 0.5, math.sin(2.0 * math.pi * 100.0 * t))
    env = envelope(n, int(0.04 * RATE), int(0.25 * RATE))
    return [v * e * level for v, e in zip(out, env)]


def thud(rng, seconds=0.35, freq=70.0):
    n = int(seconds * RATE)
    body = tone(freq, seconds, ((1, 1.0), (2.1, 0.3)), decay=0.08, attack=0.002)
    knock = lowpass(white(rng, n), 900.0, circular=False)
    return [b + 2.5 * k * math.exp(-i / (0.02 * RATE)) for i, (b, k) in enumerate(zip(body, knock))]


def clink(seconds=1.0):
    """A metal part set down on a steel table: inharmonic partials."""
    return tone(1130.0, seconds, ((1, 1.0), (2.54, 0.6), (3.9, 0.35), (5.3, 0.2)), decay=0.18, attack=0.001)


def hum(seconds, base, partials, am_rate=None, am_depth=0.0):
    n = int(seconds * RATE)
    base = loop_freq(base)
    am_rate = loop_freq(am_rate) if am_rate else None
    out = [0.0] * n
    for i in range(n):
        t = i / RATE
        v = sum(level * math.sin(2.0 * math.pi * base * ratio * t) for ratio, level in partials)
        if am_rate:
            v *= 1.0 - am_depth * (0.5 + 0.5 * math.sin(2.0 * math.pi * am_rate * t))
        out[i] = v
    return out


def finish(buf, peak=0.42, level=None):
    """Scale so the loudest sample sits at `peak` of full scale; with `level`,
    aim for that RMS instead (a gentle ambient), never above `peak`."""
    m = max(abs(v) for v in buf) or 1.0
    gain = peak / m
    if level is not None:
        gain = min(gain, level / (rms(buf) or 1.0))
    return scale(buf, gain)


def write_wav(rel, samples):
    path = os.path.join(SCENARIOS, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    data = array.array("h", (max(-32767, min(32767, int(round(v * 32767)))) for v in samples))
    if sys.byteorder == "big":
        data.byteswap()
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(data.tobytes())
    print(f"{rel}: {len(samples) / RATE:.2f} s, {os.path.getsize(path) // 1024} KB")


def fade(sig, fade_in=0.01, fade_out=0.05):
    env = envelope(len(sig), max(1, int(fade_in * RATE)), max(1, int(fade_out * RATE)))
    return [v * e for v, e in zip(sig, env)]


def at(seconds):
    return int(seconds * RATE)


# ---------------------------------------------------------------- soudure

def atelier():
    """Workshop: mains hum, ventilation, one arc burst, a short one, a clink."""
    rng = random.Random(2913)
    buf = scale(hum(LOOP_SECONDS, 100.0, ((1, 1.0), (1.5, 0.35), (2, 0.5), (3, 0.15)), am_rate=0.5, am_depth=0.3), 0.03)
    air = normalise_rms(lowpass(white(rng, N), 380.0), 0.03)
    fan = normalise_rms(bandpass(white(rng, N), 900.0, q=1.2), 0.008)
    buf = [a + b + c for a, b, c in zip(buf, air, fan)]
    mix_into(buf, crackle(rng, 1.9, level=0.16), at(1.1))
    mix_into(buf, crackle(rng, 0.5, rate_per_s=180.0, level=0.1), at(4.9))  # runs past the end: wraps
    mix_into(buf, scale(clink(0.9), 0.08), at(3.6))
    write_wav("soudure/sons/atelier.wav", finish(buf, 0.35, AMBIENT_RMS))


def arc_effect():
    rng = random.Random(29131)
    sig = crackle(rng, 1.6, rate_per_s=320.0)
    write_wav("soudure/sons/arc.wav", fade(finish(sig, 0.5), 0.03, 0.3))


# ---------------------------------------------------------------- soin

def couloir():
    """Hospital corridor: soft room tone, far ventilation, a distant two-tone chime."""
    rng = random.Random(1501)
    room = normalise_rms(lowpass(lowpass(white(rng, N), 220.0), 400.0), 0.03)
    air = normalise_rms(bandpass(white(rng, N), 1400.0, q=0.8), 0.008)
    buf = [a + b for a, b in zip(room, air)]
    partials = ((1, 1.0), (2, 0.25), (3, 0.08))
    ding = lowpass(tone(784.0, 1.8, partials, decay=0.5), 2500.0, circular=False)
    dong = lowpass(tone(659.3, 2.2, partials, decay=0.6), 2500.0, circular=False)
    mix_into(buf, scale(ding, 0.07), at(1.5))
    mix_into(buf, scale(dong, 0.07), at(1.95))
    # two soft, distant footsteps pairs
    for t in (4.1, 4.6, 5.1, 5.6):
        mix_into(buf, scale(lowpass(thud(rng, 0.2, 90.0), 300.0, circular=False), 0.05), at(t))
    write_wav("soin/sons/couloir.wav", finish(buf, 0.3, AMBIENT_RMS))


def sonnette_effect():
    partials = ((1, 1.0), (2, 0.3), (3, 0.1))
    sig = [0.0] * at(1.3)
    mix_into(sig, tone(880.0, 0.9, partials, decay=0.35), 0, wrap=False)
    mix_into(sig, tone(740.0, 0.9, partials, decay=0.35), at(0.35), wrap=False)
    write_wav("soin/sons/sonnette.wav", fade(finish(sig, 0.45), 0.005, 0.2))


# ---------------------------------------------------------------- logistique

def entrepot():
    """Warehouse: big-hall rumble, conveyor rattle, forklift reversing beeps, a pallet set down."""
    rng = random.Random(1103)
    rumble = normalise_rms(lowpass(lowpass(white(rng, N), 140.0), 200.0), 0.04)
    hall = normalise_rms(bandpass(white(rng, N), 600.0, q=0.7), 0.012)
    rattle_src = bandpass(white(rng, N), 2200.0, q=3.0)
    r = loop_freq(11.0)
    rattle = normalise_rms([v * (0.5 + 0.5 * math.sin(2 * math.pi * r * i / RATE)) ** 2 for i, v in enumerate(rattle_src)], 0.012)
    buf = [a + b + c for a, b, c in zip(rumble, hall, rattle)]
    # reversing beeper, with a short echo from the hall
    for k in range(4):
        b = beep(1040.0, 0.42, edge=0.015)
        start = at(0.4 + k * 0.9)
        mix_into(buf, scale(b, 0.06), start)
        mix_into(buf, scale(b, 0.022), start + at(0.19))
    mix_into(buf, scale(thud(rng, 0.4, 65.0), 0.14), at(4.8))
    mix_into(buf, scale(clink(0.5), 0.02), at(4.82))
    write_wav("logistique/sons/entrepot.wav", finish(buf, 0.35, AMBIENT_RMS))


def scanner_effect():
    sig = beep(2400.0, 0.12, edge=0.006) + [0.0] * at(0.1)
    write_wav("logistique/sons/bip.wav", fade(finish(sig, 0.4), 0.002, 0.02))


# ---------------------------------------------------------------- laboratoire

def labo():
    """Control lab: fume-hood airflow, fridge hum, soft instrument beeps."""
    rng = random.Random(1510)
    hood = normalise_rms(lowpass(white(rng, N), 650.0), 0.025)
    hiss = normalise_rms(bandpass(white(rng, N), 3000.0, q=0.7), 0.004)
    fridge = scale(hum(LOOP_SECONDS, 120.0, ((1, 1.0), (2, 0.3)), am_rate=1 / 3, am_depth=0.4), 0.02)
    buf = [a + b + c for a, b, c in zip(hood, hiss, fridge)]
    for t in (1.0, 1.16):
        mix_into(buf, scale(beep(1760.0, 0.07, edge=0.008), 0.05), at(t))
    mix_into(buf, scale(tone(2093.0, 0.6, ((1, 1.0), (2, 0.1)), decay=0.12), 0.05), at(4.2))
    write_wav("laboratoire/sons/labo.wav", finish(buf, 0.3, AMBIENT_RMS))


def balance_effect():
    sig = [0.0] * at(0.7)
    mix_into(sig, tone(1568.0, 0.3, ((1, 1.0), (2, 0.15)), decay=0.09), 0, wrap=False)
    mix_into(sig, tone(2093.0, 0.4, ((1, 1.0), (2, 0.15)), decay=0.12), at(0.16), wrap=False)
    write_wav("laboratoire/sons/bip.wav", fade(finish(sig, 0.4), 0.002, 0.1))


def main():
    atelier()
    arc_effect()
    couloir()
    sonnette_effect()
    entrepot()
    scanner_effect()
    labo()
    balance_effect()


if __name__ == "__main__":
    main()

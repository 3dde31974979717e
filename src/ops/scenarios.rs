//! Replacing an installed station's scenarios from a USB stick: the new folder is checked
//! first, copied next to the active one (regular files and folders only, each fsynced),
//! checked again, then swapped in; on any error the active set stays (or is put back) as it
//! was, and a set that could not be put back is reported as such.
//!
//! # Station hook
//!
//! Panel button "Installer les scénarios de la clé": on a worker thread,
//! `ops::scenarios::install_with(&usb_dir.join("scenarios"), &scenarios_dir, &progress, …)`
//! while the panel shows `progress.line()`; then on `Ok` `station.reload()`; on `Err` show
//! the report (with `restored`, the old scenarios are still in service).

use crate::content::set::{Options, load_content};
use crate::domain::text::Lang;
use crate::ops::OpsError;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};

/// What an install did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Installed {
    /// Scenarios now active.
    pub scenarios: usize,
    /// Warnings found in the new folder (installed anyway).
    pub warnings: usize,
    /// Where the previous set was kept.
    pub previous: Option<PathBuf>,
}

/// Why an install failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{report}")]
pub struct Failed {
    /// The findings or the error, with file and line when there are some.
    pub report: String,
    /// Whether the scenarios in service are still the previous ones. `false`: the previous
    /// set could not be put back (the report says where it is).
    pub restored: bool,
}

fn refused(report: impl std::fmt::Display) -> Failed {
    Failed {
        report: report.to_string(),
        restored: true,
    }
}

/// The stages of an install, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// Checking the stick's folder.
    Checking,
    /// Copying it next to the active set.
    Copying,
    /// Checking the copy, swapping it in.
    Swapping,
    /// Finished (well or not).
    Done,
}

/// How far an install has got; the worker writes it, the panel reads it.
#[derive(Debug, Default)]
pub struct Progress {
    stage: AtomicU8,
    copied: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    fn set(&self, s: Stage) {
        self.stage.store(s as u8, Ordering::Relaxed);
    }

    /// The current stage.
    pub fn stage(&self) -> Stage {
        match self.stage.load(Ordering::Relaxed) {
            0 => Stage::Checking,
            1 => Stage::Copying,
            2 => Stage::Swapping,
            _ => Stage::Done,
        }
    }

    /// Bytes copied so far, and bytes to copy.
    pub fn bytes(&self) -> (u64, u64) {
        (
            self.copied.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }

    /// One line for the panel, in French (the panel's language).
    pub fn line(&self) -> String {
        let (done, total) = self.bytes();
        let mo = |b: u64| b.div_ceil(1_000_000);
        match self.stage() {
            Stage::Checking => "Vérification des scénarios de la clé…".into(),
            Stage::Copying => format!(
                "Copie : {} % ({} Mo sur {} Mo)",
                (done * 100).checked_div(total).unwrap_or(100),
                mo(done),
                mo(total)
            ),
            Stage::Swapping => "Vérification de la copie, mise en service…".into(),
            Stage::Done => "Terminé.".into(),
        }
    }
}

fn sibling(active: &Path, suffix: &str) -> PathBuf {
    let mut s = active.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Bytes of the regular files under `dir` (links, pipes and devices are not copied).
fn tree_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| match e.file_type() {
                    Ok(t) if t.is_dir() => tree_bytes(&e.path()),
                    Ok(t) if t.is_file() => e.metadata().map_or(0, |m| m.len()),
                    _ => 0,
                })
                .sum()
        })
        .unwrap_or(0)
}

/// Copies the regular files and folders of `from` into the new folder `to`, each file and
/// folder fsynced: the copy must survive a power cut before it replaces anything. Symbolic
/// links, pipes, devices and sockets are left out.
fn copy_tree(from: &Path, to: &Path, progress: &Progress) -> std::io::Result<()> {
    std::fs::create_dir(to)?;
    let mut buf = vec![0u8; 1 << 20];
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        // `file_type` does not follow links: a link is neither a folder nor a file here.
        let t = e.file_type()?;
        if t.is_dir() {
            copy_tree(&src, &dst, progress)?;
        } else if t.is_file() {
            // Opened without following a link swapped in since the listing.
            let Ok(mut input) = crate::fsio::open_regular(&src) else {
                continue;
            };
            let mut out = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dst)?;
            loop {
                let n = input.read(&mut buf)?;
                if n == 0 {
                    break;
                }
                out.write_all(&buf[..n])?;
                progress.copied.fetch_add(n as u64, Ordering::Relaxed);
            }
            out.sync_all()?;
        }
    }
    std::fs::File::open(to)?.sync_all()
}

/// Checks `dir` and returns (scenarios, warnings), or the rendered errors.
pub fn check(dir: &Path, lang: Lang) -> Result<(usize, usize), OpsError> {
    let v = load_content(
        dir,
        &Options {
            assets: true,
            narration: true,
        },
    );
    if v.report.errors() > 0 {
        // Only the errors: they are why the folder is refused; warnings are for `klub validate`.
        let mut out = String::new();
        for d in v.report.diags.iter().filter(|d| d.is_error()) {
            out.push_str(&d.render(v.sources.get(&d.file).map(Vec::as_slice), lang));
            out.push('\n');
        }
        return Err(OpsError::Refused(out));
    }
    if v.set.scenarios.is_empty() {
        return Err(OpsError::Refused(lang.pick(
            format!("{} : aucun scénario trouvé", dir.display()),
            format!("{}: no scenario found", dir.display()),
        )));
    }
    Ok((v.set.scenarios.len(), v.report.warnings()))
}

/// Installs the scenario folder `src` as `active` (see the module doc). The previous set is
/// kept as `<active>.old`.
pub fn install_from(src: &Path, active: &Path) -> Result<Installed, Failed> {
    install_with(src, active, &Progress::default(), &mut |_| Ok(()))
}

/// [`install_from`] reporting into `progress`, with a hook run on the swapped-in folder
/// before it is accepted (tests use it to simulate a failure at the last moment).
pub fn install_with(
    src: &Path,
    active: &Path,
    progress: &Progress,
    last_check: &mut dyn FnMut(&Path) -> Result<(), OpsError>,
) -> Result<Installed, Failed> {
    let out = install_stages(src, active, progress, last_check);
    progress.set(Stage::Done);
    out
}

fn install_stages(
    src: &Path,
    active: &Path,
    progress: &Progress,
    last_check: &mut dyn FnMut(&Path) -> Result<(), OpsError>,
) -> Result<Installed, Failed> {
    progress.set(Stage::Checking);
    check(src, Lang::Fr).map_err(refused)?;
    let new = sibling(active, ".new");
    let old = sibling(active, ".old");
    let _ = std::fs::remove_dir_all(&new);
    let total = tree_bytes(src);
    progress.total.store(total, Ordering::Relaxed);
    progress.copied.store(0, Ordering::Relaxed);
    let parent = active
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    // The copy must leave the visit log a month of room, like the backups.
    if let Ok(free) = crate::ops::disk::free_bytes(parent)
        && total.saturating_add(30 * crate::ops::disk::RATE_FLOOR) > free
    {
        return Err(refused(format!(
            "place insuffisante : {} Mo à copier, {} Mo libres / not enough room: {} MB to copy, {} MB free",
            total / 1_000_000,
            free / 1_000_000,
            total / 1_000_000,
            free / 1_000_000
        )));
    }
    progress.set(Stage::Copying);
    if let Err(e) = copy_tree(src, &new, progress) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(refused(format!("copie impossible / cannot copy: {e}")));
    }
    crate::fsio::sync_dir(parent);
    progress.set(Stage::Swapping);
    let (scenarios, warnings) = match check(&new, Lang::Fr) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&new);
            return Err(refused(e));
        }
    };
    let _ = std::fs::remove_dir_all(&old);
    let had_active = active.exists();
    if had_active && let Err(e) = std::fs::rename(active, &old) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(refused(format!("{} : {e}", active.display())));
    }
    let swapped = std::fs::rename(&new, active)
        .map_err(|e| OpsError::Refused(format!("{} : {e}", active.display())))
        .and_then(|()| check(active, Lang::Fr).map(drop))
        .and_then(|()| last_check(active));
    if let Err(e) = swapped {
        // Roll back: the previous set goes back in place.
        let _ = std::fs::remove_dir_all(&new);
        let _ = std::fs::remove_dir_all(active);
        let back = if had_active {
            std::fs::rename(&old, active)
        } else {
            Ok(())
        };
        crate::fsio::sync_dir(parent);
        return Err(match back {
            Ok(()) => refused(format!(
                "{e}\nanciens scénarios remis en place / previous scenarios restored"
            )),
            Err(b) => Failed {
                report: format!(
                    "{e}\nanciens scénarios NON remis en place ({b}) : ils sont dans {} ; la borne n'a plus de scénarios valides / previous scenarios NOT restored ({b}): they are in {}; the station has no valid scenarios",
                    old.display(),
                    old.display()
                ),
                restored: false,
            },
        });
    }
    crate::fsio::sync_dir(parent);
    Ok(Installed {
        scenarios,
        warnings,
        previous: had_active.then_some(old),
    })
}

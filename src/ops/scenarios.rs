//! Replacing an installed station's scenarios from a USB stick: the new folder is checked
//! first, copied next to the active one, checked again, then swapped in; on any error the
//! active set stays (or is put back) as it was.
//!
//! # Station hook
//!
//! Panel button "Installer les scénarios de la clé":
//! `ops::scenarios::install_from(&usb_dir.join("scenarios"), &scenarios_dir)`, then on `Ok`
//! `station.reload()`; on `Err(report)` show the report (the old scenarios stay in service).

use crate::cli::validate::validate_paths;
use std::path::{Path, PathBuf};

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

fn sibling(active: &Path, suffix: &str) -> PathBuf {
    let mut s = active.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let (src, dst) = (e.path(), to.join(e.file_name()));
        let t = e.file_type()?;
        if t.is_dir() {
            copy_tree(&src, &dst)?;
        } else if t.is_file() {
            std::fs::copy(&src, &dst)?;
        }
    }
    // The copy must survive a power cut before it replaces anything.
    std::fs::File::open(to)?.sync_all()
}

/// Checks `dir` and returns (scenarios, warnings), or the rendered findings on error.
pub fn check(dir: &Path, en: bool) -> Result<(usize, usize), String> {
    let v = validate_paths(&[dir.to_owned()], None, true);
    if v.report.errors() > 0 {
        // Only the errors: they are why the folder is refused; warnings are for `klub validate`.
        let mut out = String::new();
        for d in v.report.diags.iter().filter(|d| d.is_error()) {
            out.push_str(&d.render(v.sources.get(&d.file).map(Vec::as_slice), en));
            out.push('\n');
        }
        return Err(out);
    }
    if v.set.scenarios.is_empty() {
        return Err(if en {
            format!("{}: no scenario found", dir.display())
        } else {
            format!("{} : aucun scénario trouvé", dir.display())
        });
    }
    Ok((v.set.scenarios.len(), v.report.warnings()))
}

/// Installs the scenario folder `src` as `active` (see the module doc). The previous set is
/// kept as `<active>.old`.
pub fn install_from(src: &Path, active: &Path) -> Result<Installed, String> {
    install_with(src, active, &mut |_| Ok(()))
}

/// [`install_from`] with a hook run on the swapped-in folder before it is accepted (tests
/// use it to simulate a failure at the last moment).
pub fn install_with(
    src: &Path,
    active: &Path,
    last_check: &mut dyn FnMut(&Path) -> Result<(), String>,
) -> Result<Installed, String> {
    check(src, false)?;
    let new = sibling(active, ".new");
    let old = sibling(active, ".old");
    let _ = std::fs::remove_dir_all(&new);
    if let Err(e) = copy_tree(src, &new) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(format!("copie impossible / cannot copy: {e}"));
    }
    let (scenarios, warnings) = match check(&new, false) {
        Ok(n) => n,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&new);
            return Err(e);
        }
    };
    let _ = std::fs::remove_dir_all(&old);
    let had_active = active.exists();
    if had_active && let Err(e) = std::fs::rename(active, &old) {
        let _ = std::fs::remove_dir_all(&new);
        return Err(format!("{} : {e}", active.display()));
    }
    let swapped = std::fs::rename(&new, active)
        .map_err(|e| format!("{} : {e}", active.display()))
        .and_then(|()| check(active, false).map(drop))
        .and_then(|()| last_check(active));
    if let Err(e) = swapped {
        // Roll back: the previous set goes back in place.
        let _ = std::fs::remove_dir_all(active);
        if had_active {
            let _ = std::fs::rename(&old, active);
        }
        let _ = std::fs::remove_dir_all(&new);
        return Err(format!(
            "{e}\nanciens scénarios remis en place / previous scenarios restored"
        ));
    }
    if let Some(parent) = active.parent() {
        crate::storage::db::sync_dir(parent);
    }
    Ok(Installed {
        scenarios,
        warnings,
        previous: had_active.then_some(old),
    })
}

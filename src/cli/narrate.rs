//! `klub narrate`: generates read-aloud files with `espeak-ng` for every text that has no
//! recorded file. A recorded `voix/<key>.<variant>.wav` always wins; generated files go to
//! `voix/auto/` and are remade when the scenario file is newer than them.

use crate::cli::{CliError, CliResult};
use crate::content::set::{Options, load_content, scenario_texts};
use crate::domain::text::{Lang, Variant};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// Arguments of `klub narrate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Dossier des scénarios / scenario folder.
    #[arg(default_value = "scenarios")]
    pub dir: PathBuf,
    /// Seulement ce scénario / only this scenario.
    #[arg(long)]
    pub only: Option<String>,
    /// Refait tous les fichiers générés / remake every generated file.
    #[arg(long)]
    pub force: bool,
    /// Le programme de synthèse / the speech program.
    #[arg(long, default_value = "espeak-ng")]
    pub espeak: String,
}

/// What `narrate` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Done {
    /// Files written.
    pub written: usize,
    /// Texts with a recorded file, left alone.
    pub recorded: usize,
    /// Generated files already up to date.
    pub fresh: usize,
}

fn voice(v: Variant) -> &'static str {
    match v.lang() {
        Lang::Fr => "fr",
        Lang::En => "en-gb",
    }
}

fn newer(a: &Path, b: &Path) -> bool {
    let m = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    match (m(a), m(b)) {
        (Some(a), Some(b)) => a > b,
        _ => true,
    }
}

/// A folder only this run writes in, removed at the end.
struct Scratch {
    path: PathBuf,
}

impl Scratch {
    fn new() -> std::io::Result<Scratch> {
        let base = std::env::temp_dir();
        let mut n = 0u32;
        loop {
            let path = base.join(format!("klub-narrate-{}-{n}", std::process::id()));
            // `create_dir` fails on anything already there, a planted link included.
            match std::fs::create_dir(&path) {
                Ok(()) => return Ok(Scratch { path }),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && n < 1000 => n += 1,
                Err(e) => return Err(e),
            }
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Generates the missing narration files of a scenario folder.
pub fn narrate(args: &Args, lang: Lang) -> Result<Done, CliError> {
    let v = load_content(
        &args.dir,
        &Options {
            assets: false,
            narration: false,
        },
    );
    if v.report.errors() > 0 {
        return Err(v.render(lang).into());
    }
    let mut done = Done::default();
    let scratch = Scratch::new().map_err(|e| format!("{}: {e}", std::env::temp_dir().display()))?;
    for (s, folder) in v.set.scenarios.iter().zip(&v.set.folders) {
        if args.only.as_ref().is_some_and(|o| *o != s.id) {
            continue;
        }
        let source = folder.join(crate::content::set::SCENARIO_FILE);
        let auto = folder.join("voix").join("auto");
        for (key, text) in scenario_texts(s) {
            for variant in Variant::ALL {
                let Some(words) = text.variant(variant) else {
                    continue;
                };
                let name = format!("{key}.{}.wav", variant.code());
                if crate::fsio::open_beneath(folder, &Path::new("voix").join(&name)).is_ok() {
                    done.recorded += 1;
                    continue;
                }
                let out = auto.join(&name);
                if !args.force && out.is_file() && !newer(&source, &out) {
                    done.fresh += 1;
                    continue;
                }
                for d in [folder.join("voix"), auto.clone()] {
                    if std::fs::symlink_metadata(&d).is_ok_and(|m| m.file_type().is_symlink()) {
                        return Err(CliError::Message(format!(
                            "{} : {}",
                            d.display(),
                            if lang == Lang::En {
                                "a symbolic link: refused (make it a real folder)"
                            } else {
                                "lien symbolique refusé (faites-en un vrai dossier)"
                            }
                        )));
                    }
                }
                std::fs::create_dir_all(&auto).map_err(|e| format!("{}: {e}", auto.display()))?;
                // espeak-ng writes where it is told, following links: into a private folder
                // of ours, never into the scenario folder.
                let tmp = scratch.path.join(&name);
                let status = Command::new(&args.espeak)
                    .args(["-v", voice(variant), "-s", "150", "-w"])
                    .arg(&tmp)
                    .arg("--")
                    .arg(words)
                    .status()
                    .map_err(|e| {
                        if lang == Lang::En {
                            format!(
                                "cannot run {}: {e} (install the espeak-ng package)",
                                args.espeak
                            )
                        } else {
                            format!(
                                "impossible de lancer {} : {e} (installez le paquet espeak-ng)",
                                args.espeak
                            )
                        }
                    })?;
                if !status.success() {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(CliError::Message(format!(
                        "{} : {status} ({key}, {})",
                        args.espeak,
                        variant.code()
                    )));
                }
                let bytes = crate::fsio::read_regular(&tmp, crate::content::set::MAX_SOUND)
                    .map_err(|e| format!("{}: {e}", tmp.display()))?;
                let _ = std::fs::remove_file(&tmp);
                crate::fsio::write_atomic(&out, &bytes)
                    .map_err(|e| format!("{}: {e}", out.display()))?;
                done.written += 1;
            }
        }
    }
    Ok(done)
}

/// Runs `klub narrate`.
pub fn run(args: &Args, lang: Lang) -> CliResult {
    let done = narrate(args, lang)?;
    if lang == Lang::En {
        println!(
            "{} file(s) generated, {} up to date, {} recorded (kept).",
            done.written, done.fresh, done.recorded
        );
    } else {
        println!(
            "{} fichier(s) générés, {} à jour, {} enregistrés (conservés).",
            done.written, done.fresh, done.recorded
        );
    }
    Ok(ExitCode::SUCCESS)
}

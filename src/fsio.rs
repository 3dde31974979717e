//! Files on disk, the careful way: reading what a USB stick brings (no symbolic links, no
//! pipes or devices, sizes capped on the bytes read), writing so that a power cut leaves the
//! old file or the new one (`write_atomic`), and refusing outputs that would destroy an input.
//!
//! Every layer may use this module; it uses none of them.

use crate::domain::text::Lang;
use rustix::fs::{Mode, OFlags, ResolveFlags};
use rustix::io::Errno;
use std::fs::File;
use std::io::{Read, Write};
use std::os::unix::fs::MetadataExt as _;
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

/// The first 16 bytes of every SQLite database.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Why a file was not read, or an output path not written: French / English.
#[derive(Debug, thiserror::Error)]
#[error("{} / {}", self.fr(), self.en())]
pub enum FsError {
    /// The file, or a folder on its way, is a symbolic link.
    Symlink,
    /// Not a regular file: a named pipe, a device, a folder or a socket (French, English).
    NotRegular(&'static str, &'static str),
    /// More bytes than the cap.
    TooLarge(u64),
    /// The path leaves its folder (`..` or absolute).
    Outside,
    /// No such file.
    NotFound,
    /// Any other failure.
    Io(std::io::Error),
    /// An output path refused (see [`check_output`]).
    Refused {
        /// In French.
        fr: String,
        /// In English.
        en: String,
    },
}

impl FsError {
    fn from_io(e: std::io::Error) -> FsError {
        match e.raw_os_error().map(Errno::from_raw_os_error) {
            Some(Errno::LOOP) => FsError::Symlink,
            Some(Errno::XDEV) => FsError::Outside,
            Some(Errno::NOENT) => FsError::NotFound,
            _ => FsError::Io(e),
        }
    }

    /// The reason in French.
    pub fn fr(&self) -> String {
        match self {
            FsError::Symlink => {
                "lien symbolique refusé : copiez le fichier lui-même, pas un lien".into()
            }
            FsError::NotRegular(fr, _) => {
                format!("ce n'est pas un fichier ordinaire ({fr}) : refusé")
            }
            FsError::TooLarge(cap) => {
                format!("fichier trop gros (plus de {})", mb(*cap, Lang::Fr))
            }
            FsError::Outside => "le chemin sort du dossier : refusé".into(),
            FsError::NotFound => "fichier introuvable".into(),
            FsError::Io(e) => format!("lecture impossible : {e}"),
            FsError::Refused { fr, .. } => fr.clone(),
        }
    }

    /// The reason in English.
    pub fn en(&self) -> String {
        match self {
            FsError::Symlink => "symbolic link refused: copy the file itself, not a link".into(),
            FsError::NotRegular(_, en) => format!("not a regular file ({en}): refused"),
            FsError::TooLarge(cap) => format!("file too large (over {})", mb(*cap, Lang::En)),
            FsError::Outside => "the path leaves the folder: refused".into(),
            FsError::NotFound => "file not found".into(),
            FsError::Io(e) => format!("cannot read: {e}"),
            FsError::Refused { en, .. } => en.clone(),
        }
    }

    /// The message in one language.
    pub fn message(&self, lang: Lang) -> String {
        lang.pick(self.fr(), self.en())
    }
}

fn mb(bytes: u64, lang: Lang) -> String {
    let n = bytes.div_ceil(1 << 20);
    if lang == Lang::En {
        format!("{n} MB")
    } else {
        format!("{n} Mo")
    }
}

/// What a file that is not regular is, in French and English.
fn kind_of(m: &std::fs::Metadata) -> (&'static str, &'static str) {
    use std::os::unix::fs::FileTypeExt as _;
    let t = m.file_type();
    if t.is_dir() {
        ("dossier", "folder")
    } else if t.is_fifo() {
        ("tube nommé", "named pipe")
    } else if t.is_char_device() || t.is_block_device() {
        ("périphérique", "device")
    } else if t.is_socket() {
        ("socket", "socket")
    } else {
        ("fichier spécial", "special file")
    }
}

/// Keeps `file` only if it is a regular file (checked on the open file, so nothing can be
/// swapped in between).
fn regular(file: File) -> Result<File, FsError> {
    let m = file.metadata().map_err(FsError::Io)?;
    if m.is_file() {
        Ok(file)
    } else {
        let (fr, en) = kind_of(&m);
        Err(FsError::NotRegular(fr, en))
    }
}

/// Flags of every read open: a symbolic link as the last component is refused, and opening a
/// named pipe does not wait for a writer.
fn read_flags() -> OFlags {
    OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::NONBLOCK | OFlags::CLOEXEC | OFlags::NOCTTY
}

/// Opens a regular file for reading; its last component must not be a symbolic link.
pub fn open_regular(path: &Path) -> Result<File, FsError> {
    let fd = rustix::fs::open(path, read_flags(), Mode::empty())
        .map_err(|e| FsError::from_io(e.into()))?;
    regular(File::from(fd))
}

/// Opens the regular file `rel` beneath the folder `dir`, with no symbolic link anywhere
/// on the way and no way out of `dir` (`..` or an absolute path). `dir` itself is opened as
/// given.
pub fn open_beneath(dir: &Path, rel: &Path) -> Result<File, FsError> {
    if rel.is_absolute()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(FsError::Outside);
    }
    let base = rustix::fs::open(
        dir,
        OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| FsError::from_io(e.into()))?;
    let how = ResolveFlags::BENEATH | ResolveFlags::NO_SYMLINKS | ResolveFlags::NO_MAGICLINKS;
    match rustix::fs::openat2(&base, rel, read_flags(), Mode::empty(), how) {
        Ok(fd) => regular(File::from(fd)),
        // Kernels before 5.6 (or a sandbox that filters the call): the same rule, one
        // component at a time.
        Err(Errno::NOSYS | Errno::PERM) => walk_beneath(base, rel),
        Err(e) => Err(FsError::from_io(e.into())),
    }
}

/// [`open_beneath`] without `openat2`: each folder is opened with `O_NOFOLLOW`.
fn walk_beneath(base: rustix::fd::OwnedFd, rel: &Path) -> Result<File, FsError> {
    let parts: Vec<&std::ffi::OsStr> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    let Some((last, folders)) = parts.split_last() else {
        return Err(FsError::NotRegular("dossier", "folder"));
    };
    let mut at = base;
    for f in folders {
        at = rustix::fs::openat(
            &at,
            *f,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| match e {
            // O_NOFOLLOW | O_DIRECTORY on a link gives ELOOP or ENOTDIR.
            Errno::NOTDIR => {
                match rustix::fs::statat(&at, *f, rustix::fs::AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(st) if rustix::fs::FileType::from_raw_mode(st.st_mode).is_symlink() => {
                        FsError::Symlink
                    }
                    _ => FsError::from_io(e.into()),
                }
            }
            e => FsError::from_io(e.into()),
        })?;
    }
    let fd = rustix::fs::openat(&at, *last, read_flags(), Mode::empty())
        .map_err(|e| FsError::from_io(e.into()))?;
    regular(File::from(fd))
}

/// Reads at most `cap` bytes from an open file; more is an error, whatever its size says.
pub fn read_capped(file: File, cap: u64) -> Result<Vec<u8>, FsError> {
    let mut out = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(FsError::Io)?;
    if out.len() as u64 > cap {
        return Err(FsError::TooLarge(cap));
    }
    Ok(out)
}

/// [`open_regular`] then [`read_capped`].
pub fn read_regular(path: &Path, cap: u64) -> Result<Vec<u8>, FsError> {
    read_capped(open_regular(path)?, cap)
}

/// Fsyncs a folder, so a rename or a new file in it survives a power cut.
pub fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    }) {
        let _ = f.sync_all();
    }
}

fn is_symlink(path: &Path) -> bool {
    std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
}

fn symlink_refused(path: &Path) -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        format!(
            "{} est un lien symbolique : refusé / is a symbolic link: refused",
            path.display()
        ),
    )
}

/// A file being written under a temporary name beside its target; [`AtomicFile::commit`]
/// puts it in place. Dropped without a commit, the temporary file is removed and the target
/// is untouched.
#[derive(Debug)]
pub struct AtomicFile {
    file: File,
    tmp: PathBuf,
    target: PathBuf,
    committed: bool,
}

impl AtomicFile {
    /// Starts writing `target`. A symbolic link at `target` is refused: it is never followed.
    pub fn create(target: &Path) -> std::io::Result<AtomicFile> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        if is_symlink(target) {
            return Err(symlink_refused(target));
        }
        let dir = parent(target);
        let name = target
            .file_name()
            .ok_or_else(|| {
                std::io::Error::other(format!(
                    "{} : pas de nom de fichier / no file name",
                    target.display()
                ))
            })?
            .to_string_lossy();
        loop {
            let tmp = dir.join(format!(
                ".{name}.{}.{}.tmp",
                std::process::id(),
                SEQ.fetch_add(1, Ordering::Relaxed)
            ));
            // O_EXCL: a name planted in advance (a link included) is never written through.
            let opened = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp);
            match opened {
                Ok(file) => {
                    return Ok(AtomicFile {
                        file,
                        tmp,
                        target: target.to_owned(),
                        committed: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    /// Flushes the bytes to disk, renames the file over its target, then fsyncs the folder.
    pub fn commit(mut self) -> std::io::Result<()> {
        self.file.sync_all()?;
        // `rename` replaces a link planted since `create`, never what it points to.
        std::fs::rename(&self.tmp, &self.target)?;
        self.committed = true;
        sync_dir(parent(&self.target));
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

fn parent(p: &Path) -> &Path {
    match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// Writes `bytes` to `path` through a temporary file in the same folder: fsync, rename,
/// fsync of the folder. A power cut leaves the old content or the new one; a symbolic link
/// at `path` is refused.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = AtomicFile::create(path)?;
    f.write_all(bytes)?;
    f.commit()
}

/// Puts a finished file (`tmp`, written by someone else in the same folder) in place of
/// `target`, durably: fsync, rename, fsync of the folder. A link at `target` is refused.
pub fn replace_with(tmp: &Path, target: &Path) -> std::io::Result<()> {
    if is_symlink(target) {
        return Err(symlink_refused(target));
    }
    File::open(tmp)?.sync_all()?;
    std::fs::rename(tmp, target)?;
    sync_dir(parent(target));
    Ok(())
}

/// Whether two paths name the same file (same device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

/// Whether `path` is an existing SQLite database (its 16-byte header).
pub fn is_sqlite(path: &Path) -> bool {
    let Ok(f) = open_regular(path) else {
        return false;
    };
    let mut head = [0u8; 16];
    f.take(16).read_exact(&mut head).is_ok() && &head == SQLITE_MAGIC
}

/// The rule for every file or folder a command writes: never a symbolic link, never one of
/// the command's inputs, and never an existing SQLite database (a visit log) unless `force`.
pub fn check_output(path: &Path, inputs: &[PathBuf], force: bool) -> Result<(), FsError> {
    let shown = path.display();
    if is_symlink(path) {
        return Err(FsError::Refused {
            fr: format!(
                "{shown} est un lien symbolique : écriture refusée (donnez le vrai chemin)"
            ),
            en: format!("{shown} is a symbolic link: not written (give the real path)"),
        });
    }
    if let Some(input) = inputs.iter().find(|i| same_file(path, i)) {
        return Err(FsError::Refused {
            fr: format!(
                "{shown} est aussi une entrée ({}) : elle serait écrasée, choisissez un autre fichier de sortie",
                input.display()
            ),
            en: format!(
                "{shown} is also an input ({}): it would be overwritten, choose another output file",
                input.display()
            ),
        });
    }
    if !force && is_sqlite(path) {
        return Err(FsError::Refused {
            fr: format!(
                "{shown} est une base SQLite (un journal ?) : écriture refusée ; ajoutez --force pour l'écraser quand même"
            ),
            en: format!(
                "{shown} is an SQLite database (a log?): not written; add --force to overwrite it anyway"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn write_atomic_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("a.txt")]);
    }

    #[test]
    fn write_atomic_refuses_a_symlink_and_leaves_its_target_alone() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim.db");
        std::fs::write(&victim, b"precious").unwrap();
        let link = dir.path().join("out.html");
        symlink(&victim, &link).unwrap();
        let err = write_atomic(&link, b"<html>").unwrap_err();
        assert!(err.to_string().contains("lien symbolique"), "{err}");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(is_symlink(&link));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_link_planted_after_create_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        let target = dir.path().join("out");
        let mut f = AtomicFile::create(&target).unwrap();
        symlink(&victim, &target).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        assert!(!is_symlink(&target));
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
    }

    #[test]
    fn an_uncommitted_file_leaves_the_target_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("keep");
        std::fs::write(&p, b"old").unwrap();
        {
            let mut f = AtomicFile::create(&p).unwrap();
            f.write_all(b"half").unwrap();
        }
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn reads_are_capped_on_the_bytes_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, vec![b'x'; 11]).unwrap();
        assert_eq!(read_regular(&p, 11).unwrap().len(), 11);
        assert!(matches!(read_regular(&p, 10), Err(FsError::TooLarge(10))));
        // A device reports a length of 0 and never ends.
        assert!(matches!(
            read_capped(File::open("/dev/zero").unwrap(), 1 << 16),
            Err(FsError::TooLarge(_))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 1 << 16),
            Err(FsError::NotRegular(_, _))
        ));
    }

    #[test]
    fn the_walk_refuses_links_and_ways_out_like_openat2() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir_all(root.join("a")).unwrap();
        std::fs::write(root.join("a/f.txt"), b"ok").unwrap();
        std::fs::write(dir.path().join("outside.txt"), b"secret").unwrap();
        symlink(dir.path(), root.join("up")).unwrap();
        symlink(root.join("a/f.txt"), root.join("a/link.txt")).unwrap();
        let base =
            || rustix::fs::open(&root, OFlags::RDONLY | OFlags::DIRECTORY, Mode::empty()).unwrap();
        let mut s = String::new();
        walk_beneath(base(), Path::new("a/f.txt"))
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "ok");
        assert!(matches!(
            walk_beneath(base(), Path::new("up/outside.txt")),
            Err(FsError::Symlink)
        ));
        assert!(matches!(
            walk_beneath(base(), Path::new("a/link.txt")),
            Err(FsError::Symlink)
        ));
        for p in ["up/outside.txt", "a/link.txt"] {
            assert!(matches!(
                open_beneath(&root, Path::new(p)),
                Err(FsError::Symlink)
            ));
        }
        assert!(matches!(
            open_beneath(&root, Path::new("../outside.txt")),
            Err(FsError::Outside)
        ));
        assert!(matches!(
            open_beneath(&root, Path::new("a/missing.txt")),
            Err(FsError::NotFound)
        ));
    }

    #[test]
    fn outputs_that_are_inputs_logs_or_links_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("x.db");
        let mut bytes = SQLITE_MAGIC.to_vec();
        bytes.extend([0u8; 100]);
        std::fs::write(&db, &bytes).unwrap();
        let other = dir.path().join("y.sqlite");
        std::fs::write(&other, &bytes).unwrap();
        let link = dir.path().join("l.html");
        symlink(dir.path().join("nowhere"), &link).unwrap();
        let html = dir.path().join("r.html");
        std::fs::write(&html, "<html>").unwrap();
        let inputs = [db.clone()];
        // The same file under another name is still the input.
        let alias = dir.path().join(".").join("x.db");
        let refused = |p: &Path, force| check_output(p, &inputs, force).unwrap_err();
        assert!(refused(&alias, true).fr().contains("entrée"));
        assert!(refused(&other, false).en().contains("SQLite"));
        assert!(check_output(&other, &inputs, true).is_ok());
        assert!(refused(&link, true).fr().contains("lien"));
        assert!(check_output(&html, &inputs, false).is_ok());
        assert!(check_output(&dir.path().join("new.html"), &inputs, false).is_ok());
    }
}

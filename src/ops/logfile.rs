//! The station's own text log (start-ups, warnings, errors; never visitors' answers): to
//! the journal under systemd, else to a rotating file in the data folder.
//!
//! # Station hook
//!
//! ```no_run
//! use klub_kiosk::ops::logfile::{Target, target};
//! match target(std::path::Path::new("data")) {
//!     Target::Journal => { /* keep logging to stderr: systemd files it in the journal */ }
//!     Target::File(f) => { /* hand `std::sync::Mutex::new(f)` to the log layer as its writer */ }
//! }
//! ```

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The file's name in the data folder.
pub const FILE_NAME: &str = "station.log";
/// Size at which the file is rotated.
pub const MAX_BYTES: u64 = 2 * 1024 * 1024;
/// Old files kept (`station.log.1` … `.3`), so the log never takes more than 8 MB.
pub const KEEP: usize = 3;

/// Where the station's text log goes.
#[derive(Debug)]
pub enum Target {
    /// stderr, which systemd sends to the journal (`JOURNAL_STREAM` is set).
    Journal,
    /// A rotating file.
    File(RotatingLog),
}

/// The journal when `JOURNAL_STREAM` is set, else `<data_dir>/station.log` (stderr when
/// even that cannot be opened).
pub fn target(data_dir: &Path) -> Target {
    if std::env::var_os("JOURNAL_STREAM").is_some() {
        return Target::Journal;
    }
    match RotatingLog::open(&data_dir.join(FILE_NAME), MAX_BYTES, KEEP) {
        Ok(f) => Target::File(f),
        Err(_) => Target::Journal,
    }
}

/// An append-only text file that moves itself to `.1` (and `.1` to `.2`…) when full.
#[derive(Debug)]
pub struct RotatingLog {
    path: PathBuf,
    file: File,
    len: u64,
    max: u64,
    keep: usize,
}

impl RotatingLog {
    /// Opens (or creates) the file for appending.
    pub fn open(path: &Path, max: u64, keep: usize) -> io::Result<RotatingLog> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let len = file.metadata()?.len();
        Ok(RotatingLog {
            path: path.to_owned(),
            file,
            len,
            max,
            keep,
        })
    }

    fn numbered(&self, k: usize) -> PathBuf {
        let mut s = self.path.as_os_str().to_owned();
        s.push(format!(".{k}"));
        PathBuf::from(s)
    }

    fn rotate(&mut self) -> io::Result<()> {
        let _ = std::fs::remove_file(self.numbered(self.keep));
        for k in (1..self.keep).rev() {
            let _ = std::fs::rename(self.numbered(k), self.numbered(k + 1));
        }
        if self.keep > 0 {
            std::fs::rename(&self.path, self.numbered(1))?;
        } else {
            std::fs::remove_file(&self.path)?;
        }
        self.file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)?;
        self.len = 0;
        Ok(())
    }
}

impl Write for RotatingLog {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.len > 0 && self.len + buf.len() as u64 > self.max {
            self.rotate()?;
        }
        let n = self.file.write(buf)?;
        self.len += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotates_and_keeps_a_bounded_number_of_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        let mut log = RotatingLog::open(&p, 100, 2).unwrap();
        for k in 0..20 {
            writeln!(log, "ligne {k:02} ---------------------------").unwrap();
        }
        log.flush().unwrap();
        let names: Vec<String> = {
            let mut v: Vec<String> = std::fs::read_dir(dir.path())
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names, ["station.log", "station.log.1", "station.log.2"]);
        for n in &names {
            assert!(std::fs::metadata(dir.path().join(n)).unwrap().len() <= 100);
        }
        let last = std::fs::read_to_string(&p).unwrap();
        assert!(last.contains("ligne 19"), "{last}");
        // Reopening appends to what is there.
        let before = std::fs::metadata(&p).unwrap().len();
        let mut again = RotatingLog::open(&p, 1000, 2).unwrap();
        again.write_all(b"x\n").unwrap();
        assert_eq!(std::fs::metadata(&p).unwrap().len(), before + 2);
    }
}

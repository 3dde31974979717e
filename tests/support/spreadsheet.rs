//! CSV files read back by Python's `csv` module and by LibreOffice (`soffice`, Debian
//! `libreoffice-calc-nogui`, installed by `.ci/setup`). A missing tool fails the test.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Reads a CSV (or an XLSX sheet) and prints it as JSON: a CSV as rows of strings, a sheet
/// as rows of `[column, type, value, formula]` (`column` from 0; `type` as in the XLSX file:
/// `s` text, `n` number, `str` a formula's text result).
const READ_BACK: &str = r#"
import csv, json, re, sys, zipfile, xml.etree.ElementTree as ET
kind, path, sep = sys.argv[1], sys.argv[2], sys.argv[3]
if kind == "csv":
    with open(path, newline="", encoding="utf-8-sig") as f:
        print(json.dumps(list(csv.reader(f, delimiter=sep))))
else:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    z = zipfile.ZipFile(path)
    shared = [ "".join(t.text or "" for t in si.iter("{%s}t" % ns["m"])) for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", ns)] if "xl/sharedStrings.xml" in z.namelist() else []
    rows = []
    for row in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter("{%s}row" % ns["m"]):
        cells = []
        for c in row.findall("m:c", ns):
            v = c.find("m:v", ns)
            f = c.find("m:f", ns)
            t = c.get("t", "n")
            val = shared[int(v.text)] if t == "s" else (v.text if v is not None else "")
            col = 0
            for ch in re.match("[A-Z]+", c.get("r")).group(0):
                col = col * 26 + ord(ch) - 64
            cells.append([col - 1, t, val, f.text if f is not None else None])
        rows.append(cells)
    print(json.dumps(rows))
"#;

fn python(kind: &str, path: &Path, sep: &str) -> serde_json::Value {
    let out = Command::new("python3")
        .args(["-c", READ_BACK, kind])
        .arg(path)
        .arg(sep)
        .output()
        .expect("python3 must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The rows of a CSV as Python's `csv` module reads them (a UTF-8 BOM is skipped).
pub fn csv_rows(path: &Path, sep: &str) -> Vec<Vec<String>> {
    serde_json::from_value(python("csv", path, sep)).unwrap()
}

/// A cell of a sheet converted by LibreOffice.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SheetCell {
    /// `s` text, `n` number, `str` the text result of a formula, …
    pub kind: String,
    /// What the cell shows.
    pub value: String,
    /// The formula, when LibreOffice made one.
    pub formula: Option<String>,
}

/// The cells of the first sheet of an XLSX file, row by row, each at its column (an empty
/// cell has an empty `kind` and `value`; a row ends at its last cell).
pub fn xlsx_rows(path: &Path) -> Vec<Vec<SheetCell>> {
    let rows: Vec<Vec<(usize, String, String, Option<String>)>> =
        serde_json::from_value(python("xlsx", path, "")).unwrap();
    rows.into_iter()
        .map(|r| {
            let mut row = vec![];
            for (col, kind, value, formula) in r {
                row.resize(col, SheetCell::default());
                row.push(SheetCell {
                    kind,
                    value,
                    formula,
                });
            }
            row
        })
        .collect()
}

/// Opens `csv` in LibreOffice with the CSV import options `filter` (e.g. `59,34,76,1`: `;`,
/// `"`, UTF-8, from line 1) and saves it as XLSX in `dir`; returns the XLSX path. The
/// LibreOffice profile lives in `dir` too.
pub fn libreoffice_xlsx(csv: &Path, filter: &str, dir: &Path) -> PathBuf {
    let profile = format!(
        "-env:UserInstallation=file://{}",
        dir.join("lo-profile").display()
    );
    let out = Command::new("soffice")
        .args([
            profile.as_str(),
            "--headless",
            &format!("--infilter=CSV:{filter}"),
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(dir)
        .arg(csv)
        .output()
        .expect("soffice (Debian libreoffice-calc-nogui) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let xlsx = dir.join(csv.with_extension("xlsx").file_name().unwrap());
    assert!(
        xlsx.is_file(),
        "soffice wrote no {}: {}",
        xlsx.display(),
        String::from_utf8_lossy(&out.stdout)
    );
    xlsx
}

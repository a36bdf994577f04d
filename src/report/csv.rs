//! `--format csv`: one row per listed file, for spreadsheets and timeline tools (the file's
//! timestamps, owner and mode beside its verdict). RFC 4180 quoting; a cell that a spreadsheet
//! would take for a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`, since file names
//! and evidence are attacker-controlled. Control characters (C0, C1), line separators,
//! bidirectional overrides and the backslash are escaped as in the text report, so that one file
//! is one line whatever its name; a cell holding `;` is quoted too, since spreadsheets in many
//! locales split on it. The summary is not a row: it goes to JSON or text.

use super::{FileReport, Reporter, ScanInfo, Summary};
use crate::report::wire::JsonMeta;
use std::io::{self, Write};

const HEADER: &[&str] = &[
    "path",
    "verdict",
    "score",
    "family",
    "category",
    "kind",
    "size",
    "sha256",
    "mtime",
    "ctime",
    "atime",
    "btime",
    "mode",
    "uid",
    "gid",
    "owner",
    "inode",
    "persistence",
    "starts",
    "cached",
    "rules",
    "reasons",
    "errors",
    "incomplete",
    "pids",
    "exe",
    "cmdline",
    "links",
];

pub struct CsvReporter<W: Write> {
    out: W,
    all: bool,
}

impl<W: Write> CsvReporter<W> {
    pub fn new(out: W, all: bool) -> CsvReporter<W> {
        CsvReporter { out, all }
    }

    fn row(&mut self, cells: &[String]) -> io::Result<()> {
        let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        self.out.write_all(line.join(",").as_bytes())?;
        self.out.write_all(b"\r\n")
    }
}

/// Escapes, defuses formulas and quotes a cell when needed.
pub fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{}", super::escape_for_terminal(s))
    } else {
        super::escape_for_terminal(s)
    };
    if s.contains([',', ';', '"']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

impl<W: Write> Reporter for CsvReporter<W> {
    fn begin(&mut self, _scan: &ScanInfo) -> io::Result<()> {
        let h: Vec<String> = HEADER.iter().map(|s| (*s).to_owned()).collect();
        self.row(&h)
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        if !r.worth_listing(self.all) {
            return Ok(());
        }
        let m = JsonMeta::of(r);
        let get = |f: fn(&JsonMeta) -> String| m.as_ref().map(f).unwrap_or_default();
        let mut rules: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| !f.is_info())
            .map(|f| f.rule.as_str())
            .collect();
        rules.dedup();
        let cells = vec![
            r.path.clone(),
            r.verdict.level.as_str().to_owned(),
            r.verdict.score.to_string(),
            r.verdict.family.clone().unwrap_or_default(),
            r.verdict.category.clone().unwrap_or_default(),
            r.kind.as_str().to_owned(),
            r.size.to_string(),
            r.digests.sha256.clone().unwrap_or_default(),
            get(|m| m.mtime.clone()),
            get(|m| m.ctime.clone()),
            get(|m| m.atime.clone()),
            get(|m| m.btime.clone().unwrap_or_default()),
            get(|m| m.mode.clone()),
            get(|m| m.uid.to_string()),
            get(|m| m.gid.to_string()),
            get(|m| m.owner.clone().unwrap_or_default()),
            get(|m| m.inode.to_string()),
            r.triage.persistence.clone().unwrap_or_default(),
            r.triage.starts.join(" "),
            if r.triage.cached { "true" } else { "" }.to_owned(),
            rules.join(" "),
            r.verdict.reasons.join("; "),
            r.errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("; "),
            r.incomplete()
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(" "),
        ];
        let mut cells = cells;
        let p = r.process.as_ref();
        cells.push(p.map_or_else(String::new, |p| {
            let pids: Vec<String> = p.pids.iter().map(u32::to_string).collect();
            pids.join(" ")
        }));
        cells.push(p.map_or_else(String::new, |p| p.exe.clone()));
        cells.push(p.map_or_else(String::new, |p| p.cmdline.clone()));
        // `relation path (verdict)`, separated by `; `.
        let links: Vec<String> = r
            .triage
            .links
            .iter()
            .map(|l| format!("{} {} ({})", l.relation.as_str(), l.path, l.verdict))
            .collect();
        cells.push(links.join("; "));
        self.row(&cells)
    }

    fn finish(&mut self, _summary: &Summary) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn quotes_and_defuses() {
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"x\""), "\"say \"\"x\"\"\"");
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("/plain/path"), "/plain/path");
        // Excel's semicolon-separated locales.
        assert_eq!(cell("a;b"), "\"a;b\"");
        // One row per file: no raw newline, carriage return, C1 control or line separator.
        assert_eq!(cell("a\nb\r\u{85}\u{2028}"), "a\\nb\\r\\u{85}\\u{2028}");
        assert_eq!(cell("\tx"), "'\\tx");
        assert_eq!(cell("C:\\Tasks"), "C:\\\\Tasks");
    }
}

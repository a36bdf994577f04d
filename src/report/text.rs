//! Readable text: each flagged file with its verdict, family, score and the findings that made
//! it, then a summary. Every string from a scanned file is escaped before it reaches a terminal.

use super::{escape_for_terminal as esc, FileReport, Reporter, ScanInfo, Summary};
use crate::judge::verdict::Level;
use crate::outcome::triage::TriageSummary;
use std::io::{self, Write};

pub struct TextReporter<W: Write> {
    out: W,
    all: bool,
    color: bool,
}

impl<W: Write> TextReporter<W> {
    pub fn new(out: W, all: bool, color: bool) -> TextReporter<W> {
        TextReporter { out, all, color }
    }

    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    }
}

impl<W: Write> TextReporter<W> {
    /// Suppressed findings (with --show-suppressed) and archive members, each member as its own
    /// entry under the archive's.
    fn extras(&mut self, r: &FileReport) -> io::Result<()> {
        for s in &r.suppressed {
            writeln!(
                self.out,
                "    suppressed: {}:{} ({})",
                s.finding.analyzer,
                esc(&s.finding.rule),
                esc(&s.reason)
            )?;
        }
        for m in &r.members {
            writeln!(self.out, "  member:")?;
            self.file(m)?;
        }
        Ok(())
    }
}

impl<W: Write> Reporter for TextReporter<W> {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()> {
        for problem in &scan.load_problems {
            writeln!(self.out, "warning: {}", esc(problem))?;
        }
        Ok(())
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        if !r.worth_listing(self.all) {
            return Ok(());
        }
        let path = esc(&r.path);
        if let Some(reason) = r.skipped {
            return writeln!(self.out, "skipped    {path} ({})", reason.as_str());
        }
        let v = &r.verdict;
        let incomplete: Vec<String> = r.incomplete().iter().map(|i| i.to_string()).collect();
        let not_fully = format!("not fully scanned: {}", incomplete.join(", "));
        // A file not fully judged is never shown as plain `clean`.
        let label = match v.level {
            Level::Malicious => self.paint("1;31", "MALICIOUS "),
            Level::Suspicious => self.paint("1;33", "SUSPICIOUS"),
            Level::Clean if !incomplete.is_empty() => self.paint("1;35", "incomplete"),
            Level::Clean => "clean     ".to_owned(),
        };
        if v.level == Level::Clean && !incomplete.is_empty() {
            writeln!(self.out, "{label} {path}  [{not_fully}]")?;
        } else {
            let mut facts = vec![format!("score {}", v.score)];
            if let Some(f) = &v.family {
                facts.push(format!("family {}", esc(f)));
            }
            if let Some(c) = &v.category {
                facts.push(c.clone());
            }
            writeln!(self.out, "{label} {path}  [{}]", facts.join(", "))?;
            if !incomplete.is_empty() {
                writeln!(self.out, "    {not_fully}")?;
            }
        }
        if let Some(p) = &r.process {
            let pids: Vec<String> = p.pids.iter().map(u32::to_string).collect();
            let deleted = if p.deleted { " (deleted)" } else { "" };
            writeln!(
                self.out,
                "    process pid {}: {}{deleted}: {}",
                pids.join(", "),
                esc(&p.exe),
                esc(&p.cmdline)
            )?;
        }
        if let Some(sha) = &r.digests.sha256 {
            writeln!(self.out, "    sha256 {sha}")?;
        }
        for reason in &v.reasons {
            writeln!(self.out, "    why: {}", esc(reason))?;
        }
        for f in &r.findings {
            writeln!(
                self.out,
                "    - [{}] {}:{} ({}) {}",
                f.class,
                f.analyzer,
                esc(&f.rule),
                f.score,
                esc(&f.description)
            )?;
            for e in &f.evidence {
                writeln!(self.out, "        {}", esc(&e.summary()))?;
            }
            if f.evidence_omitted > 0 {
                writeln!(self.out, "        … and {} more", f.evidence_omitted)?;
            }
            if !f.also_reported_by.is_empty() {
                writeln!(
                    self.out,
                    "        also reported by {}",
                    esc(&f.also_reported_by.join(", "))
                )?;
            }
        }
        for e in &r.errors {
            writeln!(self.out, "    error: {}", esc(&e.to_string()))?;
        }
        for l in &r.triage.links {
            let (relation, path) = (l.relation.as_str(), esc(&l.path));
            writeln!(self.out, "    link: {relation} {path} ({})", l.verdict)?;
        }
        self.extras(r)
    }

    fn finish(&mut self, s: &Summary) -> io::Result<()> {
        let count = |l: Level| s.verdicts.get(l.as_str()).copied().unwrap_or(0);
        writeln!(
            self.out,
            "\nScanned {} files ({}) in {:.1}s: {} malicious, {} suspicious, {} clean.",
            s.files_scanned,
            human_bytes(s.bytes_scanned),
            s.elapsed_ms as f64 / 1000.0,
            count(Level::Malicious),
            count(Level::Suspicious),
            count(Level::Clean),
        )?;
        let skipped: Vec<String> = s
            .skipped
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        if !skipped.is_empty() {
            writeln!(self.out, "Skipped: {}.", skipped.join(", "))?;
        }
        if s.suppressed > 0 {
            writeln!(
                self.out,
                "Suppressed by the baseline: {} findings.",
                s.suppressed
            )?;
        }
        if s.incomplete > 0 {
            writeln!(
                self.out,
                "Not fully scanned: {} files (see above).",
                s.incomplete
            )?;
        }
        if let Some(t) = &s.triage {
            write_triage(&mut self.out, t)?;
        }
        if s.interrupted {
            writeln!(self.out, "Interrupted: the scan is incomplete.")?;
        } else if !s.complete {
            writeln!(
                self.out,
                "Incomplete: the scan did not judge every file whole."
            )?;
        }
        self.out.flush()
    }
}

pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit < UNITS.len() - 1 {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// The triage part of the text summary.
fn write_triage(out: &mut dyn io::Write, t: &TriageSummary) -> io::Result<()> {
    for (kind, values) in &t.indicators {
        writeln!(out, "Seen {kind}s:")?;
        for (value, seen) in values {
            let more = if seen.more_files > 0 {
                format!(" and {} more", seen.more_files)
            } else {
                String::new()
            };
            let files: Vec<String> = seen.files.iter().map(|f| esc(f)).collect();
            writeln!(out, "  {} in {}{more}", esc(value), files.join(", "))?;
        }
    }
    for l in &t.persistence_links {
        writeln!(
            out,
            "Persistence: {} ({}) starts {} ({})",
            esc(&l.persistence),
            l.place,
            esc(&l.starts),
            l.verdict
        )?;
    }
    for c in &t.chains {
        writeln!(out, "Chain ({}): {}", c.verdict, chain_line(c))?;
    }
    if let Some(c) = &t.cache {
        writeln!(out, "Cache: {} hits, {} results stored.", c.hits, c.stored)?;
        if let Some(why) = &c.rebuilt {
            writeln!(out, "Cache rebuilt: {why}.")?;
        }
        if let Some(e) = &c.write_error {
            writeln!(out, "Cache not written: {}", esc(e))?;
        }
    }
    Ok(())
}

/// A chain as one line: `/etc/cron.d/x starts /opt/run.sh starts /opt/bin/helper`.
pub fn chain_line(c: &crate::outcome::triage::Chain) -> String {
    let mut line = String::new();
    for f in &c.files {
        if let Some(r) = f.relation {
            line.push(' ');
            line.push_str(r.as_str());
            line.push(' ');
        }
        line.push_str(&esc(&f.path));
    }
    line
}

//! `--syslog`: one line per flagged file and one for the summary, through the C library's
//! syslog (which journald also collects), so that scheduled scans can be monitored where
//! everything else is.

use crate::outcome::{FileReport, Summary};
use crate::post::{Disposition, Stage};
use std::ffi::CString;

pub struct Syslog;

impl Syslog {
    pub fn open() -> Syslog {
        static IDENT: &[u8] = b"minerscan\0";
        // SAFETY: IDENT is NUL-terminated and 'static, as openlog requires.
        unsafe { libc::openlog(IDENT.as_ptr().cast(), libc::LOG_PID, libc::LOG_DAEMON) };
        Syslog
    }

    fn log(&self, priority: libc::c_int, line: &str) {
        // Control characters would split or forge lines: escape them.
        let line = crate::report::escape_for_terminal(line);
        let Ok(c) = CString::new(line) else { return };
        // SAFETY: a constant format string and a NUL-terminated argument.
        unsafe { libc::syslog(priority, c"%s".as_ptr(), c.as_ptr()) };
    }

    fn flagged_file(&self, r: &FileReport) {
        let rule = r.headline().map_or("", |f| f.rule.as_str());
        let priority = if r.verdict.level == crate::Level::Malicious {
            libc::LOG_ERR
        } else {
            libc::LOG_WARNING
        };
        self.log(
            priority,
            &format!(
                "{} {} score={} family={} category={} rule={} sha256={}",
                r.verdict.level.as_str(),
                r.path,
                r.verdict.score,
                r.verdict.family.as_deref().unwrap_or("-"),
                r.verdict.category.as_deref().unwrap_or("-"),
                if rule.is_empty() { "-" } else { rule },
                r.digests.sha256.as_deref().unwrap_or("-"),
            ),
        );
    }

    fn summary(&self, s: &Summary) {
        let n = |k: &str| s.verdicts.get(k).copied().unwrap_or(0);
        let hits = s
            .triage
            .as_ref()
            .and_then(|t| t.cache.as_ref())
            .map_or(String::new(), |c| format!(" cache_hits={}", c.hits));
        self.log(
            libc::LOG_NOTICE,
            &format!(
                "summary files={} malicious={} suspicious={} clean={} errors={} complete={} elapsed_ms={}{hits}",
                s.files_scanned,
                n("malicious"),
                n("suspicious"),
                n("clean"),
                s.errors,
                s.complete,
                s.elapsed_ms
            ),
        );
    }
}

/// The last stage: a line per flagged file as it leaves, and the summary's line.
impl Stage for Syslog {
    fn file(&mut self, report: &mut FileReport) -> Disposition {
        if report.flagged() {
            self.flagged_file(report);
        }
        Disposition::Pass
    }

    fn finish(&mut self, summary: &mut Summary) {
        // One line per chain of linked files, before the summary's.
        for c in summary.triage.iter().flat_map(|t| &t.chains) {
            let priority = if c.verdict == "malicious" {
                libc::LOG_ERR
            } else {
                libc::LOG_WARNING
            };
            let line = crate::report::text::chain_line(c);
            self.log(priority, &format!("chain {} {line}", c.verdict));
        }
        self.summary(summary);
    }
}

impl Drop for Syslog {
    fn drop(&mut self) {
        // SAFETY: closing the log opened in `open`.
        unsafe { libc::closelog() };
    }
}

//! The writers that turn what a scan produced (`crate::outcome`) into output, one module per
//! format. Reporters are called only from the writer thread; maps are ordered (BTreeMap) so that
//! output is deterministic.

pub mod csv;
pub mod json;
pub mod ndjson;
pub mod recognise;
pub mod sarif;
pub mod text;
pub mod wire;

use crate::outcome::{FileReport, ScanInfo, Summary};
use std::io;

/// The version of the machine-readable outputs' shape (JSON, NDJSON, SARIF run properties).
/// Minor: fields added; major: a field renamed, removed or its meaning changed. Every change is
/// recorded in CHANGELOG.md, since SIEM pipelines, baselines and CI jobs depend on the names.
pub const SCHEMA_VERSION: &str = "1.2";

/// One output format.
pub trait Reporter {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()>;
    fn file(&mut self, report: &FileReport) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// Escapes control characters (C0, DEL, C1), line and paragraph separators and
/// bidirectional overrides, so that a hostile file name cannot rewrite the terminal, reorder
/// what a reader sees or forge a line of its own. The backslash is escaped too (`\\`): a
/// name holding a real backslash-n stays distinct from one holding a newline.
pub fn escape_for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        let separator = matches!(c, '\u{2028}' | '\u{2029}');
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            _ if c.is_control() || bidi || separator => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32))
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi() {
        assert_eq!(escape_for_terminal("a\x1b[31mb"), "a\\u{1b}[31mb");
        assert_eq!(escape_for_terminal("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(escape_for_terminal("line\nbreak"), "line\\nbreak");
        assert_eq!(escape_for_terminal("plain/ünïcode"), "plain/ünïcode");
        // A real backslash-n and a newline stay apart.
        assert_eq!(escape_for_terminal("a\\nb"), "a\\\\nb");
        assert_ne!(escape_for_terminal("a\\nb"), escape_for_terminal("a\nb"));
        assert_eq!(escape_for_terminal("C:\\Tasks"), "C:\\\\Tasks");
        // C1 controls and the Unicode line separators.
        assert_eq!(
            escape_for_terminal("a\u{85}b\u{2028}c"),
            "a\\u{85}b\\u{2028}c"
        );
    }
}

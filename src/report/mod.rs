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

/// One output format.
pub trait Reporter {
    fn begin(&mut self, scan: &ScanInfo) -> io::Result<()>;
    fn file(&mut self, report: &FileReport) -> io::Result<()>;
    fn finish(&mut self, summary: &Summary) -> io::Result<()>;
}

/// Escapes control and bidirectional-override characters so that a hostile file name cannot
/// rewrite the terminal or reorder what a reader sees.
pub fn escape_for_terminal(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        if c.is_control() || bidi {
            match c {
                '\n' => out.push_str("\\n"),
                '\t' => out.push_str("\\t"),
                '\r' => out.push_str("\\r"),
                _ => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            }
        } else {
            out.push(c);
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
    }
}

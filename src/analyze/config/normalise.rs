//! What a script says once its interpreter's own obfuscation is undone, for the text analyzers
//! (this one and `script`), which judge lines: cmd.exe's caret escapes and `^` line
//! continuations (`p^o^w^e^r^s^h^e^l^l`, a launch spread over several lines), and the string
//! concatenation of VBScript and JScript (`"power" & "shell"`, a command built in variables
//! and run by `WScript.Shell`). Each pass runs only on the kind of script it undoes, and keeps
//! the line count: a line joined to the one above leaves an empty line behind, so that line
//! numbers (evidence, quoting) stay those of the file.

mod caret;
mod fold;

use crate::scan::kind::FileKind;
use std::borrow::Cow;

/// `text` as its interpreter reads it, or as it is when nothing is to be undone.
pub(crate) fn normalised(kind: FileKind, text: &str) -> Cow<'_, str> {
    let done = match kind {
        FileKind::Batch => caret::uncaret(text),
        FileKind::VbScript => fold::fold(text, fold::Dialect::VbScript),
        // JScript run by Windows Script Host; other JavaScript concatenates strings for
        // everything and is left alone.
        FileKind::JavaScript if is_jscript(text) => fold::fold(text, fold::Dialect::JScript),
        _ => None,
    };
    done.map_or(Cow::Borrowed(text), Cow::Owned)
}

fn is_jscript(text: &str) -> bool {
    text.contains("WScript") || text.contains("ActiveXObject")
}

/// Line ending of `raw` (a line with its terminator, as `split_inclusive` gives it) apart from
/// its body.
fn split_eol(raw: &str) -> (&str, &str) {
    let body = raw.trim_end_matches(['\n', '\r']);
    (body, &raw[body.len()..])
}

#[cfg(test)]
mod tests;

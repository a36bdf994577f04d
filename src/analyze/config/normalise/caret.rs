//! cmd.exe's escape character. Outside double quotes `^x` is the character `x` (`^^` a caret),
//! so `t^a^s^k^k^i^l^l` is `taskkill`; a `^` ending a line joins the next line to it. Inside
//! quotes a caret is itself.

use super::split_eol;

/// `text` with its carets read as cmd.exe reads them; `None` when there is none to read.
pub(super) fn uncaret(text: &str) -> Option<String> {
    if !text.contains('^') {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    // Line ends owed for the lines joined to the one above, written after the joined line.
    let mut owed: Vec<&str> = Vec::new();
    let mut joining = false;
    for raw in text.split_inclusive('\n') {
        let (body, eol) = split_eol(raw);
        // A comment's caret joins nothing here: the next line is judged as a line of its own.
        if !joining && is_comment(body) {
            out.push_str(raw);
            continue;
        }
        let continues = uncaret_line(body, &mut out);
        if continues && !eol.is_empty() {
            owed.push(eol);
            joining = true;
            continue;
        }
        joining = false;
        out.push_str(eol);
        owed.drain(..).for_each(|e| out.push_str(e));
    }
    owed.drain(..).for_each(|e| out.push_str(e));
    Some(out)
}

fn is_comment(line: &str) -> bool {
    let t = line.trim_start().trim_start_matches('@');
    t.starts_with("::")
        || t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("rem"))
            && t[3..].chars().next().is_none_or(|c| c.is_whitespace())
}

/// Appends `line` with its carets read to `out`; whether a final caret continues it.
fn uncaret_line(line: &str, out: &mut String) -> bool {
    let mut quoted = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                quoted = !quoted;
                out.push(c);
            }
            '^' if !quoted => match chars.next() {
                Some(escaped) => out.push(escaped),
                None => return true,
            },
            _ => out.push(c),
        }
    }
    false
}

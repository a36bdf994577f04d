//! String concatenation in VBScript and JScript folded into the strings it builds: literals
//! joined by `&` (VBScript, which also joins with `+`) or `+`, `Chr(34)`/`ChrW`/
//! `String.fromCharCode`, `ExpandEnvironmentStrings("%APPDATA%")` (as its argument), and
//! variables assigned such strings earlier in the file. `sh.Run cmd & " -o " & host, 0` then
//! reads `sh.Run "xmrig.exe -o 203.0.113.1:3333", 0`. A folded string is written back between
//! double quotes with its own double quotes as single ones, so that the command-line reader
//! still sees one quoted argument. VBScript's ` _` line continuation is joined first.

use super::split_eol;
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Dialect {
    VbScript,
    JScript,
}

/// The longest string folded, and the most variables remembered.
const MAX_VALUE: usize = 4096;
const MAX_VARS: usize = 512;
/// Lines longer than this are data, left as they are.
const MAX_LINE: usize = 8192;

/// `text` with its concatenations folded; `None` when nothing was folded.
pub(super) fn fold(text: &str, dialect: Dialect) -> Option<String> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut out = String::with_capacity(text.len());
    let mut changed = false;
    let mut owed: Vec<&str> = Vec::new();
    let mut joined = String::new();
    for raw in text.split_inclusive('\n') {
        let (body, eol) = split_eol(raw);
        if dialect == Dialect::VbScript && !eol.is_empty() {
            if let Some(head) = vbs_continued(body) {
                joined.push_str(head);
                joined.push(' ');
                owed.push(eol);
                continue;
            }
        }
        let line = if joined.is_empty() {
            body.to_owned()
        } else {
            joined.push_str(body);
            changed = true;
            std::mem::take(&mut joined)
        };
        match fold_line(&line, dialect, &mut vars) {
            Some(folded) => {
                changed = true;
                out.push_str(&folded);
            }
            None => out.push_str(&line),
        }
        out.push_str(eol);
        owed.drain(..).for_each(|e| out.push_str(e));
    }
    out.push_str(&joined);
    owed.drain(..).for_each(|e| out.push_str(e));
    changed.then_some(out)
}

/// The line without its ` _` continuation, when it has one (outside a comment or string is
/// not checked: a string does not end a line in VBScript).
fn vbs_continued(line: &str) -> Option<&str> {
    let t = line.trim_end();
    let head = t.strip_suffix('_')?;
    (head.ends_with([' ', '\t', '&', '+', ',', '(']) && !head.trim_start().starts_with('\''))
        .then_some(head)
}

/// One piece of a line.
#[derive(Debug, PartialEq)]
enum Tok {
    /// A string literal.
    Str(String),
    /// `Chr(n)` or another call folded to the string it gives.
    Call(String),
    /// An identifier (dots included).
    Word(String),
    /// The concatenation operator.
    Concat,
    Space,
    /// A comment, to the end of the line.
    Comment,
    Other(char),
}

/// A token and where it sits in the line (byte offsets).
struct Span {
    tok: Tok,
    start: usize,
    end: usize,
}

/// The line with its concatenations folded, and its assignment remembered in `vars`; `None`
/// when nothing on the line folds.
fn fold_line(line: &str, dialect: Dialect, vars: &mut HashMap<String, String>) -> Option<String> {
    if line.len() > MAX_LINE {
        return None;
    }
    let spans = tokenize(line, dialect);
    // An assignment: the target is never replaced by its old value.
    let (target, from) = assignment(&spans, dialect).map_or((None, 0), |(t, i)| (Some(t), i));
    let mut out = String::new();
    let mut copied = 0;
    let mut folded_any = false;
    let mut i = from;
    while i < spans.len() {
        let Some((value, end, folds)) = run_at(&spans, i, dialect, vars) else {
            i += 1;
            continue;
        };
        let (start, stop) = (spans[i].start, spans[end].end);
        if let Some(name) = &target {
            // The whole right-hand side is one string: remember it.
            if i == from && rest_is_blank(&spans[end + 1..]) && vars.len() < MAX_VARS {
                vars.insert(name.clone(), value.clone());
            }
        }
        if folds {
            out.push_str(&line[copied..start]);
            out.push('"');
            out.push_str(&value.replace('"', "'"));
            out.push('"');
            copied = stop;
            folded_any = true;
        }
        i = end + 1;
    }
    if !folded_any {
        return None;
    }
    out.push_str(&line[copied..]);
    Some(out)
}

fn rest_is_blank(spans: &[Span]) -> bool {
    spans
        .iter()
        .all(|s| matches!(s.tok, Tok::Space | Tok::Comment | Tok::Other(';')))
}

/// The variable a line assigns (lower case in VBScript, which ignores case) and the index of
/// the first token of its value.
fn assignment(spans: &[Span], dialect: Dialect) -> Option<(String, usize)> {
    let mut words = spans
        .iter()
        .enumerate()
        .filter(|(_, s)| !matches!(s.tok, Tok::Space));
    let (_, mut first) = words.next()?;
    if let Tok::Word(w) = &first.tok {
        let lower = w.to_ascii_lowercase();
        if matches!(
            lower.as_str(),
            "dim" | "set" | "const" | "var" | "let" | "private" | "public"
        ) {
            first = words.next()?.1;
        }
    }
    let Tok::Word(name) = &first.tok else {
        return None;
    };
    if name.contains('.') {
        return None;
    }
    let (eq, _) = words.next()?;
    if spans[eq].tok != Tok::Other('=') {
        return None;
    }
    // `==` is a comparison.
    if spans.get(eq + 1).is_some_and(|n| n.tok == Tok::Other('=')) {
        return None;
    }
    let key = match dialect {
        Dialect::VbScript => name.to_ascii_lowercase(),
        Dialect::JScript => name.clone(),
    };
    Some((key, skip_space(spans, eq + 1)))
}

/// The foldable run starting at token `i`: operands joined by the concatenation operator.
/// Returns its value, the index of its last token, and whether writing it back changes the
/// line (an operator joined, a variable or a call replaced).
fn run_at(
    spans: &[Span],
    i: usize,
    dialect: Dialect,
    vars: &HashMap<String, String>,
) -> Option<(String, usize, bool)> {
    let operand = |s: &Span| -> Option<(String, bool)> {
        match &s.tok {
            Tok::Str(v) => Some((v.clone(), false)),
            Tok::Call(v) => Some((v.clone(), true)),
            Tok::Word(w) => vars.get(&var_key(w, dialect)).map(|v| (v.clone(), true)),
            _ => None,
        }
    };
    let (mut value, mut folds) = operand(&spans[i])?;
    let mut end = i;
    let mut j = i + 1;
    loop {
        let op = skip_space(spans, j);
        if !spans.get(op).is_some_and(|s| matches!(s.tok, Tok::Concat)) {
            break;
        }
        let next = skip_space(spans, op + 1);
        let Some((v, _)) = spans.get(next).and_then(operand) else {
            break;
        };
        if value.len() + v.len() > MAX_VALUE {
            break;
        }
        value.push_str(&v);
        folds = true;
        end = next;
        j = next + 1;
    }
    Some((value, end, folds))
}

fn var_key(word: &str, dialect: Dialect) -> String {
    match dialect {
        Dialect::VbScript => word.to_ascii_lowercase(),
        Dialect::JScript => word.to_owned(),
    }
}

fn skip_space(spans: &[Span], mut i: usize) -> usize {
    while spans.get(i).is_some_and(|s| matches!(s.tok, Tok::Space)) {
        i += 1;
    }
    i
}

mod lex;
use lex::tokenize;

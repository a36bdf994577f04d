//! The tokens `fold` needs from a line of VBScript or JScript: string literals (with their
//! escapes read), the calls that give one character or one string (`Chr(34)`, `ChrW(&H22)`,
//! `String.fromCharCode(120, 109)`, `ExpandEnvironmentStrings("%TEMP%")`), identifiers, the
//! concatenation operator, and the rest one character at a time.

use super::{Dialect, Span, Tok};

pub(super) fn tokenize(line: &str, dialect: Dialect) -> Vec<Span> {
    let b = line.as_bytes();
    let mut spans = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let (tok, end) = if c == b' ' || c == b'\t' {
            let end = i + b[i..]
                .iter()
                .take_while(|&&c| c == b' ' || c == b'\t')
                .count();
            (Tok::Space, end)
        } else if (dialect == Dialect::VbScript && c == b'\'')
            || (dialect == Dialect::JScript && b[i..].starts_with(b"//"))
        {
            (Tok::Comment, b.len())
        } else if c == b'"' || (dialect == Dialect::JScript && c == b'\'') {
            match literal(line, i, dialect) {
                Some((v, end)) => (Tok::Str(v), end),
                None => (Tok::Other(c as char), i + 1),
            }
        } else if c.is_ascii_alphabetic() || c == b'_' || c == b'$' {
            word(line, i, dialect)
        } else if c == b'+' && b.get(i + 1).is_some_and(|&n| n == b'+' || n == b'=') {
            (Tok::Other('+'), i + 2)
        } else if c == b'+' || (dialect == Dialect::VbScript && c == b'&' && !is_vbs_hex(b, i)) {
            (Tok::Concat, i + 1)
        } else {
            let ch = line[i..].chars().next().expect("in the line");
            (Tok::Other(ch), i + ch.len_utf8())
        };
        spans.push(Span { tok, start: i, end });
        i = end;
    }
    spans
}

/// `&H22`, `&O42`: a VBScript number, not a concatenation.
fn is_vbs_hex(b: &[u8], i: usize) -> bool {
    b.get(i + 1)
        .is_some_and(|&c| matches!(c, b'h' | b'H' | b'o' | b'O'))
        && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)
}

/// A string literal starting at `start` (its quote): its value and the offset past it.
fn literal(line: &str, start: usize, dialect: Dialect) -> Option<(String, usize)> {
    let quote = line.as_bytes()[start] as char;
    let mut value = String::new();
    let mut chars = line[start + 1..].char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = start + 1 + at + c.len_utf8();
        if c == quote {
            // VBScript doubles a quote inside a string.
            if dialect == Dialect::VbScript && chars.peek().is_some_and(|&(_, n)| n == quote) {
                chars.next();
                value.push(quote);
                continue;
            }
            return Some((value, end));
        }
        if c == '\\' && dialect == Dialect::JScript {
            let (_, e) = chars.next()?;
            let mut hex = |n: usize| {
                let digits: String = (0..n)
                    .filter_map(|_| chars.next().map(|(_, d)| d))
                    .collect();
                u32::from_str_radix(&digits, 16)
                    .ok()
                    .and_then(char::from_u32)
            };
            let decoded = match e {
                'x' => hex(2),
                'u' => hex(4),
                'n' => Some('\n'),
                't' => Some('\t'),
                'r' => Some('\r'),
                other => Some(other),
            };
            value.push(decoded?);
            continue;
        }
        value.push(c);
    }
    None
}

/// An identifier at `start`, or the call it begins when that call gives a string.
fn word(line: &str, start: usize, dialect: Dialect) -> (Tok, usize) {
    let b = line.as_bytes();
    let len = b[start..]
        .iter()
        .take_while(|&&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'$' | b'.'))
        .count();
    let end = start + len;
    let name = &line[start..end];
    let Some((inner, after)) = call_args(line, end) else {
        return (Tok::Word(name.to_owned()), end);
    };
    let lower = name.to_ascii_lowercase();
    let folded = match lower.as_str() {
        "chr" | "chrw" | "chr$" | "chrw$" | "chrb" | "string.fromcharcode" => inner
            .split(',')
            .map(|n| char_code(n.trim(), dialect))
            .collect::<Option<String>>(),
        _ if lower.ends_with(".expandenvironmentstrings") => {
            let t = inner.trim();
            literal(t, 0, dialect)
                .filter(|&(_, e)| e == t.len())
                .map(|(v, _)| v)
        }
        _ => None,
    };
    match folded {
        Some(v) => (Tok::Call(v), after),
        None => (Tok::Word(name.to_owned()), end),
    }
}

/// The text between the parentheses that follow `at` (spaces allowed before them), and the
/// offset past the closing one; `None` without parentheses, or with nested ones.
fn call_args(line: &str, at: usize) -> Option<(&str, usize)> {
    let rest = &line[at..];
    let open = rest.len() - rest.trim_start().len();
    let rest = rest[open..].strip_prefix('(')?;
    let close = rest.find(')')?;
    let inner = &rest[..close];
    if inner.contains('(') || inner.is_empty() {
        return None;
    }
    Some((inner, at + open + 1 + close + 1))
}

fn char_code(n: &str, dialect: Dialect) -> Option<char> {
    let code = match n.get(..2) {
        Some(p) if dialect == Dialect::VbScript && p.eq_ignore_ascii_case("&h") => {
            u32::from_str_radix(&n[2..], 16).ok()?
        }
        Some("0x" | "0X") => u32::from_str_radix(&n[2..], 16).ok()?,
        _ => n.parse().ok()?,
    };
    char::from_u32(code).filter(|c| !c.is_control() || *c == '\t')
}

//! How a text quotes what it mentions. A YARA, Sigma or Snort rule set quotes miner facts as
//! data in its literals; a list of indicators (a hosts blocklist) is nothing but such data; a
//! document (a README, a man page, an article) shows commands as examples in its example markup.
//! What a file quotes is information; everything else in it is judged like any text. Each is
//! recognised from the file's structure as a whole, never from its name, its directory or one
//! line: a cron file with a `# rule x condition:` comment is not a rule set (its lines are not
//! rules), a dropper renamed `.md` is not a document (it has no prose around its commands), and
//! a batch file listing pools is not a list (its lines are assignments). Quoting is per line, so
//! adding text around a command (a comment, a paragraph, a list of pools) can add findings but
//! never hide one: only lines inside the quoting structure are quoted.

use regex::Regex;
use std::sync::LazyLock;

/// What kind of quoting a file does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quoting {
    /// YARA, Sigma, Snort or Suricata rules: literals and detection values are data.
    Rules,
    /// A list of indicators, one per line (hosts file, domain list, adblock list).
    List,
    /// Prose documentation (Markdown, reStructuredText, plain text, HTML, man pages): commands
    /// in its example markup are shown, not run.
    Document,
}

/// The lines a file quotes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Quotes {
    pub what: Quoting,
    /// Quoted lines, 1-based, as sorted disjoint inclusive ranges.
    ranges: Vec<(usize, usize)>,
}

impl Quotes {
    /// Whether line `line` (1-based) is quoted.
    pub fn quoted(&self, line: usize) -> bool {
        let i = self.ranges.partition_point(|&(_, end)| end < line);
        self.ranges.get(i).is_some_and(|&(start, _)| start <= line)
    }

    fn from_lines(what: Quoting, quoted: impl Iterator<Item = usize>) -> Quotes {
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        for line in quoted {
            match ranges.last_mut() {
                Some((_, end)) if *end + 1 == line => *end = line,
                _ => ranges.push((line, line)),
            }
        }
        Quotes { what, ranges }
    }
}

/// Fewest entries that make a list (a file naming a pool or two is no blocklist).
pub const MIN_LIST_ENTRIES: usize = 6;

/// Whether this text might be a rule set, from its first bytes: the gate before `detect` reads
/// the whole file for the `Rules` kind.
pub fn may_be_rules(head: &str) -> bool {
    (head.contains("rule") && head.contains("condition"))
        || (head.contains("detection:") && head.contains("logsource:"))
        || (head.contains("msg:") && SNORT_LINE.is_match(head))
}

/// What kind of text may quote (scripts and JSON never do: every line of them is code or
/// configuration).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Markup {
    /// Plain text: a rule set, a list or a document.
    Plain,
    Html,
    Xml,
}

/// What `text` quotes as data, from its structure: a rule set's literals or a list's entries.
pub fn data(text: &str, markup: Markup) -> Option<Quotes> {
    if markup != Markup::Plain {
        return None;
    }
    yara(text)
        .or_else(|| snort(text))
        .or_else(|| sigma(text))
        .or_else(|| list(text))
}

/// A literal a shell would still expand inside double quotes is not inert data.
fn expands(s: &str) -> bool {
    s.contains("$(") || s.contains("${") || s.contains('`')
}

// ---------------------------------------------------------------------------------------------
// YARA

/// One YARA token.
#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Word(&'a str),
    /// A string, regex or hex literal, with its text.
    Literal(&'a str),
    Punct(char),
}

/// Tokenizes YARA source; `None` at a character YARA has no use for (a shell's `;`, `'`, a
/// backtick). Literals are reported with the 1-based lines they span.
fn yara_tokens(text: &str) -> Option<Vec<(Tok<'_>, usize, usize)>> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 1;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => i += 1,
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let end = text[i + 2..].find("*/")? + i + 4;
                line += text[i..end].bytes().filter(|&x| x == b'\n').count();
                i = end;
            }
            // A string, or a regex (YARA divides with `\`: a `/` is always a regex).
            b'"' | b'/' => {
                let start = i;
                i = literal_end(b, i)?;
                if c == b'/' {
                    while i < b.len() && b[i].is_ascii_alphabetic() {
                        i += 1; // the regex's modifiers
                    }
                }
                out.push((Tok::Literal(&text[start..i]), line, line));
                continue;
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'#' || c == b'@' => {
                let start = i;
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'*')
                {
                    i += 1;
                }
                out.push((Tok::Word(&text[start..i]), line, line));
                continue;
            }
            c if b"{}()[]:=,.<>!?+-*\\%&|^~".contains(&c) => {
                out.push((Tok::Punct(c as char), line, line));
                i += 1;
            }
            _ => return None,
        }
    }
    Some(out)
}

/// The end of a one-line literal opened by `b[start]` and closed by the same byte, with
/// backslash escapes; `None` if it runs past its line.
fn literal_end(b: &[u8], start: usize) -> Option<usize> {
    let close = b[start];
    let mut i = start + 1;
    while i < b.len() && b[i] != close {
        if b[i] == b'\n' {
            return None;
        }
        i += if b[i] == b'\\' { 2 } else { 1 };
    }
    (i < b.len()).then_some(i + 1)
}

/// A YARA rule set: imports and includes, then rules, each with `condition:`; literals are
/// quoted, hex strings (`{ 6A 40 ?? }`) too.
fn yara(text: &str) -> Option<Quotes> {
    if !(text.contains("rule") && text.contains("condition")) {
        return None;
    }
    let toks = yara_tokens(text)?;
    let mut quoted: Vec<usize> = Vec::new();
    let mut i = 0;
    let mut rules = 0;
    let word = |i: usize| match toks.get(i) {
        Some((Tok::Word(w), _, _)) => Some(*w),
        _ => None,
    };
    let punct = |i: usize, c: char| matches!(toks.get(i), Some((Tok::Punct(p), _, _)) if *p == c);
    let quote = |tok: &(Tok, usize, usize), quoted: &mut Vec<usize>| {
        if let (Tok::Literal(s), from, to) = tok {
            if !expands(s) {
                quoted.extend(*from..=*to);
            }
        }
    };
    while i < toks.len() {
        match word(i) {
            Some("import" | "include") => {
                if !matches!(toks.get(i + 1), Some((Tok::Literal(s), _, _)) if s.starts_with('"')) {
                    return None;
                }
                i += 2;
            }
            Some("private" | "global") => i += 1,
            Some("rule") => {
                word(i + 1)?;
                i += 2;
                if punct(i, ':') {
                    i += 1;
                    while word(i).is_some() {
                        i += 1;
                    }
                }
                if !punct(i, '{') {
                    return None;
                }
                i += 1;
                let mut condition = false;
                let mut hex = false;
                // The body: sections and their tokens, up to the rule's closing brace (braces
                // inside are hex strings).
                loop {
                    let tok = toks.get(i)?;
                    match &tok.0 {
                        Tok::Punct('}') if !hex => break,
                        Tok::Punct('{') if !hex => hex = true,
                        Tok::Punct('}') => hex = false,
                        Tok::Word("condition") if punct(i + 1, ':') => condition = true,
                        Tok::Literal(_) => quote(tok, &mut quoted),
                        _ => {}
                    }
                    if hex {
                        quoted.push(tok.1);
                    }
                    i += 1;
                }
                if !condition {
                    return None;
                }
                rules += 1;
                i += 1;
            }
            _ => return None,
        }
    }
    (rules > 0).then(|| {
        quoted.sort_unstable();
        quoted.dedup();
        Quotes::from_lines(Quoting::Rules, quoted.into_iter())
    })
}

// ---------------------------------------------------------------------------------------------
// Snort and Suricata

static SNORT_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:alert|drop|reject|pass|log|sdrop|rejectsrc|rejectdst|rejectboth)\s+[a-z0-9-]+\s+\S+\s+\S+\s+(?:->|<>|<-)\s+\S+\s+\S+\s+\(.*\)\s*$")
        .expect("static regex")
});

/// Every line a rule (or a `#` comment); the rules are quoted.
fn snort(text: &str) -> Option<Quotes> {
    let mut quoted = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if !SNORT_LINE.is_match(line) {
            return None;
        }
        if !expands(line) {
            quoted.push(n + 1);
        }
    }
    (!quoted.is_empty()).then(|| Quotes::from_lines(Quoting::Rules, quoted.into_iter()))
}

// ---------------------------------------------------------------------------------------------
// Sigma

static YAML_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^ *(?:- +)*(?:[A-Za-z0-9_.|*-]+|'[^']*'|"[^"]*") *:(?: .*)?$|^ *- .*$|^ *-$|^---$|^\.\.\.$"#)
        .expect("static regex")
});

fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// A Sigma rule (YAML with `title`, `logsource` and `detection`): the single-line entries under
/// `detection:` are quoted. Block scalars and continued values are not: a shell reading the
/// file would run their lines as commands.
fn sigma(text: &str) -> Option<Quotes> {
    let top = |key: &str| text.starts_with(key) || text.contains(&format!("\n{key}"));
    if !(top("title:") && top("logsource:") && top("detection:")) {
        return None;
    }
    let mut quoted = Vec::new();
    let mut in_detection = false;
    // A block scalar's lines (anything, indented past its key) and the key before a line.
    let mut block_past: Option<usize> = None;
    let mut key_indent: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let ind = indent(line);
        if let Some(at) = block_past {
            if ind > at {
                continue; // live
            }
            block_past = None;
        }
        if !YAML_LINE.is_match(line) {
            // A plain value folded onto more indented lines (live), or not YAML at all.
            if key_indent.is_some_and(|k| ind > k) {
                continue;
            }
            return None;
        }
        key_indent = Some(ind);
        let value = line.split_once(": ").map_or("", |(_, v)| v.trim());
        let block = matches!(value.chars().next(), Some('|' | '>'));
        if block {
            block_past = Some(ind);
        }
        if ind == 0 {
            in_detection = line.starts_with("detection:");
            continue;
        }
        if in_detection && !block && !line.ends_with(':') && !expands(line) {
            quoted.push(n + 1);
        }
    }
    Some(Quotes::from_lines(Quoting::Rules, quoted.into_iter()))
}

// ---------------------------------------------------------------------------------------------
// Lists

static LIST_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?:",
        // hosts file: an address, then names
        r"(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)(?:\s+[A-Za-z0-9_.-]+(?::\d{1,5})?)+",
        // a name, host:port or URL on its own
        r"|(?:[a-z][a-z0-9+.-]*://)?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)+(?::\d{1,5})?(?:/\S*)?",
        // adblock
        r"|\|\|[A-Za-z0-9_.-]+\^\S*",
        r")\s*(?:#.*)?$",
    ))
    .expect("static regex")
});

/// Every line an entry (or a comment), and enough of them.
fn list(text: &str) -> Option<Quotes> {
    let mut entries = 0;
    let mut quoted = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') || t.starts_with('!') || t.starts_with(';') {
            continue;
        }
        if !LIST_ENTRY.is_match(t) {
            return None;
        }
        entries += 1;
        quoted.push(n + 1);
    }
    (entries >= MIN_LIST_ENTRIES).then(|| Quotes::from_lines(Quoting::List, quoted.into_iter()))
}

// ---------------------------------------------------------------------------------------------
// Documents

/// What a document's line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum DocLine {
    Blank,
    /// Inside example markup: a fenced or indented code block, `<pre>`, `<code>`, a man page's
    /// `.nf`/`.EX` block, a line after a shell prompt.
    Example,
    /// A sentence, or a continued one.
    Prose,
    /// Markup that carries no command: a heading, a label (`Install:`), a roff request, a tag.
    Markup,
    /// Anything else: outside example markup a command is a command.
    Bare,
}

static TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>").expect("static regex"));

/// A sentence: most of its tokens are words, it has at least four, and it reads as text (it
/// starts with a capital, a list marker or a quote, or continues a paragraph).
fn is_prose(line: &str, continues: bool) -> bool {
    let stripped = if line.contains('<') && line.contains('>') {
        TAG.replace_all(line, " ")
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    let mut t = stripped
        .trim()
        .trim_start_matches(['-', '*', '+', '>'])
        .trim_start();
    // A numbered list item: `1. Text`.
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        let digits = t.bytes().take_while(u8::is_ascii_digit).count();
        if let Some(rest) = t[digits..].strip_prefix(". ") {
            t = rest;
        }
    }
    let starts = t
        .chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c == '"' || c == '`' || c == '(')
        || continues;
    if !starts {
        return false;
    }
    // An inline code span (Markdown's `x`, reStructuredText's ``x``) is one thing the sentence
    // names, however many shell words it holds.
    let spans = t.contains('`').then(|| CODE_SPAN.replace_all(t, "code"));
    let spoken = spans.as_deref().unwrap_or(t);
    let (mut tokens, mut words) = (0, 0);
    for token in spoken.split_ascii_whitespace() {
        // A key after the first word (`POOL: x, WALLET: y`) is a setting, not a sentence's word.
        let key = tokens > 0 && token.ends_with(':');
        tokens += 1;
        words += usize::from(!key && is_word(token.as_bytes()));
    }
    // A paragraph's last words may run onto a line of their own (`example.com:3333.`).
    let tail = continues && tokens < 4 && t.ends_with(['.', ',', ';']) && !t.contains(SHELL_SYNTAX);
    let enough = tokens >= 4 || (spans.is_some() && tokens >= 2);
    tail || (enough && words * 10 >= tokens * 6)
}

/// An inline code span: one to three backticks around text without a backtick.
static CODE_SPAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(`{1,3})[^`]+(`{1,3})").expect("static regex"));

/// Characters that make a line shell syntax rather than words.
const SHELL_SYNTAX: [char; 7] = ['|', '&', ';', '$', '<', '>', '`'];

/// An option and its description, as help texts and cheat sheets list them
/// (`  -o, --url=URL      pool to connect to`, `  -epool   Ethereum pool address`): an indented
/// option, perhaps with its aliases and value, two or more spaces, then words.
static HELP_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s+-{1,2}[A-Za-z0-9][\w-]*(?:[ =]\S+)?(?:,\s*-{1,2}[A-Za-z0-9][\w-]*(?:[ =]\S+)?)*\s{2,}[A-Za-z0-9(][A-Za-z0-9'(),]*(?:\s+\S+)+\s*$")
        .expect("static regex")
});

/// A table's border: runs of `=`, `-` or `+` (reStructuredText, Markdown's `|---|---|`).
static TABLE_BORDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[=]{2,}(?:\s+[=]{2,})+|\+(?:[-=]{2,}\+)+|\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)+\|?)\s*$")
        .expect("static regex")
});

/// A word of prose: letters (with apostrophes and hyphens inside), perhaps in brackets, quotes
/// or emphasis, perhaps followed by punctuation. Bytes, not characters: non-ASCII bytes count
/// as letters (accents, `’`).
fn is_word(token: &[u8]) -> bool {
    let opening = |c: &u8| matches!(c, b'(' | b'[' | b'"' | b'\'' | b'*' | b'_');
    let closing = |c: &u8| {
        matches!(
            c,
            b')' | b']' | b'"' | b'\'' | b'*' | b'_' | b'.' | b',' | b';' | b':' | b'!' | b'?'
        )
    };
    let start = token.iter().take_while(|c| opening(c)).count();
    let end = token.len()
        - token[start..]
            .iter()
            .rev()
            .take_while(|c| closing(c))
            .count();
    let word = &token[start..end];
    word.first().is_some_and(u8::is_ascii_alphabetic)
        && word
            .iter()
            .all(|&c| c.is_ascii_alphabetic() || c >= 0x80 || c == b'\'' || c == b'-')
}

/// A label or heading: `Install:`, `# Usage`, `=====`, a roff request, a lone tag.
fn is_markup(line: &str) -> bool {
    let t = line.trim();
    let b = t.as_bytes();
    match b.first() {
        // A Markdown heading: `# Title`, never `#!/bin/sh`.
        Some(b'#') => return t.trim_start_matches('#').starts_with(' ') && !t.starts_with("#!"),
        Some(b'<') => {
            return t.starts_with("<!")
                || t.starts_with("<?")
                || (TAG.is_match(t) && TAG.replace_all(t, "").trim().is_empty())
        }
        // A roff request (`.SH`, `.B`).
        Some(b'.') => return b.get(1).is_some_and(u8::is_ascii_alphabetic),
        _ => {}
    }
    // A help text's synopsis: `Usage: xmrig [OPTIONS]`.
    if t.starts_with("Usage: ") || t.starts_with("usage: ") {
        return true;
    }
    if b.iter()
        .all(|c| matches!(c, b'=' | b'-' | b'~' | b'^' | b'*' | b'+' | b'#' | b'_'))
    {
        return true; // an underline or a rule
    }
    t.ends_with(':')
        && t.split_ascii_whitespace().count() <= 6
        && t.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | ':' | '\'' | '-' | '(' | ')'))
}

/// Classifies every line of a document candidate.
fn doc_lines(text: &str, html: bool) -> Vec<DocLine> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    let mut roff_example = false;
    let mut pre = false;
    let mut script = false;
    // After a reStructuredText table's border, up to the blank line that ends the table.
    let mut table = false;
    let mut prev = DocLine::Blank;
    for line in text.lines() {
        let t = line.trim();
        // Tags are matched without regard to case (only HTML needs it).
        let lower = if html && t.contains('<') {
            t.to_ascii_lowercase()
        } else {
            String::new()
        };
        let class = if let Some(f) = fence {
            if t.starts_with(f) {
                fence = None;
            }
            DocLine::Example
        } else if t.starts_with("```") || t.starts_with("~~~") {
            fence = Some(&t[..3]);
            DocLine::Example
        } else if roff_example {
            if t.starts_with(".fi") || t.starts_with(".EE") {
                roff_example = false;
            }
            DocLine::Example
        } else if t.starts_with(".nf") || t.starts_with(".EX") {
            roff_example = true;
            DocLine::Markup
        } else if html && (script || lower.contains("<script")) {
            // Code a browser runs: never quoted.
            script = !lower.contains("</script");
            DocLine::Bare
        } else if html && (pre || lower.contains("<pre") || lower.contains("<code")) {
            pre = (pre || lower.contains("<pre")) && !lower.contains("</pre");
            DocLine::Example
        } else if !html && TABLE_BORDER.is_match(line) {
            // Rows follow up to the blank line that ends the table.
            table = true;
            DocLine::Markup
        } else if t.is_empty() {
            table = false;
            DocLine::Blank
        } else if !html && (table || (t.starts_with('|') && t.ends_with('|') && t.len() > 2)) {
            // A table's row: cells the document shows.
            DocLine::Example
        } else if !html && HELP_ENTRY.is_match(line) {
            DocLine::Markup
        } else if (!html
            && (line.starts_with("    ") || line.starts_with('\t'))
            && matches!(prev, DocLine::Blank | DocLine::Example))
            || t.starts_with("$ ")
            || t.starts_with("PS> ")
            || t.starts_with("C:\\>")
        {
            // An indented block after a blank line, or a line after a shell prompt.
            DocLine::Example
        } else if is_prose(line, prev == DocLine::Prose) {
            DocLine::Prose
        } else if is_markup(line) {
            DocLine::Markup
        } else {
            DocLine::Bare
        };
        // An indented block continues only through example lines and blank lines.
        prev = match (class, prev) {
            (DocLine::Blank, DocLine::Example) => DocLine::Example,
            _ => class,
        };
        out.push(class);
    }
    out
}

/// A document: its text (prose, headings, labels) outweighs its bare lines, and it has some
/// prose. Examples and text are quoted; bare lines are live.
pub fn document(text: &str, markup: Markup) -> Option<Quotes> {
    let lines = doc_lines(text, markup == Markup::Html);
    let count = |c: DocLine| lines.iter().filter(|&&l| l == c).count();
    let (prose, markup, bare, examples) = (
        count(DocLine::Prose),
        count(DocLine::Markup),
        count(DocLine::Bare),
        count(DocLine::Example),
    );
    if prose == 0 || prose + markup < 2 || prose + markup < bare || examples + prose == 0 {
        return None;
    }
    let quoted = lines
        .iter()
        .enumerate()
        .filter(|(_, &l)| matches!(l, DocLine::Example | DocLine::Prose | DocLine::Markup))
        .map(|(n, _)| n + 1);
    Some(Quotes::from_lines(Quoting::Document, quoted))
}

#[cfg(test)]
mod tests;

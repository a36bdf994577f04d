//! Miner configs in the other syntaxes miners and kits use: INI and TOML (`[section]`,
//! `[[pools]]`, `key = value`), YAML (`key: value`, nested mappings and `- ` list items),
//! and variable assignments in env files, batch and shell scripts (`set POOL_HOST=...`,
//! `export WALLET=...`, `$pool = "..."`). Each mapping, section or list item becomes a JSON
//! object of string values, and the document is judged exactly as a JSON config is
//! (`judge_document`): a pool entry needs a stratum URL, a known pool, a checksum-valid
//! wallet as its user, or a pool port with miner-only settings; a database's `url` and
//! `user` are none of these.
//!
//! Variables name their role with a prefix (`POOL_HOST`, `CUSTOM_URL`, `MINER_WALLET`): a key
//! that is none of the config keys is read by its last word (`host`, `url`, `wallet`), and
//! `pool1`, `pool2` as `pool`.

use aho_corasick::AhoCorasick;
use serde_json::{Map, Value};
use std::sync::LazyLock;

/// Most blocks and keys read from one text: configs are short.
const MAX_BLOCKS: usize = 1024;
const MAX_LINE: usize = 4096;

/// Words one of which every pool entry holds (in a key or a URL); texts without any are not
/// read. They are needles of the shared walk (`ConfigAnalyzer::needles`).
pub(super) const GATE_WORDS: &[&str] = &["pool", "wallet", "stratum"];

/// `GATE_WORDS`, for a text that is not the file's bytes (decoded, normalised).
static GATE: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(GATE_WORDS)
        .expect("static words")
});

/// Keys the judge knows, under which a variable's own name is kept.
fn known_key(norm: &str) -> bool {
    super::URL_KEYS.contains(&norm)
        || super::USER_KEYS.contains(&norm)
        || super::ALGO_KEYS.contains(&norm)
        || super::MINER_KEYS.contains(&norm)
        || super::COMMON_MINER_KEYS.contains(&norm)
        || matches!(norm, "port" | "pass" | "password" | "miner")
}

/// The key as the judge reads it: its own name when known, else its last word, without a
/// trailing index. An environment variable (upper case) is never one of a miner's own config
/// keys: `WALLET_ADDRESS` is a kit's variable, not xmr-stak's `wallet_address`.
fn role_key(key: &str) -> String {
    let env = !key.bytes().any(|b| b.is_ascii_lowercase());
    let known_key = |k: &str| {
        known_key(k)
            && !(env && (super::MINER_KEYS.contains(&k) || super::COMMON_MINER_KEYS.contains(&k)))
    };
    let norm = super::norm(key.trim_start_matches('$'));
    let norm = norm.rsplit('.').next().unwrap_or(&norm).to_owned();
    let unindexed = norm.trim_end_matches(|c: char| c.is_ascii_digit());
    if known_key(&norm) {
        return norm;
    }
    if known_key(unindexed) {
        return unindexed.to_owned();
    }
    let last = unindexed.rsplit('-').next().unwrap_or(unindexed);
    if known_key(last) {
        last.to_owned()
    } else {
        norm
    }
}

/// One mapping, section or list item, and the indentation of the line that opened it (its
/// keys are indented deeper; a section's keys are not indented at all).
struct Block {
    indent: i64,
    map: Map<String, Value>,
}

/// The text's blocks as a JSON array of objects, when the text may be a miner config and
/// holds key-value lines outside its quotes; `None` otherwise. `gate` is whether the shared
/// walk found one of `GATE_WORDS` in the text, where it searched this very text.
pub(super) fn read(
    text: &str,
    quoted: &dyn Fn(usize) -> bool,
    gate: Option<bool>,
) -> Option<Value> {
    if !gate.unwrap_or_else(|| GATE.is_match(text)) {
        return None;
    }
    let mut done: Vec<Map<String, Value>> = Vec::new();
    let mut stack = vec![Block {
        indent: -2,
        map: Map::new(),
    }];
    let close_to = |stack: &mut Vec<Block>, done: &mut Vec<_>, indent: i64| {
        while stack.len() > 1 && stack.last().is_some_and(|b| b.indent >= indent) {
            done.push(stack.pop().expect("non-empty").map);
        }
    };
    for (n, raw) in text.lines().enumerate() {
        if raw.len() > MAX_LINE || done.len() >= MAX_BLOCKS {
            continue;
        }
        let Some(line) = parse_line(raw) else {
            continue;
        };
        if quoted(n + 1) {
            continue;
        }
        match line {
            Line::Section => {
                close_to(&mut stack, &mut done, -1);
                stack.push(Block {
                    indent: -1,
                    map: Map::new(),
                });
            }
            Line::Pair {
                indent,
                item,
                key,
                value,
            } => {
                close_to(&mut stack, &mut done, indent);
                if item {
                    stack.push(Block {
                        indent,
                        map: Map::new(),
                    });
                }
                match value {
                    // An empty setting says nothing (`CUSTOM_INSTALL_URL=""` before the URL).
                    Some(v) if v.is_empty() => {}
                    Some(v) => {
                        let top = &mut stack.last_mut().expect("root").map;
                        top.entry(role_key(key)).or_insert(Value::String(v));
                    }
                    // `key:` opens a mapping of the lines indented below it.
                    None => stack.push(Block {
                        indent,
                        map: Map::new(),
                    }),
                }
            }
        }
    }
    done.extend(stack.into_iter().map(|b| b.map));
    done.retain(|m| !m.is_empty());
    (!done.is_empty()).then(|| Value::Array(done.into_iter().map(Value::Object).collect()))
}

/// What one line is to the reader.
enum Line<'a> {
    Section,
    Pair {
        indent: i64,
        /// A YAML list item (`- key: value`) starts a block of its own.
        item: bool,
        key: &'a str,
        /// `None` for a YAML `key:` that opens a mapping.
        value: Option<String>,
    },
}

fn parse_line(raw: &str) -> Option<Line<'_>> {
    let t = raw.trim_start();
    let indent = (raw.len() - t.len()) as i64;
    let t = t.trim_end();
    if t.is_empty() || t.starts_with(['#', ';']) || t.starts_with("//") {
        return None;
    }
    if t.starts_with('[') && t.ends_with(']') && !t.contains('=') {
        return Some(Line::Section);
    }
    let (item, t) = match t.strip_prefix("- ") {
        Some(rest) => (true, rest.trim_start()),
        None => (false, t),
    };
    // Assignments of scripts and env files.
    let lower = t.get(..7).unwrap_or(t).to_ascii_lowercase();
    let t = if lower.starts_with("set ") || lower.starts_with("export ") {
        t.split_once(' ')
            .map_or(t, |(_, r)| r.trim_start().trim_matches('"'))
    } else {
        t
    };
    let key_len = t
        .bytes()
        .take_while(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'$'))
        .count();
    if key_len == 0 || key_len > 64 {
        return None;
    }
    let key = t[..key_len].trim_matches(['"', '\'']);
    let rest = t[key_len..].trim_start();
    let value = if let Some(v) = rest.strip_prefix(':') {
        // `key:value` without a space is not YAML (a URL, a time).
        if !(v.is_empty() || v.starts_with([' ', '\t'])) {
            return None;
        }
        v
    } else {
        rest.strip_prefix('=')?
    };
    Some(Line::Pair {
        indent,
        item,
        key,
        value: scalar(value),
    })
}

/// A value without its quotes and trailing comment; `None` when there is none.
fn scalar(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() {
        return None;
    }
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|r| r.split(q).next()) {
            return Some(inner.to_owned());
        }
    }
    let v = v
        .split(" #")
        .next()
        .unwrap_or(v)
        .split(" ;")
        .next()
        .unwrap_or(v);
    Some(v.trim().to_owned())
}

#[cfg(test)]
mod tests;

//! The literals of one pattern, as the gate looks for them: a text in its forms (ASCII, UTF-16LE,
//! the three base64 encodings), a regex's required literals, a hex string's longest fixed run,
//! each cut to what the shared walk can find.

use super::{narrowing, Clause, Group, Need};
use crate::analyze::gate;
use crate::knowledge::regions;
use yara_x_parser::ast;

/// What a pattern needs, in every form it is matched in (a match is all in one form).
pub(super) fn pattern_need(p: &ast::Pattern) -> Option<Need> {
    let m = p.modifiers();
    if m.xor().is_some() {
        return None;
    }
    if let Some(need) = base64_need(p) {
        return need;
    }
    let ascii_form: Vec<Vec<Clause>> = match p {
        ast::Pattern::Text(t) => vec![vec![vec![t.text.value.to_ascii_lowercase()]]],
        ast::Pattern::Regexp(r) => regex_alternatives(r.regexp.src)?,
        ast::Pattern::Hex(h) => vec![vec![vec![hex_run(&h.sub_patterns)?]]],
    };
    let wide = m.wide().is_some();
    let ascii = m.ascii().is_some() || !wide;
    let widen = |conj: &Vec<Clause>| -> Vec<Clause> {
        conj.iter()
            .map(|c| {
                c.iter()
                    .map(|l| l.iter().flat_map(|&b| [b, 0]).collect())
                    .collect()
            })
            .collect()
    };
    let mut alternatives = Vec::new();
    if wide {
        alternatives.extend(ascii_form.iter().map(widen));
    }
    if ascii {
        alternatives.extend(ascii_form);
    }
    // Only clauses that narrow: a pattern whose every clause of some alternative is too short
    // needs nothing.
    let alternatives = alternatives
        .into_iter()
        .map(|conj| {
            let conj = conj
                .into_iter()
                .map(|c| Group::one(c.into_iter().map(for_walk).collect()))
                .collect();
            narrowing(conj)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Need { alternatives }.tidy())
}

/// What a text pattern with `base64` or `base64wide` needs: the part of each of its three
/// encodings (at the three offsets modulo 3) that depends on the text alone, in the pattern's
/// alphabet (`base64wide` in UTF-16LE too). `None` for a pattern without those modifiers;
/// `Some(None)` for one that cannot be reduced.
fn base64_need(p: &ast::Pattern) -> Option<Option<Need>> {
    use ast::PatternModifier::{Base64, Base64Wide};
    use base64::alphabet::Alphabet;
    use base64::engine::general_purpose::{GeneralPurpose, NO_PAD};
    use base64::Engine;
    let m = p.modifiers();
    let (narrow, wide) = (m.base64(), m.base64wide());
    if narrow.is_none() && wide.is_none() {
        return None;
    }
    let ast::Pattern::Text(t) = p else {
        return Some(None);
    };
    // The pattern's alphabet as the base64 crate's engine (no padding: only the middle counts).
    let engine = |modifier: Option<&ast::PatternModifier>| -> Option<Option<GeneralPurpose>> {
        let alphabet = match modifier? {
            Base64 { alphabet, .. } | Base64Wide { alphabet, .. } => alphabet,
            _ => return None,
        };
        let alphabet = match alphabet {
            None => Some(base64::alphabet::STANDARD),
            Some(a) => a.as_str().ok().and_then(|a| Alphabet::new(a).ok()),
        };
        Some(alphabet.map(|a| GeneralPurpose::new(&a, NO_PAD)))
    };
    let mut clause: Clause = Vec::new();
    for (form, is_wide) in [(engine(narrow), false), (engine(wide), true)] {
        let Some(engine) = form else { continue };
        let Some(engine) = engine else {
            return Some(None);
        };
        for offset in 0..3 {
            let mut input = vec![0u8; offset];
            input.extend_from_slice(&t.text.value);
            let encoded = engine.encode(&input);
            // Character j encodes bits 6j..6j+6: those wholly inside the text are fixed.
            let first = (8 * offset).div_ceil(6);
            let last = 8 * input.len() / 6;
            // Every offset must give a literal: a match at one left out would hold none.
            let Some(stable) = encoded.as_bytes().get(first..last) else {
                return Some(None);
            };
            let mut literal = stable.to_vec();
            if is_wide {
                literal = literal.iter().flat_map(|&b| [b, 0]).collect();
            }
            clause.push(for_walk(literal));
        }
    }
    Some(narrowing(vec![Group::one(clause)]).map(|conj| {
        Need {
            alternatives: vec![conj],
        }
        .tidy()
    }))
}

/// A YARA regex's needs, from `analyze::gate`: its alternatives, each with its clauses of ASCII
/// literals (YARA matches bytes, and ignores case only in ASCII, which the search for these
/// literals covers).
fn regex_alternatives(src: &str) -> Option<Vec<Vec<Clause>>> {
    let alternatives = gate::gate_bytes(src, 1)?;
    Some(
        alternatives
            .into_iter()
            .map(|conj| {
                conj.into_iter()
                    .filter(|clause| clause.iter().all(|l| l.is_ascii()))
                    .map(|clause| clause.into_iter().map(String::into_bytes).collect())
                    .collect()
            })
            .collect(),
    )
}

/// The longest run of fixed bytes at the top level of a hex string.
fn hex_run(tokens: &ast::HexSubPattern) -> Option<Vec<u8>> {
    let mut best: Vec<u8> = Vec::new();
    let mut run: Vec<u8> = Vec::new();
    for token in tokens.iter() {
        if let ast::HexToken::Byte(b) = token {
            if b.mask == 0xff {
                run.push(b.value);
                continue;
            }
        }
        if run.len() > best.len() {
            best = std::mem::take(&mut run);
        }
        run.clear();
    }
    if run.len() > best.len() {
        best = run;
    }
    (!best.is_empty()).then_some(best)
}

/// Most characters of a literal the walk looks for: a longer one is cut to its start, which is
/// nearly as rare and keeps the shared automaton small (and literals sharing a start, such as
/// `cryptonight_lite` and `cryptonight_heavy`, one needle).
const MAX_WALKED_CHARS: usize = 12;

/// What the walk can look for in place of `literal` (a part of a literal is in every file the
/// literal is): its first `MAX_WALKED_CHARS` characters when it is a printable run (ASCII or
/// UTF-16LE), else its longest printable run of at least `regions::MIN_RUN` characters, cut the
/// same way, else itself. Lowercased: both searches ignore ASCII case.
fn for_walk(literal: Vec<u8>) -> Vec<u8> {
    let mut l = walkable(literal);
    if regions::is_wide_text(&l) {
        l.truncate(2 * MAX_WALKED_CHARS);
    } else if regions::searchable(&l) {
        l.truncate(MAX_WALKED_CHARS);
    }
    l.make_ascii_lowercase();
    l
}

fn walkable(literal: Vec<u8>) -> Vec<u8> {
    if regions::searchable(&literal) {
        return literal;
    }
    let ascii = literal
        .split(|&b| !regions::is_printable(b))
        .max_by_key(|run| run.len())
        .filter(|run| run.len() >= regions::MIN_RUN)
        .map(<[u8]>::to_vec);
    let wide = longest_wide_run(&literal);
    match (ascii, wide) {
        (Some(a), Some(w)) if w.len() / 2 > a.len() => w,
        (Some(a), _) => a,
        (None, Some(w)) => w,
        (None, None) => literal,
    }
}

/// The longest run of printable characters in UTF-16LE inside `literal`, at either parity.
fn longest_wide_run(literal: &[u8]) -> Option<Vec<u8>> {
    (0..2)
        .filter_map(|parity| {
            literal
                .get(parity..)?
                .chunks_exact(2)
                .collect::<Vec<_>>()
                .split(|pair| !(regions::is_printable(pair[0]) && pair[1] == 0))
                .max_by_key(|run| run.len())
                .map(|run| run.concat())
        })
        .filter(|run| regions::is_wide_text(run))
        .max_by_key(Vec::len)
}

/// A literal's length in characters: one in UTF-16LE (every second byte a NUL) counts its pairs.
pub(super) fn chars(literal: &[u8]) -> usize {
    let utf16 =
        literal.len().is_multiple_of(2) && literal.iter().skip(1).step_by(2).all(|&b| b == 0);
    if utf16 {
        literal.len() / 2
    } else {
        literal.len()
    }
}

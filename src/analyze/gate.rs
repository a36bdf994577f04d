//! Gates: the literals a regular expression cannot match without. An analyzer that judges text
//! with regexes declares these literals as its needles (`Analyzer::needles`), so that the shared
//! pass over a file's bytes tells it whether any of its regexes can match at all; a text with
//! none of them costs that analyzer nothing.
//!
//! The literals are worked out from the pattern itself (its syntax tree, `regex_syntax`), never
//! written by hand beside it, so that editing a rule cannot leave a stale gate behind. Every
//! literal is lowercased: the shared pass matches needles without regard to ASCII case, which
//! covers `(?i)` patterns and is a harmless superset for the others. Unicode case folding lets
//! `(?i)k` match the Kelvin sign and `(?i)s` the long s: a text holding those instead of `k` or
//! `s` would pass the regex and not its gate, so a gate decides only on text that is the file's
//! bytes as they are and holds neither (`FileContext::text_is_bytes`).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most literals a set may grow to, and most alternatives a gate keeps, before they say
/// nothing useful.
const MAX_SET: usize = 256;
const MAX_CONJS: usize = 64;

/// Literals of which a text must hold one.
pub type Clause = Vec<String>;
/// Clauses a text must all satisfy.
pub type Conj = Vec<Clause>;

/// What a part of a pattern needs: `dnf`, alternatives (any one will do) of conjunctions of
/// clauses; and `exact`, when every match of the part *is* one of these literals (so that
/// neighbours in a concatenation join into longer literals).
#[derive(Clone, Debug)]
struct Need {
    exact: Option<Vec<String>>,
    dnf: Vec<Conj>,
}

impl Need {
    fn nothing() -> Need {
        Need {
            exact: None,
            dnf: vec![Vec::new()],
        }
    }

    fn exact(literals: Vec<String>) -> Need {
        let clause: Vec<String> = literals.iter().filter(|l| !l.is_empty()).cloned().collect();
        // A set holding the empty string is no requirement.
        let conj = if clause.len() == literals.len() {
            vec![clause]
        } else {
            Vec::new()
        };
        Need {
            exact: Some(literals),
            dnf: vec![conj],
        }
    }
}

/// How much a clause narrows the search: its shortest literal (longer is rarer).
fn strength(clause: &Clause) -> usize {
    clause.iter().map(String::len).min().unwrap_or(0)
}

/// The gate of `pattern`: alternatives, each a conjunction of clauses (sets of lowercase
/// literals of at least `min_len` bytes), such that every text the pattern matches satisfies
/// one alternative: holds, for each of its clauses, one of the clause's literals. `None` when
/// some alternative needs no such literal (or the syntax is not understood): then nothing
/// gates the pattern.
pub fn gate(pattern: &str, min_len: usize) -> Option<Vec<Conj>> {
    gate_of(regex_syntax::ParserBuilder::new(), pattern, min_len)
}

/// `gate` for a pattern over bytes, as YARA reads its regexes: `\xNN` is a byte, and case is
/// ignored only in ASCII.
pub fn gate_bytes(pattern: &str, min_len: usize) -> Option<Vec<Conj>> {
    let mut parser = regex_syntax::ParserBuilder::new();
    parser.unicode(false).utf8(false);
    gate_of(parser, pattern, min_len)
}

fn gate_of(
    parser: regex_syntax::ParserBuilder,
    pattern: &str,
    min_len: usize,
) -> Option<Vec<Conj>> {
    let hir = parser.build().parse(pattern).ok()?;
    let mut dnf = need(&hir).dnf;
    for conj in &mut dnf {
        // Dropping a clause only weakens the gate: short literals match nearly every text.
        conj.retain(|c| strength(c) >= min_len);
        if conj.is_empty() {
            return None;
        }
        for clause in conj.iter_mut() {
            clause.sort();
            clause.dedup();
        }
    }
    Some(dnf)
}

/// Every literal of a gate, in one list (the needles that decide it).
pub fn literals(gate: &[Conj]) -> impl Iterator<Item = &str> {
    gate.iter().flatten().flatten().map(String::as_str)
}

fn need(hir: &Hir) -> Need {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => Need::exact(vec![String::new()]),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) => Need::exact(vec![s.to_lowercase()]),
            // Bytes that are not text (a byte pattern's `\xff`) need nothing; the text
            // between them still does.
            Err(_) => concat(
                lit.0
                    .iter()
                    .map(|&b| {
                        if b.is_ascii() {
                            Need::exact(vec![char::from(b).to_ascii_lowercase().to_string()])
                        } else {
                            Need::nothing()
                        }
                    })
                    .collect(),
            ),
        },
        HirKind::Class(class) => class_literals(class).map_or_else(Need::nothing, Need::exact),
        HirKind::Capture(c) => need(&c.sub),
        HirKind::Repetition(r) => {
            if r.min == 0 {
                return Need::nothing();
            }
            let sub = need(&r.sub);
            if r.min == 1 && r.max == Some(1) {
                return sub;
            }
            Need {
                exact: None,
                dnf: sub.dnf,
            }
        }
        HirKind::Alternation(alts) => alternation(alts.iter().map(need).collect()),
        HirKind::Concat(parts) => concat(parts.iter().flat_map(part_needs).collect()),
    }
}

/// A part of a concatenation, as one or two needs: a repetition of a literal at least once
/// (` +`, `(ab){2,}`) is that literal followed by something unknown, so that it joins the
/// literal before it (`-u +` needs `-u `).
fn part_needs(part: &Hir) -> Vec<Need> {
    if let HirKind::Repetition(r) = part.kind() {
        if r.min >= 1 && !(r.min == 1 && r.max == Some(1)) {
            let sub = need(&r.sub);
            if sub.exact.is_some() {
                return vec![sub, Need::nothing()];
            }
        }
    }
    vec![need(part)]
}

fn alternation(alts: Vec<Need>) -> Need {
    let exact = alts
        .iter()
        .map(|a| a.exact.clone())
        .collect::<Option<Vec<_>>>()
        .map(|sets| sets.concat())
        .filter(|all| all.len() <= MAX_SET);
    let dnf: Vec<Conj> = alts.into_iter().flat_map(|a| a.dnf).collect();
    if dnf.iter().any(Vec::is_empty) || dnf.len() > MAX_CONJS {
        return Need {
            exact,
            ..Need::nothing()
        };
    }
    Need { exact, dnf }
}

/// A concatenation needs what each part needs: the product of the parts' alternatives (up to
/// `MAX_CONJS`; past that a part's alternatives give one clause, the strongest of each). Runs
/// of exact parts join into longer literals.
fn concat(parts: Vec<Need>) -> Need {
    let mut dnf: Vec<Conj> = vec![Vec::new()];
    let mut run: Option<Vec<String>> = None;
    let mut all_exact = true;
    let end_run = |run: &mut Option<Vec<String>>, dnf: &mut Vec<Conj>| {
        if let Some(lits) = run.take() {
            let clauses: Conj = Need::exact(lits).dnf.into_iter().flatten().collect();
            for conj in dnf.iter_mut() {
                conj.extend(clauses.iter().cloned());
            }
        }
    };
    for part in parts {
        if let Some(lits) = part.exact {
            run = Some(match run.take() {
                None => lits,
                Some(prev) if prev.len() * lits.len() <= MAX_SET => prev
                    .iter()
                    .flat_map(|a| lits.iter().map(move |b| format!("{a}{b}")))
                    .collect(),
                Some(prev) => {
                    end_run(&mut Some(prev), &mut dnf);
                    lits
                }
            });
            continue;
        }
        all_exact = false;
        end_run(&mut run, &mut dnf);
        and(&mut dnf, part.dnf);
    }
    if all_exact {
        return Need::exact(run.unwrap_or_else(|| vec![String::new()]));
    }
    end_run(&mut run, &mut dnf);
    Need { exact: None, dnf }
}

/// `dnf` and `part`: every pairing of their alternatives, or, when that would be too many, each
/// of `dnf`'s with one clause made of the strongest clause of each of `part`'s.
fn and(dnf: &mut Vec<Conj>, part: Vec<Conj>) {
    if part.iter().any(Vec::is_empty) {
        return;
    }
    if dnf.len() * part.len() <= MAX_CONJS {
        *dnf = dnf
            .iter()
            .flat_map(|a| part.iter().map(move |b| [a.clone(), b.clone()].concat()))
            .collect();
        return;
    }
    let clause: Clause = part
        .iter()
        .filter_map(|c| c.iter().max_by_key(|cl| strength(cl)))
        .flatten()
        .cloned()
        .collect();
    if clause.len() <= MAX_SET {
        for conj in dnf.iter_mut() {
            conj.push(clause.clone());
        }
    }
}

/// A class that stands for one letter in either case (what `(?i)` makes of a letter), or for a
/// few ASCII characters: those characters, lowercased. `None` for wider classes.
fn class_literals(class: &Class) -> Option<Vec<String>> {
    let mut chars: Vec<char> = Vec::new();
    let mut add = |c: char| -> Option<()> {
        let c = match c {
            '\u{212A}' => 'k',
            '\u{17F}' => 's',
            c if c.is_ascii() => c.to_ascii_lowercase(),
            _ => return None,
        };
        if !chars.contains(&c) {
            chars.push(c);
        }
        (chars.len() <= 4).then_some(())
    };
    match class {
        Class::Unicode(u) => {
            for r in u.iter() {
                if (r.end() as u32) - (r.start() as u32) > 4 {
                    return None;
                }
                for c in r.start()..=r.end() {
                    add(c)?;
                }
            }
        }
        Class::Bytes(b) => {
            for r in b.iter() {
                if r.end() - r.start() > 4 {
                    return None;
                }
                for c in r.start()..=r.end() {
                    add(char::from(c))?;
                }
            }
        }
    }
    Some(chars.into_iter().map(String::from).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_literal_joins_its_neighbour() {
        assert_eq!(
            gate_bytes(r" -u +[48][0-9AB]", 3),
            Some(vec![vec![vec![" -u ".to_owned()]]])
        );
        assert_eq!(
            gate_bytes(r"x(ab){2,}y", 3),
            Some(vec![vec![vec!["xab".to_owned()]]])
        );
    }

    #[test]
    fn byte_patterns_read_escapes_as_bytes() {
        assert_eq!(
            gate_bytes(r"(?i)xmr\x2dstak", 3),
            Some(vec![vec![vec!["xmr-stak".to_owned()]]])
        );
        // A byte that is not text gives no literal; the rest of the pattern still does.
        assert_eq!(
            gate_bytes(r"\xffminer", 3),
            Some(vec![vec![vec!["miner".to_owned()]]])
        );
    }

    fn g(p: &str) -> Option<Vec<Conj>> {
        gate(p, 3)
    }

    fn conj(clauses: &[&[&str]]) -> Conj {
        clauses
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    #[test]
    fn alternatives_each_give_their_conjunction() {
        assert_eq!(
            g(r"(?i)\bschtasks(?:\.exe)?\s+/create\b|\bRegister-ScheduledTask\b"),
            Some(vec![
                conj(&[&["schtasks"], &["/create"]]),
                conj(&[&["register-scheduledtask"]])
            ])
        );
    }

    #[test]
    fn case_insensitive_letters_join_into_words() {
        assert_eq!(g(r"(?i)crontab\s+-l"), Some(vec![conj(&[&["crontab"]])]));
        // A class of one letter's cases is that letter, even with the Kelvin sign in it.
        assert_eq!(g(r"(?i)kill"), Some(vec![conj(&[&["kill"]])]));
    }

    #[test]
    fn every_part_of_a_concatenation_is_needed() {
        assert_eq!(
            g(r"(?i)\bwmic\b.*\bprocess\b.*\b(?:delete|terminate)\b"),
            Some(vec![conj(&[
                &["wmic"],
                &["process"],
                &["delete", "terminate"]
            ])])
        );
        // A part's alternatives become the whole's.
        assert_eq!(
            g(r"x(?:tee\s+-a|/etc/cron\s+y)z"),
            Some(vec![conj(&[&["tee"]]), conj(&[&["/etc/cron"]])])
        );
    }

    #[test]
    fn optional_or_unbounded_wide_parts_need_nothing() {
        assert_eq!(g(r"[A-Za-z0-9+/]{40,}"), None);
        assert_eq!(g(r"(?:curl)?\s+x"), None);
        assert_eq!(g(r"curl|\w+"), None, "one alternative without a literal");
        assert_eq!(g(r"ab"), None, "shorter than asked");
    }

    #[test]
    fn every_match_satisfies_the_gate() {
        // The property the gates rest on, over patterns of each shape and texts that match.
        let cases = [
            (
                r"(?i)\bcertutil(?:\.exe)?\b.*-urlcache\b",
                "CertUtil.exe -f -URLCACHE x",
            ),
            (r"(?i)\bhistory\s+-c\b|\bHISTSIZE=0\b", "export histsize=0"),
            (
                r"(?:>>|\btee\s+-a\s+)\s*\S*authorized_keys2?\b",
                "cat k >> ~/.ssh/authorized_keys2",
            ),
            (r"\bchattr\s+(?:-\w+\s+)*\+[a-zA-Z]*i", "chattr -R +ai /etc"),
            (
                r"(?i)\bpython[23]?(?:\.exe)?\s+-c\s+.*\b(?:urllib|urlopen)\b",
                "PYTHON3 -c 'import urllib'",
            ),
        ];
        for (pattern, text) in cases {
            assert!(regex::Regex::new(pattern).unwrap().is_match(text));
            let gate = g(pattern).unwrap_or_else(|| panic!("{pattern}: no gate"));
            let lower = text.to_lowercase();
            let holds = |c: &Conj| {
                c.iter()
                    .all(|cl| cl.iter().any(|l| lower.contains(l.as_str())))
            };
            assert!(
                gate.iter().any(holds),
                "{pattern}: {gate:?} not met by {text:?}"
            );
        }
    }
}

//! One pass over the raw bytes for every name and text the binary rules look for, in place of
//! extracting every printable string of the file and testing each one (which cost more than the
//! rest of the analyzer and than YARA on typical executables). A hit is turned into "the string
//! around it" only when a rule needs that string as evidence, so the rules keep judging strings.
//!
//! Function names resolved at run time are matched in ASCII only, case-sensitively and as a
//! whole trailing identifier: `GetProcAddress` and `dlsym` take narrow names. Texts (a library
//! name, a /proc path) are matched without regard to case in ASCII, and in UTF-16LE where asked
//! (Windows programs, which name libraries and drivers in wide strings).
//!
//! The ASCII needles are searched only in the printable regions of the file (`regions`); the
//! wide ones, which those regions cannot hold, in the whole file.

use crate::regions;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, Input, MatchKind};
use std::ops::Range;

/// Hits kept per needle: the rules need the first few occurrences, never all of them.
const PER_NEEDLE: usize = 8;
/// How far a string is followed either side of a hit when it is taken as evidence.
const MAX_STRING_REACH: usize = 4096;

/// Shortest printable run kept as a string (as `strings(1)` would with `-n 5`).
pub const MIN_STRING_LEN: usize = 5;

/// A printable string found around a hit, ASCII or UTF-16LE (decoded to ASCII).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundString {
    pub offset: u64,
    pub text: String,
    pub wide: bool,
}

/// One occurrence of a needle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct MarkerHit {
    /// Index into the needle list given to `Markers::new`.
    pub needle: usize,
    pub start: usize,
    pub end: usize,
    pub wide: bool,
}

/// A needle: a function name (exact, ASCII, whole identifier) or a text (any case, either width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Needle {
    Function(&'static str),
    Text(&'static str),
}

/// The compiled needles: one automaton with overlapping matches, so that no needle hides another
/// (`cuModuleLoadData` inside `cuModuleLoadDataEx`, `kworker` inside `kworkerds`).
pub(super) struct Markers {
    needles: Vec<Needle>,
    /// Every needle in ASCII; automaton pattern i is needle i.
    ascii: AhoCorasick,
    /// The texts in UTF-16LE, and the needle each pattern stands for.
    wide: AhoCorasick,
    wide_owner: Vec<usize>,
}

impl Markers {
    pub fn new(needles: Vec<Needle>) -> Markers {
        let ascii: Vec<&[u8]> = needles
            .iter()
            .map(|n| match n {
                Needle::Function(t) | Needle::Text(t) => t.as_bytes(),
            })
            .collect();
        assert!(
            ascii.iter().all(|n| regions::searchable(n)),
            "needles must be printable and at least regions::MIN_RUN long"
        );
        let mut wide = Vec::new();
        let mut wide_owner = Vec::new();
        for (i, n) in needles.iter().enumerate() {
            if let Needle::Text(t) = n {
                wide.push(t.bytes().flat_map(|b| [b, 0]).collect::<Vec<u8>>());
                wide_owner.push(i);
            }
        }
        let build = |patterns: &[&[u8]]| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .kind(Some(AhoCorasickKind::DFA))
                .build(patterns)
                .expect("static needles")
        };
        let wide_refs: Vec<&[u8]> = wide.iter().map(Vec::as_slice).collect();
        Markers {
            ascii: build(&ascii),
            wide: build(&wide_refs),
            wide_owner,
            needles,
        }
    }

    pub fn needle(&self, hit: &MarkerHit) -> Needle {
        self.needles[hit.needle]
    }

    /// Every needle's first occurrences in `bytes`: function names only where they stand as a
    /// string's trailing identifier, texts anywhere; wide texts only when `wide` is asked.
    /// `regions` are `bytes`' printable regions.
    pub fn find(&self, bytes: &[u8], regions: &[Range<usize>], wide: bool) -> Vec<MarkerHit> {
        let mut seen = vec![0usize; self.needles.len()];
        let mut hits = Vec::new();
        let mut keep = |needle: usize, start: usize, end: usize, wide: bool| {
            if seen[needle] >= PER_NEEDLE {
                return;
            }
            let ok = match self.needles[needle] {
                Needle::Function(name) => {
                    &bytes[start..end] == name.as_bytes() && names_function(bytes, start, end)
                }
                Needle::Text(_) => true,
            };
            if ok {
                seen[needle] += 1;
                hits.push(MarkerHit {
                    needle,
                    start,
                    end,
                    wide,
                });
            }
        };
        for span in regions {
            let input = Input::new(bytes).span(span.clone());
            for m in self.ascii.find_overlapping_iter(input) {
                keep(m.pattern().as_usize(), m.start(), m.end(), false);
            }
        }
        if wide {
            for m in self.wide.find_overlapping_iter(bytes) {
                keep(
                    self.wide_owner[m.pattern().as_usize()],
                    m.start(),
                    m.end(),
                    true,
                );
            }
        }
        hits
    }
}

fn is_identifier_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// A name at `start..end` is the trailing identifier of a string: no identifier byte before it,
/// and after it only blanks up to the end of the printable run (an import hint or a length
/// prefix before the name is allowed, `MyCreateProcessA` or `ptrace_scope` are not).
fn names_function(bytes: &[u8], start: usize, end: usize) -> bool {
    if start > 0 && is_identifier_byte(bytes[start - 1]) {
        return false;
    }
    let rest = &bytes[end..];
    let blanks = rest
        .iter()
        .take_while(|&&b| b == b' ' || b == b'\t')
        .count();
    rest.get(blanks).is_none_or(|&b| !regions::is_printable(b))
}

/// The printable string (ASCII, or UTF-16LE when `wide`) around `start..end`, decoded, as string
/// extraction would have found it; `None` when shorter than extraction keeps. Followed at most
/// `MAX_STRING_REACH` characters either side.
pub(super) fn string_around(
    bytes: &[u8],
    start: usize,
    end: usize,
    wide: bool,
) -> Option<FoundString> {
    let step = if wide { 2 } else { 1 };
    let printable_at =
        |i: usize| regions::is_printable(bytes[i]) && (!wide || bytes.get(i + 1) == Some(&0));
    let mut from = start;
    let mut reach = 0;
    while from >= step && reach < MAX_STRING_REACH && printable_at(from - step) {
        from -= step;
        reach += 1;
    }
    let mut to = end;
    reach = 0;
    while to + step <= bytes.len() && reach < MAX_STRING_REACH && printable_at(to) {
        to += step;
        reach += 1;
    }
    let run = &bytes[from..to];
    let text: String = run.iter().step_by(step).map(|&b| b as char).collect();
    (text.len() >= MIN_STRING_LEN).then_some(FoundString {
        offset: from as u64,
        text,
        wide,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn markers() -> Markers {
        Markers::new(vec![
            Needle::Function("CreateProcessA"),
            Needle::Function("CreateProcessAsUserA"),
            Needle::Text("nvcuda.dll"),
            Needle::Text("kworker"),
        ])
    }

    fn found(bytes: &[u8]) -> Vec<(Needle, bool)> {
        let m = markers();
        m.find(bytes, &regions::printable_regions(bytes), true)
            .iter()
            .map(|h| (m.needle(h), h.wide))
            .collect()
    }

    #[test]
    fn function_names_are_whole_trailing_identifiers_in_exact_case() {
        let f = Needle::Function("CreateProcessA");
        assert_eq!(found(b"\0CreateProcessA\0"), vec![(f, false)]);
        assert_eq!(found(b"\x07\x01CreateProcessA  \0"), vec![(f, false)]);
        assert!(found(b"\0MyCreateProcessA\0").is_empty());
        assert!(found(b"\0createprocessa\0").is_empty());
        assert!(found(b"\0CreateProcessA is documented\0").is_empty());
        // The longer name does not hide the shorter one, and each is judged on its own.
        assert_eq!(
            found(b"\0CreateProcessAsUserA\0"),
            vec![(Needle::Function("CreateProcessAsUserA"), false)]
        );
    }

    #[test]
    fn texts_match_any_case_in_either_width() {
        let wide: Vec<u8> = "Load NVCUDA.DLL now".bytes().flat_map(|b| [b, 0]).collect();
        assert_eq!(found(&wide), vec![(Needle::Text("nvcuda.dll"), true)]);
        assert_eq!(
            found(b"[kworkerds]"),
            vec![(Needle::Text("kworker"), false)]
        );
    }

    #[test]
    fn hits_are_capped_per_needle() {
        let bytes = b"kworker ".repeat(100);
        assert_eq!(found(&bytes).len(), PER_NEEDLE);
    }

    #[test]
    fn strings_around_hits_are_the_extracted_strings() {
        let bytes = b"\x01\x02open /proc/self/status\0\x03";
        let s = string_around(bytes, 8, 13, false).unwrap();
        assert_eq!((s.offset, s.text.as_str()), (2, "open /proc/self/status"));
        let wide: Vec<u8> = [
            &[1u8, 0x80][..],
            &"x libcuda.so"
                .bytes()
                .flat_map(|b| [b, 0])
                .collect::<Vec<_>>(),
            &[0, 0],
        ]
        .concat();
        let s = string_around(&wide, 6, 6 + 2 * 6, true).unwrap();
        assert_eq!(
            (s.offset, s.text.as_str(), s.wide),
            (2, "x libcuda.so", true)
        );
        assert!(string_around(b"\0/proc\0", 1, 6, false).is_some());
        assert!(string_around(b"\0/pro\0", 1, 5, false).is_none());
    }
}

//! The names and texts the binary rules look for, found without extracting every printable
//! string of the file and testing each one (which cost more than the rest of the analyzer, and
//! than YARA, on typical executables). The ASCII needles ride in the shared matcher's one pass
//! over the file (`Indicators::scan`, which searches only its printable regions); a hit becomes
//! "the string around it" only when a rule needs that string as evidence, so the rules keep
//! judging strings.
//!
//! Function names resolved at run time are matched in ASCII only, case-sensitively and as a
//! whole trailing identifier: `GetProcAddress` and `dlsym` take narrow names. Texts (a library
//! name, a /proc path) are matched without regard to case in ASCII, and in UTF-16LE where asked
//! (Windows programs, which name libraries and drivers in wide strings), by a pass of their own
//! over the whole file, since printable regions cannot hold wide text.

use crate::knowledge::indicators::NeedleHit;
use crate::knowledge::regions;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

/// Wide hits kept per needle: the rules need the first few occurrences, never all of them.
const PER_NEEDLE: usize = crate::knowledge::indicators::NEEDLE_HITS;
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

impl Needle {
    pub fn text(self) -> &'static str {
        match self {
            Needle::Function(t) | Needle::Text(t) => t,
        }
    }
}

/// The needles, and the automaton for their wide forms (overlapping, so that no needle hides
/// another: `cuModuleLoadData` inside `cuModuleLoadDataEx`, `kworker` inside `kworkerds`).
pub(super) struct Markers {
    needles: Vec<Needle>,
    /// The texts in UTF-16LE, and the needle each pattern stands for.
    wide: AhoCorasick,
    wide_owner: Vec<usize>,
}

impl Markers {
    pub fn new(needles: Vec<Needle>) -> Markers {
        assert!(
            needles
                .iter()
                .all(|n| regions::searchable(n.text().as_bytes())),
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
        let wide = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            // Every wide pattern is half NULs: a prefilter keyed on its bytes fires all over a
            // binary's zero padding and made this pass slower than YARA on a 1.3 MB program.
            .prefilter(false)
            .build(&wide)
            .expect("static needles");
        Markers {
            needles,
            wide,
            wide_owner,
        }
    }

    pub fn needle(&self, hit: &MarkerHit) -> Needle {
        self.needles[hit.needle]
    }

    /// The needles' occurrences in `bytes`: the shared pass's ASCII hits (`ascii`, numbered as
    /// the needles given to `new`), function names kept only where they stand as a string's
    /// trailing identifier in their exact case; then, when `wide` is asked, the texts in
    /// UTF-16LE.
    pub fn find(&self, bytes: &[u8], ascii: &[NeedleHit], wide: bool) -> Vec<MarkerHit> {
        let mut hits: Vec<MarkerHit> = ascii
            .iter()
            .filter(|h| match self.needles[h.needle] {
                Needle::Function(name) => {
                    &bytes[h.start..h.end] == name.as_bytes()
                        && names_function(bytes, h.start, h.end)
                }
                Needle::Text(_) => true,
            })
            .map(|h| MarkerHit {
                needle: h.needle,
                start: h.start,
                end: h.end,
                wide: false,
            })
            .collect();
        if wide {
            let mut seen = vec![0usize; self.needles.len()];
            for m in self.wide.find_overlapping_iter(bytes) {
                let needle = self.wide_owner[m.pattern().as_usize()];
                if seen[needle] < PER_NEEDLE {
                    seen[needle] += 1;
                    hits.push(MarkerHit {
                        needle,
                        start: m.start(),
                        end: m.end(),
                        wide: true,
                    });
                }
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
            Needle::Text("nvcuda.dll"),
        ])
    }

    /// What `find` keeps of one ASCII occurrence of needle `needle` at `start`.
    fn kept(bytes: &[u8], needle: usize, start: usize) -> bool {
        let m = markers();
        let end = start + m.needles[needle].text().len();
        !m.find(bytes, &[NeedleHit { needle, start, end }], false)
            .is_empty()
    }

    #[test]
    fn function_names_are_whole_trailing_identifiers_in_exact_case() {
        assert!(kept(b"\0CreateProcessA\0", 0, 1));
        assert!(kept(b"\x07\x01CreateProcessA  \0", 0, 2));
        assert!(!kept(b"\0MyCreateProcessA\0", 0, 3));
        assert!(!kept(b"\0createprocessa\0", 0, 1));
        assert!(!kept(b"\0CreateProcessA is documented\0", 0, 1));
        assert!(!kept(b"\0CreateProcessAsUserA\0", 0, 1));
        // Texts are kept wherever they are.
        assert!(kept(b"NVCUDA.DLLx", 1, 0));
    }

    #[test]
    fn wide_texts_in_any_case_capped_per_needle() {
        let wide: Vec<u8> = "Load NVCUDA.DLL now".bytes().flat_map(|b| [b, 0]).collect();
        let m = markers();
        let hits = m.find(&wide, &[], true);
        assert_eq!(hits.len(), 1);
        assert_eq!(
            (m.needle(&hits[0]), hits[0].start, hits[0].wide),
            (Needle::Text("nvcuda.dll"), 10, true)
        );
        assert!(m.find(&wide, &[], false).is_empty());
        let many = wide.repeat(100);
        assert_eq!(m.find(&many, &[], true).len(), PER_NEEDLE);
    }

    #[test]
    fn strings_around_hits_are_the_extracted_strings() {
        let bytes = b"\x01\x02open /proc/self/status\0\x03";
        let s = string_around(bytes, 8, 13, false).unwrap();
        assert_eq!((s.offset, s.text.as_str()), (2, "open /proc/self/status"));
        let text: Vec<u8> = "x libcuda.so".bytes().flat_map(|b| [b, 0]).collect();
        let wide = [&[1u8, 0x80][..], &text, &[0, 0]].concat();
        let s = string_around(&wide, 6, 18, true).unwrap();
        assert_eq!(
            (s.offset, s.text.as_str(), s.wide),
            (2, "x libcuda.so", true)
        );
        assert!(string_around(b"\0/proc\0", 1, 6, false).is_some());
        assert!(string_around(b"\0/pro\0", 1, 5, false).is_none());
    }
}

//! Where readable text can be in a binary: the spans holding runs of printable ASCII, and runs
//! of printable ASCII in UTF-16LE (each character followed by a NUL: Windows strings, and the
//! `wide` patterns of YARA rules). Every literal the matchers look for in executables and data
//! (pool hosts, miner options, function names, rule literals) is such a run, so a match lies
//! inside one; code and compressed data are mostly not printable (about 16% of the bytes of
//! /usr/bin lie in runs of five or more), and finding the runs 64 bytes at a time is several
//! times cheaper than walking an automaton over every byte. The matchers then search only these
//! spans of the whole buffer, which keeps their results and their boundary checks exactly what
//! a search of the whole buffer gives.

use std::ops::Range;

/// Runs shorter than this cannot hold any literal we look for (the matchers check their
/// shortest pattern against it and search the whole buffer when one is shorter).
pub const MIN_RUN: usize = 4;
/// Runs closer than this are searched as one span: one search call instead of many tiny ones.
const MERGE_GAP: usize = 32;

/// Printable as the matchers count it: ASCII graphic characters, space and tab.
pub fn is_printable(b: u8) -> bool {
    (0x20..0x7f).contains(&b) || b == b'\t'
}

/// Whether a literal can be found by searching only the printable spans: printable and at
/// least `MIN_RUN` long, in ASCII or in UTF-16LE.
pub fn searchable(literal: &[u8]) -> bool {
    let ascii = literal.len() >= MIN_RUN && literal.iter().all(|&b| is_printable(b));
    ascii || is_wide_text(literal)
}

/// Whether a literal is printable ASCII in UTF-16LE, at least `MIN_RUN` characters long.
pub fn is_wide_text(literal: &[u8]) -> bool {
    literal.len() >= 2 * MIN_RUN
        && literal.len().is_multiple_of(2)
        && literal
            .chunks_exact(2)
            .all(|pair| is_printable(pair[0]) && pair[1] == 0)
}

/// One bit per byte of an 8-byte little-endian word: set where the byte is printable. The
/// portable form of `printable_mask` (and its check in the tests on x86_64).
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn printable_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = word & LOW7;
    // Per byte, without carries between bytes: bit 7 of `at_least_space` is set where the low
    // seven bits are >= 0x20, bit 7 of `is_del` where they are 0x7f, bit 7 of `not_tab` where
    // the byte differs from a tab.
    let at_least_space = low + 0x6060_6060_6060_6060;
    let is_del = low + 0x0101_0101_0101_0101;
    let tab_xor = word ^ 0x0909_0909_0909_0909;
    let not_tab = ((tab_xor & LOW7) + LOW7) | tab_xor;
    let printable = ((!word & at_least_space & !is_del) | !not_tab) & HIGH;
    // Gather the eight bit-7s into one byte.
    (printable >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// One bit per byte of an 8-byte little-endian word: set where the byte is zero.
#[cfg_attr(all(target_arch = "x86_64", not(test)), allow(dead_code))]
fn zero_bits(word: u64) -> u64 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Bit 7 of each byte of `nonzero` is set where any bit of the byte is (no carries between
    // bytes: the low seven bits plus 0x7f stay below 0x100).
    let nonzero = ((word & LOW7) + LOW7) | word;
    ((!nonzero & HIGH) >> 7).wrapping_mul(0x0102_0408_1020_4080) >> 56
}

/// Two bits per byte of a 64-byte block, as two masks: where the byte is printable, and where
/// it is zero.
#[cfg(target_arch = "x86_64")]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    use std::arch::x86_64::*;
    let mut zeros = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: as in `printable_mask`.
        let bits = unsafe {
            let x = _mm_loadu_si128(part.as_ptr().cast());
            _mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_setzero_si128())) as u32 as u64
        };
        zeros |= bits << (16 * i);
    }
    (printable_mask(block), zeros)
}

#[cfg(not(target_arch = "x86_64"))]
fn block_masks(block: &[u8; 64]) -> (u64, u64) {
    let mut zeros = 0u64;
    for (i, word) in block.chunks_exact(8).enumerate() {
        zeros |= zero_bits(u64::from_le_bytes(word.try_into().expect("8 bytes"))) << (8 * i);
    }
    (printable_mask(block), zeros)
}

/// One bit per byte of a 64-byte block: set where the byte is printable.
#[cfg(target_arch = "x86_64")]
fn printable_mask(block: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    let mut mask = 0u64;
    for (i, part) in block.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of the x86_64 baseline, and `part` is 16 readable bytes (an
        // unaligned load is used).
        let bits = unsafe {
            let x = _mm_loadu_si128(part.as_ptr().cast());
            // As signed bytes, 0x20..=0x7e are exactly those above 0x1f and below 0x7f.
            let graphic = _mm_and_si128(
                _mm_cmpgt_epi8(x, _mm_set1_epi8(0x1f)),
                _mm_cmplt_epi8(x, _mm_set1_epi8(0x7f)),
            );
            let tab = _mm_cmpeq_epi8(x, _mm_set1_epi8(b'\t' as i8));
            _mm_movemask_epi8(_mm_or_si128(graphic, tab)) as u32 as u64
        };
        mask |= bits << (16 * i);
    }
    mask
}

/// One bit per byte of a 64-byte block: set where the byte is printable.
#[cfg(not(target_arch = "x86_64"))]
fn printable_mask(block: &[u8; 64]) -> u64 {
    let mut mask = 0u64;
    for (i, word) in block.chunks_exact(8).enumerate() {
        mask |= printable_bits(u64::from_le_bytes(word.try_into().expect("8 bytes"))) << (8 * i);
    }
    mask
}

/// The spans of `bytes` that hold every printable run of at least `MIN_RUN` bytes, and every
/// run of at least `MIN_RUN` printable characters in UTF-16LE, with runs closer than
/// `MERGE_GAP` joined, in order. Works 64 bytes at a time: a byte is covered when a window of
/// `MIN_RUN` printable bytes (or of `MIN_RUN` printable-then-NUL pairs) holds it, which bit
/// operations on the block's masks (and the next block's, for windows that straddle the two)
/// tell at once.
pub fn printable_regions(bytes: &[u8]) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    let mut close = |start: usize, end: usize| match out.last_mut() {
        Some(last) if start - last.end < MERGE_GAP => last.end = end,
        _ => out.push(start..end),
    };
    let block_at = |i: usize| -> (u64, u64) {
        match bytes.get(i * 64..i * 64 + 64) {
            Some(b) => block_masks(b.try_into().expect("64 bytes")),
            None => {
                // The last, partial block: padded with a byte that is neither printable nor
                // zero.
                let mut padded = [0xffu8; 64];
                let tail = bytes.get(i * 64..).unwrap_or(&[]);
                padded[..tail.len()].copy_from_slice(tail);
                block_masks(&padded)
            }
        }
    };
    let blocks = bytes.len().div_ceil(64);
    let mut open: Option<usize> = None;
    let mut next = if blocks > 0 { block_at(0) } else { (0, 0) };
    let mut spill = 0u64;
    for b in 0..blocks {
        let current = next;
        next = if b + 1 < blocks {
            block_at(b + 1)
        } else {
            (0, 0)
        };
        let window = u128::from(current.0) | (u128::from(next.0) << 64);
        let zeros = u128::from(current.1) | (u128::from(next.1) << 64);
        // Windows of MIN_RUN printable bytes starting in this block...
        let mut starts = window;
        // ...and of MIN_RUN printable characters each followed by a NUL.
        let pairs = window & (zeros >> 1);
        let mut wide_starts = pairs;
        for s in 1..MIN_RUN {
            starts &= window >> s;
            wide_starts &= pairs >> (2 * s);
        }
        starts &= u128::from(u64::MAX);
        wide_starts &= u128::from(u64::MAX);
        // The bytes they cover, here and (spilling over) in the next block.
        let mut covered = starts | wide_starts;
        for s in 1..MIN_RUN {
            covered |= starts << s;
        }
        for s in 1..2 * MIN_RUN {
            covered |= wide_starts << s;
        }
        let mask = covered as u64 | spill;
        spill = (covered >> 64) as u64;
        let base = b * 64;
        match mask {
            0 => {
                if let Some(start) = open.take() {
                    close(start, base);
                }
            }
            u64::MAX => {
                open.get_or_insert(base);
            }
            _ => {
                let mut k = 0u32;
                while k < 64 {
                    let rest = mask >> k;
                    if let Some(start) = open {
                        let keep = (!rest).trailing_zeros();
                        if k + keep >= 64 {
                            break;
                        }
                        k += keep;
                        close(start, base + k as usize);
                        open = None;
                    } else {
                        let skip = rest.trailing_zeros();
                        if k + skip >= 64 {
                            break;
                        }
                        k += skip;
                        open = Some(base + k as usize);
                    }
                }
            }
        }
    }
    if let Some(start) = open {
        close(start, bytes.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition, byte by byte: a byte is covered when it lies in a printable run
    /// of `MIN_RUN` bytes, or in a run of `MIN_RUN` printable-then-NUL pairs.
    fn reference(bytes: &[u8]) -> Vec<Range<usize>> {
        let mut covered = vec![false; bytes.len()];
        for i in 0..bytes.len() {
            if bytes.len() - i >= MIN_RUN && bytes[i..i + MIN_RUN].iter().all(|&b| is_printable(b))
            {
                covered[i..i + MIN_RUN].fill(true);
            }
            if bytes.len() - i >= 2 * MIN_RUN && is_wide_text(&bytes[i..i + 2 * MIN_RUN]) {
                covered[i..i + 2 * MIN_RUN].fill(true);
            }
        }
        let mut runs = Vec::new();
        let mut start = None;
        for (i, &c) in covered.iter().chain([false].iter()).enumerate() {
            match (c, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    runs.push(s..i);
                    start = None;
                }
                _ => {}
            }
        }
        let mut out: Vec<Range<usize>> = Vec::new();
        for r in runs {
            match out.last_mut() {
                Some(last) if r.start - last.end < MERGE_GAP => last.end = r.end,
                _ => out.push(r),
            }
        }
        out
    }

    #[test]
    fn block_classification_matches_the_byte_definition() {
        for b in 0..=255u8 {
            for pos in [0, 7, 8, 15, 16, 40, 63] {
                let mut block = [0x41u8; 64];
                block[pos] = b;
                let mask = printable_mask(&block);
                assert_eq!(
                    mask >> pos & 1 == 1,
                    is_printable(b),
                    "byte {b:#x} at {pos}"
                );
                assert_eq!(mask | (1 << pos), u64::MAX, "neighbours of {b:#x}");
                // The portable word form, used where SSE2 is not.
                let word =
                    u64::from_le_bytes(block[pos / 8 * 8..pos / 8 * 8 + 8].try_into().unwrap());
                assert_eq!(printable_bits(word), mask >> (pos / 8 * 8) & 0xff);
                let (printable, zeros) = block_masks(&block);
                assert_eq!(printable, mask);
                assert_eq!(zeros >> pos & 1 == 1, b == 0, "zero mask of {b:#x}");
                assert_eq!(zero_bits(word), zeros >> (pos / 8 * 8) & 0xff);
            }
        }
    }

    #[test]
    fn regions_match_the_byte_definition_on_mixed_data() {
        // A deterministic mix of code-like bytes, short and long strings, tabs and high bytes.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut bytes = Vec::new();
        for i in 0..20_000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            let b = state as u8;
            match i % 97 {
                0..=40 => bytes.push(b),
                41..=60 => bytes.push(b'a' + b % 26),
                61 => bytes.push(b'\t'),
                62..=70 => bytes.push(0),
                // Wide text: a letter and a NUL, runs of up to a dozen pairs.
                71..=94 if i % 2 == 0 => bytes.push(b'a' + b % 26),
                71..=94 => bytes.push(0),
                _ => bytes.push(b | 0x80),
            }
        }
        for len in [
            0,
            1,
            3,
            4,
            7,
            8,
            9,
            63,
            64,
            65,
            127,
            128,
            129,
            1000,
            bytes.len(),
        ] {
            for skip in [0, 1, 5] {
                let slice = &bytes[skip.min(len)..len];
                assert_eq!(
                    printable_regions(slice),
                    reference(slice),
                    "len {len} skip {skip}"
                );
            }
        }
    }

    #[test]
    fn short_runs_and_far_runs() {
        assert!(printable_regions(b"\0abc\0").is_empty());
        assert_eq!(printable_regions(b"\0abcd\0"), vec![1..5]);
        let mut far = b"xmrig".to_vec();
        far.extend([0u8; MERGE_GAP]);
        far.extend(b"--donate-level");
        assert_eq!(
            printable_regions(&far),
            vec![0..5, 5 + MERGE_GAP..5 + MERGE_GAP + 14]
        );
        assert_eq!(printable_regions(b"pool\0\0host"), vec![0..10]);
    }

    #[test]
    fn wide_runs_are_regions_too() {
        let wide: Vec<u8> = "xmrig".bytes().flat_map(|b| [b, 0]).collect();
        let mut bytes = vec![0x90u8; 100];
        bytes.extend(&wide);
        bytes.extend([0x90u8; 100]);
        assert_eq!(printable_regions(&bytes), vec![100..110]);
        // Three characters are not a run.
        assert!(printable_regions(&[b'a', 0, b'b', 0, b'c', 0, 0x90]).is_empty());
        assert!(searchable(&wide));
        assert!(!searchable(&wide[..6]));
        assert!(!searchable(&[b'a', 0, b'b', 1, b'c', 0, b'd', 0]));
    }
}

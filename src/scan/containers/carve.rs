//! Payloads carved out of binaries: a loader that carries a gzip-, xz-, zstd- or bzip2-compressed
//! program, or a dropper with an ELF, PE or zip appended or embedded. minerscan's shared pass
//! walks only the printable regions of a binary, so it cannot see these magics; this module
//! finds them with one multi-pattern search (Teddy SIMD in aho-corasick: a handful of short
//! magics, several GB/s), checks each hit's header for consistency, trial-decodes the streams
//! that pass (a real stream yields data; a chance magic fails within bytes), and keeps at most a
//! handful of candidates per file, the largest first. Each becomes a member `carved@0x1f000`:
//! a stream as its decompressed bytes, an executable or zip as its slice of the file.
//!
//! Ordinary binaries embed compressed data too (firmware blobs, icons, test data); the minimum
//! sizes in `CarveOptions` keep the small ones out, and the limits on hits examined and streams
//! trial-decoded keep the cost per file bounded whatever the content.

use std::io::Read;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use super::budget::{Budget, Metered, Problem};
use super::bytes::{le16, le32};
use super::member::{deliver_slice, hand_over, read_member, Handed, Visit};
use super::zstd::ZstdFrames;

/// What was found at an offset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CarvedKind {
    Gzip,
    Xz,
    Zstd,
    Bzip2,
    Elf,
    Pe,
    Zip,
}

impl CarvedKind {
    pub fn is_stream(self) -> bool {
        matches!(
            self,
            CarvedKind::Gzip | CarvedKind::Xz | CarvedKind::Zstd | CarvedKind::Bzip2
        )
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarveOptions {
    /// Most members carved from one file.
    pub max_candidates: usize,
    /// A stream must yield at least this many bytes to be worth scanning.
    pub min_stream_output: u64,
    /// An embedded executable or zip must span at least this many bytes.
    pub min_object_len: usize,
    /// Magic hits whose headers are examined (later hits are ignored).
    pub max_hits: usize,
    /// Streams trial-decoded (each up to `PROBE_LEN` bytes of output).
    pub max_probes: usize,
}

impl Default for CarveOptions {
    fn default() -> Self {
        CarveOptions {
            max_candidates: 4,
            min_stream_output: 4096,
            min_object_len: 1024,
            max_hits: 4096,
            max_probes: 16,
        }
    }
}

/// Output decoded to decide that a stream is real.
const PROBE_LEN: u64 = 64 << 10;

/// A candidate that passed its checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub offset: usize,
    pub kind: CarvedKind,
    /// Bytes of the file it spans (executables and zips), or `None` for a stream.
    pub len: Option<usize>,
    /// What it is worth: the span, or the bytes the trial decode produced (at most `PROBE_LEN`).
    pub weight: u64,
}

impl Candidate {
    pub fn name(&self) -> String {
        format!("carved@{:#x}", self.offset)
    }
}

const PATTERNS: [&[u8]; 7] = [
    b"\x1f\x8b\x08",
    b"\xfd7zXZ\x00",
    b"\x28\xb5\x2f\xfd",
    b"BZh",
    b"\x7fELF",
    b"PE\x00\x00",
    b"PK\x03\x04",
];

fn searcher() -> &'static AhoCorasick {
    static SEARCHER: OnceLock<AhoCorasick> = OnceLock::new();
    SEARCHER.get_or_init(|| {
        AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostFirst)
            .build(PATTERNS)
            .expect("fixed patterns")
    })
}

/// Raw magic hits, without any checks: what the search alone costs (for benchmarks).
pub fn magic_hits(bytes: &[u8]) -> usize {
    searcher().find_iter(bytes).count()
}

/// The candidates in `bytes` that pass their checks, the largest `max_candidates`, in file order.
/// Offset 0 (the file itself) is never a candidate.
pub fn candidates(bytes: &[u8], opts: &CarveOptions) -> Vec<Candidate> {
    let mut found: Vec<Candidate> = Vec::new();
    let mut probes = 0;
    // Hits inside an object already found (a zip's own local headers, an ELF's embedded ELF
    // magic string) are parts of it.
    let mut covered_until = 1;
    let skip = minidebuginfo(bytes);
    for (seen, m) in searcher().find_iter(bytes).enumerate() {
        if seen >= opts.max_hits {
            break;
        }
        let kind = [
            CarvedKind::Gzip,
            CarvedKind::Xz,
            CarvedKind::Zstd,
            CarvedKind::Bzip2,
            CarvedKind::Elf,
            CarvedKind::Pe,
            CarvedKind::Zip,
        ][m.pattern().as_usize()];
        let at = match kind {
            CarvedKind::Pe => match dos_header_before(bytes, m.start()) {
                Some(mz) => mz,
                None => continue,
            },
            _ => m.start(),
        };
        if at < covered_until || skip.as_ref().is_some_and(|r| r.contains(&at)) {
            continue;
        }
        let candidate = if kind.is_stream() {
            if !stream_header_ok(kind, &bytes[at..]) || probes >= opts.max_probes {
                continue;
            }
            probes += 1;
            let out = probe(kind, &bytes[at..]);
            (out >= opts.min_stream_output).then_some(Candidate {
                offset: at,
                kind,
                len: None,
                weight: out,
            })
        } else {
            let rest = &bytes[at..];
            let len = match kind {
                CarvedKind::Elf => elf_extent(rest),
                CarvedKind::Pe => pe_extent(rest),
                _ => zip_extent(rest),
            };
            len.filter(|&l| l >= opts.min_object_len)
                .map(|len| Candidate {
                    offset: at,
                    kind,
                    len: Some(len),
                    weight: len as u64,
                })
        };
        if let Some(c) = candidate {
            covered_until = at + c.len.unwrap_or(1);
            found.push(c);
        }
    }
    found.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.offset.cmp(&b.offset)));
    found.truncate(opts.max_candidates);
    found.sort_by_key(|c| c.offset);
    found
}

/// The DOS header a `PE\0\0` at `pe` belongs to: an `MZ` up to 4 KiB before it whose
/// `e_lfanew` points at it.
fn dos_header_before(bytes: &[u8], pe: usize) -> Option<usize> {
    let from = pe.saturating_sub(4096);
    memchr::memmem::rfind_iter(&bytes[from..pe], b"MZ")
        .take(64)
        .map(|i| from + i)
        .find(|&mz| le32(bytes, mz + 0x3c).is_some_and(|l| l as usize == pe - mz))
}

/// Header checks that cost nothing: fields a real stream always has right.
fn stream_header_ok(kind: CarvedKind, b: &[u8]) -> bool {
    match kind {
        // Flags: reserved bits clear; extra flags 0, 2 or 4; a known OS byte.
        CarvedKind::Gzip => {
            b.len() >= 18
                && b[3] & 0xe0 == 0
                && matches!(b[8], 0 | 2 | 4)
                && (b[9] <= 13 || b[9] == 255)
        }
        // The stream flags' CRC32 is in the header.
        CarvedKind::Xz => {
            b.len() >= 12
                && b[6] == 0
                && b[7] & 0xf0 == 0
                && le32(b, 8) == Some(u64::from(crc32fast::hash(&b[6..8])))
        }
        CarvedKind::Zstd => {
            super::zstd::declared_size(b).is_some() && b.len() >= 9 && {
                let single = b[4] & 0x20 != 0;
                // Window descriptor: exponent 10 + (b >> 3) up to 2^31.
                single || (b[5] >> 3) <= 21
            }
        }
        // Block size digit, then the block magic (pi) or the end-of-stream magic (sqrt(pi)).
        CarvedKind::Bzip2 => {
            b.len() >= 10
                && (b'1'..=b'9').contains(&b[3])
                && (b[4..10] == [0x31, 0x41, 0x59, 0x26, 0x53, 0x59])
        }
        _ => false,
    }
}

/// A decoder for one carved stream (a single gzip member, xz stream, zstd frame, bzip2 stream),
/// whose end is where the stream says it is, not where the file ends.
fn single_stream<'a>(kind: CarvedKind, b: &'a [u8], output_cap: u64) -> Box<dyn Read + 'a> {
    match kind {
        CarvedKind::Gzip => Box::new(flate2::read::GzDecoder::new(b)),
        CarvedKind::Xz => Box::new(lzma_rust2::XzReader::new(b, false)),
        CarvedKind::Zstd => Box::new(ZstdFrames::new(b, output_cap).single_frame()),
        _ => Box::new(bzip2::read::BzDecoder::new(b)),
    }
}

/// Bytes a trial decode yields before it fails, ends, or reaches `PROBE_LEN`.
fn probe(kind: CarvedKind, b: &[u8]) -> u64 {
    let mut decoder = single_stream(kind, b, PROBE_LEN).take(PROBE_LEN);
    let mut buf = [0u8; 8192];
    let mut out = 0u64;
    loop {
        match decoder.read(&mut buf) {
            Ok(0) => return out,
            Ok(n) => out += n as u64,
            // Broken early: a chance magic. Broken late: still a stream worth its output.
            Err(_) => return out,
        }
    }
}

/// Reads integers of an ELF's class and byte order.
struct ElfFields<'a> {
    b: &'a [u8],
    is64: bool,
    little: bool,
}

impl<'a> ElfFields<'a> {
    fn new(b: &'a [u8]) -> Option<Self> {
        let is64 = match b.get(4)? {
            1 => false,
            2 => true,
            _ => return None,
        };
        let little = match b.get(5)? {
            1 => true,
            2 => false,
            _ => return None,
        };
        (b.get(6) == Some(&1)).then_some(ElfFields { b, is64, little })
    }

    fn u(&self, at: usize, n: usize) -> Option<u64> {
        let f = self.b.get(at..at.checked_add(n)?)?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if self.little { f[n - 1 - i] } else { f[i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    }

    /// A word: 8 bytes in ELF64, 4 in ELF32.
    fn word(&self, at64: usize, at32: usize) -> Option<u64> {
        if self.is64 {
            self.u(at64, 8)
        } else {
            self.u(at32, 4)
        }
    }
}

/// The file range of the host ELF's MiniDebugInfo (`.gnu_debugdata`: an xz-compressed symbol
/// table Fedora and RHEL put in every binary), which is not a payload.
fn minidebuginfo(bytes: &[u8]) -> Option<std::ops::Range<usize>> {
    let elf = ElfFields::new(bytes).filter(|_| bytes.starts_with(b"\x7fELF"))?;
    let shoff = elf.word(40, 32)? as usize;
    let (shentsize, shnum, shstrndx) = if elf.is64 {
        (elf.u(58, 2)?, elf.u(60, 2)?, elf.u(62, 2)?)
    } else {
        (elf.u(46, 2)?, elf.u(48, 2)?, elf.u(50, 2)?)
    };
    let (shentsize, shnum) = (shentsize as usize, (shnum as usize).min(4096));
    let section = |i: usize| -> Option<(u64, u64, u64)> {
        let at = shoff.checked_add(i.checked_mul(shentsize)?)?;
        let name = elf.u(at, 4)?;
        let offset = elf.word(at + 24, at + 16)?;
        let size = elf.word(at + 32, at + 20)?;
        Some((name, offset, size))
    };
    let (_, strings, strings_len) = section(shstrndx as usize)?;
    let names = bytes.get(strings as usize..strings.checked_add(strings_len)? as usize)?;
    (0..shnum).find_map(|i| {
        let (name, offset, size) = section(i)?;
        let tail = names.get(name as usize..)?;
        tail.starts_with(b".gnu_debugdata\0")
            .then(|| offset as usize..(offset.saturating_add(size)) as usize)
    })
}

/// The bytes an ELF at the start of `b` spans (headers, every loaded segment, the section
/// table), when its header is consistent and all of that lies within `b`.
pub fn elf_extent(b: &[u8]) -> Option<usize> {
    let elf = ElfFields::new(b)?;
    let is64 = elf.is64;
    let u = |at: usize, n: usize| elf.u(at, n);
    let e_type = u(16, 2)?;
    let machine = u(18, 2)?;
    const MACHINES: [u64; 13] = [2, 3, 8, 20, 21, 22, 40, 43, 62, 183, 243, 258, 0x9026];
    if !matches!(e_type, 2 | 3) || !MACHINES.contains(&machine) || u(20, 4)? != 1 {
        return None;
    }
    let (phoff, shoff, ehsize, phentsize, phnum, shentsize, shnum) = if is64 {
        (
            u(32, 8)?,
            u(40, 8)?,
            u(52, 2)?,
            u(54, 2)?,
            u(56, 2)?,
            u(58, 2)?,
            u(60, 2)?,
        )
    } else {
        (
            u(28, 4)?,
            u(32, 4)?,
            u(40, 2)?,
            u(42, 2)?,
            u(44, 2)?,
            u(46, 2)?,
            u(48, 2)?,
        )
    };
    let (want_eh, want_ph, want_sh) = if is64 { (64, 56, 64) } else { (52, 32, 40) };
    if ehsize != want_eh || phentsize != want_ph || phnum == 0 || phnum > 512 {
        return None;
    }
    let len = b.len() as u64;
    let ph_end = phoff.checked_add(phnum * phentsize).filter(|&e| e <= len)?;
    let mut extent = ph_end.max(ehsize);
    if shnum > 0 {
        let sh_end = shoff.checked_add(shnum.checked_mul(shentsize)?)?;
        if shentsize == want_sh && sh_end <= len {
            extent = extent.max(sh_end);
        }
    }
    let mut loads = 0;
    for i in 0..phnum {
        let at = (phoff + i * phentsize) as usize;
        if u(at, 4)? != 1 {
            continue;
        }
        let (offset, filesz) = if is64 {
            (u(at + 8, 8)?, u(at + 32, 8)?)
        } else {
            (u(at + 4, 4)?, u(at + 16, 4)?)
        };
        let end = offset.checked_add(filesz).filter(|&e| e <= len)?;
        extent = extent.max(end);
        loads += 1;
    }
    (loads > 0).then_some(extent as usize)
}

/// The bytes a PE at the start of `b` (its `MZ`) spans: headers and every section's raw data.
pub fn pe_extent(b: &[u8]) -> Option<usize> {
    let lfanew = le32(b, 0x3c)? as usize;
    if lfanew < 0x40 || b.get(lfanew..lfanew + 4)? != b"PE\0\0" {
        return None;
    }
    let coff = lfanew + 4;
    let machine = le16(b, coff)?;
    let sections = le16(b, coff + 2)? as usize;
    let opt_size = le16(b, coff + 16)? as usize;
    let characteristics = le16(b, coff + 18)?;
    const MACHINES: [u64; 6] = [0x14c, 0x8664, 0xaa64, 0x1c0, 0x1c4, 0x200];
    if !MACHINES.contains(&machine) || !(1..=96).contains(&sections) || characteristics & 2 == 0 {
        return None;
    }
    let opt = coff + 20;
    let min_opt = match le16(b, opt)? {
        0x10b => 96,
        0x20b => 112,
        _ => return None,
    };
    if opt_size < min_opt {
        return None;
    }
    let table = opt + opt_size;
    let table_end = table.checked_add(sections * 40).filter(|&e| e <= b.len())?;
    let mut extent = table_end as u64;
    for i in 0..sections {
        let s = table + i * 40;
        let size = le32(b, s + 16)?;
        let ptr = le32(b, s + 20)?;
        if size == 0 {
            continue;
        }
        let end = ptr.checked_add(size).filter(|&e| e <= b.len() as u64)?;
        extent = extent.max(end);
    }
    Some(extent as usize)
}

/// The bytes a zip starting at `b` spans: to the end of its central directory, when its first
/// local header is sane and the end record found after it places the archive exactly here.
pub fn zip_extent(b: &[u8]) -> Option<usize> {
    let version = le16(b, 4)?;
    let method = le16(b, 8)?;
    let name_len = le16(b, 26)? as usize;
    let extra_len = le16(b, 28)?;
    if version > 63 || !matches!(method, 0 | 8 | 9 | 12 | 14 | 93 | 95 | 98 | 99) {
        return None;
    }
    if !(1..=1024).contains(&name_len) || extra_len > 4096 {
        return None;
    }
    let name = b.get(30..30 + name_len)?;
    if name.iter().any(|&c| c < 0x20 || c == 0x7f) {
        return None;
    }
    let dir = super::zip::directory(b).ok()?;
    (dir.prefix == 0 && dir.entries > 0).then_some(b.len())
}

/// Calls `visit` with each carved member of `bytes` and returns the problems of this layer (only
/// limits: a candidate that turns out broken is simply what it is).
pub fn members(
    bytes: &[u8],
    budget: &Budget,
    opts: &CarveOptions,
    visit: &mut Visit<'_>,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for c in candidates(bytes, opts) {
        if let Err(p) = budget.take_member() {
            problems.push(p);
            break;
        }
        let name = c.name();
        if let Some(len) = c.len {
            let slice = &bytes[c.offset..c.offset + len];
            if let Err(p) = budget.charge(len as u64) {
                problems.push(p);
                break;
            }
            deliver_slice(name, slice, budget, visit);
            continue;
        }
        let rest = &bytes[c.offset..];
        let cap = budget.stream_cap(rest.len() as u64).min();
        let mut meter = Metered::new(
            single_stream(c.kind, rest, cap),
            budget,
            rest.len() as u64,
            name.clone(),
        );
        let (read, error) = read_member(&mut meter as &mut dyn Read, None, budget);
        let limit = meter.take_stop();
        // A candidate that breaks is simply what it is: only limits are problems.
        if let Handed::Limit(limit) = hand_over(name, read, error, limit, visit) {
            problems.push(limit);
            if budget.spent().is_some() {
                break;
            }
        }
    }
    problems
}

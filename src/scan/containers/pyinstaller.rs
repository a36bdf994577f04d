//! PyInstaller bundles: an ELF, PE or Mach-O bootloader with a "CArchive" appended (or, on Linux,
//! placed in an ELF section). The archive ends with a cookie: the magic `MEI\014\013\012\013\016`,
//! the package length, the table of contents' offset and length, the Python version and (since
//! PyInstaller 2.1) the Python library's name, all big-endian. Each table entry gives an offset,
//! compressed and uncompressed lengths, a zlib flag, a type code and a name. Entries are
//! delivered as members: the PYZ archive of the program's modules (a container of its own, see
//! `pyz`), the entry scripts (marshalled code objects), embedded libraries and binaries, data.
//!
//! The bootloader itself carries the magic as a constant, so the cookie is searched from the end
//! and every candidate is checked for consistency (package inside the file, table inside the
//! package, a plausible Python version and library name) before anything is read.

use std::io::Read;

use super::budget::{Budget, Metered, Problem};
use super::bytes::be32;
use super::member::{cap_name_bytes, deliver_slice, hand_over, read_member, Handed, Read1, Visit};

pub const COOKIE_MAGIC: &[u8; 8] = b"MEI\x0c\x0b\x0a\x0b\x0e";
/// The cookie since PyInstaller 2.1: magic, four u32 and a 64-byte library name.
const COOKIE_LEN: usize = 88;
/// The cookie of PyInstaller 2.0: no library name.
const COOKIE_LEN_OLD: usize = 24;
/// Fixed part of a table entry: entry length, offset, two lengths, flag, type code.
const ENTRY_FIXED: usize = 18;
/// Cookie candidates tried, from the end (the real cookie follows the bootloader's constant).
const MAX_COOKIE_TRIES: usize = 8;

/// Where a bundle's archive lies in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    /// Start of the package (offsets in the table are relative to it).
    pub package: usize,
    /// The table of contents.
    pub toc: std::ops::Range<usize>,
    /// Where the cookie starts (entries' data lies before it).
    pub cookie: usize,
    /// Python version as PyInstaller writes it (`311` for 3.11, `27` for 2.7).
    pub python: u32,
}

/// Finds a consistent cookie, searching from the end of the file.
pub fn find(bytes: &[u8]) -> Option<Bundle> {
    memchr::memmem::rfind_iter(bytes, COOKIE_MAGIC)
        .take(MAX_COOKIE_TRIES)
        .find_map(|at| {
            cookie_at(bytes, at, COOKIE_LEN).or_else(|| cookie_at(bytes, at, COOKIE_LEN_OLD))
        })
}

fn cookie_at(bytes: &[u8], at: usize, len: usize) -> Option<Bundle> {
    let end = at.checked_add(len).filter(|&e| e <= bytes.len())?;
    let package_len = be32(bytes, at + 8)?;
    let toc_offset = be32(bytes, at + 12)?;
    let toc_len = be32(bytes, at + 16)?;
    let python = be32(bytes, at + 20)? as u32;
    if !(10..=500).contains(&python) {
        return None;
    }
    if len == COOKIE_LEN {
        let lib = &bytes[at + 24..end];
        let name_end = memchr::memchr(0, lib).unwrap_or(lib.len());
        let printable = lib[..name_end].iter().all(|b| b.is_ascii_graphic());
        if name_end == 0 || !printable || lib[name_end..].iter().any(|&b| b != 0) {
            return None;
        }
    }
    let package = end.checked_sub(package_len)?;
    let toc_start = package.checked_add(toc_offset)?;
    let toc_end = toc_start.checked_add(toc_len).filter(|&e| e <= at)?;
    Some(Bundle {
        package,
        toc: toc_start..toc_end,
        cookie: at,
        python,
    })
}

/// One table entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TocEntry {
    pub data: std::ops::Range<usize>,
    pub uncompressed: usize,
    pub zlib: bool,
    pub typecode: u8,
    pub name: String,
}

/// The next table entry at `pos`, and where the one after it starts.
fn toc_entry(bytes: &[u8], bundle: &Bundle, pos: usize) -> Result<(TocEntry, usize), Problem> {
    let bad = |m: &str| Problem::corrupt(format!("PyInstaller table entry at {pos}: {m}"));
    let entry_len = be32(bytes, pos).ok_or_else(|| bad("truncated"))?;
    let next = pos
        .checked_add(entry_len)
        .filter(|&n| entry_len >= ENTRY_FIXED && n <= bundle.toc.end)
        .ok_or_else(|| bad("length out of the table"))?;
    let offset = be32(bytes, pos + 4).ok_or_else(|| bad("truncated"))?;
    let compressed = be32(bytes, pos + 8).ok_or_else(|| bad("truncated"))?;
    let uncompressed = be32(bytes, pos + 12).ok_or_else(|| bad("truncated"))?;
    let flag = bytes[pos + 16];
    let typecode = bytes[pos + 17];
    let raw_name = &bytes[pos + ENTRY_FIXED..next];
    let name_end = memchr::memchr(0, raw_name).unwrap_or(raw_name.len());
    let start = bundle
        .package
        .checked_add(offset)
        .ok_or_else(|| bad("offset"))?;
    let end = start
        .checked_add(compressed)
        .filter(|&e| e <= bundle.cookie)
        .ok_or_else(|| bad("data runs past the archive"))?;
    if flag > 1 {
        return Err(bad("unknown compression flag"));
    }
    Ok((
        TocEntry {
            data: start..end,
            uncompressed,
            zlib: flag == 1,
            typecode,
            name: cap_name_bytes(&raw_name[..name_end]),
        },
        next,
    ))
}

/// The entries of a bundle's table, in order (stops at the first malformed one).
pub fn entries(bytes: &[u8], bundle: &Bundle) -> (Vec<TocEntry>, Option<Problem>) {
    let mut out = Vec::new();
    let mut pos = bundle.toc.start;
    while pos < bundle.toc.end {
        match toc_entry(bytes, bundle, pos) {
            Ok((entry, next)) => {
                out.push(entry);
                pos = next;
            }
            Err(p) => return (out, Some(p)),
        }
    }
    (out, None)
}

/// The member name of an entry: code objects (entry scripts, modules) get `.pyc`, a PYZ `.pyz`.
fn member_name(entry: &TocEntry) -> String {
    let has_suffix = entry
        .name
        .rsplit('/')
        .next()
        .is_some_and(|n| n.contains('.'));
    match entry.typecode {
        b's' | b'm' | b'M' if !has_suffix => format!("{}.pyc", entry.name),
        b'z' | b'Z' if !has_suffix => format!("{}.pyz", entry.name),
        _ => entry.name.clone(),
    }
}

/// Calls `visit` for each entry of the bundle in `bytes` that holds content and returns this
/// layer's problems. `None` when `bytes` is not a bundle.
pub fn members(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Option<Vec<Problem>> {
    let bundle = find(bytes)?;
    let mut problems = Vec::new();
    let mut pos = bundle.toc.start;
    while pos < bundle.toc.end {
        let (entry, next) = match toc_entry(bytes, &bundle, pos) {
            Ok(e) => e,
            Err(p) => {
                problems.push(p);
                break;
            }
        };
        pos = next;
        // Run-time options and references to other files hold no content.
        if matches!(entry.typecode, b'o' | b'd' | b'n') || entry.data.is_empty() {
            continue;
        }
        if let Err(p) = budget.take_member() {
            problems.push(p);
            break;
        }
        if let Err(p) = read_entry(bytes, &entry, budget, visit) {
            let stop = budget.spent().is_some();
            problems.push(p);
            if stop {
                break;
            }
        }
    }
    Some(problems)
}

fn read_entry(
    bytes: &[u8],
    entry: &TocEntry,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Result<(), Problem> {
    let name = member_name(entry);
    let data = &bytes[entry.data.clone()];
    if !entry.zlib {
        budget.charge(data.len() as u64)?;
        deliver_slice(name, data, budget, visit);
        return Ok(());
    }
    let declared = entry.uncompressed as u64;
    // One byte past the declared size shows a stream that decompresses past it.
    let decoder = flate2::read::ZlibDecoder::new(data).take(declared.saturating_add(1));
    let mut meter = Metered::new(
        decoder,
        budget,
        data.len() as u64,
        format!("PyInstaller entry {name}"),
    );
    let (mut read, error) = read_member(&mut meter, Some(declared), budget);
    let limit = meter.take_stop();
    // A clean read of another size than the table says: cut to the declared size, reported.
    let mut mismatch = None;
    if let (None, Read1::Whole(b)) = (&error, &mut read) {
        if b.len() as u64 != declared {
            mismatch = Some(Problem::corrupt(format!(
                "PyInstaller entry {name}: {} bytes where the table says {declared}",
                b.len()
            )));
            b.truncate(entry.uncompressed);
        }
    }
    match hand_over(name.clone(), read, error, limit, visit) {
        Handed::Whole => mismatch.map_or(Ok(()), Err),
        Handed::Limit(limit) => Err(limit),
        Handed::Broken(e) => Err(Problem::corrupt(format!("PyInstaller entry {name}: {e}"))),
    }
}

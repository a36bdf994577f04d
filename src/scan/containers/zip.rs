//! zip (and jar, apk, whl, nupkg...), read through the `zip` crate after a guard of our own. The
//! crate parses the whole central directory into memory before anything can be checked, at a
//! few hundred bytes per entry: a zip whose end record claims a million entries costs hundreds
//! of megabytes first. So the end-of-central-directory record (and its zip64 form) is read here
//! first: the entry count is checked against the budget and against the bytes the directory
//! occupies, then the directory is walked (fixed-size records, no allocation per entry beyond two
//! integers) to refuse entries whose data overlap, the construction of the non-recursive zip
//! bombs that reuse one compressed kernel for every entry. Only then is the crate asked to parse.

use std::io;

use super::budget::{Budget, Metered, Problem, ProblemKind, RATIO_FLOOR};
use super::bytes::{le16, le32, le64};
use super::member::{cap_name_bytes, hand_over, read_member, Handed, Member, MemberData, Visit};

const EOCD_LEN: usize = 22;
const CD_ENTRY_LEN: u64 = 46;
const LOCAL_HEADER_LEN: u64 = 30;

/// What the end record says about the central directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Directory {
    pub entries: u64,
    /// Where the directory starts in `bytes` (the declared offset plus any prefix, as in a
    /// self-extracting archive).
    pub start: u64,
    pub size: u64,
    /// Bytes in front of the archive proper (a self-extractor's stub).
    pub prefix: u64,
}

/// Finds the end record (searching back over at most a maximal comment) and reads the directory's
/// place and entry count, following the zip64 locator when a field is saturated.
pub fn directory(bytes: &[u8]) -> Result<Directory, Problem> {
    let bad = |m: &str| Problem::corrupt(format!("zip: {m}"));
    let floor = bytes.len().saturating_sub(EOCD_LEN + 0xffff);
    let mut end = bytes.len();
    let eocd = loop {
        let at = memchr::memmem::rfind(&bytes[floor..end], b"PK\x05\x06")
            .map(|i| i + floor)
            .ok_or_else(|| bad("no end of central directory record"))?;
        let comment = le16(bytes, at + 20).unwrap_or(u64::MAX);
        if at as u64 + EOCD_LEN as u64 + comment <= bytes.len() as u64 {
            break at;
        }
        end = at;
    };
    let mut entries = le16(bytes, eocd + 10).unwrap_or(0);
    let mut size = le32(bytes, eocd + 12).unwrap_or(0);
    let mut offset = le32(bytes, eocd + 16).unwrap_or(0);
    let mut record_at = eocd as u64;
    if entries == 0xffff || size == 0xffff_ffff || offset == 0xffff_ffff {
        let locator = eocd
            .checked_sub(20)
            .filter(|&l| bytes[l..].starts_with(b"PK\x06\x07"))
            .ok_or_else(|| bad("zip64 fields without a zip64 locator"))?;
        // The locator's offset is relative to the archive, which a prefix shifts; the record
        // usually sits right before the locator.
        let declared = le64(bytes, locator + 8).unwrap_or(u64::MAX);
        let rec = [Some(declared), (locator as u64).checked_sub(56)]
            .into_iter()
            .flatten()
            .filter_map(|r| usize::try_from(r).ok())
            .find(|&r| bytes.get(r..).is_some_and(|b| b.starts_with(b"PK\x06\x06")))
            .ok_or_else(|| bad("zip64 end record missing"))?;
        let real = rec as u64;
        entries = le64(bytes, rec + 32).ok_or_else(|| bad("zip64 record"))?;
        size = le64(bytes, rec + 40).ok_or_else(|| bad("zip64 record"))?;
        offset = le64(bytes, rec + 48).ok_or_else(|| bad("zip64 record"))?;
        record_at = real;
    }
    let start = record_at
        .checked_sub(size)
        .ok_or_else(|| bad("central directory larger than the file"))?;
    let prefix = start
        .checked_sub(offset)
        .ok_or_else(|| bad("central directory offset past its end"))?;
    if entries.saturating_mul(CD_ENTRY_LEN) > size {
        return Err(Problem::new(
            ProblemKind::OversizedHeader,
            format!("zip: the end record claims {entries} entries in a {size}-byte directory"),
        ));
    }
    Ok(Directory {
        entries,
        start,
        size,
        prefix,
    })
}

/// Walks the directory's fixed-size records and refuses entries whose data overlap. Reads at
/// most `dir.entries` records (already checked against the budget).
pub fn check_overlaps(bytes: &[u8], dir: &Directory) -> Result<(), Problem> {
    let bad = |m: String| Problem::corrupt(format!("zip: {m}"));
    let mut spans: Vec<(u64, u64)> = Vec::with_capacity(dir.entries as usize);
    let mut at = dir.start as usize;
    let end = (dir.start + dir.size) as usize;
    for i in 0..dir.entries {
        let rec = bytes
            .get(at..end)
            .filter(|r| r.len() >= CD_ENTRY_LEN as usize && r.starts_with(b"PK\x01\x02"))
            .ok_or_else(|| bad(format!("central directory entry {i} is malformed")))?;
        let mut compressed = le32(rec, 20).unwrap_or(0);
        let mut uncompressed = le32(rec, 24).unwrap_or(0);
        let name_len = le16(rec, 28).unwrap_or(0);
        let extra_len = le16(rec, 30).unwrap_or(0);
        let comment_len = le16(rec, 32).unwrap_or(0);
        let mut offset = le32(rec, 42).unwrap_or(0);
        let extra_at = CD_ENTRY_LEN + name_len;
        if let Some(extra) = rec.get(extra_at as usize..(extra_at + extra_len) as usize) {
            zip64_sizes(extra, &mut uncompressed, &mut compressed, &mut offset);
        }
        let _ = uncompressed;
        // The local header's name and extra field may differ from the directory's (zipalign
        // pads the local extra field), so only its fixed part counts: a lower bound of the span.
        let start = offset.saturating_add(dir.prefix);
        let data_end = start
            .saturating_add(LOCAL_HEADER_LEN)
            .saturating_add(compressed);
        if data_end > dir.start {
            return Err(bad(format!(
                "entry {i} runs into the central directory ({data_end} > {})",
                dir.start
            )));
        }
        spans.push((start, data_end));
        at += (CD_ENTRY_LEN + name_len + extra_len + comment_len) as usize;
    }
    spans.sort_unstable();
    for pair in spans.windows(2) {
        if pair[0].1 > pair[1].0 {
            return Err(Problem::new(
                ProblemKind::OversizedHeader,
                format!(
                    "zip: entries overlap (data at {} reused by the entry at {}): refused (the shape of a zip bomb)",
                    pair[0].0, pair[1].0
                ),
            ));
        }
    }
    Ok(())
}

/// Reads the zip64 extended-information field: each saturated 32-bit value is in it, in order.
fn zip64_sizes(extra: &[u8], uncompressed: &mut u64, compressed: &mut u64, offset: &mut u64) {
    let mut rest = extra;
    while rest.len() >= 4 {
        let id = le16(rest, 0).unwrap_or(0);
        let len = le16(rest, 2).unwrap_or(0) as usize;
        let Some(body) = rest.get(4..4 + len) else {
            return;
        };
        if id == 1 {
            let mut at = 0;
            for field in [uncompressed, compressed, offset] {
                if *field == 0xffff_ffff {
                    match le64(body, at) {
                        Some(v) => *field = v,
                        None => return,
                    }
                    at += 8;
                }
            }
            return;
        }
        rest = &rest[4 + len..];
    }
}

/// Calls `visit` for each file of the zip in `bytes` and returns this layer's problems.
pub fn members(bytes: &[u8], budget: &Budget, visit: &mut Visit<'_>) -> Vec<Problem> {
    let dir = match directory(bytes) {
        Ok(d) => d,
        Err(p) => return vec![p],
    };
    if dir.entries > budget.members_left() as u64 {
        return vec![Problem::new(
            ProblemKind::TooManyMembers,
            format!(
                "zip: {} entries, more than the {} members left of this file's budget: not opened",
                dir.entries,
                budget.members_left()
            ),
        )];
    }
    if let Err(p) = check_overlaps(bytes, &dir) {
        return vec![p];
    }
    let mut problems = Vec::new();
    if let Err(p) = read_entries(bytes, budget, visit, &mut problems) {
        problems.push(p);
    }
    problems
}

fn read_entries(
    bytes: &[u8],
    budget: &Budget,
    visit: &mut Visit<'_>,
    problems: &mut Vec<Problem>,
) -> Result<(), Problem> {
    let zip_error = |e: zip::result::ZipError| Problem::corrupt(format!("zip: {e}"));
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(zip_error)?;
    for i in 0..zip.len() {
        let (name, encrypted, size, compressed, is_file) = {
            let raw = zip.by_index_raw(i).map_err(zip_error)?;
            (
                cap_name_bytes(raw.name_raw()),
                raw.encrypted(),
                raw.size(),
                raw.compressed_size(),
                raw.is_file(),
            )
        };
        if !is_file {
            continue;
        }
        budget.take_member()?;
        if encrypted {
            visit(Member {
                name,
                data: MemberData::Encrypted { size },
            });
            continue;
        }
        if size > RATIO_FLOOR && size / compressed.max(1) > budget.limits().max_ratio {
            problems.push(budget.ratio_problem(&format!("zip member {name}"), size, compressed));
            continue;
        }
        let file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => {
                // An unsupported method or a bad local header spoils this member only.
                problems.push(Problem::corrupt(format!("zip member {name}: {e}")));
                continue;
            }
        };
        let mut meter = Metered::new(file, budget, compressed, format!("zip member {name}"));
        let (read, error) = read_member(&mut meter, Some(size), budget);
        let limit = meter.take_stop();
        match hand_over(name.clone(), read, error, limit, visit) {
            Handed::Whole => {}
            Handed::Limit(limit) if budget.spent().is_some() => return Err(limit),
            Handed::Limit(limit) => problems.push(limit),
            Handed::Broken(e) => problems.push(Problem::corrupt(format!("zip member {name}: {e}"))),
        }
    }
    Ok(())
}

//! Archives opened in place: zip (and jar, war, apk, whl, nupkg...), tar, gzip (a gzipped tar
//! is read as one tar) and Debian packages (an `ar` holding tars). Everything happens in memory
//! from the bytes already read; nothing is ever written to disk. Members are handed back one
//! at a time so that the engine can analyze each as if it were a file. Hostile archives are
//! bounded: total uncompressed bytes, compression ratio and member count, each reported as an
//! archive problem when hit; a corrupt archive is a problem for that file only.

use crate::judge::verdict::Level;
use crate::outcome::problems::{ArchiveProblem, FileError};
use crate::outcome::FileReport;
use crate::scan::kind::{FileKind, SNIFF_LEN};
use crate::scan::target::{Source, Target};
use std::cell::Cell;
use std::io::{self, Read};
use std::rc::Rc;

/// Limits for one archive (nested archives get their own).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// How many archive layers are opened: 0 opens none, 1 opens the files named on the command
    /// line or found by the walk, 2 also opens archives inside those...
    pub depth: u32,
    /// Most members read from one archive.
    pub max_members: usize,
    /// Most uncompressed bytes read from one archive.
    pub max_total_bytes: u64,
    /// Highest compression ratio accepted (uncompressed : compressed) once the output passes
    /// `RATIO_FLOOR`: data that compresses a thousandfold is a bomb, not a build artifact.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            depth: 3,
            max_members: 50_000,
            max_total_bytes: 1 << 30,
            max_ratio: 250,
        }
    }
}

/// Below this many uncompressed bytes, the ratio is not judged (a small file of zeros is fine).
pub const RATIO_FLOOR: u64 = 1 << 20;

/// What a member holds, as far as it was read.
pub enum MemberData<'a> {
    /// The whole member.
    Bytes(&'a [u8]),
    /// Only the first bytes of a member larger than the size limit, and its size.
    Header { head: &'a [u8], size: u64 },
    /// Encrypted: not readable without its password.
    Encrypted { size: u64 },
}

pub struct Member<'a> {
    /// The member's path inside the archive.
    pub name: String,
    pub data: MemberData<'a>,
}

/// How many archive layers enclose this target.
pub fn depth(source: &Source) -> u32 {
    match source {
        Source::Member { container, .. } => 1 + depth(container),
        _ => 0,
    }
}

/// The target for a member of the archive `container`.
pub fn member_target(container: &Target, name: &str) -> Target {
    Target {
        seq: container.seq,
        source: Source::Member {
            container: Box::new(container.source.clone()),
            member: name.to_owned(),
        },
        explicit: container.explicit,
        system_path: format!("{}!{}", container.system_path, name),
    }
}

/// Whether `for_each_member` can open this kind (given its first bytes).
pub fn can_open(kind: FileKind, bytes: &[u8]) -> bool {
    match kind {
        FileKind::Zip | FileKind::Tar | FileKind::Gzip => true,
        FileKind::Ar => is_debian_package(bytes),
        _ => false,
    }
}

/// A Debian package: an `ar` whose first member is `debian-binary`. Other `ar` files (static
/// libraries, Rust rlibs) are left alone: their members are object code, not payloads.
fn is_debian_package(bytes: &[u8]) -> bool {
    bytes.len() > 8 + 60 && bytes[8..24].starts_with(b"debian-binary")
}

fn problem(problem: ArchiveProblem, message: String) -> FileError {
    FileError::Archive { problem, message }
}

/// Counts what one archive has produced and says when a limit is hit.
struct Budget<'l> {
    limits: &'l ArchiveLimits,
    max_member: u64,
    input_len: u64,
    total: u64,
    members: usize,
    problems: Vec<FileError>,
    stopped: bool,
}

impl Budget<'_> {
    /// Takes one member slot; false (and a problem, once) when the count limit is reached.
    fn take_member(&mut self) -> bool {
        if self.members >= self.limits.max_members {
            let message = format!(
                "more than {} members: the rest were not scanned",
                self.limits.max_members
            );
            self.stop(ArchiveProblem::TooManyMembers, message);
            return false;
        }
        self.members += 1;
        true
    }

    fn remaining(&self) -> u64 {
        self.limits.max_total_bytes.saturating_sub(self.total)
    }

    fn total_exceeded(&mut self) {
        let message = format!(
            "more than {} uncompressed bytes: the rest was not scanned",
            self.limits.max_total_bytes
        );
        self.stop(ArchiveProblem::TotalBytes, message);
    }

    /// Stops the archive at a limit: the first limit reached is the one reported (what follows
    /// was not read, so later limits say nothing more).
    fn stop(&mut self, why: ArchiveProblem, message: String) {
        if !self.stopped {
            self.problems.push(problem(why, message));
        }
        self.stopped = true;
    }

    fn ratio_exceeded(&mut self, what: &str, out: u64, input: u64) {
        self.problems.push(problem(
            ArchiveProblem::CompressionRatio,
            format!(
                "{what}: compression ratio above {}:1 ({out} bytes from {input}): not unpacked (a decompression bomb?)",
                self.limits.max_ratio
            ),
        ));
    }
}

/// Calls `visit` for each member of the archive in `bytes` and returns the archive's problems.
/// `max_member` is the size above which a member is seen only by its header (`--max-size`).
pub fn for_each_member(
    bytes: &[u8],
    kind: FileKind,
    file_name: &str,
    limits: &ArchiveLimits,
    max_member: u64,
    visit: &mut dyn FnMut(Member<'_>),
) -> Vec<FileError> {
    let mut budget = Budget {
        limits,
        max_member,
        input_len: bytes.len() as u64,
        total: 0,
        members: 0,
        problems: Vec::new(),
        stopped: false,
    };
    let outcome = match kind {
        FileKind::Zip => zip_members(bytes, &mut budget, visit),
        FileKind::Tar => tar_members(io::Cursor::new(bytes), &mut budget, visit, None),
        FileKind::Gzip => gzip_members(bytes, file_name, &mut budget, visit),
        FileKind::Ar if is_debian_package(bytes) => ar_members(bytes, &mut budget, visit),
        _ => Ok(()),
    };
    if let Err(message) = outcome {
        budget
            .problems
            .push(problem(ArchiveProblem::Corrupt, message));
    }
    budget.problems
}

/// What reading one member gave.
enum Read1 {
    Whole(Vec<u8>),
    Header(Vec<u8>, u64),
    /// The archive's byte budget ran out.
    OverBudget,
}

/// Reads one member of `declared` size (if known) within the budget.
fn read_member(r: &mut dyn Read, declared: Option<u64>, budget: &mut Budget) -> io::Result<Read1> {
    if declared.is_some_and(|d| d > budget.max_member) {
        let mut head = Vec::with_capacity(SNIFF_LEN);
        r.take(SNIFF_LEN as u64).read_to_end(&mut head)?;
        budget.total += head.len() as u64;
        return Ok(Read1::Header(head, declared.unwrap_or(0)));
    }
    let cap = budget.max_member.min(budget.remaining());
    let mut out = Vec::with_capacity(declared.unwrap_or(0).min(cap) as usize);
    r.take(cap + 1).read_to_end(&mut out)?;
    budget.total += out.len() as u64;
    if out.len() as u64 > cap {
        if cap == budget.max_member && budget.remaining() > 0 {
            let size = declared.unwrap_or(out.len() as u64);
            out.truncate(SNIFF_LEN);
            return Ok(Read1::Header(out, size));
        }
        budget.total_exceeded();
        return Ok(Read1::OverBudget);
    }
    Ok(Read1::Whole(out))
}

fn deliver(name: String, read: Read1, visit: &mut dyn FnMut(Member<'_>)) -> bool {
    match read {
        Read1::Whole(b) => visit(Member {
            name,
            data: MemberData::Bytes(&b),
        }),
        Read1::Header(head, size) => visit(Member {
            name,
            data: MemberData::Header { head: &head, size },
        }),
        Read1::OverBudget => return false,
    }
    true
}

fn zip_members(
    bytes: &[u8],
    budget: &mut Budget,
    visit: &mut dyn FnMut(Member<'_>),
) -> Result<(), String> {
    let mut zip = zip::ZipArchive::new(io::Cursor::new(bytes)).map_err(|e| format!("zip: {e}"))?;
    for i in 0..zip.len() {
        let (name, encrypted, size, compressed, is_file) = {
            let raw = zip.by_index_raw(i).map_err(|e| format!("zip: {e}"))?;
            let name = raw
                .name()
                .map(|n| n.into_owned())
                .unwrap_or_else(|_| format!("member-{i}"));
            (
                name,
                raw.encrypted(),
                raw.size(),
                raw.compressed_size(),
                raw.is_file(),
            )
        };
        if !is_file {
            continue;
        }
        if !budget.take_member() {
            return Ok(());
        }
        if encrypted {
            visit(Member {
                name,
                data: MemberData::Encrypted { size },
            });
            continue;
        }
        if size > RATIO_FLOOR && size / compressed.max(1) > budget.limits.max_ratio {
            budget.ratio_exceeded(&format!("member {name}"), size, compressed);
            continue;
        }
        if size.min(budget.max_member) > budget.remaining() {
            budget.total_exceeded();
            return Ok(());
        }
        let mut file = match zip.by_index(i) {
            Ok(f) => f,
            Err(e) => return Err(format!("zip member {name}: {e}")),
        };
        let read = read_member(&mut file, Some(size), budget)
            .map_err(|e| format!("zip member {name}: {e}"))?;
        if !deliver(name, read, visit) {
            return Ok(());
        }
    }
    Ok(())
}

/// Shared state of a counting reader: what came out, and whether a limit stopped it.
#[derive(Default)]
struct Meter {
    out: Cell<u64>,
    limit_hit: Cell<Option<ArchiveProblem>>,
}

/// Counts decompressed bytes and stops at the total and ratio limits.
struct Metered<R> {
    inner: R,
    meter: Rc<Meter>,
    max_total: u64,
    max_ratio_out: u64,
}

impl<R: Read> Read for Metered<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let out = self.meter.out.get() + n as u64;
        self.meter.out.set(out);
        let hit = if out > self.max_total {
            Some(ArchiveProblem::TotalBytes)
        } else if out > self.max_ratio_out {
            Some(ArchiveProblem::CompressionRatio)
        } else {
            None
        };
        if let Some(p) = hit {
            self.meter.limit_hit.set(Some(p));
            return Err(io::Error::other("archive limit reached"));
        }
        Ok(n)
    }
}

fn gzip_members(
    bytes: &[u8],
    file_name: &str,
    budget: &mut Budget,
    visit: &mut dyn FnMut(Member<'_>),
) -> Result<(), String> {
    let meter = Rc::new(Meter::default());
    let mut reader = Metered {
        inner: flate2::read::MultiGzDecoder::new(bytes),
        meter: meter.clone(),
        max_total: budget.remaining(),
        max_ratio_out: (budget.input_len.saturating_mul(budget.limits.max_ratio)).max(RATIO_FLOOR),
    };
    let limit_or = |meter: &Meter, budget: &mut Budget, e: String| -> Result<(), String> {
        match meter.limit_hit.get() {
            Some(ArchiveProblem::TotalBytes) => {
                budget.total_exceeded();
                Ok(())
            }
            Some(_) => {
                budget.ratio_exceeded("gzip stream", meter.out.get(), budget.input_len);
                Ok(())
            }
            None => Err(e),
        }
    };
    let mut head = Vec::with_capacity(512);
    if let Err(e) = (&mut reader).take(512).read_to_end(&mut head) {
        return limit_or(&meter, budget, format!("gzip: {e}"));
    }
    if head.len() >= 263 && &head[257..262] == b"ustar" {
        let chained = io::Cursor::new(head).chain(reader);
        let outcome = tar_members(chained, budget, visit, Some(&meter));
        return match outcome {
            Err(e) => limit_or(&meter, budget, e),
            Ok(()) => Ok(()),
        };
    }
    let name = inner_name(file_name);
    if !budget.take_member() {
        return Ok(());
    }
    let mut chained = io::Cursor::new(head).chain(reader);
    match read_member(&mut chained, None, budget) {
        Ok(read) => {
            deliver(name, read, visit);
            Ok(())
        }
        Err(e) => limit_or(&meter, budget, format!("gzip: {e}")),
    }
}

/// The name of a gzip stream's content: `x.gz` holds `x`, `x.tgz` holds `x.tar`.
fn inner_name(file_name: &str) -> String {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".tgz") {
        format!("{}.tar", &file_name[..file_name.len() - 4])
    } else if lower.ends_with(".gz") && file_name.len() > 3 {
        file_name[..file_name.len() - 3].to_owned()
    } else {
        "content".to_owned()
    }
}

fn tar_members<R: Read>(
    reader: R,
    budget: &mut Budget,
    visit: &mut dyn FnMut(Member<'_>),
    meter: Option<&Meter>,
) -> Result<(), String> {
    let mut archive = tar::Archive::new(reader);
    let entries = archive.entries().map_err(|e| format!("tar: {e}"))?;
    for entry in entries {
        let mut entry = entry.map_err(|e| format!("tar: {e}"))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        if !budget.take_member() {
            return Ok(());
        }
        let size = entry.header().size().ok();
        if let Some(m) = meter {
            // The stream's budget is shared with the members read from it.
            budget.total = m.out.get();
        }
        let read =
            read_member(&mut entry, size, budget).map_err(|e| format!("tar member {name}: {e}"))?;
        if !deliver(name, read, visit) {
            return Ok(());
        }
    }
    Ok(())
}

/// Reads the members of a Debian package (`ar` format) without copying them.
fn ar_members(
    bytes: &[u8],
    budget: &mut Budget,
    visit: &mut dyn FnMut(Member<'_>),
) -> Result<(), String> {
    let mut pos = 8;
    while pos + 60 <= bytes.len() {
        let header = &bytes[pos..pos + 60];
        if &header[58..60] != b"`\n" {
            return Err(format!("ar: bad member header at offset {pos}"));
        }
        let name = String::from_utf8_lossy(&header[..16])
            .trim_end()
            .trim_end_matches('/')
            .to_owned();
        let size: usize = std::str::from_utf8(&header[48..58])
            .ok()
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("ar: bad member size at offset {pos}"))?;
        let start = pos + 60;
        let end = start
            .checked_add(size)
            .filter(|&e| e <= bytes.len())
            .ok_or_else(|| format!("ar: member {name} runs past the end of the file"))?;
        if !budget.take_member() {
            return Ok(());
        }
        let data = &bytes[start..end];
        budget.total += data.len() as u64;
        let data = if data.len() as u64 > budget.max_member {
            MemberData::Header {
                head: &data[..SNIFF_LEN.min(data.len())],
                size: data.len() as u64,
            }
        } else {
            MemberData::Bytes(data)
        };
        visit(Member { name, data });
        pos = end + (size & 1);
    }
    Ok(())
}

/// Folds the members' reports into the archive's: the archive takes the highest verdict of its
/// own and its members' (naming the member in the reasons), and keeps the members worth listing.
pub fn merge_members(report: &mut FileReport, members: Vec<FileReport>) {
    for m in members {
        report.suppressed_count += m.suppressed_count;
        let (mine, theirs) = (&report.verdict, &m.verdict);
        let worse = theirs.level > mine.level
            || (theirs.level == mine.level
                && theirs.level != Level::Clean
                && theirs.score > mine.score);
        if worse {
            let mut v = m.verdict.clone();
            v.reasons = m
                .verdict
                .reasons
                .iter()
                .map(|r| {
                    // A nested member already names the innermost file.
                    if r.starts_with("member ") {
                        r.clone()
                    } else {
                        format!("member {}: {r}", m.path)
                    }
                })
                .collect();
            report.verdict = v;
        }
        // Kept as a file is listed without --all (a member is only ever skipped as one of our
        // own reports, which is routine).
        if m.worth_listing(false) {
            report.members.push(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names(
        bytes: &[u8],
        kind: FileKind,
        limits: &ArchiveLimits,
    ) -> (Vec<String>, Vec<FileError>) {
        let mut seen = Vec::new();
        let problems = for_each_member(bytes, kind, "x.tar.gz", limits, 64 << 20, &mut |m| {
            let tag = match m.data {
                MemberData::Bytes(b) => format!("{}={}", m.name, String::from_utf8_lossy(b)),
                MemberData::Header { size, .. } => format!("{}:header:{size}", m.name),
                MemberData::Encrypted { .. } => format!("{}:encrypted", m.name),
            };
            seen.push(tag);
        });
        (seen, problems)
    }

    fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in files {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_cksum();
            b.append_data(&mut h, name, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_tar_gz_as_one_layer() {
        let tgz = gz(&tar_of(&[("a/b.txt", b"hello"), ("c", b"world")]));
        let (seen, problems) = names(&tgz, FileKind::Gzip, &ArchiveLimits::default());
        assert_eq!(seen, ["a/b.txt=hello", "c=world"]);
        assert!(problems.is_empty());
        let (seen, _) = names(&gz(b"plain"), FileKind::Gzip, &ArchiveLimits::default());
        assert_eq!(seen, ["x.tar=plain"]);
    }

    #[test]
    fn bombs_and_corruption_are_reported() {
        let bomb = gz(&vec![0u8; 8 << 20]);
        let (seen, problems) = names(&bomb, FileKind::Gzip, &ArchiveLimits::default());
        assert!(seen.is_empty());
        assert!(matches!(
            problems[..],
            [FileError::Archive {
                problem: ArchiveProblem::CompressionRatio,
                ..
            }]
        ));
        let mut broken = gz(&tar_of(&[("a", b"x")]));
        broken.truncate(broken.len() / 2);
        let (_, problems) = names(&broken, FileKind::Gzip, &ArchiveLimits::default());
        assert!(matches!(
            problems[..],
            [FileError::Archive {
                problem: ArchiveProblem::Corrupt,
                ..
            }]
        ));
        let tar = tar_of(&[("a", b"1"), ("b", b"2"), ("c", b"3")]);
        let limits = ArchiveLimits {
            max_members: 2,
            ..Default::default()
        };
        let (seen, problems) = names(&tar, FileKind::Tar, &limits);
        assert_eq!(seen.len(), 2);
        assert!(matches!(
            problems[..],
            [FileError::Archive {
                problem: ArchiveProblem::TooManyMembers,
                ..
            }]
        ));
    }

    #[test]
    fn reads_debian_packages() {
        let mut deb = b"!<arch>\n".to_vec();
        for (name, data) in [("debian-binary", &b"2.0\n"[..]), ("data.tar", b"xyz")] {
            deb.extend_from_slice(
                format!(
                    "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                    0,
                    0,
                    0,
                    100644,
                    data.len()
                )
                .as_bytes(),
            );
            deb.extend_from_slice(data);
            if data.len() % 2 == 1 {
                deb.push(b'\n');
            }
        }
        let (seen, problems) = names(&deb, FileKind::Ar, &ArchiveLimits::default());
        assert_eq!(seen, ["debian-binary=2.0\n", "data.tar=xyz"]);
        assert!(problems.is_empty());
    }

    #[test]
    fn member_names_nest() {
        let outer = Target::for_bytes("outer.zip");
        let inner = member_target(&outer, "dir/inner.tar.gz");
        let leaf = member_target(&inner, "x!y");
        assert_eq!(leaf.display(), "outer.zip!dir/inner.tar.gz!x\\!y");
        assert_eq!(depth(&leaf.source), 2);
    }
}

//! Unpacks UPX-packed ELF programs (every machine whose packed layout is UPX's common one:
//! x86-64, i386, aarch64, arm, mips, powerpc) back into the original file.
//!
//! The packed file is: UPX's own ELF headers; the loader-info record (`l_info`, with a `UPX!`
//! magic and the loader's size); the program-info record (`p_info`: original size, block size);
//! the block chain, first the original ELF header and program headers, then every PT_LOAD
//! segment of the original in program-header order; the loader; more blocks for the parts of
//! the file between and after the segments (section headers, symbols, padding); an end-of-blocks
//! record; and a trailer holding the pack header and a pointer back to `p_info`.
//!
//! Only the block chain and UPX's ELF headers matter at run time, so those are what we trust;
//! the magics, the sizes in `p_info` and the trailer are read, compared with what the chain
//! proves, and every disagreement is reported as tampering. When the magics are gone the first
//! block is found by its shape (its size is that of an ELF header plus program headers and it
//! decompresses to one), and the blocks after the loader by a forward search.

use super::blocks::{Chain, Record, RECORD};
use super::bytes::{find, up4};
use super::elf_headers::{self, Headers, Ident};
use super::outcome::{FailReason, Limits, Outcome, Tampering, Unpacked};
use super::packheader::{self, PackHeader, MAGIC, SIZE};

/// How far past UPX's own program headers the first block is looked for when the `l_info`
/// magic is gone. UPX puts it right there; the margin covers older layouts.
const SEARCH_FIRST: usize = 64 * 1024;
/// Most candidate starts that are decoded in full during one search; the cheap shape test
/// rejects nearly everything, and a hostile file full of look-alikes gets no more than this.
const MAX_TRIALS: usize = 32;

/// What the records in front of the first block say, when we could locate them.
#[derive(Clone, Copy, Debug, Default)]
struct ProgramInfo {
    magic_ok: bool,
    loader_size: Option<usize>,
    file_size: Option<u32>,
    block_size: Option<u32>,
}

/// The original program's headers, decoded from the first block.
struct FirstBlock {
    at: usize,
    headers: Headers,
}

pub(crate) fn unpack(file: &[u8], limits: &Limits) -> Outcome {
    let Some(stub) = elf_headers::parse(file) else {
        return Outcome::NotUpx;
    };
    let Some(format) = stub.ident.format() else {
        return Outcome::NotUpx;
    };
    let mut tampering = Vec::new();
    match unpack_with(file, &stub, limits, &mut tampering) {
        Ok(mut u) => {
            u.tampering.extend(tampering);
            u.tampering.sort();
            u.tampering.dedup();
            Outcome::Unpacked(u)
        }
        Err(reason) => {
            tampering.sort();
            tampering.dedup();
            Outcome::Failed {
                format,
                reason,
                tampering,
            }
        }
    }
}

fn unpack_with(
    file: &[u8],
    stub: &Headers,
    limits: &Limits,
    tampering: &mut Vec<Tampering>,
) -> Result<Unpacked, FailReason> {
    let format = stub
        .ident
        .format()
        .ok_or(FailReason::Unsupported("machine"))?;
    let (first, info) = locate_first_block(file, stub)?;
    if !info.magic_ok {
        tampering.push(Tampering::LoaderInfoMagic);
    }
    // Room for the declared size up front (within the limit) spares the copies of a growing Vec.
    let declared = info
        .file_size
        .map_or(0, |s| s as usize)
        .min(limits.max_output);
    let mut out = Output {
        bytes: Vec::with_capacity(declared),
        max: limits.max_output as u64,
        written_end: 0,
    };
    let mut chain = Chain::new(file, stub.ident.endian, first.at);
    // The output once, plus as much again for trials while searching for the trailing blocks.
    chain.work_left = 2 * limits.max_output as u64;
    for load in first.headers.loads() {
        let mut at = load.offset;
        chain.extent(load.filesz, |bytes| {
            out.put(at, bytes)?;
            at += bytes.len() as u64;
            Ok(())
        })?;
    }
    let loads_end = chain.pos;
    let plan = gap_plan(&first.headers, info.file_size, limits)?;
    let gaps_at = locate_gaps(file, stub, &info, &plan, &mut chain, &mut out)?;
    if info
        .loader_size
        .is_some_and(|l| up4(loads_end) + l != gaps_at)
    {
        tampering.push(Tampering::SizeFields);
    }
    if !has_banner(file.get(loads_end..gaps_at).unwrap_or(&[])) {
        tampering.push(Tampering::BannerRemoved);
    }
    out.bytes.truncate(out.written_end as usize);
    let end = chain.peek()?;
    if !end.end_magic_ok(file) {
        tampering.push(Tampering::EndMarkerMagic);
    }
    let proof = Proof {
        first: &first,
        info: &info,
        chain: &chain,
        end: &end,
        size: out.bytes.len(),
    };
    let sums_match = check_trailer(file, stub, &proof, tampering);
    Ok(Unpacked {
        bytes: out.bytes,
        format,
        methods: chain.methods.clone(),
        filters: chain.filters.clone(),
        tampering: Vec::new(),
        exact: sums_match && chain.filters_undone,
    })
}

/// The reconstructed file, grown as segments land at their offsets, never past `max`.
struct Output {
    bytes: Vec<u8>,
    max: u64,
    written_end: u64,
}

impl Output {
    fn put(&mut self, at: u64, data: &[u8]) -> Result<(), FailReason> {
        let end = at
            .checked_add(data.len() as u64)
            .ok_or(FailReason::OutputLimit)?;
        if end > self.max {
            return Err(FailReason::OutputLimit);
        }
        let (at, end_us) = (at as usize, end as usize);
        if at == self.bytes.len() {
            // The common case, segments in file order: append rather than zero-fill and copy.
            self.bytes.extend_from_slice(data);
        } else {
            if self.bytes.len() < end_us {
                self.bytes.resize(end_us, 0);
            }
            self.bytes[at..end_us].copy_from_slice(data);
        }
        self.written_end = self.written_end.max(end);
        Ok(())
    }
}

/// Finds the first block: where the `l_info` magic says, or else by searching for a block that
/// decodes to ELF headers matching UPX's own.
fn locate_first_block(
    file: &[u8],
    stub: &Headers,
) -> Result<(FirstBlock, ProgramInfo), FailReason> {
    let start = stub.end();
    if let Some(m) = find(file.get(..start + 256).unwrap_or(file), MAGIC, start) {
        if m >= 4 {
            if let Some(first) = decode_first(file, stub.ident, m + 20) {
                return Ok((first, program_info(file, stub.ident, m - 4, true)));
            }
        }
    }
    let end = file.len().min(start.saturating_add(SEARCH_FIRST));
    let mut trials = 0;
    for at in start..end.saturating_sub(RECORD) {
        if !looks_like_first(file, stub.ident, at) {
            continue;
        }
        trials += 1;
        if let Some(first) = decode_first(file, stub.ident, at) {
            let info = at
                .checked_sub(24)
                .map(|l| program_info(file, stub.ident, l, false));
            return Ok((first, info.unwrap_or_default()));
        }
        if trials >= MAX_TRIALS {
            break;
        }
    }
    Err(FailReason::NoProgramHeaders)
}

/// The cheap test for the first block: sized like an ELF header plus program headers of this
/// class, compressed, with a known method and no filter.
fn looks_like_first(file: &[u8], id: Ident, at: usize) -> bool {
    let Some(r) = Record::read(file, at, id.endian) else {
        return false;
    };
    let unc = r.sz_unc as usize;
    let body = unc.wrapping_sub(id.ehdr_size());
    r.plausible()
        && r.sz_cpr < r.sz_unc
        && r.ftid == 0
        && unc > id.ehdr_size()
        && body.is_multiple_of(id.phdr_size())
        && body / id.phdr_size() <= 128
}

/// Decodes the block at `at` and accepts it if it is an ELF header and program headers of the
/// same class, byte order and machine as UPX's stub, filling the block exactly.
fn decode_first(file: &[u8], id: Ident, at: usize) -> Option<FirstBlock> {
    let r = Record::read(file, at, id.endian)?;
    let unc = r.sz_unc as usize;
    if !(r.plausible() && unc <= id.ehdr_size() + 128 * id.phdr_size()) {
        return None;
    }
    let mut chain = Chain::new(file, id.endian, at);
    let mut bytes = Vec::new();
    chain
        .extent(u64::from(r.sz_unc), |b| {
            bytes.extend_from_slice(b);
            Ok(())
        })
        .ok()?;
    let headers = elf_headers::parse(&bytes)?;
    let fits = headers.phoff as usize == id.ehdr_size()
        && headers.end() == unc
        && headers.ident == id
        && headers.loads().next().is_some();
    fits.then_some(FirstBlock { at, headers })
}

/// Reads `l_info` at `at` and the `p_info` after it.
fn program_info(file: &[u8], id: Ident, at: usize, magic_ok: bool) -> ProgramInfo {
    let e = id.endian;
    ProgramInfo {
        magic_ok,
        loader_size: e.u16(file, at + 8).map(usize::from).filter(|&l| l > 0),
        file_size: e.u32(file, at + 16),
        block_size: e.u32(file, at + 20),
    }
}

/// One non-segment part of the original file, stored as blocks after the loader. `size` is
/// `None` for the part after the last segment when no believable size says where the file ends.
#[derive(Clone, Copy, Debug)]
struct Gap {
    at: u64,
    size: Option<u64>,
}

/// The parts between and after PT_LOAD segments, in the order UPX stores them: for each
/// segment in program-header order, the bytes from its end to the nearest following segment,
/// or to the end of the file.
fn gap_plan(h: &Headers, declared: Option<u32>, limits: &Limits) -> Result<Vec<Gap>, FailReason> {
    let loads: Vec<_> = h
        .loads()
        .map(|p| (p.offset, p.offset.saturating_add(p.filesz)))
        .collect();
    let top = loads.iter().map(|&(_, end)| end).max().unwrap_or(0);
    let file_size = declared
        .map(u64::from)
        .filter(|&d| d >= top && d <= limits.max_output as u64);
    let mut plan = Vec::new();
    for &(_, end) in &loads {
        let next = loads.iter().map(|&(o, _)| o).filter(|&o| o >= end).min();
        let gap = match (next, file_size) {
            (Some(n), _) => Some(n - end),
            (None, Some(fs)) => Some(fs - end),
            (None, None) => None,
        };
        if gap != Some(0) {
            plan.push(Gap { at: end, size: gap });
        }
    }
    // A part of unknown size can only be decoded up to the end record, so it must come last.
    if plan.iter().rev().skip(1).any(|g| g.size.is_none()) {
        return Err(FailReason::Unsupported(
            "file size unknown and the last segment is not last",
        ));
    }
    Ok(plan)
}

/// Finds where the blocks after the loader start and decodes them. Candidates, in order: the end
/// of UPX's code segment (UPX 4 ends it there), the loader size from `l_info`, then every aligned
/// offset after the segments. A candidate is accepted when all gaps decode and the end record
/// follows. Returns the accepted offset.
fn locate_gaps<'a>(
    file: &'a [u8],
    stub: &Headers,
    info: &ProgramInfo,
    plan: &[Gap],
    chain: &mut Chain<'a>,
    out: &mut Output,
) -> Result<usize, FailReason> {
    let loader_start = up4(chain.pos);
    let mut known = Vec::new();
    if let [p0, p1, ..] = stub.phdrs.as_slice() {
        if p0.offset == 0 && p1.offset == 0 && p0.filesz == 0x1000 {
            known.push(up4(p1.filesz as usize));
        }
    }
    if let Some(l) = info.loader_size {
        known.push(loader_start + l);
    }
    let scan = (loader_start..file.len()).step_by(4);
    let mut trials = 0;
    for at in known.into_iter().chain(scan) {
        if at < loader_start || !gap_start_plausible(file, stub.ident, at, plan) {
            continue;
        }
        let written_end = out.written_end;
        let mut trial = Chain::new(file, stub.ident.endian, at);
        trial.c_adler = chain.c_adler;
        trial.u_adler = chain.u_adler;
        trial.methods.clone_from(&chain.methods);
        trial.filters.clone_from(&chain.filters);
        trial.largest_block = chain.largest_block;
        trial.work_left = chain.work_left;
        let accepted =
            decode_gaps(&mut trial, plan, out).is_ok() && trial.peek().is_ok_and(|r| r.is_end());
        chain.work_left = trial.work_left;
        if accepted {
            trial.filters_undone &= chain.filters_undone;
            *chain = trial;
            return Ok(at);
        }
        // What a failed trial wrote lies in the gaps, which the accepted one rewrites, or past
        // the end, which the final truncation drops.
        out.written_end = written_end;
        trials += 1;
        if trials >= MAX_TRIALS {
            break;
        }
    }
    Err(FailReason::NoTrailingBlocks)
}

/// The cheap test for the first block after the loader: a plausible unfiltered block no larger
/// than the first gap, or the end record when there are no gaps.
fn gap_start_plausible(file: &[u8], id: Ident, at: usize, plan: &[Gap]) -> bool {
    let Some(r) = Record::read(file, at, id.endian) else {
        return false;
    };
    match plan.first() {
        None => r.is_end() && r.method == 0 && r.ftid == 0,
        Some(g) => r.plausible() && r.ftid == 0 && g.size.is_none_or(|s| u64::from(r.sz_unc) <= s),
    }
}

fn decode_gaps(chain: &mut Chain, plan: &[Gap], out: &mut Output) -> Result<(), FailReason> {
    for gap in plan {
        let budget = out.max.saturating_sub(gap.at);
        let mut at = gap.at;
        let mut sink = |bytes: &[u8]| {
            out.put(at, bytes)?;
            at += bytes.len() as u64;
            Ok(())
        };
        match gap.size {
            Some(size) => chain.extent(size, &mut sink)?,
            None => {
                chain.until_end(budget, &mut sink)?;
            }
        }
    }
    Ok(())
}

/// Whether UPX's banner survives in the loader.
fn has_banner(loader: &[u8]) -> bool {
    find(loader, b"$Info: This file is packed with the UPX", 0).is_some()
        || find(loader, b"$Id: UPX", 0).is_some()
}

/// What decoding the chain established, to hold the claims of `p_info` and the trailer against.
struct Proof<'a, 'f> {
    first: &'a FirstBlock,
    info: &'a ProgramInfo,
    chain: &'a Chain<'f>,
    end: &'a Record,
    size: usize,
}

/// Compares the trailer (pack header and back pointer) and `p_info` with what the chain proved,
/// noting each disagreement. Returns whether UPX's checksums confirm the output.
fn check_trailer(
    file: &[u8],
    stub: &Headers,
    proof: &Proof,
    tampering: &mut Vec<Tampering>,
) -> bool {
    let size32 = u32::try_from(proof.size).ok();
    let info = proof.info;
    if info.file_size != size32
        || info
            .block_size
            .is_some_and(|b| b < proof.chain.largest_block)
    {
        tampering.push(Tampering::SizeFields);
    }
    let Some(ph) = find_pack_header(file, stub, proof.end) else {
        tampering.push(Tampering::PackHeaderMissing);
        return false;
    };
    let ph_at = ph.offset;
    if !ph.magic_ok {
        tampering.push(Tampering::PackHeaderMagic);
    }
    if !ph.checksum_ok {
        tampering.push(Tampering::PackHeaderChecksum);
    }
    if !ph.fields_plausible(stub.ident.upx_formats()) {
        tampering.push(Tampering::PackHeaderFields);
    }
    // UPX 4 (header version 14) stores the totals; 3.x left the last block's sizes in u_len and
    // c_len, so only the original file size is comparable across versions.
    let totals_wrong = ph.version >= 14 && (Some(ph.u_len) != size32 || ph.c_len as usize != ph_at);
    if Some(ph.u_file_size) != size32 || totals_wrong {
        tampering.push(Tampering::SizeFields);
    }
    let back = stub.ident.endian.u32(file, ph_at + SIZE);
    if back.map(|b| b as usize) != proof.first.at.checked_sub(RECORD) {
        tampering.push(Tampering::TrailerOffset);
    }
    let sums_match = ph.c_adler == proof.chain.c_adler && ph.u_adler == proof.chain.u_adler;
    if !sums_match && proof.chain.filters_undone {
        tampering.push(Tampering::ContentChecksum);
    }
    sums_match
}

/// How far past the end record the pack header may be: UPX for ARM puts a small section table
/// (`.shstrtab`, `.ARM.attributes`) in between.
const TRAILER_WINDOW: usize = 4096;

/// The pack header: normally right after the end record (rounded up to four bytes); else the
/// first one, by magic or by shape, in the next few kilobytes; else whatever is at the normal
/// place, so that its blanked fields are reported.
fn find_pack_header(file: &[u8], stub: &Headers, end: &Record) -> Option<PackHeader> {
    let formats = stub.ident.upx_formats();
    let usual = PackHeader::parse_at(file, up4(end.at + RECORD));
    if usual
        .as_ref()
        .is_some_and(|h| h.magic_ok || h.fields_plausible(formats))
    {
        return usual;
    }
    let from = end.at + RECORD;
    packheader::find(file, from, from + TRAILER_WINDOW, formats).or(usual)
}

/// The layout test behind `detect`: a record shaped like the first block within a few bytes of
/// the end of UPX's program headers (where `p_info` ends). Section headers are no counter-sign:
/// UPX for ARM writes a small table for `.ARM.attributes`.
pub(crate) fn layout_matches(file: &[u8], stub: &Headers) -> bool {
    let start = stub.end();
    (start..start + 64).any(|at| looks_like_first(file, stub.ident, at))
}

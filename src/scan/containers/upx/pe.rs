//! Unpacks UPX-packed PE32 and PE32+ programs.
//!
//! UPX compresses the whole image from its first section to the end of its last one as a single
//! stream, followed in the same stream by its condensed import and relocation tables and by
//! "extra info": a copy of the original PE header and section table, and last a pointer to that
//! copy. The stream sits in the second section (`UPX1`) right after the pack header; the loader
//! unpacks it into the first, empty section (`UPX0`).
//!
//! We produce a PE file that analysers can read as the original program: the packed file's DOS
//! header and stub (UPX keeps the original's), the original PE header and section table, and
//! every section's original contents at its original file offset, with the x86 filter undone.
//! Not rebuilt, because a scanner does not need them and they are not in the image: the import
//! directory (UPX zeroes it and keeps a condensed list, whose DLL and function names stay in the
//! output as text after the image), base relocations, and resources and exports that UPX moved to
//! its uncompressed section. The file is therefore not runnable, and is `exact` in the sense that
//! UPX's checksum over the unpacked image matched, not that it equals the original file.

use super::adler;
use super::bytes::le32;
use super::decode_error::DecodeError;
use super::filter;
use super::method::{self, Method};
use super::outcome::{FailReason, Format, Limits, Outcome, Tampering, Unpacked};
use super::packheader::{self, PackHeader, SIZE};
use super::pe_headers::{self, PeHeaders, SECTION};
use super::pe_imports;

/// UPX's pack-header format bytes for PE: 9 for i386, 36 for amd64.
const FORMATS: &[u8] = &[9, 36];
/// UPX reads its header from this far before the compressed section's file data.
const HEADER_BEFORE: usize = 64;
/// And searches this many bytes from there.
const HEADER_WINDOW: usize = 1024;
/// Bytes of output a candidate stream must produce cleanly to be believed, when the pack
/// header is gone and the start of the stream has to be searched for.
const TRIAL_OUTPUT: usize = 16 * 1024;

pub(crate) fn unpack(file: &[u8], limits: &Limits) -> Outcome {
    let Some(h) = pe_headers::parse(file) else {
        return Outcome::NotUpx;
    };
    let Some((i0, i1)) = h.upx_pair() else {
        return Outcome::NotUpx;
    };
    let mut tampering = Vec::new();
    if !(h.sections[i0].named(b"UPX0") && h.sections[i1].named(b"UPX1")) {
        tampering.push(Tampering::SectionNames);
    }
    let result = unpack_with(file, &h, i1, limits, &mut tampering);
    tampering.sort();
    tampering.dedup();
    match result {
        Ok(mut u) => {
            u.tampering = tampering;
            Outcome::Unpacked(u)
        }
        Err(reason) => Outcome::Failed {
            format: h.format,
            reason,
            tampering,
        },
    }
}

/// Where the compressed stream is and how to decode it.
struct Stream {
    start: usize,
    method: Method,
    c_len: Option<usize>,
    u_len: Option<usize>,
    header: Option<PackHeader>,
}

fn unpack_with(
    file: &[u8],
    h: &PeHeaders,
    i1: usize,
    limits: &Limits,
    tampering: &mut Vec<Tampering>,
) -> Result<Unpacked, FailReason> {
    let s1 = &h.sections[i1];
    let s0 = &h.sections[i1 - 1];
    // The loader unpacks into UPX0 and UPX1's memory, so the stream can be no larger.
    let room = (u64::from(s0.vsize) + u64::from(s1.vsize)).min(limits.max_output as u64) as usize;
    let stream = locate_stream(file, h, i1, room, tampering)?;
    let input_end = stream.c_len.map_or(file.len(), |c| stream.start + c);
    let src = file
        .get(stream.start..input_end)
        .ok_or(FailReason::Truncated)?;
    let (mut image, sizes_held) = match decode(stream.method, src, stream.u_len, room, h.format) {
        Ok(image) => (image, stream.u_len.is_some()),
        // Sizes that look believable but do not fit the stream were faked: the loader never
        // reads them, so decode as if they were absent.
        Err(_) if stream.u_len.is_some() => {
            tampering.push(Tampering::SizeFields);
            let rest = file.get(stream.start..).ok_or(FailReason::Truncated)?;
            (decode(stream.method, rest, None, room, h.format)?, false)
        }
        Err(e) => return Err(e),
    };
    let saved = saved_headers(&image, h.format)?;
    // UPX sums the image as compressed, that is still filtered and with relocations condensed.
    let u_adler = adler::update(1, &image);
    let filter = unfilter(&mut image, &saved, stream.header.as_ref(), h.format);
    let relocs_ok = restore_relocations(&mut image, &saved, h);
    let imports_ok = restore_imports(&mut image, &saved, file, h);
    let mut exact = filter.undone && relocs_ok && imports_ok;
    if let Some(ph) = &stream.header {
        let sums = ph.u_adler == u_adler && ph.c_adler == adler::update(1, src);
        if !sums && filter.undone && sizes_held {
            tampering.push(Tampering::ContentChecksum);
        }
        exact &= sums && sizes_held;
    } else {
        exact = false;
    }
    let bytes = rebuild(file, h, &image, &saved, limits)?;
    Ok(Unpacked {
        bytes,
        format: h.format,
        methods: vec![stream.method],
        filters: filter.id.into_iter().collect(),
        tampering: Vec::new(),
        exact,
    })
}

/// Finds the pack header near the start of UPX1's data (by magic or by shape) and checks its
/// claims; without one, searches for the stream itself.
fn locate_stream(
    file: &[u8],
    h: &PeHeaders,
    i1: usize,
    room: usize,
    tampering: &mut Vec<Tampering>,
) -> Result<Stream, FailReason> {
    let raw = h.sections[i1].raw_ptr as usize;
    let from = raw.saturating_sub(HEADER_BEFORE);
    let Some(ph) = packheader::find(file, from, from + HEADER_WINDOW, FORMATS) else {
        tampering.push(Tampering::PackHeaderMissing);
        return search_stream(file, from, raw, room);
    };
    if !ph.magic_ok {
        tampering.push(Tampering::PackHeaderMagic);
    }
    if !ph.checksum_ok {
        tampering.push(Tampering::PackHeaderChecksum);
    }
    let expected = if h.format == Format::Pe32Plus { 36 } else { 9 };
    if !ph.fields_plausible(&[expected]) {
        tampering.push(Tampering::PackHeaderFields);
    }
    if !has_version(file, ph.offset) {
        tampering.push(Tampering::BannerRemoved);
    }
    let start = ph.offset + SIZE;
    let c_len = ph.c_len as usize;
    let u_len = ph.u_len as usize;
    let sizes_ok =
        c_len >= 2 && c_len <= file.len().saturating_sub(start) && u_len >= c_len && u_len <= room;
    if !sizes_ok {
        tampering.push(Tampering::SizeFields);
    }
    let method = match Method::from_id(ph.method) {
        Some(m) => m,
        None => guess_method(file, start, room).ok_or(FailReason::UnsupportedMethod(ph.method))?,
    };
    Ok(Stream {
        start,
        method,
        c_len: sizes_ok.then_some(c_len),
        u_len: sizes_ok.then_some(u_len),
        header: Some(ph),
    })
}

/// UPX writes its version ("4.23") and a NUL just before the pack header.
fn has_version(file: &[u8], header_at: usize) -> bool {
    let Some(before) = header_at
        .checked_sub(5)
        .and_then(|a| file.get(a..header_at))
    else {
        return false;
    };
    before[0].is_ascii_digit() && before[1] == b'.' && before[4] == 0
}

/// The methods UPX uses for PE, in the order worth trying.
const PE_METHODS: [Method; 4] = [
    Method::Nrv2eLe32,
    Method::Nrv2bLe32,
    Method::Nrv2dLe32,
    Method::Lzma,
];

/// Whether a stream at `start` in `method` decodes cleanly for a good stretch: the test used
/// when the header that names the method or the start is gone.
fn decodes_cleanly(file: &[u8], start: usize, method: Method, room: usize) -> bool {
    let Some(src) = file.get(start..) else {
        return false;
    };
    let want = TRIAL_OUTPUT.min(room);
    let mut out = Vec::new();
    match method::decompress(method, src, &mut out, want) {
        Ok(()) | Err(DecodeError::OutputOverrun) => out.len() >= want.min(1024),
        Err(DecodeError::ShortOutput) => out.len() >= 1024,
        Err(_) => false,
    }
}

fn guess_method(file: &[u8], start: usize, room: usize) -> Option<Method> {
    PE_METHODS
        .into_iter()
        .find(|&m| decodes_cleanly(file, start, m, room))
}

/// How far into UPX1's data the stream may start when the header is gone: UPX puts at most its
/// version string and the 32-byte header there.
const STREAM_SEARCH_AFTER: usize = 128;

/// Without any header: tries every start from a little before UPX1's data (where a split header
/// may begin) to a little into it, for each method, and takes the first that decodes cleanly.
fn search_stream(file: &[u8], from: usize, raw: usize, room: usize) -> Result<Stream, FailReason> {
    let end = (raw + STREAM_SEARCH_AFTER).min(file.len());
    for start in from..end {
        if let Some(method) = guess_method(file, start, room) {
            return Ok(Stream {
                start,
                method,
                c_len: None,
                u_len: None,
                header: None,
            });
        }
    }
    Err(FailReason::NoProgramHeaders)
}

/// Decodes the stream. With a believable size it must produce exactly that; otherwise NRV runs
/// to its end mark within `room`, and LZMA (which has no end mark) up to `room` or the end of
/// its input, the true end being found afterwards from the trailing pointer.
fn decode(
    method: Method,
    src: &[u8],
    u_len: Option<usize>,
    room: usize,
    format: Format,
) -> Result<Vec<u8>, FailReason> {
    let bad = |error| FailReason::BadBlock { offset: 0, error };
    let mut out = Vec::new();
    if let Some(n) = u_len {
        method::decompress(method, src, &mut out, n).map_err(bad)?;
        return Ok(out);
    }
    match method::decompress(method, src, &mut out, room) {
        Ok(()) => Ok(out),
        Err(DecodeError::ShortOutput) if method != Method::Lzma => Ok(out),
        Err(DecodeError::OutputOverrun) if method != Method::Lzma => Err(FailReason::OutputLimit),
        Err(_) if method == Method::Lzma => {
            let end = find_stream_end(&out, format)
                .ok_or(FailReason::Corrupt("end of LZMA stream not found"))?;
            out.truncate(end);
            Ok(out)
        }
        Err(e) => Err(bad(e)),
    }
}

/// The length of an unpacked stream whose size is unknown: the smallest length whose last four
/// bytes point at a saved PE header whose section table ends, after the optional import (8
/// bytes), relocation (5) and icon (2) bookkeeping, exactly where those four bytes start.
fn find_stream_end(out: &[u8], format: Format) -> Option<usize> {
    let fixed = saved_header_size(format);
    (8..=out.len()).find(|&len| {
        let Some(at) = le32(out, len - 4).map(|a| a as usize) else {
            return false;
        };
        if at >= len || out.get(at..at + 4) != Some(b"PE\0\0".as_slice()) {
            return false;
        }
        let Some(h) = pe_headers::parse_at(&out[..len], at) else {
            return false;
        };
        let table_end = at + fixed + h.sections.len() * SECTION;
        let extra = (len - 4).checked_sub(table_end);
        h.format == format && matches!(extra, Some(0 | 2 | 5 | 7 | 8 | 10 | 13 | 15))
    })
}

/// UPX saves the header as its fixed-size struct: signature, file header, and an optional
/// header with all 16 data directories.
fn saved_header_size(format: Format) -> usize {
    if format == Format::Pe32Plus {
        264
    } else {
        248
    }
}

/// The original PE header and section table UPX saved, and where the image starts.
struct Saved {
    headers: PeHeaders,
    /// The saved copy's bytes: signature, file header, optional header, section table.
    raw: Vec<u8>,
    /// RVA of the first byte of the unpacked image.
    rva_min: u32,
    /// Offset in the image of what UPX saved after the section table (import and relocation
    /// bookkeeping).
    extra: usize,
}

impl Saved {
    /// Data directory `i` of the saved header: (rva, size).
    fn directory(&self, i: usize) -> Option<(u32, u32)> {
        let dirs = if self.headers.format == Format::Pe32Plus {
            24 + 112
        } else {
            24 + 96
        };
        let at = dirs + 8 * i;
        Some((le32(&self.raw, at)?, le32(&self.raw, at + 4)?))
    }

    fn flags(&self) -> u16 {
        super::bytes::le16(&self.raw, 22).unwrap_or(0)
    }

    fn image_base(&self) -> u64 {
        match self.headers.format {
            Format::Pe32Plus => super::bytes::le64(&self.raw, 24 + 24).unwrap_or(0),
            _ => u64::from(le32(&self.raw, 24 + 28).unwrap_or(0)),
        }
    }
}

fn saved_headers(image: &[u8], format: Format) -> Result<Saved, FailReason> {
    let corrupt = FailReason::Corrupt("saved PE header");
    let at = image
        .len()
        .checked_sub(4)
        .and_then(|t| le32(image, t))
        .ok_or(corrupt.clone())? as usize;
    let headers = pe_headers::parse_at(image, at).ok_or(corrupt.clone())?;
    if headers.format != format || headers.sections.is_empty() {
        return Err(corrupt);
    }
    let end = at + saved_header_size(format) + headers.sections.len() * SECTION;
    let raw = image.get(at..end).ok_or(corrupt)?.to_vec();
    let rva_min = headers.sections[0].vaddr;
    Ok(Saved {
        headers,
        raw,
        rva_min,
        extra: end,
    })
}

struct FilterResult {
    id: Option<u8>,
    undone: bool,
}

/// Undoes the code filter over the original code range. The id and marker come from the pack
/// header; without it, PE32+ can only have used 0x49, whose marker is then the byte that most
/// often follows a call opcode (every rewritten call starts with it).
fn unfilter(
    image: &mut [u8],
    saved: &Saved,
    ph: Option<&PackHeader>,
    format: Format,
) -> FilterResult {
    let (id, cto) = match ph {
        Some(ph) if ph.fields_plausible(FORMATS) => (ph.filter, ph.filter_cto),
        _ if format == Format::Pe32Plus => (0x49, 0),
        _ => {
            return FilterResult {
                id: None,
                undone: false,
            }
        }
    };
    if id == 0 {
        return FilterResult {
            id: None,
            undone: true,
        };
    }
    let base = saved.headers.code_base.wrapping_sub(saved.rva_min);
    let (start, len) = (base as usize, saved.headers.code_size as usize);
    let Some(code) = image.get_mut(start..start.saturating_add(len)) else {
        return FilterResult {
            id: Some(id),
            undone: false,
        };
    };
    let cto = if ph.is_some_and(|p| p.fields_plausible(FORMATS)) {
        cto
    } else {
        likely_marker(code)
    };
    let undone = filter::unfilter(id, cto, base, code);
    FilterResult {
        id: Some(id),
        undone,
    }
}

fn likely_marker(code: &[u8]) -> u8 {
    let mut counts = [0u32; 256];
    for w in code.windows(2) {
        if w[0] == 0xe8 || w[0] == 0xe9 {
            counts[usize::from(w[1])] += 1;
        }
    }
    (0..=255u8)
        .max_by_key(|&b| counts[usize::from(b)])
        .unwrap_or(0)
}

/// Lays out the rebuilt file: DOS part from the packed file, the saved headers, then each
/// section's data from the image at its original file offset.
fn rebuild(
    file: &[u8],
    h: &PeHeaders,
    image: &[u8],
    saved: &Saved,
    limits: &Limits,
) -> Result<Vec<u8>, FailReason> {
    let mut end = h.pe + saved.raw.len();
    for s in &saved.headers.sections {
        if s.raw_ptr != 0 {
            end = end.max(s.raw_ptr as usize + s.raw_size as usize);
        }
    }
    if end > limits.max_output {
        return Err(FailReason::OutputLimit);
    }
    let mut out = vec![0u8; end];
    out[..h.pe].copy_from_slice(&file[..h.pe]);
    out[h.pe..h.pe + saved.raw.len()].copy_from_slice(&saved.raw);
    for s in &saved.headers.sections {
        if s.raw_ptr == 0 || s.raw_size == 0 {
            continue;
        }
        let from = s.vaddr.wrapping_sub(saved.rva_min) as usize;
        let take = (s.raw_size as usize).min(image.len().saturating_sub(from));
        let dst = s.raw_ptr as usize;
        if let Some(src) = image.get(from..from + take) {
            out[dst..dst + take].copy_from_slice(src);
        }
    }
    Ok(out)
}

const DIR_IMPORT: usize = 1;
const DIR_BASERELOC: usize = 5;
const RELOCS_STRIPPED: u16 = 1;

/// UPX stores every relocated address as a big-endian offset from the image start (which
/// compresses better) and keeps the list of their positions, delta-coded, after the image; the
/// loader adds the base back. Undoing it makes pointers in data the original's again. Returns
/// false when the list is unreadable.
fn restore_relocations(image: &mut [u8], saved: &Saved, packed: &PeHeaders) -> bool {
    let Some(at) = relocation_list(image, saved, packed) else {
        return true;
    };
    let wide = saved.headers.format == Format::Pe32Plus;
    let add = saved.image_base().wrapping_add(u64::from(saved.rva_min));
    let mut pos = at;
    let mut pc = u32::MAX - 3; // -4: the first delta is counted from four bytes before the image
    loop {
        let Some(&b) = image.get(pos) else {
            return false;
        };
        if b == 0 {
            return true;
        }
        let (delta, used) = match b {
            0..=0xef => (u32::from(b), 1),
            _ => {
                let Some(w) = super::bytes::le16(image, pos + 1) else {
                    return false;
                };
                let d = u32::from(b & 0x0f) << 16 | u32::from(w);
                match (d, le32(image, pos + 3)) {
                    (0, Some(long)) => (long, 7),
                    (0, None) => return false,
                    _ => (d, 3),
                }
            }
        };
        pos += used;
        if delta < 4 {
            return false;
        }
        pc = pc.wrapping_add(delta);
        let p = pc as usize;
        let width = if wide { 8 } else { 4 };
        let Some(field) = image.get_mut(p..p.saturating_add(width)) else {
            return false;
        };
        if wide {
            let v = u64::from_be_bytes(field.try_into().unwrap_or_default()).wrapping_add(add);
            field.copy_from_slice(&v.to_le_bytes());
        } else {
            let v =
                u32::from_be_bytes(field.try_into().unwrap_or_default()).wrapping_add(add as u32);
            field.copy_from_slice(&v.to_le_bytes());
        }
    }
}

/// Rebuilds the import table from UPX's condensed list (see `pe_imports`). Returns false when
/// the list is unreadable; the names in it stay in the output as text either way.
fn restore_imports(image: &mut [u8], saved: &Saved, file: &[u8], packed: &PeHeaders) -> bool {
    let Some((dir, size)) = saved.directory(DIR_IMPORT) else {
        return false;
    };
    if dir == 0 || size <= 20 {
        return true;
    }
    let Some((packed_dir, _)) =
        pe_imports::directory(file, packed.pe + 24, packed.format, DIR_IMPORT)
    else {
        return false;
    };
    let (Some(list), Some(names), Some(packed_imports)) = (
        le32(image, saved.extra),
        le32(image, saved.extra + 4),
        pe_imports::file_offset(packed, packed_dir),
    ) else {
        return false;
    };
    let src = pe_imports::ImportSources {
        packed: file,
        packed_imports,
        rva_min: saved.rva_min,
        wide: saved.headers.format == Format::Pe32Plus,
        directory: dir,
        list: list as usize,
        names,
    };
    pe_imports::rebuild(image, &src)
}

/// Where the condensed relocation list starts, if UPX kept one: its extra info holds the import
/// bookkeeping (8 bytes) when the original had imports, then the list's offset when it had
/// relocations that UPX did not strip.
fn relocation_list(image: &[u8], saved: &Saved, packed: &PeHeaders) -> Option<usize> {
    let (raddr, rsize) = saved.directory(DIR_BASERELOC)?;
    let stripped = packed.flags & RELOCS_STRIPPED != 0 || saved.flags() & RELOCS_STRIPPED != 0;
    if raddr == 0 || rsize == 0 || rsize == 8 || stripped {
        return None;
    }
    let (iaddr, isize) = saved.directory(DIR_IMPORT)?;
    let skip = if iaddr != 0 && isize > 20 { 8 } else { 0 };
    let at = le32(image, saved.extra + skip)? as usize;
    (at < image.len()).then_some(at)
}

//! Rebuilds a packed PE's import table so that analysers see which DLLs and functions the
//! program imports. UPX zeroes the original descriptors, lookup tables and names inside the
//! image and keeps a condensed list after it: per DLL, where its name now sits in UPX's own
//! import table (in the packed file), where its address table was, and each function by name or
//! ordinal. We write descriptors back at the original import directory, DLL and function names
//! where UPX's extra info says the original names were, and the address table entries pointing
//! at them (the lookup table pointer is set to the address table, which loaders and parsers
//! accept). The result reads like the original's imports; its bytes are not the original's.

use super::bytes::{le16, le32, le64};
use super::outcome::Format;
use super::pe_headers::PeHeaders;

/// Where things are: the image starts at `rva_min`; `packed_imports` is the offset in the packed
/// file of UPX's own import directory, which holds the DLL names.
pub(crate) struct ImportSources<'a> {
    pub(crate) packed: &'a [u8],
    pub(crate) packed_imports: usize,
    pub(crate) rva_min: u32,
    pub(crate) wide: bool,
    /// RVA of the original import directory.
    pub(crate) directory: u32,
    /// Offset in the image of the condensed list.
    pub(crate) list: usize,
    /// RVA where the original DLL and function names were (0: names stay where they were).
    pub(crate) names: u32,
}

/// One imported function in the condensed list.
enum Entry<'a> {
    Name(&'a [u8]),
    Ordinal(u16),
    /// A kernel32 ordinal that UPX resolved through its own table: the thunk value is there.
    Forwarded(u32),
}

struct Dll<'a> {
    name: &'a [u8],
    iat: u32,
    entries: Vec<Entry<'a>>,
}

fn c_string(b: &[u8], at: usize) -> Option<&[u8]> {
    let tail = b.get(at..)?;
    let len = tail.iter().position(|&c| c == 0)?;
    Some(&tail[..len])
}

/// Most DLLs UPX accepts in one program; a longer list is corrupt.
const MAX_DLLS: usize = 4096;

/// Reads the condensed list (a copy of it: the rebuild writes into the same image).
fn condensed<'a>(list: &'a [u8], src: &ImportSources<'a>) -> Option<Vec<Dll<'a>>> {
    let mut dlls = Vec::new();
    let mut p = 0;
    loop {
        let name_at = le32(list, p)? as usize;
        if name_at == 0 {
            return Some(dlls);
        }
        if dlls.len() >= MAX_DLLS {
            return None;
        }
        let name = c_string(src.packed, src.packed_imports.checked_add(name_at)?)?;
        let iat = le32(list, p + 4)?.checked_add(src.rva_min)?;
        p += 8;
        let mut entries = Vec::new();
        loop {
            match *list.get(p)? {
                0 => break,
                1 => {
                    let n = c_string(list, p + 1)?;
                    entries.push(Entry::Name(n));
                    p += n.len() + 2;
                }
                0xff => {
                    entries.push(Entry::Ordinal(le16(list, p + 1)?));
                    p += 3;
                }
                _ => {
                    entries.push(Entry::Forwarded(le32(list, p + 1)?));
                    p += 5;
                }
            }
        }
        p += 1;
        dlls.push(Dll { name, iat, entries });
    }
}

/// Writes `data` at `rva` in the image; false if it does not fit.
fn put(image: &mut [u8], rva_min: u32, rva: u32, data: &[u8]) -> bool {
    let Some(at) = rva.checked_sub(rva_min).map(|a| a as usize) else {
        return false;
    };
    match image.get_mut(at..at.saturating_add(data.len())) {
        Some(dst) => {
            dst.copy_from_slice(data);
            true
        }
        None => false,
    }
}

/// Rebuilds the import table in `image`. Returns false when the list or the tables it points to
/// do not fit, leaving what was written so far (names and functions stay visible as text).
pub(crate) fn rebuild(image: &mut [u8], src: &ImportSources) -> bool {
    let Some(list) = image.get(src.list..).map(<[u8]>::to_vec) else {
        return false;
    };
    let Some(dlls) = condensed(&list, src) else {
        return false;
    };
    let names_size = dlls
        .iter()
        .map(|d| d.name.len() + 1)
        .sum::<usize>()
        .next_multiple_of(2) as u32;
    let (mut dll_name, mut fn_name) = (src.names, src.names.wrapping_add(names_size));
    let width = if src.wide { 8 } else { 4 };
    for (i, dll) in dlls.iter().enumerate() {
        let desc = src.directory.wrapping_add(20 * i as u32);
        let name_rva = if src.names != 0 {
            let r = dll_name;
            dll_name = dll_name.wrapping_add(dll.name.len() as u32 + 1);
            r
        } else {
            let at = desc.wrapping_add(12).wrapping_sub(src.rva_min) as usize;
            le32(image, at).unwrap_or(0)
        };
        let mut ok = put(image, src.rva_min, name_rva, dll.name)
            && put(
                image,
                src.rva_min,
                name_rva.wrapping_add(dll.name.len() as u32),
                &[0],
            );
        let mut record = [0u8; 20];
        record[0..4].copy_from_slice(&dll.iat.to_le_bytes());
        record[12..16].copy_from_slice(&name_rva.to_le_bytes());
        record[16..20].copy_from_slice(&dll.iat.to_le_bytes());
        ok &= put(image, src.rva_min, desc, &record);
        let mut slot = dll.iat;
        for entry in &dll.entries {
            let thunk = match *entry {
                Entry::Name(n) => {
                    let at = if src.names != 0 {
                        // Hint/name entries start 2-aligned; stepping back one byte lands the
                        // hint on the previous name's terminator, as UPX's own unpacker does, so
                        // the names fit in the space the originals had.
                        fn_name = fn_name.wrapping_sub(fn_name.wrapping_sub(src.names) & 1);
                        let r = fn_name;
                        fn_name = fn_name.wrapping_add(n.len() as u32 + 3);
                        r
                    } else {
                        thunk_at(image, src, slot).unwrap_or(0) as u32
                    };
                    let text = at.wrapping_add(2);
                    ok &= put(image, src.rva_min, text, n)
                        && put(image, src.rva_min, text.wrapping_add(n.len() as u32), &[0]);
                    u64::from(at)
                }
                Entry::Ordinal(o) => u64::from(o) | if src.wide { 1 << 63 } else { 1 << 31 },
                Entry::Forwarded(off) => forwarded(src, off).unwrap_or(0),
            };
            ok &= put(image, src.rva_min, slot, &thunk.to_le_bytes()[..width]);
            slot = slot.wrapping_add(width as u32);
        }
        ok &= put(image, src.rva_min, slot, &[0; 8][..width]);
        if !ok {
            return false;
        }
    }
    put(
        image,
        src.rva_min,
        src.directory.wrapping_add(20 * dlls.len() as u32),
        &[0; 20],
    )
}

fn thunk_at(image: &[u8], src: &ImportSources, slot: u32) -> Option<u64> {
    let at = slot.checked_sub(src.rva_min)? as usize;
    if src.wide {
        le64(image, at)
    } else {
        le32(image, at).map(u64::from)
    }
}

/// A kernel32 ordinal thunk that UPX kept in its own import table.
fn forwarded(src: &ImportSources, off: u32) -> Option<u64> {
    let at = src.packed_imports.checked_add(off as usize)?;
    if src.wide {
        le64(src.packed, at)
    } else {
        le32(src.packed, at).map(u64::from)
    }
}

/// The file offset of RVA `rva` in the packed file, through its section table.
pub(crate) fn file_offset(h: &PeHeaders, rva: u32) -> Option<usize> {
    h.sections.iter().find_map(|s| {
        let within = rva.checked_sub(s.vaddr)?;
        (within < s.raw_size.max(s.vsize) && within < s.raw_size)
            .then(|| s.raw_ptr as usize + within as usize)
    })
}

/// Data directory `i` (rva, size) of a PE whose optional header starts at `opt`.
pub(crate) fn directory(b: &[u8], opt: usize, format: Format, i: usize) -> Option<(u32, u32)> {
    let at = opt + if format == Format::Pe32Plus { 112 } else { 96 } + 8 * i;
    Some((le32(b, at)?, le32(b, at + 4)?))
}

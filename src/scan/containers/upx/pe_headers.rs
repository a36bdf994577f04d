//! The PE header fields UPX's layout depends on: the optional header's kind, entry point, code
//! base and size, and the section table. Bounds-checked reads of just those, for both the packed
//! file and the original headers UPX saves inside the compressed data.

use super::bytes::{le16, le32};
use super::outcome::Format;

pub(crate) const SECTION: usize = 40;

#[derive(Clone, Debug)]
pub(crate) struct Section {
    pub(crate) name: [u8; 8],
    pub(crate) vsize: u32,
    pub(crate) vaddr: u32,
    pub(crate) raw_size: u32,
    pub(crate) raw_ptr: u32,
}

#[derive(Clone, Debug)]
pub(crate) struct PeHeaders {
    /// Offset of `PE\0\0`.
    pub(crate) pe: usize,
    pub(crate) format: Format,
    pub(crate) entry: u32,
    pub(crate) code_size: u32,
    pub(crate) code_base: u32,
    /// COFF characteristics (relocations stripped, DLL...).
    pub(crate) flags: u16,
    pub(crate) sections: Vec<Section>,
}

/// Most sections a real image has, with room to spare (the format allows 96 in practice).
const MAX_SECTIONS: usize = 256;

/// Parses a PE whose `PE\0\0` signature is at `pe` (for a whole file, the DOS header's pointer).
pub(crate) fn parse_at(b: &[u8], pe: usize) -> Option<PeHeaders> {
    if b.get(pe..pe + 4)? != b"PE\0\0" {
        return None;
    }
    let nsec = usize::from(le16(b, pe + 6)?);
    let opt_size = usize::from(le16(b, pe + 20)?);
    let opt = pe + 24;
    let format = match le16(b, opt)? {
        0x10b => Format::Pe32,
        0x20b => Format::Pe32Plus,
        _ => return None,
    };
    if nsec > MAX_SECTIONS {
        return None;
    }
    let table = opt + opt_size;
    let sections = (0..nsec)
        .map(|i| section(b, table + i * SECTION))
        .collect::<Option<Vec<_>>>()?;
    Some(PeHeaders {
        pe,
        format,
        entry: le32(b, opt + 16)?,
        code_size: le32(b, opt + 4)?,
        code_base: le32(b, opt + 20)?,
        flags: le16(b, pe + 22)?,
        sections,
    })
}

/// Parses a whole PE file: `MZ`, then the signature where the DOS header points.
pub(crate) fn parse(b: &[u8]) -> Option<PeHeaders> {
    if b.get(..2)? != b"MZ" {
        return None;
    }
    parse_at(b, le32(b, 0x3c)? as usize)
}

fn section(b: &[u8], at: usize) -> Option<Section> {
    Some(Section {
        name: b.get(at..at + 8)?.try_into().ok()?,
        vsize: le32(b, at + 8)?,
        vaddr: le32(b, at + 12)?,
        raw_size: le32(b, at + 16)?,
        raw_ptr: le32(b, at + 20)?,
    })
}

impl Section {
    pub(crate) fn named(&self, name: &[u8]) -> bool {
        self.name.starts_with(name) && self.name[name.len()..].iter().all(|&c| c == 0)
    }
}

impl PeHeaders {
    /// UPX's two sections: the empty one the program is unpacked into (no file data, only
    /// memory) and the one right after it holding the compressed data and the loader, which
    /// is where the entry point lies. Found by that shape, not by name, since names get changed.
    pub(crate) fn upx_pair(&self) -> Option<(usize, usize)> {
        let i0 = self
            .sections
            .iter()
            .position(|s| s.raw_size == 0 && s.vsize > 0)?;
        let s0 = &self.sections[i0];
        let s1 = self.sections.get(i0 + 1)?;
        let entry_in_s1 = self.entry.wrapping_sub(s1.vaddr) < s1.vsize.max(s1.raw_size);
        let adjacent = s0.vaddr.checked_add(s0.vsize) == Some(s1.vaddr);
        (s1.raw_size > 0 && entry_in_s1 && adjacent).then_some((i0, i0 + 1))
    }
}

//! The counts an executable's headers claim, checked against its bytes before goblin sees them.
//! goblin builds one record per load command, import, export or header the file claims, and a
//! record is larger than what it describes: a Mach-O header claiming a load command every 8
//! bytes (a zero `cmdsize` never advances) made goblin hold 40 bytes per byte of file, and
//! import descriptors sharing one long thunk array multiply. An allocation failure aborts the
//! process, which no `catch_unwind` can stop, so a file whose tables do not fit its bytes, or
//! claim more than any program has, is not handed to goblin at all: it is reported as a
//! structure that does not parse, and the rest of the analysis (strings, YARA) goes on.

use super::extract::{Format, ParseFailure};
use goblin::pe;

/// Most load commands of one Mach-O (real programs have a few dozen to a few hundred).
const MAX_LOAD_COMMANDS: u32 = 16_384;
/// Most sections one Mach-O segment command may declare.
const MAX_SEGMENT_SECTIONS: u32 = 4096;
/// Most architectures of a fat Mach-O that are checked (and parsed).
const MAX_FAT_ARCHES: usize = super::extract::MAX_FAT_ARCHES;
/// Most import descriptors and imported functions (thunks, counted as goblin walks them: once
/// from the lookup table, once from the address table) of one PE.
const MAX_IMPORT_DESCRIPTORS: usize = 4096;
const MAX_IMPORT_THUNKS: usize = 1 << 18;
/// Most exports (named or not) of one PE.
const MAX_EXPORTS: u64 = 1 << 18;
/// Most bytes of section names (`/123`: an offset into the COFF string table) goblin copies
/// out of one PE: it copies each name up to its NUL, so sections naming one long run of text
/// cost the run's length once per section (real names are a few dozen bytes).
const MAX_PE_SECTION_NAME_BYTES: usize = 1 << 20;
/// Most strings in the string tables goblin indexes in one ELF (section names, the symbol
/// table's and the dynamic table's): it keeps a 24-byte record for each, so a table of NULs
/// would cost 24 bytes per byte of file, three times over.
const MAX_ELF_STRINGS: usize = 1 << 22;

fn fail(what: impl Into<String>) -> ParseFailure {
    ParseFailure(what.into())
}

/// Checks that `bytes` can be handed to goblin as `format` without claiming more than it holds.
pub(crate) fn check(bytes: &[u8], format: Format) -> Result<(), ParseFailure> {
    match format {
        Format::Elf => check_elf(bytes),
        Format::Pe => check_pe(bytes),
        Format::MachO => check_macho(bytes),
        Format::MachOFat => check_fat(bytes),
    }
}

/// Reads integers in the file's byte order; `None` past the end.
#[derive(Clone, Copy)]
struct Reader<'a> {
    bytes: &'a [u8],
    little: bool,
}

impl Reader<'_> {
    fn array<const N: usize>(&self, at: u64) -> Option<[u8; N]> {
        let at = usize::try_from(at).ok()?;
        self.bytes.get(at..at.checked_add(N)?)?.try_into().ok()
    }

    fn u16(&self, at: u64) -> Option<u16> {
        let b = self.array(at)?;
        Some(if self.little {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    }

    fn u32(&self, at: u64) -> Option<u32> {
        let b = self.array(at)?;
        Some(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn u64(&self, at: u64) -> Option<u64> {
        let b = self.array(at)?;
        Some(if self.little {
            u64::from_le_bytes(b)
        } else {
            u64::from_be_bytes(b)
        })
    }

    fn len(&self) -> u64 {
        self.bytes.len() as u64
    }
}

/// A table of `count` entries of `size` bytes at `offset` lies within the file.
fn fits(len: u64, offset: u64, count: u64, size: u64) -> bool {
    count
        .checked_mul(size)
        .and_then(|n| n.checked_add(offset))
        .is_some_and(|end| end <= len)
}

/// A thin Mach-O: the load commands fit `sizeofcmds`, which fits the file; each command is at
/// least 8 bytes and lies inside the area; segments declare no more sections than they hold.
fn check_macho(bytes: &[u8]) -> Result<(), ParseFailure> {
    let magic = u32::from_le_bytes(
        bytes
            .get(..4)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| fail("Mach-O header: truncated"))?,
    );
    let (little, is_64) = match magic {
        0xfeed_face => (true, false),
        0xfeed_facf => (true, true),
        0xcefa_edfe => (false, false),
        0xcffa_edfe => (false, true),
        _ => return Err(fail("Mach-O header: bad magic")),
    };
    let r = Reader { bytes, little };
    let header = if is_64 { 32 } else { 28 };
    let (Some(ncmds), Some(sizeofcmds)) = (r.u32(16), r.u32(20)) else {
        return Err(fail("Mach-O header: truncated"));
    };
    let end = header + u64::from(sizeofcmds);
    if end > r.len() {
        return Err(fail(format!(
            "Mach-O: {sizeofcmds} bytes of load commands claimed, the file has {}",
            r.len()
        )));
    }
    if ncmds > MAX_LOAD_COMMANDS || u64::from(ncmds) * 8 > u64::from(sizeofcmds) {
        return Err(fail(format!(
            "Mach-O: {ncmds} load commands claimed in {sizeofcmds} bytes"
        )));
    }
    let mut at = header;
    for i in 0..ncmds {
        let (Some(cmd), Some(size)) = (r.u32(at), r.u32(at + 4)) else {
            return Err(fail(format!("Mach-O: load command {i} is truncated")));
        };
        let size = u64::from(size);
        if size < 8 || at + size > end {
            return Err(fail(format!(
                "Mach-O: load command {i} has size {size}, outside the load command area"
            )));
        }
        // LC_SEGMENT (56 + 68 per section) and LC_SEGMENT_64 (72 + 80 per section).
        let segment = match cmd {
            0x1 => Some((48, 56, 68)),
            0x19 => Some((64, 72, 80)),
            _ => None,
        };
        if let Some((nsects_at, base, per)) = segment {
            let nsects = r.u32(at + nsects_at).unwrap_or(u32::MAX);
            if nsects > MAX_SEGMENT_SECTIONS || base + u64::from(nsects) * per > size {
                return Err(fail(format!(
                    "Mach-O: segment command {i} declares {nsects} sections in {size} bytes"
                )));
            }
        }
        at += size;
    }
    Ok(())
}

/// A fat Mach-O: the architecture table fits, and each architecture checked (as many as are
/// parsed) is a slice of the file that passes `check_macho`.
fn check_fat(bytes: &[u8]) -> Result<(), ParseFailure> {
    let r = Reader {
        bytes,
        little: false,
    };
    let magic = r.u32(0).ok_or_else(|| fail("fat header: truncated"))?;
    let (entry, wide) = match magic {
        0xcafe_babe => (20, false),
        0xcafe_babf => (32, true),
        _ => return Err(fail("fat header: bad magic")),
    };
    let narch = r.u32(4).ok_or_else(|| fail("fat header: truncated"))?;
    if !fits(r.len(), 8, u64::from(narch), entry) {
        return Err(fail(format!(
            "fat Mach-O: {narch} architectures claimed, the table does not fit"
        )));
    }
    for i in 0..(narch as usize).min(MAX_FAT_ARCHES) {
        let at = 8 + i as u64 * entry;
        let (offset, size) = if wide {
            (r.u64(at + 8), r.u64(at + 16))
        } else {
            (r.u32(at + 8).map(u64::from), r.u32(at + 12).map(u64::from))
        };
        let (Some(offset), Some(size)) = (offset, size) else {
            return Err(fail("fat header: truncated"));
        };
        if !fits(r.len(), offset, 1, size) {
            return Err(fail(format!(
                "fat Mach-O: architecture {i} lies outside the file"
            )));
        }
        check_macho(&bytes[offset as usize..(offset + size) as usize])?;
    }
    Ok(())
}

/// An ELF file: the program header table lies within the file (the kernel requires it too);
/// a section header table that does not is ignored, as goblin and the kernel ignore it; and the
/// string tables goblin indexes hold no more than `MAX_ELF_STRINGS` strings.
fn check_elf(bytes: &[u8]) -> Result<(), ParseFailure> {
    let class64 = match bytes.get(4) {
        Some(1) => false,
        Some(2) => true,
        _ => return Err(fail("ELF header: bad class")),
    };
    let little = match bytes.get(5) {
        Some(1) => true,
        Some(2) => false,
        _ => return Err(fail("ELF header: bad byte order")),
    };
    let r = Reader { bytes, little };
    let truncated = || fail("ELF header: truncated");
    let (phoff, shoff, at) = if class64 {
        (
            r.u64(32).ok_or_else(truncated)?,
            r.u64(40).ok_or_else(truncated)?,
            54,
        )
    } else {
        (
            u64::from(r.u32(28).ok_or_else(truncated)?),
            u64::from(r.u32(32).ok_or_else(truncated)?),
            42,
        )
    };
    let field = |i: u64| r.u16(at + 2 * i).map(u64::from).ok_or_else(truncated);
    // goblin reads the tables at its own entry sizes, whatever `e_shentsize` says.
    let (phentsize, phnum, mut shnum) = (field(0)?, field(1)?, field(3)?);
    let (ph_size, sh_size) = if class64 { (56, 64) } else { (32, 40) };
    if shoff != 0 {
        // Extended numbering: the real count is in the first section header.
        if shnum == 0 && fits(r.len(), shoff, 1, sh_size) {
            shnum = if class64 {
                r.u64(shoff + 32).ok_or_else(truncated)?
            } else {
                u64::from(r.u32(shoff + 20).ok_or_else(truncated)?)
            };
        }
        // A section table that does not fit is ignored by goblin's permissive parse, as the
        // kernel ignores it (droppers break it on purpose): so here too.
        if !fits(r.len(), shoff, shnum, sh_size) {
            shnum = 0;
        }
    }
    if phnum > 0 {
        if phentsize != ph_size {
            return Err(fail(format!(
                "ELF: program header entries of {phentsize} bytes"
            )));
        }
        if !fits(r.len(), phoff, phnum, ph_size) {
            return Err(fail(format!(
                "ELF: {phnum} program headers claimed at offset {phoff}, past the end of the file"
            )));
        }
    }
    let shstrndx = u64::from(r.u16(if class64 { 62 } else { 50 }).ok_or_else(truncated)?);
    let elf = Elf {
        r,
        class64,
        phoff,
        phnum,
        shoff,
        shnum,
    };
    let strings: usize = elf
        .string_tables(shstrndx)
        .into_iter()
        .map(|(offset, len)| {
            let start = offset.min(r.len()) as usize;
            let end = offset.saturating_add(len).min(r.len()) as usize;
            memchr::memchr_iter(0, &bytes[start..end]).count() + 1
        })
        .sum();
    if strings > MAX_ELF_STRINGS {
        return Err(fail(format!(
            "ELF: its string tables hold {strings} strings"
        )));
    }
    Ok(())
}

/// The tables of an ELF file that `check_elf` has found to fit.
struct Elf<'a> {
    r: Reader<'a>,
    class64: bool,
    phoff: u64,
    phnum: u64,
    shoff: u64,
    shnum: u64,
}

impl Elf<'_> {
    /// Field `i` of section header `index` (type, offset, size, link), as goblin reads it.
    fn section(&self, index: u64) -> Option<(u32, u64, u64, u64)> {
        if self.shoff == 0 || index >= self.shnum {
            return None;
        }
        let r = self.r;
        if self.class64 {
            let at = self.shoff + index * 64;
            Some((
                r.u32(at + 4)?,
                r.u64(at + 24)?,
                r.u64(at + 32)?,
                u64::from(r.u32(at + 40)?),
            ))
        } else {
            let at = self.shoff + index * 40;
            Some((
                r.u32(at + 4)?,
                u64::from(r.u32(at + 16)?),
                u64::from(r.u32(at + 20)?),
                u64::from(r.u32(at + 24)?),
            ))
        }
    }

    /// Program header `index`: type, offset, vaddr, filesz, memsz.
    fn segment(&self, index: u64) -> Option<(u32, u64, u64, u64, u64)> {
        let r = self.r;
        if self.class64 {
            let at = self.phoff + index * 56;
            Some((
                r.u32(at)?,
                r.u64(at + 8)?,
                r.u64(at + 16)?,
                r.u64(at + 32)?,
                r.u64(at + 40)?,
            ))
        } else {
            let at = self.phoff + index * 32;
            let w = |o| r.u32(at + o).map(u64::from);
            Some((r.u32(at)?, w(4)?, w(8)?, w(16)?, w(20)?))
        }
    }

    /// The string tables goblin parses: the section names', the last symbol table's, and the
    /// dynamic section's (`DT_STRTAB`, `DT_STRSZ`), as (offset, length).
    fn string_tables(&self, shstrndx: u64) -> Vec<(u64, u64)> {
        let mut out = Vec::new();
        let names = if shstrndx == 0xffff {
            self.section(0).map(|s| s.3)
        } else {
            Some(shstrndx)
        };
        if let Some((_, offset, size, _)) = names.and_then(|i| self.section(i)) {
            out.push((offset, size));
        }
        let symtab = (0..self.shnum)
            .rev()
            .find_map(|i| self.section(i).filter(|s| s.0 == 2));
        if let Some((_, offset, size, _)) = symtab.and_then(|s| self.section(s.3)) {
            out.push((offset, size));
        }
        if let Some(t) = self.dynamic_strings() {
            out.push(t);
        }
        out
    }

    fn dynamic_strings(&self) -> Option<(u64, u64)> {
        let (_, offset, _, filesz, _) = (0..self.phnum)
            .filter_map(|i| self.segment(i))
            .find(|s| s.0 == 2)?;
        let entry = if self.class64 { 16 } else { 8 };
        let (mut strtab, mut strsz) = (None, None);
        for i in 0..filesz / entry {
            let at = offset + i * entry;
            let (tag, value) = if self.class64 {
                (self.r.u64(at)?, self.r.u64(at + 8)?)
            } else {
                (u64::from(self.r.u32(at)?), u64::from(self.r.u32(at + 4)?))
            };
            match tag {
                0 => break,
                5 => strtab = Some(value),
                10 => strsz = Some(value),
                _ => {}
            }
        }
        let (vaddr, size) = (strtab?, strsz?);
        // The first loadable segment holding the address, as goblin maps it.
        let offset = (0..self.phnum)
            .filter_map(|i| self.segment(i))
            .find(|s| s.0 == 1 && vaddr >= s.2 && vaddr - s.2 < s.4)
            .and_then(|s| s.1.checked_add(vaddr - s.2))?;
        Some((offset, size))
    }
}

/// A PE file: the section table fits, and the import and export tables, walked as goblin walks
/// them (through goblin's own address mapping), name no more than a program can hold. The
/// headers are read here at their fixed offsets: what goblin would refuse is left to goblin.
fn check_pe(bytes: &[u8]) -> Result<(), ParseFailure> {
    let r = Reader {
        bytes,
        little: true,
    };
    let Some(pe) = r.u32(0x3c).map(u64::from) else {
        return Ok(());
    };
    let (Some(nsections), Some(optional_size)) = (r.u16(pe + 6), r.u16(pe + 20)) else {
        return Ok(());
    };
    let optional = pe + 24;
    let table = optional + u64::from(optional_size);
    if !fits(r.len(), table, u64::from(nsections), 40) {
        return Err(fail(format!(
            "PE: {nsections} sections claimed, the section table does not fit"
        )));
    }
    check_pe_section_names(&r, pe, table, nsections)?;
    let sections: Vec<pe::section_table::SectionTable> = (0..u64::from(nsections))
        .map(|i| {
            let at = table + i * 40;
            pe::section_table::SectionTable {
                virtual_size: r.u32(at + 8).unwrap_or(0),
                virtual_address: r.u32(at + 12).unwrap_or(0),
                size_of_raw_data: r.u32(at + 16).unwrap_or(0),
                pointer_to_raw_data: r.u32(at + 20).unwrap_or(0),
                ..Default::default()
            }
        })
        .collect();
    let (is_64, directories) = match r.u16(optional) {
        Some(0x20b) => (true, optional + 112),
        Some(0x10b) => (false, optional + 96),
        _ => return Ok(()),
    };
    let alignment = r.u32(optional + 36).unwrap_or(0);
    let options = pe::options::ParseOptions::default();
    let map = |rva: u32| -> Option<u64> {
        pe::utils::find_offset(rva as usize, &sections, alignment, &options).map(|o| o as u64)
    };
    if let Some(rva) = r.u32(directories).filter(|&v| v != 0) {
        check_pe_exports(bytes, rva, &map)?;
    }
    if let Some(rva) = r.u32(directories + 8).filter(|&v| v != 0) {
        check_pe_imports(bytes, rva, is_64, &map)?;
    }
    Ok(())
}

/// The names goblin copies out of the COFF string table for sections named `/N` or `//B64`
/// (found as goblin finds them), added up to their NULs, must stay under
/// `MAX_PE_SECTION_NAME_BYTES`; no run is scanned past what is left of that budget.
fn check_pe_section_names(
    r: &Reader,
    pe: u64,
    table: u64,
    nsections: u16,
) -> Result<(), ParseFailure> {
    let (Some(symbols), Some(nsymbols)) = (r.u32(pe + 12), r.u32(pe + 16)) else {
        return Ok(());
    };
    let strings = u64::from(symbols) + u64::from(nsymbols) * 18;
    let mut total = 0usize;
    for i in 0..u64::from(nsections) {
        let Some(name) = r.array::<8>(table + i * 40) else {
            break;
        };
        let header = pe::section_table::SectionTable {
            name,
            ..Default::default()
        };
        let Ok(Some(idx)) = header.name_offset() else {
            continue;
        };
        let Some(start) = strings
            .checked_add(idx as u64)
            .filter(|&s| s < r.len())
            .map(|s| s as usize)
        else {
            continue;
        };
        let left = MAX_PE_SECTION_NAME_BYTES - total;
        let run = &r.bytes[start..r.bytes.len().min(start.saturating_add(left + 1))];
        total += memchr::memchr(0, run).unwrap_or(run.len());
        if total > MAX_PE_SECTION_NAME_BYTES {
            return Err(fail(format!(
                "PE: section names in the string table add up to more than {MAX_PE_SECTION_NAME_BYTES} bytes"
            )));
        }
    }
    Ok(())
}

fn check_pe_imports(
    bytes: &[u8],
    rva: u32,
    is_64: bool,
    map: &dyn Fn(u32) -> Option<u64>,
) -> Result<(), ParseFailure> {
    let r = Reader {
        bytes,
        little: true,
    };
    let Some(mut at) = map(rva).filter(|&o| o != 0) else {
        return Ok(());
    };
    let thunk = if is_64 { 8 } else { 4 };
    // Thunks until a zero one or the end of the file, as goblin reads them.
    let count = |start: Option<u64>, budget: usize| -> usize {
        let Some(mut at) = start else { return 0 };
        let mut n = 0;
        while n <= budget {
            let value = if is_64 {
                r.u64(at)
            } else {
                r.u32(at).map(u64::from)
            };
            match value {
                Some(v) if v != 0 => n += 1,
                _ => break,
            }
            at += thunk;
        }
        n
    };
    let mut descriptors = 0;
    let mut thunks = 0;
    while let (Some(lookup), Some(name), Some(address)) =
        (r.u32(at), r.u32(at + 12), r.u32(at + 16))
    {
        at += 20;
        if name == 0 || address == 0 {
            break;
        }
        descriptors += 1;
        let budget = MAX_IMPORT_THUNKS.saturating_sub(thunks);
        thunks += count(map(lookup).or_else(|| map(address)), budget);
        thunks += count(map(if address == 0 { lookup } else { address }), budget);
        if descriptors > MAX_IMPORT_DESCRIPTORS || thunks > MAX_IMPORT_THUNKS {
            return Err(fail(format!(
                "PE: the import table claims more than {MAX_IMPORT_THUNKS} imports or {MAX_IMPORT_DESCRIPTORS} libraries"
            )));
        }
    }
    Ok(())
}

fn check_pe_exports(
    bytes: &[u8],
    rva: u32,
    map: &dyn Fn(u32) -> Option<u64>,
) -> Result<(), ParseFailure> {
    let r = Reader {
        bytes,
        little: true,
    };
    let Some(at) = map(rva) else {
        return Ok(());
    };
    let (Some(functions), Some(names)) = (r.u32(at + 20), r.u32(at + 24)) else {
        return Ok(());
    };
    for (what, n) in [("functions", functions), ("names", names)] {
        let n = u64::from(n);
        if n > MAX_EXPORTS || n * 4 > r.len() {
            return Err(fail(format!(
                "PE: the export table claims {n} {what}, more than the file can hold"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(words: &[u32]) -> Vec<u8> {
        words.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    #[test]
    fn every_fixture_binary_passes() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bin");
        let mut checked = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let format = match bytes.get(..4) {
                Some(b"\x7fELF") => Format::Elf,
                Some([b'M', b'Z', ..]) => Format::Pe,
                Some([0xcf, 0xfa, 0xed, 0xfe]) => Format::MachO,
                Some([0xca, 0xfe, 0xba, 0xbe]) => Format::MachOFat,
                _ => continue,
            };
            assert_eq!(check(&bytes, format), Ok(()));
            checked += 1;
        }
        assert!(checked >= 40, "only {checked} fixtures");
    }

    #[test]
    fn a_load_command_that_never_advances_is_refused() {
        let size = 4096;
        let mut macho = le(&[
            0xfeed_facf,
            0x0100_0007,
            3,
            2,
            (size - 32) / 8,
            size - 32,
            0,
            0,
        ]);
        macho.resize(size as usize, 0);
        let e = check(&macho, Format::MachO).unwrap_err();
        assert!(e.0.contains("load command"), "{e:?}");
        // One command of 8 bytes that fits is fine; a segment claiming more sections than its
        // size holds is not.
        let mut ok = le(&[0xfeed_facf, 0x0100_0007, 3, 2, 1, 8, 0, 0, 0x26, 8]);
        ok.resize(64, 0);
        assert_eq!(check(&ok, Format::MachO), Ok(()));
        let mut seg = le(&[0xfeed_facf, 0x0100_0007, 3, 2, 1, 72, 0, 0, 0x19, 72]);
        seg.resize(32 + 64, 0);
        seg.extend_from_slice(&1000u32.to_le_bytes());
        seg.resize(32 + 72, 0);
        assert!(check(&seg, Format::MachO).is_err());
        // A fat file whose architecture lies past its end.
        let mut fat = vec![0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 1];
        for w in [7u32, 3, 0x1000, 0x10_0000, 12] {
            fat.extend_from_slice(&w.to_be_bytes());
        }
        assert!(check(&fat, Format::MachOFat).is_err());
    }

    #[test]
    fn elf_string_tables_of_nuls_are_refused() {
        // One section covering the file as the section-name table: a string per byte.
        let size = (MAX_ELF_STRINGS + 8192) as u64;
        let mut elf = vec![0u8; size as usize];
        elf[..8].copy_from_slice(b"\x7fELF\x02\x01\x01\0");
        let shoff = 64u64;
        elf[40..48].copy_from_slice(&shoff.to_le_bytes());
        elf[58..60].copy_from_slice(&64u16.to_le_bytes());
        elf[60..62].copy_from_slice(&2u16.to_le_bytes());
        elf[62..64].copy_from_slice(&1u16.to_le_bytes());
        let sh = (shoff + 64) as usize;
        elf[sh + 4..sh + 8].copy_from_slice(&3u32.to_le_bytes());
        elf[sh + 24..sh + 32].copy_from_slice(&4096u64.to_le_bytes());
        elf[sh + 32..sh + 40].copy_from_slice(&(size - 4096).to_le_bytes());
        let e = check(&elf, Format::Elf).unwrap_err();
        assert!(e.0.contains("string tables"), "{e:?}");
        // The same table holding real names is fine.
        for (i, b) in elf[4096..].iter_mut().enumerate() {
            *b = if i % 16 == 15 { 0 } else { b'a' };
        }
        assert_eq!(check(&elf, Format::Elf), Ok(()));
    }

    #[test]
    fn pe_import_descriptors_sharing_one_long_thunk_array_are_refused() {
        let size = 1 << 20;
        let mut pe = vec![0u8; size];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x86..0x88].copy_from_slice(&1u16.to_le_bytes());
        pe[0x94..0x96].copy_from_slice(&224u16.to_le_bytes());
        let opt = 0x98;
        pe[opt..opt + 2].copy_from_slice(&0x10bu16.to_le_bytes());
        pe[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes());
        pe[opt + 104..opt + 108].copy_from_slice(&0x1000u32.to_le_bytes());
        let sec = opt + 224;
        for (o, v) in [
            (8, size as u32),
            (12, 0x1000),
            (16, size as u32 - 0x1000),
            (20, 0x1000),
        ] {
            pe[sec + o..sec + o + 4].copy_from_slice(&v.to_le_bytes());
        }
        let thunks = 0x1000 + 200 * 20 + 64;
        for d in 0..200 {
            let at = 0x1000 + 20 * d;
            for (o, v) in [(0, thunks), (12, thunks - 32), (16, thunks)] {
                pe[at + o..at + o + 4].copy_from_slice(&(v as u32).to_le_bytes());
            }
        }
        for t in (thunks..size - 4).step_by(4) {
            pe[t..t + 4].copy_from_slice(&0x2000u32.to_le_bytes());
        }
        let e = check(&pe, Format::Pe).unwrap_err();
        assert!(e.0.contains("import"), "{e:?}");
    }

    /// A PE32 of `size` bytes with one section mapping the whole file at RVA 0x1000, and
    /// room for `nsections` section headers.
    fn pe32(size: usize, nsections: u16) -> Vec<u8> {
        let mut pe = vec![0u8; size];
        pe[..2].copy_from_slice(b"MZ");
        pe[0x3c..0x40].copy_from_slice(&0x80u32.to_le_bytes());
        pe[0x80..0x84].copy_from_slice(b"PE\0\0");
        pe[0x86..0x88].copy_from_slice(&nsections.to_le_bytes());
        pe[0x94..0x96].copy_from_slice(&224u16.to_le_bytes());
        let opt = 0x98;
        pe[opt..opt + 2].copy_from_slice(&0x10bu16.to_le_bytes());
        pe[opt + 36..opt + 40].copy_from_slice(&0x200u32.to_le_bytes());
        let sec = opt + 224;
        for (o, v) in [(8, size), (12, 0x1000), (16, size - 0x1000), (20, 0x1000)] {
            pe[sec + o..sec + o + 4].copy_from_slice(&(v as u32).to_le_bytes());
        }
        pe
    }

    #[test]
    fn pe_section_names_sharing_one_long_string_are_refused() {
        let size = 4 << 20;
        let mut pe = pe32(size, 64);
        // The string table (no symbols) at 1 MiB: 3 MiB of text without a NUL.
        pe[0x8c..0x90].copy_from_slice(&(1u32 << 20).to_le_bytes());
        for b in &mut pe[1 << 20..] {
            *b = b'a';
        }
        let sec = 0x98 + 224;
        for i in 0..64 {
            pe[sec + 40 * i..sec + 40 * i + 3].copy_from_slice(b"/0\0");
        }
        let e = check(&pe, Format::Pe).unwrap_err();
        assert!(e.0.contains("section names"), "{e:?}");
        // Short names there are what compilers write: accepted.
        pe[(1 << 20) + 16] = 0;
        assert_eq!(check(&pe, Format::Pe), Ok(()));
    }

    #[test]
    fn pe_exports_claiming_more_than_a_program_has_are_refused() {
        let size = 4 << 20;
        let mut pe = pe32(size, 1);
        let opt = 0x98;
        pe[opt + 96..opt + 100].copy_from_slice(&0x1000u32.to_le_bytes());
        // 1M names: within the file's bytes (4 per name), above any program's exports.
        pe[0x1000 + 24..0x1000 + 28].copy_from_slice(&(1u32 << 20).to_le_bytes());
        let e = check(&pe, Format::Pe).unwrap_err();
        assert!(e.0.contains("export"), "{e:?}");
        pe[0x1000 + 24..0x1000 + 28].copy_from_slice(&4096u32.to_le_bytes());
        assert_eq!(check(&pe, Format::Pe), Ok(()));
    }
}

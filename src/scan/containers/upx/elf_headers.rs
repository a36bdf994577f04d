//! The few ELF header fields UPX's layout depends on, read for both the packed file (the stub
//! UPX wrote) and the original program's headers recovered from the first block. Only what the
//! unpacker needs, with every read bounds-checked, rather than a general ELF parser.

use super::bytes::Endian;
use super::outcome::Format;

pub(crate) const PT_LOAD: u32 = 1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ident {
    pub(crate) wide: bool,
    pub(crate) endian: Endian,
    pub(crate) machine: u16,
}

impl Ident {
    pub(crate) fn ehdr_size(self) -> usize {
        if self.wide {
            64
        } else {
            52
        }
    }

    pub(crate) fn phdr_size(self) -> usize {
        if self.wide {
            56
        } else {
            32
        }
    }

    /// The pack-header format bytes UPX uses for this machine.
    pub(crate) fn upx_formats(self) -> &'static [u8] {
        match (self.machine, self.endian) {
            (62, _) => &[22],
            (3, _) => &[10, 12, 20, 24, 25],
            (183, _) => &[42],
            (40, Endian::Little) => &[23],
            (40, Endian::Big) => &[133],
            (8, Endian::Little) => &[30],
            (8, Endian::Big) => &[137],
            (20, _) => &[132],
            (21, Endian::Little) => &[39],
            (21, Endian::Big) => &[140],
            _ => &[],
        }
    }

    pub(crate) fn format(self) -> Option<Format> {
        Some(match (self.machine, self.wide) {
            (62, true) => Format::ElfX86_64,
            (3, false) => Format::ElfI386,
            (183, true) => Format::ElfAarch64,
            (40, false) => Format::ElfArm,
            (8, false) => Format::ElfMips,
            (20, false) => Format::ElfPowerPc,
            (21, true) => Format::ElfPowerPc64,
            _ => return None,
        })
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Phdr {
    pub(crate) p_type: u32,
    pub(crate) offset: u64,
    pub(crate) filesz: u64,
}

#[derive(Clone, Debug)]
pub(crate) struct Headers {
    pub(crate) ident: Ident,
    pub(crate) phoff: u64,
    pub(crate) phentsize: u16,
    pub(crate) phdrs: Vec<Phdr>,
}

/// Reads the identification bytes: class, byte order and machine.
pub(crate) fn ident(b: &[u8]) -> Option<Ident> {
    if b.get(..4)? != b"\x7fELF" {
        return None;
    }
    let wide = match b.get(4)? {
        1 => false,
        2 => true,
        _ => return None,
    };
    let endian = match b.get(5)? {
        1 => Endian::Little,
        2 => Endian::Big,
        _ => return None,
    };
    let machine = endian.u16(b, 18)?;
    Some(Ident {
        wide,
        endian,
        machine,
    })
}

/// Most program headers a real program has, with room to spare; more is a hostile header.
const MAX_PHNUM: usize = 128;

/// Parses the ELF header and program headers at the start of `b`.
pub(crate) fn parse(b: &[u8]) -> Option<Headers> {
    let id = ident(b)?;
    let e = id.endian;
    let (phoff, phentsize, phnum) = if id.wide {
        (e.u64(b, 32)?, e.u16(b, 54)?, e.u16(b, 56)?)
    } else {
        (u64::from(e.u32(b, 28)?), e.u16(b, 42)?, e.u16(b, 44)?)
    };
    if usize::from(phentsize) != id.phdr_size() || usize::from(phnum) > MAX_PHNUM {
        return None;
    }
    let start = usize::try_from(phoff).ok()?;
    let phdrs = (0..usize::from(phnum))
        .map(|i| phdr(b, id, start.checked_add(i * id.phdr_size())?))
        .collect::<Option<Vec<_>>>()?;
    Some(Headers {
        ident: id,
        phoff,
        phentsize,
        phdrs,
    })
}

fn phdr(b: &[u8], id: Ident, at: usize) -> Option<Phdr> {
    let e = id.endian;
    Some(if id.wide {
        Phdr {
            p_type: e.u32(b, at)?,
            offset: e.u64(b, at + 8)?,
            filesz: e.u64(b, at + 32)?,
        }
    } else {
        Phdr {
            p_type: e.u32(b, at)?,
            offset: u64::from(e.u32(b, at + 4)?),
            filesz: u64::from(e.u32(b, at + 16)?),
        }
    })
}

impl Headers {
    /// End of the program header table: where UPX starts its own records.
    pub(crate) fn end(&self) -> usize {
        self.phoff as usize + self.phdrs.len() * usize::from(self.phentsize)
    }

    pub(crate) fn loads(&self) -> impl Iterator<Item = &Phdr> {
        self.phdrs.iter().filter(|p| p.p_type == PT_LOAD)
    }
}

//! The cheap "this looks UPX-packed" test: a few header reads and short searches, no
//! decompression, so a scanner can afford it on every ELF and PE before paying for `unpack`.

use super::bytes::find;
use super::elf;
use super::elf_headers;
use super::outcome::Format;
use super::packheader::MAGIC;
use super::pe_headers;

/// What made a file look UPX-packed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sign {
    /// A `UPX!` magic where UPX puts one.
    Magic,
    /// PE sections named `UPX0` and `UPX1`.
    SectionNames,
    /// UPX's layout without its marks: an ELF whose first record after UPX's headers is a
    /// compressed block the size of ELF headers, or a PE whose entry lies in a section that
    /// follows an empty, memory-only one.
    Layout,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Detection {
    pub format: Format,
    pub signs: Vec<Sign>,
}

impl Detection {
    /// A layout match with no UPX mark at all: the file was packed and then scrubbed, or it is
    /// another packer with a similar shape. Unpacking decides which.
    pub fn layout_only(&self) -> bool {
        self.signs == [Sign::Layout]
    }
}

pub fn detect(bytes: &[u8]) -> Option<Detection> {
    if bytes.starts_with(b"\x7fELF") {
        detect_elf(bytes)
    } else if bytes.starts_with(b"MZ") {
        detect_pe(bytes)
    } else {
        None
    }
}

fn detect_elf(bytes: &[u8]) -> Option<Detection> {
    let h = elf_headers::parse(bytes)?;
    let format = h.ident.format()?;
    let start = h.end();
    let mut signs = Vec::new();
    let head = bytes.get(..start + 64).unwrap_or(bytes);
    if find(head, MAGIC, start).is_some() || trailer_magic(bytes) {
        signs.push(Sign::Magic);
    }
    if elf::layout_matches(bytes, &h) {
        signs.push(Sign::Layout);
    }
    (!signs.is_empty()).then_some(Detection { format, signs })
}

/// The pack header sits in the last bytes of a packed ELF, before a pointer and any zero
/// padding (up to a page, which code signing of some targets adds).
fn trailer_magic(bytes: &[u8]) -> bool {
    let tail = &bytes[bytes.len().saturating_sub(4096 + 64)..];
    let used = tail.iter().rposition(|&b| b != 0).map_or(0, |p| p + 1);
    let window = &tail[used.saturating_sub(64)..used];
    find(window, MAGIC, 0).is_some()
}

fn detect_pe(bytes: &[u8]) -> Option<Detection> {
    let h = pe_headers::parse(bytes)?;
    let mut signs = Vec::new();
    let named = |n: &[u8]| h.sections.iter().any(|s| s.named(n));
    if named(b"UPX0") && named(b"UPX1") {
        signs.push(Sign::SectionNames);
    }
    let pair = h.upx_pair();
    if let Some((_, i1)) = pair {
        let from = (h.sections[i1].raw_ptr as usize).saturating_sub(64);
        let window = bytes.get(..(from + 1024).min(bytes.len())).unwrap_or(bytes);
        if find(window, MAGIC, from).is_some() {
            signs.push(Sign::Magic);
        }
        signs.push(Sign::Layout);
    }
    (!signs.is_empty()).then_some(Detection {
        format: h.format,
        signs,
    })
}

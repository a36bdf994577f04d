//! Bounds-checked integer reads. Every header field of a packed file is attacker-controlled, so
//! every read returns `None` past the end instead of panicking, and callers turn that into a
//! `Failed` outcome.

/// Byte order of the packed program. UPX writes its block records in the target's order (an ELF
/// for big-endian MIPS has big-endian block sizes), but its magics always little-endian.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endian {
    Little,
    Big,
}

impl Endian {
    pub(crate) fn u16(self, b: &[u8], at: usize) -> Option<u16> {
        let a: [u8; 2] = b.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u16::from_le_bytes(a),
            Endian::Big => u16::from_be_bytes(a),
        })
    }

    pub(crate) fn u32(self, b: &[u8], at: usize) -> Option<u32> {
        let a: [u8; 4] = b.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u32::from_le_bytes(a),
            Endian::Big => u32::from_be_bytes(a),
        })
    }

    pub(crate) fn u64(self, b: &[u8], at: usize) -> Option<u64> {
        let a: [u8; 8] = b.get(at..at.checked_add(8)?)?.try_into().ok()?;
        Some(match self {
            Endian::Little => u64::from_le_bytes(a),
            Endian::Big => u64::from_be_bytes(a),
        })
    }
}

pub(crate) fn le16(b: &[u8], at: usize) -> Option<u16> {
    Endian::Little.u16(b, at)
}

pub(crate) fn le32(b: &[u8], at: usize) -> Option<u32> {
    Endian::Little.u32(b, at)
}

pub(crate) fn le64(b: &[u8], at: usize) -> Option<u64> {
    Endian::Little.u64(b, at)
}

/// Rounds up to a multiple of four: UPX pads between its regions to four bytes.
pub(crate) fn up4(n: usize) -> usize {
    n.saturating_add(3) & !3
}

/// First position of `needle` in `hay` at or after `from`; the searches here look for short
/// magics over a few kilobytes, where a plain window scan is fast enough.
pub(crate) fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    let tail = hay.get(from..)?;
    tail.windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

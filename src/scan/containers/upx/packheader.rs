//! UPX's pack header: 32 bytes starting with the `UPX!` magic that record the version, target
//! format, method, filter and the sizes and Adler-32 sums of the data. Nothing at run time reads
//! it (the loader has its own copies), so droppers overwrite it freely; here it is parsed
//! whatever its magic says and then compared with what the data proves, and each disagreement
//! becomes a `Tampering`.

use super::bytes::{le32, Endian};

/// `UPX!` as UPX stores it, little-endian whatever the target.
pub(crate) const MAGIC: &[u8; 4] = b"UPX!";
/// Size of the header for every format we unpack (DOS formats use shorter ones).
pub(crate) const SIZE: usize = 32;

#[derive(Clone, Debug)]
pub(crate) struct PackHeader {
    pub(crate) offset: usize,
    pub(crate) magic_ok: bool,
    pub(crate) checksum_ok: bool,
    pub(crate) version: u8,
    pub(crate) format: u8,
    pub(crate) method: u8,
    pub(crate) level: u8,
    pub(crate) u_adler: u32,
    pub(crate) c_adler: u32,
    pub(crate) u_len: u32,
    pub(crate) c_len: u32,
    pub(crate) u_file_size: u32,
    pub(crate) filter: u8,
    pub(crate) filter_cto: u8,
}

/// The header's own check byte: the sum of its bytes after the magic, modulo 251.
fn check_byte(h: &[u8]) -> u8 {
    let sum: u32 = h[4..SIZE - 1].iter().map(|&b| u32::from(b)).sum();
    (sum % 251) as u8
}

impl PackHeader {
    /// Reads the 32 bytes at `at` as a pack header, whether or not the magic is intact. Formats
    /// 128 and up are big-endian targets, whose header stores its numbers in another order.
    pub(crate) fn parse_at(file: &[u8], at: usize) -> Option<PackHeader> {
        let h = file.get(at..at.checked_add(SIZE)?)?;
        let format = h[5];
        let big = format >= 128;
        let e = if big { Endian::Big } else { Endian::Little };
        let (u_adler, c_adler, u_len, c_len) = if big {
            (e.u32(h, 16)?, e.u32(h, 20)?, e.u32(h, 8)?, e.u32(h, 12)?)
        } else {
            (le32(h, 8)?, le32(h, 12)?, le32(h, 16)?, le32(h, 20)?)
        };
        Some(PackHeader {
            offset: at,
            magic_ok: &h[..4] == MAGIC,
            checksum_ok: h[SIZE - 1] == check_byte(h),
            version: h[4],
            format,
            method: h[6],
            level: h[7],
            u_adler,
            c_adler,
            u_len,
            c_len,
            u_file_size: e.u32(h, 24)?,
            filter: h[28],
            filter_cto: h[29],
        })
    }

    /// Whether version, format and method look like something UPX writes (3.x and 4.x write
    /// versions 11 to 14; the range leaves room for the next few).
    pub(crate) fn fields_plausible(&self, formats: &[u8]) -> bool {
        (10..=20).contains(&self.version)
            && formats.contains(&self.format)
            && super::method::Method::from_id(self.method).is_some()
            && (1..=10).contains(&(self.level & 15))
    }
}

/// Looks for a pack header in `from..to` by its magic, or, when the magic is gone, by its shape:
/// plausible version, format, method and level bytes (a chance of about one in four million per
/// offset for unrelated bytes), whether or not a dropper left the check byte right.
pub(crate) fn find(file: &[u8], from: usize, to: usize, formats: &[u8]) -> Option<PackHeader> {
    let to = to.min(file.len());
    if from >= to {
        return None;
    }
    if let Some(at) = super::bytes::find(&file[..to], MAGIC, from) {
        if let Some(h) = PackHeader::parse_at(file, at) {
            return Some(h);
        }
    }
    (from..to.saturating_sub(SIZE - 1))
        .filter(|&at| formats.contains(&file[at + 5]))
        .filter_map(|at| PackHeader::parse_at(file, at))
        .find(|h| h.fields_plausible(formats))
}

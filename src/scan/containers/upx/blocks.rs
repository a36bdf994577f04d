//! UPX's block chain for ELF: a run of records `{uncompressed size, compressed size, method,
//! filter id, filter marker, spare}` each followed by its compressed bytes. The runtime loader
//! walks exactly this chain, so unlike the pack header it cannot be faked without breaking the
//! program; it is what a tampered file is recovered from.
//!
//! The chain is read strictly forward and every record consumes at least 13 bytes, so no input
//! can make it loop; each block's size is checked against the room its segment and the output
//! budget leave before anything is allocated.

use super::adler;
use super::bytes::Endian;
use super::filter;
use super::method::{self, Method};
use super::outcome::FailReason;
use super::packheader::MAGIC;

pub(crate) const RECORD: usize = 12;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Record {
    pub(crate) at: usize,
    pub(crate) sz_unc: u32,
    pub(crate) sz_cpr: u32,
    pub(crate) method: u8,
    pub(crate) ftid: u8,
    pub(crate) cto: u8,
    pub(crate) spare: u8,
}

impl Record {
    pub(crate) fn read(file: &[u8], at: usize, e: Endian) -> Option<Record> {
        let b = file.get(at..at.checked_add(RECORD)?)?;
        Some(Record {
            at,
            sz_unc: e.u32(b, 0)?,
            sz_cpr: e.u32(b, 4)?,
            method: b[8],
            ftid: b[9],
            cto: b[10],
            spare: b[11],
        })
    }

    /// The end-of-blocks record: size zero, with `UPX!` (always little-endian) in place of the
    /// compressed size unless a dropper overwrote it.
    pub(crate) fn is_end(&self) -> bool {
        self.sz_unc == 0
    }

    pub(crate) fn end_magic_ok(&self, file: &[u8]) -> bool {
        file.get(self.at + 4..self.at + 8) == Some(MAGIC.as_slice())
    }

    /// Whether this looks like a block UPX wrote: a stored block (same sizes, no method) or a
    /// compressed one with a method we know. Used to recognise blocks when searching.
    pub(crate) fn plausible(&self) -> bool {
        let stored = self.sz_cpr == self.sz_unc && self.method == 0 && self.ftid == 0;
        let packed = self.sz_cpr < self.sz_unc && Method::from_id(self.method).is_some();
        self.sz_unc > 0 && self.sz_cpr > 0 && self.spare == 0 && (stored || packed)
    }
}

/// Reads blocks forward from `pos`, keeping UPX's running checksums and what methods and filters
/// were seen.
pub(crate) struct Chain<'a> {
    file: &'a [u8],
    endian: Endian,
    pub(crate) pos: usize,
    pub(crate) c_adler: u32,
    pub(crate) u_adler: u32,
    pub(crate) methods: Vec<Method>,
    pub(crate) filters: Vec<u8>,
    pub(crate) filters_undone: bool,
    pub(crate) largest_block: u32,
    /// Bytes this chain (and the trials that share its allowance) may still decode. Searching
    /// for blocks after the loader tries several starts; this keeps their total work within a
    /// small multiple of the output limit, however many look plausible.
    pub(crate) work_left: u64,
    scratch: Vec<u8>,
}

impl<'a> Chain<'a> {
    pub(crate) fn new(file: &'a [u8], endian: Endian, pos: usize) -> Chain<'a> {
        Chain {
            file,
            endian,
            pos,
            c_adler: 1,
            u_adler: 1,
            methods: Vec::new(),
            filters: Vec::new(),
            filters_undone: true,
            largest_block: 0,
            work_left: u64::MAX,
            scratch: Vec::new(),
        }
    }

    pub(crate) fn peek(&self) -> Result<Record, FailReason> {
        Record::read(self.file, self.pos, self.endian).ok_or(FailReason::Truncated)
    }

    /// Decodes the next block, which may produce at most `room` bytes, and returns its bytes.
    /// `room_is_budget` says whether running out of room means the output limit (rather than the
    /// block crossing the end of its segment).
    fn block(&mut self, room: u64, room_is_budget: bool) -> Result<&[u8], FailReason> {
        let r = self.peek()?;
        if r.sz_cpr == 0 || r.sz_cpr > r.sz_unc || (r.sz_cpr < r.sz_unc && r.method == 0) {
            return Err(FailReason::BadBlockRecord { offset: r.at });
        }
        if u64::from(r.sz_unc) > room {
            return Err(if room_is_budget {
                FailReason::OutputLimit
            } else {
                FailReason::BlockCrossesSegment { offset: r.at }
            });
        }
        if u64::from(r.sz_unc) > self.work_left {
            return Err(FailReason::OutputLimit);
        }
        let start = r.at + RECORD;
        let src = self
            .file
            .get(start..start + r.sz_cpr as usize)
            .ok_or(FailReason::Truncated)?;
        self.scratch.clear();
        if r.sz_cpr == r.sz_unc {
            self.scratch.extend_from_slice(src);
        } else {
            let m = Method::from_id(r.method).ok_or(FailReason::UnsupportedMethod(r.method))?;
            method::decompress(m, src, &mut self.scratch, r.sz_unc as usize).map_err(|error| {
                FailReason::BadBlock {
                    offset: r.at,
                    error,
                }
            })?;
            note(&mut self.methods, m);
            if r.ftid != 0 {
                note(&mut self.filters, r.ftid);
                // Blocks are filtered on their own, as if each started the image.
                self.filters_undone &= filter::unfilter(r.ftid, r.cto, 0, &mut self.scratch);
            }
        }
        self.c_adler = adler::update(self.c_adler, src);
        self.u_adler = adler::update(self.u_adler, &self.scratch);
        self.largest_block = self.largest_block.max(r.sz_unc);
        self.work_left -= u64::from(r.sz_unc);
        self.pos = start + r.sz_cpr as usize;
        Ok(&self.scratch)
    }

    /// Decodes blocks until exactly `want` bytes came out, handing each block's bytes to `sink`.
    pub(crate) fn extent(
        &mut self,
        want: u64,
        mut sink: impl FnMut(&[u8]) -> Result<(), FailReason>,
    ) -> Result<(), FailReason> {
        let mut left = want;
        while left > 0 {
            let bytes = self.block(left, false)?;
            left -= bytes.len() as u64;
            sink(bytes)?;
        }
        Ok(())
    }

    /// Decodes blocks up to the end-of-blocks record (not consumed), for a part of the file whose
    /// size no trustworthy field gives. `budget` caps the total.
    pub(crate) fn until_end(
        &mut self,
        budget: u64,
        mut sink: impl FnMut(&[u8]) -> Result<(), FailReason>,
    ) -> Result<u64, FailReason> {
        let mut total = 0u64;
        while !self.peek()?.is_end() {
            let bytes = self.block(budget - total, true)?;
            total += bytes.len() as u64;
            sink(bytes)?;
        }
        Ok(total)
    }
}

/// Adds `x` to a small sorted set.
pub(crate) fn note<T: Ord + Copy>(set: &mut Vec<T>, x: T) {
    if let Err(i) = set.binary_search(&x) {
        set.insert(i, x);
    }
}

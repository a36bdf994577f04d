//! The NRV2B, NRV2D and NRV2E decompressors (UCL's formats, UPX's default methods), each with the
//! three bit-buffer widths UPX writes: 32-bit little-endian words, bytes, and 16-bit words.
//!
//! The three formats share one shape: a literal flag bit, then an Elias-gamma-coded match offset
//! (high part) plus one byte (low part), then a gamma-coded length. They differ only in how offset
//! and length bits interleave, so one loop takes the format's two codes as plain functions.
//! Every loop here consumes input or produces output, and gamma codes are capped, so time is
//! bounded by the input and output sizes; the output never grows past `want`.

use super::decode_error::DecodeError;

/// The compressed bytes and the read position, shared by the bit reader and the byte reads that
/// carry low offset bits.
struct Input<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Input<'_> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = *self.data.get(self.pos).ok_or(DecodeError::InputOverrun)?;
        self.pos += 1;
        Ok(b)
    }
}

/// A source of control bits. The width only changes how bits are buffered, never their meaning.
trait Bits: Default {
    fn bit(&mut self, input: &mut Input) -> Result<u32, DecodeError>;
}

/// 32 bits at a time, little-endian, most significant bit first (UPX's `_le32` methods).
#[derive(Default)]
struct Le32 {
    word: u32,
    left: u32,
}

impl Bits for Le32 {
    #[inline(always)]
    fn bit(&mut self, input: &mut Input) -> Result<u32, DecodeError> {
        if self.left == 0 {
            let at = input.pos;
            let w = input
                .data
                .get(at..at + 4)
                .ok_or(DecodeError::InputOverrun)?;
            self.word = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
            input.pos += 4;
            self.left = 32;
        }
        self.left -= 1;
        Ok((self.word >> self.left) & 1)
    }
}

/// One byte at a time (UPX's `_8` methods). A sentinel bit below the data marks when the byte
/// is used up, so no counter is kept.
#[derive(Default)]
struct Byte {
    buf: u32,
}

impl Bits for Byte {
    #[inline(always)]
    fn bit(&mut self, input: &mut Input) -> Result<u32, DecodeError> {
        self.buf = if self.buf & 0x7f != 0 {
            self.buf.wrapping_mul(2)
        } else {
            u32::from(input.byte()?) * 2 + 1
        };
        Ok((self.buf >> 8) & 1)
    }
}

/// 16 bits at a time, little-endian (UPX's `_le16` methods, used for DOS targets), with the same
/// sentinel trick as `Byte`.
#[derive(Default)]
struct Le16 {
    buf: u32,
}

impl Bits for Le16 {
    #[inline(always)]
    fn bit(&mut self, input: &mut Input) -> Result<u32, DecodeError> {
        self.buf = self.buf.wrapping_mul(2);
        if self.buf & 0xffff == 0 {
            let lo = u32::from(input.byte()?);
            let hi = u32::from(input.byte()?);
            self.buf = (lo | hi << 8) * 2 + 1;
        }
        Ok((self.buf >> 16) & 1)
    }
}

/// Which of the three formats; see `offset_code` and `length_code`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Nrv {
    B,
    D,
    E,
}

/// Width of the bit buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Width {
    Le32,
    Byte,
    Le16,
}

/// Largest high offset part a valid stream can hold; above it the stream is corrupt.
const MAX_OFFSET_HIGH: u32 = 0x00ff_ffff + 3;

/// Decompresses one stream, appending exactly `want` bytes to `out` (or failing). Back-references
/// may reach only bytes this call appended. Returns how many input bytes the stream used.
pub(crate) fn decompress(
    kind: Nrv,
    width: Width,
    src: &[u8],
    out: &mut Vec<u8>,
    want: usize,
) -> Result<usize, DecodeError> {
    match width {
        Width::Le32 => run::<Le32>(kind, src, out, want),
        Width::Byte => run::<Byte>(kind, src, out, want),
        Width::Le16 => run::<Le16>(kind, src, out, want),
    }
}

/// State of one decoding run that the offset and length codes need.
struct Run<'a, B> {
    input: Input<'a>,
    bits: B,
    want: usize,
}

impl<B: Bits> Run<'_, B> {
    #[inline(always)]
    fn bit(&mut self) -> Result<u32, DecodeError> {
        self.bits.bit(&mut self.input)
    }

    /// The gamma code for long lengths: pairs of (data bit, stop bit) after an implicit 1.
    fn gamma_length(&mut self) -> Result<u32, DecodeError> {
        let mut len = 1u32;
        loop {
            let bit = self.bit()?;
            len = len
                .checked_mul(2)
                .map(|l| l + bit)
                .ok_or(DecodeError::OutputOverrun)?;
            if len as usize >= self.want {
                return Err(DecodeError::OutputOverrun);
            }
            if self.bit()? == 1 {
                return Ok(len);
            }
        }
    }
}

/// Reads a match offset: `None` is the end-of-stream mark, `Some((offset, low_bit))` a new or
/// repeated offset, where `low_bit` is the bit NRV2D/E steal from the offset byte for the length.
fn offset_code<B: Bits>(
    kind: Nrv,
    r: &mut Run<B>,
    last: &mut u32,
) -> Result<Option<(u32, Option<u32>)>, DecodeError> {
    let mut high = 1u32;
    loop {
        high = high * 2 + r.bit()?;
        if high > MAX_OFFSET_HIGH {
            return Err(DecodeError::LookBehind);
        }
        if kind == Nrv::B {
            if r.bit()? == 1 {
                break;
            }
        } else {
            if r.bit()? == 1 {
                break;
            }
            high = (high - 1) * 2 + r.bit()?;
        }
    }
    if high == 2 {
        // "Same offset as last time": NRV2D/E then spend one bit on the length.
        let low = if kind == Nrv::B { None } else { Some(r.bit()?) };
        return Ok(Some((*last, low)));
    }
    let off = (high - 3) * 256 + u32::from(r.input.byte()?);
    if off == u32::MAX {
        return Ok(None);
    }
    if kind == Nrv::B {
        *last = off + 1;
        return Ok(Some((*last, None)));
    }
    let low = (off ^ u32::MAX) & 1;
    *last = (off >> 1) + 1;
    Ok(Some((*last, Some(low))))
}

/// Reads a match length (the number of bytes copied minus one) for a given offset.
fn length_code<B: Bits>(
    kind: Nrv,
    r: &mut Run<B>,
    off: u32,
    low: Option<u32>,
) -> Result<u32, DecodeError> {
    let len = match (kind, low) {
        (Nrv::B, _) | (_, None) => {
            let l = r.bit()? * 2 + r.bit()?;
            if l == 0 {
                r.gamma_length()? + 2
            } else {
                l
            }
        }
        (Nrv::D, Some(low)) => {
            let l = low * 2 + r.bit()?;
            if l == 0 {
                r.gamma_length()? + 2
            } else {
                l
            }
        }
        (Nrv::E, Some(1)) => 1 + r.bit()?,
        (Nrv::E, Some(_)) => {
            if r.bit()? == 1 {
                3 + r.bit()?
            } else {
                r.gamma_length()? + 3
            }
        }
    };
    let far = if kind == Nrv::B { 0xd00 } else { 0x500 };
    Ok(len.saturating_add(u32::from(off > far)))
}

fn run<B: Bits>(
    kind: Nrv,
    src: &[u8],
    out: &mut Vec<u8>,
    want: usize,
) -> Result<usize, DecodeError> {
    let base = out.len();
    let end = base + want;
    out.reserve(want);
    let mut r = Run {
        input: Input { data: src, pos: 0 },
        bits: B::default(),
        want,
    };
    let mut last = 1u32;
    loop {
        while r.bit()? == 1 {
            if out.len() >= end {
                return Err(DecodeError::OutputOverrun);
            }
            let b = r.input.byte()?;
            out.push(b);
        }
        let Some((off, low)) = offset_code(kind, &mut r, &mut last)? else {
            break;
        };
        let count = length_code(kind, &mut r, off, low)? as usize + 1;
        let (off, have) = (off as usize, out.len() - base);
        if off > have {
            return Err(DecodeError::LookBehind);
        }
        if count > end - out.len() {
            return Err(DecodeError::OutputOverrun);
        }
        copy_match(out, off, count);
    }
    if out.len() != end {
        return Err(DecodeError::ShortOutput);
    }
    Ok(r.input.pos)
}

/// Appends `count` bytes starting `off` bytes back; the ranges overlap when `off < count`, which
/// is how LZ77 encodes runs, so that case copies byte by byte.
#[inline(always)]
fn copy_match(out: &mut Vec<u8>, off: usize, count: usize) {
    let from = out.len() - off;
    if off >= count {
        out.extend_from_within(from..from + count);
    } else {
        for i in 0..count {
            let b = out[from + i];
            out.push(b);
        }
    }
}

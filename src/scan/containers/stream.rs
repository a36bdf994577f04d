//! Single-file compressed streams: gzip, xz, bzip2, zstd and lzma-alone. Each is decompressed in
//! memory, metered against the file's budget (output cap, per-stream ratio, time bounded by the
//! output since every decoder here either consumes input or produces output), and yields one
//! member named after the file without its suffix, or, when the output is a tar, the tar's members
//! directly: a compressed tar is one layer, as gzip+tar always was.
//!
//! A stream that breaks part-way (truncated, corrupt, trailing garbage) still hands over what it
//! decoded, so that appending junk cannot hide the content; the break is reported. A stream
//! stopped by a limit hands over its first bytes as a header view.

use std::io::{self, Read};

use super::budget::{Budget, Metered, Problem};
use super::member::{hand_over, inner_name, read_member, Handed, Read1, Visit};
use super::zstd::ZstdFrames;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StreamFormat {
    Gzip,
    Xz,
    Bzip2,
    Zstd,
    /// The legacy `.lzma` format (LZMA-alone): 13-byte header, no magic.
    LzmaAlone,
}

impl StreamFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            StreamFormat::Gzip => "gzip",
            StreamFormat::Xz => "xz",
            StreamFormat::Bzip2 => "bzip2",
            StreamFormat::Zstd => "zstd",
            StreamFormat::LzmaAlone => "lzma",
        }
    }
}

/// The stream format `bytes` starts with. LZMA-alone has no magic, so it is taken only when the
/// name says `.lzma`/`.tlz` and the header is valid, or when the header has the exact shape
/// `xz --format=lzma` and `lzma` write (default properties, a power-of-two dictionary).
pub fn sniff(bytes: &[u8], file_name: &str) -> Option<StreamFormat> {
    if bytes.starts_with(b"\x1f\x8b") {
        return Some(StreamFormat::Gzip);
    }
    if bytes.starts_with(b"\xfd7zXZ\0") {
        return Some(StreamFormat::Xz);
    }
    if bytes.len() > 4 && bytes.starts_with(b"BZh") && (b'1'..=b'9').contains(&bytes[3]) {
        return Some(StreamFormat::Bzip2);
    }
    if bytes.starts_with(&super::zstd::FRAME_MAGIC) {
        return Some(StreamFormat::Zstd);
    }
    let lower = file_name.to_ascii_lowercase();
    let named = lower.ends_with(".lzma") || lower.ends_with(".tlz");
    match lzma_alone_header(bytes) {
        Some(h) if named || h.looks_default() => Some(StreamFormat::LzmaAlone),
        _ => None,
    }
}

/// The 13-byte LZMA-alone header.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LzmaAloneHeader {
    pub props: u8,
    pub dict: u32,
    /// `None` when the size is unknown (all ones: an end marker closes the stream).
    pub size: Option<u64>,
}

impl LzmaAloneHeader {
    fn looks_default(&self) -> bool {
        self.props == 0x5d
            && self.dict.is_power_of_two()
            && self.dict >= 1 << 12
            && self.size.is_none_or(|s| s < 1 << 40)
    }
}

pub(crate) fn lzma_alone_header(bytes: &[u8]) -> Option<LzmaAloneHeader> {
    let h = bytes.get(..13)?;
    let props = h[0];
    // lc + lp <= 4 is what every encoder writes (and LZMA2 requires); props < 225 in any case.
    let (lc, lp) = (props % 9, (props / 9) % 5);
    if props >= 225 || lc + lp > 4 {
        return None;
    }
    let dict = u32::from_le_bytes(h[1..5].try_into().ok()?);
    let size = u64::from_le_bytes(h[5..13].try_into().ok()?);
    Some(LzmaAloneHeader {
        props,
        dict,
        size: (size != u64::MAX).then_some(size),
    })
}

/// The decompressing reader for `format` over `bytes`, and the size its header declares (if any).
pub(crate) fn decoder<'a>(
    format: StreamFormat,
    bytes: &'a [u8],
    budget: &Budget,
) -> io::Result<(Box<dyn Read + 'a>, Option<u64>)> {
    Ok(match format {
        StreamFormat::Gzip => (Box::new(flate2::read::MultiGzDecoder::new(bytes)), None),
        StreamFormat::Xz => (Box::new(lzma_rust2::XzReader::new(bytes, true)), None),
        StreamFormat::Bzip2 => (Box::new(bzip2::read::MultiBzDecoder::new(bytes)), None),
        StreamFormat::Zstd => {
            let frames = ZstdFrames::new(bytes, budget.stream_cap(bytes.len() as u64).min());
            let declared = frames.first_declared_size();
            (Box::new(frames), declared)
        }
        StreamFormat::LzmaAlone => {
            let header = lzma_alone_header(bytes)
                .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad lzma header"))?;
            // The window grows with the output in lzma-rust2, so the declared dictionary size
            // costs nothing by itself; the output is bounded by the meter.
            let reader = lzma_rust2::LzmaReader::new_mem_limit(bytes, u32::MAX, None)?;
            (Box::new(reader), header.size)
        }
    })
}

/// Calls `visit` with the content of the stream in `bytes` (one member, or the members of the tar
/// it holds) and returns this layer's problems.
pub fn members(
    format: StreamFormat,
    bytes: &[u8],
    file_name: &str,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Vec<Problem> {
    let what = format!("{} stream", format.as_str());
    let (reader, declared) = match decoder(format, bytes, budget) {
        Ok(d) => d,
        Err(e) => return vec![Problem::corrupt(format!("{what}: {e}"))],
    };
    let mut meter = Metered::new(reader, budget, bytes.len() as u64, what.clone());
    let mut head = Vec::with_capacity(512);
    let head_error = (&mut meter).take(512).read_to_end(&mut head).err();
    if head_error.is_none() && super::tar::is_tar(&head) {
        let mut chained = io::Cursor::new(head).chain(&mut meter);
        let mut outcome = super::tar::members(&mut chained, budget, visit);
        if outcome.is_ok() {
            // The tar ends before its stream does (padding, or whatever follows the end
            // marker): read the rest so that a broken or truncated stream is still noticed.
            if let Err(e) = io::copy(&mut chained, &mut io::sink()) {
                outcome = Err(Problem::corrupt(format!("after the tar: {e}")));
            }
        }
        return match (meter.take_stop(), outcome) {
            (Some(limit), _) => vec![limit],
            (None, Err(p)) => vec![p.context(&what)],
            (None, Ok(problems)) => problems,
        };
    }
    if let Err(p) = budget.take_member() {
        return vec![p];
    }
    let name = inner_name(file_name);
    let (read, error) = match head_error {
        Some(e) => (Read1::Whole(head), Some(e)),
        None => {
            let mut chained = io::Cursor::new(head).chain(&mut meter);
            read_member(&mut chained, declared, budget)
        }
    };
    let limit = meter.take_stop();
    match hand_over(name, read, error, limit, visit) {
        Handed::Whole => Vec::new(),
        Handed::Limit(limit) => vec![limit],
        Handed::Broken(e) => vec![Problem::corrupt(format!(
            "{what}: {e} after {} bytes",
            meter.out()
        ))],
    }
}

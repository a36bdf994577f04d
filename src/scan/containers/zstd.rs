//! zstd streams: one or more frames (and skippable frames) decoded one after the other by ruzstd.
//! ruzstd decodes a single frame and leaves the checks of the whole to its caller, so this reader
//! adds them: the content checksum when the frame has one, and the content size a frame declares
//! (a frame that decompresses past its declared size is corrupt, not merely long). The window a
//! frame header asks for is reserved up front by ruzstd, so it is capped by what this stream may
//! produce (a window larger than the whole output is never used), with a floor for real streams.

use std::io::{self, Read};

use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

pub(crate) const FRAME_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

/// Windows up to this size are accepted whatever the output cap (zstd -19 uses 8 MiB).
const MIN_WINDOW_CAP: u64 = 8 << 20;
/// ruzstd's own ceiling.
const MAX_WINDOW_CAP: u64 = 128 << 20;

fn le(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .rev()
        .fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// The content size a frame header declares, if it declares one; `None` for a malformed header.
pub(crate) fn declared_size(frame: &[u8]) -> Option<Option<u64>> {
    if !frame.starts_with(&FRAME_MAGIC) {
        return None;
    }
    let descriptor = *frame.get(4)?;
    if descriptor & 0x08 != 0 {
        return None; // reserved bit
    }
    let single_segment = descriptor & 0x20 != 0;
    let dict_len = [0, 1, 2, 4][usize::from(descriptor & 3)];
    let fcs_len = match descriptor >> 6 {
        0 if single_segment => 1,
        0 => 0,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let at = 5 + usize::from(!single_segment) + dict_len;
    let field = frame.get(at..at + fcs_len)?;
    Some(match fcs_len {
        0 => None,
        2 => Some(le(field) + 256),
        _ => Some(le(field)),
    })
}

/// Every frame of a zstd stream in turn.
pub(crate) struct ZstdFrames<'a> {
    rest: &'a [u8],
    frame: Option<StreamingDecoder<&'a [u8], FrameDecoder>>,
    declared: Option<u64>,
    produced: u64,
    max_window: u64,
    /// Stop after the first frame (a carved stream ends where its frame does).
    single: bool,
    done: bool,
}

impl<'a> ZstdFrames<'a> {
    /// `output_cap` is the most this stream may produce.
    pub(crate) fn new(bytes: &'a [u8], output_cap: u64) -> Self {
        ZstdFrames {
            rest: bytes,
            frame: None,
            declared: None,
            produced: 0,
            max_window: output_cap.clamp(MIN_WINDOW_CAP, MAX_WINDOW_CAP),
            single: false,
            done: false,
        }
    }

    /// Reads only the first frame.
    pub(crate) fn single_frame(mut self) -> Self {
        self.single = true;
        self
    }

    /// The content size the first frame declares, when it is the only thing a reader can trust
    /// ahead of time.
    pub(crate) fn first_declared_size(&self) -> Option<u64> {
        declared_size(self.rest).flatten()
    }

    /// Skips skippable frames; false at the end of the input.
    fn skip_skippable(&mut self) -> io::Result<bool> {
        loop {
            if self.rest.is_empty() {
                return Ok(false);
            }
            let head = self
                .rest
                .get(..8)
                .ok_or_else(|| invalid("truncated frame header"))?;
            if head[0] & 0xf0 == 0x50 && head[1..4] == [0x2a, 0x4d, 0x18] {
                let len = le(&head[4..8]);
                let end = 8u64.saturating_add(len);
                if end > self.rest.len() as u64 {
                    return Err(invalid("skippable frame runs past the end"));
                }
                self.rest = &self.rest[end as usize..];
                continue;
            }
            return Ok(true);
        }
    }

    fn start_frame(&mut self) -> io::Result<bool> {
        if !self.skip_skippable()? {
            return Ok(false);
        }
        self.declared =
            declared_size(self.rest).ok_or_else(|| invalid("bytes after the last frame"))?;
        self.produced = 0;
        let decoder = StreamingDecoder::new_with_max_window_size(self.rest, self.max_window)
            .map_err(|e| invalid(&format!("frame header: {e}")))?;
        self.frame = Some(decoder);
        Ok(true)
    }

    /// Checks a finished frame and moves past it.
    fn finish_frame(&mut self) -> io::Result<()> {
        let Some(frame) = self.frame.take() else {
            return Ok(());
        };
        if let Some(d) = self.declared.filter(|&d| d != self.produced) {
            return Err(invalid(&format!(
                "frame declares {d} bytes and holds {}",
                self.produced
            )));
        }
        let from_data = frame.decoder.get_checksum_from_data();
        let computed = frame.decoder.get_calculated_checksum();
        if let (Some(a), Some(b)) = (from_data, computed) {
            if a != b {
                return Err(invalid("content checksum mismatch"));
            }
        }
        self.rest = frame.into_inner();
        Ok(())
    }
}

fn invalid(message: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {message}"))
}

impl Read for ZstdFrames<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            if self.frame.is_none() && !self.start_frame()? {
                return Ok(0);
            }
            let frame = self.frame.as_mut().expect("frame started above");
            let n = frame.read(buf)?;
            if n > 0 {
                self.produced += n as u64;
                if self.declared.is_some_and(|d| self.produced > d) {
                    return Err(invalid("frame decompresses past its declared size"));
                }
                return Ok(n);
            }
            if !frame.decoder.is_finished() {
                return Err(invalid("truncated frame"));
            }
            self.finish_frame()?;
            self.done = self.single;
        }
    }
}

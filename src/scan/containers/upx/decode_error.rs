//! The one error type of the decompressors, kept apart from the method dispatch so that the
//! decoders and the dispatcher do not depend on each other.

use std::fmt;

/// Why a compressed stream could not be decoded. All of them mean corrupt or hostile data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// The stream needs more bytes than it has.
    InputOverrun,
    /// The stream would produce more bytes than its block declares.
    OutputOverrun,
    /// The stream ended before producing the declared size.
    ShortOutput,
    /// A back-reference points before the start of the block.
    LookBehind,
    /// UPX's two-byte LZMA header is not valid.
    LzmaHeader,
    /// The LZMA decoder rejected the stream.
    Lzma,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(match self {
            DecodeError::InputOverrun => "compressed stream truncated",
            DecodeError::OutputOverrun => "stream decompresses past its declared size",
            DecodeError::ShortOutput => "stream ends before its declared size",
            DecodeError::LookBehind => "back-reference before the start of the block",
            DecodeError::LzmaHeader => "bad LZMA properties",
            DecodeError::Lzma => "corrupt LZMA stream",
        })
    }
}

//! UPX's compression methods, named by the byte UPX stores in every block record and pack header,
//! and the one place that sends a block to the right decompressor.

use std::fmt;

use super::decode_error::DecodeError;
use super::lzma;
use super::nrv::{self, Nrv, Width};

/// A compression method UPX can write. The NRV methods come in bit-buffer widths (`Le32`, `8`,
/// `Le16`); UPX picks `Le32` for i386/amd64 targets and `8` for most others.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Method {
    Nrv2bLe32,
    Nrv2b8,
    Nrv2bLe16,
    Nrv2dLe32,
    Nrv2d8,
    Nrv2dLe16,
    Nrv2eLe32,
    Nrv2e8,
    Nrv2eLe16,
    Lzma,
}

impl Method {
    /// Every method, in UPX's numbering order.
    pub const ALL: [Method; 10] = [
        Method::Nrv2bLe32,
        Method::Nrv2b8,
        Method::Nrv2bLe16,
        Method::Nrv2dLe32,
        Method::Nrv2d8,
        Method::Nrv2dLe16,
        Method::Nrv2eLe32,
        Method::Nrv2e8,
        Method::Nrv2eLe16,
        Method::Lzma,
    ];

    /// The method for UPX's method byte, if we can decode it (deflate and zstd, which UPX
    /// reserves but does not use for these formats, are not).
    pub(crate) fn from_id(id: u8) -> Option<Method> {
        Some(match id {
            2 => Method::Nrv2bLe32,
            3 => Method::Nrv2b8,
            4 => Method::Nrv2bLe16,
            5 => Method::Nrv2dLe32,
            6 => Method::Nrv2d8,
            7 => Method::Nrv2dLe16,
            8 => Method::Nrv2eLe32,
            9 => Method::Nrv2e8,
            10 => Method::Nrv2eLe16,
            14 => Method::Lzma,
            _ => return None,
        })
    }

    /// UPX's name for the method, as `upx -l` and its options spell it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Nrv2bLe32 => "NRV2B_LE32",
            Method::Nrv2b8 => "NRV2B_8",
            Method::Nrv2bLe16 => "NRV2B_LE16",
            Method::Nrv2dLe32 => "NRV2D_LE32",
            Method::Nrv2d8 => "NRV2D_8",
            Method::Nrv2dLe16 => "NRV2D_LE16",
            Method::Nrv2eLe32 => "NRV2E_LE32",
            Method::Nrv2e8 => "NRV2E_8",
            Method::Nrv2eLe16 => "NRV2E_LE16",
            Method::Lzma => "LZMA",
        }
    }

    fn nrv(self) -> Option<(Nrv, Width)> {
        Some(match self {
            Method::Nrv2bLe32 => (Nrv::B, Width::Le32),
            Method::Nrv2b8 => (Nrv::B, Width::Byte),
            Method::Nrv2bLe16 => (Nrv::B, Width::Le16),
            Method::Nrv2dLe32 => (Nrv::D, Width::Le32),
            Method::Nrv2d8 => (Nrv::D, Width::Byte),
            Method::Nrv2dLe16 => (Nrv::D, Width::Le16),
            Method::Nrv2eLe32 => (Nrv::E, Width::Le32),
            Method::Nrv2e8 => (Nrv::E, Width::Byte),
            Method::Nrv2eLe16 => (Nrv::E, Width::Le16),
            Method::Lzma => return None,
        })
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Decompresses one block, appending exactly `want` bytes to `out`. The caller has already
/// checked `want` against the output budget, so nothing here allocates beyond it.
pub(crate) fn decompress(
    method: Method,
    src: &[u8],
    out: &mut Vec<u8>,
    want: usize,
) -> Result<(), DecodeError> {
    match method.nrv() {
        Some((kind, width)) => nrv::decompress(kind, width, src, out, want).map(|_| ()),
        None => lzma::decompress(src, out, want),
    }
}

/// Decompresses a whole buffer with the named method: the entry point for fuzzing and benches of
/// the decompressors alone.
pub fn decompress_block(method: Method, src: &[u8], want: usize) -> Result<Vec<u8>, DecodeError> {
    let mut out = Vec::new();
    decompress(method, src, &mut out, want)?;
    Ok(out)
}

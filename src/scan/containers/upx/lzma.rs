//! UPX's LZMA blocks: a two-byte header of UPX's own (the literal and position bit counts) in
//! front of a raw LZMA stream with no size and no end mark. The header is checked here and the
//! stream is decoded by lzma-rust2 with the block's declared size as the stopping point.

use std::io::Read;

use super::decode_error::DecodeError;

/// Smallest dictionary worth asking for; tiny blocks still get a normal-sized window.
const MIN_DICT: usize = 4096;

/// The literal-context, literal-position and position bit counts from UPX's header: byte 0 holds
/// `(lc + lp) << 3 | pb`, byte 1 holds `lp << 4 | lc`; the redundancy is a cheap validity check.
fn properties(src: &[u8]) -> Result<(u32, u32, u32), DecodeError> {
    let (&b0, &b1) = match src {
        [b0, b1, ..] => (b0, b1),
        _ => return Err(DecodeError::InputOverrun),
    };
    let (pb, lp, lc) = (u32::from(b0 & 7), u32::from(b1 >> 4), u32::from(b1 & 15));
    if pb > 4 || lp > 4 || lc > 8 || u32::from(b0 >> 3) != lc + lp {
        return Err(DecodeError::LzmaHeader);
    }
    Ok((lc, lp, pb))
}

/// Decodes one block, appending exactly `want` bytes to `out`. The dictionary is the block
/// itself (UPX decodes in place), so asking for `want` bytes of window is both enough and bounded
/// by the output budget. On failure `out` keeps what was decoded: a stream whose true size is
/// unknown is decoded with `want` as a ceiling and cut afterwards.
pub(crate) fn decompress(src: &[u8], out: &mut Vec<u8>, want: usize) -> Result<(), DecodeError> {
    let (lc, lp, pb) = properties(src)?;
    let dict = u32::try_from(want.max(MIN_DICT)).map_err(|_| DecodeError::OutputOverrun)?;
    let mut reader = lzma_rust2::LzmaReader::new(&src[2..], want as u64, lc, lp, pb, dict, None)
        .map_err(|_| DecodeError::Lzma)?;
    // Hand over what was decoded before an error: the unknown-size case needs it, and the
    // known-size case keeps reading to `want`, so a deferred error still surfaces.
    reader.set_defer_errors(true);
    let base = out.len();
    out.resize(base + want, 0);
    let mut filled = 0;
    let mut failure = DecodeError::InputOverrun;
    while filled < want {
        match reader.read(&mut out[base + filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => {
                if e.kind() != std::io::ErrorKind::UnexpectedEof {
                    failure = DecodeError::Lzma;
                }
                break;
            }
        }
    }
    out.truncate(base + filled);
    if filled < want {
        return Err(failure);
    }
    Ok(())
}

//! Fuzzes each decompressor alone: the first byte picks the method, the next two the declared
//! size (up to 64 KiB), the rest is the stream.
#![no_main]

use libfuzzer_sys::fuzz_target;
use minerscan::testing::scan::containers::upx::{decompress_block, Method};

fuzz_target!(|data: &[u8]| {
    let [m, a, b, stream @ ..] = data else { return };
    let method = Method::ALL[usize::from(*m) % Method::ALL.len()];
    let want = usize::from(u16::from_le_bytes([*a, *b]));
    if let Ok(out) = decompress_block(method, stream, want) {
        assert_eq!(out.len(), want);
    }
});

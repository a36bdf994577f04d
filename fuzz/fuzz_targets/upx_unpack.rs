//! Fuzzes the whole unpacker: any bytes, seeded with the packed fixtures. The bound is 64 times
//! the input, as the scanner will pass; the harness checks the output respects it.
#![no_main]

use libfuzzer_sys::fuzz_target;
use minerscan::testing::scan::containers::upx::{unpack, Limits, Outcome};

fuzz_target!(|data: &[u8]| {
    let limits = Limits { max_output: data.len().saturating_mul(64) };
    let _ = minerscan::testing::scan::containers::upx::detect(data);
    if let Outcome::Unpacked(u) = unpack(data, &limits) {
        assert!(u.bytes.len() <= limits.max_output);
    }
});

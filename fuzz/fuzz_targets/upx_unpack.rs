//! The whole UPX unpacker, bounded at 64 times the input.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::upx_unpack(data));

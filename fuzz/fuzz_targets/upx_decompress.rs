//! Each UPX decompressor alone; the first byte picks the method, the next two the size.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::upx_decompress(data));

//! The relaxed JSON parser, then the config analyzer on the same bytes as a .json file.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::relaxed_json(data));

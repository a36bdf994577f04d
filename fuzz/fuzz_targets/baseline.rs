//! A baseline file read and applied; JSON bytes also as the report a baseline is created from.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::baseline(data));

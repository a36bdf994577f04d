//! The command-line judge on every line of a text.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::cmdline(data));

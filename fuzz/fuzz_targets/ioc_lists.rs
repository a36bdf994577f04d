//! An IOC list (plain, Loki, CSV, paths, network) loaded and queried.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::ioc_lists(data));

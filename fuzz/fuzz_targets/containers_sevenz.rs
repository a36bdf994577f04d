//! 7z archives (the signature is supplied, so that every input reaches the header parser).
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::containers_sevenz(data));

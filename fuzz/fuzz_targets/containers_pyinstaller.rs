//! PyInstaller bundles and PYZ archives: the same bytes through both readers.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::containers_pyinstaller(data));

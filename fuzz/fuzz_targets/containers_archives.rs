//! Whatever `detect` recognises (zip, tar, deb, streams, 7z, PyInstaller, PYZ), opened recursively.
//! The body is shared with the corpus replay test: see `minerscan::testing::fuzz`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| minerscan::testing::fuzz::containers_archives(data));

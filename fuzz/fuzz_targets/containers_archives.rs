//! Whatever `detect` recognises (zip, tar, deb, streams, 7z, PyInstaller, PYZ), opened with its
//! members recursively: the zip and tar guards in front of the zip and tar crates.
#![no_main]
use minerscan::testing::scan::containers::{detect, for_each_member, Budget};
use libfuzzer_sys::fuzz_target;

#[path = "containers_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::new(common::limits(), data.len() as u64);
    if let Some(c) = detect(data, "x") {
        let _ = for_each_member(
            c,
            data,
            "x",
            &budget,
            &mut common::visit_recursively(&budget),
        );
    }
});

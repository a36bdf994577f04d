//! PyInstaller bundles and PYZ archives: the same bytes through both readers.
#![no_main]
use minerscan::testing::scan::containers::{for_each_member, Budget, Container};
use libfuzzer_sys::fuzz_target;

#[path = "containers_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    for container in [Container::PyInstaller, Container::Pyz] {
        let budget = Budget::new(common::limits(), data.len() as u64);
        let _ = for_each_member(
            container,
            data,
            "bundle",
            &budget,
            &mut common::visit_recursively(&budget),
        );
    }
});

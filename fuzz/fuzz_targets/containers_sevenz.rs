//! 7z archives (the signature is supplied, so that every input reaches the header parser).
#![no_main]
use minerscan::testing::scan::containers::{for_each_member, Budget, Container};
use libfuzzer_sys::fuzz_target;

#[path = "containers_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::new(common::limits(), data.len() as u64);
    let _ = for_each_member(
        Container::SevenZ,
        data,
        "x.7z",
        &budget,
        &mut common::visit_recursively(&budget),
    );
});

//! Carving: candidates and the members made from them.
#![no_main]
use minerscan::testing::scan::containers::{carve, Budget, CarveOptions};
use libfuzzer_sys::fuzz_target;

#[path = "containers_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let budget = Budget::new(common::limits(), data.len() as u64);
    let _ = carve(
        data,
        &budget,
        &CarveOptions::default(),
        &mut common::visit_recursively(&budget),
    );
});

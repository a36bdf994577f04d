//! Single-file streams: the first byte picks the format (so that every decoder sees every
//! input), the rest is the stream; members that are containers are opened in turn.
#![no_main]
use minerscan::testing::scan::containers::{for_each_member, Budget, Container, StreamFormat};
use libfuzzer_sys::fuzz_target;

#[path = "containers_common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, stream)) = data.split_first() else {
        return;
    };
    let format = [
        StreamFormat::Gzip,
        StreamFormat::Xz,
        StreamFormat::Bzip2,
        StreamFormat::Zstd,
        StreamFormat::LzmaAlone,
    ][usize::from(pick) % 5];
    let budget = Budget::new(common::limits(), stream.len() as u64);
    let _ = for_each_member(
        Container::Stream(format),
        stream,
        "x.tar.lzma",
        &budget,
        &mut common::visit_recursively(&budget),
    );
});

//! Feeds arbitrary bytes to the binary analyzer through the library face, exactly as a scan
//! does for one file: sniff, then analyze if the kind is an executable format. Any panic, hang
//! or huge allocation is a bug (the engine's catch_unwind is a second line, not the first).
#![no_main]

use libfuzzer_sys::fuzz_target;
use minerscan::testing::analyze::binary::BinaryAnalyzer;
use minerscan::testing::analyze::Analyzer;
use minerscan::testing::scan::context::FileContext;
use minerscan::testing::scan::target::Target;

fuzz_target!(|data: &[u8]| {
    // A hidden temporary path named like a kernel thread: the location rules run too.
    let target = Target::for_bytes("/tmp/.fuzz/kworkerds");
    let matcher = minerscan::testing::analyze::builtin_matcher();
    let ctx = FileContext::new(&target, matcher, data, data.len() as u64, false);
    let mut worker = BinaryAnalyzer.worker();
    let mut findings = Vec::new();
    if worker.applies(ctx.kind) {
        let _ = worker.analyze(&ctx, &mut findings);
    }
});

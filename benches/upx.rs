//! UPX unpacking throughput in MB/s of output, for NRV2E and LZMA, on a realistically large packed
//! program. The inputs are not in the repository (a packed system binary is not ours to ship):
//! make them with UPX and point UPX_BENCH_DIR at them, e.g.
//!
//!     upx --nrv2e -o $DIR/ctest.nrv2e /usr/bin/ctest
//!     upx --lzma  -o $DIR/ctest.lzma  /usr/bin/ctest
//!
//! Without UPX_BENCH_DIR the bench uses the packed static fixture (0.7 MB unpacked) from the
//! fixtures, which is smaller than a real miner but always there.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use minerscan::testing::scan::containers::upx::{unpack, Limits, Outcome};

fn inputs() -> Vec<(String, Vec<u8>)> {
    let (dir, names) = match std::env::var_os("UPX_BENCH_DIR") {
        Some(d) => (PathBuf::from(d), ["ctest.nrv2e", "ctest.lzma"]),
        None => (
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/upx/packed"),
            [
                "bin_xmrig_like.elf-static.nrv2e",
                "bin_xmrig_like.elf-static.lzma",
            ],
        ),
    };
    names
        .iter()
        .map(|n| {
            let p = dir.join(n);
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (n.to_string(), bytes)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("unpack");
    group.sample_size(20);
    for (name, packed) in inputs() {
        let limits = Limits {
            max_output: packed.len() * 64,
        };
        let out_len = match unpack(&packed, &limits) {
            Outcome::Unpacked(u) => u.bytes.len(),
            other => panic!("{name}: {other:?}"),
        };
        group.throughput(Throughput::Bytes(out_len as u64));
        group.bench_function(&name, |b| b.iter(|| unpack(&packed, &limits)));
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

//! Hash IOC lists at scale: loading a million SHA-256 entries, one lookup in them, and the
//! per-file cost of the IOC analyzer (hashing plus lookup) against an engine without it.
//! The list is generated in memory (SHA-256 of the counter), so the figures repeat anywhere.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use minerscan::testing::analyze::ioc::IocAnalyzer;
use minerscan::testing::analyze::Analyzer;
use minerscan::testing::knowledge::ioc_lists::{parse_digest, Digest, IocDb};
use minerscan::testing::scan::engine::{Engine, EngineOptions};
use sha2::Digest as _;
use std::fmt::Write as _;
use std::sync::Arc;
use std::time::Duration;

const ENTRIES: usize = 1_000_000;

fn million_sha256_list() -> String {
    let mut s = String::with_capacity(ENTRIES * 80);
    for i in 0..ENTRIES as u64 {
        let d = sha2::Sha256::digest(i.to_le_bytes());
        for b in d {
            let _ = write!(s, "{b:02x}");
        }
        s.push_str(";CoinMiner sample\n");
    }
    s
}

fn load(text: &str) -> IocDb {
    let mut db = IocDb::default();
    db.load("million.txt", text, false);
    db.finish();
    db
}

fn benches(c: &mut Criterion) {
    let text = million_sha256_list();
    let mut g = c.benchmark_group("ioc");
    g.sample_size(10);
    g.throughput(Throughput::Elements(ENTRIES as u64));
    g.bench_function("load_1M_sha256", |b| {
        b.iter(|| load(black_box(&text)).hash_count())
    });
    g.finish();

    let db = load(&text);
    assert_eq!(db.hash_count(), ENTRIES);
    let Some(Digest::Sha256(listed)) =
        parse_digest(&format!("{:x}", sha2::Sha256::digest(77u64.to_le_bytes())))
    else {
        unreachable!()
    };
    let absent = [0x5a; 32];
    let mut g = c.benchmark_group("ioc");
    g.bench_function("lookup_1M/hit", |b| {
        b.iter(|| db.lookup_sha256(black_box(&listed)).is_some())
    });
    g.bench_function("lookup_1M/miss", |b| {
        b.iter(|| db.lookup_sha256(black_box(&absent)).is_some())
    });

    // The whole per-file path through the engine: without any analyzer, and with the IOC
    // analyzer holding the million entries (which adds one SHA-256 and one lookup).
    let file = vec![b'x'; 4096];
    let db = Arc::new(db);
    let bare = Engine::new(Vec::new(), Vec::new(), EngineOptions::default());
    let analyzers: Vec<Box<dyn Analyzer>> = vec![Box::new(IocAnalyzer::new(db.clone()))];
    let with_ioc = Engine::new(analyzers, Vec::new(), EngineOptions::default());
    g.throughput(Throughput::Bytes(file.len() as u64));
    g.bench_function("file_4KiB/no_ioc", |b| {
        b.iter(|| bare.scan_bytes("f", black_box(&file)).findings.len())
    });
    g.bench_function("file_4KiB/ioc_1M", |b| {
        b.iter(|| with_ioc.scan_bytes("f", black_box(&file)).findings.len())
    });
    g.bench_function("sha256_4KiB_alone", |b| {
        b.iter(|| sha2::Sha256::digest(black_box(&file)))
    });
    g.finish();
}

criterion_group! {
    name = ioc;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(ioc);

//! Criterion benches for the hot paths, through the library face: sniffing, the string pass,
//! the shared indicator matcher, each analyzer (through the whole engine on one buffer), the
//! verdict and the JSON writer. Inputs are a real system binary and synthetic text, so the
//! figures repeat on any Debian machine.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use minerscan::testing::analyze::binary::wide_marker_hits;
use minerscan::testing::analyze::yara::{compile, RuleOptions, YaraAnalyzer};
use minerscan::testing::analyze::{registry, Analyzer};
use minerscan::testing::judge::finding::{Class, Finding};
use minerscan::testing::judge::verdict::{judge, prepare};
use minerscan::testing::knowledge::regions::printable_regions;
use minerscan::testing::report::json::JsonReporter;
use minerscan::testing::report::Reporter;
use minerscan::testing::scan::engine::{Engine, EngineOptions};
use minerscan::testing::scan::kind::sniff;
use std::time::Duration;

fn system_binary() -> Vec<u8> {
    for p in ["/usr/bin/bash", "/usr/bin/ls", "/bin/sh"] {
        if let Ok(b) = std::fs::read(p) {
            return b;
        }
    }
    vec![0x7f; 1 << 20]
}

fn script() -> Vec<u8> {
    let mut s = String::new();
    for i in 0..2000 {
        s.push_str(&format!(
            "echo \"step {i}\"; systemctl restart service{i} || true\n"
        ));
    }
    s.push_str("./xmrig -o stratum+tcp://pool.supportxmr.com:3333 --donate-level 1\n");
    s.into_bytes()
}

fn rules() -> YaraAnalyzer {
    YaraAnalyzer::new(
        compile(&RuleOptions {
            builtin: true,
            user_paths: vec![],
            timeout: Duration::from_secs(10),
            cache: None,
        })
        .expect("built-in pack"),
    )
}

fn engine_with(analyzers: Vec<Box<dyn Analyzer>>) -> Engine {
    Engine::new(analyzers, Vec::new(), EngineOptions::default())
}

fn benches(c: &mut Criterion) {
    let bin = system_binary();
    let text = script();

    let mut g = c.benchmark_group("primitives");
    g.throughput(Throughput::Bytes(bin.len() as u64));
    g.bench_function("sniff", |b| b.iter(|| sniff(black_box(&bin), "bash")));
    g.bench_function("regions/binary", |b| {
        b.iter(|| printable_regions(black_box(&bin)).len())
    });
    // The shared pass as the engine runs it on a binary: its printable regions, then the facts
    // and the binary analyzer's needles in one automaton walk over them.
    g.bench_function("shared_pass/binary", |b| {
        b.iter(|| {
            let regions = printable_regions(black_box(&bin));
            minerscan::testing::analyze::builtin_matcher()
                .scan(&bin, Some(&regions), 4096)
                .facts
                .len()
        })
    });
    // The same walk over every byte, as before regions.
    g.bench_function("indicators/binary", |b| {
        b.iter(|| {
            minerscan::testing::analyze::builtin_matcher()
                .find(black_box(&bin), 4096)
                .len()
        })
    });
    g.bench_function("wide_markers/binary", |b| {
        b.iter(|| wide_marker_hits(black_box(&bin)))
    });
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("indicators/script", |b| {
        b.iter(|| {
            minerscan::testing::analyze::builtin_matcher()
                .find(black_box(&text), 4096)
                .len()
        })
    });
    g.finish();

    // Each analyzer alone, through the engine's per-file path, then all of them.
    let mut g = c.benchmark_group("analyzers");
    for (name, input) in [("binary", &bin), ("script", &text)] {
        g.throughput(Throughput::Bytes(input.len() as u64));
        let all = engine_with(registry(rules()));
        g.bench_function(format!("all/{name}"), |b| {
            b.iter(|| all.scan_bytes("f", black_box(input)).findings.len())
        });
        let yara_only = engine_with(vec![Box::new(rules())]);
        g.bench_function(format!("yara/{name}"), |b| {
            b.iter(|| yara_only.scan_bytes("f", black_box(input)).findings.len())
        });
        // YARA alone is benched just above.
        for one in registry(rules())
            .into_iter()
            .filter(|a| a.id().as_str() != "yara")
        {
            let label = format!("{}/{name}", one.id());
            let e = engine_with(vec![one]);
            g.bench_function(label, |b| {
                b.iter(|| e.scan_bytes("f", black_box(input)).findings.len())
            });
        }
    }
    g.finish();

    let mut g = c.benchmark_group("verdict");
    let findings: Vec<Finding> = (0..12)
        .map(|i| {
            Finding::new(
                minerscan::testing::analyze::id::AnalyzerId::Script,
                format!("r{i}"),
                Class::ALL[i % Class::ALL.len()],
                40 + i as u8,
                "d",
            )
            .fact(format!("fact{}", i % 4))
        })
        .collect();
    g.bench_function("prepare+judge", |b| {
        b.iter(|| {
            let mut f = findings.clone();
            prepare(&mut f);
            judge(&f, minerscan::testing::scan::kind::FileKind::Shell).score
        })
    });
    g.finish();

    let mut g = c.benchmark_group("writer");
    let report = engine_with(registry(rules())).scan_bytes("run.sh", &text);
    g.bench_function("json/file", |b| {
        let mut sink = Vec::with_capacity(1 << 20);
        b.iter(|| {
            sink.clear();
            let mut w = JsonReporter::new(&mut sink, true);
            w.file(black_box(&report)).unwrap();
        })
    });
    g.finish();
}

criterion_group! {
    name = hot_paths;
    config = Criterion::default().measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_secs(1));
    targets = benches
}
criterion_main!(hot_paths);

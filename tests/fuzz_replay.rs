//! Replays every committed fuzz input — the seed corpora and every input a fuzzer found, under
//! `fuzz/corpus/<target>/` — through the function the fuzz target calls
//! (`minerscan::testing::fuzz`), on stable and without libFuzzer: CI runs the fuzzers' findings
//! on every `cargo test`. A panic names the input; so does an input slower than the fuzzers'
//! `-timeout`.

use minerscan::testing::fuzz::TARGETS;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn names_in(dir: &Path, strip: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(strip).map(str::to_owned))
        .collect();
    names.sort();
    names
}

#[test]
fn every_fuzz_target_has_a_body_here_and_a_corpus() {
    let mut listed: Vec<String> = TARGETS.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(names_in(&fuzz_dir().join("fuzz_targets"), ".rs"), listed);
    assert_eq!(names_in(&fuzz_dir().join("corpus"), ""), listed);
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for name in &listed {
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "{name} is not a [[bin]] of fuzz/Cargo.toml"
        );
    }
}

#[test]
fn every_committed_fuzz_input_replays_cleanly() {
    // The fuzzers run with -timeout=10; a debug build is slower, so it gets more.
    let slow = if cfg!(debug_assertions) {
        Duration::from_secs(60)
    } else {
        Duration::from_secs(10)
    };
    for (name, body) in TARGETS {
        let dir = fuzz_dir().join("corpus").join(name);
        let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        inputs.sort();
        assert!(!inputs.is_empty(), "no corpus for {name}");
        for input in inputs {
            let data = std::fs::read(&input).unwrap();
            let start = Instant::now();
            let run = std::panic::catch_unwind(|| body(&data));
            assert!(run.is_ok(), "{name}: {} panicked", input.display());
            let took = start.elapsed();
            assert!(took < slow, "{name}: {} took {took:?}", input.display());
        }
    }
}

//! The body of every fuzz target, one function per target, named like it. The fuzz crate's
//! targets call these and nothing else, and `tests/fuzz_replay` runs every input under
//! `fuzz/corpus/<target>/` through the same function: an ordinary `cargo test` replays the
//! seeds and every input a fuzzer found, on stable, through the code the fuzzer ran. A panic,
//! a hang or a huge allocation in any of them is a bug.

use crate::analyze::config::{cmdline, relaxed, scan_command_lines, ConfigAnalyzer};
use crate::analyze::script::ScriptAnalyzer;
use crate::analyze::{binary::BinaryAnalyzer, builtin_matcher, Analyzer};
use crate::judge::baseline::{create_from_report, Baseline};
use crate::judge::finding::{Class, Finding};
use crate::knowledge::indicators::Indicators;
use crate::knowledge::ioc_lists::IocDb;
use crate::scan::containers::{
    self, detect, for_each_member, upx, Budget, CarveOptions, Container, Limits, Member,
    MemberData, StreamFormat,
};
use crate::scan::context::FileContext;
use crate::scan::target::Target;
use std::collections::BTreeSet;

/// A target's body: one input, any bytes.
pub type Body = fn(&[u8]);

/// Every target: its name (the fuzz crate's binary and its corpus folder) and its body.
pub const TARGETS: &[(&str, Body)] = &[
    ("binary", binary),
    ("containers_archives", containers_archives),
    ("containers_carve", containers_carve),
    ("containers_pyinstaller", containers_pyinstaller),
    ("containers_sevenz", containers_sevenz),
    ("containers_streams", containers_streams),
    ("upx_decompress", upx_decompress),
    ("upx_unpack", upx_unpack),
    ("relaxed_json", relaxed_json),
    ("script", script),
    ("cmdline", cmdline),
    ("ioc_lists", ioc_lists),
    ("baseline", baseline),
    ("cache", cache),
    ("recognise", recognise),
];

/// Runs one analyzer on `data` as the scanner would on a file called `name`.
fn analyze_as(analyzer: &dyn Analyzer, ind: &Indicators, name: &str, data: &[u8]) {
    let target = Target::for_bytes(name);
    let ctx = FileContext::new(&target, ind, data, data.len() as u64, false);
    let mut worker = analyzer.worker();
    if worker.applies(ctx.kind) {
        let _ = worker.analyze(&ctx, &mut Vec::new());
    }
}

/// The binary analyzer, exactly as a scan runs it on one file: sniff, then analyze if the kind
/// is an executable format. The path is hidden and temporary and named like a kernel thread,
/// so that the location rules run too.
pub fn binary(data: &[u8]) {
    analyze_as(
        &BinaryAnalyzer,
        builtin_matcher(),
        "/tmp/.fuzz/kworkerds",
        data,
    );
}

/// Small limits, so that each input stays fast.
fn limits() -> Limits {
    Limits {
        max_total_bytes: 16 << 20,
        max_members: 2_000,
        max_member: 4 << 20,
        ..Limits::default()
    }
}

/// A visit that opens members recursively, the way the scanner does.
fn visit_recursively(budget: &Budget) -> impl FnMut(Member<'_>) + '_ {
    move |m: Member<'_>| {
        if let MemberData::Bytes(b) = m.data {
            if let Some(c) = detect(b, &m.name) {
                let _ = for_each_member(c, b, &m.name, budget, &mut visit_recursively(budget));
            }
        }
    }
}

fn open(container: Container, data: &[u8], name: &str) {
    let budget = Budget::new(limits(), data.len() as u64);
    let _ = for_each_member(
        container,
        data,
        name,
        &budget,
        &mut visit_recursively(&budget),
    );
}

/// Whatever `detect` recognises (zip, tar, deb, streams, 7z, PyInstaller, PYZ), opened with
/// its members recursively.
pub fn containers_archives(data: &[u8]) {
    if let Some(c) = detect(data, "x") {
        open(c, data, "x");
    }
}

/// Carving: candidates and the members made from them.
pub fn containers_carve(data: &[u8]) {
    let budget = Budget::new(limits(), data.len() as u64);
    let _ = containers::carve(
        data,
        &budget,
        &CarveOptions::default(),
        &mut visit_recursively(&budget),
    );
}

/// PyInstaller bundles and PYZ archives: the same bytes through both readers.
pub fn containers_pyinstaller(data: &[u8]) {
    for container in [Container::PyInstaller, Container::Pyz] {
        open(container, data, "bundle");
    }
}

/// 7z archives (the signature is supplied, so that every input reaches the header parser).
pub fn containers_sevenz(data: &[u8]) {
    open(Container::SevenZ, data, "x.7z");
}

/// Single-file streams: the first byte picks the format (so that every decoder sees every
/// input), the rest is the stream; members that are containers are opened in turn.
pub fn containers_streams(data: &[u8]) {
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
    open(Container::Stream(format), stream, "x.tar.lzma");
}

/// Each UPX decompressor alone: the first byte picks the method, the next two the declared
/// size (up to 64 KiB), the rest is the stream.
pub fn upx_decompress(data: &[u8]) {
    let [m, a, b, stream @ ..] = data else { return };
    let method = upx::Method::ALL[usize::from(*m) % upx::Method::ALL.len()];
    let want = usize::from(u16::from_le_bytes([*a, *b]));
    if let Ok(out) = upx::decompress_block(method, stream, want) {
        assert_eq!(out.len(), want);
    }
}

/// The whole UPX unpacker, bounded at 64 times the input as the scanner bounds it.
pub fn upx_unpack(data: &[u8]) {
    let limits = upx::Limits {
        max_output: data.len().saturating_mul(64),
    };
    let _ = upx::detect(data);
    if let upx::Outcome::Unpacked(u) = upx::unpack(data, &limits) {
        assert!(u.bytes.len() <= limits.max_output);
    }
}

/// The relaxed JSON parser alone, then the config analyzer on the same bytes as a `.json` file
/// (the parser again, the pool-entry judgement on what it parsed, the command lines).
pub fn relaxed_json(data: &[u8]) {
    let _ = relaxed::parse(&String::from_utf8_lossy(data));
    analyze_as(&ConfigAnalyzer, builtin_matcher(), "config.json", data);
}

/// File names the script judge distinguishes (by extension or name), picked by the first byte.
const SCRIPT_NAMES: &[&str] = &[
    "run.sh",
    "x.ps1",
    "x.bat",
    "x.vbs",
    "x.js",
    "x.py",
    "x.pl",
    "index.html",
    "task.xml",
    "miner.service",
    "crontab",
    "notes.txt",
    "config.json",
    "rules.yar",
    "README.md",
    "noext",
];

/// The script judge on a text file: the first byte picks the file's name (and so, where the
/// content does not say, its kind), the rest is the file.
pub fn script(data: &[u8]) {
    let Some((&pick, text)) = data.split_first() else {
        return;
    };
    let name = SCRIPT_NAMES[usize::from(pick) % SCRIPT_NAMES.len()];
    analyze_as(&ScriptAnalyzer, builtin_matcher(), name, text);
}

/// The command-line judge: every line through the config analyzer's launch reader (as it scans
/// any text, Task Scheduler commands included), and every line's tokenizer.
pub fn cmdline(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (mut out, mut users) = (Vec::new(), BTreeSet::new());
    scan_command_lines(
        &text,
        builtin_matcher(),
        None,
        &|_| false,
        &mut out,
        &mut users,
    );
    for line in text.lines().filter(|l| l.len() <= 8192) {
        let _ = cmdline::split_commands(line);
    }
}

/// An IOC list loaded as `--ioc` loads one, then asked what a scan asks: hashes, paths and
/// (when it lists any) network indicators compiled into the shared matcher.
pub fn ioc_lists(data: &[u8]) {
    let mut db = IocDb::default();
    db.load("fuzz/list.csv", &String::from_utf8_lossy(data), false);
    db.finish();
    let _ = db.digests_needed();
    let _ = db.lookup_md5(&[0; 16]);
    let _ = db.lookup_sha1(&[0; 20]);
    let _ = db.lookup_sha256(&[0; 32]);
    for path in [
        "/tmp/.x/xmrig",
        "C:\\Users\\a\\AppData\\Roaming\\svchost.exe",
        "",
    ] {
        let _ = db.match_path(path).count();
    }
    if !db.network.is_empty() {
        let ind = Indicators::new(db.network.clone(), Vec::new());
        analyze_as(
            &ConfigAnalyzer,
            &ind,
            "x.txt",
            b"stratum+tcp://pool.example:3333",
        );
    }
}

/// A baseline file read as `--baseline` reads one and applied to a few findings; and the same
/// bytes, when they are JSON, read as the report `baseline create` turns into a baseline, and
/// that baseline read back.
pub fn baseline(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    if let Ok(b) = Baseline::parse(&text, "fuzz.toml") {
        let mut findings = vec![
            Finding::new(
                crate::analyze::id::AnalyzerId::Script,
                "pipe_to_shell",
                Class::Info,
                10,
                "x",
            ),
            Finding::new(
                crate::analyze::id::AnalyzerId::Config,
                "miner_config",
                Class::Miner,
                90,
                "y",
            ),
        ];
        let _ = b.apply("./docs/a/run.sh", || Some([0; 32]), &mut findings);
    }
    if let Ok(report) = serde_json::from_slice::<serde_json::Value>(data) {
        if let Ok(created) = create_from_report(&report, "fuzz.json") {
            let _ = Baseline::parse(&created, "created.toml");
        }
    }
}

/// The bytes of a cache file, opened as `--cache` opens one (refused, rebuilt or used), and
/// every record it holds read back. Through a file of our own in the temporary folder: the
/// cache is a database on disk.
pub fn cache(data: &[u8]) {
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEQ: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "minerscan-fuzz-cache-{}-{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    if std::fs::create_dir(&dir).is_err() {
        return;
    }
    quiet_where_the_cli_is_quiet();
    let path = dir.join("cache.redb");
    if write_private(&path, data).is_ok() {
        if let Ok(c) = crate::post::cache::Cache::open(&path, "fuzz") {
            let _ = c.readable_records();
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The database engine asserts on some damaged files, and `Cache::open` takes such a panic on
/// its opening thread for a damaged cache, as it should; the CLI's panic hook keeps it quiet.
/// libFuzzer's hook aborts on every panic, caught or not: this one lets that thread's through,
/// so that the fuzzer stops only on the panics a scan would die of or report.
fn quiet_where_the_cli_is_quiet() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let outer = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let opening = std::thread::current().name() == Some(crate::post::cache::OPENING_THREAD);
            if !opening {
                outer(info);
            }
        }));
    });
}

/// Writes `data` to a new file only the user can write, as a cache file must be.
fn write_private(path: &std::path::Path, data: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(data)
}

/// Our own report recogniser, on a file with and without an execute bit.
pub fn recognise(data: &[u8]) {
    let _ = crate::report::recognise::is_minerscan_report(data, false);
    assert!(!crate::report::recognise::is_minerscan_report(data, true));
}

//! Fixture tests (exact findings and verdicts), rule unit tests, and the seeded property test that
//! feeds truncated and bit-flipped binaries through the analyzer.

use super::*;
use crate::analyze::indicator::IndicatorAnalyzer;
use crate::judge::verdict::{judge, prepare, Level, Verdict};
use crate::scan::target::Target;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/fixtures/bin/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The binary analyzer's own findings for `bytes` seen at `path`.
fn binary_findings(path: &str, bytes: &[u8]) -> Vec<Finding> {
    let target = Target::for_bytes(path);
    let ctx = FileContext::new(
        &target,
        crate::analyze::builtin_matcher(),
        bytes,
        bytes.len() as u64,
        false,
    );
    let mut out = Vec::new();
    let mut worker = BinaryAnalyzer.worker();
    if worker.applies(ctx.kind) {
        worker.analyze(&ctx, &mut out).unwrap();
    }
    out
}

/// Indicator and binary findings, prepared, and the verdict.
fn judged(path: &str, bytes: &[u8]) -> (Vec<Finding>, Verdict) {
    let target = Target::for_bytes(path);
    let ctx = FileContext::new(
        &target,
        crate::analyze::builtin_matcher(),
        bytes,
        bytes.len() as u64,
        false,
    );
    let mut out = Vec::new();
    for analyzer in [&IndicatorAnalyzer as &dyn Analyzer, &BinaryAnalyzer] {
        let mut w = analyzer.worker();
        if w.applies(ctx.kind) {
            w.analyze(&ctx, &mut out).unwrap();
        }
    }
    prepare(&mut out);
    let v = judge(&out, ctx.kind);
    (out, v)
}

/// `rule:class` of the binary analyzer's findings after preparation, sorted.
fn rules(findings: &[Finding]) -> Vec<String> {
    let mut v: Vec<String> = findings
        .iter()
        .filter(|f| f.analyzer == ID && f.rule != "binary_summary")
        .map(|f| format!("{}:{}", f.rule, f.class))
        .collect();
    v.sort();
    v
}

const DOWNLOADS: &str = "/home/u/Downloads/xmrig";
const WIN_DOWNLOADS: &str = "C:\\Users\\u\\Downloads\\xmrig.exe";

/// (fixture, path as the scanned system sees it, binary rules with their final class, verdict).
const CASES: &[(&str, &str, &[&str], Level)] = &[
    // A visible miner build is riskware; hidden, renamed or packed it is malicious.
    ("bin_xmrig_like.elf", DOWNLOADS, &[], Level::Suspicious),
    (
        "bin_xmrig_like.elf-static",
        DOWNLOADS,
        &[],
        Level::Suspicious,
    ),
    (
        "bin_xmrig_like.elf-static",
        "/tmp/.x/kworkerds",
        &[
            "hidden_location:hiding",
            "system_name_imitation:hiding",
            "temporary_location:hiding",
        ],
        Level::Malicious,
    ),
    (
        "bin_xmrig_like.elf",
        "/usr/sbin/sshd",
        &[],
        Level::Suspicious,
    ),
    (
        "bin_xmrig_like.elf",
        "/home/u/bin/sshd",
        &["system_name_imitation:hiding"],
        Level::Malicious,
    ),
    (
        "bin_stealth_miner.elf",
        DOWNLOADS,
        &[
            "anti_debug:evasion",
            "gpu_compute:miner",
            "msr_access:miner",
            "process_rename:hiding",
        ],
        Level::Malicious,
    ),
    (
        "bin_gpu_compute.elf",
        "/opt/gpu/helper",
        &["gpu_compute:info"],
        Level::Clean,
    ),
    (
        "bin_gpu_compute.elf",
        "/tmp/.cache/helper",
        &[
            "gpu_compute:info",
            "hidden_location:info",
            "temporary_location:info",
        ],
        Level::Clean,
    ),
    (
        "bin_prochider.so",
        "/usr/local/lib/libsystem.so",
        &["process_hider_library:hiding"],
        Level::Suspicious,
    ),
    (
        "bin_manyexports.so",
        "/usr/local/lib/libshim.so",
        &[],
        Level::Clean,
    ),
    (
        "bin_hollow.pe",
        "C:\\Users\\u\\Downloads\\setup.exe",
        &["process_hollowing:injection"],
        Level::Suspicious,
    ),
    (
        "bin_critical.pe",
        "C:\\Users\\u\\Downloads\\setup.exe",
        &["critical_process:evasion"],
        Level::Clean,
    ),
    (
        "bin_spawn.pe",
        "C:\\Tools\\build.exe",
        &["anti_debug:info"],
        Level::Clean,
    ),
    (
        "bin_winminer.pe",
        WIN_DOWNLOADS,
        &["anti_debug:evasion", "service_install:persistence"],
        Level::Malicious,
    ),
    (
        "bin_winminer.pe",
        "C:\\Users\\u\\AppData\\Local\\Temp\\svchost.exe",
        &[
            "anti_debug:evasion",
            "service_install:persistence",
            "system_name_imitation:hiding",
            "temporary_location:hiding",
        ],
        Level::Malicious,
    ),
    (
        "bin_mpress_marked",
        WIN_DOWNLOADS,
        &[
            "anti_debug:evasion",
            "packer_sections:evasion",
            "service_install:persistence",
        ],
        Level::Malicious,
    ),
    (
        "bin_upx_marked",
        DOWNLOADS,
        &["upx_packed:evasion"],
        Level::Malicious,
    ),
    (
        "bin_upx_marked",
        "/dev/shm/x",
        &[
            "packed_static_hidden:hiding",
            "temporary_location:hiding",
            "upx_packed:evasion",
        ],
        Level::Malicious,
    ),
    (
        "bin_upx_plain",
        "/home/u/bin/helper",
        &["gpu_compute:info", "upx_packed:info"],
        Level::Clean,
    ),
    (
        "bin_upx_plain",
        "/tmp/helper",
        &[
            "gpu_compute:info",
            "packed_static_hidden:hiding",
            "temporary_location:info",
            "upx_packed:info",
        ],
        Level::Suspicious,
    ),
    (
        "bin_entropy_packed",
        DOWNLOADS,
        &["high_entropy_code:evasion"],
        Level::Malicious,
    ),
    (
        "bin_entropy_packed",
        "/var/tmp/.cache/x",
        &[
            "hidden_location:hiding",
            "high_entropy_code:evasion",
            "packed_static_hidden:hiding",
            "temporary_location:hiding",
        ],
        Level::Malicious,
    ),
    (
        "bin_macho64",
        "/Users/u/Downloads/xmrig",
        &[],
        Level::Suspicious,
    ),
    (
        "bin_macho64",
        "/Users/u/.local/xmrig",
        &["hidden_location:hiding"],
        Level::Malicious,
    ),
    (
        "bin_macho_fat",
        "/Users/u/Downloads/xmrig",
        &[],
        Level::Suspicious,
    ),
];

#[test]
fn fixtures_give_exact_findings_and_verdicts() {
    for (name, path, want, level) in CASES {
        let (findings, verdict) = judged(path, &fixture(name));
        assert_eq!(rules(&findings), *want, "{name} at {path}");
        assert_eq!(
            verdict.level, *level,
            "{name} at {path}: {:?}",
            verdict.reasons
        );
    }
}

/// Every rule with a fixture that makes it fire and a near miss where it does not (or stays
/// information and the file stays clean): (rule, positive, near miss), each (fixture, path).
/// A fixture file and the path it is judged at.
type Placed = (&'static str, &'static str);

const RULE_PAIRS: &[(&str, Placed, Placed)] = &[
    (
        "upx_packed",
        ("bin_upx_marked", DOWNLOADS),
        ("bin_xmrig_like.elf-static", DOWNLOADS),
    ),
    (
        "packer_sections",
        ("bin_mpress_marked", WIN_DOWNLOADS),
        ("bin_winminer.pe", WIN_DOWNLOADS),
    ),
    (
        "high_entropy_code",
        ("bin_entropy_packed", DOWNLOADS),
        ("bin_xmrig_like.elf-static", DOWNLOADS),
    ),
    (
        "packed_static_hidden",
        ("bin_upx_marked", "/tmp/x"),
        ("bin_upx_marked", DOWNLOADS),
    ),
    (
        "process_hollowing",
        ("bin_hollow.pe", WIN_DOWNLOADS),
        ("bin_spawn.pe", WIN_DOWNLOADS),
    ),
    (
        "critical_process",
        ("bin_critical.pe", WIN_DOWNLOADS),
        ("bin_spawn.pe", WIN_DOWNLOADS),
    ),
    (
        "process_hider_library",
        ("bin_prochider.so", "/lib/x.so"),
        ("bin_manyexports.so", "/lib/x.so"),
    ),
    (
        "anti_debug",
        ("bin_winminer.pe", WIN_DOWNLOADS),
        ("bin_spawn.pe", WIN_DOWNLOADS),
    ),
    (
        "service_install",
        ("bin_winminer.pe", WIN_DOWNLOADS),
        ("bin_spawn.pe", WIN_DOWNLOADS),
    ),
    (
        "process_rename",
        ("bin_stealth_miner.elf", DOWNLOADS),
        ("bin_gpu_compute.elf", DOWNLOADS),
    ),
    (
        "gpu_compute",
        ("bin_stealth_miner.elf", DOWNLOADS),
        ("bin_gpu_compute.elf", DOWNLOADS),
    ),
    (
        "msr_access",
        ("bin_stealth_miner.elf", DOWNLOADS),
        ("bin_gpu_compute.elf", DOWNLOADS),
    ),
    (
        "temporary_location",
        ("bin_xmrig_like.elf", "/dev/shm/x"),
        ("bin_xmrig_like.elf", "/home/u/tmp/x"),
    ),
    (
        "hidden_location",
        ("bin_xmrig_like.elf", "/home/u/.x/y"),
        ("bin_xmrig_like.elf", "/home/u/x./y"),
    ),
    (
        "system_name_imitation",
        ("bin_xmrig_like.elf", "/opt/kthreadd"),
        ("bin_xmrig_like.elf", "/opt/kthread"),
    ),
    (
        "system_name_imitation",
        ("bin_winminer.pe", "C:\\ProgramData\\csrss.exe"),
        ("bin_winminer.pe", "C:\\Windows\\System32\\csrss.exe"),
    ),
];

#[test]
fn every_rule_has_a_positive_and_a_near_miss() {
    for (rule, (pos, pos_path), (neg, neg_path)) in RULE_PAIRS {
        let (findings, _) = judged(pos_path, &fixture(pos));
        assert!(
            findings
                .iter()
                .any(|f| f.rule == *rule && f.class != Class::Info),
            "{rule}: {pos} at {pos_path} should count: {:?}",
            rules(&findings)
        );
        let (findings, verdict) = judged(neg_path, &fixture(neg));
        let fired = findings
            .iter()
            .filter(|f| f.rule == *rule)
            .collect::<Vec<_>>();
        let counts = fired.iter().any(|f| f.class != Class::Info);
        assert!(
            !counts,
            "{rule}: near miss {neg} at {neg_path} should not count: {:?}",
            rules(&findings)
        );
        if !fired.is_empty() {
            assert_eq!(
                verdict.level,
                Level::Clean,
                "{rule}: near miss {neg} stays information"
            );
        }
    }
    // The rules the analyzer can emit, all covered above or below.
    let covered: std::collections::BTreeSet<&str> = RULE_PAIRS.iter().map(|(r, _, _)| *r).collect();
    assert_eq!(covered.len(), 15);
}

#[test]
fn formats_are_described() {
    let describe = |name: &str| {
        let f = binary_findings("/tmp/x", &fixture(name));
        f.iter()
            .find(|f| f.rule == "binary_summary")
            .map(|f| f.description.clone())
            .unwrap()
    };
    let d = describe("bin_xmrig_like.elf-static");
    assert!(
        d.starts_with("ELF64 X86_64 executable, static, stripped"),
        "{d}"
    );
    let d = describe("bin_xmrig_like.elf");
    assert!(
        d.contains("PIE executable, dynamic") && d.contains("needs libc.so.6"),
        "{d}"
    );
    let d = describe("bin_prochider.so");
    assert!(
        d.starts_with("ELF64 X86_64 shared object") && d.contains("2 exports"),
        "{d}"
    );
    let d = describe("bin_winminer.pe");
    assert!(
        d.starts_with("PE32+ X86_64 executable, subsystem windows-console"),
        "{d}"
    );
    let d = describe("bin_upx_marked");
    assert!(d.contains("no section headers"), "{d}");
    let d = describe("bin_macho64");
    assert!(
        d.starts_with("Mach-O 64-bit x86_64") && d.contains("1 imports, 1 exports, 2 sections"),
        "{d}"
    );
    let d = describe("bin_macho_fat");
    assert!(
        d.starts_with("fat Mach-O (x86_64, arm64)") && d.contains("4 sections"),
        "{d}"
    );

    let info = extract::extract(&fixture("bin_prochider.so"), Format::Elf).unwrap();
    assert!(info.exports.iter().any(|e| e == "readdir64"));
    assert!(info
        .imports
        .iter()
        .any(|i| i.name == "dlsym" && i.library.as_deref() == Some("libc.so.6")));
    let info = extract::extract(&fixture("bin_spawn.pe"), Format::Pe).unwrap();
    assert!(info
        .imports
        .iter()
        .any(|i| i.name == "CreateProcessA" && i.library.as_deref() == Some("KERNEL32.dll")));
    let text = info.sections.iter().find(|s| s.name == ".text").unwrap();
    assert!(
        text.exec && text.entropy > 4.0 && text.entropy < 7.0,
        "{text:?}"
    );
}

#[test]
fn truncated_views_and_broken_headers_are_not_parsed() {
    let bytes = fixture("bin_hollow.pe");
    let target = Target::for_bytes("/tmp/.x/svchost.exe");
    let ctx = FileContext::new(
        &target,
        crate::analyze::builtin_matcher(),
        &bytes[..4096],
        bytes.len() as u64 * 100,
        true,
    );
    let mut out = Vec::new();
    BinaryAnalyzer.worker().analyze(&ctx, &mut out).unwrap();
    assert!(out.is_empty(), "a header-only view is left alone");

    let mut broken = fixture("bin_xmrig_like.elf");
    broken.truncate(40);
    let out = binary_findings("/home/u/x", &broken);
    assert_eq!(rules(&out), vec!["unparsed_structure:info"]);
}

#[test]
fn hollowing_needs_every_step() {
    let set = |names: &[&str]| Functions {
        found: names
            .iter()
            .map(|n| (n.to_string(), Evidence::import(None, n)))
            .collect(),
    };
    let strings = Strings::find(b"MZ", &[], true);
    let fires = |names: &[&str]| {
        let mut out = Vec::new();
        windows_capabilities(&set(names), &strings, &mut out);
        out.iter().any(|f| f.rule == "process_hollowing")
    };
    assert!(fires(&[
        "CreateProcessW",
        "ZwUnmapViewOfSection",
        "WriteProcessMemory",
        "Wow64SetThreadContext"
    ]));
    // A debugger: creates, writes and sets contexts, never unmaps.
    assert!(!fires(&[
        "CreateProcessW",
        "WriteProcessMemory",
        "SetThreadContext",
        "ResumeThread"
    ]));
    assert!(!fires(&[
        "NtUnmapViewOfSection",
        "WriteProcessMemory",
        "ResumeThread"
    ]));
}

/// Every needle occurrence by brute force: ASCII case-insensitively (function names exactly, as
/// whole trailing identifiers), texts also in UTF-16LE. Fixtures hold few enough occurrences
/// that the per-needle cap never applies.
fn reference_markers(bytes: &[u8]) -> Vec<markers::MarkerHit> {
    let mut out = Vec::new();
    for (needle, n) in needles().into_iter().enumerate() {
        let ascii = n.text().as_bytes().to_vec();
        let wide: Vec<u8> = ascii.iter().flat_map(|&b| [b, 0]).collect();
        let forms: Vec<(Vec<u8>, bool)> = match n {
            Needle::Function(_) => vec![(ascii, false)],
            Needle::Text(_) => vec![(ascii, false), (wide, true)],
        };
        for (form, wide) in forms {
            for start in 0..bytes.len().saturating_sub(form.len() - 1) {
                let end = start + form.len();
                if !bytes[start..end].eq_ignore_ascii_case(&form) {
                    continue;
                }
                if let Needle::Function(name) = n {
                    let whole = &bytes[start..end] == name.as_bytes()
                        && (start == 0
                            || !(bytes[start - 1].is_ascii_alphanumeric()
                                || bytes[start - 1] == b'_'))
                        && bytes[end..]
                            .iter()
                            .find(|&&b| b != b' ' && b != b'\t')
                            .is_none_or(|&b| !crate::knowledge::regions::is_printable(b));
                    if !whole {
                        continue;
                    }
                }
                out.push(markers::MarkerHit {
                    needle,
                    start,
                    end,
                    wide,
                });
            }
        }
    }
    out
}

#[test]
fn marker_search_in_printable_regions_finds_every_occurrence() {
    let dir = format!("{}/fixtures/bin", env!("CARGO_MANIFEST_DIR"));
    let mut with_hits = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let bytes = std::fs::read(entry.unwrap().path()).unwrap();
        let regions = crate::knowledge::regions::printable_regions(&bytes);
        let matcher = crate::analyze::builtin_matcher();
        let shared = matcher.scan(&bytes, Some(&regions), 4096);
        let found = Strings::find(&bytes, &matcher.own_hits(&shared, ID.as_str()), true).hits;
        // The reference: every needle's exact text at every offset, kept as the rules keep them.
        let reference = reference_markers(&bytes);
        let key =
            |hits: &[markers::MarkerHit]| -> std::collections::BTreeSet<(usize, usize, bool)> {
                hits.iter().map(|h| (h.needle, h.start, h.wide)).collect()
            };
        assert_eq!(key(&found), key(&reference));
        with_hits += usize::from(!found.is_empty());
    }
    assert!(with_hits >= 10, "only {with_hits} fixtures with hits");
}

#[test]
fn names_and_places() {
    // A string names a function when the name is its trailing identifier.
    let names = |bytes: &[u8]| -> Vec<&'static str> {
        let matcher = crate::analyze::builtin_matcher();
        let shared = matcher.scan(bytes, None, 4096);
        Strings::find(bytes, &matcher.own_hits(&shared, ID.as_str()), false)
            .functions()
            .collect()
    };
    assert_eq!(
        names(b"\0RtlSetProcessIsCritical\0"),
        ["RtlSetProcessIsCritical"]
    );
    assert_eq!(
        names(b"\x01@RtlSetProcessIsCritical \0"),
        ["RtlSetProcessIsCritical"]
    );
    assert_eq!(names("\u{e9}cuInit".as_bytes()), ["cuInit"]);
    assert!(names(b"\0MyRtlSetProcessIsCritical\0").is_empty());
    assert!(names(b"\0cuInitialize\0").is_empty());
    assert!(names(b"\0rtlsetprocessiscritical\0").is_empty());
    assert_eq!(imitated_linux_name("kdevtmpfsi"), Some("kdevtmpfs"));
    assert_eq!(imitated_linux_name("systemd-journald"), Some("systemd-*"));
    assert_eq!(imitated_linux_name("sshd"), Some("sshd"));
    assert_eq!(imitated_linux_name("sshd-keygen-wrapper"), None);
    assert_eq!(imitated_linux_name("kitty"), None);
    let p = Place::of("C:\\Users\\u\\AppData\\Local\\Temp\\a.exe");
    assert!(p.temporary && !p.hidden);
    let p = Place::of("/home/u/.config/x");
    assert!(p.hidden && !p.temporary);
    assert!(!Place::of("/home/u/./x/../y").hidden);
    assert!(!Place::of("/usr/lib/debug/.build-id/bb/0412.debug").hidden);
    assert!(!Place::of("/tmpfiles/x").temporary);
    assert!((extract::entropy(&(0..=255u8).collect::<Vec<_>>()) - 8.0).abs() < 1e-9);
    assert_eq!(extract::entropy(&[7; 100]), 0.0);
    // Large sections: code-like bytes are screened out by a sample, dense ones counted exactly.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let dense: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    assert_eq!(extract::code_entropy(&dense), extract::entropy(&dense));
    assert!(extract::code_entropy(&dense) > 7.99);
    let code_like: Vec<u8> = dense.iter().map(|b| b % 48).collect();
    let (sampled, exact) = (
        extract::code_entropy(&code_like),
        extract::entropy(&code_like),
    );
    assert!(exact < extract::ENTROPY_SCREEN);
    assert!((sampled - exact).abs() < 0.05, "{sampled} against {exact}");
    assert_eq!(extract::slice(b"abc", u64::MAX, u64::MAX), b"");
}

/// xorshift64*: a fixed seed gives the same inputs on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Truncations and bit flips of real binaries must never panic, hang or blow up: every input
/// goes through the analyzer with the same path as a scan, and the slowest is reported.
#[test]
fn hostile_inputs_never_panic() {
    let mut bases: Vec<(String, Vec<u8>)> = Vec::new();
    for path in ["/usr/bin/ls", "/usr/bin/bash"] {
        match std::fs::read(path) {
            Ok(b) => bases.push((path.to_owned(), b)),
            Err(e) => println!("skipping {path}: {e}"),
        }
    }
    let dir = format!("{}/fixtures/bin", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.starts_with("bin_"))
        .collect();
    names.sort();
    for n in names {
        bases.push((n.clone(), fixture(&n)));
    }

    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut inputs = 0usize;
    let started = std::time::Instant::now();
    let mut slowest = (std::time::Duration::ZERO, String::new());
    for (name, base) in &bases {
        // Big bases get fewer mutations: the headers are what goblin reads.
        let rounds = if base.len() > 256 * 1024 { 60 } else { 150 };
        for round in 0..rounds {
            let mut data = base.clone();
            let what = match round % 3 {
                0 => {
                    let cut = if rng.below(2) == 0 {
                        rng.below(8192.min(data.len()))
                    } else {
                        rng.below(data.len())
                    };
                    data.truncate(cut);
                    format!("truncated to {cut}")
                }
                _ => {
                    let flips = 1 + rng.below(16);
                    for _ in 0..flips {
                        // Mostly in the headers and tables at the start, sometimes anywhere.
                        let span = if rng.below(4) == 0 {
                            data.len()
                        } else {
                            data.len().min(4096)
                        };
                        let at = rng.below(span);
                        data[at] ^= 1 << rng.below(8);
                    }
                    if round % 3 == 2 {
                        // Large values in header fields: counts and offsets set to extremes.
                        let at = rng.below(data.len().min(512).saturating_sub(8));
                        let v =
                            [u64::MAX, u32::MAX as u64, 0x7fff_ffff, 0x8000_0000, 0][rng.below(5)];
                        data[at..at + 8].copy_from_slice(&v.to_le_bytes());
                    }
                    format!("{flips} flips")
                }
            };
            let t = std::time::Instant::now();
            let result = std::panic::catch_unwind(|| binary_findings("/tmp/.x/fuzz", &data));
            let took = t.elapsed();
            if took > slowest.0 {
                slowest = (took, format!("{name} round {round} ({what})"));
            }
            if result.is_err() {
                let dump = std::env::temp_dir().join("minerscan-binary-panic.bin");
                let _ = std::fs::write(&dump, &data);
                panic!(
                    "{name} round {round} ({what}) panicked; input saved to {}",
                    dump.display()
                );
            }
            inputs += 1;
        }
    }
    println!(
        "{inputs} hostile inputs from {} bases in {:?}; slowest {:?}: {}",
        bases.len(),
        started.elapsed(),
        slowest.0,
        slowest.1
    );
    assert!(inputs >= 2000, "{inputs}");
    assert!(slowest.0 < std::time::Duration::from_secs(2), "{slowest:?}");
}

/// The false-positive check, run by hand (it reads the whole system):
/// `CARGO_TARGET_DIR=/work/target-binary cargo test --release --lib analyze::binary::tests::system_elves -- --ignored --nocapture`
/// Every ELF under /usr/bin and /usr/lib through the indicator and binary analyzers must stay clean.
#[test]
#[ignore]
fn system_elves_are_clean() {
    let mut counts = BTreeMap::<&str, usize>::new();
    let mut rule_counts = BTreeMap::<String, usize>::new();
    let mut bad = Vec::new();
    for root in ["/usr/bin", "/usr/lib"] {
        for entry in walkdir::WalkDir::new(root)
            .follow_links(false)
            .into_iter()
            .filter_map(Result::ok)
        {
            if !entry.file_type().is_file() {
                continue;
            }
            let Ok(md) = entry.metadata() else { continue };
            if md.len() > 256 << 20 {
                *counts.entry("skipped (too large)").or_default() += 1;
                continue;
            }
            let path = entry.path().to_string_lossy().into_owned();
            let Ok(bytes) = std::fs::read(entry.path()) else {
                continue;
            };
            if !bytes.starts_with(b"\x7fELF") {
                continue;
            }
            let (findings, verdict) = judged(&path, &bytes);
            *counts.entry("elf").or_default() += 1;
            *counts.entry(verdict.level.as_str()).or_default() += 1;
            for f in findings
                .iter()
                .filter(|f| f.analyzer == ID && f.rule != "binary_summary")
            {
                *rule_counts
                    .entry(format!("{}:{}", f.rule, f.class))
                    .or_default() += 1;
            }
            if verdict.level != Level::Clean {
                let why: Vec<String> = findings
                    .iter()
                    .filter(|f| f.class != Class::Info)
                    .map(|f| format!("{}:{}:{} {}", f.analyzer, f.rule, f.class, f.description))
                    .collect();
                bad.push(format!("{path}: {:?} {why:?}", verdict.level));
            }
        }
    }
    println!("{counts:?}");
    println!("binary findings by rule: {rule_counts:?}");
    for b in &bad {
        println!("NOT CLEAN {b}");
    }
    assert!(
        bad.is_empty(),
        "{} system ELF files are not clean",
        bad.len()
    );
}

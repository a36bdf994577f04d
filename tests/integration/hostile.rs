//! Hostile inputs that once cost gigabytes: a Mach-O header claiming a load command every 8
//! bytes, the same inside a .tar.gz, and a pool `user` value made of separators. The release
//! binary runs under an address-space limit (`prlimit --as`), where an allocation failure would
//! abort it, and must finish with its ordinary exit code.

use crate::support::*;
use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

/// The address space the scan may use: far below what the inputs once needed (2.6 GB for the
/// 64 MiB Mach-O, 6.5 GB for the 4 MiB pool user).
const LIMIT: &str = "--as=1073741824";

/// A 64-bit Mach-O header claiming `ncmds = (size-32)/8` load commands in `sizeofcmds =
/// size-32` bytes; the first command has `cmdsize` 0, so a parser that trusts it never
/// advances. The rest is `filler`.
fn macho_bomb(size: usize, filler: impl FnMut(usize) -> u8) -> Vec<u8> {
    let mut b = Vec::with_capacity(size);
    for word in [
        0xfeed_facf_u32,
        0x0100_0007,
        3,
        2,
        ((size - 32) / 8) as u32,
        (size - 32) as u32,
        0,
        0,
    ] {
        b.extend_from_slice(&word.to_le_bytes());
    }
    b.extend_from_slice(&[0u8; 8]);
    b.extend((b.len()..size).map(filler));
    b
}

/// Incompressible, repeatable bytes (xorshift64).
fn noise(mut seed: u64) -> impl FnMut() -> u8 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed as u8
    }
}

fn limited_scan(dir: &Path, target: &str) -> Output {
    if !Path::new("/usr/bin/prlimit").exists() {
        panic!("prlimit (util-linux) is needed for the address-space tests");
    }
    run_cmd(
        Command::new("/usr/bin/prlimit")
            .arg(LIMIT)
            .arg(BIN)
            .args(["scan", "--format", "json", "--threads", "2", target])
            .current_dir(dir),
        Duration::from_secs(300),
    )
}

#[test]
fn a_macho_claiming_millions_of_load_commands_is_refused_before_parsing() {
    let t = Tree::new();
    std::fs::create_dir(t.path().join("data")).unwrap();
    for mib in [16, 64] {
        std::fs::write(
            t.path().join(format!("data/bomb{mib}.macho")),
            macho_bomb(mib << 20, |_| 0),
        )
        .unwrap();
    }
    // Inside an archive too, with incompressible filler so that no ratio limit stops it first.
    let mut next = noise(0x2545_f491_4f6c_dd1d);
    let inner = macho_bomb(16 << 20, |_| next());
    let mut tar = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(inner.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    tar.append_data(&mut h, "lib/bomb.macho", &inner[..])
        .unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar.into_inner().unwrap()).unwrap();
    std::fs::write(t.path().join("data/bomb.tar.gz"), gz.finish().unwrap()).unwrap();

    let out = limited_scan(t.path(), "data");
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["files_scanned"], 3, "{}", doc["summary"]);
    // The header is reported as a structure that does not parse, never handed to goblin.
    let all = run(
        &["scan", "--format", "json", "--all", "data/bomb16.macho"],
        t.path(),
    );
    assert!(
        all.stdout.contains("load commands claimed"),
        "{}",
        all.stdout
    );
}

#[test]
fn a_pool_user_made_of_separators_costs_linear_time_and_memory() {
    let t = Tree::new();
    let user: String = ".+/:#@,".chars().cycle().take((4 << 20) - 200).collect();
    t.file(
        "data/config.json",
        &format!("{{\"pools\":[{{\"url\":\"stratum+tcp://pool.example.org:3333\",\"user\":\"{user}\"}}]}}\n"),
    );
    let line: String = ".+/:#@,".chars().cycle().take(8000).collect();
    t.file(
        "data/start.sh",
        &format!("./xmrig -o stratum+tcp://pool.example.org:3333 -u '{line}'\n"),
    );
    let out = limited_scan(t.path(), "data");
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert_eq!(json(&out)["summary"]["verdicts"]["suspicious"], 2);
}

#[test]
fn a_script_of_millions_of_empty_lines_is_read_line_by_line() {
    let t = Tree::new();
    // 64 MiB of newlines, then a rival kill fed by a loop and a miner launch: every line is
    // looked at, none is collected (collected, they took 16 bytes each: 1.3 GB, and the scan
    // died under the 1 GiB limit; now about 170 MB).
    let mut script = String::from("#!/bin/sh\n");
    script.push_str(&"\n".repeat(64 << 20));
    script.push_str("for p in xmrig kdevtmpfsi; do\n  pkill -9 $p\ndone\n");
    script.push_str(MINER_LINE);
    t.file("data/huge.sh", &script);
    let out = limited_scan(t.path(), "data");
    assert_eq!(out.code, 1, "{}", out.stderr);
    let doc = json(&out);
    let f = &doc["files"][0];
    let rules: Vec<&str> = f["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"kill_rival_miners"), "{rules:?}");
    assert!(rules.contains(&"miner_command_line"), "{rules:?}");
}

/// Hostile containers and packed programs: megabyte tar names and PAX headers, zip directories
/// claiming a million or overlapping entries, bombs, broken and lying streams, a zip of a zip of
/// a gzip bomb (the third layer: nesting against the one budget per file), packed programs cut
/// short or followed by noise. Each ends in its problem, under the address-space limit, and the
/// scan goes on.
#[test]
fn hostile_containers_and_packed_programs_finish_under_the_memory_limit() {
    use crate::archives::{gzip, zip_of};
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let t = Tree::new();
    std::fs::create_dir(t.path().join("data")).unwrap();
    let hostile = fixtures.join("containers/hostile");
    let mut inputs = 0;
    for entry in std::fs::read_dir(&hostile).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), t.path().join("data").join(entry.file_name())).unwrap();
        inputs += 1;
    }
    let bomb = gzip(&vec![0u8; 64 << 20]);
    let inner = zip_of(&[("bomb.bin.gz", &bomb[..])]);
    let nested = zip_of(&[("layer.zip", &inner[..])]);
    std::fs::write(t.path().join("data/nested-bomb.zip"), &nested).unwrap();
    let packed = std::fs::read(fixtures.join("upx/packed/miner_xmrig_like.elf.lzma")).unwrap();
    std::fs::write(t.path().join("data/cut.elf"), &packed[..packed.len() / 2]).unwrap();
    let mut noisy = packed[..packed.len() / 4].to_vec();
    let mut next = noise(0x9e37_79b9_7f4a_7c15);
    noisy.extend((0..packed.len()).map(|_| next()));
    std::fs::write(t.path().join("data/noisy.elf"), &noisy).unwrap();
    inputs += 3;

    let out = limited_scan(t.path(), "data");
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let doc = json(&out);
    assert_eq!(
        doc["summary"]["files_scanned"], inputs,
        "{}",
        doc["summary"]
    );
    let all = run(&["scan", "--format", "json", "--all", "data"], t.path());
    let doc = json(&all);
    let problems = |name: &str| -> Vec<String> {
        let f = doc["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == format!("data/{name}").as_str())
            .unwrap_or_else(|| panic!("{name} not listed"));
        f["incomplete"]
            .as_array()
            .map(|a| a.iter().map(|v| v.as_str().unwrap().to_owned()).collect())
            .unwrap_or_default()
    };
    for (name, want) in [
        ("tar-longname.tar.xz", "archive_limit:oversized_header"),
        ("zip-million-entries.zip", "archive_limit:oversized_header"),
        ("zip-overlap.zip", "archive_limit:oversized_header"),
        ("bomb.xz", "archive_limit:compression_ratio"),
        ("truncated.xz", "archive_corrupt"),
        ("nested-bomb.zip", "archive_limit:compression_ratio"),
        ("cut.elf", "unpack_failed"),
    ] {
        assert!(
            problems(name).contains(&want.to_owned()),
            "{name}: {:?}",
            problems(name)
        );
    }
}

/// A PE32 of `size` bytes whose one section maps the whole file at RVA 0x1000, with room for
/// `nsections` section headers and all sixteen data directories.
fn pe32(size: usize, nsections: u16) -> Vec<u8> {
    let mut pe = vec![0u8; size];
    let mut put = |at: usize, v: u32| pe[at..at + 4].copy_from_slice(&v.to_le_bytes());
    put(0x3c, 0x80);
    put(0x84, 0x14c | (u32::from(nsections) << 16));
    put(0x94, 224);
    let opt = 0x98;
    put(opt, 0x10b);
    put(opt + 32, 0x1000);
    put(opt + 36, 0x200);
    put(opt + 92, 16);
    let sec = opt + 224;
    put(sec + 8, size as u32);
    put(sec + 12, 0x1000);
    put(sec + 16, size as u32 - 0x1000);
    put(sec + 20, 0x1000);
    pe[..2].copy_from_slice(b"MZ");
    pe[0x80..0x84].copy_from_slice(b"PE\0\0");
    pe
}

/// Hand-made PEs whose tables goblin would build far beyond the bytes: 1,000 sections named
/// from one 63 MiB string (goblin copies it once per section: 800 MB for ten of them), an
/// export directory claiming 16 million names, and 200 import descriptors sharing one thunk
/// array that fills the file. Refused before goblin sees them, under the address-space limit.
#[test]
fn pe_tables_claiming_more_than_the_file_holds_are_refused_before_parsing() {
    let size = 64 << 20;
    let t = Tree::new();
    std::fs::create_dir(t.path().join("data")).unwrap();
    let put = |pe: &mut [u8], at: usize, v: u32| pe[at..at + 4].copy_from_slice(&v.to_le_bytes());

    let mut names = pe32(size, 1000);
    put(&mut names, 0x8c, 1 << 20);
    names[1 << 20..].fill(b'a');
    for i in 0..1000 {
        let at = 0x98 + 224 + 40 * i;
        names[at..at + 8].copy_from_slice(b"/0\0\0\0\0\0\0");
    }
    std::fs::write(t.path().join("data/names.exe"), &names).unwrap();

    let mut exports = pe32(size, 1);
    put(&mut exports, 0x98 + 96, 0x1000);
    put(&mut exports, 0x98 + 100, 0x100);
    for (o, v) in [
        (20, 1 << 24),
        (24, 1 << 24),
        (28, 0x2000),
        (32, 0x2000),
        (36, 0x2000),
    ] {
        put(&mut exports, 0x1000 + o, v);
    }
    std::fs::write(t.path().join("data/exports.exe"), &exports).unwrap();

    let mut imports = pe32(size, 1);
    put(&mut imports, 0x98 + 104, 0x1000);
    let thunks = 0x1000 + 200 * 20 + 64;
    for d in 0..200 {
        let at = 0x1000 + 20 * d;
        for (o, v) in [(0, thunks), (12, thunks - 32), (16, thunks)] {
            put(&mut imports, at + o, v as u32);
        }
    }
    for at in (thunks..size - 4).step_by(4) {
        put(&mut imports, at, 0x2000);
    }
    std::fs::write(t.path().join("data/imports.exe"), &imports).unwrap();

    let out = limited_scan(t.path(), "data");
    assert!(
        out.code == 0 || out.code == 1,
        "exit {}: {}",
        out.code,
        out.stderr
    );
    let doc = json(&out);
    assert_eq!(doc["summary"]["files_scanned"], 3, "{}", doc["summary"]);
    let all = run(&["scan", "--format", "json", "--all", "data"], t.path());
    for (name, want) in [
        ("exports.exe", "export table claims"),
        ("imports.exe", "import table claims"),
        ("names.exe", "section names in the string table"),
    ] {
        let f = json(&all)["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["path"] == format!("data/{name}").as_str())
            .cloned()
            .unwrap_or_else(|| panic!("{name} not listed"));
        assert!(f.to_string().contains(want), "{name}: {f}");
    }
}

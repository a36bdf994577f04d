//! Hostile and broken input: truncated streams, sizes claiming 4 GiB, streams that decompress past
//! their declared size, bombs, random bytes after valid headers, deep nesting against the shared
//! budget, zip directories claiming a million entries or overlapping entries, tar names and PAX
//! headers of megabytes, random corruption of every fixture. Each must end in a reported problem
//! (or a clean read of what is there), never a panic, and a counting allocator checks that the
//! peak stays within the bound the budget implies.

use std::io::Write;

use crate::alloc::measure;
use crate::containers_common::{manifest, read, walk_with, Walk};
use minerscan::testing::scan::containers::{Limits, ProblemKind, RATIO_FLOOR};

/// Fixed overhead beyond the budget: a zstd window reserved up front (8 MiB at most for a small
/// stream), bzip2's block state (about 4 MiB), the zip crate's tables, the walk's own copies.
const SLACK: usize = 16 << 20;

/// Walks `bytes` and checks that the allocation peak stayed within twice the file's byte budget
/// (what the members hold, plus the buffers they are read through) and the fixed slack.
fn bounded(bytes: &[u8], name: &str, limits: Limits) -> Walk {
    let cap = limits
        .max_total_bytes
        .min((bytes.len() as u64 * limits.max_ratio).max(RATIO_FLOOR)) as usize;
    let (w, used) = measure(|| walk_with(bytes, name, limits));
    assert!(
        used <= 2 * cap + SLACK,
        "{name}: allocated {used} bytes for a {}-byte input (budget {cap})",
        bytes.len()
    );
    w
}

fn fixture(rel: &str) -> Vec<u8> {
    read(&format!("containers/{rel}"))
}

#[test]
fn hostile_fixtures_end_in_their_problem_within_the_bound() {
    for row in manifest().iter().filter(|r| r.path.starts_with("hostile/")) {
        let name = row.path.rsplit('/').next().unwrap();
        let w = bounded(&fixture(&row.path), name, Limits::default());
        assert!(!w.problems.is_empty(), "{}: no problem", row.path);
    }
}

#[test]
fn megabyte_tar_names_are_refused_before_they_are_read() {
    for rel in ["hostile/tar-longname.tar.xz", "hostile/tar-pax-huge.tar.xz"] {
        let bytes = fixture(rel);
        let (w, used) = measure(|| walk_with(&bytes, "x.tar.xz", Limits::default()));
        assert_eq!(w.kinds(), [ProblemKind::OversizedHeader], "{rel}");
        // The 4 MiB value was never held.
        assert!(used < 2 << 20, "{rel}: {used} bytes");
    }
}

#[test]
fn a_million_entry_zip_is_refused_before_its_directory_is_parsed() {
    let bytes = fixture("hostile/zip-million-entries.zip");
    let (w, used) = measure(|| walk_with(&bytes, "z.zip", Limits::default()));
    assert!(used < 64 << 10, "{used} bytes");
    assert_eq!(w.kinds(), [ProblemKind::OversizedHeader]);
    // A count within the bytes but above the members left is refused too.
    let limits = Limits {
        max_members: 100,
        ..Limits::default()
    };
    let many = zip_of(
        &(0..150)
            .map(|i| (format!("f{i}"), vec![b'x'; 10]))
            .collect::<Vec<_>>(),
    );
    let w = walk_with(&many, "many.zip", limits);
    assert_eq!(w.kinds(), [ProblemKind::TooManyMembers]);
    assert!(w.members.is_empty());
}

#[test]
fn truncation_anywhere_is_a_problem_or_a_shorter_read() {
    for row in manifest()
        .iter()
        .filter(|r| !r.path.starts_with("hostile/"))
    {
        let whole = fixture(&row.path);
        let name = row.path.rsplit('/').next().unwrap();
        let full = walk_with(&whole, name, Limits::default());
        for cut in [1, 7, 13, 64, 300, 511, 513, 1000, 4096, 10_000]
            .into_iter()
            .chain([whole.len() / 3, whole.len() / 2, whole.len() - 1])
            .filter(|&c| c < whole.len())
        {
            let w = bounded(&whole[..cut], name, Limits::default());
            // A cut stream or archive says so, or yields less than the whole (carving and
            // appended bundles may simply no longer see what was cut off).
            let less = w.members.len() < full.members.len()
                || w.members
                    .iter()
                    .zip(&full.members)
                    .any(|(a, b)| a.bytes != b.bytes);
            // Carving is quiet by design: a carved stream cut in its trailer still gave all
            // its content, and a broken candidate is simply what it is.
            let quiet = row.path.starts_with("carved/");
            assert!(
                !w.problems.is_empty() || less || full.members.is_empty() || quiet,
                "{} cut at {cut}: no problem and the same members",
                row.path
            );
        }
    }
}

/// A tiny deterministic generator (xorshift), so that failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn random_corruption_of_every_fixture_is_survived_within_the_bound() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let rows = manifest();
    let mut runs = 0;
    for row in &rows {
        let whole = fixture(&row.path);
        let name = row.path.rsplit('/').next().unwrap();
        for _ in 0..40 {
            let mut b = whole.clone();
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(b.len());
                match rng.below(3) {
                    0 => b[at] = rng.next() as u8,
                    1 => b[at] ^= 1 << rng.below(8),
                    // Header fields are where sizes live: smash four bytes with a big number.
                    _ => {
                        let end = (at + 4).min(b.len());
                        b[at..end].copy_from_slice(&[0xff, 0xff, 0xff, 0x7f][..end - at]);
                    }
                }
            }
            bounded(&b, name, Limits::default());
            runs += 1;
        }
    }
    assert!(runs >= 1600);
}

#[test]
fn random_bytes_after_valid_headers_are_corrupt() {
    let mut rng = Rng(77);
    let noise: Vec<u8> = (0..8192).map(|_| rng.next() as u8).collect();
    let with = |head: &[u8]| [head, &noise[..]].concat();
    let xz = fixture("streams/config.json.xz");
    let gz = gzip(b"hello");
    let bz = fixture("streams/config.json.bz2");
    let zst = fixture("streams/config.json.zst");
    let lz = fixture("streams/config.json.lzma");
    let sz = fixture("7z/miner-kit.7z");
    for (name, head) in [
        ("a.xz", &xz[..12]),
        ("a.gz", &gz[..10]),
        ("a.bz2", &bz[..10]),
        ("a.zst", &zst[..6]),
        ("a.lzma", &lz[..13]),
        ("a.7z", &sz[..32]),
        ("a.pyz", b"PYZ\0\xa7\x0d\x0d\x0a\0\0\0\x10"),
    ] {
        let w = bounded(&with(head), name, Limits::default());
        assert!(
            w.kinds().contains(&ProblemKind::Corrupt),
            "{name}: {:?}",
            w.problems
        );
    }
    // A PyInstaller cookie that points at a table of random bytes.
    let mut bundle = read("bin/pyi_stub.elf");
    let archive_start = bundle.len();
    bundle.extend_from_slice(&noise[..4096]);
    let cookie_at = bundle.len();
    let toc_len = 4096u32;
    bundle.extend_from_slice(b"MEI\x0c\x0b\x0a\x0b\x0e");
    let pkg_len = (cookie_at - archive_start + 88) as u32;
    for v in [pkg_len, 0, toc_len, 311] {
        bundle.extend_from_slice(&v.to_be_bytes());
    }
    let mut lib = b"libpython3.11.so.1.0".to_vec();
    lib.resize(64, 0);
    bundle.extend_from_slice(&lib);
    let w = bounded(&bundle, "bundle", Limits::default());
    assert!(
        w.kinds().contains(&ProblemKind::Corrupt),
        "{:?}",
        w.problems
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

fn zip_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        w.start_file(name.as_str(), opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn tar_of(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, name, &data[..]).unwrap();
    }
    b.into_inner().unwrap()
}

/// Bytes that compress about 100:1 (within the ratio limit, so only the shared budget stops them).
fn compressible(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    (0..len)
        .map(|i| if i % 100 == 0 { rng.next() as u8 } else { 0 })
        .collect()
}

#[test]
fn nested_layers_draw_on_one_budget() {
    // A zip of 8 tar.gz, each of 8 members of 1 MiB (100:1 each): per-archive limits would
    // let 64 MiB through; the shared budget of 16 MiB stops it, in whichever layer runs out.
    let tarball = |seed: u64| {
        gzip(&tar_of(
            &(0..8u64)
                .map(|i| (format!("m{i}"), compressible(1 << 20, seed * 10 + i)))
                .collect::<Vec<_>>(),
        ))
    };
    let outer = zip_of(
        &(0..8u64)
            .map(|i| (format!("t{i}.tar.gz"), tarball(i)))
            .collect::<Vec<_>>(),
    );
    let limits = Limits {
        max_total_bytes: 16 << 20,
        ..Limits::default()
    };
    let w = bounded(&outer, "nested.zip", limits.clone());
    assert!(
        w.kinds().contains(&ProblemKind::TotalBytes),
        "{:?}",
        w.problems
    );
    let delivered: usize = w.members.iter().map(|m| m.bytes.len()).sum();
    // Members of members are counted in both (the tarball and its content): the content alone
    // stays within the budget.
    let leaves: usize = w
        .members
        .iter()
        .filter(|m| m.path.contains('!'))
        .map(|m| m.bytes.len())
        .sum();
    assert!(leaves <= 16 << 20 && delivered > 0);
    // The layer that spent the budget says so; the layers around it stop and point at it.
    assert!(w.problems.iter().any(|(path, _)| !path.is_empty()));
    // The same budget counts members across layers.
    let w = walk_with(
        &outer,
        "nested.zip",
        Limits {
            max_members: 20,
            ..Limits::default()
        },
    );
    assert!(w.kinds().contains(&ProblemKind::TooManyMembers));
    assert!(w.members.len() <= 20);
}

#[test]
fn depth_is_counted_across_layers() {
    let mut inner = b"#!/bin/sh\nxmrig -o stratum+tcp://pool:3333\n".to_vec();
    let mut name = "run.sh".to_owned();
    for level in 0..6 {
        inner = zip_of(&[(name.clone(), inner)]);
        name = format!("level{level}.zip");
    }
    let w = walk_with(&inner, &name, Limits::default());
    // Three layers opened, the fourth zip delivered as a member but not opened.
    assert_eq!(
        w.paths().iter().map(|p| p.matches('!').count()).max(),
        Some(2)
    );
    assert!(w.problems.is_empty());
}

#[test]
fn bombs_stop_at_the_ratio() {
    let zeros = vec![0u8; 64 << 20];
    let bomb = gzip(&zeros);
    let w = bounded(&bomb, "bomb.gz", Limits::default());
    assert_eq!(w.kinds(), [ProblemKind::CompressionRatio]);
    // What came out before the stop is still handed over, as a header view.
    assert!(w.members[0].header_only);
    let zip = zip_of(&[("zeros".into(), zeros)]);
    let w = bounded(&zip, "bomb.zip", Limits::default());
    assert_eq!(w.kinds(), [ProblemKind::CompressionRatio]);
    let w = bounded(&fixture("hostile/bomb.xz"), "bomb.xz", Limits::default());
    assert_eq!(w.kinds(), [ProblemKind::CompressionRatio]);
}

#[test]
fn size_fields_claiming_4_gib_cost_nothing() {
    // A zip member whose sizes (local and central) claim 4 GiB - 1 while holding 5 bytes.
    let mut z = zip_of(&[("a".into(), b"hello".to_vec())]);
    let cd = memchr::memmem::find(&z, b"PK\x01\x02").unwrap();
    z[cd + 24..cd + 28].copy_from_slice(&0xffff_fffeu32.to_le_bytes());
    z[22..26].copy_from_slice(&0xffff_fffeu32.to_le_bytes());
    let w = bounded(&z, "claims.zip", Limits::default());
    assert!(!w.problems.is_empty(), "{:?}", w.paths());
    // An lzma-alone header claiming 4 GiB.
    let w = bounded(
        &fixture("hostile/size-4g.lzma"),
        "x.lzma",
        Limits::default(),
    );
    assert_eq!(w.kinds(), [ProblemKind::Corrupt]);
    // What decoded before the end is still there to judge.
    assert!(!w.members.is_empty() && !w.members[0].bytes.is_empty());
}

#[test]
fn streams_past_their_declared_size_are_corrupt() {
    let w = bounded(
        &fixture("hostile/past-declared.zst"),
        "x.zst",
        Limits::default(),
    );
    assert_eq!(w.kinds(), [ProblemKind::Corrupt]);
    // A PyInstaller entry whose table understates its size: cut to the declared size, reported.
    let mut bundle = fixture("pyinstaller/miner_bundle.elf");
    let name = memchr::memmem::rfind(&bundle, b"miner_main\0").unwrap();
    let entry = name - 18;
    let declared = u32::from_be_bytes(bundle[entry + 12..entry + 16].try_into().unwrap());
    bundle[entry + 12..entry + 16].copy_from_slice(&(declared - 10).to_be_bytes());
    let w = bounded(&bundle, "b.elf", Limits::default());
    assert_eq!(w.kinds(), [ProblemKind::Corrupt], "{:?}", w.problems);
    assert_eq!(
        w.get("miner_main.pyc").unwrap().bytes.len(),
        declared as usize - 10
    );
}

#[test]
fn oversized_members_are_seen_by_their_header_and_charged_whole() {
    let big = compressible(3 << 20, 5);
    let limits = Limits {
        max_member: 1 << 20,
        ..Limits::default()
    };
    for (name, bytes) in [
        ("big.tar.gz", gzip(&tar_of(&[("big".into(), big.clone())]))),
        ("big.zip", zip_of(&[("big".into(), big.clone())])),
        ("big.gz", gzip(&big)),
    ] {
        let w = bounded(&bytes, name, limits.clone());
        assert!(w.problems.is_empty(), "{name}: {:?}", w.problems);
        assert!(w.members[0].header_only, "{name}");
        assert_eq!(
            w.members[0].bytes,
            big[..minerscan::testing::scan::containers::HEADER_LEN],
            "{name}"
        );
    }
}

#[test]
fn the_fuzz_corpus_replays_without_a_problem_of_ours() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
        if !target
            .file_name()
            .to_string_lossy()
            .starts_with("containers_")
        {
            continue;
        }
        for input in std::fs::read_dir(target.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let bytes = std::fs::read(input.path()).unwrap();
            bounded(&bytes, "input", Limits::default());
            minerscan::testing::scan::containers::carve::candidates(
                &bytes,
                &minerscan::testing::scan::containers::CarveOptions::default(),
            );
            replayed += 1;
        }
    }
    // The corpora are committed with the crate; an empty replay means they went missing.
    assert!(replayed > 0, "no fuzz corpus under {}", dir.display());
}

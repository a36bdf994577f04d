//! Every fixture of minerscan's `fixtures/containers/manifest.tsv` opens as its row says: the
//! member that must be flagged is found, whole, with the bytes of the fixture it was made from;
//! near misses open without problems; hostile inputs end in the problem their note names.

use crate::containers_common::{manifest, read, walk, walk_with};
use minerscan::testing::scan::containers::{Limits, ProblemKind};

/// The originals a flagged member may be a copy of.
fn originals() -> Vec<(&'static str, Vec<u8>)> {
    [
        "config/positive/xmrig/config.json",
        "script/positive/kinsing-like.sh",
        "script/positive/systemd-dropper.sh",
        "bin/miner_xmrig_like.elf",
    ]
    .into_iter()
    .map(|p| (p, read(p)))
    .collect()
}

fn problem_kind(note: &str) -> Option<ProblemKind> {
    let kind = note.strip_prefix("problem ")?.split(':').next()?;
    Some(match kind {
        "corrupt" => ProblemKind::Corrupt,
        "oversized_header" => ProblemKind::OversizedHeader,
        "compression_ratio" => ProblemKind::CompressionRatio,
        "total_bytes" => ProblemKind::TotalBytes,
        "too_many_members" => ProblemKind::TooManyMembers,
        "encrypted" => ProblemKind::Encrypted,
        other => panic!("unknown problem kind {other}"),
    })
}

#[test]
fn every_manifest_row_opens_as_described() {
    let originals = originals();
    for row in manifest() {
        let bytes = read(&format!("containers/{}", row.path));
        let name = row.path.rsplit('/').next().unwrap();
        let w = walk(&bytes, name);
        let ctx = format!(
            "{}: members {:?}, problems {:?}",
            row.path,
            w.paths(),
            w.problems
        );
        if let Some(kind) = problem_kind(&row.note) {
            assert!(w.kinds().contains(&kind), "{ctx}: expected {kind:?}");
            continue;
        }
        if let Some(member) = &row.member {
            if let Some(packed) = member.strip_suffix("!upx") {
                // The UPX layer is the unpacker's: here the packed program must be reached.
                let found = w
                    .get(packed)
                    .unwrap_or_else(|| panic!("{ctx}: no {packed}"));
                assert!(found.bytes.starts_with(b"\x7fELF"), "{ctx}");
                assert!(
                    memchr::memmem::find(&found.bytes, b"UPX!").is_some(),
                    "{ctx}"
                );
            } else {
                let found = w
                    .get(member)
                    .unwrap_or_else(|| panic!("{ctx}: no {member}"));
                assert!(!found.header_only && !found.encrypted, "{ctx}");
                assert!(
                    originals.iter().any(|(_, o)| *o == found.bytes),
                    "{ctx}: {member} is none of the originals"
                );
            }
            assert!(w.problems.is_empty(), "{ctx}");
        } else if row.note.starts_with("AES-encrypted") {
            assert!(w.members.iter().any(|m| m.encrypted), "{ctx}");
        } else {
            // Near misses open cleanly and hold nothing of the miner-like originals.
            assert!(w.problems.is_empty(), "{ctx}");
            assert!(!w.members.is_empty(), "{ctx}: nothing opened");
            for m in &w.members {
                assert!(
                    !originals.iter().any(|(_, o)| *o == m.bytes),
                    "{ctx}: {}",
                    m.path
                );
            }
        }
    }
}

#[test]
fn the_upx_kit_leaves_one_layer_for_the_unpacker() {
    let bytes = read("containers/nested/upx-kit.zip");
    // zip (layer 1) + tar.xz (layer 2): the packed miner is reached with two layers...
    let two = walk_with(
        &bytes,
        "upx-kit.zip",
        Limits {
            max_depth: 2,
            ..Limits::default()
        },
    );
    assert!(
        two.get("release/kit.tar.xz!kit/xmrig").is_some(),
        "{:?}",
        two.paths()
    );
    // ...and not with one, so the default depth of 3 leaves the third to the UPX member.
    let one = walk_with(
        &bytes,
        "upx-kit.zip",
        Limits {
            max_depth: 1,
            ..Limits::default()
        },
    );
    assert_eq!(one.paths(), ["release/kit.tar.xz"]);
}

#[test]
fn stream_members_are_named_after_the_file_and_tarballs_are_one_layer() {
    let w = walk(
        &read("containers/streams/config.json.lzma"),
        "config.json.lzma",
    );
    assert_eq!(w.paths(), ["config.json"]);
    for ext in [
        "tar.xz", "txz", "tar.bz2", "tbz2", "tar.zst", "tzst", "tar.lzma",
    ] {
        let name = format!("miner-kit.{ext}");
        let w = walk(&read(&format!("containers/tarballs/{name}")), &name);
        assert_eq!(
            w.paths(),
            ["kit/config.json", "kit/install.sh", "kit/xmrig"],
            "{ext}"
        );
    }
}

#[test]
fn pyinstaller_bundles_give_their_entries_and_modules() {
    let w = walk(
        &read("containers/pyinstaller/miner_bundle.elf"),
        "miner_bundle.elf",
    );
    let paths = w.paths();
    for p in [
        "struct.pyc",
        "pyiboot01_bootstrap.pyc",
        "miner_main.pyc",
        "xmrig",
        "PYZ-00.pyz",
        "PYZ-00.pyz!miner.pool.pyc",
        "PYZ-00.pyz!miner.pyc",
    ] {
        assert!(paths.contains(&p), "{p} not in {paths:?}");
    }
    // The entry script is a code object whose strings are in the clear.
    let script = &w.get("miner_main.pyc").unwrap().bytes;
    assert!(memchr::memmem::find(script, b"stratum+tcp://").is_some());
    let module = &w.get("PYZ-00.pyz!miner.pool.pyc").unwrap().bytes;
    assert!(memchr::memmem::find(module, b"gulf.moneroocean.stream").is_some());
    // The older layout (table as a list) too.
    let w = walk(
        &read("containers/pyinstaller/tool_bundle.elf"),
        "tool_bundle.elf",
    );
    assert!(
        w.paths().contains(&"PYZ-00.pyz!report.fmt.pyc"),
        "{:?}",
        w.paths()
    );
}

#[test]
fn carving_finds_the_payload_and_nothing_in_the_carrier() {
    let carrier = read("bin/loader_slot.elf");
    assert!(crate::containers_common::walk(&carrier, "loader_slot.elf")
        .members
        .is_empty());
    let stub = read("bin/pyi_stub.elf");
    assert!(crate::containers_common::walk(&stub, "pyi_stub.elf")
        .members
        .is_empty());
    let benign = read("bin/benign_ntp_like.elf");
    assert!(
        crate::containers_common::walk(&benign, "benign_ntp_like.elf")
            .members
            .is_empty()
    );
    let w = walk(
        &read("containers/carved/appended_elf.elf"),
        "appended_elf.elf",
    );
    assert_eq!(w.paths(), [format!("carved@{:#x}", benign.len())]);
}

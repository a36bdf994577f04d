//! Hostile and broken input: truncated streams, sizes claiming 4 GiB, blocks that decompress past
//! their declared size, self-referencing block records, garbage after valid headers, random
//! corruption. Each must end in `Failed` (or an exact recovery), without a panic and without
//! allocating beyond the output bound; a counting allocator measures the peak.

use crate::alloc::measure;

use minerscan::testing::scan::containers::upx::{
    unpack, DecodeError, FailReason, Limits, Outcome, Tampering,
};

/// Unpacks under a limit of 64x the input and checks the allocation peak stayed within a few
/// times that limit (the output, one block being decoded, the LZMA window) plus slack.
fn bounded(bytes: &[u8]) -> Outcome {
    let limits = Limits {
        max_output: bytes.len() * 64,
    };
    let (outcome, used) = measure(|| unpack(bytes, &limits));
    assert!(
        used <= 3 * limits.max_output + (1 << 20),
        "allocated {used} bytes for a {}-byte input",
        bytes.len()
    );
    outcome
}

fn full(packed: &[u8]) -> Vec<u8> {
    match unpack(
        packed,
        &Limits {
            max_output: packed.len() * 64,
        },
    ) {
        Outcome::Unpacked(u) => u.bytes,
        other => panic!("{}", summary(&other)),
    }
}

fn fixture(name: &str) -> Vec<u8> {
    crate::upx_common::read(&format!("upx/packed/{name}"))
}

fn le32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn put32(b: &mut [u8], at: usize, v: u32) {
    b[at..at + 4].copy_from_slice(&v.to_le_bytes());
}

/// Offsets of the ELF block records (the `l_info` magic is intact in untampered fixtures):
/// the first one follows `l_info` and `p_info`; the chain runs up to the loader.
fn elf_blocks(b: &[u8]) -> Vec<usize> {
    let magic = b.windows(4).position(|w| w == b"UPX!").unwrap();
    let mut at = magic + 20;
    let mut blocks = Vec::new();
    for _ in 0..6 {
        let (unc, cpr) = (le32_at(b, at), le32_at(b, at + 4));
        if unc == 0 || cpr > unc {
            break;
        }
        blocks.push(at);
        at += 12 + cpr as usize;
    }
    blocks
}

/// The ELF end-of-blocks record: `{0, "UPX!", ...}`, the last such eight bytes but the pack
/// header's own (which follows the record's zero spare bytes).
fn elf_end_record(b: &[u8]) -> usize {
    let hits: Vec<usize> = (0..b.len() - 8)
        .filter(|&i| b[i..i + 4] == [0; 4] && &b[i + 4..i + 8] == b"UPX!")
        .collect();
    hits[hits.len() - 2]
}

/// Where a packed fixture's compressed data ends: ELF, after the end record; PE, after the
/// stream whose length the pack header gives.
fn data_end(b: &[u8]) -> usize {
    if b.starts_with(b"\x7fELF") {
        elf_end_record(b) + 12
    } else {
        let ph = b.windows(4).position(|w| w == b"UPX!").unwrap();
        ph + 32 + le32_at(b, ph + 20) as usize
    }
}

/// A short description of an outcome for assertion messages (never the bytes).
fn summary(o: &Outcome) -> String {
    match o {
        Outcome::NotUpx => "NotUpx".into(),
        Outcome::Unpacked(u) => format!("Unpacked({} bytes, {:?})", u.bytes.len(), u.tampering),
        Outcome::Failed { reason, .. } => format!("Failed({reason})"),
    }
}

fn failed(o: &Outcome) -> Option<&FailReason> {
    match o {
        Outcome::Failed { reason, .. } => Some(reason),
        _ => None,
    }
}

#[test]
fn truncated_files_fail_or_recover_exactly() {
    for name in [
        "miner_xmrig_like.elf.nrv2e",
        "miner_xmrig_like.elf.lzma",
        "miner_xmrig_like.elf32.nrv2b",
        "miner_xmrig_like.pe.nrv2e",
        "miner_xmrig_like.pe32.lzma",
        "miner_xmrig_like.pe.nrv2d",
    ] {
        let packed = fixture(name);
        let want = full(&packed);
        let end = data_end(&packed);
        for k in 1..60 {
            let cut = (packed.len() * k / 60 + k).min(packed.len() - 1);
            match bounded(&packed[..cut]) {
                Outcome::Unpacked(u) => {
                    assert!(
                        cut >= end,
                        "{name} cut at {cut} inside the data (ends {end}) unpacked"
                    );
                    // Past the data, other parts may be gone (PE: UPX's import table with the
                    // DLL names); the output may then differ, but must not claim to be exact.
                    assert!(
                        u.bytes == want || !u.exact,
                        "{name} cut at {cut}: wrong bytes called exact"
                    );
                }
                Outcome::Failed { .. } | Outcome::NotUpx => {}
            }
        }
    }
}

#[test]
fn a_block_claiming_4_gib_fails() {
    let mut packed = fixture("miner_xmrig_like.elf.nrv2e");
    let second = elf_blocks(&packed)[1];
    put32(&mut packed, second, 0xffff_fff0);
    let o = bounded(&packed);
    assert!(
        matches!(failed(&o), Some(FailReason::BlockCrossesSegment { .. })),
        "{}",
        summary(&o)
    );
}

#[test]
fn size_fields_claiming_4_gib_are_ignored() {
    let mut elf = fixture("miner_xmrig_like.elf.lzma");
    let magic = elf.windows(4).position(|w| w == b"UPX!").unwrap();
    put32(&mut elf, magic + 12, u32::MAX); // p_info.p_filesize
    put32(&mut elf, magic + 16, u32::MAX); // p_info.p_blocksize
    let original = crate::upx_common::read("bin/miner_xmrig_like.elf");
    match bounded(&elf) {
        Outcome::Unpacked(u) => {
            assert!(u.bytes == original);
            assert!(u.tampering.contains(&Tampering::SizeFields));
        }
        o => panic!("{}", summary(&o)),
    }
    for name in ["miner_xmrig_like.pe.nrv2e", "miner_xmrig_like.pe32.lzma"] {
        let mut pe = fixture(name);
        let want = full(&pe);
        let ph = pe.windows(4).position(|w| w == b"UPX!").unwrap();
        put32(&mut pe, ph + 16, u32::MAX); // u_len
        match bounded(&pe) {
            Outcome::Unpacked(u) => {
                assert!(u.bytes == want, "{name}");
                assert!(u.tampering.contains(&Tampering::SizeFields), "{name}");
            }
            o => panic!("{name}: {}", summary(&o)),
        }
    }
}

#[test]
fn a_tail_that_never_ends_hits_the_output_limit() {
    // Blocks after the loader run to the end record; without one, and with a record claiming
    // more than the limit allows, the tail stops at the limit.
    let mut packed = fixture("miner_xmrig_like.elf.nrv2e.sizes");
    let end = elf_end_record(&packed);
    put32(&mut packed, end, 0x7fff_0000);
    put32(&mut packed, end + 4, 0x100);
    let o = bounded(&packed);
    assert!(failed(&o).is_some(), "{}", summary(&o));
}

#[test]
fn a_block_that_decompresses_past_its_declared_size_fails() {
    for name in [
        "miner_xmrig_like.elf.nrv2e",
        "miner_xmrig_like.elf.nrv2b",
        "miner_xmrig_like.elf.lzma",
    ] {
        let mut packed = fixture(name);
        let blocks = elf_blocks(&packed);
        let (at, unc) = (blocks[1], le32_at(&packed, blocks[1]));
        put32(&mut packed, at, unc - 1);
        let o = bounded(&packed);
        // NRV streams carry an end mark, so the overrun shows in the block itself; LZMA blocks
        // have none, so the block stops at the declared size and the next one no longer fits.
        match (failed(&o), name.ends_with("lzma")) {
            (
                Some(FailReason::BadBlock {
                    error: DecodeError::OutputOverrun,
                    ..
                }),
                false,
            ) => {}
            (Some(FailReason::BlockCrossesSegment { .. }), true) => {}
            _ => panic!("{name}: {}", summary(&o)),
        }
    }
}

#[test]
fn a_pe_header_understating_the_size_falls_back_to_the_stream() {
    let mut pe = fixture("miner_xmrig_like.pe.nrv2e");
    let want = full(&pe);
    let ph = pe.windows(4).position(|w| w == b"UPX!").unwrap();
    let u_len = le32_at(&pe, ph + 16);
    put32(&mut pe, ph + 16, u_len - 1);
    match bounded(&pe) {
        Outcome::Unpacked(u) => {
            assert!(u.bytes == want);
            assert!(u.tampering.contains(&Tampering::SizeFields));
        }
        o => panic!("{}", summary(&o)),
    }
}

#[test]
fn self_referencing_block_records_fail() {
    // A record whose compressed size is zero would point at itself forever in a reader that
    // follows sizes blindly.
    let mut packed = fixture("miner_xmrig_like.elf.nrv2d");
    let blocks = elf_blocks(&packed);
    put32(&mut packed, blocks[1] + 4, 0);
    let o = bounded(&packed);
    assert!(
        matches!(failed(&o), Some(FailReason::BadBlockRecord { .. })),
        "{}",
        summary(&o)
    );
    // The same for every block after the loader: none of them can be followed.
    let mut tail = fixture("miner_xmrig_like.elf.nrv2e");
    let end = elf_end_record(&tail);
    for at in (elf_blocks(&tail).last().copied().unwrap() + 12..end).step_by(4) {
        if le32_at(&tail, at) > 0
            && le32_at(&tail, at) < 0x10000
            && le32_at(&tail, at + 4) < le32_at(&tail, at)
        {
            put32(&mut tail, at + 4, 0);
        }
    }
    let o = bounded(&tail);
    assert!(failed(&o).is_some(), "{}", summary(&o));
}

/// xorshift64: deterministic noise for the garbage tests.
struct Noise(u64);

impl Noise {
    fn byte(&mut self) -> u8 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 24) as u8
    }
}

#[test]
fn random_bytes_after_a_valid_header_fail() {
    let mut noise = Noise(0x2545_f491_4f6c_dd1d);
    for name in [
        "miner_xmrig_like.elf.nrv2e",
        "miner_xmrig_like.elf.lzma",
        "miner_xmrig_like.elf32.nrv2d",
    ] {
        let mut packed = fixture(name);
        let first = elf_blocks(&packed)[0];
        for b in &mut packed[first + 12..] {
            *b = noise.byte();
        }
        let o = bounded(&packed);
        assert!(failed(&o).is_some(), "{name}: {}", summary(&o));
    }
    for name in [
        "miner_xmrig_like.pe.nrv2e",
        "miner_xmrig_like.pe.lzma",
        "miner_xmrig_like.pe32.nrv2b",
    ] {
        let mut packed = fixture(name);
        let ph = packed.windows(4).position(|w| w == b"UPX!").unwrap();
        for b in &mut packed[ph + 32..] {
            *b = noise.byte();
        }
        let o = bounded(&packed);
        assert!(failed(&o).is_some(), "{name}: {}", summary(&o));
    }
}

#[test]
fn random_corruption_never_panics_or_overallocates() {
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    for row in crate::upx_common::manifest()
        .iter()
        .filter(|r| !r.packed.contains("static"))
    {
        let base = crate::upx_common::read(&row.packed);
        for round in 0..40 {
            let mut data = base.clone();
            let flips = 1 + usize::from(noise.byte() % 8);
            for _ in 0..flips {
                let r = usize::from(noise.byte()) << 8 | usize::from(noise.byte());
                // Mostly in the headers and first blocks, sometimes anywhere.
                let span = if round % 4 == 0 {
                    data.len()
                } else {
                    data.len().min(1024)
                };
                let at = r % span;
                data[at] = noise.byte();
            }
            let _ = bounded(&data);
        }
    }
}

#[test]
fn fuzz_corpus_replays_cleanly() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    for target in ["upx_unpack", "upx_decompress"] {
        let Ok(dir) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in dir {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            if target == "upx_unpack" {
                let _ = bounded(&data);
            } else if let [m, a, b, stream @ ..] = data.as_slice() {
                let method =
                    minerscan::testing::scan::containers::upx::Method::ALL[usize::from(*m)
                        % minerscan::testing::scan::containers::upx::Method::ALL.len()];
                let want = usize::from(u16::from_le_bytes([*a, *b]));
                if let Ok(out) = minerscan::testing::scan::containers::upx::decompress_block(
                    method, stream, want,
                ) {
                    assert_eq!(out.len(), want);
                }
            }
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no fuzz corpus under {}", root.display());
}

#[test]
fn upx_shape_without_marks_or_stream_is_not_upx() {
    // Section names, pack header and version gone, and the compressed data replaced: only the
    // layout (an empty first section, the entry in the next) is left, as in some other packers.
    let mut pe = fixture("miner_xmrig_like.pe.nrv2e.sections");
    let ph = pe.windows(4).position(|w| w == b"UPX!").unwrap();
    let mut noise = Noise(7);
    for b in &mut pe[ph - 5..] {
        *b = noise.byte();
    }
    assert!(minerscan::testing::scan::containers::upx::detect(&pe).is_some_and(|d| d.layout_only()));
    assert!(matches!(bounded(&pe), Outcome::NotUpx));
}

//! Every packed fixture in minerscan's `fixtures/upx/manifest.tsv` unpacks to its original: the
//! whole file for ELF, every section's bytes for PE (except the import and base-relocation
//! directories UPX rewrites), with the method reported and every tampering recognised.

use minerscan::testing::scan::containers::upx::{
    unpack, Format, Limits, Method, Outcome, Tampering, Unpacked,
};

fn limits_for(packed: &[u8]) -> Limits {
    Limits {
        max_output: packed.len() * 64,
    }
}

fn unpacked(row: &crate::upx_common::Row) -> Unpacked {
    let packed = crate::upx_common::read(&row.packed);
    match unpack(&packed, &limits_for(&packed)) {
        Outcome::Unpacked(u) => u,
        other => panic!("{}: {other:?}", row.packed),
    }
}

/// UPX's method for a `--METHOD` option and target: 32-bit ARM gets the byte-wise bit reader,
/// the others the 32-bit one.
fn expected_method(name: &str, format: &str) -> Method {
    let arm = format == "elf-arm";
    match (name, arm) {
        ("nrv2b", false) => Method::Nrv2bLe32,
        ("nrv2d", false) => Method::Nrv2dLe32,
        ("nrv2e", false) => Method::Nrv2eLe32,
        ("nrv2b", true) => Method::Nrv2b8,
        ("nrv2d", true) => Method::Nrv2d8,
        ("nrv2e", true) => Method::Nrv2e8,
        ("lzma", _) => Method::Lzma,
        other => panic!("unknown method {other:?}"),
    }
}

fn expected_format(name: &str) -> Format {
    match name {
        "elf-x86_64" => Format::ElfX86_64,
        "elf-i386" => Format::ElfI386,
        "elf-arm" => Format::ElfArm,
        "elf-aarch64" => Format::ElfAarch64,
        "pe32plus" => Format::Pe32Plus,
        "pe32" => Format::Pe32,
        other => panic!("unknown format {other}"),
    }
}

/// What each tampering operation of `upx_tamper.py` must be reported as (at least).
fn expected_tampering(op: &str, pe: bool) -> &'static [Tampering] {
    match (op, pe) {
        ("magics", false) => &[
            Tampering::LoaderInfoMagic,
            Tampering::EndMarkerMagic,
            Tampering::PackHeaderMagic,
        ],
        ("magics", true) => &[Tampering::PackHeaderMagic],
        ("banner", _) => &[Tampering::BannerRemoved],
        ("sizes", _) => &[Tampering::SizeFields],
        ("header", false) => &[Tampering::PackHeaderMagic, Tampering::PackHeaderFields],
        ("header", true) => &[Tampering::PackHeaderMissing],
        ("sections", true) => &[Tampering::SectionNames],
        other => panic!("unknown tampering {other:?}"),
    }
}

/// Compares two PE files section by section, outside the import, base-relocation and IAT
/// directories (UPX zeroes the first and third and drops the second).
fn assert_same_sections(name: &str, original: &[u8], got: &[u8]) {
    let (want, skip) = crate::upx_common::pe_sections(original, &[1, 5, 12]);
    let (have, _) = crate::upx_common::pe_sections(got, &[]);
    assert_eq!(want.len(), have.len(), "{name}: section count");
    let mut compared = 0;
    for (w, h) in want.iter().zip(&have) {
        assert_eq!(
            (&w.name, w.vaddr),
            (&h.name, h.vaddr),
            "{name}: section table"
        );
        assert_eq!(w.raw.len(), h.raw.len(), "{name}: {} size", w.name);
        for (i, (a, b)) in w.raw.iter().zip(&h.raw).enumerate() {
            let rva = w.vaddr + i;
            if skip.iter().any(|&(at, len)| rva >= at && rva < at + len) {
                continue;
            }
            assert_eq!(a, b, "{name}: {} differs at rva {rva:#x}", w.name);
            compared += 1;
        }
    }
    assert!(
        compared * 10 > original.len() * 7,
        "{name}: compared only {compared} bytes"
    );
}

#[test]
fn every_packed_fixture_unpacks_to_its_original() {
    for row in crate::upx_common::manifest() {
        let u = unpacked(&row);
        let original = crate::upx_common::read(&row.original);
        assert_eq!(u.format, expected_format(&row.format), "{}", row.packed);
        assert_eq!(
            u.methods,
            vec![expected_method(&row.method, &row.format)],
            "{}",
            row.packed
        );
        match row.compare.as_str() {
            "file" => assert!(
                u.bytes == original,
                "{}: bytes differ from the original",
                row.packed
            ),
            "sections" => {
                assert_same_sections(&row.packed, &original, &u.bytes);
                let imports = crate::upx_common::pe_imports(&original);
                assert!(
                    imports.len() >= 2,
                    "{}: too few imports to compare",
                    row.original
                );
                assert_eq!(
                    crate::upx_common::pe_imports(&u.bytes),
                    imports,
                    "{}: imports",
                    row.packed
                );
            }
            other => panic!("unknown comparison {other}"),
        }
    }
}

#[test]
fn untampered_fixtures_are_exact_and_clean() {
    for row in crate::upx_common::manifest()
        .iter()
        .filter(|r| r.tampering.is_empty())
    {
        let u = unpacked(row);
        assert!(u.exact, "{}: not exact", row.packed);
        assert!(u.tampering.is_empty(), "{}: {:?}", row.packed, u.tampering);
    }
}

#[test]
fn tampering_is_recognised() {
    let tampered: Vec<_> = crate::upx_common::manifest()
        .into_iter()
        .filter(|r| !r.tampering.is_empty())
        .collect();
    assert!(tampered.len() >= 12);
    for row in tampered {
        let u = unpacked(&row);
        let pe = row.format.starts_with("pe");
        for op in &row.tampering {
            for t in expected_tampering(op, pe) {
                assert!(
                    u.tampering.contains(t),
                    "{}: {t:?} not in {:?}",
                    row.packed,
                    u.tampering
                );
            }
        }
    }
}

#[test]
fn both_upx_generations_are_covered() {
    let rows = crate::upx_common::manifest();
    for version in ["4.2.3", "3.96"] {
        let n = rows.iter().filter(|r| r.upx == version).count();
        assert!(n >= 3, "only {n} fixtures packed by UPX {version}");
    }
}

#[test]
fn filters_are_reported() {
    let static_elf = crate::upx_common::manifest()
        .into_iter()
        .find(|r| r.packed.ends_with("bin_xmrig_like.elf-static.nrv2e"))
        .unwrap();
    assert_eq!(unpacked(&static_elf).filters, vec![0x49]);
    let pe32 = crate::upx_common::manifest()
        .into_iter()
        .find(|r| r.packed.ends_with("miner_xmrig_like.pe32.nrv2e"))
        .unwrap();
    assert_eq!(unpacked(&pe32).filters, vec![0x26]);
}

#[test]
fn detect_sees_packed_fixtures_and_not_their_originals() {
    for row in crate::upx_common::manifest() {
        let packed = crate::upx_common::read(&row.packed);
        let found = minerscan::testing::scan::containers::upx::detect(&packed)
            .unwrap_or_else(|| panic!("{}: not detected", row.packed));
        assert_eq!(found.format, expected_format(&row.format));
        let original = crate::upx_common::read(&row.original);
        assert_eq!(
            minerscan::testing::scan::containers::upx::detect(&original),
            None,
            "{}",
            row.original
        );
        assert!(matches!(
            unpack(&original, &limits_for(&original)),
            Outcome::NotUpx
        ));
    }
}

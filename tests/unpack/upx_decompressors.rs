//! Each NRV decompressor, at each bit-buffer width, against streams written by UCL (UPX's
//! compression library): UPX's x86 targets only use the 32-bit width, so these vectors are what
//! proves the byte and 16-bit readers. Also the failure modes of a single stream.

use minerscan::testing::scan::containers::upx::{decompress_block, DecodeError, Method};

fn data(name: &str) -> Vec<u8> {
    let p = format!("{}/fixtures/upx/ucl/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&p).unwrap_or_else(|e| panic!("{p}: {e}"))
}

const VECTORS: [(Method, &str); 9] = [
    (Method::Nrv2bLe32, "nrv2b_le32.bin"),
    (Method::Nrv2b8, "nrv2b_8.bin"),
    (Method::Nrv2bLe16, "nrv2b_le16.bin"),
    (Method::Nrv2dLe32, "nrv2d_le32.bin"),
    (Method::Nrv2d8, "nrv2d_8.bin"),
    (Method::Nrv2dLe16, "nrv2d_le16.bin"),
    (Method::Nrv2eLe32, "nrv2e_le32.bin"),
    (Method::Nrv2e8, "nrv2e_8.bin"),
    (Method::Nrv2eLe16, "nrv2e_le16.bin"),
];

#[test]
fn every_method_and_width_decodes_ucl_output() {
    let plain = data("plain.bin");
    for (method, file) in VECTORS {
        let out = decompress_block(method, &data(file), plain.len())
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(out == plain, "{file}: wrong output");
    }
}

#[test]
fn a_stream_read_with_the_wrong_width_or_format_fails() {
    let plain = data("plain.bin");
    for (method, file) in VECTORS {
        for (other, _) in VECTORS.iter().filter(|(m, _)| *m != method) {
            let r = decompress_block(*other, &data(file), plain.len());
            assert!(
                r.is_err() || r.as_ref().unwrap() != &plain,
                "{file} decoded as {other}"
            );
        }
    }
}

#[test]
fn declared_size_is_enforced_both_ways() {
    let plain = data("plain.bin");
    for (method, file) in VECTORS {
        let stream = data(file);
        assert_eq!(
            decompress_block(method, &stream, plain.len() - 1),
            Err(DecodeError::OutputOverrun),
            "{file}"
        );
        assert_eq!(
            decompress_block(method, &stream, plain.len() + 1),
            Err(DecodeError::ShortOutput),
            "{file}"
        );
    }
}

#[test]
fn truncated_streams_fail() {
    let plain = data("plain.bin");
    for (method, file) in VECTORS {
        let stream = data(file);
        for cut in [0, 1, 3, 17, stream.len() / 2, stream.len() - 1] {
            let r = decompress_block(method, &stream[..cut], plain.len());
            assert!(r.is_err(), "{file} cut at {cut}");
        }
    }
}

#[test]
fn lzma_header_is_checked() {
    // UPX's two bytes: (lc + lp) << 3 | pb, then lp << 4 | lc. 3/0/2 is the usual choice.
    assert!(decompress_block(Method::Lzma, &[0x1a, 0x03], 16).is_err());
    assert_eq!(
        decompress_block(Method::Lzma, &[0x1a, 0x04, 0, 0, 0, 0, 0], 16),
        Err(DecodeError::LzmaHeader)
    );
    assert_eq!(
        decompress_block(Method::Lzma, &[0x1f, 0x03, 0, 0, 0, 0, 0], 16),
        Err(DecodeError::LzmaHeader)
    );
    assert!(decompress_block(Method::Lzma, &[0x1a], 16).is_err());
}

#[test]
fn a_huge_declared_size_costs_nothing_for_a_tiny_stream() {
    // A run of one literal repeated forever is how a bomb looks; the declared size bounds it and
    // a short stream fails long before any large allocation matters.
    for (method, file) in VECTORS {
        let stream = data(file);
        let r = decompress_block(method, &stream[..64], 64 << 20);
        assert!(r.is_err(), "{file}");
    }
}

//! The guards in front of the tar and zip crates, and the formats' smaller promises: tar names
//! from GNU long names and PAX headers (capped), PAX sizes that disagree with the header, zip
//! archives behind a prefix (self-extractors), member names capped, Debian packages, carved
//! candidates and their limits.

use std::io::Write;

use crate::containers_common::walk;
use minerscan::testing::scan::containers::carve::{candidates, CarveOptions};
use minerscan::testing::scan::containers::{ProblemKind, MAX_NAME_LEN};

fn raw_tar(entries: &[(u8, &str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (kind, name, data) in entries {
        let mut h = tar::Header::new_gnu();
        h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
        h.set_size(data.len() as u64);
        h.set_entry_type(tar::EntryType::new(*kind));
        h.set_mode(0o644);
        h.set_cksum();
        out.extend_from_slice(h.as_bytes());
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

fn pax(records: &[(&str, &str)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in records {
        let body = format!(" {k}={v}\n");
        let mut len = body.len() + 1;
        while format!("{len}{body}").len() != len {
            len += 1;
        }
        out.extend_from_slice(format!("{len}{body}").as_bytes());
    }
    out
}

#[test]
fn tar_names_come_from_long_name_and_pax_entries_capped() {
    let long = "d/".repeat(600) + "miner";
    let mut name_entry = long.clone().into_bytes();
    name_entry.push(0);
    let t = raw_tar(&[
        (b'L', "././@LongLink", &name_entry),
        (b'0', "short", b"one"),
        (b'x', "PaxHeader", &pax(&[("path", "from/pax/two")])),
        (b'0', "ignored", b"two"),
        (b'0', "plain", b"three"),
    ]);
    let w = walk(&t, "t.tar");
    assert!(w.problems.is_empty(), "{:?}", w.problems);
    let paths = w.paths();
    assert!(
        paths[0].starts_with("d/d/") && paths[0].ends_with("bytes]"),
        "{}",
        paths[0]
    );
    assert!(paths[0].len() < MAX_NAME_LEN + 32);
    assert_eq!(&paths[1..], ["from/pax/two", "plain"]);
}

#[test]
fn a_pax_size_that_disagrees_with_the_header_is_refused() {
    let t = raw_tar(&[
        (b'x', "PaxHeader", &pax(&[("size", "1000")])),
        (b'0', "hidden", b"short"),
    ]);
    let w = walk(&t, "t.tar");
    assert_eq!(w.kinds(), [ProblemKind::Corrupt]);
    assert!(w.members.is_empty());
}

fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for (name, data) in files {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_directories_are_read_behind_a_prefix_and_names_capped() {
    let long = "n".repeat(3000);
    let z = zip_of(&[("a.txt", b"alpha"), (long.as_str(), b"beta")]);
    let dir = minerscan::testing::scan::containers::zip::directory(&z).unwrap();
    assert_eq!((dir.entries, dir.prefix), (2, 0));
    // A self-extractor: the archive behind a program.
    let mut sfx = crate::containers_common::read("bin/pyi_stub.elf");
    let stub_len = sfx.len() as u64;
    sfx.extend_from_slice(&z);
    let dir = minerscan::testing::scan::containers::zip::directory(&sfx).unwrap();
    assert_eq!(dir.prefix, stub_len);
    minerscan::testing::scan::containers::zip::check_overlaps(&sfx, &dir).unwrap();
    let w = walk(&z, "z.zip");
    assert_eq!(w.paths()[0], "a.txt");
    assert!(w.paths()[1].len() < MAX_NAME_LEN + 32);
    // Carving finds the self-extractor's archive.
    let found = candidates(&sfx, &CarveOptions::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].offset as u64, stub_len);
}

#[test]
fn debian_packages_give_their_tarballs() {
    let mut deb = b"!<arch>\n".to_vec();
    for (name, data) in [("debian-binary", &b"2.0\n"[..]), ("data.tar", b"xyz")] {
        deb.extend_from_slice(
            format!(
                "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                0,
                0,
                0,
                100644,
                data.len()
            )
            .as_bytes(),
        );
        deb.extend_from_slice(data);
        if data.len() % 2 == 1 {
            deb.push(b'\n');
        }
    }
    let w = walk(&deb, "x.deb");
    assert_eq!(w.paths(), ["debian-binary", "data.tar"]);
    assert!(w.problems.is_empty());
}

#[test]
fn carving_keeps_the_largest_few_and_skips_small_streams() {
    let mut host = crate::containers_common::read("bin/benign_ntp_like.elf");
    let payload = crate::containers_common::read("bin/miner_xmrig_like.elf");
    let gz = |d: &[u8]| {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(d).unwrap();
        e.finish().unwrap()
    };
    // Ten small compressed blobs (below the minimum output) and six payloads.
    for i in 0..10 {
        host.extend_from_slice(&gz(format!("icon {i}").as_bytes()));
    }
    let mut offsets = Vec::new();
    for i in 0..6 {
        offsets.push(host.len());
        let mut p = payload.clone();
        p.extend(std::iter::repeat_n(b'x', i * 4096));
        host.extend_from_slice(&gz(&p));
    }
    let found = candidates(&host, &CarveOptions::default());
    // The four largest payloads (the last four), in file order.
    let got: Vec<usize> = found.iter().map(|c| c.offset).collect();
    assert_eq!(got, offsets[2..]);
    // Offset 0 is the file itself, never a candidate.
    assert!(candidates(&payload, &CarveOptions::default()).is_empty());
}

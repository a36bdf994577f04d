//! Archives scanned in place: nested members found and named `outer!inner!leaf`, bombs and
//! corrupt archives bounded and reported while the scan goes on. Fixtures are built here, at run
//! time, with the zip, tar and flate2 writers: no binary archive is committed.

use crate::support::*;
use std::io::Write;

pub fn tar_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (name, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        h.set_cksum();
        b.append_data(&mut h, name, *data).unwrap();
    }
    b.into_inner().unwrap()
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zip_of(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in files {
        z.start_file(*name, opts).unwrap();
        z.write_all(data).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn write(t: &Tree, rel: &str, bytes: &[u8]) {
    let p = t.path().join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, bytes).unwrap();
}

/// outer.zip holds dir/inner.tar.gz, which holds the miner: two levels down.
fn nested_tree() -> Tree {
    let t = Tree::new();
    let inner = gzip(&tar_of(&[
        ("README", b"nothing here\n"),
        ("xmrig", MINER_LINE.as_bytes()),
    ]));
    let outer = zip_of(&[("dir/inner.tar.gz", &inner), ("dir/notes.txt", b"hello\n")]);
    write(&t, "outer.zip", &outer);
    t
}

#[test]
fn finds_a_miner_two_levels_down() {
    let t = nested_tree();
    let out = run(&["scan", "--format", "json", "outer.zip"], t.path());
    assert_eq!(out.code, 1, "{}", out.stdout);
    let doc = json(&out);
    let f = &doc["files"][0];
    assert_eq!(f["path"], "outer.zip");
    assert_eq!(f["verdict"], "suspicious");
    assert!(f["sha256"].is_string(), "a flagged archive has its digests");
    assert!(f["reasons"][0]
        .as_str()
        .unwrap()
        .starts_with("member outer.zip!dir/inner.tar.gz!xmrig: "));
    let inner = &f["members"][0];
    assert_eq!(inner["path"], "outer.zip!dir/inner.tar.gz");
    let leaf = &inner["members"][0];
    assert_eq!(leaf["path"], "outer.zip!dir/inner.tar.gz!xmrig");
    assert_eq!(leaf["verdict"], "suspicious");
    assert!(
        leaf["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["class"] == "miner"
                && (f["rule"] == "stratum_url"
                    || f["also_reported_by"].to_string().contains("stratum_url"))),
        "the stratum URL in the member is found: {leaf}"
    );
    assert_eq!(
        inner["members"].as_array().unwrap().len(),
        1,
        "clean members are not listed"
    );
    assert_eq!(doc["summary"]["files_scanned"], 1);

    let text = run(&["scan", "outer.zip"], t.path());
    assert!(
        text.stdout.contains("outer.zip!dir/inner.tar.gz!xmrig"),
        "{}",
        text.stdout
    );

    // One layer only: the tar.gz inside is not opened.
    let shallow = run(
        &[
            "scan",
            "--format",
            "json",
            "--archive-depth",
            "1",
            "outer.zip",
        ],
        t.path(),
    );
    assert_eq!(shallow.code, 0, "{}", shallow.stdout);
    let none = run(&["scan", "--archive-depth", "0", "outer.zip"], t.path());
    assert_eq!(none.code, 0);
}

#[test]
fn archives_above_max_size_are_skipped_and_counted() {
    let t = Tree::new();
    // Incompressible filler, so that the archive is larger than the header view.
    let mut x: u32 = 1;
    let noise: Vec<u8> = (0..16_384)
        .map(|_| {
            x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            (x >> 24) as u8
        })
        .collect();
    let outer = zip_of(&[("noise.bin", &noise), ("xmrig", MINER_LINE.as_bytes())]);
    write(&t, "outer.zip", &outer);
    let out = run(
        &[
            "scan",
            "--format",
            "json",
            "--max-size",
            "8KiB",
            "outer.zip",
        ],
        t.path(),
    );
    assert_eq!(out.code, 0, "{}", out.stdout);
    let doc = json(&out);
    assert_eq!(skipped(&doc, "too_large"), 1);
    assert_eq!(run(&["scan", "outer.zip"], t.path()).code, 1);
}

#[test]
fn zip_bomb_and_corrupt_archive_are_bounded_and_reported() {
    let t = Tree::new();
    let zeros = vec![0u8; 32 << 20];
    let bomb = zip_of(&[("zeros.bin", &zeros), ("run.sh", MINER_LINE.as_bytes())]);
    assert!(bomb.len() < 200_000);
    write(&t, "a-bomb.zip", &bomb);
    let tgz_bomb = gzip(&tar_of(&[("zeros", &zeros)]));
    write(&t, "b-bomb.tar.gz", &tgz_bomb);
    let mut corrupt = zip_of(&[("x.txt", b"hello hello hello hello\n")]);
    let n = corrupt.len();
    corrupt[n - 22..].fill(0xff); // the end-of-central-directory record
    write(&t, "c-corrupt.zip", &corrupt);
    let mut broken_gz = gzip(&tar_of(&[("a", &[7u8; 10_000][..])]));
    broken_gz.truncate(broken_gz.len() / 2);
    write(&t, "d-truncated.tar.gz", &broken_gz);
    t.file("e-after.sh", MINER_LINE);

    let started = std::time::Instant::now();
    let out = run(&["scan", "--format", "json", "."], t.path());
    assert!(started.elapsed().as_secs() < 30);
    let doc = json(&out);
    let files = doc["files"].as_array().unwrap();
    let by_path = |p: &str| {
        files
            .iter()
            .find(|f| f["path"] == p)
            .unwrap_or_else(|| panic!("{p} not listed: {}", out.stdout))
    };
    let problem = |f: &serde_json::Value| f["errors"][0]["problem"].as_str().unwrap().to_owned();

    let a = by_path("./a-bomb.zip");
    assert_eq!(problem(a), "compression_ratio", "{a}");
    assert_eq!(
        a["verdict"], "suspicious",
        "the other member is still scanned"
    );
    assert_eq!(a["members"][0]["path"], "./a-bomb.zip!run.sh");
    assert_eq!(problem(by_path("./b-bomb.tar.gz")), "compression_ratio");
    let c = by_path("./c-corrupt.zip");
    assert_eq!(problem(c), "corrupt");
    assert!(c["errors"][0]["message"].as_str().unwrap().contains("zip"));
    assert_eq!(problem(by_path("./d-truncated.tar.gz")), "corrupt");
    assert_eq!(by_path("./e-after.sh")["verdict"], "suspicious");
    let s = &doc["summary"];
    // Every file was read; what ran in each still gives it a verdict.
    assert_eq!(s["files_scanned"], 5, "{s}");
    // Bombs and corrupt archives alike were not fully judged.
    assert_eq!(s["errors"], 4, "{s}");
    assert_eq!(s["incomplete"], 4, "{s}");
    assert_eq!(s["complete"], false);
    assert_eq!(out.code, 1);
}

#[test]
fn encrypted_members_are_reported() {
    let t = Tree::new();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    // ZipCrypto, the legacy scheme every zip tool reads: enough to mark the member encrypted.
    use zip::unstable::write::FileOptionsExt;
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .with_deprecated_encryption(b"infected")
        .unwrap();
    z.start_file("payload.exe", opts).unwrap();
    z.write_all(b"MZ not really").unwrap();
    let bytes = z.finish().unwrap().into_inner();
    write(&t, "sample.zip", &bytes);
    let out = run(&["scan", "--format", "json", "."], t.path());
    let doc = json(&out);
    let m = &doc["files"][0]["members"][0];
    assert_eq!(m["path"], "./sample.zip!payload.exe");
    assert_eq!(m["errors"][0]["problem"], "encrypted");
    assert_eq!(
        out.code, 0,
        "an encrypted member is reported, not a verdict"
    );
}

#[test]
fn debian_packages_are_opened() {
    let t = Tree::new();
    let data = gzip(&tar_of(&[("./usr/bin/helper", MINER_LINE.as_bytes())]));
    let mut deb = b"!<arch>\n".to_vec();
    for (name, body) in [
        ("debian-binary", &b"2.0\n"[..]),
        (
            "control.tar.gz",
            &gzip(&tar_of(&[("./control", b"Package: x\n")]))[..],
        ),
        ("data.tar.gz", &data[..]),
    ] {
        deb.extend_from_slice(
            format!(
                "{name:<16}{:<12}{:<6}{:<6}{:<8}{:<10}`\n",
                0,
                0,
                0,
                100644,
                body.len()
            )
            .as_bytes(),
        );
        deb.extend_from_slice(body);
        if body.len() % 2 == 1 {
            deb.push(b'\n');
        }
    }
    write(&t, "tool_1.0_amd64.deb", &deb);
    let out = run(&["scan", "--format", "json", "."], t.path());
    assert_eq!(out.code, 1, "{}", out.stdout);
    let doc = json(&out);
    let leaf = &doc["files"][0]["members"][0]["members"][0];
    assert_eq!(
        leaf["path"],
        "./tool_1.0_amd64.deb!data.tar.gz!usr/bin/helper"
    );
}

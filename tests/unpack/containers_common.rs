//! Shared test helpers: where the fixtures are, their manifest, and a walker that opens members
//! recursively the way minerscan's engine will (containers first, carving for executables and
//! data that no container claims), collecting every member's path and bytes and every problem.

use std::path::PathBuf;

use minerscan::testing::scan::containers::{
    carve, detect, for_each_member, Budget, CarveOptions, Limits, MemberData, Problem,
};

/// The `fixtures/` folder holding `containers/manifest.tsv`.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

pub fn read(rel: &str) -> Vec<u8> {
    let p = fixtures().join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

pub struct Row {
    pub path: String,
    pub member: Option<String>,
    pub note: String,
}

pub fn manifest() -> Vec<Row> {
    let text = String::from_utf8(read("containers/manifest.tsv")).unwrap();
    let rows: Vec<Row> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            assert_eq!(c.len(), 4, "manifest row: {l}");
            Row {
                path: c[0].into(),
                member: (c[2] != "-").then(|| c[2].to_owned()),
                note: c[3].into(),
            }
        })
        .collect();
    assert!(rows.len() >= 40, "manifest has only {} rows", rows.len());
    rows
}

/// One member found by the walk: its path below the top-level file (`a!b!c`) and content.
#[derive(Debug)]
pub struct Found {
    pub path: String,
    pub bytes: Vec<u8>,
    pub header_only: bool,
    pub encrypted: bool,
}

#[derive(Debug, Default)]
pub struct Walk {
    pub members: Vec<Found>,
    /// Each problem with the path of the layer it belongs to ("" for the top-level file).
    pub problems: Vec<(String, Problem)>,
}

impl Walk {
    pub fn get(&self, path: &str) -> Option<&Found> {
        self.members.iter().find(|m| m.path == path)
    }

    pub fn paths(&self) -> Vec<&str> {
        self.members.iter().map(|m| m.path.as_str()).collect()
    }

    pub fn kinds(&self) -> Vec<minerscan::testing::scan::containers::ProblemKind> {
        self.problems.iter().map(|(_, p)| p.kind).collect()
    }
}

fn is_executable_or_data(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && (bytes.starts_with(b"\x7fELF")
            || bytes.starts_with(b"MZ")
            || bytes.iter().take(4096).any(|&b| b == 0))
}

/// Opens `bytes` (named `name`) and everything inside it under `limits`.
pub fn walk_with(bytes: &[u8], name: &str, limits: Limits) -> Walk {
    let budget = Budget::new(limits, bytes.len() as u64);
    let mut walk = Walk::default();
    open(bytes, name, "", &budget, &mut walk);
    walk
}

pub fn walk(bytes: &[u8], name: &str) -> Walk {
    walk_with(bytes, name, Limits::default())
}

fn open(bytes: &[u8], name: &str, path: &str, budget: &Budget, walk: &mut Walk) {
    let mut visit = |m: minerscan::testing::scan::containers::Member<'_>| {
        let member_path = if path.is_empty() {
            m.name.clone()
        } else {
            format!("{path}!{}", m.name)
        };
        let (content, header_only, encrypted) = match m.data {
            MemberData::Bytes(b) => (b.to_vec(), false, false),
            MemberData::Header { head, .. } => (head.to_vec(), true, false),
            MemberData::Encrypted { .. } => (Vec::new(), false, true),
        };
        if !header_only && !encrypted {
            let leaf = m.name.rsplit('/').next().unwrap_or(&m.name).to_owned();
            open(&content, &leaf, &member_path, budget, walk);
        }
        walk.members.push(Found {
            path: member_path,
            bytes: content,
            header_only,
            encrypted,
        });
    };
    let problems = match detect(bytes, name) {
        Some(container) => for_each_member(container, bytes, name, budget, &mut visit),
        None if is_executable_or_data(bytes) => {
            carve(bytes, budget, &CarveOptions::default(), &mut visit)
        }
        None => Vec::new(),
    };
    walk.problems
        .extend(problems.into_iter().map(|p| (path.to_owned(), p)));
}

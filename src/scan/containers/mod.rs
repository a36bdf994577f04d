//! Content inside a file, opened in memory and judged as members, each like a file of its own
//! (`container!member`), under one budget per top-level file shared by every layer beneath it
//! (`budget`): zip and its kin, tar, Debian packages, single compressed streams (gzip, xz,
//! bzip2, zstd, lzma-alone: `x.xz!x`; a compressed tar is one layer with its tar), 7z,
//! PyInstaller bundles and their PYZ archives (`NAME.pyc` members), payloads carved out of
//! binaries (`file!carved@0x1f000`), and programs packed with UPX (`upx` unpacks them,
//! `unpacked` says what that means for the packed file: member `file!upx`). `inside` opens all
//! of these for the engine; `archive` keeps the engine-facing limits, member names and the
//! merging of members' verdicts.
//!
//! Nothing is written to disk and nothing is run. Bounds: every byte decompressed or copied is
//! charged to the budget before it is kept; sizes and counts from headers are checked before
//! anything is allocated from them; time is bounded by the output (every decoder consumes input
//! or produces output). A corrupt or truncated container is a problem of that layer, and what
//! was read before the break is still handed over.

pub mod archive;
pub mod inside;
pub mod unpacked;
pub mod upx;

mod ar;
mod budget;
mod bytes;
pub mod carve;
mod marshal;
mod member;
pub mod pyinstaller;
pub mod pyz;
mod sevenz;
mod stream;
pub mod tar;
pub mod zip;
mod zstd;

pub use budget::{
    Budget, Layer, Limits, Metered, Problem, ProblemKind, StreamCap, HEADER_LEN, RATIO_FLOOR,
};
pub use carve::{CarveOptions, CarvedKind};
pub use member::{cap_name, inner_name, Member, MemberData, Visit, MAX_NAME_LEN};
pub use stream::StreamFormat;

/// The containers this crate opens (a closed set).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Container {
    Zip,
    Tar,
    /// A Debian package (`ar` with `debian-binary` first).
    Deb,
    Stream(StreamFormat),
    SevenZ,
    /// An executable with a PyInstaller archive.
    PyInstaller,
    /// PyInstaller's archive of modules.
    Pyz,
}

impl Container {
    pub fn as_str(self) -> &'static str {
        match self {
            Container::Zip => "zip",
            Container::Tar => "tar",
            Container::Deb => "deb",
            Container::Stream(f) => f.as_str(),
            Container::SevenZ => "7z",
            Container::PyInstaller => "pyinstaller",
            Container::Pyz => "pyz",
        }
    }
}

fn is_executable(bytes: &[u8]) -> bool {
    bytes.starts_with(b"\x7fELF")
        || bytes.starts_with(b"MZ")
        || [
            [0xfe, 0xed, 0xfa, 0xce],
            [0xfe, 0xed, 0xfa, 0xcf],
            [0xce, 0xfa, 0xed, 0xfe],
            [0xcf, 0xfa, 0xed, 0xfe],
        ]
        .iter()
        .any(|m| bytes.starts_with(m))
}

/// Which container `bytes` is, from its content (and, for lzma-alone, which has no magic, its
/// name). Executables are containers only when they carry a PyInstaller archive (a search for
/// an 8-byte magic; carving is separate, see `carve`).
pub fn detect(bytes: &[u8], file_name: &str) -> Option<Container> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Some(Container::Zip);
    }
    if sevenz::is_7z(bytes) {
        return Some(Container::SevenZ);
    }
    if pyz::is_pyz(bytes) {
        return Some(Container::Pyz);
    }
    if ar::is_debian_package(bytes) {
        return Some(Container::Deb);
    }
    if tar::is_tar(bytes) {
        return Some(Container::Tar);
    }
    if let Some(format) = stream::sniff(bytes, file_name) {
        return Some(Container::Stream(format));
    }
    if is_executable(bytes) && pyinstaller::find(bytes).is_some() {
        return Some(Container::PyInstaller);
    }
    None
}

/// Calls `visit` for each member of `bytes`, a `container`, and returns this layer's problems.
/// Opening counts as one layer of the budget: at the depth limit nothing is opened.
pub fn for_each_member(
    container: Container,
    bytes: &[u8],
    file_name: &str,
    budget: &Budget,
    visit: &mut Visit<'_>,
) -> Vec<Problem> {
    let Some(_layer) = budget.enter() else {
        return Vec::new();
    };
    match container {
        Container::Zip => zip::members(bytes, budget, visit),
        Container::Tar => tar::members_of_bytes(bytes, budget, visit),
        Container::Deb => ar::members(bytes, budget, visit),
        Container::Stream(format) => stream::members(format, bytes, file_name, budget, visit),
        Container::SevenZ => sevenz::members(bytes, budget, visit),
        Container::PyInstaller => pyinstaller::members(bytes, budget, visit).unwrap_or_default(),
        Container::Pyz => pyz::members(bytes, budget, visit),
    }
}

/// Calls `visit` for each payload carved out of `bytes` (an executable or data that no other
/// container claimed) and returns this layer's problems. One layer, like a container.
pub fn carve(
    bytes: &[u8],
    budget: &Budget,
    opts: &CarveOptions,
    visit: &mut Visit<'_>,
) -> Vec<Problem> {
    let Some(_layer) = budget.enter() else {
        return Vec::new();
    };
    carve::members(bytes, budget, opts, visit)
}

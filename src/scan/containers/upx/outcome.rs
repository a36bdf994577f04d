//! What unpacking reports: the program that was packed, how it was packed, and what a dropper
//! altered, or why it could not be recovered. Plain data; the scanner decides what it means
//! (a tampered header is an `evasion` signal, plain packing `info`).

use std::fmt;

use super::decode_error::DecodeError;
use super::method::Method;

/// Bounds for one unpacking. The caller passes `min(64 x packed size, --max-size)`.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_output: usize,
}

/// The packed program's format, from its own headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Format {
    ElfX86_64,
    ElfI386,
    ElfAarch64,
    ElfArm,
    ElfMips,
    ElfPowerPc,
    ElfPowerPc64,
    Pe32,
    Pe32Plus,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::ElfX86_64 => "ELF x86-64",
            Format::ElfI386 => "ELF i386",
            Format::ElfAarch64 => "ELF aarch64",
            Format::ElfArm => "ELF arm",
            Format::ElfMips => "ELF mips",
            Format::ElfPowerPc => "ELF powerpc",
            Format::ElfPowerPc64 => "ELF powerpc64",
            Format::Pe32 => "PE32",
            Format::Pe32Plus => "PE32+",
        }
    }

    pub fn is_pe(self) -> bool {
        matches!(self, Format::Pe32 | Format::Pe32Plus)
    }
}

/// Something in the packed file that UPX did not write that way. Legitimate software ships what
/// UPX wrote; each of these means someone edited the file, usually so that `upx -d` and
/// signature scanners give up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tampering {
    /// The `UPX!` magic of the ELF loader-info record was overwritten.
    LoaderInfoMagic,
    /// The `UPX!` magic of the ELF end-of-blocks record was overwritten.
    EndMarkerMagic,
    /// The `UPX!` magic of the pack header was overwritten.
    PackHeaderMagic,
    /// The pack header's check byte does not match its contents.
    PackHeaderChecksum,
    /// The pack header's version, format, method or filter bytes are blanked or contradict the file.
    PackHeaderFields,
    /// Size fields (original size, block size, compressed length, loader size) zeroed or faked.
    SizeFields,
    /// The trailing pointer to the packed data (ELF) points elsewhere.
    TrailerOffset,
    /// The Adler-32 sums in the header do not match the data.
    ContentChecksum,
    /// UPX's banner (`$Info: This file is packed with the UPX...`, `$Id: UPX...`) or version
    /// string was blanked.
    BannerRemoved,
    /// The PE sections UPX names `UPX0`/`UPX1` were renamed.
    SectionNames,
    /// The pack header is missing altogether; the layout alone identified UPX.
    PackHeaderMissing,
}

impl Tampering {
    pub fn describe(self) -> &'static str {
        match self {
            Tampering::LoaderInfoMagic => "UPX! magic of the loader info overwritten",
            Tampering::EndMarkerMagic => "UPX! magic of the end-of-blocks record overwritten",
            Tampering::PackHeaderMagic => "UPX! magic of the pack header overwritten",
            Tampering::PackHeaderChecksum => "pack header check byte does not match",
            Tampering::PackHeaderFields => "pack header version/format/method altered",
            Tampering::SizeFields => "size fields zeroed or faked",
            Tampering::TrailerOffset => "trailing offset to the packed data altered",
            Tampering::ContentChecksum => "checksums in the header do not match the data",
            Tampering::BannerRemoved => "UPX banner or version string removed",
            Tampering::SectionNames => "UPX0/UPX1 sections renamed",
            Tampering::PackHeaderMissing => "pack header missing",
        }
    }
}

/// The program recovered from a packed file.
#[derive(Clone, Debug)]
pub struct Unpacked {
    /// ELF: the original file, byte for byte where `exact`. PE: a PE file rebuilt from the
    /// original headers and section contents (see the crate documentation).
    pub bytes: Vec<u8>,
    pub format: Format,
    /// Methods used by the blocks, sorted, each once.
    pub methods: Vec<Method>,
    /// UPX filter ids undone (or, for unknown ids, left in place), sorted, each once.
    pub filters: Vec<u8>,
    pub tampering: Vec<Tampering>,
    /// True when UPX's own Adler-32 sums confirm the output and every filter was undone.
    pub exact: bool,
}

/// Why unpacking failed. Each is a property of the file: corrupt, truncated, hostile or a layout
/// we do not handle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailReason {
    /// No block that decompresses to the program's own headers was found.
    NoProgramHeaders,
    /// A block record at this offset has impossible sizes or method.
    BadBlockRecord { offset: usize },
    /// The block at this offset does not decompress.
    BadBlock { offset: usize, error: DecodeError },
    /// A block runs past the end of the segment it belongs to.
    BlockCrossesSegment { offset: usize },
    /// The file ends inside the packed data.
    Truncated,
    /// The output would exceed the caller's limit.
    OutputLimit,
    /// The blocks after the loader (the non-segment parts of the file) were not found.
    NoTrailingBlocks,
    /// More blocks follow where the end-of-blocks record should be.
    NoEndMarker,
    /// The method byte names a method we do not decode.
    UnsupportedMethod(u8),
    /// A layout we recognise as UPX but do not unpack.
    Unsupported(&'static str),
    /// The recovered program's headers are inconsistent.
    Corrupt(&'static str),
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            FailReason::NoProgramHeaders => f.write_str("no block decompresses to program headers"),
            FailReason::BadBlockRecord { offset } => write!(f, "bad block record at {offset:#x}"),
            FailReason::BadBlock { offset, error } => write!(f, "block at {offset:#x}: {error}"),
            FailReason::BlockCrossesSegment { offset } => {
                write!(f, "block at {offset:#x} crosses the end of its segment")
            }
            FailReason::Truncated => f.write_str("file ends inside the packed data"),
            FailReason::OutputLimit => f.write_str("unpacked size exceeds the limit"),
            FailReason::NoTrailingBlocks => f.write_str("blocks after the loader not found"),
            FailReason::NoEndMarker => f.write_str("no end-of-blocks record"),
            FailReason::UnsupportedMethod(m) => write!(f, "unsupported method {m}"),
            FailReason::Unsupported(what) => write!(f, "unsupported: {what}"),
            FailReason::Corrupt(what) => write!(f, "corrupt: {what}"),
        }
    }
}

/// The result of `unpack`.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// Neither UPX's marks nor its layout are present.
    NotUpx,
    Unpacked(Unpacked),
    /// UPX-packed (by marks or layout) but not recoverable; `tampering` lists what was seen
    /// before giving up, which is itself worth reporting.
    Failed {
        format: Format,
        reason: FailReason,
        tampering: Vec<Tampering>,
    },
}

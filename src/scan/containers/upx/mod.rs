//! Unpacks UPX-packed programs in memory, without running anything, so that a scanner can judge
//! the program a packed file will run rather than the packer's stub.
//!
//! Covered: ELF for x86-64 and i386 (and aarch64, arm, mips, powerpc, which share the layout),
//! rebuilt into the original file, byte-exact where UPX's checksums confirm it; PE32 and PE32+,
//! rebuilt into a PE file with the original headers, section table and section contents at their
//! original offsets (see `pe`). Methods NRV2B, NRV2D, NRV2E (all bit widths) and LZMA; the x86
//! call/jump filters and the ARM branch filters are undone.
//!
//! Droppers tamper with UPX's headers so that `upx -d` refuses the file: magics overwritten,
//! banner blanked, sizes zeroed or faked, sections renamed. Those fields are not needed at run
//! time, so here they are read as claims and checked against the data itself, which is what the
//! loader uses; every disagreement is listed as a `Tampering`.
//!
//! Bounds: the output never exceeds `Limits::max_output`; every loop consumes input or produces
//! output; corrupt input gives `Outcome::Failed`, never a panic.

mod adler;
mod blocks;
mod bytes;
mod decode_error;
mod detect;
mod elf;
mod elf_headers;
mod filter;
mod lzma;
mod method;
mod nrv;
mod outcome;
mod packheader;
mod pe;
mod pe_headers;
mod pe_imports;

pub use decode_error::DecodeError;
pub use detect::{detect, Detection, Sign};
pub use method::{decompress_block, Method};
pub use outcome::{FailReason, Format, Limits, Outcome, Tampering, Unpacked};

/// Unpacks `bytes` if it is a UPX-packed ELF or PE program. Files that show neither UPX's marks
/// nor its layout (see `detect`) are `NotUpx` at the cost of a few header reads.
pub fn unpack(bytes: &[u8], limits: &Limits) -> Outcome {
    let Some(found) = detect(bytes) else {
        return Outcome::NotUpx;
    };
    let outcome = if found.format.is_pe() {
        pe::unpack(bytes, limits)
    } else {
        elf::unpack(bytes, limits)
    };
    match outcome {
        // UPX's shape without any of its marks, and nothing unpacks: another packer, or a
        // program that happens to look like this, not a UPX file to report as broken.
        Outcome::Failed { .. } if found.layout_only() => Outcome::NotUpx,
        other => other,
    }
}

//! What a UPX-packed program means for the packed file itself. The unpacker (`upx`) recovers the
//! program; this module turns its outcome into findings and problems of the packed file, and
//! hands the program back to be judged as the member `upx`:
//! - unpacked: the packer's own structure (UPX marks, high-entropy code, a packed static program
//!   in a temporary directory) says nothing about what runs, so those findings become `info` and
//!   the member decides; a packed benign program stays clean wherever it lies;
//! - tampered headers (magics, banner, sizes, section names altered so that `upx -d` and
//!   signature scanners give up) are an `evasion` finding: legitimate software ships what UPX
//!   wrote;
//! - failed: the structural findings stand, and the reason is a problem of the file
//!   (`unpack_failed`), so that nobody takes the packer's silence for a clean program.

use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::outcome::problems::{ArchiveProblem, FileError};
use crate::outcome::FileReport;
use crate::scan::containers::upx::{self, Limits, Outcome, Tampering};
use crate::scan::kind::FileKind;
use std::panic::catch_unwind;

/// The unpacked size is at most this many times the packed size (UPX rarely passes 10x).
pub const MAX_UNPACK_RATIO: usize = 64;

/// Findings of the binary analyzer that describe the packer rather than the program.
const PACKER_STRUCTURE: [&str; 3] = ["upx_packed", "high_entropy_code", "packed_static_hidden"];

/// The member name of an unpacked program.
pub const MEMBER: &str = "upx";

/// Whether `kind` may be a UPX-packed program (the formats the unpacker knows).
pub fn may_be_packed(kind: FileKind) -> bool {
    matches!(kind, FileKind::Elf | FileKind::Pe)
}

/// Unpacks `bytes` when UPX packed it, amending `report` (findings, problems) as the module
/// documentation says; returns the unpacked program. `max_output` bounds the unpacked size
/// (`--max-size` and what is left of the file's budget); the ratio bound is applied here.
pub fn unpack(bytes: &[u8], max_output: u64, report: &mut FileReport) -> Option<Vec<u8>> {
    let max_output = usize::try_from(max_output)
        .unwrap_or(usize::MAX)
        .min(bytes.len().saturating_mul(MAX_UNPACK_RATIO));
    // Guarded like the analyzers: a panic costs this file only.
    let outcome = catch_unwind(|| upx::unpack(bytes, &Limits { max_output }));
    let Ok(outcome) = outcome else {
        report.errors.push(FileError::Archive {
            problem: ArchiveProblem::UnpackFailed,
            message: "the UPX unpacker panicked on this file".to_owned(),
        });
        return None;
    };
    match outcome {
        Outcome::NotUpx => None,
        Outcome::Unpacked(u) => {
            for f in report
                .findings
                .iter_mut()
                .filter(|f| f.analyzer == AnalyzerId::Binary)
                .filter(|f| PACKER_STRUCTURE.contains(&f.rule.as_str()))
            {
                f.class = Class::Info;
                f.score = f.score.min(10);
                f.description
                    .push_str(" (unpacked: the program inside is judged as member upx)");
            }
            tampered(&u.tampering, report);
            let methods: Vec<_> = u.methods.iter().map(|m| m.to_string()).collect();
            report.findings.push(
                Finding::new(
                    AnalyzerId::Binary,
                    "upx_unpacked",
                    Class::Info,
                    5,
                    format!(
                        "UPX-packed {} unpacked ({}{}): judged as member upx",
                        u.format.name(),
                        methods.join(", "),
                        if u.exact {
                            ""
                        } else {
                            "; not confirmed byte-exact"
                        }
                    ),
                )
                .tag("packer:upx"),
            );
            Some(u.bytes)
        }
        Outcome::Failed {
            format,
            reason,
            tampering,
        } => {
            tampered(&tampering, report);
            report.errors.push(FileError::Archive {
                problem: ArchiveProblem::UnpackFailed,
                message: format!("UPX-packed {} not unpacked: {reason}", format.name()),
            });
            None
        }
    }
}

/// The `evasion` finding for altered UPX headers, if any were seen.
fn tampered(tampering: &[Tampering], report: &mut FileReport) {
    if tampering.is_empty() {
        return;
    }
    let mut f = Finding::new(
        AnalyzerId::Binary,
        "upx_tampered",
        Class::Evasion,
        60,
        "UPX headers altered so that unpackers and scanners give up (legitimate software ships what UPX wrote)",
    )
    .tag("packer:upx");
    for t in tampering {
        f.push_evidence(Evidence::text(t.describe()));
    }
    report.findings.push(f);
}

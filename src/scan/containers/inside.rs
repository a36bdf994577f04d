//! Looking inside one file: the program UPX packed, the members of an archive, a compressed
//! stream or a bundle, and payloads carved out of a binary. Each is judged as if it were a file,
//! through the caller's `analyze` (which looks inside it in turn), and folded into the
//! container's report: the container takes the highest verdict of its own and its members'.
//! One `Budget` per top-level file is shared by every layer beneath it (bytes, members, depth).
//! Kept apart from the engine so that the engine only says when to look, and this module what
//! there is to see.

use crate::judge::baseline::Baseline;
use crate::judge::verdict::{self, Level};
use crate::knowledge::indicators::Indicators;
use crate::outcome::problems::{ArchiveProblem, FileError};
use crate::outcome::FileReport;
use crate::scan::containers::archive::{self, ArchiveLimits};
use crate::scan::containers::{self as containers, unpacked};
use crate::scan::containers::{Budget, CarveOptions, MemberData, Problem, ProblemKind};
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What looking inside needs from the engine.
pub struct Inside<'e> {
    pub limits: &'e ArchiveLimits,
    /// `--max-size`: members above it are seen by their header only.
    pub max_size: u64,
    pub indicators: &'e Indicators,
    /// Known, accepted findings: the ones unpacking adds are suppressed like the analyzers'.
    pub baseline: Option<&'e Baseline>,
    /// Keep the suppressed findings in the report (`--show-suppressed`).
    pub keep_suppressed: bool,
}

/// Judges one member: analyzes `ctx` into `report` (and looks inside it).
pub type Analyze<'a> = dyn FnMut(&FileContext, &mut FileReport) + 'a;

/// Whether anything inside `ctx` may be worth opening: only whole views are opened.
pub fn may_hold(ctx: &FileContext) -> bool {
    !ctx.truncated
}

/// Executables are searched for embedded payloads (`carve`) when nothing else claimed them.
fn carvable(kind: FileKind) -> bool {
    matches!(kind, FileKind::Elf | FileKind::Pe | FileKind::MachO)
}

/// Opens what is inside `ctx` and judges each member with `analyze`; `report` (already judged
/// on the file's own content) is amended and takes the highest verdict.
pub fn scan(inside: &Inside, ctx: &FileContext, report: &mut FileReport, analyze: &mut Analyze) {
    let own;
    let budget = match ctx.budget {
        Some(b) => b,
        None => {
            own = Budget::new(
                inside.limits.budget(inside.max_size),
                ctx.bytes.len() as u64,
            );
            &own
        }
    };
    let mut members = Vec::new();
    let mut problems = Vec::new();
    let mut unpacked_upx = false;
    if unpacked::may_be_packed(ctx.kind) {
        if let Some(_layer) = budget.enter() {
            let program = unpack(inside, budget, ctx, report);
            if let Some(program) = program {
                unpacked_upx = true;
                match budget
                    .take_member()
                    .and_then(|()| budget.charge(program.len() as u64))
                {
                    Ok(()) => members.push(judge_member(
                        inside,
                        budget,
                        ctx,
                        unpacked::MEMBER,
                        MemberData::Bytes(&program),
                        analyze,
                    )),
                    Err(p) => problems.push(p),
                }
            }
        }
    }
    let file_name = ctx.target.file_name();
    // The readers of hostile formats are guarded like the analyzers: a panic costs this file.
    let opened = catch_unwind(AssertUnwindSafe(|| {
        let visit = &mut |m: containers::Member<'_>| {
            members.push(judge_member(inside, budget, ctx, &m.name, m.data, analyze))
        };
        match containers::detect(ctx.bytes, file_name) {
            Some(c) => containers::for_each_member(c, ctx.bytes, file_name, budget, visit),
            None if carvable(ctx.kind) && !unpacked_upx => {
                containers::carve(ctx.bytes, budget, &CarveOptions::default(), visit)
            }
            None => Vec::new(),
        }
    }));
    problems.extend(opened.unwrap_or_else(|_| {
        vec![Problem::new(
            ProblemKind::Corrupt,
            "the container reader panicked on this file",
        )]
    }));
    report.errors.extend(problems.into_iter().map(file_error));
    archive::merge_members(report, members);
    report.digests = ctx.report_digests(report.verdict.level != Level::Clean);
}

/// Unpacks a UPX-packed program (bounded by `--max-size` and the budget), amending and
/// re-judging `report` when that changed what the file itself shows.
fn unpack(
    inside: &Inside,
    budget: &Budget,
    ctx: &FileContext,
    report: &mut FileReport,
) -> Option<Vec<u8>> {
    let before = (report.findings.len(), report.errors.len());
    let max_output = inside.max_size.min(budget.remaining());
    let program = unpacked::unpack(ctx.bytes, max_output, report);
    if let Some(b) = inside.baseline {
        let mut added = report.findings.split_off(before.0);
        let suppressed = b.apply(&report.path, || ctx.sha256(), &mut added);
        report.suppressed_count += suppressed.len() as u64;
        if inside.keep_suppressed {
            report.suppressed.extend(suppressed);
        }
        report.findings.extend(added);
    }
    if program.is_some() || before != (report.findings.len(), report.errors.len()) {
        verdict::prepare(&mut report.findings);
        report.verdict = verdict::judge(&report.findings, ctx.kind);
    }
    program
}

/// A container's problem as a problem of the file.
fn file_error(p: Problem) -> FileError {
    FileError::Archive {
        problem: p.kind,
        message: p.message,
    }
}

/// The report of one member, named `container!name`.
fn judge_member(
    inside: &Inside,
    budget: &Budget,
    ctx: &FileContext,
    name: &str,
    data: MemberData<'_>,
    analyze: &mut Analyze,
) -> FileReport {
    let target = archive::member_target(ctx.target, name);
    let mut r = FileReport::new(ctx.target.seq, target.display(), None);
    let (bytes, size, truncated) = match data {
        MemberData::Bytes(b) => (b, b.len() as u64, false),
        MemberData::Header { head, size } => (head, size, true),
        MemberData::Encrypted { size } => {
            r.size = size;
            r.errors.push(FileError::Archive {
                problem: ArchiveProblem::Encrypted,
                message: "encrypted member: not scanned".to_owned(),
            });
            return r;
        }
    };
    r.size = size;
    r.header_only = truncated;
    let mctx =
        FileContext::new(&target, inside.indicators, bytes, size, truncated).with_budget(budget);
    analyze(&mctx, &mut r);
    r
}

//! Looking inside one file: the members of an archive, the program UPX packed. Each is judged as
//! if it were a file, through the caller's `analyze` (which looks inside it in turn, to the
//! archive depth), and folded into the container's report: the container takes the highest
//! verdict of its own and its members'. Kept apart from the engine so that the engine only says
//! when to look, and this module what there is to see.

use crate::judge::verdict::{self, Level};
use crate::knowledge::indicators::Indicators;
use crate::outcome::problems::{ArchiveProblem, FileError};
use crate::outcome::FileReport;
use crate::scan::containers::archive::{self, ArchiveLimits, MemberData};
use crate::scan::containers::unpacked;
use crate::scan::context::FileContext;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// What looking inside needs from the engine.
pub struct Inside<'e> {
    pub limits: &'e ArchiveLimits,
    /// `--max-size`: members above it are seen by their header only.
    pub max_size: u64,
    pub indicators: &'e Indicators,
}

/// Judges one member: analyzes `ctx` into `report` (and looks inside it).
pub type Analyze<'a> = dyn FnMut(&FileContext, &mut FileReport) + 'a;

/// Whether anything inside `ctx` may be worth opening (cheap: the kind and a few bytes).
pub fn may_hold(ctx: &FileContext) -> bool {
    !ctx.truncated && (archive::can_open(ctx.kind, ctx.bytes) || unpacked::may_be_packed(ctx.kind))
}

/// Opens what is inside `ctx` and judges each member with `analyze`; `report` (already judged
/// on the file's own content) is amended and takes the highest verdict.
pub fn scan(inside: &Inside, ctx: &FileContext, report: &mut FileReport, analyze: &mut Analyze) {
    if archive::depth(&ctx.target.source) >= inside.limits.depth {
        return;
    }
    let mut members = Vec::new();
    if unpacked::may_be_packed(ctx.kind) {
        let before = (report.findings.len(), report.errors.len());
        let program = unpacked::unpack(ctx.bytes, inside.max_size, report);
        if program.is_some() || before != (report.findings.len(), report.errors.len()) {
            verdict::prepare(&mut report.findings);
            report.verdict = verdict::judge(&report.findings, ctx.kind);
        }
        if let Some(program) = program {
            members.push(judge_member(
                inside,
                ctx,
                unpacked::MEMBER,
                MemberData::Bytes(&program),
                analyze,
            ));
        }
    }
    if archive::can_open(ctx.kind, ctx.bytes) {
        // Parsing hostile archives is guarded like the analyzers: a panic costs this file only.
        let problems = catch_unwind(AssertUnwindSafe(|| {
            archive::for_each_member(
                ctx.bytes,
                ctx.kind,
                ctx.target.file_name(),
                inside.limits,
                inside.max_size,
                &mut |m| members.push(judge_member(inside, ctx, &m.name, m.data, analyze)),
            )
        }))
        .unwrap_or_else(|_| {
            vec![FileError::Archive {
                problem: ArchiveProblem::Corrupt,
                message: "the archive reader panicked on this file".to_owned(),
            }]
        });
        report.errors.extend(problems);
    }
    archive::merge_members(report, members);
    report.digests = ctx.report_digests(report.verdict.level != Level::Clean);
}

/// The report of one member, named `container!name`.
fn judge_member(
    inside: &Inside,
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
    let mctx = FileContext::new(&target, inside.indicators, bytes, size, truncated);
    analyze(&mctx, &mut r);
    r
}

//! What the engine knows of containers: the limits the flags set (`--archive-depth` and the
//! limits against bombs), how a member is named and how deep it lies, and how the members'
//! verdicts fold into their container's. The containers themselves are opened by the modules
//! beside this one, under one `Budget` per top-level file.

use crate::judge::verdict::Level;
use crate::outcome::FileReport;
use crate::scan::containers::Limits;
use crate::scan::target::{Source, Target};

/// Limits for one top-level file and everything opened beneath it (one budget across layers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveLimits {
    /// How many layers are opened: 0 opens none, 1 opens the files named on the command line or
    /// found by the walk (an archive, a compressed stream with its tar, a UPX-packed program, a
    /// carved payload), 2 also opens what is inside those...
    pub depth: u32,
    /// Most members read from one top-level file, across all layers.
    pub max_members: usize,
    /// Most uncompressed bytes read from one top-level file, across all layers.
    pub max_total_bytes: u64,
    /// Highest compression ratio accepted (uncompressed : compressed) once the output passes
    /// 1 MiB: per stream, and for the whole file against its size.
    pub max_ratio: u64,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            depth: 3,
            max_members: 50_000,
            max_total_bytes: 1 << 30,
            max_ratio: 250,
        }
    }
}

impl ArchiveLimits {
    /// The budget limits of one top-level file; members above `max_member` (`--max-size`) are
    /// seen by their header only.
    pub fn budget(&self, max_member: u64) -> Limits {
        Limits {
            max_depth: self.depth,
            max_members: self.max_members,
            max_total_bytes: self.max_total_bytes,
            max_ratio: self.max_ratio,
            max_member,
        }
    }
}

/// How many layers enclose this target.
pub fn depth(source: &Source) -> u32 {
    match source {
        Source::Member { container, .. } => 1 + depth(container),
        _ => 0,
    }
}

/// The target for a member of the container `container`.
pub fn member_target(container: &Target, name: &str) -> Target {
    Target {
        seq: container.seq,
        source: Source::Member {
            container: Box::new(container.source.clone()),
            member: name.to_owned(),
        },
        explicit: container.explicit,
        system_path: format!("{}!{}", container.system_path, name),
    }
}

/// Folds the members' reports into the archive's: the archive takes the highest verdict of its
/// own and its members' (naming the member in the reasons), and keeps the members worth listing.
pub fn merge_members(report: &mut FileReport, members: Vec<FileReport>) {
    for m in members {
        report.suppressed_count += m.suppressed_count;
        let (mine, theirs) = (&report.verdict, &m.verdict);
        let worse = theirs.level > mine.level
            || (theirs.level == mine.level
                && theirs.level != Level::Clean
                && theirs.score > mine.score);
        if worse {
            let mut v = m.verdict.clone();
            v.reasons = m
                .verdict
                .reasons
                .iter()
                .map(|r| {
                    // A nested member already names the innermost file.
                    if r.starts_with("member ") {
                        r.clone()
                    } else {
                        format!("member {}: {r}", m.path)
                    }
                })
                .collect();
            report.verdict = v;
        }
        // Kept as a file is listed without --all (a member is only ever skipped as one of our
        // own reports, which is routine).
        if m.worth_listing(false) {
            report.members.push(m);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_nest() {
        let outer = Target::for_bytes("outer.zip");
        let inner = member_target(&outer, "dir/inner.tar.gz");
        let leaf = member_target(&inner, "x!y");
        assert_eq!(leaf.display(), "outer.zip!dir/inner.tar.gz!x\\!y");
        assert_eq!(depth(&leaf.source), 2);
    }
}

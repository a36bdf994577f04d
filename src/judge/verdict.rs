//! Judgement: a file's findings in, one verdict out. Pure and independent of the order of the
//! findings, so it is table-tested and every report can say which findings decided it.

use crate::judge::finding::{Class, Finding};
use crate::scan::kind::FileKind;
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Clean,
    Suspicious,
    Malicious,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Clean => "clean",
            Level::Suspicious => "suspicious",
            Level::Malicious => "malicious",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Verdict {
    pub level: Level,
    /// 0-100, ranks files within a level: clean 0-39, suspicious 40-69, malicious 70-100.
    pub score: u8,
    pub family: Option<String>,
    /// What the file is: miner-binary, miner-config, dropper-script, web-miner...
    pub category: Option<String>,
    /// Why, in words: which classes met.
    pub reasons: Vec<String>,
}

impl Verdict {
    pub fn clean() -> Verdict {
        Verdict {
            level: Level::Clean,
            score: 0,
            family: None,
            category: None,
            reasons: Vec::new(),
        }
    }
}

/// Readies a file's findings for judgement: context findings take their class beside miner
/// evidence (`Finding::when_miner`), findings that report the same fact (same `fact` key) are
/// merged into one keeping every analyzer's evidence, and the rest are sorted strongest first.
/// The result does not depend on the order the analyzers ran in.
pub fn prepare(findings: &mut Vec<Finding>) {
    let miner = findings.iter().any(is_miner_program);
    if miner {
        for f in findings.iter_mut() {
            if let Some(class) = f.when_miner.take() {
                f.class = class;
                f.description.push_str(" (beside miner evidence)");
            }
        }
    }
    merge_and_sort(findings);
}

fn merge_and_sort(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.class.cmp(&b.class))
            .then(a.analyzer.cmp(&b.analyzer))
            .then(a.rule.cmp(&b.rule))
            .then(a.evidence.cmp(&b.evidence))
    });
    let mut merged: Vec<Finding> = Vec::with_capacity(findings.len());
    for f in findings.drain(..) {
        let into = f
            .fact
            .as_ref()
            .and_then(|key| merged.iter_mut().find(|m| m.fact.as_ref() == Some(key)));
        match into {
            Some(m) => {
                let who = f.id();
                if !m.also_reported_by.contains(&who) {
                    m.also_reported_by.push(who);
                }
                if m.family.is_none() {
                    m.family = f.family;
                }
                for e in f.evidence {
                    m.push_evidence(e);
                }
                m.evidence_omitted += f.evidence_omitted;
                for t in f.tags {
                    if !m.tags.contains(&t) {
                        m.tags.push(t);
                    }
                }
            }
            None => merged.push(f),
        }
    }
    for m in &mut merged {
        m.also_reported_by.sort();
        m.tags.sort();
    }
    *findings = merged;
}

/// The score from which a rival-kill finding is a sweep of rival miners (several techniques at
/// once, `analyze::script::sweep`): rarely innocent on its own, unlike one `pkill xmrig`.
pub const STRONG_RIVAL_KILL: u8 = 60;

/// The rule of a script that manages a mining program (stops, starts, watches or removes it:
/// `analyze::script::manage`). A mining kit's own scripts do that, and so does an
/// administrator's clean-up, which also kills, purges and deletes: the finding alone makes a
/// file suspicious, and it is not the miner evidence that turns behaviours beside it into
/// malicious (nor `when_miner` findings into behaviours).
pub const MANAGES_MINER: &str = "manages_miner";

/// Miner evidence that counts as a miner program, launch or config for the verdict: all of it
/// but `MANAGES_MINER`.
fn is_miner_program(f: &Finding) -> bool {
    f.class == Class::Miner && f.rule != MANAGES_MINER
}

/// The level and the reasons for it, from the classes that met (`miner` counting programs,
/// launches and configs only) and whether a script manages a mining program.
fn level_of(
    findings: &[Finding],
    classes: &BTreeSet<Class>,
    manages: bool,
) -> (Level, Vec<String>) {
    let behaviours: Vec<Class> = classes
        .iter()
        .copied()
        .filter(|c| c.is_behaviour())
        .collect();
    let miner = classes.contains(&Class::Miner);
    let ioc = classes.contains(&Class::Ioc);
    let names = |cs: &[Class]| cs.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", ");

    let mut reasons = Vec::new();
    let level = if ioc {
        reasons.push("matches a listed indicator of compromise".to_owned());
        Level::Malicious
    } else if miner && !behaviours.is_empty() {
        reasons.push(format!("miner together with {}", names(&behaviours)));
        Level::Malicious
    } else if behaviours.len() >= 3 {
        reasons.push(format!("three or more behaviours: {}", names(&behaviours)));
        Level::Malicious
    } else if miner {
        reasons.push(match behaviours.as_slice() {
            [] => "miner with nothing that hides or persists it (riskware)".to_owned(),
            _ => unreachable!("miner with behaviours is malicious"),
        });
        Level::Suspicious
    } else if behaviours.len() == 2 {
        reasons.push(format!("two behaviours: {}", names(&behaviours)));
        Level::Suspicious
    } else if behaviours.contains(&Class::Hiding) || behaviours.contains(&Class::Injection) {
        reasons.push(format!(
            "{} on its own is rarely innocent",
            names(&behaviours)
        ));
        Level::Suspicious
    } else if findings
        .iter()
        .any(|f| f.class == Class::RivalKill && f.score >= STRONG_RIVAL_KILL)
    {
        reasons.push("a sweep of rival miners on its own is rarely innocent".to_owned());
        Level::Suspicious
    } else if manages {
        reasons.push("manages a mining program".to_owned());
        Level::Suspicious
    } else {
        Level::Clean
    };
    (level, reasons)
}

/// The verdict model. `findings` should already be merged (see `merge_and_sort`).
pub fn judge(findings: &[Finding], kind: FileKind) -> Verdict {
    let classes: BTreeSet<Class> = findings
        .iter()
        .filter(|f| f.class != Class::Miner || is_miner_program(f))
        .map(|f| f.class)
        .collect();
    let manages = findings.iter().any(|f| f.rule == MANAGES_MINER);
    let (level, reasons) = level_of(findings, &classes, manages);

    // A diminishing-returns combination of the scores of the findings that count, mapped into
    // the level's band so that the score ranks files within a level and never contradicts it.
    let raw = 1.0
        - findings
            .iter()
            .filter(|f| f.class != Class::Info || level == Level::Clean)
            .fold(1.0f64, |acc, f| {
                acc * (1.0 - f64::from(f.score.min(100)) / 100.0)
            });
    let (low, width) = match level {
        Level::Clean => (0.0, 39.0),
        Level::Suspicious => (40.0, 29.0),
        Level::Malicious => (70.0, 30.0),
    };
    let score = (low + width * raw).round() as u8;

    let strongest = findings
        .iter()
        .filter(|f| f.class != Class::Info || level == Level::Clean)
        .max_by(|a, b| {
            a.score
                .cmp(&b.score)
                .then(b.class.cmp(&a.class))
                .then(b.rule.cmp(&a.rule))
        });
    let family = strongest
        .and_then(|f| f.family.clone())
        .or_else(|| {
            // Otherwise the family of the strongest finding that names one.
            findings
                .iter()
                .filter(|f| f.family.is_some() && f.class != Class::Info)
                .max_by(|a, b| a.score.cmp(&b.score).then(b.rule.cmp(&a.rule)))
                .and_then(|f| f.family.clone())
        })
        .filter(|_| level != Level::Clean);

    let category = (level != Level::Clean).then(|| {
        if classes.iter().all(|&c| c == Class::Info) && manages {
            "miner-management".to_owned()
        } else {
            category(&classes, kind).to_owned()
        }
    });
    Verdict {
        level,
        score,
        family,
        category,
        reasons,
    }
}

/// Names what the file is, from its kind and the classes that met.
fn category(classes: &BTreeSet<Class>, kind: FileKind) -> &'static str {
    let has = |c| classes.contains(&c);
    if has(Class::Ioc) && !has(Class::Miner) {
        return "ioc-match";
    }
    let web = matches!(kind, FileKind::Html | FileKind::JavaScript | FileKind::Wasm);
    if kind.is_executable_format() {
        if has(Class::Miner) {
            return "miner-binary";
        }
        if has(Class::Hiding) {
            return "process-hider";
        }
        if has(Class::Injection) {
            return "loader";
        }
        return "malicious-binary";
    }
    if web && (has(Class::Miner) || has(Class::Injection)) {
        return "web-miner";
    }
    let behaviours = classes.iter().filter(|c| c.is_behaviour()).count();
    if has(Class::Miner) && behaviours == 0 {
        return if kind.is_script() {
            "miner-launcher"
        } else {
            "miner-config"
        };
    }
    if behaviours == 1 && has(Class::Persistence) && !kind.is_script() {
        return "persistence-entry";
    }
    if kind.is_archive() {
        return "archive";
    }
    "dropper-script"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::id::AnalyzerId;

    fn f(class: Class, score: u8) -> Finding {
        Finding::new(
            AnalyzerId::Script,
            format!("{class}_{score}"),
            class,
            score,
            "t",
        )
    }

    #[test]
    fn managing_a_miner_is_suspicious_and_never_malicious_by_itself() {
        let manages = || {
            Finding::new(AnalyzerId::Script, MANAGES_MINER, Class::Miner, 45, "t").family("xmrig")
        };
        let v = judge(&[manages()], FileKind::Shell);
        assert_eq!(v.level, Level::Suspicious);
        assert_eq!(v.family.as_deref(), Some("xmrig"));
        assert_eq!(v.category.as_deref(), Some("miner-management"));
        // A clean-up kills and purges too: beside one or two behaviours it stays suspicious.
        let cleanup = [
            manages(),
            f(Class::RivalKill, 50),
            f(Class::Persistence, 50),
        ];
        assert_eq!(judge(&cleanup, FileKind::Shell).level, Level::Suspicious);
        // `when_miner` findings stay info beside it.
        let mut hidden = vec![manages(), f(Class::Info, 40).when_miner(Class::Evasion)];
        prepare(&mut hidden);
        assert!(hidden.iter().all(|f| f.class != Class::Evasion));
        // A real launch beside it is miner evidence as before.
        let launch = [manages(), f(Class::Miner, 60), f(Class::RivalKill, 50)];
        assert_eq!(judge(&launch, FileKind::Shell).level, Level::Malicious);
    }

    #[test]
    fn verdict_table() {
        use Class::*;
        use Level::*;
        let table: &[(&[Class], Level)] = &[
            (&[], Clean),
            (&[Info], Clean),
            (&[Info, Info], Clean),
            (&[Ioc], Malicious),
            (&[Miner], Suspicious),
            (&[Miner, Info], Suspicious),
            (&[Miner, DownloadExec], Malicious),
            (&[Miner, Hiding], Malicious),
            (&[Miner, Persistence], Malicious),
            (&[Miner, RivalKill], Malicious),
            (&[Miner, Injection], Malicious),
            (&[Miner, Evasion], Malicious),
            (&[Hiding], Suspicious),
            (&[Injection], Suspicious),
            (&[Persistence], Clean),
            (&[RivalKill], Clean),
            (&[DownloadExec], Clean),
            (&[Evasion], Clean),
            (&[Persistence, DownloadExec], Suspicious),
            (&[Persistence, Persistence], Clean),
            (&[Persistence, DownloadExec, Evasion], Malicious),
        ];
        // A sweep of rival miners (a strong rival-kill finding) is suspicious on its own.
        let sweep = [f(Class::RivalKill, STRONG_RIVAL_KILL)];
        assert_eq!(judge(&sweep, FileKind::Text).level, Suspicious);
        let weak = [f(Class::RivalKill, STRONG_RIVAL_KILL - 1)];
        assert_eq!(judge(&weak, FileKind::Text).level, Clean);
        for (classes, want) in table {
            let findings: Vec<Finding> = classes.iter().map(|&c| f(c, 50)).collect();
            let v = judge(&findings, FileKind::Text);
            assert_eq!(v.level, *want, "{classes:?}");
            let band = match want {
                Clean => 0..=39,
                Suspicious => 40..=69,
                Malicious => 70..=100,
            };
            assert!(band.contains(&v.score), "{classes:?} score {}", v.score);
        }
    }

    #[test]
    fn judgement_ignores_order_and_merges_facts() {
        let mut a = vec![
            Finding::new(AnalyzerId::Binary, "tmp_dir", Class::Info, 20, "in /tmp")
                .when_miner(Class::Hiding),
            f(Class::Miner, 60).fact("url:x").family("xmrig"),
            f(Class::Persistence, 40),
            Finding::new(AnalyzerId::Yara, "r", Class::Miner, 70, "d").fact("url:x"),
        ];
        let mut b: Vec<Finding> = a.iter().rev().cloned().collect();
        prepare(&mut a);
        prepare(&mut b);
        assert_eq!(a.len(), 3);
        assert!(a
            .iter()
            .any(|f| f.rule == "tmp_dir" && f.class == Class::Hiding));
        let ja = judge(&a, FileKind::Shell);
        assert_eq!(ja, judge(&b, FileKind::Shell));
        assert_eq!(ja.level, Level::Malicious);
        assert_eq!(ja.family.as_deref(), Some("xmrig"));
        assert_eq!(a[0].also_reported_by, vec!["script:miner_60".to_owned()]);
    }

    #[test]
    fn context_stays_info_without_miner_evidence() {
        let mut a = vec![
            Finding::new(AnalyzerId::Binary, "tmp_dir", Class::Info, 20, "in /tmp")
                .when_miner(Class::Hiding),
        ];
        prepare(&mut a);
        assert_eq!(a[0].class, Class::Info);
        assert_eq!(judge(&a, FileKind::Elf).level, Level::Clean);
    }

    #[test]
    fn categories_follow_kind_and_classes() {
        let v = judge(&[f(Class::Miner, 60)], FileKind::Elf);
        assert_eq!(v.category.as_deref(), Some("miner-binary"));
        let v = judge(&[f(Class::Miner, 60)], FileKind::Json);
        assert_eq!(v.category.as_deref(), Some("miner-config"));
        let v = judge(&[f(Class::Injection, 60)], FileKind::Html);
        assert_eq!(v.category.as_deref(), Some("web-miner"));
        let v = judge(&[f(Class::Ioc, 90)], FileKind::Data);
        assert_eq!(v.category.as_deref(), Some("ioc-match"));
    }
}

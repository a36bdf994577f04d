//! Baselines: known, accepted findings that a CI job should stop failing on. A baseline is a
//! small TOML file that people edit by hand; each entry suppresses findings by the file's
//! SHA-256, by rule and path glob, or by path glob alone, and must say why. Suppressed findings
//! leave the verdict, are counted in the summary and are listed with `--show-suppressed` (SARIF
//! always carries them, as suppressed results).
//!
//! ```toml
//! [[suppress]]
//! sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
//! reason = "our own miner test fixture"
//!
//! [[suppress]]
//! rule = "indicators:stratum_url"      # analyzer:rule as reports show it; a glob
//! path = "docs/**"                      # the reported path, without a leading ./
//! reason = "the documentation quotes pool URLs"
//!
//! [[suppress]]
//! path = "vendor/xmrig-test-build/**"
//! reason = "accepted on 2025-01-10 by the security team"
//! ```

use crate::judge::finding::Finding;
use crate::outcome::Suppressed;
use anyhow::{bail, Context, Result};
use globset::{GlobBuilder, GlobMatcher};
use serde::{Deserialize, Serialize};

/// The file format.
#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineFile {
    #[serde(default, rename = "suppress")]
    pub entries: Vec<EntrySpec>,
}

/// One entry as written.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntrySpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub reason: String,
}

#[derive(Debug)]
struct Entry {
    sha256: Option<[u8; 32]>,
    rule: Option<GlobMatcher>,
    path: Option<GlobMatcher>,
    reason: String,
}

/// A loaded baseline.
#[derive(Debug, Default)]
pub struct Baseline {
    entries: Vec<Entry>,
    /// SHA-256 of the file's text, for the cache key and the report header.
    pub sha256: String,
    /// Whether any entry needs the file's SHA-256 (computed only then).
    needs_sha256: bool,
}

fn glob(s: &str) -> Result<GlobMatcher> {
    Ok(GlobBuilder::new(s)
        .literal_separator(true)
        .build()
        .with_context(|| format!("bad glob '{s}'"))?
        .compile_matcher())
}

/// The path as globs see it: the reported path without a leading `./`.
fn normalize(path: &str) -> &str {
    path.trim_start_matches("./")
}

impl Baseline {
    pub fn parse(text: &str, origin: &str) -> Result<Baseline> {
        let file: BaselineFile = toml::from_str(text).with_context(|| origin.to_owned())?;
        let mut entries = Vec::new();
        for (i, e) in file.entries.into_iter().enumerate() {
            let at = || format!("{origin}: entry {}", i + 1);
            if e.reason.trim().is_empty() {
                bail!("{}: every entry needs a reason", at());
            }
            if e.sha256.is_none() && e.path.is_none() {
                bail!("{}: give sha256, path, or rule with path", at());
            }
            let sha256 = match &e.sha256 {
                Some(h) => match crate::knowledge::ioc_lists::parse_digest(h) {
                    Some(crate::knowledge::ioc_lists::Digest::Sha256(d)) => Some(d),
                    _ => bail!("{}: sha256 must be 64 hex digits", at()),
                },
                None => None,
            };
            entries.push(Entry {
                sha256,
                rule: e.rule.as_deref().map(glob).transpose().with_context(at)?,
                path: e
                    .path
                    .as_deref()
                    .map(|p| glob(normalize(p)))
                    .transpose()
                    .with_context(at)?,
                reason: e.reason,
            });
        }
        let needs_sha256 = entries.iter().any(|e| e.sha256.is_some());
        Ok(Baseline {
            entries,
            sha256: crate::scan::digests::hex(&<sha2::Sha256 as sha2::Digest>::digest(
                text.as_bytes(),
            )),
            needs_sha256,
        })
    }

    pub fn load(path: &std::path::Path) -> Result<Baseline> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("--baseline {}", path.display()))?;
        Baseline::parse(&text, &path.display().to_string())
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Applies the baseline to one file's prepared findings (before judgement): takes the
    /// suppressed ones out of `findings` and returns them, each with its reason. `sha256` is
    /// asked for only when an entry needs it.
    pub fn apply(
        &self,
        path: &str,
        sha256: impl FnOnce() -> Option<[u8; 32]>,
        findings: &mut Vec<Finding>,
    ) -> Vec<Suppressed> {
        if self.entries.is_empty() || findings.is_empty() {
            return Vec::new();
        }
        let path = normalize(path);
        let digest = if self.needs_sha256 { sha256() } else { None };
        let mut kept = Vec::with_capacity(findings.len());
        let mut out = Vec::new();
        for f in findings.drain(..) {
            let id = f.id();
            let hit = self.entries.iter().find(|e| {
                e.sha256.is_none_or(|h| digest == Some(h))
                    && e.path.as_ref().is_none_or(|g| g.is_match(path))
                    && e.rule
                        .as_ref()
                        .is_none_or(|g| g.is_match(&id) || g.is_match(&f.rule))
            });
            match hit {
                Some(e) => out.push(Suppressed {
                    finding: f,
                    reason: e.reason.clone(),
                }),
                None => kept.push(f),
            }
        }
        *findings = kept;
        out
    }
}

/// Writes a baseline accepting every finding of a scan's JSON report: one entry per flagged
/// file (and archive member) by SHA-256 where the report has it, else by rule and exact path.
pub fn create_from_report(report: &serde_json::Value, origin: &str) -> Result<String> {
    let files = report["files"]
        .as_array()
        .with_context(|| format!("{origin}: not a minerscan JSON report (no files array)"))?;
    let date = humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string();
    let mut entries = Vec::new();
    fn walk(f: &serde_json::Value, date: &str, entries: &mut Vec<EntrySpec>) {
        let verdict = f["verdict"].as_str().unwrap_or("clean");
        let path = f["path"].as_str().unwrap_or("");
        let findings = f["findings"].as_array().map(Vec::as_slice).unwrap_or(&[]);
        if verdict != "clean" && !findings.is_empty() {
            let rules: Vec<String> = findings
                .iter()
                .filter(|x| x["class"] != "info")
                .map(|x| {
                    format!(
                        "{}:{}",
                        x["analyzer"].as_str().unwrap_or(""),
                        x["rule"].as_str().unwrap_or("")
                    )
                })
                .collect();
            let reason = format!(
                "accepted {date}: {path} was {verdict} ({})",
                rules.join(", ")
            );
            match f["sha256"].as_str() {
                Some(sha) => entries.push(EntrySpec {
                    sha256: Some(sha.to_owned()),
                    reason,
                    ..Default::default()
                }),
                None => {
                    for rule in rules {
                        entries.push(EntrySpec {
                            rule: Some(globset_escape(&rule)),
                            path: Some(globset_escape(path.trim_start_matches("./"))),
                            reason: reason.clone(),
                            ..Default::default()
                        });
                    }
                }
            }
        }
        if let Some(members) = f["members"].as_array() {
            for m in members {
                walk(m, date, entries);
            }
        }
    }
    for f in files {
        walk(f, &date, &mut entries);
    }
    let body = toml::to_string(&BaselineFile { entries }).context("writing the baseline")?;
    Ok(format!(
        "# minerscan baseline, created {date} from {origin}.\n# Each [[suppress]] entry accepts findings by sha256, by rule and path glob, or by path glob\n# alone, and says why. Review the reasons before committing this file.\n\n{body}"
    ))
}

/// Escapes glob metacharacters so that a literal path or rule matches only itself.
fn globset_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '\\') {
            out.push('[');
            out.push(c);
            out.push(']');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::id::AnalyzerId;
    use crate::judge::finding::Class;

    fn findings() -> Vec<Finding> {
        vec![
            Finding::new(
                AnalyzerId::Indicators,
                "stratum_url",
                Class::Miner,
                60,
                "url",
            ),
            Finding::new(AnalyzerId::Yara, "builtin.XMRig", Class::Miner, 80, "xmrig"),
        ]
    }

    #[test]
    fn suppresses_by_rule_and_path_and_by_hash() {
        let b = Baseline::parse(
            "[[suppress]]\nrule = \"indicators:stratum_url\"\npath = \"docs/**\"\nreason = \"docs quote URLs\"\n\n[[suppress]]\nsha256 = \"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"\nreason = \"fixture\"\n",
            "b.toml",
        )
        .unwrap();
        let mut f = findings();
        let s = b.apply("./docs/a/pools.md", || None, &mut f);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].reason, "docs quote URLs");
        assert_eq!(f.len(), 1);
        let mut f = findings();
        assert!(b.apply("src/pools.md", || None, &mut f).is_empty());
        let mut f = findings();
        let abc = crate::knowledge::ioc_lists::parse_digest(
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        );
        let Some(crate::knowledge::ioc_lists::Digest::Sha256(d)) = abc else {
            panic!()
        };
        assert_eq!(b.apply("x", || Some(d), &mut f).len(), 2);
    }

    #[test]
    fn entries_need_a_reason_and_a_selector() {
        assert!(Baseline::parse("[[suppress]]\npath = \"x\"\nreason = \"\"\n", "b").is_err());
        assert!(Baseline::parse("[[suppress]]\nrule = \"x\"\nreason = \"r\"\n", "b").is_err());
        assert!(Baseline::parse("[[suppress]]\nsha256 = \"12\"\nreason = \"r\"\n", "b").is_err());
    }

    #[test]
    fn creates_from_a_report() {
        let report = serde_json::json!({"files": [
            {"path": "./a.sh", "verdict": "suspicious", "sha256": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
             "findings": [{"analyzer": "indicators", "rule": "stratum_url", "class": "miner"}]},
            {"path": "./big[1].bin", "verdict": "malicious",
             "findings": [{"analyzer": "ioc", "rule": "path", "class": "ioc"}]},
            {"path": "./clean.txt", "verdict": "clean", "findings": []}
        ]});
        let text = create_from_report(&report, "r.json").unwrap();
        let b = Baseline::parse(&text, "created").unwrap();
        assert_eq!(b.len(), 2, "{text}");
        let mut f = vec![Finding::new(AnalyzerId::Ioc, "path", Class::Ioc, 90, "p")];
        assert_eq!(b.apply("big[1].bin", || None, &mut f).len(), 1);
    }
}

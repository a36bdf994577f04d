//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: one run, the driver with a
//! rule per `analyzer:rule` seen, and one result per file and rule. Locations are relative to
//! the current directory when the file lies inside it (a CI job runs from its checkout root),
//! absolute `file://` URIs otherwise; an archive member is located at its archive on disk and
//! named in full by a logical location. Results carry partial fingerprints (file SHA-256 and
//! rule) so that they stay stable between runs, and baseline-suppressed findings appear as
//! suppressed results. SARIF is one document, so results are kept until the scan finishes
//! (only flagged files and suppressed findings make results).

use super::{FileReport, Reporter, ScanInfo, Summary, SCHEMA_VERSION};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::judge::verdict::Level;
use base64::Engine as _;
use serde_json::json;
use serde_sarif::sarif;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::io::{self, Write};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

pub struct SarifReporter<W: Write> {
    out: W,
    cwd: Option<PathBuf>,
    results: Vec<sarif::Result>,
    rules: BTreeMap<String, RuleSeen>,
    /// One notification per file not fully judged (capped; the rest counted).
    notifications: Vec<sarif::Notification>,
    notifications_omitted: u64,
}

/// Notifications kept for files not fully judged; more are counted in one last notification.
const MAX_NOTIFICATIONS: usize = 10_000;

/// What the run says about one rule, from the findings that used it.
struct RuleSeen {
    analyzer: AnalyzerId,
    rule: String,
    class: Class,
    description: String,
}

impl<W: Write> SarifReporter<W> {
    pub fn new(out: W) -> SarifReporter<W> {
        SarifReporter {
            out,
            cwd: std::env::current_dir().ok(),
            results: Vec::new(),
            rules: BTreeMap::new(),
            notifications: Vec::new(),
            notifications_omitted: 0,
        }
    }

    /// A tool execution notification for a file that was not fully judged.
    fn notify_incomplete(&mut self, r: &FileReport) {
        let reasons = r.incomplete();
        if reasons.is_empty() {
            return;
        }
        if self.notifications.len() >= MAX_NOTIFICATIONS {
            self.notifications_omitted += 1;
            return;
        }
        let reasons: Vec<String> = reasons.iter().map(|i| i.to_string()).collect();
        let location = sarif::Location::builder()
            .physical_location(
                sarif::PhysicalLocation::builder()
                    .artifact_location(
                        sarif::ArtifactLocation::builder()
                            .uri(self.uri(&raw_path(r)))
                            .build(),
                    )
                    .build(),
            )
            .build();
        let mut props = BTreeMap::new();
        props.insert("incomplete".to_owned(), json!(reasons));
        self.notifications.push(
            sarif::Notification::builder()
                .level(json!("warning"))
                .message(
                    sarif::Message::builder()
                        .text(format!(
                            "{}: not fully scanned: {}",
                            r.path,
                            reasons.join(", ")
                        ))
                        .build(),
                )
                .locations(vec![location])
                .properties(
                    sarif::PropertyBag::builder()
                        .additional_properties(props)
                        .build(),
                )
                .build(),
        );
    }

    fn see_rule(&mut self, f: &Finding) -> String {
        let id = f.id();
        let seen = self.rules.entry(id.clone()).or_insert_with(|| RuleSeen {
            analyzer: f.analyzer,
            rule: f.rule.clone(),
            class: f.class,
            description: f.description.clone(),
        });
        if severity(f.class) > severity(seen.class) {
            seen.class = f.class;
        }
        id
    }

    /// The results of one report (a file or an archive member located at `disk_path`).
    fn collect(&mut self, r: &FileReport, disk_path: &[u8], member: Option<&str>) {
        let level = match r.verdict.level {
            Level::Malicious => sarif::ResultLevel::Error,
            Level::Suspicious => sarif::ResultLevel::Warning,
            Level::Clean => sarif::ResultLevel::Note,
        };
        if r.flagged() {
            let mut by_rule: BTreeMap<String, Vec<&Finding>> = BTreeMap::new();
            for f in r.findings.iter().filter(|f| !f.is_info()) {
                let id = self.see_rule(f);
                by_rule.entry(id).or_default().push(f);
            }
            for (id, findings) in by_rule {
                let result = self.result(r, disk_path, member, &id, &findings, level, None);
                self.results.push(result);
            }
        }
        for s in &r.suppressed {
            let id = self.see_rule(&s.finding);
            let level = if s.finding.class == Class::Ioc {
                sarif::ResultLevel::Error
            } else {
                sarif::ResultLevel::Warning
            };
            let result = self.result(
                r,
                disk_path,
                member,
                &id,
                &[&s.finding],
                level,
                Some(&s.reason),
            );
            self.results.push(result);
        }
        for m in &r.members {
            self.collect(m, disk_path, Some(&m.path));
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn result(
        &self,
        r: &FileReport,
        disk_path: &[u8],
        member: Option<&str>,
        id: &str,
        findings: &[&Finding],
        level: sarif::ResultLevel,
        suppressed: Option<&str>,
    ) -> sarif::Result {
        let mut text = String::new();
        if let Some(m) = member {
            text.push_str(&format!("In archive member {m}: "));
        }
        let descriptions: Vec<&str> = findings.iter().map(|f| f.description.as_str()).collect();
        text.push_str(&descriptions.join("; "));
        text.push_str(&format!(
            " (file verdict: {}, score {}",
            r.verdict.level.as_str(),
            r.verdict.score
        ));
        if let Some(fam) = &r.verdict.family {
            text.push_str(&format!(", family {fam}"));
        }
        text.push(')');
        let line = findings
            .iter()
            .flat_map(|f| &f.evidence)
            .find_map(|e| match e {
                Evidence::Line { line, .. } if member.is_none() => Some(i64::from(*line)),
                _ => None,
            })
            .unwrap_or(1);
        let physical = sarif::PhysicalLocation::builder()
            .artifact_location(
                sarif::ArtifactLocation::builder()
                    .uri(self.uri(disk_path))
                    .build(),
            )
            .region(sarif::Region::builder().start_line(line.max(1)).build())
            .build();
        let mut location = sarif::Location::builder()
            .physical_location(physical)
            .build();
        if let Some(m) = member {
            location.logical_locations = Some(vec![sarif::LogicalLocation::builder()
                .fully_qualified_name(m)
                .kind("member")
                .build()]);
        }
        let anchor = r.digests.sha256.clone().unwrap_or_else(|| r.path.clone());
        let mut fingerprints = BTreeMap::new();
        fingerprints.insert("minerscan/fileRule/v1".to_owned(), format!("{anchor}:{id}"));
        let mut props = BTreeMap::new();
        props.insert("verdict".to_owned(), json!(r.verdict.level.as_str()));
        props.insert("score".to_owned(), json!(r.verdict.score));
        if let Some(m) = member {
            props.insert("member".to_owned(), json!(m));
        }
        let mut result = sarif::Result::builder()
            .rule_id(id)
            .level(level)
            .message(sarif::Message::builder().text(text).build())
            .locations(vec![location])
            .partial_fingerprints(fingerprints)
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(props)
                    .build(),
            )
            .build();
        if member.is_none() && !r.triage.links.is_empty() {
            result.related_locations = Some(self.related(r));
        }
        if let Some(reason) = suppressed {
            result.suppressions = Some(vec![sarif::Suppression::builder()
                .kind(json!("external"))
                .status(json!("accepted"))
                .justification(reason)
                .build()]);
        }
        result
    }

    /// The files a result's file is linked to (`links`), each with its relation and verdict.
    fn related(&self, r: &FileReport) -> Vec<sarif::Location> {
        let mut out = Vec::new();
        for (i, l) in r.triage.links.iter().enumerate() {
            let physical = sarif::PhysicalLocation::builder()
                .artifact_location(
                    sarif::ArtifactLocation::builder()
                        .uri(self.uri(l.path.as_bytes()))
                        .build(),
                )
                .build();
            let text = format!("{} {} ({})", l.relation.as_str(), l.path, l.verdict);
            out.push(
                sarif::Location::builder()
                    .id(i as i64)
                    .physical_location(physical)
                    .message(sarif::Message::builder().text(text).build())
                    .build(),
            );
        }
        out
    }

    /// Relative to the current directory when inside it, else an absolute file URI; encoded
    /// from the name's own bytes, so that a name that is not UTF-8 keeps its identity.
    fn uri(&self, raw: &[u8]) -> String {
        let abs = crate::scan::target::absolute(Path::new(OsStr::from_bytes(raw)));
        if let Some(cwd) = &self.cwd {
            if let Ok(rel) = abs.strip_prefix(cwd) {
                // Components drop `.` segments; `..` cannot occur under the current directory.
                let segments: Vec<String> = rel
                    .components()
                    .map(|c| percent_encode(c.as_os_str().as_bytes()))
                    .collect();
                let rel = segments.join("/");
                // A first segment with a colon would read as a scheme (`javascript:x.sh`).
                return if segments.first().is_some_and(|s| s.contains(':')) {
                    format!("./{rel}")
                } else {
                    rel
                };
            }
        }
        format!("file://{}", percent_encode(abs.as_os_str().as_bytes()))
    }
}

/// The exact bytes of a report's path (the lossy `path` is only for display).
fn raw_path(r: &FileReport) -> Vec<u8> {
    r.path_bytes
        .as_deref()
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .unwrap_or_else(|| r.path.as_bytes().to_vec())
}

/// Percent-encodes what a URI path cannot hold as is.
fn percent_encode(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// GitHub's security-severity (0-10) for a class.
fn severity(class: Class) -> f64 {
    match class {
        Class::Ioc => 9.5,
        Class::Injection | Class::Hiding | Class::Evasion => 8.0,
        Class::Persistence | Class::RivalKill | Class::DownloadExec => 7.5,
        Class::Miner => 7.0,
        Class::Info => 2.0,
    }
}

fn default_level(class: Class) -> &'static str {
    match class {
        Class::Ioc => "error",
        Class::Info => "note",
        _ => "warning",
    }
}

fn rule_descriptor(id: &str, seen: &RuleSeen) -> sarif::ReportingDescriptor {
    let help = format!(
        "minerscan's {} analyzer reported a `{}` finding ({}). Read the evidence in the result; \
if the file is known and accepted, add a baseline entry (`minerscan baseline create` or by hand) \
with the reason, rather than deleting the rule.",
        seen.analyzer,
        seen.class,
        class_meaning(seen.class)
    );
    let mut props = BTreeMap::new();
    props.insert(
        "security-severity".to_owned(),
        json!(format!("{:.1}", severity(seen.class))),
    );
    props.insert("class".to_owned(), json!(seen.class.as_str()));
    sarif::ReportingDescriptor::builder()
        .id(id)
        .name(seen.rule.clone())
        .short_description(
            sarif::MultiformatMessageString::builder()
                .text(format!(
                    "{} ({} analyzer, {})",
                    seen.rule, seen.analyzer, seen.class
                ))
                .build(),
        )
        .full_description(
            sarif::MultiformatMessageString::builder()
                .text(crate::judge::finding::cap(&seen.description))
                .build(),
        )
        .help(
            sarif::MultiformatMessageString::builder()
                .text(help)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(json!(default_level(seen.class)))
                .build(),
        )
        .properties(
            sarif::PropertyBag::builder()
                .tags(vec![
                    "security".to_owned(),
                    "cryptominer".to_owned(),
                    seen.class.as_str().to_owned(),
                ])
                .additional_properties(props)
                .build(),
        )
        .build()
}

fn class_meaning(class: Class) -> &'static str {
    match class {
        Class::Ioc => "a listed indicator of compromise: malicious on its own",
        Class::Miner => "a miner program, configuration, launch command or protocol code",
        Class::Hiding => "process hiding or masquerading",
        Class::Persistence => "persistence",
        Class::RivalKill => "killing rival miners or security agents",
        Class::Injection => "injection into another process or a page",
        Class::DownloadExec => "downloading and executing a payload",
        Class::Evasion => "defence evasion",
        Class::Info => "context only",
    }
}

impl<W: Write> Reporter for SarifReporter<W> {
    fn begin(&mut self, _scan: &ScanInfo) -> io::Result<()> {
        Ok(())
    }

    fn file(&mut self, r: &FileReport) -> io::Result<()> {
        self.collect(r, &raw_path(r), None);
        self.notify_incomplete(r);
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        let rules: Vec<sarif::ReportingDescriptor> = self
            .rules
            .iter()
            .map(|(id, seen)| rule_descriptor(id, seen))
            .collect();
        let index: BTreeMap<&String, i64> = self
            .rules
            .keys()
            .enumerate()
            .map(|(i, k)| (k, i as i64))
            .collect();
        let mut results = std::mem::take(&mut self.results);
        for r in &mut results {
            r.rule_index = r.rule_id.as_ref().and_then(|id| index.get(id).copied());
        }
        let driver = sarif::ToolComponent::builder()
            .name("minerscan")
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(rules)
            .build();
        // Unsuccessful when interrupted or when any file was not fully judged: a consumer must
        // not take the missing results for clean files.
        let mut notifications = std::mem::take(&mut self.notifications);
        if self.notifications_omitted > 0 {
            notifications.push(
                sarif::Notification::builder()
                    .level(json!("warning"))
                    .message(
                        sarif::Message::builder()
                            .text(format!(
                                "and {} more files not fully scanned",
                                self.notifications_omitted
                            ))
                            .build(),
                    )
                    .build(),
            );
        }
        let mut invocation = sarif::Invocation::builder()
            .execution_successful(summary.complete)
            .build();
        if !notifications.is_empty() {
            invocation.tool_execution_notifications = Some(notifications);
        }
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(results)
            .invocations(vec![invocation])
            .properties(
                sarif::PropertyBag::builder()
                    .additional_properties(BTreeMap::from([(
                        "schema_version".to_owned(),
                        json!(SCHEMA_VERSION),
                    )]))
                    .build(),
            )
            .build();
        let log = sarif::Sarif::builder()
            .schema("https://json.schemastore.org/sarif-2.1.0.json")
            .version(json!("2.1.0"))
            .runs(vec![run])
            .build();
        serde_json::to_writer_pretty(&mut self.out, &log).map_err(io::Error::from)?;
        self.out.write_all(b"\n")?;
        self.out.flush()
    }
}

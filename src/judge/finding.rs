//! The facts that analyzers produce. A `Finding` is one observation with its evidence; it says
//! nothing about the file as a whole. `verdict::judge` turns a file's findings into a verdict.

use crate::analyze::id::AnalyzerId;
use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of fact a finding is. The verdict is decided by which classes meet in one file.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// A listed hash or indicator: malicious on its own.
    Ioc,
    /// A miner program, config, launch command or protocol code.
    Miner,
    /// Process hiding, masquerading as a system process, a hidden location.
    Hiding,
    Persistence,
    RivalKill,
    /// Process hollowing, a miner injected into a web page or a library.
    Injection,
    DownloadExec,
    /// Disabling defences, clearing logs, critical-process flag, obfuscation, packing with miner code.
    Evasion,
    /// Worth showing; never raises the verdict.
    Info,
}

impl Class {
    pub const ALL: [Class; 9] = [
        Class::Ioc,
        Class::Miner,
        Class::Hiding,
        Class::Persistence,
        Class::RivalKill,
        Class::Injection,
        Class::DownloadExec,
        Class::Evasion,
        Class::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Ioc => "ioc",
            Class::Miner => "miner",
            Class::Hiding => "hiding",
            Class::Persistence => "persistence",
            Class::RivalKill => "rival_kill",
            Class::Injection => "injection",
            Class::DownloadExec => "download_exec",
            Class::Evasion => "evasion",
            Class::Info => "info",
        }
    }

    /// Parses the names used in rule metadata and tags (`rival_kill`, `rival-kill`, `RivalKill`...).
    pub fn parse(s: &str) -> Option<Class> {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        Some(match norm.as_str() {
            "ioc" => Class::Ioc,
            "miner" | "mining" | "coinminer" | "cryptominer" => Class::Miner,
            "hiding" | "hider" | "rootkit" | "masquerading" => Class::Hiding,
            "persistence" => Class::Persistence,
            "rivalkill" => Class::RivalKill,
            "injection" | "inject" => Class::Injection,
            "downloadexec" | "dropper" | "downloader" => Class::DownloadExec,
            "evasion" | "obfuscation" | "packer" => Class::Evasion,
            "info" => Class::Info,
            _ => return None,
        })
    }

    /// The behaviour classes counted by the verdict model (everything but miner, ioc and info).
    pub fn is_behaviour(self) -> bool {
        !matches!(self, Class::Ioc | Class::Miner | Class::Info)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The longest excerpt any piece of evidence keeps. Evidence is for humans: a few lines, never a dump.
pub const EVIDENCE_TEXT_CAP: usize = 160;
/// The most evidence items one finding keeps; the rest are counted in `Finding::evidence_omitted`.
pub const EVIDENCE_ITEMS_CAP: usize = 8;

/// Why a finding was made, in a form that can be shown and serialized. Text is capped when the
/// evidence is built (`Evidence::text`, `Evidence::line`...) and escaped by the writers.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, serde::Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Evidence {
    /// Bytes matched at an offset in the file (YARA strings, indicator hits in binaries).
    Bytes {
        offset: u64,
        excerpt: String,
    },
    /// A line of text (1-based).
    Line {
        line: u32,
        text: String,
    },
    /// An imported function (or a function name resolved at run time, found among the strings).
    Import {
        library: Option<String>,
        function: String,
    },
    Export {
        name: String,
    },
    /// A configuration key and its value.
    Config {
        key: String,
        value: String,
    },
    Hash {
        algorithm: String,
        value: String,
    },
    /// The file's path or name, when the location is the evidence.
    Path {
        path: String,
    },
    /// Anything else worth showing.
    Text {
        text: String,
    },
}

impl Evidence {
    pub fn bytes(offset: u64, raw: &[u8]) -> Evidence {
        Evidence::Bytes {
            offset,
            excerpt: excerpt(raw),
        }
    }

    pub fn line(line: usize, text: &str) -> Evidence {
        Evidence::Line {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            text: cap(text.trim()),
        }
    }

    pub fn text(text: impl AsRef<str>) -> Evidence {
        Evidence::Text {
            text: cap(text.as_ref()),
        }
    }

    pub fn config(key: impl AsRef<str>, value: impl AsRef<str>) -> Evidence {
        Evidence::Config {
            key: cap(key.as_ref()),
            value: cap(value.as_ref()),
        }
    }

    pub fn import(library: Option<&str>, function: &str) -> Evidence {
        Evidence::Import {
            library: library.map(cap),
            function: cap(function),
        }
    }

    pub fn path(path: impl AsRef<str>) -> Evidence {
        Evidence::Path {
            path: cap(path.as_ref()),
        }
    }

    /// One line for text output.
    pub fn summary(&self) -> String {
        match self {
            Evidence::Bytes { offset, excerpt } => format!("@0x{offset:x}: {excerpt}"),
            Evidence::Line { line, text } => format!("line {line}: {text}"),
            Evidence::Import { library, function } => match library {
                Some(lib) => format!("import {lib}!{function}"),
                None => format!("function name {function}"),
            },
            Evidence::Export { name } => format!("export {name}"),
            Evidence::Config { key, value } => format!("{key} = {value}"),
            Evidence::Hash { algorithm, value } => format!("{algorithm} {value}"),
            Evidence::Path { path } => format!("path {path}"),
            Evidence::Text { text } => text.clone(),
        }
    }
}

/// Caps text at `EVIDENCE_TEXT_CAP` characters, on a character boundary.
pub fn cap(text: &str) -> String {
    if text.chars().count() <= EVIDENCE_TEXT_CAP {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(EVIDENCE_TEXT_CAP).collect();
    out.push('…');
    out
}

/// Renders raw bytes as text: printable ASCII as is, everything else as `\xNN`, capped.
pub fn excerpt(raw: &[u8]) -> String {
    let mut out = String::new();
    for &b in raw {
        if out.len() >= EVIDENCE_TEXT_CAP {
            out.push('…');
            break;
        }
        match b {
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// One observation about one file. Serialized whole for the result cache; the writers show it
/// through their own wire shape (`report::wire`), which leaves the merge fields out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Finding {
    /// Which analyzer made it.
    pub analyzer: AnalyzerId,
    /// A stable identifier of the rule or heuristic, e.g. `stratum_url` or `builtin.XMRig_Help_Text`.
    pub rule: String,
    pub class: Class,
    /// 0-100: how strongly this finding alone speaks for its class.
    pub score: u8,
    pub description: String,
    /// The most specific miner or campaign family the finding names (`xmrig`, `kinsing`...).
    pub family: Option<String>,
    pub evidence: Vec<Evidence>,
    pub evidence_omitted: usize,
    pub tags: Vec<String>,
    /// A key naming the fact itself (`stratum-url:stratum+tcp://pool.example:3333`). Findings of
    /// several analyzers with the same key are merged by the verdict into one.
    pub fact: Option<String>,
    /// Context that counts only beside miner evidence: a weak sign (a temporary directory, a
    /// name like a kernel thread, GPU compute, MSR access) is `info` alone and takes this class
    /// when the same file has a `miner` finding. Resolved by `verdict::prepare`.
    pub when_miner: Option<Class>,
    /// The analyzers and rules whose findings were merged into this one.
    pub also_reported_by: Vec<String>,
}

impl Finding {
    pub fn new(
        analyzer: AnalyzerId,
        rule: impl Into<String>,
        class: Class,
        score: u8,
        description: impl Into<String>,
    ) -> Finding {
        Finding {
            analyzer,
            rule: rule.into(),
            class,
            score: score.min(100),
            description: description.into(),
            family: None,
            evidence: Vec::new(),
            evidence_omitted: 0,
            tags: Vec::new(),
            fact: None,
            when_miner: None,
            also_reported_by: Vec::new(),
        }
    }

    /// Information only: shown, never counted towards a verdict.
    pub fn is_info(&self) -> bool {
        self.class == Class::Info
    }

    /// `analyzer:rule`, as reports, baselines and `also_reported_by` name a finding.
    pub fn id(&self) -> String {
        format!("{}:{}", self.analyzer, self.rule)
    }

    pub fn family(mut self, family: impl Into<String>) -> Finding {
        self.family = Some(family.into());
        self
    }

    pub fn fact(mut self, fact: impl Into<String>) -> Finding {
        self.fact = Some(fact.into());
        self
    }

    /// Makes this an `info` finding that takes `class` beside miner evidence.
    pub fn when_miner(mut self, class: Class) -> Finding {
        self.class = Class::Info;
        self.when_miner = Some(class);
        self
    }

    pub fn tag(mut self, tag: impl Into<String>) -> Finding {
        self.tags.push(tag.into());
        self
    }

    /// Adds evidence, keeping at most `EVIDENCE_ITEMS_CAP` items and counting the rest.
    pub fn push_evidence(&mut self, evidence: Evidence) {
        if self.evidence.len() < EVIDENCE_ITEMS_CAP {
            if !self.evidence.contains(&evidence) {
                self.evidence.push(evidence);
            }
        } else {
            self.evidence_omitted += 1;
        }
    }

    pub fn with_evidence(mut self, evidence: Evidence) -> Finding {
        self.push_evidence(evidence);
        self
    }
}

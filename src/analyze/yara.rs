//! YARA through yara-x: our embedded pack plus a user's rules, compiled once into one `Rules`
//! shared by every worker; each worker owns one `Scanner` built from it (a Scanner is not Send).
//! Every matching rule becomes a finding whose class, score and family come from the rule's
//! metadata, or, for rules without our metadata, from its tags and name.

mod cache;
mod requires;
pub use cache::default_dir as default_cache_dir;

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::knowledge::signatures;
use crate::scan::context::FileContext;
use crate::scan::digests::hex;
use crate::scan::image::ImageRoot;
use crate::scan::kind::FileKind;
use crate::scan::users::owner_name;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};
use yara_x::{MetaValue, Rules, ScanError, Scanner};

const ID: AnalyzerId = AnalyzerId::Yara;
/// Matched strings kept as evidence per rule.
const MAX_MATCHES_SHOWN: usize = 6;

/// External variables that public rule collections commonly use; declared for every rule set
/// and filled for every file.
const EXTERNALS: &[&str] = &[
    "filename",
    "filepath",
    "extension",
    "filetype",
    "owner",
    "md5",
];

/// Modules that libyara has and yara-x lacks: rules that use them are skipped, not fatal.
const MISSING_MODULES: &[&str] = &["magic"];

/// One rule source that went into the compiled rules.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleSource {
    pub origin: String,
    pub namespace: String,
    pub sha256: String,
    pub builtin: bool,
}

/// A rule file (or rule) that was left out, with where and why.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleProblem {
    pub origin: String,
    pub line: Option<usize>,
    pub message: String,
}

impl std::fmt::Display for RuleProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.origin, line, self.message),
            None => write!(f, "{}: {}", self.origin, self.message),
        }
    }
}

/// What to compile.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    pub builtin: bool,
    pub user_paths: Vec<PathBuf>,
    pub timeout: Duration,
    /// Where compiled rule sets are kept between runs (`cache`); `None` compiles every time.
    pub cache: Option<PathBuf>,
}

/// The compiled rules and what is known about them.
pub struct YaraRules {
    pub rules: Rules,
    pub sources: Vec<RuleSource>,
    pub problems: Vec<RuleProblem>,
    pub warnings: Vec<String>,
    pub compile_time: Duration,
    uses_md5: bool,
    uses_owner: bool,
    timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("built-in signature {origin} failed to compile (a minerscan bug): {message}")]
    Builtin { origin: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// Collects `.yar`/`.yara` files under a path (a file is taken whatever its extension).
fn rule_files(path: &Path) -> Result<Vec<PathBuf>, RulesError> {
    let meta = std::fs::metadata(path).map_err(|source| RulesError::Io {
        path: path.display().to_string(),
        source,
    })?;
    if meta.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
        let entry = entry.map_err(|e| RulesError::Io {
            path: path.display().to_string(),
            source: e.into(),
        })?;
        let is_rule = entry
            .path()
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yar") || e.eq_ignore_ascii_case("yara"));
        if entry.file_type().is_file() && is_rule {
            out.push(entry.into_path());
        }
    }
    Ok(out)
}

/// Turns a yara-x error into one `file:line: message` problem.
fn problem(origin: &str, err: &yara_x::errors::CompileError) -> RuleProblem {
    let json = serde_json::to_value(err).unwrap_or_default();
    fn find<'v>(v: &'v serde_json::Value, key: &str) -> Option<&'v serde_json::Value> {
        match v {
            serde_json::Value::Object(m) => {
                m.get(key).or_else(|| m.values().find_map(|x| find(x, key)))
            }
            _ => None,
        }
    }
    let line = find(&json, "line")
        .and_then(|l| l.as_u64())
        .map(|l| l as usize);
    let message = find(&json, "title")
        .and_then(|t| t.as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| err.to_string().lines().next().unwrap_or("error").to_owned());
    RuleProblem {
        origin: origin.to_owned(),
        line,
        message,
    }
}

fn namespace_for(origin: &str, builtin: bool) -> String {
    let stem = Path::new(origin)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "rules".to_owned());
    let clean: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if builtin {
        format!("builtin_{clean}")
    } else {
        clean
    }
}

fn new_compiler<'a>() -> yara_x::Compiler<'a> {
    let mut compiler = yara_x::Compiler::new();
    compiler.relaxed_re_syntax(true);
    for m in MISSING_MODULES {
        compiler.ignore_module(*m);
    }
    for name in EXTERNALS {
        compiler
            .define_global(name, "")
            .expect("external variable names are valid identifiers");
    }
    compiler
}

/// One rule source to compile: where it came from, its text, whether it is ours.
struct Source {
    origin: String,
    text: String,
    builtin: bool,
}

impl Source {
    fn namespace(&self) -> String {
        namespace_for(&self.origin, self.builtin)
    }
}

/// What the compiler is told besides the sources (part of the cache key).
fn compiler_settings() -> String {
    format!("relaxed;ignore={MISSING_MODULES:?};globals={EXTERNALS:?}")
}

/// Our pack and the user's rule files, read; files that cannot be read are problems.
fn read_sources(options: &RuleOptions) -> Result<(Vec<Source>, Vec<RuleProblem>), RulesError> {
    let mut sources = Vec::new();
    let mut problems = Vec::new();
    if options.builtin {
        for (origin, text) in signatures::BUILTIN_YARA {
            sources.push(Source {
                origin: (*origin).to_owned(),
                text: (*text).to_owned(),
                builtin: true,
            });
        }
    }
    for path in &options.user_paths {
        for file in rule_files(path)? {
            let origin = file.display().to_string();
            match std::fs::read(&file) {
                Ok(bytes) => sources.push(Source {
                    origin,
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    builtin: false,
                }),
                Err(e) => problems.push(RuleProblem {
                    origin,
                    line: None,
                    message: e.to_string(),
                }),
            }
        }
    }
    Ok((sources, problems))
}

/// Compiles our pack and the user's rules into one `Rules`, or loads them compiled from the
/// cache (`options.cache`, see `cache`). Our pack failing is fatal; a user's file that fails is
/// reported and left out.
pub fn compile(options: &RuleOptions) -> Result<YaraRules, RulesError> {
    let start = Instant::now();
    let (sources, mut problems) = read_sources(options)?;
    let key = options
        .cache
        .as_ref()
        .filter(|_| problems.is_empty())
        .map(|dir| {
            let namespaces: Vec<String> = sources.iter().map(Source::namespace).collect();
            let parts = sources
                .iter()
                .zip(&namespaces)
                .map(|(s, ns)| (s.origin.as_str(), ns.as_str(), s.text.as_str()));
            (dir, cache::key(&compiler_settings(), parts))
        });
    let cached = key.as_ref().and_then(|(dir, k)| cache::load(dir, k));
    let hit = cached.is_some();
    let (rules, compiled, warnings) = match cached {
        Some((rules, warnings)) => (rules, sources.iter().collect(), warnings),
        None => build(&sources, &mut problems)?,
    };
    // Only a set that compiled whole is kept: a hit then reports what compiling it would.
    if let Some((dir, k)) = key.filter(|_| !hit && problems.is_empty()) {
        cache::store(dir, &k, &rules, &warnings);
    }
    let md5_use = regex::Regex::new(r"(^|[^.\w])md5\b").expect("static regex");
    let owner_use = regex::Regex::new(r"(^|[^.\w])owner\b").expect("static regex");
    Ok(YaraRules {
        sources: compiled
            .iter()
            .map(|s| RuleSource {
                origin: s.origin.clone(),
                namespace: s.namespace(),
                sha256: hex(&Sha256::digest(s.text.as_bytes())),
                builtin: s.builtin,
            })
            .collect(),
        uses_md5: compiled.iter().any(|s| md5_use.is_match(&s.text)),
        uses_owner: compiled.iter().any(|s| owner_use.is_match(&s.text)),
        rules,
        problems,
        warnings,
        compile_time: start.elapsed(),
        timeout: options.timeout,
    })
}

/// Compiles `sources`: those that fail are left out, and added to `problems` (ours failing is
/// fatal). Returns the rules, the sources compiled, and the compiler's warnings.
fn build<'s>(
    sources: &'s [Source],
    problems: &mut Vec<RuleProblem>,
) -> Result<(Rules, Vec<&'s Source>, Vec<String>), RulesError> {
    let mut compiler = new_compiler();
    let mut compiled = Vec::new();
    for source in sources {
        compiler.new_namespace(&source.namespace());
        let code = yara_x::SourceCode::from(source.text.as_str()).with_origin(&source.origin);
        match compiler.add_source(code) {
            Ok(_) => compiled.push(source),
            Err(err) => {
                let p = problem(&source.origin, &err);
                if source.builtin {
                    return Err(RulesError::Builtin {
                        origin: p.origin.clone(),
                        message: p.to_string(),
                    });
                }
                problems.push(p);
            }
        }
    }
    let warnings = compiler
        .warnings()
        .iter()
        .map(|w| w.to_string().lines().next().unwrap_or_default().to_owned())
        .collect();
    Ok((compiler.build(), compiled, warnings))
}

/// Metadata of one compiled rule, for `rules list`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RuleInfo {
    pub namespace: String,
    pub identifier: String,
    pub tags: Vec<String>,
    pub meta: Vec<(String, String)>,
}

impl YaraRules {
    pub fn list(&self) -> Vec<RuleInfo> {
        let mut out: Vec<RuleInfo> = self
            .rules
            .iter()
            .map(|r| RuleInfo {
                namespace: r.namespace().to_owned(),
                identifier: r.identifier().to_owned(),
                tags: r.tags().map(|t| t.identifier().to_owned()).collect(),
                meta: r
                    .metadata()
                    .map(|(k, v)| (k.to_owned(), meta_string(&v)))
                    .collect(),
            })
            .collect();
        out.sort_by(|a, b| (&a.namespace, &a.identifier).cmp(&(&b.namespace, &b.identifier)));
        out
    }

    pub fn rule_count(&self) -> usize {
        self.rules.iter().count()
    }
}

fn meta_string(v: &MetaValue) -> String {
    match v {
        MetaValue::Integer(i) => i.to_string(),
        MetaValue::Float(f) => f.to_string(),
        MetaValue::Bool(b) => b.to_string(),
        MetaValue::String(s) => (*s).to_owned(),
        MetaValue::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
    }
}

pub struct YaraAnalyzer {
    rules: YaraRules,
    /// `--root`: the `owner` variable names users from the image's /etc/passwd.
    root: Option<Arc<ImageRoot>>,
    /// Which files the rules cannot match (`requires`): only for the built-in pack alone; a
    /// user's rules run on every file.
    gate: Option<&'static requires::RuleGate>,
}

impl YaraAnalyzer {
    pub fn new(rules: YaraRules) -> YaraAnalyzer {
        let builtin_only = !rules.sources.is_empty() && rules.sources.iter().all(|s| s.builtin);
        YaraAnalyzer {
            gate: builtin_only.then(requires::builtin).flatten(),
            rules,
            root: None,
        }
    }

    /// Scans the files of a mounted image: user names come from the image.
    pub fn in_image(mut self, root: Option<Arc<ImageRoot>>) -> YaraAnalyzer {
        self.root = root;
        self
    }
}

impl Analyzer for YaraAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }

    fn needles(&self) -> Vec<&'static str> {
        self.gate.map(|g| g.walked().collect()).unwrap_or_default()
    }

    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        let mut scanner = Scanner::new(&self.rules.rules);
        // yara-x counts whole seconds; zero would mean "no timeout".
        scanner.set_timeout(self.rules.timeout.max(Duration::from_secs(1)));
        scanner.max_matches_per_pattern(1000);
        Box::new(YaraWorker {
            scanner,
            uses_md5: self.rules.uses_md5,
            uses_owner: self.rules.uses_owner,
            root: self.root.as_deref(),
            empty: self.rules.rule_count() == 0,
            gate: self.gate,
        })
    }
}

struct YaraWorker<'r> {
    scanner: Scanner<'r>,
    uses_md5: bool,
    uses_owner: bool,
    root: Option<&'r ImageRoot>,
    empty: bool,
    gate: Option<&'static requires::RuleGate>,
}

impl AnalyzerWorker for YaraWorker<'_> {
    fn applies(&self, kind: FileKind) -> bool {
        !self.empty && kind != FileKind::Empty
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        // A file holding none of the literals the rules need cannot match: the shared walk
        // already looked for them.
        if let (Some(gate), Some(found)) = (self.gate, ctx.own_needles(ID)) {
            if !gate.open(found.iter().map(|h| h.needle), ctx.bytes) {
                return Ok(());
            }
        }
        let err = |message: String| AnalyzerError {
            analyzer: ID,
            message,
            timed_out: false,
        };
        let path = ctx.target.system_path.as_str();
        let name = ctx.target.file_name();
        let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let md5 = if self.uses_md5 {
            ctx.md5().map(|d| hex(&d)).unwrap_or_default()
        } else {
            String::new()
        };
        let owner = match (&ctx.meta, self.uses_owner) {
            // As on the host, a uid without a name is matched as its number.
            (Some(meta), true) => {
                owner_name(self.root, meta.uid).unwrap_or_else(|| meta.uid.to_string())
            }
            _ => String::new(),
        };
        for (var, value) in [
            ("filename", name),
            ("filepath", path),
            ("extension", extension),
            ("filetype", ctx.kind.as_str()),
            ("owner", owner.as_str()),
            ("md5", md5.as_str()),
        ] {
            self.scanner
                .set_global(var, value)
                .map_err(|e| err(format!("setting {var}: {e}")))?;
        }
        let results = match self.scanner.scan(ctx.bytes) {
            Ok(r) => r,
            Err(ScanError::Timeout) => {
                return Err(AnalyzerError {
                    timed_out: true,
                    ..err("scan timed out".to_owned())
                })
            }
            Err(e) => return Err(err(e.to_string())),
        };
        for rule in results.matching_rules() {
            let mut f = finding_for(&rule);
            // Every match inside a rule set's literals or a list's entries: quoted data.
            let mut offsets = rule
                .patterns()
                .flat_map(|p| p.matches().map(|m| m.range().start).collect::<Vec<_>>())
                .peekable();
            if offsets.peek().is_some() && offsets.all(|o| ctx.fact_quoted_at(o)) {
                f.class = Class::Info;
                f.description.push_str(" (quoted as data)");
            }
            out.push(f);
        }
        Ok(())
    }
}

fn finding_for(rule: &yara_x::Rule) -> Finding {
    let mut class = None;
    let mut score = None;
    let mut family = None;
    let mut description = None;
    let mut reference = None;
    let mut fact = None;
    for (key, value) in rule.metadata() {
        let text = meta_string(&value);
        match key.to_ascii_lowercase().as_str() {
            "class" => class = Class::parse(&text),
            "score" => score = text.trim().parse::<u8>().ok().map(|s| s.min(100)),
            "family" | "malware_family" => family = Some(text),
            "description" | "desc" => description = Some(text),
            "reference" => reference = Some(text),
            "fact" => fact = Some(text),
            _ => {}
        }
    }
    let tags: Vec<String> = rule.tags().map(|t| t.identifier().to_owned()).collect();
    let class = class.unwrap_or_else(|| class_from_names(rule.identifier(), &tags));
    let score = score.unwrap_or(match class {
        Class::Info => 10,
        Class::Ioc => 90,
        _ => 50,
    });
    let mut f = Finding::new(
        ID,
        rule.identifier(),
        class,
        score,
        description.unwrap_or_else(|| format!("YARA rule {}", rule.identifier())),
    );
    f.family = family;
    f.fact = fact;
    f.tags = tags;
    if let Some(reference) = reference {
        f.tags.push(format!("reference:{reference}"));
    }
    let mut shown = 0;
    for pattern in rule.patterns() {
        for m in pattern.matches() {
            if shown < MAX_MATCHES_SHOWN {
                f.push_evidence(Evidence::bytes(m.range().start as u64, m.data()));
                shown += 1;
            } else {
                f.evidence_omitted += 1;
            }
        }
    }
    f
}

/// A user's rule without our metadata: a rule named or tagged as a miner is `miner`, and so on
/// for the other classes; `info` when nothing says more.
fn class_from_names(identifier: &str, tags: &[String]) -> Class {
    let words: Vec<String> = std::iter::once(identifier.to_owned())
        .chain(tags.iter().cloned())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let any = |needles: &[&str]| words.iter().any(|w| needles.iter().any(|n| w.contains(n)));
    if any(&[
        "miner",
        "mining",
        "xmrig",
        "coinhive",
        "cryptojack",
        "monero",
        "stratum",
    ]) {
        Class::Miner
    } else if any(&["rootkit", "hider", "hiding"]) {
        Class::Hiding
    } else if any(&["persist"]) {
        Class::Persistence
    } else if any(&["inject", "hollow"]) {
        Class::Injection
    } else if any(&["dropper", "downloader"]) {
        Class::DownloadExec
    } else {
        Class::Info
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_rule_classes_come_from_names_and_tags() {
        assert_eq!(class_from_names("XMRig_Miner", &[]), Class::Miner);
        assert_eq!(
            class_from_names("Generic", &["CoinMiner".to_owned()]),
            Class::Miner
        );
        assert_eq!(class_from_names("LD_Preload_Hider", &[]), Class::Hiding);
        assert_eq!(class_from_names("Suspicious_String", &[]), Class::Info);
    }

    #[test]
    fn broken_user_rule_is_reported_with_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("good.yar"),
            "rule good_one { strings: $a = \"abc\" condition: $a }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("bad.yar"),
            "rule ok { condition: true }\n\nrule broken {\n condition: $nope\n}\n",
        )
        .unwrap();
        let rules = compile(&RuleOptions {
            builtin: false,
            user_paths: vec![dir.path().to_path_buf()],
            timeout: Duration::from_secs(5),
            cache: None,
        })
        .unwrap();
        assert_eq!(rules.problems.len(), 1, "{:?}", rules.problems);
        let p = &rules.problems[0];
        assert!(p.origin.ends_with("bad.yar"));
        assert_eq!(p.line, Some(4));
        assert!(rules.list().iter().any(|r| r.identifier == "good_one"));
    }

    #[test]
    fn a_rule_set_compiled_once_is_loaded_from_the_cache_with_its_warnings() {
        let rules_dir = tempfile::tempdir().unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let cache = cache_dir.path().join("rules");
        // A loop over many matches draws a yara-x warning: a hit must report it too.
        std::fs::write(
            rules_dir.path().join("r.yar"),
            "rule pool { strings: $a = \"stratum+tcp://\" condition: $a }\n\
             rule slow { strings: $b = \"x\" condition: for any i in (1..#b): (@b[i] > 0) }\n",
        )
        .unwrap();
        let options = RuleOptions {
            builtin: false,
            user_paths: vec![rules_dir.path().to_path_buf()],
            timeout: Duration::from_secs(5),
            cache: Some(cache.clone()),
        };
        let first = compile(&options).unwrap();
        assert!(!first.warnings.is_empty(), "the slow loop warns");
        let stored: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
        assert_eq!(stored.len(), 1, "one compiled set stored");
        let second = compile(&options).unwrap();
        assert_eq!(second.warnings, first.warnings);
        assert_eq!(second.list().len(), first.list().len());
        let sha = |r: &YaraRules| {
            r.sources
                .iter()
                .map(|s| s.sha256.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(sha(&second), sha(&first));
        let mut scanner = yara_x::Scanner::new(&second.rules);
        let results = scanner.scan(b"-o stratum+tcp://pool:3333").unwrap();
        assert_eq!(results.matching_rules().len(), 1, "the loaded rules match");
        // Another text is another key: both are kept.
        std::fs::write(
            rules_dir.path().join("r.yar"),
            "rule other { condition: true }\n",
        )
        .unwrap();
        compile(&options).unwrap();
        assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 2);
    }
}

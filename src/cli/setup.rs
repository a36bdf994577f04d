//! Turns raw flags into finished objects: the compiled rules, the analyzers, the engine, the
//! walk plan and the chosen reporter. Nothing after this sees raw flags.

use crate::analyze::yara::{self, RuleOptions, YaraAnalyzer, YaraRules};
use crate::analyze::{registry, Analyzer};
use crate::cli::args::{parse_size, ColorChoice, FailOn, Format, RuleSetArgs, ScanArgs};
use crate::outcome::{RuleSetInfo, ScanInfo, ToolInfo};
use crate::scan::engine::{Engine, EngineOptions, ScanPlan};
use crate::scan::walk::{read_path_list, WalkOptions};
use anyhow::{bail, Context, Result};
use globset::{Glob, GlobSetBuilder};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::{Duration, SystemTime};

/// Everything a scan needs, built from the flags.
pub struct ScanConfig {
    pub engine: Engine,
    pub plan: ScanPlan,
    pub info: ScanInfo,
    pub format: Format,
    /// `-o FILE`, opened and checked (`platform::open_output`); `None` writes to stdout.
    pub output: Option<std::fs::File>,
    pub all: bool,
    pub fail_on: FailOn,
    pub strict: bool,
    pub progress: bool,
    pub color: bool,
    /// Problems found while loading rules and lists: reported, and fatal with --strict.
    pub load_problems: Vec<String>,
    /// `--cache`, `--syslog`, `--nice` (see `triage`).
    pub cache: Option<std::sync::Arc<crate::post::cache::Cache>>,
    pub syslog: bool,
    pub nice: bool,
}

/// Compiles the rule set named by the flags. Our own pack failing is fatal.
pub fn compile_rules(args: &RuleSetArgs, timeout: Duration) -> Result<YaraRules> {
    let rules = yara::compile(&RuleOptions {
        builtin: !args.no_builtin,
        user_paths: args.rules.clone(),
        timeout,
    })?;
    Ok(rules)
}

pub fn build_scan(mut args: ScanArgs) -> Result<ScanConfig> {
    if args.triage.nice {
        // Before anything heavy, and before any thread exists: threads inherit it.
        if let Err(e) = crate::scan::platform::lower_priority() {
            eprintln!("minerscan: warning: --nice: {e}");
        }
    }
    if args.triage.processes && args.triage.root.is_some() {
        bail!("--processes cannot be used with --root: an image has no running processes");
    }
    let image = match &args.triage.root {
        Some(dir) => Some(std::sync::Arc::new(
            crate::scan::image::ImageRoot::open(dir)
                .with_context(|| format!("--root {}", dir.display()))?,
        )),
        None => None,
    };
    if image.is_some() && args.paths.is_empty() && args.files_from.is_none() {
        args.paths.push(PathBuf::from("/"));
    }
    let mut roots = Vec::new();
    let mut shown_roots = Vec::new();
    for p in &args.paths {
        if let Some(img) = &image {
            // PATHs name places inside the image.
            let mut in_image = img.parse_user_path(&p.to_string_lossy());
            match img.resolve(&in_image, true) {
                // Windows names are matched without regard to case: report the real spelling.
                Ok(real) if img.is_windows() => in_image = real,
                Ok(_) => {}
                Err(e) => bail!("{} (in --root): {}", p.display(), e),
            }
            shown_roots.push(img.shown(&in_image));
            roots.push(img.host_path(&in_image));
            continue;
        }
        if let Err(e) = std::fs::symlink_metadata(p) {
            bail!("{}: {}", p.display(), e);
        }
        roots.push(p.clone());
    }
    if let Some(list) = &args.files_from {
        let listed =
            read_path_list(list, args.null).with_context(|| format!("--files-from {list}"))?;
        for p in listed {
            match &image {
                Some(img) => {
                    let in_image = img.parse_user_path(&p.to_string_lossy());
                    shown_roots.push(img.shown(&in_image));
                    roots.push(img.host_path(&in_image));
                }
                None => roots.push(p),
            }
        }
    }
    if args.paths.is_empty() && args.files_from.is_none() && !args.triage.processes {
        bail!("no paths to scan: give one or more PATHs, --files-from FILE or --processes");
    }
    // `-o -` is standard output, as users expect.
    args.output = args
        .output
        .filter(|p| p.as_os_str() != "-")
        .as_deref()
        .map(crate::cli::output::expand_output)
        .transpose()?;
    let max_size = parse_size(&args.max_size).map_err(|e| anyhow::anyhow!("--max-size: {e}"))?;
    if max_size == 0 {
        bail!("--max-size: must be larger than zero");
    }
    let excludes = if args.exclude.is_empty() {
        None
    } else {
        let mut b = GlobSetBuilder::new();
        for g in &args.exclude {
            b.add(Glob::new(g).with_context(|| format!("--exclude {g}"))?);
        }
        Some(b.build().context("--exclude")?)
    };
    let threads = match args.threads {
        Some(0) => bail!("--threads: must be at least 1"),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    if args.timeout == 0 {
        bail!("--timeout: must be at least 1 second");
    }

    // Start-up is as long as compiling the rules: the IOC lists are loaded on this thread
    // meanwhile.
    let (rules, iocs, user_network) = std::thread::scope(|scope| {
        let rules =
            scope.spawn(|| compile_rules(&args.rule_set, Duration::from_secs(args.timeout)));
        let iocs = crate::knowledge::ioc_lists::load_all(!args.rule_set.no_builtin, &args.ioc);
        let user_network = iocs.network.clone();
        let rules = rules
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (rules, iocs, user_network)
    });
    let rules = rules?;
    let mut load_problems: Vec<String> = rules.problems.iter().map(|p| p.to_string()).collect();
    load_problems.extend(iocs.problems.iter().cloned());
    let baseline = match &args.baseline {
        Some(path) => Some(std::sync::Arc::new(crate::judge::baseline::Baseline::load(
            path,
        )?)),
        None => None,
    };
    let baseline_digest = baseline.as_ref().map(|b| b.sha256.clone());
    let rule_sets = rules
        .sources
        .iter()
        .map(|s| RuleSetInfo {
            origin: s.origin.clone(),
            sha256: s.sha256.clone(),
            builtin: s.builtin,
        })
        .collect();
    let mut analyzers: Vec<Box<dyn Analyzer>> = registry(YaraAnalyzer::new(rules));
    let digests_needed = iocs.digests_needed();
    let ioc_sources = iocs.sources.clone();
    if !iocs.is_empty() {
        analyzers.push(Box::new(crate::analyze::ioc::IocAnalyzer::new(
            std::sync::Arc::new(iocs),
        )));
    }
    let mut engine = Engine::new(
        analyzers,
        user_network,
        EngineOptions {
            max_size,
            follow: args.follow,
            threads,
            digests_needed,
            root: image.clone(),
            archive: crate::scan::containers::archive::ArchiveLimits {
                depth: args.archive_depth,
                ..Default::default()
            },
            baseline,
            keep_suppressed: args.show_suppressed || args.format == Format::Sarif,
        },
    );
    // The IOC lists are ours: their lines would match themselves.
    for list in &args.ioc {
        if let Ok(md) = std::fs::metadata(list) {
            use std::os::unix::fs::MetadataExt;
            engine.add_own_file(md.dev(), md.ino());
        }
    }

    let mut options = BTreeMap::new();
    options.insert("max_size".to_owned(), json!(max_size));
    options.insert("follow".to_owned(), json!(args.follow));
    options.insert("one_file_system".to_owned(), json!(args.one_file_system));
    options.insert("exclude".to_owned(), json!(args.exclude));
    options.insert("threads".to_owned(), json!(threads));
    options.insert("timeout".to_owned(), json!(args.timeout));
    options.insert("builtin_rules".to_owned(), json!(!args.rule_set.no_builtin));
    if args.triage.processes {
        options.insert("processes".to_owned(), json!(true));
    }
    if let Some(img) = &image {
        options.insert("root".to_owned(), json!(img.host().to_string_lossy()));
        let os = if img.is_windows() { "windows" } else { "unix" };
        options.insert("root_os".to_owned(), json!(os));
    }
    options.insert("ioc_lists".to_owned(), json!(ioc_sources));
    options.insert("archive_depth".to_owned(), json!(args.archive_depth));
    if let (Some(path), Some(b)) = (&args.baseline, &baseline_digest) {
        options.insert("baseline".to_owned(), json!(path.to_string_lossy()));
        // By content: the cache key changes with any edit of the file, whatever its path.
        options.insert("baseline_sha256".to_owned(), json!(b));
    }
    options.insert(
        "fail_on".to_owned(),
        json!(format!("{:?}", args.fail_on).to_ascii_lowercase()),
    );
    let info = ScanInfo {
        tool: ToolInfo::current(),
        roots: if image.is_some() {
            shown_roots
        } else {
            roots
                .iter()
                .map(|r| r.to_string_lossy().into_owned())
                .collect()
        },
        started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        options,
        rule_sets,
        load_problems: load_problems.clone(),
    };

    let (cache, output) = open_outputs(&args, &info, &mut engine)?;

    let stderr_tty = std::io::stderr().is_terminal();
    let stdout_tty = args.output.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Never => false,
        ColorChoice::Always => !no_color,
        ColorChoice::Auto => stdout_tty && !no_color,
    };
    Ok(ScanConfig {
        engine,
        plan: ScanPlan {
            roots,
            walk: WalkOptions {
                follow: args.follow,
                one_file_system: args.one_file_system,
                excludes,
                root: image,
            },
            processes: args.triage.processes,
        },
        info,
        format: args.format,
        output,
        all: args.all,
        fail_on: args.fail_on,
        strict: args.strict,
        progress: stderr_tty && !args.quiet,
        color,
        load_problems,
        cache,
        syslog: args.triage.syslog,
        nice: args.triage.nice,
    })
}

/// Opens what the scan writes, the cache first (a refused cache must not have emptied the
/// report file already), and marks them, and standard output when it is a file, as the run's
/// own files, never scanned: they are full of matched strings.
fn open_outputs(
    args: &ScanArgs,
    info: &ScanInfo,
    engine: &mut Engine,
) -> Result<(
    Option<std::sync::Arc<crate::post::cache::Cache>>,
    Option<std::fs::File>,
)> {
    let cache = match &args.triage.cache {
        Some(path) => {
            let cache =
                crate::post::cache::Cache::open(path, &crate::post::cache::config_key(info))?;
            if let Some(why) = &cache.rebuilt {
                eprintln!("minerscan: --cache {}: rebuilt: {why}", path.display());
            }
            engine.add_own_file(cache.identity.0, cache.identity.1);
            let cache = std::sync::Arc::new(cache);
            engine.set_cache(cache.clone());
            Some(cache)
        }
        None => None,
    };

    let output = match &args.output {
        Some(out) => {
            let file = crate::scan::platform::open_output(out)
                .with_context(|| format!("-o {}", out.display()))?;
            use std::os::unix::fs::MetadataExt;
            let md = file
                .metadata()
                .with_context(|| format!("-o {}", out.display()))?;
            engine.add_own_file(md.dev(), md.ino());
            Some(file)
        }
        None => None,
    };
    if let Some((dev, ino)) = crate::scan::platform::stdout_file_identity() {
        engine.add_own_file(dev, ino);
    }

    Ok((cache, output))
}

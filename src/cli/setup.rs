//! Turns raw flags into finished objects: the compiled rules, the analyzers, the engine, the
//! walk plan and the chosen reporter. Nothing after this sees raw flags.

use crate::analyze::yara::{self, RuleOptions, YaraAnalyzer, YaraRules};
use crate::analyze::{registry, Analyzer};
use crate::cli::args::{ColorChoice, FailOn, Format, RuleSetArgs, ScanArgs};
use crate::judge::baseline::Baseline;
use crate::knowledge::ioc_lists::IocDb;
use crate::outcome::options::ScanOptions;
use crate::outcome::{RuleSetInfo, ScanInfo, ToolInfo};
use crate::post::cache::Cache;
use crate::scan::engine::{Engine, EngineOptions, ScanPlan};
use crate::scan::image::ImageRoot;
use crate::scan::walk::{read_path_list, WalkOptions};
use anyhow::{bail, Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
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
    /// `--cache`, `--syslog` (see `post`). `--nice` is applied while the scan is built.
    pub cache: Option<Arc<Cache>>,
    pub syslog: bool,
}

/// Compiles the rule set named by the flags. Our own pack failing is fatal.
pub fn compile_rules(args: &RuleSetArgs, timeout: Duration) -> Result<YaraRules> {
    let rules = yara::compile(&RuleOptions {
        builtin: !args.no_builtin,
        user_paths: args.rules.clone(),
        timeout,
        cache: (!args.no_rules_cache)
            .then(yara::default_cache_dir)
            .flatten(),
    })?;
    Ok(rules)
}

/// Turns the scan flags into a finished setup, in the order that fails cheapest first: where
/// to look, then the knowledge to look with (the slow part), then the engine and the outputs.
pub fn build_scan(args: ScanArgs) -> Result<ScanConfig> {
    if args.triage.nice {
        // Before anything heavy, and before any thread exists: threads inherit it.
        if let Err(e) = crate::scan::platform::lower_priority() {
            eprintln!("minerscan: warning: --nice: {e}");
        }
    }
    let roots = resolve_roots(&args)?;
    let output_path = output_path(&args)?;
    let excludes = exclude_set(&args.exclude)?;
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let knowledge = load_knowledge(&args)?;
    let options = scan_options(&args, threads, roots.image.as_deref(), &knowledge);
    let info = ScanInfo {
        tool: ToolInfo::current(),
        roots: roots.shown.clone(),
        started: humantime::format_rfc3339_seconds(SystemTime::now()).to_string(),
        options,
        rule_sets: knowledge.rule_sets.clone(),
        load_problems: knowledge.problems.clone(),
    };
    let load_problems = knowledge.problems.clone();
    let mut engine = build_engine(&args, threads, roots.image.clone(), knowledge);
    let (cache, output) = open_outputs(&args, output_path.as_deref(), &info, &mut engine)?;

    let stderr_tty = std::io::stderr().is_terminal();
    let stdout_tty = output_path.is_none() && std::io::stdout().is_terminal();
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = match args.color {
        ColorChoice::Never => false,
        ColorChoice::Always => !no_color,
        ColorChoice::Auto => stdout_tty && !no_color,
    };
    Ok(ScanConfig {
        engine,
        plan: ScanPlan {
            roots: roots.disk,
            walk: WalkOptions {
                follow: args.follow,
                one_file_system: args.one_file_system,
                excludes,
                root: roots.image,
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
    })
}

/// Where the scan looks: the paths to walk on this host, and the same paths as the report
/// shows them (inside the image, with `--root`).
struct Roots {
    image: Option<Arc<ImageRoot>>,
    disk: Vec<PathBuf>,
    shown: Vec<String>,
}

/// Step 1, root resolution: opens the image of `--root` and turns the PATHs and the
/// `--files-from` list into paths to walk. Done first because a missing path is the cheapest
/// mistake to report.
fn resolve_roots(args: &ScanArgs) -> Result<Roots> {
    if args.triage.processes && args.triage.root.is_some() {
        bail!("--processes cannot be used with --root: an image has no running processes");
    }
    let image = match &args.triage.root {
        Some(dir) => Some(Arc::new(
            ImageRoot::open(dir).with_context(|| format!("--root {}", dir.display()))?,
        )),
        None => None,
    };
    let mut paths = args.paths.clone();
    if image.is_some() && paths.is_empty() && args.files_from.is_none() {
        // An image is scanned whole unless told otherwise.
        paths.push(PathBuf::from("/"));
    }
    if paths.is_empty() && args.files_from.is_none() && !args.triage.processes {
        bail!("no paths to scan: give one or more PATHs, --files-from FILE or --processes");
    }
    let mut roots = Roots {
        image,
        disk: Vec::new(),
        shown: Vec::new(),
    };
    for p in &paths {
        // A PATH named on the command line must exist; listed paths are reported when walked.
        roots.push(p, true)?;
    }
    if let Some(list) = &args.files_from {
        let listed =
            read_path_list(list, args.null).with_context(|| format!("--files-from {list}"))?;
        for p in &listed {
            roots.push(p, false)?;
        }
    }
    Ok(roots)
}

impl Roots {
    /// Adds one path; `check` makes a path that does not exist a fatal error.
    fn push(&mut self, p: &Path, check: bool) -> Result<()> {
        let Some(img) = &self.image else {
            if check {
                if let Err(e) = std::fs::symlink_metadata(p) {
                    bail!("{}: {}", p.display(), e);
                }
            }
            self.shown.push(p.to_string_lossy().into_owned());
            self.disk.push(p.to_path_buf());
            return Ok(());
        };
        // PATHs name places inside the image.
        let mut in_image = img.parse_user_path(&p.to_string_lossy());
        if check {
            match img.resolve(&in_image, true) {
                // Windows names are matched without regard to case: report the real spelling.
                Ok(real) if img.is_windows() => in_image = real,
                Ok(_) => {}
                Err(e) => bail!("{} (in --root): {}", p.display(), e),
            }
        }
        self.shown.push(img.shown(&in_image));
        self.disk.push(img.host_path(&in_image));
        Ok(())
    }
}

/// `-o FILE` with its date pattern expanded; `-o -` is standard output, as users expect.
fn output_path(args: &ScanArgs) -> Result<Option<PathBuf>> {
    args.output
        .as_deref()
        .filter(|p| p.as_os_str() != "-")
        .map(crate::cli::output::expand_output)
        .transpose()
}

/// The `--exclude` globs as one matcher (each was checked by its value parser).
fn exclude_set(globs: &[Glob]) -> Result<Option<GlobSet>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(g.clone());
    }
    Ok(Some(b.build().context("--exclude")?))
}

/// What the scan knows before it reads a file: the compiled rules, the IOC lists (their network
/// indicators also go into the shared matcher the engine builds) and the baseline, with the
/// problems met loading them.
struct Knowledge {
    rules: YaraRules,
    rule_sets: Vec<RuleSetInfo>,
    iocs: IocDb,
    user_network: Vec<crate::knowledge::indicators::Pattern>,
    baseline: Option<Arc<Baseline>>,
    problems: Vec<String>,
}

/// Step 2, loading the knowledge. Start-up is as long as compiling the rules: the IOC lists are
/// loaded on this thread meanwhile.
fn load_knowledge(args: &ScanArgs) -> Result<Knowledge> {
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
    let mut problems: Vec<String> = rules.problems.iter().map(|p| p.to_string()).collect();
    problems.extend(iocs.problems.iter().cloned());
    let baseline = match &args.baseline {
        Some(path) => Some(Arc::new(Baseline::load(path)?)),
        None => None,
    };
    let rule_sets = rules
        .sources
        .iter()
        .map(|s| RuleSetInfo {
            origin: s.origin.clone(),
            sha256: s.sha256.clone(),
            builtin: s.builtin,
        })
        .collect();
    Ok(Knowledge {
        rules,
        rule_sets,
        iocs,
        user_network,
        baseline,
        problems,
    })
}

/// `scan.options`, which is also what the result cache is keyed on.
fn scan_options(
    args: &ScanArgs,
    threads: usize,
    image: Option<&ImageRoot>,
    knowledge: &Knowledge,
) -> ScanOptions {
    let baseline = args.baseline.as_ref().zip(knowledge.baseline.as_ref());
    ScanOptions {
        archive_depth: args.archive_depth,
        baseline: baseline.map(|(path, _)| path.to_string_lossy().into_owned()),
        baseline_sha256: baseline.map(|(_, b)| b.sha256.clone()),
        builtin_rules: !args.rule_set.no_builtin,
        exclude: args.exclude.iter().map(|g| g.glob().to_owned()).collect(),
        fail_on: format!("{:?}", args.fail_on).to_ascii_lowercase(),
        follow: args.follow,
        ioc_lists: knowledge.iocs.sources.clone(),
        max_size: args.max_size,
        one_file_system: args.one_file_system,
        processes: args.triage.processes,
        root: image.map(|img| img.host().to_string_lossy().into_owned()),
        root_os: image.map(|img| if img.is_windows() { "windows" } else { "unix" }),
        threads,
        timeout: args.timeout,
    }
}

/// Step 3, the engine builder: the analyzers over the knowledge, and the engine's limits.
fn build_engine(
    args: &ScanArgs,
    threads: usize,
    image: Option<Arc<ImageRoot>>,
    knowledge: Knowledge,
) -> Engine {
    let Knowledge {
        rules,
        iocs,
        user_network,
        baseline,
        ..
    } = knowledge;
    let mut analyzers: Vec<Box<dyn Analyzer>> =
        registry(YaraAnalyzer::new(rules).in_image(image.clone()));
    let digests_needed = iocs.digests_needed();
    if !iocs.is_empty() {
        analyzers.push(Box::new(crate::analyze::ioc::IocAnalyzer::new(Arc::new(
            iocs,
        ))));
    }
    let mut engine = Engine::new(
        analyzers,
        user_network,
        EngineOptions {
            max_size: args.max_size,
            follow: args.follow,
            threads,
            digests_needed,
            root: image,
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
    engine
}

/// Step 4, output opening: opens what the scan writes, the cache first (a refused cache must not have emptied the
/// report file already), and marks them, and standard output when it is a file, as the run's
/// own files, never scanned: they are full of matched strings.
fn open_outputs(
    args: &ScanArgs,
    output: Option<&Path>,
    info: &ScanInfo,
    engine: &mut Engine,
) -> Result<(Option<Arc<Cache>>, Option<std::fs::File>)> {
    let cache = match &args.triage.cache {
        Some(path) => {
            let key = info.options.cache_key(&info.tool, &info.rule_sets);
            let cache = Cache::open(path, &key)?;
            if let Some(why) = &cache.rebuilt {
                eprintln!("minerscan: --cache {}: rebuilt: {why}", path.display());
            }
            engine.add_own_file(cache.identity.0, cache.identity.1);
            let cache = Arc::new(cache);
            engine.set_cache(cache.clone());
            Some(cache)
        }
        None => None,
    };

    let output = match output {
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

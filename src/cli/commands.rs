//! The subcommands: parse flags, build the finished configuration, run, and map the outcome
//! to an exit code. 0: nothing reached --fail-on; 1: something did; 2: usage or fatal
//! error, or any reported problem with --strict; 130: interrupted.

use crate::cli::args::{BaselineCommand, Cli, Command, Format, RulesCommand};
use crate::cli::setup::{self, ScanConfig};
use crate::outcome::FileReport;
use crate::post::chains::Accepted;
use crate::report::json::JsonReporter;
use crate::report::ndjson::NdjsonReporter;
use crate::report::sarif::SarifReporter;
use crate::report::text::{human_bytes, TextReporter};
use crate::report::{escape_for_terminal, Reporter};
use crate::scan::writer::Progress;
use crate::Level;
use anyhow::Result;
use clap::Parser;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

const EXIT_CLEAN: u8 = 0;
const EXIT_FOUND: u8 = 1;
const EXIT_ERROR: u8 = 2;
const EXIT_INTERRUPTED: u8 = 130;

/// The whole program behind `main`: the flags in, the exit code out.
pub fn run() -> ExitCode {
    // Worker threads run analyzers behind catch_unwind and report a panic as an error for that
    // file; only panics elsewhere are printed.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let worker = std::thread::current()
            .name()
            .is_some_and(|n| n.starts_with("minerscan-worker"));
        if !worker {
            default_hook(info);
        }
    }));
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Scan(args) => setup::build_scan(args).and_then(scan),
        Command::Rules(RulesCommand::List(args)) => rules_list(&args),
        Command::Rules(RulesCommand::Check { paths }) => rules_check(paths),
        Command::Baseline(BaselineCommand::Create { report, output }) => {
            baseline_create(&report, output.as_deref())
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("minerscan: {}", one_line(&e));
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn one_line(e: &anyhow::Error) -> String {
    let parts: Vec<String> = e.chain().map(|c| c.to_string()).collect();
    parts.join(": ").replace('\n', " ")
}

/// A progress line on stderr, only on a terminal.
struct ProgressLine {
    bar: indicatif::ProgressBar,
    files: AtomicU64,
    bytes: AtomicU64,
    started: std::time::Instant,
}

impl Progress for ProgressLine {
    fn file_done(&self, report: &FileReport, bytes: u64) {
        let files = self.files.fetch_add(1, Ordering::Relaxed) + 1;
        let total = self.bytes.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if files % 32 == 1 {
            let secs = self.started.elapsed().as_secs_f64().max(0.001);
            self.bar.set_message(format!(
                "{files} files, {} ({}/s) {}",
                human_bytes(total),
                human_bytes((total as f64 / secs) as u64),
                escape_for_terminal(&report.path)
            ));
        }
    }
}

fn scan(mut cfg: ScanConfig) -> Result<u8> {
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        // First Ctrl-C: stop the walk and write what was found; a second one: leave at once.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(EXIT_INTERRUPTED));
            }
        });
    }
    for p in &cfg.load_problems {
        if cfg.format != Format::Text || cfg.output.is_some() {
            eprintln!("minerscan: warning: {p}");
        }
    }
    let sink: Box<dyn Write> = match cfg.output.take() {
        Some(file) => Box::new(file),
        None => Box::new(io::stdout().lock()),
    };
    let sink = BufWriter::with_capacity(1 << 16, sink);
    let mut reporter: Box<dyn Reporter> = match cfg.format {
        Format::Text => Box::new(TextReporter::new(sink, cfg.all, cfg.color)),
        Format::Json => Box::new(JsonReporter::new(sink, cfg.all)),
        Format::Ndjson => Box::new(NdjsonReporter::new(sink, cfg.all)),
        Format::Csv => Box::new(crate::report::csv::CsvReporter::new(sink, cfg.all)),
        Format::Sarif => Box::new(SarifReporter::new(sink)),
    };
    // Around the writer: cross-file summary, persistence links, cache, syslog.
    let accepted = (cfg.engine.baseline()).map(|(baseline, keep)| Accepted { baseline, keep });
    let stages = crate::post::Stages::for_scan(
        cfg.cache.clone(),
        cfg.syslog,
        cfg.plan.walk.root.clone(),
        accepted,
        &cfg.plan.roots,
    );
    let progress = cfg.progress.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(200));
        ProgressLine {
            bar,
            files: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            started: std::time::Instant::now(),
        }
    });
    let outcome = cfg.engine.run(
        &cfg.plan,
        &cfg.info,
        reporter.as_mut(),
        stages,
        progress.as_ref().map(|p| p as &dyn Progress),
        &stop,
    );
    if let Some(p) = &progress {
        p.bar.finish_and_clear();
    }
    let summary = match outcome {
        Ok(s) => s,
        // The reader went away (`| head`, `| true`): the report was not delivered, so this is
        // no success (a pipeline with pipefail must not read it as clean), and there is no one
        // left to tell.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(EXIT_ERROR),
        Err(e) => return Err(anyhow::Error::new(e).context("writing the report")),
    };
    if summary.interrupted {
        return Ok(EXIT_INTERRUPTED);
    }
    // A file not fully judged is a reported problem: --strict does not pass it as complete.
    if cfg.strict && (summary.errors > 0 || summary.incomplete > 0 || !cfg.load_problems.is_empty())
    {
        return Ok(EXIT_ERROR);
    }
    let count = |l: Level| summary.verdicts.get(l.as_str()).copied().unwrap_or(0);
    let reached = match cfg.fail_on.level() {
        None => false,
        Some(Level::Malicious) => count(Level::Malicious) > 0,
        Some(_) => count(Level::Malicious) + count(Level::Suspicious) > 0,
    };
    Ok(if reached { EXIT_FOUND } else { EXIT_CLEAN })
}

fn rules_list(args: &crate::cli::args::RuleSetArgs) -> Result<u8> {
    let rules = setup::compile_rules(args, Duration::from_secs(10))?;
    let mut out = BufWriter::new(io::stdout().lock());
    for p in &rules.problems {
        eprintln!("minerscan: warning: {p}");
    }
    for r in rules.list() {
        let meta: Vec<String> = r.meta.iter().map(|(k, v)| format!("{k}={v:?}")).collect();
        let line = format!(
            "{}:{} [{}] {}",
            r.namespace,
            r.identifier,
            r.tags.join(","),
            meta.join(" ")
        );
        if writeln!(out, "{line}").is_err() {
            return Ok(EXIT_ERROR);
        }
    }
    let done = writeln!(
        out,
        "{} rules from {} sources, compiled in {} ms",
        rules.rule_count(),
        rules.sources.len(),
        rules.compile_time.as_millis()
    )
    .and_then(|()| out.flush());
    Ok(if done.is_ok() { EXIT_CLEAN } else { EXIT_ERROR })
}

fn rules_check(paths: Vec<std::path::PathBuf>) -> Result<u8> {
    let args = crate::cli::args::RuleSetArgs {
        rules: paths,
        no_builtin: true,
        no_rules_cache: true,
    };
    let rules = setup::compile_rules(&args, Duration::from_secs(10))?;
    for p in &rules.problems {
        println!("{p}");
    }
    for w in &rules.warnings {
        println!("warning: {w}");
    }
    println!(
        "{} rules compiled from {} files, {} problems",
        rules.rule_count(),
        rules.sources.len(),
        rules.problems.len()
    );
    Ok(if rules.problems.is_empty() {
        EXIT_CLEAN
    } else {
        EXIT_ERROR
    })
}

fn baseline_create(report: &std::path::Path, output: Option<&std::path::Path>) -> Result<u8> {
    use anyhow::Context;
    let text = std::fs::read_to_string(report).with_context(|| report.display().to_string())?;
    let doc: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{}: not a JSON report", report.display()))?;
    let baseline = crate::judge::baseline::create_from_report(&doc, &report.display().to_string())?;
    match output.filter(|p| p.as_os_str() != "-") {
        Some(path) => crate::scan::platform::open_output(path)
            .and_then(|mut f| f.write_all(baseline.as_bytes()))
            .with_context(|| format!("-o {}", path.display()))?,
        None => {
            let mut out = io::stdout().lock();
            if out.write_all(baseline.as_bytes()).is_err() {
                return Ok(EXIT_ERROR);
            }
        }
    }
    Ok(EXIT_CLEAN)
}

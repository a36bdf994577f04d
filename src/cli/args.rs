//! The command line, as clap derive structs with their help text, and the value parsers that
//! turn each flag's text into a checked value (so that a bad value is a usage error naming the
//! flag, before anything is loaded). `setup` turns the parsed flags into finished objects.

use crate::judge::verdict::Level;
use clap::{Args, Parser, Subcommand, ValueEnum};
use globset::Glob;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "minerscan",
    version,
    about = "Finds cryptocurrency-miner malware (cryptojacking) in files on disk",
    long_about = "Finds cryptocurrency-miner malware in files on disk: miner binaries, miner \
configurations, dropper and persistence scripts, browser miners, known-bad hashes and whatever \
your own YARA rules match. It never changes, runs or moves what it scans.\n\nExit codes: 0 no file \
reached the --fail-on level; 1 one did; 2 usage or fatal error (or, with --strict, any reported \
problem); 130 interrupted."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run: the size of the scan variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Scan files and directory trees.
    Scan(ScanArgs),
    /// Inspect rule sets.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Manage baselines of accepted findings.
    #[command(subcommand)]
    Baseline(BaselineCommand),
}

#[derive(Subcommand, Debug)]
pub enum BaselineCommand {
    /// Write a baseline accepting every finding of a scan's JSON report (review it before use).
    Create {
        /// A report written by `minerscan scan --format json`.
        report: PathBuf,
        /// Write the baseline to FILE instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// Print the rules in use with their metadata.
    List(RuleSetArgs),
    /// Compile rule files and report problems without scanning (exit 2 on any problem).
    Check {
        /// Rule files or directories of .yar/.yara files.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
}

#[derive(Args, Debug, Clone)]
pub struct RuleSetArgs {
    /// Add YARA rules: a file, or a directory searched recursively for .yar/.yara (repeatable).
    #[arg(long = "rules", value_name = "PATH")]
    pub rules: Vec<PathBuf>,
    /// Leave the built-in signature pack out.
    #[arg(long)]
    pub no_builtin: bool,
    /// Compile the rules afresh instead of loading them compiled from the rules cache
    /// ($XDG_CACHE_HOME/minerscan/rules, else ~/.cache/minerscan/rules), and store nothing.
    #[arg(long)]
    pub no_rules_cache: bool,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Ndjson,
    /// One row per listed file: a flat table for spreadsheets and timeline tools.
    Csv,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF consumers.
    Sarif,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Suspicious,
    Malicious,
    Never,
}

impl FailOn {
    pub fn level(self) -> Option<Level> {
        match self {
            FailOn::Suspicious => Some(Level::Suspicious),
            FailOn::Malicious => Some(Level::Malicious),
            FailOn::Never => None,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct ScanArgs {
    /// Files and directories to scan, in this order.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Read more paths from FILE, one per line ('-' for standard input).
    #[arg(long, value_name = "FILE")]
    pub files_from: Option<String>,
    /// Paths in --files-from are NUL-separated (as `find -print0` writes them).
    #[arg(short = '0', long = "null", requires = "files_from")]
    pub null: bool,

    /// Follow symbolic links (loops are detected and reported).
    #[arg(long)]
    pub follow: bool,
    /// Stay on each root's filesystem.
    #[arg(long)]
    pub one_file_system: bool,
    /// Skip paths matching GLOB; an excluded directory is not descended (repeatable).
    #[arg(long, value_name = "GLOB", value_parser = parse_glob)]
    pub exclude: Vec<Glob>,
    /// Files larger than SIZE are not analyzed whole: only their header is sniffed
    /// (and they are hashed by streaming when hash lists are loaded). IEC units: 64MiB, 1GiB.
    #[arg(long, value_name = "SIZE", default_value = "128MiB", value_parser = parse_max_size)]
    pub max_size: u64,

    #[command(flatten)]
    pub rule_set: RuleSetArgs,
    /// Load a hash, network or path IOC list (repeatable): hashes one per line, `hash;description`,
    /// Loki's `hash;score;description` and `REGEX;SCORE`, or CSV exports with a header row.
    #[arg(long = "ioc", value_name = "FILE")]
    pub ioc: Vec<PathBuf>,
    /// How many archive layers to open (zip, jar, tar, tar.gz, gz, .deb); 0 opens none.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub archive_depth: u32,
    /// Suppress the known, accepted findings listed in FILE (TOML; see the README).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// List the findings the baseline suppressed (they are always counted in the summary).
    #[arg(long, requires = "baseline")]
    pub show_suppressed: bool,
    /// Per-file YARA scan timeout in whole seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 10, value_parser = parse_timeout)]
    pub timeout: u64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// List every file, not only flagged ones and problems.
    #[arg(long)]
    pub all: bool,
    /// The verdict level that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Suspicious)]
    pub fail_on: FailOn,
    /// Any reported problem (unreadable file, broken user rule) makes the exit code 2.
    #[arg(long)]
    pub strict: bool,

    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// No progress line.
    #[arg(short, long)]
    pub quiet: bool,
    /// Colour in text output (never when NO_COLOR is set).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    #[command(flatten)]
    pub triage: TriageArgs,
}

/// Mounted-image triage and scheduled scans.
#[derive(Args, Debug, Clone, Default)]
pub struct TriageArgs {
    /// Scan DIR as the root filesystem of another machine (a mounted image): PATHs are read
    /// inside it (default /), paths are reported as that machine saw them, and links resolve
    /// inside DIR. A Windows image (with Windows/System32) is reported as C:\...
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Also scan the executable of every running process (through /proc/PID/exe, once per
    /// executable), with its pids and command line; a process whose executable was deleted
    /// from disk is flagged. PATHs are optional with it. Not with --root.
    #[arg(long)]
    pub processes: bool,
    /// Keep results in FILE (a database) and do not read again files unchanged since the last
    /// scan with the same rules and options.
    #[arg(long, value_name = "FILE")]
    pub cache: Option<PathBuf>,
    /// Run at the lowest CPU and I/O priority.
    #[arg(long)]
    pub nice: bool,
    /// Also log one line per flagged file and the summary to syslog.
    #[arg(long)]
    pub syslog: bool,
}

/// `--max-size`: a size, and never zero (nothing could be read).
fn parse_max_size(s: &str) -> Result<u64, String> {
    match parse_size(s)? {
        0 => Err("must be larger than zero".to_owned()),
        n => Ok(n),
    }
}

/// `--exclude`: a glob, checked when given.
fn parse_glob(s: &str) -> Result<Glob, String> {
    Glob::new(s).map_err(|e| e.to_string())
}

/// `--threads`: at least one worker.
fn parse_threads(s: &str) -> Result<usize, String> {
    match s.parse::<usize>().map_err(|e| e.to_string())? {
        0 => Err("must be at least 1".to_owned()),
        n => Ok(n),
    }
}

/// `--timeout`: whole seconds, at least one (zero would time every file out).
fn parse_timeout(s: &str) -> Result<u64, String> {
    match s.parse::<u64>().map_err(|e| e.to_string())? {
        0 => Err("must be at least 1 second".to_owned()),
        n => Ok(n),
    }
}

/// Parses sizes such as `64MiB`, `1GiB`, `500k`, `1048576`.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!("invalid size '{s}': expected a number with an optional unit such as 64MiB")
    })?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" | "kb" => 1 << 10,
        "m" | "mib" | "mb" => 1 << 20,
        "g" | "gib" | "gb" => 1 << 30,
        "t" | "tib" | "tb" => 1 << 40,
        other => {
            return Err(format!(
                "invalid size unit '{other}' in '{s}': use KiB, MiB, GiB or TiB"
            ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("size '{s}' is too large"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iec_sizes() {
        assert_eq!(parse_size("64MiB"), Ok(64 << 20));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("4096"), Ok(4096));
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("MiB").is_err());
    }
}

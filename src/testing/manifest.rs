//! The one manifest format of every fixture family (fixtures/README.md): a TSV of
//! `PATH, VERDICT, MUST_FIRE, MUST_NOT_FIRE, FAMILY, LABELS...`, read the same way by the unit
//! tests (config, script), the integration tests (the YARA pack) and fixtures/coverage/measure.py.
//! A malformed row stops the test at `file:line`, so that a typo cannot silently drop a check.

use globset::{Glob, GlobMatcher};
use std::path::{Path, PathBuf};

/// The fixtures folder of this checkout.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// A rule a file must fire: `analyzer:rule`, optionally `=class` (the class it must end with).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MustFire {
    pub analyzer: String,
    pub rule: String,
    pub class: Option<String>,
}

impl MustFire {
    /// `analyzer:rule` without the class.
    pub fn id(&self) -> String {
        format!("{}:{}", self.analyzer, self.rule)
    }
}

/// One row.
pub struct Row {
    /// Relative to fixtures/.
    pub path: String,
    /// `None` where the family's test does not judge whole files (`-`).
    pub verdict: Option<String>,
    pub must_fire: Vec<MustFire>,
    /// Globs over `analyzer:rule`.
    pub must_not_fire: Vec<GlobMatcher>,
    /// The families accepted (`a|b`); empty when none is expected.
    pub families: Vec<String>,
    pub labels: Vec<String>,
    /// `manifest:line`, for messages.
    pub at: String,
}

impl Row {
    pub fn file(&self) -> PathBuf {
        fixtures().join(&self.path)
    }

    /// Whether `id` (`analyzer:rule`) is one this file must not fire.
    pub fn forbids(&self, id: &str) -> bool {
        self.must_not_fire.iter().any(|g| g.is_match(id))
    }
}

const VERDICTS: [&str; 3] = ["clean", "suspicious", "malicious"];

/// Reads `fixtures/NAME/manifest.tsv`; panics at the first malformed row with its line.
pub fn read(family: &str) -> Vec<Row> {
    let file = fixtures().join(family).join("manifest.tsv");
    let text = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    let rows =
        parse(&text, &format!("fixtures/{family}/manifest.tsv")).unwrap_or_else(|e| panic!("{e}"));
    assert!(!rows.is_empty(), "{}: no rows", file.display());
    rows
}

/// Parses a manifest's text; `name` prefixes messages.
pub fn parse(text: &str, name: &str) -> Result<Vec<Row>, String> {
    let mut rows = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let at = format!("{name}:{}", n + 1);
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 5 {
            return Err(format!(
                "{at}: expected PATH, VERDICT, MUST_FIRE, MUST_NOT_FIRE, FAMILY separated by tabs"
            ));
        }
        let verdict = match cols[1] {
            "-" => None,
            v if VERDICTS.contains(&v) => Some(v.to_owned()),
            v => return Err(format!("{at}: unknown verdict {v:?}")),
        };
        let must_fire = list(cols[2])
            .map(|id| must_fire(id).ok_or_else(|| format!("{at}: {id:?} is not analyzer:rule")))
            .collect::<Result<Vec<_>, _>>()?;
        let must_not_fire = list(cols[3])
            .map(|g| {
                if !g.contains(':') {
                    return Err(format!("{at}: {g:?} is not analyzer:rule"));
                }
                Glob::new(g)
                    .map(|g| g.compile_matcher())
                    .map_err(|e| format!("{at}: {g:?}: {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let families = match cols[4] {
            "-" => Vec::new(),
            f => f.split('|').map(str::to_owned).collect(),
        };
        rows.push(Row {
            path: cols[0].to_owned(),
            verdict,
            must_fire,
            must_not_fire,
            families,
            labels: cols[5..].iter().map(|s| (*s).to_owned()).collect(),
            at,
        });
    }
    Ok(rows)
}

/// A comma-separated list, `-` for none.
fn list(col: &str) -> impl Iterator<Item = &str> {
    col.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "-")
}

fn must_fire(id: &str) -> Option<MustFire> {
    let (id, class) = match id.split_once('=') {
        Some((id, c)) => (id, Some(c.to_owned())),
        None => (id, None),
    };
    let (analyzer, rule) = id.split_once(':')?;
    (!analyzer.is_empty() && !rule.is_empty()).then(|| MustFire {
        analyzer: analyzer.to_owned(),
        rule: rule.to_owned(),
        class,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_every_column() {
        let rows = parse(
            "# comment\nscript/a.sh\tmalicious\tscript:x=miner,config:y\tyara:Z_*\txmrig|xmr-stak\tkind\n\
             yara/b\t-\t-\t-\t-\n",
            "m",
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        let a = &rows[0];
        assert_eq!(a.verdict.as_deref(), Some("malicious"));
        assert_eq!(a.must_fire.len(), 2);
        assert_eq!(a.must_fire[0].id(), "script:x");
        assert_eq!(a.must_fire[0].class.as_deref(), Some("miner"));
        assert_eq!(a.must_fire[1].class, None);
        assert!(a.forbids("yara:Z_Strings") && !a.forbids("yara:Y"));
        assert_eq!(a.families, ["xmrig", "xmr-stak"]);
        assert_eq!(a.labels, ["kind"]);
        assert_eq!(a.at, "m:2");
        assert!(rows[1].verdict.is_none() && rows[1].must_fire.is_empty());
    }

    #[test]
    fn malformed_rows_name_their_line() {
        for (text, want) in [
            ("a\tclean\t-\t-\n", "m:1: expected"),
            ("a\tbad\t-\t-\t-\n", "m:1: unknown verdict"),
            ("#\na\tclean\tnoanalyzer\t-\t-\n", "m:2: \"noanalyzer\""),
            ("a\tclean\t-\tnocolon\t-\n", "m:1: \"nocolon\""),
        ] {
            let err = parse(text, "m").err().unwrap();
            assert!(err.starts_with(want), "{err}");
        }
    }

    #[test]
    fn every_family_manifest_reads_and_names_existing_files() {
        for family in ["config", "script", "yara", "coverage"] {
            for row in read(family) {
                assert!(row.file().is_file(), "{}: {} is missing", row.at, row.path);
            }
        }
    }
}

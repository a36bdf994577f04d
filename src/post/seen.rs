//! The cross-file indicator summary: which wallets, pools and IOCs were seen in which files
//! (flagged files only; values and files per value capped), for the summary's `indicators`.

use crate::judge::finding::Class;
use crate::outcome::triage::Seen;
use crate::outcome::{FileReport, Summary};
use crate::post::{Disposition, Stage};
use std::collections::BTreeMap;

/// Distinct values kept per indicator kind in the summary.
const MAX_VALUES: usize = 1000;
/// Files listed per value (the rest are counted).
const MAX_FILES_PER_VALUE: usize = 50;

#[derive(Default)]
pub struct SeenIndicators {
    indicators: BTreeMap<String, BTreeMap<String, Seen>>,
    truncated: bool,
}

impl SeenIndicators {
    fn collect(&mut self, r: &FileReport) {
        for f in &r.findings {
            let (kind, value) = match f.fact.as_deref().and_then(|k| k.split_once(':')) {
                Some(("pool", rest)) => ("pool", rest.split(':').next().unwrap_or(rest)),
                Some(("wallet", w)) => ("wallet", w),
                Some((k, v)) if f.class == Class::Ioc => (k, v),
                _ if f.class == Class::Ioc => ("ioc", f.rule.as_str()),
                _ => continue,
            };
            let kind = match kind {
                "pool" | "wallet" => kind.to_owned(),
                other => format!("ioc_{other}").replace("ioc_ioc", "ioc"),
            };
            let values = self.indicators.entry(kind).or_default();
            if !values.contains_key(value) && values.len() >= MAX_VALUES {
                self.truncated = true;
                continue;
            }
            let seen = values.entry(value.to_owned()).or_default();
            if seen.files.last() == Some(&r.path) {
                continue;
            }
            if seen.files.len() < MAX_FILES_PER_VALUE {
                seen.files.push(r.path.clone());
            } else {
                seen.more_files += 1;
            }
        }
    }
}

impl Stage for SeenIndicators {
    fn file(&mut self, report: &mut FileReport) -> Disposition {
        if report.flagged() {
            self.collect(report);
        }
        Disposition::Pass
    }

    fn finish(&mut self, summary: &mut Summary) {
        let triage = summary.triage.get_or_insert_default();
        triage.indicators = std::mem::take(&mut self.indicators);
        triage.indicators_truncated = self.truncated;
    }
}

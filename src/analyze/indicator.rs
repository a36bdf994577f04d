//! Miner facts in any file, from the shared indicator matcher: stratum URLs, the stratum
//! protocol's method names, known pool endpoints, miner-only options and algorithm tables.
//! Facts quoted as data (in a rule set's literals, a blocklist's entries: see `quoting`) are
//! `info`; the same fact anywhere else in the file counts.

use super::{Analyzer, AnalyzerError, AnalyzerWorker};
use crate::analyze::id::AnalyzerId;
use crate::judge::finding::{Class, Evidence, Finding};
use crate::knowledge::indicators::{pool_fact, stratum_urls, IndicatorKind};
use crate::scan::context::FileContext;
use crate::scan::kind::FileKind;
use std::collections::{BTreeMap, BTreeSet};

pub struct IndicatorAnalyzer;

const ID: AnalyzerId = AnalyzerId::Indicators;
const MAX_URLS: usize = 64;

impl Analyzer for IndicatorAnalyzer {
    fn id(&self) -> AnalyzerId {
        ID
    }
    fn worker(&self) -> Box<dyn AnalyzerWorker + '_> {
        Box::new(IndicatorWorker)
    }
}

struct IndicatorWorker;

impl AnalyzerWorker for IndicatorWorker {
    fn applies(&self, kind: FileKind) -> bool {
        // Compressed data cannot hold readable facts; the archive analyzer hands us members.
        !matches!(
            kind,
            FileKind::Empty | FileKind::Gzip | FileKind::Xz | FileKind::Bzip2 | FileKind::ChiaPlot
        )
    }

    fn analyze(&mut self, ctx: &FileContext, out: &mut Vec<Finding>) -> Result<(), AnalyzerError> {
        let hits = ctx.indicator_hits();
        if hits.is_empty() {
            return Ok(());
        }
        let by_kind = facts_by_kind(ctx);
        let facts = |k: IndicatorKind| by_kind.get(&k);
        let url_hosts = match facts(IndicatorKind::StratumScheme) {
            Some(schemes) if !schemes.is_empty() => stratum_url_findings(ctx, out),
            _ => BTreeSet::new(),
        };
        if let Some(hosts) = facts(IndicatorKind::PoolHost) {
            pool_host_findings(ctx, hosts, &url_hosts, out);
        }
        if let Some(methods) = facts(IndicatorKind::StratumMethod) {
            out.extend(stratum_protocol_finding(methods));
        }
        if let Some(options) = facts(IndicatorKind::MinerOption) {
            out.push(miner_options_finding(options));
        }
        if let Some(algos) = facts(IndicatorKind::Algorithm) {
            out.extend(algorithm_table_finding(ctx, algos));
        }
        if let Some(names) = facts(IndicatorKind::MinerName) {
            out.push(miner_name_finding(names));
        }
        Ok(())
    }
}

/// A fact counts with its class where it is live; quoted as data it is only information.
fn strong(class: Class, live: bool) -> Class {
    if live {
        class
    } else {
        Class::Info
    }
}

/// What a description adds when the fact was only seen quoted as data.
fn note(live: bool) -> &'static str {
    if live {
        ""
    } else {
        " (quoted as data)"
    }
}

/// Stratum URLs, a miner's connection string: one finding per URL, live occurrences first.
/// Returns the URLs' hosts, so that the same pool is not reported again as a bare host.
fn stratum_url_findings(ctx: &FileContext, out: &mut Vec<Finding>) -> BTreeSet<String> {
    let mut url_hosts = BTreeSet::new();
    let mut urls: Vec<_> = stratum_urls(ctx.bytes, MAX_URLS)
        .into_iter()
        .map(|u| (!ctx.fact_quoted_at(u.offset), u))
        .collect();
    urls.sort_by(|a, b| a.1.url.cmp(&b.1.url).then(b.0.cmp(&a.0)));
    urls.dedup_by(|a, b| a.1.url == b.1.url);
    for (live, url) in urls {
        url_hosts.insert(url.host.clone());
        let mut f = Finding::new(
            ID,
            "stratum_url",
            strong(Class::Miner, live),
            60,
            format!("mining pool URL {}{}", url.url, note(live)),
        )
        .fact(pool_fact(&url.host, url.port))
        .with_evidence(Evidence::bytes(url.offset as u64, url.url.as_bytes()));
        if let Some(pool) = ctx.indicators.pool_for_host(&url.host) {
            f.push_evidence(Evidence::text(format!("known public pool {pool}")));
        }
        out.push(f);
    }
    url_hosts
}

/// Known pool hosts outside stratum URLs: a connection endpoint when a port follows, a
/// program's target when compiled in, otherwise a mention.
fn pool_host_findings(
    ctx: &FileContext,
    hosts: &Facts,
    url_hosts: &BTreeSet<String>,
    out: &mut Vec<Finding>,
) {
    for (pool, fact) in hosts {
        let (offset, live) = (&fact.offset, fact.live);
        if url_hosts
            .iter()
            .any(|h| h == pool || h.ends_with(&format!(".{pool}")))
        {
            continue;
        }
        // The host as written (`eth-eu1.nanopool.org`), so that the merge key matches
        // what other analyzers report for the same endpoint.
        let (start, host) = full_host(ctx.bytes, *offset, pool);
        let host = &host;
        let offset = &start;
        let port = port_after(ctx.bytes, *offset + host.len());
        let (class, score, what) = match port {
            Some(_) => (strong(Class::Miner, live), 55, "mining pool endpoint"),
            None if ctx.kind.is_executable_format() => (
                strong(Class::Miner, live),
                45,
                "mining pool host in a program",
            ),
            None => (Class::Info, 10, "mentions mining pool"),
        };
        let shown = match port {
            Some(p) => format!("{host}:{p}"),
            None => host.clone(),
        };
        out.push(
            Finding::new(
                ID,
                "pool_host",
                class,
                score,
                format!("{what} {shown}{}", note(live)),
            )
            .fact(pool_fact(host, port))
            .with_evidence(Evidence::bytes(*offset as u64, shown.as_bytes())),
        );
    }
}

/// The stratum protocol spoken: several of its method names together. Only the pool-side
/// names count: geth's own RPC has eth_submitWork and friends.
fn stratum_protocol_finding(methods: &Facts) -> Option<Finding> {
    let pool_methods = methods
        .keys()
        .filter(|m| m.starts_with("mining.") || m.as_str() == "eth_submitlogin")
        .count();
    if pool_methods < 2 {
        return None;
    }
    let live = methods.values().any(|f| f.live);
    let f = Finding::new(
        ID,
        "stratum_protocol",
        strong(Class::Miner, live),
        50,
        format!(
            "speaks the stratum mining protocol ({} methods){}",
            methods.len(),
            note(live)
        ),
    )
    .fact("stratum-protocol");
    Some(with_each_fact(f, methods))
}

/// Options that only miners have: two of them, both outside quoted data, make a miner.
fn miner_options_finding(options: &Facts) -> Finding {
    let family = options.values().find_map(|f| f.family.clone());
    let live = options.values().filter(|f| f.live).count() >= 2;
    let (class, score) = if options.len() >= 2 {
        (strong(Class::Miner, live), 50)
    } else {
        (Class::Info, 15)
    };
    let mut f = Finding::new(
        ID,
        "miner_options",
        class,
        score,
        format!(
            "miner-only options ({}){}",
            options.keys().cloned().collect::<Vec<_>>().join(", "),
            note(live || options.len() < 2)
        ),
    )
    .fact("miner-options");
    if let Some(fam) = family {
        f = f.family(fam);
    }
    with_each_fact(f, options)
}

/// An algorithm table: several mining algorithms named together; a miner in a program, only
/// information in a text (documentation lists them too).
fn algorithm_table_finding(ctx: &FileContext, algos: &Facts) -> Option<Finding> {
    if algos.len() < 3 {
        return None;
    }
    let class = if ctx.kind.is_executable_format() {
        Class::Miner
    } else {
        Class::Info
    };
    let f = Finding::new(
        ID,
        "algorithm_table",
        class,
        40,
        format!("names {} mining algorithms", algos.len()),
    )
    .fact("algorithm-table");
    Some(with_each_fact(f, algos))
}

/// Miner names alone are information: security tools and articles name them too.
fn miner_name_finding(names: &Facts) -> Finding {
    let mut f = Finding::new(ID, "miner_name", Class::Info, 10, "names miner programs");
    if let Some(fam) = names.values().find_map(|f| f.family.clone()) {
        f = f.family(fam);
    }
    with_each_fact(f, names)
}

/// Adds each fact, where it was seen, as evidence.
fn with_each_fact(mut f: Finding, facts: &Facts) -> Finding {
    for (name, fact) in facts {
        f.push_evidence(Evidence::bytes(fact.offset as u64, name.as_bytes()));
    }
    f
}

/// The distinct facts of one kind, by their lower-cased text.
type Facts = BTreeMap<String, Fact>;

/// One distinct fact: where it was first seen (outside quoted data if anywhere), its family.
struct Fact {
    offset: usize,
    family: Option<String>,
    live: bool,
}

/// Each distinct fact of the shared matcher's hits once, by kind, at its first occurrence
/// outside quoted data if it has one.
fn facts_by_kind(ctx: &FileContext) -> BTreeMap<IndicatorKind, Facts> {
    let mut by_kind: BTreeMap<IndicatorKind, Facts> = BTreeMap::new();
    for hit in ctx.indicator_hits() {
        let pattern = ctx.indicators.pattern(hit);
        let live = !ctx.fact_quoted_at(hit.start);
        let fact = by_kind
            .entry(pattern.kind)
            .or_default()
            .entry(pattern.text.to_ascii_lowercase())
            .or_insert(Fact {
                offset: hit.start,
                family: pattern.family.clone(),
                live,
            });
        if live && !fact.live {
            fact.offset = hit.start;
            fact.live = true;
        }
    }
    by_kind
}

/// Extends a matched pool domain backwards over the subdomain labels written before it.
fn full_host(bytes: &[u8], offset: usize, pool: &str) -> (usize, String) {
    let mut start = offset;
    while start > 0 {
        let b = bytes[start - 1];
        if b.is_ascii_alphanumeric() || b == b'-' || b == b'.' {
            start -= 1;
        } else {
            break;
        }
    }
    while start < offset && !bytes[start].is_ascii_alphanumeric() {
        start += 1;
    }
    let written = String::from_utf8_lossy(&bytes[start..offset]).to_ascii_lowercase();
    (start, format!("{written}{pool}"))
}

/// A `:port` right after a host name.
fn port_after(bytes: &[u8], end: usize) -> Option<u16> {
    let rest = bytes.get(end..)?.strip_prefix(b":")?;
    let digits = rest
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 5 {
        return None;
    }
    std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::target::Target;

    fn run(name: &str, text: &str) -> Vec<Finding> {
        let target = Target::for_bytes(name);
        let ctx = FileContext::new(
            &target,
            crate::analyze::builtin_matcher(),
            text.as_bytes(),
            text.len() as u64,
            false,
        );
        let mut out = Vec::new();
        IndicatorWorker.analyze(&ctx, &mut out).unwrap();
        out
    }

    #[test]
    fn stratum_url_is_miner_evidence() {
        let out = run(
            "run.txt",
            "start -o stratum+tcp://pool.supportxmr.com:3333 now",
        );
        assert!(out
            .iter()
            .any(|f| f.rule == "stratum_url" && f.class == Class::Miner));
        assert!(
            !out.iter().any(|f| f.rule == "pool_host"),
            "host inside the URL is not reported twice"
        );
    }

    #[test]
    fn pool_mention_in_prose_is_info() {
        let out = run(
            "article.txt",
            "Attackers pointed victims at supportxmr.com last year.",
        );
        assert!(out.iter().all(|f| f.class == Class::Info));
        assert!(!out.is_empty());
    }

    #[test]
    fn blocklists_are_info() {
        let list = "0.0.0.0 supportxmr.com\n0.0.0.0 minexmr.com\n0.0.0.0 nanopool.org\n0.0.0.0 2miners.com\n0.0.0.0 f2pool.com\n0.0.0.0 hashvault.pro:3333\n";
        let out = run("hosts", list);
        assert!(out.iter().all(|f| f.class == Class::Info), "{out:?}");
    }

    #[test]
    fn pool_endpoint_fact_uses_the_host_as_written() {
        let out = run(
            "start.bat",
            "EthDcrMiner64.exe -epool eth-eu1.nanopool.org:9999 -ewal x",
        );
        let f = out.iter().find(|f| f.rule == "pool_host").unwrap();
        assert_eq!(f.fact.as_deref(), Some("pool:eth-eu1.nanopool.org:9999"));
        assert_eq!(f.class, Class::Miner);
    }

    #[test]
    fn ntp_stratum_is_not_mining() {
        assert!(run(
            "ntp.conf",
            "server 0.pool.ntp.org iburst\n# stratum 2 server\n"
        )
        .is_empty());
    }
}

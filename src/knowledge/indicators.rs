//! The shared facts about mining that several analyzers match against: pool hosts and ports,
//! stratum schemes and methods, miner option names, algorithm names, miner and rival names,
//! security agents that droppers kill. One list, one matcher (an Aho-Corasick automaton built
//! once), many users: the hits for a file are computed once and cached in its `FileContext`.
//!
//! The matcher also carries the literal needles analyzers declare (`Analyzer::needles`), each
//! block under its owner's name, so that a file's bytes are walked once for the facts and every
//! analyzer's literals; the analyzers are not known here, only their needles.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, Input, MatchKind};
use regex::bytes::Regex;
use std::ops::Range;
use std::sync::LazyLock;

/// What an indicator is evidence of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorKind {
    /// A host name of a public mining pool (matched on label boundaries).
    PoolHost,
    /// `stratum+tcp://` and its variants.
    StratumScheme,
    /// A stratum JSON-RPC method (`mining.subscribe`...).
    StratumMethod,
    /// A command-line option or config key only miners have (`--donate-level`...).
    MinerOption,
    /// A mining algorithm name as miners spell it (`rx/0`, `cryptonight`, `kawpow`...).
    Algorithm,
    /// The name of a miner program or miner campaign binary.
    MinerName,
    /// A security or monitoring agent that droppers stop (aliyun's aegis, qcloud's YDService...).
    SecurityAgent,
    /// A network indicator from a user's IOC list (domain or IP address).
    UserNetwork,
}

/// One pattern in the matcher.
#[derive(Clone, Debug)]
pub struct Pattern {
    pub kind: IndicatorKind,
    pub text: String,
    /// The family the pattern names, if any (`xmrig` for `xmrig`, `moneroocean` for its pool).
    pub family: Option<String>,
    /// For user network indicators: the list's description.
    pub description: Option<String>,
}

/// A match of one pattern in one buffer.
#[derive(Clone, Copy, Debug)]
pub struct Hit {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// Known public mining pools (registrable domains; subdomains match too). Public facts: these
/// are the pools' own published connection hosts.
pub const POOL_HOSTS: &[&str] = &[
    "2miners.com",
    "antpool.com",
    "btc.com",
    "c3pool.com",
    "c3pool.org",
    "coinhive.com",
    "crypto-pool.fr",
    "dwarfpool.com",
    "ethermine.org",
    "ethpool.org",
    "ezil.me",
    "f2pool.com",
    "flexpool.io",
    "flypool.org",
    "hashvault.pro",
    "herominers.com",
    "hiveon.net",
    "k1pool.com",
    "kryptex.network",
    "minergate.com",
    "minexmr.com",
    "miningpoolhub.com",
    "monerohash.com",
    "moneroocean.stream",
    "moneropool.com",
    "nanopool.org",
    "nicehash.com",
    "p2pool.io",
    "poolin.com",
    "prohashing.com",
    "slushpool.com",
    "sparkpool.com",
    "supportxmr.com",
    "suprnova.cc",
    "unmineable.com",
    "viabtc.com",
    "woolypooly.com",
    "xmrpool.eu",
    "xmrpool.net",
    "zergpool.com",
    "zpool.ca",
    "donate.v2.xmrig.com",
    "donate.ssl.xmrig.com",
    "pool.minexmr.com",
    "mine.c3pool.com",
    "pool.supportxmr.com",
    "gulf.moneroocean.stream",
    "xmr.2miners.com",
    "rx.unmineable.com",
    "auto.c3pool.org",
    "pool.hashvault.pro",
    "xmr.f2pool.com",
    "xmr-eu1.nanopool.org",
];

/// Ports that public pools conventionally listen on (used with a host, never alone).
pub const POOL_PORTS: &[u16] = &[
    1111, 2222, 3032, 3333, 3334, 3335, 3357, 4242, 4444, 4445, 5555, 5588, 6666, 7777, 8008, 8888,
    9000, 9999, 10001, 10128, 10300, 13333, 14433, 14444, 17777, 19999, 20535, 45560, 45700,
];

pub fn is_pool_port(port: u16) -> bool {
    POOL_PORTS.contains(&port)
}

pub const STRATUM_SCHEMES: &[&str] = &[
    "stratum+tcp://",
    "stratum+ssl://",
    "stratum+tls://",
    "stratum+udp://",
    "stratum1+tcp://",
    "stratum1+ssl://",
    "stratum2+tcp://",
    "stratum2+ssl://",
];

pub const STRATUM_METHODS: &[&str] = &[
    "mining.subscribe",
    "mining.authorize",
    "mining.submit",
    "mining.notify",
    "mining.set_difficulty",
    "mining.extranonce.subscribe",
    "mining.set_target",
    "eth_submitLogin",
    "eth_submitWork",
    "eth_submitHashrate",
];

/// Options and config keys that only miners use, with the family that introduced them.
pub const MINER_OPTIONS: &[(&str, Option<&str>)] = &[
    ("--donate-level", Some("xmrig")),
    ("donate-level", Some("xmrig")),
    ("--cpu-max-threads-hint", Some("xmrig")),
    ("max-threads-hint", Some("xmrig")),
    ("--randomx-1gb-pages", Some("xmrig")),
    ("--randomx-mode", Some("xmrig")),
    ("--randomx-no-numa", Some("xmrig")),
    ("--randomx-wrmsr", Some("xmrig")),
    ("randomx-1gb-pages", Some("xmrig")),
    ("--cpu-no-yield", Some("xmrig")),
    ("--donate-over-proxy", Some("xmrig")),
    ("donate-over-proxy", Some("xmrig")),
    ("--rig-id", None),
    ("--nicehash", None),
    ("--cpu-priority", None),
    ("--max-cpu-usage", Some("xmrig")),
    ("--templimit", Some("gminer")),
    ("--currency", Some("xmr-stak")),
    ("--noCPU", Some("xmr-stak")),
    ("--noAMD", Some("xmr-stak")),
    ("--noNVIDIA", Some("xmr-stak")),
    ("--poolconf", Some("xmr-stak")),
    ("-epool", Some("claymore")),
    ("-ewal", Some("claymore")),
    ("-epsw", Some("claymore")),
    ("--api-bind-http", Some("t-rex")),
    ("--tls-fingerprint", None),
    ("--coin=", None),
];

/// Mining algorithm names as miners and their configs spell them. Generic words (scrypt,
/// sha256, blake3) are left out: password hashing and checksums use them too.
pub const ALGORITHMS: &[&str] = &[
    "randomx",
    "rx/0",
    "rx/wow",
    "rx/arq",
    "rx/graft",
    "rx/sfx",
    "rx/keva",
    "cryptonight",
    "cn/r",
    "cn/half",
    "cn/rwz",
    "cn/zls",
    "cn/double",
    "cn-heavy",
    "cn-lite",
    "cn-pico",
    "argon2/chukwa",
    "kawpow",
    "ethash",
    "etchash",
    "autolykos2",
    "equihash",
    "cuckatoo",
    "beamhash",
    "progpow",
    "firopow",
    "ghostrider",
    "astrobwt",
    "kheavyhash",
    "verthash",
    "x16rv2",
    "lyra2rev2",
    "lyra2z",
];

/// XMRig's way of naming algorithms, family and variant apart (`rx/0`, `cn/r`, `cn-heavy/xhv`,
/// `argon2/chukwa`): its forks share it, and other miners spell the same algorithms without
/// the slash (`randomx`, `cryptonight_r`, `cn_heavy`). A command or config giving such a name
/// runs XMRig, whatever the program is called.
pub fn xmrig_algorithm_name(value: &str) -> bool {
    let v = value.trim().to_ascii_lowercase();
    let Some((family, variant)) = v.split_once('/') else {
        return false;
    };
    matches!(
        family,
        "rx" | "cn" | "cn-lite" | "cn-heavy" | "cn-pico" | "cn-femto" | "argon2" | "astrobwt"
    ) && !variant.is_empty()
        && variant.len() <= 8
        && variant.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// Miner programs and the binaries of documented miner campaigns, with their family.
pub const MINER_NAMES: &[(&str, &str)] = &[
    ("xmrig", "xmrig"),
    ("xmr-stak", "xmr-stak"),
    ("xmrstak", "xmr-stak"),
    ("cpuminer", "cpuminer"),
    ("cpuminer-opt", "cpuminer"),
    ("minerd", "cpuminer"),
    ("ccminer", "ccminer"),
    ("cgminer", "cgminer"),
    ("bfgminer", "bfgminer"),
    ("phoenixminer", "phoenixminer"),
    ("ethdcrminer64", "claymore"),
    ("nsgpucnminer", "claymore"),
    ("t-rex", "t-rex"),
    ("nbminer", "nbminer"),
    ("lolminer", "lolminer"),
    ("gminer", "gminer"),
    ("teamredminer", "teamredminer"),
    ("srbminer", "srbminer"),
    ("srbminer-multi", "srbminer"),
    ("nanominer", "nanominer"),
    ("ethminer", "ethminer"),
    ("excavator", "nicehash"),
    ("wildrig", "wildrig"),
    ("minergate-cli", "minergate"),
    ("kdevtmpfsi", "kinsing"),
    ("kinsing", "kinsing"),
    ("kworkerds", "watchbog"),
    ("watchbog", "watchbog"),
    ("sysupdate", "watchdogs"),
    ("networkservice", "watchdogs"),
    ("ddgs", "ddg"),
    ("dbused", "dbused"),
];

/// The entry of `MINER_NAMES` a lower-case program name is: the name itself, or else a build
/// of one (the name followed by a dash, underscore or dot: `ccminer-x64`, `xmrig-notls`,
/// `xmrig_6.21`), never a longer word (`minerd` is not `minerdev`). Callers drop the names
/// that their context makes ordinary.
pub fn miner_name_entry(base: &str) -> Option<(&'static str, &'static str)> {
    let build_of = |name: &str| {
        base.strip_prefix(name)
            .is_some_and(|rest| rest.starts_with(['-', '_', '.']))
    };
    MINER_NAMES
        .iter()
        .find(|(n, _)| *n == base)
        .or_else(|| MINER_NAMES.iter().find(|(n, _)| build_of(n)))
        .copied()
}

/// Security and monitoring agents that miner droppers stop or uninstall (documented in public
/// reports on cloud-focused miner campaigns).
pub const SECURITY_AGENTS: &[&str] = &[
    "aliyun-service",
    "aliyundun",
    "aegis_update",
    "aegis_cli",
    "aegis",
    "ydservice",
    "ydlive",
    "yunjing",
    "barad_agent",
    "qcloud",
    "bcm-agent",
    "cloudmonitor",
    "hostguard",
    "falcon-sensor",
    "osqueryd",
    "wazuh-agent",
    "ossec",
    "msmpeng",
    "windefend",
];

/// One occurrence of a needle an analyzer asked the shared pass for (`Indicators::scan`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NeedleHit {
    /// Index into the needles: of all blocks in `Scan`, of its owner's block in `own_hits`.
    pub needle: usize,
    pub start: usize,
    pub end: usize,
}

/// The literals one analyzer asks the shared pass to find on its behalf, under the analyzer's
/// name: matched without regard to ASCII case, overlapping, the first `NEEDLE_HITS` occurrences
/// of each. Each must be printable and at least `regions::MIN_RUN` long, so that a binary's
/// printable regions hold every match; except in a block only text analyzers read
/// (`text_only`): text is searched whole, never by regions (`FileContext`).
#[derive(Clone, Debug)]
pub struct NeedleBlock {
    pub owner: &'static str,
    pub texts: Vec<&'static str>,
    pub text_only: bool,
}

/// What one pass of the shared matcher found in a buffer.
#[derive(Clone, Debug, Default)]
pub struct Scan {
    /// The facts, as `Indicators::find` gives them.
    pub facts: Vec<Hit>,
    /// Every needle's first `NEEDLE_HITS` occurrences, overlapping, in any case.
    pub needles: Vec<NeedleHit>,
}

/// Occurrences kept per needle: their users need the first few, never all of them.
pub const NEEDLE_HITS: usize = 8;
/// Overlapping fact candidates kept per searched span before the leftmost-longest choice:
/// bounds memory on a buffer that is nothing but facts.
const MAX_CANDIDATES: usize = 1 << 16;

/// The shared matcher: the facts, and the needles of analyzers that look for literals of their
/// own (the binary analyzer's function names), in one automaton, so that a file's bytes are
/// walked once for all of them.
pub struct Indicators {
    patterns: Vec<Pattern>,
    /// How many needles follow the facts: automaton pattern `patterns.len() + i` is needle i.
    needle_count: usize,
    /// Each block's owner and its needles' range (handed out in the order the blocks came).
    blocks: Vec<(&'static str, Range<usize>)>,
    /// Standard semantics with overlapping search: every match of every pattern. The facts'
    /// leftmost-longest choice is made from those (see `choose_leftmost_longest`).
    automaton: AhoCorasick,
    /// Every fact and every needle a binary's readers want is printable and at least
    /// `regions::MIN_RUN` long, so that searching the printable regions of a binary finds
    /// exactly what searching all of it finds.
    regions_suffice: bool,
}

static BUILTIN: LazyLock<Indicators> = LazyLock::new(|| Indicators::new(Vec::new(), Vec::new()));

impl Indicators {
    /// The built-in facts only, without any analyzer's needles (the registry's matcher with
    /// them is built by the analyzer registry).
    pub fn builtin() -> &'static Indicators {
        &BUILTIN
    }

    /// The built-in facts plus a user's network indicators, and the analyzers' needle blocks.
    pub fn new(extra: Vec<Pattern>, needles: Vec<NeedleBlock>) -> Indicators {
        let mut patterns = Vec::new();
        let mut add = |kind, text: &str, family: Option<&str>| {
            patterns.push(Pattern {
                kind,
                text: text.to_owned(),
                family: family.map(str::to_owned),
                description: None,
            })
        };
        for host in POOL_HOSTS {
            add(IndicatorKind::PoolHost, host, None);
        }
        for s in STRATUM_SCHEMES {
            add(IndicatorKind::StratumScheme, s, None);
        }
        for s in STRATUM_METHODS {
            add(IndicatorKind::StratumMethod, s, None);
        }
        for (s, fam) in MINER_OPTIONS {
            add(IndicatorKind::MinerOption, s, *fam);
        }
        for s in ALGORITHMS {
            add(IndicatorKind::Algorithm, s, None);
        }
        for (s, fam) in MINER_NAMES {
            add(IndicatorKind::MinerName, s, Some(fam));
        }
        for s in SECURITY_AGENTS {
            add(IndicatorKind::SecurityAgent, s, None);
        }
        patterns.extend(extra);
        let mut blocks = Vec::with_capacity(needles.len());
        let mut needle_count = 0;
        for block in &needles {
            blocks.push((block.owner, needle_count..needle_count + block.texts.len()));
            needle_count += block.texts.len();
        }
        let literals: Vec<&[u8]> = patterns
            .iter()
            .map(|p| p.text.as_bytes())
            .chain(
                needles
                    .iter()
                    .flat_map(|b| b.texts.iter().map(|t| t.as_bytes())),
            )
            .collect();
        // A full DFA: a few hundred literals make a small one, and it runs several times faster
        // over binaries than the default NFA (criterion primitives/indicators_binary). Large
        // user indicator lists would make it huge: let the crate choose for those.
        let kind = (literals.len() <= 4096).then_some(aho_corasick::AhoCorasickKind::DFA);
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&literals)
            .expect("indicator patterns are plain literals");
        let regions_suffice = patterns
            .iter()
            .map(|p| p.text.as_bytes())
            .chain(
                needles
                    .iter()
                    .filter(|b| !b.text_only)
                    .flat_map(|b| b.texts.iter().map(|t| t.as_bytes())),
            )
            .all(crate::knowledge::regions::searchable);
        Indicators {
            patterns,
            needle_count,
            blocks,
            automaton,
            regions_suffice,
        }
    }

    /// `owner`'s needle hits in `scan`, numbered as in its block (none for an owner without one).
    pub fn own_hits(&self, scan: &Scan, owner: &str) -> Vec<NeedleHit> {
        let Some((_, range)) = self.blocks.iter().find(|(o, _)| *o == owner) else {
            return Vec::new();
        };
        scan.needles
            .iter()
            .filter(|h| range.contains(&h.needle))
            .map(|h| NeedleHit {
                needle: h.needle - range.start,
                ..*h
            })
            .collect()
    }

    /// Whether the matcher carries `owner`'s needle block at all (a matcher built without it
    /// finds none of its needles, which must not be taken for their absence).
    pub fn carries(&self, owner: &str) -> bool {
        self.blocks.iter().any(|(o, _)| *o == owner)
    }

    pub fn pattern(&self, hit: &Hit) -> &Pattern {
        &self.patterns[hit.pattern]
    }

    /// Every hit in `hay`, in order, kept only where the pattern stands on its own (a host on
    /// label boundaries, a name on word boundaries). Capped at `max` hits.
    pub fn find(&self, hay: &[u8], max: usize) -> Vec<Hit> {
        self.scan(hay, None, max).facts
    }

    /// Whether `scan` may be given regions: every literal is printable and at least
    /// `regions::MIN_RUN` long, so none can match outside them.
    pub fn regions_suffice(&self) -> bool {
        self.regions_suffice
    }

    /// One pass over `hay` (or only over its printable `regions`, from
    /// `regions::printable_regions`, when `regions_suffice`): the facts as `find` gives them,
    /// and the needles. The spans are searched inside the whole buffer, so that the boundary
    /// checks see the bytes around a match.
    pub fn scan(&self, hay: &[u8], regions: Option<&[Range<usize>]>, max: usize) -> Scan {
        let whole = 0..hay.len();
        let spans = match regions {
            Some(r) if self.regions_suffice => r,
            _ => std::slice::from_ref(&whole),
        };
        let facts_len = self.patterns.len();
        let mut scan = Scan::default();
        let mut seen = vec![0usize; self.needle_count];
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for span in spans {
            candidates.clear();
            for m in self
                .automaton
                .find_overlapping_iter(Input::new(hay).span(span.clone()))
            {
                let id = m.pattern().as_usize();
                if id < facts_len {
                    if candidates.len() < MAX_CANDIDATES {
                        candidates.push((m.start(), m.end(), id));
                    }
                } else if seen[id - facts_len] < NEEDLE_HITS {
                    seen[id - facts_len] += 1;
                    scan.needles.push(NeedleHit {
                        needle: id - facts_len,
                        start: m.start(),
                        end: m.end(),
                    });
                }
            }
            if scan.facts.len() < max {
                self.choose_leftmost_longest(hay, &mut candidates, &mut scan.facts, max);
            }
        }
        scan
    }

    /// From every match in a span, the ones a leftmost-longest search would report (at each
    /// step the match starting first, the longest of those, the first-listed pattern on a tie,
    /// then on from its end), kept where the pattern stands alone.
    fn choose_leftmost_longest(
        &self,
        hay: &[u8],
        candidates: &mut [(usize, usize, usize)],
        hits: &mut Vec<Hit>,
        max: usize,
    ) {
        candidates.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
        let mut from = 0;
        for &(start, end, pattern) in candidates.iter() {
            if start < from {
                continue;
            }
            from = end;
            if !stands_alone(self.patterns[pattern].kind, hay, start, end) {
                continue;
            }
            hits.push(Hit {
                pattern,
                start,
                end,
            });
            if hits.len() >= max {
                return;
            }
        }
    }

    /// Whether a host name (from a URL or config value) is a known pool or a subdomain of one.
    pub fn pool_for_host(&self, host: &str) -> Option<&str> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.patterns
            .iter()
            .filter(|p| p.kind == IndicatorKind::PoolHost)
            .map(|p| p.text.as_str())
            .find(|pool| host == *pool || host.ends_with(&format!(".{pool}")))
    }
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn stands_alone(kind: IndicatorKind, hay: &[u8], start: usize, end: usize) -> bool {
    let before = start.checked_sub(1).map(|i| hay[i]);
    let after = hay.get(end).copied();
    match kind {
        IndicatorKind::PoolHost | IndicatorKind::UserNetwork => {
            // Label boundaries: `x.pool.example` matches, `notpool.example` and
            // `pool.example.evil` do not.
            let ok_before = !matches!(before, Some(b) if b.is_ascii_alphanumeric() || b == b'-');
            let ok_after = match after {
                Some(b) if b.is_ascii_alphanumeric() || b == b'-' => false,
                Some(b'.') => !matches!(hay.get(end + 1), Some(b) if b.is_ascii_alphanumeric()),
                _ => true,
            };
            ok_before && ok_after
        }
        IndicatorKind::StratumScheme | IndicatorKind::StratumMethod => {
            !matches!(before, Some(b) if is_word_byte(b))
        }
        IndicatorKind::MinerOption => {
            let text_starts_with_dash = hay[start] == b'-';
            let ok_before =
                text_starts_with_dash || !matches!(before, Some(b) if is_word_byte(b) || b == b'-');
            let ok_after =
                hay[end - 1] == b'=' || !matches!(after, Some(b) if is_word_byte(b) || b == b'-');
            ok_before && ok_after
        }
        IndicatorKind::Algorithm | IndicatorKind::MinerName | IndicatorKind::SecurityAgent => {
            !matches!(before, Some(b) if is_word_byte(b))
                && !matches!(after, Some(b) if is_word_byte(b))
        }
    }
}

/// The merge key for a pool endpoint, shared by every analyzer that reports one, so that the
/// verdict merges the same endpoint seen by the indicator matcher, the config detector and YARA.
pub fn pool_fact(host: &str, port: Option<u16>) -> String {
    match port {
        Some(p) => format!("pool:{}:{p}", host.to_ascii_lowercase()),
        None => format!("pool:{}", host.to_ascii_lowercase()),
    }
}

/// A stratum URL with its host and optional port: `stratum+tcp://host:port`.
pub static STRATUM_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)stratum[12]?\+(?:tcp|ssl|tls|udp)://(?:[^\s/@:'\x22]*@)?([a-z0-9][a-z0-9.\-]*[a-z0-9])(?::(\d{1,5}))?")
        .expect("static regex")
});

/// A stratum URL found in a buffer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StratumUrl {
    pub offset: usize,
    pub url: String,
    pub host: String,
    pub port: Option<u16>,
}

/// Every stratum URL in `hay`, capped at `max`.
pub fn stratum_urls(hay: &[u8], max: usize) -> Vec<StratumUrl> {
    STRATUM_URL
        .captures_iter(hay)
        .take(max)
        .filter_map(|c| {
            let whole = c.get(0)?;
            let host = String::from_utf8_lossy(c.get(1)?.as_bytes()).to_ascii_lowercase();
            let port = c
                .get(2)
                .and_then(|p| std::str::from_utf8(p.as_bytes()).ok()?.parse().ok());
            Some(StratumUrl {
                offset: whole.start(),
                url: String::from_utf8_lossy(whole.as_bytes()).to_ascii_lowercase(),
                host,
                port,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(IndicatorKind, String)> {
        let ind = Indicators::builtin();
        ind.find(text.as_bytes(), 100)
            .iter()
            .map(|h| (ind.pattern(h).kind, text[h.start..h.end].to_owned()))
            .collect()
    }

    #[test]
    fn pool_hosts_match_on_label_boundaries() {
        assert_eq!(kinds("xmr.supportxmr.com:3333").len(), 1);
        assert!(kinds("notsupportxmr.com").is_empty());
        assert!(kinds("supportxmr.com.example").is_empty());
        assert_eq!(kinds("connect to supportxmr.com.").len(), 1);
    }

    #[test]
    fn names_match_on_word_boundaries() {
        assert_eq!(kinds("./xmrig --donate-level=1").len(), 2);
        assert!(kinds("xmriggers").is_empty());
        assert!(kinds("preminerd").is_empty());
    }

    #[test]
    fn extracts_stratum_urls() {
        let urls = stratum_urls(b"-o stratum+tcp://wallet@Pool.Example.org:4444 -u x", 10);
        assert_eq!(urls.len(), 1);
        assert_eq!(urls[0].host, "pool.example.org");
        assert_eq!(urls[0].port, Some(4444));
        assert!(stratum_urls(b"the stratum of the ntp server", 10).is_empty());
    }

    #[test]
    fn region_search_finds_what_a_whole_search_finds() {
        let ind = Indicators::builtin();
        assert!(ind.regions_suffice());
        let key = |hits: &[Hit]| -> Vec<(usize, usize, usize)> {
            hits.iter().map(|h| (h.pattern, h.start, h.end)).collect()
        };
        let leftmost_longest = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(ind.patterns.iter().map(|p| p.text.as_bytes()))
            .unwrap();
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/bin");
        let mut with_hits = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let bytes = std::fs::read(entry.unwrap().path()).unwrap();
            let regions = crate::knowledge::regions::printable_regions(&bytes);
            let whole = ind.scan(&bytes, None, 4096);
            let in_regions = ind.scan(&bytes, Some(&regions), 4096);
            assert_eq!(key(&whole.facts), key(&in_regions.facts));
            assert_eq!(whole.needles, in_regions.needles);
            // The facts are what a leftmost-longest search reports.
            let reference: Vec<(usize, usize, usize)> = leftmost_longest
                .find_iter(&bytes)
                .filter(|m| {
                    let kind = ind.patterns[m.pattern().as_usize()].kind;
                    stands_alone(kind, &bytes, m.start(), m.end())
                })
                .map(|m| (m.pattern().as_usize(), m.start(), m.end()))
                .take(4096)
                .collect();
            assert_eq!(key(&whole.facts), reference);
            with_hits += usize::from(!whole.facts.is_empty());
        }
        assert!(with_hits >= 20, "only {with_hits} fixtures with hits");
    }

    #[test]
    fn short_user_indicators_turn_region_search_off() {
        let short = Pattern {
            kind: IndicatorKind::UserNetwork,
            text: "x.y".to_owned(),
            family: None,
            description: None,
        };
        assert!(!Indicators::new(vec![short], Vec::new()).regions_suffice());
    }

    #[test]
    fn finds_pool_for_subdomains() {
        let ind = Indicators::builtin();
        assert_eq!(
            ind.pool_for_host("gulf.moneroocean.stream"),
            Some("moneroocean.stream")
        );
        assert_eq!(ind.pool_for_host("EU.NANOPOOL.ORG"), Some("nanopool.org"));
        assert_eq!(ind.pool_for_host("notnanopool.org"), None);
    }
}

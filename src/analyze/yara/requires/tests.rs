use super::rule_gate::{header_tests, HeaderTest};
use super::*;
use crate::analyze::id::AnalyzerId;
use crate::knowledge::indicators::{Indicators, NeedleBlock};
use crate::scan::context::FileContext;
use crate::scan::target::Target;

/// What one rule needs, written out: alternatives joined by ` | `, the groups of each (sorted)
/// by ` & `, a group of more than one clause as `k of (a; b)`, the literals of a clause by `,`
/// (wide forms with their NULs as `.`).
fn needs(rule: &str) -> Option<String> {
    let tree = ast::AST::from(rule);
    assert!(tree.errors().is_empty(), "{rule}: {:?}", tree.errors());
    let rule = tree.rules().next().expect("one rule");
    let text = |l: &Vec<u8>| -> String {
        l.iter()
            .map(|&b| if b == 0 { '.' } else { char::from(b) })
            .collect()
    };
    rule_need(rule).map(|n| {
        n.alternatives
            .iter()
            .map(|conj| {
                let clause = |c: &Clause| {
                    let mut lits: Vec<String> = c.iter().map(text).collect();
                    lits.sort();
                    lits.join(",")
                };
                let mut groups: Vec<String> = conj
                    .iter()
                    .map(|g| match (g.at_least, g.clauses.as_slice()) {
                        (1, [one]) => clause(one),
                        (k, clauses) => {
                            let mut cs: Vec<String> = clauses.iter().map(clause).collect();
                            cs.sort();
                            format!("{k} of ({})", cs.join("; "))
                        }
                    })
                    .collect();
                groups.sort();
                groups.join(" & ")
            })
            .collect::<Vec<_>>()
            .join(" | ")
    })
}

fn has(rule: &str, expected: &str) {
    assert_eq!(needs(rule).as_deref(), Some(expected), "{rule}");
}

fn rule(strings: &str, condition: &str) -> String {
    format!("rule r {{ strings: {strings} condition: {condition} }}")
}

const THREE: &str = r#"$a = "stratum+tcp" $b = "pool" $c = "donate-level""#;

#[test]
fn a_condition_needs_what_its_patterns_cannot_be_absent_without() {
    has(&rule(THREE, "$a"), "stratum+tcp");
    // `and` needs both; what needs nothing narrows nothing.
    has(
        &rule(THREE, "$b and $c and filesize < 1MB"),
        "donate-level & pool",
    );
    // `or` needs one of its operands.
    has(&rule(THREE, "$a or $b"), "pool | stratum+tcp");
    has(
        &rule(THREE, "($a or $b) and $c"),
        "donate-level & pool | donate-level & stratum+tcp",
    );
    assert_eq!(needs(&rule(THREE, "$a or filesize > 10")), None);
    assert_eq!(needs(&rule(THREE, "not $a")), None);
    assert_eq!(needs(&rule(THREE, "uint16(0) == 0x5A4D")), None);
}

#[test]
fn n_of_a_set_needs_one_of_any_len_minus_n_plus_one() {
    // A count of the members' literals.
    has(
        &rule(THREE, "2 of them"),
        "2 of (donate-level; pool; stratum+tcp)",
    );
    has(&rule(THREE, "all of ($a, $b)"), "2 of (pool; stratum+tcp)");
    has(&rule(THREE, "any of ($b*)"), "pool");
    // One of them keeps each member's own conjunction.
    has(
        &rule(r#"$r = /eval\s*\(\s*compile/ $s = "xmrig""#, "1 of them"),
        "compile & eval | xmrig",
    );
    let four = r#"$o1 = "--url" $o2 = "--user" $o3 = "--pass" $o4 = "--coin""#;
    has(
        &rule(four, "3 of ($o*)"),
        "3 of (--coin; --pass; --url; --user)",
    );
    assert_eq!(needs(&rule(THREE, "none of them")), None);
    assert_eq!(needs(&rule(THREE, "50% of them")), None);
}

#[test]
fn counts_need_their_pattern_only_when_they_exceed_zero() {
    has(&rule(THREE, "#a > 0"), "stratum+tcp");
    has(&rule(THREE, "#a >= 2"), "stratum+tcp");
    assert_eq!(needs(&rule(THREE, "#a == 0")), None);
    assert_eq!(needs(&rule(THREE, "#a >= 0")), None);
    assert_eq!(needs(&rule(THREE, "#a in (0..10) > 0")), None);
}

#[test]
fn loops_need_what_their_body_needs_at_least_once() {
    has(
        &rule(THREE, "for any of ($a, $c) : ($ at 0)"),
        "donate-level,stratum+tcp",
    );
    has(
        &rule(THREE, "for any i in (1..#b) : ($c in (@b[i]..@b[i] + 10))"),
        "donate-level",
    );
    // An empty range makes `for all` true.
    assert_eq!(
        needs(&rule(
            THREE,
            "for all i in (1..#b) : ($c in (@b[i]..@b[i] + 10))"
        )),
        None
    );
}

#[test]
fn each_kind_of_pattern_gives_its_literals() {
    has(
        &rule(r#"$w = "xmrig" ascii wide nocase"#, "$w"),
        "x.m.r.i.g. | xmrig",
    );
    has(&rule(r#"$w = "XMRig" wide"#, "$w"), "x.m.r.i.g.");
    assert_eq!(needs(&rule(r#"$x = "xmrig" xor"#, "$x")), None);
    // base64: the stable middle of each of the three encodings.
    has(
        &rule(r#"$x = "stratum+tcp:" base64"#, "$x"),
        "c3ryyxr1bst0,n0cmf0dw0rdg,zdhjhdhvtk3r",
    );
    has(
        &rule(r"$r = /(curl|wget)\s+-\w+\s+http/ nocase", "$r"),
        "curl,wget & http",
    );
    has(
        &rule(r"$r = /(cpuminer|xmrig)[\w.-]*/", "$r"),
        "cpuminer,xmrig",
    );
    assert_eq!(needs(&rule(r"$r = /[a-z0-9]{95}/", "$r")), None);
    has(
        &rule("$h = { 4D 5A ?? 90 [2-4] 6D 69 6E 65 72 }", "$h"),
        "miner",
    );
    // An unprintable byte: the walk looks for the printable run beside it.
    has(
        &rule(r#"$s = { 52 61 6E 64 6F 6D 47 52 41 46 54 01 }"#, "$s"),
        "randomgraft",
    );
    has(
        &rule(r#"$s = { 00 01 78 00 6D 00 72 00 69 00 67 00 FF }"#, "$s"),
        "x.m.r.i.g.",
    );
    // Short text narrows nothing: `-o` alone leaves the rule to every file.
    assert_eq!(needs(&rule(r#"$o = "-o" ascii wide"#, "$o")), None);
    has(
        &rule(r#"$o = "-o" $p = "pool_pass""#, "$o and $p"),
        "pool_pass",
    );
    // Three characters do; two do not.
    has(
        &rule(r#"$o = "dwm" $p = " -o ""#, "$o and $p"),
        " -o  & dwm",
    );
    has(&rule(r#"$o = "dwm" $p = "-o""#, "$o and $p"), "dwm");
}

/// Wherever a `base64` pattern matches (whatever comes before and after the text), one of its
/// literals is in the encoding, in the standard alphabet and in a custom one.
#[test]
fn base64_literals_are_in_every_encoding_of_the_text() {
    use base64::Engine;
    let custom = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/";
    for modifier in ["base64".to_owned(), format!("base64(\"{custom}\")")] {
        let src = rule(&format!(r#"$x = "--donate-lev" {modifier}"#), "$x");
        let tree = ast::AST::from(src.as_str());
        let need = rule_need(tree.rules().next().unwrap()).unwrap();
        let clause = &need.alternatives[0][0].clauses[0];
        for before in ["", "a", "ab", "abc"] {
            for after in ["", "x", "xy", "xyz"] {
                let text = format!("{before}--donate-lev{after}");
                let mut encoded = base64::engine::general_purpose::STANDARD.encode(&text);
                if modifier != "base64" {
                    let standard =
                        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
                    encoded = encoded
                        .chars()
                        .map(|c| standard.find(c).map_or(c, |i| custom.as_bytes()[i] as char))
                        .collect();
                }
                let lower = encoded.to_ascii_lowercase();
                assert!(
                    clause
                        .iter()
                        .any(|l| lower.contains(std::str::from_utf8(l).unwrap())),
                    "{modifier}: {text:?} as {encoded} holds none of {clause:?}"
                );
            }
        }
    }
}

#[test]
fn every_builtin_rule_needs_a_literal() {
    let sources: Vec<&str> = crate::knowledge::signatures::BUILTIN_YARA
        .iter()
        .map(|(_, t)| *t)
        .collect();
    if let Err(ungated) = RuleGate::new(&sources) {
        panic!("built-in rules that every file must be scanned for: {ungated:?}");
    }
    let gate = builtin().expect("the built-in gate");
    assert!(gate.walked().count() > 50);
}

/// The scan's own matcher, with the gate's needles in it.
fn matcher(gate: &RuleGate) -> Indicators {
    Indicators::new(
        Vec::new(),
        vec![NeedleBlock {
            owner: AnalyzerId::Yara.as_str(),
            texts: gate
                .walked()
                .map(|s| -> &'static str { Box::leak(s.into()) })
                .collect(),
            text_only: false,
        }],
    )
}

fn opens(gate: &RuleGate, indicators: &Indicators, name: &str, bytes: &[u8]) -> bool {
    let target = Target::for_bytes(name);
    let ctx = FileContext::new(&target, indicators, bytes, bytes.len() as u64, false);
    let found = ctx
        .own_needles(AnalyzerId::Yara)
        .expect("the block is carried");
    gate.open(found.iter().map(|h| h.needle), bytes)
}

/// The property the gate rests on, over every fixture (scripts, configs, binaries built from
/// our sources, packed ones, archives): wherever a built-in rule matches, the gate is open.
#[test]
fn the_gate_is_open_wherever_a_builtin_rule_matches() {
    let gate = builtin().expect("the built-in gate");
    let indicators = matcher(gate);
    let rules = super::super::compile(&super::super::RuleOptions {
        builtin: true,
        timeout: std::time::Duration::from_secs(10),
        ..Default::default()
    })
    .expect("built-in rules");
    let mut scanner = yara_x::Scanner::new(&rules.rules);
    let (mut matched, mut closed) = (0, 0);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let bytes = std::fs::read(entry.path()).unwrap();
        let name = entry.file_name().to_string_lossy().into_owned();
        let hits = scanner.scan(&bytes).unwrap().matching_rules().len();
        let open = opens(gate, &indicators, &name, &bytes);
        if hits > 0 {
            matched += 1;
            assert!(
                open,
                "{}: a rule matches, the gate is shut",
                entry.path().display()
            );
        } else if !open {
            closed += 1;
        }
    }
    assert!(matched > 50, "only {matched} fixtures match a rule");
    assert!(closed > 20, "the gate shut only {closed} fixtures");
}

/// A wide string inside a binary is found by the walk (UTF-16LE runs are regions), and a rule
/// needing several opens only when it has them all.
#[test]
fn wide_forms_and_conjunctions_decide_in_binaries() {
    let gate = builtin().expect("the built-in gate");
    let indicators = matcher(gate);
    let wide = |s: &str| -> Vec<u8> { s.bytes().flat_map(|b| [b, 0]).collect() };
    let mut binary = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    binary.extend(std::iter::repeat_n(0u8, 200));
    assert!(!opens(gate, &indicators, "a.bin", &binary));
    // CryptoNight_Variant_Table: any one of its names, in either form.
    let mut one = binary.clone();
    one.extend(wide("cryptonight_turtle"));
    assert!(opens(gate, &indicators, "a.bin", &one));
    // WannaMine_PowerShell needs two WMI names and three payload words.
    for word in [
        "CommandLineEventConsumer",
        "__EventFilter",
        "mimikatz",
        "EternalBlue",
    ] {
        binary.extend(wide(word));
        binary.extend([0x90u8; 64]);
    }
    assert!(!opens(gate, &indicators, "a.bin", &binary));
    binary.extend(wide("sekurlsa"));
    assert!(opens(gate, &indicators, "a.bin", &binary));
}

#[test]
fn header_tests_come_from_the_top_of_a_condition() {
    let tests = |condition: &str| {
        let src = rule(THREE, condition);
        let tree = ast::AST::from(src.as_str());
        let rule = tree.rules().next().expect("one rule");
        header_tests(&rule.condition)
    };
    let elf = HeaderTest {
        width: 4,
        value: 0x464C457F,
        equal: true,
    };
    assert_eq!(tests("uint32(0) == 0x464C457F and $a"), vec![elf]);
    assert_eq!(
        tests("not uint32(0) == 0x464C457F and $a"),
        vec![HeaderTest {
            equal: false,
            ..elf
        }]
    );
    // Under an `or`, a test decides nothing.
    assert!(tests("uint32(0) == 0x464C457F or $a").is_empty());
    assert!(tests("uint32(4) == 0x464C457F and $a").is_empty());
    assert!(elf.may_pass(b"\x7fELF\x02"));
    assert!(!elf.may_pass(b"#!/bin/sh"));
    assert!(elf.may_pass(b"\x7fE"), "too short to tell");
}

/// A script-only rule cannot match a program: the same words shut the gate in an ELF file and
/// open it in a text.
#[test]
fn rules_for_text_stay_shut_on_programs() {
    let gate = builtin().expect("the built-in gate");
    let indicators = matcher(gate);
    let script = b"#!/bin/sh\n/usr/local/aegis/uninstall.sh\nsystemctl stop aegis\n\
        rm -rf /usr/local/qcloud\npkill YDService\n"
        .to_vec();
    assert!(opens(gate, &indicators, "x.sh", &script));
    let mut program = vec![0x7f, b'E', b'L', b'F', 2, 1, 1, 0];
    program.extend([0u8; 56]);
    program.extend(&script[10..]);
    assert!(!opens(gate, &indicators, "x", &program));
}

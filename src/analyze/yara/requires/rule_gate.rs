//! The gate built from the rules' needs, and deciding it for one file.

use super::rule_need;
use crate::knowledge::regions;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder};
use std::sync::LazyLock;
use yara_x_parser::ast::{self, Expr};

/// A test of a file's first bytes that a rule's condition makes (`uint32(0) == 0x464C457F` in
/// an `and`, or its `not`): a file failing it cannot match the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct HeaderTest {
    /// 1, 2 or 4 bytes, little-endian, at offset 0.
    pub(super) width: usize,
    pub(super) value: u32,
    pub(super) equal: bool,
}

impl HeaderTest {
    /// Whether `bytes` may pass: a file too short to read the value is left to YARA.
    pub(super) fn may_pass(&self, bytes: &[u8]) -> bool {
        let Some(head) = bytes.get(..self.width) else {
            return true;
        };
        let value = head
            .iter()
            .rev()
            .fold(0u32, |acc, &b| (acc << 8) | u32::from(b));
        (value == self.value) == self.equal
    }

    /// `uintN(0) == V` and `not uintN(0) == V`.
    fn of(expr: &Expr) -> Option<HeaderTest> {
        let (expr, equal) = match expr {
            Expr::Not(u) => (&u.operand, false),
            e => (e, true),
        };
        let Expr::Eq(eq) = expr else { return None };
        let (Expr::FuncCall(call), Expr::LiteralInteger(value)) = (&eq.lhs, &eq.rhs) else {
            return None;
        };
        let width = match call.identifier.name {
            "uint8" => 1,
            "uint16" => 2,
            "uint32" => 4,
            _ => return None,
        };
        let at_zero = matches!(call.args.as_slice(), [Expr::LiteralInteger(o)] if o.value == 0);
        (call.object.is_none() && at_zero).then_some(HeaderTest {
            width,
            value: u32::try_from(value.value).ok()?,
            equal,
        })
    }
}

/// The gate of a set of rules: a file satisfying none of their needs matches none of them.
/// Deciding costs in proportion to the literals found: each found literal marks the clauses
/// holding it, a group whose count of clauses met is reached counts towards its alternative, and
/// an alternative whose every group is met (in a file passing its rule's header tests) opens
/// the gate.
pub struct RuleGate {
    /// Printable runs (ASCII or UTF-16LE): the shared walk's needles, literal ids `0..walked`.
    walked: Vec<String>,
    /// The rest (three-character words, unprintable hex runs), searched in the whole buffer
    /// only where they could complete an alternative; literal ids from `walked.len()` on.
    /// ASCII case is ignored, a harmless superset.
    rest: Option<AhoCorasick>,
    /// Literal id: the clauses holding it.
    clauses_of: Vec<Vec<usize>>,
    /// Clause id: its group, and whether it holds a rest literal.
    group_of: Vec<usize>,
    clause_has_rest: Vec<bool>,
    groups: Vec<GroupIds>,
    alternatives: Vec<Alternative>,
    /// Rule id: its header tests.
    headers: Vec<Vec<HeaderTest>>,
}

/// One group: its alternative, how many of its clauses must be met, and how many of them hold
/// a rest literal.
struct GroupIds {
    alternative: usize,
    at_least: usize,
    with_rest: usize,
}

/// One alternative of one rule, and its groups (numbered consecutively).
struct Alternative {
    rule: usize,
    groups: std::ops::Range<usize>,
}

/// The gate of the built-in pack; `None` if some built-in rule needs no literal (then YARA runs
/// on every file), which a test rules out.
pub fn builtin() -> Option<&'static RuleGate> {
    static BUILTIN: LazyLock<Option<RuleGate>> = LazyLock::new(|| {
        let sources: Vec<&str> = crate::knowledge::signatures::BUILTIN_YARA
            .iter()
            .map(|(_, text)| *text)
            .collect();
        RuleGate::new(&sources).ok()
    });
    BUILTIN.as_ref()
}

impl RuleGate {
    /// The gate of every rule in `sources`, or the names of the rules that need no literal (or
    /// that did not parse).
    pub fn new(sources: &[&str]) -> Result<RuleGate, Vec<String>> {
        let mut needs = Vec::new();
        let mut ungated = Vec::new();
        for source in sources {
            let tree = ast::AST::from(*source);
            if !tree.errors().is_empty() {
                ungated.push(format!("{} parse errors", tree.errors().len()));
                continue;
            }
            for rule in tree.rules() {
                match rule_need(rule) {
                    Some(need) => needs.push((header_tests(&rule.condition), need)),
                    None => ungated.push(rule.identifier.name.to_owned()),
                }
            }
        }
        if !ungated.is_empty() {
            return Err(ungated);
        }
        // The walk's literals first, so that a needle's number is its literal id.
        let key = |l: &Vec<u8>| (!regions::searchable(l), l.clone());
        let mut literals: Vec<Vec<u8>> = needs
            .iter()
            .flat_map(|(_, n)| n.alternatives.iter().flatten())
            .flat_map(|g| g.clauses.iter().flatten().cloned())
            .collect();
        literals.sort_by_key(key);
        literals.dedup();
        let walked = literals
            .iter()
            .take_while(|l| regions::searchable(l))
            .count();
        let id = |l: &Vec<u8>| {
            literals
                .binary_search_by_key(&key(l), key)
                .expect("collected above")
        };
        let mut gate = RuleGate {
            walked: literals[..walked]
                .iter()
                .map(|l| String::from_utf8(l.clone()).expect("printable ASCII or UTF-16LE"))
                .collect(),
            rest: (walked < literals.len()).then(|| {
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .build(&literals[walked..])
                    .expect("plain literals")
            }),
            clauses_of: vec![Vec::new(); literals.len()],
            group_of: Vec::new(),
            clause_has_rest: Vec::new(),
            groups: Vec::new(),
            alternatives: Vec::new(),
            headers: Vec::new(),
        };
        for (rule, (header, need)) in needs.into_iter().enumerate() {
            gate.headers.push(header);
            for conj in need.alternatives {
                let alternative = gate.alternatives.len();
                let first_group = gate.groups.len();
                for group in conj {
                    let group_id = gate.groups.len();
                    let mut with_rest = 0;
                    for clause in &group.clauses {
                        let clause_id = gate.group_of.len();
                        let ids: Vec<usize> = clause.iter().map(id).collect();
                        let has_rest = ids.iter().any(|&i| i >= walked);
                        with_rest += usize::from(has_rest);
                        for i in ids {
                            gate.clauses_of[i].push(clause_id);
                        }
                        gate.group_of.push(group_id);
                        gate.clause_has_rest.push(has_rest);
                    }
                    gate.groups.push(GroupIds {
                        alternative,
                        at_least: group.at_least,
                        with_rest,
                    });
                }
                gate.alternatives.push(Alternative {
                    rule,
                    groups: first_group..gate.groups.len(),
                });
            }
        }
        Ok(gate)
    }

    /// The literals the shared walk looks for on the gate's behalf, numbered as its needles.
    pub fn walked(&self) -> impl Iterator<Item = &str> {
        self.walked.iter().map(String::as_str)
    }

    /// Whether a rule may match `bytes`, given the numbers of the `walked` literals the shared
    /// walk found in them.
    pub fn open(&self, found_walked: impl IntoIterator<Item = usize>, bytes: &[u8]) -> bool {
        let mut tally = Tally {
            gate: self,
            bytes,
            clause_met: vec![false; self.group_of.len()],
            met: vec![0; self.groups.len()],
            rest_met: vec![0; self.groups.len()],
            groups_met: vec![0; self.alternatives.len()],
            header: vec![None; self.headers.len()],
        };
        if found_walked.into_iter().any(|l| tally.found(l)) {
            return true;
        }
        let Some(rest) = &self.rest else {
            return false;
        };
        // The rest is looked for only where it could complete an alternative.
        let completable = (0..self.alternatives.len()).any(|a| tally.completable(a));
        completable
            && rest
                .find_overlapping_iter(bytes)
                .any(|m| tally.found(self.walked.len() + m.pattern().as_usize()))
    }
}

/// What one file has met so far, for `RuleGate::open`.
struct Tally<'g> {
    gate: &'g RuleGate,
    bytes: &'g [u8],
    clause_met: Vec<bool>,
    /// Group id: its clauses met, and of those, the ones holding a rest literal.
    met: Vec<usize>,
    rest_met: Vec<usize>,
    /// Alternative id: its groups met.
    groups_met: Vec<usize>,
    /// Rule id: whether the file passes its header tests, once asked.
    header: Vec<Option<bool>>,
}

impl Tally<'_> {
    fn header_passes(&mut self, rule: usize) -> bool {
        let (gate, bytes) = (self.gate, self.bytes);
        *self.header[rule]
            .get_or_insert_with(|| gate.headers[rule].iter().all(|t| t.may_pass(bytes)))
    }

    /// Marks literal `l` found; whether that completes an alternative of a rule the file's
    /// header allows.
    fn found(&mut self, l: usize) -> bool {
        let gate = self.gate;
        for &clause in &gate.clauses_of[l] {
            if std::mem::replace(&mut self.clause_met[clause], true) {
                continue;
            }
            let g = gate.group_of[clause];
            self.met[g] += 1;
            self.rest_met[g] += usize::from(gate.clause_has_rest[clause]);
            let group = &gate.groups[g];
            if self.met[g] != group.at_least {
                continue;
            }
            let a = group.alternative;
            self.groups_met[a] += 1;
            let alt = &gate.alternatives[a];
            if self.groups_met[a] == alt.groups.len() && self.header_passes(alt.rule) {
                return true;
            }
        }
        false
    }

    /// Whether the rest literals could complete alternative `a`: each group met, or short by
    /// no more than its clauses with a rest literal not yet met.
    fn completable(&mut self, a: usize) -> bool {
        let gate = self.gate;
        let alt = &gate.alternatives[a];
        alt.groups.clone().all(|g| {
            let group = &gate.groups[g];
            self.met[g] + group.with_rest - self.rest_met[g] >= group.at_least
        }) && self.header_passes(alt.rule)
    }
}

/// The header tests a condition makes at its top: the operands of its `and` (or the condition
/// itself) that test the first bytes.
pub(super) fn header_tests(condition: &Expr) -> Vec<HeaderTest> {
    match condition {
        Expr::And(all) => all.operands().filter_map(HeaderTest::of).collect(),
        e => HeaderTest::of(e).into_iter().collect(),
    }
}

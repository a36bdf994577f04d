//! Which files the built-in rules cannot match: the literals at least one of which every match
//! of every built-in rule needs in the file, worked out from the rules' own syntax trees
//! (`yara_x_parser`), never written beside them, so that editing a rule cannot leave a stale
//! gate behind.
//!
//! A rule's condition needs a pattern where it cannot be true without that pattern matching:
//! `$a`, `#a > 0`, `2 of ($a*)`, `for any of ($b*) : ($ at 0)`; an `and` needs what each of
//! its operands needs, an `or` what one of its operands needs; anything else (`not`,
//! `filesize`, a module, another rule) needs nothing, and a rule that needs nothing leaves every
//! file to YARA. A pattern needs its literal (both cases; the wide form for `wide`), a regex the
//! literals `analyze::gate` finds in its syntax tree, a hex string its longest run of fixed
//! bytes, a `base64` pattern the stable middles of its three encodings; `xor` patterns cannot be
//! reduced to a literal and need nothing.
//!
//! A rule's need is kept as alternatives of conjunctions (`$a and $b` needs both literals) of
//! groups of clauses of which a number must hold (`5 of them` needs five of its patterns'
//! literals), and the clauses with a literal shorter than three characters are dropped (they
//! narrow nothing).
//! The literals that are printable runs of at least `regions::MIN_RUN`, in ASCII or UTF-16LE,
//! are needles of the shared walk (the YARA analyzer declares them), so deciding costs nothing
//! for most files; the others (three-character words, unprintable hex runs) are searched in the
//! whole buffer, only where they would decide.

mod literals;
mod rule_gate;

pub use rule_gate::{builtin, RuleGate};

use literals::{chars, pattern_need};
use std::collections::HashMap;
use yara_x_parser::ast::{self, Expr, OfItems, PatternSet, Quantifier};

/// Literals of which a file must hold one.
type Clause = Vec<Vec<u8>>;

/// Clauses of which at least `at_least` must hold (one clause needed once: the clause itself).
/// Each clause stands for one pattern (or one part of a condition), so two equal clauses are
/// two: one literal found meets both.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Group {
    at_least: usize,
    clauses: Vec<Clause>,
}

impl Group {
    fn one(clause: Clause) -> Group {
        Group {
            at_least: 1,
            clauses: vec![clause],
        }
    }

    /// The clauses of which a file meeting the group holds one: any `len - at_least + 1` of
    /// them, the cheapest.
    fn cheapest_cover(&self) -> Vec<&Clause> {
        let mut clauses: Vec<&Clause> = self.clauses.iter().collect();
        clauses.sort_by_key(|c| clause_cost(c));
        clauses.truncate(self.clauses.len() + 1 - self.at_least);
        clauses
    }

    fn cost(&self) -> u32 {
        self.cheapest_cover().into_iter().map(clause_cost).sum()
    }

    /// Only the clauses that narrow (`usable`): each one dropped may be one of those met, so
    /// the group needs one fewer; `None` when it then needs none.
    fn narrowed(mut self) -> Option<Group> {
        let before = self.clauses.len();
        self.clauses.retain(usable);
        let dropped = before - self.clauses.len();
        let at_least = self.at_least.checked_sub(dropped).filter(|&k| k >= 1)?;
        Some(Group {
            at_least,
            clauses: self.clauses,
        })
    }

    fn tidy(&mut self) {
        for clause in &mut self.clauses {
            clause.sort();
            clause.dedup();
        }
        self.clauses.sort();
        if self.at_least == 1 {
            self.clauses.dedup();
        }
    }
}

/// What a part of a condition needs: alternatives (any one will do), each a conjunction of
/// groups (all of them must hold). Sound whatever is dropped from a conjunction, never from the
/// alternatives. Groups are chosen by cost (`clause_cost`) and kept only where they narrow
/// (`narrowing`).
#[derive(Clone, Debug)]
struct Need {
    alternatives: Vec<Vec<Group>>,
}

/// Most alternatives a need keeps before they are folded into one clause.
const MAX_ALTERNATIVES: usize = 64;

impl Need {
    fn clause(literals: Clause) -> Need {
        Need {
            alternatives: vec![vec![Group::one(literals)]],
        }
    }

    /// What searching for this costs: its dearest alternative's cheapest group.
    fn cost(&self) -> u32 {
        self.alternatives
            .iter()
            .map(|conj| conj.iter().map(Group::cost).min().unwrap_or(u32::MAX))
            .max()
            .unwrap_or(u32::MAX)
    }

    /// One clause every alternative implies: the union of each one's cheapest group's cover.
    fn folded(&self) -> Clause {
        let mut out: Clause = self
            .alternatives
            .iter()
            .filter_map(|conj| conj.iter().min_by_key(|g| g.cost()))
            .flat_map(Group::cheapest_cover)
            .flatten()
            .cloned()
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// Sorted, repeats dropped (an `or` of patterns sharing literals repeats them).
    fn tidy(mut self) -> Need {
        for conj in &mut self.alternatives {
            conj.iter_mut().for_each(Group::tidy);
            conj.sort();
            conj.dedup();
        }
        self.alternatives.sort();
        self.alternatives.dedup();
        self
    }

    fn any(needs: Vec<Need>) -> Need {
        let alternatives: Vec<Vec<Group>> =
            needs.iter().flat_map(|n| n.alternatives.clone()).collect();
        let any = Need { alternatives }.tidy();
        if any.alternatives.len() <= MAX_ALTERNATIVES {
            return any;
        }
        Need::clause(needs.iter().flat_map(Need::folded).collect())
    }

    /// Both: every pairing of alternatives, or, past `MAX_ALTERNATIVES`, `self` with `other`
    /// folded into one clause of each.
    fn and(self, other: &Need) -> Need {
        let pairs = self.alternatives.len() * other.alternatives.len();
        let alternatives = if pairs <= MAX_ALTERNATIVES {
            self.alternatives
                .iter()
                .flat_map(|a| {
                    other
                        .alternatives
                        .iter()
                        .map(move |b| [a.clone(), b.clone()].concat())
                })
                .collect()
        } else {
            let folded = Group::one(other.folded());
            self.alternatives
                .into_iter()
                .map(|mut conj| {
                    conj.push(folded.clone());
                    conj
                })
                .collect()
        };
        Need { alternatives }.tidy()
    }
}

/// How much a clause costs to gate on: a short literal is in most files, a long one in few.
fn clause_cost(clause: &Clause) -> u32 {
    clause
        .iter()
        .map(|l| 16u32.saturating_sub(chars(l) as u32).max(1))
        .sum()
}

/// Whether a clause narrows anything: every literal at least three characters (shorter text,
/// `-o`, is in nearly every file). A three-character literal is not in the walk: it is looked
/// for only where it would decide.
fn usable(clause: &Clause) -> bool {
    !clause.is_empty() && clause.iter().all(|l| chars(l) >= 3)
}

/// The groups of a conjunction that narrow; `None` when none is left.
fn narrowing(conj: Vec<Group>) -> Option<Vec<Group>> {
    let conj: Vec<Group> = conj.into_iter().filter_map(Group::narrowed).collect();
    (!conj.is_empty()).then_some(conj)
}

/// A pattern's name as conditions write it, without its sigil (`$a`, `#a`, `@a`, `!a` are `a`;
/// the anonymous `$` of a `for ... of` body is empty).
fn bare(name: &str) -> &str {
    name.get(1..).unwrap_or("")
}

/// What one rule needs: its condition's need over its patterns' needs, with the groups that
/// narrow nothing dropped; `None` if some alternative is left with none.
fn rule_need(rule: &ast::Rule) -> Option<Need> {
    let mut patterns: Vec<(&str, Option<Need>)> = Vec::new();
    for p in rule.patterns.iter().flatten() {
        patterns.push((bare(p.identifier().name), pattern_need(p)));
    }
    let scope = Scope {
        patterns: patterns.into_iter().collect(),
        anonymous: None,
    };
    let need = scope.need(&rule.condition)?;
    let alternatives = need
        .alternatives
        .into_iter()
        .map(narrowing)
        .collect::<Option<Vec<_>>>()?;
    Some(Need { alternatives }.tidy())
}

/// The patterns of one rule, and what `$` stands for inside a `for ... of` body.
struct Scope<'r> {
    patterns: HashMap<&'r str, Option<Need>>,
    anonymous: Option<Need>,
}

impl Scope<'_> {
    fn pattern(&self, name: &str) -> Option<Need> {
        if name.is_empty() {
            return self.anonymous.clone();
        }
        self.patterns.get(name).cloned().flatten()
    }

    /// The needs of the patterns `set` covers (`them` is all of them).
    fn members(&self, set: &PatternSet) -> Vec<Option<Need>> {
        let mut names: Vec<&&str> = self.patterns.keys().collect();
        names.sort();
        names
            .into_iter()
            .filter(|name| match set {
                PatternSet::Them { .. } => true,
                PatternSet::Set(items) => items.iter().any(|i| {
                    let item = bare(i.identifier);
                    if i.wildcard {
                        name.starts_with(item)
                    } else {
                        **name == item
                    }
                }),
            })
            .map(|name| self.pattern(name))
            .collect()
    }

    fn need(&self, expr: &Expr) -> Option<Need> {
        match expr {
            Expr::PatternMatch(m) => self.pattern(bare(m.identifier.name)),
            Expr::Gt(b) => self.count_at_least(&b.lhs, &b.rhs, 1),
            Expr::Ge(b) | Expr::Eq(b) => self.count_at_least(&b.lhs, &b.rhs, 0),
            Expr::And(all) => {
                // Every operand that needs something, the most narrowing first (so that they
                // are the ones kept whole when the pairings grow too many).
                let mut needs: Vec<Need> = all.operands().filter_map(|e| self.need(e)).collect();
                needs.sort_by_key(Need::cost);
                let mut needs = needs.into_iter();
                let first = needs.next()?;
                Some(needs.fold(first, |acc, n| acc.and(&n)))
            }
            Expr::Or(any) => {
                let needs: Option<Vec<Need>> = any.operands().map(|e| self.need(e)).collect();
                needs.map(Need::any)
            }
            Expr::Of(of) => {
                let members = match &of.items {
                    OfItems::PatternSet(set) => self.members(set),
                    OfItems::BoolExprTuple(exprs) => exprs.iter().map(|e| self.need(e)).collect(),
                };
                at_least(quantity(&of.quantifier, members.len())?, members)
            }
            Expr::ForOf(f) => {
                // Over a set that is never empty, `all` needs its body true at least once.
                quantity(&f.quantifier, usize::MAX)?;
                // `$` is each member in turn: needing it needs one of them.
                let members: Option<Vec<Need>> = self.members(&f.pattern_set).into_iter().collect();
                let body = Scope {
                    patterns: self.patterns.clone(),
                    anonymous: members
                        .map(|m| Need::clause(m.iter().flat_map(Need::folded).collect())),
                };
                body.need(&f.body)
            }
            Expr::ForIn(f) => {
                // The body holds for some value: what it needs, whatever the value. Not `all`,
                // which an empty range makes true.
                if matches!(f.quantifier, Quantifier::All { .. }) {
                    return None;
                }
                quantity(&f.quantifier, usize::MAX)?;
                self.need(&f.body)
            }
            _ => None,
        }
    }

    /// `#a > n` (`more` 1) or `#a >= n`, `#a == n` (`more` 0) with `n + more` at least 1.
    fn count_at_least(&self, lhs: &Expr, rhs: &Expr, more: i64) -> Option<Need> {
        match (lhs, rhs) {
            (Expr::PatternCount(c), Expr::LiteralInteger(n))
                if c.range.is_none() && n.value.saturating_add(more) >= 1 =>
            {
                self.pattern(bare(c.identifier.name))
            }
            _ => None,
        }
    }
}

/// How many of `len` members a quantifier needs true (at least one), if it says.
fn quantity(q: &Quantifier, len: usize) -> Option<usize> {
    let n = match q {
        Quantifier::Any { .. } => 1,
        Quantifier::All { .. } => len,
        Quantifier::Expr(Expr::LiteralInteger(n)) => usize::try_from(n.value).ok()?,
        _ => return None,
    };
    (n >= 1 && n <= len).then_some(n)
}

/// `n` of `members` true. One of them: one of their needs, each kept whole. More: a group of
/// their folded clauses, `n` less those that need nothing (any of those may be among the true
/// ones).
fn at_least(n: usize, members: Vec<Option<Need>>) -> Option<Need> {
    let unknown = members.iter().filter(|m| m.is_none()).count();
    let known: Vec<Need> = members.into_iter().flatten().collect();
    let needed = n.checked_sub(unknown).filter(|&k| k >= 1)?;
    if needed == 1 {
        return (unknown == 0).then(|| Need::any(known));
    }
    Some(Need {
        alternatives: vec![vec![Group {
            at_least: needed,
            clauses: known.iter().map(Need::folded).collect(),
        }]],
    })
}

#[cfg(test)]
mod tests;

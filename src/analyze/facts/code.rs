//! Facts from code and package manifests: `package.json` install hooks (run by npm without
//! asking) and `bin` entries (installed onto the PATH), node `child_process` calls and Python
//! `subprocess`/`os.system` calls whose program is a literal, a path built from the module's
//! own directory (`__dirname`, `os.path.dirname(__file__)`), or a variable set to one.

use super::commands::command_line;
use super::Facts;
use crate::outcome::triage::Relation;
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The `package.json` scripts npm runs by itself on install.
const INSTALL_HOOKS: &[&str] = &["preinstall", "install", "postinstall", "prepare"];
/// Variables remembered per file.
const MAX_VARS: usize = 32;
/// Calls looked at per file.
const MAX_CALLS: usize = 256;

pub(super) fn package_json(text: &str, facts: &mut Facts) {
    let Ok(doc) = serde_json::from_str::<serde_json::Value>(text) else {
        return;
    };
    if let Some(scripts) = doc.get("scripts").and_then(|s| s.as_object()) {
        for hook in INSTALL_HOOKS {
            if let Some(cmd) = scripts.get(*hook).and_then(|c| c.as_str()) {
                command_line(cmd, true, facts, 0);
            }
        }
    }
    match doc.get("bin") {
        Some(serde_json::Value::String(s)) => facts.push_file(Relation::Installs, s),
        Some(serde_json::Value::Object(m)) => {
            for v in m.values().filter_map(|v| v.as_str()) {
                facts.push_file(Relation::Installs, v);
            }
        }
        _ => {}
    }
}

/// Which language's calls and own-directory forms are read.
struct Lang {
    calls: &'static LazyLock<Regex>,
    assign: &'static LazyLock<Regex>,
    /// The module's own directory (`__dirname`).
    self_dir: &'static [&'static str],
    /// Path joiners (`path.join(`).
    joins: &'static [&'static str],
}

/// Node: group 1 the function; the argument follows the match.
static NODE_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(spawnSync|spawn|execFileSync|execFile|fork|execSync|exec)\s*\(\s*")
        .expect("static regex")
});
static NODE_ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*").expect("static regex")
});
static PY_CALL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?:subprocess\.(Popen|run|call|check_call|check_output)",
        r"|os\.(system|popen|execv|execvp|execl|spawnl))\s*\(\s*\[?\s*"
    ))
    .expect("static regex")
});
static PY_ASSIGN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?m)^\s*([A-Za-z_]\w*)\s*=\s*").expect("static regex"));

static NODE: Lang = Lang {
    calls: &NODE_CALL,
    assign: &NODE_ASSIGN,
    self_dir: &["__dirname", "process.cwd()"],
    joins: &[
        "path.join(",
        "path.resolve(",
        "join(",
        "resolve(",
        "require('path').join(",
    ],
};
static PYTHON: Lang = Lang {
    calls: &PY_CALL,
    assign: &PY_ASSIGN,
    self_dir: &[
        "os.path.dirname(os.path.abspath(__file__))",
        "os.path.dirname(os.path.realpath(__file__))",
        "os.path.dirname(__file__)",
    ],
    joins: &["os.path.join("],
};

pub(super) fn node(text: &str, facts: &mut Facts) {
    calls(text, &NODE, facts);
}

pub(super) fn python(text: &str, facts: &mut Facts) {
    calls(text, &PYTHON, facts);
}

fn calls(text: &str, lang: &Lang, facts: &mut Facts) {
    // Variables matter only as calls' arguments: a text without a call is not read for them.
    if !lang.calls.is_match(text) {
        return;
    }
    let mut vars: HashMap<&str, String> = HashMap::new();
    for c in lang.assign.captures_iter(text) {
        if vars.len() >= MAX_VARS {
            break;
        }
        let rest = &text[c.get(0).map_or(0, |m| m.end())..];
        if let Some(v) = argument(rest, lang, &facts.dir, &HashMap::new()) {
            vars.insert(c.get(1).map_or("", |m| m.as_str()), v);
        }
    }
    for c in lang.calls.captures_iter(text).take(MAX_CALLS) {
        if facts.full() {
            return;
        }
        let function = c.get(1).or(c.get(2)).map_or("", |m| m.as_str());
        let rest = &text[c.get(0).map_or(0, |m| m.end())..];
        let Some(arg) = argument(rest, lang, &facts.dir, &vars) else {
            continue;
        };
        // A command line (run by a shell), or the program itself.
        let shell = matches!(function, "exec" | "execSync" | "system" | "popen")
            || (arg.contains(' ') && !arg.starts_with('/'));
        if shell {
            command_line(&arg, false, facts, 0);
        } else {
            facts.push_file(Relation::Starts, &arg);
        }
    }
}

/// The value of the expression at the start of `rest`: a string literal, the module's own
/// directory, a join of those, a concatenation, or a variable holding one.
fn argument(rest: &str, lang: &Lang, dir: &str, vars: &HashMap<&str, String>) -> Option<String> {
    let rest = rest.trim_start();
    let mut value = String::new();
    let mut at = rest;
    loop {
        let (part, after) = term(at, lang, dir, vars)?;
        value.push_str(&part);
        let next = after.trim_start();
        match next.strip_prefix('+') {
            Some(more) => at = more.trim_start(),
            None => break,
        }
    }
    (!value.is_empty()).then_some(value)
}

/// One term: a literal, the own directory, a join, a variable. Returns it and what follows.
fn term<'t>(
    at: &'t str,
    lang: &Lang,
    dir: &str,
    vars: &HashMap<&str, String>,
) -> Option<(String, &'t str)> {
    if let Some(q) = at.chars().next().filter(|c| matches!(c, '\'' | '"' | '`')) {
        let body = &at[1..];
        let end = body.find(q)?;
        let lit = &body[..end];
        let lit = if q == '`' {
            let mut l = lit.to_owned();
            for d in lang.self_dir {
                l = l.replace(&format!("${{{d}}}"), dir);
            }
            l
        } else {
            lit.to_owned()
        };
        return Some((lit, &body[end + 1..]));
    }
    for d in lang.self_dir {
        if let Some(after) = at.strip_prefix(d) {
            return Some((dir.to_owned(), after));
        }
    }
    for j in lang.joins {
        if let Some(args) = at.strip_prefix(j) {
            return join(args, lang, dir, vars);
        }
    }
    let ident_len = at
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
        .unwrap_or(at.len());
    let value = vars.get(&at[..ident_len])?;
    Some((value.clone(), &at[ident_len..]))
}

/// The arguments of a path join up to its `)`, joined with `/`.
fn join<'t>(
    mut args: &'t str,
    lang: &Lang,
    dir: &str,
    vars: &HashMap<&str, String>,
) -> Option<(String, &'t str)> {
    let mut parts: Vec<String> = Vec::new();
    loop {
        args = args.trim_start();
        if let Some(after) = args.strip_prefix(')') {
            let mut out = String::new();
            for p in &parts {
                if p.starts_with('/') {
                    out = p.clone();
                } else if !p.is_empty() {
                    if !out.is_empty() && !out.ends_with('/') {
                        out.push('/');
                    }
                    out.push_str(p);
                }
            }
            return Some((out, after));
        }
        let (part, after) = term(args, lang, dir, vars)?;
        parts.push(part);
        args = after.trim_start();
        args = args.strip_prefix(',').unwrap_or(args);
        if parts.len() > 16 {
            return None;
        }
    }
}

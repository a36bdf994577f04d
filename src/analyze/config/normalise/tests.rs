use super::normalised;
use crate::scan::kind::FileKind;

fn lines(kind: FileKind, text: &str) -> Vec<String> {
    let out = normalised(kind, text);
    assert_eq!(
        out.lines().count(),
        text.lines().count(),
        "line count kept: {out:?}"
    );
    out.lines().map(str::to_owned).collect()
}

#[test]
fn carets_escape_outside_quotes_and_continue_lines() {
    let got = lines(
        FileKind::Batch,
        "@echo off\r\np^o^w^e^r^s^h^e^l^l -c \"a^b\"\r\nstart /b x.exe ^\r\n  -o h:1 ^\r\n  -u w\r\necho ^^ ^<b^>\r\n",
    );
    assert_eq!(got[1], "powershell -c \"a^b\"");
    assert_eq!(got[2], "start /b x.exe   -o h:1   -u w");
    assert_eq!((got[3].as_str(), got[4].as_str()), ("", ""));
    assert_eq!(got[5], "echo ^ <b>");
}

#[test]
fn a_comment_caret_joins_nothing_and_a_final_caret_keeps_its_line() {
    let got = lines(FileKind::Batch, "rem note ^\nt^a^s^k^k^i^l^l /im x.exe ^");
    assert_eq!(got, ["rem note ^", "taskkill /im x.exe "]);
    // Other kinds keep their carets (a regex, a shell `^`).
    assert_eq!(lines(FileKind::Shell, "grep ^a^b f"), ["grep ^a^b f"]);
}

#[test]
fn vbscript_concatenation_folds_through_variables_and_chr() {
    let text = "Dim sh, h\nSet sh = CreateObject(\"WScript.Shell\")\nh = \"198.51.\" & \"100.7\"\nexe = sh.ExpandEnvironmentStrings(\"%APPDATA%\") & \"\\x\\ctf.exe\"\n' \"a\" & \"b\"\nsh.Run Chr(34) & exe & Chr(34) & \" -o \" & h & \":3333\", 0, False\ncmd = \"x\" + \"mrig\" & _\n  \".exe\"\nsh.Run cmd, 0\n";
    let got = lines(FileKind::VbScript, text);
    assert_eq!(got[2], "h = \"198.51.100.7\"");
    assert_eq!(got[4], "' \"a\" & \"b\"", "comments stay");
    assert_eq!(
        got[5],
        "sh.Run \"'%APPDATA%\\x\\ctf.exe' -o 198.51.100.7:3333\", 0, False"
    );
    assert_eq!(got[6], "cmd = \"xmrig.exe\"");
    assert_eq!(got[7], "");
    assert_eq!(got[8], "sh.Run \"xmrig.exe\", 0");
}

#[test]
fn jscript_folds_only_under_windows_script_host() {
    let text = "var sh = new ActiveXObject(\"WScript.Shell\");\nvar p = 'x' + \"m\\x72ig\" + String.fromCharCode(46, 101, 120, 101);\nsh.Run(p + ' -o h:1', 0, false);\n";
    let got = lines(FileKind::JavaScript, text);
    assert_eq!(got[1], "var p = \"xmrig.exe\";");
    assert_eq!(got[2], "sh.Run(\"xmrig.exe -o h:1\", 0, false);");
    let web = "const a = 'x' + 'y';\n";
    assert_eq!(lines(FileKind::JavaScript, web), ["const a = 'x' + 'y';"]);
}

#[test]
fn numbers_comparisons_and_plain_strings_are_left_alone() {
    let text = "If a == \"b\" Then\nn = &H22 & \"\"\nx = 1 + 2\nMsgBox \"plain\"\n";
    let got = lines(FileKind::VbScript, text);
    assert_eq!(got[0], "If a == \"b\" Then");
    assert_eq!(got[2], "x = 1 + 2");
    assert_eq!(got[3], "MsgBox \"plain\"");
}

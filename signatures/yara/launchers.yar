// minerscan built-in pack: how droppers and launchers start a miner where YARA can see it in one
// pass: a miner command line under a Windows system program's name, miner options hidden as
// escaped, hex or base64 strings, and scripts that run text they have just decoded or that
// spawn detached processes from obfuscated JavaScript. The launcher heuristics that need to
// follow variables, directories and lines (hidden windows, Run keys, download-and-run) are the
// script analyzer's; these rules add what survives obfuscation.
// Written by the minerscan authors from the public reports cited in each rule's `reference`.

rule Miner_Launch_System_Process_Name
{
    meta:
        description = "A miner command line (pool, donate level, algorithm or background options) started under the name of a Windows system program or a misspelling of one (svchost, csrss, conhost, taskhostw, RuntimeBroker, svhost ...)"
        author = "minerscan"
        class = "hiding"
        score = 65
        reference = "https://attack.mitre.org/techniques/T1036/005/; Microsoft Security Intelligence, cryptojacking reports (2018-2023)"
        mitre = "T1036.005"
        version = 1
        date = "2026-12-05"
    strings:
        $n = /(svchost|svchosts|svhost|scvhost|svch0st|csrss|csrs|lsass|lsas|smss|wininit|winlogon|winlogin|spoolsv|conhost|dllhost|taskhost|taskhostw|taskhostex|RuntimeBroker|WmiPrvSE|sihost|ctfmon|dwm|explorer|expl0rer|rundll32|wuauclt|audiodg|SearchIndexer|SearchProtocolHost|MsMpEng|taskmgr|services)(\.exe)?["']?[ \t]([^\r\n]{0,200}[ \t"'])?(-o +["']?((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}|--url[= ]|--donate-level|--cpu-max-threads-hint|--coin[= ]|--algo[= ]|-a +(rx|cn|kawpow|ethash|etchash|argon2)|-e?pool +[a-zA-Z0-9.\-]{3,100}:[0-9]{2,5}|--max-cpu-usage)/ ascii wide nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $n
}

rule Obfuscated_Miner_Strings_Escaped
{
    meta:
        description = "Miner options, pool names or protocol words written as \\xNN or \\u00NN escapes, as JavaScript and Python obfuscators leave them in string arrays"
        author = "minerscan"
        class = "miner"
        score = 60
        reference = "https://github.com/javascript-obfuscator/javascript-obfuscator (string array encoding); Sonatype and ReversingLabs reports on npm and PyPI packages that drop miners (2021-2024)"
        mitre = "T1027"
        version = 1
        date = "2026-12-05"
    strings:
        // --donate
        $x1 = "\\x2d\\x2d\\x64\\x6f\\x6e\\x61\\x74\\x65" ascii nocase
        $u1 = "\\u002d\\u002d\\u0064\\u006f\\u006e\\u0061\\u0074\\u0065" ascii nocase
        // stratum+
        $x2 = "\\x73\\x74\\x72\\x61\\x74\\x75\\x6d\\x2b" ascii nocase
        $u2 = "\\u0073\\u0074\\u0072\\u0061\\u0074\\u0075\\u006d\\u002b" ascii nocase
        // xmrig
        $x3 = "\\x78\\x6d\\x72\\x69\\x67" ascii nocase
        $u3 = "\\u0078\\u006d\\u0072\\u0069\\u0067" ascii nocase
        // cpu-max-threads
        $x4 = "\\x63\\x70\\x75\\x2d\\x6d\\x61\\x78\\x2d\\x74\\x68\\x72\\x65\\x61\\x64\\x73" ascii nocase
        // randomx
        $x5 = "\\x72\\x61\\x6e\\x64\\x6f\\x6d\\x78" ascii nocase
        // mining.subscribe
        $x6 = "\\x6d\\x69\\x6e\\x69\\x6e\\x67\\x2e\\x73\\x75\\x62\\x73\\x63\\x72\\x69\\x62\\x65" ascii nocase
        // supportxmr, moneroocean, nanopool, hashvault, c3pool, minexmr, 2miners
        $p1 = "\\x73\\x75\\x70\\x70\\x6f\\x72\\x74\\x78\\x6d\\x72" ascii nocase
        $p2 = "\\x6d\\x6f\\x6e\\x65\\x72\\x6f\\x6f\\x63\\x65\\x61\\x6e" ascii nocase
        $p3 = "\\x6e\\x61\\x6e\\x6f\\x70\\x6f\\x6f\\x6c" ascii nocase
        $p4 = "\\x68\\x61\\x73\\x68\\x76\\x61\\x75\\x6c\\x74" ascii nocase
        $p5 = "\\x63\\x33\\x70\\x6f\\x6f\\x6c" ascii nocase
        $p6 = "\\x6d\\x69\\x6e\\x65\\x78\\x6d\\x72" ascii nocase
        $p7 = "\\x32\\x6d\\x69\\x6e\\x65\\x72\\x73" ascii nocase
    condition:
        2 of them
}

rule Encoded_Miner_Command
{
    meta:
        description = "Script that decodes hex or base64 text (the standard alphabet or javascript-obfuscator's) carrying miner options or the Stratum protocol (--donate-level, stratum+tcp://, --cpu-max-threads-hint, mining.subscribe)"
        author = "minerscan"
        class = "miner"
        score = 60
        reference = "https://attack.mitre.org/techniques/T1140/; Checkmarx and Phylum reports on PyPI and npm miner droppers (2022-2024)"
        mitre = "T1140"
        version = 1
        date = "2026-12-05"
    strings:
        $h1 = "2d2d646f6e6174652d6c6576656c" ascii nocase
        $h2 = "7374726174756d2b746370" ascii nocase
        $h3 = "2d2d6370752d6d61782d746872656164732d68696e74" ascii nocase
        $h4 = "6d696e696e672e737562736372696265" ascii nocase
        // base64 tokens are cut to a multiple of three bytes: libyara and yara-x then agree on
        // every encoding that starts with the token, padded or not
        $b1 = "--donate-lev" base64
        $b2 = "stratum+tcp:" base64
        $b3 = "--cpu-max-threads-" base64
        $b4 = "mining.subscrib" base64
        // javascript-obfuscator's string-array base64 uses its own alphabet, lower case first
        $b5 = "--donate-lev" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $b6 = "stratum+tcp:" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $b7 = "--cpu-max-threads-" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $unhex1 = "bytes.fromhex" ascii
        $unhex2 = "unhexlify" ascii
        $unhex3 = /Buffer\.from\([^\n]{1,400}["']hex["']\)/ ascii
        $unhex4 = "hex2bin" ascii
        $unhex5 = "xxd -r -p" ascii
        $unhex6 = "pack('H*'" ascii
        $unhex7 = "decode('hex')" ascii
        $unb641 = "b64decode" ascii
        $unb642 = /base64\s+(-d|--decode)/ ascii
        $unb643 = "atob(" ascii
        $unb644 = /Buffer\.from\([^\n]{1,4000}["']base64["']\)/ ascii
        $unb645 = "FromBase64String" ascii nocase
        $unb646 = "base64_decode" ascii
        $unb647 = "decode_base64" ascii
        $unb648 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and ((1 of ($h*) and 1 of ($unhex*)) or (1 of ($b*) and 1 of ($unb64*)))
}

rule Script_Exec_Decoded_Payload
{
    meta:
        description = "Script that runs text it has just decoded: exec/eval/Function of base64, hex, zlib, marshal or char-code decoding, or a shell command built from decoded bytes"
        author = "minerscan"
        class = "evasion"
        score = 45
        reference = "https://attack.mitre.org/techniques/T1027/; https://attack.mitre.org/techniques/T1140/"
        mitre = "T1027"
        version = 1
        date = "2026-12-05"
    strings:
        $py1 = /\bexec\s*\(\s*(base64\.b(64|32|85)decode|zlib\.decompress|marshal\.loads|codecs\.decode|bytes\.fromhex|binascii\.unhexlify|__import__\(\s*["'](base64|zlib|marshal|codecs|binascii)["']\))/ ascii
        $py2 = /\beval\s*\(\s*compile\s*\(\s*(base64|zlib|marshal)\./ ascii
        $py3 = /\bos\.(system|popen)\s*\(\s*(base64\.b64decode|bytes\.fromhex|binascii\.unhexlify|codecs\.decode)/ ascii
        $js1 = /\beval\s*\(\s*(Buffer\.from\s*\(|atob\s*\(|unescape\s*\(|String\.fromCharCode\s*\()/ ascii
        $js2 = /\bFunction\s*\(\s*(Buffer\.from\s*\(|atob\s*\(|unescape\s*\(|String\.fromCharCode\s*\()/ ascii
        $ps1 = /\b(iex|Invoke-Expression)\b[^\n]{0,120}\[(System\.)?Text\.Encoding\][^\n]{0,40}GetString\s*\(\s*\[(System\.)?Convert\]::FromBase64String/ ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of them
}

rule JS_Obfuscated_Process_Launch
{
    meta:
        description = "JavaScript obfuscator output (hex-named identifiers, string array) that loads child_process and starts a detached or hidden process, as npm miner droppers do"
        author = "minerscan"
        class = "evasion"
        score = 55
        reference = "https://github.com/javascript-obfuscator/javascript-obfuscator; Sonatype, npm packages dropping cryptominers (2021-2023)"
        mitre = "T1027"
        version = 1
        date = "2026-12-05"
    strings:
        $id = /_0x[0-9a-f]{4,6}\b/ ascii
        $cp1 = "child_process" ascii
        $cp2 = "\\x63\\x68\\x69\\x6c\\x64\\x5f\\x70\\x72\\x6f\\x63\\x65\\x73\\x73" ascii nocase
        $cp3 = "\\u0063\\u0068\\u0069\\u006c\\u0064\\u005f" ascii nocase
        $cp4 = "child_proces" base64
        $cp5 = "child_proces" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $d1 = "detached" ascii
        $d2 = "\\x64\\x65\\x74\\x61\\x63\\x68\\x65\\x64" ascii nocase
        $d3 = "unref" ascii
        $d4 = "\\x75\\x6e\\x72\\x65\\x66" ascii nocase
        $d5 = "windowsHide" ascii
        $d6 = "\\x77\\x69\\x6e\\x64\\x6f\\x77\\x73\\x48\\x69\\x64\\x65" ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and #id >= 20 and 1 of ($cp*) and 1 of ($d*)
}

rule XMRig_Options_Obfuscated
{
    meta:
        description = "XMRig-only options (--donate-level, --cpu-max-threads-hint) hidden as escapes, hex or base64 (standard or javascript-obfuscator alphabet) in a script that decodes them: an obfuscated XMRig launch"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 65
        reference = "https://xmrig.com/docs/miner/command-line-options; https://github.com/javascript-obfuscator/javascript-obfuscator"
        mitre = "T1027"
        version = 1
        date = "2026-12-05"
    strings:
        $e1 = "\\x2d\\x2d\\x64\\x6f\\x6e\\x61\\x74\\x65\\x2d\\x6c\\x65\\x76\\x65\\x6c" ascii nocase
        $e2 = "\\x2d\\x2d\\x63\\x70\\x75\\x2d\\x6d\\x61\\x78\\x2d\\x74\\x68\\x72\\x65\\x61\\x64\\x73\\x2d\\x68\\x69\\x6e\\x74" ascii nocase
        $e3 = "\\u002d\\u002d\\u0064\\u006f\\u006e\\u0061\\u0074\\u0065\\u002d\\u006c\\u0065\\u0076\\u0065\\u006c" ascii nocase
        $e4 = "\\u002d\\u002d\\u0063\\u0070\\u0075\\u002d\\u006d\\u0061\\u0078\\u002d\\u0074\\u0068\\u0072\\u0065\\u0061\\u0064\\u0073\\u002d\\u0068\\u0069\\u006e\\u0074" ascii nocase
        $h1 = "2d2d646f6e6174652d6c6576656c" ascii nocase
        $h2 = "2d2d6370752d6d61782d746872656164732d68696e74" ascii nocase
        $b1 = "--donate-lev" base64
        $b2 = "--cpu-max-threads-" base64
        $b3 = "--donate-lev" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $b4 = "--cpu-max-threads-" base64("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/")
        $unhex1 = "bytes.fromhex" ascii
        $unhex2 = "unhexlify" ascii
        $unhex3 = /Buffer\.from\([^\n]{1,400}["']hex["']\)/ ascii
        $unhex4 = "hex2bin" ascii
        $unhex5 = "xxd -r -p" ascii
        $unhex6 = "decode('hex')" ascii
        $unb641 = "b64decode" ascii
        $unb642 = /base64\s+(-d|--decode)/ ascii
        $unb643 = "atob(" ascii
        $unb644 = /Buffer\.from\([^\n]{1,4000}["']base64["']\)/ ascii
        $unb645 = "FromBase64String" ascii nocase
        $unb646 = "base64_decode" ascii
        $unb647 = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+/=" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and (1 of ($e*) or (1 of ($h*) and 1 of ($unhex*)) or (1 of ($b*) and 1 of ($unb64*)))
}

rule Script_Download_Spawn_Detached
{
    meta:
        description = "Python or Node.js code that downloads a file, makes it executable and starts it detached from the installer (new session, DETACHED_PROCESS, detached and unref): the supply-chain dropper pattern"
        author = "minerscan"
        class = "download_exec"
        score = 50
        reference = "https://attack.mitre.org/techniques/T1195/002/; Sonatype and Phylum reports on npm and PyPI miner droppers (2021-2024)"
        mitre = "T1105"
        version = 1
        date = "2026-12-05"
    strings:
        $py_dl1 = "urlretrieve(" ascii
        $py_dl2 = "urlopen(" ascii
        $py_dl3 = "requests.get(" ascii
        $py_x1 = "os.chmod(" ascii
        $py_x2 = "S_IEXEC" ascii
        $py_x3 = "0o755" ascii
        $py_x4 = "0o775" ascii
        $py_x5 = "0o777" ascii
        $py_run = /subprocess\.(Popen|run|call)\s*\(/ ascii
        $py_det1 = "start_new_session=True" ascii
        $py_det2 = "DETACHED_PROCESS" ascii
        $py_det3 = "0x00000008" ascii
        $py_det4 = "os.setsid" ascii
        $js_dl1 = /\bhttps?\.get\s*\(/ ascii
        $js_dl2 = "createWriteStream" ascii
        $js_dl3 = /\bfetch\s*\(/ ascii
        $js_x1 = "chmodSync" ascii
        $js_x2 = /\bchmod\s*\(/ ascii
        $js_run = /\b(spawn|execFile|exec)\s*\(/ ascii
        $js_det1 = /detached\s*:\s*(true|!0|!!\[\])/ ascii
        $js_det2 = /\.unref\s*\(\s*\)/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        // the download, the chmod and the detached start sit together, as in an install hook;
        // a large program or manual that mentions each API somewhere does not match
        and (for any i in (1..#py_run) : (
                for any of ($py_dl*) : ($ in (@py_run[i] - 4096 .. @py_run[i] + 4096))
                and (for any of ($py_det2, $py_det3) : ($ in (@py_run[i] - 4096 .. @py_run[i] + 4096))
                     or (for any of ($py_x*) : ($ in (@py_run[i] - 4096 .. @py_run[i] + 4096))
                         and for any of ($py_det1, $py_det4) : ($ in (@py_run[i] - 4096 .. @py_run[i] + 4096)))))
          // anchored on the rare detach markers: exec( is everywhere in JavaScript (RegExp.exec)
          or for any i in (1..#js_det1) : (
                for any of ($js_dl*) : ($ in (@js_det1[i] - 4096 .. @js_det1[i] + 4096))
                and for any of ($js_x*) : ($ in (@js_det1[i] - 4096 .. @js_det1[i] + 4096))
                and $js_run in (@js_det1[i] - 4096 .. @js_det1[i] + 4096))
          or for any i in (1..#js_det2) : (
                for any of ($js_dl*) : ($ in (@js_det2[i] - 4096 .. @js_det2[i] + 4096))
                and for any of ($js_x*) : ($ in (@js_det2[i] - 4096 .. @js_det2[i] + 4096))
                and $js_run in (@js_det2[i] - 4096 .. @js_det2[i] + 4096)))
}

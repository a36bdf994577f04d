// minerscan built-in pack: in-browser miners (Coinhive and its successors and clones).
// A miner library file is class `miner`; a page or script that loads one and starts it for
// the site's visitors is class `injection`.
// Written by the minerscan authors from the public facts cited in each rule's `reference`.

rule WebMiner_Coinhive_Library
{
    meta:
        description = "Coinhive-style browser miner library: the CoinHive object with its miner internals (WASM/asm.js CryptoNight, tab locking, hash counters)"
        author = "minerscan"
        family = "coinhive"
        coin = "monero"
        class = "miner"
        score = 70
        reference = "https://en.wikipedia.org/wiki/Coinhive"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "CoinHive" ascii wide
        $n2 = "coinhive" ascii wide
        $i1 = "CryptonightWASMWrapper" ascii wide
        $i2 = "WEBSOCKET_SHARDS" ascii wide
        $i3 = "FORCE_EXCLUSIVE_TAB" ascii wide
        $i4 = "IF_EXCLUSIVE_TAB" ascii wide
        $i5 = "FORCE_MULTI_TAB" ascii wide
        $i6 = "getHashesPerSecond" ascii wide
        $i7 = "getAcceptedHashes" ascii wide
        $i8 = "cryptonight.wasm" ascii wide
        $i9 = "cryptonight-asmjs" ascii wide
        $i10 = "CoinHive.CONFIG" ascii wide
    condition:
        1 of ($n*) and 4 of ($i*)
}

rule WebMiner_Coinhive_Embed
{
    meta:
        description = "Page or script that starts the Coinhive/AuthedMine miner for visitors (new CoinHive.Anonymous/User/Token)"
        author = "minerscan"
        family = "coinhive"
        coin = "monero"
        class = "injection"
        score = 75
        reference = "https://en.wikipedia.org/wiki/Coinhive"
        mitre = "T1496"
        version = 1
    strings:
        $new = /new\s+CoinHive\.(Anonymous|User|Token)\(\s*(['"][A-Za-z0-9_\-]{4,}|['"](%s|\$\{[A-Za-z_][A-Za-z0-9_.]{0,40}\}|\{\{?\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,40}\s{0,2}\}\}?)['"]|[a-zA-Z_$][a-zA-Z0-9_.$\[\]]*\s*[,)])/
        // A real script element loading the library; an article quotes it escaped (&lt;script).
        $tag = /<script[^>]{0,200}src\s*=\s*["']?[^"'>]{0,200}(coinhive|authedmine)[^"'>]{0,100}\.js/ nocase
        $start = ".start(" ascii
    condition:
        $new and ($tag or $start)
}

rule WebMiner_CryptoLoot_Embed
{
    meta:
        description = "Page or script that starts the CryptoLoot browser miner (new CRLT.Anonymous / CryptoLoot.Anonymous)"
        author = "minerscan"
        family = "cryptoloot"
        coin = "monero"
        class = "injection"
        score = 75
        reference = "https://crypto-loot.com/"
        mitre = "T1496"
        version = 1
    strings:
        $new = /new\s+(CRLT|CryptoLoot)\.(Anonymous|User|Token)\(\s*(['"][A-Za-z0-9_\-]{4,}|['"](%s|\$\{[A-Za-z_][A-Za-z0-9_.]{0,40}\}|\{\{?\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,40}\s{0,2}\}\}?)['"]|[a-zA-Z_$][a-zA-Z0-9_.$\[\]]*\s*[,)])/
        $d1 = "crypto-loot.com" ascii nocase
        $d2 = "cryptoloot.pro" ascii nocase
        $d3 = "webmine.pro" ascii nocase
        $start = ".start(" ascii
    condition:
        $new and (1 of ($d*) or $start)
}

rule WebMiner_CoinImp_Embed
{
    meta:
        description = "Page or script that starts the CoinImp browser miner (new Client.Anonymous with a 64-hex site key and throttle)"
        author = "minerscan"
        family = "coinimp"
        coin = "monero"
        class = "injection"
        score = 75
        reference = "https://www.coinimp.com/"
        mitre = "T1496"
        version = 1
    strings:
        $new = /new\s+Client\.(Anonymous|User)\(\s*(['"]([0-9a-f]{64}|%s|\$\{[A-Za-z_][A-Za-z0-9_.]{0,40}\}|\{\{?\s{0,2}[A-Za-z_][A-Za-z0-9_.]{0,40}\s{0,2}\}\}?)['"]|[A-Za-z_$][A-Za-z0-9_$]{0,40}\s*,)/
        $t1 = "throttle" ascii
        $t2 = "c: 'w'" ascii
        $t3 = "c:'w'" ascii
        $t4 = "coinimp" ascii nocase
        $t5 = "hostingcloud." ascii
    condition:
        $new and 1 of ($t*)
}

rule WebMiner_JSEcoin_Loader
{
    meta:
        description = "JSEcoin browser-mining loader: a script tag or injected loader for load.jsecoin.com/load/<id>/"
        author = "minerscan"
        family = "jsecoin"
        coin = "jsecoin"
        class = "injection"
        score = 65
        reference = "https://jsecoin.com/"
        mitre = "T1496"
        version = 1
    strings:
        $load = /load\.jsecoin\.com\/load\/[0-9]{1,10}\//
    condition:
        $load
}

rule WebMiner_DeepMiner_Embed
{
    meta:
        description = "Page or script that starts deepMiner, the self-hosted Coinhive clone (new deepMiner.Anonymous / deepMiner.Init)"
        author = "minerscan"
        family = "deepminer"
        coin = "monero"
        class = "injection"
        score = 70
        reference = "https://github.com/deepwn/deepMiner"
        mitre = "T1496"
        version = 1
    strings:
        $new1 = /new\s+deepMiner\.(Anonymous|Init|User)\(\s*(['"][A-Za-z0-9_\-]{4,}|[a-zA-Z_$][a-zA-Z0-9_.$\[\]]*\s*[,)])/
        $lib1 = "deepMiner.min.js" ascii
        $lib2 = "deepMiner.js" ascii
        $start = ".start(" ascii
    condition:
        $new1 and (1 of ($lib*) or $start)
}

rule WebMiner_WebMinePool_Embed
{
    meta:
        description = "Page or script that starts the WebMinePool browser miner (WMP.Anonymous / WMP.User with the webminepool.com library)"
        author = "minerscan"
        family = "webminepool"
        coin = "monero"
        class = "injection"
        score = 70
        reference = "https://webminepool.com/"
        mitre = "T1496"
        version = 1
    strings:
        $new = /WMP\.(Anonymous|User)\(\s*(['"][A-Za-z0-9_\-]{4,}|[a-zA-Z_$][a-zA-Z0-9_.$\[\]]*\s*[,)])/
        $lib = "webminepool.com/lib/" ascii nocase
        $start = ".start(" ascii
    condition:
        $new and ($lib or $start)
}

rule WebMiner_Monerise_Embed
{
    meta:
        description = "Page or script that loads the Monerise browser miner (monerise.com core script with a payment address)"
        author = "minerscan"
        family = "monerise"
        coin = "monero"
        class = "injection"
        score = 65
        reference = "https://monerise.com/"
        mitre = "T1496"
        version = 1
    strings:
        $d1 = "monerise.com/core/" ascii nocase
        $d2 = "apin.monerise.com" ascii nocase
        $k1 = "monerise_payment_address" ascii
        $k2 = "<script" ascii nocase
    condition:
        $k1 and 1 of ($d*) and $k2
}

rule WebMiner_Generic_API
{
    meta:
        description = "JavaScript that implements the Coinhive-compatible miner API (hash counters, throttle, tab locking) over CryptoNight/WebAssembly"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 60
        reference = "https://www.usenix.org/conference/usenixsecurity19/presentation/musch"
        mitre = "T1496"
        version = 1
    strings:
        $a1 = "getHashesPerSecond" ascii
        $a2 = "getTotalHashes" ascii
        $a3 = "getAcceptedHashes" ascii
        $a4 = "setThrottle" ascii
        $a5 = "getThrottle" ascii
        $a6 = "IF_EXCLUSIVE_TAB" ascii
        $a7 = "FORCE_EXCLUSIVE_TAB" ascii
        $a8 = "FORCE_MULTI_TAB" ascii
        $a9 = "setNumThreads" ascii
        $w1 = "cryptonight" ascii nocase
        $w2 = "WebAssembly.instantiate" ascii
        $w3 = ".wasm" ascii
        $w4 = "new Worker(" ascii
    condition:
        4 of ($a*) and 2 of ($w*)
}

rule WebMiner_CryptoNight_Wasm_Module
{
    meta:
        description = "WebAssembly module that exports CryptoNight hashing functions, the core of browser miners"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 70
        reference = "https://www.usenix.org/conference/usenixsecurity19/presentation/musch"
        mitre = "T1496"
        version = 1
    strings:
        $e1 = "cryptonight_hash" ascii
        $e2 = "cryptonight_create" ascii
        $e3 = "cryptonight_destroy" ascii
        $e4 = "cn_slow_hash" ascii
        $e5 = "hash_cn" ascii
        $e6 = "randomx_calculate_hash" ascii
        $e7 = "cryptonight_light" ascii
    condition:
        uint32(0) == 0x6D736100 and 2 of them
}

rule WebMiner_Headless_Browser
{
    meta:
        description = "Script that drives a headless browser (Puppeteer, Playwright, Selenium, chromedp) to run a browser miner with a site key: a browser miner turned into a server-side miner"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 60
        reference = "https://pptr.dev/; https://www.usenix.org/conference/usenixsecurity19/presentation/musch"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $b1 = "puppeteer" ascii
        $b2 = "playwright" ascii
        $b3 = "selenium" ascii
        $b4 = "chromedp" ascii
        $b5 = "webdriver" ascii nocase
        $headless = "headless" ascii nocase
        $new = /(CoinHive|CRLT|CryptoLoot|Client|deepMiner|WMP|CoinImp|Miner)\.(Anonymous|User|Token|Init)\s*\(/ ascii
        $m1 = ".start(" ascii
        $m2 = "getHashesPerSecond" ascii
        $m3 = "getTotalHashes" ascii
        $m4 = "getAcceptedHashes" ascii
        $m5 = "throttle" ascii
        $m6 = /(coinhive\.com|authedmine\.com|crypto-loot\.com|webminepool\.com|coinimp\.com|hostingcloud\.[a-z]{2,10})\// ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($b*) and $headless and $new and 2 of ($m*)
}

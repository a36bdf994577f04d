// minerscan built-in pack: miner configuration outside JSON: INI, TOML and YAML configs,
// Claymore/PhoenixMiner pool files and option files, and launch arguments written as quoted lists
// (YAML/JSON argument arrays, Python and JavaScript argument lists). Each rule needs the miner's
// config structure, not a key name that databases and web servers share with miners.
// Written by the minerscan authors from the public documentation cited in each rule's `reference`.

rule Nanominer_Config_INI
{
    meta:
        description = "nanominer INI configuration: an algorithm section with a wallet, numbered pool entries and nanominer's own keys"
        author = "minerscan"
        family = "nanominer"
        class = "miner"
        score = 65
        reference = "https://github.com/nanopool/nanominer/blob/master/README.md"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $sec = /\[(RandomX|Ethash|Etchash|Kawpow|Autolykos|Ubqhash|Octopus|Verushash|Kheavyhash|Heavyhash|FiroPow|Karlsenhash|Conflux|Zil|Cuckaroo30|Blake3|Nexapow)\]/ ascii nocase
        $wallet = /\bwallet\s*=\s*[0-9A-Za-z:]{20,}/ ascii
        $pool = /\bpool[1-9]\s*=\s*[A-Za-z0-9][A-Za-z0-9.\-]{2,100}:[0-9]{2,5}/ ascii
        $k1 = /\brigName\s*=/ ascii
        $k2 = /\brigPassword\s*=/ ascii
        $k3 = /\bemail\s*=/ ascii
        $k4 = /\b(cpuThreads|sortPools|useSSL|watchdog|devices|protocol|coin)\s*=/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $sec and $wallet and $pool and 1 of ($k*)
}

rule GrinMiner_Config_TOML
{
    meta:
        description = "grin-miner TOML configuration: a mining section with a stratum server login and solver plugin configuration"
        author = "minerscan"
        family = "grin-miner"
        coin = "grin"
        class = "miner"
        score = 65
        reference = "https://github.com/mimblewimble/grin-miner/blob/master/grin-miner.toml"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $mining = "[mining]" ascii
        $addr = "stratum_server_addr" ascii
        $login = "stratum_server_login" ascii
        $plugin = "miner_plugin_config" ascii
        $name = "plugin_name" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $mining and $addr and 2 of ($login, $plugin, $name)
}

rule Miner_Config_Wallet_User_Pool
{
    meta:
        description = "Miner settings as keys and values (INI, TOML, YAML, JSON or --key=value options): a pool endpoint, a wallet address as the pool user, and a mining key (algorithm, worker, rig, intensity, donate level)"
        author = "minerscan"
        class = "miner"
        score = 55
        reference = "https://xmrig.com/docs/miner/config/pool; https://github.com/nanopool/nanominer; https://github.com/trexminer/T-Rex"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $user = /\b(user|username|wallet|wallet_address|walletAddress|login|address|account)["']?\s*[:=]\s*["']?(4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|8[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|R[1-9A-HJ-NP-Za-km-z]{33})\b/ ascii
        $pool = /\b(url|pool|pool_url|poolUrl|pool[0-9]|host|server|stratum|pool_address)["']?\s*[:=]\s*["']?(stratum[12]?\+(tcp|ssl|tls):\/\/)?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}\b/ ascii
        $mine = /\b(algo|algorithm|worker|worker_name|workerName|rig|rig_id|rig-id|rigName|intensity|cpu_threads|mining_threads|max_threads_hint|donate_level|donate-level)["']?\s*[:=]/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $user and $pool and $mine
}

rule Claymore_Epools_Lines
{
    meta:
        description = "Claymore/PhoenixMiner pool file (epools.txt, dpools.txt): lines of POOL, WALLET and PSW fields"
        author = "minerscan"
        family = "claymore"
        class = "miner"
        score = 60
        reference = "https://github.com/Claymore-Dual/Claymore-Dual-Miner (Readme, epools.txt); https://phoenixminer.info/"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        // Only lines in use: a commented example (# POOL: ...) or an indented quote in a manual is not.
        $line = /(^|\n)POOL:\s*((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[A-Za-z0-9][A-Za-z0-9.\-]{2,100}:[0-9]{2,5}\s*,\s*WALLET:\s*[^,\s]{3,200}\s*,\s*PSW:/ ascii
        $k1 = "ESM:" ascii
        $k2 = "ALLPOOLS:" ascii
        $k3 = "WORKER:" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $line and (1 of ($k*) or #line >= 2)
}

rule Claymore_Pool_Options
{
    meta:
        description = "Claymore miner options (command line or config.txt, renamed binary included): -epool with a pool endpoint, -ewal with a wallet, and other Claymore options"
        author = "minerscan"
        family = "claymore"
        class = "miner"
        score = 65
        reference = "https://github.com/Claymore-Dual/Claymore-Dual-Miner (Readme: command line options)"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $pool = /(^|[\s"'])-epool\s+["']?((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[A-Za-z0-9][A-Za-z0-9.\-@]{2,120}:[0-9]{2,5}/ ascii
        $wal = /(^|[\s"'])-ewal\s+["']?[A-Za-z0-9]{10,}/ ascii
        $o = /(^|[\s"'])-(epsw|mode|tt|tstop|tfan|allpools|allcoins|eworker|esm|dcoin|dpool|dwal|ftime|gser|cclock|mclock|etha|ethi|asm|erate|estale|dcri)\s/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $pool and $wal and $o
}

rule PhoenixMiner_Pool_Options
{
    meta:
        description = "PhoenixMiner options (command line or config.txt, renamed binary included): single-dash -pool with a pool endpoint and -wal, next to other PhoenixMiner options"
        author = "minerscan"
        family = "phoenixminer"
        class = "miner"
        score = 65
        reference = "https://phoenixminer.info/ (PhoenixMiner documentation: command-line arguments)"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $pool = /(^|[\s"'])-pool\s+["']?((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[A-Za-z0-9][A-Za-z0-9.\-@]{2,120}:[0-9]{2,5}/ ascii
        $wal = /(^|[\s"'])-wal\s+["']?[A-Za-z0-9]{10,}/ ascii
        $o = /(^|[\s"'])-(pool2|wal2|worker|proto|coin|cdm|cdmport|cdmpass|rmode|mi|gt|clKernel|clgreen|nvkernel|tt|tmax|log|logfile|rvram|acm|gpus|amd|nvidia|stales|epsw|ttli|lidag|straps)\s/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $pool and $wal and $o
}

rule Miner_Argument_Array
{
    meta:
        description = "Miner launch arguments written as a quoted list (YAML/JSON args arrays, Python or JavaScript argument lists): a pool option followed by a pool endpoint, and a wallet as user or miner-only options"
        author = "minerscan"
        class = "miner"
        score = 60
        reference = "https://xmrig.com/docs/miner/command-line-options; https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $pool = /["'](-o|--url|-pool|-epool|--pool|--server|-P)["']\s*,\s*["']((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[a-zA-Z0-9][a-zA-Z0-9.\-@]{2,120}:[0-9]{2,5}["']/ ascii
        $user = /["'](-u|--user|-wal|-ewal|--wallet|--login)["']\s*,\s*["'](4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|8[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|0x[0-9a-fA-F]{40}|R[1-9A-HJ-NP-Za-km-z]{33})/ ascii
        $x1 = /["']--donate-level(["']\s*,\s*["']?|=)[0-9]{1,2}/ ascii
        $x2 = /["']--(cpu-max-threads-hint|randomx-1gb-pages|max-cpu-usage|cpu-priority|nicehash|rig-id)\b/ ascii
        $x3 = /["'](-a|--algo|--algorithm)["']\s*,\s*["'](rx\/|cn\/|cn-|randomx|kawpow|ethash|etchash|autolykos|ghostrider|argon2)/ ascii
        $x4 = /["']--coin["']\s*,\s*["'](monero|xmr|wownero|zephyr|ravencoin|rvn|etc)["']/ ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $pool and ($user or 1 of ($x*))
}

rule P2Pool_Node_Options
{
    meta:
        description = "P2Pool (the decentralised Monero pool) node options: a payout wallet and a stratum listener with P2Pool's sidechain and node options"
        author = "minerscan"
        family = "p2pool"
        coin = "monero"
        class = "miner"
        score = 55
        reference = "https://github.com/SChernykh/p2pool (README: command line options)"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $wallet = /--wallet[= ]+["']?[0-9A-Za-z$\{]/ ascii
        $stratum = /--stratum[= ]+["']?[0-9A-Za-z.:\[\]$\{]/ ascii
        $o1 = "--p2p" ascii
        $o2 = "--mini" ascii
        $o3 = "--zmq-port" ascii
        $o4 = "--rpc-port" ascii
        $o5 = "--light-mode" ascii
        $o6 = "--data-api" ascii
        $o7 = "--local-api" ascii
        $o8 = "--no-randomx" ascii
        $o9 = "--addpeers" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $wallet and $stratum and 2 of ($o*)
}

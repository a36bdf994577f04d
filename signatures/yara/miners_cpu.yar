// minerscan built-in pack: CPU miner programs, their configs and launch commands.
// Written by the minerscan authors from the public facts cited in each rule's `reference`.

rule XMRig_Help_Text
{
    meta:
        description = "XMRig command-line help: several option names that only XMRig and its forks print"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 75
        reference = "https://xmrig.com/docs/miner/command-line-options"
        mitre = "T1496"
        version = 1
        date = "2026-11-22"
    strings:
        $h1 = "--donate-level" ascii wide
        $h2 = "--donate-over-proxy" ascii wide
        $h3 = "--randomx-1gb-pages" ascii wide
        $h4 = "--randomx-wrmsr" ascii wide
        $h5 = "--randomx-no-rdmsr" ascii wide
        $h6 = "--cpu-max-threads-hint" ascii wide
        $h7 = "--huge-pages-jit" ascii wide
        $h8 = "--randomx-cache-qos" ascii wide
        $h9 = "--cpu-memory-pool" ascii wide
        $h10 = "--argon2-impl" ascii wide
        $h11 = "--tls-fingerprint" ascii wide
        $h12 = "--daemon-poll-interval" ascii wide
        $h13 = "--pause-on-battery" ascii wide
        $h14 = "--randomx-no-numa" ascii wide
        $h15 = "send keepalived packet for prevent timeout" ascii wide
        $h16 = "use 1GB hugepages for RandomX dataset" ascii wide
    condition:
        4 of ($h*)
}

rule XMRig_Config_JSON
{
    meta:
        description = "XMRig JSON configuration: a pools list together with XMRig-specific keys (donate level, RandomX, huge pages)"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 70
        reference = "https://xmrig.com/docs/miner/config"
        mitre = "T1496"
        version = 1
    strings:
        $pools = "\"pools\"" ascii wide
        $k1 = "\"donate-level\"" ascii wide
        $k2 = "\"donate-over-proxy\"" ascii wide
        $k3 = "\"1gb-pages\"" ascii wide
        $k4 = "\"rdmsr\"" ascii wide
        $k5 = "\"wrmsr\"" ascii wide
        $k6 = "\"huge-pages-jit\"" ascii wide
        $k7 = "\"max-threads-hint\"" ascii wide
        $k8 = "\"memory-pool\"" ascii wide
        $k9 = "\"argon2-impl\"" ascii wide
        $k10 = "\"rig-id\"" ascii wide
        $k11 = "\"tls-fingerprint\"" ascii wide
        $k12 = "\"daemon-poll-interval\"" ascii wide
        $k13 = "\"self-select\"" ascii wide
        $k14 = "\"submit-to-origin\"" ascii wide
        $k15 = "\"pause-on-battery\"" ascii wide
        $k16 = "\"cache_qos\"" ascii wide
        $k17 = "\"huge-pages\"" ascii wide
    condition:
        $pools and 4 of ($k*)
}

rule XMRig_Algorithm_Table
{
    meta:
        description = "Table of XMRig-style algorithm identifiers (rx/0, cn/r, argon2/chukwa ...) as carried by XMRig and its forks"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 65
        reference = "https://xmrig.com/docs/algorithms"
        mitre = "T1496"
        version = 1
    strings:
        $a1 = "rx/wow" ascii wide
        $a2 = "rx/arq" ascii wide
        $a3 = "rx/sfx" ascii wide
        $a4 = "rx/keva" ascii wide
        $a5 = "rx/graft" ascii wide
        $a6 = "cn/half" ascii wide
        $a7 = "cn/rwz" ascii wide
        $a8 = "cn/zls" ascii wide
        $a9 = "cn/double" ascii wide
        $a10 = "cn/ccx" ascii wide
        $a11 = "cn/upx2" ascii wide
        $a12 = "cn-lite/1" ascii wide
        $a13 = "cn-heavy/xhv" ascii wide
        $a14 = "cn-heavy/tube" ascii wide
        $a15 = "cn-pico/tlo" ascii wide
        $a16 = "argon2/chukwa" ascii wide
        $a17 = "argon2/wrkz" ascii wide
        $a18 = "cn/fast" ascii wide
        $a19 = "rx/yada" ascii wide
        $a20 = "cn-heavy/0" ascii wide
    condition:
        6 of ($a*)
}

rule XMRig_Donation_Build_Strings
{
    meta:
        description = "XMRig donation pool host names and project strings built into XMRig binaries"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 70
        reference = "https://github.com/xmrig/xmrig/blob/master/src/net/strategies/DonateStrategy.cpp"
        mitre = "T1496"
        version = 1
    strings:
        $d1 = "donate.v2.xmrig.com" ascii wide
        $d2 = "donate.ssl.xmrig.com" ascii wide
        $d3 = "donate.xmrig.com" ascii wide
        $b1 = "xmrig.com/docs" ascii wide
        $b2 = "XMRig/%s" ascii wide
        $b3 = "xmrig-proxy" ascii wide
        $b4 = "github.com/xmrig" ascii wide
        $b5 = "XMRIG_" ascii
    condition:
        (1 of ($d*) and 1 of ($b*)) or 2 of ($d*)
}

rule XMRig_Launch_Command
{
    meta:
        description = "Command line that starts an XMRig-style miner: a donate level with a pool, wallet, algorithm or background option, or a pool with a Monero wallet as user, also as a quoted argument list"
        author = "minerscan"
        family = "xmrig"
        class = "miner"
        score = 70
        reference = "https://xmrig.com/docs/miner/command-line-options"
        mitre = "T1496"
        version = 2
    strings:
        $donate = /--donate-level[= ]+[0-9]{1,2}\b/
        $o1 = / -o +[a-zA-Z0-9][a-zA-Z0-9.\-]{2,63}:[0-9]{2,5}/
        $o2 = /--url[= ]+[a-zA-Z0-9+:\/.\-]{4,80}:[0-9]{2,5}/
        $o3 = /--user[= ]+[0-9A-Za-z]{40,}/
        $o4 = / -u +[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}/
        $o5 = /--algo[= ]+(rx|cn|cn-lite|cn-heavy|cn-pico|argon2|astrobwt|kawpow|gr)\//
        $o6 = / -a +(rx|cn|cn-lite|cn-heavy|cn-pico|argon2)\//
        $o7 = /--coin[= ]+(monero|xmr|wownero|zephyr)\b/ nocase
        // started detached from the console, with its options in a config file
        $o8 = " --background"
        $o9 = / -B[ \t\r\n"']/
        // the same options as a quoted argument list (Python/JavaScript lists, YAML/JSON args)
        $a_donate = /["']--donate-level(["']\s*,\s*["']?|=)[0-9]{1,2}\b/
        $a_url = /["'](-o|--url)["']\s*,\s*["']((stratum[12]?\+)?(tcp|ssl|tls):\/\/)?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}["']/
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and (($donate and 1 of ($o*)) or ($o4 and 1 of ($o1, $o2)) or ($a_donate and ($a_url or 1 of ($o*))))
}

rule XMRStak_Strings
{
    meta:
        description = "xmr-stak miner: its command-line switches and configuration keys"
        author = "minerscan"
        family = "xmr-stak"
        class = "miner"
        score = 70
        reference = "https://github.com/fireice-uk/xmr-stak/blob/master/doc/usage.md"
        mitre = "T1496"
        version = 1
    strings:
        $s1 = "--noCPU" ascii wide
        $s2 = "--noAMD" ascii wide
        $s3 = "--noNVIDIA" ascii wide
        $s4 = "--noAMDCache" ascii wide
        $s5 = "--use-nicehash" ascii wide
        $s6 = "--poolconf" ascii wide
        $s7 = "pool_address" ascii wide
        $s8 = "wallet_address" ascii wide
        $s9 = "use_nicehash" ascii wide
        $s10 = "pool_weight" ascii wide
        $s11 = "giveup_limit" ascii wide
        $s12 = "h_print_time" ascii wide
        $s13 = "aes_override" ascii wide
        $s14 = "use_slow_memory" ascii wide
        $s15 = "cpu_threads_conf" ascii wide
        $s16 = "low_power_mode" ascii wide
        $s17 = "xmr-stak" ascii wide nocase
        $s18 = "tls_secure_algo" ascii wide
        $s19 = "gpu_threads_conf" ascii wide
        $s20 = "pool_password" ascii wide
        $s21 = "tls_fingerprint" ascii wide
    condition:
        5 of them
}

rule Cpuminer_Help_Text
{
    meta:
        description = "cpuminer lineage (pooler minerd, tpruvot cpuminer-multi, cpuminer-opt): its help text and protocol switches"
        author = "minerscan"
        family = "cpuminer"
        class = "miner"
        score = 70
        reference = "https://github.com/pooler/cpuminer/blob/master/cpu-miner.c"
        mitre = "T1496"
        version = 1
    strings:
        $o1 = "--no-longpoll" ascii wide
        $o2 = "--no-getwork" ascii wide
        $o3 = "--no-gbt" ascii wide
        $o4 = "--no-stratum" ascii wide
        $o5 = "--coinbase-addr" ascii wide
        $o6 = "--coinbase-sig" ascii wide
        $o7 = "--scantime" ascii wide
        $o8 = "--retry-pause" ascii wide
        $o9 = "--no-redirect" ascii wide
        $p1 = "X-Long-Polling" ascii wide
        $p2 = "X-Mining-Extensions" ascii wide
        $p3 = "X-Stratum" ascii wide
        $n1 = "Usage: minerd" ascii wide
        $n2 = "cpuminer" ascii wide nocase
        $n3 = "khash/s" ascii wide
    condition:
        4 of ($o*) and 1 of ($p*, $n*)
}

rule Monero_Miner_Protocol_Client
{
    meta:
        description = "Executable that speaks the Monero pool protocol: login/submit/job message keys together with miner-side strings"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 55
        reference = "https://github.com/xmrig/xmrig-proxy/blob/master/doc/STRATUM.md"
        mitre = "T1496"
        version = 1
    strings:
        $k1 = "keepalived" ascii
        $k2 = "job_id" ascii
        $k3 = "getjob" ascii
        $k4 = "nicehash" ascii
        $k5 = "rigid" ascii
        $m1 = "stratum+tcp" ascii
        $m2 = "cryptonight" ascii nocase
        $m3 = "randomx" ascii nocase
        $m4 = "hashrate" ascii nocase
        $m5 = "donate" ascii
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F or uint32(0) == 0xFEEDFACF or uint32(0) == 0xBEBAFECA)
        and $k1 and $k2 and 1 of ($k3, $k4, $k5) and 3 of ($m*)
}

// minerscan built-in pack: system tuning that miners do before they start (huge pages, MSR).
// Written by the minerscan authors from the public XMRig tuning guides cited below.

rule Miner_HugePages_Tuning
{
    meta:
        description = "Script that reserves huge pages (vm.nr_hugepages or 1GB pages) and also names a miner, pool or RandomX"
        author = "minerscan"
        class = "miner"
        score = 55
        reference = "https://xmrig.com/docs/miner/hugepages"
        mitre = "T1496"
        version = 1
    strings:
        $hp1 = /vm\.nr_hugepages\s*=\s*[0-9]{3,}/
        $hp2 = /[0-9]{3,}\s*>+\s*\/proc\/sys\/vm\/nr_hugepages/
        $hp3 = "hugepages-1048576kB/nr_hugepages"
        $m1 = "xmrig" nocase
        $m2 = "randomx" nocase
        $m3 = "--donate-level"
        $m4 = /stratum[12]?\+(tcp|ssl|tls)/
        $m5 = "cryptonight" nocase
        $m6 = "minerd"
        $m7 = "rx/0"
        $m8 = "--cpu-max-threads-hint"
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($hp*) and 1 of ($m*)
}

rule Miner_MSR_RandomX_Preset
{
    meta:
        description = "wrmsr commands that write the RandomX MSR preset (AMD Zen 0xc0011020-0xc001102b registers, or Intel 0x1a4 next to a miner)"
        author = "minerscan"
        class = "miner"
        score = 60
        reference = "https://xmrig.com/docs/miner/randomx-optimization-guide/msr"
        mitre = "T1496"
        version = 1
    strings:
        $load = "modprobe msr"
        $amd1 = /wrmsr( -a| -p ?[0-9]+)? 0xc0011020 0x?[0-9a-fA-F]+/
        $amd2 = /wrmsr( -a| -p ?[0-9]+)? 0xc0011021 0x?[0-9a-fA-F]+/
        $amd3 = /wrmsr( -a| -p ?[0-9]+)? 0xc0011022 0x?[0-9a-fA-F]+/
        $amd4 = /wrmsr( -a| -p ?[0-9]+)? 0xc001102b 0x?[0-9a-fA-F]+/
        $intel = /wrmsr( -a| -p ?[0-9]+)? 0x1a4 (0xf|15|0x0*f)\b/
        $m1 = "xmrig" nocase
        $m2 = "randomx" nocase
        $m3 = "hashrate" nocase
        $m4 = "monero" nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and ((3 of ($amd*)) or ($intel and $load and 1 of ($m*)) or ($load and 2 of ($amd*)))
}

rule GPU_Tuning_Env_With_Pool
{
    meta:
        description = "Launcher that sets the AMD OpenCL tuning variables GPU miners document (GPU_FORCE_64BIT_PTR, GPU_MAX_HEAP_SIZE, GPU_MAX_ALLOC_PERCENT ...) next to a pool, a wallet or pool and wallet variables"
        author = "minerscan"
        class = "miner"
        score = 55
        reference = "https://github.com/Claymore-Dual/Claymore-Dual-Miner (start.bat); https://github.com/ethereum-mining/ethminer/blob/master/docs/"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $e1 = "GPU_FORCE_64BIT_PTR" ascii wide
        $e2 = "GPU_MAX_HEAP_SIZE" ascii wide
        $e3 = "GPU_USE_SYNC_OBJECTS" ascii wide
        $e4 = "GPU_MAX_ALLOC_PERCENT" ascii wide
        $e5 = "GPU_SINGLE_ALLOC_PERCENT" ascii wide
        $p1 = /stratum[12]?\+(tcp|ssl|tls):\/\// ascii nocase
        $p2 = /-(pool|epool|dpool)\s+["']?[a-zA-Z0-9][a-zA-Z0-9.\-@]{2,120}:[0-9]{2,5}/ ascii
        $p6 = / -o +["']?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}/ ascii
        $p3 = /--(pool|url|server)[= ]+["']?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}/ ascii
        $p4 = /(-wal|-ewal|--wallet|--user|WALLET|ETHADDR)[= ]+["']?(0x[0-9a-fA-F]{40}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}|R[1-9A-HJ-NP-Za-km-z]{33})/ ascii
        $p5 = /\b(set|setx|export)\s+["']?(POOL|WALLET|WAL|EWAL|POOL_URL|POOL_HOST|WALLET_ADDRESS|ETHADDR)\b/ ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 2 of ($e*) and 1 of ($p*)
}

rule WinRing0_Driver
{
    meta:
        description = "The WinRing0 (OpenLibSys) MSR/port access driver that XMRig and other miners ship as WinRing0x64.sys: a native-subsystem PE with the driver's device names and product strings, renamed or not"
        author = "minerscan"
        class = "info"
        beside_miner = "miner"
        score = 10
        reference = "https://github.com/GermanAizek/WinRing0; https://xmrig.com/docs/miner/randomx-optimization-guide/msr"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $d1 = "\\Device\\WinRing0" ascii wide
        $d2 = "\\DosDevices\\WinRing0" ascii wide
        $v1 = "OpenLibSys" ascii wide nocase
        $v2 = "WinRing0.sys" ascii wide nocase
        $v3 = "WinRing0x64.sys" ascii wide nocase
    condition:
        uint16(0) == 0x5A4D
        and uint32(uint32(0x3C)) == 0x00004550
        and uint16(uint32(0x3C) + 0x5C) == 1
        and (($d1 and $d2) or (1 of ($d*) and 1 of ($v*)))
}

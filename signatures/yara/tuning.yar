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

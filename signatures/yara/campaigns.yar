// minerscan built-in pack: artefacts of documented cryptojacking campaigns (Kinsing, WannaMine,
// Adylkuzz, TeamTNT, the 8220 group). Only facts that public reports give and that stay stable
// across samples are used; each rule still needs several of them.
// Written by the minerscan authors from the public reports cited in each rule's `reference`.

rule Kinsing_Dropper_Script
{
    meta:
        description = "Kinsing shell dropper: downloads the kinsing binary and makes it executable"
        author = "minerscan"
        family = "kinsing"
        coin = "monero"
        campaign = "kinsing"
        class = "download_exec"
        score = 80
        reference = "Aqua Security, Threat Alert: Kinsing Malware Attacks Targeting Container Environments (2020), https://www.aquasec.com/blog/threat-alert-kinsing-malware-container-vulnerability/"
        mitre = "T1105"
        version = 1
    strings:
        $dl1 = /(curl|wget|\$LDR)\s[^\n]{0,200}\/kinsing\b/
        $dl2 = /(curl|wget|\$LDR)\s[^\n]{0,200}\/kdevtmpfsi\b/
        $x1 = /chmod\s+(\+x|[0-7]?7[0-7][0-7])\s[^\n]{0,60}(kinsing|kdevtmpfsi)/
        $x2 = /nohup\s[^\n]{0,60}(kinsing|kdevtmpfsi)/
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($dl*) and 1 of ($x*)
}

rule Kinsing_Go_Binary
{
    meta:
        description = "Kinsing Go malware: a Go ELF that carries the kinsing and kdevtmpfsi names with its spreading tools"
        author = "minerscan"
        family = "kinsing"
        coin = "monero"
        campaign = "kinsing"
        class = "ioc"
        score = 85
        reference = "Aqua Security, Threat Alert: Kinsing Malware Attacks Targeting Container Environments (2020)"
        mitre = "T1496"
        version = 1
    strings:
        $go = " Go buildinf:" ascii
        $n1 = "kdevtmpfsi" ascii
        $n2 = "kinsing" ascii
        $t1 = "masscan" ascii
        $t2 = "redis" ascii
        $t3 = "backconnect" ascii
        $t4 = "socks" ascii
    condition:
        uint32(0) == 0x464C457F and $go and $n1 and $n2 and 1 of ($t*)
}

rule WannaMine_PowerShell
{
    meta:
        description = "WannaMine-style fileless PowerShell miner: WMI event subscription persistence with Mimikatz and EternalBlue spreading"
        author = "minerscan"
        family = "wannamine"
        coin = "monero"
        campaign = "wannamine"
        class = "persistence"
        score = 75
        reference = "CrowdStrike, Cryptomining Worm MassMiner / WannaMine analysis (2018), https://www.crowdstrike.com/blog/cryptomining-harmless-nuisance-disruptive-threat/"
        mitre = "T1546.003"
        version = 1
    strings:
        $w1 = "__EventFilter" ascii wide nocase
        $w2 = "CommandLineEventConsumer" ascii wide nocase
        $w3 = "__FilterToConsumerBinding" ascii wide nocase
        $w4 = "ActiveScriptEventConsumer" ascii wide nocase
        $c1 = "mimikatz" ascii wide nocase
        $c2 = "EternalBlue" ascii wide nocase
        $c3 = "MS17-010" ascii wide nocase
        $c4 = "Win32_Services" ascii wide
        $c5 = "stratum+tcp" ascii wide nocase
        $c6 = "cryptonight" ascii wide nocase
        $c7 = "-donate-level" ascii wide
        $c8 = "sekurlsa" ascii wide nocase
    condition:
        2 of ($w*) and 3 of ($c*)
}

rule Adylkuzz_SMB_Block_Miner
{
    meta:
        description = "Adylkuzz-style miner that closes SMB port 445 with netsh so no rival can infect the host through it again"
        author = "minerscan"
        family = "adylkuzz"
        coin = "monero"
        campaign = "adylkuzz"
        class = "rival_kill"
        score = 70
        reference = "Proofpoint, Adylkuzz Cryptocurrency Mining Malware Spreading for Weeks Via EternalBlue/DoublePulsar (2017)"
        mitre = "T1562.004"
        version = 1
    strings:
        $b1 = /netsh\s+advfirewall\s+firewall\s+add\s+rule[^\n]{0,200}localport=445\b/ ascii wide nocase
        $b2 = /netsh\s+ipsec\s+static\s+add\s+filter[^\n]{0,200}dstport=445\b/ ascii wide nocase
        $m1 = /stratum[12]?\+(tcp|ssl|tls):\/\// ascii wide nocase
        $m2 = "cryptonight" ascii wide nocase
        $m3 = "--donate-level" ascii wide
        $m4 = "minerd" ascii wide
        $m5 = "xmrig" ascii wide nocase
        $m6 = "monero" ascii wide nocase
    condition:
        1 of ($b*) and 1 of ($m*)
}

rule TeamTNT_Script
{
    meta:
        description = "TeamTNT shell script: the group's name or domain next to download-and-run or miner commands"
        author = "minerscan"
        coin = "monero"
        campaign = "teamtnt"
        class = "download_exec"
        score = 75
        reference = "Cado Security, Team TNT - The First Crypto-Mining Worm to Steal AWS Credentials (2020), https://www.cadosecurity.com/blog/team-tnt-the-first-crypto-mining-worm-to-steal-aws-credentials"
        mitre = "T1105"
        version = 1
    strings:
        $n1 = "teamtnt" nocase
        $n2 = "tntrecht" nocase
        $d1 = /(curl|wget)\s[^\n]{0,200}\|\s*(ba)?sh/
        $d2 = /chmod\s+(\+x|[0-7]?7[0-7][0-7])\s/
        $d3 = "xmrig" nocase
        $d4 = "/.aws/credentials"
        $d5 = /stratum[12]?\+(tcp|ssl|tls):\/\//
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($n*) and 1 of ($d1, $d2) and 1 of ($d3, $d4, $d5)
}

rule Group8220_PwnRig_Miner
{
    meta:
        description = "PwnRig, the XMRig-derived miner of the 8220 group, recognised by its name next to miner strings"
        author = "minerscan"
        family = "xmrig"
        coin = "monero"
        campaign = "8220"
        class = "miner"
        score = 80
        reference = "SentinelOne, 8220 Gang Cloud Botnet Targets Misconfigured Cloud Workloads (2022)"
        mitre = "T1496"
        version = 1
    strings:
        $n = "PwnRig" ascii wide
        $m1 = "randomx" ascii wide nocase
        $m2 = "rx/0" ascii wide
        $m3 = "donate-level" ascii wide
        $m4 = "stratum+tcp" ascii wide
        $m5 = "cryptonight" ascii wide nocase
        $m6 = "huge pages" ascii wide nocase
        $m7 = "hashrate" ascii wide nocase
    condition:
        (uint16(0) == 0x5A4D or uint32(0) == 0x464C457F) and $n and 2 of ($m*)
}

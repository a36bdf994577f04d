// minerscan built-in pack: behaviours of miner droppers that are not tied to one campaign
// (killing rival miners, removing cloud security agents, disabling defences, cron persistence).
// Written by the minerscan authors from the public reports cited in each rule's `reference`.

rule RivalMiner_Killer_Script
{
    meta:
        description = "Script that kills several competing miners (by name or by their pool connections) and then fetches and runs its own payload"
        author = "minerscan"
        class = "rival_kill"
        score = 70
        reference = "Trend Micro, War of Linux Cryptocurrency Miners: A Battle for Resources (2020)"
        mitre = "T1489"
        version = 1
    strings:
        $pk = /(pkill|killall)( -9| -f| -KILL)* [a-zA-Z0-9._\/\[\]-]{3,}/
        $grepkill = /grep[^\n]{0,40}(xmrig|minerd|kdevtmpfsi|kinsing|kworkerds|cryptonight|stratum)[^\n]{0,160}kill -9/
        $portkill = /grep[^\n|]{0,12}:(3333|4444|5555|6666|7777|8888|9999|14444|14433|45700|45560|3357|5730)\b[^\n]{0,160}kill/
        $n1 = "xmrig" nocase
        $n2 = "kdevtmpfsi"
        $n3 = "kinsing"
        $n4 = "kworkerds"
        $n5 = "minerd"
        $n6 = "cryptonight"
        $n7 = "ddgs"
        $n8 = "sysupdate"
        $n9 = "networkservice"
        $n10 = "watchbog"
        $n11 = "xmr-stak"
        $n12 = "kthreaddi"
        $n13 = "sysguard"
        $n14 = "dbused"
        $n15 = "stratum"
        $dl = /(curl|wget)\s[^\n]{0,200}(\|\s*(ba)?sh|\s-O\s|\s-o\s)/
        $x1 = /chmod\s+(\+x|[0-7]?7[0-7][0-7])\s/
        $x2 = "nohup "
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and (#pk >= 3 or #grepkill >= 2 or $portkill) and 4 of ($n*)
        and ($portkill or ($dl and 1 of ($x*)))
}

rule Security_Agent_Removal
{
    meta:
        description = "Script that stops or uninstalls the cloud host security agents of several vendors (Alibaba Aegis, Tencent YunJing/Stargate, ...), as cloud miners do"
        author = "minerscan"
        class = "evasion"
        score = 70
        reference = "Palo Alto Networks Unit 42, Rocke Group Actively Targeting the Cloud: Uninstalling Security Agents (2019)"
        mitre = "T1562.001"
        version = 1
    strings:
        $ali1 = "aliyun-service" nocase
        $ali2 = "AliYunDun" nocase
        $ali3 = "/usr/local/aegis" nocase
        $ali4 = "aegis_quartz" nocase
        $ali5 = "uninstall.sh" nocase
        $qc1 = "/usr/local/qcloud" nocase
        $qc2 = "YDService" nocase
        $qc3 = "YunJing" nocase
        $qc4 = "stargate" nocase
        $ot1 = "bcm-agent" nocase
        $ot2 = "cloudmonitor" nocase
        $ot3 = "hostguard" nocase
        $v1 = "pkill" nocase
        $v2 = "killall" nocase
        $v3 = "rm -rf" nocase
        $v4 = "systemctl stop" nocase
        $v5 = "kill -9" nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 2 of ($ali*) and 2 of ($qc*, $ot*) and 2 of ($v*)
}

rule Defence_Disable_With_Miner
{
    meta:
        description = "Script that disables host defences or clears traces (SELinux, firewall, NMI watchdog, shell history, logs) and also runs or names a miner"
        author = "minerscan"
        class = "evasion"
        score = 60
        reference = "https://attack.mitre.org/techniques/T1562/"
        mitre = "T1562"
        version = 1
    strings:
        $e1 = "setenforce 0"
        $e2 = "SELINUX=disabled"
        $e3 = "ufw disable"
        $e4 = "iptables -F"
        $e5 = "history -c"
        $e6 = "unset HISTFILE"
        $e7 = "HISTFILE=/dev/null"
        $e8 = "nmi_watchdog=0"
        $e9 = /echo\s+0\s*>\s*\/proc\/sys\/kernel\/nmi_watchdog/
        $e10 = /(rm -rf|>)\s*\/var\/log\/(wtmp|lastlog|secure|auth\.log|syslog|messages)/
        $e11 = "chattr -i"
        $e12 = /echo\s*(''|""|)\s*>\s*\/var\/spool\/mail\/root/
        $m1 = "xmrig" nocase
        $m2 = /stratum[12]?\+(tcp|ssl|tls):\/\//
        $m3 = "--donate-level"
        $m4 = "cryptonight" nocase
        $m5 = "kdevtmpfsi"
        $m6 = "nr_hugepages"
        $m7 = "randomx" nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 3 of ($e*) and 1 of ($m*)
}

rule Cron_Download_Pipe_Shell
{
    meta:
        description = "Cron entry that periodically downloads a script and pipes it into a shell, the usual way miner droppers persist"
        author = "minerscan"
        class = "persistence"
        score = 65
        reference = "https://attack.mitre.org/techniques/T1053/003/"
        mitre = "T1053.003"
        version = 1
    strings:
        $c1 = /\* \* \* [^\n]{0,80}(curl|wget|\$\{?LDR\}?)\s[^\n]{0,200}\|\s*(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/
        $c2 = /@reboot\s[^\n]{0,80}(curl|wget)\s[^\n]{0,200}\|\s*(\/bin\/|\/usr\/bin\/)?(ba)?sh\b/
        $c3 = /\* \* \* [^\n]{0,80}(curl|wget)\s[^\n]{0,200}\|\s*base64\s+-d[^\n]{0,20}\|\s*(ba)?sh\b/
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of them
}

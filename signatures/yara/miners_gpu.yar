// minerscan built-in pack: GPU (and mixed CPU/GPU) miner programs.
// Written by the minerscan authors from the public facts cited in each rule's `reference`.
// Each rule needs several option names or strings of one project, so that a renamed or
// lightly edited build is still caught while one shared option name is not enough.

rule CCMiner_Strings
{
    meta:
        description = "ccminer (tpruvot and forks), the CUDA miner: CUDA-specific options next to the cpuminer-derived ones"
        author = "minerscan"
        family = "ccminer"
        class = "miner"
        score = 70
        reference = "https://github.com/tpruvot/ccminer/blob/windows/README.txt"
        mitre = "T1496"
        version = 1
    strings:
        $c1 = "--cuda-schedule" ascii wide
        $c2 = "--plimit" ascii wide
        $c3 = "--keep-clocks" ascii wide
        $c4 = "--gpu-clock" ascii wide
        $c5 = "--mem-clock" ascii wide
        $c6 = "--show-diff" ascii wide
        $c7 = "--no-autotune" ascii wide
        $c8 = "--resume-diff" ascii wide
        $c9 = "--trust-pool" ascii wide
        $c10 = "--max-log-rate" ascii wide
        $c11 = "--launch-config" ascii wide
        $b1 = "ccminer" ascii wide nocase
        $b2 = "--no-longpoll" ascii wide
        $b3 = "--no-getwork" ascii wide
    condition:
        3 of ($c*) and 1 of ($b*)
}

rule CGMiner_Strings
{
    meta:
        description = "CGMiner (ck kolivas), the ASIC/FPGA/GPU Bitcoin miner: its options and log strings"
        author = "minerscan"
        family = "cgminer"
        class = "miner"
        score = 65
        reference = "https://github.com/ckolivas/cgminer/blob/master/README"
        mitre = "T1496"
        version = 1
    strings:
        $o1 = "--api-listen" ascii wide
        $o2 = "--failover-only" ascii wide
        $o3 = "--btc-address" ascii wide
        $o4 = "--load-balance" ascii wide
        $o5 = "--round-robin" ascii wide
        $o6 = "--no-submit-stale" ascii wide
        $o7 = "--per-device-stats" ascii wide
        $o8 = "--sched-start" ascii wide
        $o9 = "--sharelog" ascii wide
        $o10 = "--suggest-diff" ascii wide
        $o11 = "--hotplug" ascii wide
        $o12 = "--api-allow" ascii wide
        $b1 = "cgminer" ascii wide nocase
        $not = "bfgminer" ascii wide nocase
    condition:
        4 of ($o*) and $b1 and not $not
}

rule BFGMiner_Strings
{
    meta:
        description = "BFGMiner, the modular ASIC/FPGA Bitcoin miner: its name with options it shares with CGMiner and its own"
        author = "minerscan"
        family = "bfgminer"
        class = "miner"
        score = 65
        reference = "https://github.com/luke-jr/bfgminer/blob/bfgminer/README"
        mitre = "T1496"
        version = 1
    strings:
        $o1 = "--api-listen" ascii wide
        $o2 = "--failover-only" ascii wide
        $o3 = "--load-balance" ascii wide
        $o4 = "--round-robin" ascii wide
        $o5 = "--no-submit-stale" ascii wide
        $o6 = "--scan-serial" ascii wide
        $o7 = "--generate-to" ascii wide
        $o8 = "--coinbase-sig" ascii wide
        $o9 = "--weighed-stats" ascii wide
        $o10 = "--request-diff" ascii wide
        $o11 = "--force-dev-init" ascii wide
        $o12 = "--sharelog" ascii wide
        $b1 = "bfgminer" ascii wide nocase
    condition:
        4 of ($o*) and $b1
}

rule Claymore_Miner_Strings
{
    meta:
        description = "Claymore's Dual Ethereum / CryptoNote GPU miner: the product name with its single-dash options and pool files"
        author = "minerscan"
        family = "claymore"
        class = "miner"
        score = 75
        reference = "https://github.com/Claymore-Dual/Claymore-Dual-Miner"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "Claymore's Dual" ascii wide nocase
        $n2 = "Claymore's CryptoNote" ascii wide nocase
        $n3 = "Claymore" ascii wide
        $o1 = "-epool" ascii wide
        $o2 = "-ewal" ascii wide
        $o3 = "-epsw" ascii wide
        $o4 = "-dpool" ascii wide
        $o5 = "-dwal" ascii wide
        $o6 = "-dcri" ascii wide
        $o7 = "-dcoin" ascii wide
        $o8 = "-allpools" ascii wide
        $o9 = "-xpool" ascii wide
        $o10 = "-xwal" ascii wide
        $f1 = "epools.txt" ascii wide
        $f2 = "dpools.txt" ascii wide
    condition:
        (1 of ($n1, $n2) and 2 of ($o*, $f*))
        or ($n3 and 4 of ($o*) and 1 of ($f*))
}

rule PhoenixMiner_Strings
{
    meta:
        description = "PhoenixMiner Ethash GPU miner: its name together with its distinctive option names"
        author = "minerscan"
        family = "phoenixminer"
        class = "miner"
        score = 75
        reference = "https://phoenixminer.info/"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "PhoenixMiner" ascii wide nocase
        $o1 = "clKernel" ascii wide
        $o2 = "clGreen" ascii wide
        $o3 = "nvKernel" ascii wide
        $o4 = "dagrestart" ascii wide
        $o5 = "daglim" ascii wide
        $o6 = "cdmport" ascii wide
        $o7 = "cdmpass" ascii wide
        $o8 = "minRigSpeed" ascii wide
        $o9 = "rvram" ascii wide
        $o10 = "mcdag" ascii wide
        $o11 = "-lidag" ascii wide
        $o12 = "-straps" ascii wide
    condition:
        ($n1 and 3 of ($o*)) or 6 of ($o*)
}

rule TRex_Miner_Strings
{
    meta:
        description = "T-Rex NVIDIA GPU miner: its API and GPU tuning option names with the product name"
        author = "minerscan"
        family = "t-rex"
        class = "miner"
        score = 75
        reference = "https://github.com/trexminer/T-Rex"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "T-Rex" ascii wide
        $n2 = "trex" ascii wide
        $o1 = "api-bind-http" ascii wide
        $o2 = "api-bind-telnet" ascii wide
        $o3 = "gpu-report-interval" ascii wide
        $o4 = "exit-on-cuda-error" ascii wide
        $o5 = "lhr-tune" ascii wide
        $o6 = "dag-build-mode" ascii wide
        $o7 = "keep-gpu-busy" ascii wide
        $o8 = "reconnect-on-fail-shares" ascii wide
        $o9 = "watchdog-exit-mode" ascii wide
        $o10 = "script-crash" ascii wide
        $o11 = "exit-on-connection-lost" ascii wide
        $o12 = "lhr-autotune-mode" ascii wide
    condition:
        (1 of ($n*) and 3 of ($o*)) or 5 of ($o*)
}

rule NBMiner_Strings
{
    meta:
        description = "NBMiner GPU miner: its name with its distinctive option names"
        author = "minerscan"
        family = "nbminer"
        class = "miner"
        score = 75
        reference = "https://github.com/NebuTech/NBMiner"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "NBMiner" ascii wide nocase
        $o1 = "--fidelity-timeframe" ascii wide
        $o2 = "--share-check" ascii wide
        $o3 = "--enable-dag-cache" ascii wide
        $o4 = "--lhr-mode" ascii wide
        $o5 = "--device-info-json" ascii wide
        $o6 = "--generate-config" ascii wide
        $o7 = "--long-format" ascii wide
        $o8 = "--no-interrupt" ascii wide
        $o9 = "--strict-ssl" ascii wide
        $o10 = "--cmd-file" ascii wide
        $o11 = "--temperature-limit" ascii wide
    condition:
        ($n1 and 3 of ($o*)) or 6 of ($o*)
}

rule LolMiner_Strings
{
    meta:
        description = "lolMiner GPU miner: its name with its distinctive option names"
        author = "minerscan"
        family = "lolminer"
        class = "miner"
        score = 75
        reference = "https://github.com/Lolliedieb/lolMiner-releases"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "lolMiner" ascii wide nocase
        $o1 = "--apiport" ascii wide
        $o2 = "--apihost" ascii wide
        $o3 = "--longstats" ascii wide
        $o4 = "--shortstats" ascii wide
        $o5 = "--ethstratum" ascii wide
        $o6 = "--dualmode" ascii wide
        $o7 = "--dualpool" ascii wide
        $o8 = "--lhrtune" ascii wide
        $o9 = "--4g-alloc-size" ascii wide
        $o10 = "--keepfree" ascii wide
        $o11 = "--zombie-tune" ascii wide
        $o12 = "--watchdogscript" ascii wide
    condition:
        ($n1 and 3 of ($o*)) or 6 of ($o*)
}

rule GMiner_Strings
{
    meta:
        description = "GMiner GPU miner: its underscore-style option names with the product name"
        author = "minerscan"
        family = "gminer"
        class = "miner"
        score = 75
        reference = "https://github.com/develsoftware/GMinerRelease"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "GMiner" ascii wide
        $n2 = "gminer" ascii wide
        $o1 = "--dag_mode" ascii wide
        $o2 = "--ssl_verification" ascii wide
        $o3 = "--log_date" ascii wide
        $o4 = "--log_stratum" ascii wide
        $o5 = "--log_newjob" ascii wide
        $o6 = "--electricity_cost" ascii wide
        $o7 = "--watchdog_restart_delay" ascii wide
        $o8 = "--dual_intensity" ascii wide
        $o9 = "--tfan_min" ascii wide
        $o10 = "--dag_limit" ascii wide
        $o11 = "--templimit" ascii wide
    condition:
        (1 of ($n*) and 3 of ($o*)) or 5 of ($o*)
}

rule TeamRedMiner_Strings
{
    meta:
        description = "TeamRedMiner AMD GPU miner: its name with its distinctive option names"
        author = "minerscan"
        family = "teamredminer"
        class = "miner"
        score = 75
        reference = "https://github.com/todxx/teamredminer"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "teamredminer" ascii wide nocase
        $o1 = "--eth_config" ascii wide
        $o2 = "--cn_config" ascii wide
        $o3 = "--cm_api_listen" ascii wide
        $o4 = "--watchdog_script" ascii wide
        $o5 = "--bus_reorder" ascii wide
        $o6 = "--pool_no_ensub" ascii wide
        $o7 = "--pool_broken_rpc" ascii wide
        $o8 = "--init_style" ascii wide
        $o9 = "--no_ntime_roll" ascii wide
        $o10 = "--eth_stratum_mode" ascii wide
        $o11 = "--fan_control" ascii wide
        $o12 = "--api_listen" ascii wide
    condition:
        ($n1 and 3 of ($o*)) or 5 of ($o*)
}

rule SRBMiner_Strings
{
    meta:
        description = "SRBMiner-MULTI CPU/GPU miner: its name with its distinctive option names"
        author = "minerscan"
        family = "srbminer"
        class = "miner"
        score = 75
        reference = "https://github.com/doktor83/SRBMiner-Multi"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "SRBMiner" ascii wide nocase
        $o1 = "--disable-gpu" ascii wide
        $o2 = "--disable-cpu" ascii wide
        $o3 = "--gpu-boost" ascii wide
        $o4 = "--api-rig-name" ascii wide
        $o5 = "--disable-msr-tweaks" ascii wide
        $o6 = "--a0-is-zil" ascii wide
        $o7 = "--give-up-limit" ascii wide
        $o8 = "--max-no-share-sent" ascii wide
        $o9 = "--disable-startup-monitor" ascii wide
        $o10 = "--reboot-script-gpu-watchdog" ascii wide
        $o11 = "--disable-huge-pages" ascii wide
        $o12 = "--gpu-intensity" ascii wide
    condition:
        ($n1 and 3 of ($o*)) or 6 of ($o*)
}

rule NiceHash_Excavator_Strings
{
    meta:
        description = "NiceHash Excavator GPU miner: its JSON-RPC API command names with the NiceHash/Excavator name"
        author = "minerscan"
        family = "excavator"
        class = "miner"
        score = 65
        reference = "https://github.com/nicehash/excavator/tree/master/api"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "excavator" ascii wide nocase
        $n2 = "nicehash" ascii wide nocase
        $a1 = "algorithm.add" ascii wide
        $a2 = "algorithm.remove" ascii wide
        $a3 = "algorithm.print.speeds" ascii wide
        $a4 = "worker.add" ascii wide
        $a5 = "worker.free" ascii wide
        $a6 = "device.set.power_limit" ascii wide
        $a7 = "device.set.tdp" ascii wide
        $a8 = "device.set.core_delta" ascii wide
        $a9 = "device.set.memory_delta" ascii wide
        $a10 = "state.set" ascii wide
    condition:
        $n1 and $n2 and 3 of ($a*)
}

rule NiceHash_Miner_App
{
    meta:
        description = "NiceHash Miner (NHM) manager application: its name with its NiceHash service endpoints"
        author = "minerscan"
        family = "nicehash-miner"
        class = "miner"
        score = 60
        reference = "https://github.com/nicehash/NiceHashMiner"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "NiceHashMiner" ascii wide
        $n2 = "NiceHash Miner" ascii wide
        $e1 = "nhmws" ascii wide
        $e2 = "nhmp." ascii wide
        $e3 = ".nicehash.com" ascii wide
        $e4 = "excavator" ascii wide nocase
        $e5 = "MinerPlugin" ascii wide
    condition:
        1 of ($n*) and 2 of ($e*)
}

rule Ethminer_Strings
{
    meta:
        description = "ethminer (Ethash GPU miner) and its forks: farm/stratum options with CUDA/OpenCL tuning options"
        author = "minerscan"
        family = "ethminer"
        coin = "ethereum"
        class = "miner"
        score = 70
        reference = "https://github.com/ethereum-mining/ethminer/blob/master/docs/POOL_EXAMPLES_ETH.md"
        mitre = "T1496"
        version = 1
    strings:
        $o1 = "--farm-recheck" ascii wide
        $o2 = "--farm-retries" ascii wide
        $o3 = "--report-hashrate" ascii wide
        $o4 = "--HWMON" ascii wide
        $o5 = "--cl-local-work" ascii wide
        $o6 = "--cu-block-size" ascii wide
        $o7 = "--cu-grid-size" ascii wide
        $o8 = "--cu-streams" ascii wide
        $o9 = "--dag-load-mode" ascii wide
        $o10 = "--cu-parallel-hash" ascii wide
        $o11 = "--failover-timeout" ascii wide
        $s1 = "stratum1+tcp" ascii wide
        $s2 = "stratum2+tcp" ascii wide
        $s3 = "ethminer" ascii wide nocase
        $s4 = "eth_submitLogin" ascii wide
    condition:
        4 of ($o*) and 1 of ($s*)
}

// minerscan built-in pack: proof-of-space (and proof-of-storage) mining: Chia plots, plotters,
// farmers and Filecoin's lotus-miner.
// Written by the minerscan authors from the public project documentation cited below.

rule Chia_Plot_File_Header
{
    meta:
        description = "Chia proof-of-space plot file, recognised by its header (magic, 32-byte plot id, k size, format description length)"
        author = "minerscan"
        family = "chia"
        coin = "chia"
        class = "miner"
        score = 50
        reference = "https://github.com/Chia-Network/chiapos/blob/main/src/plotter_disk.hpp"
        mitre = "T1496"
        version = 1
    strings:
        $magic = "Proof of Space Plot"
    condition:
        $magic at 0 and uint8(51) >= 17 and uint8(51) <= 50 and uint16be(52) <= 64
}

rule Chia_Plotter_MadMAx
{
    meta:
        description = "madMAx chia_plot (multi-threaded pipelined Chia plotter): its usage text and options"
        author = "minerscan"
        family = "madmax"
        coin = "chia"
        class = "miner"
        score = 60
        reference = "https://github.com/madMAx43v3r/chia-plotter"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "chia_plot" ascii wide
        $n2 = "Multi-threaded pipelined Chia" ascii wide
        $o1 = "--tmpdir2" ascii wide
        $o2 = "--finaldir" ascii wide
        $o3 = "--waitforcopy" ascii wide
        $o4 = "--poolkey" ascii wide
        $o5 = "--farmerkey" ascii wide
        $o6 = "--contract" ascii wide
        $o7 = "--tmptoggle" ascii wide
        $o8 = "--rmulti2" ascii wide
        $o9 = "--buckets" ascii wide
        $l1 = "Pool Puzzle Hash:" ascii wide
        $l2 = "Farmer Public Key:" ascii wide
        $l3 = "Phase 1 took" ascii wide
    condition:
        1 of ($n*) and 4 of ($o*, $l*)
}

rule Chia_Plotter_BladeBit
{
    meta:
        description = "BladeBit Chia plotter (RAM, disk and CUDA plotting): its name with its commands and key options"
        author = "minerscan"
        family = "bladebit"
        coin = "chia"
        class = "miner"
        score = 60
        reference = "https://github.com/Chia-Network/bladebit"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "bladebit" ascii wide nocase
        $o1 = "--farmer-key" ascii wide
        $o2 = "--pool-key" ascii wide
        $o3 = "--pool-contract" ascii wide
        $o4 = "--no-cpu-affinity" ascii wide
        $o5 = "diskplot" ascii wide
        $o6 = "ramplot" ascii wide
        $o7 = "cudaplot" ascii wide
        $o8 = "--compress" ascii wide
        $o9 = "plot_id" ascii wide
    condition:
        $n1 and 4 of ($o*)
}

rule Chia_Farmer_Config
{
    meta:
        description = "Chia node configuration or command of a farming setup: plot directories, farmer/harvester sections and an XCH payout address"
        author = "minerscan"
        family = "chia"
        coin = "chia"
        class = "miner"
        score = 45
        reference = "https://docs.chia.net/reference-client/install-and-setup/config-files"
        mitre = "T1496"
        version = 1
    strings:
        $k1 = "plot_directories" ascii
        $k2 = "xch_target_address" ascii
        $k3 = "farmer_peer" ascii
        $k4 = "harvester:" ascii
        $k5 = "farmer:" ascii
        $k6 = "chia plots create" ascii
        $k7 = "chia start farmer" ascii
        $k8 = "pool_list:" ascii
        $addr = /xch1[02-9ac-hj-np-z]{58}/
    condition:
        4 of ($k*) or ($addr and 2 of ($k*))
}

rule Filecoin_Lotus_Miner
{
    meta:
        description = "Filecoin lotus-miner / lotus-worker storage-proving miner: its name with sealing and proving terms"
        author = "minerscan"
        family = "lotus"
        coin = "filecoin"
        class = "miner"
        score = 55
        reference = "https://lotus.filecoin.io/storage-providers/"
        mitre = "T1496"
        version = 1
    strings:
        $n1 = "lotus-miner" ascii wide
        $n2 = "lotus-worker" ascii wide
        $n3 = "LOTUS_MINER_PATH" ascii wide
        $t1 = "PreCommit1" ascii wide
        $t2 = "ProveCommit" ascii wide
        $t3 = "WindowPoSt" ascii wide
        $t4 = "WinningPoSt" ascii wide
        $t5 = "MINER_API_INFO" ascii wide
        $t6 = "FULLNODE_API_INFO" ascii wide
        $t7 = "sectors" ascii wide
        $t8 = "FIL_PROOFS_PARAMETER_CACHE" ascii wide
    condition:
        1 of ($n*) and 3 of ($t*)
}

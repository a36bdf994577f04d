// minerscan built-in pack: OpenCL and CUDA hashing kernels written for mining (SHA-256d, scrypt,
// Ethash, ProgPoW/KawPow). A kernel that hashes data is everyday GPU code; a kernel that searches
// a nonce range against a target and reports the winning nonce is a miner's. Each rule needs the
// kernel language, the algorithm's own constants or names, and that nonce search.
// Written by the minerscan authors from the public algorithm specifications cited below.

rule GPU_Kernel_SHA256d_Nonce_Search
{
    meta:
        description = "OpenCL/CUDA kernel that searches nonces of a block header with double SHA-256 and reports the ones under the target (Bitcoin-style mining)"
        author = "minerscan"
        coin = "bitcoin"
        class = "miner"
        score = 55
        reference = "https://en.bitcoin.it/wiki/Block_hashing_algorithm; FIPS 180-4 (SHA-256 constants)"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $l1 = "__kernel" ascii
        $l2 = "__global__" ascii
        $l3 = "get_global_id" ascii
        $l4 = "blockIdx.x" ascii
        $k1 = "0x428a2f98" ascii nocase
        $k2 = "0x71374491" ascii nocase
        $k3 = "0xc67178f2" ascii nocase
        $k4 = "0x6a09e667" ascii nocase
        $k5 = "0x5be0cd19" ascii nocase
        $nonce = "nonce" ascii nocase
        $t1 = "target" ascii nocase
        $t2 = "midstate" ascii nocase
        $t3 = /\bstate[0-7]\b/ ascii
        $t4 = "Vals[7]" ascii
        $o1 = "atomic_inc" ascii
        $o2 = "atomicInc" ascii
        $o3 = "atomicAdd" ascii
        $o4 = "atomic_add" ascii
        $o5 = /output\s*\[[^\]\n]{0,40}\]\s*=\s*nonce/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($l*) and 2 of ($k*) and $nonce and 1 of ($t*) and 1 of ($o*)
}

rule GPU_Kernel_Scrypt_Mining
{
    meta:
        description = "OpenCL/CUDA scrypt mining kernel: Salsa20/8 core with the scrypt scratchpad (lookup gap, per-thread pad) searching nonces of block headers (Litecoin-style mining)"
        author = "minerscan"
        coin = "litecoin"
        class = "miner"
        score = 55
        reference = "RFC 7914 (scrypt); https://litecoin.info/docs/key-concepts/proof-of-work"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $l1 = "__kernel" ascii
        $l2 = "__global__" ascii
        $l3 = "get_global_id" ascii
        $l4 = "blockIdx.x" ascii
        $s1 = "salsa" ascii nocase
        $s2 = "scrypt" ascii nocase
        $g1 = "LOOKUP_GAP" ascii
        $g2 = "CONCURRENT_THREADS" ascii
        $g3 = "scrypt_core" ascii
        $g4 = "padcache" ascii nocase
        $g5 = "scratchpad" ascii nocase
        $nonce = "nonce" ascii nocase
        $t1 = "target" ascii nocase
        $t2 = "atomic_inc" ascii
        $t3 = "atomicInc" ascii
        $t4 = /output\s*\[/ ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($l*) and $s1 and $s2 and 1 of ($g*) and $nonce and 1 of ($t*)
}

rule GPU_Kernel_Ethash_Search
{
    meta:
        description = "OpenCL/CUDA Ethash (Etchash) search kernel: Keccak over header and nonce, DAG accesses mixed with FNV, result compared with the boundary"
        author = "minerscan"
        coin = "ethereum"
        class = "miner"
        score = 55
        reference = "https://ethereum.org/en/developers/docs/consensus-mechanisms/pow/mining/mining-algorithms/ethash/"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $l1 = "__kernel" ascii
        $l2 = "__global__" ascii
        $l3 = "get_global_id" ascii
        $l4 = "blockIdx.x" ascii
        $e1 = "ethash" ascii nocase
        $e2 = "ACCESSES" ascii
        $e3 = "dag_size" ascii nocase
        $e4 = "d_dag" ascii
        $e5 = "g_dag" ascii
        $fnv = "fnv" ascii nocase
        $keccak = "keccak" ascii nocase
        $t1 = "target" ascii nocase
        $t2 = "boundary" ascii nocase
        $n = "nonce" ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($l*) and 2 of ($e*) and $fnv and $keccak and 1 of ($t*) and $n
}

rule GPU_Kernel_ProgPow_Search
{
    meta:
        description = "OpenCL/CUDA ProgPoW/KawPow kernel: the ProgPoW lane, register and DAG-load parameters with its KISS99 and Keccak-f800 helpers"
        author = "minerscan"
        coin = "ravencoin"
        class = "miner"
        score = 55
        reference = "https://github.com/ifdefelse/ProgPOW (ProgPoW specification); https://github.com/RavenCommunity/kawpowminer"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $l1 = "__kernel" ascii
        $l2 = "__global__" ascii
        $l3 = "__device__" ascii
        $l4 = "get_global_id" ascii
        $p1 = "PROGPOW_LANES" ascii
        $p2 = "PROGPOW_REGS" ascii
        $p3 = "PROGPOW_DAG_LOADS" ascii
        $p4 = "PROGPOW_CNT_DAG" ascii
        $p5 = "PROGPOW_CNT_MATH" ascii
        $p6 = "PROGPOW_CACHE_WORDS" ascii
        $h1 = "kiss99" ascii
        $h2 = "fill_mix" ascii
        $h3 = "keccak_f800" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and 1 of ($l*) and 3 of ($p*) and 2 of ($h*)
}

// minerscan built-in pack: proof-of-work algorithm names and constants as miners carry them.
// Written by the minerscan authors from the public algorithm specifications cited below.

rule Mining_Algorithm_Config
{
    meta:
        description = "Configuration or launch text that selects a proof-of-work mining algorithm next to a pool, wallet or worker setting"
        author = "minerscan"
        class = "miner"
        score = 50
        reference = "https://xmrig.com/docs/algorithms"
        mitre = "T1496"
        version = 1
    strings:
        $algo = /(algo|algorithm|coin)"?\s*[:=]\s*"?(randomx|rx\/0|rx\/wow|cryptonight[a-z0-9_\/\-]{0,12}|cn\/r|cn\/0|cn-lite\/1|ethash|etchash|kawpow|autolykos2?|kheavyhash|octopus|equihash[0-9_]{0,8}|cuckatoo3[12]|ghostrider|progpow|firopow|beamhash(ii|iii)?|verushash|yespower[a-z0-9]{0,8}|argon2\/chukwa[v2]{0,2})\b/ nocase
        $p1 = /"(url|pool|pools|wallet|user|worker|pool_address|wallet_address)"\s*:/ nocase
        $p2 = /(pool|url|wallet|user|worker)\s*=\s*[a-zA-Z0-9]/ nocase
        $p3 = /--(url|pool|user|wallet|server)[= ]/
        $p4 = /(pool|wallet|worker|url): +[a-zA-Z0-9]/
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $algo and 1 of ($p*)
}

rule RandomX_MultiCoin_Salts
{
    meta:
        description = "Argon2 salts of several RandomX coins (Monero, Wownero, ArQmA, Safex, Keva ...) in one file: a multi-coin RandomX miner, not a node"
        author = "minerscan"
        class = "miner"
        score = 65
        reference = "https://github.com/tevador/RandomX/blob/master/src/configuration.h"
        mitre = "T1496"
        version = 1
    strings:
        $s1 = "RandomX\x03" ascii
        $s2 = "RandomWOW\x01" ascii
        $s3 = "RandomARQ\x01" ascii
        $s4 = "RandomSFX\x01" ascii
        $s5 = "RandomKV\x01" ascii
        $s6 = "RandomGRAFT\x01" ascii
        $s7 = "RandomYADA\x01" ascii
        $s8 = "RandomXO\x01" ascii
    condition:
        3 of them
}

rule CryptoNight_Variant_Table
{
    meta:
        description = "Table of CryptoNight variant names as multi-algorithm CPU/GPU miners list them"
        author = "minerscan"
        class = "miner"
        score = 60
        reference = "https://github.com/fireice-uk/xmr-stak/blob/master/xmrstak/backend/cryptonight.hpp"
        mitre = "T1496"
        version = 1
    strings:
        $v1 = "cryptonight_lite" ascii wide nocase
        $v2 = "cryptonight_heavy" ascii wide nocase
        $v3 = "cryptonight_v7" ascii wide nocase
        $v4 = "cryptonight_v8" ascii wide nocase
        $v5 = "cryptonight_r" ascii wide nocase
        $v6 = "cryptonight_gpu" ascii wide nocase
        $v7 = "cryptonight_haven" ascii wide nocase
        $v8 = "cryptonight_masari" ascii wide nocase
        $v9 = "cryptonight_turtle" ascii wide nocase
        $v10 = "cryptonight_bittube2" ascii wide nocase
        $v11 = "cryptonight_superfast" ascii wide nocase
        $v12 = "cryptonight_conceal" ascii wide nocase
        $v13 = "cryptonight-lite" ascii wide nocase
        $v14 = "cryptonight-heavy" ascii wide nocase
        $v15 = "cryptonight-pico" ascii wide nocase
    condition:
        4 of them
}

rule GPU_Algorithm_Table
{
    meta:
        description = "Table of GPU proof-of-work algorithm names (Ethash, Etchash, KawPow, Autolykos2, kHeavyHash ...) as GPU miners list them"
        author = "minerscan"
        class = "miner"
        score = 55
        reference = "https://github.com/ethereum-mining/ethminer; https://github.com/RavenCommunity/kawpowminer; https://docs.ergoplatform.com/mining/algo/"
        mitre = "T1496"
        version = 1
    strings:
        $a1 = "etchash" ascii wide nocase
        $a2 = "kawpow" ascii wide nocase
        $a3 = "autolykos2" ascii wide nocase
        $a4 = "kheavyhash" ascii wide nocase
        $a5 = "beamhashIII" ascii wide nocase
        $a6 = "cuckatoo32" ascii wide nocase
        $a7 = "firopow" ascii wide nocase
        $a8 = "ubqhash" ascii wide nocase
        $a9 = "karlsenhash" ascii wide nocase
        $a10 = "nexapow" ascii wide nocase
        $a11 = "equihash144_5" ascii wide nocase
        $a12 = "cuckaroo29" ascii wide nocase
        $a13 = "progpow" ascii wide nocase
        $a14 = "ethashb3" ascii wide nocase
        $a15 = "octopus" ascii wide nocase
        $a16 = "zhash" ascii wide nocase
    condition:
        // the names must sit together, as in a miner's algorithm table, not be scattered over a
        // large text (a package index mentions each of them somewhere)
        for any i in (1..#a1) : ( for 5 of ($a*) : ( $ in (@a1[i] - 8192 .. @a1[i] + 8192) ) )
        or for any i in (1..#a2) : ( for 5 of ($a*) : ( $ in (@a2[i] - 8192 .. @a2[i] + 8192) ) )
        or for any i in (1..#a3) : ( for 5 of ($a*) : ( $ in (@a3[i] - 8192 .. @a3[i] + 8192) ) )
}

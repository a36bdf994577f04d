// minerscan built-in pack: the Stratum mining protocol and its Monero and Ethereum variants.
// Written by the minerscan authors from the public protocol descriptions cited below.

rule Stratum_URL
{
    meta:
        description = "Stratum mining pool URL with a host and port (stratum+tcp/ssl/tls, stratum1/stratum2)"
        author = "minerscan"
        class = "miner"
        score = 50
        reference = "https://braiins.com/stratum-v1/docs"
        mitre = "T1496"
        version = 1
    strings:
        $u = /stratum[12]?\+(tcp|ssl|tls|tls12|tcps|ssl2)s?:\/\/([a-zA-Z0-9_.%\-]{1,100}@)?[a-zA-Z0-9][a-zA-Z0-9.\-]{2,100}:[0-9]{2,5}/ ascii wide nocase
    condition:
        $u
}

rule Stratum_JSONRPC_Methods
{
    meta:
        description = "Several Stratum v1 JSON-RPC method names (mining.subscribe, mining.authorize, mining.submit, mining.notify ...)"
        author = "minerscan"
        class = "miner"
        score = 50
        reference = "https://en.bitcoin.it/wiki/Stratum_mining_protocol"
        mitre = "T1496"
        version = 1
    strings:
        $m1 = "mining.subscribe" ascii wide
        $m2 = "mining.authorize" ascii wide
        $m3 = "mining.submit" ascii wide
        $m4 = "mining.notify" ascii wide
        $m5 = "mining.set_difficulty" ascii wide
        $m6 = "mining.extranonce.subscribe" ascii wide
        $m7 = "mining.set_extranonce" ascii wide
        $m8 = "mining.set_target" ascii wide
        $m9 = "mining.configure" ascii wide
    condition:
        3 of them
}

rule Stratum_Monero_Messages
{
    meta:
        description = "Monero-style pool protocol messages: a login with pass and agent, a submit with job_id/nonce/result, or a job with blob/target"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 55
        reference = "https://github.com/xmrig/xmrig-proxy/blob/master/doc/STRATUM.md"
        mitre = "T1496"
        version = 1
    strings:
        $login = /"method"\s*:\s*"login"/
        $submit = /"method"\s*:\s*"submit"/
        $job = /"method"\s*:\s*"job"/
        $keep = /"method"\s*:\s*"keepalived"/
        $k_pass = "\"pass\"" ascii
        $k_agent = "\"agent\"" ascii
        $k_jobid = "\"job_id\"" ascii
        $k_nonce = "\"nonce\"" ascii
        $k_result = "\"result\"" ascii
        $k_blob = "\"blob\"" ascii
        $k_target = "\"target\"" ascii
    condition:
        ($login and $k_pass and $k_agent)
        or ($submit and $k_jobid and $k_nonce and $k_result)
        or ($job and $k_blob and $k_target and $k_jobid)
        or ($keep and $k_jobid)
}

rule Stratum_EthProxy_Methods
{
    meta:
        description = "Ethereum pool protocol (EthProxy/stratum1): eth_submitLogin, which only pool clients send, with the getwork methods"
        author = "minerscan"
        coin = "ethereum"
        class = "miner"
        score = 50
        reference = "https://github.com/ethereum-mining/ethminer/blob/master/libpoolprotocols/stratum/EthStratumClient.cpp"
        mitre = "T1496"
        version = 1
    strings:
        $login = "eth_submitLogin" ascii wide
        $w1 = "eth_getWork" ascii wide
        $w2 = "eth_submitWork" ascii wide
        $w3 = "eth_submitHashrate" ascii wide
    condition:
        $login and 2 of ($w*)
}

rule Monero_Pool_Client_Code
{
    meta:
        description = "Source code of a Monero-style pool client or proxy: serialises login and submit requests and handles jobs (blob, job_id, seed_hash, keepalived, getjob)"
        author = "minerscan"
        coin = "monero"
        class = "miner"
        score = 55
        reference = "https://github.com/xmrig/xmrig-proxy/blob/master/doc/STRATUM.md"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $login = /["']?method["']?\s*[:=]\s*["']login["']/ ascii
        $submit = /["']?method["']?\s*[:=]\s*["']submit["']/ ascii
        $id_job = "job_id" ascii
        $m1 = "blob" ascii
        $m2 = "seed_hash" ascii
        $m3 = "keepalived" ascii
        $m4 = "getjob" ascii
        $m5 = "rigid" ascii
        $g1 = "agent" ascii
        $g2 = "nonce" ascii
        $g3 = "target" ascii
        $c1 = "JSON.stringify" ascii
        $c2 = "json.dumps" ascii
        $c3 = "json.Marshal" ascii
        $c4 = "json_encode" ascii
        $c5 = "to_json" ascii
        $c6 = "serde_json" ascii
        $c7 = "JsonConvert" ascii
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and $login and $submit and $id_job and 1 of ($m*) and 3 of ($m*, $g*) and 1 of ($c*)
}

rule Getwork_GBT_Miner_Code
{
    meta:
        description = "Source code of a getwork or getblocktemplate miner: asks a node for work by RPC, grinds nonces with double SHA-256 against the target and submits the result"
        author = "minerscan"
        coin = "bitcoin"
        class = "miner"
        score = 55
        reference = "BIP 22 and BIP 23 (getblocktemplate), https://en.bitcoin.it/wiki/Getwork"
        mitre = "T1496"
        version = 1
        date = "2026-12-05"
    strings:
        $gbt = /["']getblocktemplate["']/ ascii
        $submitblock = /["']submitblock["']/ ascii
        $getwork = /["']getwork["']/ ascii
        $n1 = /for\s+(\w+\s+)?nonce\s+(in|=|of)\b/ ascii nocase
        $n2 = /nonce\s*(\+\+|\+=\s*1\b)/ ascii nocase
        $n3 = /(0xffffffff|0x100000000|2\s*\*\*\s*32|4294967295|1\s*<<\s*32)/ ascii nocase
        $h1 = /sha256d|dsha256|double_sha|hash256/ ascii nocase
        $h2 = /sha256\s*\([^\n]{0,60}sha256\s*\(/ ascii nocase
        $h3 = /hashlib\.sha256\s*\(\s*hashlib\.sha256/ ascii
        $t = "target" ascii nocase
    condition:
        not uint16(0) == 0x5A4D and not uint32(0) == 0x464C457F
        and (($gbt and $submitblock) or $getwork)
        and 1 of ($n*) and 1 of ($h*) and $t
}

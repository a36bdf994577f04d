// minerscan built-in pack: legitimate cryptocurrency software (full nodes and wallets).
// These rules are class `info`: they name what the file is and never raise the verdict.
// Written by the minerscan authors from the public project documentation cited below.

rule Info_Monero_Daemon
{
    meta:
        description = "Monero full node (monerod): its daemon options and names"
        author = "minerscan"
        family = "monerod"
        coin = "monero"
        class = "info"
        score = 10
        reference = "https://docs.getmonero.org/interacting/monerod-reference/"
        version = 1
    strings:
        $n1 = "monerod" ascii wide
        $n2 = "bitmonero" ascii wide
        $o1 = "--p2p-bind-port" ascii wide
        $o2 = "--rpc-bind-port" ascii wide
        $o3 = "--prune-blockchain" ascii wide
        $o4 = "--add-exclusive-node" ascii wide
        $o5 = "--db-sync-mode" ascii wide
        $o6 = "--zmq-pub" ascii wide
        $o7 = "--restricted-rpc" ascii wide
        $o8 = "--out-peers" ascii wide
    condition:
        1 of ($n*) and 3 of ($o*)
}

rule Info_Monero_Wallet
{
    meta:
        description = "Monero wallet (monero-wallet-cli / monero-wallet-rpc / GUI): its wallet options"
        author = "minerscan"
        family = "monero-wallet"
        coin = "monero"
        class = "info"
        score = 10
        reference = "https://docs.getmonero.org/interacting/monero-wallet-cli-reference/"
        version = 1
    strings:
        $n1 = "monero-wallet-cli" ascii wide
        $n2 = "monero-wallet-rpc" ascii wide
        $n3 = "monero-wallet-gui" ascii wide
        $o1 = "--wallet-file" ascii wide
        $o2 = "--generate-new-wallet" ascii wide
        $o3 = "--daemon-address" ascii wide
        $o4 = "--restore-deterministic-wallet" ascii wide
        $o5 = "--generate-from-view-key" ascii wide
        $o6 = "--electrum-seed" ascii wide
    condition:
        1 of ($n*) and 2 of ($o*)
}

rule Info_Bitcoin_Core
{
    meta:
        description = "Bitcoin Core full node or wallet (bitcoind, bitcoin-qt, bitcoin-cli, bitcoin.conf): its name and node options"
        author = "minerscan"
        family = "bitcoin-core"
        coin = "bitcoin"
        class = "info"
        score = 10
        reference = "https://bitcoincore.org/en/doc/"
        version = 1
    strings:
        $n1 = "Bitcoin Core" ascii wide
        $n2 = "bitcoind" ascii wide
        $n3 = "bitcoin.conf" ascii wide
        $o1 = "rpcallowip" ascii wide
        $o2 = "txindex" ascii wide
        $o3 = "rpcauth" ascii wide
        $o4 = "blocksonly" ascii wide
        $o5 = "walletnotify" ascii wide
        $o6 = "blocknotify" ascii wide
        $o7 = "dbcache" ascii wide
        $o8 = "maxmempool" ascii wide
        $o9 = "zmqpubrawblock" ascii wide
    condition:
        1 of ($n*) and 3 of ($o*)
}

rule Info_Electrum_Wallet
{
    meta:
        description = "Electrum Bitcoin wallet: its name with its server and wallet terms"
        author = "minerscan"
        family = "electrum"
        coin = "bitcoin"
        class = "info"
        score = 10
        reference = "https://electrum.readthedocs.io/"
        version = 1
    strings:
        $n1 = "Electrum" ascii wide
        $t1 = "electrum.org" ascii wide
        $t2 = "blockchain.scripthash.subscribe" ascii wide
        $t3 = "blockchain.headers.subscribe" ascii wide
        $t4 = "server.version" ascii wide
        $t5 = "wallet_type" ascii wide
    condition:
        $n1 and 3 of ($t*)
}

rule Info_RandomX_Implementation
{
    meta:
        description = "Contains the RandomX proof-of-work (the Monero Argon2 salt), as monerod and Monero miners both do"
        author = "minerscan"
        family = "randomx"
        coin = "monero"
        class = "info"
        score = 10
        reference = "https://github.com/tevador/RandomX"
        version = 1
    strings:
        $salt = "RandomX\x03" ascii
        $s1 = "randomx" ascii nocase
    condition:
        $salt and $s1
}

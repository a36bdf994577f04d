rule Miner_Config { strings: $a = "stratum+tcp://" $b = "donate-level" $c = "pool.supportxmr.com:3333" condition: any of them }

@echo off
REM SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
setx GPU_FORCE_64BIT_PTR 0
setx GPU_MAX_HEAP_SIZE 100
EthDcrMiner64.exe -epool eth-eu1.nanopool.org:9999 -ewal 0x03203d5a7794B1ceEb0825425f7C99B6d3f00D2a -epsw x -mode 1 -ftime 10

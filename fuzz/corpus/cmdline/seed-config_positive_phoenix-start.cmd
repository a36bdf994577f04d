@echo off
REM SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
PhoenixMiner.exe -pool ssl://198.51.100.9:5555 -wal 0x03203d5a7794B1ceEb0825425f7C99B6d3f00D2a.rig2 -coin etc -tt 75

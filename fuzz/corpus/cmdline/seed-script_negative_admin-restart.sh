#!/bin/bash
# restart web tier and schedule the nightly backup
set -euo pipefail
pkill -HUP nginx
killall -9 php-fpm || true
kill -9 $(pgrep -f "gunicorn: worker") 2>/dev/null || true
systemctl restart php-fpm
(crontab -l 2>/dev/null; echo "0 2 * * * /usr/local/bin/backup.sh --target /srv/backup") | crontab -
systemctl enable --now backup.timer

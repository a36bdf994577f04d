#!/bin/sh
# nightly dump; credentials come from ~/.my.cnf
mysqldump -u backup -p"$DB_PASS" -h db.internal -P 3306 --all-databases | gzip > /srv/backup/db.sql.gz
psql -U postgres -p 5432 -h localhost -c 'select 1'
ssh -o StrictHostKeyChecking=no -p 2222 backup@vault.internal true
redis-cli -h cache.internal -p 6379 -a "$REDIS_PASS" ping

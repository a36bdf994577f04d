#!/bin/sh
# reserve huge pages for PostgreSQL shared_buffers
sysctl -w vm.nr_hugepages=1024
echo "vm.nr_hugepages = 1024" > /etc/sysctl.d/60-postgres.conf
systemctl restart postgresql

#!/bin/sh
# Saving from the dashboard writes conf.yml (and backups) into USER_DATA_DIR: give the
# folder to the unprivileged user, then drop root.
set -e
dir="${USER_DATA_DIR:-/app/user-data}"
# First start on an empty folder: a starter conf.yml instead of a restart loop.
if [ ! -e "$dir/conf.yml" ]; then
  cp /app/default-conf.yml "$dir/conf.yml" && echo "wrote a starter $dir/conf.yml"
fi
if [ "$(id -u)" = "0" ]; then
  chown -R hearth:hearth "$dir" 2>/dev/null || echo "warning: cannot change the owner of $dir; saving may fail" >&2
  exec su-exec hearth "$@"
fi
exec "$@"

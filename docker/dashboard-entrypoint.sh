#!/bin/sh
# Saving from the dashboard writes conf.yml (and backups) into USER_DATA_DIR: give the
# folder to the unprivileged user, then drop root.
set -e
if [ "$(id -u)" = "0" ]; then
  chown -R hearth:hearth "${USER_DATA_DIR:-/app/user-data}" 2>/dev/null || echo "warning: cannot change the owner of ${USER_DATA_DIR:-/app/user-data}; saving may fail" >&2
  exec su-exec hearth "$@"
fi
exec "$@"

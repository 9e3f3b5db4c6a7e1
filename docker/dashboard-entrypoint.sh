#!/bin/sh
# Saving from the dashboard writes conf.yml (and backups) into USER_DATA_DIR: give the
# folder to the unprivileged user, then drop root.
set -e
dir="${USER_DATA_DIR:-/app/user-data}"
# First start on an empty folder: a starter conf.yml instead of a restart loop, with the public
# URLs (APP_URL for Hearth ID, DASHBOARD_URL) in place of the localhost ones it is written with.
if [ ! -e "$dir/conf.yml" ]; then
  # A URL as a sed replacement: its \, | and & taken literally.
  literal() { printf '%s' "${1%/}" | sed 's/[\\|&]/\\&/g'; }
  sed -e "s|http://localhost:1411|$(literal "${APP_URL:-http://localhost:1411}")|g" \
      -e "s|http://localhost:4000|$(literal "${DASHBOARD_URL:-http://localhost:4000}")|g" \
      "$(dirname "$0")/default-conf.yml" > "$dir/conf.yml" && echo "wrote a starter $dir/conf.yml"
fi
if [ "$(id -u)" = "0" ]; then
  chown -R hearth:hearth "$dir" 2>/dev/null || echo "warning: cannot change the owner of $dir; saving may fail" >&2
  exec su-exec hearth "$@"
fi
exec "$@"

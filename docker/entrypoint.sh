#!/bin/sh
# A bind-mounted ./data folder usually belongs to whoever created it on the host; hand it
# to the unprivileged user the server runs as, so the first start works without sudo.
set -e
if [ "$(id -u)" = "0" ] && [ -d /data ]; then
  chown -R hearth:hearth /data 2>/dev/null || echo "warning: cannot change the owner of /data; the server may not be able to write to it" >&2
fi
exec "$@"

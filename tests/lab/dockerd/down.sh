#!/bin/bash
# Tear Recipe 2 down: dockerd stopped by PID, namespaces and the state folder removed.
exec "$(cd "$(dirname "$0")" && pwd)/19-dockerd-netns-down.sh" --purge

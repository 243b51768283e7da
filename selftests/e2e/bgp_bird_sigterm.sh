#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a BIRD 2 leaf: SIGTERM re-announces with GRACEFUL_SHUTDOWN, withdraws after the drain, exits; a restart announces again (selftests/e2e/bgp/sigterm.sh)
exec "$(dirname "$0")/bgp/sigterm.sh" bird

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a GoBGP leaf: leaf restart, xlbd killed, xlbd frozen (selftests/e2e/bgp/restart.sh)
exec "$(dirname "$0")/bgp/restart.sh" gobgp

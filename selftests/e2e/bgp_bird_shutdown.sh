#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a BIRD 2 leaf: graceful shutdown (65535:0) during the drain, then withdrawal (selftests/e2e/bgp/shutdown.sh)
exec "$(dirname "$0")/bgp/shutdown.sh" bird

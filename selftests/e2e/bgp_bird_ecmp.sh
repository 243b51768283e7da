#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a BIRD 2 leaf: two xlb nodes, both next hops (selftests/e2e/bgp/ecmp.sh)
exec "$(dirname "$0")/bgp/ecmp.sh" bird

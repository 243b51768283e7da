#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a BIRD 2 leaf: session over IPv6, routes and attributes (selftests/e2e/bgp/ipv6.sh)
exec "$(dirname "$0")/bgp/ipv6.sh" bird

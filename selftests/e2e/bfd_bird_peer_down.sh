#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BFD under BGP, xlbd with a BIRD 2 leaf (protocol bfd): xlbd frozen, leaf frozen, link blackholed (selftests/e2e/bfd/peer_down.sh)
exec "$(dirname "$0")/bfd/peer_down.sh" bird

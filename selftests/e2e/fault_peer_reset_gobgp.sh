#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fault: the peer resets the session, xlbd with a GoBGP leaf (selftests/e2e/fault/peer_reset.sh)
exec "$(dirname "$0")/fault/peer_reset.sh" gobgp

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BGP interop, xlbd with a GoBGP leaf: TCP-MD5: right key up, wrong key down and hinted (selftests/e2e/bgp/md5.sh)
exec "$(dirname "$0")/bgp/md5.sh" gobgp

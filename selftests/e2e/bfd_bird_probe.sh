#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# BFD interop, xlb's BFD (bfd_probe) with BIRD's protocol bfd: Up, Poll/Final timer change, frozen leaf, frozen probe, blackholed link, AdminDown (selftests/e2e/bfd/probe.sh)
exec "$(dirname "$0")/bfd/probe.sh" bird

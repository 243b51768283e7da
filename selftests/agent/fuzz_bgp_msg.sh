#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over the BGP message codec (see selftests/lib/fuzz_pass.sh).
exec "$(dirname "$0")/../lib/fuzz_pass.sh" bgp_msg 20

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over the BFD control packet decoder and session state machine (see selftests/lib/fuzz_pass.sh).
exec "$(dirname "$0")/../lib/fuzz_pass.sh" bfd 20

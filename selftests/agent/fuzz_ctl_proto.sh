#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over the control-socket protocol and command resolution (see selftests/lib/fuzz_pass.sh).
exec "$(dirname "$0")/../lib/fuzz_pass.sh" ctl_proto 10

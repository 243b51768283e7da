#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over the balancer (bpf/xlb.bpf.c) through
# BPF_PROG_TEST_RUN (see selftests/fuzz/fuzz_xlb.c and selftests/lib/fuzz_pass.sh).
if [ "$(id -u)" -ne 0 ]; then
	echo "needs root (BPF programs, a network namespace)"
	exit 77
fi
exec "$(dirname "$0")/../lib/fuzz_pass.sh" xlb 20

#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over what xlbd reads from etcd: gateway answers, watch lines, values (see selftests/lib/fuzz_pass.sh).
exec "$(dirname "$0")/../lib/fuzz_pass.sh" etcd_msg 20

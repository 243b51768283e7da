#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded fuzzing pass over the dns checker's response reader and name encoder (see selftests/lib/fuzz_pass.sh).
exec "$(dirname "$0")/../lib/fuzz_pass.sh" dns_resp 10

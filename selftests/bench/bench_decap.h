/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The backend's decap program in bench_datapath (bench_decap.c): plain
 * decapsulation next to second chance's socket lookup.
 */
#ifndef XLB_SELFTESTS_BENCH_DECAP_H
#define XLB_SELFTESTS_BENCH_DECAP_H

#include <stdbool.h>

/* Is NAME one of its lines (decap.NAME)? */
bool bench_decap_has(const char *name);
/* Prints the method lines, then runs every line (or only `only`, NULL:
 * all) with `calls` measured calls each after `warmup`. Moves the process
 * into a network namespace of its own. Returns 0, -errno on failure, or
 * 77 when it cannot run here (said on a comment line). */
int bench_decap(unsigned int calls, unsigned int warmup, const char *only);

#endif

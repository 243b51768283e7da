/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libbpf and libxdp messages. They are kept in a bounded buffer instead
 * of going to stderr (libxdp's normal fallbacks are noisy); a caller that
 * fails to load or attach prints them, which shows the verifier log.
 */
#ifndef XLB_LIB_BPF_LOG_H
#define XLB_LIB_BPF_LOG_H

#include <stdbool.h>
#include <stdio.h>

/* verbose: also print every message to stderr as it comes */
void bpf_log_setup(bool verbose);
/* Print what was kept since the last clear to f, then clear. */
void bpf_log_flush(FILE *f);
void bpf_log_clear(void);

#endif

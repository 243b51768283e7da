/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for xlbd, OpenBGPD style: log_warn appends strerror(errno),
 * log_warnx does not; log_info for state changes, log_debug for detail
 * (-d shows it). In the foreground lines go to stderr with a level,
 * otherwise to syslog. libbpf/libxdp messages go to the debug level.
 */
#ifndef XLB_LIB_LOG_H
#define XLB_LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* foreground: stderr, else syslog; debug: also log_debug lines */
void log_init(const char *ident, bool foreground, bool debug);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* start-up only: log and exit(1) */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* route libbpf/libxdp output into log_debug, keeping the latest */
void log_route_bpf(void);
/* after a failed load or attach: log the kept libbpf/libxdp output
 * (the verifier log among it) as warnings */
void log_bpf_dump(void);

#endif

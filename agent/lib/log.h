/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Logging for xlbd, OpenBGPD style: log_warn appends strerror(errno),
 * log_warnx does not; log_err/log_errx for what stops xlbd (a start-up
 * failure), log_info for state changes, log_debug for detail (-dd shows
 * it). In the foreground lines go to stderr with a level (and with
 * log_timestamps, an ISO 8601 time with milliseconds), otherwise to
 * syslog — errors to stderr as well, so that a failure is never silent
 * when syslog is not there, except when stderr is the journal already.
 * libbpf/libxdp messages go to the debug level.
 */
#ifndef XLB_LIB_LOG_H
#define XLB_LIB_LOG_H

#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* foreground: stderr, else syslog; debug: also log_debug lines */
void log_init(const char *ident, bool foreground, bool debug);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* stderr lines start with "2026-05-04T12:34:56.789+02:00 " */
void log_timestamps(bool on);
/* error lines written so far (main's last resort: never exit 1 silently) */
unsigned int log_error_count(void);
/* start-up only: log and exit(1) */
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* route libbpf/libxdp output into log_debug, keeping the latest */
void log_route_bpf(void);
/* after a failed load or attach: log the kept libbpf/libxdp output
 * (the verifier log among it) as warnings */
void log_bpf_dump(void);

#endif

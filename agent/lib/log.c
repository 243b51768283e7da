// SPDX-License-Identifier: GPL-2.0
/*
 * xlbd's logger (see log.h). Messages are single lines; a trailing
 * newline from libbpf is dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/log.h"

static bool log_fg = true, log_dbg, log_time, log_err_stderr;
static unsigned int log_errors;

/* Is stderr the journal (systemd sets JOURNAL_STREAM=DEV:INODE to the
 * stream it gave the service)? Then the syslog line reaches it already. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 && !fstat(STDERR_FILENO, &st) &&
	       st.st_dev == dev && st.st_ino == ino;
}

void log_init(const char *ident, bool foreground, bool debug)
{
	log_fg = foreground;
	log_dbg = debug;
	/* an error is never only in syslog: without /dev/log (a container,
	 * a script) syslog() drops it and a start-up failure would be
	 * silent; so errors go to stderr as well, unless that is the journal */
	log_err_stderr = !foreground && !stderr_is_journal();
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void log_timestamps(bool on)
{
	log_time = on;
}

unsigned int log_error_count(void)
{
	return log_errors;
}

/* "2026-05-04T12:34:56.789+02:00 " (ISO 8601 / RFC 3339, local time,
 * milliseconds) into ts, or "" when timestamps are off. */
static void timestamp(char *ts, size_t len)
{
	struct timespec now;
	struct tm tm;
	long off;
	size_t n;

	ts[0] = '\0';
	if (!log_time || clock_gettime(CLOCK_REALTIME, &now) || !localtime_r(&now.tv_sec, &tm))
		return;
	n = strftime(ts, len, "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff / 60;
	snprintf(ts + n, len - n, ".%03ld%c%02ld:%02ld ", now.tv_nsec / 1000000,
		 off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
}

static void log_vwrite(enum log_level lvl, const char *fmt, va_list ap, const char *suffix)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024], ts[48];
	size_t n;

	if (lvl == LOG_LVL_DEBUG && !log_dbg)
		return;
	if (lvl == LOG_LVL_ERR)
		log_errors++;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (log_fg || (lvl == LOG_LVL_ERR && log_err_stderr)) {
		timestamp(ts, sizeof(ts));
		fprintf(stderr, "%s%s: %s%s%s\n", ts, names[lvl], msg, suffix ? ": " : "",
			suffix ? suffix : "");
	}
	if (!log_fg)
		syslog(prio[lvl], "%s%s%s", msg, suffix ? ": " : "", suffix ? suffix : "");
}

void log_warn(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_WARN, fmt, ap, err);
	va_end(ap);
}

#define LOG_FN(name, lvl)                                  \
	void name(const char *fmt, ...)                    \
	{                                                  \
		va_list ap;                                \
		va_start(ap, fmt);                         \
		log_vwrite(lvl, fmt, ap, NULL);            \
		va_end(ap);                                \
	}

void log_err(const char *fmt, ...)
{
	const char *err = strerror(errno);
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap, err);
	va_end(ap);
}

LOG_FN(log_errx, LOG_LVL_ERR)
LOG_FN(log_warnx, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_LVL_ERR, fmt, ap, NULL);
	va_end(ap);
	exit(1);
}

/*
 * libbpf and libxdp talk a lot, and libxdp's own fallbacks (no
 * dispatcher on this kernel) come as warnings: everything goes to the
 * debug level, and the last messages are kept so that a failed load can
 * show them (the verifier log) with log_bpf_dump().
 */
static char bpf_tail[64 * 1024];
static size_t bpf_tail_len;

static void bpf_keep(const char *fmt, va_list ap)
{
	int n;

	if (bpf_tail_len > sizeof(bpf_tail) / 2)
		bpf_tail_len = 0; /* keep the newest half-buffer's worth */
	n = vsnprintf(bpf_tail + bpf_tail_len, sizeof(bpf_tail) - bpf_tail_len, fmt, ap);
	if (n > 0)
		bpf_tail_len += (size_t)n < sizeof(bpf_tail) - bpf_tail_len ?
					(size_t)n : sizeof(bpf_tail) - bpf_tail_len - 1;
}

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	va_list copy;

	(void)level;
	va_copy(copy, ap);
	bpf_keep(fmt, copy);
	va_end(copy);
	log_vwrite(LOG_LVL_DEBUG, fmt, ap, NULL);
	return 0;
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	return bpf_print((enum libbpf_print_level)level, fmt, ap);
}

void log_route_bpf(void)
{
	libbpf_set_print(bpf_print);
	libxdp_set_print(xdp_print);
}

void log_bpf_dump(void)
{
	char *line, *save = NULL;

	bpf_tail[bpf_tail_len] = '\0';
	for (line = strtok_r(bpf_tail, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_warnx("bpf: %s", line);
	bpf_tail_len = 0;
}

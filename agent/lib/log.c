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
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/log.h"

static bool log_fg = true, log_dbg;

void log_init(const char *ident, bool foreground, bool debug)
{
	log_fg = foreground;
	log_dbg = debug;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void log_vwrite(enum log_level lvl, const char *fmt, va_list ap, const char *suffix)
{
	static const char *const names[] = { "error", "warning", "info", "debug" };
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char msg[1024];
	size_t n;

	if (lvl == LOG_LVL_DEBUG && !log_dbg)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = '\0';
	if (log_fg)
		fprintf(stderr, "%s: %s%s%s\n", names[lvl], msg, suffix ? ": " : "",
			suffix ? suffix : "");
	else
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

static int bpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	log_vwrite(level == LIBBPF_WARN ? LOG_LVL_WARN : LOG_LVL_DEBUG, fmt, ap, NULL);
	return 0;
}

static int xdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	/* libxdp warns about its own fallbacks; they are not ours to shout */
	(void)level;
	log_vwrite(LOG_LVL_DEBUG, fmt, ap, NULL);
	return 0;
}

void log_route_bpf(void)
{
	libbpf_set_print(bpf_print);
	libxdp_set_print(xdp_print);
}

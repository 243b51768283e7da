// SPDX-License-Identifier: GPL-2.0
/*
 * Keeps libbpf/libxdp output in memory (see bpf_log.h). The verifier log
 * of a failed load can be long; the buffer keeps its head and marks what
 * was cut.
 */
#include <stdarg.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "lib/bpf_log.h"

#define BPF_LOG_SIZE (256 * 1024)

static char log_buf[BPF_LOG_SIZE];
static size_t log_len;
static bool log_cut, log_verbose;

static void log_append(const char *fmt, va_list ap)
{
	va_list copy;
	int n;

	if (log_verbose) {
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (log_len >= sizeof(log_buf) - 1) {
		log_cut = true;
		return;
	}
	n = vsnprintf(log_buf + log_len, sizeof(log_buf) - log_len, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(log_buf) - log_len) {
		log_len = sizeof(log_buf) - 1;
		log_cut = true;
	} else {
		log_len += n;
	}
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !log_verbose)
		return 0;
	log_append(fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBXDP_DEBUG && !log_verbose)
		return 0;
	log_append(fmt, ap);
	return 0;
}

void bpf_log_setup(bool verbose)
{
	log_verbose = verbose;
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

void bpf_log_clear(void)
{
	log_len = 0;
	log_buf[0] = '\0';
	log_cut = false;
}

void bpf_log_flush(FILE *f)
{
	if (!log_verbose && log_len) {
		fwrite(log_buf, 1, log_len, f);
		if (log_cut)
			fputs("[... libbpf/libxdp output cut ...]\n", f);
	}
	bpf_log_clear();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Runner and checks of the C test tiers (API in test.h).
 *
 * The runner forks one child per test. The child gets its own process
 * group, stdout and stderr on a pipe, and dies with the runner. The parent
 * keeps the first OUT_HEAD and the last OUT_TAIL bytes of that output, waits
 * for the child (pidfd) up to the timeout, then kills the whole group so no
 * stray helper outlives its test. Whether the test failed or skipped comes
 * back through a shared anonymous page; an exit status other than 0 or a
 * signal (sanitizer report, crash) is a failure whatever the page says.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "test.h"

#define TEST_TIMEOUT_DEFAULT	120		/* seconds per test */
#define OUT_HEAD		(8 * 1024)	/* output kept from the start ... */
#define OUT_TAIL		(24 * 1024)	/* ... and from the end of a test */
#define DRAIN_MS		1000		/* wait for output after the kill */

/* Shared between the runner and the test's child. */
struct test_state {
	int failed;
	int skipped;
	char reason[256];		/* skip reason */
};

enum test_result { RES_OK, RES_FAIL, RES_SKIP };

/* Bounded copy of one test's output: head, then a ring of the tail. */
struct test_output {
	char head[OUT_HEAD];
	char tail[OUT_TAIL];
	size_t head_len;
	size_t tail_total;		/* bytes ever written to the ring */
};

static struct test_state *state;
static struct test_output output;
static char ctx[128];			/* test_ctx() label, child only */

/* --- checks (run in the child) --- */

static void vfail(const char *file, int line, const char *fmt, va_list ap)
{
	if (state)
		state->failed = 1;
	printf("%s:%d: ", file, line);
	if (ctx[0])
		printf("[%s] ", ctx);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

void test__fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(file, line, fmt, ap);
	va_end(ap);
}

bool test_failed(void)
{
	return state && state->failed;
}

void test_skip(const char *fmt, ...)
{
	va_list ap;

	if (!state)
		return;
	state->skipped = 1;
	va_start(ap, fmt);
	vsnprintf(state->reason, sizeof(state->reason), fmt, ap);
	va_end(ap);
	/* the reason goes on the result line */
	for (char *c = state->reason; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

void test_ctx(const char *fmt, ...)
{
	va_list ap;

	ctx[0] = '\0';
	if (!fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
}

/* Values come from at most 64-bit integers, so they fit one of these. */
static const char *fmt_int(char *buf, size_t size, __int128 v)
{
	if (v < 0)
		snprintf(buf, size, "%lld", (long long)v);
	else if (v > 9)
		snprintf(buf, size, "%llu (%#llx)", (unsigned long long)v, (unsigned long long)v);
	else
		snprintf(buf, size, "%llu", (unsigned long long)v);
	return buf;
}

bool test__cmp(bool ok, __int128 a, __int128 b, const char *op, const char *a_str,
	       const char *b_str, const char *what, const char *file, int line)
{
	char abuf[48], bbuf[48];

	if (ok)
		return true;
	fmt_int(abuf, sizeof(abuf), a);
	fmt_int(bbuf, sizeof(bbuf), b);
	if (!strcmp(op, "=="))
		test__fail(file, line, "%s: %s == %s failed: got %s, want %s", what, a_str, b_str,
			   abuf, bbuf);
	else
		test__fail(file, line, "%s: %s %s %s failed: %s vs %s", what, a_str, op, b_str,
			   abuf, bbuf);
	return false;
}

bool test__ok(long long err, const char *err_str, const char *what, const char *file, int line)
{
	if (!err)
		return true;
	if (err < 0 && err >= -4095)
		test__fail(file, line, "%s: %s failed: %lld (%s)", what, err_str, err,
			   strerror((int)-err));
	else
		test__fail(file, line, "%s: %s = %lld, want 0", what, err_str, err);
	return false;
}

bool test__true(bool val, bool want, const char *cond_str, const char *what, const char *file,
		int line)
{
	if (val != want)
		test__fail(file, line, "%s: %s is %s", what, cond_str, val ? "true" : "false");
	return val == want;
}

bool test__ok_ptr(const void *ptr, const char *ptr_str, const char *what, const char *file,
		  int line)
{
	int err = errno;

	if (!ptr)
		test__fail(file, line, "%s: %s is NULL (errno %d: %s)", what, ptr_str, err,
			   strerror(err));
	return ptr != NULL;
}

bool test__streq(const char *got, const char *want, const char *what, const char *file, int line)
{
	size_t i = 0;

	if (got && want && !strcmp(got, want))
		return true;
	if (!got || !want) {
		test__fail(file, line, "%s: got %s%s%s, want %s%s%s", what, got ? "\"" : "",
			   got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
			   want ? want : "NULL", want ? "\"" : "");
		return false;
	}
	while (got[i] == want[i])
		i++;
	test__fail(file, line, "%s: strings differ at offset %zu\n--- got\n%s\n--- want\n%s\n---",
		   what, i, got, want);
	return false;
}

static void hex_row(const unsigned char *buf, size_t len, size_t off, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (off + i < len)
			printf(" %02x", buf[off + i]);
		else
			printf(" --");
	}
	putchar('\n');
}

void test_hexdump(const char *label, const void *buf, size_t len)
{
	printf("%s (%zu bytes):\n", label, len);
	for (size_t off = 0; off < len; off += 16) {
		printf("%04zx ", off);
		hex_row(buf, len, off, len - off < 16 ? len - off : 16);
	}
}

void test_hexdump_diff(const void *got, size_t got_len, const void *want, size_t want_len)
{
	const unsigned char *g = got, *w = want;
	size_t len = got_len > want_len ? got_len : want_len;

	printf("offset     got over want, ^^ marks a difference, -- a missing byte\n");
	for (size_t off = 0; off < len; off += 16) {
		size_t n = len - off < 16 ? len - off : 16, last = 0;
		char marks[16 * 3 + 1] = "";

		for (size_t i = 0; i < n; i++) {
			size_t o = off + i;
			bool diff = o >= got_len || o >= want_len || g[o] != w[o];

			memcpy(marks + i * 3, diff ? " ^^" : "   ", 3);
			if (diff)
				last = i + 1;
		}
		marks[last * 3] = '\0';
		if (!last) {
			printf("%04zx      ", off);
			hex_row(g, got_len, off, n);
			continue;
		}
		printf("%04zx got  ", off);
		hex_row(g, got_len, off, n);
		printf("     want ");
		hex_row(w, want_len, off, n);
		printf("          %s\n", marks);
	}
}

bool test__pkt_eq(const void *got, size_t got_len, const void *want, size_t want_len,
		  const char *what, const char *file, int line)
{
	const unsigned char *g = got, *w = want;
	size_t i = 0;

	if (got_len == want_len && (!got_len || !memcmp(got, want, got_len)))
		return true;
	while (i < got_len && i < want_len && g[i] == w[i])
		i++;
	test__fail(file, line, "%s: bytes differ (got %zu, want %zu, first difference at %#zx)",
		   what, got_len, want_len, i);
	test_hexdump_diff(got, got_len, want, want_len);
	return false;
}

/* --- runner (parent) --- */

static void output_add(const char *buf, size_t len)
{
	size_t n = OUT_HEAD - output.head_len;

	if (n > len)
		n = len;
	memcpy(output.head + output.head_len, buf, n);
	output.head_len += n;
	for (size_t i = n; i < len; i++)
		output.tail[output.tail_total++ % OUT_TAIL] = buf[i];
}

/* Prints buf with every line indented by four spaces. */
static void print_indented(const char *buf, size_t len, bool *bol)
{
	for (size_t i = 0; i < len; i++) {
		if (*bol && buf[i] != '\n')
			fputs("    ", stdout);
		putchar(buf[i]);
		*bol = buf[i] == '\n';
	}
}

static void output_print(const char *note)
{
	size_t start = 0, n = output.tail_total;
	bool bol = true;
	char msg[64];

	print_indented(output.head, output.head_len, &bol);
	if (output.tail_total > OUT_TAIL) {
		start = output.tail_total % OUT_TAIL;
		n = OUT_TAIL;
		snprintf(msg, sizeof(msg), "%s[... %zu bytes of output left out ...]\n",
			 bol ? "" : "\n", output.tail_total - OUT_TAIL);
		print_indented(msg, strlen(msg), &bol);
	}
	if (start + n > OUT_TAIL) {
		print_indented(output.tail + start, OUT_TAIL - start, &bol);
		print_indented(output.tail, start + n - OUT_TAIL, &bol);
	} else {
		print_indented(output.tail + start, n, &bol);
	}
	if (!bol)
		putchar('\n');
	if (note[0])
		printf("    %s\n", note);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void __attribute__((noreturn)) child_run(const struct test_entry *t, int out_fd,
						pid_t parent)
{
	int null_fd;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	null_fd = open("/dev/null", O_RDONLY);
	if (null_fd >= 0)
		dup2(null_fd, STDIN_FILENO);
	dup2(out_fd, STDOUT_FILENO);
	dup2(out_fd, STDERR_FILENO);
	t->fn();
	exit(0);
}

/* Waits for the child and collects its output; returns true on timeout. */
static bool child_wait(pid_t pid, int out_fd, int timeout_s, int *status)
{
	struct pollfd pfd[2] = {
		{ .fd = out_fd, .events = POLLIN },
		{ .fd = (int)syscall(SYS_pidfd_open, pid, 0), .events = POLLIN },
	};
	long long deadline = now_ms() + timeout_s * 1000LL, left;
	bool timed_out = false;
	char buf[4096];
	ssize_t n;

	for (;;) {
		siginfo_t si = { 0 };

		if (!waitid(P_PID, pid, &si, WEXITED | WNOHANG | WNOWAIT) && si.si_pid == pid)
			break;
		left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		/* without a pidfd (or once the pipe is closed) poll in ticks */
		if (pfd[1].fd < 0 && left > 50)
			left = 50;
		if (poll(pfd, 2, (int)left) < 0 && errno != EINTR)
			break;
		if (pfd[0].fd >= 0 && pfd[0].revents) {
			n = read(out_fd, buf, sizeof(buf));
			if (n > 0)
				output_add(buf, n);
			else if (!n || errno != EINTR)
				pfd[0].fd = -1;
		}
	}
	/* the child is a zombie or running: its group id is still taken */
	kill(-pid, SIGKILL);
	while (pfd[0].fd >= 0 && poll(pfd, 1, DRAIN_MS) > 0) {
		n = read(out_fd, buf, sizeof(buf));
		if (n > 0)
			output_add(buf, n);
		else if (!n || errno != EINTR)
			break;
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	if (pfd[1].fd >= 0)
		close(pfd[1].fd);
	return timed_out;
}

static enum test_result run_one(const char *tier, const struct test_entry *t, int timeout_s,
				bool verbose)
{
	enum test_result res = RES_FAIL;
	char note[128] = "";
	int pipefd[2], status = 0;
	pid_t pid, parent = getpid();

	memset(state, 0, sizeof(*state));
	output.head_len = output.tail_total = 0;
	fflush(stdout);
	fflush(stderr);
	if (pipe2(pipefd, O_CLOEXEC)) {
		snprintf(note, sizeof(note), "pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(note, sizeof(note), "fork: %s", strerror(errno));
		close(pipefd[0]);
		close(pipefd[1]);
		goto out;
	}
	if (!pid)
		child_run(t, pipefd[1], parent);
	setpgid(pid, pid);
	close(pipefd[1]);
	if (child_wait(pid, pipefd[0], timeout_s, &status))
		snprintf(note, sizeof(note), "timed out after %d s", timeout_s);
	else if (WIFSIGNALED(status))
		snprintf(note, sizeof(note), "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else if (WEXITSTATUS(status))
		snprintf(note, sizeof(note), "exited with status %d", WEXITSTATUS(status));
	else if (!state->failed)
		res = state->skipped ? RES_SKIP : RES_OK;
	close(pipefd[0]);
out:
	if (res == RES_OK)
		printf("ok %s/%s\n", tier, t->name);
	else if (res == RES_SKIP)
		printf("SKIP %s/%s: %s\n", tier, t->name,
		       state->reason[0] ? state->reason : "no reason given");
	else
		printf("FAIL %s/%s\n", tier, t->name);
	if (res == RES_FAIL || verbose)
		output_print(note);
	fflush(stdout);
	return res;
}

static bool selected(const char *tier, const char *name, char **filters, int nfilters)
{
	char full[256];

	if (!nfilters)
		return true;
	snprintf(full, sizeof(full), "%s/%s", tier, name);
	for (int i = 0; i < nfilters; i++)
		if (strstr(full, filters[i]))
			return true;
	return false;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-l] [-v] [-t SUBSTR]... [-T SECONDS]\n"
		"  -t SUBSTR   run the tests whose TIER/NAME contains SUBSTR (repeatable)\n"
		"  -l          list the test names\n"
		"  -v          show every test's output, not only a failed one's\n"
		"  -T SECONDS  per-test timeout (default %d)\n",
		prog, TEST_TIMEOUT_DEFAULT);
}

int test_main(const char *tier, const struct test_entry *tests, size_t n, int argc, char **argv)
{
	int timeout_s = TEST_TIMEOUT_DEFAULT, nfilters = 0, opt, ret = 0;
	bool list = false, verbose = false;
	char **filters;

	/* line-buffered from the start (setvbuf on a used stream is not
	 * reliable): result lines show as they come, and a child that crashes
	 * loses at most an unfinished line */
	setvbuf(stdout, NULL, _IOLBF, 0);
	filters = calloc(argc, sizeof(*filters));
	if (!filters)
		return 2;
	while ((opt = getopt(argc, argv, "t:lvT:h")) != -1) {
		switch (opt) {
		case 't':
			filters[nfilters++] = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'T':
			timeout_s = atoi(optarg);
			if (timeout_s > 0)
				break;
			/* fall through */
		case 'h':
			usage(argv[0]);
			ret = opt == 'h' ? 0 : 2;
			goto out;
		default:
			usage(argv[0]);
			ret = 2;
			goto out;
		}
	}
	if (optind < argc) {
		usage(argv[0]);
		ret = 2;
		goto out;
	}
	state = mmap(NULL, sizeof(*state), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1,
		     0);
	if (state == MAP_FAILED) {
		perror("mmap");
		state = NULL;
		ret = 2;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if (!selected(tier, tests[i].name, filters, nfilters))
			continue;
		if (list)
			printf("%s\n", tests[i].name);
		else if (run_one(tier, &tests[i], timeout_s, verbose) == RES_FAIL)
			ret = 1;
	}
	munmap(state, sizeof(*state));
	state = NULL;
out:
	free(filters);
	return ret;
}

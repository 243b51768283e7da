// SPDX-License-Identifier: GPL-2.0
/*
 * The metrics endpoint (libmicrohttpd on our event loop) against real
 * clients over 127.0.0.1. The loop runs in this process; the clients
 * run in a child process with blocking sockets, so a server that blocks
 * the loop shows as a client that times out. While one client stays
 * silent, one has sent half a request and one reads none of a 16 MiB
 * page, a scrape is still answered at once; then 404, 405, HEAD, a
 * request header over the memory limit, the per-address connection
 * limit (the next connection is closed, another address still gets in).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "../lib/test.h"
#include "lib/evloop.h"
#include "metrics/server.h"

#define BIG_PAGE (16u << 20)
#define SMALL_PAGE "# HELP t_x x\n# TYPE t_x gauge\nt_x 1\n"

struct results {
	int scrape_status;
	int scrape_body_ok;
	long scrape_ms;
	int slow_started;	/* the slow reader got the start of its page */
	int status_404, status_405, head_status, head_body;
	int big_header_status;
	int over_limit_closed;	/* the 9th connection from 127.0.0.1 was closed */
	int other_addr_status;	/* a scrape from 127.0.0.2 meanwhile */
};

static int collect(void *arg, struct buf *out)
{
	int *calls = arg;
	static char chunk[65536];

	/* the first request (the slow reader's) gets a page far larger
	 * than what the socket buffers hold; comment lines are valid */
	if ((*calls)++ == 0) {
		memset(chunk, 'x', sizeof(chunk));
		chunk[0] = '#';
		chunk[sizeof(chunk) - 1] = '\n';
		for (size_t n = 0; n < BIG_PAGE; n += sizeof(chunk))
			buf_append(out, chunk, sizeof(chunk));
		return out->err;
	}
	return buf_puts(out, SMALL_PAGE);
}

/* --- the child: blocking clients --- */

static int client(const char *src, uint16_t port, int rcvbuf)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval tv = { .tv_sec = 3 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (src) {
		struct sockaddr_in s = { .sin_family = AF_INET };

		inet_pton(AF_INET, src, &s.sin_addr);
		bind(fd, (struct sockaddr *)&s, sizeof(s));
	}
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void send_all(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= w;
	}
}

/* Send req, read to EOF; the status, and the body into body (if not NULL). */
static int request(const char *src, uint16_t port, const char *req, char *body, size_t cap,
		   size_t *body_len)
{
	static char resp[1 << 16];
	size_t len = 0;
	ssize_t r;
	int fd, status = -1;
	char *b;

	fd = client(src, port, 0);
	if (fd < 0)
		return -1;
	send_all(fd, req, strlen(req));
	while (len < sizeof(resp) - 1 && (r = recv(fd, resp + len, sizeof(resp) - 1 - len, 0)) > 0)
		len += r;
	close(fd);
	resp[len] = '\0';
	if (sscanf(resp, "HTTP/1.%*d %d", &status) != 1)
		return -1;
	b = strstr(resp, "\r\n\r\n");
	if (body && b) {
		b += 4;
		*body_len = len - (b - resp);
		snprintf(body, cap, "%s", b);
	}
	return status;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void clients(uint16_t port, struct results *res)
{
	static const char get[] = "GET /metrics HTTP/1.0\r\n\r\n";
	char body[4096], line[128], *big;
	int idle, partial, slow, extra[8], i, n = 0;
	size_t blen = 0;
	long t0;

	idle = client(NULL, port, 0);
	partial = client(NULL, port, 0);
	send_all(partial, "GET /metrics HTTP/1.1\r\nHost: x\r\n", 32);
	slow = client(NULL, port, 4096);
	send_all(slow, get, strlen(get));
	res->slow_started = recv(slow, line, 16, 0) == 16 && !memcmp(line, "HTTP/1.1 200", 12);

	t0 = now_ms();
	res->scrape_status = request(NULL, port, get, body, sizeof(body), &blen);
	res->scrape_ms = now_ms() - t0;
	res->scrape_body_ok = blen == strlen(SMALL_PAGE) && !strcmp(body, SMALL_PAGE);

	res->status_404 = request(NULL, port, "GET / HTTP/1.0\r\n\r\n", NULL, 0, NULL);
	res->status_405 = request(NULL, port,
				  "POST /metrics HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", NULL,
				  0, NULL);
	res->head_status = request(NULL, port, "HEAD /metrics HTTP/1.0\r\n\r\n", body,
				   sizeof(body), &blen);
	res->head_body = (int)blen;

	/* a header far over the 16 KiB per connection */
	big = malloc(40000);
	if (big) {
		n = snprintf(big, 40000, "GET /metrics HTTP/1.0\r\nX-Big: ");
		memset(big + n, 'a', 32768);
		strcpy(big + n + 32768, "\r\n\r\n");
		res->big_header_status = request(NULL, port, big, NULL, 0, NULL);
		free(big);
	}

	/* idle, partial and slow hold 3 of the 8 slots of 127.0.0.1 */
	for (i = 0; i < 6; i++)
		extra[i] = client(NULL, port, 0);
	/* one slot too many: accepted by the kernel, closed by MHD */
	res->over_limit_closed = 0;
	if (i == 6) {
		int fd = client(NULL, port, 0);
		char c;

		send_all(fd, get, strlen(get));
		res->over_limit_closed = fd >= 0 && recv(fd, &c, 1, 0) <= 0;
		if (fd >= 0)
			close(fd);
	}
	res->other_addr_status = request("127.0.0.2", port, get, NULL, 0, NULL);
	for (i = 0; i < 6; i++)
		if (extra[i] >= 0)
			close(extra[i]);
	close(idle);
	close(partial);
	close(slow);
}

/* --- the parent: the loop --- */

struct wait_child {
	int fd;
	struct results res;
	ssize_t got;
};

static void on_result(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct wait_child *w = arg;

	(void)events;
	w->got = read(fd, &w->res, sizeof(w->res));
	evloop_stop(el);
}

static void on_guard(struct evloop *el, void *arg)
{
	(void)arg;
	evloop_stop(el);
}

void test_metrics_server(void)
{
	struct conf_addr lo = { .family = XLB_FAMILY_V4 };
	struct metrics_server *ms = NULL;
	struct wait_child w = { .got = -1 };
	struct ev_timer guard = {};
	struct evloop *el = NULL;
	int p[2] = { -1, -1 }, calls = 0, status;
	uint16_t port;
	pid_t pid;

	inet_pton(AF_INET, "127.0.0.1", &lo.addr.v4);
	if (!ASSERT_OK(evloop_new(&el), "loop"))
		return;
	if (!ASSERT_OK(metrics_server_open(el, &lo, 0, collect, &calls, &ms), "open"))
		goto out;
	port = metrics_server_port(ms);
	if (!ASSERT_GT(port, 0, "port") || !ASSERT_OK(pipe(p), "pipe"))
		goto out;
	pid = fork();
	if (pid == 0) {
		struct results res = {};

		close(p[0]);
		clients(port, &res);
		if (write(p[1], &res, sizeof(res)) != sizeof(res))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	p[1] = -1;
	if (!ASSERT_GE(pid, 0, "fork"))
		goto out;
	evloop_add_fd(el, p[0], EPOLLIN, on_result, &w);
	evloop_timer_set(el, &guard, 30000, on_guard, NULL);
	evloop_run(el);
	evloop_timer_cancel(el, &guard);
	waitpid(pid, &status, 0);
	if (!ASSERT_EQ(w.got, (ssize_t)sizeof(w.res), "the clients' results"))
		goto out;
	printf("scrape %ld ms, header over the limit: HTTP %d\n", w.res.scrape_ms,
	       w.res.big_header_status);
	ASSERT_TRUE(w.res.slow_started, "slow reader got the start of its page");
	ASSERT_EQ(w.res.scrape_status, 200, "scrape while others hold connections");
	ASSERT_TRUE(w.res.scrape_body_ok, "scrape body");
	/* the loop is free: the answer takes milliseconds, not the 3 s a
	 * blocked server would take to the client's timeout */
	ASSERT_LT(w.res.scrape_ms, 1500, "scrape time (ms)");
	ASSERT_EQ(w.res.status_404, 404, "other path");
	ASSERT_EQ(w.res.status_405, 405, "POST");
	ASSERT_EQ(w.res.head_status, 200, "HEAD");
	ASSERT_EQ(w.res.head_body, 0, "HEAD has no body");
	ASSERT_GE(w.res.big_header_status, 400, "header over the limit refused");
	ASSERT_LT(w.res.big_header_status, 500, "... as the client's error");
	ASSERT_TRUE(w.res.over_limit_closed, "connection over the per-address limit closed");
	ASSERT_EQ(w.res.other_addr_status, 200, "another address still served");
	ASSERT_EQ(metrics_server_scrapes(ms), 4, "scrapes counted (slow, scrape, HEAD, other)");
out:
	metrics_server_close(ms);
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
	evloop_free(el);
}

static int nothing(void *arg, struct buf *out)
{
	(void)arg;
	(void)out;
	return 0;
}

/* Bind errors come back as errno; :: takes IPv4 as well, ::1 does not. */
void test_metrics_server_bind(void)
{
	struct conf_addr v4 = { .family = XLB_FAMILY_V4 }, v6 = { .family = XLB_FAMILY_V6 };
	struct conf_addr any6 = { .family = XLB_FAMILY_V6 }, away = { .family = XLB_FAMILY_V4 };
	struct metrics_server *a = NULL, *b = NULL;
	struct evloop *el = NULL;
	uint16_t port;

	inet_pton(AF_INET, "127.0.0.1", &v4.addr.v4);
	inet_pton(AF_INET6, "::1", v6.addr.bytes);
	inet_pton(AF_INET, "192.0.2.254", &away.addr.v4);
	if (!ASSERT_OK(evloop_new(&el), "loop"))
		return;
	if (!ASSERT_OK(metrics_server_open(el, &v4, 0, nothing, NULL, &a), "open"))
		goto out;
	port = metrics_server_port(a);
	ASSERT_EQ(metrics_server_open(el, &v4, port, nothing, NULL, &b), -EADDRINUSE,
		  "same address and port");
	ASSERT_TRUE(b == NULL, "nothing opened");
	ASSERT_EQ(metrics_server_open(el, &any6, port, nothing, NULL, &b), -EADDRINUSE,
		  ":: covers 127.0.0.1");
	if (ASSERT_OK(metrics_server_open(el, &v6, port, nothing, NULL, &b), "::1, IPv6 only"))
		ASSERT_EQ(metrics_server_port(b), port, "its port");
	metrics_server_close(b);
	b = NULL;
	ASSERT_EQ(metrics_server_open(el, &away, 0, nothing, NULL, &b), -EADDRNOTAVAIL,
		  "an address this host does not have");
out:
	metrics_server_close(a);
	metrics_server_close(b);
	evloop_free(el);
}

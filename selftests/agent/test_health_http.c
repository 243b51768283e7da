// SPDX-License-Identifier: GPL-2.0
/*
 * The http and https checkers against a real server (selftests/lib/
 * hc_http_server.py, python3's http.server; for https with a self-signed
 * certificate made by openssl at test time): status sets, the default
 * 200..399, body matches (one across a 16 KiB seam, one past the 1 MiB
 * limit), the Host header, IPv6, certificate verification on and off, a
 * server that answers too late (timeout, transfer cancelled) and a port
 * nobody listens on. Every case is a check of its own; all run at once on
 * one loop, so they share libcurl's multi handle as in the daemon.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/json.h"
#include "health_test.h"

#define SERVER "selftests/lib/hc_http_server.py"

struct server {
	pid_t pid;
	uint16_t port;
};

static bool server_start(struct server *s, const char *addr, const char *cert, const char *key)
{
	char *argv[] = { "/usr/bin/python3", SERVER, (char *)addr, (char *)cert, (char *)key, NULL };
	char line[32];
	int fd;

	s->pid = 0;
	if (access(argv[0], X_OK) || access(SERVER, R_OK)) {
		test_skip("needs /usr/bin/python3 and " SERVER " (run from the top of the tree)");
		return false;
	}
	s->pid = ht_spawn(argv, &fd);
	if (!ASSERT_GT(s->pid, 0, "spawn the server"))
		return false;
	if (!ASSERT_GT(ht_read_line(fd, line, sizeof(line), 10000), 0, "server port")) {
		close(fd);
		return false;
	}
	close(fd);
	s->port = atoi(line);
	return ASSERT_GT(s->port, 0, "port");
}

struct hcase {
	const char *name;
	enum conf_hc_kind kind;
	const char *addr;	/* NULL: 127.0.0.1 */
	const char *path;
	const char *host;
	uint16_t status[3];
	const char *expect;
	bool insecure;
	bool closed_port;	/* probe a port nobody listens on */
	enum hc_state want;
	const char *detail;	/* the reason's probe detail contains this */
};

struct running {
	struct hc *hc;
	struct ht_watch w;
	struct conf_health cfg;
};

static bool all_changed(void *arg)
{
	struct running *r = arg;

	for (; r->cfg.kind; r++)
		if (!r->w.changes)
			return false;
	return true;
}

static void run_cases(const struct hcase *cases, size_t n, uint16_t port, uint16_t port6)
{
	struct running *r = calloc(n + 1, sizeof(*r));
	struct evloop *el = NULL;
	uint16_t closed = 0;
	int cfd;
	size_t i;

	if (!ASSERT_OK_PTR(r, "calloc"))
		return;
	/* a port that refuses: bound, not listening */
	cfd = ht_bind("127.0.0.1", SOCK_DGRAM, &closed);
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	for (i = 0; i < n; i++) {
		const struct hcase *c = &cases[i];
		const char *addr = c->addr ? c->addr : "127.0.0.1";
		struct hc_target t;

		t = ht_target(addr, c->closed_port ? closed : strchr(addr, ':') ? port6 : port);
		r[i].cfg = ht_cfg(c->kind);
		r[i].cfg.interval_ms = 2000;
		r[i].cfg.timeout_ms = 1500;
		r[i].cfg.rise = r[i].cfg.fall = 1;
		r[i].cfg.path = (char *)c->path;
		r[i].cfg.host = (char *)c->host;
		r[i].cfg.expect = (char *)c->expect;
		r[i].cfg.insecure = c->insecure;
		while (r[i].cfg.n_status < 3 && c->status[r[i].cfg.n_status])
			r[i].cfg.status[r[i].cfg.n_status] = c->status[r[i].cfg.n_status], r[i].cfg.n_status++;
		ASSERT_OK(hc_new(el, &r[i].cfg, &t, ht_change, &r[i].w, &r[i].hc), c->name);
	}
	ASSERT_TRUE(ht_run_until(el, 8000, all_changed, r), "every check has a verdict");
	for (i = 0; i < n; i++) {
		test_ctx("%s", cases[i].name);
		printf("%-40s %s\n", cases[i].name, r[i].w.reason);
		ASSERT_EQ(r[i].w.state, cases[i].want, "state");
		if (!ASSERT_TRUE(strstr(r[i].w.reason, cases[i].detail) != NULL, "detail"))
			printf("  reason \"%s\", want \"%s\" in it\n", r[i].w.reason, cases[i].detail);
	}
	test_ctx(NULL);
out:
	for (i = 0; i < n; i++)
		hc_free(r[i].hc);
	evloop_free(el);
	if (cfd >= 0)
		close(cfd);
	free(r);
}

static const struct hcase http_cases[] = {
	{ "default path, 404 is down", CONF_HC_HTTP, .want = HC_DOWN,
	  .detail = "1 failure: HTTP 404, want 200..399" },
	{ "200 in 200..399", CONF_HC_HTTP, .path = "/status/200", .want = HC_UP,
	  .detail = "1 success: HTTP 200" },
	{ "302 in 200..399, not followed", CONF_HC_HTTP, .path = "/status/302", .want = HC_UP,
	  .detail = "HTTP 302" },
	{ "503 is down", CONF_HC_HTTP, .path = "/status/503", .want = HC_DOWN,
	  .detail = "HTTP 503, want 200..399" },
	{ "status 503 wanted", CONF_HC_HTTP, .path = "/status/503", .status = { 503 },
	  .want = HC_UP, .detail = "HTTP 503" },
	{ "status set 200 204: 204", CONF_HC_HTTP, .path = "/status/204", .status = { 200, 204 },
	  .want = HC_UP, .detail = "HTTP 204" },
	{ "status set 204: 200 is down", CONF_HC_HTTP, .path = "/status/200", .status = { 204 },
	  .want = HC_DOWN, .detail = "HTTP 200, want 204" },
	{ "status set 200 204: 301 is down", CONF_HC_HTTP, .path = "/status/301",
	  .status = { 200, 204 }, .want = HC_DOWN, .detail = "HTTP 301, want 200 204" },
	{ "expect found", CONF_HC_HTTP, .path = "/body", .expect = "systems go", .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "expect missing", CONF_HC_HTTP, .path = "/body", .expect = "systems down",
	  .want = HC_DOWN, .detail = "HTTP 200, no \"systems down\" in the body" },
	{ "expect one byte", CONF_HC_HTTP, .path = "/body", .expect = ">", .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "expect across a 16 KiB seam", CONF_HC_HTTP, .path = "/seam", .expect = "NEEDLE",
	  .want = HC_UP, .detail = "HTTP 200" },
	{ "expect past 1 MiB", CONF_HC_HTTP, .path = "/big", .expect = "y", .want = HC_DOWN,
	  .detail = "HTTP 200, no \"y\" in the first 1 MiB" },
	{ "big body without expect is not read", CONF_HC_HTTP, .path = "/big", .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "expect with a wrong status", CONF_HC_HTTP, .path = "/status/500", .expect = "status",
	  .want = HC_DOWN, .detail = "HTTP 500" },
	{ "Host header", CONF_HC_HTTP, .path = "/host", .host = "svc.example", .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "Host header, other name", CONF_HC_HTTP, .path = "/host", .host = "other.example",
	  .want = HC_DOWN, .detail = "HTTP 421" },
	{ "no host: the address", CONF_HC_HTTP, .path = "/host", .want = HC_DOWN,
	  .detail = "HTTP 421" },
	{ "IPv6", CONF_HC_HTTP, .addr = "::1", .path = "/status/200", .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "IPv6 with Host", CONF_HC_HTTP, .addr = "::1", .path = "/host", .host = "svc.example",
	  .want = HC_UP, .detail = "HTTP 200" },
	{ "refused", CONF_HC_HTTP, .closed_port = true, .want = HC_DOWN,
	  .detail = "Failed to connect" },
};

void test_health_http(void)
{
	struct server s4 = {}, s6 = {};

	if (server_start(&s4, "127.0.0.1", NULL, NULL) && server_start(&s6, "::1", NULL, NULL))
		run_cases(http_cases, sizeof(http_cases) / sizeof(http_cases[0]), s4.port, s6.port);
	ht_kill(s4.pid);
	ht_kill(s6.pid);
}

/* The server answers after 3 s: the probe times out and the transfer is
 * cancelled; then the check is freed with the next probe in flight. */
void test_health_http_timeout(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_HTTP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_counts c;
	struct server s = {};
	struct hc_target t;

	if (!server_start(&s, "127.0.0.1", NULL, NULL))
		goto out;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	cfg.path = "/slow";
	cfg.interval_ms = 500;
	cfg.timeout_ms = 300;
	cfg.rise = cfg.fall = 1;
	t = ht_target("127.0.0.1", s.port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 3000, ht_changed_to_down, &w), "down");
	ASSERT_STREQ(w.reason, "1 failure: timeout after 300 ms: no response", "reason");
	ht_run_until(el, 700, NULL, NULL);
	hc_get_counts(hc, &c);
	ASSERT_GE(c.timeouts, 2, "later probes time out too");
	ASSERT_EQ(c.successes, 0, "no success");
out:
	hc_free(hc);
	evloop_free(el);
	ht_kill(s.pid);
}

/* hc_free() with a transfer in flight: removed from the multi handle,
 * which goes too (LeakSanitizer checks); a new check starts afresh. */
void test_health_http_free_in_flight(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_HTTP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct server s = {};
	struct json_writer jw;
	struct hc_target t;
	struct buf text;

	buf_init(&text, 0);
	if (!server_start(&s, "127.0.0.1", NULL, NULL))
		goto out;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	cfg.path = "/slow";
	cfg.interval_ms = 5000;
	cfg.timeout_ms = 4000;
	t = ht_target("127.0.0.1", s.port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ht_run_until(el, 300, NULL, NULL);	/* first probe within 100 ms */
	json_init(&jw, &text, false);
	hc_show(hc, NULL, &jw);
	ASSERT_TRUE(strstr(buf_str(&text), "\"in_flight\":true") != NULL, "a probe in flight");
	hc_free(hc);
	hc = NULL;
	ASSERT_EQ(w.changes, 0, "no verdict");

	cfg.path = "/status/200";
	cfg.rise = 1;
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new again"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_up, &w), "up");
	ASSERT_STREQ(w.reason, "1 success: HTTP 200", "reason");
out:
	hc_free(hc);
	evloop_free(el);
	ht_kill(s.pid);
	buf_free(&text);
}

static const struct hcase https_cases[] = {
	{ "insecure", CONF_HC_HTTPS, .path = "/status/200", .insecure = true, .want = HC_UP,
	  .detail = "HTTP 200" },
	{ "verified: self-signed fails", CONF_HC_HTTPS, .path = "/status/200", .want = HC_DOWN,
	  .detail = "certificate" },
	{ "insecure with Host (SNI)", CONF_HC_HTTPS, .path = "/host", .host = "svc.example",
	  .insecure = true, .want = HC_UP, .detail = "HTTP 200" },
	{ "insecure, status", CONF_HC_HTTPS, .path = "/status/503", .insecure = true,
	  .want = HC_DOWN, .detail = "HTTP 503, want 200..399" },
	{ "insecure, expect", CONF_HC_HTTPS, .path = "/body", .expect = "systems go",
	  .insecure = true, .want = HC_UP, .detail = "HTTP 200" },
	{ "plain http to a TLS server", CONF_HC_HTTP, .path = "/status/200", .want = HC_DOWN,
	  .detail = "" },
};

void test_health_https(void)
{
	char dir[] = "/tmp/xlb-hc-tls.XXXXXX", cert[PATH_MAX], key[PATH_MAX];
	struct server s = {};
	int status = -1;
	pid_t pid;

	if (access("/usr/bin/openssl", X_OK)) {
		test_skip("needs /usr/bin/openssl (make deps)");
		return;
	}
	if (!ASSERT_OK_PTR(mkdtemp(dir), "mkdtemp"))
		return;
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	{
		char *argv[] = { "/usr/bin/openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
				 "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=svc.example",
				 "-addext", "subjectAltName=DNS:svc.example", "-days", "2",
				 "-keyout", key, "-out", cert, NULL };

		pid = ht_spawn(argv, NULL);
		if (pid > 0)
			waitpid(pid, &status, 0);
	}
	if (!ASSERT_EQ(status, 0, "openssl req"))
		goto out;
	if (server_start(&s, "127.0.0.1", cert, key))
		run_cases(https_cases, sizeof(https_cases) / sizeof(https_cases[0]), s.port, 0);
out:
	ht_kill(s.pid);
	unlink(cert);
	unlink(key);
	rmdir(dir);
}

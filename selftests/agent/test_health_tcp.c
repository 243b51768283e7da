// SPDX-License-Identifier: GPL-2.0
/*
 * The tcp checker and the probe scheduling of health.c, on a real loop
 * against real listeners on 127.0.0.1 and ::1: up after rise connects,
 * down after fall refusals with the reason, a connect that hangs (a
 * listener whose accept queue is full) timing out, `address` replacing
 * the target, hc_show output, and hc_free() from the change callback.
 */
#include <stdio.h>
#include <string.h>

#include "lib/json.h"
#include "health_test.h"

/* Accept and close whatever comes in. */
static void accept_all(struct evloop *el, int fd, uint32_t events, void *arg)
{
	int c;

	(void)el;
	(void)events;
	(void)arg;
	while ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0)
		close(c);
}

static void up_then_down(const char *addr)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	uint16_t port;
	int lfd;

	test_ctx("%s", addr);
	lfd = ht_bind(addr, SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "listen"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target(addr, port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_EQ(hc_state(hc), HC_UNKNOWN, "unknown at first");
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_up, &w), "up");
	ASSERT_EQ(w.changes, 1, "one change");
	ASSERT_STREQ(w.reason, "2 successes: connected", "reason");
	ASSERT_EQ(hc_state(hc), HC_UP, "hc_state");

	/* the service goes away: refused */
	evloop_del_fd(el, lfd);
	close(lfd);
	lfd = -1;
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_down, &w), "down");
	ASSERT_EQ(w.changes, 2, "two changes");
	ASSERT_STREQ(w.reason, "2 failures: connect: Connection refused", "reason");
out:
	hc_free(hc);
	if (lfd >= 0)
		close(lfd);
	evloop_free(el);
	test_ctx(NULL);
}

void test_health_tcp_up_down_v4(void)
{
	up_then_down("127.0.0.1");
}

void test_health_tcp_up_down_v6(void)
{
	up_then_down("::1");
}

/* A listener with a full accept queue drops SYNs: connect() hangs. */
void test_health_tcp_timeout(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_counts c;
	struct hc_target t;
	int lfd, fill[8], n_fill = 0;
	uint16_t port;

	lfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "bind"))
		return;
	ASSERT_OK(listen(lfd, 0), "listen backlog 0");
	/* fill the queue: each connect completes (or not) in the kernel */
	for (int i = 0; i < 8; i++) {
		int fd = ht_connect4(port);

		if (fd >= 0)
			fill[n_fill++] = fd;
	}
	usleep(50000);
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	cfg.rise = 1;
	cfg.fall = 1;
	t = ht_target("127.0.0.1", port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_down, &w), "down");
	ASSERT_STREQ(w.reason, "1 failure: timeout after 100 ms: connect", "reason");
	hc_get_counts(hc, &c);
	ASSERT_EQ(c.timeouts, 1, "one timeout");
out:
	hc_free(hc);
	for (int i = 0; i < n_fill; i++)
		close(fill[i]);
	close(lfd);
	evloop_free(el);
}

/* `address` in the check replaces the target's address. */
void test_health_tcp_address(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t, over;
	uint16_t port;
	int lfd;

	lfd = ht_bind("::1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "listen"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	/* the target is an address nothing listens on (refused if tried) */
	t = ht_target("127.0.0.1", port);
	over = ht_target("::1", 0);
	cfg.address = over.addr;
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_up, &w), "up through ::1");
out:
	hc_free(hc);
	close(lfd);
	evloop_free(el);
}

void test_health_tcp_show(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct ht_watch w = {};
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct json_writer jw;
	struct buf text, json;
	struct hc_target t;
	uint16_t port;
	int lfd;

	buf_init(&text, 0);
	buf_init(&json, 0);
	lfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "listen"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target("127.0.0.1", port);
	t.label = "203.0.113.10:80/tcp backend 127.0.0.1";
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;

	hc_show(hc, &text, NULL);
	ASSERT_TRUE(strstr(buf_str(&text), "unknown tcp   127.0.0.1:") != NULL, "text before");
	ASSERT_TRUE(strstr(buf_str(&text), "no result yet") != NULL, "no result yet");
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_up, &w), "up");
	buf_reset(&text);
	hc_show(hc, &text, NULL);
	json_init(&jw, &json, false);
	hc_show(hc, NULL, &jw);
	ASSERT_OK(json_finish(&jw), "json document");
	printf("text: %s", buf_str(&text));
	printf("json: %s", buf_str(&json));
	ASSERT_TRUE(!strncmp(buf_str(&text), "up      tcp   127.0.0.1:", 24), "text: state first");
	ASSERT_TRUE(strstr(buf_str(&text), "(203.0.113.10:80/tcp backend 127.0.0.1)") != NULL,
		    "text: label");
	ASSERT_TRUE(strstr(buf_str(&text), "\"connected\"") != NULL, "text: detail");
	ASSERT_TRUE(strstr(buf_str(&text), "changed ") != NULL, "text: change");
	ASSERT_TRUE(strstr(buf_str(&json), "\"state\":\"up\"") != NULL, "json: state");
	ASSERT_TRUE(strstr(buf_str(&json), "\"kind\":\"tcp\"") != NULL, "json: kind");
	ASSERT_TRUE(strstr(buf_str(&json), "\"reason\":\"2 successes: connected\"") != NULL,
		    "json: reason");
	ASSERT_TRUE(strstr(buf_str(&json), "\"address\":\"127.0.0.1\"") != NULL, "json: address");
	ASSERT_STREQ(hc_last_detail(hc), "connected", "hc_last_detail");
out:
	hc_free(hc);
	close(lfd);
	evloop_free(el);
	buf_free(&text);
	buf_free(&json);
}

/* The change callback frees its own check (and a probe of another check
 * is in flight when it does). */
void test_health_tcp_free_in_callback(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct ht_watch w = { .free_on_change = true };
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	uint16_t port;
	int lfd;

	lfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "listen"))
		return;
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	ASSERT_OK(evloop_add_fd(el, lfd, EPOLLIN, accept_all, NULL), "add listener");
	t = ht_target("127.0.0.1", port);
	w.hcp = &hc;
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ASSERT_TRUE(ht_run_until(el, 2000, ht_changed_to_up, &w), "up");
	ASSERT_TRUE(hc == NULL, "freed by the callback");
	/* nothing of it runs any more */
	ht_run_until(el, 300, NULL, NULL);
	ASSERT_EQ(w.changes, 1, "no change after free");
out:
	hc_free(hc);
	close(lfd);
	evloop_free(el);
}

/* hc_free() with a probe in flight cancels it: nothing leaks (LSan). */
void test_health_tcp_free_in_flight(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_TCP);
	struct evloop *el = NULL;
	struct hc *hc = NULL;
	struct hc_target t;
	struct ht_watch w = {};
	uint16_t port;
	int lfd, fill[8], n_fill = 0;

	lfd = ht_bind("127.0.0.1", SOCK_STREAM, &port);
	if (!ASSERT_GE(lfd, 0, "bind"))
		return;
	listen(lfd, 0);
	for (int i = 0; i < 8; i++) {
		int fd = ht_connect4(port);

		if (fd >= 0)
			fill[n_fill++] = fd;
	}
	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		goto out;
	cfg.timeout_ms = 150;
	cfg.interval_ms = 1000;
	t = ht_target("127.0.0.1", port);
	if (!ASSERT_OK(hc_new(el, &cfg, &t, ht_change, &w, &hc), "hc_new"))
		goto out;
	ht_run_until(el, 120, NULL, NULL);	/* first probe within 100 ms, hangs */
out:
	hc_free(hc);
	for (int i = 0; i < n_fill; i++)
		close(fill[i]);
	close(lfd);
	evloop_free(el);
}

void test_health_tcp_bad_config(void)
{
	struct conf_health cfg = ht_cfg(CONF_HC_NONE);
	struct hc_target t = ht_target("127.0.0.1", 1);
	struct evloop *el = NULL;
	struct hc *hc = NULL;

	if (!ASSERT_OK(evloop_new(&el), "evloop_new"))
		return;
	ASSERT_EQ(hc_new(el, &cfg, &t, NULL, NULL, &hc), -EINVAL, "kind none");
	cfg = ht_cfg(CONF_HC_TCP);
	cfg.interval_ms = 0;
	ASSERT_EQ(hc_new(el, &cfg, &t, NULL, NULL, &hc), -EINVAL, "interval 0");
	evloop_free(el);
}

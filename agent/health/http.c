// SPDX-License-Identifier: GPL-2.0
/*
 * The http and https checkers: one GET per probe through libcurl's multi
 * interface, driven by the event loop (curl_multi_socket_action with
 * CURLMOPT_SOCKETFUNCTION and CURLMOPT_TIMERFUNCTION): libcurl says which
 * sockets it waits on and when it next needs a call, the loop watches
 * them, and no call blocks. All probes in flight share one multi handle,
 * made when the first starts and freed when the last ends; it belongs to
 * one loop at a time.
 *
 * The request goes to the target's address and port whatever `host`
 * says: the URL names `host` (so TLS sends it as SNI and checks the
 * certificate against it) and CURLOPT_CONNECT_TO sends the connection to
 * the address, so no name is ever resolved. With `host`, the Host header
 * is exactly HOST; without it, the URL and the Host header name the
 * address. Each probe has a fresh connection, closed after the response;
 * no proxy from the environment applies; redirects are not followed (a
 * 3xx is a status like any other).
 *
 * Success: a status in `status` (or 200..399 when it lists none) and,
 * with `expect`, a body that contains TEXT — searched as it streams in,
 * with the last len(TEXT)-1 bytes carried across chunks, in the first
 * HC_HTTP_BODY_MAX bytes. The body is read only as far as needed: not at
 * all without `expect`, and up to TEXT with it; the transfer is then cut
 * short (the write callback refuses the rest). https with `insecure`
 * checks neither the certificate nor its name.
 *
 * Results are taken from curl_multi_info_read() after curl returns, never
 * inside one of its callbacks: hc_probe_done() may run the change
 * callback, which may free checks and so remove other transfers.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <curl/curl.h>

#include "health/health.h"

#define HC_HTTP_BODY_MAX	(1u << 20)	/* body bytes searched for expect */
#define HC_HTTP_URL_MAX		2048

_Static_assert(HC_HTTP_BODY_MAX == 1u << 20, "the detail says 1 MiB");

struct http_ctx {
	CURLM *multi;
	struct evloop *el;
	struct ev_timer timer;	/* libcurl's timeout */
	unsigned int active;	/* transfers in the multi handle */
	unsigned int busy;	/* inside dispatch(): the multi handle must stay */
	bool global_init;
};

static struct http_ctx ctx;

struct http_probe {
	struct hc_probe *pr;
	CURL *easy;
	bool added;		/* easy is in the multi handle */
	struct curl_slist *headers;
	struct curl_slist *connect_to;
	char errbuf[CURL_ERROR_SIZE];
	size_t body_len;
	bool enough;		/* the transfer was cut short: nothing more needed */
	bool too_big;		/* expect not in the first HC_HTTP_BODY_MAX bytes */
	bool found;		/* expect seen */
	size_t expect_len;
	char *window;		/* 2 * (expect_len - 1) bytes: the carry and the next chunk's head */
	size_t carry_len;
};

static void ctx_maybe_free(void)
{
	if (!ctx.multi || ctx.active || ctx.busy)
		return;
	curl_multi_cleanup(ctx.multi);
	ctx.multi = NULL;
	evloop_timer_cancel(ctx.el, &ctx.timer);
	ctx.el = NULL;
}

static void dispatch(void);

static void http_fd_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	int action = 0, running;

	(void)el;
	(void)arg;
	if (!ctx.multi)
		return;
	if (events & EPOLLIN)
		action |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		action |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		action |= CURL_CSELECT_ERR;
	curl_multi_socket_action(ctx.multi, fd, action, &running);
	dispatch();
}

static void http_timer_fire(struct evloop *el, void *arg)
{
	int running;

	(void)el;
	(void)arg;
	if (!ctx.multi)
		return;
	curl_multi_socket_action(ctx.multi, CURL_SOCKET_TIMEOUT, 0, &running);
	dispatch();
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what libcurl waits on. */
static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	uint32_t events = 0;
	int err;

	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (socketp) {
			evloop_del_fd(ctx.el, s);
			curl_multi_assign(ctx.multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (socketp)
		return evloop_mod_fd(ctx.el, s, events) ? -1 : 0;
	err = evloop_add_fd(ctx.el, s, events, http_fd_event, NULL);
	if (err == -EEXIST) {
		/* the number of a socket libcurl closed without telling us */
		evloop_del_fd(ctx.el, s);
		err = evloop_add_fd(ctx.el, s, events, http_fd_event, NULL);
	}
	if (err)
		return -1;
	curl_multi_assign(ctx.multi, s, &ctx);
	return 0;
}

/* CURLMOPT_TIMERFUNCTION: call back in timeout_ms (-1: no timer). */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (timeout_ms < 0) {
		evloop_timer_cancel(ctx.el, &ctx.timer);
		return 0;
	}
	return evloop_timer_set(ctx.el, &ctx.timer, timeout_ms, http_timer_fire, NULL) ? -1 : 0;
}

static int ctx_get(struct evloop *el)
{
	if (ctx.multi)
		return ctx.el == el ? 0 : -EXDEV;
	if (!ctx.global_init) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return -ENOMEM;
		ctx.global_init = true;
	}
	ctx.multi = curl_multi_init();
	if (!ctx.multi)
		return -ENOMEM;
	ctx.el = el;
	curl_multi_setopt(ctx.multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(ctx.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	return 0;
}

/* Look for expect in a new chunk of the body, and in the seam between it
 * and the previous chunks. */
static void body_search(struct http_probe *hp, const char *p, size_t n)
{
	const char *expect = hp->pr->cfg->expect;
	size_t k = hp->expect_len, keep = k - 1, head, total;

	if (hp->found)
		return;
	if (keep) {
		head = n < keep ? n : keep;
		memcpy(hp->window + hp->carry_len, p, head);
		total = hp->carry_len + head;
		if (memmem(hp->window, total, expect, k)) {
			hp->found = true;
			return;
		}
	}
	if (memmem(p, n, expect, k)) {
		hp->found = true;
		return;
	}
	if (!keep)
		return;
	/* the last keep bytes seen become the carry */
	if (n >= keep) {
		memcpy(hp->window, p + n - keep, keep);
		hp->carry_len = keep;
	} else {
		total = hp->carry_len + n;
		if (total > keep) {
			memmove(hp->window, hp->window + total - keep, keep);
			total = keep;
		}
		hp->carry_len = total;
	}
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct http_probe *hp = userdata;
	size_t n = size * nmemb;

	/* returning less than n ends the transfer (CURLE_WRITE_ERROR) */
	if (!hp->pr->cfg->expect) {
		hp->enough = true;	/* the status is all we need */
		return 0;
	}
	if (hp->body_len + n > HC_HTTP_BODY_MAX)
		n = HC_HTTP_BODY_MAX - hp->body_len;
	body_search(hp, p, n);
	hp->body_len += n;
	if (hp->found || hp->body_len >= HC_HTTP_BODY_MAX) {
		hp->too_big = !hp->found;
		hp->enough = true;
		return 0;
	}
	return n;
}

static void http_free(struct hc_probe *pr)
{
	struct http_probe *hp = pr->priv;

	if (!hp)
		return;
	if (hp->easy) {
		if (hp->added) {
			curl_multi_remove_handle(ctx.multi, hp->easy);
			ctx.active--;
		}
		curl_easy_cleanup(hp->easy);
	}
	curl_slist_free_all(hp->headers);
	curl_slist_free_all(hp->connect_to);
	free(hp->window);
	free(hp);
	pr->priv = NULL;
	ctx_maybe_free();
}

static bool status_ok(const struct conf_health *cfg, long code)
{
	size_t i;

	if (!cfg->n_status)
		return code >= 200 && code <= 399;
	for (i = 0; i < cfg->n_status && i < CONF_HTTP_STATUS_MAX; i++)
		if (cfg->status[i] == code)
			return true;
	return false;
}

static void status_want(const struct conf_health *cfg, char *buf, size_t len)
{
	size_t i, off = 0;

	if (!cfg->n_status) {
		snprintf(buf, len, "200..399");
		return;
	}
	buf[0] = '\0';
	for (i = 0; i < cfg->n_status && i < CONF_HTTP_STATUS_MAX && off < len; i++)
		off += snprintf(buf + off, len - off, "%s%u", i ? " " : "", cfg->status[i]);
}

static void finish(struct http_probe *hp, CURLcode res)
{
	struct hc_probe *pr = hp->pr;
	const struct conf_health *cfg = pr->cfg;
	char detail[HC_DETAIL_MAX], want[64];
	long code = 0;
	bool ok = false;

	if (res != CURLE_OK && !(res == CURLE_WRITE_ERROR && hp->enough)) {
		snprintf(detail, sizeof(detail), "%.150s",
			 hp->errbuf[0] ? hp->errbuf : curl_easy_strerror(res));
	} else {
		curl_easy_getinfo(hp->easy, CURLINFO_RESPONSE_CODE, &code);
		if (!status_ok(cfg, code)) {
			status_want(cfg, want, sizeof(want));
			snprintf(detail, sizeof(detail), "HTTP %ld, want %s", code, want);
		} else if (cfg->expect && !hp->found) {
			snprintf(detail, sizeof(detail), "HTTP %ld, no \"%.64s\" in the %s", code,
				 cfg->expect, hp->too_big ? "first 1 MiB" : "body");
		} else {
			snprintf(detail, sizeof(detail), "HTTP %ld", code);
			ok = true;
		}
	}
	http_free(pr);
	hc_probe_done(pr, ok, detail);
}

static void dispatch(void)
{
	CURLMsg *msg;
	int left;

	ctx.busy++;
	while (ctx.multi && (msg = curl_multi_info_read(ctx.multi, &left))) {
		struct http_probe *hp = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&hp);
		if (hp)
			finish(hp, msg->data.result);
	}
	ctx.busy--;
	ctx_maybe_free();
}

static int url_make(const struct hc_probe *pr, bool tls, char *url, size_t len, char *addr_port,
		    size_t ap_len)
{
	const struct hc_target *t = pr->target;
	const struct conf_health *cfg = pr->cfg;
	char a[INET6_ADDRSTRLEN];
	bool v6 = t->addr.family == XLB_FAMILY_V6;
	int n;

	if (!t->addr.family || !t->port)
		return -EINVAL;
	inet_ntop(v6 ? AF_INET6 : AF_INET, t->addr.addr.bytes, a, sizeof(a));
	snprintf(addr_port, ap_len, v6 ? "[%s]:%u" : "%s:%u", a, t->port);
	if (cfg->host)
		n = snprintf(url, len, "%s://%s:%u%s", tls ? "https" : "http", cfg->host, t->port,
			     cfg->path ? cfg->path : "/");
	else
		n = snprintf(url, len, "%s://%s%s", tls ? "https" : "http", addr_port,
			     cfg->path ? cfg->path : "/");
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int http_start_tls(struct hc_probe *pr, bool tls)
{
	const struct conf_health *cfg = pr->cfg;
	char url[HC_HTTP_URL_MAX], addr_port[INET6_ADDRSTRLEN + 8], line[HC_HTTP_URL_MAX];
	struct http_probe *hp;
	struct curl_slist *l;
	CURLMcode mc;
	int err;

	snprintf(pr->stage, sizeof(pr->stage), "request");
	err = url_make(pr, tls, url, sizeof(url), addr_port, sizeof(addr_port));
	if (err)
		return err;
	err = ctx_get(pr->el);
	if (err)
		return err;
	hp = calloc(1, sizeof(*hp));
	if (!hp) {
		ctx_maybe_free();
		return -ENOMEM;
	}
	hp->pr = pr;
	pr->priv = hp;
	if (cfg->expect) {
		hp->expect_len = strlen(cfg->expect);
		if (!hp->expect_len)
			hp->found = true;
		else if (hp->expect_len > 1 && !(hp->window = malloc(2 * (hp->expect_len - 1))))
			goto nomem;
	}
	hp->easy = curl_easy_init();
	if (!hp->easy)
		goto nomem;

	l = curl_slist_append(NULL, "Connection: close");
	if (!l)
		goto nomem;
	hp->headers = l;
	if (cfg->host) {
		snprintf(line, sizeof(line), "Host: %s", cfg->host);
		if (!(l = curl_slist_append(hp->headers, line)))
			goto nomem;
		hp->headers = l;
		/* any host, any port: to the target */
		snprintf(line, sizeof(line), "::%s", addr_port);
		if (!(hp->connect_to = curl_slist_append(NULL, line)))
			goto nomem;
	}

	if (curl_easy_setopt(hp->easy, CURLOPT_URL, url) ||
	    curl_easy_setopt(hp->easy, CURLOPT_PRIVATE, hp) ||
	    curl_easy_setopt(hp->easy, CURLOPT_ERRORBUFFER, hp->errbuf) ||
	    curl_easy_setopt(hp->easy, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(hp->easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(hp->easy, CURLOPT_PROXY, "") ||
	    curl_easy_setopt(hp->easy, CURLOPT_FRESH_CONNECT, 1L) ||
	    curl_easy_setopt(hp->easy, CURLOPT_FORBID_REUSE, 1L) ||
	    curl_easy_setopt(hp->easy, CURLOPT_USERAGENT, "xlbd health check") ||
	    curl_easy_setopt(hp->easy, CURLOPT_HTTPHEADER, hp->headers) ||
	    curl_easy_setopt(hp->easy, CURLOPT_WRITEFUNCTION, write_cb) ||
	    curl_easy_setopt(hp->easy, CURLOPT_WRITEDATA, hp) ||
	    /* a backstop only: the check's own timeout comes first */
	    curl_easy_setopt(hp->easy, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms + 1000))
		goto badopt;
	if (hp->connect_to && curl_easy_setopt(hp->easy, CURLOPT_CONNECT_TO, hp->connect_to))
		goto badopt;
	if (tls && cfg->insecure &&
	    (curl_easy_setopt(hp->easy, CURLOPT_SSL_VERIFYPEER, 0L) ||
	     curl_easy_setopt(hp->easy, CURLOPT_SSL_VERIFYHOST, 0L)))
		goto badopt;

	mc = curl_multi_add_handle(ctx.multi, hp->easy);
	if (mc != CURLM_OK) {
		err = mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
		goto fail;
	}
	hp->added = true;
	ctx.active++;
	snprintf(pr->stage, sizeof(pr->stage), "no response");
	return 0;
nomem:
	err = -ENOMEM;
	goto fail;
badopt:
	/* a libcurl without an option we need (or out of memory) */
	err = -ENOTSUP;
fail:
	http_free(pr);
	return err;
}

static int http_start(struct hc_probe *pr)
{
	return http_start_tls(pr, false);
}

static int https_start(struct hc_probe *pr)
{
	return http_start_tls(pr, true);
}

const struct hc_checker hc_checker_http = {
	.name = "http",
	.start = http_start,
	.cancel = http_free,
};

const struct hc_checker hc_checker_https = {
	.name = "https",
	.start = https_start,
	.cancel = http_free,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * etcd over HTTP with libcurl's multi interface on the event loop (see
 * etcd_client.h). The loop integration is the one of health/http.c:
 * CURLMOPT_SOCKETFUNCTION tells which sockets to watch, CURLMOPT_TIMERFUNCTION
 * when to call back, and curl_multi_socket_action() is called from the
 * loop. Answers are collected by the write callback and handed over in
 * dispatch(), after libcurl has returned.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <curl/curl.h>

#include "lib/buf.h"
#include "lib/log.h"
#include "pool/etcd_client.h"

#define ETCD_URL_MAX 512
#define ETCD_TOKEN_MAX 1024

struct etcd_client {
	struct evloop *el;
	CURLM *multi;
	struct ev_timer timer;		/* libcurl's timeout */
	char **endpoints;
	size_t n_endpoints;
	size_t cur;
	struct curl_blob ca, cert, key;
	bool has_ca, has_cert;
	uint32_t connect_timeout_ms;
	char *auth_header;		/* "Authorization: TOKEN" or NULL */
	struct etcd_call *calls;	/* every call not yet freed */
	unsigned active;		/* calls not dead */
	unsigned busy;			/* inside dispatch(): dead calls wait */
};

struct etcd_call {
	struct etcd_client *c;
	struct etcd_call *prev, *next;
	CURL *easy;
	bool added;			/* easy is in the multi handle */
	bool dead;			/* cancelled or finished: no more callbacks */
	bool stream;
	etcd_done_fn done;
	etcd_line_fn line;
	void *arg;
	char *body;			/* the request; wiped at the end (it may hold a password) */
	struct curl_slist *headers;
	struct buf in;			/* the answer, or the stream's unread bytes */
	size_t scanned;			/* stream: bytes of `in` known to have no newline */
	char errbuf[CURL_ERROR_SIZE];
};

static void dispatch(struct etcd_client *c);

static void fd_event(struct evloop *el, int fd, uint32_t events, void *arg)
{
	struct etcd_client *c = arg;
	int action = 0, running;

	(void)el;
	if (events & EPOLLIN)
		action |= CURL_CSELECT_IN;
	if (events & EPOLLOUT)
		action |= CURL_CSELECT_OUT;
	if (events & (EPOLLERR | EPOLLHUP))
		action |= CURL_CSELECT_ERR;
	c->busy++;
	curl_multi_socket_action(c->multi, fd, action, &running);
	c->busy--;
	dispatch(c);
}

static void timer_fire(struct evloop *el, void *arg)
{
	struct etcd_client *c = arg;
	int running;

	(void)el;
	c->busy++;
	curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
	c->busy--;
	dispatch(c);
}

static int socket_cb(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
	struct etcd_client *c = userp;
	uint32_t events = 0;
	int err;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (socketp) {
			evloop_del_fd(c->el, s);
			curl_multi_assign(c->multi, s, NULL);
		}
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	if (socketp)
		return evloop_mod_fd(c->el, s, events) ? -1 : 0;
	err = evloop_add_fd(c->el, s, events, fd_event, c);
	if (err == -EEXIST) {
		/* the number of a socket libcurl closed without telling us */
		evloop_del_fd(c->el, s);
		err = evloop_add_fd(c->el, s, events, fd_event, c);
	}
	if (err)
		return -1;
	curl_multi_assign(c->multi, s, c);
	return 0;
}

static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct etcd_client *c = userp;

	(void)multi;
	if (timeout_ms < 0) {
		evloop_timer_cancel(c->el, &c->timer);
		return 0;
	}
	return evloop_timer_set(c->el, &c->timer, timeout_ms, timer_fire, c) ? -1 : 0;
}

/* The client's own copy: every call's easy handle is given it (libcurl
 * copies it again there), long after the caller's buffer is gone. */
static int blob_set(struct curl_blob *b, const struct etcd_blob *src)
{
	b->data = malloc(src->len);
	if (!b->data)
		return -ENOMEM;
	memcpy(b->data, src->data, src->len);
	b->len = src->len;
	b->flags = CURL_BLOB_COPY;
	return 0;
}

static void blob_free(struct curl_blob *b)
{
	if (!b->data)
		return;
	explicit_bzero(b->data, b->len);
	free(b->data);
	b->data = NULL;
}

int etcd_client_new(struct evloop *el, const struct etcd_client_cfg *cfg, struct etcd_client **out)
{
	static bool global_init;
	struct etcd_client *c;
	size_t i;

	if (!cfg->n_endpoints)
		return -EINVAL;
	if (!global_init) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT))
			return -ENOMEM;
		global_init = true;
	}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->el = el;
	c->endpoints = calloc(cfg->n_endpoints, sizeof(*c->endpoints));
	if (!c->endpoints)
		goto nomem;
	c->n_endpoints = cfg->n_endpoints;
	for (i = 0; i < cfg->n_endpoints; i++)
		if (!(c->endpoints[i] = strdup(cfg->endpoints[i])))
			goto nomem;
	if (cfg->ca.len) {
		if (blob_set(&c->ca, &cfg->ca))
			goto nomem;
		c->has_ca = true;
	}
	if (cfg->cert.len) {
		if (blob_set(&c->cert, &cfg->cert) || blob_set(&c->key, &cfg->key))
			goto nomem;
		c->has_cert = true;
	}
	c->connect_timeout_ms = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : 1000;
	c->multi = curl_multi_init();
	if (!c->multi)
		goto nomem;
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
	*out = c;
	return 0;
nomem:
	etcd_client_free(c);
	return -ENOMEM;
}

static void call_free(struct etcd_call *call)
{
	struct etcd_client *c = call->c;

	if (call->easy) {
		if (call->added)
			curl_multi_remove_handle(c->multi, call->easy);
		curl_easy_cleanup(call->easy);
	}
	if (call->prev)
		call->prev->next = call->next;
	else
		c->calls = call->next;
	if (call->next)
		call->next->prev = call->prev;
	if (call->body) {
		explicit_bzero(call->body, strlen(call->body));
		free(call->body);
	}
	curl_slist_free_all(call->headers);
	buf_free(&call->in);
	free(call);
}

void etcd_client_free(struct etcd_client *c)
{
	size_t i;

	if (!c)
		return;
	while (c->calls)
		call_free(c->calls);
	if (c->multi)
		curl_multi_cleanup(c->multi);
	evloop_timer_cancel(c->el, &c->timer);
	for (i = 0; i < c->n_endpoints; i++)
		free(c->endpoints ? c->endpoints[i] : NULL);
	free(c->endpoints);
	blob_free(&c->ca);
	blob_free(&c->cert);
	blob_free(&c->key);
	if (c->auth_header) {
		explicit_bzero(c->auth_header, strlen(c->auth_header));
		free(c->auth_header);
	}
	free(c);
}

int etcd_client_set_token(struct etcd_client *c, const char *token)
{
	char *h = NULL;

	if (token) {
		size_t n = strlen(token);

		/* a header line: no control characters, bounded */
		if (n > ETCD_TOKEN_MAX || strpbrk(token, "\r\n"))
			return -EINVAL;
		if (asprintf(&h, "Authorization: %s", token) < 0)
			return -ENOMEM;
	}
	if (c->auth_header) {
		explicit_bzero(c->auth_header, strlen(c->auth_header));
		free(c->auth_header);
	}
	c->auth_header = h;
	return 0;
}

void etcd_client_next_endpoint(struct etcd_client *c, uint32_t rnd)
{
	if (c->n_endpoints < 2)
		return;
	c->cur = (c->cur + 1 + rnd % (c->n_endpoints - 1)) % c->n_endpoints;
}

const char *etcd_client_endpoint(const struct etcd_client *c)
{
	return c->endpoints[c->cur];
}

unsigned etcd_client_active(const struct etcd_client *c)
{
	return c->active;
}

static size_t write_cb(char *p, size_t size, size_t nmemb, void *userdata)
{
	struct etcd_call *call = userdata;
	size_t n = size * nmemb;

	/* past the limit the transfer fails (CURLE_WRITE_ERROR) */
	if (call->dead || buf_append(&call->in, p, n))
		return 0;
	return n;
}

/* A libcurl error as -errno, for callers that decide by kind. */
static int curl_errno(CURLcode res)
{
	switch (res) {
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
		return -EHOSTUNREACH;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_WRITE_ERROR:
		return -EMSGSIZE;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return -EPROTO;
	default:
		return -EIO;
	}
}

static void mark_dead(struct etcd_call *call)
{
	if (!call->dead) {
		call->dead = true;
		call->c->active--;
	}
}

/* Hand the complete lines of a stream to its callback. */
static void lines_deliver(struct etcd_call *call)
{
	while (!call->dead) {
		char *data = call->in.data, *nl;
		size_t len;

		if (!data || call->in.len == call->scanned)
			return;
		nl = memchr(data + call->scanned, '\n', call->in.len - call->scanned);
		if (!nl) {
			call->scanned = call->in.len;
			return;
		}
		len = nl - data;
		*nl = '\0';
		if (len)
			call->line(call->arg, data, len);
		if (call->dead)
			return;
		memmove(data, nl + 1, call->in.len - len - 1);
		buf_truncate(&call->in, call->in.len - len - 1);
		call->scanned = 0;
	}
}

static void finish(struct etcd_call *call, CURLcode res)
{
	struct etcd_result r = { 0 };
	char detail[CURL_ERROR_SIZE + 32];

	if (call->stream)
		lines_deliver(call);
	if (call->dead)
		return;
	curl_multi_remove_handle(call->c->multi, call->easy);
	call->added = false;
	mark_dead(call);
	if (res == CURLE_OK) {
		curl_easy_getinfo(call->easy, CURLINFO_RESPONSE_CODE, &r.http);
		snprintf(detail, sizeof(detail), "HTTP %ld", r.http);
	} else {
		r.err = curl_errno(res);
		snprintf(detail, sizeof(detail), "%s",
			 call->errbuf[0] ? call->errbuf : curl_easy_strerror(res));
	}
	r.body = buf_str(&call->in);
	r.len = call->in.len;
	r.detail = detail;
	call->done(call->arg, &r);
}

static void dispatch(struct etcd_client *c)
{
	struct etcd_call *call, *next;
	CURLMsg *msg;
	int left;

	c->busy++;
	while ((msg = curl_multi_info_read(c->multi, &left))) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		call = NULL;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
		if (call && !call->dead)
			finish(call, msg->data.result);
	}
	for (call = c->calls; call; call = call->next)
		if (call->stream && !call->dead)
			lines_deliver(call);
	c->busy--;
	if (c->busy)
		return;
	for (call = c->calls; call; call = next) {
		next = call->next;
		if (call->dead)
			call_free(call);
	}
}

void etcd_call_cancel(struct etcd_call *call)
{
	struct etcd_client *c;

	if (!call)
		return;
	c = call->c;
	mark_dead(call);
	if (call->added) {
		curl_multi_remove_handle(c->multi, call->easy);
		call->added = false;
	}
	if (!c->busy)
		call_free(call);
}

static int start(struct etcd_client *c, const char *path, const char *body, uint32_t timeout_ms,
		 bool stream, etcd_line_fn line, etcd_done_fn done, void *arg,
		 struct etcd_call **out)
{
	char url[ETCD_URL_MAX];
	struct etcd_call *call;
	struct curl_slist *l;
	CURLMcode mc;
	int err = -ENOMEM;

	if (snprintf(url, sizeof(url), "%s%s", etcd_client_endpoint(c), path) >= (int)sizeof(url))
		return -ENAMETOOLONG;
	call = calloc(1, sizeof(*call));
	if (!call)
		return -ENOMEM;
	call->c = c;
	call->stream = stream;
	call->line = line;
	call->done = done;
	call->arg = arg;
	buf_init(&call->in, stream ? ETCD_LINE_MAX : ETCD_BODY_MAX);
	call->next = c->calls;
	if (c->calls)
		c->calls->prev = call;
	c->calls = call;
	c->active++;
	call->body = strdup(body);
	if (!call->body)
		goto fail;
	l = curl_slist_append(NULL, "Content-Type: application/json");
	if (!l)
		goto fail;
	call->headers = l;
	if (!(l = curl_slist_append(call->headers, "Grpc-Metadata-hasleader: true")))
		goto fail;
	if (c->auth_header && !(l = curl_slist_append(call->headers, c->auth_header)))
		goto fail;
	/* no "Expect: 100-continue" round trip for larger bodies */
	if (!(l = curl_slist_append(call->headers, "Expect:")))
		goto fail;
	call->easy = curl_easy_init();
	if (!call->easy)
		goto fail;
	if (curl_easy_setopt(call->easy, CURLOPT_URL, url) ||
	    curl_easy_setopt(call->easy, CURLOPT_PRIVATE, call) ||
	    curl_easy_setopt(call->easy, CURLOPT_ERRORBUFFER, call->errbuf) ||
	    curl_easy_setopt(call->easy, CURLOPT_NOSIGNAL, 1L) ||
	    curl_easy_setopt(call->easy, CURLOPT_PROTOCOLS_STR, "http,https") ||
	    curl_easy_setopt(call->easy, CURLOPT_PROXY, "") ||
	    curl_easy_setopt(call->easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1) ||
	    curl_easy_setopt(call->easy, CURLOPT_USERAGENT, "xlbd") ||
	    curl_easy_setopt(call->easy, CURLOPT_HTTPHEADER, call->headers) ||
	    curl_easy_setopt(call->easy, CURLOPT_POSTFIELDS, call->body) ||
	    curl_easy_setopt(call->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(call->body)) ||
	    curl_easy_setopt(call->easy, CURLOPT_WRITEFUNCTION, write_cb) ||
	    curl_easy_setopt(call->easy, CURLOPT_WRITEDATA, call) ||
	    curl_easy_setopt(call->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms) ||
	    curl_easy_setopt(call->easy, CURLOPT_TIMEOUT_MS, stream ? 0L : (long)timeout_ms) ||
	    curl_easy_setopt(call->easy, CURLOPT_TCP_KEEPALIVE, 1L) ||
	    curl_easy_setopt(call->easy, CURLOPT_TCP_KEEPIDLE, 5L) ||
	    curl_easy_setopt(call->easy, CURLOPT_TCP_KEEPINTVL, 2L))
		goto badopt;
	if (c->has_ca && curl_easy_setopt(call->easy, CURLOPT_CAINFO_BLOB, &c->ca))
		goto badopt;
	if (c->has_cert && (curl_easy_setopt(call->easy, CURLOPT_SSLCERT_BLOB, &c->cert) ||
			    curl_easy_setopt(call->easy, CURLOPT_SSLCERTTYPE, "PEM") ||
			    curl_easy_setopt(call->easy, CURLOPT_SSLKEY_BLOB, &c->key) ||
			    curl_easy_setopt(call->easy, CURLOPT_SSLKEYTYPE, "PEM")))
		goto badopt;
	mc = curl_multi_add_handle(c->multi, call->easy);
	if (mc != CURLM_OK) {
		err = mc == CURLM_OUT_OF_MEMORY ? -ENOMEM : -EIO;
		goto fail;
	}
	call->added = true;
	if (out)
		*out = call;
	return 0;
badopt:
	/* a libcurl without an option we need (or out of memory) */
	err = -ENOTSUP;
fail:
	mark_dead(call);
	call_free(call);
	return err;
}

int etcd_call(struct etcd_client *c, const char *path, const char *body, uint32_t timeout_ms,
	      etcd_done_fn done, void *arg, struct etcd_call **out)
{
	return start(c, path, body, timeout_ms, false, NULL, done, arg, out);
}

int etcd_stream(struct etcd_client *c, const char *path, const char *body, etcd_line_fn line,
		etcd_done_fn done, void *arg, struct etcd_call **out)
{
	return start(c, path, body, 0, true, line, done, arg, out);
}

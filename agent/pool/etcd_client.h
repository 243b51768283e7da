/* SPDX-License-Identifier: GPL-2.0 */
/*
 * HTTP to etcd's JSON gateway on xlbd's event loop: libcurl's multi
 * interface driven by the loop (as the http health checks are, see
 * health/http.c), one multi handle per client, so connections to the
 * members are kept and reused between calls. Two kinds of transfer:
 *
 *   etcd_call()    a POST whose whole answer is handed to `done`;
 *   etcd_stream()  a POST whose answer is a stream of JSON lines (watch):
 *                  each complete line goes to `line` as it arrives, and
 *                  `done` runs when the stream ends.
 *
 * Every request goes to the client's current endpoint; the caller moves
 * it (etcd_client_next_endpoint) when a member fails. Each carries
 * `Grpc-Metadata-hasleader: true`, which the gateway passes to etcd as
 * the gRPC metadata clientv3's WithRequireLeader sets: a member that has
 * lost its leader refuses calls and ends watch streams instead of serving
 * a view that no longer moves. With a token set, `Authorization: TOKEN`.
 * TLS material is given as PEM in memory (read once at start-up, before
 * xlbd gives up its privileges), never read from files here; the client
 * keeps its own copy (the key's is wiped when it is freed).
 *
 * Callbacks never run inside a libcurl call: lines and results are
 * handed over after libcurl returns, so a callback may start or cancel
 * any call, its own included. etcd_call_cancel() guarantees no callback
 * of that call runs afterwards.
 */
#ifndef XLB_POOL_ETCD_CLIENT_H
#define XLB_POOL_ETCD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/evloop.h"

#define ETCD_BODY_MAX (64u << 20)	/* bytes of a unary answer */
#define ETCD_LINE_MAX (16u << 20)	/* bytes of one stream message */

struct etcd_client;
struct etcd_call;

struct etcd_blob {
	const void *data;
	size_t len;
};

struct etcd_client_cfg {
	const char *const *endpoints;	/* base URLs: http://192.0.2.40:2379, https://... */
	size_t n_endpoints;
	struct etcd_blob ca;		/* PEM; len 0: the system's trust store */
	struct etcd_blob cert;		/* PEM client certificate; len 0: none */
	struct etcd_blob key;		/* PEM key of cert */
	uint32_t connect_timeout_ms;	/* TCP + TLS handshake */
};

struct etcd_result {
	int err;		/* 0: an HTTP answer came (http, body); else -errno */
	long http;		/* HTTP status */
	const char *body;	/* the answer (NUL-terminated; streams: what was left) */
	size_t len;
	const char *detail;	/* what went wrong, for logs: libcurl's message */
};

typedef void (*etcd_done_fn)(void *arg, const struct etcd_result *res);
typedef void (*etcd_line_fn)(void *arg, const char *line, size_t len);

int etcd_client_new(struct evloop *el, const struct etcd_client_cfg *cfg,
		    struct etcd_client **out);
/* Cancels every call (no callback runs). NULL is a no-op. */
void etcd_client_free(struct etcd_client *c);

/* The token for Authorization (copied); NULL: none. */
int etcd_client_set_token(struct etcd_client *c, const char *token);
/* Move to another endpoint, chosen with rnd among the others. */
void etcd_client_next_endpoint(struct etcd_client *c, uint32_t rnd);
const char *etcd_client_endpoint(const struct etcd_client *c);
/* Calls and streams in flight. */
unsigned etcd_client_active(const struct etcd_client *c);

/* POST body (JSON) to path (/v3/kv/range); done gets the answer, or the
 * error, within timeout_ms. body is copied. */
int etcd_call(struct etcd_client *c, const char *path, const char *body, uint32_t timeout_ms,
	      etcd_done_fn done, void *arg, struct etcd_call **out);
/* The same for a streamed answer (no overall timeout: TCP keepalive and
 * the caller's own liveness checks watch it). */
int etcd_stream(struct etcd_client *c, const char *path, const char *body, etcd_line_fn line,
		etcd_done_fn done, void *arg, struct etcd_call **out);
/* No callback of call runs after this; NULL is a no-op. */
void etcd_call_cancel(struct etcd_call *call);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * The pool-state store (see store.h): the session state machine's actions
 * performed with the etcd client, the view kept from the read and the
 * watch, the heartbeat, the registration, and xlbd's own calls.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>

#include "lib/log.h"
#include "pool/store.h"

/* how long heartbeats may meet an election before the node moves, and
 * how often they ask meanwhile */
#define POOL_HB_UNAVAILABLE_MS 2000
#define POOL_HB_RETRY_MS 250

struct pool_call {
	struct pool_store *s;
	struct pool_call *prev, *next;
	struct etcd_call *ec;
	pool_call_fn done;
	void *arg;
};

struct pool_store {
	struct evloop *el;
	struct etcd_client *cli;
	struct pool_store_ops ops;
	void *arg;
	char *prefix;
	char *user;
	char *password;
	char *node_key;
	char *all_key, *all_end;	/* "P/" and the end of its range */
	size_t all_end_len;
	char *intent_key, *intent_end;	/* "P/pool/" and the end of its range */
	size_t intent_end_len;
	uint32_t lease_ttl_s, heartbeat_ms, timeout_ms;
	struct pool_sm sm;
	struct pool_view view;
	struct etcd_call *c_auth, *c_read, *c_watch, *c_hb;
	struct ev_timer t_backoff, t_heartbeat, t_keepalive;
	uint64_t hb_unavailable_since;	/* first of the heartbeats in a row answered
					 * "unavailable" (monotonic ms); 0: none */
	/* status */
	uint64_t since_ms;
	int64_t store_revision;
	char last_error[ETCD_ERR_MAX + 80];
	uint64_t connects, failures, compactions, events;
	bool ever_up;
	bool down_logged;		/* the loss of the store is logged */
	/* registration */
	char *reg_value;		/* to publish */
	char *reg_put;			/* last value in etcd */
	char *reg_sending;		/* the value of the put in flight */
	bool registered;
	int64_t lease_id;
	struct etcd_call *c_grant, *c_put, *c_ka;
	struct pool_call *calls;
	uint32_t rnd;
	int64_t applied;		/* what the owner applied (for the logs) */
};

static uint32_t rnd_next(struct pool_store *s)
{
	/* xorshift32: jitter only, nothing secret */
	uint32_t x = s->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	s->rnd = x;
	return x;
}

static void set_error(struct pool_store *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct pool_store *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->last_error, sizeof(s->last_error), fmt, ap);
	va_end(ap);
}

static void feed(struct pool_store *s, enum pool_sm_event ev, int64_t revision);

/* What an error answer means for the session. */
static enum pool_sm_event answer_event(const struct etcd_resp *r)
{
	if (r->code == ETCD_UNAUTHENTICATED)
		return POOL_EV_TOKEN_INVALID;
	if (r->code == ETCD_PERMISSION_DENIED ||
	    (r->code == ETCD_INVALID_ARGUMENT && strstr(r->message, "user name is empty")))
		return POOL_EV_REFUSED;
	return POOL_EV_FAILED;
}

/* The start of a body that is not JSON (a proxy's page, etcd's gateway
 * refusing before gRPC: "CommonName of client ... will be ignored"),
 * printable, for the error. */
static void body_peek(const struct etcd_result *r, char *out, size_t len)
{
	size_t i, n = r->len < len - 1 ? r->len : len - 1;

	for (i = 0; i < n; i++)
		out[i] = r->body[i] >= ' ' && r->body[i] < 0x7f ? r->body[i] : ' ';
	while (i && out[i - 1] == ' ')
		i--;
	out[i] = '\0';
}

/* Decode an answer; on any problem set the error, feed the session
 * and return false. */
static bool answer(struct pool_store *s, const struct etcd_result *r, const char *what,
		   struct etcd_resp *resp)
{
	char err[128];

	if (r->err) {
		set_error(s, "%s: %s: %s", etcd_client_endpoint(s->cli), what, r->detail);
		feed(s, POOL_EV_FAILED, 0);
		return false;
	}
	if (etcd_resp_parse(r->body, r->len, resp, err, sizeof(err))) {
		char peek[120];

		body_peek(r, peek, sizeof(peek));
		set_error(s, "%s: %s: %s, unreadable answer (%s): %s", etcd_client_endpoint(s->cli),
			  what, r->detail, err, peek);
		feed(s, POOL_EV_FAILED, 0);
		return false;
	}
	if (resp->code) {
		set_error(s, "%s: %s: %s", etcd_client_endpoint(s->cli), what, resp->message);
		feed(s, answer_event(resp), 0);
		etcd_resp_free(resp);
		return false;
	}
	return true;
}

/* ---- registration ---- */

static void reg_kick(struct pool_store *s);

static void reg_grant_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct etcd_resp resp;
	char err[128];

	s->c_grant = NULL;
	if (r->err || etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err))) {
		log_debug("etcd: lease grant failed: %s", r->detail);
		return;	/* the next heartbeat tries again */
	}
	if (resp.code || !resp.lease_id) {
		log_warnx("etcd: lease grant refused: %s", resp.message);
		etcd_resp_free(&resp);
		return;
	}
	s->lease_id = resp.lease_id;
	s->registered = false;
	etcd_resp_free(&resp);
	reg_kick(s);
}

static void reg_put_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct etcd_resp resp;
	char err[128], *sent = NULL;

	s->c_put = NULL;
	if (r->err || etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err))) {
		log_debug("etcd: registration failed: %s", r->detail);
		return;
	}
	if (resp.code) {
		if (resp.code == ETCD_NOT_FOUND) {
			/* the lease ran out while we were away: a new one */
			log_info("etcd: lease %llx gone, registering %s again",
				 (unsigned long long)s->lease_id, s->node_key);
			s->lease_id = 0;
		} else {
			log_warnx("etcd: registration refused: %s", resp.message);
		}
		s->registered = false;
		etcd_resp_free(&resp);
		reg_kick(s);
		return;
	}
	etcd_resp_free(&resp);
	/* what was sent is in etcd now */
	sent = s->reg_sending;
	s->reg_sending = NULL;
	free(s->reg_put);
	s->reg_put = sent;
	if (!s->registered)
		log_info("etcd: registered as %s (lease %llx, %u s)", s->node_key,
			 (unsigned long long)s->lease_id, s->lease_ttl_s);
	s->registered = true;
	reg_kick(s);
}

static void reg_kick(struct pool_store *s)
{
	char *body;
	int err;

	if (!s->sm.up || !s->reg_value)
		return;
	if (!s->lease_id) {
		if (s->c_grant)
			return;
		body = etcd_req_lease_grant(s->lease_ttl_s);
		if (!body)
			return;
		err = etcd_call(s->cli, "/v3/lease/grant", body, s->timeout_ms, reg_grant_done, s,
				&s->c_grant);
		free(body);
		if (err)
			s->c_grant = NULL;
		return;
	}
	if (s->c_put || (s->registered && s->reg_put && !strcmp(s->reg_put, s->reg_value)))
		return;
	body = etcd_req_put(s->node_key, s->reg_value, s->lease_id);
	free(s->reg_sending);
	s->reg_sending = strdup(s->reg_value);
	if (!body || !s->reg_sending) {
		free(body);
		return;
	}
	/* reg_put becomes what this put sent when it succeeds: a value
	 * given meanwhile differs from it and is put next */
	err = etcd_call(s->cli, "/v3/kv/put", body, s->timeout_ms, reg_put_done, s, &s->c_put);
	free(body);
	if (err)
		s->c_put = NULL;
}

static void ka_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct etcd_resp resp;
	char err[128];

	s->c_ka = NULL;
	if (r->err || etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err)))
		return;	/* the heartbeat judges the member */
	if (!resp.code && resp.ttl <= 0) {
		log_info("etcd: lease %llx expired, registering again",
			 (unsigned long long)s->lease_id);
		s->lease_id = 0;
		s->registered = false;
		reg_kick(s);
	}
	etcd_resp_free(&resp);
}

static void ka_fire(struct evloop *el, void *arg)
{
	struct pool_store *s = arg;
	char *body;

	(void)el;
	if (s->lease_id && s->sm.up && !s->c_ka) {
		body = etcd_req_lease_id(s->lease_id);
		if (body && etcd_call(s->cli, "/v3/lease/keepalive", body, s->timeout_ms, ka_done, s,
				      &s->c_ka))
			s->c_ka = NULL;
		free(body);
	}
	evloop_timer_set(s->el, &s->t_keepalive, s->lease_ttl_s * 1000 / 3, ka_fire, s);
}

int pool_store_register(struct pool_store *s, const struct pool_node_value *v)
{
	char *value = pool_node_value_format(v);

	if (!value)
		return -ENOMEM;
	if (s->reg_value && !strcmp(s->reg_value, value)) {
		free(value);
		return 0;
	}
	free(s->reg_value);
	s->reg_value = value;
	reg_kick(s);
	return 0;
}

/* ---- the session ---- */

static void hb_fire(struct evloop *el, void *arg);

static void hb_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct etcd_resp resp;
	char err[128];

	s->c_hb = NULL;
	/* The heartbeat is a serializable read with hasleader: the member
	 * answers from its own copy unless it has no leader, so it never
	 * waits for an election, and a member cut off from the others (no
	 * leader after its election timeout) says so at once. "no leader"
	 * and "leader changed" are also what an ordinary election looks like
	 * for a moment: only when they go on does the node move. No answer
	 * at all is a failure at once. */
	if (!r->err && !etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err))) {
		uint64_t now = evloop_now_ms(s->el);

		if (resp.code == ETCD_UNAVAILABLE) {
			if (!s->hb_unavailable_since)
				s->hb_unavailable_since = now;
			if (now - s->hb_unavailable_since < POOL_HB_UNAVAILABLE_MS) {
				log_debug("etcd: heartbeat: %s (for %llu ms)", resp.message,
					  (unsigned long long)(now - s->hb_unavailable_since));
				etcd_resp_free(&resp);
				evloop_timer_set(s->el, &s->t_heartbeat, POOL_HB_RETRY_MS, hb_fire,
						 s);
				return;
			}
		}
		etcd_resp_free(&resp);
	}
	if (!answer(s, r, "heartbeat", &resp))
		return;
	s->hb_unavailable_since = 0;
	if (resp.revision > s->store_revision)
		s->store_revision = resp.revision;
	etcd_resp_free(&resp);
	reg_kick(s);
	evloop_timer_set(s->el, &s->t_heartbeat, s->heartbeat_ms, hb_fire, s);
}

static void hb_fire(struct evloop *el, void *arg)
{
	struct pool_store *s = arg;
	char *body;
	int err;

	(void)el;
	if (s->sm.state != POOL_SM_WATCHING || s->c_hb)
		return;
	body = etcd_req_range(s->intent_key, s->intent_end, s->intent_end_len, 0,
			      ETCD_RANGE_COUNT_ONLY | ETCD_RANGE_SERIALIZABLE);
	if (!body) {
		evloop_timer_set(s->el, &s->t_heartbeat, s->heartbeat_ms, hb_fire, s);
		return;
	}
	err = etcd_call(s->cli, "/v3/kv/range", body, s->timeout_ms, hb_done, s, &s->c_hb);
	free(body);
	if (err) {
		s->c_hb = NULL;
		set_error(s, "heartbeat: %s", strerror(-err));
		feed(s, POOL_EV_FAILED, 0);
	}
}

static void auth_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct etcd_resp resp;
	char err[128];

	s->c_auth = NULL;
	if (r->err) {
		set_error(s, "%s: login: %s", etcd_client_endpoint(s->cli), r->detail);
		feed(s, POOL_EV_FAILED, 0);
		return;
	}
	if (etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err))) {
		char peek[120];

		body_peek(r, peek, sizeof(peek));
		set_error(s, "%s: login: %s: %s", etcd_client_endpoint(s->cli), r->detail,
			  peek[0] ? peek : err);
		feed(s, POOL_EV_FAILED, 0);
		return;
	}
	if (resp.code || !resp.token) {
		/* wrong password, unknown user, auth not enabled: say it
		 * the way etcd does, never with the password */
		set_error(s, "%s: login as %s refused: %s", etcd_client_endpoint(s->cli), s->user,
			  resp.code ? resp.message : "no token in the answer");
		feed(s, resp.code == ETCD_UNAVAILABLE || resp.code == ETCD_DEADLINE_EXCEEDED ?
				POOL_EV_FAILED : POOL_EV_REFUSED, 0);
		etcd_resp_free(&resp);
		return;
	}
	if (etcd_client_set_token(s->cli, resp.token)) {
		set_error(s, "%s: login: the token is unusable", etcd_client_endpoint(s->cli));
		etcd_resp_free(&resp);
		feed(s, POOL_EV_FAILED, 0);
		return;
	}
	etcd_resp_free(&resp);
	feed(s, POOL_EV_AUTH_OK, 0);
}

static void read_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;
	struct pool_view nv;
	struct etcd_resp resp;
	size_t i;

	s->c_read = NULL;
	if (!answer(s, r, "read", &resp))
		return;
	pool_view_init(&nv);
	for (i = 0; i < resp.n_kvs; i++) {
		if (pool_view_put(&nv, s->prefix, &resp.kvs[i]) < 0) {
			pool_view_clear(&nv);
			etcd_resp_free(&resp);
			set_error(s, "read: out of memory");
			feed(s, POOL_EV_FAILED, 0);
			return;
		}
	}
	pool_view_move(&s->view, &nv);
	s->store_revision = resp.revision;
	log_debug("etcd: read %zu keys of %s/ at revision %lld from %s", resp.n_kvs, s->prefix,
		  (long long)resp.revision, etcd_client_endpoint(s->cli));
	etcd_resp_free(&resp);
	s->ops.changed(s->arg, true);
	feed(s, POOL_EV_READ_OK, s->store_revision);
}

static void watch_line(void *arg, const char *line, size_t len)
{
	struct pool_store *s = arg;
	struct etcd_watch_msg m;
	bool intent = false;
	char err[128];
	size_t i;
	int rc;

	if (etcd_watch_parse(line, len, &m, err, sizeof(err))) {
		set_error(s, "%s: watch: unreadable message: %s", etcd_client_endpoint(s->cli), err);
		feed(s, POOL_EV_FAILED, 0);
		return;
	}
	if (m.code || m.canceled) {
		if (m.compact_revision || etcd_err_compacted(m.code, m.reason)) {
			s->compactions++;
			log_info("etcd: revision %lld compacted (compacted up to %lld): reading %s/ again",
				 (long long)s->sm.watch_from, (long long)m.compact_revision,
				 s->prefix);
			etcd_watch_free(&m);
			feed(s, POOL_EV_COMPACTED, 0);
			return;
		}
		set_error(s, "%s: watch ended: %s", etcd_client_endpoint(s->cli),
			  m.reason[0] ? m.reason : "canceled");
		feed(s, m.code == ETCD_UNAUTHENTICATED ? POOL_EV_TOKEN_INVALID : POOL_EV_FAILED, 0);
		etcd_watch_free(&m);
		return;
	}
	if (m.revision > s->store_revision)
		s->store_revision = m.revision;
	if (m.created)
		feed(s, POOL_EV_WATCH_CREATED, 0);
	for (i = 0; i < m.n_events; i++) {
		const struct etcd_event *ev = &m.events[i];

		if (ev->type == ETCD_EV_DELETE)
			rc = pool_view_delete(&s->view, s->prefix, ev->kv.key, ev->kv.mod_revision);
		else
			rc = pool_view_put(&s->view, s->prefix, &ev->kv);
		if (rc < 0) {
			/* the view missed a change: read it all again */
			etcd_watch_free(&m);
			set_error(s, "watch: out of memory");
			feed(s, POOL_EV_FAILED, 0);
			return;
		}
		intent |= rc == 1;
		s->events++;
	}
	if (m.n_events)
		s->ops.changed(s->arg, intent);
	etcd_watch_free(&m);
}

static void watch_done(void *arg, const struct etcd_result *r)
{
	struct pool_store *s = arg;

	s->c_watch = NULL;
	if (r->err)
		set_error(s, "%s: watch: %s", etcd_client_endpoint(s->cli), r->detail);
	else
		set_error(s, "%s: watch stream ended (%s)", etcd_client_endpoint(s->cli), r->detail);
	feed(s, POOL_EV_FAILED, 0);
}

static void backoff_fire(struct evloop *el, void *arg)
{
	(void)el;
	feed(arg, POOL_EV_BACKOFF_DONE, 0);
}

static void close_watch(struct pool_store *s)
{
	etcd_call_cancel(s->c_watch);
	etcd_call_cancel(s->c_hb);
	s->c_watch = s->c_hb = NULL;
	evloop_timer_cancel(s->el, &s->t_heartbeat);
}

static void close_all(struct pool_store *s)
{
	close_watch(s);
	etcd_call_cancel(s->c_auth);
	etcd_call_cancel(s->c_read);
	etcd_call_cancel(s->c_grant);
	etcd_call_cancel(s->c_put);
	etcd_call_cancel(s->c_ka);
	s->c_auth = s->c_read = s->c_grant = s->c_put = s->c_ka = NULL;
	evloop_timer_cancel(s->el, &s->t_keepalive);
	/* the registration is put again after the next connection */
	s->registered = false;
	if (s->user)
		etcd_client_set_token(s->cli, NULL);
}

/* Start a session call; false (the session fed a failure) if it cannot. */
static bool session_call(struct pool_store *s, const char *path, char *body, bool stream,
			 etcd_done_fn done, struct etcd_call **slot, const char *what)
{
	int err;

	if (!body) {
		err = -ENOMEM;
	} else if (stream) {
		err = etcd_stream(s->cli, path, body, watch_line, done, s, slot);
	} else {
		err = etcd_call(s->cli, path, body, s->timeout_ms, done, s, slot);
	}
	if (body && !strcmp(path, "/v3/auth/authenticate"))
		etcd_free_secret(body);
	else
		free(body);
	if (!err)
		return true;
	*slot = NULL;
	set_error(s, "%s: %s", what, strerror(-err));
	feed(s, POOL_EV_FAILED, 0);
	return false;
}

static void perform(struct pool_store *s, unsigned act)
{
	uint64_t now = evloop_now_ms(s->el);

	if (act & POOL_ACT_CLOSE)
		close_all(s);
	if (act & POOL_ACT_CLOSE_WATCH)
		close_watch(s);
	if (act & POOL_ACT_DOWN) {
		s->since_ms = now;
		s->failures++;
		log_warnx("etcd: lost %s (%s): keeping the pool state applied at revision %lld; "
			  "reconnecting", etcd_client_endpoint(s->cli), s->last_error,
			  (long long)s->applied);
		s->down_logged = true;
		s->ops.link(s->arg, false);
	} else if ((act & POOL_ACT_BACKOFF) && !s->down_logged) {
		/* never connected yet: say once that the node runs on the
		 * state it had */
		s->failures++;
		log_warnx("etcd: cannot follow %s/ yet (%s): serving the last applied pool state "
			  "(revision %lld); retrying", s->prefix, s->last_error,
			  (long long)s->applied);
		s->down_logged = true;
	} else if (act & POOL_ACT_BACKOFF) {
		s->failures++;
		log_debug("etcd: %s; retrying in %u ms", s->last_error, s->sm.delay_ms);
	}
	if (act & POOL_ACT_NEXT_ENDPOINT)
		etcd_client_next_endpoint(s->cli, rnd_next(s));
	if (act & POOL_ACT_BACKOFF)
		evloop_timer_set(s->el, &s->t_backoff, s->sm.delay_ms, backoff_fire, s);
	if (act & POOL_ACT_AUTH) {
		char *body = etcd_req_auth(s->user, s->password);

		if (!session_call(s, "/v3/auth/authenticate", body, false, auth_done, &s->c_auth,
				  "login"))
			return;
	}
	if (act & POOL_ACT_READ) {
		char *body = etcd_req_range(s->all_key, s->all_end, s->all_end_len, 0, 0);

		if (!session_call(s, "/v3/kv/range", body, false, read_done, &s->c_read, "read"))
			return;
	}
	if (act & POOL_ACT_WATCH) {
		char *body = etcd_req_watch(s->all_key, s->all_end, s->all_end_len,
					    s->sm.watch_from, false);

		if (!session_call(s, "/v3/watch", body, true, watch_done, &s->c_watch, "watch"))
			return;
	}
	if (act & POOL_ACT_HEARTBEAT) {
		s->hb_unavailable_since = 0;
		evloop_timer_set(s->el, &s->t_heartbeat, s->heartbeat_ms, hb_fire, s);
	}
	if (act & POOL_ACT_UP) {
		s->connects++;
		if (s->down_logged)
			log_info("etcd: following %s/ at %s again after %.1f s (revision %lld)",
				 s->prefix, etcd_client_endpoint(s->cli),
				 s->since_ms ? (now - s->since_ms) / 1000.0 : 0.0,
				 (long long)s->store_revision);
		else
			log_info("etcd: following %s/ at %s (revision %lld)", s->prefix,
				 etcd_client_endpoint(s->cli), (long long)s->store_revision);
		s->down_logged = false;
		s->ever_up = true;
		s->since_ms = now;
		s->last_error[0] = '\0';
		s->ops.link(s->arg, true);
		reg_kick(s);
		evloop_timer_set(s->el, &s->t_keepalive, s->lease_ttl_s * 1000 / 3, ka_fire, s);
	}
}

static void feed(struct pool_store *s, enum pool_sm_event ev, int64_t revision)
{
	enum pool_sm_state from = s->sm.state;
	unsigned act = pool_sm_event(&s->sm, ev, revision, rnd_next(s));

	if (from != s->sm.state)
		log_debug("etcd: %s --%s--> %s", pool_sm_state_name(from), pool_sm_event_name(ev),
			  pool_sm_state_name(s->sm.state));
	perform(s, act);
}

/* ---- the store ---- */

int pool_store_new(struct evloop *el, const struct pool_store_cfg *cfg,
		   const struct pool_store_ops *ops, void *arg, struct pool_store **out)
{
	struct pool_store *s;
	char key[POOL_KEY_MAX];
	int err;

	if (!pool_prefix_valid(cfg->prefix) || !pool_node_name_valid(cfg->node_name) ||
	    (cfg->user && !cfg->password))
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->el = el;
	s->ops = *ops;
	s->arg = arg;
	s->lease_ttl_s = cfg->lease_ttl_s ? cfg->lease_ttl_s : 10;
	s->heartbeat_ms = cfg->heartbeat_ms ? cfg->heartbeat_ms : 1000;
	s->timeout_ms = cfg->request_timeout_ms ? cfg->request_timeout_ms : 2000;
	pool_view_init(&s->view);
	pool_sm_init(&s->sm, cfg->user != NULL);
	if (getrandom(&s->rnd, sizeof(s->rnd), GRND_NONBLOCK) != sizeof(s->rnd))
		s->rnd = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	if (!s->rnd)
		s->rnd = 1;
	err = -ENOMEM;
	if (!(s->prefix = strdup(cfg->prefix)) ||
	    (cfg->user && (!(s->user = strdup(cfg->user)) ||
			   !(s->password = strdup(cfg->password)))))
		goto fail;
	if (asprintf(&s->all_key, "%s/", cfg->prefix) < 0) {
		s->all_key = NULL;
		goto fail;
	}
	if (!(s->all_end = etcd_prefix_end(s->all_key, strlen(s->all_key), &s->all_end_len)))
		goto fail;
	if (pool_key_intent_prefix(cfg->prefix, key, sizeof(key)) ||
	    !(s->intent_key = strdup(key)) ||
	    !(s->intent_end = etcd_prefix_end(key, strlen(key), &s->intent_end_len)))
		goto fail;
	if (pool_key_node(cfg->prefix, cfg->node_name, key, sizeof(key)) ||
	    !(s->node_key = strdup(key)))
		goto fail;
	err = etcd_client_new(el, &cfg->client, &s->cli);
	if (err)
		goto fail;
	/* start at a random member, so a fleet spreads over the cluster */
	etcd_client_next_endpoint(s->cli, rnd_next(s));
	if (rnd_next(s) & 1)
		etcd_client_next_endpoint(s->cli, rnd_next(s));
	*out = s;
	return 0;
fail:
	pool_store_free(s);
	return err;
}

void pool_store_start(struct pool_store *s)
{
	feed(s, POOL_EV_START, 0);
}

void pool_store_free(struct pool_store *s)
{
	if (!s)
		return;
	while (s->calls)
		pool_call_cancel(s->calls);
	if (s->cli)
		close_all(s);
	evloop_timer_cancel(s->el, &s->t_backoff);
	etcd_client_free(s->cli);
	pool_view_clear(&s->view);
	free(s->prefix);
	free(s->user);
	etcd_free_secret(s->password);
	free(s->node_key);
	free(s->all_key);
	free(s->all_end);
	free(s->intent_key);
	free(s->intent_end);
	free(s->reg_value);
	free(s->reg_put);
	free(s->reg_sending);
	free(s);
}

void pool_store_set_applied(struct pool_store *s, int64_t revision)
{
	s->applied = revision;
}

const struct pool_view *pool_store_view(const struct pool_store *s)
{
	return &s->view;
}

const char *pool_store_prefix(const struct pool_store *s)
{
	return s->prefix;
}

void pool_store_status(const struct pool_store *s, struct pool_store_status *st)
{
	memset(st, 0, sizeof(*st));
	st->up = s->sm.up;
	st->state = s->sm.state;
	st->endpoint = etcd_client_endpoint(s->cli);
	st->since_ms = s->since_ms;
	st->store_revision = s->store_revision;
	st->intent_revision = s->view.intent_revision;
	snprintf(st->last_error, sizeof(st->last_error), "%s", s->last_error);
	st->connects = s->connects;
	st->failures = s->failures;
	st->compactions = s->compactions;
	st->events = s->events;
	st->registered = s->registered;
	st->lease_id = s->lease_id;
}

/* ---- xlbd's calls ---- */

static void call_unlink(struct pool_call *c)
{
	struct pool_store *s = c->s;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->calls = c->next;
	if (c->next)
		c->next->prev = c->prev;
}

static void call_done(void *arg, const struct etcd_result *r)
{
	struct pool_call *c = arg;
	struct etcd_resp resp;
	char err[128], detail[ETCD_ERR_MAX + 128];
	pool_call_fn done = c->done;
	void *darg = c->arg;
	const char *endpoint = etcd_client_endpoint(c->s->cli);

	call_unlink(c);
	free(c);
	if (r->err) {
		snprintf(detail, sizeof(detail), "%s: %s", endpoint, r->detail);
		done(darg, r->err, NULL, detail);
		return;
	}
	if (etcd_resp_parse(r->body, r->len, &resp, err, sizeof(err))) {
		snprintf(detail, sizeof(detail), "%s: unreadable answer (%s): %s", endpoint,
			 r->detail, err);
		done(darg, -EPROTO, NULL, detail);
		return;
	}
	snprintf(detail, sizeof(detail), "%s", resp.code ? resp.message : endpoint);
	done(darg, 0, &resp, detail);
	etcd_resp_free(&resp);
}

int pool_store_call(struct pool_store *s, const char *path, const char *body, pool_call_fn done,
		    void *arg, struct pool_call **out)
{
	struct pool_call *c;
	int err;

	if (!s->sm.up)
		return -ENOTCONN;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->s = s;
	c->done = done;
	c->arg = arg;
	err = etcd_call(s->cli, path, body, s->timeout_ms, call_done, c, &c->ec);
	if (err) {
		free(c);
		return err;
	}
	c->next = s->calls;
	if (s->calls)
		s->calls->prev = c;
	s->calls = c;
	if (out)
		*out = c;
	return 0;
}

void pool_call_cancel(struct pool_call *c)
{
	if (!c)
		return;
	etcd_call_cancel(c->ec);
	call_unlink(c);
	free(c);
}

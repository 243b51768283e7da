// SPDX-License-Identifier: GPL-2.0
/*
 * The pool state from etcd (pool-state etcd), applied to the runtime
 * model: every change the store reports (a read, watch events) is turned
 * into each configured backend's pool state and weight override and each
 * VIP's enable, the tables that changed are rewritten (xlbd_vip_changed),
 * the result is kept in the state file with the revision it came from,
 * and the node's registration is updated (pool_register.c).
 *
 * Keys absent from etcd mean the defaults (pooled, the configured weight,
 * enabled): etcd holds the whole intent. A value that does not parse
 * changes nothing for its backend or VIP (logged once, counted). Keys for
 * VIPs or backends this node does not have are not its business.
 *
 * Losing etcd changes nothing here: the store keeps its view, this file
 * keeps what it applied, status and the metrics say the link is down.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/stat.h>

#include "core/pool.h"
#include "lib/log.h"

#define POOL_FILE_MAX (1u << 20)	/* a PEM file or a password */

/* ---- applying the view ---- */

static enum rt_pool pool_of(enum pool_pooled p)
{
	return p == POOL_NO ? RT_DEPOOLED : p == POOL_INACTIVE ? RT_INACTIVE : RT_POOLED;
}

/* A value that does not parse: said once (when its key changes). */
static void bad_value(struct xlbd_pool *pl, const char *what, const char *why, int64_t rev)
{
	if (rev <= pl->d->pool_revision && pl->applies)
		return;
	pl->bad_values++;
	log_warnx("etcd: %s: unreadable value at revision %lld (%s): keeping what this node had",
		  what, (long long)rev, why);
}

/* One VIP from the view; returns whether its table must be rewritten. */
static bool apply_vip(struct xlbd_pool *pl, const struct pool_view *view, struct rt_vip *v,
		      int64_t rev)
{
	const struct pool_view_vip *pv;
	char vip[CONF_VIP_STRLEN], be[INET6_ADDRSTRLEN], what[CONF_VIP_STRLEN + 64];
	bool table = false, disabled;
	size_t k;

	conf_vip_format(v->conf, vip, sizeof(vip));
	pv = pool_view_vip(view, vip);
	if (pv && pv->bad) {
		snprintf(what, sizeof(what), "vip %s", vip);
		bad_value(pl, what, pv->why, pv->mod_revision);
		disabled = v->disabled;
	} else {
		disabled = pv && !pv->v.enabled;
	}
	if (disabled != v->disabled) {
		xlbd_vip_set_disabled(pl->d, v, disabled);
		pl->changes++;
		log_info("vip %s %s (etcd revision %lld)", vip,
			 disabled ? "disabled: graceful shutdown, then withdraw" : "enabled",
			 (long long)rev);
	}
	for (k = 0; k < v->n_backends; k++) {
		struct rt_backend *b = &v->backends[k];
		const struct pool_view_be *pb;
		enum rt_pool pool = RT_POOLED;
		bool has_weight = false;
		__u32 weight = 0;

		conf_addr_str(&b->conf->addr, be, sizeof(be));
		pb = pool_view_backend(view, vip, be);
		if (pb && pb->bad) {
			snprintf(what, sizeof(what), "vip %s backend %s", vip, be);
			bad_value(pl, what, pb->why, pb->mod_revision);
			continue;
		}
		if (pb) {
			pool = pool_of(pb->v.pooled);
			has_weight = pb->v.has_weight;
			weight = pb->v.weight;
		}
		if (pool == b->pool && has_weight == b->has_weight &&
		    (!has_weight || weight == b->weight))
			continue;
		b->pool = pool;
		b->has_weight = has_weight;
		b->weight = has_weight ? weight : 0;
		table = true;
		pl->changes++;
		if (has_weight)
			log_info("vip %s backend %s: %s, weight %u (etcd revision %lld)", vip, be,
				 rt_pool_name(pool), weight, (long long)rev);
		else
			log_info("vip %s backend %s: %s (etcd revision %lld)", vip, be,
				 rt_pool_name(pool), (long long)rev);
	}
	return table;
}

static void apply_view(struct xlbd_pool *pl)
{
	struct xlbd *d = pl->d;
	const struct pool_view *view = pool_store_view(pl->store);
	int64_t rev = view->intent_revision;
	uint64_t before = pl->changes;
	size_t i;

	for (i = 0; i < d->n_vips; i++)
		if (apply_vip(pl, view, &d->vips[i], rev))
			xlbd_vip_changed(d, &d->vips[i], XLBD_CHANGE_TABLE);
	pl->applies++;
	if (pl->changes != before || rev != d->pool_revision) {
		d->pool_revision = rev;
		pl->applied_at = time(NULL);
		xlbd_state_save(d);
	}
	pool_store_set_applied(pl->store, d->pool_revision);
	xlbd_pool_publish(d);
	xlbd_pool_writes_applied(d, rev);
}

void xlbd_pool_config_changed(struct xlbd *d)
{
	if (d->pool && d->pool->store)
		apply_view(d->pool);
}

/* ---- the store's callbacks ---- */

static void store_changed(void *arg, bool intent)
{
	struct xlbd_pool *pl = arg;

	/* registrations of the other nodes only: nothing to apply, but the
	 * fleet view (metrics) changed */
	if (!intent)
		return;
	apply_view(pl);
}

static void store_link(void *arg, bool up)
{
	struct xlbd_pool *pl = arg;

	pl->up = up;
	pl->link_at = time(NULL);
	/* the registration says whether this node follows etcd */
	xlbd_pool_publish(pl->d);
}

/* ---- start and stop ---- */

/* A whole file into memory (PEM, a password): -errno with err set as
 * "FILE:LINE: WHAT PATH: reason". */
static int file_read(const struct xlbd *d, int line, const char *what, const char *path,
		     char **out, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	size_t got = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		goto fail;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > POOL_FILE_MAX) {
		rc = S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
		goto fail;
	}
	buf = calloc(1, st.st_size + 1);
	if (!buf) {
		rc = -ENOMEM;
		goto fail;
	}
	while (got < (size_t)st.st_size) {
		n = read(fd, buf + got, st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	close(fd);
	*out = buf;
	*len = got;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	snprintf(err, errlen, "%s:%d: %s %s: %s", d->conf->file, line, what, path,
		 rc == -EINVAL ? "not a regular file" :
		 rc == -EFBIG  ? "larger than 1 MiB" :
				 strerror(-rc));
	return rc;
}

static void secret_free(char *s, size_t len)
{
	if (!s)
		return;
	explicit_bzero(s, len);
	free(s);
}

int xlbd_pool_start(struct xlbd *d, char *err, size_t errlen)
{
	static const struct pool_store_ops ops = { .changed = store_changed, .link = store_link };
	const struct conf_pool_state *ps = &d->conf->pool;
	char *ca = NULL, *cert = NULL, *key = NULL, *pw = NULL;
	size_t ca_len = 0, cert_len = 0, key_len = 0, pw_len = 0;
	struct pool_store_cfg cfg = { 0 };
	struct xlbd_pool *pl;
	int rc;

	if (!ps->etcd)
		return 0;
	pl = calloc(1, sizeof(*pl));
	if (!pl)
		return -ENOMEM;
	pl->d = d;
	if (ps->name) {
		snprintf(pl->name, sizeof(pl->name), "%s", ps->name);
	} else if (gethostname(pl->name, sizeof(pl->name)) || !pool_node_name_valid(pl->name)) {
		snprintf(err, errlen,
			 "%s:%d: pool-state etcd: the host name '%.64s' cannot name this node in "
			 "etcd: give it a `name`", d->conf->file, ps->line, pl->name);
		rc = -EINVAL;
		goto fail;
	}
	if ((ps->tls_ca && (rc = file_read(d, ps->line, "tls ca", ps->tls_ca, &ca, &ca_len, err,
					  errlen))) ||
	    (ps->tls_cert && (rc = file_read(d, ps->line, "tls cert", ps->tls_cert, &cert,
					     &cert_len, err, errlen))) ||
	    (ps->tls_key && (rc = file_read(d, ps->line, "tls key", ps->tls_key, &key, &key_len,
					    err, errlen))) ||
	    (ps->password_file && (rc = file_read(d, ps->line, "password-file", ps->password_file,
						  &pw, &pw_len, err, errlen))))
		goto fail;
	if (pw) {
		/* the first line; a file without one is an empty password */
		pw[strcspn(pw, "\r\n")] = '\0';
		if (!pw[0]) {
			snprintf(err, errlen, "%s:%d: password-file %s: empty", d->conf->file,
				 ps->line, ps->password_file);
			rc = -EINVAL;
			goto fail;
		}
	}
	cfg.client = (struct etcd_client_cfg){
		.endpoints = (const char *const *)ps->endpoints,
		.n_endpoints = ps->n_endpoints,
		.ca = { ca, ca_len },
		.cert = { cert, cert_len },
		.key = { key, key_len },
		.connect_timeout_ms = 1000,
	};
	cfg.prefix = ps->prefix;
	cfg.user = ps->user;
	cfg.password = pw;
	cfg.node_name = pl->name;
	rc = pool_store_new(d->el, &cfg, &ops, pl, &pl->store);
	if (rc) {
		snprintf(err, errlen, "%s:%d: pool-state etcd: %s", d->conf->file, ps->line,
			 strerror(-rc));
		goto fail;
	}
	d->pool = pl;
	pool_store_set_applied(pl->store, d->pool_revision);
	log_info("pool state from etcd: %s/ at %zu endpoints, this node is %s (state file: "
		 "revision %lld)", ps->prefix, ps->n_endpoints, pl->name,
		 (long long)d->pool_revision);
	pool_store_start(pl->store);
	rc = 0;
	goto out;
fail:
	free(pl);
out:
	/* the client copied the blobs, the store the password */
	free(ca);
	free(cert);
	secret_free(key, key_len);
	secret_free(pw, pw_len);
	return rc;
}

void xlbd_pool_stop(struct xlbd *d)
{
	if (!d->pool)
		return;
	xlbd_pool_writes_free(d);
	pool_store_free(d->pool->store);
	free(d->pool);
	d->pool = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for what xlbd reads from etcd (agent/pool/): the
 * gateway's answers (etcd_resp_parse), watch stream lines
 * (etcd_watch_parse), and the values under the cluster's prefix, which
 * anyone with write access to etcd can set (pool_be_value_parse,
 * pool_vip_value_parse, pool_node_value_parse), through the node's view
 * (pool_view_put/delete with the decoded pairs as keys and values).
 *
 * The first byte picks the decoder, the rest is its input. What it
 * checks besides the sanitizers:
 *   - a decoder either succeeds or fails with a reason (a non-empty,
 *     printable message: it goes to the log);
 *   - a value that parses writes back (pool_*_value_format) to text that
 *     parses to the same value;
 *   - the view stays sorted and finds every backend it holds.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool/etcd_msg.h"
#include "pool/keys.h"
#include "pool/view.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

#define P "/xlb/f"

static void check_reason(int rc, const char *err)
{
	size_t i;

	if (!rc)
		return;
	CHECK(rc == -EINVAL || rc == -ENOMEM);
	CHECK(err[0]);
	for (i = 0; err[i]; i++)
		CHECK((unsigned char)err[i] >= 0x20);
}

static void view_check(const struct pool_view *v)
{
	size_t i;

	for (i = 0; i < v->n_bes; i++) {
		CHECK(pool_view_backend(v, v->bes[i].vip, v->bes[i].backend) == &v->bes[i]);
		if (i) {
			int c = strcmp(v->bes[i - 1].vip, v->bes[i].vip);

			CHECK(c < 0 || (c == 0 && strcmp(v->bes[i - 1].backend, v->bes[i].backend) < 0));
		}
	}
}

static void pairs_into_view(const struct etcd_kv *kvs, size_t n, struct pool_view *v)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char key[POOL_KEY_MAX + 64];

		/* the decoded key under the prefix: keys of every form reach it */
		snprintf(key, sizeof(key), P "/%s", kvs[i].key);
		struct etcd_kv kv = kvs[i];
		kv.key = key;
		kv.key_len = strlen(key);
		if (pool_view_put(v, P, &kv) < 0)
			return;
		if (i % 3 == 2)
			pool_view_delete(v, P, key, kv.mod_revision);
	}
	view_check(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	char err[256] = "", *text, *again;
	struct pool_view view;
	size_t n;

	if (len < 1)
		return 0;
	n = len - 1;
	text = malloc(n + 1);
	CHECK(text);
	memcpy(text, data + 1, n);
	text[n] = '\0';
	pool_view_init(&view);
	switch (data[0] % 5) {
	case 0: {
		struct etcd_resp r;
		int rc = etcd_resp_parse(text, n, &r, err, sizeof(err));

		check_reason(rc, err);
		if (!rc) {
			pairs_into_view(r.kvs, r.n_kvs, &view);
			etcd_resp_free(&r);
		}
		break;
	}
	case 1: {
		struct etcd_watch_msg m;
		int rc = etcd_watch_parse(text, n, &m, err, sizeof(err));
		size_t i;

		check_reason(rc, err);
		if (!rc) {
			for (i = 0; i < m.n_events; i++)
				pairs_into_view(&m.events[i].kv, 1, &view);
			etcd_watch_free(&m);
		}
		break;
	}
	case 2: {
		struct pool_be_value v, w;
		int rc = pool_be_value_parse(text, n, &v, err, sizeof(err));

		check_reason(rc, err);
		if (!rc) {
			again = pool_be_value_format(&v);
			CHECK(again);
			CHECK(!pool_be_value_parse(again, strlen(again), &w, err, sizeof(err)));
			CHECK(w.pooled == v.pooled && w.has_weight == v.has_weight &&
			      (!v.has_weight || w.weight == v.weight));
			free(again);
		}
		break;
	}
	case 3: {
		struct pool_vip_value v, w;
		int rc = pool_vip_value_parse(text, n, &v, err, sizeof(err));

		check_reason(rc, err);
		if (!rc) {
			again = pool_vip_value_format(&v);
			CHECK(again);
			CHECK(!pool_vip_value_parse(again, strlen(again), &w, err, sizeof(err)));
			CHECK(w.enabled == v.enabled);
			free(again);
		}
		break;
	}
	default: {
		struct pool_node_value v, w;
		int rc = pool_node_value_parse(text, n, &v, err, sizeof(err));

		check_reason(rc, err);
		if (!rc) {
			again = pool_node_value_format(&v);
			CHECK(again);
			CHECK(!pool_node_value_parse(again, strlen(again), &w, err, sizeof(err)));
			CHECK(w.revision == v.revision && w.n_tables == v.n_tables &&
			      !strcmp(w.name, v.name));
			pool_node_value_free(&w);
			pool_node_value_free(&v);
			free(again);
		}
		break;
	}
	}
	pool_view_clear(&view);
	free(text);
	return 0;
}

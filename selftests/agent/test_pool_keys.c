// SPDX-License-Identifier: GPL-2.0
/*
 * xlb's keys and values in etcd (agent/pool/keys.c) and the node's copy of
 * them (agent/pool/view.c): keys split and built both ways, canonical
 * forms, values parsed with what they refuse, and a view following a read
 * and a stream of events the way a watch delivers them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/test.h"
#include "pool/keys.h"
#include "pool/view.h"

#define P "/xlb/prod"

void test_pool_key_parse(void)
{
	static const struct {
		const char *key;
		enum pool_key_kind kind;
		const char *vip, *backend, *node;
	} cases[] = {
		{ P "/pool/backends/203.0.113.10:80/tcp/198.51.100.11", POOL_KEY_BACKEND,
		  "203.0.113.10:80/tcp", "198.51.100.11", "" },
		/* read back canonically: brackets, case, zeros */
		{ P "/pool/backends/[2001:DB8:ffff::0010]:80/TCP/2001:db8:b:0::11", POOL_KEY_BACKEND,
		  "[2001:db8:ffff::10]:80/tcp", "2001:db8:b::11", "" },
		{ P "/pool/backends/203.0.113.30:*/udp/198.51.100.11", POOL_KEY_BACKEND,
		  "203.0.113.30:*/udp", "198.51.100.11", "" },
		{ P "/pool/vips/203.0.113.10:53/udp", POOL_KEY_VIP, "203.0.113.10:53/udp", "", "" },
		{ P "/pool/vips/203.0.113.20/local", POOL_KEY_VIP, "203.0.113.20/local", "", "" },
		{ P "/nodes/lb1", POOL_KEY_NODE, "", "", "lb1" },
		{ P "/nodes/lb-1.dc2", POOL_KEY_NODE, "", "", "lb-1.dc2" },
		/* not ours */
		{ P "/pool/backends/web/198.51.100.11", POOL_KEY_OTHER, "", "", "" }, /* a name */
		{ P "/pool/backends/203.0.113.10:80/tcp/host1", POOL_KEY_OTHER, "", "", "" },
		{ P "/pool/backends/203.0.113.10:80/tcp", POOL_KEY_OTHER, "", "", "" },
		{ P "/pool/backends/198.51.100.11", POOL_KEY_OTHER, "", "", "" },
		{ P "/pool/vips/203.0.113.10:99999/tcp", POOL_KEY_OTHER, "", "", "" },
		{ P "/nodes/", POOL_KEY_OTHER, "", "", "" },
		{ P "/nodes/a/b", POOL_KEY_OTHER, "", "", "" },
		{ P "/config", POOL_KEY_OTHER, "", "", "" },
		{ "/xlb/prodx/nodes/lb1", POOL_KEY_OTHER, "", "", "" },
		{ "/other/nodes/lb1", POOL_KEY_OTHER, "", "", "" },
	};
	struct pool_key k;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].key);
		ASSERT_EQ(pool_key_parse(P, cases[i].key, &k), cases[i].kind, "kind");
		ASSERT_EQ(k.kind, cases[i].kind, "kind field");
		ASSERT_STREQ(k.vip, cases[i].vip, "vip");
		ASSERT_STREQ(k.backend, cases[i].backend, "backend");
		ASSERT_STREQ(k.node, cases[i].node, "node");
	}
}

void test_pool_key_build(void)
{
	char buf[POOL_KEY_MAX];
	struct pool_key k;

	ASSERT_OK(pool_key_backend(P, "[2001:db8:ffff::10]:80/tcp", "2001:db8:b::11", buf,
				   sizeof(buf)), "backend key");
	ASSERT_STREQ(buf, P "/pool/backends/[2001:db8:ffff::10]:80/tcp/2001:db8:b::11", "backend");
	/* what is built parses back to the same */
	ASSERT_EQ(pool_key_parse(P, buf, &k), POOL_KEY_BACKEND, "round trip");
	ASSERT_STREQ(k.vip, "[2001:db8:ffff::10]:80/tcp", "vip back");
	ASSERT_OK(pool_key_vip(P, "203.0.113.10:80/tcp", buf, sizeof(buf)), "vip key");
	ASSERT_STREQ(buf, P "/pool/vips/203.0.113.10:80/tcp", "vip");
	ASSERT_OK(pool_key_node(P, "lb1", buf, sizeof(buf)), "node key");
	ASSERT_STREQ(buf, P "/nodes/lb1", "node");
	ASSERT_OK(pool_key_intent_prefix(P, buf, sizeof(buf)), "intent prefix");
	ASSERT_STREQ(buf, P "/pool/", "intent");
	ASSERT_OK(pool_key_vip_backends_prefix(P, "203.0.113.10:80/tcp", buf, sizeof(buf)), "vip");
	ASSERT_STREQ(buf, P "/pool/backends/203.0.113.10:80/tcp/", "one VIP's backends");
	ASSERT_EQ(pool_key_node(P, "lb1", buf, 8), -ENAMETOOLONG, "too small");

	ASSERT_TRUE(pool_prefix_valid("/xlb/prod"), "prefix");
	ASSERT_TRUE(pool_prefix_valid("/x"), "short prefix");
	ASSERT_FALSE(pool_prefix_valid("xlb/prod"), "relative");
	ASSERT_FALSE(pool_prefix_valid("/xlb/prod/"), "trailing slash");
	ASSERT_FALSE(pool_prefix_valid("/xlb//prod"), "empty segment");
	ASSERT_FALSE(pool_prefix_valid("/xlb/pr od"), "space");
	ASSERT_FALSE(pool_prefix_valid("/"), "root");
	ASSERT_TRUE(pool_node_name_valid("lb1"), "name");
	ASSERT_FALSE(pool_node_name_valid("-lb1"), "leading dash");
	ASSERT_FALSE(pool_node_name_valid("lb/1"), "slash");
	ASSERT_FALSE(pool_node_name_valid(""), "empty");
}

void test_pool_values(void)
{
	static const struct {
		const char *json;
		int rc;
		enum pool_pooled pooled;
		bool has_weight;
		unsigned weight;
	} be[] = {
		{ "{\"pooled\":\"yes\"}", 0, POOL_YES, false, 0 },
		{ "{\"pooled\":\"no\",\"weight\":10}", 0, POOL_NO, true, 10 },
		{ "{\"pooled\":\"inactive\"}", 0, POOL_INACTIVE, false, 0 },
		{ "{\"weight\":0}", 0, POOL_YES, true, 0 },		/* pooled defaults to yes */
		{ "{}", 0, POOL_YES, false, 0 },
		{ "{\"pooled\":\"no\",\"comment\":\"disk\"}", 0, POOL_NO, false, 0 }, /* extra field */
		{ "{\"pooled\":\"maybe\"}", -EINVAL, 0, 0, 0 },
		{ "{\"pooled\":true}", -EINVAL, 0, 0, 0 },
		{ "{\"weight\":\"10\"}", -EINVAL, 0, 0, 0 },
		{ "{\"weight\":-1}", -EINVAL, 0, 0, 0 },
		{ "{\"weight\":1000001}", -EINVAL, 0, 0, 0 },
		{ "{\"weight\":1.5}", -EINVAL, 0, 0, 0 },
		{ "[\"no\"]", -EINVAL, 0, 0, 0 },
		{ "no", -EINVAL, 0, 0, 0 },
		{ "{\"pooled\":\"no\"} {}", -EINVAL, 0, 0, 0 },	/* two values */
		{ "{\"pooled\":\"no\"", -EINVAL, 0, 0, 0 },		/* cut short */
		{ "{\"pooled\":\"n\xffo\"}", -EINVAL, 0, 0, 0 },		/* not UTF-8 */
	};
	struct pool_be_value v;
	struct pool_vip_value vv;
	char err[128], *s;
	size_t i;

	for (i = 0; i < sizeof(be) / sizeof(be[0]); i++) {
		test_ctx("%s", be[i].json);
		err[0] = '\0';
		ASSERT_EQ(pool_be_value_parse(be[i].json, strlen(be[i].json), &v, err, sizeof(err)),
			  be[i].rc, "parse");
		if (be[i].rc) {
			ASSERT_TRUE(err[0], "a reason");
			continue;
		}
		ASSERT_EQ(v.pooled, be[i].pooled, "pooled");
		ASSERT_EQ(v.has_weight, be[i].has_weight, "has weight");
		ASSERT_EQ(v.weight, be[i].weight, "weight");
	}
	test_ctx(NULL);
	v = (struct pool_be_value){ .pooled = POOL_NO, .has_weight = true, .weight = 50 };
	s = pool_be_value_format(&v);
	ASSERT_STREQ(s, "{\"pooled\":\"no\",\"weight\":50}", "written as conftool does");
	free(s);
	v = (struct pool_be_value){ .pooled = POOL_INACTIVE };
	s = pool_be_value_format(&v);
	ASSERT_STREQ(s, "{\"pooled\":\"inactive\"}", "no weight: no field");
	free(s);

	ASSERT_OK(pool_vip_value_parse("{\"enabled\":false}", 17, &vv, err, sizeof(err)), "vip");
	ASSERT_FALSE(vv.enabled, "disabled");
	ASSERT_OK(pool_vip_value_parse("{}", 2, &vv, err, sizeof(err)), "empty vip value");
	ASSERT_TRUE(vv.enabled, "enabled by default");
	ASSERT_EQ(pool_vip_value_parse("{\"enabled\":\"no\"}", 16, &vv, err, sizeof(err)), -EINVAL,
		  "a string is not a boolean");
	vv.enabled = false;
	s = pool_vip_value_format(&vv);
	ASSERT_STREQ(s, "{\"enabled\":false}", "vip value");
	free(s);
}

void test_pool_node_value(void)
{
	struct pool_node_table t[2] = {
		{ "203.0.113.10:80/tcp", "0123456789ab", 3 },
		{ "[2001:db8:ffff::10]:80/tcp", "", 0 },
	};
	struct pool_node_value v = { .name = "lb1", .address = "192.0.2.10", .version = "0.1.0",
				     .revision = 42, .connected = true, .tables = t, .n_tables = 2 };
	static const char esc[] = "{\"name\":\"lb1\",\"revision\":1,\"version\":\"\\u001b[2J\"}";
	struct pool_node_value back;
	char err[128], *s;

	s = pool_node_value_format(&v);
	if (!ASSERT_OK_PTR(s, "format"))
		return;
	ASSERT_STREQ(s, "{\"address\":\"192.0.2.10\",\"connected\":true,\"name\":\"lb1\","
			"\"revision\":42,\"tables\":{\"203.0.113.10:80/tcp\":{\"backends\":3,"
			"\"fingerprint\":\"0123456789ab\"},\"[2001:db8:ffff::10]:80/tcp\":"
			"{\"backends\":0,\"fingerprint\":\"\"}},\"version\":\"0.1.0\"}",
		     "sorted, compact");
	if (ASSERT_OK(pool_node_value_parse(s, strlen(s), &back, err, sizeof(err)), err)) {
		ASSERT_STREQ(back.name, "lb1", "name");
		ASSERT_STREQ(back.address, "192.0.2.10", "address");
		ASSERT_EQ(back.revision, 42, "revision");
		ASSERT_TRUE(back.connected, "connected");
		if (ASSERT_EQ(back.n_tables, 2, "tables")) {
			ASSERT_STREQ(back.tables[0].vip, "203.0.113.10:80/tcp", "vip");
			ASSERT_STREQ(back.tables[0].fingerprint, "0123456789ab", "fingerprint");
			ASSERT_EQ(back.tables[0].backends, 3, "backends");
		}
		pool_node_value_free(&back);
	}
	free(s);
	ASSERT_EQ(pool_node_value_parse("{\"name\":\"lb1\"}", 14, &back, err, sizeof(err)), -EINVAL,
		  "no revision");
	ASSERT_EQ(pool_node_value_parse(esc, strlen(esc), &back, err, sizeof(err)), -EINVAL,
		  "a control character (it would reach a terminal)");
	ASSERT_TRUE(strstr(err, "printable") != NULL, "said why");
	ASSERT_EQ(pool_node_value_parse("{\"name\":\"lb1\",\"revision\":1,\"tables\":[]}", 38, &back,
					err, sizeof(err)),
		  -EINVAL, "tables not an object");
}

static struct etcd_kv kv(const char *key, const char *value, int64_t rev)
{
	return (struct etcd_kv){ .key = (char *)key, .key_len = strlen(key),
				 .value = (char *)value, .value_len = strlen(value),
				 .mod_revision = rev };
}

void test_pool_view(void)
{
	struct etcd_kv k;
	const struct pool_view_be *b;
	const struct pool_view_vip *vv;
	struct pool_view v, snap;
	char key[POOL_KEY_MAX];
	int i;

	pool_view_init(&v);
	/* a read: keys arrive sorted by etcd, in any order here */
	k = kv(P "/pool/backends/203.0.113.10:80/tcp/198.51.100.12", "{\"pooled\":\"no\"}", 5);
	ASSERT_EQ(pool_view_put(&v, P, &k), 1, "intent");
	k = kv(P "/pool/backends/203.0.113.10:80/tcp/198.51.100.11", "{\"weight\":7}", 3);
	ASSERT_EQ(pool_view_put(&v, P, &k), 1, "intent");
	k = kv(P "/pool/vips/203.0.113.10:80/tcp", "{\"enabled\":false}", 4);
	ASSERT_EQ(pool_view_put(&v, P, &k), 1, "intent");
	k = kv(P "/nodes/lb1", "{\"name\":\"lb1\",\"revision\":5}", 9);
	ASSERT_EQ(pool_view_put(&v, P, &k), 0, "a registration is not intent");
	k = kv(P "/something", "x", 10);
	ASSERT_EQ(pool_view_put(&v, P, &k), 0, "not ours");
	ASSERT_EQ(v.intent_revision, 5, "highest intent revision");
	ASSERT_EQ(v.other_keys, 1, "other keys");

	b = pool_view_backend(&v, "203.0.113.10:80/tcp", "198.51.100.12");
	if (ASSERT_OK_PTR(b, "found")) {
		ASSERT_EQ(b->v.pooled, POOL_NO, "depooled");
		ASSERT_EQ(b->mod_revision, 5, "its revision");
	}
	b = pool_view_backend(&v, "203.0.113.10:80/tcp", "198.51.100.11");
	if (ASSERT_OK_PTR(b, "found"))
		ASSERT_EQ(b->v.weight, 7, "weight");
	ASSERT_TRUE(pool_view_backend(&v, "203.0.113.10:80/tcp", "198.51.100.13") == NULL,
		    "no key: not there");
	vv = pool_view_vip(&v, "203.0.113.10:80/tcp");
	if (ASSERT_OK_PTR(vv, "vip"))
		ASSERT_FALSE(vv->v.enabled, "disabled");
	ASSERT_OK_PTR(pool_view_node(&v, "lb1"), "node");

	/* events: a bad value is kept as bad with its reason */
	k = kv(P "/pool/backends/203.0.113.10:80/tcp/198.51.100.12", "{\"pooled\":\"nope\"}", 11);
	ASSERT_EQ(pool_view_put(&v, P, &k), 1, "bad value");
	b = pool_view_backend(&v, "203.0.113.10:80/tcp", "198.51.100.12");
	if (ASSERT_OK_PTR(b, "still there")) {
		ASSERT_TRUE(b->bad, "bad");
		ASSERT_TRUE(strstr(b->why, "pooled") != NULL, "why");
	}
	ASSERT_EQ(pool_view_delete(&v, P, P "/pool/vips/203.0.113.10:80/tcp", 12), 1, "delete");
	ASSERT_TRUE(pool_view_vip(&v, "203.0.113.10:80/tcp") == NULL, "deleted");
	ASSERT_EQ(v.intent_revision, 12, "a delete moves the intent revision");
	ASSERT_EQ(pool_view_delete(&v, P, P "/nodes/lb1", 13), 0, "node gone");
	ASSERT_TRUE(pool_view_node(&v, "lb1") == NULL, "node deleted");
	ASSERT_EQ(v.intent_revision, 12, "a registration does not");

	/* many keys in reverse order stay sorted and found */
	for (i = 250; i >= 1; i--) {
		char be[32];

		snprintf(be, sizeof(be), "198.51.100.%d", i);
		pool_key_backend(P, "203.0.113.20:53/udp", be, key, sizeof(key));
		k = kv(key, "{\"pooled\":\"no\"}", 100 + i);
		ASSERT_EQ(pool_view_put(&v, P, &k), 1, "put");
	}
	for (i = 1; i <= 250; i++) {
		char be[32];

		snprintf(be, sizeof(be), "198.51.100.%d", i);
		b = pool_view_backend(&v, "203.0.113.20:53/udp", be);
		if (!ASSERT_OK_PTR(b, be))
			break;
		ASSERT_EQ(b->mod_revision, 100 + i, "the right one");
	}
	for (i = 1; i < (int)v.n_bes; i++) {
		int c = strcmp(v.bes[i - 1].vip, v.bes[i].vip);

		if (!c)
			c = strcmp(v.bes[i - 1].backend, v.bes[i].backend);
		if (!ASSERT_LT(c, 0, "sorted"))
			break;
	}
	/* a new read replaces everything */
	pool_view_init(&snap);
	pool_view_move(&v, &snap);
	ASSERT_EQ(v.n_bes, 0, "empty after a move of an empty view");
	ASSERT_EQ(v.intent_revision, 0, "revision too");
	pool_view_clear(&v);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * etcd gateway messages (agent/pool/etcd_msg.c): base64, range ends, the
 * requests as etcd 3.4's gateway takes them, and the answers as it sends
 * them — every body below was captured from Debian's etcd 3.4.23 (ids
 * shortened), plus what it must refuse.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/test.h"
#include "pool/etcd_msg.h"

void test_pool_b64(void)
{
	static const struct {
		const char *plain, *b64;
	} cases[] = {
		{ "", "" },
		{ "f", "Zg==" },
		{ "fo", "Zm8=" },
		{ "foo", "Zm9v" },
		{ "/xlb/a", "L3hsYi9h" },
		{ "{\"pooled\":\"no\"}", "eyJwb29sZWQiOiJubyJ9" },
	};
	static const char *const bad[] = { "Zg=", "Zg", "Z===", "Zm9v\n", "Zm 9", "Zm9v====",
					   "=Zm9", "Zm=v" };
	size_t i, len;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].b64);
		s = etcd_b64_encode(cases[i].plain, strlen(cases[i].plain));
		if (ASSERT_OK_PTR(s, "encode"))
			ASSERT_STREQ(s, cases[i].b64, "encoded");
		free(s);
		if (ASSERT_OK(etcd_b64_decode(cases[i].b64, &s, &len), "decode")) {
			ASSERT_EQ(len, strlen(cases[i].plain), "decoded length");
			ASSERT_STREQ(s, cases[i].plain, "decoded");
			free(s);
		}
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_ctx("bad %s", bad[i]);
		s = NULL;
		ASSERT_EQ(etcd_b64_decode(bad[i], &s, &len), -EINVAL, "refused");
		free(s);
	}
}

void test_pool_prefix_end(void)
{
	size_t n;
	char *e = etcd_prefix_end("/xlb/", 5, &n);

	if (ASSERT_OK_PTR(e, "end")) {
		ASSERT_EQ(n, 5, "length");
		ASSERT_MEMEQ(e, "/xlb0", 5, "last byte + 1");
	}
	free(e);
	/* a trailing 0xff goes, the byte before grows */
	e = etcd_prefix_end("a\xff\xff", 3, &n);
	if (ASSERT_OK_PTR(e, "end"))
		ASSERT_MEMEQ(e, "b", n, "carry");
	ASSERT_EQ(n, 1, "length after carry");
	free(e);
	/* nothing can grow: "\0" is "to the end of the keyspace" */
	e = etcd_prefix_end("\xff", 1, &n);
	if (ASSERT_OK_PTR(e, "end")) {
		ASSERT_EQ(n, 1, "one byte");
		ASSERT_EQ(e[0], 0, "NUL");
	}
	free(e);
}

void test_pool_requests(void)
{
	struct etcd_cmp cmp = { .target = ETCD_CMP_MOD, .result = ETCD_CMP_LESS, .key = "/xlb/",
				.range_end = "/xlb0", .range_end_len = 5, .number = 3 };
	struct etcd_op put = { .type = ETCD_OP_PUT, .key = "/xlb/a", .value = "x" };
	struct etcd_op get = { .type = ETCD_OP_RANGE, .key = "/xlb/a" };
	char *s;

	s = etcd_req_range("/xlb/", "/xlb0", 5, 0, 0);
	ASSERT_STREQ(s, "{\"key\":\"L3hsYi8=\",\"range_end\":\"L3hsYjA=\"}", "range");
	free(s);
	/* compact JSON, int64 as strings as the gateway writes them */
	s = etcd_req_range("/xlb/", "/xlb0", 5, 7, ETCD_RANGE_COUNT_ONLY | ETCD_RANGE_SERIALIZABLE);
	ASSERT_STREQ(s, "{\"key\":\"L3hsYi8=\",\"range_end\":\"L3hsYjA=\",\"revision\":\"7\","
			"\"serializable\":true,\"count_only\":true}",
		     "range at a revision, serializable, count only");
	free(s);
	s = etcd_req_watch("/xlb/", "/xlb0", 5, 42, false);
	ASSERT_STREQ(s, "{\"create_request\":{\"key\":\"L3hsYi8=\",\"range_end\":\"L3hsYjA=\","
			"\"start_revision\":\"42\"}}", "watch");
	free(s);
	s = etcd_req_put("/xlb/a", "x", 5242931368386383119LL);
	ASSERT_STREQ(s, "{\"key\":\"L3hsYi9h\",\"value\":\"eA==\",\"lease\":\"5242931368386383119\"}",
		     "put with a lease");
	free(s);
	s = etcd_req_lease_grant(10);
	ASSERT_STREQ(s, "{\"TTL\":\"10\"}", "grant");
	free(s);
	s = etcd_req_lease_id(12);
	ASSERT_STREQ(s, "{\"ID\":\"12\"}", "keepalive");
	free(s);
	s = etcd_req_auth("xlb", "se\"cret");
	ASSERT_STREQ(s, "{\"name\":\"xlb\",\"password\":\"se\\\"cret\"}", "authenticate");
	etcd_free_secret(s);
	s = etcd_req_txn(&cmp, 1, &put, 1, &get, 1);
	ASSERT_STREQ(s, "{\"compare\":[{\"target\":\"MOD\",\"result\":\"LESS\",\"key\":\"L3hsYi8=\","
			"\"range_end\":\"L3hsYjA=\",\"mod_revision\":\"3\"}],"
			"\"success\":[{\"request_put\":{\"key\":\"L3hsYi9h\",\"value\":\"eA==\"}}],"
			"\"failure\":[{\"request_range\":{\"key\":\"L3hsYi9h\"}}]}",
		     "txn");
	free(s);
}

void test_pool_resp_range(void)
{
	static const char body[] =
		"{\"header\":{\"cluster_id\":\"10531427346780553395\",\"member_id\":\"1434559661743277894\","
		"\"revision\":\"2\",\"raft_term\":\"2\"},\"kvs\":[{\"key\":\"L3hsYi9h\","
		"\"create_revision\":\"2\",\"mod_revision\":\"2\",\"version\":\"1\","
		"\"value\":\"eyJwb29sZWQiOiJubyJ9\"}],\"count\":\"1\"}";
	struct etcd_resp r;
	char err[128];

	if (!ASSERT_OK(etcd_resp_parse(body, strlen(body), &r, err, sizeof(err)), err))
		return;
	ASSERT_EQ(r.code, 0, "no error");
	ASSERT_EQ(r.revision, 2, "revision");
	ASSERT_EQ(r.member_id, 1434559661743277894ULL, "member");
	ASSERT_EQ(r.count, 1, "count");
	if (ASSERT_EQ(r.n_kvs, 1, "pairs")) {
		ASSERT_STREQ(r.kvs[0].key, "/xlb/a", "key");
		ASSERT_STREQ(r.kvs[0].value, "{\"pooled\":\"no\"}", "value");
		ASSERT_EQ(r.kvs[0].mod_revision, 2, "mod revision");
		ASSERT_EQ(r.kvs[0].create_revision, 2, "create revision");
		ASSERT_EQ(r.kvs[0].version, 1, "version");
	}
	etcd_resp_free(&r);
}

void test_pool_resp_misc(void)
{
	static const char txn_ok[] =
		"{\"header\":{\"revision\":\"5\"},\"succeeded\":true,\"responses\":"
		"[{\"response_put\":{\"header\":{\"revision\":\"5\"}}}]}";
	/* a failed txn has no "succeeded"; its failure branch read the key */
	static const char txn_failed[] =
		"{\"header\":{\"revision\":\"9\"},\"responses\":[{\"response_range\":{\"header\":"
		"{\"revision\":\"9\"},\"kvs\":[{\"key\":\"L3hsYi9h\",\"mod_revision\":\"8\","
		"\"value\":\"eA==\"}],\"count\":\"1\"}}]}";
	static const char grant[] = "{\"header\":{\"revision\":\"5\"},\"ID\":\"5242931368386383117\","
				    "\"TTL\":\"5\"}";
	/* keepalive is a stream of one message; an unknown lease has no TTL */
	static const char ka_gone[] = "{\"result\":{\"header\":{\"revision\":\"5\"},\"ID\":\"1234\"}}";
	static const char auth[] = "{\"header\":{\"revision\":\"7\"},\"token\":\"ZMJWPDiIwQKtzTSF.25\"}";
	static const char refused[] =
		"{\"error\":\"etcdserver: authentication failed, invalid user ID or password\","
		"\"message\":\"etcdserver: authentication failed, invalid user ID or password\","
		"\"code\":3}";
	static const char compacted[] =
		"{\"error\":\"etcdserver: mvcc: required revision has been compacted\",\"message\":"
		"\"etcdserver: mvcc: required revision has been compacted\",\"code\":11}";
	struct etcd_resp r;
	char err[128];

	if (ASSERT_OK(etcd_resp_parse(txn_ok, strlen(txn_ok), &r, err, sizeof(err)), err)) {
		ASSERT_TRUE(r.succeeded, "txn succeeded");
		ASSERT_EQ(r.revision, 5, "txn revision");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(txn_failed, strlen(txn_failed), &r, err, sizeof(err)), err)) {
		ASSERT_FALSE(r.succeeded, "txn failed");
		if (ASSERT_EQ(r.n_kvs, 1, "failure branch read"))
			ASSERT_EQ(r.kvs[0].mod_revision, 8, "its revision");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(grant, strlen(grant), &r, err, sizeof(err)), err)) {
		ASSERT_EQ(r.lease_id, 5242931368386383117LL, "lease id");
		ASSERT_EQ(r.ttl, 5, "ttl");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(ka_gone, strlen(ka_gone), &r, err, sizeof(err)), err)) {
		ASSERT_EQ(r.lease_id, 1234, "keepalive id");
		ASSERT_EQ(r.ttl, 0, "lease gone");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(auth, strlen(auth), &r, err, sizeof(err)), err)) {
		ASSERT_STREQ(r.token, "ZMJWPDiIwQKtzTSF.25", "token");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(refused, strlen(refused), &r, err, sizeof(err)), err)) {
		ASSERT_EQ(r.code, ETCD_INVALID_ARGUMENT, "code");
		ASSERT_STREQ(r.message,
			     "etcdserver: authentication failed, invalid user ID or password",
			     "message");
		etcd_resp_free(&r);
	}
	if (ASSERT_OK(etcd_resp_parse(compacted, strlen(compacted), &r, err, sizeof(err)), err)) {
		ASSERT_TRUE(etcd_err_compacted(r.code, r.message), "compacted");
		etcd_resp_free(&r);
	}
}

void test_pool_resp_bad(void)
{
	static const char *const bad[] = {
		"",
		"not json",
		"[1,2]",
		"{\"header\":{\"revision\":\"x2\"}}",
		"{\"header\":{\"revision\":true}}",
		"{\"kvs\":{}}",
		"{\"kvs\":[{\"key\":\"%%%%\"}]}",
		"{\"kvs\":[{\"value\":\"eA==\"}]}",			/* no key */
		"{\"kvs\":[{\"key\":\"YQBi\",\"value\":\"eA==\"}]}",	/* a NUL in the key */
		"{\"succeeded\":\"yes\"}",
		"{\"token\":5}",
		"{\"count\":\"1\"}{}",					/* two values */
		"{\"responses\":{}}",
	};
	struct etcd_resp r;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_ctx("%s", bad[i]);
		err[0] = '\0';
		ASSERT_EQ(etcd_resp_parse(bad[i], strlen(bad[i]), &r, err, sizeof(err)), -EINVAL,
			  "refused");
		ASSERT_TRUE(err[0], "with a reason");
	}
}

void test_pool_watch_msgs(void)
{
	static const char created[] =
		"{\"result\":{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"2\","
		"\"raft_term\":\"2\"},\"created\":true}}";
	static const char events[] =
		"{\"result\":{\"header\":{\"revision\":\"4\"},\"events\":[{\"kv\":{\"key\":\"L3hsYi9i\","
		"\"create_revision\":\"3\",\"mod_revision\":\"3\",\"version\":\"1\",\"value\":"
		"\"aGVsbG8=\"}},{\"type\":\"DELETE\",\"kv\":{\"key\":\"L3hsYi9i\",\"mod_revision\":"
		"\"4\"},\"prev_kv\":{\"key\":\"L3hsYi9i\",\"value\":\"aGVsbG8=\"}}]}}";
	static const char compacted[] =
		"{\"result\":{\"header\":{\"raft_term\":\"2\"},\"canceled\":true,"
		"\"compact_revision\":\"4\"}}";
	static const char unauth[] =
		"{\"result\":{\"header\":{\"revision\":\"7\"},\"watch_id\":\"-1\",\"created\":true,"
		"\"canceled\":true,\"cancel_reason\":\"rpc error: code = Unauthenticated desc = "
		"etcdserver: invalid auth token\"}}";
	static const char stream_err[] =
		"{\"error\":{\"grpc_code\":14,\"http_code\":503,\"message\":\"etcdserver: no leader\","
		"\"http_status\":\"Service Unavailable\"}}";
	static const char no_result[] = "{\"header\":{}}";
	static const char bad_type[] =
		"{\"result\":{\"events\":[{\"type\":\"BOOM\",\"kv\":{\"key\":\"eA==\"}}]}}";
	struct etcd_watch_msg m;
	char err[128];

	if (ASSERT_OK(etcd_watch_parse(created, strlen(created), &m, err, sizeof(err)), err)) {
		ASSERT_TRUE(m.created, "created");
		ASSERT_FALSE(m.canceled, "not canceled");
		ASSERT_EQ(m.revision, 2, "revision");
		etcd_watch_free(&m);
	}
	if (ASSERT_OK(etcd_watch_parse(events, strlen(events), &m, err, sizeof(err)), err)) {
		if (ASSERT_EQ(m.n_events, 2, "events")) {
			ASSERT_EQ(m.events[0].type, ETCD_EV_PUT, "put (no type field)");
			ASSERT_STREQ(m.events[0].kv.key, "/xlb/b", "put key");
			ASSERT_STREQ(m.events[0].kv.value, "hello", "put value");
			ASSERT_EQ(m.events[1].type, ETCD_EV_DELETE, "delete");
			ASSERT_EQ(m.events[1].kv.mod_revision, 4, "delete revision");
			ASSERT_STREQ(m.events[1].kv.value, "", "a delete has no value");
		}
		etcd_watch_free(&m);
	}
	if (ASSERT_OK(etcd_watch_parse(compacted, strlen(compacted), &m, err, sizeof(err)), err)) {
		ASSERT_TRUE(m.canceled, "canceled");
		ASSERT_EQ(m.compact_revision, 4, "compact revision");
		etcd_watch_free(&m);
	}
	if (ASSERT_OK(etcd_watch_parse(unauth, strlen(unauth), &m, err, sizeof(err)), err)) {
		ASSERT_TRUE(m.canceled, "canceled");
		ASSERT_TRUE(strstr(m.reason, "invalid auth token") != NULL, "reason");
		etcd_watch_free(&m);
	}
	if (ASSERT_OK(etcd_watch_parse(stream_err, strlen(stream_err), &m, err, sizeof(err)),
		      err)) {
		ASSERT_TRUE(m.canceled, "a stream error ends the watch");
		ASSERT_EQ(m.code, ETCD_UNAVAILABLE, "grpc code");
		ASSERT_STREQ(m.reason, "etcdserver: no leader", "message");
		etcd_watch_free(&m);
	}
	ASSERT_EQ(etcd_watch_parse(no_result, strlen(no_result), &m, err, sizeof(err)), -EINVAL,
		  "no result");
	ASSERT_EQ(etcd_watch_parse(bad_type, strlen(bad_type), &m, err, sizeof(err)), -EINVAL,
		  "unknown event type");
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * etcd v3 messages as its gRPC gateway speaks them (etcd 3.4, paths under
 * /v3/): requests built as JSON text, responses decoded into plain C
 * structs. Pure code with no I/O, so every shape etcd sends is tested
 * without an etcd (selftests/agent/test_pool_msg.c).
 *
 * What the gateway does with protobuf's JSON mapping, and what we follow:
 * keys and values are base64 (standard alphabet, padded); int64 fields
 * (revisions, lease ids, TTLs) are JSON strings ("revision":"42"), and
 * numbers are accepted as well; fields at their zero value are left out
 * (a put event has no "type", a failed txn no "succeeded"). An error is
 * {"error": TEXT, "message": TEXT, "code": GRPC_CODE} for a unary call, and
 * {"error": {"grpc_code": N, "message": TEXT, ...}} inside a stream; a
 * stream message is {"result": MSG}, one per line.
 *
 * JSON is read and written with json-c (see jsonc.h): keys and values
 * pass through it as strings, so nothing here is a hand-written JSON
 * parser.
 */
#ifndef XLB_POOL_ETCD_MSG_H
#define XLB_POOL_ETCD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* gRPC status codes etcd answers with (google.golang.org/grpc/codes) */
enum etcd_grpc_code {
	ETCD_OK = 0,
	ETCD_CANCELLED = 1,
	ETCD_UNKNOWN = 2,
	ETCD_INVALID_ARGUMENT = 3,
	ETCD_DEADLINE_EXCEEDED = 4,
	ETCD_NOT_FOUND = 5,
	ETCD_PERMISSION_DENIED = 7,
	ETCD_RESOURCE_EXHAUSTED = 8,
	ETCD_FAILED_PRECONDITION = 9,
	ETCD_OUT_OF_RANGE = 11,		/* "required revision has been compacted" */
	ETCD_UNAVAILABLE = 14,		/* "no leader", "leader changed" */
	ETCD_UNAUTHENTICATED = 16,	/* "invalid auth token" */
};

#define ETCD_ERR_MAX 200	/* bytes of an error message kept, NUL included */

/* One key-value pair. key and value are NUL-terminated copies of the
 * decoded bytes (a key or value holding a NUL byte is refused, none of
 * xlb's is binary). */
struct etcd_kv {
	char *key;
	size_t key_len;
	char *value;		/* "" for a delete event without prev_kv */
	size_t value_len;
	int64_t create_revision;
	int64_t mod_revision;
	int64_t version;
	int64_t lease;		/* 0 = none */
};

/* A unary response (range, txn, put, lease grant/keepalive/revoke,
 * authenticate), or the error that came instead. */
struct etcd_resp {
	int64_t revision;		/* header.revision: the store's revision */
	uint64_t member_id;		/* header.member_id: who answered */
	int code;			/* 0, or the gRPC code of an error answer */
	char message[ETCD_ERR_MAX];	/* the error's text */
	struct etcd_kv *kvs;		/* range: the pairs; txn: those of its range ops */
	size_t n_kvs;
	int64_t count;			/* range: keys in the range (count_only too) */
	bool succeeded;			/* txn: the compares held */
	int64_t lease_id;		/* lease grant/keepalive: ID */
	int64_t ttl;			/* lease grant/keepalive: TTL s; 0 = lease gone */
	char *token;			/* authenticate: the token; NULL otherwise */
};

enum etcd_event_type {
	ETCD_EV_PUT = 0,
	ETCD_EV_DELETE = 1,
};

struct etcd_event {
	enum etcd_event_type type;
	struct etcd_kv kv;	/* a delete: key and mod_revision only */
};

/* One message of a watch stream. */
struct etcd_watch_msg {
	int64_t revision;		/* header.revision */
	bool created;			/* the watch is set up */
	bool canceled;			/* the server ended the watch (see below) */
	int64_t compact_revision;	/* canceled because the start revision is compacted */
	char reason[ETCD_ERR_MAX];	/* cancel_reason, or the stream error's message */
	int code;			/* a stream error's gRPC code; 0 = none */
	struct etcd_event *events;
	size_t n_events;
};

/* ---- base64 (OpenSSL's EVP_EncodeBlock/EVP_DecodeBlock) ---- */

/* malloc'd, NUL-terminated; NULL when out of memory. */
char *etcd_b64_encode(const void *data, size_t len);
/* Decode strict base64 (padded, no whitespace) into a malloc'd,
 * NUL-terminated buffer; *out_len without the NUL. -EINVAL for text that
 * is not base64, -ENOMEM. */
int etcd_b64_decode(const char *text, char **out, size_t *out_len);

/* ---- requests: malloc'd JSON text, NULL when out of memory ---- */

/* The end of the range holding every key that starts with prefix (the
 * prefix with its last byte incremented): malloc'd, length in *len. */
char *etcd_prefix_end(const char *prefix, size_t len, size_t *end_len);

/* /v3/kv/range. range_end NULL: the one key. revision 0: the latest.
 * flags: ETCD_RANGE_COUNT_ONLY (no pairs, the count), ETCD_RANGE_SERIALIZABLE
 * (the member answers from its own copy, without asking the leader). */
#define ETCD_RANGE_COUNT_ONLY 0x1
#define ETCD_RANGE_SERIALIZABLE 0x2
char *etcd_req_range(const char *key, const char *range_end, size_t range_end_len,
		     int64_t revision, unsigned flags);
/* /v3/kv/put. lease 0: none. */
char *etcd_req_put(const char *key, const char *value, int64_t lease);

/* /v3/watch create_request: from start_revision (0: now), with the
 * previous value of each changed key when prev_kv. */
char *etcd_req_watch(const char *key, const char *range_end, size_t range_end_len,
		     int64_t start_revision, bool prev_kv);

/* /v3/lease/grant, /v3/lease/keepalive, /v3/lease/revoke */
char *etcd_req_lease_grant(int64_t ttl);
char *etcd_req_lease_id(int64_t id);

/* /v3/auth/authenticate. The password is in the returned text: callers
 * free it with etcd_free_secret(). */
char *etcd_req_auth(const char *user, const char *password);
/* Overwrite a string that held a secret, then free it. */
void etcd_free_secret(char *s);

/* /v3/kv/txn, built from these: */
enum etcd_cmp_target {
	ETCD_CMP_VERSION,
	ETCD_CMP_CREATE,
	ETCD_CMP_MOD,
	ETCD_CMP_VALUE,
};
enum etcd_cmp_result {
	ETCD_CMP_EQUAL,
	ETCD_CMP_GREATER,
	ETCD_CMP_LESS,
	ETCD_CMP_NOT_EQUAL,
};
struct etcd_cmp {
	enum etcd_cmp_target target;
	enum etcd_cmp_result result;
	const char *key;
	const char *range_end;	/* NULL: the key alone; else every key of [key, range_end) */
	size_t range_end_len;
	int64_t number;		/* version / create / mod revision */
	const char *value;	/* ETCD_CMP_VALUE */
};
enum etcd_op_type {
	ETCD_OP_RANGE,
	ETCD_OP_PUT,
	ETCD_OP_DELETE,
};
struct etcd_op {
	enum etcd_op_type type;
	const char *key;
	const char *value;	/* put */
	int64_t lease;		/* put */
	const char *range_end;	/* range, delete: NULL for the key alone */
	size_t range_end_len;
};
char *etcd_req_txn(const struct etcd_cmp *cmp, size_t n_cmp, const struct etcd_op *success,
		   size_t n_success, const struct etcd_op *failure, size_t n_failure);

/* ---- responses ---- */

/*
 * Decode a unary response body (the {"result": ...} wrapper of a one-shot
 * stream such as lease keepalive is taken off). An error answer is a
 * successful decode with out->code set. -EINVAL with the reason in err
 * when the body is not such a message.
 */
int etcd_resp_parse(const char *body, size_t len, struct etcd_resp *out, char *err,
		    size_t errlen);
void etcd_resp_free(struct etcd_resp *r);

/* Decode one line of a watch stream. -EINVAL with the reason in err. */
int etcd_watch_parse(const char *line, size_t len, struct etcd_watch_msg *out, char *err,
		     size_t errlen);
void etcd_watch_free(struct etcd_watch_msg *m);

/* Is this error etcd's "required revision has been compacted"? */
bool etcd_err_compacted(int code, const char *message);

#endif

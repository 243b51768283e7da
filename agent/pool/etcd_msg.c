// SPDX-License-Identifier: GPL-2.0
/*
 * etcd v3 gateway messages (see etcd_msg.h): requests built with json-c,
 * responses decoded with it, keys and values through OpenSSL's base64.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "pool/etcd_msg.h"
#include "pool/jsonc.h"

/* ---- base64 ---- */

char *etcd_b64_encode(const void *data, size_t len)
{
	char *out;

	if (len > (1u << 30))
		return NULL;
	out = malloc(4 * ((len + 2) / 3) + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, data, len);
	return out;
}

int etcd_b64_decode(const char *text, char **out, size_t *out_len)
{
	size_t len = strlen(text), pad = 0;
	char *buf;
	int n;

	/* EVP_DecodeBlock takes whitespace and unpadded tails; protobuf's
	 * JSON is neither: refuse what is not canonical base64 */
	if (len % 4 || len > (1u << 30))
		return -EINVAL;
	if (len && text[len - 1] == '=')
		pad = len >= 2 && text[len - 2] == '=' ? 2 : 1;
	if (strspn(text, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/") !=
	    len - pad)
		return -EINVAL;
	buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return -ENOMEM;
	n = len ? EVP_DecodeBlock((unsigned char *)buf, (const unsigned char *)text, len) : 0;
	if (n < 0 || (size_t)n < pad) {
		free(buf);
		return -EINVAL;
	}
	/* it counts the padding as zero bytes */
	n -= pad;
	buf[n] = '\0';
	*out = buf;
	*out_len = n;
	return 0;
}

/* ---- requests ---- */

char *etcd_prefix_end(const char *prefix, size_t len, size_t *end_len)
{
	unsigned char *end = malloc(len + 1);
	size_t i = len;

	if (!end)
		return NULL;
	memcpy(end, prefix, len);
	/* the last byte that can grow grows; the rest goes */
	while (i > 0 && end[i - 1] == 0xff)
		i--;
	if (i == 0) {
		/* all 0xff (or empty): "\0" means every key to the end */
		end[0] = '\0';
		*end_len = 1;
		return (char *)end;
	}
	end[i - 1]++;
	end[i] = '\0';
	*end_len = i;
	return (char *)end;
}

typedef struct json_object jobj;

/* Set a base64 field; false when out of memory. */
static bool set_b64(jobj *o, const char *name, const void *data, size_t len)
{
	char *b = etcd_b64_encode(data, len);
	bool ok;

	if (!b)
		return false;
	ok = jc_add(o, name, json_object_new_string(b));
	free(b);
	return ok;
}

/* int64 as the gateway writes it: a decimal string */
static bool set_i64(jobj *o, const char *name, int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)v);
	return jc_add(o, name, json_object_new_string(num));
}

static char *fail(jobj *o)
{
	json_object_put(o);
	return NULL;
}

static jobj *drop(jobj *o)
{
	json_object_put(o);
	return NULL;
}

char *etcd_req_range(const char *key, const char *range_end, size_t range_end_len,
		     int64_t revision, unsigned flags)
{
	jobj *o = json_object_new_object();

	if (!o || !set_b64(o, "key", key, strlen(key)))
		return fail(o);
	if (range_end && !set_b64(o, "range_end", range_end, range_end_len))
		return fail(o);
	if (revision && !set_i64(o, "revision", revision))
		return fail(o);
	if ((flags & ETCD_RANGE_SERIALIZABLE) &&
	    !jc_add(o, "serializable", json_object_new_boolean(1)))
		return fail(o);
	if ((flags & ETCD_RANGE_COUNT_ONLY) && !jc_add(o, "count_only", json_object_new_boolean(1)))
		return fail(o);
	return jc_dump(o);
}

char *etcd_req_put(const char *key, const char *value, int64_t lease)
{
	jobj *o = json_object_new_object();

	if (!o || !set_b64(o, "key", key, strlen(key)) ||
	    !set_b64(o, "value", value, strlen(value)) || (lease && !set_i64(o, "lease", lease)))
		return fail(o);
	return jc_dump(o);
}

char *etcd_req_watch(const char *key, const char *range_end, size_t range_end_len,
		     int64_t start_revision, bool prev_kv)
{
	jobj *o = json_object_new_object(), *c = json_object_new_object();

	if (!o || !c) {
		json_object_put(c);
		return fail(o);
	}
	if (!jc_add(o, "create_request", c))
		return fail(o);
	if (!set_b64(c, "key", key, strlen(key)))
		return fail(o);
	if (range_end && !set_b64(c, "range_end", range_end, range_end_len))
		return fail(o);
	if (start_revision && !set_i64(c, "start_revision", start_revision))
		return fail(o);
	if (prev_kv && !jc_add(c, "prev_kv", json_object_new_boolean(1)))
		return fail(o);
	return jc_dump(o);
}

char *etcd_req_lease_grant(int64_t ttl)
{
	jobj *o = json_object_new_object();

	if (!o || !set_i64(o, "TTL", ttl))
		return fail(o);
	return jc_dump(o);
}

char *etcd_req_lease_id(int64_t id)
{
	jobj *o = json_object_new_object();

	if (!o || !set_i64(o, "ID", id))
		return fail(o);
	return jc_dump(o);
}

void etcd_free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

char *etcd_req_auth(const char *user, const char *password)
{
	jobj *o = json_object_new_object(), *pw;
	const char *text;
	char *s = NULL;

	if (!o || !jc_add(o, "name", json_object_new_string(user)))
		return fail(o);
	pw = json_object_new_string(password);
	if (!jc_add(o, "password", pw))
		return fail(o);
	text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						     JSON_C_TO_STRING_NOSLASHESCAPE);
	if (text) {
		s = strdup(text);
		/* json-c's copies of the password: wiped before they are freed */
		explicit_bzero((char *)text, strlen(text));
	}
	explicit_bzero((char *)json_object_get_string(pw), json_object_get_string_len(pw));
	json_object_put(o);
	return s;
}

static const char *const cmp_target_names[] = {
	[ETCD_CMP_VERSION] = "VERSION",
	[ETCD_CMP_CREATE] = "CREATE",
	[ETCD_CMP_MOD] = "MOD",
	[ETCD_CMP_VALUE] = "VALUE",
};
static const char *const cmp_result_names[] = {
	[ETCD_CMP_EQUAL] = "EQUAL",
	[ETCD_CMP_GREATER] = "GREATER",
	[ETCD_CMP_LESS] = "LESS",
	[ETCD_CMP_NOT_EQUAL] = "NOT_EQUAL",
};

static jobj *cmp_json(const struct etcd_cmp *c)
{
	static const char *const field[] = {
		[ETCD_CMP_VERSION] = "version",
		[ETCD_CMP_CREATE] = "create_revision",
		[ETCD_CMP_MOD] = "mod_revision",
	};
	jobj *o = json_object_new_object();

	if (!o || !jc_add(o, "target", json_object_new_string(cmp_target_names[c->target])) ||
	    !jc_add(o, "result", json_object_new_string(cmp_result_names[c->result])) ||
	    !set_b64(o, "key", c->key, strlen(c->key)))
		return drop(o);
	if (c->range_end && !set_b64(o, "range_end", c->range_end, c->range_end_len))
		return drop(o);
	if (c->target == ETCD_CMP_VALUE) {
		if (!set_b64(o, "value", c->value, strlen(c->value)))
			return drop(o);
	} else if (!set_i64(o, field[c->target], c->number)) {
		return drop(o);
	}
	return o;
}

static jobj *op_json(const struct etcd_op *op)
{
	jobj *o = json_object_new_object(), *r = json_object_new_object();
	const char *name = op->type == ETCD_OP_PUT ? "request_put" :
			   op->type == ETCD_OP_RANGE ? "request_range" : "request_delete_range";

	if (!o || !r) {
		json_object_put(r);
		return drop(o);
	}
	if (!jc_add(o, name, r) || !set_b64(r, "key", op->key, strlen(op->key)))
		return drop(o);
	if (op->type == ETCD_OP_PUT) {
		if (!set_b64(r, "value", op->value, strlen(op->value)) ||
		    (op->lease && !set_i64(r, "lease", op->lease)))
			return drop(o);
	} else if (op->range_end && !set_b64(r, "range_end", op->range_end, op->range_end_len)) {
		return drop(o);
	}
	return o;
}

static bool array_add(jobj *a, jobj *v)
{
	if (!v)
		return false;
	if (json_object_array_add(a, v)) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool ops_set(jobj *txn, const char *name, const struct etcd_op *ops, size_t n)
{
	jobj *a;
	size_t i;

	if (!n)
		return true;
	a = json_object_new_array();
	if (!jc_add(txn, name, a))
		return false;
	for (i = 0; i < n; i++)
		if (!array_add(a, op_json(&ops[i])))
			return false;
	return true;
}

char *etcd_req_txn(const struct etcd_cmp *cmp, size_t n_cmp, const struct etcd_op *success,
		   size_t n_success, const struct etcd_op *failure, size_t n_failure)
{
	jobj *o = json_object_new_object(), *a;
	size_t i;

	if (!o)
		return NULL;
	if (n_cmp) {
		a = json_object_new_array();
		if (!jc_add(o, "compare", a))
			return fail(o);
		for (i = 0; i < n_cmp; i++)
			if (!array_add(a, cmp_json(&cmp[i])))
				return fail(o);
	}
	if (!ops_set(o, "success", success, n_success) ||
	    !ops_set(o, "failure", failure, n_failure))
		return fail(o);
	return jc_dump(o);
}

/* ---- responses ---- */

static void errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* An int64 field: a decimal string (as the gateway writes it) or a
 * number; absent is 0. -EINVAL for anything else. */
static int get_i64(jobj *o, const char *name, int64_t *out)
{
	jobj *v = jc_get(o, name);
	const char *s;
	char *end;
	long long n;

	*out = 0;
	if (!v)
		return 0;
	if (jc_is(v, json_type_int)) {
		errno = 0;
		*out = json_object_get_int64(v);
		return errno ? -EINVAL : 0;
	}
	if (!jc_is(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || *end)
		return -EINVAL;
	*out = n;
	return 0;
}

/* member ids are uint64 (often past INT64_MAX) */
static int get_u64(jobj *o, const char *name, uint64_t *out)
{
	jobj *v = jc_get(o, name);
	const char *s;
	char *end;

	*out = 0;
	if (!v)
		return 0;
	if (jc_is(v, json_type_int)) {
		*out = json_object_get_uint64(v);
		return 0;
	}
	if (!jc_is(v, json_type_string))
		return -EINVAL;
	s = json_object_get_string(v);
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end || *s == '-' ? -EINVAL : 0;
}

static int get_bool(jobj *o, const char *name, bool *out)
{
	jobj *v = jc_get(o, name);

	*out = false;
	if (!v)
		return 0;
	if (!jc_is(v, json_type_boolean))
		return -EINVAL;
	*out = json_object_get_boolean(v);
	return 0;
}

/* A base64 field decoded; absent is "". */
static int get_b64(jobj *o, const char *name, char **out, size_t *len)
{
	jobj *v = jc_get(o, name);
	int err;

	if (!v) {
		*out = strdup("");
		*len = 0;
		return *out ? 0 : -ENOMEM;
	}
	if (!jc_is(v, json_type_string))
		return -EINVAL;
	err = etcd_b64_decode(json_object_get_string(v), out, len);
	if (err)
		return err;
	if (memchr(*out, '\0', *len)) {
		free(*out);
		*out = NULL;
		return -EINVAL;
	}
	return 0;
}

static void kv_free(struct etcd_kv *kv)
{
	free(kv->key);
	free(kv->value);
	memset(kv, 0, sizeof(*kv));
}

static int kv_parse(jobj *o, struct etcd_kv *kv, char *err, size_t errlen)
{
	int rc;

	memset(kv, 0, sizeof(*kv));
	if (!jc_is(o, json_type_object)) {
		errf(err, errlen, "a key-value pair that is not an object");
		return -EINVAL;
	}
	rc = get_b64(o, "key", &kv->key, &kv->key_len);
	if (!rc)
		rc = get_b64(o, "value", &kv->value, &kv->value_len);
	if (rc == -ENOMEM)
		goto fail;
	if (!rc && !kv->key_len)
		rc = -EINVAL;
	if (rc) {
		errf(err, errlen, "a key or value that is not base64 of text");
		goto fail;
	}
	if (get_i64(o, "create_revision", &kv->create_revision) ||
	    get_i64(o, "mod_revision", &kv->mod_revision) ||
	    get_i64(o, "version", &kv->version) || get_i64(o, "lease", &kv->lease)) {
		errf(err, errlen, "a key-value pair with a revision that is not a number");
		rc = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	kv_free(kv);
	return rc;
}

/* Append the pairs of a "kvs" array. */
static int kvs_parse(jobj *arr, struct etcd_kv **kvs, size_t *n, char *err, size_t errlen)
{
	struct etcd_kv *p;
	size_t i, add;
	int rc;

	if (!arr)
		return 0;
	if (!jc_is(arr, json_type_array)) {
		errf(err, errlen, "\"kvs\" is not an array");
		return -EINVAL;
	}
	add = json_object_array_length(arr);
	if (!add)
		return 0;
	p = realloc(*kvs, (*n + add) * sizeof(*p));
	if (!p)
		return -ENOMEM;
	*kvs = p;
	for (i = 0; i < add; i++) {
		rc = kv_parse(json_object_array_get_idx(arr, i), &p[*n], err, errlen);
		if (rc)
			return rc;
		(*n)++;
	}
	return 0;
}

static int header_parse(jobj *o, int64_t *revision, uint64_t *member, char *err, size_t errlen)
{
	jobj *h = jc_get(o, "header");
	uint64_t m = 0;

	*revision = 0;
	if (member)
		*member = 0;
	if (!h)
		return 0;
	if (!jc_is(h, json_type_object) || get_i64(h, "revision", revision)) {
		errf(err, errlen, "a header without a readable revision");
		return -EINVAL;
	}
	/* only for display: an unreadable one is 0 */
	if (member && !get_u64(h, "member_id", &m))
		*member = m;
	return 0;
}

static void copy_text(char *dst, size_t len, jobj *v)
{
	snprintf(dst, len, "%s", jc_is(v, json_type_string) ? json_object_get_string(v) : "");
}

/* A stream's error object {"grpc_code": N, "message": TEXT}, or the
 * unary form {"error": TEXT, "message": TEXT, "code": N} (o itself). */
static bool error_parse(jobj *o, int *code, char *msg, size_t len)
{
	jobj *e = jc_get(o, "error");
	int64_t c = 0;

	if (!e)
		return false;
	if (jc_is(e, json_type_object)) {
		if (get_i64(e, "grpc_code", &c) || !c)
			get_i64(e, "code", &c);
		copy_text(msg, len, jc_get(e, "message"));
	} else {
		get_i64(o, "code", &c);
		copy_text(msg, len, jc_get(o, "message"));
		if (!msg[0])
			copy_text(msg, len, e);
	}
	/* an error without a code still is one */
	*code = c > 0 && c < 256 ? (int)c : ETCD_UNKNOWN;
	return true;
}

int etcd_resp_parse(const char *body, size_t len, struct etcd_resp *out, char *err,
		    size_t errlen)
{
	jobj *root, *o, *r;
	size_t i;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	root = jc_load_object(body, len, err, errlen);
	if (!root)
		return -EINVAL;
	o = root;
	if ((r = jc_get(root, "result")) && jc_is(r, json_type_object))
		o = r;
	if (error_parse(o, &out->code, out->message, sizeof(out->message)) ||
	    (o != root && error_parse(root, &out->code, out->message, sizeof(out->message)))) {
		rc = 0;
		goto out;
	}
	if (header_parse(o, &out->revision, &out->member_id, err, errlen))
		goto out;
	rc = kvs_parse(jc_get(o, "kvs"), &out->kvs, &out->n_kvs, err, errlen);
	if (rc)
		goto out;
	rc = -EINVAL;
	if (get_i64(o, "count", &out->count) || get_bool(o, "succeeded", &out->succeeded) ||
	    get_i64(o, "ID", &out->lease_id) || get_i64(o, "TTL", &out->ttl)) {
		errf(err, errlen, "a field of the wrong type");
		goto out;
	}
	if ((r = jc_get(o, "token"))) {
		if (!jc_is(r, json_type_string)) {
			errf(err, errlen, "a token that is not a string");
			goto out;
		}
		out->token = strdup(json_object_get_string(r));
		if (!out->token) {
			rc = -ENOMEM;
			goto out;
		}
	}
	/* a txn: the pairs its range operations read */
	if ((r = jc_get(o, "responses"))) {
		if (!jc_is(r, json_type_array)) {
			errf(err, errlen, "\"responses\" is not an array");
			goto out;
		}
		for (i = 0; i < json_object_array_length(r); i++) {
			jobj *rr = jc_get(json_object_array_get_idx(r, i), "response_range");

			if (!rr)
				continue;
			rc = kvs_parse(jc_get(rr, "kvs"), &out->kvs, &out->n_kvs, err, errlen);
			if (rc)
				goto out;
		}
	}
	rc = 0;
out:
	json_object_put(root);
	if (rc)
		etcd_resp_free(out);
	return rc;
}

void etcd_resp_free(struct etcd_resp *r)
{
	size_t i;

	for (i = 0; i < r->n_kvs; i++)
		kv_free(&r->kvs[i]);
	free(r->kvs);
	if (r->token)
		etcd_free_secret(r->token);
	memset(r, 0, sizeof(*r));
}

static int event_parse(jobj *o, struct etcd_event *ev, char *err, size_t errlen)
{
	jobj *t = jc_get(o, "type");
	const char *ts = jc_is(t, json_type_string) ? json_object_get_string(t) : NULL;

	memset(ev, 0, sizeof(*ev));
	if (!jc_is(o, json_type_object)) {
		errf(err, errlen, "an event that is not an object");
		return -EINVAL;
	}
	if (!t || (ts && !strcmp(ts, "PUT")) ||
	    (jc_is(t, json_type_int) && json_object_get_int64(t) == 0)) {
		ev->type = ETCD_EV_PUT;
	} else if ((ts && !strcmp(ts, "DELETE")) ||
		   (jc_is(t, json_type_int) && json_object_get_int64(t) == 1)) {
		ev->type = ETCD_EV_DELETE;
	} else {
		errf(err, errlen, "an event of an unknown type");
		return -EINVAL;
	}
	return kv_parse(jc_get(o, "kv"), &ev->kv, err, errlen);
}

int etcd_watch_parse(const char *line, size_t len, struct etcd_watch_msg *out, char *err,
		     size_t errlen)
{
	jobj *root, *o, *evs;
	size_t i, n;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	root = jc_load_object(line, len, err, errlen);
	if (!root)
		return -EINVAL;
	if (error_parse(root, &out->code, out->reason, sizeof(out->reason))) {
		/* the stream broke: the server ends the watch */
		out->canceled = true;
		rc = 0;
		goto out;
	}
	o = jc_get(root, "result");
	if (!jc_is(o, json_type_object)) {
		errf(err, errlen, "a watch message without \"result\"");
		goto out;
	}
	if (header_parse(o, &out->revision, NULL, err, errlen))
		goto out;
	if (get_bool(o, "created", &out->created) || get_bool(o, "canceled", &out->canceled) ||
	    get_i64(o, "compact_revision", &out->compact_revision)) {
		errf(err, errlen, "a field of the wrong type");
		goto out;
	}
	copy_text(out->reason, sizeof(out->reason), jc_get(o, "cancel_reason"));
	evs = jc_get(o, "events");
	if (evs) {
		if (!jc_is(evs, json_type_array)) {
			errf(err, errlen, "\"events\" is not an array");
			goto out;
		}
		n = json_object_array_length(evs);
		out->events = calloc(n ? n : 1, sizeof(*out->events));
		if (!out->events) {
			rc = -ENOMEM;
			goto out;
		}
		for (i = 0; i < n; i++) {
			rc = event_parse(json_object_array_get_idx(evs, i), &out->events[i], err,
					 errlen);
			if (rc)
				goto out;
			out->n_events++;
		}
	}
	rc = 0;
out:
	json_object_put(root);
	if (rc)
		etcd_watch_free(out);
	return rc;
}

void etcd_watch_free(struct etcd_watch_msg *m)
{
	size_t i;

	for (i = 0; i < m->n_events; i++)
		kv_free(&m->events[i].kv);
	free(m->events);
	memset(m, 0, sizeof(*m));
}

bool etcd_err_compacted(int code, const char *message)
{
	return code == ETCD_OUT_OF_RANGE ||
	       (message && strstr(message, "required revision has been compacted"));
}

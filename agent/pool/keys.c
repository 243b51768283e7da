// SPDX-License-Identifier: GPL-2.0
/*
 * xlb's key layout and values in etcd (see keys.h): keys split and built
 * here, values parsed and written with json-c. VIPs and addresses are
 * read with the control commands' own parsers (ctl/commands.h), so a key
 * names a VIP exactly when xlbctl would accept the same words.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ctl/commands.h"
#include "pool/jsonc.h"
#include "pool/keys.h"

#define SUB_BACKENDS "/pool/backends/"
#define SUB_VIPS "/pool/vips/"
#define SUB_INTENT "/pool/"
#define SUB_NODES "/nodes/"

static int put(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int put(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int pool_key_backend(const char *prefix, const char *vip, const char *backend, char *buf,
		     size_t len)
{
	return put(buf, len, "%s" SUB_BACKENDS "%s/%s", prefix, vip, backend);
}

int pool_key_vip(const char *prefix, const char *vip, char *buf, size_t len)
{
	return put(buf, len, "%s" SUB_VIPS "%s", prefix, vip);
}

int pool_key_node(const char *prefix, const char *name, char *buf, size_t len)
{
	return put(buf, len, "%s" SUB_NODES "%s", prefix, name);
}

int pool_key_intent_prefix(const char *prefix, char *buf, size_t len)
{
	return put(buf, len, "%s" SUB_INTENT, prefix);
}

int pool_key_vip_backends_prefix(const char *prefix, const char *vip, char *buf, size_t len)
{
	return put(buf, len, "%s" SUB_BACKENDS "%s/", prefix, vip);
}

int pool_key_nodes_prefix(const char *prefix, char *buf, size_t len)
{
	return put(buf, len, "%s" SUB_NODES, prefix);
}

/* A VIP in the address form, canonical; false for names and garbage. */
static bool vip_canon(const char *s, char *out, size_t len)
{
	struct ctl_vip v;

	if (ctl_vip_parse(s, &v, NULL, 0) || v.is_name)
		return false;
	return ctl_vip_format(&v, out, len) == 0;
}

static bool addr_canon(const char *s, char *out, size_t len)
{
	struct conf_addr a;

	return !ctl_addr_parse(s, &a) && !ctl_addr_format(&a, out, len);
}

enum pool_key_kind pool_key_parse(const char *prefix, const char *key, struct pool_key *out)
{
	size_t plen = strlen(prefix);
	const char *rest;
	char tmp[POOL_VIP_STRLEN + POOL_ADDR_STRLEN + 2], *slash;

	memset(out, 0, sizeof(*out));
	if (strncmp(key, prefix, plen))
		return POOL_KEY_OTHER;
	rest = key + plen;
	if (!strncmp(rest, SUB_BACKENDS, strlen(SUB_BACKENDS))) {
		rest += strlen(SUB_BACKENDS);
		if (strlen(rest) >= sizeof(tmp))
			return POOL_KEY_OTHER;
		strcpy(tmp, rest);
		/* VIP/BACKEND: the VIP has a slash of its own, the address none */
		slash = strrchr(tmp, '/');
		if (!slash)
			return POOL_KEY_OTHER;
		*slash = '\0';
		if (!vip_canon(tmp, out->vip, sizeof(out->vip)) ||
		    !addr_canon(slash + 1, out->backend, sizeof(out->backend)))
			goto other;
		out->kind = POOL_KEY_BACKEND;
	} else if (!strncmp(rest, SUB_VIPS, strlen(SUB_VIPS))) {
		if (!vip_canon(rest + strlen(SUB_VIPS), out->vip, sizeof(out->vip)))
			goto other;
		out->kind = POOL_KEY_VIP;
	} else if (!strncmp(rest, SUB_NODES, strlen(SUB_NODES))) {
		rest += strlen(SUB_NODES);
		if (!pool_node_name_valid(rest))
			goto other;
		strcpy(out->node, rest);
		out->kind = POOL_KEY_NODE;
	}
	return out->kind;
other:
	memset(out, 0, sizeof(*out));
	return POOL_KEY_OTHER;
}

/* ---- values ---- */

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

static const char *const pooled_names[] = {
	[POOL_YES] = "yes",
	[POOL_NO] = "no",
	[POOL_INACTIVE] = "inactive",
};

const char *pool_pooled_name(enum pool_pooled p)
{
	return p <= POOL_INACTIVE ? pooled_names[p] : "?";
}

typedef struct json_object jobj;

int pool_be_value_parse(const char *json, size_t len, struct pool_be_value *out, char *err,
			size_t errlen)
{
	jobj *o = jc_load_object(json, len, err, errlen), *p, *w;
	const char *s;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!o)
		return -EINVAL;
	p = jc_get(o, "pooled");
	if (p) {
		s = jc_is(p, json_type_string) ? json_object_get_string(p) : NULL;
		if (s && !strcmp(s, "yes"))
			out->pooled = POOL_YES;
		else if (s && !strcmp(s, "no"))
			out->pooled = POOL_NO;
		else if (s && !strcmp(s, "inactive"))
			out->pooled = POOL_INACTIVE;
		else {
			errf(err, errlen, "\"pooled\" must be \"yes\", \"no\" or \"inactive\"");
			goto out;
		}
	}
	w = jc_get(o, "weight");
	if (w) {
		int64_t n = jc_is(w, json_type_int) ? json_object_get_int64(w) : -1;

		if (n < 0 || n > POOL_WEIGHT_MAX) {
			errf(err, errlen, "\"weight\" must be a whole number 0..%d", POOL_WEIGHT_MAX);
			goto out;
		}
		out->has_weight = true;
		out->weight = n;
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

int pool_vip_value_parse(const char *json, size_t len, struct pool_vip_value *out, char *err,
			 size_t errlen)
{
	jobj *o = jc_load_object(json, len, err, errlen), *e;
	int rc = -EINVAL;

	out->enabled = true;
	if (!o)
		return -EINVAL;
	e = jc_get(o, "enabled");
	if (e) {
		if (!jc_is(e, json_type_boolean)) {
			errf(err, errlen, "\"enabled\" must be true or false");
			goto out;
		}
		out->enabled = json_object_get_boolean(e);
	}
	rc = 0;
out:
	json_object_put(o);
	return rc;
}

/* Members are added in sorted order: the same value is the same text on
 * every writer (json-c keeps the order of insertion). */

static char *fail(jobj *o)
{
	json_object_put(o);
	return NULL;
}

char *pool_be_value_format(const struct pool_be_value *v)
{
	jobj *o = json_object_new_object();

	if (!o || !jc_add(o, "pooled", json_object_new_string(pool_pooled_name(v->pooled))) ||
	    (v->has_weight && !jc_add(o, "weight", json_object_new_int64(v->weight))))
		return fail(o);
	return jc_dump(o);
}

char *pool_vip_value_format(const struct pool_vip_value *v)
{
	jobj *o = json_object_new_object();

	if (!o || !jc_add(o, "enabled", json_object_new_boolean(v->enabled)))
		return fail(o);
	return jc_dump(o);
}

static int table_cmp(const void *a, const void *b)
{
	return strcmp(((const struct pool_node_table *const *)a)[0]->vip,
		      ((const struct pool_node_table *const *)b)[0]->vip);
}

char *pool_node_value_format(const struct pool_node_value *v)
{
	jobj *o = json_object_new_object(), *tables, *t;
	const struct pool_node_table **sorted = NULL;
	size_t i;

	if (!o)
		return NULL;
	if (v->n_tables) {
		sorted = malloc(v->n_tables * sizeof(*sorted));
		if (!sorted)
			return fail(o);
		for (i = 0; i < v->n_tables; i++)
			sorted[i] = &v->tables[i];
		qsort(sorted, v->n_tables, sizeof(*sorted), table_cmp);
	}
	if (!jc_add(o, "address", json_object_new_string(v->address)) ||
	    !jc_add(o, "connected", json_object_new_boolean(v->connected)) ||
	    !jc_add(o, "name", json_object_new_string(v->name)) ||
	    !jc_add(o, "revision", json_object_new_int64(v->revision)))
		goto fail;
	tables = json_object_new_object();
	if (!jc_add(o, "tables", tables))
		goto fail;
	for (i = 0; i < v->n_tables; i++) {
		t = json_object_new_object();
		if (!jc_add(tables, sorted[i]->vip, t) ||
		    !jc_add(t, "backends", json_object_new_int64(sorted[i]->backends)) ||
		    !jc_add(t, "fingerprint", json_object_new_string(sorted[i]->fingerprint)))
			goto fail;
	}
	if (!jc_add(o, "version", json_object_new_string(v->version)))
		goto fail;
	free(sorted);
	return jc_dump(o);
fail:
	free(sorted);
	return fail(o);
}

/* src for a message: printable ASCII, at most len - 1 bytes (values come
 * from whoever can write etcd, and messages go to the log) */
static const char *printable(const char *src, char *dst, size_t len)
{
	size_t i;

	for (i = 0; src[i] && i < len - 1; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
	return dst;
}

static bool str_field(jobj *o, const char *name, char *dst, size_t len, bool required)
{
	jobj *v = jc_get(o, name);

	dst[0] = '\0';
	if (!v)
		return !required;
	if (!jc_is(v, json_type_string) || (size_t)json_object_get_string_len(v) >= len)
		return false;
	strcpy(dst, json_object_get_string(v));
	/* shown by xlbctl fleet status as text: printable ASCII only */
	for (; *dst; dst++)
		if (*dst < 0x20 || *dst >= 0x7f)
			return false;
	return true;
}

int pool_node_value_parse(const char *json, size_t len, struct pool_node_value *out, char *err,
			  size_t errlen)
{
	jobj *o = jc_load_object(json, len, err, errlen), *v, *tables;
	int rc = -EINVAL;

	memset(out, 0, sizeof(*out));
	if (!o)
		return -EINVAL;
	if (!str_field(o, "name", out->name, sizeof(out->name), true) ||
	    !str_field(o, "address", out->address, sizeof(out->address), false) ||
	    !str_field(o, "version", out->version, sizeof(out->version), false)) {
		errf(err, errlen, "\"name\", \"address\" or \"version\" missing or not a short "
			   "printable string");
		goto out;
	}
	v = jc_get(o, "revision");
	if (!jc_is(v, json_type_int) || json_object_get_int64(v) < 0) {
		errf(err, errlen, "\"revision\" must be a number");
		goto out;
	}
	out->revision = json_object_get_int64(v);
	v = jc_get(o, "connected");
	out->connected = jc_is(v, json_type_boolean) && json_object_get_boolean(v);
	tables = jc_get(o, "tables");
	if (tables && !jc_is(tables, json_type_object)) {
		errf(err, errlen, "\"tables\" must be an object");
		goto out;
	}
	if (tables && json_object_object_length(tables)) {
		out->tables = calloc(json_object_object_length(tables), sizeof(*out->tables));
		if (!out->tables) {
			rc = -ENOMEM;
			goto out;
		}
		json_object_object_foreach(tables, vip, t) {
			struct pool_node_table *nt = &out->tables[out->n_tables];

			if (strlen(vip) >= sizeof(nt->vip) || !jc_is(t, json_type_object) ||
			    !str_field(t, "fingerprint", nt->fingerprint, sizeof(nt->fingerprint),
				       true)) {
				char q[65];

				errf(err, errlen, "table of \"%s\" unreadable", printable(vip, q, sizeof(q)));
				goto out;
			}
			strcpy(nt->vip, vip);
			v = jc_get(t, "backends");
			nt->backends = jc_is(v, json_type_int) && json_object_get_int64(v) >= 0 ?
					       json_object_get_int64(v) : 0;
			out->n_tables++;
		}
	}
	rc = 0;
out:
	json_object_put(o);
	if (rc)
		pool_node_value_free(out);
	return rc;
}

void pool_node_value_free(struct pool_node_value *v)
{
	free(v->tables);
	v->tables = NULL;
	v->n_tables = 0;
}

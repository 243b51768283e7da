// SPDX-License-Identifier: GPL-2.0
/*
 * json-c helpers for the pool code (see jsonc.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pool/jsonc.h"

struct json_object *jc_load(const char *text, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error je;
	size_t end;

	if (len > INT32_MAX) {
		snprintf(err, errlen, "too long");
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, text, (int)len);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && je == json_tokener_success)
		snprintf(err, errlen, "null where a value was expected");
	else if (!o && je == json_tokener_continue)
		snprintf(err, errlen, "not JSON: it ends too early");
	else if (!o)
		snprintf(err, errlen, "not JSON: %s at byte %zu", json_tokener_error_desc(je), end);
	json_tokener_free(tok);
	if (!o)
		return NULL;
	while (end < len && strchr(" \t\r\n", text[end]))
		end++;
	if (end != len) {
		snprintf(err, errlen, "not JSON: more after the value (byte %zu)", end);
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *jc_load_object(const char *text, size_t len, char *err, size_t errlen)
{
	struct json_object *o = jc_load(text, len, err, errlen);

	if (o && !json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "not a JSON object");
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *jc_get(struct json_object *o, const char *name)
{
	struct json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object))
		return NULL;
	return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

bool jc_is(struct json_object *v, enum json_type t)
{
	return v && json_object_is_type(v, t);
}

char *jc_dump(struct json_object *o)
{
	const char *s;
	char *out = NULL;

	if (!o)
		return NULL;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
					       JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s)
		out = strdup(s);
	json_object_put(o);
	return out;
}

bool jc_add(struct json_object *o, const char *name, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(o, name, v)) {
		json_object_put(v);
		return false;
	}
	return true;
}

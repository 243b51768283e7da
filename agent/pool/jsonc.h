/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few json-c helpers the pool code shares: load one JSON document
 * strictly, look a member up, write compact text. json-c rather than
 * jansson because jansson's public names (json_string, json_null, ...)
 * are the names of xlb's own streaming JSON writer (lib/json.h), and a
 * static library's definitions win over a shared library's at link time.
 */
#ifndef XLB_POOL_JSONC_H
#define XLB_POOL_JSONC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

/* Parse exactly one JSON value from text[0..len) (whitespace around it
 * allowed, nothing else), strict RFC 8259 with UTF-8 checked. NULL with
 * the reason in err. */
struct json_object *jc_load(const char *text, size_t len, char *err, size_t errlen);
/* The same, and it must be an object. */
struct json_object *jc_load_object(const char *text, size_t len, char *err, size_t errlen);
/* Member of an object, or NULL (also when o is not an object). */
struct json_object *jc_get(struct json_object *o, const char *name);
bool jc_is(struct json_object *v, enum json_type t);
/* Compact text (no spaces, '/' not escaped), malloc'd; drops o. NULL when
 * o is NULL or out of memory. */
char *jc_dump(struct json_object *o);
/* Add a member; false when out of memory (v is dropped then). */
bool jc_add(struct json_object *o, const char *name, struct json_object *v);

#endif

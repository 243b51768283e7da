/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Streaming JSON writer into a struct buf, in the manner of iproute2's
 * json_writer: the caller opens objects and arrays, writes keys and
 * values, and the writer adds the commas, the quoting and (in pretty mode)
 * the newlines and 4-space indentation.
 *
 * Strings are escaped completely: '"', '\\', the C0 controls and DEL as
 * \b \f \n \r \t or \u00XX; valid UTF-8 passes through; every byte that is
 * not part of a well-formed UTF-8 sequence (stray continuation bytes,
 * overlong forms, surrogates, code points past U+10FFFF, truncated
 * sequences) becomes one \ufffd. Whatever bytes a string holds, the output
 * is valid JSON in valid UTF-8.
 *
 * Errors are sticky, like struct buf's: every call returns the writer's
 * first error (-ENOBUFS/-ENOMEM from the buffer, -EINVAL for a misuse: a
 * value without a key inside an object, a key inside an array, an
 * unbalanced end, a second top-level value, nesting past JSON_DEPTH_MAX)
 * and then writes nothing. json_finish() reports it.
 */
#ifndef XLB_LIB_JSON_H
#define XLB_LIB_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define JSON_DEPTH_MAX 32

struct json_writer {
	struct buf *out;
	bool pretty;
	int err;				/* first error */
	unsigned depth;				/* open objects and arrays */
	bool key_pending;			/* key written, its value not yet */
	bool done;				/* the top-level value is complete */
	bool is_array[JSON_DEPTH_MAX];		/* per open level: array, else object */
	bool nonempty[JSON_DEPTH_MAX];		/* per open level: has a member */
};

/* Writes are appended to out (not reset). pretty: newlines, 4-space indent. */
void json_init(struct json_writer *w, struct buf *out, bool pretty);

int json_object_start(struct json_writer *w);
int json_object_end(struct json_writer *w);
int json_array_start(struct json_writer *w);
int json_array_end(struct json_writer *w);
/* Inside an object, before each value. */
int json_key(struct json_writer *w, const char *key);

/* s NULL writes null. */
int json_string(struct json_writer *w, const char *s);
/* len bytes of s, NUL bytes included (as \u0000). */
int json_string_len(struct json_writer *w, const char *s, size_t len);
int json_stringf(struct json_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int json_u64(struct json_writer *w, uint64_t v);
int json_s64(struct json_writer *w, int64_t v);
/* A number with `decimals` digits after the point ("33.33"); null when
 * v is not finite. */
int json_fixed(struct json_writer *w, double v, int decimals);
int json_bool(struct json_writer *w, bool v);
int json_null(struct json_writer *w);

/* Key and value in one call. */
int json_kv_string(struct json_writer *w, const char *key, const char *s);
int json_kv_u64(struct json_writer *w, const char *key, uint64_t v);
int json_kv_s64(struct json_writer *w, const char *key, int64_t v);
int json_kv_fixed(struct json_writer *w, const char *key, double v, int decimals);
int json_kv_bool(struct json_writer *w, const char *key, bool v);
int json_kv_null(struct json_writer *w, const char *key);

/*
 * End of the document: 0 if exactly one complete top-level value was
 * written and nothing failed (then a newline is appended), else the error
 * (-EINVAL for an unfinished document).
 */
int json_finish(struct json_writer *w);

/* Append the JSON-escaped form of s[0..len) to out, without quotes. */
int json_escape(struct buf *out, const char *s, size_t len);

/*
 * Re-indent a JSON document (as the daemon sends it, compact) into out
 * exactly as pretty mode would have written it, newline at the end.
 * -EINVAL if strings or brackets do not balance, or a string holds a raw
 * control character; it does not check the rest of the grammar.
 */
int json_pretty(const char *in, size_t len, struct buf *out);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * Streaming JSON writer (see json.h; RFC 8259 for the grammar and string
 * escapes, Unicode 15 table 3-7 for well-formed UTF-8) and the re-indenter
 * xlbctl -p uses on the daemon's compact output.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/json.h"

#define JSON_INDENT "    "

void json_init(struct json_writer *w, struct buf *out, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->out = out;
	w->pretty = pretty;
}

/* Length of the well-formed UTF-8 sequence at s (at most n bytes), 0 if
 * the lead byte does not start one (table 3-7). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len, i;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;	/* ASCII, continuation byte, C0/C1 overlong, F5..FF */
	if (n < len)
		return 0;
	/* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

int json_escape(struct buf *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run;

	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		/* copy a run of bytes that need nothing */
		for (run = i; run < len; run++) {
			c = s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7f)
				break;
		}
		if (run > i)
			buf_append(out, s + i, run - i);
		i = run;
		if (i == len)
			break;
		switch (c) {
		case '"':
			buf_puts(out, "\\\"");
			break;
		case '\\':
			buf_puts(out, "\\\\");
			break;
		case '\b':
			buf_puts(out, "\\b");
			break;
		case '\f':
			buf_puts(out, "\\f");
			break;
		case '\n':
			buf_puts(out, "\\n");
			break;
		case '\r':
			buf_puts(out, "\\r");
			break;
		case '\t':
			buf_puts(out, "\\t");
			break;
		default:
			if (c < 0x80) {
				/* other C0 controls and DEL */
				buf_printf(out, "\\u%04x", c);
				break;
			}
			n = utf8_len(s + i, len - i);
			if (n) {
				buf_append(out, s + i, n);
				i += n;
				continue;
			}
			buf_puts(out, "\\ufffd");
		}
		i++;
	}
	return out->err;
}

static void indent(struct json_writer *w, unsigned depth)
{
	unsigned i;

	buf_putc(w->out, '\n');
	for (i = 0; i < depth; i++)
		buf_puts(w->out, JSON_INDENT);
}

static int fail(struct json_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

static int check(struct json_writer *w)
{
	if (!w->err && w->out->err)
		w->err = w->out->err;
	return w->err;
}

/* Before a value: the separator and indentation it needs, or -EINVAL if
 * no value may come here. */
static int value_begin(struct json_writer *w)
{
	unsigned d = w->depth;

	if (w->err)
		return w->err;
	if (w->key_pending) {
		w->key_pending = false;
		return 0;
	}
	if (d == 0)
		return w->done ? fail(w, -EINVAL) : 0;
	if (!w->is_array[d - 1])
		return fail(w, -EINVAL);	/* object member without a key */
	if (w->nonempty[d - 1])
		buf_putc(w->out, ',');
	if (w->pretty)
		indent(w, d);
	w->nonempty[d - 1] = true;
	return 0;
}

/* After a value: a scalar at the top is the whole document. */
static int value_end(struct json_writer *w)
{
	if (w->depth == 0)
		w->done = true;
	return check(w);
}

int json_key(struct json_writer *w, const char *key)
{
	unsigned d = w->depth;

	if (w->err)
		return w->err;
	if (d == 0 || w->is_array[d - 1] || w->key_pending || !key)
		return fail(w, -EINVAL);
	if (w->nonempty[d - 1])
		buf_putc(w->out, ',');
	if (w->pretty)
		indent(w, d);
	w->nonempty[d - 1] = true;
	buf_putc(w->out, '"');
	json_escape(w->out, key, strlen(key));
	buf_puts(w->out, w->pretty ? "\": " : "\":");
	w->key_pending = true;
	return check(w);
}

static int start(struct json_writer *w, bool array)
{
	if (value_begin(w))
		return w->err;
	if (w->depth >= JSON_DEPTH_MAX)
		return fail(w, -EINVAL);
	w->is_array[w->depth] = array;
	w->nonempty[w->depth] = false;
	w->depth++;
	buf_putc(w->out, array ? '[' : '{');
	return check(w);
}

static int end(struct json_writer *w, bool array)
{
	if (w->err)
		return w->err;
	if (w->depth == 0 || w->is_array[w->depth - 1] != array || w->key_pending)
		return fail(w, -EINVAL);
	w->depth--;
	if (w->pretty && w->nonempty[w->depth])
		indent(w, w->depth);
	buf_putc(w->out, array ? ']' : '}');
	return value_end(w);
}

int json_object_start(struct json_writer *w)
{
	return start(w, false);
}

int json_object_end(struct json_writer *w)
{
	return end(w, false);
}

int json_array_start(struct json_writer *w)
{
	return start(w, true);
}

int json_array_end(struct json_writer *w)
{
	return end(w, true);
}

int json_string_len(struct json_writer *w, const char *s, size_t len)
{
	if (value_begin(w))
		return w->err;
	buf_putc(w->out, '"');
	json_escape(w->out, s, len);
	buf_putc(w->out, '"');
	return value_end(w);
}

int json_null(struct json_writer *w)
{
	if (value_begin(w))
		return w->err;
	buf_puts(w->out, "null");
	return value_end(w);
}

int json_string(struct json_writer *w, const char *s)
{
	if (!s)
		return json_null(w);
	return json_string_len(w, s, strlen(s));
}

int json_stringf(struct json_writer *w, const char *fmt, ...)
{
	struct buf tmp;
	va_list ap;

	if (w->err)
		return w->err;
	buf_init(&tmp, w->out->max);
	va_start(ap, fmt);
	buf_vprintf(&tmp, fmt, ap);
	va_end(ap);
	if (tmp.err)
		fail(w, tmp.err);
	else
		json_string_len(w, buf_str(&tmp), tmp.len);
	buf_free(&tmp);
	return w->err;
}

int json_u64(struct json_writer *w, uint64_t v)
{
	if (value_begin(w))
		return w->err;
	buf_printf(w->out, "%" PRIu64, v);
	return value_end(w);
}

int json_s64(struct json_writer *w, int64_t v)
{
	if (value_begin(w))
		return w->err;
	buf_printf(w->out, "%" PRId64, v);
	return value_end(w);
}

int json_fixed(struct json_writer *w, double v, int decimals)
{
	/* JSON has no NaN or infinity */
	if (!isfinite(v))
		return json_null(w);
	if (value_begin(w))
		return w->err;
	buf_printf(w->out, "%.*f", decimals, v);
	return value_end(w);
}

int json_bool(struct json_writer *w, bool v)
{
	if (value_begin(w))
		return w->err;
	buf_puts(w->out, v ? "true" : "false");
	return value_end(w);
}

int json_kv_string(struct json_writer *w, const char *key, const char *s)
{
	return json_key(w, key) ?: json_string(w, s);
}

int json_kv_u64(struct json_writer *w, const char *key, uint64_t v)
{
	return json_key(w, key) ?: json_u64(w, v);
}

int json_kv_s64(struct json_writer *w, const char *key, int64_t v)
{
	return json_key(w, key) ?: json_s64(w, v);
}

int json_kv_fixed(struct json_writer *w, const char *key, double v, int decimals)
{
	return json_key(w, key) ?: json_fixed(w, v, decimals);
}

int json_kv_bool(struct json_writer *w, const char *key, bool v)
{
	return json_key(w, key) ?: json_bool(w, v);
}

int json_kv_null(struct json_writer *w, const char *key)
{
	return json_key(w, key) ?: json_null(w);
}

int json_finish(struct json_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->done)
		return fail(w, -EINVAL);
	buf_putc(w->out, '\n');
	return check(w);
}

static bool is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void pretty_indent(struct buf *out, unsigned depth)
{
	unsigned i;

	buf_putc(out, '\n');
	for (i = 0; i < depth; i++)
		buf_puts(out, JSON_INDENT);
}

int json_pretty(const char *in, size_t len, struct buf *out)
{
	char stack[JSON_DEPTH_MAX];
	unsigned depth = 0;
	size_t i = 0, j;

	while (i < len) {
		char c = in[i];

		if (is_ws(c)) {
			i++;
			continue;
		}
		switch (c) {
		case '"':
			/* copy the string verbatim, escapes included */
			for (j = i + 1; j < len && in[j] != '"'; j++) {
				if ((unsigned char)in[j] < 0x20)
					return -EINVAL;
				if (in[j] == '\\')
					j++;
			}
			if (j >= len)
				return -EINVAL;
			buf_append(out, in + i, j + 1 - i);
			i = j + 1;
			continue;
		case '{':
		case '[':
			if (depth >= JSON_DEPTH_MAX)
				return -EINVAL;
			buf_putc(out, c);
			stack[depth] = c == '{' ? '}' : ']';
			for (j = i + 1; j < len && is_ws(in[j]); j++)
				;
			if (j < len && in[j] == stack[depth]) {
				/* empty: {} or [] on one line */
				buf_putc(out, in[j]);
				i = j + 1;
				continue;
			}
			depth++;
			pretty_indent(out, depth);
			break;
		case '}':
		case ']':
			if (depth == 0 || stack[depth - 1] != c)
				return -EINVAL;
			depth--;
			pretty_indent(out, depth);
			buf_putc(out, c);
			break;
		case ',':
			if (depth == 0)
				return -EINVAL;
			buf_putc(out, ',');
			pretty_indent(out, depth);
			break;
		case ':':
			buf_puts(out, ": ");
			break;
		default:
			buf_putc(out, c);
		}
		i++;
	}
	if (depth)
		return -EINVAL;
	buf_putc(out, '\n');
	return out->err;
}

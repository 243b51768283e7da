// SPDX-License-Identifier: GPL-2.0
/*
 * The growable buffer (agent/lib/buf.c) and the streaming JSON writer
 * (agent/lib/json.c) that every `xlbctl -j` answer goes through: limits
 * and sticky errors, compact and pretty output, string escaping of every
 * awkward byte (controls, quotes, invalid UTF-8 in all its forms), misuse
 * refused, and xlbctl -p's re-indenter giving exactly the pretty writer's
 * output.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/json.h"
#include "../lib/test.h"

void test_buf_basic(void)
{
	struct buf b;
	int i;

	buf_init(&b, 0);
	ASSERT_STREQ(buf_str(&b), "", "empty");
	ASSERT_OK(buf_puts(&b, "abc"), "puts");
	ASSERT_OK(buf_putc(&b, '-'), "putc");
	ASSERT_OK(buf_printf(&b, "%d/%s", 42, "x"), "printf");
	ASSERT_STREQ(buf_str(&b), "abc-42/x", "contents");
	ASSERT_EQ(b.len, 8, "len");
	/* grow well past the first allocation, printf included */
	for (i = 0; i < 1000; i++)
		buf_printf(&b, "%04d", i);
	ASSERT_OK(b.err, "no error");
	ASSERT_EQ(b.len, 8 + 4000, "len after growth");
	ASSERT_TRUE(!memcmp(b.data + 8 + 4 * 999, "0999", 5), "last, NUL-terminated");
	buf_truncate(&b, 3);
	ASSERT_STREQ(buf_str(&b), "abc", "truncate");
	buf_reset(&b);
	ASSERT_STREQ(buf_str(&b), "", "reset");
	ASSERT_OK(buf_append(&b, "a\0b", 3), "binary");
	ASSERT_EQ(b.len, 3, "binary len");
	buf_free(&b);
}

void test_buf_limit(void)
{
	struct buf b;

	buf_init(&b, 10);
	ASSERT_OK(buf_puts(&b, "0123456789"), "exactly max");
	ASSERT_EQ(buf_putc(&b, 'x'), -ENOBUFS, "one past max");
	ASSERT_EQ(b.len, 10, "nothing appended");
	/* sticky: even a fitting append now fails */
	buf_truncate(&b, 2);
	ASSERT_EQ(buf_puts(&b, "a"), -ENOBUFS, "sticky");
	ASSERT_STREQ(buf_str(&b), "01", "contents kept");
	buf_reset(&b);
	ASSERT_OK(buf_printf(&b, "%s", "12345"), "after reset");
	ASSERT_EQ(buf_printf(&b, "%s", "123456"), -ENOBUFS, "printf past max");
	ASSERT_STREQ(buf_str(&b), "12345", "printf all or nothing");
	ASSERT_LE(b.cap, 11, "never allocates past max + 1");
	buf_free(&b);
}

void test_json_compact(void)
{
	struct json_writer w;
	struct buf b;

	buf_init(&b, 0);
	json_init(&w, &b, false);
	json_object_start(&w);
	json_kv_string(&w, "vip", "203.0.113.10:53/udp");
	json_kv_u64(&w, "packets", UINT64_MAX);
	json_kv_s64(&w, "delta", INT64_MIN);
	json_kv_bool(&w, "up", true);
	json_kv_null(&w, "name");
	json_key(&w, "backends");
	json_array_start(&w);
	json_u64(&w, 1);
	json_object_start(&w);
	json_object_end(&w);
	json_array_start(&w);
	json_array_end(&w);
	json_stringf(&w, "%s-%d", "be", 2);
	json_bool(&w, false);
	json_string(&w, NULL);
	json_array_end(&w);
	json_object_end(&w);
	ASSERT_OK(json_finish(&w), "finish");
	ASSERT_STREQ(buf_str(&b),
		     "{\"vip\":\"203.0.113.10:53/udp\",\"packets\":18446744073709551615,"
		     "\"delta\":-9223372036854775808,\"up\":true,\"name\":null,"
		     "\"backends\":[1,{},[],\"be-2\",false,null]}\n",
		     "document");
	buf_free(&b);
}

static void build_sample(struct json_writer *w)
{
	json_object_start(w);
	json_kv_string(w, "a", "x");
	json_key(w, "list");
	json_array_start(w);
	json_u64(w, 1);
	json_object_start(w);
	json_kv_bool(w, "deep", true);
	json_key(w, "empty");
	json_object_start(w);
	json_object_end(w);
	json_object_end(w);
	json_array_end(w);
	json_key(w, "none");
	json_array_start(w);
	json_array_end(w);
	json_object_end(w);
}

static const char sample_pretty[] = "{\n"
				    "    \"a\": \"x\",\n"
				    "    \"list\": [\n"
				    "        1,\n"
				    "        {\n"
				    "            \"deep\": true,\n"
				    "            \"empty\": {}\n"
				    "        }\n"
				    "    ],\n"
				    "    \"none\": []\n"
				    "}\n";

void test_json_pretty(void)
{
	struct json_writer w;
	struct buf b, c, p;

	buf_init(&b, 0);
	buf_init(&c, 0);
	buf_init(&p, 0);
	json_init(&w, &b, true);
	build_sample(&w);
	ASSERT_OK(json_finish(&w), "finish pretty");
	ASSERT_STREQ(buf_str(&b), sample_pretty, "pretty document");

	/* xlbctl -p: the compact document re-indented is the same text */
	json_init(&w, &c, false);
	build_sample(&w);
	ASSERT_OK(json_finish(&w), "finish compact");
	ASSERT_OK(json_pretty(c.data, c.len, &p), "reformat");
	ASSERT_STREQ(buf_str(&p), sample_pretty, "reformatted = pretty");
	/* and re-indenting pretty output changes nothing */
	buf_reset(&c);
	ASSERT_OK(json_pretty(b.data, b.len, &c), "reformat pretty");
	ASSERT_STREQ(buf_str(&c), sample_pretty, "idempotent");

	/* a scalar document */
	buf_reset(&b);
	json_init(&w, &b, true);
	json_string(&w, "s");
	ASSERT_OK(json_finish(&w), "scalar");
	ASSERT_STREQ(buf_str(&b), "\"s\"\n", "scalar document");
	buf_free(&b);
	buf_free(&c);
	buf_free(&p);
}

void test_json_escape(void)
{
	static const struct {
		const char *name;
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{ "plain", "abc 123", 7, "abc 123" },
		{ "quote and backslash", "a\"b\\c", 5, "a\\\"b\\\\c" },
		{ "short escapes", "\b\f\n\r\t", 5, "\\b\\f\\n\\r\\t" },
		{ "other controls", "\x01\x1f\x1b[0m", 6, "\\u0001\\u001f\\u001b[0m" },
		{ "NUL", "a\0b", 3, "a\\u0000b" },
		{ "DEL", "\x7f", 1, "\\u007f" },
		{ "slash untouched", "a/b", 3, "a/b" },
		{ "2-byte UTF-8", "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "3-byte UTF-8", "\xe2\x82\xac", 3, "\xe2\x82\xac" },
		{ "4-byte UTF-8", "\xf0\x9f\x98\x80", 4, "\xf0\x9f\x98\x80" },
		{ "U+10FFFF", "\xf4\x8f\xbf\xbf", 4, "\xf4\x8f\xbf\xbf" },
		{ "stray continuation", "a\x80z", 3, "a\\ufffdz" },
		{ "overlong C0", "\xc0\xaf", 2, "\\ufffd\\ufffd" },
		{ "overlong E0", "\xe0\x80\xaf", 3, "\\ufffd\\ufffd\\ufffd" },
		{ "overlong F0", "\xf0\x8f\xbf\xbf", 4, "\\ufffd\\ufffd\\ufffd\\ufffd" },
		{ "surrogate", "\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd" },
		{ "past U+10FFFF", "\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd" },
		{ "F5..FF", "\xf5\xff", 2, "\\ufffd\\ufffd" },
		{ "truncated at end", "ok\xe2\x82", 4, "ok\\ufffd\\ufffd" },
		{ "truncated mid-string", "\xe2\x82z", 3, "\\ufffd\\ufffdz" },
		{ "lead then ASCII", "\xc3(", 2, "\\ufffd(" },
		{ "Latin-1 text", "caf\xe9!", 5, "caf\\ufffd!" },
		{ "empty", "", 0, "" },
	};
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("%s", cases[i].name);
		buf_reset(&b);
		ASSERT_OK(json_escape(&b, cases[i].in, cases[i].len), "escape");
		ASSERT_STREQ(buf_str(&b), cases[i].out, "escaped");
	}
	test_ctx(NULL);

	/* through the writer, with quotes and a key that needs escaping */
	{
		struct json_writer w;

		buf_reset(&b);
		json_init(&w, &b, false);
		json_object_start(&w);
		json_key(&w, "k\"\n");
		json_string_len(&w, "\0\xff", 2);
		json_object_end(&w);
		ASSERT_OK(json_finish(&w), "finish");
		ASSERT_STREQ(buf_str(&b), "{\"k\\\"\\n\":\"\\u0000\\ufffd\"}\n", "writer escapes");
	}
	buf_free(&b);
}

void test_json_misuse(void)
{
	struct json_writer w;
	struct buf b;
	int i;

	buf_init(&b, 0);

	json_init(&w, &b, false);
	json_object_start(&w);
	ASSERT_EQ(json_u64(&w, 1), -EINVAL, "value without key in object");
	ASSERT_EQ(json_finish(&w), -EINVAL, "sticky");

	json_init(&w, &b, false);
	json_array_start(&w);
	ASSERT_EQ(json_key(&w, "k"), -EINVAL, "key in array");

	json_init(&w, &b, false);
	json_object_start(&w);
	ASSERT_EQ(json_array_end(&w), -EINVAL, "wrong end");

	json_init(&w, &b, false);
	ASSERT_EQ(json_object_end(&w), -EINVAL, "end at top");

	json_init(&w, &b, false);
	json_object_start(&w);
	json_key(&w, "k");
	ASSERT_EQ(json_key(&w, "k2"), -EINVAL, "two keys");

	json_init(&w, &b, false);
	json_object_start(&w);
	json_key(&w, "k");
	ASSERT_EQ(json_object_end(&w), -EINVAL, "key without value");

	json_init(&w, &b, false);
	json_u64(&w, 1);
	ASSERT_EQ(json_u64(&w, 2), -EINVAL, "second top-level value");

	json_init(&w, &b, false);
	ASSERT_EQ(json_finish(&w), -EINVAL, "nothing written");

	json_init(&w, &b, false);
	json_array_start(&w);
	ASSERT_EQ(json_finish(&w), -EINVAL, "unfinished");

	json_init(&w, &b, false);
	for (i = 0; i < JSON_DEPTH_MAX; i++)
		ASSERT_OK(json_array_start(&w), "nest");
	ASSERT_EQ(json_array_start(&w), -EINVAL, "too deep");

	/* the buffer's limit surfaces as -ENOBUFS */
	buf_free(&b);
	buf_init(&b, 16);
	json_init(&w, &b, false);
	json_array_start(&w);
	for (i = 0; i < 10; i++)
		json_string(&w, "abcdef");
	json_array_end(&w);
	ASSERT_EQ(json_finish(&w), -ENOBUFS, "buffer full");
	buf_free(&b);
}

void test_json_pretty_bad_input(void)
{
	static const char *const bad[] = {
		"{", "[1,2", "}", "[}", "{\"a\":\"x}", "\"abc", "[\"a\x01\"]", ",",
	};
	struct buf b;
	size_t i;

	buf_init(&b, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		test_ctx("%zu", i);
		buf_reset(&b);
		ASSERT_EQ(json_pretty(bad[i], strlen(bad[i]), &b), -EINVAL, "refused");
	}
	test_ctx(NULL);
	/* escaped quotes and brackets inside strings are not structure */
	buf_reset(&b);
	ASSERT_OK(json_pretty("{\"a\\\"[\":\"}\"}", 12, &b), "strings");
	ASSERT_STREQ(buf_str(&b), "{\n    \"a\\\"[\": \"}\"\n}\n", "strings kept");
	buf_free(&b);
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The control-socket wire protocol (agent/ctl/proto.c): request lines
 * encoded and decoded, every malformed request refused with its reason
 * (a table: empty, unterminated, too long, bad version or format, control
 * characters, NUL, non-ASCII, stray spaces, too many or too long
 * arguments, bytes after the line), response heads written and parsed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/proto.h"
#include "../lib/test.h"

struct decode_case {
	const char *name;
	const char *data;
	size_t len;		/* 0: strlen(data) */
	const char *err;	/* substring of the reason; NULL = must decode */
};

#define S(s) s, sizeof(s) - 1

static const struct decode_case decode_cases[] = {
	{ "plain", S("xlb1 text vip show\n"), NULL },
	{ "json", S("xlb1 json stats\n"), NULL },
	{ "one arg", S("xlb1 text x\n"), NULL },
	{ "empty", "", 0, "empty request" },
	{ "just newline", S("\n"), "empty request" },
	{ "no newline", S("xlb1 text vip show"), "not terminated" },
	{ "newline then more", S("xlb1 text stats\nxlb1 text stats\n"), "data after" },
	{ "CRLF", S("xlb1 text stats\r\n"), "control character 0x0d" },
	{ "bad version", S("xlb2 text stats\n"), "unsupported protocol 'xlb2'" },
	{ "lower-case only", S("XLB1 text stats\n"), "unsupported protocol" },
	{ "version only", S("xlb1\n"), "missing format" },
	{ "bad format", S("xlb1 yaml stats\n"), "bad format 'yaml'" },
	{ "no command", S("xlb1 text\n"), "missing command" },
	{ "double space", S("xlb1 text  stats\n"), "empty word at offset 10" },
	{ "leading space", S(" xlb1 text stats\n"), "empty word at offset 0" },
	{ "trailing space", S("xlb1 text stats \n"), "empty word at offset 16" },
	{ "tab", S("xlb1\ttext stats\n"), "control character 0x09 at offset 4" },
	{ "escape sequence", S("xlb1 text \x1b[2J\n"), "control character 0x1b" },
	{ "DEL", S("xlb1 text st\x7f\n"), "control character 0x7f" },
	{ "NUL", S("xlb1 text st\0ats\n"), "NUL byte at offset 12" },
	{ "NUL only", S("\0\n"), "NUL byte at offset 0" },
	{ "non-ASCII", S("xlb1 text caf\xc3\xa9\n"), "non-ASCII byte 0xc3" },
	{ "high byte", S("xlb1 text \xff\n"), "non-ASCII byte 0xff" },
	{ "newline only at the end counts", S("xlb1 text a\n\n"), "data after" },
};

void test_ctl_req_decode_table(void)
{
	struct ctl_line line;
	char err[CTL_MSG_MAX];
	size_t i;

	for (i = 0; i < sizeof(decode_cases) / sizeof(decode_cases[0]); i++) {
		const struct decode_case *c = &decode_cases[i];
		int ret;

		test_ctx("%s", c->name);
		memset(&line, 0xa5, sizeof(line));
		ret = ctl_req_decode(c->data, c->len, &line, err, sizeof(err));
		if (!c->err) {
			ASSERT_OK(ret, "decodes");
			continue;
		}
		ASSERT_EQ(ret, -EINVAL, "refused");
		if (!ASSERT_TRUE(strstr(err, c->err), "reason"))
			printf("    got '%s', want '%s'\n", err, c->err);
		ASSERT_EQ(line.argc, 0, "no words on error");
	}
	test_ctx(NULL);
}

/* Lines built to the limits: CTL_LINE_MAX, CTL_ARG_MAX, CTL_ARGC_MAX. */
void test_ctl_req_decode_limits(void)
{
	char data[CTL_LINE_MAX + 100], err[CTL_MSG_MAX];
	struct ctl_line line;
	size_t n;
	int i;

	/* exactly CTL_LINE_MAX bytes, newline included: 16 args of 255 */
	n = sprintf(data, "xlb1 text");
	for (i = 0; i < 15; i++) {
		data[n++] = ' ';
		memset(data + n, 'a' + i, 255);
		n += 255;
	}
	/* pad the last word so the line is CTL_LINE_MAX long */
	data[n++] = ' ';
	memset(data + n, 'z', CTL_LINE_MAX - 1 - n);
	n = CTL_LINE_MAX - 1;
	data[n++] = '\n';
	ASSERT_LE(CTL_LINE_MAX - 1 - (9 + 15 * 256 + 1), 255, "last word fits");
	ASSERT_OK(ctl_req_decode(data, n, &line, err, sizeof(err)), "line of CTL_LINE_MAX");
	ASSERT_EQ(line.argc, 16, "words");
	ASSERT_EQ(strlen(line.argv[0]), 255, "first word");
	ASSERT_EQ(line.argv[15][0], 'z', "last word");

	/* one byte more */
	memmove(data + 10, data + 9, n - 9);
	data[9] = ' ';
	data[10] = 'q';
	ASSERT_EQ(ctl_req_decode(data, n + 1, &line, err, sizeof(err)), -EINVAL, "too long");
	ASSERT_TRUE(strstr(err, "longer than 4096"), err);

	/* a long run with no newline at all */
	memset(data, 'a', sizeof(data));
	ASSERT_EQ(ctl_req_decode(data, sizeof(data), &line, err, sizeof(err)), -EINVAL,
		  "no newline, too long");
	ASSERT_TRUE(strstr(err, "longer than"), err);

	/* an argument of 256 bytes */
	n = sprintf(data, "xlb1 text ");
	memset(data + n, 'b', 256);
	n += 256;
	data[n++] = '\n';
	ASSERT_EQ(ctl_req_decode(data, n, &line, err, sizeof(err)), -EINVAL, "arg too long");
	ASSERT_TRUE(strstr(err, "argument 1 longer than 255"), err);

	/* CTL_ARGC_MAX arguments, then one more */
	n = sprintf(data, "xlb1 json");
	for (i = 0; i < CTL_ARGC_MAX; i++)
		n += sprintf(data + n, " %d", i);
	data[n++] = '\n';
	ASSERT_OK(ctl_req_decode(data, n, &line, err, sizeof(err)), "CTL_ARGC_MAX args");
	ASSERT_EQ(line.argc, CTL_ARGC_MAX, "argc");
	ASSERT_TRUE(line.json, "json");
	ASSERT_STREQ(line.argv[CTL_ARGC_MAX - 1], "31", "last");
	ASSERT_TRUE(line.argv[CTL_ARGC_MAX] == NULL, "NULL-terminated");
	n--;
	n += sprintf(data + n, " x\n");
	ASSERT_EQ(ctl_req_decode(data, n, &line, err, sizeof(err)), -EINVAL, "too many");
	ASSERT_TRUE(strstr(err, "more than 32 arguments"), err);
}

void test_ctl_req_roundtrip(void)
{
	char *argv[] = { "backend", "depool", "[2001:db8::1]:80/tcp", "2001:db8::11", "--now" };
	char err[CTL_MSG_MAX];
	struct ctl_line line;
	struct buf b;
	int i;

	buf_init(&b, CTL_LINE_MAX);
	ASSERT_OK(ctl_req_encode(true, 5, argv, &b), "encode");
	ASSERT_STREQ(buf_str(&b), "xlb1 json backend depool [2001:db8::1]:80/tcp 2001:db8::11 --now\n",
		     "line");
	ASSERT_OK(ctl_req_decode(b.data, b.len, &line, err, sizeof(err)), "decode");
	ASSERT_TRUE(line.json, "json");
	ASSERT_EQ(line.argc, 5, "argc");
	for (i = 0; i < 5; i++)
		ASSERT_STREQ(line.argv[i], argv[i], "word");
	buf_free(&b);
}

void test_ctl_req_encode_refuses(void)
{
	char big[CTL_ARG_MAX + 2];
	char *space[] = { "vip", "show x" };
	char *empty[] = { "vip", "" };
	char *ctrl[] = { "vip\n" };
	char *utf8[] = { "caf\xc3\xa9" };
	char *toolong[] = { big };
	char *many[CTL_ARGC_MAX + 1];
	char *longline[20];
	struct buf b;
	int i;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i <= CTL_ARGC_MAX; i++)
		many[i] = "x";
	buf_init(&b, 0);
	ASSERT_EQ(ctl_req_encode(false, 0, space, &b), -EINVAL, "no args");
	ASSERT_EQ(ctl_req_encode(false, 2, space, &b), -EINVAL, "space");
	ASSERT_EQ(ctl_req_encode(false, 2, empty, &b), -EINVAL, "empty");
	ASSERT_EQ(ctl_req_encode(false, 1, ctrl, &b), -EINVAL, "control");
	ASSERT_EQ(ctl_req_encode(false, 1, utf8, &b), -EINVAL, "non-ASCII");
	ASSERT_EQ(ctl_req_encode(false, 1, toolong, &b), -EINVAL, "256 bytes");
	ASSERT_EQ(ctl_req_encode(false, CTL_ARGC_MAX + 1, many, &b), -E2BIG, "too many");
	big[CTL_ARG_MAX] = '\0';
	for (i = 0; i < 20; i++)
		longline[i] = big;
	ASSERT_EQ(ctl_req_encode(false, 20, longline, &b), -E2BIG, "line too long");
	ASSERT_EQ(b.len, 0, "nothing written");
	buf_free(&b);
}

void test_ctl_resp_head(void)
{
	struct buf b;
	char msg[700];

	buf_init(&b, 0);
	ASSERT_OK(ctl_resp_head(&b, CTL_OK, "ignored"), "ok");
	ASSERT_STREQ(buf_str(&b), "ok\n", "ok line");
	buf_reset(&b);
	ASSERT_OK(ctl_resp_head(&b, CTL_ERR_USAGE, "bad\nthing\x1b\xff"), "error");
	ASSERT_STREQ(buf_str(&b), "error 2 bad thing??\n", "one printable line");
	buf_reset(&b);
	ASSERT_OK(ctl_resp_head(&b, CTL_ERR_RUNTIME, ""), "empty message");
	ASSERT_STREQ(buf_str(&b), "error 1 failed\n", "default message");
	buf_reset(&b);
	memset(msg, 'm', sizeof(msg) - 1);
	msg[sizeof(msg) - 1] = '\0';
	ASSERT_OK(ctl_resp_head(&b, CTL_ERR_RUNTIME, msg), "long message");
	ASSERT_EQ(b.len, 8 + CTL_MSG_MAX + 1, "cut at CTL_MSG_MAX");
	ASSERT_LE(b.len, CTL_HEAD_MAX, "fits CTL_HEAD_MAX");
	ASSERT_EQ(ctl_resp_head(&b, 3, "x"), -EINVAL, "unknown status");
	buf_free(&b);
}

void test_ctl_resp_parse_table(void)
{
	static const struct {
		const char *name;
		const char *data;
		size_t len;
		int ret;
		enum ctl_status status;
		const char *msg;
		size_t body_off;
	} cases[] = {
		{ "ok", S("ok\nbody\n"), 0, CTL_OK, "", 3 },
		{ "ok no body", S("ok\n"), 0, CTL_OK, "", 3 },
		{ "runtime", S("error 1 no such VIP\n"), 0, CTL_ERR_RUNTIME, "no such VIP", 20 },
		{ "usage + body", S("error 2 x\nusage\n"), 0, CTL_ERR_USAGE, "x", 10 },
		{ "empty", S(""), -EBADMSG },
		{ "no newline", S("ok"), -EBADMSG },
		{ "OK upper", S("OK\n"), -EBADMSG },
		{ "ok with junk", S("okay\n"), -EBADMSG },
		{ "status 3", S("error 3 x\n"), -EBADMSG },
		{ "status 0", S("error 0 x\n"), -EBADMSG },
		{ "no message", S("error 1 \n"), -EBADMSG },
		{ "no space", S("error 1x\n"), -EBADMSG },
		{ "control in message", S("error 1 a\x1b" "b\n"), -EBADMSG },
		{ "NUL in message", S("error 1 a\0b\n"), -EBADMSG },
		{ "HTML", S("<html>\n"), -EBADMSG },
	};
	enum ctl_status st;
	char msg[CTL_MSG_MAX + 1];
	char longhead[CTL_HEAD_MAX + 10];
	size_t i, off;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret;

		test_ctx("%s", cases[i].name);
		ret = ctl_resp_parse(cases[i].data, cases[i].len, &st, msg, sizeof(msg), &off);
		ASSERT_EQ(ret, cases[i].ret, "result");
		if (ret)
			continue;
		ASSERT_EQ(st, cases[i].status, "status");
		ASSERT_STREQ(msg, cases[i].msg, "message");
		ASSERT_EQ(off, cases[i].body_off, "body offset");
	}
	test_ctx(NULL);

	/* a head longer than any the server writes */
	memcpy(longhead, "error 1 ", 8);
	memset(longhead + 8, 'x', sizeof(longhead) - 9);
	longhead[sizeof(longhead) - 1] = '\n';
	ASSERT_EQ(ctl_resp_parse(longhead, sizeof(longhead), &st, msg, sizeof(msg), &off), -EBADMSG,
		  "head too long");
}

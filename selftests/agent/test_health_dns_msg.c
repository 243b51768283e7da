// SPDX-License-Identifier: GPL-2.0
/*
 * The dns checker's messages (agent/health/dns_msg.c): names to wire form
 * (RFC 1035 3.1), the query's bytes, and a table of responses to one query
 * — good ones, and each way the reader must refuse one: short header,
 * other id, not a response, other opcode, question count, other question,
 * compression pointers forward, to themselves, in a loop, names past 255
 * bytes, unknown label types, records and record data past the end, and
 * counts the sections do not keep.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "health/dns_msg.h"
#include "../lib/test.h"

static long hex(const char *s, uint8_t *out, size_t max)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '|')
			continue;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = hi << 4 | v;
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

void test_health_dns_msg_names(void)
{
	static const struct {
		const char *name;
		int want;		/* length, or -errno */
		const char *wire;
	} cases[] = {
		{ ".", 1, "00" },
		{ "a", 3, "0161 00" },
		{ "a.", 3, "0161 00" },
		{ "www.Test", 10, "03777777 0454657374 00" },
		{ "", -EINVAL, NULL },
		{ "..", -EINVAL, NULL },
		{ "a..b", -EINVAL, NULL },
		{ ".a", -EINVAL, NULL },
		{ "a..", -EINVAL, NULL },
	};
	uint8_t out[300], want[300];
	char name[400];
	int n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		test_ctx("'%s'", cases[i].name);
		n = hc_dns_name_encode(cases[i].name, out, sizeof(out));
		ASSERT_EQ(n, cases[i].want, "length");
		if (cases[i].wire && n > 0)
			ASSERT_PKT_EQ(out, n, want, hex(cases[i].wire, want, sizeof(want)), "wire");
	}
	test_ctx(NULL);

	/* a 63-byte label is fine, 64 is not */
	memset(name, 'x', 64);
	name[63] = '\0';
	ASSERT_EQ(hc_dns_name_encode(name, out, sizeof(out)), 65, "63-byte label");
	name[63] = 'x';
	name[64] = '\0';
	ASSERT_EQ(hc_dns_name_encode(name, out, sizeof(out)), -EINVAL, "64-byte label");

	/* 253 characters (255 bytes in wire form) fit, 254 do not */
	for (int i = 0; i < 253; i++)
		name[i] = i % 2 ? '.' : 'a';
	name[253] = '\0';
	ASSERT_EQ(hc_dns_name_encode(name, out, sizeof(out)), 255, "253 characters");
	strcpy(name + 253, "a");
	name[252] = 'b';
	name[253] = 'b';
	name[254] = '\0';
	ASSERT_EQ(hc_dns_name_encode(name, out, sizeof(out)), -EINVAL, "254 characters");

	ASSERT_EQ(hc_dns_name_encode("www.test", out, 5), -ENOBUFS, "short buffer");
}

void test_health_dns_msg_query(void)
{
	uint8_t q[HC_DNS_QUERY_MAX], want[64];
	int n;

	n = hc_dns_query_build(q, sizeof(q), 0x1234, "www.test", 28);
	ASSERT_PKT_EQ(q, n, want,
		      hex("1234 0100 0001 0000 0000 0000 | 03777777 0474657374 00 | 001c 0001",
			  want, sizeof(want)),
		      "AAAA query, RD");
	n = hc_dns_query_build(q, sizeof(q), 0xffff, ".", 2);
	ASSERT_PKT_EQ(q, n, want,
		      hex("ffff 0100 0001 0000 0000 0000 | 00 | 0002 0001", want, sizeof(want)),
		      "NS query for the root");
	ASSERT_EQ(hc_dns_query_build(q, 20, 1, "www.test", 1), -ENOBUFS, "short buffer");
}

/* Our query: id 0x1234, www.test A IN; the question is at 12..25. */
#define Q	"03777777 0474657374 00 0001 0001"
#define A1	"c00c 0001 0001 0000003c 0004 c0000201"	/* www.test A 192.0.2.1 */

static const struct {
	const char *name;
	const char *resp;
	int want;		/* 0 or -errno */
	const char *why;	/* on error */
	uint16_t answers;
	bool tc;
	uint8_t rcode;
} resp_cases[] = {
	{ "one answer", "1234 8180 0001 0001 0000 0000 |" Q "|" A1, 0, NULL, 1 },
	{ "no answer", "1234 8180 0001 0000 0000 0000 |" Q, 0, NULL, 0 },
	{ "NXDOMAIN with SOA in authority",
	  "1234 8183 0001 0000 0001 0000 |" Q
	  "| c010 0006 0001 0000003c 0018 c010 c010 00000001 00000e10 00000258 00015180 0000003c",
	  0, NULL, 0, .rcode = 3 },
	{ "question in other case", "1234 8180 0001 0000 0000 0000 | 03575757 0454455354 00 0001 0001",
	  0, NULL, 0 },
	{ "trailing bytes ignored", "1234 8180 0001 0001 0000 0000 |" Q "|" A1 "| deadbeef", 0,
	  NULL, 1 },
	{ "chain of pointers back",
	  "1234 8180 0001 0002 0000 0000 |" Q "|" A1 "| 036e7331 c01a 0001 0001 0000003c 0004 c0000202",
	  0, NULL, 2 },
	{ "TC: nothing after the question read", "1234 8380 0001 0005 0000 0000 |" Q "| ffff", 0,
	  NULL, 0, .tc = true },
	{ "REFUSED without a question", "1234 8105 0000 0000 0000 0000", 0, NULL, 0, .rcode = 5 },
	{ "shorter than a header", "1234 8180 0001 0000 0000", -EBADMSG, "shorter than a header" },
	{ "another id", "1235 8180 0001 0000 0000 0000 |" Q, -ESRCH, "another id" },
	{ "a query, not a response", "1234 0100 0001 0000 0000 0000 |" Q, -EBADMSG,
	  "not a response" },
	{ "opcode STATUS", "1234 9180 0001 0000 0000 0000 |" Q, -EBADMSG, "not a QUERY response" },
	{ "two questions", "1234 8180 0002 0000 0000 0000 |" Q Q, -EBADMSG,
	  "more than one question" },
	{ "NOERROR without a question", "1234 8180 0000 0000 0000 0000", -EBADMSG, "no question" },
	{ "another name", "1234 8180 0001 0000 0000 0000 | 03777777 0474657375 00 0001 0001",
	  -EPROTO, "another question" },
	{ "another type", "1234 8180 0001 0000 0000 0000 | 03777777 0474657374 00 001c 0001",
	  -EPROTO, "another question" },
	{ "another class", "1234 8180 0001 0000 0000 0000 | 03777777 0474657374 00 0001 0003",
	  -EPROTO, "another question" },
	{ "question cut in the name", "1234 8180 0001 0000 0000 0000 | 03777777 0474", -EBADMSG,
	  "name runs past the end" },
	{ "question cut in the type", "1234 8180 0001 0000 0000 0000 | 03777777 0474657374 00 00",
	  -EBADMSG, "question runs past the end" },
	{ "question name pointing into the header",
	  "1234 8180 0001 0000 0000 0000 | c002 0001 0001", -EBADMSG, "unknown label type" },
	{ "label type 01", "1234 8180 0001 0001 0000 0000 |" Q "| 41 00 0001 0001 0000003c 0000",
	  -EBADMSG, "answer section cut short" },
	{ "pointer forward", "1234 8180 0001 0001 0000 0000 |" Q "| c030 0001 0001 0000003c 0000",
	  -EBADMSG, "answer section cut short" },
	{ "pointer to itself", "1234 8180 0001 0001 0000 0000 |" Q "| c01a 0001 0001 0000003c 0000",
	  -EBADMSG, "answer section cut short" },
	{ "pointer into its own labels",
	  "1234 8180 0001 0001 0000 0000 |" Q "| 0161 c01a 0001 0001 0000003c 0000", -EBADMSG,
	  "answer section cut short" },
	{ "pointer cut", "1234 8180 0001 0001 0000 0000 |" Q "| c0", -EBADMSG,
	  "answer section cut short" },
	{ "record header cut", "1234 8180 0001 0001 0000 0000 |" Q "| c00c 0001 0001 0000", -EBADMSG,
	  "answer section cut short" },
	{ "record data past the end",
	  "1234 8180 0001 0001 0000 0000 |" Q "| c00c 0001 0001 0000003c 0005 c0000201", -EBADMSG,
	  "answer section cut short" },
	{ "ANCOUNT 2, one record", "1234 8180 0001 0002 0000 0000 |" Q "|" A1, -EBADMSG,
	  "answer section cut short" },
	{ "ANCOUNT 65535", "1234 8180 0001 ffff 0000 0000 |" Q "|" A1, -EBADMSG,
	  "answer section cut short" },
	{ "authority cut", "1234 8180 0001 0001 0001 0000 |" Q "|" A1 "| c00c 0002", -EBADMSG,
	  "record runs past the end" },
	{ "additional past the end", "1234 8180 0001 0000 0000 0001 |" Q "| 05616263", -EBADMSG,
	  "name runs past the end" },
};

void test_health_dns_msg_responses(void)
{
	uint8_t q[HC_DNS_QUERY_MAX], r[600];
	struct hc_dns_resp res;
	const char *why;
	int qlen, err;
	long n;

	qlen = hc_dns_query_build(q, sizeof(q), 0x1234, "www.test", 1);
	if (!ASSERT_EQ(qlen, 26, "query"))
		return;
	for (size_t i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++) {
		test_ctx("%s", resp_cases[i].name);
		n = hex(resp_cases[i].resp, r, sizeof(r));
		if (!ASSERT_GE(n, 0, "vector"))
			continue;
		why = NULL;
		err = hc_dns_resp_parse(r, n, q, qlen, &res, &why);
		ASSERT_EQ(err, resp_cases[i].want, "result");
		if (err) {
			ASSERT_TRUE(why != NULL, "why set");
			if (why && resp_cases[i].why)
				ASSERT_STREQ(why, resp_cases[i].why, "why");
			continue;
		}
		ASSERT_EQ(res.answers, resp_cases[i].answers, "answers");
		ASSERT_EQ(res.tc, resp_cases[i].tc, "tc");
		ASSERT_EQ(res.rcode, resp_cases[i].rcode, "rcode");
	}
	test_ctx(NULL);
}

/* One record with a chain of `links` names in its data, each label "a"
 * and a pointer to the one before; a second record named by the last. */
static size_t chain_msg(uint8_t *r, const uint8_t *q, int qlen, int links)
{
	size_t n = qlen, rdata, last = 0;

	memcpy(r, q, qlen);
	r[2] = 0x81;
	r[3] = 0x80;
	r[7] = 2;		/* ANCOUNT */
	/* record 1: root name, TXT, data = the chain */
	r[n++] = 0;
	memcpy(r + n, "\x00\x10\x00\x01\x00\x00\x00\x3c", 8);
	n += 8;
	rdata = n;
	n += 2;
	r[n] = 0;		/* link 0: the root */
	last = n++;
	for (int i = 1; i <= links; i++) {
		size_t at = n;

		r[n++] = 1;
		r[n++] = 'a';
		r[n++] = 0xc0 | last >> 8;
		r[n++] = last & 0xff;
		last = at;
	}
	r[rdata] = (n - rdata - 2) >> 8;
	r[rdata + 1] = (n - rdata - 2) & 0xff;
	/* record 2: named by the last link */
	r[n++] = 0xc0 | last >> 8;
	r[n++] = last & 0xff;
	memcpy(r + n, "\x00\x01\x00\x01\x00\x00\x00\x3c\x00\x00", 10);
	return n + 10;
}

/* Names past 255 bytes are refused: 5 labels of 63 bytes, and a chain of
 * pointers that only go back but make a name too long. */
void test_health_dns_msg_long_names(void)
{
	uint8_t q[HC_DNS_QUERY_MAX], r[4096];
	struct hc_dns_resp res;
	const char *why = NULL;
	size_t n;
	int qlen;

	qlen = hc_dns_query_build(q, sizeof(q), 0x1234, "www.test", 1);
	memcpy(r, q, qlen);
	r[2] = 0x81;
	r[3] = 0x80;
	r[7] = 1;		/* ANCOUNT */
	n = qlen;
	for (int l = 0; l < 5; l++) {
		r[n++] = 63;
		memset(r + n, 'a', 63);
		n += 63;
	}
	r[n++] = 0;
	memset(r + n, 0, 10);
	n += 10;
	ASSERT_EQ(hc_dns_resp_parse(r, n, q, qlen, &res, &why), -EBADMSG, "320-byte name");

	/* 60 links: 121 bytes, and 60 pointers (under the hop limit) */
	n = chain_msg(r, q, qlen, 60);
	ASSERT_EQ(hc_dns_resp_parse(r, n, q, qlen, &res, &why), 0, "60 links");
	ASSERT_EQ(res.answers, 2, "both records");
	/* 100 links: 201 bytes but more pointers than followed */
	n = chain_msg(r, q, qlen, 100);
	ASSERT_EQ(hc_dns_resp_parse(r, n, q, qlen, &res, &why), -EBADMSG, "100 links");
	/* 200 links: 401 bytes */
	n = chain_msg(r, q, qlen, 200);
	ASSERT_EQ(hc_dns_resp_parse(r, n, q, qlen, &res, &why), -EBADMSG, "200 links");
}

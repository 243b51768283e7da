// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the dns checker's response reader and name encoder
 * (agent/health/dns_msg.c). The first byte selects:
 *   0-127   the rest is a response to a query for www.example.org A (or,
 *           for odd selectors, the root NS), whose id is the response's
 *           own first two bytes, so the reader gets past the id check;
 *   128-255 the rest is a name in text form: encoded, it must fit 255
 *           bytes; built into a query and sent back as its own answer
 *           (QR set), the reader must take it: same id, same question,
 *           NOERROR, no answer.
 * Every result must be one the contract allows, with `why` set on an
 * error and counts that add up on success; a violation aborts (libFuzzer
 * keeps the input), as do the sanitizers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health/dns_msg.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void fuzz_response(const uint8_t *msg, size_t len, bool root)
{
	uint8_t q[HC_DNS_QUERY_MAX];
	struct hc_dns_resp r;
	const char *why = NULL;
	uint16_t id = len >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0;
	int qlen, err;

	qlen = hc_dns_query_build(q, sizeof(q), id, root ? "." : "www.example.org",
				  root ? 2 : 1);
	CHECK(qlen > 0);
	err = hc_dns_resp_parse(msg, len, q, qlen, &r, &why);
	if (err) {
		CHECK(err == -EBADMSG || err == -EPROTO || err == -ESRCH);
		CHECK(why != NULL && why[0]);
		CHECK(err != -ESRCH || len < 2 || id != r.id);
		return;
	}
	CHECK(len >= HC_DNS_HDR_LEN);
	CHECK(r.id == id);
	CHECK(r.flags & HC_DNS_F_QR);
	CHECK(r.rcode == (r.flags & HC_DNS_F_RCODE));
	CHECK(r.qdcount == 1 || (r.qdcount == 0 && r.rcode));
	CHECK(r.answers <= r.ancount);
	CHECK(r.tc ? r.answers == 0 : r.answers == r.ancount);
}

static void fuzz_name(const uint8_t *data, size_t len)
{
	uint8_t wire[HC_DNS_NAME_MAX + 64], q[HC_DNS_QUERY_MAX], resp[HC_DNS_QUERY_MAX];
	char name[600];
	struct hc_dns_resp r;
	const char *why = NULL;
	int n, qlen, err;

	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, data, len);
	name[len] = '\0';
	n = hc_dns_name_encode(name, wire, sizeof(wire));
	if (n < 0) {
		CHECK(n == -EINVAL);
		return;
	}
	CHECK(n >= 1 && n <= HC_DNS_NAME_MAX && wire[n - 1] == 0);
	qlen = hc_dns_query_build(q, sizeof(q), 0xbeef, name, 1);
	CHECK(qlen == HC_DNS_HDR_LEN + n + 4);
	memcpy(resp, q, qlen);
	resp[2] |= 0x80;	/* QR */
	err = hc_dns_resp_parse(resp, qlen, q, qlen, &r, &why);
	if (err)
		fprintf(stderr, "own query refused: %s\n", why);
	CHECK(err == 0);
	CHECK(r.id == 0xbeef && r.rcode == 0 && r.answers == 0 && !r.tc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] < 128)
		fuzz_response(data + 1, size - 1, data[0] & 1);
	else
		fuzz_name(data + 1, size - 1);
	return 0;
}

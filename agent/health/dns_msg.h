/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The DNS messages of the dns checker (RFC 1035 section 4): the query it
 * sends, and a bounded reader for the response that trusts no count and
 * no length in it. Used by dns.c; fuzzed by selftests/fuzz/fuzz_dns_resp.c.
 */
#ifndef XLB_HEALTH_DNS_MSG_H
#define XLB_HEALTH_DNS_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HC_DNS_HDR_LEN		12
#define HC_DNS_NAME_MAX		255	/* RFC 1035 2.3.4: a name in wire form */
#define HC_DNS_QUERY_MAX	(HC_DNS_HDR_LEN + HC_DNS_NAME_MAX + 4)
#define HC_DNS_CLASS_IN		1

/* Header flags (RFC 1035 4.1.1) */
#define HC_DNS_F_QR		0x8000
#define HC_DNS_F_OPCODE		0x7800
#define HC_DNS_F_AA		0x0400
#define HC_DNS_F_TC		0x0200
#define HC_DNS_F_RD		0x0100
#define HC_DNS_F_RA		0x0080
#define HC_DNS_F_RCODE		0x000f

/* Text form ("example.org", "example.org." or "." for the root) to wire
 * form. Returns the length written, or -EINVAL for an empty label, a
 * label over 63 bytes or a name over 255, -ENOBUFS when cap is short. */
int hc_dns_name_encode(const char *name, uint8_t *out, size_t cap);

/* A standard query (opcode QUERY, RD set, one question of class IN, no
 * other section). Returns its length or the error of hc_dns_name_encode. */
int hc_dns_query_build(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t qtype);

struct hc_dns_resp {
	uint16_t id;
	uint16_t flags;		/* the header's second word */
	uint8_t rcode;		/* header RCODE (no EDNS: the query has no OPT) */
	bool tc;		/* truncated: the sections after the question were not read */
	uint16_t qdcount, ancount, nscount, arcount;
	uint16_t answers;	/* answer records read whole (= ancount unless tc) */
};

/*
 * Read msg[0..len) as the response to `query` (as hc_dns_query_build made
 * it: its id and question are taken from it). Returns
 *	0		a response to this query; r filled in;
 *	-ESRCH		another id: not an answer to this query;
 *	-EBADMSG	not a well-formed response (why says what is wrong);
 *	-EPROTO		a response with this id but another question.
 * Checks, in order: a whole header; the id; QR set and opcode QUERY; the
 * question (exactly one, equal to ours ignoring case; a response without
 * one is taken only with a nonzero RCODE, as some servers send errors);
 * unless TC is set, every record of the answer, authority and additional
 * sections whole (names with pointers that only go back, at most 255
 * bytes). Bytes after the last record are ignored. why is a static
 * string, set on every error.
 */
int hc_dns_resp_parse(const uint8_t *msg, size_t len, const uint8_t *query, size_t qlen,
		      struct hc_dns_resp *r, const char **why);

#endif

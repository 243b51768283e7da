// SPDX-License-Identifier: GPL-2.0
/*
 * DNS query encoder and response reader for the dns checker (RFC 1035
 * sections 3.1, 4.1; see dns_msg.h for the contract).
 *
 * The reader is a cursor over the received bytes that fails rather than
 * read past the end: every count in the header is a promise the rest of
 * the message must keep, every length is checked against what is left,
 * and a compression pointer (RFC 1035 4.1.4) must point before the labels
 * that contain it, so following pointers always goes back in the message
 * and ends; the 255-byte limit on a name bounds the work further. The
 * reader writes nothing but the result and copies nothing but the
 * question's name, into a buffer of HC_DNS_NAME_MAX bytes.
 */
#include <errno.h>
#include <string.h>

#include "health/dns_msg.h"

#define LABEL_MAX	63	/* RFC 1035 2.3.4 */
#define PTR_HOPS_MAX	64	/* far more than any real name uses */

static uint8_t lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int hc_dns_name_encode(const char *name, uint8_t *out, size_t cap)
{
	size_t n = strlen(name), pos = 0, i = 0;

	if (!n)
		return -EINVAL;
	if (name[n - 1] == '.')
		n--;		/* "example.org." and "." */
	while (i < n) {
		size_t start = i, l;

		while (i < n && name[i] != '.')
			i++;
		l = i - start;
		if (!l || l > LABEL_MAX)
			return -EINVAL;
		if (pos + 1 + l + 1 > HC_DNS_NAME_MAX)
			return -EINVAL;
		if (pos + 1 + l > cap)
			return -ENOBUFS;
		out[pos++] = l;
		memcpy(out + pos, name + start, l);
		pos += l;
		if (i < n)
			i++;	/* the dot */
		if (i == n && name[i - 1] == '.')
			return -EINVAL;	/* "a..": an empty last label */
	}
	if (pos + 1 > cap)
		return -ENOBUFS;
	out[pos++] = 0;
	return pos;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int hc_dns_query_build(uint8_t *out, size_t cap, uint16_t id, const char *name, uint16_t qtype)
{
	int n;

	if (cap < HC_DNS_HDR_LEN + 1 + 4)
		return -ENOBUFS;
	memset(out, 0, HC_DNS_HDR_LEN);
	put16(out, id);
	put16(out + 2, HC_DNS_F_RD);
	put16(out + 4, 1);	/* QDCOUNT */
	n = hc_dns_name_encode(name, out + HC_DNS_HDR_LEN, cap - HC_DNS_HDR_LEN - 4);
	if (n < 0)
		return n;
	put16(out + HC_DNS_HDR_LEN + n, qtype);
	put16(out + HC_DNS_HDR_LEN + n + 2, HC_DNS_CLASS_IN);
	return HC_DNS_HDR_LEN + n + 4;
}

struct rd {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/*
 * A name at the cursor; the cursor moves past it (past its first pointer,
 * when it has one). out, when not NULL, gets the name uncompressed and in
 * lower case (HC_DNS_NAME_MAX bytes of room) and *out_len its length.
 */
static int name_read(struct rd *r, uint8_t *out, size_t *out_len, const char **why)
{
	size_t pos = r->off, run = r->off, total = 0;
	unsigned int hops = 0;
	bool jumped = false;

	for (;;) {
		uint8_t c;

		if (pos >= r->len) {
			*why = "name runs past the end";
			return -EBADMSG;
		}
		c = r->p[pos];
		if ((c & 0xc0) == 0xc0) {
			size_t ptr;

			if (pos + 1 >= r->len) {
				*why = "name runs past the end";
				return -EBADMSG;
			}
			ptr = (size_t)(c & 0x3f) << 8 | r->p[pos + 1];
			/* before the labels read since the last jump: the
			 * target was written earlier, and no loop is possible */
			if (ptr >= run || ++hops > PTR_HOPS_MAX) {
				*why = "compression pointer does not point back";
				return -EBADMSG;
			}
			if (!jumped)
				r->off = pos + 2;
			jumped = true;
			pos = run = ptr;
			continue;
		}
		if (c & 0xc0) {
			/* 01 and 10: extended label types (RFC 6891 9), unused */
			*why = "unknown label type";
			return -EBADMSG;
		}
		if (total + 1 + c > HC_DNS_NAME_MAX) {
			*why = "name longer than 255 bytes";
			return -EBADMSG;
		}
		if (pos + 1 + c > r->len) {
			*why = "name runs past the end";
			return -EBADMSG;
		}
		if (out) {
			size_t i;

			out[total] = c;
			for (i = 1; i <= c; i++)
				out[total + i] = lower(r->p[pos + i]);
		}
		total += 1 + c;
		pos += 1 + c;
		if (!c)
			break;
	}
	if (!jumped)
		r->off = pos;
	if (out_len)
		*out_len = total;
	return 0;
}

static int u16_read(struct rd *r, uint16_t *v)
{
	if (r->len - r->off < 2)
		return -EBADMSG;
	*v = get16(r->p + r->off);
	r->off += 2;
	return 0;
}

/* One resource record (RFC 1035 4.1.3), skipped whole. */
static int rr_skip(struct rd *r, const char **why)
{
	uint16_t rdlen;
	int err;

	err = name_read(r, NULL, NULL, why);
	if (err)
		return err;
	/* TYPE, CLASS, TTL (4), RDLENGTH */
	if (r->len - r->off < 10) {
		*why = "record runs past the end";
		return -EBADMSG;
	}
	rdlen = get16(r->p + r->off + 8);
	r->off += 10;
	if (r->len - r->off < rdlen) {
		*why = "record data runs past the end";
		return -EBADMSG;
	}
	r->off += rdlen;
	return 0;
}

/* The question of our own query: its name (lower case), type and class. */
static int query_question(const uint8_t *query, size_t qlen, uint8_t *name, size_t *nlen,
			  uint16_t *qtype, uint16_t *qclass)
{
	struct rd r = { .p = query, .len = qlen, .off = HC_DNS_HDR_LEN };
	const char *why;

	if (qlen < HC_DNS_HDR_LEN || name_read(&r, name, nlen, &why) || u16_read(&r, qtype) ||
	    u16_read(&r, qclass))
		return -EINVAL;
	return 0;
}

int hc_dns_resp_parse(const uint8_t *msg, size_t len, const uint8_t *query, size_t qlen,
		      struct hc_dns_resp *res, const char **why)
{
	uint8_t want[HC_DNS_NAME_MAX], got[HC_DNS_NAME_MAX];
	size_t want_len, got_len;
	uint16_t want_type, want_class, type, klass;
	struct rd r = { .p = msg, .len = len, .off = HC_DNS_HDR_LEN };
	unsigned int i, n;
	int err;

	memset(res, 0, sizeof(*res));
	if (query_question(query, qlen, want, &want_len, &want_type, &want_class)) {
		*why = "bad query";
		return -EINVAL;
	}
	if (len < HC_DNS_HDR_LEN) {
		*why = "shorter than a header";
		return -EBADMSG;
	}
	res->id = get16(msg);
	res->flags = get16(msg + 2);
	res->rcode = res->flags & HC_DNS_F_RCODE;
	res->tc = res->flags & HC_DNS_F_TC;
	res->qdcount = get16(msg + 4);
	res->ancount = get16(msg + 6);
	res->nscount = get16(msg + 8);
	res->arcount = get16(msg + 10);
	if (res->id != get16(query)) {
		*why = "another id";
		return -ESRCH;
	}
	if (!(res->flags & HC_DNS_F_QR)) {
		*why = "not a response";
		return -EBADMSG;
	}
	if (res->flags & HC_DNS_F_OPCODE) {
		*why = "not a QUERY response";
		return -EBADMSG;
	}

	/* RFC 1035 4.1.2 */
	if (res->qdcount > 1) {
		*why = "more than one question";
		return -EBADMSG;
	}
	if (!res->qdcount && !res->rcode) {
		*why = "no question";
		return -EBADMSG;
	}
	if (res->qdcount) {
		err = name_read(&r, got, &got_len, why);
		if (err)
			return err;
		if (u16_read(&r, &type) || u16_read(&r, &klass)) {
			*why = "question runs past the end";
			return -EBADMSG;
		}
		if (got_len != want_len || memcmp(got, want, got_len) || type != want_type ||
		    klass != want_class) {
			*why = "another question";
			return -EPROTO;
		}
	}
	/* RFC 2181 9: what follows in a truncated message is not to be used */
	if (res->tc)
		return 0;

	n = (unsigned int)res->ancount + res->nscount + res->arcount;
	for (i = 0; i < n; i++) {
		err = rr_skip(&r, why);
		if (err) {
			if (i < res->ancount)
				*why = "answer section cut short";
			return err;
		}
		if (i < res->ancount)
			res->answers++;
	}
	return 0;
}

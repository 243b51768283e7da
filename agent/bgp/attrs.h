/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Path attributes (RFC 4271 sec 4.3 and 5, and the RFCs of each
 * attribute): one table row per attribute type with its code, name, the
 * flags it must carry, what a malformed one costs under RFC 7606, and its
 * encoder and decoder. msg_update.c walks the table; nothing else knows
 * an attribute's layout.
 */
#ifndef XLB_BGP_ATTRS_H
#define XLB_BGP_ATTRS_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "bgp/msg.h"
#include "bgp/reader.h"
#include "lib/buf.h"

/* Attribute flags (RFC 4271 sec 4.3) */
#define BGP_ATTR_F_OPTIONAL	0x80
#define BGP_ATTR_F_TRANSITIVE	0x40
#define BGP_ATTR_F_PARTIAL	0x20
#define BGP_ATTR_F_EXTLEN	0x10
#define BGP_ATTR_F_WELLKNOWN	BGP_ATTR_F_TRANSITIVE	/* well-known: not optional, transitive */

/* Attribute type codes (IANA BGP Path Attributes) */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,		/* RFC 4271 */
	BGP_ATTR_AS_PATH = 2,		/* RFC 4271 */
	BGP_ATTR_NEXT_HOP = 3,		/* RFC 4271 */
	BGP_ATTR_MED = 4,		/* RFC 4271 MULTI_EXIT_DISC */
	BGP_ATTR_LOCAL_PREF = 5,	/* RFC 4271 */
	BGP_ATTR_ATOMIC_AGGREGATE = 6,	/* RFC 4271 */
	BGP_ATTR_AGGREGATOR = 7,	/* RFC 4271 */
	BGP_ATTR_COMMUNITIES = 8,	/* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,	/* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,	/* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,	/* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,	/* RFC 4760 */
	BGP_ATTR_EXT_COMMUNITIES = 16,	/* RFC 4360 */
	BGP_ATTR_AS4_PATH = 17,		/* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,	/* RFC 6793 */
	BGP_ATTR_LARGE_COMMUNITIES = 32, /* RFC 8092 */
};

/* ORIGIN values (RFC 4271 sec 5.1.1) */
enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

/* AS_PATH segment types (RFC 4271 sec 4.3, RFC 5065) */
enum bgp_as_seg {
	BGP_AS_SET = 1,
	BGP_AS_SEQUENCE = 2,
	BGP_AS_CONFED_SEQUENCE = 3,
	BGP_AS_CONFED_SET = 4,
};

/* What a malformed attribute costs (RFC 7606 sec 2), least severe first:
 * the worst one found decides for the whole UPDATE. */
enum bgp_attr_verdict {
	BGP_ATTR_OK = 0,
	BGP_ATTR_DISCARD,		/* attribute-discard */
	BGP_ATTR_WITHDRAW,		/* treat-as-withdraw */
	BGP_ATTR_RESET,			/* session reset */
};

/* What an encoder works from. */
struct bgp_attr_enc {
	const struct bgp_attrs *a;	/* NULL for a withdrawal */
	bool as4;			/* 4-octet AS negotiated */
	__u8 family;			/* of the prefixes below */
	const struct bgp_prefix *nlri;	/* IPv6: what MP_REACH/MP_UNREACH carry */
	size_t n_nlri;
};

/* State of one UPDATE's decoding, shared by the attribute decoders. */
struct bgp_attr_dec {
	bool as4;
	struct bgp_update_info *info;
	struct bgp_update_rx *rx;	/* NULL: nothing but counts wanted */
	struct bgp_err *err;
	enum bgp_attr_verdict worst;	/* most severe problem so far */
	__u32 seen[8];			/* bitmap of attribute types met */
	size_t n_attrs;			/* attributes met (well framed) */
	bool mp_reach;			/* an MP_REACH_NLRI was decoded */
	bool mp_unreach;		/* an MP_UNREACH_NLRI was decoded: */
	__u16 mp_unreach_afi;		/*   its family */
	__u8 mp_unreach_safi;
	bool mp_unreach_empty;		/*   and it withdrew nothing */
	/* the attribute being decoded, whole (flags, type, length, value) */
	const __u8 *attr;
	size_t attr_len;
	const struct bgp_attr_def *def;
};

struct bgp_attr_def {
	__u8 code;			/* enum bgp_attr_type */
	const char *name;
	__u8 flags;			/* Optional and Transitive bits it must carry */
	enum bgp_attr_verdict malformed; /* cost of a malformed one (RFC 7606 sec 7) */
	/* Appends the attribute if it applies to e (else appends nothing). */
	int (*encode)(struct buf *out, const struct bgp_attr_enc *e);
	/* Checks the value (v: exactly the value bytes); returns the
	 * verdict, having recorded the problem with bgp_attr_problem(). */
	enum bgp_attr_verdict (*decode)(struct bgp_attr_dec *d, struct bgp_reader *v);
};

/* Count a prefix of the UPDATE (announced or withdrawn) in d->info and
 * keep it in d->rx if there is room. */
void bgp_attr_add_prefix(struct bgp_attr_dec *d, bool withdrawn, const struct bgp_prefix *p);

/* The row for a type code, or NULL for one we do not know. */
const struct bgp_attr_def *bgp_attr_lookup(__u8 code);

/* Every attribute that applies, in the order they go on the wire
 * (MP_REACH/MP_UNREACH first, RFC 7606 sec 5.1; the others by type code,
 * RFC 4271 sec 5). */
int bgp_attrs_encode(struct buf *out, const struct bgp_attr_enc *e);

/* Walk the path attributes of an UPDATE (r: exactly the attribute
 * field), applying RFC 4271 sec 6.3 as revised by RFC 7606. Problems are
 * recorded in d; returns d->worst. */
enum bgp_attr_verdict bgp_attrs_decode(struct bgp_attr_dec *d, struct bgp_reader *r);

/*
 * Note a problem: keeps the first of the most severe in d->err (code
 * UPDATE Message Error, subcode, data: the attribute itself when
 * with_attr) and returns verdict. Everything short of a session reset is
 * only for logs; the UPDATE still decodes.
 */
enum bgp_attr_verdict bgp_attr_problem(struct bgp_attr_dec *d, enum bgp_attr_verdict verdict,
				       __u8 subcode, bool with_attr, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

#endif

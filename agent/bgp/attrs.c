// SPDX-License-Identifier: GPL-2.0
/*
 * DOC: Path attributes
 *
 * One row per attribute type in attr_table[] below, in the style of
 * BIRD's bgp_attr_table: the type code, the name used in logs, the
 * Optional/Transitive flags the attribute must carry, what a malformed
 * one costs under RFC 7606, an encoder (for what xlbd sends) and a
 * decoder (for what it receives). The table is in wire order for
 * encoding: MP_REACH_NLRI/MP_UNREACH_NLRI first (RFC 7606 sec 5.1), then
 * ascending type codes (RFC 4271 sec 5).
 *
 * Decoding follows RFC 4271 sec 6.3 as revised by RFC 7606: a problem is
 * recorded with its cost (attribute-discard, treat-as-withdraw, session
 * reset); the UPDATE continues to be read after the lighter ones so a
 * worse problem later still resets the session, and the worst one decides.
 *
 * Attributes and RFCs: ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC,
 * LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR (RFC 4271 sec 5.1);
 * COMMUNITIES (RFC 1997); ORIGINATOR_ID, CLUSTER_LIST (RFC 4456);
 * MP_REACH_NLRI, MP_UNREACH_NLRI (RFC 4760, next hops of RFC 2545 and
 * RFC 8950); EXTENDED COMMUNITIES (RFC 4360); AS4_PATH, AS4_AGGREGATOR
 * (RFC 6793); LARGE_COMMUNITY (RFC 8092); AS 0 (RFC 7607). xlbd sends
 * ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES, MP_REACH_NLRI,
 * MP_UNREACH_NLRI, AS4_PATH and LARGE_COMMUNITY; the others are only
 * checked.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp/attrs.h"
#include "bgp/err.h"
#include "bgp/nlri.h"
#include "bgp/writer.h"

#define F_WK	BGP_ATTR_F_WELLKNOWN
#define F_OPT	BGP_ATTR_F_OPTIONAL
#define F_OPT_T	(BGP_ATTR_F_OPTIONAL | BGP_ATTR_F_TRANSITIVE)

static const char *const verdict_text[] = {
	[BGP_ATTR_OK] = "",
	[BGP_ATTR_DISCARD] = " (attribute discarded)",
	[BGP_ATTR_WITHDRAW] = " (treat-as-withdraw)",
	[BGP_ATTR_RESET] = "",
};

enum bgp_attr_verdict bgp_attr_problem(struct bgp_attr_dec *d, enum bgp_attr_verdict verdict,
				       __u8 subcode, bool with_attr, const char *fmt, ...)
{
	char text[sizeof(d->err->text)];
	va_list ap;

	if (verdict == BGP_ATTR_DISCARD)
		d->info->attrs_discarded++;
	if (verdict <= d->worst)
		return verdict;
	d->worst = verdict;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	bgp_err_set(d->err, BGP_ERR_UPDATE, subcode, with_attr ? d->attr : NULL,
		    with_attr ? d->attr_len : 0, "%s%s", text, verdict_text[verdict]);
	return verdict;
}

void bgp_attr_add_prefix(struct bgp_attr_dec *d, bool withdrawn, const struct bgp_prefix *p)
{
	struct bgp_update_rx *rx = d->rx;

	if (withdrawn) {
		d->info->withdrawn++;
		if (rx && rx->withdrawn && rx->n_withdrawn < rx->withdrawn_max)
			rx->withdrawn[rx->n_withdrawn++] = *p;
	} else {
		d->info->announced++;
		if (rx && rx->nlri && rx->n_nlri < rx->nlri_max)
			rx->nlri[rx->n_nlri++] = *p;
	}
}

/* The name of the attribute being decoded. */
static const char *cur_name(const struct bgp_attr_dec *d)
{
	return d->def ? d->def->name : "attribute";
}

/* A value of the wrong size: the row's cost, Attribute Length Error with
 * the attribute as data (RFC 4271 sec 6.3). */
static enum bgp_attr_verdict bad_length(struct bgp_attr_dec *d, size_t len, const char *want)
{
	return bgp_attr_problem(d, d->def->malformed, BGP_ERR_UPDATE_ATTR_LENGTH, true,
				"%s length %zu, %s", cur_name(d), len, want);
}

/* A length that must be n. */
static bool len_is(struct bgp_attr_dec *d, const struct bgp_reader *v, size_t n,
		   enum bgp_attr_verdict *verdict)
{
	char want[32];

	if (bgp_left(v) == n)
		return true;
	snprintf(want, sizeof(want), "not %zu", n);
	*verdict = bad_length(d, bgp_left(v), want);
	return false;
}

/* A length that must be a non-zero multiple of n (RFC 7606 sec 7.8,
 * 7.10, 7.14, RFC 8092 sec 6). */
static bool len_multiple(struct bgp_attr_dec *d, const struct bgp_reader *v, size_t n,
			 enum bgp_attr_verdict *verdict)
{
	char want[48];

	if (bgp_left(v) && bgp_left(v) % n == 0)
		return true;
	snprintf(want, sizeof(want), "not a non-zero multiple of %zu", n);
	*verdict = bad_length(d, bgp_left(v), want);
	return false;
}

/* ---- AS paths (RFC 4271 sec 4.3, RFC 6793, RFC 7606 sec 7.2) ---- */

/* Appends the AS_SEQUENCE of local_as, 1 + prepend times, in segments of
 * at most 255 ASNs; four: 4-octet ASNs, else 2-octet with AS_TRANS for
 * those that do not fit (RFC 6793 sec 4.2.2). */
static int put_path(struct buf *out, const struct bgp_attrs *a, bool four)
{
	size_t left, n;
	__u32 as = a->local_as;

	if (a->prepend >= BGP_MSG_MAX / 2)
		return -EMSGSIZE;
	if (!four && as > 0xffff)
		as = BGP_AS_TRANS;
	for (left = 1 + (size_t)a->prepend; left; left -= n) {
		n = left > 255 ? 255 : left;
		bgp_put_u8(out, BGP_AS_SEQUENCE);
		bgp_put_u8(out, n);
		for (size_t i = 0; i < n; i++)
			four ? bgp_put_u32(out, as) : bgp_put_u16(out, as);
	}
	return out->err;
}

/* Checks an AS path value (asn_size 2 or 4; as4_path: AS4_PATH, where
 * confederation segments are malformed, RFC 6793 sec 6) and keeps its
 * ASNs in path[max]. 0, or -1 with the reason in why. */
static int as_path_check(struct bgp_reader *v, size_t asn_size, bool as4_path, __u32 *path,
			 size_t max, size_t *n_path, size_t *n_segs, char *why, size_t why_len)
{
	*n_path = 0;
	*n_segs = 0;
	while (bgp_left(v)) {
		__u8 type, count;

		if (bgp_get_u8(v, &type) || bgp_get_u8(v, &count)) {
			snprintf(why, why_len, "a segment header is cut short");
			return -1;
		}
		if (type < BGP_AS_SET || type > BGP_AS_CONFED_SET ||
		    (as4_path && type > BGP_AS_SEQUENCE)) {
			snprintf(why, why_len, "segment type %u", type);
			return -1;
		}
		if (!count) {
			snprintf(why, why_len, "an empty segment");
			return -1;
		}
		if (bgp_left(v) < count * asn_size) {
			snprintf(why, why_len, "a segment of %u ASNs overruns the attribute",
				 count);
			return -1;
		}
		for (; count; count--) {
			__u32 as;
			__u16 as16;

			if (asn_size == 4)
				bgp_get_u32(v, &as);
			else
				as = bgp_get_u16(v, &as16) ? 0 : as16;
			if (!as) {
				snprintf(why, why_len, "AS 0 (RFC 7607)");
				return -1;
			}
			if (path && *n_path < max)
				path[(*n_path)++] = as;
		}
		(*n_segs)++;
	}
	return 0;
}

/* ---- encoders ---- */

/* RFC 4271 sec 5.1.1: ours are always IGP, we originate them. */
static int enc_origin(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;

	if (!e->a)
		return 0;
	bgp_attr_begin(out, F_WK, BGP_ATTR_ORIGIN, &at);
	bgp_put_u8(out, BGP_ORIGIN_IGP);
	return bgp_attr_end(out, at);
}

/* RFC 4271 sec 5.1.2: empty towards iBGP, our AS (prepended) towards eBGP. */
static int enc_as_path(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;
	int err;

	if (!e->a)
		return 0;
	bgp_attr_begin(out, F_WK, BGP_ATTR_AS_PATH, &at);
	if (!e->a->ibgp) {
		err = put_path(out, e->a, e->as4);
		if (err) {
			buf_truncate(out, at);
			return err;
		}
	}
	return bgp_attr_end(out, at);
}

/* RFC 4271 sec 5.1.3: IPv4 only; IPv6 has its next hop in MP_REACH_NLRI. */
static int enc_next_hop(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;

	if (!e->a || e->family != XLB_FAMILY_V4)
		return 0;
	bgp_attr_begin(out, F_WK, BGP_ATTR_NEXT_HOP, &at);
	bgp_put_bytes(out, &e->a->next_hop4.v4, 4);
	return bgp_attr_end(out, at);
}

/* RFC 4271 sec 5.1.4: optional non-transitive. */
static int enc_med(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;

	if (!e->a || !e->a->has_med)
		return 0;
	bgp_attr_begin(out, F_OPT, BGP_ATTR_MED, &at);
	bgp_put_u32(out, e->a->med);
	return bgp_attr_end(out, at);
}

/* RFC 4271 sec 5.1.5: in every UPDATE to an internal peer, never to an
 * external one. */
static int enc_local_pref(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;

	if (!e->a || !e->a->ibgp)
		return 0;
	bgp_attr_begin(out, F_WK, BGP_ATTR_LOCAL_PREF, &at);
	bgp_put_u32(out, e->a->local_pref);
	return bgp_attr_end(out, at);
}

/* RFC 1997: optional transitive, 4 bytes each, in the given order. */
static int enc_communities(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at, i;

	if (!e->a || !e->a->n_communities)
		return 0;
	bgp_attr_begin(out, F_OPT_T, BGP_ATTR_COMMUNITIES, &at);
	for (i = 0; i < e->a->n_communities; i++)
		bgp_put_u32(out, e->a->communities[i]);
	return bgp_attr_end(out, at);
}

/* RFC 4760 sec 3, RFC 2545 sec 3: AFI, SAFI, next hop (16 bytes global,
 * or 32 with the link-local after it), a reserved byte, then NLRI. */
static int enc_mp_reach(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at, i;
	int err;

	if (!e->a || e->family != XLB_FAMILY_V6)
		return 0;
	bgp_attr_begin(out, F_OPT, BGP_ATTR_MP_REACH_NLRI, &at);
	bgp_put_u16(out, BGP_AFI_IPV6);
	bgp_put_u8(out, BGP_SAFI_UNICAST);
	bgp_put_u8(out, e->a->has_next_hop6_ll ? 32 : 16);
	bgp_put_bytes(out, e->a->next_hop6.bytes, 16);
	if (e->a->has_next_hop6_ll)
		bgp_put_bytes(out, e->a->next_hop6_ll.bytes, 16);
	bgp_put_u8(out, 0);
	for (i = 0; i < e->n_nlri; i++) {
		err = bgp_nlri_put(out, &e->nlri[i]);
		if (err) {
			buf_truncate(out, at);
			return err;
		}
	}
	return bgp_attr_end(out, at);
}

/* RFC 4760 sec 4: AFI, SAFI, withdrawn routes. */
static int enc_mp_unreach(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at, i;
	int err;

	if (e->a || e->family != XLB_FAMILY_V6)
		return 0;
	bgp_attr_begin(out, F_OPT, BGP_ATTR_MP_UNREACH_NLRI, &at);
	bgp_put_u16(out, BGP_AFI_IPV6);
	bgp_put_u8(out, BGP_SAFI_UNICAST);
	for (i = 0; i < e->n_nlri; i++) {
		err = bgp_nlri_put(out, &e->nlri[i]);
		if (err) {
			buf_truncate(out, at);
			return err;
		}
	}
	return bgp_attr_end(out, at);
}

/* RFC 6793 sec 4.2.2: to a 2-octet peer, when our AS needed AS_TRANS in
 * AS_PATH, the real path goes in AS4_PATH (optional transitive). */
static int enc_as4_path(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at;
	int err;

	if (!e->a || e->as4 || e->a->ibgp || e->a->local_as <= 0xffff)
		return 0;
	bgp_attr_begin(out, F_OPT_T, BGP_ATTR_AS4_PATH, &at);
	err = put_path(out, e->a, true);
	if (err) {
		buf_truncate(out, at);
		return err;
	}
	return bgp_attr_end(out, at);
}

/* RFC 8092 sec 3: optional transitive, 12 bytes each (global
 * administrator, local data part 1, local data part 2). */
static int enc_large_communities(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t at, i, j;

	if (!e->a || !e->a->n_large_communities)
		return 0;
	bgp_attr_begin(out, F_OPT_T, BGP_ATTR_LARGE_COMMUNITIES, &at);
	for (i = 0; i < e->a->n_large_communities; i++)
		for (j = 0; j < 3; j++)
			bgp_put_u32(out, e->a->large_communities[i][j]);
	return bgp_attr_end(out, at);
}

/* ---- decoders ---- */

/* RFC 4271 sec 5.1.1, RFC 7606 sec 7.1: one byte, 0..2. */
static enum bgp_attr_verdict dec_origin(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;
	__u8 origin;

	if (!len_is(d, v, 1, &verdict))
		return verdict;
	bgp_get_u8(v, &origin);
	if (origin > BGP_ORIGIN_INCOMPLETE)
		return bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_INVALID_ORIGIN, true,
					"ORIGIN %u undefined", origin);
	if (d->rx) {
		d->rx->has_origin = true;
		d->rx->origin = origin;
	}
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 4.3 and 6.3, RFC 7606 sec 7.2, RFC 7607: ASNs of 2 or 4
 * octets as negotiated (RFC 6793 sec 3). */
static enum bgp_attr_verdict dec_as_path(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	struct bgp_update_rx *rx = d->rx;
	size_t n, segs;
	char why[64];

	if (as_path_check(v, d->as4 ? 4 : 2, false, rx ? rx->as_path : NULL, BGP_AS_PATH_MAX,
			  &n, &segs, why, sizeof(why)))
		return bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_MALFORMED_AS_PATH,
					false, "AS_PATH malformed: %s", why);
	if (rx) {
		rx->has_as_path = true;
		rx->as_path_len = n;
		rx->as_path_segs = segs;
	}
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 5.1.3 and 6.3, RFC 7606 sec 7.3: 4 bytes, and a unicast
 * host address (not 0/8, loopback, multicast or reserved). */
static enum bgp_attr_verdict dec_next_hop(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;
	union xlb_addr nh = {};

	if (!len_is(d, v, 4, &verdict))
		return verdict;
	bgp_get_bytes(v, &nh.v4, 4);
	if (nh.bytes[0] == 0 || nh.bytes[0] == 127 || nh.bytes[0] >= 224)
		return bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_INVALID_NEXT_HOP,
					true, "NEXT_HOP %u.%u.%u.%u is not a unicast address",
					nh.bytes[0], nh.bytes[1], nh.bytes[2], nh.bytes[3]);
	if (d->rx) {
		d->rx->has_next_hop4 = true;
		d->rx->next_hop4 = nh;
	}
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 5.1.4, RFC 7606 sec 7.4. */
static enum bgp_attr_verdict dec_med(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;
	__u32 med;

	if (!len_is(d, v, 4, &verdict))
		return verdict;
	bgp_get_u32(v, &med);
	if (d->rx) {
		d->rx->has_med = true;
		d->rx->med = med;
	}
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 5.1.5, RFC 7606 sec 7.5. (The attribute-discard of a
 * LOCAL_PREF from an external peer needs the session, which the caller
 * has: xlbd ignores what it receives either way.) */
static enum bgp_attr_verdict dec_local_pref(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;
	__u32 pref;

	if (!len_is(d, v, 4, &verdict))
		return verdict;
	bgp_get_u32(v, &pref);
	if (d->rx) {
		d->rx->has_local_pref = true;
		d->rx->local_pref = pref;
	}
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 5.1.6, RFC 7606 sec 7.6: no value. */
static enum bgp_attr_verdict dec_atomic_aggregate(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;

	if (!len_is(d, v, 0, &verdict))
		return verdict;
	return BGP_ATTR_OK;
}

/* AGGREGATOR and AS4_AGGREGATOR: an ASN and an IPv4 address. */
static enum bgp_attr_verdict check_aggregator(struct bgp_attr_dec *d, struct bgp_reader *v,
					      size_t asn_size)
{
	enum bgp_attr_verdict verdict;
	__u32 as = 0;
	__u16 as16;

	if (!len_is(d, v, asn_size + 4, &verdict))
		return verdict;
	if (asn_size == 4)
		bgp_get_u32(v, &as);
	else if (!bgp_get_u16(v, &as16))
		as = as16;
	if (!as)
		return bgp_attr_problem(d, BGP_ATTR_DISCARD, BGP_ERR_UPDATE_OPTIONAL_ATTR, true,
					"%s with AS 0 (RFC 7607)", cur_name(d));
	return BGP_ATTR_OK;
}

/* RFC 4271 sec 5.1.7, RFC 6793 sec 3, RFC 7606 sec 7.7: 6 or 8 bytes. */
static enum bgp_attr_verdict dec_aggregator(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	return check_aggregator(d, v, d->as4 ? 4 : 2);
}

/* RFC 1997, RFC 7606 sec 7.8. */
static enum bgp_attr_verdict dec_communities(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;
	__u32 c;

	if (!len_multiple(d, v, 4, &verdict))
		return verdict;
	if (d->rx)
		d->rx->n_communities = 0;
	while (!bgp_get_u32(v, &c))
		if (d->rx && d->rx->n_communities < BGP_COMMUNITIES_MAX)
			d->rx->communities[d->rx->n_communities++] = c;
	return BGP_ATTR_OK;
}

/* RFC 4456 sec 8, RFC 7606 sec 7.9. */
static enum bgp_attr_verdict dec_originator_id(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;

	if (!len_is(d, v, 4, &verdict))
		return verdict;
	return BGP_ATTR_OK;
}

/* RFC 4456 sec 8, RFC 7606 sec 7.10. */
static enum bgp_attr_verdict dec_cluster_list(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;

	if (!len_multiple(d, v, 4, &verdict))
		return verdict;
	return BGP_ATTR_OK;
}

/* A problem in MP_REACH_NLRI or MP_UNREACH_NLRI: the NLRI cannot be
 * trusted, so the session is reset (RFC 7606 sec 7.11, with the
 * subcode of RFC 4760 sec 7). */
static enum bgp_attr_verdict mp_malformed(struct bgp_attr_dec *d, const char *why)
{
	return bgp_attr_problem(d, BGP_ATTR_RESET, BGP_ERR_UPDATE_OPTIONAL_ATTR, true, "%s %s",
				cur_name(d), why);
}

/* The NLRI of MP_REACH/MP_UNREACH (RFC 4760 sec 5). */
static enum bgp_attr_verdict mp_nlri(struct bgp_attr_dec *d, struct bgp_reader *v, __u8 family,
				     bool withdrawn)
{
	struct bgp_prefix p;

	while (bgp_left(v)) {
		if (bgp_nlri_get(v, family, &p))
			return mp_malformed(d, "has a malformed prefix");
		bgp_attr_add_prefix(d, withdrawn, &p);
	}
	return BGP_ATTR_OK;
}

/* RFC 4760 sec 3: AFI, SAFI, next hop length and next hop, a reserved
 * byte (once the SNPA count, ignored), NLRI. Next hops: 4 bytes for IPv4,
 * or 16/32 (RFC 8950); 16 or 32 for IPv6 (RFC 2545 sec 3). Other
 * families are not ours to check: skipped. */
static enum bgp_attr_verdict dec_mp_reach(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	struct bgp_update_rx *rx = d->rx;
	struct bgp_reader nh;
	__u8 safi, nh_len, reserved, family;
	__u16 afi;

	if (bgp_get_u16(v, &afi) || bgp_get_u8(v, &safi) || bgp_get_u8(v, &nh_len) ||
	    bgp_get_sub(v, nh_len, &nh) || bgp_get_u8(v, &reserved))
		return mp_malformed(d, "is cut short");
	d->mp_reach = true;
	family = bgp_afi_family(afi, safi);
	if (!family)
		return BGP_ATTR_OK;
	if (nh_len != 16 && nh_len != 32 && (family != XLB_FAMILY_V4 || nh_len != 4))
		return mp_malformed(d, "next hop length is wrong for the family");
	if (rx && nh_len == 4) {
		rx->has_next_hop4 = true;
		bgp_get_bytes(&nh, rx->next_hop4.bytes, 4);
	} else if (rx) {
		rx->has_next_hop6 = true;
		bgp_get_bytes(&nh, rx->next_hop6.bytes, 16);
		rx->has_next_hop6_ll = nh_len == 32;
		if (nh_len == 32)
			bgp_get_bytes(&nh, rx->next_hop6_ll.bytes, 16);
	}
	return mp_nlri(d, v, family, false);
}

/* RFC 4760 sec 4: AFI, SAFI, withdrawn routes. */
static enum bgp_attr_verdict dec_mp_unreach(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	__u16 afi;
	__u8 safi, family;

	if (bgp_get_u16(v, &afi) || bgp_get_u8(v, &safi))
		return mp_malformed(d, "is cut short");
	d->mp_unreach = true;
	d->mp_unreach_afi = afi;
	d->mp_unreach_safi = safi;
	d->mp_unreach_empty = !bgp_left(v);
	family = bgp_afi_family(afi, safi);
	if (!family)
		return BGP_ATTR_OK;
	return mp_nlri(d, v, family, true);
}

/* RFC 4360 sec 2, RFC 7606 sec 7.14: 8 bytes each. */
static enum bgp_attr_verdict dec_ext_communities(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	enum bgp_attr_verdict verdict;

	if (!len_multiple(d, v, 8, &verdict))
		return verdict;
	return BGP_ATTR_OK;
}

/* RFC 6793 sec 4.1: a 4-octet speaker sends no AS4_* attributes to
 * another one; if it does they are discarded. */
static bool as4_from_new_speaker(struct bgp_attr_dec *d)
{
	if (!d->as4)
		return false;
	bgp_attr_problem(d, BGP_ATTR_DISCARD, BGP_ERR_UPDATE_OPTIONAL_ATTR, true,
			 "%s from a 4-octet AS speaker", cur_name(d));
	return true;
}

/* RFC 6793 sec 6, RFC 7607: malformed AS4_PATH is discarded. */
static enum bgp_attr_verdict dec_as4_path(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	struct bgp_update_rx *rx = d->rx;
	size_t n, segs;
	char why[64];

	if (as4_from_new_speaker(d))
		return BGP_ATTR_DISCARD;
	if (as_path_check(v, 4, true, rx ? rx->as4_path : NULL, BGP_AS_PATH_MAX, &n, &segs, why,
			  sizeof(why)))
		return bgp_attr_problem(d, BGP_ATTR_DISCARD, BGP_ERR_UPDATE_OPTIONAL_ATTR, true,
					"AS4_PATH malformed: %s", why);
	if (rx) {
		rx->has_as4_path = true;
		rx->as4_path_len = n;
	}
	return BGP_ATTR_OK;
}

/* RFC 6793 sec 6: 8 bytes, else discarded. */
static enum bgp_attr_verdict dec_as4_aggregator(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	if (as4_from_new_speaker(d))
		return BGP_ATTR_DISCARD;
	return check_aggregator(d, v, 4);
}

/* RFC 8092 sec 6: 12 bytes each. */
static enum bgp_attr_verdict dec_large_communities(struct bgp_attr_dec *d, struct bgp_reader *v)
{
	struct bgp_update_rx *rx = d->rx;
	enum bgp_attr_verdict verdict;
	__u32 c[3];

	if (!len_multiple(d, v, 12, &verdict))
		return verdict;
	if (rx)
		rx->n_large_communities = 0;
	while (!bgp_get_u32(v, &c[0]) && !bgp_get_u32(v, &c[1]) && !bgp_get_u32(v, &c[2]))
		if (rx && rx->n_large_communities < BGP_COMMUNITIES_MAX)
			memcpy(rx->large_communities[rx->n_large_communities++], c, sizeof(c));
	return BGP_ATTR_OK;
}

/* Wire order for encoding: see the DOC comment. */
static const struct bgp_attr_def attr_table[] = {
	{ BGP_ATTR_MP_REACH_NLRI, "MP_REACH_NLRI", F_OPT, BGP_ATTR_RESET,
	  enc_mp_reach, dec_mp_reach },
	{ BGP_ATTR_MP_UNREACH_NLRI, "MP_UNREACH_NLRI", F_OPT, BGP_ATTR_RESET,
	  enc_mp_unreach, dec_mp_unreach },
	{ BGP_ATTR_ORIGIN, "ORIGIN", F_WK, BGP_ATTR_WITHDRAW, enc_origin, dec_origin },
	{ BGP_ATTR_AS_PATH, "AS_PATH", F_WK, BGP_ATTR_WITHDRAW, enc_as_path, dec_as_path },
	{ BGP_ATTR_NEXT_HOP, "NEXT_HOP", F_WK, BGP_ATTR_WITHDRAW, enc_next_hop, dec_next_hop },
	{ BGP_ATTR_MED, "MULTI_EXIT_DISC", F_OPT, BGP_ATTR_WITHDRAW, enc_med, dec_med },
	{ BGP_ATTR_LOCAL_PREF, "LOCAL_PREF", F_WK, BGP_ATTR_WITHDRAW, enc_local_pref,
	  dec_local_pref },
	{ BGP_ATTR_ATOMIC_AGGREGATE, "ATOMIC_AGGREGATE", F_WK, BGP_ATTR_DISCARD, NULL,
	  dec_atomic_aggregate },
	{ BGP_ATTR_AGGREGATOR, "AGGREGATOR", F_OPT_T, BGP_ATTR_DISCARD, NULL, dec_aggregator },
	{ BGP_ATTR_COMMUNITIES, "COMMUNITIES", F_OPT_T, BGP_ATTR_WITHDRAW, enc_communities,
	  dec_communities },
	{ BGP_ATTR_ORIGINATOR_ID, "ORIGINATOR_ID", F_OPT, BGP_ATTR_WITHDRAW, NULL,
	  dec_originator_id },
	{ BGP_ATTR_CLUSTER_LIST, "CLUSTER_LIST", F_OPT, BGP_ATTR_WITHDRAW, NULL,
	  dec_cluster_list },
	{ BGP_ATTR_EXT_COMMUNITIES, "EXTENDED_COMMUNITIES", F_OPT_T, BGP_ATTR_WITHDRAW, NULL,
	  dec_ext_communities },
	{ BGP_ATTR_AS4_PATH, "AS4_PATH", F_OPT_T, BGP_ATTR_DISCARD, enc_as4_path, dec_as4_path },
	{ BGP_ATTR_AS4_AGGREGATOR, "AS4_AGGREGATOR", F_OPT_T, BGP_ATTR_DISCARD, NULL,
	  dec_as4_aggregator },
	{ BGP_ATTR_LARGE_COMMUNITIES, "LARGE_COMMUNITY", F_OPT_T, BGP_ATTR_WITHDRAW,
	  enc_large_communities, dec_large_communities },
};

#define N_ATTRS (sizeof(attr_table) / sizeof(attr_table[0]))

const struct bgp_attr_def *bgp_attr_lookup(__u8 code)
{
	size_t i;

	for (i = 0; i < N_ATTRS; i++)
		if (attr_table[i].code == code)
			return &attr_table[i];
	return NULL;
}

int bgp_attrs_encode(struct buf *out, const struct bgp_attr_enc *e)
{
	size_t i;
	int err;

	for (i = 0; i < N_ATTRS; i++) {
		if (!attr_table[i].encode)
			continue;
		err = attr_table[i].encode(out, e);
		if (err)
			return err;
	}
	return out->err;
}

/* RFC 7606 sec 3 (g): a second MP_REACH_NLRI or MP_UNREACH_NLRI resets
 * the session; any other repeated attribute is dropped. */
static bool seen_before(struct bgp_attr_dec *d, __u8 type)
{
	__u32 bit = 1u << (type % 32);

	if (d->seen[type / 32] & bit)
		return true;
	d->seen[type / 32] |= bit;
	return false;
}

/* The attribute length: 2 bytes with the Extended Length bit, else 1. */
static int get_attr_len(struct bgp_reader *r, __u8 flags, __u16 *len)
{
	__u8 len8;

	if (flags & BGP_ATTR_F_EXTLEN)
		return bgp_get_u16(r, len);
	if (bgp_get_u8(r, &len8))
		return -1;
	*len = len8;
	return 0;
}

enum bgp_attr_verdict bgp_attrs_decode(struct bgp_attr_dec *d, struct bgp_reader *r)
{
	while (bgp_left(r)) {
		const __u8 *start = bgp_cur(r);
		const struct bgp_attr_def *def;
		struct bgp_reader v;
		__u8 flags, type;
		__u16 len;

		d->attr = start;
		d->attr_len = bgp_left(r);
		d->def = NULL;
		/* RFC 7606 sec 4: a header or value that runs past the
		 * attribute field is treat-as-withdraw; the Total Attribute
		 * Length still tells where the NLRI begin */
		if (bgp_get_u8(r, &flags) || bgp_get_u8(r, &type) || get_attr_len(r, flags, &len)) {
			bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
					 false, "%zu stray byte(s) after the last attribute",
					 d->attr_len);
			break;
		}
		d->def = def = bgp_attr_lookup(type);
		if (bgp_get_sub(r, len, &v)) {
			bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
					 false, "%s (type %u) of %u bytes overruns the attributes",
					 def ? def->name : "attribute", type, len);
			break;
		}
		d->attr_len = bgp_cur(r) - start;
		d->n_attrs++;
		if (seen_before(d, type)) {
			if (type == BGP_ATTR_MP_REACH_NLRI || type == BGP_ATTR_MP_UNREACH_NLRI)
				return bgp_attr_problem(d, BGP_ATTR_RESET,
							BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, false,
							"%s appears twice", def->name);
			bgp_attr_problem(d, BGP_ATTR_DISCARD, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST,
					 false, "%s (type %u) appears twice",
					 def ? def->name : "attribute", type);
			continue;
		}
		if (!def) {
			/* RFC 4271 sec 6.3: unknown well-known attribute */
			if (!(flags & BGP_ATTR_F_OPTIONAL))
				return bgp_attr_problem(d, BGP_ATTR_RESET,
							BGP_ERR_UPDATE_UNRECOGNIZED_WELLKNOWN, true,
							"unrecognized well-known attribute %u",
							type);
			if (d->rx)
				d->rx->n_unknown++;
			continue;
		}
		/* RFC 7606 sec 3 (c): Optional/Transitive bits in conflict
		 * make the attribute malformed; MP_* are still read so that
		 * their NLRI can be withdrawn */
		if ((flags & F_OPT_T) != def->flags) {
			bgp_attr_problem(d, def->malformed == BGP_ATTR_RESET ? BGP_ATTR_WITHDRAW :
									       def->malformed,
					 BGP_ERR_UPDATE_ATTR_FLAGS, true,
					 "%s flags 0x%02x, want 0x%02x", def->name,
					 flags & F_OPT_T, def->flags);
			if (def->malformed != BGP_ATTR_RESET)
				continue;
		}
		if (def->decode(d, &v) == BGP_ATTR_RESET)
			return BGP_ATTR_RESET;
	}
	return d->worst;
}

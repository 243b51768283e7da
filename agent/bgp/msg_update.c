// SPDX-License-Identifier: GPL-2.0
/*
 * UPDATE messages (RFC 4271 sec 4.3): announcements, withdrawals and
 * End-of-RIB markers as xlbd sends them, and the validation of those it
 * receives.
 *
 * Encoding groups as many prefixes as fit in each message of at most
 * BGP_MSG_MAX bytes: the size of a message without prefixes is measured
 * once by encoding it, then each prefix adds its own size, plus one byte
 * when it makes MP_REACH/MP_UNREACH cross 255 bytes and need the Extended
 * Length form. IPv4 goes in the NLRI and Withdrawn Routes fields, IPv6 in
 * MP_REACH_NLRI/MP_UNREACH_NLRI (RFC 4760).
 *
 * Decoding reads the two length-delimited fields and the NLRI through the
 * bounded reader and hands the attributes to attrs.c; what RFC 7606 makes
 * of each problem is decided there, the checks that concern the message
 * as a whole (lengths, NLRI syntax, missing attributes, End-of-RIB) here.
 */
#include <errno.h>
#include <string.h>

#include "bgp/attrs.h"
#include "bgp/err.h"
#include "bgp/nlri.h"
#include "bgp/writer.h"

/* One UPDATE announcing nlri[n] of family (RFC 4271 sec 4.3). */
static int announce_one(struct buf *out, const struct bgp_prefix *nlri, size_t n,
			const struct bgp_attrs *a, bool as4, __u8 family)
{
	bool v6 = family == XLB_FAMILY_V6;
	struct bgp_attr_enc e = {
		.a = a,
		.as4 = as4,
		.family = family,
		.nlri = v6 ? nlri : NULL,
		.n_nlri = v6 ? n : 0,
	};
	size_t start, at, i;
	int err;

	bgp_msg_begin(out, BGP_MSG_UPDATE, &start);
	bgp_put_u16(out, 0);		/* Withdrawn Routes Length */
	at = out->len;
	bgp_put_u16(out, 0);		/* Total Path Attribute Length */
	err = bgp_attrs_encode(out, &e);
	if (err)
		goto fail;
	bgp_patch_u16(out, at, out->len - at - 2);
	for (i = 0; !v6 && i < n; i++) {
		err = bgp_nlri_put(out, &nlri[i]);
		if (err)
			goto fail;
	}
	return bgp_msg_end(out, start);
fail:
	buf_truncate(out, start);
	return err;
}

/* One UPDATE withdrawing nlri[n]; with n == 0 the End-of-RIB marker. */
static int withdraw_one(struct buf *out, const struct bgp_prefix *nlri, size_t n, __u8 family)
{
	struct bgp_attr_enc e = { .family = family, .nlri = nlri, .n_nlri = n };
	size_t start, at, i;
	int err = 0;

	bgp_msg_begin(out, BGP_MSG_UPDATE, &start);
	at = out->len;
	bgp_put_u16(out, 0);		/* Withdrawn Routes Length */
	if (family == XLB_FAMILY_V4) {
		for (i = 0; i < n && !err; i++)
			err = bgp_nlri_put(out, &nlri[i]);
		if (err)
			goto fail;
		bgp_patch_u16(out, at, out->len - at - 2);
		bgp_put_u16(out, 0);	/* Total Path Attribute Length */
	} else {
		at = out->len;
		bgp_put_u16(out, 0);
		err = bgp_attrs_encode(out, &e);
		if (err)
			goto fail;
		bgp_patch_u16(out, at, out->len - at - 2);
	}
	return bgp_msg_end(out, start);
fail:
	buf_truncate(out, start);
	return err;
}

/* All prefixes of one known family, each of a valid length. */
static int check_prefixes(const struct bgp_prefix *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i].family != p[0].family || !bgp_family_bits(p[i].family) ||
		    p[i].len > bgp_family_bits(p[i].family))
			return -EINVAL;
	return 0;
}

/*
 * How many of p[n] fit in a message of base bytes without prefixes. mp:
 * the prefixes go in MP_REACH/MP_UNREACH whose value is mp_base bytes
 * without them; its length field grows by a byte past 255 (RFC 4271 sec
 * 4.3, Extended Length).
 */
static size_t fit(const struct bgp_prefix *p, size_t n, size_t base, bool mp, size_t mp_base)
{
	size_t len = base, mp_len = mp_base, i;

	for (i = 0; i < n; i++) {
		size_t add = bgp_nlri_size(&p[i]);

		if (mp && mp_len <= 255 && mp_len + add > 255)
			add++;
		if (len + add > BGP_MSG_MAX)
			break;
		len += add;
		mp_len += bgp_nlri_size(&p[i]);
	}
	return i;
}

/* RFC 4271 sec 4.3 (IPv4 in the NLRI field), RFC 4760 sec 3 (IPv6 in
 * MP_REACH_NLRI); split as in the comment at the top. */
int bgp_update_encode_announce(struct buf *out, const struct bgp_prefix *prefixes, size_t n,
			       const struct bgp_attrs *attrs, bool as4)
{
	size_t start = out->len, base, mp_base = 0, i, k;
	struct buf scratch;
	bool v6;
	__u8 family;
	int err;

	if (!n)
		return 0;
	/* RFC 7607: AS 0 is never in an AS_PATH */
	if (check_prefixes(prefixes, n) || attrs->n_communities > BGP_COMMUNITIES_MAX ||
	    attrs->n_large_communities > BGP_COMMUNITIES_MAX || (!attrs->ibgp && !attrs->local_as))
		return -EINVAL;
	family = prefixes[0].family;
	v6 = family == XLB_FAMILY_V6;
	if (v6 ? !attrs->has_next_hop6 : !attrs->has_next_hop4)
		return -EINVAL;
	if (v6)		/* AFI, SAFI, next hop length, next hop, reserved */
		mp_base = 2 + 1 + 1 + (attrs->has_next_hop6_ll ? 32 : 16) + 1;

	buf_init(&scratch, 0);
	err = announce_one(&scratch, NULL, 0, attrs, as4, family);
	base = scratch.len;
	buf_free(&scratch);
	if (err)
		return err;

	for (i = 0; i < n; i += k) {
		k = fit(prefixes + i, n - i, base, v6, mp_base);
		if (!k) {
			err = -EMSGSIZE;
			goto fail;
		}
		err = announce_one(out, prefixes + i, k, attrs, as4, family);
		if (err)
			goto fail;
	}
	return 0;
fail:
	buf_truncate(out, start);
	return err;
}

/* RFC 4271 sec 4.3 (Withdrawn Routes), RFC 4760 sec 4 (MP_UNREACH_NLRI). */
int bgp_update_encode_withdraw(struct buf *out, const struct bgp_prefix *prefixes, size_t n)
{
	/* header and the two length fields; for IPv6 also the MP_UNREACH
	 * attribute header and its AFI/SAFI */
	size_t start = out->len, base = BGP_HDR_LEN + 4, i, k;
	bool v6;
	int err;

	if (!n)
		return 0;
	if (check_prefixes(prefixes, n))
		return -EINVAL;
	v6 = prefixes[0].family == XLB_FAMILY_V6;
	if (v6)
		base += 3 + 3;
	for (i = 0; i < n; i += k) {
		k = fit(prefixes + i, n - i, base, v6, 3);
		err = withdraw_one(out, prefixes + i, k, prefixes[0].family);
		if (err) {
			buf_truncate(out, start);
			return err;
		}
	}
	return 0;
}

/* RFC 4724 sec 2: for IPv4 unicast an UPDATE with nothing in it; for
 * other families one whose only attribute is an empty MP_UNREACH_NLRI. */
int bgp_update_encode_eor(struct buf *out, __u8 family)
{
	if (!bgp_family_bits(family))
		return -EINVAL;
	return withdraw_one(out, NULL, 0, family);
}

/* The Withdrawn Routes or NLRI field: IPv4 prefixes (RFC 4271 sec 4.3);
 * a malformed one resets the session (RFC 7606 sec 5.3). */
static int nlri_field(struct bgp_attr_dec *d, struct bgp_reader *r, bool withdrawn)
{
	struct bgp_prefix p;

	while (bgp_left(r)) {
		__u8 len = *bgp_cur(r);

		if (bgp_nlri_get(r, XLB_FAMILY_V4, &p))
			return bgp_err_set(d->err, BGP_ERR_UPDATE, BGP_ERR_UPDATE_INVALID_NETWORK,
					   NULL, 0, "%s field: a /%u prefix%s",
					   withdrawn ? "Withdrawn Routes" : "NLRI", len,
					   len > 32 ? "" : " cut short");
		bgp_attr_add_prefix(d, withdrawn, &p);
	}
	return 0;
}

/* RFC 4271 sec 5 as revised by RFC 7606 sec 3 (d): an UPDATE that
 * announces needs ORIGIN and AS_PATH, and NEXT_HOP when it uses the NLRI
 * field (RFC 4760 sec 3); a missing one is treat-as-withdraw, with the
 * type code as data. */
static void check_mandatory(struct bgp_attr_dec *d, size_t classic_nlri)
{
	static const __u8 need[] = { BGP_ATTR_ORIGIN, BGP_ATTR_AS_PATH, BGP_ATTR_NEXT_HOP };
	size_t i;

	if (!d->info->announced && !d->mp_reach)
		return;
	for (i = 0; i < sizeof(need); i++) {
		if (need[i] == BGP_ATTR_NEXT_HOP && !classic_nlri)
			continue;
		if (d->seen[need[i] / 32] & (1u << (need[i] % 32)))
			continue;
		d->attr = &need[i];
		d->attr_len = 1;
		d->def = bgp_attr_lookup(need[i]);
		bgp_attr_problem(d, BGP_ATTR_WITHDRAW, BGP_ERR_UPDATE_MISSING_WELLKNOWN, true,
				 "%s missing", d->def->name);
	}
}

/* Empty the outputs, keeping the caller's arrays. */
static void rx_reset(struct bgp_update_rx *rx)
{
	struct bgp_update_rx keep = {
		.nlri = rx->nlri,
		.nlri_max = rx->nlri_max,
		.withdrawn = rx->withdrawn,
		.withdrawn_max = rx->withdrawn_max,
	};

	*rx = keep;
}

/* RFC 4271 sec 4.3 and 6.3, RFC 7606 sec 3-5, End-of-RIB of RFC 4724
 * sec 2. */
int bgp_update_parse(const __u8 *body, size_t len, bool as4, struct bgp_update_info *info,
		     struct bgp_update_rx *rx, struct bgp_err *err)
{
	struct bgp_attr_dec d = { .as4 = as4, .info = info, .rx = rx, .err = err };
	struct bgp_reader r, withdrawn, attrs;
	size_t classic_nlri;
	__u16 wlen = 0, alen = 0;

	memset(info, 0, sizeof(*info));
	if (rx)
		rx_reset(rx);
	bgp_err_clear(err);
	bgp_reader_init(&r, body, len);

	/* RFC 4271 sec 6.3: either length running past the message */
	if (bgp_get_u16(&r, &wlen))
		goto short_msg;
	if (bgp_get_sub(&r, wlen, &withdrawn))
		return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, NULL, 0,
				   "Withdrawn Routes Length %u exceeds the message (%zu bytes)",
				   wlen, len);
	if (bgp_get_u16(&r, &alen))
		goto short_msg;
	if (bgp_get_sub(&r, alen, &attrs))
		return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, NULL, 0,
				   "Total Path Attribute Length %u exceeds the message (%zu bytes)",
				   alen, len);

	if (nlri_field(&d, &withdrawn, true))
		return -EBADMSG;
	if (bgp_attrs_decode(&d, &attrs) == BGP_ATTR_RESET)
		return -EBADMSG;
	classic_nlri = info->announced;
	if (nlri_field(&d, &r, false))
		return -EBADMSG;
	classic_nlri = info->announced - classic_nlri;
	check_mandatory(&d, classic_nlri);

	if (!wlen && !alen && !classic_nlri) {
		info->eor = true;
		info->eor_afi = BGP_AFI_IPV4;
		info->eor_safi = BGP_SAFI_UNICAST;
	} else if (!wlen && !classic_nlri && d.n_attrs == 1 && d.mp_unreach &&
		   d.mp_unreach_empty) {
		info->eor = true;
		info->eor_afi = d.mp_unreach_afi;
		info->eor_safi = d.mp_unreach_safi;
	}
	info->treat_as_withdraw = d.worst == BGP_ATTR_WITHDRAW;
	return 0;
short_msg:
	return bgp_err_set(err, BGP_ERR_UPDATE, BGP_ERR_UPDATE_MALFORMED_ATTR_LIST, NULL, 0,
			   "UPDATE of %zu bytes has no room for its length fields", len);
}

int bgp_update_decode(const __u8 *body, size_t len, bool as4, struct bgp_update_info *info,
		      struct bgp_err *err)
{
	return bgp_update_parse(body, len, as4, info, NULL, err);
}

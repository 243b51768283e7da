// SPDX-License-Identifier: GPL-2.0
/*
 * OPEN (RFC 4271 sec 4.2) with capabilities advertisement (RFC 5492).
 *
 * We send one Capabilities optional parameter holding: multiprotocol
 * IPv4/IPv6 unicast (RFC 4760 sec 8), route refresh (RFC 2918 sec 2),
 * graceful restart only when configured (RFC 4724 sec 3: a leaf keeps
 * the routes of a speaker that advertised it for the restart time after
 * the speaker is gone, a black hole for an anycast VIP) and 4-octet AS
 * (RFC 6793 sec 3), with AS_TRANS in My Autonomous System when our AS
 * does not fit in two octets.
 *
 * We read optional parameters in the RFC 4271 form and in the extended
 * form of RFC 9072 (BIRD and FRR can send it), capabilities from a table
 * of the codes we know (one row: code, name, length rule, parser); others
 * are counted and ignored, as RFC 5492 sec 5 wants.
 */
#include <errno.h>
#include <string.h>

#include "bgp/err.h"
#include "bgp/nlri.h"
#include "bgp/reader.h"
#include "bgp/writer.h"

#define BGP_OPT_PARAM_CAPABILITIES	2	/* RFC 5492 sec 4 */
#define BGP_OPT_PARAM_EXTENDED		255	/* RFC 9072 sec 2 */
#define BGP_GR_F_FORWARDING		0x80	/* RFC 4724 sec 3, per AFI/SAFI */
#define BGP_GR_TIME_MASK		0x0fff

/* One capability: code, length, value (RFC 5492 sec 4). */
static int cap_begin(struct buf *out, __u8 code, __u8 len)
{
	bgp_put_u8(out, code);
	return bgp_put_u8(out, len);
}

static void put_mp(struct buf *out, __u16 afi)
{
	cap_begin(out, BGP_CAP_MP, 4);
	bgp_put_u16(out, afi);
	bgp_put_u8(out, 0);
	bgp_put_u8(out, BGP_SAFI_UNICAST);
}

/* RFC 4271 sec 4.2; capabilities in one optional parameter (RFC 5492 sec
 * 4). -EINVAL for what no peer should be sent: AS 0, a 4-octet AS without
 * the capability, hold time 1 or 2. */
int bgp_open_encode(struct buf *out, const struct bgp_open *o)
{
	size_t start, opt_at, param_at;
	int err;

	if ((o->as > 0xffff && !o->cap_as4) || !o->as || o->hold_time == 1 || o->hold_time == 2)
		return -EINVAL;
	bgp_msg_begin(out, BGP_MSG_OPEN, &start);
	bgp_put_u8(out, BGP_VERSION);
	bgp_put_u16(out, o->as > 0xffff ? BGP_AS_TRANS : o->as);
	bgp_put_u16(out, o->hold_time);
	bgp_put_bytes(out, &o->bgp_id, 4);
	opt_at = out->len;
	bgp_put_u8(out, 0);		/* Optional Parameters Length */
	bgp_put_u8(out, BGP_OPT_PARAM_CAPABILITIES);
	param_at = out->len;
	bgp_put_u8(out, 0);		/* Parameter Length */
	if (o->cap_mp_v4)
		put_mp(out, BGP_AFI_IPV4);
	if (o->cap_mp_v6)
		put_mp(out, BGP_AFI_IPV6);
	if (o->cap_route_refresh)
		cap_begin(out, BGP_CAP_ROUTE_REFRESH, 0);
	if (o->cap_gr) {
		/* Restart Flags 0 (not restarting) and Restart Time, then
		 * the families whose forwarding state survives us: all of
		 * them, the XDP datapath keeps forwarding without xlbd */
		cap_begin(out, BGP_CAP_GRACEFUL_RESTART, 2 + 4 * (o->cap_mp_v4 + o->cap_mp_v6));
		bgp_put_u16(out, o->gr_time & BGP_GR_TIME_MASK);
		for (int v6 = 0; v6 < 2; v6++) {
			if (!(v6 ? o->cap_mp_v6 : o->cap_mp_v4))
				continue;
			bgp_put_u16(out, v6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4);
			bgp_put_u8(out, BGP_SAFI_UNICAST);
			bgp_put_u8(out, BGP_GR_F_FORWARDING);
		}
	}
	if (o->cap_as4) {
		cap_begin(out, BGP_CAP_AS4, 4);
		bgp_put_u32(out, o->as);
	}
	if (out->err) {
		err = out->err;
		goto fail;
	}
	if (out->len == param_at + 1) {
		/* no capabilities: no parameter */
		buf_truncate(out, opt_at + 1);
	} else {
		((__u8 *)out->data)[param_at] = out->len - param_at - 1;
		((__u8 *)out->data)[opt_at] = out->len - opt_at - 1;
	}
	return bgp_msg_end(out, start);
fail:
	buf_truncate(out, start);
	return err;
}

/* ---- decoding ---- */

struct cap_def {
	__u8 code;
	const char *name;
	int min_len;		/* value length: at least this */
	int step;		/* and then a multiple of this past min_len (0: exactly min_len) */
	void (*parse)(struct bgp_open *o, struct bgp_reader *v);
};

/* RFC 4760 sec 8: AFI, reserved, SAFI. Families we do not know are
 * ignored: the session simply does not carry them. */
static void parse_mp(struct bgp_open *o, struct bgp_reader *v)
{
	__u16 afi;
	__u8 res, safi;

	bgp_get_u16(v, &afi);
	bgp_get_u8(v, &res);
	bgp_get_u8(v, &safi);
	switch (bgp_afi_family(afi, safi)) {
	case XLB_FAMILY_V4:
		o->cap_mp_v4 = true;
		break;
	case XLB_FAMILY_V6:
		o->cap_mp_v6 = true;
		break;
	}
}

/* RFC 2918 sec 2: no value. */
static void parse_route_refresh(struct bgp_open *o, struct bgp_reader *v)
{
	(void)v;
	o->cap_route_refresh = true;
}

/* RFC 4724 sec 3: flags and time, then <AFI, SAFI, flags> tuples (which a
 * speaker that only announces has no use for). */
static void parse_gr(struct bgp_open *o, struct bgp_reader *v)
{
	__u16 ft;

	bgp_get_u16(v, &ft);
	o->cap_gr = true;
	o->gr_time = ft & BGP_GR_TIME_MASK;
}

/* RFC 6793 sec 3: the 4-octet AS. */
static void parse_as4(struct bgp_open *o, struct bgp_reader *v)
{
	bgp_get_u32(v, &o->as);
	o->cap_as4 = true;
}

static const struct cap_def cap_table[] = {
	{ BGP_CAP_MP, "multiprotocol", 4, 0, parse_mp },
	{ BGP_CAP_ROUTE_REFRESH, "route refresh", 0, 0, parse_route_refresh },
	{ BGP_CAP_GRACEFUL_RESTART, "graceful restart", 2, 4, parse_gr },
	{ BGP_CAP_AS4, "4-octet AS", 4, 0, parse_as4 },
};

static const struct cap_def *cap_lookup(__u8 code)
{
	size_t i;

	for (i = 0; i < sizeof(cap_table) / sizeof(cap_table[0]); i++)
		if (cap_table[i].code == code)
			return &cap_table[i];
	return NULL;
}

static bool cap_len_ok(const struct cap_def *c, size_t len)
{
	if (len < (size_t)c->min_len)
		return false;
	if (!c->step)
		return len == (size_t)c->min_len;
	return (len - c->min_len) % c->step == 0;
}

/* A malformed parameter we know: OPEN Message Error, subcode 0 (RFC 4271
 * sec 6.2). */
static int open_malformed(struct bgp_err *err, const char *what)
{
	return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, NULL, 0, "OPEN: %s",
			   what);
}

/* The value of a Capabilities parameter: capabilities back to back (RFC
 * 5492 sec 4). */
static int parse_caps(struct bgp_reader *r, struct bgp_open *o, struct bgp_err *err)
{
	o->any_caps = true;
	while (bgp_left(r)) {
		const struct cap_def *c;
		struct bgp_reader v;
		__u8 code, len;

		if (bgp_get_u8(r, &code) || bgp_get_u8(r, &len) || bgp_get_sub(r, len, &v))
			return open_malformed(err, "a capability overruns its parameter");
		c = cap_lookup(code);
		if (!c) {
			o->unknown_caps++;
			continue;
		}
		if (!cap_len_ok(c, len))
			return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, NULL, 0,
					   "OPEN: %s capability of %u bytes", c->name, len);
		c->parse(o, &v);
	}
	return 0;
}

/* Optional parameters (RFC 4271 sec 4.2), each: type, length (2 bytes in
 * the extended form of RFC 9072), value. */
static int parse_params(struct bgp_reader *r, bool extended, struct bgp_open *o,
			struct bgp_err *err)
{
	while (bgp_left(r)) {
		struct bgp_reader v;
		__u8 type, len8;
		__u16 len;
		int ret;

		if (bgp_get_u8(r, &type))
			return open_malformed(err, "optional parameter cut short");
		if (extended)
			ret = bgp_get_u16(r, &len);
		else if (!(ret = bgp_get_u8(r, &len8)))
			len = len8;
		if (ret || bgp_get_sub(r, len, &v))
			return open_malformed(err, "an optional parameter overruns the message");
		if (type != BGP_OPT_PARAM_CAPABILITIES)
			return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUPPORTED_PARAM, NULL,
					   0, "OPEN: unsupported optional parameter %u", type);
		if (parse_caps(&v, o, err))
			return -EBADMSG;
	}
	return 0;
}

/* RFC 4271 sec 4.2 and 6.2 (the checks and their subcodes, in its order),
 * RFC 5492 sec 5, RFC 6793 sec 3, RFC 9072 sec 2. */
int bgp_open_decode(const __u8 *body, size_t len, struct bgp_open *o, struct bgp_err *err)
{
	static const __u8 version[2] = { 0, BGP_VERSION };
	struct bgp_reader r, params;
	__u16 as16, opt_len16;
	__u8 opt_len, ext_type;
	bool extended = false;

	memset(o, 0, sizeof(*o));
	bgp_err_clear(err);
	bgp_reader_init(&r, body, len);
	if (bgp_get_u8(&r, &o->version) || bgp_get_u16(&r, &as16) ||
	    bgp_get_u16(&r, &o->hold_time) || bgp_get_bytes(&r, &o->bgp_id, 4) ||
	    bgp_get_u8(&r, &opt_len)) {
		__u8 l[2] = { (len + BGP_HDR_LEN) >> 8, (len + BGP_HDR_LEN) & 0xff };

		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, l, sizeof(l),
				   "OPEN of %zu bytes", len + BGP_HDR_LEN);
	}
	/* RFC 4271 sec 6.2: the data is the version we support (the
	 * largest below theirs, or our smallest) */
	if (o->version != BGP_VERSION)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUPPORTED_VERSION, version,
				   sizeof(version), "OPEN: version %u, we speak %u", o->version,
				   BGP_VERSION);
	o->as = as16;
	if (!as16)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS, NULL, 0,
				   "OPEN: My Autonomous System 0 (RFC 7607)");
	if (o->hold_time == 1 || o->hold_time == 2)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNACCEPTABLE_HOLD, NULL, 0,
				   "OPEN: hold time %u (must be 0 or at least 3)", o->hold_time);
	/* RFC 6286 sec 2.1: any non-zero 4-octet value */
	if (!o->bgp_id)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_BGP_ID, NULL, 0,
				   "OPEN: BGP Identifier 0");

	/* RFC 9072 sec 2: length 255 and type 255 announce the extended
	 * form, with a 2-byte length after them */
	opt_len16 = opt_len;
	if (opt_len == 255 && bgp_left(&r) >= 1 && *bgp_cur(&r) == BGP_OPT_PARAM_EXTENDED) {
		bgp_get_u8(&r, &ext_type);
		if (bgp_get_u16(&r, &opt_len16))
			return open_malformed(err, "extended optional parameters cut short");
		extended = true;
	}
	if (bgp_get_sub(&r, opt_len16, &params) || bgp_left(&r))
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, NULL, 0,
				   "OPEN: Optional Parameters Length %u, %zu bytes follow",
				   opt_len16, bgp_left(&r));
	if (parse_params(&params, extended, o, err))
		return -EBADMSG;
	/* RFC 6793 sec 3 and RFC 7607: the real AS from the capability */
	if (o->cap_as4 && !o->as)
		return bgp_err_set(err, BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS, NULL, 0,
				   "OPEN: 4-octet AS 0 (RFC 7607)");
	return 0;
}

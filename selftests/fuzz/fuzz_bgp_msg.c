// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the BGP message codec (agent/bgp/msg*.c, attrs.c).
 *
 * Each input is read two ways:
 *   - as a stream of whole messages, the way xlbd reads a session: the
 *     header decoder frames each one and its type's decoder reads the
 *     body; UPDATEs are decoded with 4-octet ASNs and with 2-octet ones;
 *   - as a bare body after a selector byte (OPEN, UPDATE, NOTIFICATION,
 *     ROUTE-REFRESH), so the decoders are reached without a valid header,
 *     or (fifth selector) as the attributes and prefixes of announcements
 *     and withdrawals that we encode, then decode (fuzz_encode()).
 * Whatever decodes is encoded again and decoded once more, and must come
 * back the same: OPEN fields, UPDATE prefixes and attributes, the
 * NOTIFICATION and ROUTE-REFRESH bytes. A difference, a NOTIFICATION text
 * that is not printable, or error data past its bound abort the run
 * (libFuzzer keeps the input); so do the sanitizers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp/msg.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_err(const struct bgp_err *err)
{
	CHECK(err->data_len <= BGP_ERR_DATA_MAX);
	CHECK(memchr(err->text, '\0', sizeof(err->text)));
}

/* ---- OPEN ---- */

static void fuzz_open(const uint8_t *body, size_t len)
{
	struct bgp_open o, o2;
	struct bgp_err err;
	struct buf out;

	if (bgp_open_decode(body, len, &o, &err)) {
		check_err(&err);
		CHECK(err.code == BGP_ERR_OPEN || err.code == BGP_ERR_HEADER);
		return;
	}
	CHECK(o.version == BGP_VERSION && o.as && o.bgp_id);
	CHECK(o.hold_time == 0 || o.hold_time >= 3);
	/* a peer may send AS4 with a 2-octet value in My AS that differs;
	 * what we encode is what we decoded */
	buf_init(&out, 0);
	CHECK(bgp_open_encode(&out, &o) == 0);
	CHECK(bgp_open_decode((uint8_t *)out.data + BGP_HDR_LEN, out.len - BGP_HDR_LEN, &o2,
			      &err) == 0);
	CHECK(o2.as == o.as && o2.hold_time == o.hold_time && o2.bgp_id == o.bgp_id);
	CHECK(o2.cap_mp_v4 == o.cap_mp_v4 && o2.cap_mp_v6 == o.cap_mp_v6);
	CHECK(o2.cap_route_refresh == o.cap_route_refresh && o2.cap_as4 == o.cap_as4);
	CHECK(o2.cap_gr == o.cap_gr && o2.gr_time == o.gr_time);
	CHECK(o2.unknown_caps == 0);
	buf_free(&out);
}

/* ---- UPDATE ---- */

#define RX_MAX 1024

static struct bgp_prefix rx_nlri[RX_MAX], rx_wd[RX_MAX], again[RX_MAX];

static bool same_prefix(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr.bytes, b->addr.bytes, sizeof(a->addr.bytes));
}

/* The AS_PATH, AS4_PATH and next hops of a decoded UPDATE of ours. */
static void check_path(const struct bgp_update_rx *rx, const struct bgp_attrs *a, bool as4)
{
	size_t n = a->ibgp ? 0 : 1 + (size_t)a->prepend, i;
	bool trans = !as4 && a->local_as > 0xffff;

	CHECK(rx->has_origin && rx->origin == 0);
	CHECK(rx->has_as_path);
	CHECK(rx->as_path_len == (n < BGP_AS_PATH_MAX ? n : BGP_AS_PATH_MAX));
	CHECK(rx->as_path_segs == (n + 254) / 255);
	for (i = 0; i < rx->as_path_len; i++)
		CHECK(rx->as_path[i] == (trans ? BGP_AS_TRANS : a->local_as));
	CHECK(rx->has_as4_path == (trans && !a->ibgp));
	for (i = 0; rx->has_as4_path && i < rx->as4_path_len; i++)
		CHECK(rx->as4_path[i] == a->local_as);
	if (rx->has_next_hop6) {
		CHECK(!memcmp(rx->next_hop6.bytes, a->next_hop6.bytes, 16));
		CHECK(rx->has_next_hop6_ll == a->has_next_hop6_ll);
		CHECK(!a->has_next_hop6_ll ||
		      !memcmp(rx->next_hop6_ll.bytes, a->next_hop6_ll.bytes, 16));
	} else {
		CHECK(rx->has_next_hop4 && rx->next_hop4.v4 == a->next_hop4.v4);
	}
}

/* Decode every UPDATE in out (all ours, so all well formed) and check
 * they carry exactly p[n], in order, with attributes like a's. */
static void check_encoded(const struct buf *out, const struct bgp_prefix *p, size_t n,
			  bool withdrawn, const struct bgp_attrs *a, bool as4)
{
	const uint8_t *m = (const uint8_t *)out->data;
	size_t off = 0, got = 0;

	while (off < out->len) {
		struct bgp_update_rx rx = {};
		struct bgp_update_info info;
		struct bgp_err err;
		struct bgp_hdr h;
		size_t k, i;

		CHECK(bgp_hdr_decode(m + off, out->len - off, &h, &err) == 0);
		CHECK(h.type == BGP_MSG_UPDATE && off + h.length <= out->len);
		if (withdrawn) {
			rx.withdrawn = again;
			rx.withdrawn_max = RX_MAX;
		} else {
			rx.nlri = again;
			rx.nlri_max = RX_MAX;
		}
		CHECK(bgp_update_parse(m + off + BGP_HDR_LEN, h.length - BGP_HDR_LEN, as4, &info,
				       &rx, &err) == 0);
		if (err.code)
			fprintf(stderr, "re-encoded UPDATE: %s\n", err.text);
		CHECK(!info.treat_as_withdraw && !info.attrs_discarded && !err.code);
		k = withdrawn ? rx.n_withdrawn : rx.n_nlri;
		CHECK(k == (withdrawn ? info.withdrawn : info.announced));
		CHECK(got + k <= n);
		for (i = 0; i < k; i++)
			CHECK(same_prefix(&again[i], &p[got + i]));
		got += k;
		if (!withdrawn) {
			CHECK(rx.n_communities == a->n_communities);
			CHECK(!memcmp(rx.communities, a->communities,
				      a->n_communities * sizeof(a->communities[0])));
			CHECK(rx.n_large_communities == a->n_large_communities);
			CHECK(!memcmp(rx.large_communities, a->large_communities,
				      a->n_large_communities * sizeof(a->large_communities[0])));
			CHECK(rx.has_med == a->has_med && (!a->has_med || rx.med == a->med));
			CHECK(rx.has_local_pref == a->ibgp);
			check_path(&rx, a, as4);
		}
		off += h.length;
	}
	CHECK(got == n);
}

/* Announce again what an UPDATE announced (per family), and withdraw
 * again what it withdrew, with its attributes as ours. */
static void reencode_update(const struct bgp_update_rx *rx, bool as4)
{
	static struct bgp_prefix fam[RX_MAX];
	struct bgp_attrs a = {
		.ibgp = !rx->as_path_len,
		.local_as = rx->as_path_len ? rx->as_path[0] : 65001,
		/* ours, not theirs: a NEXT_HOP we would refuse can come in
		 * MP_REACH_NLRI or not at all */
		.next_hop4.bytes = { 192, 0, 2, 1 },
		.has_next_hop4 = true,
		.next_hop6 = rx->next_hop6,
		.has_next_hop6 = true,
		.next_hop6_ll = rx->next_hop6_ll,
		.has_next_hop6_ll = rx->has_next_hop6_ll,
		.has_med = rx->has_med,
		.med = rx->med,
		.local_pref = 100,
		.n_communities = rx->n_communities,
		.n_large_communities = rx->n_large_communities,
	};
	struct buf out;
	size_t i, n;
	int f;

	memcpy(a.communities, rx->communities, sizeof(a.communities));
	memcpy(a.large_communities, rx->large_communities, sizeof(a.large_communities));
	buf_init(&out, 0);
	for (f = 0; f < 2; f++) {
		__u8 family = f ? XLB_FAMILY_V6 : XLB_FAMILY_V4;

		for (i = n = 0; i < rx->n_nlri; i++)
			if (rx->nlri[i].family == family)
				fam[n++] = rx->nlri[i];
		buf_reset(&out);
		CHECK(bgp_update_encode_announce(&out, fam, n, &a, as4) == 0);
		check_encoded(&out, fam, n, false, &a, as4);
		for (i = n = 0; i < rx->n_withdrawn; i++)
			if (rx->withdrawn[i].family == family)
				fam[n++] = rx->withdrawn[i];
		buf_reset(&out);
		CHECK(bgp_update_encode_withdraw(&out, fam, n) == 0);
		check_encoded(&out, fam, n, true, NULL, as4);
	}
	buf_free(&out);
}

static void fuzz_update(const uint8_t *body, size_t len, bool as4)
{
	struct bgp_update_rx rx = {
		.nlri = rx_nlri,
		.nlri_max = RX_MAX,
		.withdrawn = rx_wd,
		.withdrawn_max = RX_MAX,
	};
	struct bgp_update_info info;
	struct bgp_err err;
	int ret;

	ret = bgp_update_parse(body, len, as4, &info, &rx, &err);
	check_err(&err);
	if (ret) {
		CHECK(ret == -EBADMSG && err.code == BGP_ERR_UPDATE);
		return;
	}
	CHECK(!!err.code == (info.treat_as_withdraw || info.attrs_discarded));
	CHECK(rx.n_nlri <= info.announced && rx.n_withdrawn <= info.withdrawn);
	/* only what fits in a message of our own: every prefix was kept */
	if (rx.n_nlri == info.announced && rx.n_withdrawn == info.withdrawn)
		reencode_update(&rx, as4);
}

/* ---- NOTIFICATION, ROUTE-REFRESH ---- */

static void fuzz_notification(const uint8_t *body, size_t len)
{
	struct bgp_notification n;
	struct buf out;
	size_t i;

	if (bgp_notification_decode(body, len, &n)) {
		CHECK(len < 2);
		return;
	}
	CHECK(memchr(n.text, '\0', sizeof(n.text)));
	for (i = 0; n.text[i]; i++)
		CHECK((uint8_t)n.text[i] >= 0x20 && n.text[i] != 0x7f);
	/* the data goes back out as it came */
	if (len - 2 > BGP_MSG_MAX - BGP_HDR_LEN - 2)
		return;
	buf_init(&out, 0);
	CHECK(bgp_notification_encode(&out, body[0], body[1], body + 2, len - 2, NULL) == 0);
	CHECK(out.len == BGP_HDR_LEN + len && !memcmp(out.data + BGP_HDR_LEN, body, len));
	buf_free(&out);
}

static void fuzz_route_refresh(const uint8_t *body, size_t len)
{
	struct bgp_err err;
	struct buf out;
	__u16 afi;
	__u8 safi;

	if (bgp_route_refresh_decode(body, len, &afi, &safi, &err)) {
		check_err(&err);
		CHECK(len != 4 && err.code == BGP_ERR_ROUTE_REFRESH);
		CHECK(err.data_len == BGP_HDR_LEN + len || err.data_len == BGP_ERR_DATA_MAX);
		return;
	}
	if (body[2])
		return;		/* a BoRR/EoRR subtype: we only send plain ones */
	buf_init(&out, 0);
	CHECK(bgp_route_refresh_encode(&out, afi, safi) == 0);
	CHECK(out.len == BGP_HDR_LEN + 4 && !memcmp(out.data + BGP_HDR_LEN, body, 4));
	buf_free(&out);
}

/* Clear the bits of p past its length, as the wire does. */
static void mask_prefix(struct bgp_prefix *p)
{
	size_t i;

	for (i = p->len / 8; i < sizeof(p->addr.bytes); i++)
		p->addr.bytes[i] &= i == p->len / 8 ? (__u8)(0xff00 >> (p->len % 8)) : 0;
}

/*
 * Encoder first: attributes and prefixes made of the input, announced and
 * withdrawn, then decoded: flags (ibgp, as4, IPv6, MED, link-local),
 * local AS, prepend, MED, community counts, communities, large
 * communities, then prefixes (length, 16 address bytes) to the end.
 */
static void fuzz_encode(const uint8_t *d, size_t len)
{
	static struct bgp_prefix p[RX_MAX];
	struct bgp_attrs a = {
		.next_hop4.bytes = { 192, 0, 2, 1 },
		.has_next_hop4 = true,
		.next_hop6.bytes = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
		.has_next_hop6 = true,
		.next_hop6_ll.bytes = { 0xfe, 0x80, [15] = 1 },
		.local_pref = 100,
	};
	size_t off = 12, i, n = 0;
	bool as4, v6;
	struct buf out;
	int ret;

	if (len < off)
		return;
	a.ibgp = d[0] & 1;
	as4 = d[0] & 2;
	v6 = d[0] & 4;
	a.has_med = d[0] & 8;
	a.has_next_hop6_ll = d[0] & 16;
	a.local_as = (__u32)d[1] << 24 | d[2] << 16 | d[3] << 8 | d[4];
	a.prepend = d[5];
	a.med = (__u32)d[6] << 24 | d[7] << 16 | d[8] << 8 | d[9];
	a.n_communities = d[10] % (BGP_COMMUNITIES_MAX + 1);
	a.n_large_communities = d[11] % (BGP_COMMUNITIES_MAX + 1);
	if (len < off + 4 * a.n_communities + 12 * a.n_large_communities)
		return;
	for (i = 0; i < a.n_communities; i++, off += 4)
		memcpy(&a.communities[i], d + off, 4);
	for (i = 0; i < a.n_large_communities; i++, off += 12)
		memcpy(a.large_communities[i], d + off, 12);
	for (; off + 17 <= len && n < RX_MAX; off += 17, n++) {
		p[n].family = v6 ? XLB_FAMILY_V6 : XLB_FAMILY_V4;
		p[n].len = d[off] % ((v6 ? 128 : 32) + 1);
		memcpy(p[n].addr.bytes, d + off + 1, 16);
	}
	buf_init(&out, 0);
	ret = bgp_update_encode_announce(&out, p, n, &a, as4);
	if (!a.ibgp && !a.local_as && n) {
		CHECK(ret == -EINVAL && out.len == 0);	/* RFC 7607: no AS 0 */
		goto out;
	}
	CHECK(ret == 0);
	for (i = 0; i < n; i++)
		mask_prefix(&p[i]);
	check_encoded(&out, p, n, false, &a, as4);
	buf_reset(&out);
	CHECK(bgp_update_encode_withdraw(&out, p, n) == 0);
	check_encoded(&out, p, n, true, NULL, as4);
out:
	buf_free(&out);
}

static void fuzz_body(__u8 type, const uint8_t *body, size_t len)
{
	switch (type) {
	case BGP_MSG_OPEN:
		fuzz_open(body, len);
		break;
	case BGP_MSG_UPDATE:
		fuzz_update(body, len, true);
		fuzz_update(body, len, false);
		break;
	case BGP_MSG_NOTIFICATION:
		fuzz_notification(body, len);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		fuzz_route_refresh(body, len);
		break;
	}
}

/* Frame messages as a session would, until the header says stop. */
static void fuzz_stream(const uint8_t *data, size_t size)
{
	size_t off = 0;

	while (size - off >= BGP_HDR_LEN) {
		struct bgp_err err;
		struct bgp_hdr h;

		if (bgp_hdr_decode(data + off, size - off, &h, &err)) {
			check_err(&err);
			CHECK(err.code == BGP_ERR_HEADER);
			return;
		}
		CHECK(h.length >= BGP_HDR_LEN && h.length <= BGP_MSG_MAX);
		if (h.length > size - off)
			return;
		fuzz_body(h.type, data + off + BGP_HDR_LEN, h.length - BGP_HDR_LEN);
		off += h.length;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const __u8 types[] = { BGP_MSG_OPEN, BGP_MSG_UPDATE, BGP_MSG_NOTIFICATION,
				      BGP_MSG_ROUTE_REFRESH };
	uint8_t *copy;

	fuzz_stream(data, size);
	if (!size || size > BGP_MSG_MAX)
		return 0;
	/* an exact-size copy, so ASan sees a read one past the end */
	copy = malloc(size - 1 ? size - 1 : 1);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	if (data[0] % (sizeof(types) + 1) == sizeof(types))
		fuzz_encode(copy, size - 1);
	else
		fuzz_body(types[data[0] % (sizeof(types) + 1)], copy, size - 1);
	free(copy);
	return 0;
}

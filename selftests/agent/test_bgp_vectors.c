// SPDX-License-Identifier: GPL-2.0
/*
 * Messages captured from a real session between BIRD 2.0.12 and FRR
 * 8.4.4 (selftests/agent/bgp-vectors/, see its README and capture.sh),
 * decoded by our codec: their OPENs with the capabilities we know and the
 * many we do not, UPDATEs with the prefixes, next hops, AS paths,
 * communities and large communities they carried, End-of-RIB markers,
 * withdrawals, ROUTE-REFRESH (plain and RFC 7313 BoRR/EoRR), KEEPALIVE,
 * NOTIFICATIONs with RFC 8203 shutdown communications; and every message
 * of every captured stream decodes.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp_test.h"

#define VECTOR_MAX 65536

/* The file, relative to this source file (the tests run from the top of
 * the tree, as make check does). */
static long vec_load(const char *name, __u8 *buf, size_t max)
{
	char path[512];
	const char *slash = strrchr(__FILE__, '/');
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%.*s/bgp-vectors/%s",
		 slash ? (int)(slash - __FILE__) : 1, slash ? __FILE__ : ".", name);
	f = fopen(path, "rb");
	if (!f) {
		test_fail("%s: %m (run from the top of the tree)", path);
		return -1;
	}
	n = fread(buf, 1, max, f);
	fclose(f);
	return n;
}

/* Load a one-message file and check its header. */
static long vec_msg(const char *name, __u8 type, __u8 *buf, size_t max)
{
	struct bgp_err err;
	struct bgp_hdr h;
	long n = vec_load(name, buf, max);

	if (n < 0)
		return -1;
	if (!ASSERT_OK(bgp_hdr_decode(buf, n, &h, &err), "header") ||
	    !ASSERT_EQ(h.length, n, "one whole message") || !ASSERT_EQ(h.type, type, "type"))
		return -1;
	return n;
}

struct open_vec {
	const char *file;
	__u32 as;
	__u16 hold;
	const char *id;
	bool mp_v4, mp_v6, gr;
	__u16 gr_time;
	size_t unknown;
};

/* BIRD: MP, route refresh, graceful restart (no families: EoR aware),
 * 4-octet AS, enhanced route refresh (70) and long-lived GR (71). FRR
 * adds the Cisco route refresh (128), extended messages (6), ADD-PATH
 * (69), FQDN (73). Both as 4-octet speakers; BIRD's AS 4200000001 puts
 * AS_TRANS in My Autonomous System. */
static const struct open_vec open_vecs[] = {
	{ "bird-v4-00-open.bin", 4200000001u, 9, "192.0.2.1", true, true, true, 120, 2 },
	{ "bird-v6-00-open.bin", 4200000001u, 9, "192.0.2.1", false, true, true, 120, 2 },
	{ "frr-v4-00-open.bin", 65002, 9, "192.0.2.2", true, false, true, 120, 6 },
	{ "frr-v6-00-open.bin", 65002, 9, "192.0.2.2", false, true, true, 120, 6 },
};

void test_bgp_vectors_open(void)
{
	size_t i;

	for (i = 0; i < sizeof(open_vecs) / sizeof(open_vecs[0]); i++) {
		const struct open_vec *v = &open_vecs[i];
		__u8 buf[VECTOR_MAX];
		long n;
		struct bgp_open o;
		struct bgp_err err;

		test_ctx("%s", v->file);
		n = vec_msg(v->file, BGP_MSG_OPEN, buf, sizeof(buf));
		if (n < 0)
			continue;
		if (!ASSERT_OK(bgp_open_decode(buf + BGP_HDR_LEN, n - BGP_HDR_LEN, &o, &err),
			       "decode")) {
			printf("    %s\n", err.text);
			continue;
		}
		ASSERT_EQ(o.version, 4, "version");
		ASSERT_EQ(o.as, v->as, "AS");
		ASSERT_EQ(o.hold_time, v->hold, "hold time");
		ASSERT_EQ(o.bgp_id, t_addr(v->id).v4, "identifier");
		ASSERT_TRUE(o.any_caps, "capabilities");
		ASSERT_TRUE(o.cap_as4, "4-octet AS");
		ASSERT_TRUE(o.cap_route_refresh, "route refresh");
		ASSERT_EQ(o.cap_mp_v4, v->mp_v4, "IPv4 unicast");
		ASSERT_EQ(o.cap_mp_v6, v->mp_v6, "IPv6 unicast");
		ASSERT_EQ(o.cap_gr, v->gr, "graceful restart");
		ASSERT_EQ(o.gr_time, v->gr_time, "restart time");
		ASSERT_EQ(o.unknown_caps, v->unknown, "unknown capabilities ignored");
	}
	test_ctx(NULL);
}

struct update_vec {
	const char *file;
	size_t announced, withdrawn;
	const char *prefix;		/* the first announced or withdrawn */
	bool eor;
	__u16 eor_afi;
	const char *nh4, *nh6, *nh6_ll;
	__u32 as_path[2];
	size_t as_path_len;
	bool med;
	__u32 communities[2];
	size_t n_communities;
	__u32 large[2][3];
	size_t n_large;
};

static const struct update_vec update_vecs[] = {
	/* IPv4 End-of-RIB from both */
	{ "bird-v4-02-update.bin", .eor = true, .eor_afi = BGP_AFI_IPV4 },
	{ "frr-v4-03-update.bin", .eor = true, .eor_afi = BGP_AFI_IPV4 },
	/* FRR's /32 with a route-map setting communities and large
	 * communities; MED 0; AS_PATH with the Extended Length bit */
	{ "frr-v4-02-update.bin", .announced = 1, .prefix = "198.51.100.1/32",
	  .nh4 = "192.0.2.2", .as_path = { 65002 }, .as_path_len = 1, .med = true,
	  .communities = { 0xfdea0064, 0xfdea00c8 }, .n_communities = 2,
	  .large = { { 65002, 1, 2 }, { 65002, 3, 4 } }, .n_large = 2 },
	/* the same again after BIRD's ROUTE-REFRESH, and once more */
	{ "frr-v4-07-update.bin", .announced = 1, .prefix = "198.51.100.1/32",
	  .nh4 = "192.0.2.2", .as_path = { 65002 }, .as_path_len = 1, .med = true,
	  .communities = { 0xfdea0064, 0xfdea00c8 }, .n_communities = 2,
	  .large = { { 65002, 1, 2 }, { 65002, 3, 4 } }, .n_large = 2 },
	{ "frr-v4-09-update.bin", .announced = 1, .prefix = "198.51.100.1/32",
	  .nh4 = "192.0.2.2", .as_path = { 65002 }, .as_path_len = 1, .med = true,
	  .communities = { 0xfdea0064, 0xfdea00c8 }, .n_communities = 2,
	  .large = { { 65002, 1, 2 }, { 65002, 3, 4 } }, .n_large = 2 },
	{ "frr-v4-10-update.bin", .withdrawn = 1, .prefix = "198.51.100.1/32" },
	/* BIRD's /128 in MP_REACH_NLRI (Extended Length), global and
	 * link-local next hops, 4-octet AS in AS_PATH, a large community */
	{ "bird-v6-02-update.bin", .announced = 1, .prefix = "2001:db8:ffff::1/128",
	  .nh6 = "2001:db8::1", .nh6_ll = "fe80::ff:fe00:1", .as_path = { 4200000001u },
	  .as_path_len = 1, .large = { { 4200000001u, 6, 1 } }, .n_large = 1 },
	{ "bird-v6-03-update.bin", .eor = true, .eor_afi = BGP_AFI_IPV6 },
	{ "bird-v6-06-update.bin", .withdrawn = 1, .prefix = "2001:db8:ffff::1/128" },
	{ "frr-v6-02-update.bin", .announced = 1, .prefix = "2001:db8:eeee::2/128",
	  .nh6 = "2001:db8::2", .nh6_ll = "fe80::ff:fe00:2", .as_path = { 65002 },
	  .as_path_len = 1, .med = true },
	/* FRR sending BIRD's route back: two ASNs in the path, no MED (it
	 * does not pass from one AS to another) */
	{ "frr-v6-03-update.bin", .announced = 1, .prefix = "2001:db8:ffff::1/128",
	  .nh6 = "2001:db8::2", .nh6_ll = "fe80::ff:fe00:2", .as_path = { 65002, 4200000001u },
	  .as_path_len = 2, .large = { { 4200000001u, 6, 1 } }, .n_large = 1 },
	{ "frr-v6-04-update.bin", .eor = true, .eor_afi = BGP_AFI_IPV6 },
	{ "frr-v6-06-update.bin", .withdrawn = 1, .prefix = "2001:db8:ffff::1/128" },
};

static void check_update_vec(const struct update_vec *v)
{
	struct bgp_prefix nlri[4], wd[4];
	struct bgp_update_rx rx = { .nlri = nlri, .nlri_max = 4, .withdrawn = wd,
				    .withdrawn_max = 4 };
	struct bgp_update_info info;
	struct bgp_err err;
	__u8 buf[VECTOR_MAX];
	char s[64];
	long n = vec_msg(v->file, BGP_MSG_UPDATE, buf, sizeof(buf));
	size_t i;

	if (n < 0)
		return;
	if (!ASSERT_OK(bgp_update_parse(buf + BGP_HDR_LEN, n - BGP_HDR_LEN, true, &info, &rx,
					&err),
		       "decode")) {
		printf("    %s\n", err.text);
		return;
	}
	ASSERT_EQ(err.code, 0, "no problem");
	ASSERT_FALSE(info.treat_as_withdraw, "not treat-as-withdraw");
	ASSERT_EQ(info.attrs_discarded, 0, "nothing discarded");
	ASSERT_EQ(info.announced, v->announced, "announced");
	ASSERT_EQ(info.withdrawn, v->withdrawn, "withdrawn");
	ASSERT_EQ(info.eor, v->eor, "End-of-RIB");
	if (v->eor) {
		ASSERT_EQ(info.eor_afi, v->eor_afi, "End-of-RIB AFI");
		ASSERT_EQ(info.eor_safi, BGP_SAFI_UNICAST, "End-of-RIB SAFI");
	}
	if (v->prefix)
		ASSERT_STREQ(t_prefix_str(v->announced ? &nlri[0] : &wd[0], s, sizeof(s)),
			     v->prefix, "prefix");
	if (!v->announced)
		return;
	ASSERT_TRUE(rx.has_origin && rx.origin == 0, "ORIGIN IGP");
	ASSERT_EQ(rx.has_next_hop4, !!v->nh4, "IPv4 next hop");
	if (v->nh4)
		ASSERT_EQ(rx.next_hop4.v4, t_addr(v->nh4).v4, "NEXT_HOP");
	ASSERT_EQ(rx.has_next_hop6, !!v->nh6, "IPv6 next hop");
	if (v->nh6)
		ASSERT_MEMEQ(rx.next_hop6.bytes, t_addr(v->nh6).bytes, 16, "global next hop");
	ASSERT_EQ(rx.has_next_hop6_ll, !!v->nh6_ll, "link-local next hop");
	if (v->nh6_ll)
		ASSERT_MEMEQ(rx.next_hop6_ll.bytes, t_addr(v->nh6_ll).bytes, 16, "link-local");
	ASSERT_EQ(rx.as_path_len, v->as_path_len, "AS_PATH length");
	ASSERT_EQ(rx.as_path_segs, 1, "one AS_SEQUENCE");
	for (i = 0; i < v->as_path_len && i < rx.as_path_len; i++)
		ASSERT_EQ(rx.as_path[i], v->as_path[i], "AS_PATH");
	ASSERT_EQ(rx.has_med, v->med, "MED");
	if (v->med)
		ASSERT_EQ(rx.med, 0, "MED value");
	ASSERT_FALSE(rx.has_local_pref, "no LOCAL_PREF over eBGP");
	ASSERT_EQ(rx.n_communities, v->n_communities, "communities");
	for (i = 0; i < v->n_communities; i++)
		ASSERT_EQ(rx.communities[i], v->communities[i], "community");
	ASSERT_EQ(rx.n_large_communities, v->n_large, "large communities");
	for (i = 0; i < v->n_large; i++)
		ASSERT_MEMEQ(rx.large_communities[i], v->large[i], sizeof(v->large[i]),
			     "large community");
	ASSERT_EQ(rx.n_unknown, 0, "no unknown attribute");
}

void test_bgp_vectors_update(void)
{
	size_t i;

	for (i = 0; i < sizeof(update_vecs) / sizeof(update_vecs[0]); i++) {
		test_ctx("%s", update_vecs[i].file);
		check_update_vec(&update_vecs[i]);
	}
	test_ctx(NULL);
}

void test_bgp_vectors_notification(void)
{
	static const struct {
		const char *file;
		const char *text;
	} vecs[] = {
		/* birdc disable v4sess "maintenance: draining for an upgrade" */
		{ "bird-v4-08-notification.bin", "maintenance: draining for an upgrade" },
		/* neighbor ... shutdown message, with an em dash in UTF-8 */
		{ "frr-v6-07-notification.bin", "leaf going down \xe2\x80\x94 back in 5 minutes" },
	};
	size_t i;

	for (i = 0; i < sizeof(vecs) / sizeof(vecs[0]); i++) {
		struct bgp_notification no;
		__u8 buf[VECTOR_MAX];
		long n;

		test_ctx("%s", vecs[i].file);
		n = vec_msg(vecs[i].file, BGP_MSG_NOTIFICATION, buf, sizeof(buf));
		if (n < 0)
			continue;
		ASSERT_OK(bgp_notification_decode(buf + BGP_HDR_LEN, n - BGP_HDR_LEN, &no),
			  "decode");
		ASSERT_EQ(no.code, BGP_ERR_CEASE, "Cease");
		ASSERT_EQ(no.subcode, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "Administrative Shutdown");
		ASSERT_STREQ(no.text, vecs[i].text, "shutdown communication");
	}
	test_ctx(NULL);
}

/* Ours must be what they would send: the same text gives the same bytes. */
void test_bgp_vectors_notification_encode(void)
{
	__u8 buf[VECTOR_MAX];
	struct buf out;
	long n = vec_msg("bird-v4-08-notification.bin", BGP_MSG_NOTIFICATION, buf, sizeof(buf));

	if (n < 0)
		return;
	buf_init(&out, 0);
	ASSERT_OK(bgp_notification_encode(&out, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL,
					  0, "maintenance: draining for an upgrade"),
		  "encode");
	ASSERT_PKT_EQ(out.data, out.len, buf, n, "same bytes as BIRD");
	buf_free(&out);
}

void test_bgp_vectors_route_refresh_keepalive(void)
{
	static const struct {
		const char *file;
	} rr[] = {
		/* plain (RFC 2918), then BoRR and EoRR (RFC 7313 subtypes 1, 2) */
		{ "bird-v4-05-route-refresh.bin" }, { "bird-v4-06-route-refresh.bin" },
		{ "bird-v4-07-route-refresh.bin" }, { "frr-v4-05-route-refresh.bin" },
		{ "frr-v4-06-route-refresh.bin" },  { "frr-v4-08-route-refresh.bin" },
	};
	static const char *const ka[] = { "bird-v4-01-keepalive.bin", "bird-v6-01-keepalive.bin",
					  "frr-v4-01-keepalive.bin", "frr-v6-01-keepalive.bin" };
	__u8 buf[VECTOR_MAX];
	struct bgp_err err;
	struct buf out;
	size_t i;
	long n;

	for (i = 0; i < sizeof(rr) / sizeof(rr[0]); i++) {
		__u16 afi = 0;
		__u8 safi = 0;

		test_ctx("%s", rr[i].file);
		n = vec_msg(rr[i].file, BGP_MSG_ROUTE_REFRESH, buf, sizeof(buf));
		if (n < 0)
			continue;
		ASSERT_OK(bgp_route_refresh_decode(buf + BGP_HDR_LEN, n - BGP_HDR_LEN, &afi, &safi,
						   &err),
			  "decode");
		ASSERT_EQ(afi, BGP_AFI_IPV4, "AFI");
		ASSERT_EQ(safi, BGP_SAFI_UNICAST, "SAFI");
	}
	/* our plain one is byte for byte BIRD's */
	buf_init(&out, 0);
	n = vec_msg("bird-v4-05-route-refresh.bin", BGP_MSG_ROUTE_REFRESH, buf, sizeof(buf));
	ASSERT_OK(bgp_route_refresh_encode(&out, BGP_AFI_IPV4, BGP_SAFI_UNICAST), "encode");
	if (n > 0)
		ASSERT_PKT_EQ(out.data, out.len, buf, n, "same bytes as BIRD");
	buf_reset(&out);
	bgp_keepalive_encode(&out);
	for (i = 0; i < sizeof(ka) / sizeof(ka[0]); i++) {
		test_ctx("%s", ka[i]);
		n = vec_msg(ka[i], BGP_MSG_KEEPALIVE, buf, sizeof(buf));
		if (n > 0)
			ASSERT_PKT_EQ(out.data, out.len, buf, n, "same bytes as ours");
	}
	test_ctx(NULL);
	buf_free(&out);
}

/* Every message of every captured stream, through the decoder of its
 * type: all well formed, none a problem. */
void test_bgp_vectors_streams(void)
{
	static const char *const streams[] = { "bird-v4-stream.bin", "bird-v6-stream.bin",
					       "frr-v4-stream.bin", "frr-v6-stream.bin" };
	static __u8 buf[VECTOR_MAX];
	size_t i;

	for (i = 0; i < sizeof(streams) / sizeof(streams[0]); i++) {
		size_t off = 0, counts[6] = {};
		long n;

		test_ctx("%s", streams[i]);
		n = vec_load(streams[i], buf, sizeof(buf));
		if (n < 0)
			continue;
		while (off < (size_t)n) {
			struct bgp_update_info info;
			struct bgp_notification no;
			struct bgp_open o;
			struct bgp_err err;
			struct bgp_hdr h;
			const __u8 *body = buf + off + BGP_HDR_LEN;
			size_t len;
			__u16 afi;
			__u8 safi;

			if (!ASSERT_OK(bgp_hdr_decode(buf + off, n - off, &h, &err), "header") ||
			    !ASSERT_LE(off + h.length, (size_t)n, "whole message"))
				break;
			len = h.length - BGP_HDR_LEN;
			counts[h.type]++;
			switch (h.type) {
			case BGP_MSG_OPEN:
				ASSERT_OK(bgp_open_decode(body, len, &o, &err), "OPEN");
				break;
			case BGP_MSG_UPDATE:
				ASSERT_OK(bgp_update_decode(body, len, true, &info, &err),
					  "UPDATE");
				ASSERT_EQ(err.code, 0, "UPDATE without problems");
				break;
			case BGP_MSG_NOTIFICATION:
				ASSERT_OK(bgp_notification_decode(body, len, &no), "NOTIFICATION");
				break;
			case BGP_MSG_KEEPALIVE:
				break;
			case BGP_MSG_ROUTE_REFRESH:
				ASSERT_OK(bgp_route_refresh_decode(body, len, &afi, &safi, &err),
					  "ROUTE-REFRESH");
				break;
			}
			off += h.length;
		}
		ASSERT_EQ(off, n, "stream ends at a message boundary");
		ASSERT_EQ(counts[BGP_MSG_OPEN], 1, "one OPEN");
		ASSERT_GE(counts[BGP_MSG_KEEPALIVE], 2, "KEEPALIVEs");
		ASSERT_GE(counts[BGP_MSG_UPDATE], 1, "UPDATEs");
		printf("    %zu OPEN, %zu UPDATE, %zu NOTIFICATION, %zu KEEPALIVE, "
		       "%zu ROUTE-REFRESH\n",
		       counts[1], counts[2], counts[3], counts[4], counts[5]);
	}
	test_ctx(NULL);
}

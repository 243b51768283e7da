// SPDX-License-Identifier: GPL-2.0
/*
 * OPEN messages (agent/bgp/msg_open.c): what we send byte for byte
 * (capabilities, AS_TRANS, graceful restart only when asked), a table of
 * received OPENs with the capabilities they negotiate (4-octet AS,
 * AS_TRANS, unknown capabilities ignored, several parameters, RFC 9072
 * extended parameters) and one with every NOTIFICATION the decoder can
 * ask for, code, subcode and data.
 */
#include <errno.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp_test.h"

/* 192.0.2.1 as the BGP Identifier */
#define ID_192_0_2_1 __builtin_bswap32(0xc0000201)	/* little-endian host */

struct open_enc_case {
	const char *name;
	struct bgp_open o;
	int ret;
	const char *body;	/* hex */
};

static const struct open_enc_case open_enc_cases[] = {
	{ "dual stack, 2-octet AS",
	  { .as = 65001, .hold_time = 90, .bgp_id = ID_192_0_2_1, .cap_mp_v4 = true,
	    .cap_mp_v6 = true, .cap_route_refresh = true, .cap_as4 = true },
	  0,
	  "04 fde9 005a c0000201 16 02 14 | 0104 0001 00 01 | 0104 0002 00 01 | 0200 |"
	  " 4104 0000fde9" },
	{ "4-octet AS: AS_TRANS in My AS",
	  { .as = 4200000000u, .hold_time = 9, .bgp_id = ID_192_0_2_1, .cap_mp_v4 = true,
	    .cap_as4 = true },
	  0, "04 5ba0 0009 c0000201 0e 02 0c | 0104 0001 00 01 | 4104 fa56ea00" },
	{ "graceful restart when asked",
	  { .as = 65001, .hold_time = 0, .bgp_id = ID_192_0_2_1, .cap_mp_v4 = true,
	    .cap_mp_v6 = true, .cap_as4 = true, .cap_gr = true, .gr_time = 120 },
	  0,
	  "04 fde9 0000 c0000201 20 02 1e | 0104 0001 00 01 | 0104 0002 00 01 |"
	  " 400a 0078 0001 01 80 0002 01 80 | 4104 0000fde9" },
	{ "graceful restart time kept to 12 bits",
	  { .as = 65001, .hold_time = 3, .bgp_id = ID_192_0_2_1, .cap_as4 = true, .cap_gr = true,
	    .gr_time = 0xffff },
	  0, "04 fde9 0003 c0000201 0c 02 0a | 4002 0fff | 4104 0000fde9" },
	{ "no capabilities: no parameter",
	  { .as = 65001, .hold_time = 180, .bgp_id = ID_192_0_2_1 }, 0,
	  "04 fde9 00b4 c0000201 00" },
	{ "4-octet AS without the capability", { .as = 65536, .bgp_id = ID_192_0_2_1 }, -EINVAL,
	  "" },
	{ "AS 0", { .as = 0, .bgp_id = ID_192_0_2_1, .cap_as4 = true }, -EINVAL, "" },
	{ "hold time 1", { .as = 1, .hold_time = 1, .bgp_id = ID_192_0_2_1 }, -EINVAL, "" },
	{ "hold time 2", { .as = 1, .hold_time = 2, .bgp_id = ID_192_0_2_1 }, -EINVAL, "" },
};

void test_bgp_open_encode(void)
{
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(open_enc_cases) / sizeof(open_enc_cases[0]); i++) {
		const struct open_enc_case *c = &open_enc_cases[i];

		test_ctx("%s", c->name);
		buf_reset(&out);
		ASSERT_EQ(bgp_open_encode(&out, &c->o), c->ret, "result");
		if (c->ret) {
			ASSERT_EQ(out.len, 0, "nothing written");
			continue;
		}
		t_expect_msg(&out, BGP_MSG_OPEN, c->body, "message");
	}
	test_ctx(NULL);
	buf_free(&out);
}

/* What we send decodes to what we meant. */
void test_bgp_open_round_trip(void)
{
	struct bgp_open o;
	struct bgp_err err;
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(open_enc_cases) / sizeof(open_enc_cases[0]); i++) {
		const struct open_enc_case *c = &open_enc_cases[i];

		if (c->ret)
			continue;
		test_ctx("%s", c->name);
		buf_reset(&out);
		if (!ASSERT_OK(bgp_open_encode(&out, &c->o), "encode"))
			continue;
		if (!ASSERT_OK(bgp_open_decode((__u8 *)out.data + BGP_HDR_LEN,
					       out.len - BGP_HDR_LEN, &o, &err),
			       "decode"))
			continue;
		ASSERT_EQ(o.version, 4, "version");
		ASSERT_EQ(o.as, c->o.as, "as");
		ASSERT_EQ(o.hold_time, c->o.hold_time, "hold time");
		ASSERT_EQ(o.bgp_id, c->o.bgp_id, "id");
		ASSERT_EQ(o.cap_mp_v4, c->o.cap_mp_v4, "mp v4");
		ASSERT_EQ(o.cap_mp_v6, c->o.cap_mp_v6, "mp v6");
		ASSERT_EQ(o.cap_route_refresh, c->o.cap_route_refresh, "route refresh");
		ASSERT_EQ(o.cap_as4, c->o.cap_as4, "as4");
		ASSERT_EQ(o.cap_gr, c->o.cap_gr, "gr");
		ASSERT_EQ(o.gr_time, c->o.gr_time & 0xfff, "gr time");
		ASSERT_EQ(o.unknown_caps, 0, "no unknown capabilities");
		ASSERT_EQ(o.any_caps, c->o.cap_mp_v4 || c->o.cap_as4, "capabilities present");
	}
	test_ctx(NULL);
	buf_free(&out);
}

/* The fixed part: version 4, AS 65001, hold 90, 192.0.2.1 */
#define FIXED "04 fde9 005a c0000201"

struct open_dec_case {
	const char *name;
	const char *body;	/* hex */
	/* ok: what it negotiates */
	__u32 as;
	bool mp_v4, mp_v6, rr, as4, gr, any_caps;
	size_t unknown;
	/* error: the NOTIFICATION */
	__u8 code, subcode;
	const char *data;	/* hex */
};

#define OK_CASE(name, body, as, v4, v6, rr, as4, gr, any, unknown)                                \
	{ name, body, as, v4, v6, rr, as4, gr, any, unknown, 0, 0, "" }
#define ERR_CASE(name, body, code, sub, data)                                                     \
	{ name, body, 0, false, false, false, false, false, false, 0, code, sub, data }

static const struct open_dec_case open_dec_cases[] = {
	OK_CASE("no parameters", FIXED "00", 65001, 0, 0, 0, 0, 0, 0, 0),
	OK_CASE("one parameter, all capabilities",
		FIXED "16 02 14 0104 0001 0001 0104 0002 0001 0200 4104 0000fde9", 65001, 1, 1, 1,
		1, 0, 1, 0),
	OK_CASE("one parameter per capability",
		FIXED "1c 0206 0104 0001 0001 0206 0104 0002 0001 0202 0200 0206 4104 0000fde9",
		65001, 1, 1, 1, 1, 0, 1, 0),
	OK_CASE("AS_TRANS and the real AS in the capability",
		"04 5ba0 005a c0000201 08 0206 4104 fa56ea00", 4200000000u, 0, 0, 0, 1, 0, 1, 0),
	OK_CASE("AS_TRANS without the capability is AS 23456",
		"04 5ba0 005a c0000201 00", 23456, 0, 0, 0, 0, 0, 0, 0),
	OK_CASE("2-octet AS in the capability too",
		FIXED "08 0206 4104 0000fde9", 65001, 0, 0, 0, 1, 0, 1, 0),
	OK_CASE("unknown capabilities ignored",
		FIXED "1a 02 18 4600 0600 0500 0904 00000000 4902 0000 8000 4104 0000fde9", 65001,
		0, 0, 0, 1, 0, 1, 6),
	OK_CASE("unknown families ignored",
		FIXED "14 02 12 0104 0001 0085 0104 0019 0046 0104 0002 0080", 65001, 0, 0, 0, 0,
		0, 1, 0),
	OK_CASE("graceful restart with families",
		FIXED "0e 02 0c 400a 8078 0001 0180 0002 0100", 65001, 0, 0, 0, 0, 1, 1, 0),
	OK_CASE("graceful restart without families", FIXED "06 02 04 4002 0000", 65001, 0, 0, 0,
		0, 1, 1, 0),
	OK_CASE("empty capabilities parameter", FIXED "02 0200", 65001, 0, 0, 0, 0, 0, 1, 0),
	OK_CASE("hold time 0", "04 fde9 0000 c0000201 00", 65001, 0, 0, 0, 0, 0, 0, 0),
	OK_CASE("hold time 3", "04 fde9 0003 c0000201 00", 65001, 0, 0, 0, 0, 0, 0, 0),
	OK_CASE("identifier 255.255.255.255 (RFC 6286)", "04 fde9 005a ffffffff 00", 65001, 0, 0,
		0, 0, 0, 0, 0),
	OK_CASE("RFC 9072 extended parameters", FIXED "ff ff 0009 02 0006 4104 0000fde9", 65001,
		0, 0, 0, 1, 0, 1, 0),
	OK_CASE("RFC 9072 extended, two parameters",
		FIXED "ff ff 0012 02 0006 4104 0000fde9 02 0006 0104 0002 0001", 65001, 0, 1, 0, 1,
		0, 1, 0),

	ERR_CASE("version 3", "03 fde9 005a c0000201 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSUPPORTED_VERSION, "0004"),
	ERR_CASE("version 5", "05 fde9 005a c0000201 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSUPPORTED_VERSION, "0004"),
	ERR_CASE("hold time 1", "04 fde9 0001 c0000201 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNACCEPTABLE_HOLD, ""),
	ERR_CASE("hold time 2", "04 fde9 0002 c0000201 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNACCEPTABLE_HOLD, ""),
	ERR_CASE("identifier 0", "04 fde9 005a 00000000 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_BAD_BGP_ID, ""),
	ERR_CASE("My AS 0", "04 0000 005a c0000201 00", BGP_ERR_OPEN, BGP_ERR_OPEN_BAD_PEER_AS,
		 ""),
	ERR_CASE("4-octet AS 0", "04 5ba0 005a c0000201 08 0206 4104 00000000", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_BAD_PEER_AS, ""),
	ERR_CASE("authentication parameter (type 1)", FIXED "03 01 01 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSUPPORTED_PARAM, ""),
	ERR_CASE("unknown parameter after capabilities", FIXED "0a 0206 4104 0000fde9 0700",
		 BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUPPORTED_PARAM, ""),
	ERR_CASE("parameters longer than the message", FIXED "09 0206 4104 0000fde9",
		 BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("bytes after the parameters", FIXED "08 0206 4104 0000fde9 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("parameter overruns", FIXED "04 0207 4104 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("parameter header cut", FIXED "01 02", BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC,
		 ""),
	ERR_CASE("capability overruns its parameter", FIXED "06 0204 4104 0000", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("capability header cut", FIXED "03 0201 41", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("multiprotocol of 3 bytes", FIXED "07 0205 0103 000100", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("4-octet AS of 2 bytes", FIXED "06 0204 4102 fde9", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("route refresh with a value", FIXED "05 0203 0201 00", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("graceful restart of 3 bytes", FIXED "07 0205 4003 000000", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("RFC 9072 length cut", FIXED "ff ff 00", BGP_ERR_OPEN, BGP_ERR_OPEN_UNSPECIFIC,
		 ""),
	ERR_CASE("RFC 9072 parameter overruns", FIXED "ff ff 0005 02 0006 4104", BGP_ERR_OPEN,
		 BGP_ERR_OPEN_UNSPECIFIC, ""),
	ERR_CASE("too short for an OPEN", "04 fde9 005a c0", BGP_ERR_HEADER,
		 BGP_ERR_HEADER_BAD_LENGTH, "0019"),
};

void test_bgp_open_decode_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(open_dec_cases) / sizeof(open_dec_cases[0]); i++) {
		const struct open_dec_case *c = &open_dec_cases[i];
		__u8 body[128], data[16];
		long n = t_hex(c->body, body, sizeof(body));
		long dn = t_hex(c->data, data, sizeof(data));
		struct bgp_open o;
		struct bgp_err err;
		int ret;

		test_ctx("%s", c->name);
		memset(&err, 0xa5, sizeof(err));
		ret = bgp_open_decode(body, n, &o, &err);
		if (c->code) {
			ASSERT_EQ(ret, -EBADMSG, "refused");
			ASSERT_EQ(err.code, c->code, "code");
			ASSERT_EQ(err.subcode, c->subcode, "subcode");
			ASSERT_PKT_EQ(err.data, err.data_len, data, dn, "data");
			ASSERT_TRUE(err.text[0], "text");
			continue;
		}
		if (!ASSERT_OK(ret, "decodes")) {
			printf("    %s\n", err.text);
			continue;
		}
		ASSERT_EQ(err.code, 0, "no error");
		ASSERT_EQ(o.version, 4, "version");
		ASSERT_EQ(o.as, c->as, "as");
		ASSERT_EQ(o.cap_mp_v4, c->mp_v4, "mp v4");
		ASSERT_EQ(o.cap_mp_v6, c->mp_v6, "mp v6");
		ASSERT_EQ(o.cap_route_refresh, c->rr, "route refresh");
		ASSERT_EQ(o.cap_as4, c->as4, "as4");
		ASSERT_EQ(o.cap_gr, c->gr, "gr");
		ASSERT_EQ(o.any_caps, c->any_caps, "any caps");
		ASSERT_EQ(o.unknown_caps, c->unknown, "unknown caps");
	}
	test_ctx(NULL);
}

/* Fields of a decoded OPEN that the table does not show. */
void test_bgp_open_decode_fields(void)
{
	__u8 body[64];
	long n = t_hex("04 fde9 00b4 c6336401 0e 02 0c 400a 8078 0001 0180 0002 0100", body,
		       sizeof(body));
	struct bgp_open o;
	struct bgp_err err;

	if (!ASSERT_OK(bgp_open_decode(body, n, &o, &err), "decode"))
		return;
	ASSERT_EQ(o.hold_time, 180, "hold time");
	ASSERT_EQ(o.bgp_id, htonl(0xc6336401), "identifier in network order");
	ASSERT_EQ(o.gr_time, 120, "restart time without the flags");
}

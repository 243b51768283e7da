// SPDX-License-Identifier: GPL-2.0
/*
 * The small BGP messages (agent/bgp/msg_header.c, msg_notification.c,
 * msg_route_refresh.c) and their helpers: the bounded reader never reads
 * past its end, every header error with its NOTIFICATION data (RFC 4271
 * sec 6.1), KEEPALIVE, NOTIFICATION with the
 * RFC 8203/9003 shutdown communication (truncated at 255 bytes on a
 * character boundary; decoded tolerantly into printable text),
 * ROUTE-REFRESH and its RFC 7313 length error, error names.
 */
#include <errno.h>
#include <string.h>

#include "bgp/msg.h"
#include "bgp/nlri.h"
#include "bgp/reader.h"
#include "bgp_test.h"

void test_bgp_reader_bounds(void)
{
	static const __u8 data[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct bgp_reader r, sub;
	__u8 b8, bytes[8];
	__u16 b16;
	__u32 b32;

	bgp_reader_init(&r, data, sizeof(data));
	ASSERT_OK(bgp_get_u32(&r, &b32), "u32");
	ASSERT_EQ(b32, 0x01020304, "u32 network order");
	ASSERT_EQ(bgp_get_u32(&r, &b32), -1, "u32 past the end");
	ASSERT_EQ(r.off, 4, "nothing consumed on underrun");
	ASSERT_OK(bgp_get_u16(&r, &b16), "u16");
	ASSERT_EQ(b16, 0x0506, "u16 network order");
	ASSERT_EQ(bgp_get_u16(&r, &b16), -1, "u16 past the end");
	ASSERT_EQ(bgp_get_bytes(&r, bytes, 2), -1, "bytes past the end");
	ASSERT_EQ(bgp_skip(&r, 2), -1, "skip past the end");
	ASSERT_EQ(bgp_get_sub(&r, 2, &sub), -1, "sub past the end");
	ASSERT_OK(bgp_get_u8(&r, &b8), "u8");
	ASSERT_EQ(b8, 7, "last byte");
	ASSERT_EQ(bgp_get_u8(&r, &b8), -1, "u8 at the end");
	ASSERT_EQ(bgp_left(&r), 0, "all read");

	/* a sub-reader ends where its field ends */
	bgp_reader_init(&r, data, sizeof(data));
	ASSERT_OK(bgp_get_sub(&r, 3, &sub), "sub");
	ASSERT_EQ(bgp_left(&sub), 3, "sub length");
	ASSERT_EQ(bgp_get_u32(&sub, &b32), -1, "sub cannot read into the next field");
	ASSERT_OK(bgp_get_bytes(&sub, bytes, 3), "sub bytes");
	ASSERT_EQ(bgp_left(&r), 4, "parent moved past the field");

	/* an empty reader over NULL */
	bgp_reader_init(&r, NULL, 100);
	ASSERT_EQ(bgp_left(&r), 0, "NULL reader is empty");
	ASSERT_EQ(bgp_get_u8(&r, &b8), -1, "NULL reader has nothing");
	ASSERT_OK(bgp_get_sub(&r, 0, &sub), "empty sub of an empty reader");
}

void test_bgp_nlri_codec(void)
{
	static const struct {
		const char *prefix;
		const char *hex;
	} cases[] = {
		{ "198.51.100.1/32", "20 c6336401" },
		{ "198.51.100.0/24", "18 c63364" },
		{ "198.51.100.128/25", "19 c6336480" },
		{ "0.0.0.0/0", "00" },
		{ "2001:db8::1/128", "80 20010db8000000000000000000000001" },
		{ "2001:db8::/32", "20 20010db8" },
		{ "2001:db8::/33", "21 20010db800" },
	};
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bgp_prefix p = t_prefix(cases[i].prefix), q;
		__u8 want[32];
		long n = t_hex(cases[i].hex, want, sizeof(want));
		struct bgp_reader r;

		test_ctx("%s", cases[i].prefix);
		buf_reset(&out);
		ASSERT_OK(bgp_nlri_put(&out, &p), "encode");
		ASSERT_PKT_EQ(out.data, out.len, want, n, "bytes");
		ASSERT_EQ(bgp_nlri_size(&p), n, "size");
		bgp_reader_init(&r, want, n);
		ASSERT_OK(bgp_nlri_get(&r, p.family, &q), "decode");
		ASSERT_EQ(q.len, p.len, "length");
		ASSERT_MEMEQ(q.addr.bytes, p.addr.bytes, 16, "address");
		ASSERT_EQ(bgp_left(&r), 0, "all read");
	}
	test_ctx(NULL);

	/* host bits are cleared on both sides (RFC 4271 sec 4.3) */
	{
		struct bgp_prefix p = t_prefix("198.51.100.77/24"), q;
		__u8 in[] = { 24, 198, 51, 100 }, in_bits[] = { 20, 198, 51, 111 };
		struct bgp_reader r;

		buf_reset(&out);
		ASSERT_OK(bgp_nlri_put(&out, &p), "encode with host bits");
		ASSERT_PKT_EQ(out.data, out.len, in, sizeof(in), "host bits dropped");
		bgp_reader_init(&r, in_bits, sizeof(in_bits));
		ASSERT_OK(bgp_nlri_get(&r, XLB_FAMILY_V4, &q), "decode /20");
		ASSERT_EQ(q.addr.bytes[2], 96, "bits past /20 cleared");
	}
	/* malformed: too long for the family, or past the end */
	{
		static const char *const bad4[] = { "21 c6336401 00", "20 c63364", "08" };
		static const char *const bad6[] = { "81 20010db8000000000000000000000001 00",
						    "80 20010db8" };
		struct bgp_prefix p = t_prefix("2001:db8::1/129"), q;
		struct bgp_reader r;
		__u8 b[32];
		long n;

		for (i = 0; i < 3; i++) {
			n = t_hex(bad4[i], b, sizeof(b));
			bgp_reader_init(&r, b, n);
			ASSERT_EQ(bgp_nlri_get(&r, XLB_FAMILY_V4, &q), -1, bad4[i]);
			ASSERT_EQ(r.off, 0, "nothing consumed");
		}
		for (i = 0; i < 2; i++) {
			n = t_hex(bad6[i], b, sizeof(b));
			bgp_reader_init(&r, b, n);
			ASSERT_EQ(bgp_nlri_get(&r, XLB_FAMILY_V6, &q), -1, bad6[i]);
		}
		ASSERT_EQ(bgp_nlri_put(&out, &p), -EINVAL, "encode /129");
		p.family = 0;
		ASSERT_EQ(bgp_nlri_put(&out, &p), -EINVAL, "encode unknown family");
	}
	buf_free(&out);
}

struct hdr_case {
	const char *name;
	const char *hex;	/* the first bytes received */
	int ret;
	__u8 code, subcode;
	const char *data;	/* NOTIFICATION data in hex */
	__u16 length;		/* when ret == 0 */
	__u8 type;
};

#define MARKER "ffffffffffffffffffffffffffffffff"

static const struct hdr_case hdr_cases[] = {
	{ "keepalive", MARKER "0013 04", 0, 0, 0, "", 19, BGP_MSG_KEEPALIVE },
	{ "open, only the header here", MARKER "001d 01", 0, 0, 0, "", 29, BGP_MSG_OPEN },
	{ "update max length", MARKER "1000 02", 0, 0, 0, "", 4096, BGP_MSG_UPDATE },
	{ "notification min", MARKER "0015 03", 0, 0, 0, "", 21, BGP_MSG_NOTIFICATION },
	{ "route refresh", MARKER "0017 05", 0, 0, 0, "", 23, BGP_MSG_ROUTE_REFRESH },
	{ "route refresh, length left to its decoder", MARKER "0018 05", 0, 0, 0, "", 24,
	  BGP_MSG_ROUTE_REFRESH },
	{ "marker", "ffffffffffffffffffffffffffff7fff 0013 04", -EBADMSG, BGP_ERR_HEADER,
	  BGP_ERR_HEADER_NOT_SYNC, "" },
	{ "marker of zeroes", "00000000000000000000000000000000 0013 04", -EBADMSG,
	  BGP_ERR_HEADER, BGP_ERR_HEADER_NOT_SYNC, "" },
	{ "length 18", MARKER "0012 04", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH,
	  "0012" },
	{ "length 0", MARKER "0000 02", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH,
	  "0000" },
	{ "length 4097", MARKER "1001 02", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH,
	  "1001" },
	{ "keepalive of 20", MARKER "0014 04", -EBADMSG, BGP_ERR_HEADER,
	  BGP_ERR_HEADER_BAD_LENGTH, "0014" },
	{ "open of 28", MARKER "001c 01", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH,
	  "001c" },
	{ "update of 22", MARKER "0016 02", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH,
	  "0016" },
	{ "notification of 20", MARKER "0014 03", -EBADMSG, BGP_ERR_HEADER,
	  BGP_ERR_HEADER_BAD_LENGTH, "0014" },
	{ "type 0", MARKER "0013 00", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_TYPE, "00" },
	{ "type 6", MARKER "0013 06", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_TYPE, "06" },
	{ "type 255", MARKER "0020 ff", -EBADMSG, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_TYPE, "ff" },
	{ "18 bytes: not a header yet", MARKER "0013", -EINVAL, 0, 0, "" },
};

void test_bgp_hdr_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
		const struct hdr_case *c = &hdr_cases[i];
		__u8 buf[64], data[8];
		long n = t_hex(c->hex, buf, sizeof(buf)), dn = t_hex(c->data, data, sizeof(data));
		struct bgp_hdr h = {};
		struct bgp_err err;

		test_ctx("%s", c->name);
		memset(&err, 0xa5, sizeof(err));
		ASSERT_EQ(bgp_hdr_decode(buf, n, &h, &err), c->ret, "result");
		ASSERT_EQ(err.code, c->code, "code");
		ASSERT_EQ(err.subcode, c->subcode, "subcode");
		ASSERT_PKT_EQ(err.data, err.data_len, data, dn, "data");
		if (c->ret == -EBADMSG)
			ASSERT_TRUE(err.text[0], "text");
		if (c->ret)
			continue;
		ASSERT_EQ(h.length, c->length, "length");
		ASSERT_EQ(h.type, c->type, "type");
	}
	test_ctx(NULL);
}

void test_bgp_keepalive_encode(void)
{
	struct buf out;

	buf_init(&out, 0);
	ASSERT_OK(bgp_keepalive_encode(&out), "encode");
	t_expect_msg(&out, BGP_MSG_KEEPALIVE, "", "keepalive");
	/* a full buffer: nothing half-written */
	buf_free(&out);
	buf_init(&out, 10);
	ASSERT_EQ(bgp_keepalive_encode(&out), -ENOBUFS, "no room");
	ASSERT_EQ(out.len, 0, "nothing written");
	buf_free(&out);
}

struct notif_enc_case {
	const char *name;
	__u8 code, subcode;
	const char *data;	/* hex */
	const char *text;
	const char *body;	/* hex of the body we must send */
};

static const struct notif_enc_case notif_enc_cases[] = {
	{ "hold timer", BGP_ERR_HOLD_TIMER, 0, "", NULL, "04 00" },
	{ "bad length with data", BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, "0012", NULL,
	  "01 02 0012" },
	{ "unsupported version", BGP_ERR_OPEN, BGP_ERR_OPEN_UNSUPPORTED_VERSION, "0004", NULL,
	  "02 01 0004" },
	{ "shutdown communication", BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "",
	  "maintenance", "06 02 0b 6d61696e74656e616e6365" },
	{ "reset communication", BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET, "", "bye",
	  "06 04 03 627965" },
	{ "UTF-8 communication", BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "", "caf\xc3\xa9",
	  "06 02 05 636166c3a9" },
	{ "bytes that are not UTF-8 replaced", BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "",
	  "a\xff" "b\xc3", "06 02 04 613f623f" },
	{ "empty text: no communication", BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, "", "",
	  "06 02" },
	{ "text ignored for other subcodes", BGP_ERR_CEASE, BGP_ERR_CEASE_PEER_DECONFIGURED, "",
	  "gone", "06 03" },
	{ "text ignored for other codes", BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT, "", "x", "05 01" },
	{ "max prefix data", BGP_ERR_CEASE, BGP_ERR_CEASE_MAX_PREFIX, "0001 01 00000064", NULL,
	  "06 01 0001 01 00000064" },
};

void test_bgp_notification_encode(void)
{
	struct buf out;
	size_t i;

	buf_init(&out, 0);
	for (i = 0; i < sizeof(notif_enc_cases) / sizeof(notif_enc_cases[0]); i++) {
		const struct notif_enc_case *c = &notif_enc_cases[i];
		__u8 data[64];
		long n = t_hex(c->data, data, sizeof(data));

		test_ctx("%s", c->name);
		buf_reset(&out);
		ASSERT_OK(bgp_notification_encode(&out, c->code, c->subcode, data, n, c->text),
			  "encode");
		t_expect_msg(&out, BGP_MSG_NOTIFICATION, c->body, "message");
	}
	test_ctx(NULL);
	buf_free(&out);
}

/* RFC 9003: at most 255 bytes, cut between characters. */
void test_bgp_notification_shutdown_long(void)
{
	char text[700];
	struct bgp_notification n;
	struct buf out;
	__u8 *p;
	size_t i;

	buf_init(&out, 0);
	/* 300 ASCII bytes: the first 255 */
	memset(text, 'a', 300);
	text[300] = '\0';
	ASSERT_OK(bgp_notification_encode(&out, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL,
					  0, text),
		  "encode 300");
	p = (__u8 *)out.data;
	ASSERT_EQ(out.len, BGP_HDR_LEN + 2 + 1 + 255, "message length");
	ASSERT_EQ(p[BGP_HDR_LEN + 2], 255, "communication length");
	ASSERT_OK(bgp_notification_decode(p + BGP_HDR_LEN, out.len - BGP_HDR_LEN, &n), "decode");
	ASSERT_EQ(strlen(n.text), 255, "all 255 bytes shown");

	/* 200 two-byte characters: 127 of them (254 bytes), not half of one */
	for (i = 0; i < 200; i++)
		memcpy(text + 2 * i, "\xc3\xa9", 2);
	text[400] = '\0';
	buf_reset(&out);
	ASSERT_OK(bgp_notification_encode(&out, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN, NULL,
					  0, text),
		  "encode 2-byte characters");
	p = (__u8 *)out.data;
	ASSERT_EQ(p[BGP_HDR_LEN + 2], 254, "cut at a character");
	ASSERT_EQ(out.len, BGP_HDR_LEN + 3 + 254, "message length");
	ASSERT_EQ(p[out.len - 1], 0xa9, "last character whole");
	ASSERT_OK(bgp_notification_decode(p + BGP_HDR_LEN, out.len - BGP_HDR_LEN, &n), "decode");
	ASSERT_EQ(strlen(n.text), 254, "shown whole");

	/* 4-byte characters: 63 of them (252 bytes) */
	for (i = 0; i < 100; i++)
		memcpy(text + 4 * i, "\xf0\x9f\x98\x80", 4);
	text[400] = '\0';
	buf_reset(&out);
	ASSERT_OK(bgp_notification_encode(&out, BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET, NULL, 0,
					  text),
		  "encode 4-byte characters");
	ASSERT_EQ(((__u8 *)out.data)[BGP_HDR_LEN + 2], 252, "cut at a character");
	buf_free(&out);
}

struct notif_dec_case {
	const char *name;
	const char *body;	/* hex */
	int ret;
	__u8 code, subcode;
	const char *text;
};

static const struct notif_dec_case notif_dec_cases[] = {
	{ "no data", "04 00", 0, 4, 0, "" },
	{ "shutdown", "06 02 0b 6d61696e74656e616e6365", 0, 6, 2, "maintenance" },
	{ "reset", "06 04 03 627965", 0, 6, 4, "bye" },
	{ "empty communication", "06 02 00", 0, 6, 2, "" },
	{ "UTF-8 kept", "06 02 05 636166c3a9", 0, 6, 2, "caf\xc3\xa9" },
	{ "control characters escaped", "06 02 05 610a621b63", 0, 6, 2, "a\\x0ab\\x1bc" },
	{ "DEL and C1 escaped", "06 02 04 7f c285 41", 0, 6, 2, "\\x7f\\xc2\\x85A" },
	{ "not UTF-8 escaped", "06 02 04 61ff62c3", 0, 6, 2, "a\\xffb\\xc3" },
	{ "overlong escaped", "06 02 02 c0af", 0, 6, 2, "\\xc0\\xaf" },
	{ "surrogate escaped", "06 02 03 eda080", 0, 6, 2, "\\xed\\xa0\\x80" },
	{ "length past the data: hex", "06 02 05 6162", 0, 6, 2, "data 05 61 62" },
	{ "length short of the data: hex", "06 02 01 6162", 0, 6, 2, "data 01 61 62" },
	{ "other subcode: hex", "06 01 0001 01 00000064", 0, 6, 1,
	  "data 00 01 01 00 00 00 64" },
	{ "version data", "02 01 0004", 0, 2, 1, "data 00 04" },
	{ "unknown code", "09 09 ff", 0, 9, 9, "data ff" },
	{ "one byte", "06", -EBADMSG, 6, 0, "" },
	{ "empty", "", -EBADMSG, 0, 0, "" },
};

void test_bgp_notification_decode(void)
{
	size_t i;

	for (i = 0; i < sizeof(notif_dec_cases) / sizeof(notif_dec_cases[0]); i++) {
		const struct notif_dec_case *c = &notif_dec_cases[i];
		struct bgp_notification n;
		__u8 body[300];
		long len = t_hex(c->body, body, sizeof(body));

		test_ctx("%s", c->name);
		memset(&n, 0xa5, sizeof(n));
		ASSERT_EQ(bgp_notification_decode(body, len, &n), c->ret, "result");
		if (c->ret)
			continue;
		ASSERT_EQ(n.code, c->code, "code");
		ASSERT_EQ(n.subcode, c->subcode, "subcode");
		ASSERT_STREQ(n.text, c->text, "text");
	}
	test_ctx(NULL);
}

/* Whatever the data, the text is printable, bounded and terminated. */
void test_bgp_notification_decode_printable(void)
{
	struct bgp_notification n;
	__u8 body[2 + 1 + 255 + 2000];
	size_t i, j;

	/* a 255-byte communication of every byte value, and long data */
	body[0] = BGP_ERR_CEASE;
	body[1] = BGP_ERR_CEASE_ADMIN_SHUTDOWN;
	body[2] = 255;
	for (i = 0; i < 255 + 2000; i++)
		body[3 + i] = i;
	for (i = 0; i < 2; i++) {
		size_t len = i ? sizeof(body) : 3 + 255;

		test_ctx("%s", i ? "long data" : "every byte");
		ASSERT_OK(bgp_notification_decode(body, len, &n), "decode");
		ASSERT_LT(strlen(n.text), sizeof(n.text), "terminated");
		for (j = 0; n.text[j]; j++)
			if (!ASSERT_TRUE((__u8)n.text[j] >= 0x20 && n.text[j] != 0x7f, "printable"))
				break;
		ASSERT_TRUE(strstr(n.text, "..."), "marked as cut");
	}
	test_ctx(NULL);
}

void test_bgp_route_refresh(void)
{
	__u8 body[16], want[64];
	struct bgp_err err;
	struct buf out;
	__u16 afi;
	__u8 safi;
	long n;

	buf_init(&out, 0);
	ASSERT_OK(bgp_route_refresh_encode(&out, BGP_AFI_IPV6, BGP_SAFI_UNICAST), "encode");
	t_expect_msg(&out, BGP_MSG_ROUTE_REFRESH, "0002 00 01", "IPv6 unicast");
	buf_free(&out);

	n = t_hex("0001 00 01", body, sizeof(body));
	ASSERT_OK(bgp_route_refresh_decode(body, n, &afi, &safi, &err), "decode");
	ASSERT_EQ(afi, BGP_AFI_IPV4, "afi");
	ASSERT_EQ(safi, BGP_SAFI_UNICAST, "safi");
	n = t_hex("0002 01 01", body, sizeof(body));
	ASSERT_OK(bgp_route_refresh_decode(body, n, &afi, &safi, &err), "BoRR subtype accepted");
	ASSERT_EQ(afi, BGP_AFI_IPV6, "afi");

	/* RFC 7313 sec 5: the data is the whole message */
	n = t_hex("0001 00 01 00", body, sizeof(body));
	ASSERT_EQ(bgp_route_refresh_decode(body, n, &afi, &safi, &err), -EBADMSG, "5 bytes");
	ASSERT_EQ(err.code, BGP_ERR_ROUTE_REFRESH, "code");
	ASSERT_EQ(err.subcode, BGP_ERR_RR_INVALID_LENGTH, "subcode");
	n = t_msg(BGP_MSG_ROUTE_REFRESH, "0001 00 01 00", want, sizeof(want));
	ASSERT_PKT_EQ(err.data, err.data_len, want, n, "data");
	ASSERT_EQ(bgp_route_refresh_decode(body, 0, &afi, &safi, &err), -EBADMSG, "empty");
	n = t_msg(BGP_MSG_ROUTE_REFRESH, "", want, sizeof(want));
	ASSERT_PKT_EQ(err.data, err.data_len, want, n, "data of an empty one");
}

void test_bgp_err_name(void)
{
	static const struct {
		__u8 code, subcode;
		const char *name;
	} cases[] = {
		{ 6, 2, "Cease/Administrative Shutdown" },
		{ 6, 10, "Cease/BFD Down" },
		{ 6, 0, "Cease" },
		{ 4, 0, "Hold Timer Expired" },
		{ 1, 2, "Message Header Error/Bad Message Length" },
		{ 2, 0, "OPEN Message Error/Unspecific" },
		{ 2, 6, "OPEN Message Error/Unacceptable Hold Time" },
		{ 3, 11, "UPDATE Message Error/Malformed AS_PATH" },
		{ 3, 7, "UPDATE Message Error/subcode 7" },
		{ 5, 3,
		  "Finite State Machine Error/Receive Unexpected Message in Established State" },
		{ 7, 1, "ROUTE-REFRESH Message Error/Invalid Message Length" },
		{ 0, 0, "error code 0/subcode 0" },
		{ 8, 1, "error code 8/subcode 1" },
		{ 255, 255, "error code 255/subcode 255" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ASSERT_STREQ(bgp_err_name(cases[i].code, cases[i].subcode), cases[i].name,
			     cases[i].name);
	/* every subcode of every enum has a name */
	for (i = 1; i <= 3; i++)
		ASSERT_TRUE(!strstr(bgp_err_name(BGP_ERR_HEADER, i), "subcode"), "header");
	for (i = 0; i <= 7; i++)
		if (i != 5)
			ASSERT_TRUE(!strstr(bgp_err_name(BGP_ERR_OPEN, i), "subcode"), "open");
	for (i = 1; i <= 11; i++)
		if (i != 7)
			ASSERT_TRUE(!strstr(bgp_err_name(BGP_ERR_UPDATE, i), "subcode"), "update");
	for (i = 0; i <= 3; i++)
		ASSERT_TRUE(!strstr(bgp_err_name(BGP_ERR_FSM, i), "subcode"), "fsm");
	for (i = 1; i <= 10; i++)
		ASSERT_TRUE(!strstr(bgp_err_name(BGP_ERR_CEASE, i), "subcode"), "cease");
}

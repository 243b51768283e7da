/* SPDX-License-Identifier: GPL-2.0 */
/*
 * BGP-4 messages (RFC 4271 sec 4): encoders and decoders, nothing else.
 * Decoders read through a bounded reader and never trust a length; on
 * malformed input they return -EBADMSG and fill struct bgp_err with the
 * NOTIFICATION the caller must send (the FSM decides what to do).
 *
 * Supported: OPEN with capabilities (RFC 5492): multiprotocol (RFC 4760),
 * route refresh (RFC 2918), 4-octet AS (RFC 6793), graceful restart
 * (RFC 4724, only when asked); UPDATE with ORIGIN, AS_PATH, NEXT_HOP, MED,
 * LOCAL_PREF, COMMUNITIES (RFC 1997), LARGE_COMMUNITIES (RFC 8092),
 * MP_REACH/MP_UNREACH_NLRI (RFC 4760), AS4_PATH (RFC 6793); incoming
 * UPDATEs fully validated with RFC 7606 error handling; NOTIFICATION with
 * the RFC 8203 shutdown communication; KEEPALIVE; ROUTE-REFRESH.
 * Also read (never sent): RFC 9072 extended optional parameters, RFC 8950
 * IPv6 next hops for IPv4, ATOMIC_AGGREGATE, AGGREGATOR, AS4_AGGREGATOR,
 * EXTENDED COMMUNITIES (RFC 4360), ORIGINATOR_ID and CLUSTER_LIST (RFC
 * 4456); unknown capabilities and optional attributes are skipped.
 *
 * Implementation: reader.c (bounded reads), writer.c (framing), nlri.c
 * (prefixes), attrs.c (the attribute table), msg_header.c (header,
 * KEEPALIVE), msg_open.c, msg_update.c, msg_notification.c,
 * msg_route_refresh.c, err.c (names).
 */
#ifndef XLB_BGP_MSG_H
#define XLB_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "lib/buf.h"
#include "xlb_shared.h"

#define BGP_HDR_LEN		19
#define BGP_MSG_MAX		4096	/* RFC 4271; no extended messages */
#define BGP_VERSION		4
#define BGP_AS_TRANS		23456	/* RFC 6793 */
#define BGP_PORT		179

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,
};

/* NOTIFICATION error codes (RFC 4271 sec 4.5, RFC 7313) */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD_TIMER = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,
};

enum bgp_err_header_sub {
	BGP_ERR_HEADER_NOT_SYNC = 1,
	BGP_ERR_HEADER_BAD_LENGTH = 2,
	BGP_ERR_HEADER_BAD_TYPE = 3,
};

enum bgp_err_open_sub {
	BGP_ERR_OPEN_UNSPECIFIC = 0,	/* a recognized parameter is malformed */
	BGP_ERR_OPEN_UNSUPPORTED_VERSION = 1,
	BGP_ERR_OPEN_BAD_PEER_AS = 2,
	BGP_ERR_OPEN_BAD_BGP_ID = 3,
	BGP_ERR_OPEN_UNSUPPORTED_PARAM = 4,
	BGP_ERR_OPEN_UNACCEPTABLE_HOLD = 6,
	BGP_ERR_OPEN_UNSUPPORTED_CAPABILITY = 7, /* RFC 5492 */
};

enum bgp_err_update_sub {
	BGP_ERR_UPDATE_MALFORMED_ATTR_LIST = 1,
	BGP_ERR_UPDATE_UNRECOGNIZED_WELLKNOWN = 2,
	BGP_ERR_UPDATE_MISSING_WELLKNOWN = 3,
	BGP_ERR_UPDATE_ATTR_FLAGS = 4,
	BGP_ERR_UPDATE_ATTR_LENGTH = 5,
	BGP_ERR_UPDATE_INVALID_ORIGIN = 6,
	BGP_ERR_UPDATE_INVALID_NEXT_HOP = 8,
	BGP_ERR_UPDATE_OPTIONAL_ATTR = 9,
	BGP_ERR_UPDATE_INVALID_NETWORK = 10,
	BGP_ERR_UPDATE_MALFORMED_AS_PATH = 11,
};

enum bgp_err_fsm_sub {
	BGP_ERR_FSM_UNSPECIFIED = 0,
	BGP_ERR_FSM_OPENSENT = 1,	/* RFC 6608 */
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};

enum bgp_err_cease_sub {
	BGP_ERR_CEASE_MAX_PREFIX = 1,	/* RFC 4486 */
	BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_ERR_CEASE_PEER_DECONFIGURED = 3,
	BGP_ERR_CEASE_ADMIN_RESET = 4,
	BGP_ERR_CEASE_CONNECTION_REJECTED = 5,
	BGP_ERR_CEASE_CONFIG_CHANGE = 6,
	BGP_ERR_CEASE_COLLISION = 7,
	BGP_ERR_CEASE_OUT_OF_RESOURCES = 8,
	BGP_ERR_CEASE_HARD_RESET = 9,	/* RFC 8538 */
	BGP_ERR_CEASE_BFD_DOWN = 10,	/* RFC 9384 */
};

enum bgp_err_rr_sub {
	BGP_ERR_RR_INVALID_LENGTH = 1,	/* RFC 7313 */
};

/* As much data as a NOTIFICATION can carry: RFC 4271 wants some errors to
 * echo a whole attribute back. */
#define BGP_ERR_DATA_MAX (BGP_MSG_MAX - BGP_HDR_LEN - 2)

/* What a decoder found wrong: the NOTIFICATION to send. */
struct bgp_err {
	__u8 code;		/* enum bgp_err_code */
	__u8 subcode;
	__u8 data[BGP_ERR_DATA_MAX];
	size_t data_len;
	char text[128];		/* for logs and `xlbctl bgp show` */
};

/* Address families (RFC 4760) */
#define BGP_AFI_IPV4	1
#define BGP_AFI_IPV6	2
#define BGP_SAFI_UNICAST 1

/* Capability codes (IANA) */
enum bgp_cap_code {
	BGP_CAP_MP = 1,
	BGP_CAP_ROUTE_REFRESH = 2,
	BGP_CAP_GRACEFUL_RESTART = 64,
	BGP_CAP_AS4 = 65,
};

struct bgp_open {
	__u8 version;
	__u32 as;		/* 4-octet AS (from the capability when present) */
	__u16 hold_time;	/* seconds */
	__be32 bgp_id;
	/* capabilities */
	bool cap_mp_v4;		/* multiprotocol IPv4 unicast */
	bool cap_mp_v6;		/* multiprotocol IPv6 unicast */
	bool cap_route_refresh;
	bool cap_as4;
	bool cap_gr;		/* graceful restart (sent only when configured) */
	__u16 gr_time;		/* restart time, seconds */
	bool any_caps;		/* the OPEN carried a capabilities parameter */
	size_t unknown_caps;	/* capabilities we do not know (ignored) */
};

/* Header (RFC 4271 sec 4.1): only the first BGP_HDR_LEN bytes are read
 * (the rest of the message may not have arrived); -EINVAL if len is
 * shorter. Checks the marker, the length (also against the type's
 * minimum; ROUTE-REFRESH's is its decoder's) and the type. */
struct bgp_hdr {
	__u16 length;		/* whole message, header included */
	__u8 type;		/* enum bgp_msg_type */
};
int bgp_hdr_decode(const __u8 *buf, size_t len, struct bgp_hdr *h, struct bgp_err *err);

int bgp_open_encode(struct buf *out, const struct bgp_open *o);
/* body: the message after the 19-byte header. Checks version, hold time
 * (0 or >= 3), BGP identifier (non-zero), parameter and capability
 * encoding. AS and identifier against the configuration are the FSM's. */
int bgp_open_decode(const __u8 *body, size_t len, struct bgp_open *o, struct bgp_err *err);

int bgp_keepalive_encode(struct buf *out);

/* NOTIFICATION; text (may be NULL) becomes the RFC 8203 shutdown
 * communication for Cease/admin-shutdown and Cease/admin-reset (cut to
 * 255 bytes of whole UTF-8 characters, RFC 9003), replacing data; for
 * other codes text is ignored. */
int bgp_notification_encode(struct buf *out, __u8 code, __u8 subcode, const __u8 *data,
			    size_t data_len, const char *text);
struct bgp_notification {
	__u8 code;
	__u8 subcode;
	char text[256];		/* shutdown communication, or a printable form of the data */
};
/* Never fails on what follows code and subcode (-EBADMSG without them):
 * text is the shutdown communication when well formed, else "data" and the
 * bytes in hex; control characters and bytes that are not UTF-8 appear as
 * \xNN, and a text cut to fit ends in "...". */
int bgp_notification_decode(const __u8 *body, size_t len, struct bgp_notification *n);

int bgp_route_refresh_encode(struct buf *out, __u16 afi, __u8 safi);
/* A body that is not 4 bytes is the RFC 7313 error, with the whole
 * message as data. The subtype byte (RFC 7313 BoRR/EoRR) is not checked:
 * answering one by sending the routes again is harmless. */
int bgp_route_refresh_decode(const __u8 *body, size_t len, __u16 *afi, __u8 *safi,
			     struct bgp_err *err);

/* A host route we announce: a /32 or a /128. */
struct bgp_prefix {
	union xlb_addr addr;
	__u8 family;		/* XLB_FAMILY_V4 / XLB_FAMILY_V6 */
	__u8 len;		/* 32 or 128 (decoders accept any valid length) */
};

#define BGP_COMMUNITIES_MAX 32

/* Path attributes of an announcement (what we send). */
struct bgp_attrs {
	bool ibgp;		/* AS_PATH empty (prepend ignored), LOCAL_PREF sent */
	__u32 local_as;
	__u32 prepend;		/* extra copies of local_as (eBGP) */
	union xlb_addr next_hop4; /* IPv4 NEXT_HOP */
	bool has_next_hop4;
	union xlb_addr next_hop6; /* MP_REACH global next hop */
	bool has_next_hop6;
	union xlb_addr next_hop6_ll; /* and link-local, when on a shared link */
	bool has_next_hop6_ll;
	bool has_med;
	__u32 med;
	__u32 local_pref;	/* iBGP only */
	__u32 communities[BGP_COMMUNITIES_MAX];
	size_t n_communities;
	__u32 large_communities[BGP_COMMUNITIES_MAX][3];
	size_t n_large_communities;
};

/*
 * UPDATE messages announcing `prefixes` (one family) with `attrs`, as many
 * as needed to stay within BGP_MSG_MAX; each message is appended to `out`
 * whole. as4: the peer negotiated 4-octet AS (else AS_TRANS + AS4_PATH).
 * IPv4 prefixes go in the classic NLRI, IPv6 in MP_REACH_NLRI.
 */
int bgp_update_encode_announce(struct buf *out, const struct bgp_prefix *prefixes, size_t n,
			       const struct bgp_attrs *attrs, bool as4);
/* UPDATE messages withdrawing prefixes (WITHDRAWN ROUTES / MP_UNREACH). */
int bgp_update_encode_withdraw(struct buf *out, const struct bgp_prefix *prefixes, size_t n);
/* End-of-RIB marker for a family (RFC 4724 sec 2). */
int bgp_update_encode_eor(struct buf *out, __u8 family);

/* What an incoming UPDATE held (xlbd is announce-only: it counts and
 * discards routes it receives). */
struct bgp_update_info {
	size_t announced;	/* prefixes announced (all families) */
	size_t withdrawn;	/* prefixes withdrawn (all families) */
	bool treat_as_withdraw;	/* RFC 7606: a malformed attribute made it a withdrawal */
	size_t attrs_discarded;	/* RFC 7606 attribute-discard cases */
	bool eor;		/* End-of-RIB marker */
	__u16 eor_afi;		/* its family, when eor (BGP_AFI_*) */
	__u8 eor_safi;
};

/*
 * Validate an UPDATE body (RFC 4271 sec 6.3 as revised by RFC 7606).
 * 0: fine (possibly treat-as-withdraw, see info); -EBADMSG: session reset,
 * err holds the NOTIFICATION. as4: 4-octet AS negotiated.
 * On 0 with treat_as_withdraw or attrs_discarded, err describes the first
 * of the worst problems (code, subcode as RFC 4271 would have sent them,
 * text) for the logs only: it must not be sent. Otherwise err.code is 0.
 */
int bgp_update_decode(const __u8 *body, size_t len, bool as4, struct bgp_update_info *info,
		      struct bgp_err *err);

#define BGP_AS_PATH_MAX 64

/*
 * What an UPDATE carried, beyond counts (tests, logs, `xlbctl`). The
 * caller sets the array pointers and sizes (or leaves them NULL/0); the
 * arrays keep the first prefixes that fit, bgp_update_info counts all.
 * Attributes are kept only when well formed; each has_* says if present.
 */
struct bgp_update_rx {
	struct bgp_prefix *nlri;	/* announced: NLRI field, then MP_REACH_NLRI */
	size_t nlri_max;
	size_t n_nlri;
	struct bgp_prefix *withdrawn;	/* Withdrawn Routes, then MP_UNREACH_NLRI */
	size_t withdrawn_max;
	size_t n_withdrawn;

	bool has_origin;
	__u8 origin;			/* 0 IGP, 1 EGP, 2 INCOMPLETE */
	bool has_as_path;
	__u32 as_path[BGP_AS_PATH_MAX];	/* every segment's ASNs, flattened */
	size_t as_path_len;		/* ASNs kept */
	size_t as_path_segs;		/* segments */
	bool has_as4_path;		/* AS4_PATH from a 2-octet peer */
	__u32 as4_path[BGP_AS_PATH_MAX];
	size_t as4_path_len;
	bool has_next_hop4;		/* NEXT_HOP, or a 4-byte MP_REACH next hop */
	union xlb_addr next_hop4;
	bool has_next_hop6;		/* MP_REACH global next hop */
	union xlb_addr next_hop6;
	bool has_next_hop6_ll;		/* and link-local (32-byte next hop) */
	union xlb_addr next_hop6_ll;
	bool has_med;
	__u32 med;
	bool has_local_pref;
	__u32 local_pref;
	__u32 communities[BGP_COMMUNITIES_MAX];
	size_t n_communities;
	__u32 large_communities[BGP_COMMUNITIES_MAX][3];
	size_t n_large_communities;
	size_t n_unknown;		/* optional attributes we do not know (ignored) */
};

/* bgp_update_decode() that also fills rx (may be NULL). */
int bgp_update_parse(const __u8 *body, size_t len, bool as4, struct bgp_update_info *info,
		     struct bgp_update_rx *rx, struct bgp_err *err);

/* Names for logs and xlbctl: "Cease/Administrative Shutdown" etc. */
const char *bgp_err_name(__u8 code, __u8 subcode);

#endif

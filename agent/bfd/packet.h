/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BFD Control packet (RFC 5880 sec 4.1): encode and decode, nothing
 * else. The decoder makes every check of RFC 5880 sec 6.8.6 that needs no
 * session (version, Length against the minimum and against the UDP
 * payload, Detect Mult, the Multipoint bit, My Discriminator, a zero Your
 * Discriminator only in Down/AdminDown) plus two that follow from xlb:
 * a set Authentication bit is refused (xlb configures no authentication,
 * and sec 6.8.6 discards an authenticated packet on a session without
 * it), and so are Poll and Final together (sec 6.5: a packet MUST NOT
 * have both). It returns what is wrong; the caller discards and counts.
 * The checks that need state (the session lookup by discriminator or
 * source, and RFC 5881 sec 5's TTL/hop limit of 255) are the caller's.
 *
 * Intervals are microseconds as on the wire; discriminators host order.
 */
#ifndef XLB_BFD_PACKET_H
#define XLB_BFD_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define BFD_VERSION		1
#define BFD_PKT_LEN		24	/* the mandatory section; all xlb sends */
#define BFD_PKT_AUTH_MIN	26	/* with the A bit: at least Auth Type and Auth Len */
#define BFD_PORT		3784	/* RFC 5881 sec 4: single-hop control */
#define BFD_SRC_PORT_MIN	49152	/* RFC 5881 sec 4: source port range */
#define BFD_SRC_PORT_MAX	65535
#define BFD_TTL			255	/* RFC 5881 sec 5: sent, and required on receipt */

/* Sta field (sec 4.1) */
enum bfd_state {
	BFD_STATE_ADMIN_DOWN = 0,
	BFD_STATE_DOWN = 1,
	BFD_STATE_INIT = 2,
	BFD_STATE_UP = 3,
};

/* Diag field (sec 4.1); 9-31 reserved */
enum bfd_diag {
	BFD_DIAG_NONE = 0,
	BFD_DIAG_DETECT_EXPIRED = 1,	/* Control Detection Time Expired */
	BFD_DIAG_ECHO_FAILED = 2,
	BFD_DIAG_NEIGHBOR_DOWN = 3,	/* Neighbor Signaled Session Down */
	BFD_DIAG_FWD_RESET = 4,		/* Forwarding Plane Reset */
	BFD_DIAG_PATH_DOWN = 5,
	BFD_DIAG_CONCAT_DOWN = 6,	/* Concatenated Path Down */
	BFD_DIAG_ADMIN_DOWN = 7,	/* Administratively Down */
	BFD_DIAG_REV_CONCAT_DOWN = 8,	/* Reverse Concatenated Path Down */
	BFD_DIAG_MAX = 31,
};

struct bfd_pkt {
	__u8 version;			/* 1 */
	__u8 diag;			/* enum bfd_diag, 0..31 */
	__u8 state;			/* enum bfd_state */
	bool poll;			/* P */
	bool final;			/* F */
	bool cpi;			/* C: control plane independent */
	bool auth;			/* A: authentication section present */
	bool demand;			/* D */
	bool multipoint;		/* M: must be zero */
	__u8 detect_mult;
	__u8 length;			/* bytes, as the Length field says */
	__u32 my_discr;
	__u32 your_discr;
	__u32 desired_min_tx_us;
	__u32 required_min_rx_us;
	__u32 required_min_echo_rx_us;
};

/* Why a packet was discarded (decoder checks, then the caller's). */
enum bfd_pkt_err {
	BFD_PKT_OK = 0,
	BFD_PKT_TRUNCATED,		/* under 4 bytes: not even a Length field */
	BFD_PKT_VERSION,		/* version is not 1 */
	BFD_PKT_LENGTH_SHORT,		/* Length < 24, or < 26 with the A bit */
	BFD_PKT_LENGTH_LONG,		/* Length > UDP payload */
	BFD_PKT_MULT_ZERO,		/* Detect Mult is zero */
	BFD_PKT_MULTIPOINT,		/* M bit set */
	BFD_PKT_MY_DISCR_ZERO,		/* My Discriminator is zero */
	BFD_PKT_YOUR_DISCR_ZERO,	/* Your Discriminator zero, State not Down/AdminDown */
	BFD_PKT_AUTH,			/* A bit set: no authentication in use */
	BFD_PKT_POLL_FINAL,		/* P and F both set (sec 6.5) */
	/* found by the caller */
	BFD_PKT_TTL,			/* TTL/hop limit not 255 (RFC 5881 sec 5) */
	BFD_PKT_NO_SESSION,		/* no session for Your Discriminator / source */
	BFD_PKT_ERR_MAX
};

/*
 * Decode len bytes (the whole UDP payload). Returns 0 with *p filled, or
 * -EBADMSG with *why set (then *p holds what could be read).
 */
int bfd_pkt_decode(const void *buf, size_t len, struct bfd_pkt *p, enum bfd_pkt_err *why);

/*
 * Encode the mandatory section into buf (at least BFD_PKT_LEN bytes);
 * version and length are written as 1 and 24 whatever *p says. Returns
 * 0, -ENOBUFS for a short buffer, or -EINVAL for what xlb must never send
 * (state/diag out of range, zero Detect Mult or My Discriminator, P with
 * F, the A or M bit).
 */
int bfd_pkt_encode(const struct bfd_pkt *p, void *buf, size_t len);

const char *bfd_state_name(unsigned int state);
/* RFC 5880 sec 4.1 text ("Control Detection Time Expired"); "Reserved" past 8 */
const char *bfd_diag_name(unsigned int diag);
/* Short name for logs and counters ("ttl", "version", ...) */
const char *bfd_pkt_err_name(enum bfd_pkt_err e);

#endif

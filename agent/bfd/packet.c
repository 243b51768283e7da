// SPDX-License-Identifier: GPL-2.0
/*
 * BFD Control packet codec: RFC 5880 sec 4.1 (format) and the stateless
 * reception checks of sec 6.8.6, in the order the RFC lists them. See
 * packet.h for what is checked here and what the caller checks.
 */
#include <errno.h>
#include <string.h>

#include "bfd/packet.h"

#define F_POLL		0x20
#define F_FINAL		0x10
#define F_CPI		0x08
#define F_AUTH		0x04
#define F_DEMAND	0x02
#define F_MULTIPOINT	0x01

static __u32 get32(const __u8 *b)
{
	return (__u32)b[0] << 24 | (__u32)b[1] << 16 | (__u32)b[2] << 8 | b[3];
}

static void put32(__u8 *b, __u32 v)
{
	b[0] = v >> 24;
	b[1] = v >> 16;
	b[2] = v >> 8;
	b[3] = v;
}

static int bad(enum bfd_pkt_err *why, enum bfd_pkt_err e)
{
	*why = e;
	return -EBADMSG;
}

int bfd_pkt_decode(const void *buf, size_t len, struct bfd_pkt *p, enum bfd_pkt_err *why)
{
	const __u8 *b = buf;

	memset(p, 0, sizeof(*p));
	*why = BFD_PKT_OK;
	/* the first word holds Version and Length; without it nothing can
	 * be checked */
	if (len < 4) {
		if (len >= 1 && b[0] >> 5 != BFD_VERSION)
			return bad(why, BFD_PKT_VERSION);
		return bad(why, BFD_PKT_TRUNCATED);
	}
	p->version = b[0] >> 5;
	p->diag = b[0] & 0x1f;
	p->state = b[1] >> 6;
	p->poll = b[1] & F_POLL;
	p->final = b[1] & F_FINAL;
	p->cpi = b[1] & F_CPI;
	p->auth = b[1] & F_AUTH;
	p->demand = b[1] & F_DEMAND;
	p->multipoint = b[1] & F_MULTIPOINT;
	p->detect_mult = b[2];
	p->length = b[3];

	/* sec 6.8.6, in order */
	if (p->version != BFD_VERSION)
		return bad(why, BFD_PKT_VERSION);
	if (p->length < (p->auth ? BFD_PKT_AUTH_MIN : BFD_PKT_LEN))
		return bad(why, BFD_PKT_LENGTH_SHORT);
	if (p->length > len)
		return bad(why, BFD_PKT_LENGTH_LONG);
	/* from here len >= Length >= 24: the mandatory section is there */
	p->my_discr = get32(b + 4);
	p->your_discr = get32(b + 8);
	p->desired_min_tx_us = get32(b + 12);
	p->required_min_rx_us = get32(b + 16);
	p->required_min_echo_rx_us = get32(b + 20);
	if (!p->detect_mult)
		return bad(why, BFD_PKT_MULT_ZERO);
	if (p->multipoint)
		return bad(why, BFD_PKT_MULTIPOINT);
	if (!p->my_discr)
		return bad(why, BFD_PKT_MY_DISCR_ZERO);
	if (!p->your_discr && p->state != BFD_STATE_DOWN && p->state != BFD_STATE_ADMIN_DOWN)
		return bad(why, BFD_PKT_YOUR_DISCR_ZERO);
	/* "If the A bit is set and no authentication is in use (bfd.AuthType
	 * is zero), the packet MUST be discarded": xlb never has any */
	if (p->auth)
		return bad(why, BFD_PKT_AUTH);
	if (p->poll && p->final)
		return bad(why, BFD_PKT_POLL_FINAL);
	return 0;
}

int bfd_pkt_encode(const struct bfd_pkt *p, void *buf, size_t len)
{
	__u8 *b = buf;

	if (len < BFD_PKT_LEN)
		return -ENOBUFS;
	if (p->state > BFD_STATE_UP || p->diag > BFD_DIAG_MAX || !p->detect_mult ||
	    !p->my_discr || (p->poll && p->final) || p->auth || p->multipoint)
		return -EINVAL;
	b[0] = BFD_VERSION << 5 | p->diag;
	b[1] = p->state << 6 | (p->poll ? F_POLL : 0) | (p->final ? F_FINAL : 0) |
	       (p->cpi ? F_CPI : 0) | (p->demand ? F_DEMAND : 0);
	b[2] = p->detect_mult;
	b[3] = BFD_PKT_LEN;
	put32(b + 4, p->my_discr);
	put32(b + 8, p->your_discr);
	put32(b + 12, p->desired_min_tx_us);
	put32(b + 16, p->required_min_rx_us);
	put32(b + 20, p->required_min_echo_rx_us);
	return 0;
}

const char *bfd_state_name(unsigned int state)
{
	static const char *const names[] = { "AdminDown", "Down", "Init", "Up" };

	return state < 4 ? names[state] : "?";
}

const char *bfd_diag_name(unsigned int diag)
{
	static const char *const names[] = {
		[BFD_DIAG_NONE] = "No Diagnostic",
		[BFD_DIAG_DETECT_EXPIRED] = "Control Detection Time Expired",
		[BFD_DIAG_ECHO_FAILED] = "Echo Function Failed",
		[BFD_DIAG_NEIGHBOR_DOWN] = "Neighbor Signaled Session Down",
		[BFD_DIAG_FWD_RESET] = "Forwarding Plane Reset",
		[BFD_DIAG_PATH_DOWN] = "Path Down",
		[BFD_DIAG_CONCAT_DOWN] = "Concatenated Path Down",
		[BFD_DIAG_ADMIN_DOWN] = "Administratively Down",
		[BFD_DIAG_REV_CONCAT_DOWN] = "Reverse Concatenated Path Down",
	};

	return diag <= BFD_DIAG_REV_CONCAT_DOWN ? names[diag] : "Reserved";
}

const char *bfd_pkt_err_name(enum bfd_pkt_err e)
{
	static const char *const names[BFD_PKT_ERR_MAX] = {
		[BFD_PKT_OK] = "ok",
		[BFD_PKT_TRUNCATED] = "truncated",
		[BFD_PKT_VERSION] = "version",
		[BFD_PKT_LENGTH_SHORT] = "length_short",
		[BFD_PKT_LENGTH_LONG] = "length_long",
		[BFD_PKT_MULT_ZERO] = "mult_zero",
		[BFD_PKT_MULTIPOINT] = "multipoint",
		[BFD_PKT_MY_DISCR_ZERO] = "my_discr_zero",
		[BFD_PKT_YOUR_DISCR_ZERO] = "your_discr_zero",
		[BFD_PKT_AUTH] = "auth",
		[BFD_PKT_POLL_FINAL] = "poll_final",
		[BFD_PKT_TTL] = "ttl",
		[BFD_PKT_NO_SESSION] = "no_session",
	};

	return (unsigned int)e < BFD_PKT_ERR_MAX ? names[e] : "?";
}

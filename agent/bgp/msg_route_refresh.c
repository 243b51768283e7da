// SPDX-License-Identifier: GPL-2.0
/*
 * ROUTE-REFRESH (RFC 2918 sec 3), with the length rule of RFC 7313 sec 5.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp/err.h"
#include "bgp/reader.h"
#include "bgp/writer.h"

/* RFC 2918 sec 3: AFI, reserved (the Message Subtype of RFC 7313), SAFI. */
int bgp_route_refresh_encode(struct buf *out, __u16 afi, __u8 safi)
{
	size_t start;

	bgp_msg_begin(out, BGP_MSG_ROUTE_REFRESH, &start);
	bgp_put_u16(out, afi);
	bgp_put_u8(out, 0);
	bgp_put_u8(out, safi);
	return bgp_msg_end(out, start);
}

/*
 * The subtype byte is not checked: xlbd does not advertise enhanced route
 * refresh, and answering a BoRR/EoRR (RFC 7313) by sending our routes
 * again costs nothing. A wrong length is the error of RFC 7313 sec 5, with
 * the whole message as data.
 */
int bgp_route_refresh_decode(const __u8 *body, size_t len, __u16 *afi, __u8 *safi,
			     struct bgp_err *err)
{
	struct bgp_reader r;
	__u8 subtype;

	bgp_err_clear(err);
	bgp_reader_init(&r, body, len);
	if (len != 4) {
		__u8 msg[BGP_MSG_MAX];
		size_t n = len < sizeof(msg) - BGP_HDR_LEN ? len : sizeof(msg) - BGP_HDR_LEN;
		size_t total = len + BGP_HDR_LEN;

		memset(msg, 0xff, 16);
		msg[16] = total >> 8;
		msg[17] = total & 0xff;
		msg[18] = BGP_MSG_ROUTE_REFRESH;
		if (n)
			memcpy(msg + BGP_HDR_LEN, body, n);
		return bgp_err_set(err, BGP_ERR_ROUTE_REFRESH, BGP_ERR_RR_INVALID_LENGTH, msg,
				   BGP_HDR_LEN + n, "ROUTE-REFRESH of %zu bytes", total);
	}
	bgp_get_u16(&r, afi);
	bgp_get_u8(&r, &subtype);
	bgp_get_u8(&r, safi);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The header every message starts with (RFC 4271 sec 4.1), checked as
 * sec 6.1 asks: marker, length within the bounds of the message's type,
 * known type; and KEEPALIVE (sec 4.4), which is a header alone.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp/err.h"
#include "bgp/reader.h"
#include "bgp/writer.h"

#define BGP_OPEN_MIN		29	/* RFC 4271 sec 4.2 */
#define BGP_UPDATE_MIN		23	/* RFC 4271 sec 4.3 */
#define BGP_NOTIFICATION_MIN	21	/* RFC 4271 sec 4.5 */

/* RFC 4271 sec 6.1: marker, then length, then type. */
int bgp_hdr_decode(const __u8 *buf, size_t len, struct bgp_hdr *h, struct bgp_err *err)
{
	struct bgp_reader r;
	__u8 marker[16], lb[2];
	size_t min = BGP_HDR_LEN, max = BGP_MSG_MAX;
	size_t i;

	bgp_err_clear(err);
	if (len < BGP_HDR_LEN)
		return -EINVAL;
	bgp_reader_init(&r, buf, len);
	bgp_get_bytes(&r, marker, sizeof(marker));
	bgp_get_u16(&r, &h->length);
	bgp_get_u8(&r, &h->type);
	for (i = 0; i < sizeof(marker); i++)
		if (marker[i] != 0xff)
			return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_NOT_SYNC, NULL, 0,
					   "marker is not all ones");
	lb[0] = h->length >> 8;
	lb[1] = h->length & 0xff;
	if (h->length < BGP_HDR_LEN || h->length > BGP_MSG_MAX)
		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, lb, sizeof(lb),
				   "message length %u", h->length);
	switch (h->type) {
	case BGP_MSG_OPEN:
		min = BGP_OPEN_MIN;
		break;
	case BGP_MSG_UPDATE:
		min = BGP_UPDATE_MIN;
		break;
	case BGP_MSG_NOTIFICATION:
		min = BGP_NOTIFICATION_MIN;
		break;
	case BGP_MSG_KEEPALIVE:
		max = BGP_HDR_LEN;
		break;
	case BGP_MSG_ROUTE_REFRESH:
		/* RFC 7313 sec 5: its own error, from its decoder */
		break;
	default:
		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_TYPE, &h->type, 1,
				   "message type %u", h->type);
	}
	if (h->length < min || h->length > max)
		return bgp_err_set(err, BGP_ERR_HEADER, BGP_ERR_HEADER_BAD_LENGTH, lb, sizeof(lb),
				   "message length %u for type %u", h->length, h->type);
	return 0;
}

/* RFC 4271 sec 4.4: the header alone. */
int bgp_keepalive_encode(struct buf *out)
{
	size_t start;

	bgp_msg_begin(out, BGP_MSG_KEEPALIVE, &start);
	return bgp_msg_end(out, start);
}

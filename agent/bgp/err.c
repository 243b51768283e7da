// SPDX-License-Identifier: GPL-2.0
/*
 * NOTIFICATION error codes and subcodes by name (RFC 4271 sec 4.5 and the
 * IANA "BGP Error (Notification) Codes" and subcode registries), and the
 * helpers that fill struct bgp_err. The names are the RFCs' own, so a log
 * line can be looked up in the RFC as written.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bgp/err.h"

void bgp_err_clear(struct bgp_err *err)
{
	err->code = 0;
	err->subcode = 0;
	err->data_len = 0;
	err->text[0] = '\0';
}

int bgp_err_set(struct bgp_err *err, __u8 code, __u8 subcode, const void *data, size_t len,
		const char *fmt, ...)
{
	va_list ap;

	err->code = code;
	err->subcode = subcode;
	if (len > BGP_ERR_DATA_MAX)
		len = BGP_ERR_DATA_MAX;
	if (len)
		memcpy(err->data, data, len);
	err->data_len = len;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -EBADMSG;
}

static const char *const header_sub[] = {
	[BGP_ERR_HEADER_NOT_SYNC] = "Message Header Error/Connection Not Synchronized",
	[BGP_ERR_HEADER_BAD_LENGTH] = "Message Header Error/Bad Message Length",
	[BGP_ERR_HEADER_BAD_TYPE] = "Message Header Error/Bad Message Type",
};

static const char *const open_sub[] = {
	[BGP_ERR_OPEN_UNSPECIFIC] = "OPEN Message Error/Unspecific",
	[BGP_ERR_OPEN_UNSUPPORTED_VERSION] = "OPEN Message Error/Unsupported Version Number",
	[BGP_ERR_OPEN_BAD_PEER_AS] = "OPEN Message Error/Bad Peer AS",
	[BGP_ERR_OPEN_BAD_BGP_ID] = "OPEN Message Error/Bad BGP Identifier",
	[BGP_ERR_OPEN_UNSUPPORTED_PARAM] = "OPEN Message Error/Unsupported Optional Parameter",
	[BGP_ERR_OPEN_UNACCEPTABLE_HOLD] = "OPEN Message Error/Unacceptable Hold Time",
	[BGP_ERR_OPEN_UNSUPPORTED_CAPABILITY] = "OPEN Message Error/Unsupported Capability",
};

static const char *const update_sub[] = {
	[BGP_ERR_UPDATE_MALFORMED_ATTR_LIST] = "UPDATE Message Error/Malformed Attribute List",
	[BGP_ERR_UPDATE_UNRECOGNIZED_WELLKNOWN] =
		"UPDATE Message Error/Unrecognized Well-known Attribute",
	[BGP_ERR_UPDATE_MISSING_WELLKNOWN] = "UPDATE Message Error/Missing Well-known Attribute",
	[BGP_ERR_UPDATE_ATTR_FLAGS] = "UPDATE Message Error/Attribute Flags Error",
	[BGP_ERR_UPDATE_ATTR_LENGTH] = "UPDATE Message Error/Attribute Length Error",
	[BGP_ERR_UPDATE_INVALID_ORIGIN] = "UPDATE Message Error/Invalid ORIGIN Attribute",
	[BGP_ERR_UPDATE_INVALID_NEXT_HOP] = "UPDATE Message Error/Invalid NEXT_HOP Attribute",
	[BGP_ERR_UPDATE_OPTIONAL_ATTR] = "UPDATE Message Error/Optional Attribute Error",
	[BGP_ERR_UPDATE_INVALID_NETWORK] = "UPDATE Message Error/Invalid Network Field",
	[BGP_ERR_UPDATE_MALFORMED_AS_PATH] = "UPDATE Message Error/Malformed AS_PATH",
};

static const char *const fsm_sub[] = {
	[BGP_ERR_FSM_UNSPECIFIED] = "Finite State Machine Error/Unspecified Error",
	[BGP_ERR_FSM_OPENSENT] =
		"Finite State Machine Error/Receive Unexpected Message in OpenSent State",
	[BGP_ERR_FSM_OPENCONFIRM] =
		"Finite State Machine Error/Receive Unexpected Message in OpenConfirm State",
	[BGP_ERR_FSM_ESTABLISHED] =
		"Finite State Machine Error/Receive Unexpected Message in Established State",
};

static const char *const cease_sub[] = {
	[BGP_ERR_CEASE_MAX_PREFIX] = "Cease/Maximum Number of Prefixes Reached",
	[BGP_ERR_CEASE_ADMIN_SHUTDOWN] = "Cease/Administrative Shutdown",
	[BGP_ERR_CEASE_PEER_DECONFIGURED] = "Cease/Peer De-configured",
	[BGP_ERR_CEASE_ADMIN_RESET] = "Cease/Administrative Reset",
	[BGP_ERR_CEASE_CONNECTION_REJECTED] = "Cease/Connection Rejected",
	[BGP_ERR_CEASE_CONFIG_CHANGE] = "Cease/Other Configuration Change",
	[BGP_ERR_CEASE_COLLISION] = "Cease/Connection Collision Resolution",
	[BGP_ERR_CEASE_OUT_OF_RESOURCES] = "Cease/Out of Resources",
	[BGP_ERR_CEASE_HARD_RESET] = "Cease/Hard Reset",
	[BGP_ERR_CEASE_BFD_DOWN] = "Cease/BFD Down",
};

static const char *const rr_sub[] = {
	[BGP_ERR_RR_INVALID_LENGTH] = "ROUTE-REFRESH Message Error/Invalid Message Length",
};

#define SUBS(a) a, sizeof(a) / sizeof(a[0])

static const struct {
	const char *name;
	const char *const *sub;
	size_t n_sub;
} codes[] = {
	[BGP_ERR_HEADER] = { "Message Header Error", SUBS(header_sub) },
	[BGP_ERR_OPEN] = { "OPEN Message Error", SUBS(open_sub) },
	[BGP_ERR_UPDATE] = { "UPDATE Message Error", SUBS(update_sub) },
	[BGP_ERR_HOLD_TIMER] = { "Hold Timer Expired", NULL, 0 },
	[BGP_ERR_FSM] = { "Finite State Machine Error", SUBS(fsm_sub) },
	[BGP_ERR_CEASE] = { "Cease", SUBS(cease_sub) },
	[BGP_ERR_ROUTE_REFRESH] = { "ROUTE-REFRESH Message Error", SUBS(rr_sub) },
};

/* "Code/Subcode"; the code alone for subcode 0 when it has no name of its
 * own (Hold Timer Expired, Cease). Known pairs are constant strings; the
 * numbers of an unknown pair are written into a per-thread buffer that the
 * next unknown pair reuses. */
const char *bgp_err_name(__u8 code, __u8 subcode)
{
	static __thread char unknown[64];

	if (code >= sizeof(codes) / sizeof(codes[0]) || !codes[code].name) {
		snprintf(unknown, sizeof(unknown), "error code %u/subcode %u", code, subcode);
		return unknown;
	}
	if (subcode < codes[code].n_sub && codes[code].sub[subcode])
		return codes[code].sub[subcode];
	if (subcode == 0)
		return codes[code].name;
	snprintf(unknown, sizeof(unknown), "%s/subcode %u", codes[code].name, subcode);
	return unknown;
}

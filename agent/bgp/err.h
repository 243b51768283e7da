/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Filling struct bgp_err (msg.h): the NOTIFICATION a decoder wants sent,
 * with a line of text for the logs.
 */
#ifndef XLB_BGP_ERR_H
#define XLB_BGP_ERR_H

#include <stddef.h>
#include <linux/types.h>

#include "bgp/msg.h"

/* No error: code 0, no data, empty text. */
void bgp_err_clear(struct bgp_err *err);

/* Sets code, subcode, data (at most BGP_ERR_DATA_MAX bytes kept) and the
 * text; returns -EBADMSG for `return bgp_err_set(...)`. */
int bgp_err_set(struct bgp_err *err, __u8 code, __u8 subcode, const void *data, size_t len,
		const char *fmt, ...) __attribute__((format(printf, 6, 7)));

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Writing BGP messages into a struct buf: integers in network byte order,
 * the message header (RFC 4271 sec 4.1) and the path attribute header
 * (RFC 4271 sec 4.3) with their length fields filled in when the body is
 * complete. Appends follow buf's rules: sticky errors, whole or nothing.
 */
#ifndef XLB_BGP_WRITER_H
#define XLB_BGP_WRITER_H

#include <stddef.h>
#include <linux/types.h>

#include "lib/buf.h"

int bgp_put_u8(struct buf *b, __u8 v);
int bgp_put_u16(struct buf *b, __u16 v);
int bgp_put_u32(struct buf *b, __u32 v);
int bgp_put_bytes(struct buf *b, const void *p, size_t n);
/* Overwrite two bytes already written at off. */
void bgp_patch_u16(struct buf *b, size_t off, __u16 v);

/* Marker, length placeholder and type; *start is where the message
 * begins. bgp_msg_end() fills in the length, or removes the message and
 * returns -EMSGSIZE if it grew past BGP_MSG_MAX, or the buffer's error if
 * an append failed. */
int bgp_msg_begin(struct buf *b, __u8 type, size_t *start);
int bgp_msg_end(struct buf *b, size_t start);

/* Path attribute header. The Extended Length bit (RFC 4271 sec 4.3) is
 * decided by bgp_attr_end() from the value's final size: set only when
 * the value is longer than 255 bytes. -EMSGSIZE past 65535 bytes. */
int bgp_attr_begin(struct buf *b, __u8 flags, __u8 type, size_t *start);
int bgp_attr_end(struct buf *b, size_t start);

#endif

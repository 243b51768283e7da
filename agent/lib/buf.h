/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A growable byte buffer with a size limit, for text the agent builds
 * before sending it somewhere: control-socket responses, JSON documents.
 *
 * The contents are always NUL-terminated (the NUL is not counted in len),
 * so a buffer of text can be handed to printf-style functions as is.
 *
 * Errors are sticky: the first failed append (-ENOBUFS past the limit,
 * -ENOMEM) is kept in err and every later append returns it without
 * writing, so a writer can make many appends and check once at the end.
 * An append either happens whole or not at all. buf_reset() clears the
 * contents and the error.
 */
#ifndef XLB_LIB_BUF_H
#define XLB_LIB_BUF_H

#include <stdarg.h>
#include <stddef.h>

#define BUF_MAX_DEFAULT (16u << 20)	/* limit when buf_init() is given 0 */

struct buf {
	char *data;	/* NULL until the first append; see buf_str() */
	size_t len;	/* bytes used, without the terminating NUL */
	size_t cap;	/* bytes allocated, NUL included */
	size_t max;	/* most bytes len may reach */
	int err;	/* first error: 0, -ENOBUFS or -ENOMEM */
};

/* max: limit on len; 0 = BUF_MAX_DEFAULT. Allocates nothing. */
void buf_init(struct buf *b, size_t max);
/* Frees the memory; the buffer can be used again after buf_init(). */
void buf_free(struct buf *b);
/* Empties the buffer and clears the error; keeps the memory. */
void buf_reset(struct buf *b);

/* Make room for n more bytes (plus the NUL) without appending. */
int buf_reserve(struct buf *b, size_t n);
int buf_append(struct buf *b, const void *data, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

/* Drop everything after the first len bytes (len <= b->len). */
void buf_truncate(struct buf *b, size_t len);

/* The contents as a C string; "" for a buffer never appended to. */
static inline const char *buf_str(const struct buf *b)
{
	return b->data ? b->data : "";
}

#endif

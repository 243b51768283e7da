// SPDX-License-Identifier: GPL-2.0
/*
 * NOTIFICATION (RFC 4271 sec 4.5), with the shutdown communication of
 * RFC 8203 as extended to 255 bytes by RFC 9003.
 *
 * A received NOTIFICATION is never answered (RFC 4271 sec 6.4), so its
 * decoder does not judge: whatever the peer sent becomes a printable line
 * for the logs, its shutdown communication if it has a well-formed one,
 * else its data in hex.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bgp/err.h"
#include "bgp/reader.h"
#include "bgp/writer.h"

#define BGP_SHUTDOWN_MAX	255	/* RFC 9003 sec 2 */

/* Bytes of a UTF-8 sequence starting with lead byte c at s[0..n), or 0
 * if it is not a well-formed one (RFC 3629 sec 4: no overlong forms, no
 * surrogates, nothing past U+10FFFF). */
static size_t utf8_seq(const __u8 *s, size_t n)
{
	__u32 cp;
	size_t len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* text as at most max bytes of UTF-8 into dst: whole characters only,
 * a byte that is not UTF-8 replaced by '?' (RFC 9003 sec 2 wants UTF-8;
 * the operator's text may not be). Returns the length. */
static size_t utf8_clean(__u8 *dst, const char *text, size_t max)
{
	const __u8 *s = (const __u8 *)text;
	size_t n = strlen(text), i = 0, at = 0, k;

	while (i < n) {
		k = utf8_seq(s + i, n - i);
		if (at + (k ? k : 1) > max)
			break;
		if (k) {
			memcpy(dst + at, s + i, k);
		} else {
			dst[at] = '?';
			k = 1;
		}
		at += k;
		i += k;
	}
	return at;
}

/* RFC 4271 sec 4.5: code, subcode, data; for Cease/Administrative
 * Shutdown and Reset the data is the shutdown communication (RFC 8203
 * sec 2, RFC 9003 sec 2). */
int bgp_notification_encode(struct buf *out, __u8 code, __u8 subcode, const __u8 *data,
			    size_t data_len, const char *text)
{
	bool shutdown = code == BGP_ERR_CEASE && text && *text &&
			(subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
			 subcode == BGP_ERR_CEASE_ADMIN_RESET);
	__u8 comm[BGP_SHUTDOWN_MAX];
	size_t start, n;

	bgp_msg_begin(out, BGP_MSG_NOTIFICATION, &start);
	bgp_put_u8(out, code);
	bgp_put_u8(out, subcode);
	if (shutdown) {
		/* RFC 9003 sec 2: length byte, then UTF-8, at most 255 bytes */
		n = utf8_clean(comm, text, BGP_SHUTDOWN_MAX);
		bgp_put_u8(out, n);
		bgp_put_bytes(out, comm, n);
	} else if (data_len) {
		bgp_put_bytes(out, data, data_len);
	}
	return bgp_msg_end(out, start);
}

/* Appends s to dst[*at] if it fits with the NUL; false if not. */
static bool put_text(char *dst, size_t size, size_t *at, const char *s, size_t n)
{
	if (*at + n + 1 > size)
		return false;
	memcpy(dst + *at, s, n);
	*at += n;
	dst[*at] = '\0';
	return true;
}

/* s[n] as printable text: well-formed UTF-8 as is, except control
 * characters (C0, DEL, C1), which like any byte that is not UTF-8 become
 * \xNN. Cut at a character, with "..." when it does not fit. */
static void printable(char *dst, size_t size, const __u8 *s, size_t n)
{
	size_t at = 0, i = 0, k;
	char esc[8];

	dst[0] = '\0';
	while (i < n) {
		k = utf8_seq(s + i, n - i);
		bool c1 = k == 2 && s[i] == 0xc2 && s[i + 1] < 0xa0;	/* U+0080..U+009F */

		if (k && s[i] >= 0x20 && s[i] != 0x7f && !c1) {
			if (!put_text(dst, size, &at, (const char *)s + i, k))
				break;
			i += k;
			continue;
		}
		snprintf(esc, sizeof(esc), "\\x%02x", s[i]);
		if (!put_text(dst, size, &at, esc, 4))
			break;
		i++;
	}
	if (i < n) {
		/* make room for the ellipsis at a character boundary */
		while (at && at + 4 > size) {
			at--;
			while (at && ((__u8)dst[at] & 0xc0) == 0x80)
				at--;
		}
		dst[at] = '\0';
		put_text(dst, size, &at, "...", 3);
	}
}

/* Data that is not a shutdown communication, in hex. */
static void hex(char *dst, size_t size, const __u8 *s, size_t n)
{
	size_t at = 0, i;
	char b[4];

	dst[0] = '\0';
	put_text(dst, size, &at, "data", 4);
	for (i = 0; i < n; i++) {
		snprintf(b, sizeof(b), " %02x", s[i]);
		if (at + 3 + 4 + 1 > size && i + 1 < n) {
			put_text(dst, size, &at, " ...", 4);
			return;
		}
		put_text(dst, size, &at, b, 3);
	}
}

/* RFC 4271 sec 4.5, RFC 9003 sec 2 (see the top of the file). */
int bgp_notification_decode(const __u8 *body, size_t len, struct bgp_notification *n)
{
	struct bgp_reader r;
	__u8 slen;

	memset(n, 0, sizeof(*n));
	bgp_reader_init(&r, body, len);
	if (bgp_get_u8(&r, &n->code) || bgp_get_u8(&r, &n->subcode))
		return -EBADMSG;
	if (!bgp_left(&r))
		return 0;
	/* RFC 9003 sec 2: a length byte and that many bytes of UTF-8; one
	 * that does not add up is shown as data */
	if (n->code == BGP_ERR_CEASE &&
	    (n->subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
	     n->subcode == BGP_ERR_CEASE_ADMIN_RESET) &&
	    !bgp_get_u8(&r, &slen) && slen == bgp_left(&r)) {
		printable(n->text, sizeof(n->text), bgp_cur(&r), slen);
		return 0;
	}
	bgp_reader_init(&r, body + 2, len - 2);
	hex(n->text, sizeof(n->text), bgp_cur(&r), bgp_left(&r));
	return 0;
}

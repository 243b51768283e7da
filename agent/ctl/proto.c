// SPDX-License-Identifier: GPL-2.0
/*
 * Encoder and decoder of the control-socket protocol (see proto.h). The
 * decoder works on the bytes the server has read, checks every byte
 * before it splits anything, and says exactly what is wrong, so a client
 * typing into socat learns the protocol from its errors.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ctl/proto.h"

static bool arg_byte_ok(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

int ctl_req_encode(bool json, int argc, char *const *argv, struct buf *out)
{
	const char *fmt = json ? "json" : "text";
	size_t total, n;
	int i, err;

	if (argc < 1)
		return -EINVAL;
	if (argc > CTL_ARGC_MAX)
		return -E2BIG;
	total = strlen(CTL_PROTO_VERSION) + 1 + strlen(fmt) + 1;
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		n = strlen(a);
		if (n == 0 || n > CTL_ARG_MAX)
			return -EINVAL;
		while (*a)
			if (!arg_byte_ok(*a++))
				return -EINVAL;
		total += 1 + n;
	}
	if (total > CTL_LINE_MAX)
		return -E2BIG;
	err = buf_reserve(out, total);
	if (err)
		return err;
	buf_printf(out, "%s %s", CTL_PROTO_VERSION, fmt);
	for (i = 0; i < argc; i++) {
		buf_putc(out, ' ');
		buf_puts(out, argv[i]);
	}
	buf_putc(out, '\n');
	return out->err;
}

#define bad(...)                                                                                   \
	({                                                                                         \
		if (err && errlen)                                                                 \
			snprintf(err, errlen, __VA_ARGS__);                                        \
		-EINVAL;                                                                           \
	})

int ctl_req_decode(const char *data, size_t len, struct ctl_line *line, char *err,
		   size_t errlen)
{
	char *words[CTL_ARGC_MAX + 2];
	const char *nl;
	size_t n, i, nwords = 0;
	char *p;

	line->json = false;
	line->argc = 0;
	line->argv[0] = NULL;
	if (err && errlen)
		err[0] = '\0';

	if (len == 0)
		return bad("empty request");
	nl = memchr(data, '\n', len < CTL_LINE_MAX ? len : CTL_LINE_MAX);
	if (!nl) {
		if (len >= CTL_LINE_MAX)
			return bad("request line longer than %d bytes", CTL_LINE_MAX);
		return bad("request line not terminated by a newline");
	}
	n = nl - data;			/* without the newline */
	if (n + 1 != len)
		return bad("data after the request line");
	if (n == 0)
		return bad("empty request");
	for (i = 0; i < n; i++) {
		unsigned char c = data[i];

		if (c == 0)
			return bad("NUL byte at offset %zu", i);
		if (c < 0x20 || c == 0x7f)
			return bad("control character 0x%02x at offset %zu", c, i);
		if (c > 0x7f)
			return bad("non-ASCII byte 0x%02x at offset %zu", c, i);
	}

	memcpy(line->buf, data, n);
	line->buf[n] = '\0';
	/* split at single spaces; an empty word means a stray space */
	p = line->buf;
	for (;;) {
		char *sp = strchr(p, ' ');

		if (sp == p || *p == '\0')
			return bad("empty word at offset %zu (leading, trailing or double space)",
				   (size_t)(p - line->buf));
		if (nwords == CTL_ARGC_MAX + 2)
			return bad("more than %d arguments", CTL_ARGC_MAX);
		words[nwords++] = p;
		if (!sp)
			break;
		*sp = '\0';
		p = sp + 1;
	}

	if (strcmp(words[0], CTL_PROTO_VERSION))
		return bad("unsupported protocol '%.32s' (this xlbd speaks %s)", words[0],
			   CTL_PROTO_VERSION);
	if (nwords < 2)
		return bad("missing format (text or json)");
	if (!strcmp(words[1], "json"))
		line->json = true;
	else if (strcmp(words[1], "text"))
		return bad("bad format '%.32s' (text or json)", words[1]);
	if (nwords < 3)
		return bad("missing command");
	for (i = 2; i < nwords; i++) {
		if (strlen(words[i]) > CTL_ARG_MAX)
			return bad("argument %zu longer than %d bytes", i - 1, CTL_ARG_MAX);
		line->argv[i - 2] = words[i];
	}
	line->argc = nwords - 2;
	line->argv[line->argc] = NULL;
	return 0;
}

int ctl_resp_head(struct buf *out, enum ctl_status status, const char *msg)
{
	char clean[CTL_MSG_MAX + 1];
	size_t i;

	if (status == CTL_OK)
		return buf_puts(out, "ok\n");
	if (status != CTL_ERR_RUNTIME && status != CTL_ERR_USAGE)
		return -EINVAL;
	if (!msg || !*msg)
		msg = "failed";
	for (i = 0; msg[i] && i < CTL_MSG_MAX; i++) {
		unsigned char c = msg[i];

		clean[i] = c >= 0x20 && c < 0x7f ? c : (c == '\n' || c == '\t' ? ' ' : '?');
	}
	clean[i] = '\0';
	return buf_printf(out, "error %d %s\n", status, clean);
}

int ctl_resp_parse(const char *data, size_t len, enum ctl_status *status, char *msg,
		   size_t msglen, size_t *body_off)
{
	const char *nl = memchr(data, '\n', len < CTL_HEAD_MAX ? len : CTL_HEAD_MAX);
	size_t n, i;

	if (msglen)
		msg[0] = '\0';
	if (!nl)
		return -EBADMSG;
	n = nl - data;
	*body_off = n + 1;
	if (n == 2 && !memcmp(data, "ok", 2)) {
		*status = CTL_OK;
		return 0;
	}
	/* "error N " and at least one byte of message */
	if (n < 9 || memcmp(data, "error ", 6) || (data[6] != '1' && data[6] != '2') ||
	    data[7] != ' ')
		return -EBADMSG;
	for (i = 8; i < n; i++)
		if ((unsigned char)data[i] < 0x20 || (unsigned char)data[i] >= 0x7f)
			return -EBADMSG;
	*status = data[6] == '1' ? CTL_ERR_RUNTIME : CTL_ERR_USAGE;
	if (msglen)
		snprintf(msg, msglen, "%.*s", (int)(n - 8), data + 8);
	return 0;
}

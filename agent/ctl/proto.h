/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control-socket wire protocol between xlbctl and xlbd, over a unix
 * stream socket; one request per connection.
 *
 * Request, client to server, one line:
 *
 *     xlb1 text|json ARG...\n
 *
 * "xlb1" is the protocol version, text|json the body format wanted, then
 * at least one ARG (the canonical words of ctl/commands.h). Words are
 * separated by exactly one space; every ARG is 1..CTL_ARG_MAX printable,
 * non-space ASCII bytes (0x21..0x7e); the whole line, newline included, is
 * at most CTL_LINE_MAX bytes, and nothing follows the newline. Anything
 * else is refused with a reason (never trusting a length, never reading
 * past the bytes given).
 *
 * Response, server to client:
 *
 *     ok\n                      or      error N MESSAGE\n
 *     BODY (any bytes)                  BODY (may be empty)
 *
 * then the server closes the connection: the body ends at EOF. N is
 * CTL_ERR_RUNTIME (1: the command failed) or CTL_ERR_USAGE (2: the request
 * was wrong), xlbctl's exit status too. MESSAGE is one line of printable
 * ASCII, at most CTL_MSG_MAX bytes.
 */
#ifndef XLB_CTL_PROTO_H
#define XLB_CTL_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"

#define CTL_PROTO_VERSION	"xlb1"
#define CTL_LINE_MAX		4096	/* request line, newline included */
#define CTL_ARG_MAX		255	/* bytes of one ARG */
#define CTL_ARGC_MAX		32	/* ARGs in one request */
#define CTL_MSG_MAX		512	/* bytes of a response MESSAGE */
#define CTL_HEAD_MAX		(CTL_MSG_MAX + 16) /* response first line, newline included */

enum ctl_status {
	CTL_OK = 0,
	CTL_ERR_RUNTIME = 1,
	CTL_ERR_USAGE = 2,
};

/* A decoded request line. */
struct ctl_line {
	bool json;			/* format word: json (else text) */
	int argc;			/* ARGs, >= 1 */
	char *argv[CTL_ARGC_MAX + 1];	/* NULL-terminated; point into buf */
	char buf[CTL_LINE_MAX];
};

/* Append the request line to out. -EINVAL if an argument breaks the
 * rules above (none, empty, too long, a byte outside 0x21..0x7e),
 * -E2BIG if there are too many or the line would be too long. */
int ctl_req_encode(bool json, int argc, char *const *argv, struct buf *out);

/*
 * Decode the request in data[0..len): exactly one line ending in its
 * newline. 0, or -EINVAL with a one-line reason in err (printable ASCII,
 * safe to send back as an error MESSAGE).
 */
int ctl_req_decode(const char *data, size_t len, struct ctl_line *line, char *err,
		   size_t errlen);

/* Append the response's first line: "ok\n" for CTL_OK, else
 * "error N MESSAGE\n" with msg made one printable ASCII line (other bytes
 * become '?', an empty message "failed") and cut at CTL_MSG_MAX. */
int ctl_resp_head(struct buf *out, enum ctl_status status, const char *msg);

/*
 * Parse the first line of a response in data[0..len). 0: *status set,
 * the MESSAGE (empty for ok) in msg, the body at data + *body_off.
 * -EBADMSG if the first line is not a well-formed head.
 */
int ctl_resp_parse(const char *data, size_t len, enum ctl_status *status, char *msg,
		   size_t msglen, size_t *body_off);

#endif

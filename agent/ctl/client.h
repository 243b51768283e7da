/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The client side of the control socket, used by xlbctl (and the tests):
 * connect with a deadline, send one request line, read the response until
 * the server closes, under a deadline and a size cap, and check its head.
 * Every way this can fail comes back as -errno with a message an operator
 * can act on.
 */
#ifndef XLB_CTL_CLIENT_H
#define XLB_CTL_CLIENT_H

#include <stddef.h>

#include "ctl/proto.h"
#include "lib/buf.h"

#define CTL_CONNECT_TIMEOUT_MS	5000	/* to get a connection (backlog full) */
#define CTL_TIMEOUT_MS		10000	/* for the response, most commands */
#define CTL_TIMEOUT_SLOW_MS	60000	/* for the response, CTL_CMD_F_SLOW */
#define CTL_RESPONSE_MAX	((32u << 20) + CTL_HEAD_MAX) /* bytes accepted */

struct ctl_response {
	enum ctl_status status;
	char msg[CTL_MSG_MAX + 1];	/* the error MESSAGE; "" for ok */
	struct buf raw;			/* the whole response */
	const char *body;		/* into raw */
	size_t body_len;
};

/*
 * Send line[0..len) (an encoded request) to the server at path and read
 * the response into resp (call ctl_response_free() afterwards, whatever
 * the result). timeout_ms bounds the wait for the response.
 *
 * 0: resp holds a well-formed response (its status may be an error).
 * Else, with a one-line message in err:
 *   -ENOENT, -ECONNREFUSED   xlbd is not running
 *   -EACCES, -EPERM          not allowed to connect
 *   -ETIMEDOUT               no connection or no (complete) response in time
 *   -EBADMSG                 the response is malformed or missing
 *   -EMSGSIZE                the response is larger than CTL_RESPONSE_MAX
 *   other -errno             from socket calls, named in err
 */
int ctl_call(const char *path, const char *line, size_t len, int timeout_ms,
	     struct ctl_response *resp, char *err, size_t errlen);

void ctl_response_free(struct ctl_response *resp);

#endif

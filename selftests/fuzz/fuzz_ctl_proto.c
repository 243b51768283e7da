// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the control-socket protocol (agent/ctl/proto.c)
 * and the command resolution the server runs on every request
 * (agent/ctl/commands.c): what any local client that can connect to
 * the socket controls. No daemon, no side effects: the same calls
 * client_process() makes before it hands a request to xlbd.
 *
 * The input is read three ways:
 *   - as the bytes of a request, the way the server reads one: a decoded
 *     request has 1..CTL_ARGC_MAX words of printable non-space ASCII and
 *     encodes back to exactly the input; a refused one gets a one-line
 *     printable reason. The words then go through ctl_resolve() as the
 *     server does: a resolved request names a command, its canonical
 *     words encode, decode and resolve again to the same words (the
 *     canonical form is a fixed point); an error message is one line;
 *   - as a response, the way xlbctl reads one (ctl_resp_parse): the
 *     message is printable and the body lies within the input;
 *   - as a message for ctl_resp_head, whose output must parse back.
 * A failed check aborts (libFuzzer keeps the input); so do the sanitizers.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl/commands.h"
#include "ctl/proto.h"

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);  \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_line(const char *s, size_t max)
{
	size_t i, n = strlen(s);

	CHECK(n < max);
	for (i = 0; i < n; i++)
		CHECK((unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7f);
}

static void check_words(int argc, char *const *argv)
{
	int i;

	CHECK(argc >= 1 && argc <= CTL_ARGC_MAX);
	CHECK(argv[argc] == NULL);
	for (i = 0; i < argc; i++) {
		size_t j, n = strlen(argv[i]);

		CHECK(n >= 1 && n <= CTL_ARG_MAX);
		for (j = 0; j < n; j++)
			CHECK(argv[i][j] > 0x20 && argv[i][j] < 0x7f);
	}
}

static void resolve(const struct ctl_line *line, int depth)
{
	static struct ctl_request req, req2;
	static struct ctl_line line2;
	char err[CTL_MSG_MAX];
	struct buf text, enc;
	int ret, i, first;

	buf_init(&text, 1 << 16);
	ret = ctl_resolve(line->argc, line->argv, &req, err, sizeof(err), &text);
	CHECK(ret == 0 || ret == CTL_HELP || ret == -EINVAL || ret == -ENOBUFS || ret == -ENOMEM);
	if (ret == -EINVAL) {
		CHECK(err[0]);
		check_line(err, sizeof(err));
	}
	if (ret || depth) {
		if (!ret) {
			/* the second round: the same canonical words */
			CHECK(req.cmd == req2.cmd && req.argc == req2.argc);
			for (i = 0; i < req.argc; i++)
				CHECK(!strcmp(req.argv[i], req2.argv[i]));
		}
		buf_free(&text);
		return;
	}
	CHECK(req.cmd);
	check_words(req.argc, req.argv);
	/* what the daemon's dispatch sees: the command by exact words */
	CHECK(ctl_cmd_lookup(req.argc, req.argv, &first) == req.cmd);
	CHECK(first == req.first_arg);
	buf_init(&enc, CTL_LINE_MAX);
	CHECK(ctl_req_encode(line->json, req.argc, req.argv, &enc) == 0);
	CHECK(!enc.err);
	CHECK(ctl_req_decode((const char *)enc.data, enc.len, &line2, err, sizeof(err)) == 0);
	memcpy(&req2, &req, sizeof(req));
	for (i = 0; i < req.argc; i++)
		req2.argv[i] = req2.strings + (req.argv[i] - req.strings);
	buf_free(&enc);
	buf_free(&text);
	resolve(&line2, 1);
}

static void fuzz_request(const char *data, size_t len)
{
	static struct ctl_line line;
	char err[CTL_MSG_MAX];
	struct buf enc;

	if (ctl_req_decode(data, len, &line, err, sizeof(err))) {
		CHECK(err[0]);
		check_line(err, sizeof(err));
		return;
	}
	check_words(line.argc, line.argv);
	buf_init(&enc, CTL_LINE_MAX);
	CHECK(ctl_req_encode(line.json, line.argc, line.argv, &enc) == 0);
	CHECK(!enc.err && enc.len == len && !memcmp(enc.data, data, len));
	buf_free(&enc);
	resolve(&line, 0);
}

static void fuzz_response(const char *data, size_t len)
{
	char msg[CTL_MSG_MAX + 1], msg2[CTL_MSG_MAX + 1], *s;
	enum ctl_status st, st2;
	size_t off;
	struct buf out;

	if (!ctl_resp_parse(data, len, &st, msg, sizeof(msg), &off)) {
		CHECK(st == CTL_OK || st == CTL_ERR_RUNTIME || st == CTL_ERR_USAGE);
		CHECK(off <= len);
		check_line(msg, sizeof(msg));
	}
	/* the input as a message: the head made of it parses back */
	s = strndup(data, len);
	CHECK(s);
	buf_init(&out, CTL_HEAD_MAX + 1);
	CHECK(ctl_resp_head(&out, CTL_ERR_RUNTIME, s) == 0 && !out.err);
	CHECK(out.len <= CTL_HEAD_MAX);
	CHECK(ctl_resp_parse((const char *)out.data, out.len, &st2, msg2, sizeof(msg2), &off) == 0);
	CHECK(st2 == CTL_ERR_RUNTIME && off == out.len);
	check_line(msg2, sizeof(msg2));
	buf_free(&out);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	fuzz_request((const char *)data, len);
	fuzz_response((const char *)data, len);
	return 0;
}

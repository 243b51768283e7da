// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl, the operator CLI of xlbd (see cli.h; main.c calls it).
 *
 * The command line is resolved here against the shared command table
 * (commands.c: prefix matching, help, argument checks), so a usage error
 * exits 2 without contacting the daemon; the canonical request goes over
 * the control socket (proto.h, client.c) and the response body is printed
 * as it came, or re-indented for -p; an error is printed as
 * `xlbctl: MESSAGE` followed by any body the daemon sent with it.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "ctl/client.h"
#include "ctl/commands.h"
#include "ctl/proto.h"
#include "lib/buf.h"
#include "lib/json.h"

static int print_text(FILE *f, const char *data, size_t len)
{
	if (len && fwrite(data, 1, len, f) != len)
		return -EIO;
	return 0;
}

static void usage_hint(FILE *ferr)
{
	fprintf(ferr, "Try '%s help'.\n", CTL_PROG);
}

int ctl_cli_main(int argc, char **argv, FILE *fout, FILE *ferr)
{
	const char *sock = CTL_SOCKET_DEFAULT;
	bool json = false, pretty = false;
	struct ctl_response resp = { 0 };
	struct ctl_request req;
	char err[CTL_MSG_MAX + 128];
	struct buf text, line, out;
	int opt, ret, status = 1;

	buf_init(&text, 0);
	buf_init(&line, CTL_LINE_MAX);
	buf_init(&out, 0);

	/* '+': stop at the first word, so "--now" after it is an argument;
	 * optind 0: start afresh (glibc), opterr 0: messages are ours */
	optind = 0;
	opterr = 0;
	while ((opt = getopt(argc, argv, "+jps:hV")) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'p':
			json = pretty = true;
			break;
		case 's':
			sock = optarg;
			break;
		case 'h':
			ctl_help(&text, NULL, NULL);
			print_text(fout, text.data, text.len);
			status = 0;
			goto out;
		case 'V':
			fprintf(fout, "%s %s (control protocol %s)\n", CTL_PROG, XLB_VERSION,
			       CTL_PROTO_VERSION);
			status = 0;
			goto out;
		default:
			if (optopt == 's')
				fprintf(ferr, "%s: -s needs a SOCKET path\n", CTL_PROG);
			else
				fprintf(ferr, "%s: unknown option '-%c'\n", CTL_PROG, optopt);
			usage_hint(ferr);
			status = 2;
			goto out;
		}
	}
	if (optind == argc) {
		ctl_usage(&text, NULL, NULL);
		print_text(ferr, text.data, text.len);
		status = 2;
		goto out;
	}

	ret = ctl_resolve(argc - optind, argv + optind, &req, err, sizeof(err), &text);
	if (ret == CTL_HELP) {
		status = print_text(fout, text.data, text.len) ? 1 : 0;
		goto out;
	}
	if (ret) {
		fprintf(ferr, "%s: %s\n", CTL_PROG, err[0] ? err : strerror(-ret));
		print_text(ferr, text.data, text.len);
		status = 2;
		goto out;
	}
	ret = ctl_req_encode(json, req.argc, req.argv, &line);
	if (ret) {
		fprintf(ferr, "%s: request too long for the control protocol\n", CTL_PROG);
		status = 2;
		goto out;
	}

	ret = ctl_call(sock, line.data, line.len,
		       req.cmd->flags & CTL_CMD_F_SLOW ? CTL_TIMEOUT_SLOW_MS : CTL_TIMEOUT_MS,
		       &resp, err, sizeof(err));
	if (ret) {
		fprintf(ferr, "%s: %s\n", CTL_PROG, err);
		status = 1;
		goto out;
	}
	if (resp.status != CTL_OK) {
		fprintf(ferr, "%s: %s\n", CTL_PROG, resp.msg);
		print_text(ferr, resp.body, resp.body_len);
		status = resp.status;
		goto out;
	}
	if (pretty && resp.body_len) {
		if (json_pretty(resp.body, resp.body_len, &out)) {
			fprintf(ferr, "%s: malformed JSON from xlbd\n", CTL_PROG);
			status = 1;
			goto out;
		}
		ret = print_text(fout, out.data, out.len);
	} else {
		ret = print_text(fout, resp.body, resp.body_len);
	}
	if (ret || fflush(fout)) {
		fprintf(ferr, "%s: writing the output: %s\n", CTL_PROG, strerror(errno));
		status = 1;
		goto out;
	}
	status = 0;
out:
	ctl_response_free(&resp);
	buf_free(&text);
	buf_free(&line);
	buf_free(&out);
	return status;
}

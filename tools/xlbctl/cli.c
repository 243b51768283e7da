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
#include <getopt.h>
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

struct cli_opts {
	const char *sock;	/* -s */
	bool json, pretty;	/* -j, -p */
	int first;		/* argv index of OBJECT */
};

static const struct option long_opts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ "pretty", no_argument, NULL, 'p' },
	{ "socket", required_argument, NULL, 's' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{}
};

/* xlbctl's options: -1 to go on, else the exit status (-h, -V, errors). */
static int options_parse(int argc, char **argv, struct cli_opts *o, FILE *fout, FILE *ferr)
{
	struct buf text;
	int opt;

	*o = (struct cli_opts){ .sock = CTL_SOCKET_DEFAULT };
	/* '+': stop at the first word, so "--now" after it is an argument;
	 * optind 0: start afresh (glibc), opterr 0: messages are ours */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+jps:hV", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			o->json = true;
			break;
		case 'p':
			o->json = o->pretty = true;
			break;
		case 's':
			o->sock = optarg;
			break;
		case 'h':
			buf_init(&text, 0);
			ctl_help(&text, NULL, NULL);
			print_text(fout, text.data, text.len);
			buf_free(&text);
			return 0;
		case 'V':
			fprintf(fout, "%s %s (control protocol %s)\n", CTL_PROG, XLB_VERSION,
			       CTL_PROTO_VERSION);
			return 0;
		default:
			if (optopt == 's')
				fprintf(ferr, "%s: -s needs a SOCKET path\n", CTL_PROG);
			else if (optopt)
				fprintf(ferr, "%s: unknown option '-%c'\n", CTL_PROG, optopt);
			else	/* a long option: getopt_long has moved past it */
				fprintf(ferr, "%s: unknown option '%s'\n", CTL_PROG,
					argv[optind - 1]);
			usage_hint(ferr);
			return 2;
		}
	}
	o->first = optind;
	if (optind < argc)
		return -1;
	buf_init(&text, 0);
	ctl_usage(&text, NULL, NULL);
	print_text(ferr, text.data, text.len);
	buf_free(&text);
	return 2;
}

/* The words into the request line: -1 to go on, else the exit status
 * (help printed, or a usage error: xlbd is never asked). */
static int request_build(int argc, char **argv, bool json, struct ctl_request *req,
			 struct buf *line, FILE *fout, FILE *ferr)
{
	char err[CTL_MSG_MAX + 128];
	struct buf text;
	int ret, status = -1;

	buf_init(&text, 0);
	ret = ctl_resolve(argc, argv, req, err, sizeof(err), &text);
	if (ret == CTL_HELP) {
		status = print_text(fout, text.data, text.len) ? 1 : 0;
	} else if (ret) {
		fprintf(ferr, "%s: %s\n", CTL_PROG, err[0] ? err : strerror(-ret));
		print_text(ferr, text.data, text.len);
		status = 2;
	} else if (req->cmd->flags & CTL_CMD_F_LOCAL) {
		/* answered here: `completion bash` is the only one */
		buf_reset(&text);
		ctl_completion_bash(&text);
		status = text.err || print_text(fout, text.data, text.len) ? 1 : 0;
	} else if (ctl_req_encode(json, req->argc, req->argv, line)) {
		fprintf(ferr, "%s: request too long for the control protocol\n", CTL_PROG);
		status = 2;
	}
	buf_free(&text);
	return status;
}

/* xlbd's answer: the body as it came (re-indented with -p) on success,
 * `xlbctl: MESSAGE` and the body on error. The exit status. */
static int response_print(const struct ctl_response *resp, bool pretty, FILE *fout, FILE *ferr)
{
	struct buf out;
	int ret;

	if (resp->status != CTL_OK) {
		fprintf(ferr, "%s: %s\n", CTL_PROG, resp->msg);
		print_text(ferr, resp->body, resp->body_len);
		return resp->status;
	}
	buf_init(&out, 0);
	if (pretty && resp->body_len) {
		if (json_pretty(resp->body, resp->body_len, &out)) {
			fprintf(ferr, "%s: malformed JSON from xlbd\n", CTL_PROG);
			buf_free(&out);
			return 1;
		}
		ret = print_text(fout, out.data, out.len);
	} else {
		ret = print_text(fout, resp->body, resp->body_len);
	}
	buf_free(&out);
	if (ret || fflush(fout)) {
		fprintf(ferr, "%s: writing the output: %s\n", CTL_PROG, strerror(errno));
		return 1;
	}
	return 0;
}

int ctl_cli_main(int argc, char **argv, FILE *fout, FILE *ferr)
{
	struct ctl_response resp = { 0 };
	char err[CTL_MSG_MAX + 128];
	struct ctl_request req;
	struct cli_opts o;
	struct buf line;
	int status;

	status = options_parse(argc, argv, &o, fout, ferr);
	if (status >= 0)
		return status;
	buf_init(&line, CTL_LINE_MAX);
	status = request_build(argc - o.first, argv + o.first, o.json, &req, &line, fout, ferr);
	if (status < 0) {
		if (ctl_call(o.sock, line.data, line.len,
			     req.cmd->flags & CTL_CMD_F_SLOW ? CTL_TIMEOUT_SLOW_MS : CTL_TIMEOUT_MS,
			     &resp, err, sizeof(err))) {
			fprintf(ferr, "%s: %s\n", CTL_PROG, err);
			status = 1;
		} else {
			status = response_print(&resp, o.pretty, fout, ferr);
		}
	}
	ctl_response_free(&resp);
	buf_free(&line);
	return status;
}

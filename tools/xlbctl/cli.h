/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xlbctl's whole behaviour as a function, so main.c is a one-line main
 * and the tests can run the real CLI in-process against a server, with
 * its output captured. What it shares with xlbd (the command table, the
 * wire protocol, the socket client) is in agent/ctl/.
 */
#ifndef XLB_TOOLS_XLBCTL_CLI_H
#define XLB_TOOLS_XLBCTL_CLI_H

#include <stdio.h>

#include "version.h"	/* XLB_VERSION, generated into build/ (tools/version.sh) */

/*
 * xlbctl [-j] [-p] [-s SOCKET] OBJECT COMMAND [ARGS]: output to out,
 * messages to err. Returns the exit status: 0 done, 1 the command (or
 * reaching xlbd) failed, 2 usage error. Resets getopt, so it may be
 * called more than once.
 */
int ctl_cli_main(int argc, char **argv, FILE *out, FILE *err);

#endif

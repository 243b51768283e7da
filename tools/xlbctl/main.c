// SPDX-License-Identifier: GPL-2.0
/*
 * xlbctl: the operator CLI of xlbd.
 *
 *   xlbctl [-j] [-p] [-s SOCKET] OBJECT COMMAND [ARGS]
 *
 * Everything it does is in cli.c beside it, a function the agent tests
 * run in-process; `xlbctl help` lists the commands.
 */
#include <stdio.h>

#include "cli.h"

int main(int argc, char **argv)
{
	return ctl_cli_main(argc, argv, stdout, stderr);
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Least privilege for xlbd (libcap-ng). Once the datapath is attached,
 * the pinned maps are open and the sockets are bound, xlbd keeps only the
 * capabilities its running life needs (privdrop.c lists each with its
 * reason), empties its bounding set, inheritable and ambient sets, sets
 * no_new_privs, and with `-u USER` becomes that user. The exec checks'
 * children drop what is left before they run the command.
 */
#ifndef XLB_LIB_PRIVDROP_H
#define XLB_LIB_PRIVDROP_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The user xlbd runs as after start-up (-u). */
struct privs_user {
	bool set;
	uid_t uid;
	gid_t gid;		/* the user's primary group */
	char name[64];
};

/* Look the user up (getpwnam); a message in err when there is none. */
int privs_user_lookup(const char *name, struct privs_user *u, char *err, size_t errlen);

/* What to keep beyond CAP_BPF, CAP_NET_ADMIN and CAP_NET_BIND_SERVICE. */
#define PRIVS_EXEC_USERS	0x1	/* CAP_SETUID, CAP_SETGID, CAP_KILL: exec checks as others */
#define PRIVS_SYS_ADMIN		0x2	/* CAP_SYS_ADMIN: libxdp's dispatcher */

/*
 * Drop to what privdrop.c lists (CAP_SETUID, CAP_SETGID and CAP_KILL only
 * with PRIVS_EXEC_USERS, CAP_SYS_ADMIN only with PRIVS_SYS_ADMIN),
 * become user u if set (its groups from the group database). Permitted =
 * effective = the kept set; inheritable, ambient and bounding sets empty;
 * no_new_privs set. 0, or -errno with the reason in err.
 */
int privs_drop(const struct privs_user *u, unsigned flags, char *err, size_t errlen);

/* The capabilities this process holds now, as "cap_bpf,cap_net_admin,..."
 * (or "none"), for the log. */
void privs_describe(char *buf, size_t len);

/*
 * In a forked child, after it changed user and before execve: no
 * capability in any set, no_new_privs (a setuid or file-capability
 * program cannot give any back). Only async-signal-safe calls. 0 or
 * -errno.
 */
int privs_child_drop(void);

#endif

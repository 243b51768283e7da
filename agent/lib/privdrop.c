// SPDX-License-Identifier: GPL-2.0
/*
 * Least privilege for xlbd, with libcap-ng.
 *
 * Start-up needs nearly everything (load and attach XDP, pin maps, bind
 * port 179, create the control socket as root:group); the running daemon
 * needs much less. What it keeps, and why — found by taking each one away
 * on Linux 6.18 with kernel.unprivileged_bpf_disabled=2 and watching what
 * broke (selftests/e2e/security_caps.sh checks the result):
 *
 *   CAP_BPF		BPF_MAP_CREATE: a VIP's table map (two tables in one
 *			inner map of `rings`) is created for a new VIP or a new
 *			ring-size, on reload; other changes (depool, weight,
 *			health) write the map xlbd already holds. Updates,
 *			lookups, deletes and mmap on map fds xlbd holds need
 *			no capability on this kernel.
 *   CAP_NET_ADMIN	detaching the balancer at SIGTERM (netlink
 *			XDP_FLAGS_REPLACE with our program's fd), and VIP
 *			addresses on lo (RTM_NEWADDR/RTM_DELADDR). Next-hop
 *			lookups (RTM_GETROUTE/GETNEIGH) need nothing.
 *   CAP_NET_BIND_SERVICE  the BGP listeners on port 179 are opened again
 *			on every reload (bgp_speaker_reconfigure); TCP_MD5SIG,
 *			IP_TTL/IP_MINTTL (GTSM) and the BFD sockets (UDP 3784,
 *			49152-65535) need nothing.
 *   CAP_SETUID, CAP_SETGID  exec checks run as their `user` (setgroups,
 *			setgid, setuid in the child).
 *   CAP_KILL		an exec check that times out is killed with its whole
 *			process group, which belongs to that user.
 *			These three only when the config has an exec check
 *			whose user is not xlbd's own (PRIVS_EXEC_USERS; see
 *			core/privs_needed.c): CAP_SETUID is as good as root.
 *   CAP_SYS_ADMIN	only when libxdp attached the balancer through its
 *			multi-program dispatcher (never on this kernel, which
 *			refuses freplace programs): detaching from the
 *			dispatcher reads programs by id
 *			(BPF_PROG_GET_FD_BY_ID needs CAP_SYS_ADMIN).
 *
 * Everything else goes: CAP_SYS_ADMIN, CAP_DAC_OVERRIDE (xlbd as root
 * still owns the files it writes — state file, control socket, pins),
 * CAP_NET_RAW, CAP_SETPCAP (used once, here, to empty the bounding set),
 * and the rest. The bounding set is emptied completely rather than cut to
 * the kept set: xlbd never executes anything that needs a capability, so
 * nothing it starts can ever gain one, even a program run as root.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <cap-ng.h>

#include "lib/privdrop.h"

static const struct {
	int cap;
	unsigned flag;		/* kept only with this PRIVS_* flag; 0 = always */
} privs_keep[] = {
	{ CAP_BPF, 0 },
	{ CAP_NET_ADMIN, 0 },
	{ CAP_NET_BIND_SERVICE, 0 },
	{ CAP_SETUID, PRIVS_EXEC_USERS },
	{ CAP_SETGID, PRIVS_EXEC_USERS },
	{ CAP_KILL, PRIVS_EXEC_USERS },
	{ CAP_SYS_ADMIN, PRIVS_SYS_ADMIN },
};

#define N_KEEP (sizeof(privs_keep) / sizeof(privs_keep[0]))

static bool kept(size_t i, unsigned flags)
{
	return !privs_keep[i].flag || (privs_keep[i].flag & flags);
}

int privs_user_lookup(const char *name, struct privs_user *u, char *err, size_t errlen)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	int rc;

	memset(u, 0, sizeof(*u));
	rc = getpwnam_r(name, &pw, buf, sizeof(buf), &res);
	if (rc || !res) {
		snprintf(err, errlen, "user %s: %s", name, rc ? strerror(rc) : "no such user");
		return rc ? -rc : -ENOENT;
	}
	if (strlen(name) >= sizeof(u->name)) {
		snprintf(err, errlen, "user %s: name too long", name);
		return -ENAMETOOLONG;
	}
	u->set = true;
	u->uid = pw.pw_uid;
	u->gid = pw.pw_gid;
	snprintf(u->name, sizeof(u->name), "%s", name);
	return 0;
}

void privs_describe(char *buf, size_t len)
{
	size_t n = 0;
	int cap, w;

	buf[0] = '\0';
	if (capng_get_caps_process())
		return;
	/* what the kernel says this process holds, not what was asked */
	for (cap = 0; cap <= CAP_LAST_CAP && n < len; cap++) {
		const char *s;

		if (!capng_have_capability(CAPNG_EFFECTIVE, cap))
			continue;
		s = capng_capability_to_name(cap);
		w = snprintf(buf + n, len - n, "%scap_%s", n ? "," : "", s ? s : "?");
		if (w < 0)
			break;
		n += w;
	}
	if (!n)
		snprintf(buf, len, "none");
}

int privs_drop(const struct privs_user *u, unsigned flags, char *err, size_t errlen)
{
	bool bounds, held[N_KEEP];
	size_t i;
	int rc;

	if (capng_get_caps_process()) {
		snprintf(err, errlen, "cannot read this process's capabilities");
		return -EIO;
	}
	/* without CAP_SETPCAP (xlbd not started as root) the bounding set
	 * cannot be changed, and capset() cannot raise what is not
	 * permitted: keep what is both wanted and held */
	bounds = capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP);
	for (i = 0; i < N_KEEP; i++)
		held[i] = capng_have_capability(CAPNG_PERMITTED, privs_keep[i].cap);
	if (u->set && !capng_have_capability(CAPNG_EFFECTIVE, CAP_SETUID)) {
		snprintf(err, errlen, "-u %s: changing user needs root", u->name);
		return -EPERM;
	}
	capng_clear(CAPNG_SELECT_ALL);
	for (i = 0; i < N_KEEP; i++) {
		if (!kept(i, flags) || !held[i])
			continue;
		rc = capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, privs_keep[i].cap);
		if (rc) {
			snprintf(err, errlen, "capng_update: %d", rc);
			return -EINVAL;
		}
	}
	if (u->set) {
		/* keeps the set above across setresuid (PR_SET_KEEPCAPS),
		 * takes the user's groups, empties the bounding and
		 * ambient sets */
		rc = capng_change_id(u->uid, u->gid, CAPNG_INIT_SUPP_GRP | CAPNG_CLEAR_BOUNDING |
							     CAPNG_CLEAR_AMBIENT);
		if (rc) {
			snprintf(err, errlen, "cannot become user %s (libcap-ng capng_change_id: %d)",
				 u->name, rc);
			return -EPERM;
		}
	} else {
		rc = capng_apply(bounds ? CAPNG_SELECT_ALL : CAPNG_SELECT_CAPS | CAPNG_SELECT_AMBIENT);
		if (rc) {
			snprintf(err, errlen, "cannot drop capabilities (libcap-ng capng_apply: %d)",
				 rc);
			return -EPERM;
		}
	}
	/* nothing xlbd starts gains privileges by execve (setuid or
	 * file-capability programs); the exec checks' children inherit it */
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)) {
		rc = -errno;
		snprintf(err, errlen, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(-rc));
		return rc;
	}
	/* check what the kernel says now, not what was asked */
	if (capng_get_caps_process() == 0 &&
	    (capng_have_capability(CAPNG_EFFECTIVE, CAP_SETPCAP) ||
	     capng_have_capability(CAPNG_PERMITTED, CAP_DAC_OVERRIDE) ||
	     (!(flags & PRIVS_SYS_ADMIN) && capng_have_capability(CAPNG_PERMITTED, CAP_SYS_ADMIN)) ||
	     (!(flags & PRIVS_EXEC_USERS) && capng_have_capability(CAPNG_PERMITTED, CAP_SETUID)))) {
		snprintf(err, errlen, "capabilities still held after the drop");
		return -EPERM;
	}
	if (u->set && (getuid() != u->uid || geteuid() != u->uid || getgid() != u->gid)) {
		snprintf(err, errlen, "still not user %s after the change", u->name);
		return -EPERM;
	}
	return 0;
}

int privs_child_drop(void)
{
	/* raw syscalls: after fork() in a daemon that may have threads
	 * (libcurl's resolver) only async-signal-safe calls are allowed,
	 * and libcap-ng keeps per-thread state it fills from /proc */
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) && errno != EINVAL)
		return -errno;
	if (syscall(SYS_capset, &hdr, data))
		return -errno;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	return 0;
}

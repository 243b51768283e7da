// SPDX-License-Identifier: GPL-2.0
/*
 * What the config asks of xlbd's privileges after start-up (lib/privdrop.c
 * drops the rest). CAP_SETUID, CAP_SETGID and CAP_KILL serve only exec
 * checks that run as a user other than xlbd's own, and CAP_SETUID is as
 * good as root to whoever takes over the process: xlbd keeps them only
 * when the config it starts with has such a check. A reload that adds
 * one later is refused before anything changes, with the file:line of
 * its VIP and what to do (restart), rather than failing probe by probe.
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/xlbd.h"
#include "lib/privdrop.h"

/* Does running `user`'s check need another uid or gid than (uid, gid)?
 * An unknown user counts as another: the probe will say it is unknown. */
static bool exec_other_user(const char *user, uid_t uid, gid_t gid)
{
	struct passwd pw, *res = NULL;
	char buf[4096];

	if (getpwnam_r(user, &pw, buf, sizeof(buf), &res) || !res)
		return true;
	return pw.pw_uid != uid || pw.pw_gid != gid;
}

/* The first VIP with an exec check as another user, or NULL. */
static const struct conf_vip *exec_other_vip(const struct xlb_conf *conf, uid_t uid, gid_t gid)
{
	size_t i;

	for (i = 0; i < conf->n_vips; i++) {
		const struct conf_health *h = &conf->vips[i].health;

		if (h->kind == CONF_HC_EXEC &&
		    exec_other_user(h->user ? h->user : "nobody", uid, gid))
			return &conf->vips[i];
	}
	return NULL;
}

/* The uid and gid xlbd runs as after start-up. */
static void run_ids(const struct xlbd *d, uid_t *uid, gid_t *gid)
{
	*uid = d->user.set ? d->user.uid : geteuid();
	*gid = d->user.set ? d->user.gid : getegid();
}

unsigned xlbd_privs_needed(const struct xlbd *d)
{
	unsigned flags = 0;
	uid_t uid;
	gid_t gid;

	run_ids(d, &uid, &gid);
	if (d->conf && exec_other_vip(d->conf, uid, gid))
		flags |= PRIVS_EXEC_USERS;
	return flags;
}

int xlbd_privs_check(const struct xlbd *d, const struct xlb_conf *conf, char *err, size_t errlen)
{
	const struct conf_vip *v;
	uid_t uid;
	gid_t gid;

	if (!d->privs_dropped || (d->privs & PRIVS_EXEC_USERS))
		return 0;
	run_ids(d, &uid, &gid);
	v = exec_other_vip(conf, uid, gid);
	if (!v)
		return 0;
	snprintf(err, errlen,
		 "%s:%d: health exec as user %s needs CAP_SETUID and CAP_SETGID, which xlbd "
		 "dropped at start-up (no exec check needed another user then): restart xlbd "
		 "to apply it",
		 conf->file, v->line, v->health.user ? v->health.user : "nobody");
	return -EPERM;
}
